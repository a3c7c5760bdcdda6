//! AK/SK signatures ("SDK-HMAC-SHA256") from the verifying side: the
//! canonical request rebuilt from a request as it was received, and the
//! signature check.
//!
//! Written independently of tcc's signer, because the stand-in is the oracle
//! that signer is tested against. Where the official Python SDK
//! (`huaweicloudsdkcore`) has quirks, this follows the SDK, and the test
//! `tests/it/signing.rs` proves it on the SDK's own outputs
//! (`tests/data/signing_vectors.json` at the workspace root):
//!
//! - path: percent-decoded first (`%2F` becomes `/` before the split; invalid
//!   UTF-8 becomes U+FFFD per maximal subpart), then every `/`-separated
//!   segment percent-encoded (all bytes but `A-Z a-z 0-9 - _ . ~`, upper-case
//!   hex), and a `/` appended unless it already ends with one;
//! - query: split on `&`, each `name=value` percent-decoded (`+` stays `+`),
//!   sorted by the DECODED name then value (code points), then re-encoded
//!   like path segments; `name` without `=` counts as `name=`;
//! - headers: the names listed in `SignedHeaders`, in that order, lower-cased,
//!   each with the LAST received value of that name (case-insensitive),
//!   trimmed the way Python's `str.strip()` trims (Unicode white space plus
//!   U+001C..U+001F);
//! - payload: hex SHA-256 of the body, except that for a NON-EMPTY body a
//!   non-blank `X-Sdk-Content-Sha256` header (trimmed) replaces the hash, its
//!   UTF-8 bytes read back as Latin-1 (the SDK's quirk; plain ASCII such as
//!   `UNSIGNED-PAYLOAD` is unchanged). An empty body always hashes as empty.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

pub use crate::clock::{format_sdk_date, parse_sdk_date};

/// The only algorithm name the gateway accepts.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// `X-Sdk-Content-Sha256` value that makes the signature skip the body.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// How far `X-Sdk-Date` may be from the server clock, either way.
pub const MAX_DATE_SKEW_SECS: i64 = 15 * 60;

/// The parts of an `Authorization: SDK-HMAC-SHA256 Access=.., SignedHeaders=.., Signature=..` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization<'a> {
    pub access: &'a str,
    pub signed_headers: &'a str,
    pub signature: &'a str,
}

/// Parses an `Authorization` value. `None` if the algorithm is not
/// [`ALGORITHM`], or a part is missing, repeated or unknown. Spaces around the
/// parts are tolerated.
pub fn parse_authorization(value: &str) -> Option<Authorization<'_>> {
    let rest = value.trim().strip_prefix(ALGORITHM)?;
    if !rest.starts_with(' ') {
        return None;
    }
    let (mut access, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (key, val) = part.trim().split_once('=')?;
        let slot = match key {
            "Access" => &mut access,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => return None,
        };
        if slot.replace(val.trim()).is_some() {
            return None;
        }
    }
    Some(Authorization {
        access: access?,
        signed_headers: signed_headers?,
        signature: signature?,
    })
}

/// Python's `str.strip()` white space: Unicode `White_Space` plus the
/// information separators U+001C..U+001F.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// Percent-decoding as Python's `urllib.parse.unquote`: `%XX` (either hex
/// case) becomes the byte, a `%` without two hex digits stays, and the bytes
/// are read as UTF-8 with U+FFFD for each maximal invalid subpart.
fn percent_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).and_then(|&b| hex(b)),
                bytes.get(i + 2).and_then(|&b| hex(b)),
            ) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Appends `s` percent-encoded: every byte but `A-Z a-z 0-9 - _ . ~`.
fn push_encoded(out: &mut String, s: &str) {
    const UPPER: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(UPPER[usize::from(b >> 4)] as char);
            out.push(UPPER[usize::from(b & 0xf)] as char);
        }
    }
}

/// Lower-case hex.
fn hex(bytes: &[u8]) -> String {
    const LOWER: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(LOWER[usize::from(b >> 4)] as char);
        out.push(LOWER[usize::from(b & 0xf)] as char);
    }
    out
}

