//! Byte-level helpers, each matching the Python standard-library function the
//! SDK uses: `urllib.parse.quote(s, safe='~')`, `urllib.parse.unquote`,
//! `str.strip()`, and `bytes.hex()`.

use std::borrow::Cow;

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// Appends `s` percent-encoded: every UTF-8 byte except `A-Z a-z 0-9 - _ . ~`
/// becomes `%XX` (upper-case hex), as `quote(s, safe='~')`.
pub(crate) fn push_encoded(out: &mut String, s: &str) {
    let unreserved = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~');
    let mut rest = s.as_bytes();
    while !rest.is_empty() {
        // Runs of unreserved bytes (most of a path) are appended whole.
        let run = rest.iter().take_while(|b| unreserved(b)).count();
        // Unreserved bytes are ASCII: always valid UTF-8 on their own.
        out.push_str(std::str::from_utf8(&rest[..run]).unwrap_or_default());
        let Some(&b) = rest.get(run) else {
            break;
        };
        out.push('%');
        out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
        out.push(char::from(HEX_UPPER[usize::from(b & 0x0f)]));
        rest = &rest[run + 1..];
    }
}

/// Decodes `%XX` escapes (hex digits of either case) as `unquote(s)`: a `%`
/// not followed by two hex digits stays as is, `+` stays `+`, and decoded
/// bytes that are not UTF-8 become U+FFFD, one per maximal invalid subpart
/// (the same substitution rule in Python and Rust).
pub(crate) fn percent_decode_lossy(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).and_then(|&b| hex_value(b)),
                bytes.get(i + 2).and_then(|&b| hex_value(b)),
            ) {
                out.push((hi << 4) | lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    Cow::Owned(match String::from_utf8(out) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Appends `bytes` as lower-case hex.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    // Through a stack buffer in chunks: one append per chunk, not two per byte.
    let mut buf = [0u8; 64];
    for chunk in bytes.chunks(32) {
        for (pair, &b) in buf.chunks_exact_mut(2).zip(chunk) {
            pair[0] = HEX_LOWER[usize::from(b >> 4)];
            pair[1] = HEX_LOWER[usize::from(b & 0x0f)];
        }
        let hex = &buf[..chunk.len() * 2];
        out.push_str(std::str::from_utf8(hex).unwrap_or_default());
    }
}

/// `s.strip()` in Python: Python's whitespace is Unicode `White_Space` (what
/// `char::is_whitespace` tests) plus the separators U+001C..U+001F.
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(s: &str) -> String {
        let mut out = String::new();
        push_encoded(&mut out, s);
        out
    }

    #[test]
    fn encode_keeps_only_unreserved() {
        assert_eq!(encoded("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(encoded(" +/=&?#%"), "%20%2B%2F%3D%26%3F%23%25");
        assert_eq!(
            encoded("!$'()*,;:@[]"),
            "%21%24%27%28%29%2A%2C%3B%3A%40%5B%5D"
        );
        assert_eq!(encoded("é€😀"), "%C3%A9%E2%82%AC%F0%9F%98%80");
        assert_eq!(encoded("\0\x7f"), "%00%7F");
        assert_eq!(encoded(""), "");
        // every ASCII byte: 66 kept, the rest encoded
        let all: String = (0u8..0x80).map(char::from).collect();
        let kept = encoded(&all).chars().filter(|&c| c != '%').count() - 2 * (128 - 66);
        assert_eq!(kept, 66);
    }

    #[test]
    fn decode_like_unquote() {
        assert!(matches!(
            percent_decode_lossy("/a/b"),
            Cow::Borrowed("/a/b")
        ));
        assert_eq!(percent_decode_lossy("%41%2f%2F+"), "A//+");
        assert_eq!(percent_decode_lossy("100%"), "100%");
        assert_eq!(percent_decode_lossy("%4"), "%4");
        assert_eq!(percent_decode_lossy("%zz%4g"), "%zz%4g");
        assert_eq!(percent_decode_lossy("%%41"), "%A");
        assert_eq!(percent_decode_lossy("%c3%A9é"), "éé");
        // invalid UTF-8: one U+FFFD per maximal subpart, as Python's "replace"
        assert_eq!(percent_decode_lossy("%E2%82"), "\u{fffd}");
        assert_eq!(percent_decode_lossy("%FF%C3%28"), "\u{fffd}\u{fffd}(");
        assert_eq!(
            percent_decode_lossy("%ED%A0%80"),
            "\u{fffd}\u{fffd}\u{fffd}"
        );
        assert_eq!(percent_decode_lossy("%C0%AF"), "\u{fffd}\u{fffd}");
        assert_eq!(percent_decode_lossy("%F0%9F%98"), "\u{fffd}");
        assert_eq!(percent_decode_lossy("%E2%82€"), "\u{fffd}€");
    }

    #[test]
    fn hex_lower() {
        let mut out = String::new();
        push_hex(&mut out, &[0x00, 0x0f, 0xa5, 0xff]);
        assert_eq!(out, "000fa5ff");
    }

    #[test]
    fn strip_like_python() {
        // Python 3's str.isspace() set, listed exhaustively.
        let python_space = [
            0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000,
            0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028,
            0x2029, 0x202f, 0x205f, 0x3000,
        ];
        for cp in 0..=0x0010_ffff_u32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let s = format!("{c}x{c}");
            let expected = if python_space.contains(&cp) {
                "x"
            } else {
                s.as_str()
            };
            assert_eq!(py_strip(&s), expected, "U+{cp:04X}");
        }
        assert_eq!(py_strip("  a  b \t"), "a  b");
        assert_eq!(py_strip("   "), "");
        assert_eq!(py_strip(""), "");
        // U+200B ZERO WIDTH SPACE and U+FEFF are not whitespace in either language
        assert_eq!(py_strip("\u{200b}a\u{feff}"), "\u{200b}a\u{feff}");
    }
}
