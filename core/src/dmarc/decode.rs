//! Bytes of an XML document to text: byte order marks, leading whitespace, the declared
//! encoding (Windows-1252 / ISO-8859-1 as AOL declares them), invalid UTF-8.

use std::borrow::Cow;

/// A repair made while decoding (code, message).
pub(crate) type Repair = (&'static str, String);

/// Decodes an XML document to text. Never fails: invalid UTF-8 is replaced (U+FFFD) and
/// reported. Returns the text starting at the first `<` (BOM and leading whitespace removed)
/// and the repairs made.
#[inline]
pub(crate) fn xml_text(bytes: &[u8]) -> (Cow<'_, str>, Vec<Repair>) {
    let mut repairs = Vec::new();
    let mut b = bytes;
    if let Some(rest) = b.strip_prefix(b"\xEF\xBB\xBF") {
        repairs.push((
            "dmarc.bom",
            "utf-8 byte order mark before the xml declaration removed".to_owned(),
        ));
        b = rest;
    } else if b.starts_with(b"\xFF\xFE") || b.starts_with(b"\xFE\xFF") {
        let little = b[0] == 0xFF;
        let units = b[2..].chunks_exact(2).map(|c| {
            if little {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        let text: String = char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        repairs.push(("dmarc.utf16", "utf-16 document decoded".to_owned()));
        let trimmed = text.trim_start().to_owned();
        return (Cow::Owned(trimmed), repairs);
    }
    let ws = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    if ws > 0 {
        repairs.push((
            "dmarc.leading_whitespace",
            format!("{ws} whitespace byte(s) before the xml declaration removed"),
        ));
        b = &b[ws..];
    }
    // Declared Windows-1252 / ISO-8859-1: decode as such, unless the bytes are valid UTF-8
    // (pure ASCII, or already transcoded by a MIME decoder), which reads the same or better.
    if declares_single_byte(b) && std::str::from_utf8(b).is_err() {
        return (Cow::Owned(windows_1252(b)), repairs);
    }
    match std::str::from_utf8(b) {
        Ok(s) => (Cow::Borrowed(s), repairs),
        Err(e) => {
            repairs.push((
                "dmarc.invalid_utf8",
                format!(
                    "invalid utf-8 at byte {} replaced",
                    e.valid_up_to() + (bytes.len() - b.len())
                ),
            ));
            (String::from_utf8_lossy(b), repairs)
        }
    }
}

/// True when the XML declaration names Windows-1252 or ISO-8859-1 (its superset in practice).
#[inline]
fn declares_single_byte(b: &[u8]) -> bool {
    if !b.starts_with(b"<?xml") {
        return false;
    }
    let head = &b[..b.len().min(200)];
    let Some(end) = memchr::memmem::find(head, b"?>") else {
        return false;
    };
    let decl = head[..end].to_ascii_lowercase();
    let Some(pos) = memchr::memmem::find(&decl, b"encoding") else {
        return false;
    };
    let rest = &decl[pos + 8..];
    let value: Vec<u8> = rest
        .iter()
        .skip_while(|c| matches!(c, b' ' | b'=' | b'"' | b'\'' | b'\t'))
        .take_while(|c| !matches!(c, b'"' | b'\'' | b' ' | b'?'))
        .copied()
        .collect();
    matches!(
        value.as_slice(),
        b"windows-1252"
            | b"cp1252"
            | b"iso-8859-1"
            | b"iso8859-1"
            | b"latin1"
            | b"latin-1"
            | b"us-ascii"
            | b"ascii"
    )
}

/// Windows-1252 to UTF-8 (undefined bytes map to the C1 control of the same value).
#[inline]
pub(crate) fn windows_1252(b: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{8D}',
        '\u{017D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}',
        '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}',
        '\u{9D}', '\u{017E}', '\u{0178}',
    ];
    b.iter()
        .map(|&c| match c {
            0x80..=0x9F => HIGH[usize::from(c - 0x80)],
            _ => char::from(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_whitespace_and_encodings() {
        let (t, r) = xml_text(b"\xEF\xBB\xBF<?xml version=\"1.0\"?><a/>");
        assert!(t.starts_with("<?xml"));
        assert_eq!(r[0].0, "dmarc.bom");
        let (t, r) = xml_text(b" \r\n<?xml version=\"1.0\"?><a/>");
        assert!(t.starts_with("<?xml"));
        assert_eq!(r[0].0, "dmarc.leading_whitespace");
        let (t, r) =
            xml_text(b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>\x93caf\xe9\x94</a>");
        assert!(t.contains("\u{201C}caf\u{e9}\u{201D}"), "{t}");
        assert!(r.is_empty());
        let (t, r) = xml_text(b"<a>\x91x</a>");
        assert!(t.contains('\u{FFFD}'));
        assert_eq!(r[0].0, "dmarc.invalid_utf8");
        let (t, _) = xml_text(b"\xFF\xFE<\0a\0/\0>\0");
        assert_eq!(t, "<a/>");
    }
}