/// Hex SHA-256 of nothing: the payload line of every request without a body.
const EMPTY_SHA256_HEX: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Hex SHA-256, as used for the body and the canonical request.
pub fn sha256_hex(data: &[u8]) -> String {
    if data.is_empty() {
        return EMPTY_SHA256_HEX.to_owned();
    }
    hex(&Sha256::digest(data))
}

/// Path and query of a request target (origin or absolute form); a fragment,
/// which no HTTP client sends, is dropped.
fn split_target(target: &str) -> (&str, &str) {
    let mut rest = target;
    for scheme in ["http://", "https://"] {
        if let Some(after) = target.strip_prefix(scheme) {
            rest = after.find('/').map_or("", |i| &after[i..]);
        }
    }
    let rest = rest.split('#').next().unwrap_or("");
    rest.split_once('?').unwrap_or((rest, ""))
}

fn push_canonical_path(out: &mut String, raw_path: &str) {
    let decoded = percent_decode(raw_path);
    for (i, segment) in decoded.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        push_encoded(out, segment);
    }
    if !out.ends_with('/') {
        out.push('/');
    }
}

fn push_canonical_query(out: &mut String, raw_query: &str) {
    let mut params: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (name, value) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect();
    // String order is byte order of UTF-8, i.e. code point order, like Python's.
    params.sort();
    for (i, (name, value)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push_encoded(out, name);
        out.push('=');
        push_encoded(out, value);
    }
}

/// The last value of header `name` (case-insensitive), as the SDK's header
/// dict keeps it.
fn last_header<'h, N: AsRef<str>, V: AsRef<str>>(
    headers: &'h [(N, V)],
    name: &str,
) -> Option<&'h str> {
    headers
        .iter()
        .rev()
        .find(|(n, _)| n.as_ref().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_ref())
}

/// The payload line: for a non-empty body an explicit non-blank
/// `X-Sdk-Content-Sha256`, else the body's hash.
fn payload_hash<N: AsRef<str>, V: AsRef<str>>(headers: &[(N, V)], body: &[u8]) -> String {
    if body.is_empty() {
        return EMPTY_SHA256_HEX.to_owned();
    }
    match last_header(headers, "x-sdk-content-sha256").map(py_strip) {
        // The SDK's Latin-1-of-UTF-8 re-encoding: each byte becomes one char.
        Some(value) if !value.is_empty() => value.bytes().map(char::from).collect(),
        _ => sha256_hex(body),
    }
}

/// The canonical request of a received request: `method` and `target` from
/// the request line, `headers` as received (any case, in order), the
/// `SignedHeaders` string from the `Authorization` header, and the body.
/// A signed header that was not received counts as empty (the gateway
/// rejects such requests before it gets here).
pub fn canonical_request<N: AsRef<str>, V: AsRef<str>>(
    method: &str,
    target: &str,
    headers: &[(N, V)],
    signed_headers: &str,
    body: &[u8],
) -> String {
    let (path, query) = split_target(target);
    let mut out = String::with_capacity(256 + target.len() + signed_headers.len());
    out.push_str(method);
    out.make_ascii_uppercase();
    out.push('\n');
    push_canonical_path(&mut out, path);
    out.push('\n');
    push_canonical_query(&mut out, query);
    out.push('\n');
    for name in signed_headers.split(';') {
        let value = last_header(headers, name).map_or("", py_strip);
        out.push_str(&name.to_ascii_lowercase());
        out.push(':');
        out.push_str(value);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(signed_headers);
    out.push('\n');
    out.push_str(&payload_hash(headers, body));
    out
}

/// `SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex SHA-256 of the canonical request>`.
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    let hash = sha256_hex(canonical_request.as_bytes());
    let mut out = String::with_capacity(ALGORITHM.len() + sdk_date.len() + hash.len() + 2);
    out.push_str(ALGORITHM);
    out.push('\n');
    out.push_str(sdk_date);
    out.push('\n');
    out.push_str(&hash);
    out
}

fn mac(sk: &[u8], string_to_sign: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(sk).expect("HMAC takes keys of any length");
    mac.update(string_to_sign.as_bytes());
    mac
}

