//! Unwrapping containers by content, never by name: gzip (multi-member, trailing bytes,
//! nested), zip (every entry, bounded), MIME messages (every leaf part, sniffed), mbox
//! (`From ` separated messages); and classifying what is inside: aggregate XML, SMTP TLS JSON
//! (RFC 8460), failure reports (RFC 6591 ARF / RFC 7489 §7.3).

use std::io::{Cursor, Read};

use mail_parser::{MessageParser, MimeHeaders, PartType};

use super::Item;
use super::decode;
use super::xml::{self, Warnings, XmlOutcome};
use crate::diagnostic::{Diagnostic, Level, Position};
use crate::limits::Limits;

/// Deepest container nesting followed (gzip in zip in a MIME part in an mbox message …).
const MAX_NESTING: u32 = 8;

/// Decompressed bytes always allowed, whatever the ratio (small reports compress well).
const RATIO_FLOOR_BYTES: u64 = 1024 * 1024;

/// What the first bytes of a blob look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Empty,
    Gzip,
    Zip,
    Xml,
    Json,
    Mbox,
    Message,
    Unknown,
}

/// Sniffs a blob by its first bytes.
#[inline]
pub(crate) fn kind(b: &[u8]) -> Kind {
    if b.starts_with(&[0x1f, 0x8b]) {
        return Kind::Gzip;
    }
    if b.starts_with(b"PK\x03\x04") || b.starts_with(b"PK\x05\x06") {
        return Kind::Zip;
    }
    let t = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    if t.starts_with(b"\xFF\xFE<") || t.starts_with(b"\xFE\xFF\0<") {
        return Kind::Xml;
    }
    let start = t.iter().position(|c| !c.is_ascii_whitespace());
    let Some(start) = start else {
        return Kind::Empty;
    };
    let t = &t[start..];
    match t[0] {
        b'<' => Kind::Xml,
        b'{' => Kind::Json,
        _ if t.starts_with(b"From ") => Kind::Mbox,
        _ if looks_like_message(t) => Kind::Message,
        _ => Kind::Unknown,
    }
}

/// RFC 5322 header block heuristic: every line up to the first empty one (at most 64 KiB) is a
/// `Name: value` field or a folded continuation, and a typical message field is present.
#[inline]
fn looks_like_message(b: &[u8]) -> bool {
    let head = &b[..b.len().min(64 * 1024)];
    let mut known = false;
    let mut lines = 0;
    for line in head.split(|c| *c == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        lines += 1;
        if line[0] == b' ' || line[0] == b'\t' {
            if lines == 1 {
                return false;
            }
            continue;
        }
        let Some(colon) = line.iter().position(|c| *c == b':') else {
            return false;
        };
        let name = &line[..colon];
        if name.is_empty() || !name.iter().all(|c| c.is_ascii_graphic() && *c != b':') {
            return false;
        }
        let lower = name.to_ascii_lowercase();
        known |= matches!(
            lower.as_slice(),
            b"content-type"
                | b"mime-version"
                | b"received"
                | b"from"
                | b"subject"
                | b"date"
                | b"return-path"
                | b"message-id"
                | b"delivered-to"
                | b"dkim-signature"
                | b"to"
        );
    }
    known
}

/// Reading state for one input blob.
pub(crate) struct Reader<'a> {
    input: &'a str,
    limits: &'a Limits,
    pub(crate) items: Vec<Item>,
    parts: usize,
}

impl<'a> Reader<'a> {
    #[inline]
    pub(crate) fn new(input: &'a str, limits: &'a Limits) -> Self {
        Self {
            input,
            limits,
            items: Vec::new(),
            parts: 0,
        }
    }

    #[inline]
    fn diag(
        &mut self,
        level: Level,
        code: &str,
        member: Option<&str>,
        offset: Option<u64>,
        message: impl Into<String>,
    ) {
        let position = Position {
            member: member.map(str::to_owned),
            line: None,
            offset,
        };
        self.items.push(Item::Diagnostic(Diagnostic::new(
            level, code, self.input, position, message,
        )));
    }

    /// The decompressed-size cap for `compressed` input bytes.
    #[inline]
    fn cap(&self, compressed: u64) -> u64 {
        let by_ratio = compressed
            .saturating_mul(self.limits.max_ratio)
            .max(RATIO_FLOOR_BYTES);
        by_ratio.min(self.limits.max_decompressed_bytes)
    }

