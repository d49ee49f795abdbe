//! One input stream: sniff by content, decode (streaming gunzip), and route to the log reader
//! or the report reader.

pub mod sniff;

mod lines;

use std::io::Write;

use flate2::write::MultiGzDecoder;

use crate::diagnostic::{Level, Position};
use crate::limits::Limits;
pub use sniff::InputKind;
use sniff::{Route, SNIFF_BYTES};

pub(crate) use lines::{Line, LineSplitter, split_line};

/// Most nested gzip layers unwrapped (`.xml.gz.gz`).
const MAX_GZIP_DEPTH: usize = 3;

/// Where decoded content goes. Implemented by the analyzer.
pub(crate) trait Sink {
    /// A complete log line (1-based `line_no`).
    fn line(&mut self, line: Line<'_>, line_no: u64);
    /// Complete lines as they lie in a chunk (each ends with `\n`; see [`lines::Piece`]),
    /// the first being line `line_no + 1`. Returns the number of lines. Must behave exactly
    /// like [`Sink::line`] on each of them, cut with [`lines::split_line`] at `max_line` bytes.
    fn block(&mut self, block: &[u8], line_no: u64, max_line: usize) -> u64 {
        let mut n = line_no;
        lines::for_each_line(block, max_line, &mut |line| {
            n += 1;
            self.line(line, n);
        });
        n - line_no
    }
    /// A complete buffered blob of reports; `decoded_from_gzip` says a gzip layer was removed.
    fn blob(&mut self, bytes: &[u8]);
    /// A complete `master.cf` / `main.cf`.
    fn postfix_config(&mut self, text: &str);
    /// A diagnostic about this input.
    fn diagnostic(&mut self, level: Level, code: &str, position: Position, message: String);
}

/// Decoding state of one input.
#[derive(Debug)]
pub(crate) enum Stage {
    /// Collecting the first bytes to decide.
    Sniff(Vec<u8>),
    /// Inside a gzip layer.
    Gzip(Box<GzipLayer>),
    /// Streaming lines.
    Log {
        splitter: LineSplitter,
        line_no: u64,
    },
    /// Buffering a report blob (bytes, limit reached).
    Blob(Vec<u8>, bool),
    /// Buffering a Postfix configuration file.
    PostfixConfig(Vec<u8>, bool),
    /// Ignoring the rest (after a fatal decoding error).
    Discard,
}

/// A gzip layer: the decoding half ([`Inflater`]; `None` when the caller inflates and hands
/// the pieces over, see [`Stage::inflated`]) and what is done with the decoded bytes.
#[derive(Debug)]
pub(crate) struct GzipLayer {
    inflater: Option<Inflater>,
    out: Decoded,
}

/// The consuming half of a gzip layer: the stage the decoded bytes go to, with the counts the
/// limits and diagnostics quote.
#[derive(Debug)]
struct Decoded {
    inner: Stage,
    depth: usize,
    /// Compressed bytes fed before the layer stopped, as its inflater counts them.
    compressed: u64,
    decompressed: u64,
    /// Decoding failed or the decoded report went over a limit: nothing more is read.
    failed: bool,
}

/// Bytes of compressed input fed to the decoder at a time, so a highly compressible chunk
/// cannot balloon the output buffer (at most 64 KiB times the deflate ratio limit, about
/// 1032: 66 MB).
const INFLATE_PIECE: usize = 64 * 1024;

/// The decoding half of a gzip layer: compressed bytes in, decoded bytes out (multi-member
/// gzip, streaming; flate2 on zlib-rs). Pure and `Send`.
///
/// The analyzer's own gzip layers use it inline. A front end that wants decompression and
/// analysis to overlap (the CLI runs it on a second thread) makes one with
/// [`Inflater::for_input`] for an input that starts with a gzip member and hands what it
/// gives to [`crate::Analyzer::push_inflated`] and [`crate::Analyzer::end_inflated_input`]:
/// the findings are byte-identical to [`crate::Analyzer::push`] of the same chunks. It feeds
/// the decoder exactly as the analyzer's own layer would (the first 4,096 bytes as one piece,
/// then 64 KiB pieces of each chunk), so the decoded pieces and the counts diagnostics quote
/// are the same either way.
#[derive(Debug)]
pub struct Inflater {
    decoder: MultiGzDecoder<Vec<u8>>,
    /// Compressed bytes fed (whole chunks, counted before decoding them).
    compressed: u64,
    /// The first decoder error, until the owner takes it.
    error: Option<std::io::Error>,
    /// No more input is decoded (an error, or the consumer said stop).
    stopped: bool,
    /// The head of a whole input, collected until [`SNIFF_BYTES`] as the analyzer's sniffing
    /// stage does; `None` once fed (and always for a nested layer).
    head: Option<Vec<u8>>,
}

/// A gzip decoding error (corrupt deflate data, a bad header, or bytes after the last member
/// that do not start another member).
#[derive(Debug)]
pub struct InflateError(std::io::Error);

impl std::fmt::Display for InflateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for InflateError {}

/// How an [`Inflater`] ended: what [`crate::Analyzer::end_inflated_input`] needs.
#[derive(Debug)]
pub struct InflateEnd {
    /// Compressed bytes fed before it stopped.
    compressed: u64,
    /// The first decoding error, if any.
    error: Option<InflateError>,
}

impl InflateEnd {
    /// The first decoding error, if any.
    pub fn error(&self) -> Option<&InflateError> {
        self.error.as_ref()
    }
}

/// Where an [`Inflater`] puts decoded bytes: called after each piece of compressed input with
/// the decoder's output buffer (the callee reads it, or takes it and leaves an empty one) and
/// the compressed bytes fed so far. Returns false to stop decoding.
pub type InflateOut<'a> = dyn FnMut(&mut Vec<u8>, u64) -> bool + 'a;

impl Inflater {
    fn new(head: Option<Vec<u8>>) -> Self {
        Self {
            decoder: MultiGzDecoder::new(Vec::new()),
            compressed: 0,
            error: None,
            stopped: false,
            head,
        }
    }

