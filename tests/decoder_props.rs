//! Property tests of the response decoder, `tcc::read_cc_emails`: whatever
//! a server (or something pretending to be one) sends, the decoder never
//! panics, and answers either with data or with an error of a kind that is
//! documented for that HTTP status, carrying the status, request id and
//! attempt count it was given. Valid answers built from a model decode back
//! to that model, whichever of the service's shapes carried them, and
//! `to_json()` is always the normalised form.
//!
//! 512 cases per property by default (a few seconds on 2 cores);
//! `PROPTEST_CASES=N` overrides it.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use serde_json::Value;
use tcc::{read_cc_emails, CcEmails, CcRecord, ErrorKind, HttpResponse};

fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 512;
    }
    config
}

// --- JSON text, including what serde_json::Value cannot hold ---

/// A JSON document as text is built: numbers as literals (so `1e400` and
/// 40-digit integers can be sent), raw string tokens (lone surrogates),
/// objects with duplicate keys and members in any order.
#[derive(Clone, Debug)]
enum J {
    Null,
    Bool(bool),
    /// A number literal, written as it is.
    Num(String),
    /// A string, escaped as serde_json escapes it (NUL and controls as `\u00XX`).
    Str(String),
    /// A string token written as it is, e.g. `"\ud800"`.
    Raw(&'static str),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    fn str(s: &str) -> J {
        J::Str(s.to_owned())
    }

    fn obj(members: &[(&str, J)]) -> J {
        J::Obj(
            members
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    /// The text, with `ws` after every `{`, `[`, `,` and `:`.
    fn text(&self, ws: &str) -> String {
        let mut out = String::new();
        self.write(&mut out, ws);
        out
    }

    fn write(&self, out: &mut String, ws: &str) {
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Num(n) => out.push_str(n),
            J::Str(s) => out.push_str(&serde_json::to_string(s).unwrap()),
            J::Raw(r) => out.push_str(r),
            J::Arr(items) => {
                out.push('[');
                out.push_str(ws);
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                        out.push_str(ws);
                    }
                    item.write(out, ws);
                }
                out.push(']');
            }
            J::Obj(members) => {
                out.push('{');
                out.push_str(ws);
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                        out.push_str(ws);
                    }
                    out.push_str(&serde_json::to_string(key).unwrap());
                    out.push(':');
                    out.push_str(ws);
                    value.write(out, ws);
                }
                out.push('}');
            }
        }
    }

    /// Every node, in pre-order, as a path of child indexes.
    fn paths(&self, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        out.push(prefix.clone());
        let children: Vec<&J> = match self {
            J::Arr(items) => items.iter().collect(),
            J::Obj(members) => members.iter().map(|(_, v)| v).collect(),
            _ => Vec::new(),
        };
        for (i, child) in children.into_iter().enumerate() {
            prefix.push(i);
            child.paths(prefix, out);
            prefix.pop();
        }
    }

    fn at_mut(&mut self, path: &[usize]) -> &mut J {
        match path.split_first() {
            None => self,
            Some((&i, rest)) => match self {
                J::Arr(items) => items[i].at_mut(rest),
                J::Obj(members) => members[i].1.at_mut(rest),
                _ => unreachable!("paths only lead through arrays and objects"),
            },
        }
    }

    /// Removes the node at `path` (not the root) from its parent.
    fn remove(&mut self, path: &[usize]) {
        let (&last, parent) = path.split_last().unwrap();
        match self.at_mut(parent) {
            J::Arr(items) => {
                items.remove(last);
            }
            J::Obj(members) => {
                members.remove(last);
            }
            _ => unreachable!(),
        }
    }
}

/// Keys the decoder looks for, so that random objects often hit its paths.
const KNOWN_KEYS: &[&str] = &[
    "cc_email_info",
    "mc_email_infos",
    "error_code",
    "error_msg",
    "error",
    "code",
    "message",
    "user_id",
    "customer_id",
    "cc_email",
];

/// Top-level keys with a meaning; unknown fields are anything else.
const TOP_KEYS: &[&str] = &[
    "cc_email_info",
    "mc_email_infos",
    "error_code",
    "error_msg",
    "error",
];

const RECORD_KEYS: &[&str] = &["user_id", "customer_id", "cc_email"];