    /// Reads one blob found at `member` (nested `depth` containers deep).
    #[inline]
    pub(crate) fn blob(&mut self, bytes: &[u8], member: Option<&str>, depth: u32) {
        if depth > MAX_NESTING {
            self.diag(
                Level::Error,
                "limit.nesting",
                member,
                None,
                format!("containers nested deeper than {MAX_NESTING} levels"),
            );
            return;
        }
        match kind(bytes) {
            Kind::Empty => self.diag(Level::Error, "input.empty", member, None, "empty document"),
            Kind::Gzip => self.gzip(bytes, member, depth),
            Kind::Zip => self.zip(bytes, member, depth),
            Kind::Xml => self.xml(bytes, member),
            Kind::Json => self.json(bytes, member),
            Kind::Mbox => self.mbox(bytes, member, depth),
            Kind::Message => self.message(bytes, member, depth),
            Kind::Unknown => self.diag(
                Level::Error,
                "dmarc.not_a_report",
                member,
                None,
                "not a dmarc report: no xml, json, gzip, zip, mime message or mbox content",
            ),
        }
    }

    #[inline]
    fn xml(&mut self, bytes: &[u8], member: Option<&str>) {
        let (text, repairs) = decode::xml_text(bytes);
        let mut warnings = Warnings::default();
        for (code, message) in repairs {
            let level = if code == "dmarc.invalid_utf8" {
                Level::Warning
            } else {
                Level::Info
            };
            warnings.add(level, code, message);
        }
        match xml::parse(&text, self.limits, warnings) {
            XmlOutcome::Report(mut report) => {
                report.member = member.map(str::to_owned);
                let diags: Vec<Diagnostic> = report
                    .warnings
                    .iter()
                    .map(|w| {
                        let mut d = Diagnostic::new(
                            w.level,
                            &w.code,
                            self.input,
                            Position {
                                member: member.map(str::to_owned),
                                line: None,
                                offset: None,
                            },
                            format!(
                                "{} (report {} {})",
                                w.message, report.org_name, report.report_id
                            ),
                        );
                        d.count = w.count;
                        d
                    })
                    .collect();
                self.items.push(Item::Aggregate(report));
                self.items.extend(diags.into_iter().map(Item::Diagnostic));
            }
            XmlOutcome::Rejected(code, message, offset) => {
                self.diag(Level::Error, code, member, offset, message);
            }
        }
    }

