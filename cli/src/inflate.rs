//! Gzip inputs decoded on a second thread while the calling thread analyses: wall time close
//! to the larger of decompression and analysis instead of their sum.
//!
//! The reading thread feeds the compressed chunks to the core's [`Inflater`] exactly as
//! [`Analyzer::push`] would feed its own gzip layer, and sends each decoded piece (with the
//! compressed count the inflater gave it) over a bounded channel; the calling thread hands the
//! pieces to [`Analyzer::push_inflated`] in order and returns the emptied buffers for reuse.
//! The findings are byte-identical to the inline path's (`mailrep_core::input` docs).

use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use indicatif::ProgressBar;
use mailrep_core::Analyzer;
use mailrep_core::input::{InflateEnd, Inflater};

/// Decoded pieces in flight between the threads. A piece is what one 64 KiB slice of
/// compressed input decodes to (about 400 KiB of a Postfix log), so a few keep the decoder
/// ahead without holding much memory.
const PIECES_IN_FLIGHT: usize = 4;

/// Decoded bytes in flight at most, beyond one piece: a pathological stream decodes 64 KiB
/// to up to about 66 MB, and the reader then waits for the analyzer instead of queueing more
/// of them (the inline path holds one such piece).
const BYTES_IN_FLIGHT: usize = 16 << 20;

/// What the reading thread sends.
enum Msg {
    /// Decoded bytes and the compressed bytes fed so far.
    Piece(Vec<u8>, u64),
    /// The input ended: compressed bytes read in all, the inflater's end, a read error.
    End(u64, InflateEnd, Option<io::Error>),
}

/// Reads the rest of `reader` (after `first`, the first chunk, which starts with a gzip
/// member) on a second thread, decoding it there, into `analyzer`'s current input, begun with
/// [`Analyzer::begin_inflated_input`] by the caller; ends the input. Returns the read error
/// that ended it early, if any (the caller records it as the inline path does).
pub(crate) fn feed_gzip(
    analyzer: &mut Analyzer,
    reader: &mut (dyn Read + Send),
    first: &[u8],
    chunk: usize,
    bar: Option<&ProgressBar>,
) -> Option<io::Error> {
    let (tx, rx) = mpsc::sync_channel::<Msg>(PIECES_IN_FLIGHT);
    let (back_tx, back_rx) = mpsc::channel::<Vec<u8>>();
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let stop = &stop;
        s.spawn(move || inflate(reader, first, chunk, bar, &tx, &back_rx, stop));
        for msg in rx {
            match msg {
                Msg::Piece(buf, compressed) => {
                    if !analyzer.push_inflated(&buf, compressed) {
                        stop.store(true, Ordering::Relaxed);
                    }
                    // The reader may have ended already: the buffer is then just dropped.
                    let _ = back_tx.send(buf);
                }
                Msg::End(bytes, end, read_error) => {
                    analyzer.end_inflated_input(bytes, end);
                    return read_error;
                }
            }
        }
        // The reading thread ended without its last message: it panicked (the scope
        // re-raises that panic when it returns).
        None
    })
}

/// The reading thread: the same reads and the same inflater calls as the inline path.
fn inflate(
    reader: &mut (dyn Read + Send),
    first: &[u8],
    chunk: usize,
    bar: Option<&ProgressBar>,
    tx: &mpsc::SyncSender<Msg>,
    back: &mpsc::Receiver<Vec<u8>>,
    stop: &AtomicBool,
) {
    let mut inflater = Inflater::for_input();
    let mut in_flight = 0usize;
    let mut spare: Option<Vec<u8>> = None;
    let mut out = |buf: &mut Vec<u8>, compressed: u64| {
        if !buf.is_empty() {
            // Count off the buffers the analyzer is done with (keeping the largest for
            // reuse), waiting for them while too many bytes are in flight.
            loop {
                let wait = in_flight > 0 && in_flight + buf.len() > BYTES_IN_FLIGHT;
                let returned = if wait {
                    back.recv().ok()
                } else {
                    back.try_recv().ok()
                };
                let Some(mut v) = returned else {
                    break;
                };
                in_flight -= v.len();
                v.clear();
                if spare.as_ref().is_none_or(|s| v.capacity() > s.capacity()) {
                    spare = Some(v);
                }
            }
            let next = spare
                .take()
                .unwrap_or_else(|| Vec::with_capacity(buf.capacity()));
            let piece = std::mem::replace(buf, next);
            in_flight += piece.len();
            if tx.send(Msg::Piece(piece, compressed)).is_err() {
                return false;
            }
        }
        !stop.load(Ordering::Relaxed)
    };
    let mut bytes = first.len() as u64;
    inflater.push(first, &mut out);
    let mut buf = vec![0u8; chunk];
    let mut read_error = None;
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                bytes += n as u64;
                inflater.push(&buf[..n], &mut out);
                if let Some(bar) = bar {
                    bar.inc(n as u64);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                read_error = Some(e);
                break;
            }
        }
    }
    let end = inflater.finish(&mut out);
    let _ = tx.send(Msg::End(bytes, end, read_error));
}
