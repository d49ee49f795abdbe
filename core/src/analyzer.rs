//! The push API: begin an input, push its bytes in chunks of any size, end it; finish.

use crate::sorted::SortedMap;
use std::net::IpAddr;

use crate::config::{Config, ConfigError};
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Level, Position};
use crate::dmarc::{self, DmarcAggregator, Item};
use crate::findings::{Findings, InputSummary, ReportCounts, SCHEMA_VERSION};
use crate::input::{InflateEnd, InputKind, Line, Sink, Stage};
use crate::postfix::aggregate::{self, DeliveryAggregator, LineDiagnostics, LogStats};
use crate::postfix::mastercf;
use crate::verdict;

/// Analyses any number of inputs into one [`Findings`].
///
/// ```
/// use mailrep_core::{Analyzer, Config, Date};
///
/// let mut analyzer = Analyzer::new(Config::default()).unwrap();
/// let reference = Date::new(2026, 11, 21).unwrap();
/// analyzer.begin_input("mail.log", reference);
/// analyzer.push(b"Nov 20 06:00:01 mx1 postfix/smtp[42]: 4jVwT647TtzL3CF: to=<a@gmail.com>, ");
/// analyzer.push(b"relay=gmail-smtp-in.l.google.com[142.250.1.27]:25, delay=1, delays=0/0/0/1, ");
/// analyzer.push(b"dsn=2.0.0, status=sent (250 2.0.0 OK - gsmtp)\n");
/// analyzer.end_input();
/// let findings = analyzer.finish();
/// assert_eq!(findings.inputs[0].name, "mail.log");
/// ```
#[derive(Debug)]
pub struct Analyzer {
    config: Config,
    delivery: DeliveryAggregator,
    dmarc: DmarcAggregator,
    bind: SortedMap<String, IpAddr>,
    inputs: Vec<InputSummary>,
    diagnostics: Vec<Diagnostic>,
    current: Option<Current>,
    /// Take a checkpoint at each log input's first line, so it can be aborted.
    abortable: bool,
    /// Exactly-once ingestion is on (see [`Analyzer::set_exactly_once`]).
    ingest: bool,
    cold: Cold,
}

/// The readers of whole inputs (once per input, never per line), as pointers taken in
/// [`Analyzer::new`]: the functions are `#[inline]`, so they are compiled in the crate that
/// calls `new` (the page's web crate, at its size-first opt-level), not with the core's
/// speed-first hot path.
#[derive(Debug, Clone, Copy)]
struct Cold {
    /// Reads a DMARC / TLS report blob into items ([`dmarc::read_blob`]).
    read_blob: fn(&str, &[u8], &crate::limits::Limits) -> Vec<Item>,
    /// The bind addresses a Postfix configuration input sets ([`mastercf::bind_addresses`];
    /// 15 KB of WebAssembly at the core's opt-level, 6 KB at the web crate's).
    bind_addresses: fn(&str) -> SortedMap<String, IpAddr>,
}

/// What exactly-once ingestion needs from one ended input (see
/// [`Analyzer::end_ingested_input`]).
#[derive(Debug, Clone)]
pub struct IngestedInput {
    /// What the input was.
    pub kind: InputKind,
    /// Ledger lines found new or already counted, and junctions.
    pub stats: crate::ledger::StreamStats,
    /// The decoded bytes of a report input (not analysed: the caller stores its reports).
    pub blob: Option<Vec<u8>>,
}

#[derive(Debug)]
struct Current {
    name: String,
    reference: Date,
    stage: Stage,
    bytes: u64,
    stats: LogStats,
    line_diags: LineDiagnostics,
    reports: ReportCounts,
    diagnostics: Vec<Diagnostic>,
    /// Whether a line of this input reached the delivery aggregator.
    touched: bool,
    /// The delivery state before this input's first line (abortable analyzers only).
    checkpoint: Option<aggregate::Checkpoint>,
    /// Exactly-once ingestion: report inputs are kept for the caller, not analysed.
    keep_blob: bool,
    /// The kept report input's decoded bytes.
    blob: Option<Vec<u8>>,
}