/// String tokens serde_json may or may not accept.
const RAW_STRINGS: &[&str] = &[
    r#""\ud800""#,
    r#""\udc00x""#,
    r#""\ud83d\ude00""#,
    r#""\u0000""#,
    r#""a\u0000b""#,
    r#""\/\b\f\n\r\t""#,
    r#""\u00e9\u4e2d""#,
    r#""\uDBFF\uDFFF""#,
];

/// Valid JSON number literals, several beyond what f64 or u64 can hold.
const NUMBER_LITERALS: &[&str] = &[
    "0",
    "-0",
    "0e0",
    "1E+2",
    "1e400",
    "-1e400",
    "1e-400",
    "1E+999999999999",
    "123456789012345678901234567890123456789",
    "-123456789012345678901234567890123456789",
    "18446744073709551616",
    "-9223372036854775809",
    "1.7976931348623157e308",
    "4.9e-324",
    "0.30000000000000004",
];

fn json_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        2 => any::<char>(),
        1 => prop::char::range('\u{0}', '\u{1f}'),
        1 => prop::sample::select(vec!['"', '\\', '/', '\u{7f}', '\u{2028}', '\u{feff}', '\u{fffd}']),
        1 => prop::sample::select(vec!['张', 'é', 'Ø', '中', '📧', '\u{10ffff}']),
    ]
}

/// Any string, NUL and control characters included.
fn json_string() -> impl Strategy<Value = String> {
    prop::collection::vec(json_char(), 0..24).prop_map(|c| c.into_iter().collect())
}

/// A string the decoder must hand out intact: anything but NUL.
fn clean_string() -> impl Strategy<Value = String> {
    prop::collection::vec(json_char().prop_filter("NUL", |c| *c != '\0'), 0..24)
        .prop_map(|c| c.into_iter().collect())
}

fn number_literal() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| f.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:e}")),
        prop::sample::select(NUMBER_LITERALS).prop_map(str::to_owned),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(KNOWN_KEYS).prop_map(str::to_owned),
        json_string(),
    ]
}

/// A leaf; with `strict`, only what serde_json accepts (no lone
/// surrogate, no number beyond f64's range).
fn leaf(strict: bool) -> impl Strategy<Value = J> {
    let raw: Vec<&'static str> = RAW_STRINGS
        .iter()
        .copied()
        .filter(|r| !strict || serde_json::from_str::<String>(r).is_ok())
        .collect();
    let number = number_literal().prop_filter("in range", move |n| {
        !strict || serde_json::from_str::<Value>(n).is_ok()
    });
    prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        number.prop_map(J::Num),
        json_string().prop_map(J::Str),
        prop::sample::select(raw).prop_map(J::Raw),
    ]
}

fn json_tree(strict: bool) -> impl Strategy<Value = J> {
    leaf(strict).prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(J::Arr),
            prop::collection::vec((key(), inner), 0..6).prop_map(J::Obj),
        ]
    })
}

/// Any JSON value (a few levels deep), objects possibly with duplicate
/// keys, some tokens serde_json refuses (lone surrogates, `1e400`).
fn any_json() -> impl Strategy<Value = J> {
    json_tree(false)
}

/// A JSON value serde_json accepts (duplicate keys included), for places
/// where the decoder must skip it.
fn valid_json() -> impl Strategy<Value = J> {
    json_tree(true)
}

/// Whitespace between tokens: none, JSON's four kinds, and a mix.
fn whitespace() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["", " ", "\n", "\t", "\r\n  ", " \t\n\r"])
}

// --- The response around the body ---

/// Header values as the transport hands them over (`HeaderValue::to_str`:
/// visible ASCII, space and tab), sometimes absent.
fn header_value(max: usize) -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop::string::string_regex(&format!("[ -~\t]{{0,{max}}}")).unwrap())
}

/// A `Location`: absent, arbitrary, or one with a password in it.
fn location() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        header_value(400),
        prop::string::string_regex("[a-z/.?#]{0,400}")
            .unwrap()
            .prop_map(|path| Some(format!("https://user:SECRETPW@other.example.com/{path}"))),
    ]
}

#[derive(Clone, Debug)]
struct Meta {
    request_id: Option<String>,
    content_type: Option<String>,
    location: Option<String>,
    retry_after: Option<String>,
    attempts: u32,
}

