//! The exactly-once ledger of log ingestion: which delivery lines of a host were already
//! counted, kept in a few kilobytes per gigabyte of log.
//!
//! Pure: the CLI loads the hosts' [`Ledger`]s from the database into a [`Tracker`], the
//! analyzer counts every line in one pass and feeds each ledger line to it through a
//! [`Replay`], which hands back the contributions of lines found already counted so they
//! are subtracted; the updated ledgers are stored in the same transaction as the counts.
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
//! * A stream has a [`StreamShape`]: a `File` is one log file read alone (it holds one piece
//!   of the log, starting at a rotation point, and only grows); a `Stream` (stdin) may join
//!   rotated files in time order with no visible edge between them.
//!
//! Entries recorded after a stream is counted:
//! * a region that is a complete big chunk (big boundary `a` to big boundary `b`, no edge):
//!   `Big(a, b)`: every line of the real log from `a` up to `b` is counted; in a `Stream`,
//!   with the `Interior` tags (32 bits) of every small boundary strictly inside the chunk.
//!   The tags are dropped when a later `File` holds the whole chunk (it then contains no
//!   junction, so no rotated file can sit inside it);
//! * in a `File`, a region from an edge to a big boundary `b` as `Suffix(b, n)` (the `n`
//!   lines before `b` are counted), one from a big boundary `a` to an edge as `Prefix(a, n)`
//!   (the `n` lines from `a` on);
//! * in other regions, a piece that is a complete small chunk: `Small(s, e)`;
//! * every line of the remaining (partial) pieces: `Line(fp)`.
//!
//! Recording a big chunk drops the finer entries found inside it, and a small chunk the lines
//! inside it. So the ledger of log files (a growing `mail.log`, rotated files, whatever their
//! order) is 17 bytes per big chunk (~8,192 delivery lines) plus two 12-byte counts per host
//! and file edge: about 2-3 KB per GB of log. A stdin `Stream` adds 4 bytes per small
//! boundary inside the big chunks it records (about 64 bytes per 1,000 delivery lines, until
//! a file holds the chunk whole) and small chunks and lines for its edge regions.
//!
//! A line of a new stream is already counted when its region starts at `a` with a recorded
//! `Big(a, _)` (the region is a prefix of that chunk), or ends at `b` with a recorded
//! `Big(_, b)` (a suffix of it), or holds a small boundary with a recorded `Interior` tag (the
//! region crosses no big boundary, so it lies inside that chunk); or it is among the first
//! `n` lines of a region starting at `a` with `Prefix(a, n)`, or the last `n` of one ending
//! at `b` with `Suffix(b, n)`; or its piece starts at `s` with a recorded `Small(s, _)` or ends
//! at `e` with a recorded `Small(_, e)`; or its own fingerprint is a recorded `Line`.
//!
//! # Invariant and its limits
//!
//! The rules rely on one invariant: **between a boundary line and any line reached from it
//! without crossing an edge, the stream holds the real log's lines, in order** (real-log
//! content is the same whatever file or stream it arrives in). Then a prefix of the region
//! after a boundary is a prefix of the real chunk after that boundary, whatever stream it came
//! in, and chunk entries and counts can be matched from either end. This holds for: the same
//! file again, a file that grew, rotated copies (plain or gzip), copytruncate, the same bytes
//! on stdin, any concatenation of rotated files in any order (junctions go back in time), runs
//! killed midway (nothing is stored before the commit), and several hosts in one stream.
//!
//! Known limits:
//! * A junction between non-adjacent parts of the log that goes forward in time by less than
//!   `gap_seconds` (an in-order concatenation missing a piece of under an hour) is not seen:
//!   lines near it may be counted twice or missed.
//! * A stream part between two edges that holds no small boundary (under ~`small_modulus`
//!   delivery lines of a host, 64 by default) and whose lines an earlier stream counted inside
//!   a chunk it saw whole (with content on both sides, no edge between) is not recognised: it
//!   is counted again. With rotation that needs a rotated file holding that few delivery
//!   lines of a host that was first fed in the middle of an in-order concatenation on stdin
//!   (`cat mail.log.3 mail.log.2 mail.log.1 | mailrep ingest -`) and later on its own or out of
//!   order.
//! * A `File` must hold one piece of the log: a file that itself concatenates rotated files
//!   in time order (`cat mail.log.2 mail.log.1 > all.log; mailrep ingest all.log`) records no
//!   interior tags, so a rotated file of under a big chunk (~8,192 delivery lines of a host)
//!   inside it is counted again when fed later on its own. Feed such a concatenation on stdin.
//! * Byte-equal lines of a host are one line; 64-bit fingerprints (32-bit interior tags) may
//!   collide, about 2^-64 per line (n·2^-32 per interior lookup over n recorded tags).

