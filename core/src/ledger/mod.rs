//! The exactly-once ledger of log ingestion: which delivery lines of a host were already
//! counted, kept in a few kilobytes per gigabyte of log.
//!
//! Pure: the CLI loads a host's [`Ledger`] from the database, runs every input stream through
//! a [`Tracker`] (which says, per line number, whether the line was already counted), lets the
//! analyzer count only the new lines, and stores the updated ledger in the same transaction as
//! the counts.
//!
//! # Model
//!
//! Only *ledger lines* matter: lines containing `status=` whose syslog header parses (the only
//! lines that can add to a count). They are taken per host, in stream order. Each has a
//! 64-bit fingerprint ([`fingerprint`], xxh3 of its bytes); byte-equal lines are the same line.
//!
//! * A line whose fingerprint is 0 modulo `small_modulus` is a *small boundary*; modulo
//!   `big_modulus` (a multiple of it) a *big boundary* (also a small one). Defaults: 64 and
//!   8192, so small chunks hold ~64 ledger lines and big chunks ~8192.
//! * An *edge* separates two consecutive ledger lines of a host when their time stamps go
//!   backwards or jump forward by more than `gap_seconds` (default 3600), and at the start and
//!   end of every stream. Backward jumps are the junctions of out-of-order concatenations
//!   (`zcat -f mail.log*` is newest first); forward gaps catch in-order concatenations with a
//!   file missing in between. Between two lines that are adjacent in the real log an edge is a
//!   function of those two lines, so every stream that holds both sees the same edge.
//! * A *region* runs from a big boundary or an edge to the next big boundary or edge; a
//!   *piece* runs from a small boundary or region start to the next small boundary or region
//!   end.
//!
//! Entries recorded after a stream is counted:
//! * a region that is a complete big chunk (big boundary `a` to big boundary `b`, no edge):
//!   `Big(a, b)`: every line of the real log from `a` up to `b` is counted; with it, an
//!   `Interior` tag (32 bits) of every small boundary strictly inside the chunk;
//! * in other regions, a piece that is a complete small chunk: `Small(s, e)`;
//! * every line of the remaining (partial) pieces: `Line(fp)`.
//!
//! Recording a big chunk drops the finer entries found inside it, and a small chunk the lines
//! inside it, so a log fed again and again (a growing `mail.log`) keeps a small ledger: 16
//! bytes per big chunk plus 4 per small boundary inside it (about 64 bytes per 1,000 delivery
//! lines), plus the edge regions of the latest streams.
//!
//! A line of a new stream is already counted when its region starts at `a` with a recorded
//! `Big(a, _)` (the region is a prefix of that chunk), or ends at `b` with a recorded
//! `Big(_, b)` (a suffix of it), or holds a small boundary with a recorded `Interior` tag (the
//! region crosses no big boundary, so it lies inside that chunk); or its piece starts at `s`
//! with a recorded `Small(s, _)` or ends at `e` with a recorded `Small(_, e)`; or its own
//! fingerprint is a recorded `Line`.
//!
//! # Invariant and its limits
//!
//! The rules rely on one invariant: **between a boundary line and any line reached from it
//! without crossing an edge, the stream holds the real log's lines, in order** (real-log
//! content is the same whatever file or stream it arrives in). Then a prefix of the region
//! after a boundary is a prefix of the real chunk after that boundary, whatever stream it came
//! in, and chunk entries can be matched from either end. This holds for: the same file again,
//! a file that grew, rotated copies (plain or gzip), copytruncate, the same bytes on stdin,
//! any concatenation of rotated files in any order (junctions go back in time), runs killed
//! midway (nothing is stored before the commit), and several hosts in one stream.
//!
//! Known limits:
//! * A junction between non-adjacent parts of the log that goes forward in time by less than
//!   `gap_seconds` (an in-order concatenation missing a piece of under an hour) is not seen:
//!   lines near it may be counted twice or missed.
//! * A stream part between two edges that holds no small boundary (under ~`small_modulus`
//!   delivery lines of a host, 64 by default) and whose lines an earlier stream counted inside
//!   a chunk it saw whole (with content on both sides, no edge between) is not recognised: it
//!   is counted again. With rotation that needs a rotated file holding that few delivery
//!   lines of a host that was first fed in the middle of an in-order concatenation
//!   (`cat mail.log.3 mail.log.2 mail.log.1`) and later on its own or out of order.
//! * Byte-equal lines of a host are one line; 64-bit fingerprints (32-bit interior tags) may
//!   collide, about 2^-64 per line (n·2^-32 per interior lookup over n recorded tags).