fn meta() -> impl Strategy<Value = Meta> {
    (
        header_value(64),
        header_value(64),
        location(),
        header_value(32),
        0u32..=10,
    )
        .prop_map(
            |(request_id, content_type, location, retry_after, attempts)| Meta {
                request_id,
                content_type,
                location,
                retry_after,
                attempts,
            },
        )
}

fn response(status: u16, meta: &Meta, body: Vec<u8>) -> HttpResponse {
    HttpResponse {
        status,
        request_id: meta.request_id.clone(),
        content_type: meta.content_type.clone(),
        location: meta.location.clone(),
        retry_after: meta.retry_after.clone(),
        body,
        attempts: meta.attempts,
        ..HttpResponse::default()
    }
}

/// Every status a response can have (the HTTP crate's 100..=999), weighted
/// towards the ones with a meaning.
fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        4 => 100u16..=599,
        2 => prop::sample::select(vec![200u16, 201, 204, 301, 302, 400, 401, 403, 404, 429, 500, 502, 503]),
        1 => 600u16..=999,
    ]
}

// --- What any outcome must satisfy ---

/// The error kinds the documentation allows for a status (see tcc.h's
/// TCC_ERR_*): a 2xx gives data, a business error or a bad response; 401/403
/// authentication; 429 throttling; 5xx a server error; anything else an
/// HTTP error, or a service error when the body carries an error code.
fn allowed_kinds(status: u16) -> &'static [ErrorKind] {
    match status {
        200..=299 => &[ErrorKind::BadResponse, ErrorKind::Service],
        401 | 403 => &[ErrorKind::Auth],
        429 => &[ErrorKind::Throttled],
        500..=599 => &[ErrorKind::Server],
        _ => &[ErrorKind::Http, ErrorKind::Service],
    }
}

/// A JSON scalar as the decoder turns it into text, compared with `got`.
fn same_text(value: &Value, got: &str) -> bool {
    match value {
        Value::String(s) => s == got,
        Value::Number(n) if n.is_f64() => {
            got.parse::<f64>().ok() == n.as_f64() || got == n.to_string()
        }
        Value::Number(n) => n.to_string() == got,
        _ => false,
    }
}

/// Whether `body` is one JSON object (serde_json's syntax and nesting limit).
fn is_json_object(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
        && serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
}

/// Checks one outcome against everything the decoder promises.
fn check_outcome(
    status: u16,
    meta: &Meta,
    body: &[u8],
    got: &Result<CcEmails, tcc::Error>,
) -> Result<(), TestCaseError> {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    match got {
        Ok(data) => {
            prop_assert!(
                (200..300).contains(&status),
                "data from HTTP {status}: {data:?}"
            );
            check_data(data)?;
            // Whatever the decoder accepted is a JSON object.
            prop_assert!(
                is_json_object(body),
                "accepted a body that is not an object"
            );
            // What it found matches what an independent reading of the body
            // finds; unless serde_json::Value cannot hold the body (numbers
            // beyond f64 in fields the decoder skips without reading them).
            let Some(object) = parsed.as_ref().and_then(Value::as_object) else {
                return Ok(());
            };
            if let Some(Value::Array(items)) = object.get("mc_email_infos") {
                let present = items.iter().filter(|v| !v.is_null()).count();
                prop_assert_eq!(data.addresses.len(), present);
            } else {
                prop_assert!(data.addresses.is_empty());
            }
            let has_record = match object.get("cc_email_info") {
                Some(Value::Object(_)) => true,
                Some(Value::Array(items)) => items.first().is_some_and(Value::is_object),
                _ => false,
            };
            prop_assert_eq!(data.last_record.is_some(), has_record);
        }
        Err(err) => {
            let kind = err.kind();
            prop_assert!(
                allowed_kinds(status).contains(&kind),
                "HTTP {status} gave {kind:?}: {err}"
            );
            prop_assert_eq!(err.http_status(), Some(status));
            prop_assert_eq!(err.request_id(), meta.request_id.as_deref());
            prop_assert_eq!(err.attempts(), meta.attempts);
            let prefix = format!("HTTP {status}");
            prop_assert!(err.message().starts_with(&prefix), "{}", err.message());
            if meta.attempts > 1 {
                let suffix = format!("(after {} attempts)", meta.attempts);
                prop_assert!(err.message().ends_with(&suffix), "{}", err.message());
            }
            prop_assert!(!err.message().contains("SECRETPW"), "{}", err.message());
            match (kind, err.service_code()) {
                (ErrorKind::Service, None) => {
                    return Err(TestCaseError::fail("a service error without its code"))
                }
                (ErrorKind::Http | ErrorKind::BadResponse, Some(code)) => {
                    return Err(TestCaseError::fail(format!(
                        "{kind:?} with a service code {code:?}"
                    )))
                }
                (_, Some(code)) => {
                    prop_assert!(!code.is_empty());
                    prop_assert!(
                        is_json_object(body),
                        "a code from a body that is not an object"
                    );
                    // The code is one the body really carries, in either style.
                    let Some(object) = parsed.as_ref().and_then(Value::as_object) else {
                        return Ok(());
                    };
                    let flat = object.get("error_code").filter(|v| !v.is_null());
                    let nested = object.get("error").and_then(|e| e.get("code"));
                    let found = match flat {
                        Some(v) => same_text(v, code),
                        None => nested.is_some_and(|v| same_text(v, code)),
                    };
                    prop_assert!(found, "code {code:?} is not the body's");
                }
                (_, None) => prop_assert!(err.service_message().is_none()),
            }
            if kind == ErrorKind::Http && (300..400).contains(&status) && meta.location.is_some() {
                prop_assert!(err.message().contains("redirect to"), "{}", err.message());
            }
        }
    }
    Ok(())
}