/// Lower-case hex HMAC-SHA256 of the string to sign, keyed with the SK.
pub fn signature(sk: &[u8], string_to_sign: &str) -> String {
    hex(&mac(sk, string_to_sign).finalize().into_bytes())
}

/// Whether `claimed` is the signature of `string_to_sign` under `sk`:
/// exactly 64 lower-case hex digits, compared in constant time.
pub fn verify_signature(sk: &[u8], string_to_sign: &str, claimed: &str) -> bool {
    let digit = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    };
    let bytes = claimed.as_bytes();
    if bytes.len() != 64 {
        return false;
    }
    let mut raw = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        match (digit(pair[0]), digit(pair[1])) {
            (Some(hi), Some(lo)) => raw[i] = hi << 4 | lo,
            _ => return false,
        }
    }
    mac(sk, string_to_sign).verify_slice(&raw).is_ok()
}

/// The `SignedHeaders` value an SDK would send for `headers`: lower-cased
/// names, except those containing `_`, sorted, joined with `;`.
pub fn signed_headers_for<N: AsRef<str>, V: AsRef<str>>(headers: &[(N, V)]) -> String {
    let mut names: Vec<String> = headers
        .iter()
        .map(|(n, _)| n.as_ref().to_ascii_lowercase())
        .filter(|n| !n.contains('_'))
        .collect();
    names.sort();
    names.join(";")
}