mod scan;

use std::collections::HashMap;

pub use scan::{ScanItem, Scanner};

/// Stable 64-bit fingerprint of bytes (xxh3; never changes between versions: the ledger
/// persists it).
pub fn fingerprint(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Chunking parameters of one host's ledger. They are fixed when the ledger is created and
/// stored with it (changing them would orphan the recorded boundaries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// A ledger line is a small boundary when its fingerprint is 0 modulo this (lines).
    pub small_modulus: u32,
    /// A ledger line is a big boundary when its fingerprint is 0 modulo this; a multiple of
    /// `small_modulus`.
    pub big_modulus: u32,
    /// A forward jump of time stamps larger than this (seconds) is an edge.
    pub gap_seconds: u32,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            small_modulus: 64,
            big_modulus: 8192,
            gap_seconds: 3600,
        }
    }
}

impl Params {
    /// Checks that the moduli are positive and `big_modulus` is a multiple of `small_modulus`.
    pub fn validate(self) -> Result<Self, String> {
        if self.small_modulus == 0
            || self.big_modulus == 0
            || !self.big_modulus.is_multiple_of(self.small_modulus)
        {
            return Err(format!(
                "ledger moduli {}/{}: both positive, the big one a multiple of the small one",
                self.small_modulus, self.big_modulus
            ));
        }
        Ok(self)
    }
}

/// Recorded entries of one host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Chunking parameters.
    pub params: Params,
    /// `Big(a, b)`: start boundary -> end boundary.
    big_by_start: HashMap<u64, u64>,
    big_by_end: HashMap<u64, u64>,
    /// `Small(s, e)`.
    small_by_start: HashMap<u64, u64>,
    small_by_end: HashMap<u64, u64>,
    /// `Line(fp)`.
    lines: std::collections::HashSet<u64>,
    /// `Interior(tag)`: the high 32 bits of every small boundary strictly inside a recorded
    /// big chunk.
    interior: std::collections::HashSet<u32>,
}

/// The interior tag of a small boundary (its high bits: the low ones are zero by definition).
fn tag(fp: u64) -> u32 {
    (fp >> 32) as u32
}

/// Serialization format version of [`Ledger::to_bytes`].
const FORMAT: u8 = 2;

/// Why stored ledger bytes could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ledger bytes unreadable: {0}")]
pub struct LedgerError(String);

impl Ledger {
    /// An empty ledger with `params`.
    pub fn new(params: Params) -> Self {
        Self {
            params,
            ..Self::default()
        }
    }

    /// Number of entries (big chunks, small chunks, lines, interior tags).
    pub fn len(&self) -> (usize, usize, usize, usize) {
        (
            self.big_by_start.len(),
            self.small_by_start.len(),
            self.lines.len(),
            self.interior.len(),
        )
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == (0, 0, 0, 0)
    }

    /// Serializes the entries (not the parameters): a format byte, then four
    /// little-endian `u32` counts followed by the sorted `(a, b)` big pairs, `(s, e)` small
    /// pairs and line fingerprints as little-endian `u64`, then the interior tags as `u32`.
    /// 16 bytes per chunk, 8 per line, 4 per interior small boundary.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut big: Vec<(u64, u64)> = self.big_by_start.iter().map(|(a, b)| (*a, *b)).collect();
        let mut small: Vec<(u64, u64)> =
            self.small_by_start.iter().map(|(a, b)| (*a, *b)).collect();
        let mut lines: Vec<u64> = self.lines.iter().copied().collect();
        big.sort_unstable();
        small.sort_unstable();
        lines.sort_unstable();
        let mut interior: Vec<u32> = self.interior.iter().copied().collect();
        interior.sort_unstable();
        let mut out = Vec::with_capacity(
            17 + 16 * (big.len() + small.len()) + 8 * lines.len() + 4 * interior.len(),
        );
        out.push(FORMAT);
        for n in [big.len(), small.len(), lines.len(), interior.len()] {
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
        for (a, b) in big.into_iter().chain(small) {
            out.extend_from_slice(&a.to_le_bytes());
            out.extend_from_slice(&b.to_le_bytes());
        }
        for l in lines {
            out.extend_from_slice(&l.to_le_bytes());
        }
        for t in interior {
            out.extend_from_slice(&t.to_le_bytes());
        }
        out
    }

