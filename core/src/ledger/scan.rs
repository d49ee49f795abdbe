//! First pass over an input for the ledger: the same decoding and line splitting as the
//! analyzer (so line numbers agree), yielding each ledger line's host, time and fingerprint.

use memchr::memmem::Finder;

use crate::diagnostic::{Level, Position};
use crate::input::{InputKind, Line, Sink, Stage};
use crate::limits::Limits;
use crate::postfix::line;

/// One ledger line found by a [`Scanner`].
#[derive(Debug, Clone, Copy)]
pub struct ScanItem<'a> {
    /// Syslog host.
    pub host: &'a str,
    /// Time stamp in seconds ([`super::stamp_seconds`]).
    pub time: i64,
    /// [`super::fingerprint`] of the line's bytes.
    pub fp: u64,
    /// 1-based line number in the input (as the analyzer numbers it).
    pub line_no: u64,
}

/// Decodes one input like [`crate::Analyzer`] does and reports its ledger lines; a report
/// blob or Postfix configuration is kept for the caller instead.
#[derive(Debug)]
pub struct Scanner {
    stage: Stage,
    limits: Limits,
    status: Finder<'static>,
    blob: Option<Vec<u8>>,
    config: Option<String>,
}

struct ScanSink<'a, F: FnMut(ScanItem<'_>)> {
    status: &'a Finder<'static>,
    f: &'a mut F,
    blob: &'a mut Option<Vec<u8>>,
    config: &'a mut Option<String>,
}

impl<F: FnMut(ScanItem<'_>)> Sink for ScanSink<'_, F> {
    fn line(&mut self, l: Line<'_>, line_no: u64) {
        if self.status.find(l.bytes).is_none() {
            return;
        }
        let text = String::from_utf8_lossy(l.bytes);
        let Ok(parsed) = line::parse(&text) else {
            return;
        };
        (self.f)(ScanItem {
            host: &parsed.host,
            time: super::stamp_seconds(parsed.stamp),
            fp: super::fingerprint(l.bytes),
            line_no,
        });
    }

    fn blob(&mut self, bytes: &[u8]) {
        *self.blob = Some(bytes.to_vec());
    }

    fn postfix_config(&mut self, text: &str) {
        *self.config = Some(text.to_owned());
    }

    fn diagnostic(&mut self, _: Level, _: &str, _: Position, _: String) {}
}

impl Scanner {
    /// A scanner for one input, with the analyzer's limits.
    pub fn new(limits: Limits) -> Self {
        Self {
            stage: Stage::new(),
            limits,
            status: Finder::new(b"status=").into_owned(),
            blob: None,
            config: None,
        }
    }

    /// Pushes the next bytes; `f` gets every ledger line they complete.
    pub fn push(&mut self, chunk: &[u8], f: &mut impl FnMut(ScanItem<'_>)) {
        let mut sink = ScanSink {
            status: &self.status,
            f,
            blob: &mut self.blob,
            config: &mut self.config,
        };
        self.stage.push(chunk, 0, &self.limits, &mut sink);
    }

    /// Ends the input.
    pub fn finish(&mut self, f: &mut impl FnMut(ScanItem<'_>)) {
        let mut sink = ScanSink {
            status: &self.status,
            f,
            blob: &mut self.blob,
            config: &mut self.config,
        };
        self.stage.finish(0, &self.limits, &mut sink);
    }

    /// What the input turned out to be so far (final after [`Scanner::finish`]).
    pub fn kind(&self) -> InputKind {
        self.stage.kind()
    }

    /// The decoded report blob, when the input was one (after [`Scanner::finish`]).
    pub fn take_blob(&mut self) -> Option<Vec<u8>> {
        self.blob.take()
    }

    /// The Postfix configuration text, when the input was one (after [`Scanner::finish`]).
    pub fn take_postfix_config(&mut self) -> Option<String> {
        self.config.take()
    }
}
