//! The verifier against the official Python SDK's signatures
//! (`tests/data/signing_vectors.json` at the workspace root, produced by
//! `scripts/gen_signing_vectors.py` with huaweicloudsdkcore).

use std::path::PathBuf;

use osm_standin::{aksk, AccessKey, Standin, StandinConfig};
use serde_json::Value;

use crate::client::*;

struct Vector {
    name: String,
    ak: String,
    sk: String,
    sdk_date: String,
    method: String,
    /// Path and query as the SDK puts them on the wire.
    uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    expected: Value,
}

fn vectors() -> Vec<Vector> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/signing_vectors.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        json["generator"]["oracle"],
        "huaweicloudsdkcore.signer.signer.Signer"
    );
    let s = |v: &Value| v.as_str().unwrap().to_owned();
    let vectors: Vec<Vector> = json["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| Vector {
            name: s(&v["name"]),
            ak: s(&v["ak"]),
            sk: s(&v["sk"]),
            sdk_date: s(&v["sdk_date"]),
            method: s(&v["method"]),
            uri: s(&v["expected"]["uri"]),
            headers: v["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| (s(&h[0]), s(&h[1])))
                .collect(),
            body: match (v.get("body"), v.get("body_hex")) {
                (Some(text), None) => s(text).into_bytes(),
                (None, Some(hex)) => {
                    let hex = s(hex);
                    (0..hex.len())
                        .step_by(2)
                        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                        .collect()
                }
                other => panic!("vector {} has no body: {other:?}", s(&v["name"])),
            },
            expected: v["expected"].clone(),
        })
        .collect();
    assert!(
        vectors.len() >= 50,
        "expected the 50 SDK vectors, found {}",
        vectors.len()
    );
    vectors
}

#[test]
fn verifier_reproduces_every_sdk_signature() {
    let vectors = vectors();
    for v in &vectors {
        let e = &v.expected;
        let authorization = e["authorization"].as_str().unwrap();
        let parsed = aksk::parse_authorization(authorization)
            .unwrap_or_else(|| panic!("{}: cannot parse {authorization}", v.name));
        assert_eq!(parsed.access, v.ak, "{}", v.name);
        assert_eq!(parsed.signed_headers, e["signed_headers"], "{}", v.name);

        // Rebuilt from the request as it goes on the wire, with the client's SignedHeaders.
        let canonical = aksk::canonical_request(
            &v.method,
            &v.uri,
            &v.headers,
            parsed.signed_headers,
            &v.body,
        );
        assert_eq!(canonical, e["canonical_request"], "{}", v.name);
        let string_to_sign = aksk::string_to_sign(&v.sdk_date, &canonical);
        assert_eq!(string_to_sign, e["string_to_sign"], "{}", v.name);
        assert_eq!(
            aksk::signature(v.sk.as_bytes(), &string_to_sign),
            e["signature"],
            "{}",
            v.name
        );
        assert!(
            aksk::verify_signature(v.sk.as_bytes(), &string_to_sign, parsed.signature),
            "{}",
            v.name
        );
        assert!(
            !aksk::verify_signature(b"another-sk", &string_to_sign, parsed.signature),
            "{}",
            v.name
        );
        // The date the SDK signed is what X-Sdk-Date carries, and it parses.
        assert!(aksk::parse_sdk_date(&v.sdk_date).is_some(), "{}", v.name);
    }
}

#[test]
fn test_signer_agrees_with_the_sdk() {
    // The helper tests use to sign requests must produce the SDK's header too.
    for v in vectors() {
        let authorization = aksk::authorization(
            &v.ak,
            &v.sk,
            &v.sdk_date,
            &v.method,
            &v.uri,
            &v.headers,
            &v.body,
        );
        assert_eq!(authorization, v.expected["authorization"], "{}", v.name);
    }
}

/// Every SDK-signed GET of the OSM operation or the IAM domain lookup, replayed
/// over the wire to a stand-in whose clock is set to the vector's date.
#[test]
fn sdk_signed_requests_are_accepted_over_the_wire() {
    let mut replayed = 0;
    for v in vectors() {
        let path = v.uri.split('?').next().unwrap();
        let domains = path == "/v3/auth/domains";
        if v.method != "GET" || (path != API && !domains) {
            continue;
        }
        let security_token = v
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-security-token"))
            .map(|(_, t)| t.clone());
        let domain_id = v
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-domain-id"))
            .map(|(_, d)| d.clone());
        let key = match &security_token {
            Some(st) => AccessKey::temporary(&v.ak, &v.sk, st),
            None => AccessKey::new(&v.ak, &v.sk),
        };
        let standin = Standin::start(StandinConfig {
            access_keys: vec![key],
            domain_id: "0123456789abcdef0123456789abcdef".to_owned(),
            ..Default::default()
        })
        .unwrap();
        standin.set_clock_skew(aksk::parse_sdk_date(&v.sdk_date).unwrap() - unix_now());

        let mut headers = v.headers.clone();
        headers.push((
            "Authorization".to_owned(),
            v.expected["authorization"].as_str().unwrap().to_owned(),
        ));
        let response = request(&standin, "GET", &v.uri, &headers, &v.body);
        if domains || domain_id.is_some() {
            assert_eq!(response.status, 200, "{}: {}", v.name, response.text());
        } else {
            // Signature fine, but a global service needs the account id.
            assert_apigw_401(&response, "x-domain-id is required for global service");
        }

        // The same request one byte off is refused.
        let mut tampered = headers.clone();
        let date = tampered
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-sdk-date"))
            .unwrap();
        date.1 = aksk::format_sdk_date(aksk::parse_sdk_date(&date.1).unwrap() + 1);
        let response = request(&standin, "GET", &v.uri, &tampered, &v.body);
        assert_apigw_401(&response, "verify aksk signature fail");
        replayed += 1;
    }
    assert!(replayed >= 20, "only {replayed} vectors replayed");
}
