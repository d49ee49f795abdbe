//! Loading and saving the per-host ingest ledger (`mail_log_ledger`).

use anyhow::{Context, Result};
use mailrep_core::ledger::{Ledger, Params};
use postgres::Transaction;

/// The stored ledgers of all hosts (locked for this transaction), by host name.
pub(crate) fn load_all(tx: &mut Transaction<'_>) -> Result<Vec<(String, Ledger)>> {
    let rows = tx
        .query(
            "SELECT host, small_modulus, big_modulus, gap_seconds, entries
             FROM mail_log_ledger ORDER BY host FOR UPDATE",
            &[],
        )
        .context("loading the ledgers")?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let host: String = row.get(0);
        let stored = Params {
            small_modulus: row.get::<_, i32>(1) as u32,
            big_modulus: row.get::<_, i32>(2) as u32,
            gap_seconds: row.get::<_, i32>(3) as u32,
        }
        .validate()
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("ledger of host {host:?}"))?;
        let bytes: Vec<u8> = row.get(4);
        let ledger = Ledger::from_bytes(stored, &bytes)
            .with_context(|| format!("ledger of host {host:?}"))?;
        out.push((host, ledger));
    }
    Ok(out)
}

/// Stores `ledger` for `host`; `new_lines` is added to its `lines_counted`.
pub(crate) fn save(
    tx: &mut Transaction<'_>,
    host: &str,
    ledger: &Ledger,
    new_lines: u64,
) -> Result<()> {
    let p = ledger.params;
    tx.execute(
        "INSERT INTO mail_log_ledger
             (host, small_modulus, big_modulus, gap_seconds, entries, lines_counted)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (host) DO UPDATE SET
             entries = excluded.entries,
             lines_counted = mail_log_ledger.lines_counted + excluded.lines_counted,
             updated_at = now()",
        &[
            &host,
            &(p.small_modulus as i32),
            &(p.big_modulus as i32),
            &(p.gap_seconds as i32),
            &ledger.to_bytes(),
            &(new_lines as i64),
        ],
    )
    .with_context(|| format!("saving the ledger of host {host:?}"))?;
    Ok(())
}
