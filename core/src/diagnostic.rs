//! Diagnostics: bad input and limits hit, reported as data next to the findings.

use serde::{Deserialize, Serialize};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Something was repaired or skipped; the results are complete.
    Info,
    /// Part of an input could not be used (a line, a record); the rest was analysed.
    Warning,
    /// A whole input (or archive member) could not be analysed.
    Error,
}

/// Where in an input a diagnostic applies.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    /// Member inside a container (zip entry name, MIME part or mbox message number), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// 1-based line number in the decoded text, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 0-based byte offset in the decoded stream, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// One problem with the input: which input, where, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Severity.
    pub level: Level,
    /// Stable machine-readable code, e.g. `postfix.line_too_long`, `dmarc.xml_syntax`,
    /// `input.gzip_trailing_garbage`, `limit.decompressed_size`.
    pub code: String,
    /// Name of the input as the caller gave it (path, `-`, dropped file name).
    pub input: String,
    /// Position inside the input.
    #[serde(default)]
    pub position: Position,
    /// Human-readable explanation, lowercase, no trailing period.
    pub message: String,
    /// How many times this diagnostic (same code, input) occurred; only the first position is kept.
    #[serde(default = "one")]
    pub count: u64,
}

fn one() -> u64 {
    1
}

impl Diagnostic {
    /// A diagnostic that occurred once.
    pub fn new(
        level: Level,
        code: &str,
        input: &str,
        position: Position,
        message: impl Into<String>,
    ) -> Self {
        Self {
            level,
            code: code.to_owned(),
            input: input.to_owned(),
            position,
            message: message.into(),
            count: 1,
        }
    }
}
