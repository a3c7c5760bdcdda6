//! Turns an HTTP response from OSM into data or an `Error`, surviving the
//! service's quirks: `cc_email_info` as object, array, `null` or absent;
//! unknown fields; business errors inside HTTP 200; error bodies in two
//! styles; bodies that are not JSON at all.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::error::{Error, ErrorKind};
use crate::model::{CcEmails, CcRecord};
use crate::secret::Secret;

/// The parts of an HTTP response that matter here.
#[derive(Debug, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub request_id: Option<String>,
    pub content_type: Option<String>,
    /// IAM's `X-Subject-Token` (the token it issued), when present.
    pub subject_token: Option<Secret>,
    /// `Location`, for a redirect.
    pub location: Option<String>,
    /// `Retry-After`, for a 429 or 503.
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
    /// How many times the request was sent to get this response.
    pub attempts: u32,
}

/// Reads the answer to `GET /v2/servicerequest/carbon-copy-emails`.
pub fn read_cc_emails(resp: HttpResponse) -> Result<CcEmails, Error> {
    if !(200..300).contains(&resp.status) {
        return Err(status_error(&resp));
    }
    match parse_object::<WireCcEmails>(&resp.body) {
        Ok(wire) => {
            let reported = WireErrorBody {
                error_code: wire.error_code,
                error_msg: wire.error_msg,
                error: wire.error,
            };
            if let Some(err) = reported.into_error() {
                return Err(service_error(ErrorKind::Service, &resp, err.code, err.msg));
            }
            let data = CcEmails {
                last_record: wire.cc_email_info.flatten(),
                addresses: wire.mc_email_infos.unwrap_or_default(),
            };
            if has_nul(&data) {
                return Err(bad_body(&resp, "a string holds a NUL character"));
            }
            Ok(data)
        }
        Err(why) => {
            // A business error may come with fields of any shape: look for the code alone.
            if let Some(err) = error_body(&resp.body) {
                return Err(service_error(ErrorKind::Service, &resp, err.code, err.msg));
            }
            Err(bad_body(&resp, &why))
        }
    }
}

/// The error for a non-2xx response, of OSM or IAM: kind from the status,
/// code and message from the body in either style.
pub(crate) fn status_error(resp: &HttpResponse) -> Error {
    let kind = match resp.status {
        401 | 403 => ErrorKind::Auth,
        429 => ErrorKind::Throttled,
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::Http,
    };
    match error_body(&resp.body) {
        Some(body) => {
            let kind = if kind == ErrorKind::Http {
                ErrorKind::Service
            } else {
                kind
            };
            service_error(kind, resp, body.code, body.msg)
        }
        None => {
            let message = match (&resp.location, resp.status) {
                (Some(location), 300..=399) => format!(
                    "HTTP {}: redirect to {} not followed",
                    resp.status,
                    shown_location(location)
                ),
                _ => {
                    let what = match (&resp.content_type, resp.body.len()) {
                        (_, 0) => "an empty body".to_owned(),
                        (Some(ct), n) => format!("a non-JSON body ({ct}, {n} bytes)"),
                        (None, n) => format!("a non-JSON body ({n} bytes)"),
                    };
                    format!("HTTP {} with {what}", resp.status)
                }
            };
            Error::new(kind, message)
                .with_http_status(resp.status)
                .with_request_id(resp.request_id.clone())
                .with_attempts(resp.attempts)
        }
    }
}

/// A `Location` fit for a message: user info (which could be a password)
/// removed, cut to a sane length. (Header values are visible ASCII already.)
pub(crate) fn shown_location(location: &str) -> String {
    const MAX_SHOWN: usize = 300;
    let mut shown = match location.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
                None => location.to_owned(),
            }
        }
        None => location.to_owned(),
    };
    if shown.len() > MAX_SHOWN {
        // Cut on a character boundary: a Location need not be ASCII.
        let cut = (0..=MAX_SHOWN)
            .rev()
            .find(|&i| shown.is_char_boundary(i))
            .unwrap_or(0);
        shown.truncate(cut);
        shown.push_str("...");
    }
    shown
}

