//! Identifier decoding exactly as EDI's parsers do it.

/// EDI's `default_parser.parse_identifiers`: `str(codecs.decode(hex, 'hex'))`, i.e. the
/// Python `repr` of the decoded bytes (`b'\x03C\xbf\x07\x13/mined by gbminers/…'`). Known
/// tags are then matched as substrings of this text, so a tag only matches where its bytes are
/// printable ASCII (a backslash or quote in a tag would have to be written escaped).
///
/// `None` when `hex` is not valid hex (odd length or a non-hex digit); EDI raises there.
pub fn python_bytes_repr_of_hex(hex: &str) -> Option<String> {
    let bytes = decode_hex(hex.as_bytes(), false)?;
    Some(python_bytes_repr(&bytes))
}

/// Python's `repr(bytes)`.
pub fn python_bytes_repr(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut s = String::with_capacity(bytes.len() + 3);
    s.push('b');
    s.push(quote as char);
    for &b in bytes {
        match b {
            b'\\' => s.push_str("\\\\"),
            b'\t' => s.push_str("\\t"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            _ if b == quote => {
                s.push('\\');
                s.push(b as char);
            }
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push(quote as char);
    s
}

/// EDI's `ethereum_parser.parse_identifiers`: drop the first two characters (`0x`), decode
/// hex to UTF-8; on any failure keep the field as it was.
pub fn ethereum_extra_data(field: &str) -> String {
    // Python slices characters, not bytes.
    let rest = field.char_indices().nth(2).map_or("", |(i, _)| &field[i..]);
    decode_hex(rest.as_bytes(), true)
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_else(|| field.to_string())
}

/// Hex → bytes. With `skip_space`, ASCII whitespace between byte pairs is skipped, like
/// Python's `bytes.fromhex`; `binascii`'s decoder (used by `codecs`) allows none.
fn decode_hex(s: &[u8], skip_space: bool) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 2);
    let mut i = 0;
    while i < s.len() {
        if skip_space && s[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let hi = (s[i] as char).to_digit(16)?;
        let lo = (*s.get(i + 1)? as char).to_digit(16)?;
        out.push((hi * 16 + lo) as u8);
        i += 2;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_repr_matches_python() {
        // python3 -c "import codecs; print(str(codecs.decode('0343bf07132f6d696e6564','hex')))"
        assert_eq!(
            python_bytes_repr_of_hex("0343bf07132f6d696e6564").unwrap(),
            r"b'\x03C\xbf\x07\x13/mined'"
        );
        assert_eq!(python_bytes_repr(b"a'b"), r#"b"a'b""#);
        assert_eq!(python_bytes_repr(b"a'\"b"), r#"b'a\'"b'"#);
        assert_eq!(python_bytes_repr(b"\\\t\n\r\x7f"), r"b'\\\t\n\r\x7f'");
        assert_eq!(python_bytes_repr_of_hex("").unwrap(), "b''");
        assert_eq!(python_bytes_repr_of_hex("ABcd").unwrap(), r"b'\xab\xcd'");
        assert!(python_bytes_repr_of_hex("abc").is_none());
        assert!(python_bytes_repr_of_hex("zz").is_none());
        assert!(python_bytes_repr_of_hex("é").is_none());
    }

    #[test]
    fn ethereum_extra_data_matches_python() {
        assert_eq!(ethereum_extra_data("0x657a696c2e6d65"), "ezil.me");
        assert_eq!(ethereum_extra_data("0x"), "");
        assert_eq!(ethereum_extra_data("0x3"), "0x3");
        assert_eq!(ethereum_extra_data("0xff"), "0xff");
        assert_eq!(ethereum_extra_data("0x65 7a"), "ez");
        assert_eq!(ethereum_extra_data("é"), "");
        assert_eq!(ethereum_extra_data("0é61"), "a");
        assert_eq!(ethereum_extra_data(""), "");
    }
}
