//! The daily delivery aggregate rows as CSV (RFC 4180 quoting): `mailrep analyze --format
//! csv` and the page's table export write these same bytes.

use crate::findings::Findings;

/// Column names, in order.
pub const HEADER: [&str; 9] = [
    "date",
    "host",
    "sending_ip",
    "provider",
    "outcome",
    "reason_code",
    "attempts",
    "final",
    "sample_reply",
];

/// The daily rows with a header line. Fields holding commas, quotes or line breaks are
/// quoted; quotes are doubled.
#[inline]
pub fn delivery(findings: &Findings) -> Result<String, ::csv::Error> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for r in &findings.delivery.daily {
        w.write_record([
            r.date.to_string().as_str(),
            &r.host,
            &r.sending_ip,
            &r.provider,
            r.outcome.as_str(),
            &r.reason_code,
            &r.attempts.to_string(),
            &r.final_.to_string(),
            &r.sample_reply,
        ])?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ::csv::Error::from(e.into_error()))?;
    // Every field was a `str`, so the output is UTF-8.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use crate::{Analyzer, Config, Date};

    #[test]
    fn replies_with_commas_and_quotes_are_quoted() {
        let log = "Nov 20 10:00:00 mx1 postfix/smtp[1]: 4jVwT647TtzL3CF: to=<a@acme.example>, relay=mx.acme.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.acme.example[192.0.2.1] said: 550 5.1.1 \"no\", such user (in reply to RCPT TO command))\n";
        let f = Analyzer::analyze(
            Config::default(),
            &[("mail.log", log.as_bytes())],
            Date::new(2026, 11, 21).unwrap(),
        )
        .unwrap();
        let csv = super::delivery(&f).unwrap();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("date,host,sending_ip,provider,outcome,reason_code,attempts,final,sample_reply")
        );
        let row = lines.next().unwrap();
        assert!(row.starts_with("2026-11-20,mx1,"), "{row}");
        assert!(
            row.ends_with(",1,1,\"550 5.1.1 \"\"no\"\", such user\""),
            "{row}"
        );
    }
}