/// Data the decoder hands out: no NUL (C could not hold it), and its JSON
/// normalised and faithful.
fn check_data(data: &CcEmails) -> Result<(), TestCaseError> {
    let strings = data
        .last_record
        .iter()
        .flat_map(|r| [&r.user_id, &r.customer_id, &r.cc_email])
        .flatten()
        .chain(&data.addresses);
    for s in strings {
        prop_assert!(!s.contains('\0'), "a NUL in {s:?}");
    }
    check_json(data)
}

fn check_json(data: &CcEmails) -> Result<(), TestCaseError> {
    let json = data.to_json();
    let value: Value = serde_json::from_str(&json)
        .map_err(|e| TestCaseError::fail(format!("to_json is not JSON ({e}): {json}")))?;
    let object = value.as_object();
    prop_assert!(object.is_some(), "{json}");
    let object = object.unwrap();
    let keys: BTreeSet<&str> = object.keys().map(String::as_str).collect();
    prop_assert_eq!(
        keys,
        BTreeSet::from(["cc_email_info", "mc_email_infos"]),
        "{}",
        json
    );
    match (&object["cc_email_info"], &data.last_record) {
        (Value::Null, None) => {}
        (Value::Object(record), Some(expected)) => {
            let keys: BTreeSet<&str> = record.keys().map(String::as_str).collect();
            prop_assert_eq!(keys, BTreeSet::from_iter(RECORD_KEYS.iter().copied()));
            for (name, field) in [
                ("user_id", &expected.user_id),
                ("customer_id", &expected.customer_id),
                ("cc_email", &expected.cc_email),
            ] {
                match (&record[name], field) {
                    (Value::Null, None) => {}
                    (Value::String(s), Some(f)) => prop_assert_eq!(s, f),
                    (other, f) => {
                        return Err(TestCaseError::fail(format!(
                            "{name}: {other} for {f:?} in {json}"
                        )))
                    }
                }
            }
        }
        (other, expected) => {
            return Err(TestCaseError::fail(format!(
                "cc_email_info {other} for {expected:?}"
            )))
        }
    }
    let addresses = object["mc_email_infos"].as_array();
    prop_assert!(addresses.is_some(), "{json}");
    let addresses: Option<Vec<&str>> = addresses.unwrap().iter().map(Value::as_str).collect();
    prop_assert_eq!(
        addresses,
        Some(data.addresses.iter().map(String::as_str).collect())
    );
    // The normalised form is itself a valid answer, read back unchanged.
    let again = read_cc_emails(HttpResponse {
        status: 200,
        body: json.into_bytes(),
        ..HttpResponse::default()
    });
    prop_assert_eq!(again.as_ref().ok(), Some(data), "{:?}", again);
    Ok(())
}

fn decode_and_check(status: u16, meta: &Meta, body: Vec<u8>) -> Result<(), TestCaseError> {
    let got = read_cc_emails(response(status, meta, body.clone()));
    check_outcome(status, meta, &body, &got)
}

