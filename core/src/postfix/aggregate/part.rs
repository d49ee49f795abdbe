//! One log counted in two parts at once (the page's two workers) and merged exactly.
//!
//! The log is cut at a line boundary. The first part is read by the aggregator that goes on
//! (the "main" one); the second part by a fresh aggregator in part mode
//! ([`DeliveryAggregator::begin_part`]), which counts its lines like any other except for
//! what depends on the lines before them: queue ids. Its deferrals and `status=expired` lines
//! are kept in order ([`QueueEvents`]) instead of going through a queue table, and the main
//! aggregator replays them ([`DeliveryAggregator::absorb_part`]) against its own table, which
//! then holds what one pass over both parts would have left in it (the table's emptying when
//! full included). Buckets and unclassified replies are merged in the order the part created
//! them (their `seq`, shared with its expired lines), so first-seen samples and rules, the
//! order of listings and the bucket limit's drops are those of one pass.
//!
//! The part's state crosses between workers as bytes ([`DeliveryAggregator::encode_part`]):
//! a small versioned binary format, read back with every length and id checked.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{
    Bucket, BucketKey, DeliveryAggregator, LineDiagnostics, LogStats, Sample, Unclassified,
    UnclassifiedKey, add_counts,
};
use crate::date::Date;
use crate::postfix::Outcome;
use crate::postfix::queue::QueueInfo;

/// The first bytes of an encoded part (format version 1).
const MAGIC: &[u8; 4] = b"MRP1";

/// Why a part could not be absorbed. Nothing was changed: the caller reads the part's bytes
/// itself instead.
#[derive(Debug, thiserror::Error)]
pub enum PartError {
    /// The encoded part is cut, of another version, or holds an id out of range.
    #[error("the part's state is not readable (at byte {0})")]
    Malformed(usize),
    /// Merging would not give exactly the findings of one pass (the reason says why).
    #[error("the part cannot be merged exactly: {0}")]
    NotExact(&'static str),
}

/// The queue-id events of a part, in log order.
#[derive(Debug, Default)]
pub(crate) struct QueueEvents {
    events: Vec<Event>,
}

#[derive(Debug)]
enum Event {
    /// An egress deferral: `key` ([`crate::postfix::queue::queue_key`]) now means `info`.
    Deferred { key: u64, info: QueueInfo },
    /// A `status=expired` line: attributed to the last deferral of `key`, if any; `seq` is
    /// its place among the part's bucket creations, `sample` its capped detail.
    Expired {
        seq: u64,
        host: u32,
        key: u64,
        date: Date,
        sample: String,
    },
}

impl QueueEvents {
    pub(super) fn deferred(&mut self, key: u64, info: QueueInfo) {
        self.events.push(Event::Deferred { key, info });
    }

    pub(super) fn expired(&mut self, seq: u64, host: u32, key: u64, date: Date, sample: String) {
        self.events.push(Event::Expired {
            seq,
            host,
            key,
            date,
            sample,
        });
    }
}

/// What [`DeliveryAggregator::absorb_part`] added besides counts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Absorbed {
    /// Bytes of the part's input.
    pub(crate) bytes: u64,
    /// Lines of the part.
    pub(crate) lines: u64,
}

/// A decoded part, ids its own.
struct Part {
    bytes: u64,
    stats: LogStats,
    unparsed: Option<(u64, String)>,
    truncated: Option<u64>,
    bucket_overflow: u64,
    other_diagnostics: bool,
    hosts: Vec<String>,
    services: Vec<String>,
    providers: Vec<String>,
    reasons: Vec<String>,
    rules: Vec<String>,
    buckets: Vec<(BucketKey, Bucket)>,
    unclassified: Vec<(UnclassifiedKey, Unclassified)>,
    events: Vec<Event>,
}

impl DeliveryAggregator {
    /// Puts a fresh aggregator in part mode: it will count the lines after a cut of a log
    /// whose earlier lines another aggregator reads.
    pub(crate) fn begin_part(&mut self) {
        self.part = Some(Box::default());
    }