impl Current {
    /// The decoding stage and a sink over the rest of the input's state (disjoint borrows).
    fn split<'a>(
        &'a mut self,
        config: &'a Config,
        delivery: &'a mut DeliveryAggregator,
        dmarc: &'a mut DmarcAggregator,
        bind: &'a mut SortedMap<String, IpAddr>,
        abortable: bool,
        cold: Cold,
    ) -> (&'a mut Stage, InputSink<'a>) {
        let sink = InputSink {
            cold,
            name: &self.name,
            reference: self.reference,
            config,
            delivery,
            dmarc,
            bind,
            stats: &mut self.stats,
            line_diags: &mut self.line_diags,
            reports: &mut self.reports,
            diagnostics: &mut self.diagnostics,
            touched: &mut self.touched,
            checkpoint: &mut self.checkpoint,
            abortable,
            blob: if self.keep_blob {
                Some(&mut self.blob)
            } else {
                None
            },
        };
        (&mut self.stage, sink)
    }
}

struct InputSink<'a> {
    name: &'a str,
    reference: Date,
    config: &'a Config,
    delivery: &'a mut DeliveryAggregator,
    dmarc: &'a mut DmarcAggregator,
    bind: &'a mut SortedMap<String, IpAddr>,
    stats: &'a mut LogStats,
    line_diags: &'a mut LineDiagnostics,
    reports: &'a mut ReportCounts,
    diagnostics: &'a mut Vec<Diagnostic>,
    touched: &'a mut bool,
    checkpoint: &'a mut Option<aggregate::Checkpoint>,
    abortable: bool,
    blob: Option<&'a mut Option<Vec<u8>>>,
    cold: Cold,
}

impl InputSink<'_> {
    /// Called before lines reach the delivery aggregator.
    #[inline]
    fn touch(&mut self) {
        touch(self.touched, self.checkpoint, self.abortable, self.delivery);
    }
}

/// Marks an input as reaching the delivery aggregator (its first line, or an absorbed part)
/// and, the first time, takes the checkpoint an abortable analyzer's
/// [`Analyzer::abort_input`] returns to.
#[inline]
fn touch(
    touched: &mut bool,
    checkpoint: &mut Option<aggregate::Checkpoint>,
    abortable: bool,
    delivery: &DeliveryAggregator,
) {
    if !*touched {
        *touched = true;
        if abortable {
            *checkpoint = Some(delivery.checkpoint());
        }
    }
}

impl Sink for InputSink<'_> {
    fn line(&mut self, line: Line<'_>, line_no: u64) {
        self.touch();
        self.delivery.line(
            line.bytes,
            line.truncated,
            line_no,
            self.reference,
            self.stats,
            self.line_diags,
        );
    }

    fn block(&mut self, block: &[u8], line_no: u64, max_line: usize) -> u64 {
        self.touch();
        self.delivery.block(
            block,
            line_no,
            max_line,
            self.reference,
            self.stats,
            self.line_diags,
        )
    }

    fn blob(&mut self, bytes: &[u8]) {
        if let Some(keep) = self.blob.as_deref_mut() {
            *keep = Some(bytes.to_vec());
            return;
        }
        for item in (self.cold.read_blob)(self.name, bytes, &self.config.limits) {
            match &item {
                Item::Aggregate(_) => self.reports.aggregate += 1,
                Item::Failure { .. } => self.reports.failure += 1,
                Item::SmtpTls { .. } => self.reports.smtp_tls += 1,
                Item::Diagnostic(d) => {
                    if d.level == Level::Error {
                        self.reports.errors += 1;
                    }
                }
            }
            self.dmarc.add(self.name, item);
        }
    }

    fn postfix_config(&mut self, text: &str) {
        let found = (self.cold.bind_addresses)(text);
        if found.is_empty() {
            self.diagnostic(
                Level::Info,
                "postfix.config_without_bind_address",
                Position::default(),
                "postfix configuration names no smtp_bind_address".to_owned(),
            );
        }
        // Merged in bulk (one sort), the addresses known before winning: inserting the
        // services of a large file one by one into a sorted vector would be quadratic.
        let merged: Vec<(String, IpAddr)> =
            std::mem::take(self.bind).into_iter().chain(found).collect();
        *self.bind = SortedMap::from_runs(merged, |ip| ip, |_, _| {});
    }

    fn diagnostic(&mut self, level: Level, code: &str, position: Position, message: String) {
        self.diagnostics
            .push(Diagnostic::new(level, code, self.name, position, message));
    }
}

