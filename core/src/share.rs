//! The summary link: verdicts and the provider table, compressed into a URL fragment.
//!
//! Encoding (research/ux.md §3.6): the summary [`Findings`] as compact JSON, compressed with
//! raw DEFLATE (RFC 1951, what the browser's `CompressionStream("deflate-raw")` writes) and
//! written as unpadded base64url (RFC 4648 §5). The page puts it after `#s=`; a fragment is
//! never sent to a server. Decoding is bounded: at most [`MAX_LINK_CHARS`] characters in and
//! [`MAX_DECODED_BYTES`] bytes of JSON out, so a hostile link cannot exhaust memory.
//!
//! Redact first: the page runs [`crate::redact::redact`] before it builds a link.

use std::io::{Read, Write};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use serde::Serialize;

use crate::findings::Findings;
use crate::postfix::aggregate::DeliveryFindings;

/// A link up to this many characters is safe in every browser and chat client (the de facto
/// limit; research/ux.md §3.6): longer ones get a warning.
pub const WARN_LINK_CHARS: usize = 2_000;
/// Links longer than this are refused (address-bar limits); the HTML report is the way to
/// share that much.
pub const MAX_LINK_CHARS: usize = 32_000;
/// Most JSON bytes a link may decompress to.
pub const MAX_DECODED_BYTES: u64 = 1 << 20;

/// Why a link could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    /// Longer than [`MAX_LINK_CHARS`].
    #[error("summary link is {0} characters long; at most {MAX_LINK_CHARS} are accepted")]
    TooLong(usize),
    /// Not base64url.
    #[error("summary link is not base64url: {0}")]
    Base64(#[from] base64::DecodeError),
    /// Not raw DEFLATE, or more than [`MAX_DECODED_BYTES`] once decompressed.
    #[error("summary link does not decompress: {0}")]
    Inflate(String),
    /// Not findings JSON of this schema version.
    #[error("summary link: {0}")]
    Findings(#[from] crate::findings::FindingsError),
}

/// How a link of some length can be shared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkCheck {
    /// Characters of the whole link.
    pub length: usize,
    /// `ok` (up to [`WARN_LINK_CHARS`]), `long` (up to [`MAX_LINK_CHARS`]) or `too_long`.
    pub level: &'static str,
    /// What to tell the user.
    pub message: String,
}

/// Judges a link of `length` characters (the whole URL, fragment included).
pub fn check_link(length: usize) -> LinkCheck {
    let n = crate::verdict::thousands(length as u64);
    let (level, message) = if length <= WARN_LINK_CHARS {
        ("ok", format!("{n} characters: safe to paste anywhere"))
    } else if length <= MAX_LINK_CHARS {
        (
            "long",
            format!(
                "{n} characters: longer than {} characters, some mail and chat clients may cut it; the HTML report is safer",
                crate::verdict::thousands(WARN_LINK_CHARS as u64)
            ),
        )
    } else {
        (
            "too_long",
            format!(
                "{n} characters: too long for a link (at most {}); share the HTML report or the findings file instead",
                crate::verdict::thousands(MAX_LINK_CHARS as u64)
            ),
        )
    };
    LinkCheck {
        length,
        level,
        message,
    }
}

/// What a summary link carries: the inputs, verdicts, the provider totals with their
/// display names, the log counters and the DMARC totals; no daily rows, reply texts, DMARC
/// rows or diagnostics.
pub fn summary(f: &Findings) -> Findings {
    Findings {
        schema_version: f.schema_version,
        generator: f.generator.clone(),
        inputs: f.inputs.clone(),
        delivery: DeliveryFindings {
            provider_totals: f.delivery.provider_totals.clone(),
            provider_names: f.delivery.provider_names.clone(),
            stats: f.delivery.stats.clone(),
            ..DeliveryFindings::default()
        },
        dmarc: crate::dmarc::DmarcFindings {
            totals: f.dmarc.totals.clone(),
            failure_reports: f.dmarc.failure_reports,
            smtp_tls_reports: f.dmarc.smtp_tls_reports,
            duplicate_reports: f.dmarc.duplicate_reports,
            ..crate::dmarc::DmarcFindings::default()
        },
        verdicts: f.verdicts.clone(),
        diagnostics: Vec::new(),
        redaction: f.redaction.clone(),
    }
}