    #[inline]
    fn json(&mut self, bytes: &[u8], member: Option<&str>) {
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match serde_json::from_slice::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(map))
                if map.contains_key("policies")
                    && (map.contains_key("organization-name") || map.contains_key("report-id")) =>
            {
                self.items.push(Item::SmtpTls {
                    member: member.map(str::to_owned),
                });
            }
            Ok(_) => self.diag(
                Level::Error,
                "dmarc.not_a_report",
                member,
                None,
                "json document that is not an smtp tls report (rfc 8460)",
            ),
            Err(e) => self.diag(
                Level::Error,
                "dmarc.json_syntax",
                member,
                None,
                format!("invalid json: {e}"),
            ),
        }
    }

    #[inline]
    fn gzip(&mut self, bytes: &[u8], member: Option<&str>, depth: u32) {
        let cap = self.cap(bytes.len() as u64);
        let mut out = Vec::new();
        let mut rest = bytes;
        let mut members = 0u32;
        loop {
            let decoder = flate2::bufread::GzDecoder::new(rest);
            let room = cap.saturating_sub(out.len() as u64).saturating_add(1);
            let mut limited = decoder.take(room);
            let result = limited.read_to_end(&mut out);
            if out.len() as u64 > cap {
                self.limit_hit(member, cap, bytes.len());
                return;
            }
            let decoder = limited.into_inner();
            if let Err(e) = result {
                if members == 0 {
                    self.diag(
                        Level::Error,
                        "input.gzip_corrupt",
                        member,
                        None,
                        format!("corrupt gzip stream: {e}"),
                    );
                    return;
                }
                self.diag(
                    Level::Warning,
                    "input.gzip_trailing_garbage",
                    member,
                    Some((bytes.len() - rest.len()) as u64),
                    format!("undecodable data after gzip member {members} ignored: {e}"),
                );
                break;
            }
            members += 1;
            rest = decoder.into_inner();
            if rest.is_empty() {
                break;
            }
            if !rest.starts_with(&[0x1f, 0x8b]) {
                let offset = Some((bytes.len() - rest.len()) as u64);
                if rest.iter().all(|c| c.is_ascii_whitespace() || *c == 0) {
                    self.diag(
                        Level::Info,
                        "input.gzip_trailing_garbage",
                        member,
                        offset,
                        format!(
                            "{} whitespace byte(s) after the gzip stream ignored",
                            rest.len()
                        ),
                    );
                } else {
                    self.diag(
                        Level::Warning,
                        "input.gzip_trailing_garbage",
                        member,
                        offset,
                        format!(
                            "{} byte(s) of non-gzip data after the gzip stream ignored",
                            rest.len()
                        ),
                    );
                }
                break;
            }
        }
        self.blob(&out, member, depth + 1);
    }

    #[inline]
    fn limit_hit(&mut self, member: Option<&str>, cap: u64, compressed: usize) {
        let code = if cap >= self.limits.max_decompressed_bytes {
            "limit.decompressed_size"
        } else {
            "limit.decompression_ratio"
        };
        self.diag(
            Level::Error,
            code,
            member,
            None,
            format!(
                "decompressed size exceeds {cap} bytes ({compressed} compressed bytes; max ratio {}, max size {})",
                self.limits.max_ratio, self.limits.max_decompressed_bytes
            ),
        );
    }

    #[inline]
    fn zip(&mut self, bytes: &[u8], member: Option<&str>, depth: u32) {
        let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
            Ok(a) => a,
            Err(e) => {
                self.diag(
                    Level::Error,
                    "input.zip_corrupt",
                    member,
                    None,
                    format!("corrupt zip archive: {e}"),
                );
                return;
            }
        };
        let n = archive.len();
        if n > self.limits.max_zip_entries {
            self.diag(
                Level::Error,
                "limit.zip_entries",
                member,
                None,
                format!(
                    "zip archive has {n} entries; only the first {} were read",
                    self.limits.max_zip_entries
                ),
            );
        }
        let mut files = 0;
        for i in 0..n.min(self.limits.max_zip_entries) {
            let (name, data) = {
                let file = match archive.by_index(i) {
                    Ok(f) => f,
                    Err(e) => {
                        let m = join(member, &format!("entry {}", i + 1));
                        self.diag(
                            Level::Error,
                            "input.zip_corrupt",
                            Some(&m),
                            None,
                            format!("unreadable zip entry: {e}"),
                        );
                        continue;
                    }
                };
                if file.is_dir() {
                    continue;
                }
                let name = file
                    .name()
                    .map_or_else(|_| format!("entry {}", i + 1), std::borrow::Cow::into_owned);
                let cap = self.cap(file.compressed_size());
                if file.size() > cap {
                    let m = join(member, &name);
                    let compressed = file.compressed_size() as usize;
                    drop(file);
                    self.limit_hit(Some(&m), cap, compressed);
                    continue;
                }
                let compressed = file.compressed_size() as usize;
                let mut data = Vec::new();
                let mut limited = file.take(cap.saturating_add(1));
                if let Err(e) = limited.read_to_end(&mut data) {
                    let m = join(member, &name);
                    drop(limited);
                    self.diag(
                        Level::Error,
                        "input.zip_corrupt",
                        Some(&m),
                        None,
                        format!("corrupt zip entry: {e}"),
                    );
                    continue;
                }
                if data.len() as u64 > cap {
                    let m = join(member, &name);
                    drop(limited);
                    self.limit_hit(Some(&m), cap, compressed);
                    continue;
                }
                (name, data)
            };
            files += 1;
            let m = join(member, &name);
            self.blob(&data, Some(&m), depth + 1);
        }
        if files == 0 && n <= self.limits.max_zip_entries {
            self.diag(
                Level::Error,
                "dmarc.not_a_report",
                member,
                None,
                "zip archive without files",
            );
        }
    }

    #[inline]
    fn mbox(&mut self, bytes: &[u8], member: Option<&str>, depth: u32) {
        let mark = self.items.len();
        let mut starts = vec![0usize];
        starts.extend(memchr::memmem::find_iter(bytes, b"\nFrom ").map(|p| p + 1));
        for (n, w) in starts.iter().enumerate() {
            if n >= self.limits.max_parts {
                self.diag(
                    Level::Error,
                    "limit.parts",
                    member,
                    None,
                    format!(
                        "mbox has more than {} messages; the rest were not read",
                        self.limits.max_parts
                    ),
                );
                break;
            }
            let end = starts.get(n + 1).copied().unwrap_or(bytes.len());
            let chunk = &bytes[*w..end];
            // Skip the `From sender date` separator line.
            let body = memchr::memchr(b'\n', chunk).map_or(&[][..], |p| &chunk[p + 1..]);
            let m = join(member, &format!("message {}", n + 1));
            if body.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.message(body, Some(&m), depth + 1);
        }
        if self.items.len() == mark {
            self.diag(
                Level::Error,
                "dmarc.not_a_report",
                member,
                None,
                "mbox without messages",
            );
        }
    }

    #[inline]
    fn message(&mut self, bytes: &[u8], member: Option<&str>, depth: u32) {
        let Some(msg) = MessageParser::default().parse(bytes) else {
            self.diag(
                Level::Error,
                "dmarc.not_a_report",
                member,
                None,
                "unparseable mime message",
            );
            return;
        };
        let before = self.items.len();
        // Failure (ruf) report: multipart/report; report-type=feedback-report, or an ARF part.
        let is_failure = msg.parts.iter().any(|p| {
            p.content_type().is_some_and(|ct| {
                let sub = ct.subtype().unwrap_or("");
                (ct.ctype().eq_ignore_ascii_case("multipart")
                    && sub.eq_ignore_ascii_case("report")
                    && ct
                        .attribute("report-type")
                        .is_some_and(|t| t.eq_ignore_ascii_case("feedback-report")))
                    || (ct.ctype().eq_ignore_ascii_case("message")
                        && sub.eq_ignore_ascii_case("feedback-report"))
            })
        });
        if is_failure {
            self.items.push(Item::Failure {
                member: member.map(str::to_owned),
            });
            return;
        }
        for (i, part) in msg.parts.iter().enumerate() {
            self.parts += 1;
            if self.parts > self.limits.max_parts {
                self.diag(
                    Level::Error,
                    "limit.parts",
                    member,
                    None,
                    format!(
                        "more than {} mime parts; the rest were not read",
                        self.limits.max_parts
                    ),
                );
                return;
            }
            let data: &[u8] = match &part.body {
                PartType::Multipart(_) | PartType::Html(_) => continue,
                PartType::Text(t) => t.as_bytes(),
                PartType::Binary(b) | PartType::InlineBinary(b) => b.as_ref(),
                PartType::Message(m) => m.raw_message.as_ref(),
            };
            let name = part.attachment_name().map(str::to_owned);
            let label = match &name {
                Some(n) => format!("part {} ({n})", i + 1),
                None => format!("part {}", i + 1),
            };
            let m = if i == 0 && msg.parts.len() == 1 {
                // Single-part message: the body itself (Google sends the zip as the body).
                member.map_or_else(|| "body".to_owned(), |mm| format!("{mm} > body"))
            } else {
                join(member, &label)
            };
            let k = kind(data);
            let inline_text = part.is_text() && name.is_none();
            match k {
                Kind::Gzip | Kind::Zip | Kind::Xml | Kind::Json => {
                    let mark = self.items.len();
                    self.blob(data, Some(&m), depth + 1);
                    if inline_text {
                        // A text body that merely starts with `<` or `{` is not a failed report.
                        let only_not_report = self.items[mark..].iter().all(|it| {
                            matches!(it, Item::Diagnostic(d) if d.code == "dmarc.not_a_report" || d.code == "dmarc.xml_syntax" || d.code == "dmarc.json_syntax")
                        });
                        if only_not_report {
                            self.items.truncate(mark);
                        }
                    }
                }
                Kind::Message | Kind::Mbox if matches!(part.body, PartType::Message(_)) => {
                    self.blob(data, Some(&m), depth + 1);
                }
                _ => {}
            }
        }
        let found = self.items[before..].iter().any(|it| {
            matches!(
                it,
                Item::Aggregate(_) | Item::Failure { .. } | Item::SmtpTls { .. }
            ) || matches!(it, Item::Diagnostic(d) if d.level == Level::Error)
        });
        if !found {
            self.diag(
                Level::Error,
                "dmarc.not_a_report",
                member,
                None,
                "mime message without a dmarc aggregate, failure or smtp tls report",
            );
        }
    }
}

