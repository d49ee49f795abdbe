//! Additive upserts of `mail_reputation_daily`.

use anyhow::{Context, Result};
use mailrep_core::postfix::aggregate::DailyRow;
use postgres::Transaction;

/// Adds `rows` (one run's new attempts) to the stored daily rows: attempts and final counts
/// are summed, the first sample reply is kept. One statement for all rows.
pub(crate) fn add(tx: &mut Transaction<'_>, rows: &[DailyRow]) -> Result<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let dates: Vec<String> = rows.iter().map(|r| r.date.to_string()).collect();
    let hosts: Vec<&str> = rows.iter().map(|r| r.host.as_str()).collect();
    let ips: Vec<&str> = rows.iter().map(|r| r.sending_ip.as_str()).collect();
    let providers: Vec<&str> = rows.iter().map(|r| r.provider.as_str()).collect();
    let outcomes: Vec<&str> = rows.iter().map(|r| r.outcome.as_str()).collect();
    let reasons: Vec<&str> = rows.iter().map(|r| r.reason_code.as_str()).collect();
    let attempts: Vec<i64> = rows.iter().map(|r| r.attempts as i64).collect();
    let finals: Vec<i64> = rows.iter().map(|r| r.final_ as i64).collect();
    let samples: Vec<&str> = rows.iter().map(|r| r.sample_reply.as_str()).collect();
    tx.execute(
        "INSERT INTO mail_reputation_daily
             (log_date, host, sending_ip, receiver, outcome, reason_code,
              msg_count, final_count, sample_text)
         SELECT d::date, h, ip, p, o, rc, n, f, NULLIF(s, '')
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::int8[], $8::int8[], $9::text[]) AS t(d, h, ip, p, o, rc, n, f, s)
         ON CONFLICT (log_date, host, sending_ip, receiver, outcome, reason_code) DO UPDATE SET
             msg_count   = mail_reputation_daily.msg_count + excluded.msg_count,
             final_count = mail_reputation_daily.final_count + excluded.final_count,
             sample_text = COALESCE(mail_reputation_daily.sample_text, excluded.sample_text),
             updated_at  = now()",
        &[
            &dates, &hosts, &ips, &providers, &outcomes, &reasons, &attempts, &finals, &samples,
        ],
    )
    .context("upserting mail_reputation_daily")
}