/// The link payload of `f`'s [`summary`] (base64url of raw DEFLATE of compact JSON).
pub fn encode(f: &Findings) -> String {
    let json = serde_json::to_vec(&summary(f)).unwrap_or_default();
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
    // Writing into a Vec cannot fail.
    let compressed = enc
        .write_all(&json)
        .and_then(|()| enc.finish())
        .unwrap_or_default();
    URL_SAFE_NO_PAD.encode(compressed)
}

/// Reads a link payload back (with or without a leading `#s=` / `s=`). `#[inline]`: compiled
/// in the calling crate (see [`Findings::to_json`]).
#[inline]
pub fn decode(payload: &str) -> Result<Findings, ShareError> {
    let payload = payload.trim();
    let payload = payload.strip_prefix('#').unwrap_or(payload);
    let payload = payload.strip_prefix("s=").unwrap_or(payload);
    if payload.len() > MAX_LINK_CHARS {
        return Err(ShareError::TooLong(payload.len()));
    }
    let compressed = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('='))?;
    let mut json = Vec::new();
    DeflateDecoder::new(compressed.as_slice())
        .take(MAX_DECODED_BYTES + 1)
        .read_to_end(&mut json)
        .map_err(|e| ShareError::Inflate(e.to_string()))?;
    if json.len() as u64 > MAX_DECODED_BYTES {
        return Err(ShareError::Inflate(format!(
            "more than {MAX_DECODED_BYTES} bytes"
        )));
    }
    let text = String::from_utf8_lossy(&json);
    Ok(Findings::from_json_checked(&text)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Analyzer, Config, Date};
    use std::fmt::Write as _;

    fn findings() -> Findings {
        let mut log = String::new();
        for i in 0..150 {
            let _ = writeln!(
                log,
                "Nov 20 10:00:{:02} mx1 postfix/smtp[1]: 4jVwT647Tt{i:05}: to=<u{i}@outlook.com>, relay=outlook-com.olc.protection.outlook.com[52.101.1.1]:25, delay=1, delays=0/0/0/1, dsn=4.7.650, status=deferred (host outlook-com.olc.protection.outlook.com[52.101.1.1] said: 451 4.7.650 The mail server [203.0.113.94] has been temporarily rate limited due to IP reputation. (S775) (in reply to MAIL FROM command))",
                i % 60
            );
        }
        Analyzer::analyze(
            Config::default(),
            &[("mail.log", log.as_bytes())],
            Date::new(2026, 11, 21).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn a_link_round_trips_the_summary() {
        let f = findings();
        let link = encode(&f);
        assert!(
            link.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        let back = decode(&format!("#s={link}")).unwrap();
        assert_eq!(back, summary(&f));
        assert!(!f.verdicts.is_empty());
        assert_eq!(back.verdicts, f.verdicts);
        assert_eq!(back.delivery.provider_totals, f.delivery.provider_totals);
        assert!(back.delivery.daily.is_empty());
    }

    #[test]
    fn bad_links_are_refused_with_a_reason() {
        assert!(matches!(decode("!!!"), Err(ShareError::Base64(_))));
        assert!(matches!(
            decode("AAAA"),
            Err(ShareError::Inflate(_) | ShareError::Findings(_))
        ));
        assert!(matches!(
            decode(&"A".repeat(MAX_LINK_CHARS + 1)),
            Err(ShareError::TooLong(_))
        ));
        // A deflate bomb: 16 MiB of spaces compresses to a link under the length limit.
        let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
        enc.write_all(&vec![b' '; 16 << 20]).unwrap();
        let bomb = URL_SAFE_NO_PAD.encode(enc.finish().unwrap());
        assert!(bomb.len() < MAX_LINK_CHARS, "{}", bomb.len());
        assert!(matches!(decode(&bomb), Err(ShareError::Inflate(_))));
        let mut other = serde_json::to_value(summary(&findings())).unwrap();
        other["schema_version"] = 99.into();
        let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
        enc.write_all(other.to_string().as_bytes()).unwrap();
        let link = URL_SAFE_NO_PAD.encode(enc.finish().unwrap());
        assert!(matches!(
            decode(&link),
            Err(ShareError::Findings(
                crate::findings::FindingsError::Schema(99)
            ))
        ));
    }

    #[test]
    fn link_lengths_are_judged() {
        assert_eq!(check_link(1_999).level, "ok");
        assert_eq!(check_link(2_001).level, "long");
        let c = check_link(40_000);
        assert_eq!(c.level, "too_long");
        assert!(c.message.contains("40,000 characters"), "{}", c.message);
    }
}