    /// The part's whole state, encoded: `bytes` read, the input's `stats` and `diags`, and
    /// whether the input raised other diagnostics (then it cannot be absorbed).
    pub(crate) fn encode_part(
        &mut self,
        bytes: u64,
        other_diagnostics: bool,
        stats: &LogStats,
        diags: &LineDiagnostics,
    ) -> Vec<u8> {
        let mut w = Vec::with_capacity(4096);
        w.extend_from_slice(MAGIC);
        put_u64(&mut w, bytes);
        w.push(u8::from(other_diagnostics));
        for n in [
            stats.lines,
            stats.status_lines,
            stats.attempts,
            stats.skipped,
            stats.unparsed,
            stats.truncated,
        ] {
            put_u64(&mut w, n);
        }
        put_opt_date(&mut w, stats.first_date);
        put_opt_date(&mut w, stats.last_date);
        match &diags.unparsed {
            Some((line, why)) => {
                w.push(1);
                put_u64(&mut w, *line);
                put_str(&mut w, why);
            }
            None => w.push(0),
        }
        match diags.truncated {
            Some(line) => {
                w.push(1);
                put_u64(&mut w, line);
            }
            None => w.push(0),
        }
        put_u64(&mut w, diags.bucket_overflow);
        for interner in [
            &self.hosts,
            &self.services,
            &self.providers,
            &self.reasons,
            &self.rules,
        ] {
            put_u32(&mut w, interner.len() as u32);
            for id in 0..interner.len() as u32 {
                put_str(&mut w, interner.name(id));
            }
        }
        let mut buckets: Vec<_> = self.buckets.iter().collect();
        buckets.sort_unstable_by_key(|(_, b)| b.seq);
        put_u32(&mut w, buckets.len() as u32);
        for (k, b) in buckets {
            put_u64(&mut w, b.seq);
            put_date(&mut w, k.date);
            for id in [k.host, k.service, k.provider, k.reason] {
                put_u32(&mut w, id);
            }
            put_opt_ip(&mut w, k.reply_ip);
            w.push(outcome_index(k.outcome));
            put_u64(&mut w, b.attempts);
            put_u64(&mut w, b.final_);
            put_u32(&mut w, b.rule);
            put_str(&mut w, &b.sample);
        }
        let mut unclassified: Vec<_> = self.unclassified.iter().collect();
        unclassified.sort_unstable_by_key(|(_, u)| u.seq);
        put_u32(&mut w, unclassified.len() as u32);
        for ((provider, outcome, template), u) in unclassified {
            put_u64(&mut w, u.seq);
            put_u32(&mut w, *provider);
            w.push(outcome_index(*outcome));
            put_str(&mut w, template);
            put_u64(&mut w, u.attempts);
            put_str(&mut w, &u.sample);
        }
        let events = self.part.take().map(|p| p.events).unwrap_or_default();
        put_u32(&mut w, events.len() as u32);
        for e in &events {
            match e {
                Event::Deferred { key, info } => {
                    w.push(0);
                    put_u64(&mut w, *key);
                    put_u32(&mut w, info.service);
                    put_u32(&mut w, info.provider);
                    put_opt_ip(&mut w, info.reply_ip);
                }
                Event::Expired {
                    seq,
                    host,
                    key,
                    date,
                    sample,
                } => {
                    w.push(1);
                    put_u64(&mut w, *seq);
                    put_u32(&mut w, *host);
                    put_u64(&mut w, *key);
                    put_date(&mut w, *date);
                    put_str(&mut w, sample);
                }
            }
        }
        w
    }

