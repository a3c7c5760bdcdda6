//! The Rust AK/SK signer against reference vectors produced by the official
//! Huawei Cloud Python SDK (`scripts/gen_signing_vectors.py`).

use serde::Deserialize;
use tcc::signing::{self, SigningRequest};

const VECTORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/signing_vectors.json"
));

#[derive(Deserialize)]
struct File {
    generator: serde_json::Value,
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    description: String,
    ak: String,
    sk: String,
    sdk_date: String,
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<String>,
    body_hex: Option<String>,
    expected: Expected,
}

#[derive(Deserialize)]
struct Expected {
    canonical_request: String,
    string_to_sign: String,
    signed_headers: String,
    signature: String,
    authorization: String,
    uri: String,
}

fn load() -> File {
    serde_json::from_str(VECTORS).expect("tests/data/signing_vectors.json parses")
}

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd-length body_hex");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("body_hex is hex"))
        .collect()
}

/// Every mismatch of one vector, as readable lines.
fn check(v: &Vector) -> Vec<String> {
    let body = match (&v.body, &v.body_hex) {
        (Some(text), None) => text.as_bytes().to_vec(),
        (None, Some(hex)) => unhex(hex),
        _ => return vec!["exactly one of body / body_hex expected".into()],
    };
    let query: Vec<(&str, &str)> = v
        .query
        .iter()
        .map(|(k, x)| (k.as_str(), x.as_str()))
        .collect();
    let headers: Vec<(&str, &str)> = v
        .headers
        .iter()
        .map(|(k, x)| (k.as_str(), x.as_str()))
        .collect();
    let req = SigningRequest {
        method: &v.method,
        path: &v.path,
        query: &query,
        headers: &headers,
        body: &body,
    };

    let mut errors = Vec::new();
    let mut expect = |what: &str, got: &str, want: &str| {
        if got != want {
            errors.push(format!("{what}:\n  got  {got:?}\n  want {want:?}"));
        }
    };
    let canonical = signing::canonical_request(&req);
    expect(
        "canonical_request",
        &canonical,
        &v.expected.canonical_request,
    );
    let sts = signing::string_to_sign(&v.sdk_date, &canonical);
    expect("string_to_sign", &sts, &v.expected.string_to_sign);
    expect(
        "signed_headers",
        &signing::signed_headers(&headers),
        &v.expected.signed_headers,
    );
    expect(
        "signature",
        &signing::signature(v.sk.as_bytes(), &sts),
        &v.expected.signature,
    );
    expect(
        "authorization",
        &signing::authorization(&v.ak, v.sk.as_bytes(), &v.sdk_date, &req),
        &v.expected.authorization,
    );
    // The SDK sends the canonical query string as the URL's query.
    let query_string = signing::canonical_query_string(&query);
    let uri = if query_string.is_empty() {
        v.path.clone()
    } else {
        format!("{}?{query_string}", v.path)
    };
    expect("uri", &uri, &v.expected.uri);
    // The date signed is the X-Sdk-Date header sent.
    let date_header = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(signing::HEADER_SDK_DATE))
        .map(|(_, x)| *x);
    expect(
        "X-Sdk-Date header",
        date_header.unwrap_or("<none>"),
        &v.sdk_date,
    );
    errors
}

#[test]
fn rust_signer_matches_every_sdk_vector() {
    let file = load();
    assert!(
        !file.vectors.is_empty(),
        "tests/data/signing_vectors.json has no vectors"
    );
    let mut failures = Vec::new();
    for v in &file.vectors {
        let errors = check(v);
        if !errors.is_empty() {
            failures.push(format!(
                "vector {:?} ({}):\n{}",
                v.name,
                v.description,
                errors.join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} SDK vectors differ:\n\n{}",
        failures.len(),
        file.vectors.len(),
        failures.join("\n\n")
    );
    println!("{} SDK signing vectors matched", file.vectors.len());
}

#[test]
fn vector_file_is_well_formed() {
    let file = load();
    assert!(
        file.vectors.len() >= 20,
        "expected at least 20 vectors, found {}",
        file.vectors.len()
    );
    let core = &file.generator["sdk"]["huaweicloudsdkcore"];
    assert!(
        core.as_str().is_some_and(|v| !v.is_empty()),
        "the generating SDK version is recorded: {core}"
    );
    let mut names: Vec<&str> = file.vectors.iter().map(|v| v.name.as_str()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "vector names are unique");
    for v in &file.vectors {
        assert!(
            v.expected
                .authorization
                .starts_with(&format!("SDK-HMAC-SHA256 Access={}, ", v.ak)),
            "{}",
            v.name
        );
        assert_eq!(v.expected.signature.len(), 64, "{}", v.name);
    }
    // The OSM operation this crate exists for is covered, signed end to end by the SDK.
    assert!(file.vectors.iter().any(
        |v| v.path == "/v2/servicerequest/carbon-copy-emails" && v.name.starts_with("sdk_osm_")
    ));
}
