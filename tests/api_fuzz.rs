//! Bad input from C, systematically: random sequences of calls to every
//! function in include/tcc.h, with NULLs, empty strings, invalid UTF-8,
//! 1 MiB strings, control characters, non-ASCII, out-of-range numbers and
//! indexes, on live, freed (then NULL) and never-made handles, in any order.
//!
//! Each call's result is checked against what tcc.h documents for those
//! arguments, with a model of what the handles hold:
//! - every call returns a documented code (exactly the one documented where
//!   the header is exact) or a neutral value, never TCC_ERR_INTERNAL;
//! - out-parameters are written only on success;
//! - the last error on this thread follows every `tcc_result` call;
//! - nothing reaches the (local) server except a fetch with valid arguments,
//!   which sends the headers the options held when the client was made:
//!   a refused setter left them unchanged.
//!
//! The header is parsed: a function in tcc.h that this file does not call
//! fails `every_header_function_is_covered`, naming it.
//!
//! The sequences come from proptest with a fixed seed (reproducible);
//! `API_FUZZ_SEED=<number>` picks another, `PROPTEST_CASES=N` the number of
//! sequences (default 256).

mod common;

use std::collections::BTreeSet;
use std::ffi::{c_char, c_void, CStr};
use std::ptr;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use common::*;
use osm_standin::{data, Standin};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use tcc::ffi::*;

// --- Coverage of the header ---

/// Every function this file calls. Keep in step with include/tcc.h: the
/// test below fails for a function missing here, or listed but gone.
const COVERED: &[&str] = &[
    "tcc_version",
    "tcc_version_number",
    "tcc_result_str",
    "tcc_last_error_code",
    "tcc_last_error_message",
    "tcc_last_error_http_status",
    "tcc_last_error_service_code",
    "tcc_last_error_service_message",
    "tcc_last_error_request_id",
    "tcc_last_error_attempts",
    "tcc_options_new",
    "tcc_options_free",
    "tcc_options_set_endpoint",
    "tcc_options_set_region",
    "tcc_options_set_token",
    "tcc_options_set_language",
    "tcc_options_set_time_zone",
    "tcc_options_set_site",
    "tcc_options_set_aksk",
    "tcc_options_set_domain_id",
    "tcc_options_set_security_token",
    "tcc_options_set_password",
    "tcc_options_set_iam_endpoint",
    "tcc_options_set_connect_timeout_ms",
    "tcc_options_set_timeout_ms",
    "tcc_options_set_stall_timeout_ms",
    "tcc_options_set_max_attempts",
    "tcc_options_set_max_redirects",
    "tcc_options_set_proxy",
    "tcc_options_set_trust_store",
    "tcc_options_set_ca_file",
    "tcc_options_set_max_response_bytes",
    "tcc_options_set_max_header_bytes",
    "tcc_options_new_from_env",
    "tcc_client_new",
    "tcc_client_free",
    "tcc_fetch_cc_emails",
    "tcc_fetch_cc_emails_json",
    "tcc_cc_emails_free",
    "tcc_cc_emails_count",
    "tcc_cc_emails_address",
    "tcc_cc_emails_has_last_record",
    "tcc_cc_emails_last_user_id",
    "tcc_cc_emails_last_customer_id",
    "tcc_cc_emails_last_cc_email",
    "tcc_cc_emails_to_json",
    "tcc_fetch_cc_emails_async",
    "tcc_call_wait",
    "tcc_call_join",
    "tcc_call_cancel",
    "tcc_call_free",
    "tcc_free",
];

/// The functions declared in include/tcc.h: every `tcc_name(` outside
/// comments and preprocessor lines.
fn header_functions() -> BTreeSet<String> {
    functions_in(&std::fs::read_to_string(repo_root().join("include/tcc.h")).unwrap())
}

fn functions_in(header: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut in_comment = false;
    for line in header.lines() {
        let trimmed = line.trim_start();
        if in_comment {
            in_comment = !trimmed.contains("*/");
            continue;
        }
        if trimmed.starts_with("/*") {
            in_comment = !trimmed.contains("*/");
            continue;
        }
        if trimmed.starts_with('#') || trimmed.starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("tcc_") {
            let tail = &rest[at..];
            let end = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(tail.len());
            let before_ok = at == 0
                || !rest[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            if before_ok && tail[end..].trim_start().starts_with('(') {
                names.insert(tail[..end].to_owned());
            }
            rest = &tail[end..];
        }
    }
    names
}

static CALLED: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
/// Fetches that succeeded, all sequences together.
static FETCHED: AtomicUsize = AtomicUsize::new(0);

fn called(name: &'static str) {
    CALLED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(name);
}

#[test]
fn the_header_parser_finds_declarations_not_mentions() {
    let sample = r#"/*
 * Conventions: tcc_result_str(code) describes a code.
 */
#define TCC_OK 0
/**
 * Like `tcc_fetch_cc_emails`, see tcc_free().
 */
const char *tcc_version(void);
tcc_result tcc_options_set_password(struct tcc_options *options,
                                    const char *user);
void tcc_new_thing (int x);
typedef struct tcc_client tcc_client;
// tcc_commented_out(void);
"#;
    let found: Vec<String> = functions_in(sample).into_iter().collect();
    assert_eq!(
        found,
        ["tcc_new_thing", "tcc_options_set_password", "tcc_version"]
    );
}

#[test]
fn every_header_function_is_covered() {
    let header = header_functions();
    assert!(header.len() >= 40, "parsed too few functions: {header:?}");
    let covered: BTreeSet<String> = COVERED.iter().map(|s| s.to_string()).collect();
    let missing: Vec<&String> = header.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "include/tcc.h declares functions tests/api_fuzz.rs does not call: {missing:?}. \
         Add each to COVERED, to an `Op` (with its documented NULL and range \
         behaviour) and to `run_op`."
    );
    let gone: Vec<&String> = covered.difference(&header).collect();
    assert!(
        gone.is_empty(),
        "listed in COVERED but not in tcc.h: {gone:?}"
    );
}

// --- Argument values ---

const MIB: usize = 1 << 20;

/// Control characters (CR/LF header injection, others) and non-ASCII text.
const CONTROL: &[&str] = &["a\r\nX-Evil: 1", "\u{1}x", "tab\tx", "del\u{7f}", "\n"];
const NON_ASCII: &[&str] = &["é", "中文", "📧", "\u{feff}x"];
/// Values that may or may not be accepted depending on the setter.
const JUNK: &[&str] = &[
    "not a url",
    "ftp://x",
    "https://u:p@x",
    "http://x/?q=1",
    "mars-1",
    " ",
    "a,b=c",
    "http://",
    "//",
    "-1",
];

/// A string argument as C would pass it.
#[derive(Clone, Debug)]
enum Arg {
    Null,
    Empty,
    /// Bytes that are not UTF-8.
    InvalidUtf8(u8),
    /// 1 MiB of `a`: over every documented limit.
    Huge,
    Control(usize),
    NonAscii(usize),
    /// One of the setter's own good values.
    Valid(usize),
    Junk(usize),
}

const INVALID_UTF8: &[&[u8]] = &[b"\xff\xfe\xfd", b"ok\xc3", b"\xed\xa0\x80", b"\xc0\xaf"];

fn arg() -> impl Strategy<Value = Arg> {
    prop_oneof![
        2 => Just(Arg::Null),
        1 => Just(Arg::Empty),
        1 => (0..INVALID_UTF8.len() as u8).prop_map(Arg::InvalidUtf8),
        1 => Just(Arg::Huge),
        1 => (0..CONTROL.len()).prop_map(Arg::Control),
        1 => (0..NON_ASCII.len()).prop_map(Arg::NonAscii),
        6 => (0usize..4).prop_map(Arg::Valid),
        1 => (0..JUNK.len()).prop_map(Arg::Junk),
    ]
}

fn huge() -> &'static [u8] {
    static HUGE: OnceLock<Vec<u8>> = OnceLock::new();
    HUGE.get_or_init(|| {
        let mut v = vec![b'a'; MIB];
        v.push(0);
        v
    })
}

/// What the C caller holds for an argument: NUL-terminated bytes or NULL.
struct CArg {
    bytes: Option<Vec<u8>>,
}

impl CArg {
    fn ptr(&self) -> *const c_char {
        match &self.bytes {
            None => ptr::null(),
            Some(b) => b.as_ptr().cast(),
        }
    }

    /// The value as text, for the model (`None` for NULL).
    fn text(&self) -> Option<String> {
        let b = self.bytes.as_ref()?;
        Some(String::from_utf8_lossy(&b[..b.len() - 1]).into_owned())
    }
}