mod replay;

use rustc_hash::{FxHashMap, FxHashSet};

pub use replay::Replay;

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

/// Where a stream's bytes come from: decides which entries its regions leave behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StreamShape {
    /// One log file read on its own (`mail.log`, `mail.log.1`, `mail.log.2.gz`): a contiguous
    /// piece of the log that starts where a rotation started it and, while it is the current
    /// file, only grows. No junction hides inside it, so its big chunks need no interior tags
    /// and its edge regions are kept as line counts from their big boundary.
    File,
    /// Anything else, standard input above all: it may join rotated files in time order
    /// (`cat mail.log.2 mail.log.1 | mailrep ingest -`) with no visible edge, so a rotated
    /// file smaller than a big chunk may sit inside a big chunk it records; interior tags
    /// and small chunks keep such a file recognisable on its own.
    #[default]
    Stream,
}

/// A recorded big chunk: its end boundary and the interior tags recorded with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Big {
    end: u64,
    tags: Vec<u32>,
}

/// Recorded entries of one host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Chunking parameters.
    pub params: Params,
    /// `Big(a, b)` with its interior tags: start boundary -> chunk.
    big_by_start: FxHashMap<u64, Big>,
    /// `Big(a, b)`: end boundary -> start boundary.
    big_by_end: FxHashMap<u64, u64>,
    /// `Small(s, e)`.
    small_by_start: FxHashMap<u64, u64>,
    small_by_end: FxHashMap<u64, u64>,
    /// `Line(fp)`.
    lines: FxHashSet<u64>,
    /// `Prefix(a, n)`: the `n` ledger lines from big boundary `a` on (`a` included).
    prefix: FxHashMap<u64, u32>,
    /// `Suffix(b, n)`: the `n` ledger lines just before big boundary `b`.
    suffix: FxHashMap<u64, u32>,
    /// Interior tags of format-2 ledgers, whose chunk is not known.
    legacy: Vec<u32>,
    /// Index of every interior tag (of chunks and legacy): tag -> how many hold it.
    interior: FxHashMap<u32, u32>,
}

/// The interior tag of a small boundary (its high bits: the low ones are zero by definition).
fn tag(fp: u64) -> u32 {
    (fp >> 32) as u32
}

/// Serialization format version of [`Ledger::to_bytes`] (2 is still read).
const FORMAT: u8 = 3;

/// Why stored ledger bytes could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ledger bytes unreadable: {0}")]
pub struct LedgerError(String);

/// Entry counts of a [`Ledger`] (see [`Ledger::len`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Big chunks.
    pub big: usize,
    /// Small chunks.
    pub small: usize,
    /// Single lines.
    pub lines: usize,
    /// Prefix and suffix counts.
    pub counts: usize,
    /// Interior tags (of big chunks and of format-2 ledgers).
    pub tags: usize,
}

