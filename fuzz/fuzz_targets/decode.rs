//! Feeds arbitrary responses to the decoder, `tcc::read_cc_emails`.
//!
//! Input: the first 2 bytes are the HTTP status (big-endian, mapped into
//! 100..=999, the statuses an HTTP response can have), the rest is the body.
//! Besides "never panics", it checks what the decoder promises: the error
//! kind fits the status, the status is carried, and data turns into the
//! normalised JSON, which reads back as the same data.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tcc::{read_cc_emails, ErrorKind, HttpResponse};

fuzz_target!(|input: &[u8]| {
    let [hi, lo, body @ ..] = input else {
        return;
    };
    let status = 100 + u16::from_be_bytes([*hi, *lo]) % 900;
    let response = HttpResponse {
        status,
        request_id: Some("fuzz-request-id".to_owned()),
        content_type: Some("application/json".to_owned()),
        body: body.to_vec(),
        attempts: 1,
        ..HttpResponse::default()
    };
    match read_cc_emails(response) {
        Ok(data) => {
            assert!((200..300).contains(&status), "data from HTTP {status}");
            let json = data.to_json();
            let value: serde_json::Value = serde_json::from_str(&json).expect("to_json gives JSON");
            assert!(value["cc_email_info"].is_object() || value["cc_email_info"].is_null());
            assert!(value["mc_email_infos"].is_array());
            let again = read_cc_emails(HttpResponse {
                status: 200,
                body: json.into_bytes(),
                ..HttpResponse::default()
            })
            .expect("the normalised JSON reads back");
            assert_eq!(again, data);
        }
        Err(err) => {
            let allowed: &[ErrorKind] = match status {
                200..=299 => &[ErrorKind::BadResponse, ErrorKind::Service],
                401 | 403 => &[ErrorKind::Auth],
                429 => &[ErrorKind::Throttled],
                500..=599 => &[ErrorKind::Server],
                _ => &[ErrorKind::Http, ErrorKind::Service],
            };
            assert!(allowed.contains(&err.kind()), "HTTP {status}: {err:?}");
            assert_eq!(err.http_status(), Some(status));
            assert_eq!(err.request_id(), Some("fuzz-request-id"));
            match err.kind() {
                ErrorKind::Service => assert!(err.service_code().is_some_and(|c| !c.is_empty())),
                ErrorKind::Http | ErrorKind::BadResponse => assert!(err.service_code().is_none()),
                _ => {}
            }
        }
    }
});