/// How sure tcc.h is about an argument's fate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// `TCC_ERR_INVALID_ARGUMENT`, documented.
    Invalid,
    /// Accepted, documented.
    Valid,
    /// Not said either way (e.g. a control character in a password).
    Either,
}

/// One string parameter: its good values, and whether it is a header
/// value (printable ASCII only, so controls and non-ASCII are refused).
struct Param {
    valid: fn(&World) -> Vec<String>,
    strict: bool,
    empty_ok: bool,
}

impl Param {
    fn resolve(&self, world: &World, arg: &Arg) -> (CArg, Verdict) {
        let owned = |s: &str| {
            let mut b = s.as_bytes().to_vec();
            b.push(0);
            Some(b)
        };
        let loose = if self.strict {
            Verdict::Invalid
        } else {
            Verdict::Either
        };
        let (bytes, verdict) = match arg {
            Arg::Null => (None, Verdict::Invalid),
            Arg::Empty => (
                owned(""),
                if self.empty_ok {
                    Verdict::Valid
                } else {
                    Verdict::Invalid
                },
            ),
            Arg::InvalidUtf8(i) => {
                let mut b = INVALID_UTF8[*i as usize].to_vec();
                b.push(0);
                (Some(b), Verdict::Invalid)
            }
            Arg::Huge => (Some(huge().to_vec()), Verdict::Invalid),
            Arg::Control(i) => (owned(CONTROL[*i]), loose),
            Arg::NonAscii(i) => (owned(NON_ASCII[*i]), loose),
            Arg::Valid(i) => {
                let valid = (self.valid)(world);
                (owned(&valid[*i % valid.len()]), Verdict::Valid)
            }
            Arg::Junk(i) => (owned(JUNK[*i]), Verdict::Either),
        };
        (CArg { bytes }, verdict)
    }
}

// --- The world: the stand-in, and the model of each handle ---

struct World {
    base: String,
}

fn standin() -> &'static Standin {
    static STANDIN: OnceLock<Standin> = OnceLock::new();
    STANDIN.get_or_init(|| Standin::start(standin_config()).unwrap())
}

/// Where a client's requests would go.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Endpoint {
    None,
    /// The stand-in, under this scenario (`ok` = the plain API path).
    Local(&'static str),
    /// Somewhere else (a region, an accepted odd URL, the environment):
    /// never fetched from, since tests only talk to 127.0.0.1.
    Elsewhere,
}

const SCENARIOS: &[&str] = &["ok", "array", "business-error", "status-404"];

#[derive(Clone, Debug, PartialEq, Eq)]
enum Cred {
    None,
    /// From the environment: present, but not known to the test.
    Unknown,
    Token(String),
    AkSk {
        ak: String,
        sk: String,
        domain_id: Option<String>,
        security_token: Option<String>,
    },
    Password {
        user: String,
        password: String,
        domain: String,
    },
}

/// What an options handle holds, as far as a fetch can show.
#[derive(Clone, Debug)]
struct Opts {
    endpoint: Endpoint,
    iam_local: bool,
    cred: Cred,
    language: Option<String>,
    time_zone: Option<String>,
    site: Option<i32>,
    /// A timeout under 5 s: a fetch could time out mid-request, so none is made.
    short_timeout: bool,
    /// A proxy (or an unknown value) is set: no fetch is made through it.
    proxied: bool,
    /// Client creation may fail reading certificates (CA file, system store).
    reads_certificates: bool,
}

impl Opts {
    fn new() -> Opts {
        Opts {
            endpoint: Endpoint::None,
            iam_local: true,
            cred: Cred::None,
            language: None,
            time_zone: None,
            site: None,
            short_timeout: false,
            proxied: false,
            reads_certificates: false,
        }
    }

    /// Options from the environment: unknown content (proxies from the
    /// environment included), never fetched with unless the test's own
    /// setters made them local again.
    fn unknown() -> Opts {
        Opts {
            endpoint: Endpoint::Elsewhere,
            iam_local: false,
            cred: Cred::Unknown,
            proxied: true,
            reads_certificates: true,
            ..Opts::new()
        }
    }

    fn is_aksk(&self) -> bool {
        matches!(self.cred, Cred::AkSk { .. })
    }

    /// Whether a fetch stays on the stand-in and ends well before any timeout.
    fn fetchable(&self) -> bool {
        let needs_iam = match &self.cred {
            Cred::AkSk { domain_id, .. } => domain_id.is_none(),
            Cred::Password { .. } => true,
            _ => false,
        };
        matches!(self.endpoint, Endpoint::Local(_))
            && !self.short_timeout
            && !self.proxied
            && (self.iam_local || !needs_iam)
    }

    /// Whether the stand-in accepts the credentials: `Some(true/false)`, or
    /// `None` when the header does not say (a security token with a permanent key).
    fn credentials_good(&self) -> Option<bool> {
        match &self.cred {
            Cred::None => Some(false),
            Cred::Unknown => None,
            Cred::Token(t) => Some(t == TOKEN),
            Cred::AkSk {
                ak,
                sk,
                domain_id,
                security_token,
            } => {
                let domain_ok = domain_id.as_deref().is_none_or(|d| d == data::DOMAIN_ID);
                if ak == data::AK && sk == data::SK {
                    if !domain_ok {
                        Some(false)
                    } else if security_token.is_some() {
                        None
                    } else {
                        Some(true)
                    }
                } else if ak == data::TEMP_AK && sk == data::TEMP_SK {
                    Some(domain_ok && security_token.as_deref() == Some(data::SECURITY_TOKEN))
                } else {
                    Some(false)
                }
            }
            Cred::Password {
                user,
                password,
                domain,
            } => Some(
                user == data::IAM_USER
                    && password == data::IAM_PASSWORD
                    && domain == data::DOMAIN_NAME,
            ),
        }
    }
}

// --- Operations ---

const SLOTS: usize = 3;

type StrSetter = unsafe extern "C" fn(*mut tcc_options, *const c_char) -> tcc_result;
type U32Setter = unsafe extern "C" fn(*mut tcc_options, u32) -> tcc_result;

struct StrSetterDef {
    name: &'static str,
    f: StrSetter,
    param: Param,
    /// Applies an accepted value to the model.
    apply: fn(&mut Opts, Option<String>, Verdict),
}

fn standin_url(world: &World) -> Vec<String> {
    SCENARIOS
        .iter()
        .map(|s| match *s {
            "ok" => world.base.clone(),
            s => format!("{}/scenario/{s}", world.base),
        })
        .collect()
}

