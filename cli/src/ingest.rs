//! `mailrep ingest`: logs and reports into PostgreSQL, exactly once.
//!
//! One run is one transaction holding `pg_advisory_xact_lock(INGEST_LOCK)`, so concurrent
//! runs (two hosts' crons) are serialised and a run killed midway leaves nothing behind.
//! Inside it, the stored ledgers of all hosts are loaded (`FOR UPDATE`) and handed to the
//! analyzer in exactly-once mode ([`Analyzer::set_exactly_once`]), and every input is read
//! once: each delivery line is counted as it is read and fed to the ledger, and the
//! contribution of a line the ledger finds already counted (by an earlier run, or an
//! earlier input of this run) is taken back when its region closes. A file named on the
//! command line is a [`StreamShape::File`], stdin a [`StreamShape::Stream`] (it may join
//! rotated files; see `mailrep_core::ledger`).
//!
//! A report input is not analysed: its decoded bytes go to `mailrep_core::dmarc::read_blob`
//! and each aggregate report is inserted unless its normalized `(org_name, report_id)` is
//! stored (a duplicate is reported, not stored), with statements prepared once per run. At
//! the end the daily rows are added to `mail_reputation_daily` and the ledgers saved, then
//! the transaction commits.

use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow};
use mailrep_core::dmarc::{self, Item};
use mailrep_core::input::InputKind;
use mailrep_core::ledger::{Params, StreamShape, Tracker};
use mailrep_core::{Analyzer, Config, Date};
use postgres::{Client, Transaction};
use serde::Serialize;

use crate::store;

/// Advisory lock key serialising ingest runs (`"mailrep:i"` as an integer).
pub(crate) const INGEST_LOCK: i64 = 0x6d61_696c_7265_7069;

/// Size of the chunks read, in bytes.
const CHUNK: usize = 1 << 20;

/// Where an input's bytes come from.
#[derive(Debug)]
pub(crate) enum Data {
    /// A file.
    Path(PathBuf),
    /// Standard input.
    Stdin,
    /// Bytes in memory (an IMAP message; see [`ingest_bytes`]).
    #[allow(dead_code)] // used by IMAP ingestion
    Bytes(Vec<u8>),
}

/// One input of a run.
#[derive(Debug)]
pub(crate) struct Input {
    /// Name shown in the summary and diagnostics.
    pub(crate) name: String,
    /// Its bytes.
    pub(crate) data: Data,
    /// Reference date for year-less syslog stamps.
    pub(crate) reference: Date,
}

/// What happened to one aggregate report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct ReportOutcome {
    /// Normalized reporter name.
    pub(crate) org_name: String,
    /// Normalized report id.
    pub(crate) report_id: String,
    /// `new` (stored now) or `duplicate` (already stored; not stored again).
    pub(crate) outcome: &'static str,
}

/// What one input contributed.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct InputOutcome {
    /// Input name.
    pub(crate) name: String,
    /// What it was.
    pub(crate) kind: InputKind,
    /// Bytes read.
    pub(crate) bytes: u64,
    /// Delivery (`status=`) lines not counted before: counted now.
    pub(crate) lines_new: u64,
    /// Delivery lines already counted by an earlier run or input: not counted again.
    pub(crate) lines_seen: u64,
    /// Junctions found (time going backwards or jumping forward within a host).
    pub(crate) junctions: u64,
    /// Aggregate reports found, in order.
    pub(crate) reports: Vec<ReportOutcome>,
    /// Why the input could not be read, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
}

/// What a run stored.
#[derive(Debug, Clone, Serialize, Default)]
pub(crate) struct Summary {
    /// Per input, in order.
    pub(crate) inputs: Vec<InputOutcome>,
    /// Daily rows added to or created in `mail_reputation_daily`.
    pub(crate) daily_rows: u64,
    /// Delivery attempts added.
    pub(crate) attempts: u64,
    /// Reports stored now.
    pub(crate) reports_new: u64,
    /// Reports already stored.
    pub(crate) reports_duplicate: u64,
}

/// Ingests `inputs` in one transaction. `params` are used for hosts without a ledger yet.
pub(crate) fn ingest(
    client: &mut Client,
    config: &Config,
    inputs: Vec<Input>,
    params: Params,
) -> Result<Summary> {
    let mut tx = client
        .transaction()
        .context("starting the ingest transaction")?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&INGEST_LOCK])
        .context("taking the ingest lock")?;
    let mut tracker = Tracker::new(params);
    for (host, ledger) in store::ledger::load_all(&mut tx)? {
        tracker.add_host(&host, ledger);
    }
    let mut analyzer = Analyzer::new(config.clone())?;
    analyzer.set_exactly_once(tracker);
    let mut reports = store::dmarc::Writer::default();
    let mut summary = Summary::default();
    for input in inputs {
        let outcome = one_input(&mut tx, config, &mut analyzer, &mut reports, input)?;
        summary.reports_new += outcome
            .reports
            .iter()
            .filter(|r| r.outcome == "new")
            .count() as u64;
        summary.reports_duplicate += outcome
            .reports
            .iter()
            .filter(|r| r.outcome == "duplicate")
            .count() as u64;
        summary.inputs.push(outcome);
    }
    let (findings, ledgers) = analyzer.finish_ingest();
    summary.daily_rows = store::daily::add(&mut tx, &findings.delivery.daily)?;
    summary.attempts = findings.delivery.daily.iter().map(|r| r.attempts).sum();
    for (host, ledger, new_lines) in ledgers {
        store::ledger::save(&mut tx, &host, &ledger, new_lines)?;
    }
    tx.commit().context("committing the ingest")?;
    Ok(summary)
}

