//! Checks for values that end up in request headers. Done when a value is
//! set, so a bad one is reported as an invalid argument naming the option,
//! never as a confusing failure deep in the HTTP stack.

use crate::error::Error;

/// A header value: 1..=`max` bytes of printable ASCII (no CR, LF, NUL or
/// other control characters, which would allow header injection), not
/// starting or ending with a space (HTTP trims those, so the server would
/// see another value than the one set).
pub fn header_value(what: &str, value: &str, max: usize) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid_argument(format!("{what} is empty")));
    }
    if value.len() > max {
        return Err(Error::invalid_argument(format!(
            "{what} is longer than {max} bytes"
        )));
    }
    if let Some(pos) = value.bytes().position(|b| !(0x20..0x7f).contains(&b)) {
        return Err(Error::invalid_argument(format!(
            "{what} contains a control or non-ASCII character at byte {pos}"
        )));
    }
    if value.starts_with(' ') || value.ends_with(' ') {
        return Err(Error::invalid_argument(format!(
            "{what} starts or ends with a space"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_printable_ascii_and_rejects_the_rest() {
        assert!(header_value("x", "zh-cn", 32).is_ok());
        assert!(header_value("x", "GMT+8", 32).is_ok());
        for bad in [
            "",
            "a\r\nX-Evil: 1",
            "a\nb",
            "tab\there",
            "nul\0",
            "é",
            "\x7f",
            " ",
            " en-us",
            "en-us ",
        ] {
            assert!(header_value("x", bad, 32).is_err(), "{bad:?} accepted");
        }
        assert!(header_value("x", &"a".repeat(33), 32).is_err());
    }

    #[test]
    fn message_names_the_option_but_not_the_value() {
        let err = header_value("token", "secret\r\nvalue", 100).unwrap_err();
        assert!(err.message().contains("token"));
        assert!(!err.message().contains("secret"));
    }
}
