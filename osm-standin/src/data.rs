//! The canned account data the stand-in serves. Public so tests can compare
//! what the client decoded against exactly what was sent.

/// `cc_email_info.user_id` of the normal record.
pub const USER_ID: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
/// `cc_email_info.customer_id` of the normal record.
pub const CUSTOMER_ID: &str = "cust-4242";
/// `cc_email_info.cc_email` of the normal record (the service joins addresses with `;`).
pub const CC_EMAIL: &str = "ops@example.com;audit@example.com";
/// `mc_email_infos` of the normal responses.
pub const ADDRESSES: [&str; 2] = ["ops@example.com", "audit@example.com"];

/// Second record of the `array-two` scenario (an older record, different values
/// so a client that picks the wrong element is caught).
pub const SECOND_RECORD_USER_ID: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
pub const SECOND_RECORD_CUSTOMER_ID: &str = "cust-4343";
pub const SECOND_RECORD_CC_EMAIL: &str = "old-ops@example.com";

/// The `non-ascii` scenario: Chinese, accented Latin and (in `cc_email`) an
/// emoji, i.e. 2-, 3- and 4-byte UTF-8 sequences.
pub const NON_ASCII_USER_ID: &str = "用户-0a1b2c3d";
pub const NON_ASCII_CUSTOMER_ID: &str = "客户-Zoë-Ærø-42";
pub const NON_ASCII_CC_EMAIL: &str = "张伟@例子.中国;josé@exámple.com 📧";
pub const NON_ASCII_ADDRESSES: [&str; 2] = ["张伟@例子.中国", "josé@exámple.com"];

/// `wrong-type` scenario: strings in the record, but `mc_email_infos` is a
/// string instead of an array.
pub const WRONG_TYPE_ADDRESSES: &str = "ops@example.com";

/// Size of the padding string in the `huge` scenario; the whole body is a bit
/// larger than this.
pub const HUGE_PADDING_BYTES: usize = 4 * 1024 * 1024;

// --- Credentials the stand-in accepts by default (demo values, not secrets). ---

/// Access key of the default permanent AK/SK pair (20 characters, like real AKs).
pub const AK: &str = "TCCDEMOAK00000000001";
/// Secret key of [`AK`] (40 characters, like real SKs).
pub const SK: &str = "tccDemoSecretKey0000000000000000000000001";
/// Access key of the default temporary pair: requests with it must carry
/// `X-Security-Token: SECURITY_TOKEN`.
pub const TEMP_AK: &str = "TCCDEMOTEMPAK0000002";
/// Secret key of [`TEMP_AK`].
pub const TEMP_SK: &str = "tccDemoTemporarySecretKey000000000000002";
/// The security token that goes with [`TEMP_AK`]; `+`, `/` and `=` as in real
/// (base64) security tokens.
pub const SECURITY_TOKEN: &str = "gQpjbi1zb3V0aC0x+tcc/demo/security/token==";
/// The account (domain) id: 32 lowercase hex characters.
pub const DOMAIN_ID: &str = "7c3a6e2b9d1f40e58a0b1c2d3e4f5a6b";
/// The account (domain) name.
pub const DOMAIN_NAME: &str = "tcc-demo-account";
/// The IAM user that may obtain tokens with `POST /v3/auth/tokens`.
pub const IAM_USER: &str = "tcc-demo-user";
/// The password of [`IAM_USER`].
pub const IAM_PASSWORD: &str = "Demo-Passw0rd!";

// --- Network scenarios (see `SCENARIOS` and `NETWORK_SCENARIOS`). ---

/// Longest the `hang` and `slow-headers-then-stall` scenarios hold a
/// connection (they also stop when the client closes or the stand-in is dropped).
pub const HANG_MAX_SECS: u64 = 60;
/// How long a `flaky-hang-<n>` failure holds the connection before closing it.
pub const FLAKY_HANG_SECS: u64 = 5;
/// Pause between two bytes of the `trickle` scenario.
pub const TRICKLE_INTERVAL_MILLIS: u64 = 1000;
/// `Content-Length` announced by `close-after-headers` and `truncated-body`.
pub const TRUNCATED_DECLARED_LENGTH: u64 = 200;
/// Body bytes `truncated-body` sends before closing: the start of the `ok` body.
pub const TRUNCATED_SENT_BYTES: usize = 50;
/// `Content-Length` announced by `endless-body`: 10 GiB.
pub const ENDLESS_DECLARED_LENGTH: u64 = 10 * 1024 * 1024 * 1024;
/// Most body bytes `endless-body` sends before closing: 256 MiB.
pub const ENDLESS_MAX_BYTES: u64 = 256 * 1024 * 1024;
/// Number of `X-Filler-NNNN` fields in the `huge-headers` scenario; each line
/// is 128 bytes with its CRLF, so together exactly [`HUGE_HEADERS_BYTES`].
pub const HUGE_HEADERS_COUNT: usize = 1024;
/// Size of the extra header lines of `huge-headers`: 128 KiB.
pub const HUGE_HEADERS_BYTES: usize = 128 * 1024;
/// The `malformed-json` body: complete, balanced, but not JSON (`,,`).
pub const MALFORMED_JSON_BODY: &str =
    r#"{"cc_email_info": {"user_id": "a",,}, "mc_email_infos": ["ops@example.com"]}"#;
/// `Retry-After` of `throttled` and of `flaky-429-<n>` failures.
pub const RETRY_AFTER_THROTTLED: &str = "1";
/// `Retry-After` of `retry-after-429`.
pub const RETRY_AFTER_429: &str = "2";
/// `Retry-After` of `retry-after-huge`.
pub const RETRY_AFTER_HUGE: &str = "3600";
