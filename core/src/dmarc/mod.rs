//! DMARC aggregate reports (RFC 7489 appendix C; DMARCbis / RFC 9990
//! `urn:ietf:params:xml:ns:dmarc-2.0`), plus recognition of failure reports (RFC 6591 / RFC 7489
//! §7.3) and SMTP TLS reports (RFC 8460) found among them.
//!
//! Pipeline: [`read_blob`] turns one complete input blob into [`Item`]s (containers are
//! unwrapped by content: gzip, zip, MIME message, mbox; XML is read by a streaming, lenient
//! reader that never expands entities); a [`DmarcAggregator`] de-duplicates the aggregate
//! reports on normalized `(org_name, report_id)` and aggregates them into [`DmarcFindings`].
//!
//! Modules: `container` (sniffing and unwrapping), `decode` (BOM, encodings), `xml`
//! (streaming reader), `normalize` (reporter identity as parsedmarc), [`model`] (the
//! normalized report), [`aggregate`] (findings), [`source_class`] (ours / forwarder /
//! external).

pub mod aggregate;
mod container;
mod decode;
pub mod model;
mod normalize;
pub mod readiness;
pub mod source_class;
mod xml;

pub use aggregate::{
    Dispositions, DmarcAggregator, DmarcFindings, DmarcTotals, DomainSummary, DuplicateReport,
    ReportSummary, ReporterSummary, SourceDay,
};
pub use model::{
    AggregateReport, DkimAuth, OverrideReason, PolicyPublished, Record, ReportWarning, SpfAuth,
};
pub use source_class::{SourceClass, classify_source, is_forwarding_reason};

use crate::diagnostic::{Diagnostic, Level, Position};
use crate::limits::Limits;

/// What one buffered input blob (XML, gzip, zip, MIME message, mbox) contained.
#[derive(Debug, Clone)]
pub enum Item {
    /// A parsed aggregate report (boxed: large).
    Aggregate(Box<AggregateReport>),
    /// A failure (ruf, RFC 6591 / RFC 7489 §7.3) report: recognised and counted.
    Failure {
        /// Container member it came from.
        member: Option<String>,
    },
    /// An SMTP TLS report (RFC 8460): recognised and counted.
    SmtpTls {
        /// Container member it came from.
        member: Option<String>,
    },
    /// A problem (corrupt archive, not a report, limit hit, repaired quirk).
    Diagnostic(Diagnostic),
}

/// Reads a complete blob. `input` names it in diagnostics.
///
/// The kind is detected from the content, never from a name: XML (BOM, leading whitespace,
/// any namespace or prefix), gzip (multi-member, trailing bytes, nested), zip (every entry, at
/// most [`Limits::max_zip_entries`]), MIME message (every leaf part, sniffed whatever its
/// declared type), mbox, SMTP TLS JSON. Each aggregate report yields an [`Item::Aggregate`]
/// followed by one info/warning [`Item::Diagnostic`] per kind of repaired quirk; anything
/// unusable yields an error diagnostic (`dmarc.not_a_report`, `dmarc.xml_syntax`,
/// `input.zip_corrupt`, `input.gzip_corrupt`, `input.empty`, `limit.decompressed_size`,
/// `limit.decompression_ratio`, `limit.zip_entries`, `limit.xml_depth`, …) naming the input
/// and the container member. Never panics.
///
/// Decompression is bounded per gzip stream / zip entry by
/// `min(max_decompressed_bytes, max(max_ratio × compressed size, 1 MiB))`.
#[inline]
pub fn read_blob(input: &str, bytes: &[u8], limits: &Limits) -> Vec<Item> {
    if bytes.len() > limits.max_document_bytes {
        return vec![Item::Diagnostic(Diagnostic::new(
            Level::Error,
            "limit.document_size",
            input,
            Position::default(),
            format!(
                "document of {} bytes exceeds the limit of {} bytes",
                bytes.len(),
                limits.max_document_bytes
            ),
        ))];
    }
    let mut reader = container::Reader::new(input, limits);
    reader.blob(bytes, None, 0);
    reader.items
}

/// True when the first bytes of a (decompressed) stream look like something [`read_blob`]
/// handles: XML, a MIME message or an mbox, JSON TLS report (one that names
/// `organization-name`, `report-id` or `policies` in the head), or a gzip / zip archive.
/// Postfix log lines (syslog, RFC 3339 stamps, journald JSON) are not matched.
#[inline]
pub fn sniff(head: &[u8]) -> bool {
    use container::Kind;
    match container::kind(head) {
        Kind::Gzip | Kind::Zip | Kind::Xml | Kind::Mbox | Kind::Message => true,
        Kind::Json => ["\"organization-name\"", "\"report-id\"", "\"policies\""]
            .iter()
            .any(|k| memchr::memmem::find(head, k.as_bytes()).is_some()),
        Kind::Empty | Kind::Unknown => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_accepts_reports_and_rejects_logs() {
        assert!(sniff(b"<?xml version=\"1.0\"?><feedback>"));
        assert!(sniff(b"\xEF\xBB\xBF<?xml"));
        assert!(sniff(
            b"{\"organization-name\":\"Google Inc.\",\"date-range\":{"
        ));
        assert!(sniff(b"From dmarc@example.com Tue Apr 30 02:09:16 2019\n"));
        assert!(sniff(
            b"Received: from x\r\n\tby y\r\nSubject: Report\r\n\r\n"
        ));
        assert!(!sniff(
            b"{\"__CURSOR\":\"s=1\",\"MESSAGE\":\"postfix/smtp[1]: x\"}"
        ));
        assert!(!sniff(
            b"Jan  1 00:00:00 mx postfix/smtp[123]: ABC: to=<a@b>"
        ));
        assert!(!sniff(
            b"2026-01-01T00:00:00.000+00:00 mx postfix/smtp[1]: x"
        ));
    }

    #[test]
    fn read_blob_limits_document_size() {
        let limits = Limits {
            max_document_bytes: 4,
            ..Limits::default()
        };
        let items = read_blob("big.xml", b"<feedback/>", &limits);
        assert!(matches!(&items[..], [Item::Diagnostic(d)] if d.code == "limit.document_size"));
    }
}