fn str_setters() -> Vec<StrSetterDef> {
    vec![
        StrSetterDef {
            name: "tcc_options_set_endpoint",
            f: tcc_options_set_endpoint,
            param: Param {
                valid: standin_url,
                strict: false,
                empty_ok: false,
            },
            apply: |o, v, verdict| {
                o.endpoint = match (verdict, v) {
                    (Verdict::Valid, Some(url)) => {
                        let name = url
                            .split("/scenario/")
                            .nth(1)
                            .and_then(|n| SCENARIOS.iter().find(|s| **s == n))
                            .copied()
                            .unwrap_or("ok");
                        Endpoint::Local(name)
                    }
                    _ => Endpoint::Elsewhere,
                }
            },
        },
        StrSetterDef {
            name: "tcc_options_set_region",
            f: tcc_options_set_region,
            param: Param {
                valid: |_| vec!["cn-south-1".into(), "ap-southeast-3".into()],
                strict: true,
                empty_ok: false,
            },
            apply: |o, _, _| o.endpoint = Endpoint::Elsewhere,
        },
        StrSetterDef {
            name: "tcc_options_set_token",
            f: tcc_options_set_token,
            param: Param {
                valid: |_| vec![TOKEN.into(), "wrong-token".into()],
                strict: true,
                empty_ok: false,
            },
            apply: |o, v, _| o.cred = Cred::Token(v.unwrap()),
        },
        StrSetterDef {
            name: "tcc_options_set_language",
            f: tcc_options_set_language,
            param: Param {
                valid: |_| vec!["en-us".into(), "zh-cn".into()],
                strict: true,
                empty_ok: false,
            },
            apply: |o, v, _| o.language = v,
        },
        StrSetterDef {
            name: "tcc_options_set_time_zone",
            f: tcc_options_set_time_zone,
            param: Param {
                valid: |_| vec!["GMT+8".into(), "GMT-3".into()],
                strict: true,
                empty_ok: false,
            },
            apply: |o, v, _| o.time_zone = v,
        },
        StrSetterDef {
            name: "tcc_options_set_domain_id",
            f: tcc_options_set_domain_id,
            param: Param {
                valid: |_| vec![data::DOMAIN_ID.into(), "f".repeat(32)],
                strict: true,
                empty_ok: false,
            },
            apply: |o, v, _| {
                if let Cred::AkSk { domain_id, .. } = &mut o.cred {
                    *domain_id = v;
                }
            },
        },
        StrSetterDef {
            name: "tcc_options_set_security_token",
            f: tcc_options_set_security_token,
            param: Param {
                valid: |_| vec![data::SECURITY_TOKEN.into(), "other-security-token".into()],
                strict: true,
                empty_ok: false,
            },
            apply: |o, v, _| {
                if let Cred::AkSk { security_token, .. } = &mut o.cred {
                    *security_token = v;
                }
            },
        },
        StrSetterDef {
            name: "tcc_options_set_iam_endpoint",
            f: tcc_options_set_iam_endpoint,
            param: Param {
                valid: |w| vec![w.base.clone()],
                strict: false,
                empty_ok: false,
            },
            apply: |o, _, verdict| o.iam_local = verdict == Verdict::Valid,
        },
        StrSetterDef {
            name: "tcc_options_set_proxy",
            f: tcc_options_set_proxy,
            param: Param {
                // "" turns proxies off; port 1 refuses connections.
                valid: |_| vec![String::new(), "http://127.0.0.1:1".into()],
                strict: false,
                empty_ok: true,
            },
            apply: |o, v, _| o.proxied = v.as_deref() != Some(""),
        },
        StrSetterDef {
            name: "tcc_options_set_ca_file",
            f: tcc_options_set_ca_file,
            param: Param {
                valid: |_| {
                    vec![
                        "/etc/ssl/certs/ca-certificates.crt".into(),
                        "/nonexistent/ca.pem".into(),
                    ]
                },
                strict: false,
                empty_ok: false,
            },
            apply: |o, _, _| o.reads_certificates = true,
        },
    ]
}

struct U32SetterDef {
    name: &'static str,
    f: U32Setter,
    range: std::ops::RangeInclusive<u32>,
    apply: fn(&mut Opts, u32),
}

fn short_timeout(o: &mut Opts, ms: u32) {
    if ms < 5000 {
        o.short_timeout = true;
    }
}

fn u32_setters() -> Vec<U32SetterDef> {
    vec![
        U32SetterDef {
            name: "tcc_options_set_connect_timeout_ms",
            f: tcc_options_set_connect_timeout_ms,
            range: 1..=3_600_000,
            apply: short_timeout,
        },
        U32SetterDef {
            name: "tcc_options_set_timeout_ms",
            f: tcc_options_set_timeout_ms,
            range: 1..=3_600_000,
            apply: short_timeout,
        },
        U32SetterDef {
            name: "tcc_options_set_stall_timeout_ms",
            f: tcc_options_set_stall_timeout_ms,
            range: 1..=3_600_000,
            apply: short_timeout,
        },
        U32SetterDef {
            name: "tcc_options_set_max_attempts",
            f: tcc_options_set_max_attempts,
            range: 1..=10,
            apply: |_, _| {},
        },
        U32SetterDef {
            name: "tcc_options_set_max_redirects",
            f: tcc_options_set_max_redirects,
            range: 0..=10,
            apply: |_, _| {},
        },
        U32SetterDef {
            name: "tcc_options_set_max_header_bytes",
            f: tcc_options_set_max_header_bytes,
            range: 4096..=1_048_576,
            apply: |_, _| {},
        },
        U32SetterDef {
            name: "tcc_options_set_trust_store",
            f: tcc_options_set_trust_store,
            range: TCC_TRUST_BUNDLED..=TCC_TRUST_SYSTEM,
            apply: |o, store| {
                if store == TCC_TRUST_SYSTEM {
                    o.reads_certificates = true;
                }
            },
        },
    ]
}

#[derive(Clone, Debug)]
enum Op {
    /// Complete, valid options for the stand-in, made with the same checked
    /// calls as below: a token (good or wrong), AK/SK, temporary AK/SK with
    /// domain id and security token, or an IAM password.
    Setup {
        slot: usize,
        scenario: usize,
        cred: u8,
    },
    OptionsNew {
        slot: usize,
        null_out: bool,
    },
    OptionsFromEnv {
        slot: usize,
        null_out: bool,
    },
    OptionsFree {
        slot: usize,
    },
    SetStr {
        setter: usize,
        slot: usize,
        arg: Arg,
    },
    SetAksk {
        slot: usize,
        ak: Arg,
        sk: Arg,
    },
    SetPassword {
        slot: usize,
        user: Arg,
        password: Arg,
        domain: Arg,
    },
    SetU32 {
        setter: usize,
        slot: usize,
        value: u32,
    },
    SetSite {
        slot: usize,
        value: i32,
    },
    SetMaxResponse {
        slot: usize,
        value: u64,
    },
    ClientNew {
        options: usize,
        client: usize,
        null_out: bool,
    },
    ClientFree {
        client: usize,
    },
    Fetch {
        client: usize,
        result: usize,
        null_out: bool,
    },
    FetchJson {
        client: usize,
        null_out: bool,
    },
    /// `tcc_fetch_cc_emails_async`, then (when it started) maybe
    /// `tcc_call_cancel`, `tcc_call_wait` and `tcc_call_join`, so that all
    /// its network work happens within this op.
    FetchAsync {
        client: usize,
        call: usize,
        null_callback: bool,
        null_out: bool,
        cancel: bool,
    },
    /// On a completed call (or NULL): wait / join with any timeout, cancel, free.
    CallWait {
        call: usize,
        timeout_ms: u32,
    },
    CallJoin {
        call: usize,
        timeout_ms: u32,
    },
    CallCancel {
        call: usize,
    },
    CallFree {
        call: usize,
    },
    Read {
        result: usize,
        index: usize,
    },
    ToJson {
        result: usize,
        null_out: bool,
    },
    ResultFree {
        result: usize,
    },
    FreeNullString,
    Statics {
        code: u32,
    },
}

fn u32_value() -> impl Strategy<Value = u32> {
    prop_oneof![
        any::<u32>(),
        prop::sample::select(vec![
            0,
            1,
            2,
            3,
            9,
            10,
            11,
            4095,
            4096,
            5000,
            30_000,
            1_048_576,
            1_048_577,
            3_600_000,
            3_600_001,
            i32::MAX as u32,
            0x8000_0000,
            u32::MAX,
        ]),
    ]
}

fn setup() -> impl Strategy<Value = Op> {
    (0..SLOTS, 0..SCENARIOS.len(), 0u8..5).prop_map(|(slot, scenario, cred)| Op::Setup {
        slot,
        scenario,
        cred,
    })
}

/// A sequence: valid options and a client first (so that fetches happen),
/// then anything.
fn sequence(str_setters: usize, u32_setters: usize) -> impl Strategy<Value = Vec<Op>> {
    (
        setup(),
        prop::collection::vec(op(str_setters, u32_setters), 1..48),
    )
        .prop_map(|(first, rest)| {
            let Op::Setup { slot, .. } = first else {
                unreachable!()
            };
            let mut ops = vec![
                first,
                Op::ClientNew {
                    options: slot,
                    client: 0,
                    null_out: false,
                },
            ];
            ops.extend(rest);
            ops
        })
}