fn service_error(
    kind: ErrorKind,
    resp: &HttpResponse,
    code: Option<String>,
    msg: Option<String>,
) -> Error {
    let message = format!(
        "HTTP {}: {}: {}",
        resp.status,
        code.as_deref().unwrap_or("(no error code)"),
        msg.as_deref().unwrap_or("(no error message)")
    );
    Error::new(kind, message)
        .with_http_status(resp.status)
        .with_request_id(resp.request_id.clone())
        .with_service_error(code, msg)
        .with_attempts(resp.attempts)
}

pub(crate) fn bad_body(resp: &HttpResponse, why: &str) -> Error {
    let ct = resp.content_type.as_deref().unwrap_or("no content type");
    Error::new(
        ErrorKind::BadResponse,
        format!(
            "HTTP {} with a body that is not a valid answer ({ct}, {} bytes): {why}",
            resp.status,
            resp.body.len()
        ),
    )
    .with_http_status(resp.status)
    .with_request_id(resp.request_id.clone())
    .with_attempts(resp.attempts)
}

/// C strings end at NUL: a value holding one could not be handed out intact.
fn has_nul(data: &CcEmails) -> bool {
    let record = data.last_record.iter().flat_map(|r| {
        [&r.user_id, &r.customer_id, &r.cc_email]
            .into_iter()
            .flatten()
    });
    record
        .chain(data.addresses.iter())
        .any(|s| s.contains('\0'))
}

/// An error code and message, from either body style.
struct WireError {
    code: Option<String>,
    msg: Option<String>,
}

/// `{"error_code": .., "error_msg": ..}` (OSM, API gateway) or
/// `{"error": {"code": .., "message": ..}}` (IAM style).
#[derive(Deserialize)]
struct WireErrorBody {
    #[serde(default, deserialize_with = "text")]
    error_code: Option<String>,
    #[serde(default, deserialize_with = "text")]
    error_msg: Option<String>,
    #[serde(default, deserialize_with = "object")]
    error: Option<WireNestedError>,
}

#[derive(Deserialize)]
struct WireNestedError {
    #[serde(default, deserialize_with = "text")]
    code: Option<String>,
    #[serde(default, deserialize_with = "text")]
    message: Option<String>,
}

impl WireErrorBody {
    /// The error this body reports, if it reports one (a non-empty code).
    fn into_error(self) -> Option<WireError> {
        let (code, msg) = match (self.error_code, self.error) {
            (Some(code), _) => (code, self.error_msg),
            (
                None,
                Some(WireNestedError {
                    code: Some(code),
                    message,
                }),
            ) => (code, message),
            _ => return None,
        };
        (!code.is_empty()).then_some(WireError {
            code: Some(code),
            msg,
        })
    }
}

/// The error reported by a body, or `None` when the body is not JSON or reports none.
fn error_body(body: &[u8]) -> Option<WireError> {
    parse_object::<WireErrorBody>(body).ok()?.into_error()
}

/// A JSON object read into `T`. serde's derived structs also accept an
/// array and read it by position (`["u","c","e"]` as a record); in OSM's
/// answers an array is never a record nor an error, so it is refused.
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(ObjectVisitor(std::marker::PhantomData))
            .map(Object)
    }
}

/// An optional field that must be an object when present (see [`Object`]).
fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    Option::<Object<T>>::deserialize(d).map(|o| o.map(|o| o.0))
}

/// Parses a JSON object. serde would also build a struct from an array, by
/// position; an array here is never a valid answer.
pub(crate) fn parse_object<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        // Checked as UTF-8 once, here, instead of string by string while
        // parsing; a body that is not UTF-8 gets serde_json's own message.
        Some(b'{') => match std::str::from_utf8(body) {
            Ok(text) => serde_json::from_str(text),
            Err(_) => serde_json::from_slice(body),
        }
        .map_err(|e| e.to_string()),
        Some(_) => Err("not a JSON object".to_owned()),
        None => Err("empty body".to_owned()),
    }
}