    /// An inflater for a whole input that starts with a gzip member ([`starts_gzip`]).
    pub fn for_input() -> Self {
        Self::new(Some(Vec::new()))
    }

    /// Feeds the next compressed bytes (any chunk size); `out` gets the decoded bytes. Returns
    /// false once it has stopped (a decoding error, or `out` said stop): later calls do
    /// nothing.
    pub fn push(&mut self, mut data: &[u8], out: &mut InflateOut<'_>) -> bool {
        if let Some(head) = &mut self.head {
            let take = (SNIFF_BYTES - head.len()).min(data.len());
            head.extend_from_slice(&data[..take]);
            data = &data[take..];
            if head.len() < SNIFF_BYTES {
                return true;
            }
            let head = self.head.take().unwrap_or_default();
            self.feed(&head, out);
        }
        if !data.is_empty() {
            self.feed(data, out);
        }
        !self.stopped
    }

    /// Ends the input: flushes the decoder (a truncated last member is an error) and returns
    /// the counts and the first error.
    pub fn finish(&mut self, out: &mut InflateOut<'_>) -> InflateEnd {
        if let Some(head) = self.head.take()
            && !head.is_empty()
        {
            self.feed(&head, out);
        }
        if !self.stopped {
            let finished = self.decoder.try_finish();
            self.emit(out);
            if let Err(e) = finished {
                self.stop_with(e);
            }
        }
        InflateEnd {
            compressed: self.compressed,
            error: self.error.take().map(InflateError),
        }
    }

