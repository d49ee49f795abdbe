//! Kind detection by content, never by file name.

use serde::{Deserialize, Serialize};

/// What an input turned out to be, as listed in the findings' `inputs[]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// A Postfix log (syslog, RFC 3339, year-first rsyslog, journald JSON lines).
    PostfixLog,
    /// The same, gzip-compressed.
    PostfixLogGzip,
    /// DMARC/TLS/failure reports: XML, gzip, zip, MIME message or mbox.
    Reports,
    /// A Postfix `master.cf` / `main.cf` (sending IPs from `smtp_bind_address`).
    PostfixConfig,
    /// Nothing usable (empty, binary, unknown text).
    Unknown,
}

/// First bytes of a gzip member (RFC 1952 §2.3.1).
pub(crate) const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// First bytes of a zip local file header (APPNOTE 4.3.7), or of an empty archive's end record.
pub(crate) const ZIP_MAGIC: [u8; 4] = *b"PK\x03\x04";
const ZIP_EMPTY_MAGIC: [u8; 4] = *b"PK\x05\x06";

/// How many bytes of the head the sniffers look at before deciding.
pub(crate) const SNIFF_BYTES: usize = 4096;

/// What to do with a stream, decided from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// Decompress and sniff again.
    Gzip,
    /// Buffer whole and read as reports (zip, XML, MIME, mbox, JSON report).
    Blob,
    /// Buffer whole and read as `master.cf` / `main.cf`.
    PostfixConfig,
    /// Stream line by line as a log.
    Log,
}

/// Decides the route from the head of a (possibly decompressed) stream. `complete` says the
/// head is the whole stream (shorter than [`SNIFF_BYTES`]).
pub(crate) fn route(head: &[u8]) -> Route {
    if head.starts_with(&GZIP_MAGIC) {
        Route::Gzip
    } else if head.starts_with(&ZIP_MAGIC) || head.starts_with(&ZIP_EMPTY_MAGIC) {
        Route::Blob
    } else if looks_like_log(head) {
        Route::Log
    } else if crate::dmarc::sniff(head) {
        Route::Blob
    } else if crate::postfix::mastercf::looks_like_config(head) {
        Route::PostfixConfig
    } else {
        Route::Log
    }
}

/// True when the first line starts with a log time stamp or is a journald JSON record.
fn looks_like_log(head: &[u8]) -> bool {
    let first = head.split(|&b| b == b'\n').next().unwrap_or(head);
    let text = String::from_utf8_lossy(first);
    let text = text.trim_end_matches('\r');
    if text.starts_with('{') {
        return text.contains("\"MESSAGE\"") || text.contains("__REALTIME_TIMESTAMP");
    }
    crate::postfix::line::parse(text).is_ok()
}
