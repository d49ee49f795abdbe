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

/// Keeps at most `max` diagnostics per (input, code), in order; the count of the ones dropped
/// is added to the last one kept, so nothing goes uncounted (`limits.max_diagnostics_per_code`).
/// `#[inline]`: compiled with its one caller, [`crate::Analyzer::snapshot`], in the crate that
/// finishes the analysis (the page's size-first web crate; see `Config::from_toml`).
#[inline]
pub(crate) fn cap_per_code(diagnostics: Vec<Diagnostic>, max: usize) -> Vec<Diagnostic> {
    let max = max.max(1);
    let mut kept: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    // Hashed, not sorted: filled one key at a time in input order, and only looked up.
    let mut seen: rustc_hash::FxHashMap<(String, String), (usize, usize)> =
        rustc_hash::FxHashMap::default();
    for d in diagnostics {
        let key = (d.input.clone(), d.code.clone());
        match seen.get_mut(&key) {
            Some((n, last)) if *n >= max => kept[*last].count += d.count,
            Some((n, last)) => {
                *n += 1;
                *last = kept.len();
                kept.push(d);
            }
            None => {
                seen.insert(key, (1, kept.len()));
                kept.push(d);
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capping_keeps_the_counts() {
        let d = |code: &str, line| {
            Diagnostic::new(
                Level::Warning,
                code,
                "in",
                Position {
                    line: Some(line),
                    ..Position::default()
                },
                "m",
            )
        };
        let out = cap_per_code(vec![d("a", 1), d("b", 2), d("a", 3), d("a", 4)], 1);
        assert_eq!(out.len(), 2);
        assert_eq!(
            (out[0].code.as_str(), out[0].count, out[0].position.line),
            ("a", 3, Some(1))
        );
        assert_eq!((out[1].code.as_str(), out[1].count), ("b", 1));
    }
}