    /// Reads what [`Ledger::to_bytes`] wrote.
    pub fn from_bytes(params: Params, bytes: &[u8]) -> Result<Self, LedgerError> {
        let mut l = Ledger::new(params);
        if bytes.is_empty() {
            return Ok(l);
        }
        if bytes[0] != FORMAT {
            return Err(LedgerError(format!("unknown format {}", bytes[0])));
        }
        let u32_at = |i: usize| -> Result<usize, LedgerError> {
            bytes
                .get(i..i + 4)
                .and_then(|s| s.try_into().ok())
                .map(|b| u32::from_le_bytes(b) as usize)
                .ok_or_else(|| LedgerError("truncated header".into()))
        };
        let (nb, ns, nl, ni) = (u32_at(1)?, u32_at(5)?, u32_at(9)?, u32_at(13)?);
        let body = &bytes[17..];
        let wide = 16 * (nb + ns) + 8 * nl;
        if body.len() != wide + 4 * ni {
            return Err(LedgerError(format!(
                "{} body bytes for {nb} big, {ns} small, {nl} lines, {ni} interior tags",
                body.len()
            )));
        }
        for t in body[wide..].chunks_exact(4) {
            l.interior
                .insert(u32::from_le_bytes(t.try_into().unwrap_or_default()));
        }
        let mut words = body[..wide]
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()));
        let mut next = || words.next().unwrap_or_default();
        for _ in 0..nb {
            let (a, b) = (next(), next());
            l.add_big(a, b);
        }
        for _ in 0..ns {
            let (a, b) = (next(), next());
            l.add_small(a, b);
        }
        for _ in 0..nl {
            l.lines.insert(next());
        }
        Ok(l)
    }

    fn add_big(&mut self, a: u64, b: u64) {
        self.big_by_start.insert(a, b);
        self.big_by_end.insert(b, a);
    }

    fn add_small(&mut self, s: u64, e: u64) {
        self.small_by_start.insert(s, e);
        self.small_by_end.insert(e, s);
    }

    fn remove_small_starting(&mut self, s: u64) {
        if let Some(e) = self.small_by_start.remove(&s) {
            self.small_by_end.remove(&e);
        }
    }

    fn remove_small_ending(&mut self, e: u64) {
        if let Some(s) = self.small_by_end.remove(&e) {
            self.small_by_start.remove(&s);
        }
    }
}

/// Where a region or piece begins or ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// An edge (stream start or end, time going backwards or jumping forward).
    Edge,
    /// A boundary line (its fingerprint).
    Line(u64),
}

/// A pending ledger line of the open region.
#[derive(Debug, Clone, Copy)]
struct Pending {
    line_no: u64,
    fp: u64,
}

/// Per-host state of one stream.
#[derive(Debug)]
struct HostState {
    ledger: Ledger,
    prev_time: Option<i64>,
    start: Bound,
    region: Vec<Pending>,
    new_lines: u64,
    seen_lines: u64,
    total_new: u64,
}

/// What a [`Tracker`] found in one stream.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StreamStats {
    /// Ledger lines not counted before.
    pub new_lines: u64,
    /// Ledger lines already counted.
    pub seen_lines: u64,
    /// Edges from time going backwards or jumping forward (not counting stream ends).
    pub junctions: u64,
}

/// Line numbers of one input, as a bit set.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LineSet {
    words: Vec<u64>,
    len: u64,
}