fn op(str_setters: usize, u32_setters: usize) -> impl Strategy<Value = Op> {
    let slot = || 0..SLOTS;
    prop_oneof![
        3 => setup(),
        3 => (slot(), prop::bool::weighted(0.1))
            .prop_map(|(slot, null_out)| Op::OptionsNew { slot, null_out }),
        1 => (slot(), any::<bool>())
            .prop_map(|(slot, null_out)| Op::OptionsFromEnv { slot, null_out }),
        1 => slot().prop_map(|slot| Op::OptionsFree { slot }),
        10 => (0..str_setters, slot(), arg())
            .prop_map(|(setter, slot, arg)| Op::SetStr { setter, slot, arg }),
        3 => (slot(), arg(), arg()).prop_map(|(slot, ak, sk)| Op::SetAksk { slot, ak, sk }),
        2 => (slot(), arg(), arg(), arg()).prop_map(|(slot, user, password, domain)| {
            Op::SetPassword { slot, user, password, domain }
        }),
        4 => (0..u32_setters, slot(), u32_value())
            .prop_map(|(setter, slot, value)| Op::SetU32 { setter, slot, value }),
        1 => (slot(), prop_oneof![any::<i32>(), prop::sample::select(vec![i32::MIN, -1, 0, 1, 2, i32::MAX])])
            .prop_map(|(slot, value)| Op::SetSite { slot, value }),
        1 => (slot(), prop_oneof![
                any::<u64>(),
                prop::sample::select(vec![0, 1, 1023, 1024, 1025, 1 << 20, u32::MAX as u64 + 1, u64::MAX]),
            ])
            .prop_map(|(slot, value)| Op::SetMaxResponse { slot, value }),
        4 => (slot(), slot(), prop::bool::weighted(0.1))
            .prop_map(|(options, client, null_out)| Op::ClientNew { options, client, null_out }),
        1 => slot().prop_map(|client| Op::ClientFree { client }),
        4 => (slot(), slot(), prop::bool::weighted(0.15))
            .prop_map(|(client, result, null_out)| Op::Fetch { client, result, null_out }),
        2 => (slot(), prop::bool::weighted(0.15))
            .prop_map(|(client, null_out)| Op::FetchJson { client, null_out }),
        2 => (slot(), slot(), prop::bool::weighted(0.1), prop::bool::weighted(0.1), any::<bool>())
            .prop_map(|(client, call, null_callback, null_out, cancel)| Op::FetchAsync {
                client, call, null_callback, null_out, cancel,
            }),
        1 => (slot(), u32_value()).prop_map(|(call, timeout_ms)| Op::CallWait { call, timeout_ms }),
        1 => (slot(), u32_value()).prop_map(|(call, timeout_ms)| Op::CallJoin { call, timeout_ms }),
        1 => slot().prop_map(|call| Op::CallCancel { call }),
        1 => slot().prop_map(|call| Op::CallFree { call }),
        3 => (slot(), prop_oneof![
                0usize..4,
                Just(usize::MAX),
                Just(usize::MAX / 2 + 1),
                Just(u32::MAX as usize),
                any::<usize>(),
            ])
            .prop_map(|(result, index)| Op::Read { result, index }),
        1 => (slot(), prop::bool::weighted(0.3))
            .prop_map(|(result, null_out)| Op::ToJson { result, null_out }),
        1 => slot().prop_map(|result| Op::ResultFree { result }),
        1 => Just(Op::FreeNullString),
        1 => prop_oneof![any::<u32>(), 0u32..=100].prop_map(|code| Op::Statics { code }),
    ]
}

// --- Running a sequence ---

/// A non-NULL value no function may write: outputs are left alone on failure.
fn sentinel<T>() -> *mut T {
    ptr::NonNull::dangling().as_ptr()
}

struct Client {
    handle: *mut tcc_client,
    opts: Opts,
}

/// What an async call's callback saw.
#[derive(Default)]
struct CallRecord {
    calls: AtomicU32,
    code: AtomicU32,
    detail: Mutex<Option<LastError>>,
    addresses: Mutex<Vec<String>>,
}

/// Records and frees; must not panic (it is called from C's side of the ABI).
unsafe extern "C" fn record_call(
    userdata: *mut c_void,
    code: tcc_result,
    result: *mut tcc_cc_emails,
) {
    let record = &*userdata.cast::<CallRecord>();
    if let Ok(mut detail) = record.detail.lock() {
        *detail = Some(last_error());
    }
    if let Ok(mut addresses) = record.addresses.lock() {
        *addresses = (0..tcc_cc_emails_count(result))
            .filter_map(|i| text(tcc_cc_emails_address(result, i)))
            .collect();
    }
    tcc_cc_emails_free(result);
    record.code.store(code, Ordering::SeqCst);
    record.calls.fetch_add(1, Ordering::SeqCst);
}

/// A completed (and joined) async call, and what its callback saw.
struct AsyncCall {
    handle: *mut tcc_call,
    record: Box<CallRecord>,
}

struct Handles {
    options: [Option<(*mut tcc_options, Opts)>; SLOTS],
    clients: [Option<Client>; SLOTS],
    results: [Option<*mut tcc_cc_emails>; SLOTS],
    calls: [Option<AsyncCall>; SLOTS],
}

impl Handles {
    fn free_all(&mut self) {
        unsafe {
            for (o, _) in self.options.iter_mut().filter_map(Option::take) {
                tcc_options_free(o);
            }
            for c in self.clients.iter_mut().filter_map(Option::take) {
                tcc_client_free(c.handle);
            }
            for r in self.results.iter_mut().filter_map(Option::take) {
                tcc_cc_emails_free(r);
            }
            for c in self.calls.iter_mut().filter_map(Option::take) {
                tcc_call_free(c.handle);
            }
        }
    }
}

impl Drop for Handles {
    fn drop(&mut self) {
        self.free_all();
    }
}

/// Every documented code (tcc.h's TCC_* values).
const DOCUMENTED: &[tcc_result] = &[
    TCC_OK,
    TCC_ERR_INVALID_ARGUMENT,
    TCC_ERR_CONFIG,
    TCC_ERR_NETWORK,
    TCC_ERR_TIMEOUT,
    TCC_ERR_TLS,
    TCC_ERR_AUTH,
    TCC_ERR_THROTTLED,
    TCC_ERR_SERVER,
    TCC_ERR_SERVICE,
    TCC_ERR_HTTP,
    TCC_ERR_BAD_RESPONSE,
    TCC_ERR_RESPONSE_TOO_LARGE,
    TCC_ERR_CANCELLED,
    TCC_ERR_INTERNAL,
];

fn osm_request_count() -> usize {
    standin().requests().len()
}

/// After a `tcc_result` call: the code is one of `allowed`, and the
/// thread's last error says the same.
fn check_code(what: &str, code: tcc_result, allowed: &[tcc_result]) -> Result<(), TestCaseError> {
    prop_assert!(
        allowed.contains(&code),
        "{what} returned {code} ({}), expected one of {allowed:?}; last error {:?}",
        text(tcc_result_str(code)).unwrap_or_default(),
        last_error()
    );
    called("tcc_last_error_code");
    called("tcc_last_error_message");
    called("tcc_last_error_http_status");
    called("tcc_last_error_service_code");
    called("tcc_last_error_service_message");
    called("tcc_last_error_request_id");
    called("tcc_last_error_attempts");
    let err = last_error();
    prop_assert_eq!(err.code, code, "{}: last error {:?}", what, err);
    if code == TCC_OK {
        prop_assert_eq!(&err.message, "", "{}", what);
        prop_assert_eq!(err.http_status, 0);
        prop_assert!(err.service_code.is_none() && err.request_id.is_none());
    } else {
        prop_assert!(!err.message.is_empty(), "{}: no message", what);
        prop_assert!(
            !err.message.contains(TOKEN) && !err.message.contains(data::SK),
            "{}: a secret in {:?}",
            what,
            err.message
        );
    }
    if matches!(code, TCC_ERR_INVALID_ARGUMENT | TCC_ERR_CONFIG) {
        prop_assert_eq!(err.http_status, 0, "{}", what);
        prop_assert_eq!(err.attempts, 0, "{}", what);
        prop_assert!(err.request_id.is_none(), "{}", what);
    }
    Ok(())
}

/// The codes a setter may return given its options handle and arguments'
/// verdicts (any invalid one decides; NULL options is invalid too).
fn setter_codes(has_options: bool, verdicts: &[Verdict]) -> Vec<tcc_result> {
    if !has_options || verdicts.contains(&Verdict::Invalid) {
        vec![TCC_ERR_INVALID_ARGUMENT]
    } else if verdicts.contains(&Verdict::Either) {
        vec![TCC_OK, TCC_ERR_INVALID_ARGUMENT]
    } else {
        vec![TCC_OK]
    }
}

struct Runner {
    world: World,
    str_setters: Vec<StrSetterDef>,
    u32_setters: Vec<U32SetterDef>,
}

impl Runner {
    fn run(&self, ops: &[Op]) -> Result<(), TestCaseError> {
        let mut h = Handles {
            options: Default::default(),
            clients: Default::default(),
            results: Default::default(),
            calls: Default::default(),
        };
        for (i, op) in ops.iter().enumerate() {
            let before = osm_request_count();
            let may_send = self
                .run_op(&mut h, op)
                .map_err(|e| TestCaseError::fail(format!("op #{i} {op:?}: {e}")))?;
            if !may_send {
                prop_assert_eq!(
                    osm_request_count(),
                    before,
                    "op #{} {:?} sent a request",
                    i,
                    op
                );
            }
        }
        h.free_all();
        Ok(())
    }

