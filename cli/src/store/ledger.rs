//! Loading and saving the per-host ingest ledger (`mail_log_ledger`).

use anyhow::{Context, Result};
use mailrep_core::ledger::{Ledger, Params};
use postgres::Transaction;

/// The stored ledger of `host` (locked for this transaction), or a new one with `params`.
pub(crate) fn load(tx: &mut Transaction<'_>, host: &str, params: Params) -> Result<Ledger> {
    let row = tx
        .query_opt(
            "SELECT small_modulus, big_modulus, gap_seconds, entries
             FROM mail_log_ledger WHERE host = $1 FOR UPDATE",
            &[&host],
        )
        .with_context(|| format!("loading the ledger of host {host:?}"))?;
    let Some(row) = row else {
        return Ok(Ledger::new(params));
    };
    let stored = Params {
        small_modulus: row.get::<_, i32>(0) as u32,
        big_modulus: row.get::<_, i32>(1) as u32,
        gap_seconds: row.get::<_, i32>(2) as u32,
    }
    .validate()
    .map_err(anyhow::Error::msg)?;
    let bytes: Vec<u8> = row.get(3);
    Ledger::from_bytes(stored, &bytes).with_context(|| format!("ledger of host {host:?}"))
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