/// `outer > inner` member path.
#[inline]
fn join(outer: Option<&str>, inner: &str) -> String {
    match outer {
        Some(o) => format!("{o} > {inner}"),
        None => inner.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(kind(b""), Kind::Empty);
        assert_eq!(kind(b" \n"), Kind::Empty);
        assert_eq!(kind(b"\x1f\x8b\x08"), Kind::Gzip);
        assert_eq!(kind(b"PK\x03\x04"), Kind::Zip);
        assert_eq!(kind(b"\xEF\xBB\xBF<?xml"), Kind::Xml);
        assert_eq!(kind(b"  <?xml"), Kind::Xml);
        assert_eq!(kind(b"{\"organization-name\":1}"), Kind::Json);
        assert_eq!(
            kind(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n"),
            Kind::Mbox
        );
        assert_eq!(
            kind(b"Return-Path: <a@b>\r\nSubject: x\r\n\r\nbody"),
            Kind::Message
        );
        assert_eq!(
            kind(b"Jan  1 00:00:00 host postfix/smtp[1]: x"),
            Kind::Unknown
        );
        assert_eq!(kind(b"this is a file\n"), Kind::Unknown);
        assert_eq!(kind(b"X-Foo: bar\n\nbody"), Kind::Unknown);
    }
}
