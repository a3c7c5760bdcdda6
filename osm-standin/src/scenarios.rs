//! Scenario name → canned response. Each scenario reproduces one thing a real
//! OSM endpoint (or something in front of it) can send back.

use serde_json::{json, Value};

use crate::data::*;
use crate::http::Response;

/// Every scenario name, reachable at `/scenario/<name>/v2/servicerequest/carbon-copy-emails`.
pub const SCENARIOS: &[&str] = &[
    "ok",
    "array",
    "array-two",
    "empty-array",
    "null",
    "absent",
    "null-fields",
    "unknown-fields",
    "non-ascii",
    "business-error",
    "bad-request",
    "forbidden",
    "internal-error",
    "throttled",
    "iam-style-error",
    "html-502",
    "empty-503",
    "not-json",
    "truncated-json",
    "wrong-type",
    "huge",
];

fn record() -> Value {
    json!({ "user_id": USER_ID, "customer_id": CUSTOMER_ID, "cc_email": CC_EMAIL })
}

fn ok_body() -> Value {
    json!({ "cc_email_info": record(), "mc_email_infos": ADDRESSES })
}

/// Response for a known scenario name, `None` for an unknown one.
pub(crate) fn respond(name: &str) -> Option<Response> {
    let ok = |body: Value| Response::json(200, &body);
    let response = match name {
        "ok" => ok(ok_body()),
        // The official doc's example shows an array where the schema says object.
        "array" => ok(json!({ "cc_email_info": [record()], "mc_email_infos": ADDRESSES })),
        "array-two" => ok(json!({
            "cc_email_info": [
                record(),
                {
                    "user_id": SECOND_RECORD_USER_ID,
                    "customer_id": SECOND_RECORD_CUSTOMER_ID,
                    "cc_email": SECOND_RECORD_CC_EMAIL,
                },
            ],
            "mc_email_infos": ADDRESSES,
        })),
        "empty-array" => ok(json!({ "cc_email_info": [], "mc_email_infos": ADDRESSES })),
        "null" => ok(json!({ "cc_email_info": null, "mc_email_infos": null })),
        "absent" => ok(json!({})),
        "null-fields" => ok(json!({
            "cc_email_info": { "user_id": null, "cc_email": CC_EMAIL },
            "mc_email_infos": [],
        })),
        "unknown-fields" => ok(json!({
            "request_id": "5f1c0e2a",
            "total_count": 1,
            "extra_object": { "nested": { "deep": [1, 2, 3] }, "flag": true },
            "extra_list": [{ "id": 1, "name": "a" }, { "id": 2, "name": null }],
            "cc_email_info": {
                "user_id": USER_ID,
                "customer_id": CUSTOMER_ID,
                "cc_email": CC_EMAIL,
                "create_time": "2024-05-01T08:00:00Z",
                "status": 0,
                "labels": { "source": "console" },
            },
            "mc_email_infos": ADDRESSES,
        })),
        "non-ascii" => ok(json!({
            "cc_email_info": {
                "user_id": NON_ASCII_USER_ID,
                "customer_id": NON_ASCII_CUSTOMER_ID,
                "cc_email": NON_ASCII_CC_EMAIL,
            },
            "mc_email_infos": NON_ASCII_ADDRESSES,
        })),
        // OSM reports business errors with HTTP 200.
        "business-error" => Response::error(200, "OSM.01010002", "No operation permission"),
        "bad-request" => Response::error(400, "OSM.0001", "parameter check failed"),
        "forbidden" => Response::error(403, "OSM.0003", "forbidden"),
        "internal-error" => Response::error(500, "OSM.0004", "internal error"),
        "throttled" => Response::error(429, "APIGW.0308", "The throttling threshold has been reached")
            .with_header("Retry-After", "1"),
        // IAM's own error shape, different from OSM's.
        "iam-style-error" => Response::json(
            401,
            &json!({ "error": { "code": "IAM.0001", "message": "The request you have made requires authentication." } }),
        ),
        "html-502" => Response::new(
            502,
            "text/html",
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
        ),
        "empty-503" => Response::new(503, crate::http::JSON, Vec::new()),
        "not-json" => Response::new(200, "text/plain", "OK"),
        "truncated-json" => {
            let full = ok_body().to_string();
            // The ok body is ASCII, so any byte index is a char boundary.
            Response::new(200, crate::http::JSON, &full.as_bytes()[..full.len() / 2])
        }
        "wrong-type" => ok(json!({
            "cc_email_info": { "user_id": "x", "customer_id": "y", "cc_email": "z" },
            "mc_email_infos": WRONG_TYPE_ADDRESSES,
        })),
        // Valid JSON, valid data, just too big: only a body-size limit should reject it.
        "huge" => ok(json!({
            "padding": "x".repeat(HUGE_PADDING_BYTES),
            "cc_email_info": record(),
            "mc_email_infos": ADDRESSES,
        })),
        _ => return None,
    };
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_scenario_has_a_response_and_others_do_not() {
        for name in SCENARIOS {
            assert!(respond(name).is_some(), "{name}");
        }
        assert!(respond("nope").is_none());
        assert!(respond("").is_none());
    }

    #[test]
    fn truncated_json_is_half_of_a_valid_body() {
        let body = respond("truncated-json").unwrap().body;
        assert_eq!(body.len(), ok_body().to_string().len() / 2);
        assert!(serde_json::from_slice::<Value>(&body).is_err());
    }
}