    /// Runs one call and checks it; returns whether it may have sent a request.
    fn run_op(&self, h: &mut Handles, op: &Op) -> Result<bool, TestCaseError> {
        let options_ptr = |h: &Handles, slot: usize| {
            h.options[slot]
                .as_ref()
                .map_or(ptr::null_mut(), |(p, _)| *p)
        };
        match op {
            Op::Setup {
                slot,
                scenario,
                cred,
            } => {
                let setter = |name: &str| {
                    self.str_setters
                        .iter()
                        .position(|d| d.name == name)
                        .unwrap()
                };
                let set = |name: &str, valid: usize| Op::SetStr {
                    setter: setter(name),
                    slot: *slot,
                    arg: Arg::Valid(valid),
                };
                let mut ops = vec![
                    Op::OptionsNew {
                        slot: *slot,
                        null_out: false,
                    },
                    set("tcc_options_set_endpoint", *scenario),
                    set("tcc_options_set_iam_endpoint", 0),
                ];
                let aksk = |valid: usize| Op::SetAksk {
                    slot: *slot,
                    ak: Arg::Valid(valid),
                    sk: Arg::Valid(valid),
                };
                match cred {
                    0 => ops.push(set("tcc_options_set_token", 0)),
                    1 => ops.push(aksk(0)),
                    2 => ops.extend([
                        aksk(1),
                        set("tcc_options_set_domain_id", 0),
                        set("tcc_options_set_security_token", 0),
                    ]),
                    3 => ops.push(Op::SetPassword {
                        slot: *slot,
                        user: Arg::Valid(0),
                        password: Arg::Valid(0),
                        domain: Arg::Valid(0),
                    }),
                    _ => ops.push(set("tcc_options_set_token", 1)),
                }
                for op in &ops {
                    self.run_op(h, op)?;
                }
                let (_, opts) = h.options[*slot].as_ref().unwrap();
                prop_assert!(opts.fetchable(), "{:?}", opts);
            }
            Op::OptionsNew { slot, null_out } => {
                called("tcc_options_new");
                let mut out: *mut tcc_options = sentinel();
                let out_ptr = if *null_out { ptr::null_mut() } else { &mut out };
                let code = unsafe { tcc_options_new(out_ptr) };
                if *null_out {
                    check_code("options_new", code, &[TCC_ERR_INVALID_ARGUMENT])?;
                    return Ok(false);
                }
                check_code("options_new", code, &[TCC_OK])?;
                prop_assert!(!out.is_null() && out != sentinel());
                // Proxies from the test's environment must not apply.
                unsafe { ok(tcc_options_set_proxy(out, c"".as_ptr())) };
                if let Some((old, _)) = h.options[*slot].replace((out, Opts::new())) {
                    called("tcc_options_free");
                    unsafe { tcc_options_free(old) };
                }
            }
            Op::OptionsFromEnv { slot, null_out } => {
                called("tcc_options_new_from_env");
                let mut out: *mut tcc_options = sentinel();
                let out_ptr = if *null_out { ptr::null_mut() } else { &mut out };
                let code = unsafe { tcc_options_new_from_env(out_ptr) };
                if *null_out {
                    check_code("from_env", code, &[TCC_ERR_INVALID_ARGUMENT])?;
                    return Ok(false);
                }
                check_code(
                    "from_env",
                    code,
                    &[TCC_OK, TCC_ERR_CONFIG, TCC_ERR_INVALID_ARGUMENT],
                )?;
                if code != TCC_OK {
                    prop_assert_eq!(out, sentinel(), "out written on failure");
                    return Ok(false);
                }
                prop_assert!(!out.is_null() && out != sentinel());
                if let Some((old, _)) = h.options[*slot].replace((out, Opts::unknown())) {
                    unsafe { tcc_options_free(old) };
                }
            }
            Op::OptionsFree { slot } => {
                called("tcc_options_free");
                let p = h.options[*slot].take().map_or(ptr::null_mut(), |(p, _)| p);
                unsafe { tcc_options_free(p) };
            }
            Op::SetStr { setter, slot, arg } => {
                let def = &self.str_setters[*setter];
                called(def.name);
                let (carg, verdict) = def.param.resolve(&self.world, arg);
                let p = options_ptr(h, *slot);
                let code = unsafe { (def.f)(p, carg.ptr()) };
                let mut allowed = setter_codes(!p.is_null(), &[verdict]);
                let is_aksk = h.options[*slot].as_ref().is_some_and(|(_, o)| o.is_aksk());
                let needs_aksk = matches!(
                    def.name,
                    "tcc_options_set_domain_id" | "tcc_options_set_security_token"
                );
                if needs_aksk && !p.is_null() && !is_aksk {
                    // Documented: CONFIG without AK/SK; with a bad value too,
                    // either check may come first.
                    allowed.retain(|c| *c != TCC_OK);
                    allowed.push(TCC_ERR_CONFIG);
                }
                check_code(def.name, code, &allowed)?;
                if code == TCC_OK {
                    let (_, opts) = h.options[*slot].as_mut().unwrap();
                    (def.apply)(opts, carg.text(), verdict);
                }
            }
            Op::SetAksk { slot, ak, sk } => {
                called("tcc_options_set_aksk");
                let ak_param = Param {
                    valid: |_| vec![data::AK.into(), data::TEMP_AK.into()],
                    strict: true,
                    empty_ok: false,
                };
                let sk_param = Param {
                    valid: |_| vec![data::SK.into(), data::TEMP_SK.into(), WRONG_SK.into()],
                    strict: false,
                    empty_ok: false,
                };
                let (ak, ak_v) = ak_param.resolve(&self.world, ak);
                let (sk, sk_v) = sk_param.resolve(&self.world, sk);
                let p = options_ptr(h, *slot);
                let code = unsafe { tcc_options_set_aksk(p, ak.ptr(), sk.ptr()) };
                check_code("set_aksk", code, &setter_codes(!p.is_null(), &[ak_v, sk_v]))?;
                if code == TCC_OK {
                    h.options[*slot].as_mut().unwrap().1.cred = Cred::AkSk {
                        ak: ak.text().unwrap(),
                        sk: sk.text().unwrap(),
                        domain_id: None,
                        security_token: None,
                    };
                }
            }
            Op::SetPassword {
                slot,
                user,
                password,
                domain,
            } => {
                called("tcc_options_set_password");
                let param = |valid: fn(&World) -> Vec<String>| Param {
                    valid,
                    strict: false,
                    empty_ok: false,
                };
                let (user, user_v) =
                    param(|_| vec![data::IAM_USER.into()]).resolve(&self.world, user);
                let (password, password_v) =
                    param(|_| vec![data::IAM_PASSWORD.into(), WRONG_PASSWORD.into()])
                        .resolve(&self.world, password);
                let (domain, domain_v) =
                    param(|_| vec![data::DOMAIN_NAME.into(), "other-account".into()])
                        .resolve(&self.world, domain);
                let p = options_ptr(h, *slot);
                let code = unsafe {
                    tcc_options_set_password(p, user.ptr(), password.ptr(), domain.ptr())
                };
                check_code(
                    "set_password",
                    code,
                    &setter_codes(!p.is_null(), &[user_v, password_v, domain_v]),
                )?;
                if code == TCC_OK {
                    h.options[*slot].as_mut().unwrap().1.cred = Cred::Password {
                        user: user.text().unwrap(),
                        password: password.text().unwrap(),
                        domain: domain.text().unwrap(),
                    };
                }
            }
            Op::SetU32 {
                setter,
                slot,
                value,
            } => {
                let def = &self.u32_setters[*setter];
                called(def.name);
                let p = options_ptr(h, *slot);
                let code = unsafe { (def.f)(p, *value) };
                let verdict = if def.range.contains(value) {
                    Verdict::Valid
                } else {
                    Verdict::Invalid
                };
                check_code(def.name, code, &setter_codes(!p.is_null(), &[verdict]))?;
                if code == TCC_OK {
                    (def.apply)(&mut h.options[*slot].as_mut().unwrap().1, *value);
                }
            }
            Op::SetSite { slot, value } => {
                called("tcc_options_set_site");
                let p = options_ptr(h, *slot);
                let code = unsafe { tcc_options_set_site(p, *value) };
                let verdict = if matches!(value, 0 | 1) {
                    Verdict::Valid
                } else {
                    Verdict::Invalid
                };
                check_code("set_site", code, &setter_codes(!p.is_null(), &[verdict]))?;
                if code == TCC_OK {
                    h.options[*slot].as_mut().unwrap().1.site = Some(*value);
                }
            }
            Op::SetMaxResponse { slot, value } => {
                called("tcc_options_set_max_response_bytes");
                let p = options_ptr(h, *slot);
                let code = unsafe { tcc_options_set_max_response_bytes(p, *value) };
                let verdict = if *value >= 1024 {
                    Verdict::Valid
                } else {
                    Verdict::Invalid
                };
                check_code(
                    "set_max_response_bytes",
                    code,
                    &setter_codes(!p.is_null(), &[verdict]),
                )?;
            }
            Op::ClientNew {
                options,
                client,
                null_out,
            } => {
                called("tcc_client_new");
                let p = options_ptr(h, *options);
                let mut out: *mut tcc_client = sentinel();
                let out_ptr = if *null_out { ptr::null_mut() } else { &mut out };
                let code = unsafe { tcc_client_new(p, out_ptr) };
                let allowed: Vec<tcc_result> = match &h.options[*options] {
                    _ if *null_out => vec![TCC_ERR_INVALID_ARGUMENT],
                    None => vec![TCC_ERR_INVALID_ARGUMENT],
                    Some((_, o)) if o.endpoint == Endpoint::None || o.cred == Cred::None => {
                        vec![TCC_ERR_CONFIG]
                    }
                    Some((_, o)) if o.reads_certificates => vec![TCC_OK, TCC_ERR_CONFIG],
                    Some(_) => vec![TCC_OK],
                };
                check_code("client_new", code, &allowed)?;
                if code != TCC_OK {
                    if !*null_out {
                        prop_assert_eq!(out, sentinel(), "out written on failure");
                    }
                    return Ok(false);
                }
                prop_assert!(!out.is_null() && out != sentinel());
                let opts = h.options[*options].as_ref().unwrap().1.clone();
                if let Some(old) = h.clients[*client].replace(Client { handle: out, opts }) {
                    called("tcc_client_free");
                    unsafe { tcc_client_free(old.handle) };
                }
            }
            Op::ClientFree { client } => {
                called("tcc_client_free");
                let p = h.clients[*client]
                    .take()
                    .map_or(ptr::null_mut(), |c| c.handle);
                unsafe { tcc_client_free(p) };
            }
            Op::Fetch {
                client,
                result,
                null_out,
            } => {
                called("tcc_fetch_cc_emails");
                return self.fetch(h, *client, Some(*result), *null_out);
            }
            Op::FetchJson { client, null_out } => {
                called("tcc_fetch_cc_emails_json");
                return self.fetch(h, *client, None, *null_out);
            }
            Op::FetchAsync {
                client,
                call,
                null_callback,
                null_out,
                cancel,
            } => {
                called("tcc_fetch_cc_emails_async");
                return self.fetch_async(h, *client, *call, *null_callback, *null_out, *cancel);
            }
            Op::CallWait { call, timeout_ms } | Op::CallJoin { call, timeout_ms } => {
                let join = matches!(op, Op::CallJoin { .. });
                let (name, f): (_, unsafe extern "C" fn(*const tcc_call, u32) -> tcc_result) =
                    if join {
                        ("tcc_call_join", tcc_call_join)
                    } else {
                        ("tcc_call_wait", tcc_call_wait)
                    };
                called(name);
                let c = h.calls[*call].as_ref();
                let code = unsafe { f(c.map_or(ptr::null(), |c| c.handle), *timeout_ms) };
                // Every call kept is complete and joined: no waiting, whatever the timeout.
                let expected = if c.is_some() {
                    TCC_OK
                } else {
                    TCC_ERR_INVALID_ARGUMENT
                };
                check_code(name, code, &[expected])?;
            }
            Op::CallCancel { call } => {
                called("tcc_call_cancel");
                let code_before = tcc_last_error_code();
                let c = h.calls[*call].as_ref();
                let took = unsafe { tcc_call_cancel(c.map_or(ptr::null(), |c| c.handle)) };
                prop_assert!(!took, "cancel took effect on a completed call (or NULL)");
                if let Some(c) = c {
                    prop_assert_eq!(c.record.calls.load(Ordering::SeqCst), 1);
                }
                prop_assert_eq!(tcc_last_error_code(), code_before);
            }
            Op::CallFree { call } => {
                called("tcc_call_free");
                let c = h.calls[*call].take();
                unsafe { tcc_call_free(c.as_ref().map_or(ptr::null_mut(), |c| c.handle)) };
                if let Some(c) = c {
                    prop_assert_eq!(c.record.calls.load(Ordering::SeqCst), 1);
                }
            }
            Op::Read { result, index } => {
                for name in [
                    "tcc_cc_emails_count",
                    "tcc_cc_emails_address",
                    "tcc_cc_emails_has_last_record",
                    "tcc_cc_emails_last_user_id",
                    "tcc_cc_emails_last_customer_id",
                    "tcc_cc_emails_last_cc_email",
                ] {
                    called(name);
                }
                let code_before = tcc_last_error_code();
                let r = h.results[*result].unwrap_or(ptr::null_mut());
                unsafe {
                    let count = tcc_cc_emails_count(r);
                    let address = text(tcc_cc_emails_address(r, *index));
                    let has = tcc_cc_emails_has_last_record(r);
                    let user = text(tcc_cc_emails_last_user_id(r));
                    let customer = text(tcc_cc_emails_last_customer_id(r));
                    let cc = text(tcc_cc_emails_last_cc_email(r));
                    if r.is_null() {
                        prop_assert_eq!(count, 0);
                        prop_assert!(address.is_none() && !has);
                        prop_assert!(user.is_none() && customer.is_none() && cc.is_none());
                    } else {
                        // Every result here is the stand-in's normal answer.
                        prop_assert_eq!(count, data::ADDRESSES.len());
                        prop_assert_eq!(address.as_deref(), data::ADDRESSES.get(*index).copied());
                        prop_assert!(has);
                        prop_assert_eq!(user.as_deref(), Some(data::USER_ID));
                        prop_assert_eq!(customer.as_deref(), Some(data::CUSTOMER_ID));
                        prop_assert_eq!(cc.as_deref(), Some(data::CC_EMAIL));
                    }
                }
                prop_assert_eq!(
                    tcc_last_error_code(),
                    code_before,
                    "accessors changed the last error"
                );
            }
            Op::ToJson { result, null_out } => {
                called("tcc_cc_emails_to_json");
                let r = h.results[*result].unwrap_or(ptr::null_mut());
                let mut out: *mut c_char = sentinel();
                let out_ptr = if *null_out { ptr::null_mut() } else { &mut out };
                let code = unsafe { tcc_cc_emails_to_json(r, out_ptr) };
                if r.is_null() || *null_out {
                    check_code("to_json", code, &[TCC_ERR_INVALID_ARGUMENT])?;
                    if !*null_out {
                        prop_assert_eq!(out, sentinel(), "out written on failure");
                    }
                } else {
                    check_code("to_json", code, &[TCC_OK])?;
                    check_json_string(out)?;
                }
            }
            Op::ResultFree { result } => {
                called("tcc_cc_emails_free");
                let r = h.results[*result].take().unwrap_or(ptr::null_mut());
                unsafe { tcc_cc_emails_free(r) };
            }
            Op::FreeNullString => {
                called("tcc_free");
                let code_before = tcc_last_error_code();
                unsafe { tcc_free(ptr::null_mut()) };
                prop_assert_eq!(tcc_last_error_code(), code_before);
            }
            Op::Statics { code } => {
                called("tcc_version");
                called("tcc_version_number");
                called("tcc_result_str");
                let code_before = tcc_last_error_code();
                let version = text(tcc_version());
                prop_assert_eq!(version.as_deref(), Some(env!("CARGO_PKG_VERSION")));
                let expected_number = env!("CARGO_PKG_VERSION_MAJOR").parse::<u32>().unwrap()
                    * 1_000_000
                    + env!("CARGO_PKG_VERSION_MINOR").parse::<u32>().unwrap() * 1000
                    + env!("CARGO_PKG_VERSION_PATCH").parse::<u32>().unwrap();
                prop_assert_eq!(tcc_version_number(), expected_number);
                let described = text(tcc_result_str(*code));
                prop_assert!(described.as_deref().is_some_and(|d| !d.is_empty()));
                prop_assert_eq!(
                    described.as_deref() == Some("unknown result code"),
                    !DOCUMENTED.contains(code),
                    "tcc_result_str({}) = {:?}",
                    code,
                    described
                );
                prop_assert_eq!(tcc_last_error_code(), code_before);
            }
        }
        Ok(false)
    }