// --- Valid answers from a model ---

/// One record field: what the decoder must give, and how the server sends
/// it (`None`: the key is left out).
fn record_field() -> impl Strategy<Value = (Option<String>, Option<J>)> {
    prop_oneof![
        6 => clean_string().prop_map(|s| (Some(s.clone()), Some(J::Str(s)))),
        1 => Just((None, Some(J::Null))),
        1 => Just((None, None)),
        1 => any::<i64>().prop_map(|n| (Some(n.to_string()), Some(J::Num(n.to_string())))),
        1 => any::<u64>().prop_map(|n| (Some(n.to_string()), Some(J::Num(n.to_string())))),
    ]
}

/// Fields the service may add some day: any key the decoder does not
/// know, any value (shallow enough for serde_json's nesting limit).
fn unknown_members(known: &'static [&'static str]) -> impl Strategy<Value = Vec<(String, J)>> {
    prop::collection::vec((json_string(), valid_json()), 0..3).prop_map(move |members| {
        let mut seen = BTreeSet::new();
        members
            .into_iter()
            .filter(|(k, _)| !known.contains(&k.as_str()) && seen.insert(k.clone()))
            .collect()
    })
}

/// Deterministic shuffle (members of an object may come in any order).
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        items.swap(i, (seed % (i as u64 + 1)) as usize);
    }
}

fn record() -> impl Strategy<Value = (CcRecord, J)> {
    (
        [record_field(), record_field(), record_field()],
        unknown_members(RECORD_KEYS),
        any::<u64>(),
    )
        .prop_map(|(fields, unknown, seed)| {
            let [user_id, customer_id, cc_email] = fields;
            let mut members: Vec<(String, J)> = RECORD_KEYS
                .iter()
                .zip([&user_id.1, &customer_id.1, &cc_email.1])
                .filter_map(|(k, v)| v.clone().map(|v| ((*k).to_owned(), v)))
                .collect();
            members.extend(unknown);
            shuffle(&mut members, seed | 1);
            let record = CcRecord {
                user_id: user_id.0,
                customer_id: customer_id.0,
                cc_email: cc_email.0,
            };
            (record, J::Obj(members))
        })
}

/// `cc_email_info` in each shape the service uses (`None`: key left out).
fn last_record() -> impl Strategy<Value = (Option<CcRecord>, Option<J>)> {
    prop_oneof![
        3 => record().prop_map(|(r, j)| (Some(r), Some(j))),
        2 => (record(), prop::collection::vec(valid_json(), 0..3)).prop_map(|((r, j), rest)| {
            let mut items = vec![j];
            items.extend(rest);
            (Some(r), Some(J::Arr(items)))
        }),
        1 => Just((None, None)),
        1 => Just((None, Some(J::Null))),
        1 => Just((None, Some(J::Arr(vec![])))),
        1 => prop::collection::vec(valid_json(), 0..3)
            .prop_map(|rest| {
                let mut items = vec![J::Null];
                items.extend(rest);
                (None, Some(J::Arr(items)))
            }),
    ]
}

/// `mc_email_infos`: strings (or numbers, kept as text) with `null`s
/// scattered in between, which are skipped; empty as absent, null or `[]`.
fn addresses() -> impl Strategy<Value = (Vec<String>, Option<J>)> {
    let item = prop_oneof![
        8 => clean_string().prop_map(|s| (Some(s.clone()), J::Str(s))),
        1 => any::<u32>().prop_map(|n| (Some(n.to_string()), J::Num(n.to_string()))),
        1 => Just((None, J::Null)),
    ];
    (prop::collection::vec(item, 0..8), 0u8..3).prop_map(|(items, empty_style)| {
        let expected: Vec<String> = items.iter().filter_map(|(s, _)| s.clone()).collect();
        let wire = match (items.is_empty(), empty_style) {
            (true, 0) => None,
            (true, 1) => Some(J::Null),
            _ => Some(J::Arr(items.into_iter().map(|(_, j)| j).collect())),
        };
        (expected, wire)
    })
}