impl Analyzer {
    /// An analyzer for `config` (rules compiled once). `#[inline]`: see the `cold` field.
    #[inline]
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        Ok(Self {
            delivery: DeliveryAggregator::new(&config)?,
            dmarc: DmarcAggregator::default(),
            bind: SortedMap::new(),
            inputs: Vec::new(),
            diagnostics: Vec::new(),
            current: None,
            abortable: false,
            ingest: false,
            config,
            cold: Cold {
                read_blob: dmarc::read_blob,
                bind_addresses: mastercf::bind_addresses,
            },
        })
    }

    /// Checks `config` as [`Analyzer::new`] does (extra rules compile and match their examples)
    /// without building an analyzer: the page's settings import, which needs no DMARC reader.
    pub fn check_config(config: &Config) -> Result<(), ConfigError> {
        DeliveryAggregator::new(config).map(drop)
    }

    /// Makes inputs abortable with [`Analyzer::abort_input`] (the page sets it; the CLI has
    /// no use for it). Costs one copy of the delivery counting state at the first line of each
    /// log input (see [`aggregate::DeliveryAggregator::checkpoint`]); findings are unchanged.
    pub fn set_abortable(&mut self, abortable: bool) {
        self.abortable = abortable;
    }

    /// Starts an input named `name`. `reference_date` bounds year-less syslog stamps (the
    /// CLI passes the file's modification date, the page `File.lastModified`); the
    /// configuration's `time.reference_date` wins when set. An input still open is ended first.
    pub fn begin_input(&mut self, name: &str, reference_date: Date) {
        self.end_input();
        self.current = Some(Current {
            name: name.to_owned(),
            reference: self.config.time.reference_date.unwrap_or(reference_date),
            stage: Stage::new(),
            bytes: 0,
            stats: LogStats::default(),
            line_diags: LineDiagnostics::default(),
            reports: ReportCounts::default(),
            diagnostics: Vec::new(),
            touched: false,
            checkpoint: None,
            keep_blob: self.ingest,
            blob: None,
        });
        if let Some(r) = self.delivery.replay_mut() {
            r.begin_stream(crate::ledger::StreamShape::default());
        }
    }

    /// Turns on exactly-once ingestion (before the first input) with `tracker`, which holds
    /// the stored ledgers of the hosts: every delivery line is counted once over all runs
    /// (see [`crate::ledger`]). Lines the ledger finds already counted still feed cross-line
    /// state (a queue id's deferrals) but add to no count; report inputs are not analysed but
    /// handed to the caller ([`Analyzer::end_ingested_input`]). End inputs with
    /// [`Analyzer::end_ingested_input`] and the run with [`Analyzer::finish_ingest`].
    #[cfg(feature = "ingest")]
    pub fn set_exactly_once(&mut self, tracker: crate::ledger::Tracker) {
        self.ingest = true;
        self.delivery
            .set_replay(Some(crate::ledger::Replay::new(tracker)));
    }

    /// Declares the shape of the current input's stream (after [`Analyzer::begin_input`];
    /// [`crate::ledger::StreamShape::Stream`] unless said otherwise).
    pub fn set_stream_shape(&mut self, shape: crate::ledger::StreamShape) {
        if let Some(r) = self.delivery.replay_mut() {
            r.begin_stream(shape);
        }
    }

    /// What the current input looks like so far (`None` when no input is open).
    pub fn input_kind(&self) -> Option<InputKind> {
        self.current.as_ref().map(|c| c.stage.kind())
    }

    /// Ends the current input like [`Analyzer::end_input`] and returns what exactly-once
    /// ingestion needs of it (`None` when no input was open).
    pub fn end_ingested_input(&mut self) -> Option<IngestedInput> {
        self.end_current(None)
    }

    /// Ends any open input and builds the findings, with the updated ledgers of exactly-once
    /// ingestion: `(host, ledger, new ledger lines)`, empty when it was off.
    pub fn finish_ingest(mut self) -> (Findings, Vec<(String, crate::ledger::Ledger, u64)>) {
        self.end_input();
        let ledgers = self
            .delivery
            .take_replay()
            .map(crate::ledger::Replay::into_ledgers)
            .unwrap_or_default();
        (self.snapshot(), ledgers)
    }

    /// Pushes the next bytes of the current input (any chunk size). Ignored when no input is open.
    pub fn push(&mut self, chunk: &[u8]) {
        let Some(cur) = self.current.as_mut() else {
            return;
        };
        cur.bytes += chunk.len() as u64;
        if let Some((stage, mut sink, limits)) = self.open_stage() {
            stage.push(chunk, 0, limits, &mut sink);
        }
    }

    /// The open input's stage, the sink it writes to and the size limits (None when no input
    /// is open): what [`Analyzer::push`] and [`Analyzer::push_inflated`] feed.
    fn open_stage(&mut self) -> Option<(&mut Stage, InputSink<'_>, &crate::limits::Limits)> {
        let cur = self.current.as_mut()?;
        let (stage, sink) = cur.split(
            &self.config,
            &mut self.delivery,
            &mut self.dmarc,
            &mut self.bind,
            self.abortable,
            self.cold,
        );
        Some((stage, sink, &self.config.limits))
    }

    /// Starts an input that begins with a gzip member ([`crate::input::starts_gzip`]) and
    /// whose gzip layer the caller decodes itself with an [`Inflater::for_input`] (the CLI
    /// does so on a second thread, so that decompression and analysis overlap): hand the
    /// inflater's output to [`Analyzer::push_inflated`] and its end to
    /// [`Analyzer::end_inflated_input`]. The findings are byte-identical to those of
    /// [`Analyzer::begin_input`] and [`Analyzer::push`] of the compressed chunks the inflater
    /// was fed, with the same diagnostics (multi-member streams, trailing garbage, corrupt
    /// data, the limits of a gzip report).
    ///
    /// [`Inflater::for_input`]: crate::input::Inflater::for_input
    pub fn begin_inflated_input(&mut self, name: &str, reference_date: Date) {
        self.begin_input(name, reference_date);
        if let Some(cur) = self.current.as_mut() {
            cur.stage = Stage::inflated();
        }
    }

    /// Decoded bytes of the current input from its inflater: the buffer and the compressed
    /// count its [`crate::input::InflateOut`] callback was given. Returns false once the input
    /// reads no more (a decoded report over the size limit): the inflater may then stop (its
    /// callback returns false). Ignored unless the input was begun with
    /// [`Analyzer::begin_inflated_input`].
    pub fn push_inflated(&mut self, decoded: &[u8], compressed: u64) -> bool {
        let Some((stage, mut sink, limits)) = self.open_stage() else {
            return false;
        };
        stage.push_inflated(decoded, compressed, limits, &mut sink)
    }

    /// Ends the current input, begun with [`Analyzer::begin_inflated_input`]: `bytes` is the
    /// number of compressed bytes read in all (`inputs[].bytes`), `end` what
    /// [`Inflater::finish`] returned.
    ///
    /// [`Inflater::finish`]: crate::input::Inflater::finish
    pub fn end_inflated_input(&mut self, bytes: u64, end: InflateEnd) {
        if let Some(cur) = self.current.as_mut() {
            cur.bytes = bytes;
        }
        let _ = self.end_current(Some(end));
    }

    /// Starts the second part of a log cut in two at a line boundary (the first byte after a
    /// `\n`), on a fresh analyzer with the same configuration as the one reading the first
    /// part: the page counts a large plain log on two threads. Push the part's bytes as
    /// usual, then [`Analyzer::end_part`] gives its state for [`Analyzer::absorb_part`].
    /// `name` and `reference_date` as for [`Analyzer::begin_input`] (the same as the first
    /// part's). The bytes are read as log lines from the first on (no sniffing: the whole
    /// input's head decided that, see [`crate::input::splittable_log`]).
    pub fn begin_part(&mut self, name: &str, reference_date: Date) {
        self.begin_input(name, reference_date);
        if let Some(cur) = self.current.as_mut() {
            cur.stage = Stage::log(&self.config.limits);
            // The input's first lines, where a log is recognised, are the first part's.
            cur.line_diags.head_checked = u8::MAX;
        }
        self.delivery.begin_part();
    }

    /// Ends the part begun with [`Analyzer::begin_part`] (its last line may lack a `\n`)
    /// and returns its counting state, encoded for [`Analyzer::absorb_part`] (a few bytes
    /// per distinct daily bucket and per deferral: it may cross between threads). The
    /// analyzer is spent. Empty when no part was open.
    pub fn end_part(&mut self) -> Vec<u8> {
        if let Some((stage, mut sink, limits)) = self.open_stage() {
            stage.finish(0, limits, &mut sink);
        }
        let Some(cur) = self.current.take() else {
            return Vec::new();
        };
        self.delivery.encode_part(
            cur.bytes,
            !cur.diagnostics.is_empty(),
            &cur.stats,
            &cur.line_diags,
        )
    }

    /// Counts a part from [`Analyzer::end_part`] as if its bytes had been pushed into the
    /// open input now: the open input must be a plain log whose bytes so far end where the
    /// part begins (after a `\n`). The findings are then byte-identical to one pass over
    /// both parts (inputs' bytes and lines, line numbers of diagnostics, samples, order).
    ///
    /// # Errors
    /// [`aggregate::PartError`], and nothing is changed: no open plain log at a line boundary
    /// ([`aggregate::PartError::NotExact`]), or one of the cases of exactness or
    /// malformed bytes `DeliveryAggregator::absorb_part` lists. The caller then pushes the
    /// part's bytes itself.
    pub fn absorb_part(&mut self, part: &[u8]) -> Result<(), aggregate::PartError> {
        let not_open = aggregate::PartError::NotExact("no plain log open at a line boundary");
        let Some(cur) = self.current.as_mut() else {
            return Err(not_open);
        };
        let Some(line_offset) = cur.stage.lines_at_cut() else {
            return Err(not_open);
        };
        touch(
            &mut cur.touched,
            &mut cur.checkpoint,
            self.abortable,
            &self.delivery,
        );
        let absorbed =
            self.delivery
                .absorb_part(part, &mut cur.stats, &mut cur.line_diags, line_offset)?;
        cur.bytes += absorbed.bytes;
        cur.stage.add_lines(absorbed.lines);
        Ok(())
    }

    /// Ends the current input (no-op when none is open).
    pub fn end_input(&mut self) {
        let _ = self.end_current(None);
    }

    /// Ends the current input; `inflated` is the end of its caller's inflater when it was
    /// begun with [`Analyzer::begin_inflated_input`].
    fn end_current(&mut self, inflated: Option<InflateEnd>) -> Option<IngestedInput> {
        let mut cur = self.current.take()?;
        let (stage, mut sink) = cur.split(
            &self.config,
            &mut self.delivery,
            &mut self.dmarc,
            &mut self.bind,
            self.abortable,
            self.cold,
        );
        match inflated {
            Some(end) => stage.finish_inflated(&end, &self.config.limits, &mut sink),
            None => stage.finish(0, &self.config.limits, &mut sink),
        }
        let stats = match self.delivery.replay_mut() {
            Some(r) => r.end_stream(),
            None => crate::ledger::StreamStats::default(),
        };
        self.delivery.subtract_seen();
        let mut kind = cur.stage.kind();
        let mut is_log = matches!(kind, InputKind::PostfixLog | InputKind::PostfixLogGzip);
        let nothing_read = cur.stats.attempts
            + cur.stats.skipped
            + cur.stats.expired
            + cur.stats.expired_unattributed
            == 0;
        if is_log && nothing_read && !cur.line_diags.head_is_log {
            // Text that is neither a log nor anything else mailrep reads.
            cur.diagnostics.push(Diagnostic::new(
                Level::Info,
                "input.unrecognised",
                &cur.name,
                Position::default(),
                format!(
                    "not a Postfix log, DMARC report or Postfix configuration ({} lines of text)",
                    cur.stats.lines
                ),
            ));
            kind = InputKind::Unknown;
            is_log = false;
        }
        if is_log {
            self.delivery.add_stats(&cur.stats);
            cur.diagnostics.extend(aggregate::line_diagnostics(
                &cur.name,
                &cur.line_diags,
                &cur.stats,
            ));
            if cur.stats.status_lines == 0 && cur.stats.lines > 0 {
                cur.diagnostics.push(Diagnostic::new(
                    Level::Info,
                    "input.no_delivery_lines",
                    &cur.name,
                    Position::default(),
                    format!("no delivery lines among {} lines", cur.stats.lines),
                ));
            }
        }
        self.diagnostics.append(&mut cur.diagnostics);
        let ingested = IngestedInput {
            kind,
            stats,
            blob: cur.blob.take(),
        };
        self.inputs.push(InputSummary {
            name: cur.name,
            kind,
            bytes: cur.bytes,
            reference_date: cur.reference,
            log: is_log.then_some(cur.stats),
            reports: matches!(kind, InputKind::Reports).then_some(cur.reports),
            cancelled: false,
        });
        Some(ingested)
    }

    /// Abandons the current input (the page's "cancel file"): nothing of it is counted, as if
    /// it had never begun. Reports and Postfix configuration files only count when their
    /// input ends, and a log's lines are undone from the checkpoint of an abortable analyzer
    /// ([`Analyzer::set_abortable`]). The input is listed in `inputs[]` with `cancelled: true`
    /// and the bytes read, with an `input.cancelled` warning giving `reason`.
    ///
    /// Returns false when nothing is open, and when log lines were already counted by an
    /// analyzer that is not abortable: that input is then ended as read so far (its last
    /// partial line included), still marked cancelled, and the warning says so.
    pub fn abort_input(&mut self, reason: &str) -> bool {
        let Some(mut cur) = self.current.take() else {
            return false;
        };
        let discarded = match cur.checkpoint.take() {
            Some(checkpoint) => {
                self.delivery.restore(checkpoint);
                true
            }
            None => !cur.touched,
        };
        let bytes = cur.bytes;
        let name = cur.name.clone();
        let what = if discarded {
            "nothing of it is counted"
        } else {
            "the part read is counted"
        };
        if discarded {
            self.inputs.push(InputSummary {
                name: cur.name,
                kind: cur.stage.kind(),
                bytes,
                reference_date: cur.reference,
                log: None,
                reports: None,
                cancelled: true,
            });
        } else {
            self.current = Some(cur);
            self.end_input();
            if let Some(last) = self.inputs.last_mut() {
                last.cancelled = true;
            }
        }
        self.diagnostics.push(Diagnostic::new(
            Level::Warning,
            "input.cancelled",
            &name,
            Position {
                offset: Some(bytes),
                ..Position::default()
            },
            format!("cancelled after {bytes} bytes ({reason}); {what}"),
        ));
        discarded
    }

    /// Ends any open input and builds the findings.
    #[inline]
    pub fn finish(mut self) -> Findings {
        self.end_input();
        self.snapshot()
    }

    /// The findings of the inputs ended so far (an input still open is left out and stays
    /// open), without consuming the analyzer: the page shows results as files finish.
    /// [`Analyzer::finish`] after the last input gives the same findings as a snapshot then.
    #[inline]
    pub fn snapshot(&self) -> Findings {
        let delivery = self.delivery.finish(&self.config, &self.bind);
        let (dmarc, dmarc_diagnostics) = self.dmarc.finish(&self.config);
        let mut verdicts = verdict::delivery_verdicts(&delivery, &self.config.thresholds);
        verdicts.extend(verdict::dmarc_verdicts(&dmarc, &self.config.thresholds));
        verdict::sort(&mut verdicts);
        let mut diagnostics = self.diagnostics.clone();
        diagnostics.extend(dmarc_diagnostics);
        let diagnostics = crate::diagnostic::cap_per_code(
            diagnostics,
            self.config.limits.max_diagnostics_per_code,
        );
        Findings {
            schema_version: SCHEMA_VERSION,
            generator: concat!("mailrep ", env!("CARGO_PKG_VERSION")).to_owned(),
            inputs: self.inputs.clone(),
            delivery,
            dmarc,
            verdicts,
            diagnostics,
            redaction: None,
        }
    }

    /// Records an input that could not be read at all (missing file, permission denied): an
    /// error diagnostic and an `unknown` entry in `inputs[]`; the other inputs are unaffected.
    pub fn input_error(&mut self, name: &str, reference_date: Date, message: &str) {
        self.end_input();
        self.diagnostics.push(Diagnostic::new(
            Level::Error,
            "input.unreadable",
            name,
            Position::default(),
            message.to_owned(),
        ));
        self.inputs.push(InputSummary {
            name: name.to_owned(),
            kind: InputKind::Unknown,
            bytes: 0,
            reference_date,
            log: None,
            reports: None,
            cancelled: false,
        });
    }

    /// Explains one log line (see [`aggregate::Explanation`]); `None` for lines that are not
    /// delivery lines.
    pub fn explain_line(
        &self,
        line: &[u8],
        reference_date: Date,
    ) -> Option<aggregate::Explanation> {
        let reference = self.config.time.reference_date.unwrap_or(reference_date);
        self.delivery.explain(line, reference, &self.config)
    }

    /// Convenience: analyses whole in-memory inputs `(name, bytes)` with one reference date.
    pub fn analyze(
        config: Config,
        inputs: &[(&str, &[u8])],
        reference_date: Date,
    ) -> Result<Findings, ConfigError> {
        let mut a = Analyzer::new(config)?;
        for (name, bytes) in inputs {
            a.begin_input(name, reference_date);
            a.push(bytes);
            a.end_input();
        }
        Ok(a.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::postfix::Outcome;

    const LINE: &str = "Nov 20 10:00:00 mx1 postfix/smtp[1]: 4jVwT647TtzL3CF: to=<a@acme.example>, relay=mx.acme.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.7.1, status=deferred (host mx.acme.example[192.0.2.1] said: 451 4.7.1 slow down, friend (in reply to RCPT TO command))\n";

    fn run(config: Config) -> Findings {
        Analyzer::analyze(
            config,
            &[("mail.log", LINE.as_bytes())],
            Date::new(2026, 11, 21).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn configured_rules_extend_the_table() {
        let plain = run(Config::default());
        assert_eq!(plain.delivery.daily[0].provider, "other");
        let config = Config::from_toml(Config::example()).unwrap();
        let f = run(config);
        let row = &f.delivery.daily[0];
        assert_eq!(
            (row.provider.as_str(), row.outcome),
            ("acme", Outcome::Throttled)
        );
        assert_eq!(row.date.to_string(), "2026-11-20");
    }

    #[test]
    fn a_config_rule_whose_example_fails_is_refused() {
        let bad = "[[rules.rule]]\nid = \"x.bad\"\nwhen = \"temporary\"\nphrases = ['zzz']\noutcome = \"throttled\"\nexamples = [\"451 4.7.1 nothing like it\"]\n";
        let err = Analyzer::new(Config::from_toml(bad).unwrap()).unwrap_err();
        assert!(err.to_string().contains("x.bad"), "{err}");
    }

    /// Two queue ids deferred then sent, so a later input depends on an earlier one.
    fn log(day: u8, ids: &[&str], status: &str) -> String {
        use std::fmt::Write as _;
        let (dsn, st) = if status == "sent" {
            ("2.0.0", "sent (250 2.0.0 OK - gsmtp)")
        } else {
            (
                "4.7.1",
                "deferred (host mx.acme.example[192.0.2.1] said: 451 4.7.1 slow down, friend (in reply to RCPT TO command))",
            )
        };
        ids.iter().fold(String::new(), |mut out, id| {
            let _ = writeln!(
                out,
                "Nov {day} 10:00:00 mx1 postfix/smtp[1]: {id}: to=<a@acme.example>, relay=mx.acme.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn={dsn}, status={st}"
            );
            out
        })
    }

    #[test]
    fn an_aborted_input_counts_nothing() {
        let day = Date::new(2026, 11, 21).unwrap();
        let first = log(18, &["4jVwT647TtzA", "4jVwT647TtzB"], "deferred");
        // Long enough that its first half passes the sniffed head (4 KiB) and lines are counted.
        let many: Vec<String> = std::iter::once("4jVwT647TtzA".to_owned())
            .chain((0..120).map(|i| format!("4jVwT647TtzC{i:03}")))
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let second = log(19, &many, "sent");
        assert!(second.len() / 2 > 2 * 4096);
        let third = log(20, &["4jVwT647TtzB"], "sent");
        let report = "<?xml version=\"1.0\"?><feedback><report_metadata><org_name>x</org_name>";
        let run = |abort: bool| {
            let mut an = Analyzer::new(Config::default()).unwrap();
            an.set_abortable(true);
            an.begin_input("a.log", day);
            an.push(first.as_bytes());
            an.end_input();
            if abort {
                an.begin_input("b.log", day);
                an.push(&second.as_bytes()[..second.len() / 2]);
                assert!(an.abort_input("cancelled by the user"));
                an.begin_input("report.xml", day);
                an.push(report.as_bytes());
                assert!(an.abort_input("cancelled by the user"));
            }
            an.begin_input("c.log", day);
            an.push(third.as_bytes());
            an.end_input();
            an.finish()
        };
        let clean = run(false);
        // Without the abort the second input would count: the comparison below means something.
        let mut counted = Analyzer::new(Config::default()).unwrap();
        counted.begin_input("b.log", day);
        counted.push(&second.as_bytes()[..second.len() / 2]);
        counted.end_input();
        assert!(counted.finish().delivery.stats.attempts > 20);
        let aborted = run(true);
        assert_eq!(aborted.delivery, clean.delivery);
        assert_eq!(aborted.dmarc, clean.dmarc);
        assert_eq!(aborted.verdicts, clean.verdicts);
        let cancelled: Vec<(&str, bool, u64)> = aborted
            .inputs
            .iter()
            .map(|i| (i.name.as_str(), i.cancelled, i.bytes))
            .collect();
        assert_eq!(
            cancelled,
            [
                ("a.log", false, first.len() as u64),
                ("b.log", true, (second.len() / 2) as u64),
                ("report.xml", true, report.len() as u64),
                ("c.log", false, third.len() as u64)
            ]
        );
        let cancels: Vec<&Diagnostic> = aborted
            .diagnostics
            .iter()
            .filter(|d| d.code == "input.cancelled")
            .collect();
        assert_eq!(cancels.len(), 2, "one per input: {cancels:?}");
        assert!(
            cancels[0].message.contains("nothing of it is counted"),
            "{}",
            cancels[0].message
        );
        let json = aborted.to_json();
        assert!(json.contains("\"cancelled\": true"));
        assert!(
            !clean.to_json().contains("\"cancelled\""),
            "absent when false"
        );
    }

    #[test]
    fn abort_without_checkpoints_keeps_what_was_counted_and_says_so() {
        let r = Date::new(2026, 11, 21).unwrap();
        let mut an = Analyzer::new(Config::default()).unwrap();
        assert!(!an.abort_input("nothing open"));
        an.begin_input("b.log", r);
        let ids: Vec<String> = (0..40).map(|i| format!("4jVwT647Ttz{i:02}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        an.push(log(19, &ids, "sent").as_bytes());
        assert!(!an.abort_input("stopped"));
        let f = an.finish();
        assert!(
            f.delivery.stats.attempts >= 20,
            "lines past the sniffed head were counted"
        );
        assert!(f.inputs[0].cancelled);
        assert!(
            f.diagnostics[0]
                .message
                .contains("the part read is counted")
        );
    }

    #[test]
    fn inputs_in_any_kind_are_listed_with_diagnostics() {
        let mut a = Analyzer::new(Config::default()).unwrap();
        let r = Date::new(2026, 11, 21).unwrap();
        a.begin_input("empty", r);
        a.end_input();
        a.begin_input("junk.gz", r);
        a.push(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xfe, 0xfd]);
        a.end_input();
        a.input_error("missing.log", r, "cannot open: not found");
        let f = a.finish();
        assert_eq!(f.inputs.len(), 3);
        let codes: Vec<&str> = f.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert!(codes.contains(&"input.empty"), "{codes:?}");
        assert!(codes.contains(&"input.gzip_corrupt"), "{codes:?}");
        assert!(codes.contains(&"input.unreadable"), "{codes:?}");
        assert!(f.diagnostics.iter().all(|d| !d.input.is_empty()));
    }
}