    /// One push of the analyzer's layer: counted whole, then decoded in bounded pieces.
    fn feed(&mut self, data: &[u8], out: &mut InflateOut<'_>) {
        if self.stopped {
            return;
        }
        self.compressed += data.len() as u64;
        for piece in data.chunks(INFLATE_PIECE) {
            let written = self.decoder.write_all(piece);
            // Whatever was decoded before an error still counts.
            self.emit(out);
            if let Err(e) = written {
                self.stop_with(e);
            }
            if self.stopped {
                return;
            }
        }
    }

    fn emit(&mut self, out: &mut InflateOut<'_>) {
        let buf = self.decoder.get_mut();
        let go_on = out(buf, self.compressed);
        buf.clear();
        if !go_on {
            self.stopped = true;
        }
    }

    fn stop_with(&mut self, e: std::io::Error) {
        if !self.stopped {
            self.error = Some(e);
        }
        self.stopped = true;
    }

    /// The first decoding error, once (the analyzer's inline layer reports it as it happens).
    fn take_error(&mut self) -> Option<InflateError> {
        self.error.take().map(InflateError)
    }
}

/// True when `head` (the first bytes of an input, at least two) starts with a gzip member:
/// the analyzer would decode it with its gzip layer, and [`Inflater::for_input`] may do so
/// instead.
pub fn starts_gzip(head: &[u8]) -> bool {
    head.starts_with(&sniff::GZIP_MAGIC)
}

/// Whether an input whose first bytes are `head` (its first 4096 bytes, or all of a shorter
/// input) is read as a plain, uncompressed log: only such an input can be cut at a line
/// boundary and counted in parts ([`crate::Analyzer::begin_part`]).
pub fn splittable_log(head: &[u8]) -> bool {
    matches!(
        sniff::route(&head[..head.len().min(SNIFF_BYTES)]),
        Route::Log
    )
}

/// What the stage turned out to be (for `inputs[].kind`).
fn kind_of(stage: &Stage, gz: bool) -> InputKind {
    match stage {
        Stage::Gzip(g) => kind_of(&g.out.inner, true),
        Stage::Log { .. } if gz => InputKind::PostfixLogGzip,
        Stage::Log { .. } => InputKind::PostfixLog,
        Stage::Blob(..) => InputKind::Reports,
        Stage::PostfixConfig(..) => InputKind::PostfixConfig,
        Stage::Sniff(_) | Stage::Discard => InputKind::Unknown,
    }
}

impl Stage {
    pub(crate) fn new() -> Self {
        Stage::Sniff(Vec::new())
    }

    /// The stage of a whole input that starts with a gzip member whose decoding the caller
    /// does with an [`Inflater::for_input`]: [`Stage::push_inflated`] takes the pieces.
    pub(crate) fn inflated() -> Self {
        Stage::Gzip(Box::new(GzipLayer {
            inflater: None,
            out: Decoded::new(1),
        }))
    }

    /// Decoded bytes of a stage made by [`Stage::inflated`] (see [`InflateOut`]). Returns
    /// false once the layer reads no more.
    pub(crate) fn push_inflated(
        &mut self,
        decoded: &[u8],
        compressed: u64,
        limits: &Limits,
        sink: &mut dyn Sink,
    ) -> bool {
        match self {
            Stage::Gzip(g) if g.inflater.is_none() => {
                if !g.out.failed {
                    g.out.take(decoded, compressed, limits, sink);
                }
                !g.out.failed
            }
            _ => false,
        }
    }

    /// Ends a stage made by [`Stage::inflated`] with its inflater's end state.
    pub(crate) fn finish_inflated(
        &mut self,
        end: &InflateEnd,
        limits: &Limits,
        sink: &mut dyn Sink,
    ) {
        if let Stage::Gzip(g) = self
            && g.inflater.is_none()
        {
            if !g.out.failed {
                g.out.compressed = end.compressed;
                if let Some(e) = &end.error {
                    g.out.fail(e, sink);
                }
            }
            g.out.finish(limits, sink);
        }
    }