/// Reads little-endian numbers from stored ledger bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], LedgerError> {
        let s = self
            .bytes
            .get(self.pos..self.pos + N)
            .and_then(|s| <[u8; N]>::try_from(s).ok())
            .ok_or_else(|| LedgerError(format!("truncated at byte {}", self.pos)))?;
        self.pos += N;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32, LedgerError> {
        self.take::<4>().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64, LedgerError> {
        self.take::<8>().map(u64::from_le_bytes)
    }

    fn count(&mut self) -> Result<usize, LedgerError> {
        let n = self.u32()? as usize;
        // Every entry takes at least 4 bytes: a larger count is corrupt (and no allocation
        // follows from it).
        if n > self.bytes.len() / 4 {
            return Err(LedgerError(format!("count {n} exceeds the bytes")));
        }
        Ok(n)
    }

    fn varint(&mut self) -> Result<u32, LedgerError> {
        let mut v: u32 = 0;
        for shift in (0..35).step_by(7) {
            let [b] = self.take::<1>()?;
            v |= u32::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(LedgerError("varint too long".into()))
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

impl Ledger {
    /// An empty ledger with `params`.
    pub fn new(params: Params) -> Self {
        Self {
            params,
            ..Self::default()
        }
    }

    /// Number of entries of each kind.
    pub fn len(&self) -> Counts {
        Counts {
            big: self.big_by_start.len(),
            small: self.small_by_start.len(),
            lines: self.lines.len(),
            counts: self.prefix.len() + self.suffix.len(),
            tags: self.interior.values().map(|&n| n as usize).sum(),
        }
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == Counts::default()
    }

    /// Serializes the entries (not the parameters), format 3: a format byte, then six
    /// little-endian `u32` counts (big chunks, small chunks, lines, prefixes, suffixes,
    /// legacy tags); each big chunk as `a`, `b` (`u64`), a LEB128 tag count and its tags
    /// (`u32`); the small chunks `(s, e)` and lines as `u64`; prefixes and suffixes as a
    /// boundary (`u64`) and a line count (`u32`); legacy tags as `u32`. Everything sorted.
    /// 17 bytes per big chunk (+ 4 per tag), 16 per small chunk, 8 per line, 12 per count.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut big: Vec<(&u64, &Big)> = self.big_by_start.iter().collect();
        big.sort_unstable_by_key(|(a, _)| **a);
        let mut small: Vec<(u64, u64)> =
            self.small_by_start.iter().map(|(a, b)| (*a, *b)).collect();
        small.sort_unstable();
        let mut lines: Vec<u64> = self.lines.iter().copied().collect();
        lines.sort_unstable();
        let mut prefix: Vec<(u64, u32)> = self.prefix.iter().map(|(a, n)| (*a, *n)).collect();
        prefix.sort_unstable();
        let mut suffix: Vec<(u64, u32)> = self.suffix.iter().map(|(a, n)| (*a, *n)).collect();
        suffix.sort_unstable();
        let mut legacy = self.legacy.clone();
        legacy.sort_unstable();
        let mut out = Vec::with_capacity(
            25 + 17 * big.len()
                + 16 * small.len()
                + 8 * lines.len()
                + 12 * (prefix.len() + suffix.len())
                + 4 * self.len().tags,
        );
        out.push(FORMAT);
        for n in [
            big.len(),
            small.len(),
            lines.len(),
            prefix.len(),
            suffix.len(),
            legacy.len(),
        ] {
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
        for (a, chunk) in big {
            out.extend_from_slice(&a.to_le_bytes());
            out.extend_from_slice(&chunk.end.to_le_bytes());
            put_varint(&mut out, chunk.tags.len() as u32);
            for t in &chunk.tags {
                out.extend_from_slice(&t.to_le_bytes());
            }
        }
        for (s, e) in small {
            out.extend_from_slice(&s.to_le_bytes());
            out.extend_from_slice(&e.to_le_bytes());
        }
        for l in lines {
            out.extend_from_slice(&l.to_le_bytes());
        }
        for (a, n) in prefix.into_iter().chain(suffix) {
            out.extend_from_slice(&a.to_le_bytes());
            out.extend_from_slice(&n.to_le_bytes());
        }
        for t in legacy {
            out.extend_from_slice(&t.to_le_bytes());
        }
        out
    }

    /// Reads what [`Ledger::to_bytes`] wrote (format 3, or format 2 of earlier versions,
    /// whose interior tags are kept without their chunk).
    #[allow(
        clippy::many_single_char_names,
        reason = "a, b, s, e, n as in the docs"
    )]
    pub fn from_bytes(params: Params, bytes: &[u8]) -> Result<Self, LedgerError> {
        let mut l = Ledger::new(params);
        let Some(&format) = bytes.first() else {
            return Ok(l);
        };
        let mut r = Reader { bytes, pos: 1 };
        match format {
            2 => {
                let (nb, ns, nl, ni) = (r.count()?, r.count()?, r.count()?, r.count()?);
                for _ in 0..nb {
                    let (a, b) = (r.u64()?, r.u64()?);
                    l.add_big(a, b, Vec::new());
                }
                for _ in 0..ns {
                    let (s, e) = (r.u64()?, r.u64()?);
                    l.add_small(s, e);
                }
                for _ in 0..nl {
                    l.lines.insert(r.u64()?);
                }
                for _ in 0..ni {
                    let t = r.u32()?;
                    l.legacy.push(t);
                    *l.interior.entry(t).or_default() += 1;
                }
            }
            FORMAT => {
                let (nb, ns, nl) = (r.count()?, r.count()?, r.count()?);
                let (np, nx, ni) = (r.count()?, r.count()?, r.count()?);
                for _ in 0..nb {
                    let (a, b) = (r.u64()?, r.u64()?);
                    let k = r.varint()? as usize;
                    if k > bytes.len() / 4 {
                        return Err(LedgerError(format!("{k} tags exceed the bytes")));
                    }
                    let mut tags = Vec::with_capacity(k);
                    for _ in 0..k {
                        tags.push(r.u32()?);
                    }
                    l.add_big(a, b, tags);
                }
                for _ in 0..ns {
                    let (s, e) = (r.u64()?, r.u64()?);
                    l.add_small(s, e);
                }
                for _ in 0..nl {
                    l.lines.insert(r.u64()?);
                }
                for _ in 0..np {
                    let (a, n) = (r.u64()?, r.u32()?);
                    l.prefix.insert(a, n);
                }
                for _ in 0..nx {
                    let (b, n) = (r.u64()?, r.u32()?);
                    l.suffix.insert(b, n);
                }
                for _ in 0..ni {
                    let t = r.u32()?;
                    l.legacy.push(t);
                    *l.interior.entry(t).or_default() += 1;
                }
            }
            other => return Err(LedgerError(format!("unknown format {other}"))),
        }
        if r.pos != bytes.len() {
            return Err(LedgerError(format!(
                "{} bytes after the entries",
                bytes.len() - r.pos
            )));
        }
        Ok(l)
    }

    fn add_big(&mut self, a: u64, b: u64, tags: Vec<u32>) {
        for t in &tags {
            *self.interior.entry(*t).or_default() += 1;
        }
        if let Some(old) = self.big_by_start.insert(a, Big { end: b, tags }) {
            self.drop_tags(&old.tags);
        }
        self.big_by_end.insert(b, a);
    }

    fn drop_tags(&mut self, tags: &[u32]) {
        for t in tags {
            if let Some(n) = self.interior.get_mut(t) {
                *n -= 1;
                if *n == 0 {
                    self.interior.remove(t);
                }
            }
        }
    }

    /// Drops the interior tags of chunk `a`: it was seen whole inside one file.
    fn confirm_big(&mut self, a: u64) {
        if let Some(chunk) = self.big_by_start.get_mut(&a)
            && !chunk.tags.is_empty()
        {
            let tags = std::mem::take(&mut chunk.tags);
            self.drop_tags(&tags);
        }
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
    id: u64,
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

impl HostState {
    fn new(ledger: Ledger) -> Self {
        Self {
            ledger,
            prev_time: None,
            start: Bound::Edge,
            region: Vec::new(),
            new_lines: 0,
            seen_lines: 0,
            total_new: 0,
        }
    }
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

/// Runs the ledger over the streams (inputs) of a run.
///
/// Start each input with [`Tracker::begin_stream`], feed every ledger line with
/// [`Tracker::line`] (with an id of the caller's choosing), and end it with
/// [`Tracker::end_stream`]. Whether a line was counted before is decided when its region
/// closes (at the host's next big boundary or edge, at the latest at the end of the stream):
/// [`Tracker::decisions`] hands out `(id, already_counted)` for every line decided so far.
/// Take the updated ledgers with [`Tracker::into_ledgers`] once the counts are ready to be
/// committed. Hosts without a stored ledger (see [`Tracker::add_host`]) start empty.
#[derive(Debug, Default)]
pub struct Tracker {
    /// A B-tree, not `crate::sorted::SortedMap`: hosts are added one at a time as the log
    /// names them (a sorted vector would be quadratic in their number) and looked up on every
    /// line. The page's analysis module links it too (through the delivery aggregator), a few
    /// KB of B-tree code: a hash map plus a sort in `end_stream` would do.
    hosts: std::collections::BTreeMap<String, HostState>,
    params: Params,
    shape: StreamShape,
    decided: Vec<(u64, bool)>,
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
    /// An empty tracker; hosts met without a stored ledger get an empty one with `params`.
    pub fn new(params: Params) -> Self {
        Self {
            params,
            ..Self::default()
        }
    }

    /// Adds the stored ledger of a host (before the first stream).
    pub fn add_host(&mut self, host: &str, ledger: Ledger) {
        self.hosts.insert(host.to_owned(), HostState::new(ledger));
    }

    /// Starts a stream of `shape` (the default shape is [`StreamShape::Stream`]).
    pub fn begin_stream(&mut self, shape: StreamShape) {
        self.shape = shape;
    }

    /// One ledger line of the current stream: its `host`, `time` from [`stamp_seconds`], `fp`
    /// from [`fingerprint`] and the caller's `id`, handed back by [`Tracker::decisions`].
    pub fn line(&mut self, host: &str, time: i64, fp: u64, id: u64) {
        let h = match self.hosts.get_mut(host) {
            Some(h) => h,
            None => self
                .hosts
                .entry(host.to_owned())
                .or_insert_with(|| HostState::new(Ledger::new(self.params))),
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
                close(h, Bound::Edge, self.shape, &mut self.decided);
                h.start = Bound::Edge;
            }
        }
        h.prev_time = Some(time);
        if fp.is_multiple_of(u64::from(p.big_modulus)) {
            close(h, Bound::Line(fp), self.shape, &mut self.decided);
            h.start = Bound::Line(fp);
        }
        h.region.push(Pending { id, fp });
    }

    /// Ends the current stream: closes every host's open region (deciding all its lines)
    /// and resets the edge state. Returns the stream's stats.
    pub fn end_stream(&mut self) -> StreamStats {
        for h in self.hosts.values_mut() {
            close(h, Bound::Edge, self.shape, &mut self.decided);
            h.start = Bound::Edge;
            h.prev_time = None;
        }
        let mut stats = std::mem::take(&mut self.stats);
        for h in self.hosts.values_mut() {
            h.total_new += h.new_lines;
            stats.new_lines += std::mem::take(&mut h.new_lines);
            stats.seen_lines += std::mem::take(&mut h.seen_lines);
        }
        self.shape = StreamShape::default();
        stats
    }

    /// The lines decided since the last call, as `(id, already_counted)`.
    pub fn decisions(&mut self) -> std::vec::Drain<'_, (u64, bool)> {
        self.decided.drain(..)
    }

    /// The updated ledgers by host name, with the number of new ledger lines of the host
    /// (call after the last [`Tracker::end_stream`]).
    pub fn into_ledgers(self) -> Vec<(String, Ledger, u64)> {
        let mut v: Vec<(String, Ledger, u64)> = self
            .hosts
            .into_iter()
            .map(|(k, h)| (k, h.ledger, h.total_new))
            .collect();
        crate::sort::sort_by(&mut v, |a, b| a.0.cmp(&b.0));
        v
    }
}

/// Decides every line of `region` at once.
fn decide_all(h: &mut HostState, region: &[Pending], seen: bool, out: &mut Vec<(u64, bool)>) {
    out.extend(region.iter().map(|p| (p.id, seen)));
    if seen {
        h.seen_lines += region.len() as u64;
    } else {
        h.new_lines += region.len() as u64;
    }
}

/// Closes the open region of `h` at `end`: decides which of its lines were counted before
/// (into `out`) and records the region in the ledger.
#[allow(
    clippy::many_single_char_names,
    reason = "a, b, s, e, l, h as in the docs"
)]
fn close(h: &mut HostState, end: Bound, shape: StreamShape, out: &mut Vec<(u64, bool)>) {
    if h.region.is_empty() {
        return;
    }
    let region = std::mem::take(&mut h.region);
    let small = u64::from(h.ledger.params.small_modulus);
    let start = h.start;
    let complete = match (start, end) {
        (Bound::Line(a), Bound::Line(b)) => Some((a, b)),
        _ => None,
    };
    let file = shape == StreamShape::File;
    let known_by_big = matches!(start, Bound::Line(a) if h.ledger.big_by_start.contains_key(&a))
        || matches!(end, Bound::Line(b) if h.ledger.big_by_end.contains_key(&b));
    if known_by_big {
        decide_all(h, &region, true, out);
        let l = &mut h.ledger;
        if let Some((a, b)) = complete {
            if !l.big_by_start.contains_key(&a) {
                let tags = if file {
                    Vec::new()
                } else {
                    interior_tags(&region, small)
                };
                l.add_big(a, b, tags);
                l.prefix.remove(&a);
                l.suffix.remove(&b);
            } else if file && l.big_by_start.get(&a).is_some_and(|c| c.end == b) {
                l.confirm_big(a);
            }
        }
        h.region = region;
        h.region.clear();
        return;
    }
    let l = &h.ledger;
    // Pieces: split at small boundaries (the region's first line may be one).
    let mut inner_known = false;
    let mut pieces: Vec<(Bound, Bound, std::ops::Range<usize>)> = Vec::new();
    let mut from = 0;
    let mut piece_start = start;
    for (i, p) in region.iter().enumerate() {
        if i > 0 && p.fp.is_multiple_of(small) {
            inner_known |= !l.interior.is_empty() && l.interior.contains_key(&tag(p.fp));
            pieces.push((piece_start, Bound::Line(p.fp), from..i));
            from = i;
            piece_start = Bound::Line(p.fp);
        }
    }
    pieces.push((piece_start, end, from..region.len()));
    if inner_known {
        // A small boundary of the region lies inside a recorded big chunk, and the region
        // crosses no big boundary: all of it lies in that chunk.
        decide_all(h, &region, true, out);
        h.region = region;
        h.region.clear();
        return;
    }
    // Counts from the region's big boundaries: its first `pre` and last `suf` lines.
    let m = region.len();
    let pre = match start {
        Bound::Line(a) => l.prefix.get(&a).map_or(0, |&n| n as usize),
        Bound::Edge => 0,
    };
    let suf = match end {
        Bound::Line(b) => l.suffix.get(&b).map_or(0, |&n| n as usize),
        Bound::Edge => 0,
    };
    let mut new_lines = 0u64;
    let mut seen_lines = 0u64;
    for (s, e, range) in &pieces {
        let piece_known = matches!(s, Bound::Line(s) if l.small_by_start.contains_key(s))
            || matches!(e, Bound::Line(e) if l.small_by_end.contains_key(e));
        for i in range.clone() {
            let p = region[i];
            let seen = piece_known
                || i < pre
                || i + suf >= m
                || (!l.lines.is_empty() && l.lines.contains(&p.fp));
            out.push((p.id, seen));
            if seen {
                seen_lines += 1;
            } else {
                new_lines += 1;
            }
        }
    }
    h.seen_lines += seen_lines;
    h.new_lines += new_lines;
    let l = &mut h.ledger;
    // Record, dropping finer entries now covered by coarser ones.
    let drop_finer = |l: &mut Ledger| {
        for (s, e, range) in &pieces {
            if let (Bound::Line(s), Bound::Line(_)) = (s, e) {
                l.remove_small_starting(*s);
            }
            if let (Bound::Line(_), Bound::Line(e)) = (s, e) {
                l.remove_small_ending(*e);
            }
            if !l.lines.is_empty() {
                for p in &region[range.clone()] {
                    l.lines.remove(&p.fp);
                }
            }
        }
    };
    if let Some((a, b)) = complete {
        drop_finer(l);
        let tags = if file {
            Vec::new()
        } else {
            interior_tags(&region, small)
        };
        l.add_big(a, b, tags);
        l.prefix.remove(&a);
        l.suffix.remove(&b);
    } else if file && let (Bound::Edge, Bound::Line(b)) = (start, end) {
        drop_finer(l);
        let n = l.suffix.entry(b).or_default();
        *n = (*n).max(m as u32);
    } else if file && let (Bound::Line(a), Bound::Edge) = (start, end) {
        drop_finer(l);
        let n = l.prefix.entry(a).or_default();
        *n = (*n).max(m as u32);
    } else {
        for (s, e, range) in &pieces {
            match (*s, *e) {
                (Bound::Line(s), Bound::Line(e)) => {
                    if !l.lines.is_empty() {
                        for p in &region[range.clone()] {
                            l.lines.remove(&p.fp);
                        }
                    }
                    l.add_small(s, e);
                }
                (Bound::Line(s), Bound::Edge) if l.small_by_start.contains_key(&s) => {}
                (Bound::Edge, Bound::Line(e)) if l.small_by_end.contains_key(&e) => {}
                _ => {
                    for p in &region[range.clone()] {
                        l.lines.insert(p.fp);
                    }
                }
            }
        }
    }
    h.region = region;
    h.region.clear();
}

/// The interior tags of a complete big chunk: every small boundary strictly inside it.
fn interior_tags(region: &[Pending], small: u64) -> Vec<u32> {
    region
        .iter()
        .skip(1)
        .filter(|p| p.fp.is_multiple_of(small))
        .map(|p| tag(p.fp))
        .collect()
}

#[cfg(test)]
mod tests;