#[derive(Deserialize)]
struct WireCcEmails {
    #[serde(default, deserialize_with = "text")]
    error_code: Option<String>,
    #[serde(default, deserialize_with = "text")]
    error_msg: Option<String>,
    #[serde(default, deserialize_with = "object")]
    error: Option<WireNestedError>,
    #[serde(default, deserialize_with = "last_record")]
    cc_email_info: Option<Option<CcRecord>>,
    #[serde(default, deserialize_with = "addresses")]
    mc_email_infos: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct WireRecord {
    #[serde(default, deserialize_with = "text")]
    user_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    customer_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    cc_email: Option<String>,
}

impl From<WireRecord> for CcRecord {
    fn from(w: WireRecord) -> Self {
        CcRecord {
            user_id: w.user_id,
            customer_id: w.customer_id,
            cc_email: w.cc_email,
        }
    }
}

/// A string field; `null` is `None`; a number is kept as its decimal text
/// (ids are documented as strings, but a number must not sink the answer).
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct Text;
    impl<'de> Visitor<'de> for Text {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string, a number or null")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            // Room for the NUL that makes it a C string later, so handing it
            // out to C does not reallocate it.
            let mut owned = String::with_capacity(v.len() + 1);
            owned.push_str(v);
            Ok(Some(owned))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(Text)
}

/// `cc_email_info`: an object, an array of objects (the documentation's
/// example), or `null`. Of an array the first element is taken: the service
/// documents one "most recent" record and sends at most one in practice.
fn last_record<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<CcRecord>>, D::Error> {
    struct LastRecord;
    impl<'de> Visitor<'de> for LastRecord {
        type Value = Option<CcRecord>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a CC record object, an array of them, or null")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            let w = WireRecord::deserialize(de::value::MapAccessDeserializer::new(map))?;
            Ok(Some(w.into()))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let first: Option<Option<Object<WireRecord>>> = seq.next_element()?;
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(first.flatten().map(|record| record.0.into()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(LastRecord).map(Some)
}

/// `mc_email_infos`: an array of strings or `null`; `null` items are skipped.
fn addresses<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    struct Item(#[serde(deserialize_with = "text")] Option<String>);
    let items: Option<Vec<Item>> = Option::deserialize(d)?;
    Ok(Some(
        items
            .unwrap_or_default()
            .into_iter()
            .filter_map(|i| i.0)
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            request_id: Some("rid-1".into()),
            content_type: Some("application/json".into()),
            body: body.as_bytes().to_vec(),
            attempts: 1,
            ..HttpResponse::default()
        }
    }

    fn record(u: &str, c: &str, e: &str) -> Option<CcRecord> {
        Some(CcRecord {
            user_id: Some(u.into()),
            customer_id: Some(c.into()),
            cc_email: Some(e.into()),
        })
    }

    #[test]
    fn object_array_null_absent() {
        let obj = r#"{"cc_email_info":{"user_id":"1","customer_id":"2","cc_email":"3"},"mc_email_infos":["a","b"]}"#;
        let got = read_cc_emails(resp(200, obj)).unwrap();
        assert_eq!(got.last_record, record("1", "2", "3"));
        assert_eq!(got.addresses, ["a", "b"]);

        let arr = r#"{"cc_email_info":[{"user_id":"1","customer_id":"2","cc_email":"3"},{"user_id":"9"}]}"#;
        let got = read_cc_emails(resp(200, arr)).unwrap();
        assert_eq!(got.last_record, record("1", "2", "3"));
        assert!(got.addresses.is_empty());

        for body in [
            r#"{"cc_email_info":[]}"#,
            r#"{"cc_email_info":null,"mc_email_infos":null}"#,
            "{}",
            r#"{"cc_email_info":[null]}"#,
        ] {
            let got = read_cc_emails(resp(200, body)).unwrap();
            assert_eq!(got, CcEmails::default(), "{body}");
        }
    }

    #[test]
    fn lenient_where_harmless() {
        let body = r#"{"x":{"y":[1,2]},"cc_email_info":{"user_id":123,"cc_email":null,"z":true},"mc_email_infos":["a",null]}"#;
        let got = read_cc_emails(resp(200, body)).unwrap();
        let r = got.last_record.unwrap();
        assert_eq!(r.user_id.as_deref(), Some("123"));
        assert_eq!(r.customer_id, None);
        assert_eq!(r.cc_email, None);
        assert_eq!(got.addresses, ["a"]);
    }

    #[test]
    fn business_error_in_200() {
        let body = r#"{"error_code":"OSM.01010002","error_msg":"No operation permission"}"#;
        let err = read_cc_emails(resp(200, body)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Service);
        assert_eq!(err.service_code(), Some("OSM.01010002"));
        assert_eq!(err.service_message(), Some("No operation permission"));
        assert_eq!(err.http_status(), Some(200));
        assert_eq!(err.request_id(), Some("rid-1"));
        // The code wins even when the rest of the body has the wrong shape.
        let body = r#"{"error_code":"OSM.01010008","mc_email_infos":7}"#;
        let err = read_cc_emails(resp(200, body)).unwrap_err();
        assert_eq!(err.service_code(), Some("OSM.01010008"));
    }

    #[test]
    fn status_errors() {
        let cases = [
            (
                401,
                r#"{"error_code":"APIGW.0301","error_msg":"bad"}"#,
                ErrorKind::Auth,
            ),
            (
                403,
                r#"{"error_code":"OSM.0003","error_msg":"no"}"#,
                ErrorKind::Auth,
            ),
            (
                429,
                r#"{"error_code":"APIGW.0308","error_msg":"slow"}"#,
                ErrorKind::Throttled,
            ),
            (
                500,
                r#"{"error_code":"OSM.0004","error_msg":"oops"}"#,
                ErrorKind::Server,
            ),
            (
                400,
                r#"{"error_code":"OSM.0001","error_msg":"param"}"#,
                ErrorKind::Service,
            ),
            (
                401,
                r#"{"error":{"code":"IAM.0001","message":"auth"}}"#,
                ErrorKind::Auth,
            ),
            (502, "<html>Bad Gateway</html>", ErrorKind::Server),
            (404, "", ErrorKind::Http),
            (302, "", ErrorKind::Http),
        ];
        for (status, body, kind) in cases {
            let err = read_cc_emails(resp(status, body)).unwrap_err();
            assert_eq!(err.kind(), kind, "{status} {body}");
            assert_eq!(err.http_status(), Some(status));
            assert_eq!(err.request_id(), Some("rid-1"));
            assert_eq!(err.service_code().is_some(), body.contains("code"));
        }
    }

    #[test]
    fn redirects_show_where_they_lead_and_retried_errors_say_so() {
        let mut redirect = resp(302, "");
        redirect.location = Some("https://user:pw-SECRET@other.example.com/v2/x".into());
        let err = read_cc_emails(redirect).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Http);
        assert_eq!(
            err.message(),
            "HTTP 302: redirect to https://other.example.com/v2/x not followed"
        );
        let mut long = resp(301, "");
        long.location = Some(format!("/{}", "a".repeat(1000)));
        let err = read_cc_emails(long).unwrap_err();
        assert!(err.message().ends_with("a... not followed"), "{err}");

        let mut retried = resp(503, "");
        retried.attempts = 3;
        let err = read_cc_emails(retried).unwrap_err();
        assert_eq!(
            err.message(),
            "HTTP 503 with an empty body (after 3 attempts)"
        );
        assert_eq!(err.attempts(), 3);
        let mut retried = resp(200, "not json");
        retried.attempts = 2;
        assert_eq!(read_cc_emails(retried).unwrap_err().attempts(), 2);
    }

    #[test]
    fn bodies_that_are_not_answers() {
        for body in [
            "OK",
            "",
            r#"{"cc_email_info":{"user_id":"1""#,
            r#"{"mc_email_infos":"a@b"}"#,
            r#"{"cc_email_info":"x"}"#,
            r#"{"mc_email_infos":[["nested"]]}"#,
            r#"[1,2]"#,
            r#"{"mc_email_infos":["a\u0000b"]}"#,
        ] {
            let err = read_cc_emails(resp(200, body)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BadResponse, "{body}");
            assert_eq!(err.http_status(), Some(200), "{body}");
            assert_eq!(err.request_id(), Some("rid-1"), "{body}");
        }
    }
}