/// Error members that report no error (no code, an empty one, or null).
fn harmless_error_members() -> impl Strategy<Value = Vec<(String, J)>> {
    let member = prop_oneof![
        Just(("error_code".to_owned(), J::Null)),
        Just(("error_code".to_owned(), J::str(""))),
        json_string().prop_map(|m| ("error_msg".to_owned(), J::Str(m))),
        Just(("error_msg".to_owned(), J::Null)),
        Just(("error".to_owned(), J::Null)),
        json_string().prop_map(|m| ("error".to_owned(), J::obj(&[("message", J::Str(m))]))),
        Just(("error".to_owned(), J::obj(&[("code", J::Null)]))),
    ];
    prop::collection::vec(member, 0..3).prop_map(|members| {
        let mut seen = BTreeSet::new();
        members
            .into_iter()
            .filter(|(k, _)| seen.insert(k.clone()))
            .collect()
    })
}

/// A valid answer: the model, and the document a server could send for it.
fn answer() -> impl Strategy<Value = (CcEmails, J)> {
    (
        last_record(),
        addresses(),
        harmless_error_members(),
        unknown_members(TOP_KEYS),
        any::<u64>(),
    )
        .prop_map(|(record, addresses, errors, unknown, seed)| {
            let mut members = Vec::new();
            if let Some(j) = record.1 {
                members.push(("cc_email_info".to_owned(), j));
            }
            if let Some(j) = addresses.1 {
                members.push(("mc_email_infos".to_owned(), j));
            }
            members.extend(errors);
            members.extend(unknown);
            shuffle(&mut members, seed | 1);
            let model = CcEmails {
                last_record: record.0,
                addresses: addresses.0,
            };
            (model, J::Obj(members))
        })
}