impl LineSet {
    /// Adds line number `n`.
    pub fn insert(&mut self, n: u64) {
        let w = (n / 64) as usize;
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        let bit = 1u64 << (n % 64);
        if self.words[w] & bit == 0 {
            self.words[w] |= bit;
            self.len += 1;
        }
    }

    /// True when `n` was added.
    pub fn contains(&self, n: u64) -> bool {
        self.words
            .get((n / 64) as usize)
            .is_some_and(|w| w & (1u64 << (n % 64)) != 0)
    }

    /// Number of line numbers in the set.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Runs the ledger over one or more streams (inputs) of a run.
///
/// Feed every ledger line with [`Tracker::line`], call [`Tracker::end_stream`] at the end of
/// each input (it returns the input's already-counted line numbers), and take the updated
/// ledgers with [`Tracker::into_ledgers`] once the counts are ready to be committed. The
/// ledgers of hosts first met are asked for through `load` (the caller's database).
#[derive(Debug, Default)]
pub struct Tracker {
    hosts: std::collections::BTreeMap<String, HostState>,
    seen: LineSet,
    stats: StreamStats,
}

/// Seconds value of a stamp for edge detection: comparable within one host's stream.
pub fn stamp_seconds(stamp: crate::postfix::Stamp) -> i64 {
    use crate::postfix::Stamp;
    match stamp {
        Stamp::NoYear {
            month,
            day,
            seconds,
        } => (i64::from(month) * 31 + i64::from(day)) * 86_400 + i64::from(seconds),
        Stamp::Dated { date, seconds } => date.days_since_epoch() * 86_400 + i64::from(seconds),
        Stamp::UnixMicros(us) => us.div_euclid(1_000_000),
    }
}

/// Year-less stamps wrap from December to January: a backward jump this large is forward.
const YEAR_WRAP_SECONDS: i64 = 300 * 86_400;

impl Tracker {
    /// An empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when `host` has been met (its ledger is loaded).
    pub fn has_host(&self, host: &str) -> bool {
        self.hosts.contains_key(host)
    }

    /// Adds the stored ledger of a host before its first line (an empty one when none).
    pub fn add_host(&mut self, host: &str, ledger: Ledger) {
        self.hosts.insert(
            host.to_owned(),
            HostState {
                ledger,
                prev_time: None,
                start: Bound::Edge,
                region: Vec::new(),
                new_lines: 0,
                seen_lines: 0,
                total_new: 0,
            },
        );
    }

    /// One ledger line: `line_no` in the current input, `host`, `time` from
    /// [`stamp_seconds`], `fp` from [`fingerprint`]. The host must have been added.
    pub fn line(&mut self, host: &str, time: i64, fp: u64, line_no: u64) {
        let Some(h) = self.hosts.get_mut(host) else {
            return;
        };
        let p = h.ledger.params;
        if let Some(prev) = h.prev_time {
            let back = time < prev && prev - time < YEAR_WRAP_SECONDS;
            let forward = if time >= prev {
                time - prev
            } else {
                time + YEAR_WRAP_SECONDS * 2 - prev
            };
            if back || forward > i64::from(p.gap_seconds) {
                self.stats.junctions += 1;
                close(h, Bound::Edge, &mut self.seen);
                h.start = Bound::Edge;
            }
        }
        h.prev_time = Some(time);
        if fp.is_multiple_of(u64::from(p.big_modulus)) {
            close(h, Bound::Line(fp), &mut self.seen);
            h.start = Bound::Line(fp);
        }
        h.region.push(Pending { line_no, fp });
    }

    /// Ends the current input: closes every host's open region, resets the edge state, and
    /// returns the line numbers of the input that were already counted, with stream stats.
    pub fn end_stream(&mut self) -> (LineSet, StreamStats) {
        for h in self.hosts.values_mut() {
            close(h, Bound::Edge, &mut self.seen);
            h.start = Bound::Edge;
            h.prev_time = None;
        }
        let mut stats = std::mem::take(&mut self.stats);
        for h in self.hosts.values_mut() {
            h.total_new += h.new_lines;
            stats.new_lines += std::mem::take(&mut h.new_lines);
            stats.seen_lines += std::mem::take(&mut h.seen_lines);
        }
        (std::mem::take(&mut self.seen), stats)
    }