    /// Counts an encoded part (from [`DeliveryAggregator::encode_part`] of an aggregator
    /// with the same configuration) as if its lines followed the lines read so far: `stats`
    /// and `diags` are the open input's, `line_offset` its lines so far (the part's line
    /// numbers follow them).
    ///
    /// # Errors
    /// [`PartError::Malformed`] for bytes that are not a part; [`PartError::NotExact`] when
    /// the merge could differ from one pass: exactly-once ingestion is on, the input's first
    /// lines did not settle whether it is a log, the part raised diagnostics of its own or
    /// dropped buckets or unclassified replies at their limits. Nothing is changed then.
    pub(crate) fn absorb_part(
        &mut self,
        data: &[u8],
        stats: &mut LogStats,
        diags: &mut LineDiagnostics,
        line_offset: u64,
    ) -> Result<Absorbed, PartError> {
        let part = decode(data)?;
        if self.replay.is_some() || self.part.is_some() {
            return Err(PartError::NotExact(
                "exactly-once ingestion or part mode is on",
            ));
        }
        if !diags.head_is_log && diags.head_checked < 16 {
            return Err(PartError::NotExact(
                "the first part did not settle whether the input is a log",
            ));
        }
        if part.other_diagnostics {
            return Err(PartError::NotExact("the part raised diagnostics"));
        }
        if part.bucket_overflow > 0 || part.unclassified.len() >= self.max_unclassified {
            return Err(PartError::NotExact("the part reached a limit"));
        }
        let ids = |names: &[String], interner: &mut crate::intern::Interner| -> Vec<u32> {
            names.iter().map(|n| interner.id(n)).collect()
        };
        let hosts = ids(&part.hosts, &mut self.hosts);
        let services = ids(&part.services, &mut self.services);
        let providers = ids(&part.providers, &mut self.providers);
        let reasons = ids(&part.reasons, &mut self.reasons);
        let rules = ids(&part.rules, &mut self.rules);

        // (A part's expired lines are its queue events, counted below.)
        add_counts(stats, &part.stats);
        if diags.unparsed.is_none() {
            diags.unparsed = part.unparsed.map(|(line, why)| (line + line_offset, why));
        }
        if diags.truncated.is_none() {
            diags.truncated = part.truncated.map(|line| line + line_offset);
        }

        // Bucket and unclassified creations in the part's order, its queue events between.
        let mut buckets = part.buckets.into_iter().peekable();
        let mut unclassified = part.unclassified.into_iter().peekable();
        let mut events = part.events.into_iter().peekable();
        loop {
            let next_bucket = buckets.peek().map(|(_, b)| b.seq);
            let next_unclassified = unclassified.peek().map(|(_, u)| u.seq);
            let next = match (next_bucket, next_unclassified) {
                (Some(b), Some(u)) => Some(b.min(u)),
                (b, u) => b.or(u),
            };
            while let Some(e) = events.next_if(|e| match e {
                Event::Deferred { .. } => true,
                Event::Expired { seq, .. } => next.is_none_or(|n| *seq < n),
            }) {
                self.replay_event(e, &hosts, &services, &providers, stats, diags);
            }
            match (next_bucket, next_unclassified) {
                (Some(b), u) if u.is_none_or(|u| b < u) => {
                    let Some((k, b)) = buckets.next() else { break };
                    let key = BucketKey {
                        host: hosts[k.host as usize],
                        service: services[k.service as usize],
                        provider: providers[k.provider as usize],
                        reason: reasons[k.reason as usize],
                        ..k
                    };
                    if let Some(mine) = self.buckets.get_mut(&key) {
                        mine.attempts += b.attempts;
                        mine.final_ += b.final_;
                    } else if self.buckets.len() >= self.max_buckets {
                        // A part's bucket holds egress attempts only, one line each.
                        diags.bucket_overflow += b.attempts;
                    } else {
                        self.seq += 1;
                        let bucket = Bucket {
                            seq: self.seq,
                            rule: rules[b.rule as usize],
                            ..b
                        };
                        self.buckets.insert(key, bucket);
                    }
                }
                (_, Some(_)) => {
                    let Some(((provider, outcome, template), u)) = unclassified.next() else {
                        break;
                    };
                    let key = (providers[provider as usize], outcome, template);
                    if let Some(mine) = self.unclassified.get_mut(&key) {
                        mine.attempts += u.attempts;
                    } else if self.unclassified.len() < self.max_unclassified {
                        self.seq += 1;
                        self.unclassified
                            .insert(key, Unclassified { seq: self.seq, ..u });
                    }
                }
                _ => break,
            }
        }
        Ok(Absorbed {
            bytes: part.bytes,
            lines: part.stats.lines,
        })
    }

