//! The text summary of `mailrep ingest`.

use std::fmt::Write;

use crate::ingest::Summary;

/// One line per input, then the totals.
pub(crate) fn render(s: &Summary) -> String {
    let mut out = String::new();
    for i in &s.inputs {
        let kind = serde_json::to_value(i.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let _ = write!(out, "{}: {kind}", i.name);
        if let Some(e) = &i.error {
            let _ = write!(out, ", error: {e}");
        }
        if i.lines_new + i.lines_seen > 0 {
            let _ = write!(
                out,
                ", {} new delivery lines, {} already counted",
                i.lines_new, i.lines_seen
            );
        }
        if !i.reports.is_empty() {
            let new = i.reports.iter().filter(|r| r.outcome == "new").count();
            let _ = write!(
                out,
                ", {} reports ({new} new, {} duplicate)",
                i.reports.len(),
                i.reports.len() - new
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "stored: {} delivery attempts in {} daily rows; {} new reports, {} duplicates",
        s.attempts, s.daily_rows, s.reports_new, s.reports_duplicate
    );
    out
}