    /// The updated ledgers by host, with the number of new ledger lines of the host (call
    /// after the last [`Tracker::end_stream`]).
    pub fn into_ledgers(self) -> Vec<(String, Ledger, u64)> {
        let mut v: Vec<(String, Ledger, u64)> = self
            .hosts
            .into_iter()
            .map(|(k, h)| (k, h.ledger, h.total_new))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }
}

/// Closes the open region of `h` at `end`: decides which of its lines were counted before
/// (into `seen`) and records the region in the ledger.
fn close(h: &mut HostState, end: Bound, seen: &mut LineSet) {
    if h.region.is_empty() {
        return;
    }
    let region = std::mem::take(&mut h.region);
    let small = u64::from(h.ledger.params.small_modulus);
    let l = &mut h.ledger;
    let known_by_big = matches!(h.start, Bound::Line(a) if l.big_by_start.contains_key(&a))
        || matches!(end, Bound::Line(b) if l.big_by_end.contains_key(&b));
    let complete = matches!((h.start, end), (Bound::Line(_), Bound::Line(_)));
    if known_by_big {
        for p in &region {
            seen.insert(p.line_no);
        }
        h.seen_lines += region.len() as u64;
        if let (true, Bound::Line(a), Bound::Line(b)) = (complete, h.start, end)
            && !l.big_by_start.contains_key(&a)
        {
            l.add_big(a, b);
            for p in &region[1..] {
                if p.fp.is_multiple_of(small) {
                    l.interior.insert(tag(p.fp));
                }
            }
        }
        return;
    }
    // Pieces: split at small boundaries (the region's first line may be one).
    let mut inner_known = false;
    let mut pieces: Vec<(Bound, Bound, &[Pending])> = Vec::new();
    let mut from = 0;
    let mut piece_start = h.start;
    for (i, p) in region.iter().enumerate() {
        if i > 0 && p.fp.is_multiple_of(small) {
            inner_known |= l.interior.contains(&tag(p.fp));
            pieces.push((piece_start, Bound::Line(p.fp), &region[from..i]));
            from = i;
            piece_start = Bound::Line(p.fp);
        }
    }
    pieces.push((piece_start, end, &region[from..]));
    if inner_known {
        // A small boundary of the region lies inside a recorded big chunk, and the region
        // crosses no big boundary: all of it lies in that chunk.
        for p in &region {
            seen.insert(p.line_no);
        }
        h.seen_lines += region.len() as u64;
        return;
    }
    for &(s, e, lines) in &pieces {
        let piece_known = matches!(s, Bound::Line(s) if l.small_by_start.contains_key(&s))
            || matches!(e, Bound::Line(e) if l.small_by_end.contains_key(&e));
        for p in lines {
            if piece_known || l.lines.contains(&p.fp) {
                seen.insert(p.line_no);
                h.seen_lines += 1;
            } else {
                h.new_lines += 1;
            }
        }
    }
    // Record, dropping finer entries now covered by coarser ones.
    if let (true, Bound::Line(a), Bound::Line(b)) = (complete, h.start, end) {
        for &(s, e, lines) in &pieces {
            if let Bound::Line(s) = s {
                l.remove_small_starting(s);
            }
            if let Bound::Line(e) = e {
                l.remove_small_ending(e);
            }
            for p in lines {
                l.lines.remove(&p.fp);
            }
        }
        for &(s, _, _) in &pieces[1..] {
            if let Bound::Line(s) = s {
                l.interior.insert(tag(s));
            }
        }
        l.add_big(a, b);
        return;
    }
    for &(s, e, lines) in &pieces {
        match (s, e) {
            (Bound::Line(s), Bound::Line(e)) => {
                for p in lines {
                    l.lines.remove(&p.fp);
                }
                l.add_small(s, e);
            }
            (Bound::Line(s), Bound::Edge) if l.small_by_start.contains_key(&s) => {}
            (Bound::Edge, Bound::Line(e)) if l.small_by_end.contains_key(&e) => {}
            _ => {
                for p in lines {
                    l.lines.insert(p.fp);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