proptest! {
    #![proptest_config(config())]

    /// Bytes off the wire, whatever they are.
    #[test]
    fn arbitrary_bytes(
        status in status(),
        meta in meta(),
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..512),
            // Mostly JSON-looking bytes, so the parser gets past the first one.
            prop::collection::vec(
                prop::sample::select(b"{}[]\":,0123456789.eE+-truefalsn \\u\x00\xff\xc3\xa9".to_vec()),
                0..256,
            ).prop_map(|mut b| { b.insert(0, b'{'); b }),
        ],
    ) {
        decode_and_check(status, &meta, body)?;
    }

    /// Any JSON document: objects, arrays, strings with NUL and non-ASCII,
    /// lone surrogates, numbers beyond f64 and u64, duplicate keys.
    #[test]
    fn arbitrary_json(
        status in status(),
        meta in meta(),
        doc in prop_oneof![
            3 => prop::collection::vec((key(), any_json()), 0..6).prop_map(J::Obj),
            1 => any_json(),
        ],
        ws in whitespace(),
    ) {
        decode_and_check(status, &meta, doc.text(ws).into_bytes())?;
    }

    /// A valid answer with one node replaced by anything, or removed.
    #[test]
    fn mutated_answers(
        status in status(),
        meta in meta(),
        (_, doc) in answer(),
        target in any::<Index>(),
        replacement in prop::option::of(any_json()),
        ws in whitespace(),
    ) {
        let mut doc = doc;
        let mut paths = Vec::new();
        doc.paths(&mut Vec::new(), &mut paths);
        let path = target.get(&paths).clone();
        match replacement {
            Some(j) => *doc.at_mut(&path) = j,
            None if !path.is_empty() => doc.remove(&path),
            None => doc = J::Obj(vec![]),
        }
        decode_and_check(status, &meta, doc.text(ws).into_bytes())?;
    }

    /// Valid answers in any of the service's shapes decode to the model;
    /// `to_json` gives the normalised form of exactly that model.
    #[test]
    fn valid_answers_round_trip(
        status in 200u16..=299,
        meta in meta(),
        (model, doc) in answer(),
        ws in whitespace(),
    ) {
        let body = doc.text(ws).into_bytes();
        let got = read_cc_emails(response(status, &meta, body.clone()));
        prop_assert_eq!(
            got.as_ref().ok(),
            Some(&model),
            "{:?} from {}",
            got,
            String::from_utf8_lossy(&body)
        );
        check_outcome(status, &meta, &body, &got)?;
        let expected = serde_json::json!({
            "cc_email_info": model.last_record.as_ref().map(|r| serde_json::json!({
                "user_id": r.user_id,
                "customer_id": r.customer_id,
                "cc_email": r.cc_email,
            })),
            "mc_email_infos": model.addresses,
        });
        let json: Value = serde_json::from_str(&model.to_json()).unwrap();
        prop_assert_eq!(json, expected);
    }

    /// A NUL anywhere in the data refuses the whole answer: C strings would
    /// cut it short.
    #[test]
    fn a_nul_in_any_string_is_a_bad_response(
        meta in meta(),
        (model, _) in answer(),
        which in any::<Index>(),
        at in any::<Index>(),
    ) {
        let mut model = model;
        let mut slots: Vec<&mut String> = model.addresses.iter_mut().collect();
        if let Some(r) = model.last_record.as_mut() {
            slots.extend([&mut r.user_id, &mut r.customer_id, &mut r.cc_email].into_iter().flatten());
        }
        prop_assume!(!slots.is_empty());
        let slot = which.get_mut(&mut slots);
        let boundaries: Vec<usize> = (0..=slot.len()).filter(|i| slot.is_char_boundary(*i)).collect();
        slot.insert(*at.get(&boundaries), '\0');
        let body = model.to_json().into_bytes();
        let got = read_cc_emails(response(200, &meta, body.clone()));
        prop_assert_eq!(got.as_ref().err().map(tcc::Error::kind), Some(ErrorKind::BadResponse));
        check_outcome(200, &meta, &body, &got)?;
    }

    /// Error bodies in either style: the kind follows the status, and the
    /// code and message come through unchanged, whatever else the body holds.
    #[test]
    fn error_bodies(
        status in status(),
        meta in meta(),
        code in prop_oneof![
            clean_string().prop_filter("empty", |c| !c.is_empty()).prop_map(|c| (c.clone(), J::Str(c))),
            any::<u32>().prop_map(|n| (n.to_string(), J::Num(n.to_string()))),
        ],
        message in prop::option::of(clean_string()),
        iam_style in any::<bool>(),
        rest in prop::collection::vec(
            (prop::sample::select(vec!["cc_email_info", "mc_email_infos", "request_id", "x"]), valid_json()),
            0..3,
        ),
        ws in whitespace(),
    ) {
        let msg = message.clone().map_or(J::Null, J::Str);
        let mut members = if iam_style {
            vec![("error".to_owned(), J::obj(&[("code", code.1.clone()), ("message", msg)]))]
        } else {
            vec![("error_code".to_owned(), code.1.clone()), ("error_msg".to_owned(), msg)]
        };
        let mut seen = BTreeSet::new();
        members.extend(
            rest.into_iter()
                .filter(|(k, _)| seen.insert(*k))
                .map(|(k, v)| (k.to_owned(), v)),
        );
        let body = J::Obj(members).text(ws).into_bytes();
        let got = read_cc_emails(response(status, &meta, body.clone()));
        check_outcome(status, &meta, &body, &got)?;
        let err = got.as_ref().err();
        prop_assert!(err.is_some(), "{:?}", got);
        let err = err.unwrap();
        let kind = match status {
            401 | 403 => ErrorKind::Auth,
            429 => ErrorKind::Throttled,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Service,
        };
        prop_assert_eq!(err.kind(), kind);
        prop_assert_eq!(err.service_code(), Some(code.0.as_str()));
        prop_assert_eq!(err.service_message(), message.as_deref());
    }

    /// Statuses outside 2xx without an error body: the kind is the status's
    /// alone, and a redirect's target is named without its user info.
    #[test]
    fn statuses_without_an_error_body(
        status in status().prop_filter("not 2xx", |s| !(200..300).contains(s)),
        meta in meta(),
        body in prop_oneof![
            Just(Vec::new()),
            Just(b"<html><body>502 Bad Gateway</body></html>".to_vec()),
            Just(br#"{"error_code":""}"#.to_vec()),
            Just(br#"{"error":{"message":"no code"}}"#.to_vec()),
            Just(br#"[{"error_code":"X"}]"#.to_vec()),
        ],
    ) {
        let got = read_cc_emails(response(status, &meta, body.clone()));
        check_outcome(status, &meta, &body, &got)?;
        let err = got.unwrap_err();
        let kind = match status {
            401 | 403 => ErrorKind::Auth,
            429 => ErrorKind::Throttled,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Http,
        };
        prop_assert_eq!(err.kind(), kind);
        prop_assert_eq!(err.service_code(), None);
        if let (300..=399, Some(location)) = (status, &meta.location) {
            prop_assert!(err.message().contains("redirect to"), "{}", err.message());
            if !location.contains('@') {
                let shown = &location[..location.len().min(300)];
                prop_assert!(err.message().contains(shown), "{}", err.message());
            }
        }
    }
}

/// serde_json stops at 128 levels; nesting far deeper, in every place the
/// decoder descends, must be an error, not a stack overflow (which would
/// abort this whole test process).
#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    for depth in [127, 128, 129, 1_000, 100_000] {
        let nest =
            |open: &str, close: &str| format!("{}1{}", open.repeat(depth), close.repeat(depth));
        let arrays = nest("[", "]");
        let objects = nest("{\"a\":", "}");
        let bodies = [
            arrays.clone(),
            format!("{{\"x\":{arrays}}}"),
            format!("{{\"x\":{objects}}}"),
            format!("{{\"cc_email_info\":{{\"user_id\":{arrays}}}}}"),
            format!("{{\"cc_email_info\":[{arrays}]}}"),
            format!("{{\"cc_email_info\":[{{}},{arrays}]}}"),
            format!("{{\"mc_email_infos\":[{arrays}]}}"),
            format!("{{\"error_code\":\"E\",\"x\":{objects}}}"),
            format!("{{\"error\":{objects}}}"),
        ];
        for body in bodies {
            for status in [200, 401, 404, 500] {
                let meta = Meta {
                    request_id: Some("rid".into()),
                    content_type: None,
                    location: None,
                    retry_after: None,
                    attempts: 1,
                };
                let got = read_cc_emails(response(status, &meta, body.clone().into_bytes()));
                check_outcome(status, &meta, body.as_bytes(), &got)
                    .unwrap_or_else(|e| panic!("depth {depth}, HTTP {status}: {e}"));
            }
        }
    }
}