    /// Replays one queue event of a part (its ids translated by the maps).
    fn replay_event(
        &mut self,
        e: Event,
        hosts: &[u32],
        services: &[u32],
        providers: &[u32],
        stats: &mut LogStats,
        diags: &mut LineDiagnostics,
    ) {
        match e {
            Event::Deferred { key, info } => self.queue.insert(
                key,
                QueueInfo {
                    service: services[info.service as usize],
                    provider: providers[info.provider as usize],
                    reply_ip: info.reply_ip,
                },
            ),
            Event::Expired {
                host,
                key,
                date,
                sample,
                ..
            } => {
                let host = hosts[host as usize];
                self.expired(host, key, date, Sample::Text(&sample), stats, diags);
            }
        }
    }
}

fn outcome_index(o: Outcome) -> u8 {
    Outcome::ALL.iter().position(|&x| x == o).unwrap_or(0) as u8
}

fn put_u32(w: &mut Vec<u8>, n: u32) {
    w.extend_from_slice(&n.to_le_bytes());
}

fn put_u64(w: &mut Vec<u8>, n: u64) {
    w.extend_from_slice(&n.to_le_bytes());
}

fn put_str(w: &mut Vec<u8>, s: &str) {
    put_u32(w, s.len() as u32);
    w.extend_from_slice(s.as_bytes());
}

fn put_date(w: &mut Vec<u8>, d: Date) {
    w.extend_from_slice(&d.year.to_le_bytes());
    w.push(d.month);
    w.push(d.day);
}

fn put_opt_date(w: &mut Vec<u8>, d: Option<Date>) {
    match d {
        Some(d) => {
            w.push(1);
            put_date(w, d);
        }
        None => w.push(0),
    }
}

fn put_opt_ip(w: &mut Vec<u8>, ip: Option<IpAddr>) {
    match ip {
        None => w.push(0),
        Some(IpAddr::V4(v4)) => {
            w.push(4);
            w.extend_from_slice(&v4.octets());
        }
        Some(IpAddr::V6(v6)) => {
            w.push(6);
            w.extend_from_slice(&v6.octets());
        }
    }
}

/// Reads an encoded part; every id is checked against its name list.
fn decode(data: &[u8]) -> Result<Part, PartError> {
    let mut r = Reader { data, pos: 0 };
    if r.take(4)? != MAGIC {
        return Err(PartError::Malformed(0));
    }
    let bytes = r.u64()?;
    let other_diagnostics = r.u8()? != 0;
    let mut n = [0u64; 6];
    for x in &mut n {
        *x = r.u64()?;
    }
    let stats = LogStats {
        lines: n[0],
        status_lines: n[1],
        attempts: n[2],
        skipped: n[3],
        unparsed: n[4],
        truncated: n[5],
        first_date: r.opt_date()?,
        last_date: r.opt_date()?,
        ..LogStats::default()
    };
    let unparsed = match r.u8()? {
        0 => None,
        _ => Some((r.u64()?, r.string()?)),
    };
    let truncated = match r.u8()? {
        0 => None,
        _ => Some(r.u64()?),
    };
    let bucket_overflow = r.u64()?;
    let mut lists: [Vec<String>; 5] = Default::default();
    for list in &mut lists {
        let count = r.count()?;
        *list = (0..count).map(|_| r.string()).collect::<Result<_, _>>()?;
    }
    let [hosts, services, providers, reasons, rules] = lists;
    let count = r.count()?;
    let mut buckets = Vec::with_capacity(count);
    for _ in 0..count {
        let seq = r.u64()?;
        let date = r.date()?;
        let host = r.id(hosts.len())?;
        let service = r.id(services.len())?;
        let provider = r.id(providers.len())?;
        let reason = r.id(reasons.len())?;
        let reply_ip = r.opt_ip()?;
        let outcome = r.outcome()?;
        let key = BucketKey {
            date,
            host,
            service,
            reply_ip,
            provider,
            outcome,
            reason,
        };
        let attempts = r.u64()?;
        let final_ = r.u64()?;
        let rule = r.id(rules.len())?;
        let sample = r.string()?;
        buckets.push((
            key,
            Bucket {
                seq,
                attempts,
                final_,
                rule,
                sample,
            },
        ));
    }
    let count = r.count()?;
    let mut unclassified = Vec::with_capacity(count);
    for _ in 0..count {
        let seq = r.u64()?;
        let provider = r.id(providers.len())?;
        let outcome = r.outcome()?;
        let template = r.string()?.into_boxed_str();
        let attempts = r.u64()?;
        let sample = r.string()?;
        unclassified.push((
            (provider, outcome, template),
            Unclassified {
                seq,
                attempts,
                sample,
            },
        ));
    }
    let count = r.count()?;
    let mut events = Vec::with_capacity(count);
    for _ in 0..count {
        events.push(match r.u8()? {
            0 => Event::Deferred {
                key: r.u64()?,
                info: QueueInfo {
                    service: r.id(services.len())?,
                    provider: r.id(providers.len())?,
                    reply_ip: r.opt_ip()?,
                },
            },
            1 => Event::Expired {
                seq: r.u64()?,
                host: r.id(hosts.len())?,
                key: r.u64()?,
                date: r.date()?,
                sample: r.string()?,
            },
            _ => return Err(PartError::Malformed(r.pos - 1)),
        });
    }
    if r.pos != data.len() {
        return Err(PartError::Malformed(r.pos));
    }
    if !increasing(buckets.iter().map(|(_, b)| b.seq))
        || !increasing(unclassified.iter().map(|(_, u)| u.seq))
    {
        return Err(PartError::Malformed(r.pos));
    }
    Ok(Part {
        bytes,
        stats,
        unparsed,
        truncated,
        bucket_overflow,
        other_diagnostics,
        hosts,
        services,
        providers,
        reasons,
        rules,
        buckets,
        unclassified,
        events,
    })
}