    pub(crate) fn kind(&self) -> InputKind {
        kind_of(self, false)
    }

    /// A stage that reads lines from the first byte on (no sniffing): the rest of a log
    /// after a cut at a line boundary.
    pub(crate) fn log(limits: &Limits) -> Self {
        Stage::Log {
            splitter: LineSplitter::new(limits.max_line_bytes),
            line_no: 0,
        }
    }

    /// The lines handed out so far, when this is a plain log stage whose bytes so far end
    /// with a complete line (where a log can be cut); `None` otherwise.
    pub(crate) fn lines_at_cut(&self) -> Option<u64> {
        match self {
            Stage::Log { splitter, line_no } if splitter.at_line_start() => Some(*line_no),
            _ => None,
        }
    }

    /// Counts `n` more lines read elsewhere (an absorbed part of the log).
    pub(crate) fn add_lines(&mut self, n: u64) {
        if let Stage::Log { line_no, .. } = self {
            *line_no += n;
        }
    }

    /// Feeds bytes.
    pub(crate) fn push(
        &mut self,
        mut data: &[u8],
        depth: usize,
        limits: &Limits,
        sink: &mut dyn Sink,
    ) {
        while !data.is_empty() {
            match self {
                Stage::Sniff(head) => {
                    let take = (SNIFF_BYTES - head.len()).min(data.len());
                    head.extend_from_slice(&data[..take]);
                    data = &data[take..];
                    if head.len() >= SNIFF_BYTES {
                        let head = std::mem::take(head);
                        self.decide(&head, depth, limits, sink);
                    }
                }
                Stage::Gzip(g) => {
                    g.push(data, limits, sink);
                    return;
                }
                Stage::Log { splitter, line_no } => {
                    let max_line = splitter.max_line();
                    splitter.push_blocks(data, &mut |piece| match piece {
                        lines::Piece::Line(line) => {
                            *line_no += 1;
                            sink.line(line, *line_no);
                        }
                        lines::Piece::Block(block) => {
                            *line_no += sink.block(block, *line_no, max_line);
                        }
                    });
                    return;
                }
                Stage::Blob(buf, over) | Stage::PostfixConfig(buf, over) => {
                    if !*over {
                        let room = limits.max_document_bytes.saturating_sub(buf.len());
                        if data.len() > room {
                            buf.extend_from_slice(&data[..room]);
                            *over = true;
                            sink.diagnostic(
                                Level::Error,
                                "limit.document_size",
                                Position {
                                    offset: Some(limits.max_document_bytes as u64),
                                    ..Position::default()
                                },
                                format!(
                                    "report input larger than {} bytes: not analysed",
                                    limits.max_document_bytes
                                ),
                            );
                        } else {
                            buf.extend_from_slice(data);
                        }
                    }
                    return;
                }
                Stage::Discard => return,
            }
        }
    }

    /// Routes after sniffing `head` (all bytes seen so far), replaying them into the new stage.
    fn decide(&mut self, head: &[u8], depth: usize, limits: &Limits, sink: &mut dyn Sink) {
        *self = match sniff::route(head) {
            Route::Gzip if depth < MAX_GZIP_DEPTH => Stage::Gzip(Box::new(GzipLayer {
                inflater: Some(Inflater::new(None)),
                out: Decoded::new(depth + 1),
            })),
            Route::Gzip | Route::Blob => Stage::Blob(Vec::new(), false),
            Route::PostfixConfig => Stage::PostfixConfig(Vec::new(), false),
            Route::Log => Stage::Log {
                splitter: LineSplitter::new(limits.max_line_bytes),
                line_no: 0,
            },
        };
        self.push(head, depth, limits, sink);
    }