    /// A fetch in either form; checks the outcome against the client's
    /// model and the request against the options it was made from.
    fn fetch(
        &self,
        h: &mut Handles,
        client: usize,
        result_slot: Option<usize>,
        null_out: bool,
    ) -> Result<bool, TestCaseError> {
        let name = if result_slot.is_some() {
            "fetch"
        } else {
            "fetch_json"
        };
        let c = h.clients[client].as_ref();
        // A client whose requests would leave the stand-in, or could time
        // out mid-request, is only called with a NULL out (refused first).
        let null_out = null_out || c.is_some_and(|c| !c.opts.fetchable());
        let handle = c.map_or(ptr::null_mut(), |c| c.handle);
        let before = standin().requests().len();
        let mut result: *mut tcc_cc_emails = sentinel();
        let mut json: *mut c_char = sentinel();
        let code = unsafe {
            match (result_slot, null_out) {
                (Some(_), false) => tcc_fetch_cc_emails(handle, &mut result),
                (Some(_), true) => tcc_fetch_cc_emails(handle, ptr::null_mut()),
                (None, false) => tcc_fetch_cc_emails_json(handle, &mut json),
                (None, true) => tcc_fetch_cc_emails_json(handle, ptr::null_mut()),
            }
        };
        let Some(c) = c.filter(|_| !null_out) else {
            check_code(name, code, &[TCC_ERR_INVALID_ARGUMENT])?;
            prop_assert!(
                result == sentinel() && json == sentinel(),
                "out written on failure"
            );
            return Ok(false);
        };
        let Endpoint::Local(scenario) = c.opts.endpoint else {
            unreachable!("only fetchable clients get here")
        };
        check_code(name, code, &self.fetch_codes(c))?;
        if code != TCC_OK {
            prop_assert!(
                result == sentinel() && json == sentinel(),
                "out written on failure"
            );
            return Ok(true);
        }
        // The request carried exactly what the options held when the
        // client was made: refused setters changed nothing.
        FETCHED.fetch_add(1, Ordering::SeqCst);
        let requests = standin().requests();
        prop_assert!(requests.len() > before, "success without a request");
        let request = requests
            .iter()
            .rev()
            .find(|r| r.target.ends_with("/v2/servicerequest/carbon-copy-emails"))
            .unwrap();
        check_request(request, &c.opts, scenario)?;
        match result_slot {
            Some(slot) => {
                prop_assert!(!result.is_null() && result != sentinel());
                if let Some(old) = h.results[slot].replace(result) {
                    called("tcc_cc_emails_free");
                    unsafe { tcc_cc_emails_free(old) };
                }
            }
            None => check_json_string(json)?,
        }
        Ok(true)
    }
}

