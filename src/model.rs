//! What "Querying Service Ticket CC" returns, in the one normalised shape
//! tcc hands out, whatever shape the server used.

use serde::Serialize;

/// The most recent CC e-mail record (`IncidentOrderCCEmailInfoV2`).
/// A field the server left out or sent as `null` is `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CcRecord {
    pub user_id: Option<String>,
    pub customer_id: Option<String>,
    pub cc_email: Option<String>,
}

/// The account's CC e-mail addresses and the last CC record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CcEmails {
    /// `cc_email_info`: `None` when absent, `null` or an empty array.
    #[serde(rename = "cc_email_info")]
    pub last_record: Option<CcRecord>,
    /// `mc_email_infos`: empty when absent or `null`.
    #[serde(rename = "mc_email_infos")]
    pub addresses: Vec<String>,
}

impl CcEmails {
    /// Normalised JSON: `cc_email_info` is always an object or `null` (its
    /// three keys always present, each a string or `null`), `mc_email_infos`
    /// always an array of strings.
    pub fn to_json(&self) -> String {
        // Serialising plain strings and options cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("null"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_normalised() {
        let empty = CcEmails::default();
        assert_eq!(
            empty.to_json(),
            r#"{"cc_email_info":null,"mc_email_infos":[]}"#
        );
        let full = CcEmails {
            last_record: Some(CcRecord {
                user_id: Some("u".into()),
                customer_id: None,
                cc_email: Some("张@例子.中国".into()),
            }),
            addresses: vec!["a@b".into()],
        };
        assert_eq!(
            full.to_json(),
            r#"{"cc_email_info":{"user_id":"u","customer_id":null,"cc_email":"张@例子.中国"},"mc_email_infos":["a@b"]}"#
        );
    }
}