    /// Ends the stream.
    pub(crate) fn finish(&mut self, depth: usize, limits: &Limits, sink: &mut dyn Sink) {
        if let Stage::Sniff(head) = self {
            let head = std::mem::take(head);
            if head.is_empty() {
                sink.diagnostic(
                    Level::Warning,
                    "input.empty",
                    Position::default(),
                    "input is empty".to_owned(),
                );
                *self = Stage::Discard;
                return;
            }
            self.decide(&head, depth, limits, sink);
        }
        match self {
            Stage::Sniff(_) | Stage::Discard => {}
            Stage::Gzip(g) => g.finish(limits, sink),
            Stage::Log { splitter, line_no } => splitter.finish(&mut |line| {
                *line_no += 1;
                sink.line(line, *line_no);
            }),
            Stage::Blob(buf, over) => {
                if !*over {
                    sink.blob(buf);
                }
                buf.clear();
            }
            Stage::PostfixConfig(buf, over) => {
                if !*over {
                    sink.postfix_config(&String::from_utf8_lossy(buf));
                }
                buf.clear();
            }
        }
    }
}

impl GzipLayer {
    fn push(&mut self, data: &[u8], limits: &Limits, sink: &mut dyn Sink) {
        let Some(inflater) = &mut self.inflater else {
            return;
        };
        if self.out.failed {
            return;
        }
        let out = &mut self.out;
        let go_on = inflater.push(data, &mut |buf, compressed| {
            out.take(buf, compressed, limits, sink);
            !out.failed
        });
        if !go_on && let Some(e) = inflater.take_error() {
            self.out.fail(&e, sink);
        }
    }

    fn finish(&mut self, limits: &Limits, sink: &mut dyn Sink) {
        if let Some(inflater) = &mut self.inflater
            && !self.out.failed
        {
            let out = &mut self.out;
            let end = inflater.finish(&mut |buf, compressed| {
                out.take(buf, compressed, limits, sink);
                !out.failed
            });
            if let Some(e) = &end.error {
                self.out.fail(e, sink);
            }
        }
        self.out.finish(limits, sink);
    }
}

impl Decoded {
    fn new(depth: usize) -> Self {
        Self {
            inner: Stage::new(),
            depth,
            compressed: 0,
            decompressed: 0,
            failed: false,
        }
    }

    /// Decoded bytes, after `compressed` bytes of input were fed.
    fn take(&mut self, out: &[u8], compressed: u64, limits: &Limits, sink: &mut dyn Sink) {
        self.compressed = compressed;
        if matches!(self.inner, Stage::Discard) {
            return;
        }
        self.decompressed += out.len() as u64;
        self.inner.push(out, self.depth, limits, sink);
        if matches!(self.inner, Stage::Blob(..))
            && self.decompressed > limits.max_decompressed_bytes
        {
            sink.diagnostic(
                Level::Error,
                "limit.decompressed_size",
                Position {
                    offset: Some(self.decompressed),
                    ..Position::default()
                },
                format!(
                    "gzip report expands beyond the limit ({} bytes from {} compressed): not analysed",
                    self.decompressed, self.compressed
                ),
            );
            self.failed = true;
            self.inner = Stage::Discard;
        }
    }

    fn fail(&mut self, e: &InflateError, sink: &mut dyn Sink) {
        if self.failed {
            return;
        }
        self.failed = true;
        let (level, code, what) = if self.decompressed > 0 {
            (
                Level::Warning,
                "input.gzip_trailing_garbage",
                "ignored undecodable bytes after the decoded data",
            )
        } else {
            (Level::Error, "input.gzip_corrupt", "corrupt gzip data")
        };
        sink.diagnostic(
            level,
            code,
            Position {
                offset: Some(self.decompressed),
                ..Position::default()
            },
            format!("{what} ({e})"),
        );
    }