impl Runner {
    /// An async fetch: arguments refused as documented (no callback, no
    /// handle, nothing sent), or started on a fetchable client, maybe
    /// cancelled, waited for and joined; the callback's outcome checked as
    /// `fetch` checks the blocking call's.
    fn fetch_async(
        &self,
        h: &mut Handles,
        client: usize,
        slot: usize,
        null_callback: bool,
        null_out: bool,
        cancel: bool,
    ) -> Result<bool, TestCaseError> {
        let c = h.clients[client].as_ref();
        // Never started on a client whose requests would leave the stand-in.
        let null_out = null_out || c.is_some_and(|c| !c.opts.fetchable());
        let handle = c.map_or(ptr::null_mut(), |c| c.handle);
        let record = Box::<CallRecord>::default();
        let userdata = ptr::from_ref::<CallRecord>(&record).cast_mut().cast();
        let callback: tcc_cc_emails_callback = if null_callback {
            None
        } else {
            Some(record_call)
        };
        let mut out: *mut tcc_call = sentinel();
        let out_ptr = if null_out { ptr::null_mut() } else { &mut out };
        let code = unsafe { tcc_fetch_cc_emails_async(handle, callback, userdata, out_ptr) };
        let Some(c) = c.filter(|_| !null_out && !null_callback) else {
            check_code("fetch_async", code, &[TCC_ERR_INVALID_ARGUMENT])?;
            prop_assert_eq!(out, sentinel(), "out written on failure");
            std::thread::sleep(std::time::Duration::from_millis(1));
            prop_assert_eq!(
                record.calls.load(Ordering::SeqCst),
                0,
                "a refused call called back"
            );
            return Ok(false);
        };
        check_code("fetch_async", code, &[TCC_OK])?;
        prop_assert!(!out.is_null() && out != sentinel());
        let before = standin().requests().len();
        let took = cancel && unsafe { tcc_call_cancel(out) };
        called("tcc_call_cancel");
        called("tcc_call_wait");
        called("tcc_call_join");
        unsafe {
            check_code("call_wait", tcc_call_wait(out, 60_000), &[TCC_OK])?;
            // Joined: an abandoned request is over before the next op.
            check_code("call_join", tcc_call_join(out, 60_000), &[TCC_OK])?;
        }
        prop_assert_eq!(record.calls.load(Ordering::SeqCst), 1, "callbacks");
        let code = record.code.load(Ordering::SeqCst);
        let detail = record.detail.lock().unwrap().clone().unwrap();
        prop_assert_eq!(detail.code, code, "the callback's last error: {:?}", detail);
        let allowed = if took {
            vec![TCC_ERR_CANCELLED]
        } else {
            self.fetch_codes(c)
        };
        prop_assert!(
            allowed.contains(&code),
            "fetch_async called back with {} ({:?}), expected one of {:?}",
            code,
            detail,
            allowed
        );
        if code == TCC_OK {
            FETCHED.fetch_add(1, Ordering::SeqCst);
            prop_assert_eq!(&*record.addresses.lock().unwrap(), &data::ADDRESSES);
            let requests = standin().requests();
            prop_assert!(requests.len() > before, "success without a request");
            let request = requests
                .iter()
                .rev()
                .find(|r| r.target.ends_with("/v2/servicerequest/carbon-copy-emails"))
                .unwrap();
            let Endpoint::Local(scenario) = c.opts.endpoint else {
                unreachable!("only fetchable clients get here")
            };
            check_request(request, &c.opts, scenario)?;
        } else {
            prop_assert!(!detail.message.is_empty());
        }
        if let Some(old) = h.calls[slot].replace(AsyncCall {
            handle: out,
            record,
        }) {
            called("tcc_call_free");
            unsafe { tcc_call_free(old.handle) };
        }
        Ok(true)
    }

    /// The codes a fetch on a fetchable client may give.
    fn fetch_codes(&self, c: &Client) -> Vec<tcc_result> {
        let Endpoint::Local(scenario) = c.opts.endpoint else {
            unreachable!("only fetchable clients are fetched with")
        };
        let on_success = match scenario {
            "business-error" => TCC_ERR_SERVICE,
            "status-404" => TCC_ERR_HTTP,
            _ => TCC_OK,
        };
        match c.opts.credentials_good() {
            Some(true) => vec![on_success],
            Some(false) => vec![TCC_ERR_AUTH],
            None => vec![on_success, TCC_ERR_AUTH],
        }
    }
}

fn check_request(
    request: &osm_standin::RecordedRequest,
    o: &Opts,
    scenario: &str,
) -> Result<(), TestCaseError> {
    let expected_target = match scenario {
        "ok" => "/v2/servicerequest/carbon-copy-emails".to_owned(),
        s => format!("/scenario/{s}/v2/servicerequest/carbon-copy-emails"),
    };
    prop_assert_eq!(&request.target, &expected_target);
    // Header values arrive trimmed (HTTP's optional whitespace).
    prop_assert_eq!(
        request.header("x-language"),
        o.language.as_deref().map(str::trim)
    );
    prop_assert_eq!(
        request.header("x-time-zone"),
        o.time_zone.as_deref().map(str::trim)
    );
    let site = o.site.map(|s| s.to_string());
    prop_assert_eq!(request.header("x-site"), site.as_deref());
    match &o.cred {
        Cred::Token(token) => {
            prop_assert_eq!(request.header("x-auth-token"), Some(token.as_str()));
            prop_assert_eq!(request.header("authorization"), None);
        }
        Cred::AkSk {
            ak,
            domain_id,
            security_token,
            ..
        } => {
            let authorization = request.header("authorization").unwrap_or_default();
            prop_assert!(
                authorization.starts_with("SDK-HMAC-SHA256") && authorization.contains(ak.as_str()),
                "authorization {:?}",
                authorization
            );
            prop_assert_eq!(
                request.header("x-domain-id"),
                Some(domain_id.as_deref().unwrap_or(data::DOMAIN_ID))
            );
            prop_assert_eq!(
                request.header("x-security-token"),
                security_token.as_deref()
            );
            prop_assert_eq!(request.header("x-auth-token"), None);
        }
        Cred::Password { .. } => {
            let token = request.header("x-auth-token");
            prop_assert!(token.is_some() && token != Some(TOKEN), "{:?}", request);
        }
        Cred::Unknown => {}
        Cred::None => return Err(TestCaseError::fail("a client without credentials")),
    }
    Ok(())
}