/// Whether `seqs` strictly increase (the merge walks them in order).
fn increasing(mut seqs: impl Iterator<Item = u64>) -> bool {
    let mut last = 0;
    seqs.all(|s| std::mem::replace(&mut last, s) < s)
}

/// Reads the encoding's fields, each checked against the bytes left.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], PartError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or(PartError::Malformed(self.pos))?;
        let bytes = &self.data[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], PartError> {
        let at = self.pos;
        self.take(N)?
            .try_into()
            .map_err(|_| PartError::Malformed(at))
    }

    fn u8(&mut self) -> Result<u8, PartError> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32, PartError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, PartError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// A count of items, each at least one byte long (bounds the allocation).
    fn count(&mut self) -> Result<usize, PartError> {
        let at = self.pos;
        let n = self.u32()? as usize;
        if n > self.data.len() - self.pos {
            return Err(PartError::Malformed(at));
        }
        Ok(n)
    }

    /// An id below `len`.
    fn id(&mut self, len: usize) -> Result<u32, PartError> {
        let at = self.pos;
        let id = self.u32()?;
        if id as usize >= len {
            return Err(PartError::Malformed(at));
        }
        Ok(id)
    }

    fn string(&mut self) -> Result<String, PartError> {
        let len = self.u32()? as usize;
        let at = self.pos;
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| PartError::Malformed(at))
    }

    fn date(&mut self) -> Result<Date, PartError> {
        let at = self.pos;
        let year = i32::from_le_bytes(self.array()?);
        let month = self.u8()?;
        let day = self.u8()?;
        Date::new(year, month, day).ok_or(PartError::Malformed(at))
    }

    fn opt_date(&mut self) -> Result<Option<Date>, PartError> {
        match self.u8()? {
            0 => Ok(None),
            _ => self.date().map(Some),
        }
    }

    fn opt_ip(&mut self) -> Result<Option<IpAddr>, PartError> {
        let at = self.pos;
        Ok(match self.u8()? {
            0 => None,
            4 => Some(IpAddr::V4(Ipv4Addr::from(self.array::<4>()?))),
            6 => Some(IpAddr::V6(Ipv6Addr::from(self.array::<16>()?))),
            _ => return Err(PartError::Malformed(at)),
        })
    }

    fn outcome(&mut self) -> Result<Outcome, PartError> {
        let at = self.pos;
        let i = self.u8()? as usize;
        Outcome::ALL.get(i).copied().ok_or(PartError::Malformed(at))
    }
}