    /// After the last decoded bytes: the ratio limit of a report, then the inner stage's end.
    fn finish(&mut self, limits: &Limits, sink: &mut dyn Sink) {
        // The ratio is judged on whole streams so the verdict cannot depend on chunking.
        let ratio_ok =
            self.decompressed <= limits.max_ratio.saturating_mul(self.compressed.max(1024));
        if matches!(self.inner, Stage::Blob(..)) && !ratio_ok {
            sink.diagnostic(
                Level::Error,
                "limit.decompression_ratio",
                Position::default(),
                format!(
                    "gzip report expands {}x ({} bytes from {}), above the limit of {}x: not analysed",
                    self.decompressed / self.compressed.max(1),
                    self.decompressed,
                    self.compressed,
                    limits.max_ratio
                ),
            );
            self.inner = Stage::Discard;
        }
        if !(self.failed && self.decompressed == 0) {
            self.inner.finish(self.depth, limits, sink);
        }
    }
}

/// A blocking reader that gunzips (multi-member) `r`: for front ends that need decoded log
/// lines one by one (`mailrep explain`).
pub fn gzip_reader<R: std::io::Read>(r: R) -> impl std::io::Read {
    flate2::read::MultiGzDecoder::new(r)
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use crate::{Analyzer, Config, Date, Findings};

    const SENT: &str = "Dec 31 23:59:58 mx1 postfix/smtp[7]: 4jVwT647TtzL3CF: to=<a@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.27]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK - gsmtp)\n";
    const NEXT_YEAR: &str = "Jan  1 00:00:03 mx1 postfix/smtp[7]: 4jVwT647TtzL3CG: to=<b@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.27]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK - gsmtp)\n";

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn analyze(name: &str, bytes: &[u8]) -> Findings {
        Analyzer::analyze(
            Config::default(),
            &[(name, bytes)],
            Date::new(2027, 1, 2).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn multi_member_gzip_with_trailing_garbage_counts_every_line_and_says_so() {
        let mut bytes = gzip(SENT.as_bytes());
        bytes.extend(gzip(NEXT_YEAR.as_bytes()));
        bytes.extend(b"\r\n\0garbage");
        let f = analyze("mail.log.2.gz", &bytes);
        assert_eq!(f.inputs[0].kind, super::InputKind::PostfixLogGzip);
        assert_eq!(f.delivery.stats.attempts, 2);
        let dates: Vec<String> = f
            .delivery
            .daily
            .iter()
            .map(|r| r.date.to_string())
            .collect();
        assert_eq!(
            dates,
            ["2026-12-31", "2027-01-01"],
            "Dec -> Jan rollover inside one file"
        );
        assert!(
            f.diagnostics
                .iter()
                .any(|d| d.code == "input.gzip_trailing_garbage"),
            "{:?}",
            f.diagnostics
        );
        let whole = f.to_json();
        for size in [1, 2, 3, 5, 8, 13, 64, 100] {
            let mut a = Analyzer::new(Config::default()).unwrap();
            a.begin_input("mail.log.2.gz", Date::new(2027, 1, 2).unwrap());
            for c in bytes.chunks(size) {
                a.push(c);
            }
            assert_eq!(a.finish().to_json(), whole, "chunks of {size}");
        }
    }

    /// Findings JSON of `bytes` pushed in `chunk`-byte chunks: through the analyzer's own
    /// gzip layer, or (`inflated`) decoded by an [`super::Inflater`] outside it.
    fn json_of(config: &Config, bytes: &[u8], chunk: usize, inflated: bool) -> String {
        let date = Date::new(2027, 1, 2).unwrap();
        let mut a = Analyzer::new(config.clone()).unwrap();
        if inflated {
            a.begin_inflated_input("in.gz", date);
            let mut inflater = super::Inflater::for_input();
            let end = {
                let mut out = |buf: &mut Vec<u8>, compressed: u64| a.push_inflated(buf, compressed);
                for c in bytes.chunks(chunk) {
                    inflater.push(c, &mut out);
                }
                inflater.finish(&mut out)
            };
            a.end_inflated_input(bytes.len() as u64, end);
        } else {
            a.begin_input("in.gz", date);
            for c in bytes.chunks(chunk) {
                a.push(c);
            }
        }
        a.finish().to_json()
    }

    #[test]
    fn inflating_outside_the_analyzer_gives_the_same_findings() {
        let log: String = (0..3000)
            .map(|i| SENT.replace("4jVwT647TtzL3CF", &format!("4jVwT647Tt{i:05}")))
            .collect();
        let mut multi = gzip(log.as_bytes());
        multi.extend(gzip(NEXT_YEAR.as_bytes()));
        let mut garbage = multi.clone();
        garbage.extend(b"\r\n\0garbage");
        let mut corrupt = gzip(log.as_bytes());
        let n = corrupt.len();
        corrupt[n / 2] ^= 0xff;
        corrupt[n / 2 + 1] ^= 0xff;
        let mut corrupt_head = gzip(SENT.as_bytes());
        corrupt_head[12] ^= 0xff;
        let nested = gzip(&gzip(log.as_bytes()));
        let report = format!(
            "<?xml version=\"1.0\"?><feedback>{}</feedback>",
            "<record></record>".repeat(20_000)
        );
        let report_gz = gzip(report.as_bytes());
        let mut small = Config::default();
        small.limits.max_decompressed_bytes = 100_000;
        let mut tight_ratio = Config::default();
        tight_ratio.limits.max_ratio = 2;
        let cases: [(&str, &Config, &[u8]); 8] = [
            ("multi-member", &Config::default(), &multi),
            ("trailing garbage", &Config::default(), &garbage),
            ("corrupt", &Config::default(), &corrupt),
            ("corrupt head", &Config::default(), &corrupt_head),
            ("nested", &Config::default(), &nested),
            ("gzip report", &Config::default(), &report_gz),
            ("report over the size limit", &small, &report_gz),
            ("report over the ratio limit", &tight_ratio, &report_gz),
        ];
        for (what, config, bytes) in cases {
            for chunk in [1, 7, 4096, 5000, 65_536, 256 << 10] {
                assert_eq!(
                    json_of(config, bytes, chunk, true),
                    json_of(config, bytes, chunk, false),
                    "{what}, chunks of {chunk}"
                );
            }
        }
    }

    #[test]
    fn journald_json_lines_are_a_log() {
        let line = r#"{"__REALTIME_TIMESTAMP":"1795176000000000","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"postfix/smtp","_PID":"7","MESSAGE":"4jVwT647TtzL3CF: to=<a@yahoo.com>, relay=mta5.am0.yahoodns.net[98.136.101.132]:25, delay=0.5, delays=0/0/0/0.5, dsn=4.7.0, status=deferred (host mta5.am0.yahoodns.net[98.136.101.132] said: 421 4.7.0 [TSS04] Messages from 203.0.113.94 temporarily deferred due to unexpected volume or user complaints (in reply to MAIL FROM command))"}"#;
        let f = analyze("journal.json", format!("{line}\n").as_bytes());
        assert_eq!(f.inputs[0].kind, super::InputKind::PostfixLog);
        let row = &f.delivery.daily[0];
        assert_eq!(row.date.to_string(), "2026-11-20");
        assert_eq!(
            (row.provider.as_str(), row.sending_ip.as_str()),
            ("yahoo", "203.0.113.94")
        );
        assert_eq!(row.reason_code, "4.7.0 TSS04");
    }

    #[test]
    fn corrupt_gzip_is_an_error_naming_the_input() {
        let mut bytes = gzip(SENT.as_bytes());
        let n = bytes.len();
        bytes[n / 2] ^= 0xff;
        bytes[n / 2 + 1] ^= 0xff;
        let f = analyze("broken.gz", &bytes);
        let d = f
            .diagnostics
            .iter()
            .find(|d| d.code.starts_with("input.gzip"))
            .expect("a gzip diagnostic");
        assert_eq!(d.input, "broken.gz");
    }
}