/// A large valid answer (the default body limit is 1 MiB) decodes whole.
#[test]
fn a_large_answer_decodes_whole() {
    let addresses: Vec<String> = (0..20_000).map(|i| format!("user{i}@例子.中国")).collect();
    let model = CcEmails {
        last_record: Some(CcRecord {
            user_id: Some("u".repeat(100_000)),
            customer_id: None,
            cc_email: Some("📧".repeat(10_000)),
        }),
        addresses,
    };
    let body = model.to_json().into_bytes();
    assert!(body.len() > 500_000, "{}", body.len());
    let got = read_cc_emails(HttpResponse {
        status: 200,
        body,
        ..HttpResponse::default()
    })
    .unwrap();
    assert_eq!(got, model);
}

/// `HttpResponse` is public: a `Location` that is not ASCII (the transport
/// only hands over visible ASCII, but a Rust caller may build any) must not
/// make the decoder panic when it shortens it for the message.
#[test]
fn a_long_non_ascii_location_does_not_panic() {
    for location in [
        format!("/{}", "é".repeat(300)),
        format!("https://h/{}", "中".repeat(200)),
    ] {
        let got = std::panic::catch_unwind(|| {
            read_cc_emails(HttpResponse {
                status: 302,
                location: Some(location.clone()),
                ..HttpResponse::default()
            })
        });
        let err = got
            .unwrap_or_else(|_| panic!("the decoder panicked on Location {location:?}"))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Http);
        assert!(err.message().contains("redirect to"), "{err}");
    }
}

/// `cc_email_info` is documented as an object, or an array of objects; an
/// `error` as an object. serde's derived `Deserialize` also builds a struct
/// from an array, by position; the decoder must refuse that at every level,
/// not only at the top.
#[test]
fn nested_arrays_are_not_records() {
    let decode = |status: u16, body: &str| {
        read_cc_emails(HttpResponse {
            status,
            body: body.as_bytes().to_vec(),
            ..HttpResponse::default()
        })
    };
    for body in [
        r#"{"cc_email_info":[["u","c","e"]]}"#,
        r#"{"cc_email_info":[[]]}"#,
    ] {
        let got = decode(200, body);
        assert_eq!(
            got.as_ref().err().map(tcc::Error::kind),
            Some(ErrorKind::BadResponse),
            "{body}: {got:?}"
        );
    }
    let got = decode(404, r#"{"error":["OSM.0001","positional"]}"#).unwrap_err();
    assert_eq!(got.kind(), ErrorKind::Http, "{got:?}");
    assert_eq!(got.service_code(), None, "{got:?}");
}