/// A complete `Authorization` value for a request, signing every header in
/// `headers` (which must already hold `Host` and `X-Sdk-Date: sdk_date`).
/// For tests that need a signed request; the stand-in itself only verifies.
pub fn authorization<N: AsRef<str>, V: AsRef<str>>(
    ak: &str,
    sk: &str,
    sdk_date: &str,
    method: &str,
    target: &str,
    headers: &[(N, V)],
    body: &[u8],
) -> String {
    let signed = signed_headers_for(headers);
    let canonical = canonical_request(method, target, headers, &signed, body);
    let sig = signature(sk.as_bytes(), &string_to_sign(sdk_date, &canonical));
    format!("{ALGORITHM} Access={ak}, SignedHeaders={signed}, Signature={sig}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_HEADERS: &[(&str, &str)] = &[];

    fn path(target: &str) -> String {
        canonical_request("GET", target, NO_HEADERS, "", b"")
            .split('\n')
            .nth(1)
            .unwrap()
            .to_owned()
    }

    fn query(target: &str) -> String {
        canonical_request("GET", target, NO_HEADERS, "", b"")
            .split('\n')
            .nth(2)
            .unwrap()
            .to_owned()
    }

    #[test]
    fn paths() {
        assert_eq!(path("/"), "/");
        assert_eq!(path("/a/b"), "/a/b/");
        assert_eq!(path("/a/b/"), "/a/b/");
        assert_eq!(path("/a%20b/c%2fd"), "/a%20b/c/d/");
        assert_eq!(path("/100%/%zz"), "/100%25/%25zz/");
        assert_eq!(path("/%e6%96%87"), "/%E6%96%87/");
        assert_eq!(path("/%E2%82/x"), "/%EF%BF%BD/x/");
        assert_eq!(path("http://h:1/a?b=c"), "/a/");
        assert_eq!(path("http://h:1"), "/");
        assert_eq!(path("/a#frag"), "/a/");
    }

    #[test]
    fn queries() {
        assert_eq!(query("/p"), "");
        assert_eq!(query("/p?"), "");
        assert_eq!(query("/p?b=2&a=1&a=0"), "a=0&a=1&b=2");
        assert_eq!(query("/p?flag&x="), "flag=&x=");
        assert_eq!(query("/p?q=a+b%20c"), "q=a%2Bb%20c");
        assert_eq!(query("/p?a%C3%A9=1&a~=2"), "a~=2&a%C3%A9=1");
        assert_eq!(query("/p?a=1&&b=2&"), "a=1&b=2");
    }

    #[test]
    fn headers_lines_use_last_value_trimmed() {
        let headers = [
            ("Host", "h"),
            ("X-A", "first"),
            ("x-a", " \u{3000}second\u{1f} "),
        ];
        let c = canonical_request("get", "/", &headers, "host;X-A", b"x");
        assert_eq!(
            c,
            format!(
                "GET\n/\n\nhost:h\nx-a:second\n\nhost;X-A\n{}",
                sha256_hex(b"x")
            )
        );
    }

    #[test]
    fn explicit_payload_hash() {
        let h = |v: &str| payload_hash(&[("X-Sdk-Content-Sha256", v)], b"body");
        assert_eq!(h(" UNSIGNED-PAYLOAD "), UNSIGNED_PAYLOAD);
        assert_eq!(h("  "), sha256_hex(b"body"));
        assert_eq!(h("hé"), "h\u{c3}\u{a9}");
        assert_eq!(payload_hash(NO_HEADERS, b""), sha256_hex(b""));
        let unsigned = [("x-sdk-content-sha256", UNSIGNED_PAYLOAD)];
        assert_eq!(payload_hash(&unsigned, b""), sha256_hex(b""));
    }

    #[test]
    fn authorization_values() {
        let a = parse_authorization(
            "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=abc",
        )
        .unwrap();
        assert_eq!(
            a,
            Authorization {
                access: "AK1",
                signed_headers: "host;x-sdk-date",
                signature: "abc"
            }
        );
        assert!(
            parse_authorization("SDK-HMAC-SHA256 Access=A,SignedHeaders=h,Signature=s").is_some()
        );
        for bad in [
            "",
            "Bearer x",
            "SDK-HMAC-SHA1 Access=A, SignedHeaders=h, Signature=s",
            "SDK-HMAC-SHA256Access=A, SignedHeaders=h, Signature=s",
            "SDK-HMAC-SHA256 Access=A, SignedHeaders=h",
            "SDK-HMAC-SHA256 Access=A, Access=B, SignedHeaders=h, Signature=s",
            "SDK-HMAC-SHA256 Access=A, SignedHeaders=h, Signature=s, Extra=1",
            "SDK-HMAC-SHA256 Access=A, SignedHeaders=h, Signature",
        ] {
            assert_eq!(parse_authorization(bad), None, "{bad}");
        }
    }

    #[test]
    fn signatures_verify_only_exactly() {
        let sts = string_to_sign("20240229T120000Z", "x");
        let good = signature(b"sk", &sts);
        assert_eq!(good.len(), 64);
        assert!(verify_signature(b"sk", &sts, &good));
        assert!(!verify_signature(b"other", &sts, &good));
        assert!(!verify_signature(b"sk", &sts, &good.to_ascii_uppercase()));
        assert!(!verify_signature(b"sk", &sts, &good[..62]));
        assert!(!verify_signature(b"sk", &sts, ""));
        let mut flipped = good.clone().into_bytes();
        flipped[10] = if flipped[10] == b'0' { b'1' } else { b'0' };
        assert!(!verify_signature(
            b"sk",
            &sts,
            std::str::from_utf8(&flipped).unwrap()
        ));
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        let mut m = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        m.update(b"what do ya want for nothing?");
        assert_eq!(
            hex(&m.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn signer_signs_all_headers_without_underscore() {
        let headers = [
            ("X_U", "1"),
            ("Host", "h"),
            ("X-Sdk-Date", "20240229T120000Z"),
        ];
        assert_eq!(signed_headers_for(&headers), "host;x-sdk-date");
        let value = authorization("AK", "SK", "20240229T120000Z", "GET", "/", &headers, b"");
        let parsed = parse_authorization(&value).unwrap();
        let canonical = canonical_request("GET", "/", &headers, parsed.signed_headers, b"");
        assert!(verify_signature(
            b"SK",
            &string_to_sign("20240229T120000Z", &canonical),
            parsed.signature
        ));
    }

    #[test]
    fn hex_helpers_match_formatting() {
        let digest = Sha256::digest(b"");
        let formatted: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(EMPTY_SHA256_HEX, formatted);
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        let mut encoded = String::new();
        push_encoded(&mut encoded, "a b/\u{e9}~");
        assert_eq!(encoded, "a%20b%2F%C3%A9~");
    }
}
