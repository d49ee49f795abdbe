//! The findings: everything one analysis produced, in one versioned, serde-serializable schema.
//!
//! The same JSON comes from `mailrep analyze --format json` and from the page for the same
//! inputs and configuration. Fields only grow; a rename bumps [`SCHEMA_VERSION`].

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::dmarc::DmarcFindings;
use crate::input::InputKind;
use crate::postfix::aggregate::{DeliveryFindings, LogStats};
use crate::verdict::Verdict;

/// Version of the findings schema.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything one analysis produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Findings {
    /// Schema version ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// `mailrep <version>` of the core that produced the findings.
    pub generator: String,
    /// Inputs in the order they were given.
    pub inputs: Vec<InputSummary>,
    /// Postfix delivery aggregates.
    pub delivery: DeliveryFindings,
    /// DMARC aggregates.
    pub dmarc: DmarcFindings,
    /// Verdicts, most severe first.
    pub verdicts: Vec<Verdict>,
    /// Problems with the inputs (which input, where, why).
    pub diagnostics: Vec<Diagnostic>,
    /// Present when the findings were redacted for sharing: the preset and what was replaced
    /// (see [`crate::redact`]). Absent in an analysis' own findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redaction: Option<crate::redact::Redaction>,
}

impl Findings {
    /// The findings as pretty-printed JSON (two-space indent, trailing newline): the exact
    /// bytes `mailrep analyze --format json` writes and the page exports.
    ///
    /// `#[inline]` (here and on the other cold serde entry points): the function and the
    /// serializer it instantiates are compiled in the calling crate, so the page's web crate
    /// builds them at its size-first opt-level instead of the core's speed-first one (root
    /// Cargo.toml, `[profile.wasm-release]`; BENCHMARKS.md, "Session 5").
    #[inline]
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Reads findings JSON back (a findings file dropped on the page).
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Reads a findings file as the page does: JSON of [`SCHEMA_VERSION`] only (a file of
    /// another version is refused with a message naming both versions).
    #[inline]
    pub fn from_json_checked(text: &str) -> Result<Self, FindingsError> {
        let value: serde_json::Value = serde_json::from_str(text)?;
        match value.get("schema_version").map(serde_json::Value::as_u64) {
            None => return Err(FindingsError::NotFindings),
            Some(Some(v)) if v == u64::from(SCHEMA_VERSION) => {}
            Some(v) => return Err(FindingsError::Schema(v.unwrap_or(0))),
        }
        Ok(serde_json::from_value(value)?)
    }

    /// The most severe verdict, if any.
    pub fn worst_severity(&self) -> Option<crate::verdict::Severity> {
        self.verdicts.iter().map(|v| v.severity).min()
    }
}

/// Findings JSON that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FindingsError {
    /// Not JSON, or a field of the wrong shape (the message names it).
    #[error("not mailrep findings: {0}")]
    Json(#[from] serde_json::Error),
    /// JSON without `schema_version`.
    #[error("not mailrep findings: no schema_version")]
    NotFindings,
    /// Another schema version.
    #[error(
        "findings of schema version {0}; this version of mailrep reads version {SCHEMA_VERSION}"
    )]
    Schema(u64),
}

/// Counts of what a report input contained.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportCounts {
    /// DMARC aggregate reports read (duplicates included).
    pub aggregate: u64,
    /// DMARC failure (ruf) reports recognised.
    pub failure: u64,
    /// SMTP TLS reports recognised.
    pub smtp_tls: u64,
    /// Members or messages that were not reports, or could not be read.
    pub errors: u64,
}

/// One input as given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputSummary {
    /// Name as the caller gave it (path, `-`, dropped file name).
    pub name: String,
    /// What it turned out to be, by content.
    pub kind: InputKind,
    /// Bytes read (compressed size for compressed inputs).
    pub bytes: u64,
    /// Reference date used for year-less syslog stamps.
    pub reference_date: Date,
    /// Log counters, for logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<LogStats>,
    /// Report counts, for report inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reports: Option<ReportCounts>,
    /// True when the input was cancelled while read (the page's "cancel file", see
    /// [`crate::Analyzer::abort_input`]); nothing of it is counted. Absent when false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub cancelled: bool,
}

/// Serde helper: skip `false`.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(b: &bool) -> bool {
    !*b
}
