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

pub(crate) use lines::{Line, LineSplitter};

/// Most nested gzip layers unwrapped (`.xml.gz.gz`).
const MAX_GZIP_DEPTH: usize = 3;

/// Where decoded content goes. Implemented by the analyzer.
pub(crate) trait Sink {
    /// A complete log line (1-based `line_no`).
    fn line(&mut self, line: Line<'_>, line_no: u64);
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
                    splitter.push(data, &mut |line| {
                        *line_no += 1;
                        sink.line(line, *line_no);
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
            if let Err(e) = self.decoder.write_all(piece) {
                self.fail(&e, sink);
                return;
            }
            self.drain(limits, sink);
            if self.failed {
                return;
            }
        }
    }

    fn drain(&mut self, limits: &Limits, sink: &mut dyn Sink) {
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
            if let Err(e) = self.decoder.try_finish() {
                self.fail(&e, sink);
            }
            if !matches!(self.inner, Stage::Discard) {
                let out = std::mem::take(self.decoder.get_mut());
                self.decompressed += out.len() as u64;
                self.inner.push(&out, self.depth, limits, sink);
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
