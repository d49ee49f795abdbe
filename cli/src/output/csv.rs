//! `--format csv`: the daily delivery aggregate rows.

use anyhow::Result;
use mailrep_core::Findings;

/// Writes the daily rows with a header line.
pub(crate) fn render(findings: &Findings) -> Result<Vec<u8>> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record([
        "date",
        "host",
        "sending_ip",
        "provider",
        "outcome",
        "reason_code",
        "attempts",
        "final",
        "sample_reply",
    ])?;
    for r in &findings.delivery.daily {
        w.write_record([
            r.date.to_string(),
            r.host.clone(),
            r.sending_ip.clone(),
            r.provider.clone(),
            r.outcome.to_string(),
            r.reason_code.clone(),
            r.attempts.to_string(),
            r.final_.to_string(),
            r.sample_reply.clone(),
        ])?;
    }
    Ok(w.into_inner()?)
}
