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

#[derive(Debug)]
pub(crate) struct GzipLayer {
    decoder: MultiGzDecoder<Vec<u8>>,
    inner: Stage,
    depth: usize,
    compressed: u64,
    decompressed: u64,
    failed: bool,
}

/// What the stage turned out to be (for `inputs[].kind`).
fn kind_of(stage: &Stage, gz: bool) -> InputKind {
    match stage {
        Stage::Gzip(g) => kind_of(&g.inner, true),
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

    pub(crate) fn kind(&self) -> InputKind {
        kind_of(self, false)
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
                decoder: MultiGzDecoder::new(Vec::new()),
                inner: Stage::new(),
                depth: depth + 1,
                compressed: 0,
                decompressed: 0,
                failed: false,
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
        if self.failed {
            return;
        }
        self.compressed += data.len() as u64;
        // Feed in bounded slices so a highly compressible chunk cannot balloon the buffer.
        for piece in data.chunks(64 * 1024) {
            let written = self.decoder.write_all(piece);
            // Whatever was decoded before an error still counts.
            self.drain(limits, sink);
            if let Err(e) = written {
                if !self.failed {
                    self.fail(&e, sink);
                }
                return;
            }
            if self.failed {
                return;
            }
        }
    }

    fn drain(&mut self, limits: &Limits, sink: &mut dyn Sink) {
        if matches!(self.inner, Stage::Discard) {
            self.decoder.get_mut().clear();
            return;
        }
        let out = std::mem::take(self.decoder.get_mut());
        self.decompressed += out.len() as u64;
        self.inner.push(&out, self.depth, limits, sink);
        let mut out = out;
        out.clear();
        *self.decoder.get_mut() = out;
        if matches!(self.inner, Stage::Blob(..))
            && self.decompressed > limits.max_decompressed_bytes
        {
            {
                sink.diagnostic(
                    Level::Error,
                    "limit.decompressed_size",
                    Position { offset: Some(self.decompressed), ..Position::default() },
                    format!(
                        "gzip report expands beyond the limit ({} bytes from {} compressed): not analysed",
                        self.decompressed, self.compressed
                    ),
                );
                self.failed = true;
                self.inner = Stage::Discard;
            }
        }
    }

    fn fail(&mut self, e: &std::io::Error, sink: &mut dyn Sink) {
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

    fn finish(&mut self, limits: &Limits, sink: &mut dyn Sink) {
        if !self.failed {
            let finished = self.decoder.try_finish();
            self.drain(limits, sink);
            if let Err(e) = finished
                && !self.failed
            {
                self.fail(&e, sink);
            }
        }
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
