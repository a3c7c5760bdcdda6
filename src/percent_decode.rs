//! Strict `%XX` decoding of URL parts tcc takes apart itself (a proxy URL's
//! login, a redirect's query). Unlike the signer's lenient decoding (see
//! `signing`), a malformed escape is an error here, not kept as text.

/// Decodes `%XX` escapes (hex digits of either case); `+` stays `+`.
/// `None` if an escape is not `%` and two hex digits, or the result is not UTF-8.
pub(crate) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |at: usize| char::from(*bytes.get(at)?).to_digit(16);
            out.push((hex(i + 1)? * 16 + hex(i + 2)?) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_decode_and_malformed_ones_fail() {
        assert_eq!(percent_decode("a%2Fb%2f+c").as_deref(), Some("a/b/+c"));
        assert_eq!(percent_decode("caf%C3%A9").as_deref(), Some("café"));
        assert_eq!(percent_decode("plain").as_deref(), Some("plain"));
        for bad in ["%", "%4", "%zz", "%+f", "%-1", "%FF"] {
            assert_eq!(percent_decode(bad), None, "{bad}");
        }
    }
}