/// An owned JSON string from tcc: the stand-in's normal answer,
/// normalised; freed here with `tcc_free`.
fn check_json_string(json: *mut c_char) -> Result<(), TestCaseError> {
    prop_assert!(!json.is_null() && json != sentinel());
    called("tcc_free");
    let text = unsafe { CStr::from_ptr(json) }.to_str().map(str::to_owned);
    unsafe { tcc_free(json) };
    let value: serde_json::Value = serde_json::from_str(&text.unwrap()).unwrap();
    prop_assert_eq!(
        value,
        serde_json::json!({
            "cc_email_info": {
                "user_id": data::USER_ID,
                "customer_id": data::CUSTOMER_ID,
                "cc_email": data::CC_EMAIL,
            },
            "mc_email_infos": data::ADDRESSES,
        })
    );
    Ok(())
}

#[test]
fn random_call_sequences_with_bad_input() {
    let seed: u64 = std::env::var("API_FUZZ_SEED")
        .ok()
        .map(|s| s.parse().expect("API_FUZZ_SEED is a number"))
        .unwrap_or(0x7cc_f022);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 256;
    }
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let runner_state = Runner {
        world: World {
            base: standin().base_url(),
        },
        str_setters: str_setters(),
        u32_setters: u32_setters(),
    };
    let ops = sequence(
        runner_state.str_setters.len(),
        runner_state.u32_setters.len(),
    );
    if let Err(failure) = runner.run(&ops, |ops| runner_state.run(&ops)) {
        panic!("API_FUZZ_SEED={seed}: {failure}");
    }
    // Every function of the header was really called, not only listed.
    let called = CALLED.lock().unwrap().clone();
    let missing: Vec<String> = header_functions()
        .into_iter()
        .filter(|f| !called.contains(f.as_str()))
        .collect();
    assert!(missing.is_empty(), "never called: {missing:?}");
    // And the sequences did reach the server with valid calls.
    let fetched = FETCHED.load(Ordering::SeqCst);
    eprintln!(
        "{fetched} fetches succeeded; {} requests reached the stand-in",
        osm_request_count()
    );
    assert!(fetched >= 20, "only {fetched} fetches succeeded");
}

// --- Calls in the wrong order ---

/// A client outlives the options it was made from, even when the memory is
/// reused by new options with other settings.
#[test]
fn a_client_made_from_freed_options_still_works() {
    let server = Standin::start(standin_config()).unwrap();
    let opts = options(&server.base_url(), TOKEN);
    unsafe { ok(tcc_options_set_language(opts, c"en-us".as_ptr())) };
    let client = client_with(opts);
    unsafe { tcc_options_free(opts) };
    // New options, likely at the same address, with other values.
    let other = options(&server.scenario_url("business-error"), "wrong-token");
    unsafe { ok(tcc_options_set_language(other, c"zh-cn".as_ptr())) };
    let fetched = fetch(client).unwrap();
    assert_eq!(fetched.addresses, data::ADDRESSES);
    let mut json: *mut c_char = sentinel();
    unsafe {
        assert_eq!(tcc_fetch_cc_emails_json(client, &mut json), TCC_OK);
        assert!(text(json).unwrap().contains(data::USER_ID));
        tcc_free(json);
        tcc_options_free(other);
    }
    for request in server.requests() {
        assert_eq!(request.target, "/v2/servicerequest/carbon-copy-emails");
        assert_eq!(request.header("x-auth-token"), Some(TOKEN));
        assert_eq!(request.header("x-language"), Some("en-us"));
    }
    assert_eq!(server.requests().len(), 2);
    unsafe { tcc_client_free(client) };
}

/// Setters after `tcc_client_new` change the options, not the client.
#[test]
fn setters_after_client_creation_do_not_reach_the_client() {
    let server = Standin::start(standin_config()).unwrap();
    let opts = options(&server.base_url(), TOKEN);
    let client = client_with(opts);
    unsafe {
        ok(tcc_options_set_token(opts, c"wrong-token".as_ptr()));
        ok(tcc_options_set_endpoint(
            opts,
            c"http://127.0.0.1:1".as_ptr(),
        ));
        ok(tcc_options_set_language(opts, c"en-us".as_ptr()));
        ok(tcc_options_set_site(opts, 1));
    }
    fetch(client).unwrap();
    let request = server.requests().pop().unwrap();
    assert_eq!(request.header("x-auth-token"), Some(TOKEN));
    assert_eq!(request.header("x-language"), None);
    assert_eq!(request.header("x-site"), None);
    unsafe {
        tcc_client_free(client);
        tcc_options_free(opts);
    }
}

/// Results and JSON strings outlive the client that fetched them; frees
/// of NULL in any order are harmless.
#[test]
fn results_outlive_their_client_and_null_frees_are_harmless() {
    let server = Standin::start(standin_config()).unwrap();
    let client = client(&server.base_url(), TOKEN);
    let mut result = ptr::null_mut();
    let mut json = ptr::null_mut();
    unsafe {
        assert_eq!(tcc_fetch_cc_emails(client, &mut result), TCC_OK);
        assert_eq!(tcc_fetch_cc_emails_json(client, &mut json), TCC_OK);
        tcc_client_free(client);
        tcc_client_free(ptr::null_mut());
        tcc_options_free(ptr::null_mut());
        assert_eq!(tcc_cc_emails_count(result), 2);
        assert_eq!(
            text(tcc_cc_emails_address(result, 1)).as_deref(),
            Some(data::ADDRESSES[1])
        );
        let mut again = ptr::null_mut();
        assert_eq!(tcc_cc_emails_to_json(result, &mut again), TCC_OK);
        assert_eq!(text(again), text(json));
        tcc_free(again);
        tcc_free(json);
        tcc_free(ptr::null_mut());
        tcc_cc_emails_free(result);
        tcc_cc_emails_free(ptr::null_mut());
    }
    assert_eq!(server.requests().len(), 2);
}

/// A failed client creation leaves nothing to free and nothing sent; the
/// options can still make a client once fixed.
#[test]
fn a_failed_client_creation_can_be_retried_after_fixing_the_options() {
    let server = Standin::start(standin_config()).unwrap();
    let mut opts = ptr::null_mut();
    let mut client: *mut tcc_client = sentinel();
    unsafe {
        ok(tcc_options_new(&mut opts));
        assert_eq!(tcc_client_new(opts, &mut client), TCC_ERR_CONFIG);
        assert_eq!(client, sentinel());
        ok(tcc_options_set_endpoint(
            opts,
            cstring(&server.base_url()).as_ptr(),
        ));
        assert_eq!(tcc_client_new(opts, &mut client), TCC_ERR_CONFIG);
        assert_eq!(
            tcc_options_set_token(opts, c"bad\ntoken".as_ptr()),
            TCC_ERR_INVALID_ARGUMENT
        );
        assert_eq!(tcc_client_new(opts, &mut client), TCC_ERR_CONFIG);
        ok(tcc_options_set_token(opts, cstring(TOKEN).as_ptr()));
        ok(tcc_client_new(opts, &mut client));
        tcc_options_free(opts);
    }
    assert!(server.requests().is_empty());
    fetch(client).unwrap();
    unsafe { tcc_client_free(client) };
}

/// Header values are documented as "printable ASCII", which includes the
/// space; but HTTP strips leading and trailing whitespace from a field
/// value, so `" "` arrives as an empty `X-Language` (the service answers
/// 400 OSM.0001) and `" tok"` as another token than the one configured.
/// So such values are refused when they are set: nothing invalid is sent.
#[test]
fn blank_header_values_are_refused() {
    let mut opts = ptr::null_mut();
    unsafe {
        ok(tcc_options_new(&mut opts));
        for (name, setter) in [
            ("language", tcc_options_set_language as StrSetter),
            ("time_zone", tcc_options_set_time_zone),
            ("token", tcc_options_set_token),
        ] {
            for value in [c" ", c"  ", c" en-us", c"en-us "] {
                assert_eq!(
                    setter(opts, value.as_ptr()),
                    TCC_ERR_INVALID_ARGUMENT,
                    "{name} {value:?}"
                );
            }
        }
        tcc_options_free(opts);
    }
}