/// Ingests one in-memory input (a mail message fetched over IMAP) in its own transaction:
/// its outcome lists each aggregate report as `new` or `duplicate`; no report means the
/// message held none (`kind` says what it was).
#[allow(dead_code)] // used by IMAP ingestion
pub(crate) fn ingest_bytes(
    client: &mut Client,
    config: &Config,
    name: &str,
    bytes: Vec<u8>,
    reference: Date,
) -> Result<InputOutcome> {
    let input = Input {
        name: name.to_owned(),
        data: Data::Bytes(bytes),
        reference,
    };
    let mut s = ingest(client, config, vec![input], Params::default())?;
    s.inputs
        .pop()
        .ok_or_else(|| anyhow!("no outcome for {name}"))
}

fn open(data: &Data) -> io::Result<Box<dyn Read + '_>> {
    Ok(match data {
        Data::Path(p) => Box::new(File::open(p)?),
        Data::Stdin => Box::new(io::stdin().lock()),
        Data::Bytes(b) => Box::new(&b[..]),
    })
}

/// Reads `r` to the end in chunks, calling `f` with each.
fn each_chunk(mut r: impl Read, mut f: impl FnMut(&[u8])) -> io::Result<()> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => f(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

#[allow(clippy::needless_pass_by_value)] // the input (its bytes) ends here
fn one_input(
    tx: &mut Transaction<'_>,
    config: &Config,
    analyzer: &mut Analyzer,
    reports: &mut store::dmarc::Writer,
    input: Input,
) -> Result<InputOutcome> {
    let mut out = InputOutcome {
        name: input.name.clone(),
        kind: InputKind::Unknown,
        bytes: 0,
        lines_new: 0,
        lines_seen: 0,
        junctions: 0,
        reports: Vec::new(),
        error: None,
    };
    let reader = match open(&input.data) {
        Ok(r) => r,
        Err(e) => {
            out.error = Some(format!("cannot open: {e}"));
            analyzer.input_error(&input.name, input.reference, &format!("cannot open: {e}"));
            return Ok(out);
        }
    };
    analyzer.begin_input(&input.name, input.reference);
    analyzer.set_stream_shape(match input.data {
        Data::Path(_) => StreamShape::File,
        Data::Stdin | Data::Bytes(_) => StreamShape::Stream,
    });
    // The original bytes of a report input are stored with its reports.
    let max_raw = config.limits.max_document_bytes;
    let mut raw: Option<Vec<u8>> = Some(Vec::new());
    let bytes = &mut out.bytes;
    let read = each_chunk(reader, |chunk| {
        *bytes += chunk.len() as u64;
        analyzer.push(chunk);
        if let Some(r) = raw.as_mut() {
            let is_log = matches!(
                analyzer.input_kind(),
                Some(InputKind::PostfixLog | InputKind::PostfixLogGzip)
            );
            if is_log || r.len() + chunk.len() > max_raw {
                raw = None;
            } else {
                r.extend_from_slice(chunk);
            }
        }
    });
    if let Err(e) = read {
        // Nothing of a half-read input may count: the whole run is retried next time.
        return Err(anyhow!(e).context(format!("reading {}", input.name)));
    }
    let ended = analyzer
        .end_ingested_input()
        .ok_or_else(|| anyhow!("input {} was not open", input.name))?;
    out.kind = ended.kind;
    out.lines_new = ended.stats.new_lines;
    out.lines_seen = ended.stats.seen_lines;
    out.junctions = ended.stats.junctions;
    if out.kind == InputKind::Reports {
        let blob = ended.blob.unwrap_or_default();
        let raw = raw.unwrap_or_else(|| blob.clone());
        let mut blob_id = None;
        for item in dmarc::read_blob(&input.name, &blob, &config.limits) {
            let Item::Aggregate(report) = item else {
                continue;
            };
            let id = match blob_id {
                Some(id) => id,
                None => *blob_id.insert(reports.store_blob(tx, &input.name, &raw)?),
            };
            let new = reports.store_report(tx, config, &report, &input.name, id)?;
            out.reports.push(ReportOutcome {
                org_name: report.org_name.clone(),
                report_id: report.report_id.clone(),
                outcome: if new { "new" } else { "duplicate" },
            });
        }
    }
    Ok(out)
}
