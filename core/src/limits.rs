//! Bounds on everything the input controls.

use serde::{Deserialize, Serialize};

/// Size limits applied to every input. Hitting one is a [`crate::Diagnostic`], never a crash.
///
/// Defaults are generous for real mail evidence and small enough for a browser tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Longest log line kept, in bytes; longer lines are truncated to this length and reported
    /// (syslog daemons cut at 1-8 KiB anyway). Default 64 KiB.
    pub max_line_bytes: usize,
    /// Largest report document or message held in memory (before decompression), in bytes.
    /// Default 64 MiB.
    pub max_document_bytes: usize,
    /// Largest decompressed size of one report document (gzip member, zip entry, MIME part),
    /// in bytes. Default 128 MiB.
    pub max_decompressed_bytes: u64,
    /// Largest decompression ratio (decompressed / compressed) accepted for report documents.
    /// Log streams are exempt: real logs compress 10-20x. Default 200.
    pub max_ratio: u64,
    /// Most entries read from one zip archive. Default 64.
    pub max_zip_entries: usize,
    /// Deepest XML element nesting accepted. Default 32.
    pub max_xml_depth: usize,
    /// Most MIME parts walked in one message, and most messages in one mbox. Default 10,000.
    pub max_parts: usize,
    /// Most distinct daily delivery buckets kept; further new buckets are folded into
    /// `other` provider / empty reason and reported. Default 1,000,000.
    pub max_buckets: usize,
    /// Most distinct unclassified reply templates listed. Default 10,000.
    pub max_unclassified: usize,
    /// Most diagnostics kept per (input, code); further ones are only counted. Default 1.
    pub max_diagnostics_per_code: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line_bytes: 64 * 1024,
            max_document_bytes: 64 * 1024 * 1024,
            max_decompressed_bytes: 128 * 1024 * 1024,
            max_ratio: 200,
            max_zip_entries: 64,
            max_xml_depth: 32,
            max_parts: 10_000,
            max_buckets: 1_000_000,
            max_unclassified: 10_000,
            max_diagnostics_per_code: 1,
        }
    }
}
