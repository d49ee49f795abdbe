//! Versioned schema migrations, embedded in the binary and applied under an advisory lock.
//!
//! Each migration is one SQL file in `migrations/`, applied once, in version order, inside
//! one transaction that holds `pg_advisory_xact_lock(MIGRATION_LOCK)`, so concurrent
//! `mailrep` runs never apply one twice. Applied versions are kept in
//! `mailrep_schema_migrations` with a checksum of their text; a migration whose text changed
//! after it was applied is refused.

use anyhow::{Context, Result, bail};
use postgres::Client;

/// Advisory lock key of the migration runner (`"mailrep:m"` as an integer).
pub(crate) const MIGRATION_LOCK: i64 = 0x6d61_696c_7265_706d;

/// One embedded migration.
#[derive(Debug)]
pub(crate) struct Migration {
    /// Version (applied in increasing order).
    pub(crate) version: i32,
    /// Short name.
    pub(crate) name: &'static str,
    /// SQL text.
    pub(crate) sql: &'static str,
}

/// Every migration, oldest first.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("migrations/0001_initial.sql"),
    },
    // Incident state and reverse-DNS cache of `mailrep alert`.
    Migration {
        version: 10,
        name: "alerts",
        sql: include_str!("migrations/0010_alerts.sql"),
    },
];

fn checksum(sql: &str) -> String {
    format!("{:016x}", mailrep_core::ledger::fingerprint(sql.as_bytes()))
}

/// Applies the migrations not applied yet. Returns the versions applied now.
pub(crate) fn migrate(client: &mut Client) -> Result<Vec<i32>> {
    let mut tx = client.transaction().context("starting the migration")?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .context("taking the migration lock")?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS mailrep_schema_migrations (
             version    integer     PRIMARY KEY,
             name       text        NOT NULL,
             checksum   text        NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now())",
    )
    .context("creating mailrep_schema_migrations")?;
    let applied: Vec<(i32, String)> = tx
        .query(
            "SELECT version, checksum FROM mailrep_schema_migrations",
            &[],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut done = Vec::new();
    for m in MIGRATIONS {
        let sum = checksum(m.sql);
        if let Some((_, old)) = applied.iter().find(|(v, _)| *v == m.version) {
            if *old != sum {
                bail!(
                    "migration {} ({}) was applied with different text (checksum {old}, now {sum})",
                    m.version,
                    m.name
                );
            }
            continue;
        }
        tx.batch_execute(m.sql)
            .with_context(|| format!("applying migration {} ({})", m.version, m.name))?;
        tx.execute(
            "INSERT INTO mailrep_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            &[&m.version, &m.name, &sum],
        )?;
        done.push(m.version);
    }
    if let Some(newest) = applied.iter().map(|(v, _)| *v).max()
        && MIGRATIONS.iter().all(|m| m.version < newest)
    {
        bail!("the database schema (version {newest}) is newer than this mailrep knows");
    }
    tx.commit().context("committing the migration")?;
    Ok(done)
}
