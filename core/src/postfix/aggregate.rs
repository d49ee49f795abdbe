//! Daily delivery aggregates: the hot loop over log lines and the roll-ups built from it.
//!
//! Unit of counting: delivery attempts (one SMTP client `status=` line). The daily key is
//! `(date, host, sending_ip, provider, outcome, reason_code)` (DESIGN §4); internally the
//! service is kept too, so the sending IP can be resolved at the end from the configuration,
//! a `master.cf` input (in any order) or an IP the reply quotes.

use crate::sorted::{SortedMap, SortedSet};
use std::net::IpAddr;

use memchr::memmem::Finder;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::Outcome;
use super::classify::template;
use super::classify::{Classifier, ClassifyCache};
use super::delivery::{self, Delivery, Relay, Status};
use super::line::{self, LogLine, Stamp};
use super::queue::{self as queue_ids, QueueInfo, QueueTable};
use super::rules::Enhanced;
use crate::config::Config;
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Level, Position};
use crate::intern::Interner;

mod part;
pub use part::PartError;

/// Longest sample reply kept per bucket, in bytes.
const SAMPLE_BYTES: usize = 1000;
/// Most reply groups listed in `delivery.replies`.
const MAX_REPLY_GROUPS: usize = 500;

/// Per-input counters of a log, reported in `inputs[]` and the data-quality view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogStats {
    /// Lines read.
    pub lines: u64,
    /// Lines containing `status=` (delivery-line candidates).
    pub status_lines: u64,
    /// Delivery attempts counted as egress.
    pub attempts: u64,
    /// Delivery lines skipped as not egress (content filters, lmtp/local/virtual/pipe,
    /// internal relays, skipped recipient domains, services not configured as outbound).
    pub skipped: u64,
    /// `status=expired` lines attributed to an egress queue id seen earlier.
    pub expired: u64,
    /// `status=expired` lines whose queue id had no earlier egress attempt in the input.
    pub expired_unattributed: u64,
    /// Candidate delivery lines that could not be parsed (header or delivery fields).
    pub unparsed: u64,
    /// Lines cut at `limits.max_line_bytes`.
    pub truncated: u64,
    /// Earliest date of a delivery attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_date: Option<Date>,
    /// Latest date of a delivery attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_date: Option<Date>,
}

/// One daily aggregate row (the `mail_reputation_daily` grain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyRow {
    /// Calendar date as logged.
    pub date: Date,
    /// Syslog host.
    pub host: String,
    /// Sending IP (empty when unknown).
    pub sending_ip: String,
    /// Mailbox provider id.
    pub provider: String,
    /// Outcome class.
    pub outcome: Outcome,
    /// Enhanced status code plus provider code (`5.7.1 S3150`), or empty.
    pub reason_code: String,
    /// Delivery attempts.
    pub attempts: u64,
    /// Final outcomes among them (sent and bounced lines) plus attributed `status=expired` lines.
    #[serde(rename = "final")]
    pub final_: u64,
    /// First reply text seen for this row (up to 1000 bytes).
    pub sample_reply: String,
}

/// Attempts per outcome, in [`Outcome::ALL`] order, with rates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutcomeCounts {
    /// Delivery attempts in all.
    pub attempts: u64,
    /// Final outcomes in all.
    #[serde(rename = "final")]
    pub final_: u64,
    /// Attempts per outcome name.
    pub outcomes: SortedMap<Outcome, u64>,
    /// Share of attempts per outcome, percent with one decimal.
    pub percent: SortedMap<Outcome, f64>,
}

impl OutcomeCounts {
    fn add(&mut self, outcome: Outcome, attempts: u64, final_: u64) {
        self.attempts += attempts;
        self.final_ += final_;
        *self.outcomes.entry(outcome).or_default() += attempts;
    }

    fn with_rates(mut self) -> Self {
        for o in Outcome::ALL {
            let n = self.outcomes.get(&o).copied().unwrap_or(0);
            self.outcomes.insert(o, n);
            self.percent.insert(o, percent(n, self.attempts));
        }
        self
    }

    /// Attempts with `outcome`.
    pub fn count(&self, outcome: Outcome) -> u64 {
        self.outcomes.get(&outcome).copied().unwrap_or(0)
    }
}

/// `part` of `whole` in percent, rounded to one decimal (0 when `whole` is 0).
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    let tenths = (u128::from(part) * 2000 + u128::from(whole)) / (2 * u128::from(whole));
    tenths as f64 / 10.0
}

/// Roll-up of one provider on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderDay {
    /// Date.
    pub date: Date,
    /// Provider id.
    pub provider: String,
    /// Counts and rates.
    #[serde(flatten)]
    pub counts: OutcomeCounts,
}

/// Roll-up of one provider over all dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderTotal {
    /// Provider id.
    pub provider: String,
    /// Counts and rates.
    #[serde(flatten)]
    pub counts: OutcomeCounts,
}

/// Roll-up of one sending IP over all dates and providers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendingIpTotal {
    /// Sending IP (empty when unknown).
    pub sending_ip: String,
    /// Services seen sending from it.
    pub services: Vec<String>,
    /// Counts and rates.
    #[serde(flatten)]
    pub counts: OutcomeCounts,
}

/// A group of replies: same provider, outcome and reason code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyGroup {
    /// Provider id.
    pub provider: String,
    /// Outcome class.
    pub outcome: Outcome,
    /// Reason code.
    pub reason_code: String,
    /// Rule that classified the first reply of the group.
    pub rule: String,
    /// Attempts.
    pub attempts: u64,
    /// First reply text seen.
    pub sample_reply: String,
}

/// A reply no specific rule classified (counted under `deferred_other` / `reject_other`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnclassifiedReply {
    /// Provider id.
    pub provider: String,
    /// Outcome it fell to.
    pub outcome: Outcome,
    /// The reply with long digit-bearing tokens masked (see `classify::template`).
    pub template: String,
    /// Attempts.
    pub attempts: u64,
    /// First full reply text seen.
    pub sample_reply: String,
}

/// The delivery section of the findings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeliveryFindings {
    /// Daily aggregate rows, sorted by key.
    pub daily: Vec<DailyRow>,
    /// Per provider and day.
    pub providers: Vec<ProviderDay>,
    /// Per provider over all dates, most attempts first.
    pub provider_totals: Vec<ProviderTotal>,
    /// Per sending IP over all dates.
    pub sending_ips: Vec<SendingIpTotal>,
    /// Reply groups, most attempts first (at most 500).
    pub replies: Vec<ReplyGroup>,
    /// Unclassified replies, most attempts first.
    pub unclassified: Vec<UnclassifiedReply>,
    /// Counters over all log inputs.
    pub stats: LogStats,
    /// Display name of every provider id that appears above (`yahoo` -> `Yahoo/AOL`).
    #[serde(default)]
    pub provider_names: SortedMap<String, String>,
}

impl DeliveryFindings {
    /// The display name of a provider id (the id itself when unknown).
    pub fn provider_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.provider_names.get(id).map_or(id, String::as_str)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct BucketKey {
    date: Date,
    host: u32,
    service: u32,
    reply_ip: Option<IpAddr>,
    provider: u32,
    outcome: Outcome,
    reason: u32,
}

#[derive(Debug, Clone)]
struct Bucket {
    seq: u64,
    attempts: u64,
    final_: u64,
    rule: u32,
    sample: String,
}

/// (interned provider, outcome, reply template) of an unclassified reply.
type UnclassifiedKey = (u32, Outcome, Box<str>);

#[derive(Debug, Clone)]
struct Unclassified {
    seq: u64,
    attempts: u64,
    sample: String,
}

/// Compiled egress selection (`[egress]` of the configuration).
#[derive(Debug)]
struct Egress {
    services: Vec<String>,
    internal_hosts: Vec<String>,
    internal_nets: Vec<ipnet::IpNet>,
    skip_domains: Vec<String>,
    ip_from_reply: bool,
}

impl Egress {
    fn new(config: &Config) -> Self {
        let mut internal_hosts = Vec::new();
        let mut internal_nets = Vec::new();
        for r in &config.egress.internal_relays {
            let r = r.trim().trim_start_matches('[').trim_end_matches(']');
            if let Some(net) = crate::config_edit::parse_network(r) {
                internal_nets.push(net);
            } else {
                internal_hosts.push(r.to_ascii_lowercase());
            }
        }
        Self {
            services: config.egress.services.clone(),
            internal_hosts,
            internal_nets,
            skip_domains: config
                .egress
                .skip_recipient_domains
                .iter()
                .map(|d| d.to_ascii_lowercase())
                .collect(),
            ip_from_reply: config.egress.ip_from_reply,
        }
    }

    /// True when the service's attempts count as egress.
    fn service(&self, service: &str, program: &str) -> bool {
        if self.services.is_empty() {
            matches!(program, "smtp" | "error" | "retry")
        } else {
            self.services.iter().any(|s| s == service)
        }
    }

    fn internal_relay(&self, name: &str, addr: &str) -> bool {
        // Loopback without parsing the address (this runs for every attempt).
        if addr.starts_with("127.") || addr == "::1" || name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        if !self.internal_nets.is_empty()
            && addr.parse::<IpAddr>().is_ok_and(|ip| {
                ip.is_loopback() || self.internal_nets.iter().any(|n| n.contains(&ip))
            })
        {
            return true;
        }
        self.internal_hosts.iter().any(|h| domain_matches(name, h))
    }

    fn skip_domain(&self, domain: &str) -> bool {
        self.skip_domains.iter().any(|d| domain_matches(domain, d))
    }
}

/// `name` equals `pattern`, or ends with it on a label boundary (`pattern` may start with `.`).
fn domain_matches(name: &str, pattern: &str) -> bool {
    let p = pattern.trim_start_matches('.');
    if name.len() < p.len() {
        return false;
    }
    let start = name.len() - p.len();
    name.is_char_boundary(start)
        && name[start..].eq_ignore_ascii_case(p)
        && (start == 0 || name.as_bytes()[start - 1] == b'.')
}

/// Reason code of attributed `status=expired` lines.
const EXPIRED_REASON: &str = "expired";
/// Rule id of attributed `status=expired` lines.
const EXPIRED_RULE: &str = "postfix.expired";

enum Examined<'a> {
    NotDelivery,
    Unparsed(&'static str),
    Skipped(&'static str),
    Expired(Date),
    Egress {
        date: Date,
        service: &'a str,
        /// Relay host, or the connect-to host for `relay=none`.
        mx_host: Option<&'a str>,
        /// Recipient domain.
        domain: Option<&'a str>,
    },
}

fn is_delivery_program(program: &str) -> bool {
    matches!(
        program,
        "smtp" | "lmtp" | "error" | "retry" | "local" | "virtual" | "pipe" | "discard"
    )
}

fn stamp_date(stamp: Stamp, reference: Date, utc_offset: i32) -> Option<Date> {
    match stamp {
        Stamp::NoYear { month, day, .. } => Date::infer_year(month, day, reference),
        Stamp::Dated { date, .. } => Some(date),
        Stamp::UnixMicros(us) => Some(Date::from_unix(us.div_euclid(1_000_000), utc_offset)),
    }
}

/// How `mailrep explain` shows one delivery line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// Date as inferred (year-less stamps use the reference date).
    pub date: Option<Date>,
    /// Syslog host.
    pub host: String,
    /// Postfix service.
    pub service: String,
    /// Queue id.
    pub queue_id: String,
    /// Recipient.
    pub to: Option<String>,
    /// `relay=` as logged.
    pub relay: String,
    /// `dsn=` value.
    pub dsn: Option<String>,
    /// `status=` value.
    pub status: String,
    /// RFC 5321 reply code of the quoted reply.
    pub reply_code: Option<u16>,
    /// RFC 3463 enhanced status code of the quoted reply.
    pub enhanced_status_code: Option<String>,
    /// Quoted reply text.
    pub reply: Option<String>,
    /// True when the line counts as an egress delivery attempt.
    pub counted: bool,
    /// Why it does not count, when it does not.
    pub skipped: Option<String>,
    /// Mailbox provider.
    pub provider: Option<String>,
    /// Outcome class.
    pub outcome: Option<Outcome>,
    /// Reason code.
    pub reason_code: Option<String>,
    /// Rule that decided.
    pub rule: Option<String>,
    /// Sending IP from the configuration or the reply (a `master.cf` input is not consulted).
    pub sending_ip: Option<String>,
}

/// Accumulates delivery attempts over all log inputs.
#[derive(Debug)]
pub struct DeliveryAggregator {
    classifier: Classifier,
    cache: ClassifyCache,
    egress: Egress,
    utc_offset: i32,
    max_buckets: usize,
    max_unclassified: usize,
    status: Finder<'static>,
    hosts: Interner,
    services: Interner,
    providers: Interner,
    reasons: Interner,
    rules: Interner,
    /// Interned provider id per classifier provider index + 1 (0 = `other`); `u32::MAX` = not yet.
    provider_slots: Vec<u32>,
    /// Interned (reason, rule) ids per [`ClassifyCache`] memo slot; `u32::MAX` = not yet.
    class_slots: Vec<(u32, u32)>,
    /// The distinct sending IPs quoted by exact reply texts of the memo: each text's note
    /// ([`ClassifyCache::last_exact_note`]) is 0 when not yet looked at, 1 when it quotes
    /// none, `k + 2` when it quotes `reply_ips[k]`.
    reply_ips: Vec<IpAddr>,
    /// Index of each IP in `reply_ips`.
    reply_ip_index: FxHashMap<IpAddr, u32>,
    buckets: FxHashMap<BucketKey, Bucket>,
    /// (host, queue id) -> the queue id's last egress deferral.
    queue: QueueTable,
    /// [`queue_ids::host_seed`] per interned host id (filled when first needed).
    host_seeds: Vec<u64>,
    /// Counting the second part of a log split in two ([`part`]): the queue-id events kept
    /// for the first part's aggregator instead of the queue table.
    part: Option<Box<part::QueueEvents>>,
    unclassified: FxHashMap<UnclassifiedKey, Unclassified>,
    seq: u64,
    totals: LogStats,
    /// The last year-less (month, day) seen with its reference date, and the date it gave.
    last_day: Option<(u8, u8, Date, Option<Date>)>,
    /// Exactly-once ingestion: the ledger, and what each pending line added (see
    /// [`DeliveryAggregator::set_replay`]).
    replay: Option<Box<crate::ledger::Replay<Contribution>>>,
}

/// The counting state of a [`DeliveryAggregator`] at one point (see
/// [`DeliveryAggregator::checkpoint`]).
#[derive(Debug)]
pub struct Checkpoint {
    buckets: FxHashMap<BucketKey, Bucket>,
    queue: QueueTable,
    unclassified: FxHashMap<UnclassifiedKey, Unclassified>,
    seq: u64,
}

/// Diagnostics raised while reading one log input.
#[derive(Debug, Default)]
pub struct LineDiagnostics {
    /// First unparsed delivery line: (line number, reason).
    pub unparsed: Option<(u64, String)>,
    /// First truncated line number.
    pub truncated: Option<u64>,
    /// Number of new buckets dropped because `limits.max_buckets` was reached.
    pub bucket_overflow: u64,
    /// Non-empty lines among the first ones checked for a log header (at most 16).
    pub head_checked: u8,
    /// Whether one of the first 16 non-empty lines has a log header.
    pub head_is_log: bool,
}

impl DeliveryAggregator {
    /// Compiles the classifier and egress selection from the configuration.
    pub fn new(config: &Config) -> Result<Self, crate::config::ConfigError> {
        Ok(Self {
            classifier: Classifier::new(&config.rules)?,
            cache: ClassifyCache::new(),
            egress: Egress::new(config),
            utc_offset: config.utc_offset_seconds()?,
            max_buckets: config.limits.max_buckets,
            max_unclassified: config.limits.max_unclassified,
            status: Finder::new(b"status=").into_owned(),
            hosts: Interner::default(),
            services: Interner::default(),
            providers: Interner::default(),
            reasons: Interner::default(),
            rules: Interner::default(),
            provider_slots: Vec::new(),
            class_slots: Vec::new(),
            reply_ips: Vec::new(),
            reply_ip_index: FxHashMap::default(),
            buckets: FxHashMap::default(),
            queue: QueueTable::default(),
            host_seeds: Vec::new(),
            part: None,
            unclassified: FxHashMap::default(),
            seq: 0,
            totals: LogStats::default(),
            last_day: None,
            replay: None,
        })
    }

    /// Decides what a parsed delivery line is: not egress (and why), or an egress attempt with
    /// its date, provider and the host used to name it. Shared by counting and `explain`.
    /// `program` is `log_line.program()` (the caller has it already).
    /// `date` is the line's date (`stamp_date`; `None` when impossible).
    fn examine<'a>(
        &self,
        log_line: &'a LogLine<'a>,
        program: &str,
        d: &Delivery<'a>,
        date: Option<Date>,
    ) -> Examined<'a> {
        let Some(date) = date else {
            return Examined::Unparsed("impossible date");
        };
        if d.status == Status::Other {
            return Examined::NotDelivery;
        }
        if d.status == Status::Expired {
            return Examined::Expired(date);
        }
        if !is_delivery_program(program) {
            return Examined::NotDelivery;
        }
        let service = log_line.service();
        if !self.egress.service(service, program) {
            return Examined::Skipped("service not outbound");
        }
        let (mx_host, internal) = match d.relay {
            Relay::Host { name, addr, .. } => (Some(name), self.egress.internal_relay(name, addr)),
            Relay::None => (d.connect_host.or(d.reply.and_then(|r| r.host)), false),
            Relay::Other(_) => (None, true),
        };
        if internal {
            return Examined::Skipped("internal relay");
        }
        let domain = d.to.and_then(recipient_domain);
        if domain.is_some_and(|dom| self.egress.skip_domain(dom)) {
            return Examined::Skipped("recipient domain skipped");
        }
        Examined::Egress {
            date,
            service,
            mx_host,
            domain,
        }
    }

    /// The queue table's key of `queue_id` on the interned `host`.
    fn queue_key(&mut self, host: u32, queue_id: &str) -> u64 {
        let h = host as usize;
        if self.host_seeds.len() <= h {
            let hosts = &self.hosts;
            let from = self.host_seeds.len() as u32;
            self.host_seeds
                .extend((from..=host).map(|id| queue_ids::host_seed(hosts.name(id))));
        }
        queue_ids::queue_key(self.host_seeds[h], queue_id)
    }

    /// `stamp_date`, with the year of the last year-less day remembered (consecutive lines
    /// mostly share their day).
    fn line_date(&mut self, stamp: Stamp, reference: Date) -> Option<Date> {
        if let Stamp::NoYear { month, day, .. } = stamp {
            if let Some((m, d, r, date)) = self.last_day
                && (m, d, r) == (month, day, reference)
            {
                return date;
            }
            let date = Date::infer_year(month, day, reference);
            self.last_day = Some((month, day, reference, date));
            return date;
        }
        stamp_date(stamp, reference, self.utc_offset)
    }

    /// Handles one log line (without terminator). `line_no` is 1-based; `reference` is the
    /// date no year-less stamp may exceed.
    pub fn line(
        &mut self,
        raw: &[u8],
        truncated: bool,
        line_no: u64,
        reference: Date,
        stats: &mut LogStats,
        diags: &mut LineDiagnostics,
    ) {
        stats.lines += 1;
        if truncated {
            stats.truncated += 1;
            diags.truncated.get_or_insert(line_no);
        }
        if diags.head_checked < 16 && !diags.head_is_log && !raw.is_empty() {
            diags.head_checked += 1;
            diags.head_is_log = line::parse(&utf8(raw)).is_ok();
        }
        if self.status.find(raw).is_none() {
            return;
        }
        self.status_line(raw, line_no, reference, stats, diags);
    }

    /// Handles the complete lines of `block` (each ends with `\n`), the first being line
    /// `line_no + 1`, exactly as [`Self::line`] on each line cut by
    /// `split_line` at `max_line` bytes would. Returns the number of
    /// lines.
    ///
    /// The fast path of a log: one `status=` search over the whole block instead of one per
    /// line, and a vectorised newline count for the lines between hits.
    pub fn block(
        &mut self,
        block: &[u8],
        line_no: u64,
        max_line: usize,
        reference: Date,
        stats: &mut LogStats,
        diags: &mut LineDiagnostics,
    ) -> u64 {
        use crate::input::split_line;
        let mut n = line_no;
        let mut pos = 0;
        // The first lines of an input are also checked for a log header: one by one.
        while pos < block.len() && diags.head_checked < 16 && !diags.head_is_log {
            let end = pos + memchr::memchr(b'\n', &block[pos..]).unwrap_or(block.len() - pos);
            let line = split_line(&block[pos..end], max_line);
            n += 1;
            self.line(line.bytes, line.truncated, n, reference, stats, diags);
            pos = end + 1;
        }
        while pos < block.len() {
            let rest = &block[pos..];
            let (gap_end, hit) = match self.status.find(rest) {
                Some(h) => {
                    let start = memchr::memrchr(b'\n', &rest[..h]).map_or(0, |i| i + 1);
                    let end = h + memchr::memchr(b'\n', &rest[h..]).unwrap_or(rest.len() - h);
                    (start, Some((start, end)))
                }
                None => (rest.len(), None),
            };
            // Lines without `status=` before the hit: counted, cut ones noted.
            let gap = &rest[..gap_end];
            if gap.len() > max_line + 1 && has_overlong_line(gap, max_line) {
                for line in gap.split_inclusive(|&c| c == b'\n') {
                    let line = split_line(line.strip_suffix(b"\n").unwrap_or(line), max_line);
                    n += 1;
                    self.line(line.bytes, line.truncated, n, reference, stats, diags);
                }
            } else {
                let k = bytecount::count(gap, b'\n') as u64;
                n += k;
                stats.lines += k;
            }
            let Some((start, end)) = hit else { break };
            n += 1;
            let line = split_line(&rest[start..end], max_line);
            if line.truncated {
                self.line(line.bytes, true, n, reference, stats, diags);
            } else {
                stats.lines += 1;
                self.status_line(line.bytes, n, reference, stats, diags);
            }
            pos += end + 1;
        }
        n - line_no
    }

    /// A line known to contain `status=`, already counted in `stats.lines`.
    fn status_line(
        &mut self,
        raw: &[u8],
        line_no: u64,
        reference: Date,
        stats: &mut LogStats,
        diags: &mut LineDiagnostics,
    ) {
        stats.status_lines += 1;
        let text = utf8(raw);
        let Ok(log_line) = line::parse(&text) else {
            stats.unparsed += 1;
            diags.unparsed.get_or_insert((
                line_no,
                "no recognised time stamp and syslog tag".to_owned(),
            ));
            return;
        };
        if self.replay_on() {
            self.ledger_line(&log_line, raw);
        }
        let program = log_line.program();
        if !is_delivery_program(program) && program != "qmgr" {
            return;
        }
        // Bound by reference: moving the 232-byte `Delivery` out of the `Option` is a
        // `memcpy` call per line.
        let mut parsed = delivery::parse_lazy(&log_line.message);
        let Some(d) = parsed.as_mut() else {
            if is_delivery_program(program) && log_line.message.contains(", status=") {
                stats.unparsed += 1;
                diags
                    .unparsed
                    .get_or_insert((line_no, "delivery fields not recognised".to_owned()));
            }
            return;
        };
        let host = self.hosts.id(&log_line.host);
        let date = self.line_date(log_line.stamp, reference);
        let (date, service_name, mx_host, domain) = match self.examine(&log_line, program, d, date)
        {
            Examined::NotDelivery => return,
            Examined::Unparsed(why) => {
                stats.unparsed += 1;
                diags.unparsed.get_or_insert((line_no, why.to_owned()));
                return;
            }
            Examined::Skipped(_) => {
                stats.skipped += 1;
                return;
            }
            Examined::Expired(date) => {
                let key = self.queue_key(host, d.queue_id);
                if let Some(events) = self.part.as_mut() {
                    // Which deferral it belongs to may lie in the first part: decided there.
                    self.seq += 1;
                    events.expired(self.seq, host, key, date, cap(d.detail));
                    return;
                }
                self.expired(host, key, date, Sample::Text(d.detail), stats, diags);
                return;
            }
            Examined::Egress {
                date,
                service,
                mx_host,
                domain,
            } => (date, service, mx_host, domain),
        };
        stats.attempts += 1;
        note_date(stats, date);
        // An accepted attempt's reply was left unparsed; classification needs it only when
        // the dsn does not decide (see `classify::sent_fast`), the sample only for a new bucket.
        let sent_reply_pending =
            d.status == Status::Sent && d.reply.is_none() && matches!(d.relay, Relay::Host { .. });
        if sent_reply_pending && d.dsn.is_none_or(|x| Enhanced::parse(x).is_none()) {
            d.reply = delivery::detail_reply(d.detail);
        }
        let sent_reply_pending = sent_reply_pending && d.reply.is_none();
        let reply_text = d.reply.map(|r| r.text);
        // Text clues name a provider from a failure's reply; a 2xx acceptance never needs them
        // (and skipping the search keeps accepted attempts cheap).
        let clue_text = reply_text.filter(|_| d.status != Status::Sent);
        let provider_index =
            self.cache
                .provider_index(&self.classifier, mx_host, domain, clue_text);
        let provider_name = self.classifier.provider_id(provider_index);
        // Interned ids per provider index and per memo slot: no string hashing per attempt.
        let slot = provider_index.map_or(0, |i| i + 1);
        if self.provider_slots.len() <= slot {
            self.provider_slots.resize(slot + 1, u32::MAX);
        }
        if self.provider_slots[slot] == u32::MAX {
            self.provider_slots[slot] = self.providers.id(provider_name);
        }
        let provider = self.provider_slots[slot];
        let (class_slot, class) = self.cache.classify_slot(&self.classifier, d, provider_name);
        let outcome = class.outcome;
        let (reason, rule) = match class_slot {
            Some(k) if self.class_slots.get(k).is_some_and(|&(r, _)| r != u32::MAX) => {
                self.class_slots[k]
            }
            _ => {
                let ids = (
                    self.reasons.id(&class.reason_code),
                    self.rules.id(&class.rule),
                );
                if let Some(k) = class_slot {
                    if self.class_slots.len() <= k {
                        self.class_slots.resize(k + 1, (u32::MAX, u32::MAX));
                    }
                    self.class_slots[k] = ids;
                }
                ids
            }
        };
        let unclassified =
            !class.specific && matches!(outcome, Outcome::DeferredOther | Outcome::RejectOther);
        let service = self.services.id(service_name);
        let reply_ip = if self.egress.ip_from_reply && d.status != Status::Sent {
            // Once per exact reply text: the memo entry's id stands for the text (`reply_text`
            // is the text the memo keyed on whenever the delivery has a parsed reply).
            match self.cache.last_exact_note().filter(|_| d.reply.is_some()) {
                Some(0) => {
                    let ip = reply_text.and_then(quoted_sending_ip);
                    let note = match ip {
                        None => 1,
                        Some(ip) => {
                            let next = self.reply_ips.len() as u32;
                            let k = *self.reply_ip_index.entry(ip).or_insert(next);
                            if k == next {
                                self.reply_ips.push(ip);
                            }
                            k + 2
                        }
                    };
                    self.cache.set_last_exact_note(note);
                    ip
                }
                Some(1) => None,
                Some(note) => self.reply_ips.get(note as usize - 2).copied(),
                None => reply_text.and_then(quoted_sending_ip),
            }
        } else {
            None
        };
        let final_ = u64::from(matches!(d.status, Status::Sent | Status::Bounced));
        let key = BucketKey {
            date,
            host,
            service,
            reply_ip,
            provider,
            outcome,
            reason,
        };
        let sample = match reply_text {
            Some(text) => Sample::Text(text),
            None if sent_reply_pending => Sample::SentDetail(d.detail),
            None => Sample::Text(d.detail),
        };
        self.bump(key, 1, final_, rule, sample, diags);
        if d.status == Status::Deferred {
            let key = self.queue_key(host, d.queue_id);
            let info = QueueInfo {
                service,
                reply_ip,
                provider,
            };
            match self.part.as_mut() {
                Some(events) => events.deferred(key, info),
                None => self.queue.insert(key, info),
            }
        }
        if unclassified {
            let sample = sample.text();
            let k = (provider, outcome, template(sample).into_boxed_str());
            if let Some(u) = self.unclassified.get_mut(&k) {
                u.attempts += 1;
            } else if self.unclassified.len() < self.max_unclassified {
                self.seq += 1;
                let seq = self.seq;
                self.unclassified.insert(
                    k,
                    Unclassified {
                        seq,
                        attempts: 1,
                        sample: cap(sample),
                    },
                );
            }
        }
    }

    /// Counts a `status=expired` line of the interned `host` whose queue key is `key`: as a
    /// final outcome of the queue id's last egress deferral, or as unattributed when there was
    /// none (or the table forgot it).
    fn expired(
        &mut self,
        host: u32,
        key: u64,
        date: Date,
        sample: Sample<'_>,
        stats: &mut LogStats,
        diags: &mut LineDiagnostics,
    ) {
        let Some(info) = self.queue.get(key) else {
            stats.expired_unattributed += 1;
            return;
        };
        stats.expired += 1;
        note_date(stats, date);
        let key = BucketKey {
            date,
            host,
            service: info.service,
            reply_ip: info.reply_ip,
            provider: info.provider,
            outcome: Outcome::DeferredOther,
            reason: self.reasons.id(EXPIRED_REASON),
        };
        let rule = self.rules.id(EXPIRED_RULE);
        self.bump(key, 0, 1, rule, sample, diags);
    }

    /// Explains one log line: how it was parsed and classified, or why it was not counted.
    /// `None` for lines that are not delivery lines at all.
    pub fn explain(&self, raw: &[u8], reference: Date, config: &Config) -> Option<Explanation> {
        let text = utf8(raw);
        let log_line = line::parse(&text).ok()?;
        let d = delivery::parse(&log_line.message)?;
        let mut e = Explanation {
            date: stamp_date(log_line.stamp, reference, self.utc_offset),
            host: log_line.host.to_string(),
            service: log_line.service().to_owned(),
            queue_id: d.queue_id.to_owned(),
            to: d.to.map(str::to_owned),
            relay: match d.relay {
                Relay::None => "none".to_owned(),
                Relay::Host { name, addr, port } => match port {
                    Some(p) => format!("{name}[{addr}]:{p}"),
                    None => format!("{name}[{addr}]"),
                },
                Relay::Other(o) => o.to_owned(),
            },
            dsn: d.dsn.map(str::to_owned),
            status: format!("{:?}", d.status).to_lowercase(),
            reply_code: d.reply.and_then(|r| r.code),
            enhanced_status_code: d.reply.and_then(|r| r.enhanced).map(str::to_owned),
            reply: d.reply.map(|r| r.text.to_owned()),
            counted: false,
            skipped: None,
            provider: None,
            outcome: None,
            reason_code: None,
            rule: None,
            sending_ip: None,
        };
        let date = stamp_date(log_line.stamp, reference, self.utc_offset);
        match self.examine(&log_line, log_line.program(), &d, date) {
            Examined::NotDelivery => return None,
            Examined::Unparsed(why) | Examined::Skipped(why) => e.skipped = Some(why.to_owned()),
            Examined::Expired(_) => {
                e.skipped = Some("expired: counted as a final outcome of its queue id".to_owned());
            }
            Examined::Egress {
                service,
                mx_host,
                domain,
                ..
            } => {
                let clue_text = d.reply.map(|r| r.text).filter(|_| d.status != Status::Sent);
                let provider = self.classifier.provider(mx_host, domain, clue_text);
                let class = self.classifier.classify(&d, provider);
                e.counted = true;
                e.provider = Some(provider.to_owned());
                e.outcome = Some(class.outcome);
                e.reason_code = Some(class.reason_code);
                e.rule = Some(class.rule);
                e.sending_ip = config
                    .egress
                    .sending_ips
                    .get(service)
                    .copied()
                    .or_else(|| d.reply.and_then(|r| quoted_sending_ip(r.text)))
                    .map(|ip| ip.to_string());
            }
        }
        Some(e)
    }

    fn bump(
        &mut self,
        key: BucketKey,
        attempts: u64,
        final_: u64,
        rule: u32,
        sample: Sample<'_>,
        diags: &mut LineDiagnostics,
    ) {
        if let Some(b) = self.buckets.get_mut(&key) {
            b.attempts += attempts;
            b.final_ += final_;
            if let Some(r) = self.replay_mut() {
                r.record(Contribution {
                    key,
                    attempts,
                    final_,
                });
            }
            return;
        }
        if self.buckets.len() >= self.max_buckets {
            diags.bucket_overflow += 1;
            return;
        }
        self.seq += 1;
        self.buckets.insert(
            key,
            Bucket {
                seq: self.seq,
                attempts,
                final_,
                rule,
                sample: cap(sample.text()),
            },
        );
        if let Some(r) = self.replay_mut() {
            r.record(Contribution {
                key,
                attempts,
                final_,
            });
        }
    }

    /// A copy of the state later lines can change and the findings depend on: the daily
    /// buckets, the queue-id table and the unclassified replies. (The classification memo and
    /// the interned names only grow and never change a result, so they are not copied.)
    /// [`DeliveryAggregator::restore`] returns to it, for an input that is abandoned halfway.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            buckets: self.buckets.clone(),
            queue: self.queue.clone(),
            unclassified: self.unclassified.clone(),
            seq: self.seq,
        }
    }

    /// Returns to `checkpoint`: the findings are as if no line had been added since it was
    /// taken.
    pub fn restore(&mut self, checkpoint: Checkpoint) {
        self.buckets = checkpoint.buckets;
        self.queue = checkpoint.queue;
        self.unclassified = checkpoint.unclassified;
        self.seq = checkpoint.seq;
    }

    /// Adds one input's counters to the totals.
    pub fn add_stats(&mut self, stats: &LogStats) {
        add_counts(&mut self.totals, stats);
    }

    /// Builds the delivery findings. `bind` maps services to sending IPs learned from
    /// `master.cf`/`main.cf` inputs; the configuration's `egress.sending_ips` wins over it.
    /// Does not consume the aggregator, so a caller can take a snapshot and keep adding.
    #[inline]
    pub fn finish(&self, config: &Config, bind: &SortedMap<String, IpAddr>) -> DeliveryFindings {
        struct Row {
            seq: u64,
            attempts: u64,
            final_: u64,
            rule: u32,
            sample: String,
        }
        // Every map below is built in bulk (collect the pairs, one sort, fold equal keys:
        // `SortedMap::from_runs`), never key by key: the keys come from the log (reply IPs,
        // hosts, reply codes), and inserting 10^5 distinct ones one by one into a sorted
        // vector is quadratic.
        let mut buckets: Vec<(BucketKey, &Bucket)> = self
            .buckets
            .iter()
            .filter(|(_, b)| b.attempts + b.final_ > 0) // emptied by exactly-once ingestion
            .map(|(k, b)| (*k, b))
            .collect();
        crate::sort::sort_by_key(&mut buckets, |(_, b)| b.seq);
        // IPs quoted in replies per (host, service): a service that only ever quotes one IP
        // sends from it, also on the attempts whose reply quotes none (most accepted ones).
        // The value is that IP, or None once a second one is quoted.
        let quoted: SortedMap<(u32, u32), Option<IpAddr>> = SortedMap::from_runs(
            buckets
                .iter()
                .filter_map(|(k, _)| Some(((k.host, k.service), k.reply_ip?)))
                .collect(),
            Some,
            |one, ip| {
                if *one != Some(ip) {
                    *one = None;
                }
            },
        );
        let mut ip_services: Vec<(String, &str)> = Vec::with_capacity(buckets.len());
        let mut rows = Vec::with_capacity(buckets.len());
        for (k, b) in buckets {
            let service = self.services.name(k.service);
            let host = self.hosts.name(k.host);
            let learned = quoted.get(&(k.host, k.service)).copied().flatten();
            let ip = config
                .egress
                .sending_ips
                .get(&format!("{host}:{service}"))
                .or_else(|| config.egress.sending_ips.get(service))
                .or_else(|| bind.get(service))
                .copied()
                .or(k.reply_ip)
                .or(learned)
                .map(|ip| ip.to_string())
                .unwrap_or_default();
            ip_services.push((ip.clone(), service));
            let key = (
                k.date,
                self.hosts.name(k.host).to_owned(),
                ip,
                self.providers.name(k.provider).to_owned(),
                k.outcome,
                self.reasons.name(k.reason).to_owned(),
            );
            let row = Row {
                seq: b.seq,
                attempts: b.attempts,
                final_: b.final_,
                rule: b.rule,
                sample: b.sample.clone(),
            };
            rows.push((key, row));
        }
        // The first bucket of a row (the least seq: buckets are in seq order and the sort is
        // stable) gives its seq, rule and sample.
        let rows: SortedMap<(Date, String, String, String, Outcome, String), Row> =
            SortedMap::from_runs(
                rows,
                |r| r,
                |r, more| {
                    r.attempts += more.attempts;
                    r.final_ += more.final_;
                },
            );
        // The services of each sending IP, sorted without repeats.
        let ip_services: SortedSet<(String, &str)> = ip_services.into_iter().collect();
        let ip_services: SortedMap<String, Vec<String>> = SortedMap::from_runs(
            ip_services.into_iter().collect(),
            |s| vec![s.to_owned()],
            |v, s| v.push(s.to_owned()),
        );
        let mut firsts: Vec<(u64, u32)> = Vec::with_capacity(rows.len());
        let mut daily = Vec::with_capacity(rows.len());
        for ((date, host, ip, provider, outcome, reason), r) in rows {
            firsts.push((r.seq, r.rule));
            daily.push(DailyRow {
                date,
                host,
                sending_ip: ip,
                provider,
                outcome,
                reason_code: reason,
                attempts: r.attempts,
                final_: r.final_,
                sample_reply: r.sample,
            });
        }
        let counts = |(outcome, attempts, final_): (Outcome, u64, u64)| {
            let mut c = OutcomeCounts::default();
            c.add(outcome, attempts, final_);
            c
        };
        let add = |c: &mut OutcomeCounts, (outcome, attempts, final_): (Outcome, u64, u64)| {
            c.add(outcome, attempts, final_);
        };
        let providers: SortedMap<(Date, &str), OutcomeCounts> = SortedMap::from_runs(
            daily
                .iter()
                .map(|r| {
                    (
                        (r.date, r.provider.as_str()),
                        (r.outcome, r.attempts, r.final_),
                    )
                })
                .collect(),
            counts,
            add,
        );
        let by = |key: fn(&DailyRow) -> &str| -> SortedMap<&str, OutcomeCounts> {
            SortedMap::from_runs(
                daily
                    .iter()
                    .map(|r| (key(r), (r.outcome, r.attempts, r.final_)))
                    .collect(),
                counts,
                add,
            )
        };
        let totals = by(|r| r.provider.as_str());
        let ips = by(|r| r.sending_ip.as_str());
        // (attempts, first seq, rule, the row of the sample) of each reply group: the row with
        // the least seq gives rule and sample.
        type Group = (u64, u64, u32, usize);
        let groups: SortedMap<(&str, Outcome, &str), Group> = SortedMap::from_runs(
            daily
                .iter()
                .zip(&firsts)
                .enumerate()
                .map(|(i, (r, &(seq, rule)))| {
                    (
                        (r.provider.as_str(), r.outcome, r.reason_code.as_str()),
                        (r.attempts, seq, rule, i),
                    )
                })
                .collect(),
            |g| g,
            |g, (attempts, seq, rule, i)| {
                g.0 += attempts;
                if seq < g.1 {
                    (g.1, g.2, g.3) = (seq, rule, i);
                }
            },
        );
        let mut provider_totals: Vec<ProviderTotal> = totals
            .into_iter()
            .map(|(provider, c)| ProviderTotal {
                provider: provider.to_owned(),
                counts: c.with_rates(),
            })
            .collect();
        crate::sort::sort_by(&mut provider_totals, |a, b| {
            b.counts
                .attempts
                .cmp(&a.counts.attempts)
                .then_with(|| a.provider.cmp(&b.provider))
        });
        let mut replies: Vec<ReplyGroup> = groups
            .into_iter()
            .filter(|(_, g)| g.0 > 0)
            .map(
                |((provider, outcome, reason_code), (attempts, _, rule, row))| ReplyGroup {
                    provider: provider.to_owned(),
                    outcome,
                    reason_code: reason_code.to_owned(),
                    rule: self.rules.name(rule).to_owned(),
                    attempts,
                    sample_reply: daily[row].sample_reply.clone(),
                },
            )
            .collect();
        crate::sort::sort_by(&mut replies, |a, b| {
            b.attempts.cmp(&a.attempts).then_with(|| {
                (&a.provider, a.outcome, &a.reason_code).cmp(&(
                    &b.provider,
                    b.outcome,
                    &b.reason_code,
                ))
            })
        });
        replies.truncate(MAX_REPLY_GROUPS);
        let mut unclassified: Vec<(u64, UnclassifiedReply)> = self
            .unclassified
            .iter()
            .map(|((provider, outcome, template), u)| {
                (
                    u.seq,
                    UnclassifiedReply {
                        provider: self.providers.name(*provider).to_owned(),
                        outcome: *outcome,
                        template: template.to_string(),
                        attempts: u.attempts,
                        sample_reply: u.sample.clone(),
                    },
                )
            })
            .collect();
        crate::sort::sort_by(&mut unclassified, |a, b| {
            b.1.attempts.cmp(&a.1.attempts).then(a.0.cmp(&b.0))
        });
        let provider_names: SortedMap<String, String> = provider_totals
            .iter()
            .map(|p| {
                let name = self
                    .classifier
                    .provider_name(&p.provider)
                    .unwrap_or(&p.provider);
                (p.provider.clone(), name.to_owned())
            })
            .collect();
        let providers = providers
            .into_iter()
            .map(|((date, provider), c)| ProviderDay {
                date,
                provider: provider.to_owned(),
                counts: c.with_rates(),
            })
            .collect();
        let sending_ips = ips
            .into_iter()
            .map(|(ip, c)| SendingIpTotal {
                services: ip_services.get(ip).cloned().unwrap_or_default(),
                sending_ip: ip.to_owned(),
                counts: c.with_rates(),
            })
            .collect();
        DeliveryFindings {
            daily,
            providers,
            provider_totals,
            sending_ips,
            replies,
            unclassified: unclassified.into_iter().map(|(_, u)| u).collect(),
            stats: self.totals.clone(),
            provider_names,
        }
    }
}

/// The line as text: borrowed when it is valid UTF-8 (the common case, validated fast),
/// with U+FFFD replacements otherwise.
/// The sample reply text of a bucket, worked out only when a bucket is created.
#[derive(Clone, Copy)]
enum Sample<'a> {
    /// The text itself.
    Text(&'a str),
    /// The detail of an accepted attempt whose reply was not parsed: its reply text if it
    /// quotes one, else the detail.
    SentDetail(&'a str),
}

impl<'a> Sample<'a> {
    fn text(self) -> &'a str {
        match self {
            Sample::Text(t) => t,
            Sample::SentDetail(d) => delivery::detail_reply(d).map_or(d, |r| r.text),
        }
    }
}

/// The domain of a recipient address (after its last `@`).
fn recipient_domain(to: &str) -> Option<&str> {
    memchr::memrchr(b'@', to.as_bytes()).map(|i| &to[i + 1..])
}

/// Whether a line of `gap` (complete lines, each ending with `\n`) is longer than
/// `max_line` bytes. Jumps `max_line + 1` bytes at a time to the last newline in reach.
fn has_overlong_line(gap: &[u8], max_line: usize) -> bool {
    let mut s = 0;
    while gap.len() - s > max_line + 1 {
        match memchr::memrchr(b'\n', &gap[s..=s + max_line]) {
            Some(i) => s += i + 1,
            None => return true,
        }
    }
    false
}

/// The line as text: borrowed when valid UTF-8 (checked with SIMD: this runs on every
/// delivery line), else lossily converted.
fn utf8(raw: &[u8]) -> std::borrow::Cow<'_, str> {
    match simdutf8::basic::from_utf8(raw) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(raw),
    }
}

/// Adds the counters of `stats` to `to` (its date range widened).
fn add_counts(to: &mut LogStats, stats: &LogStats) {
    to.lines += stats.lines;
    to.status_lines += stats.status_lines;
    to.attempts += stats.attempts;
    to.skipped += stats.skipped;
    to.expired += stats.expired;
    to.expired_unattributed += stats.expired_unattributed;
    to.unparsed += stats.unparsed;
    to.truncated += stats.truncated;
    for d in [stats.first_date, stats.last_date].into_iter().flatten() {
        note_date(to, d);
    }
}

fn note_date(stats: &mut LogStats, date: Date) {
    if stats.first_date.is_none_or(|d| date < d) {
        stats.first_date = Some(date);
    }
    if stats.last_date.is_none_or(|d| date > d) {
        stats.last_date = Some(date);
    }
}

fn cap(s: &str) -> String {
    if s.len() <= SAMPLE_BYTES {
        return s.to_owned();
    }
    let mut end = SAMPLE_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// The sending IP a provider quotes in its reply, if any: Microsoft `from [203.0.113.94]`,
/// `The mail server [203.0.113.94]`, `banned sending IP [203.0.113.94]`; Yahoo
/// `Messages from 203.0.113.94`; Gmail `[203.0.113.94      12]`-style suffixes are not used
/// (they may name the client of a forwarder).
pub fn quoted_sending_ip(reply: &str) -> Option<IpAddr> {
    static MESSAGES_FROM: std::sync::LazyLock<Finder<'static>> =
        std::sync::LazyLock::new(|| Finder::new(b"essages from "));
    let bytes = reply.as_bytes();
    for i in memchr::memchr_iter(b'[', bytes) {
        let before = &bytes[..i];
        if (before.ends_with(b"from ")
            || before.ends_with(b"server ")
            || before.ends_with(b"sending IP "))
            && let Some(ip) = ip_at(&reply[i + 1..])
        {
            return Some(ip);
        }
    }
    MESSAGES_FROM
        .find_iter(bytes)
        .find_map(|i| ip_at(&reply[i + b"essages from ".len()..]))
}

/// The IP address at the start of `s` (digits, hex, dots and colons; a trailing `.` ignored).
fn ip_at(s: &str) -> Option<IpAddr> {
    let end = s
        .bytes()
        .position(|c| !(c.is_ascii_hexdigit() || c == b'.' || c == b':'))
        .unwrap_or(s.len());
    s[..end].trim_end_matches('.').parse().ok()
}

/// Converts a [`Diagnostic`] list for one log input from its [`LineDiagnostics`].
pub fn line_diagnostics(input: &str, d: &LineDiagnostics, stats: &LogStats) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some((line, why)) = &d.unparsed {
        let mut diag = Diagnostic::new(
            Level::Warning,
            "postfix.unparsed_delivery_line",
            input,
            Position {
                line: Some(*line),
                ..Position::default()
            },
            format!(
                "delivery line not understood ({why}); {} such lines in this input",
                stats.unparsed
            ),
        );
        diag.count = stats.unparsed;
        out.push(diag);
    }
    if let Some(line) = d.truncated {
        let mut diag = Diagnostic::new(
            Level::Warning,
            "limit.line_length",
            input,
            Position {
                line: Some(line),
                ..Position::default()
            },
            format!(
                "{} lines longer than the line limit were cut",
                stats.truncated
            ),
        );
        diag.count = stats.truncated;
        out.push(diag);
    }
    if d.bucket_overflow > 0 {
        let mut diag = Diagnostic::new(
            Level::Error,
            "limit.buckets",
            input,
            Position::default(),
            format!(
                "{} delivery attempts dropped: too many distinct daily buckets",
                d.bucket_overflow
            ),
        );
        diag.count = d.bucket_overflow;
        out.push(diag);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_ip() {
        assert_eq!(
            quoted_sending_ip(
                "451 4.7.500 Server busy. Please try again later from [203.0.113.107]. (S77719)"
            ),
            "203.0.113.107".parse().ok()
        );
        assert_eq!(
            quoted_sending_ip("421 4.7.0 [TSS04] Messages from 198.51.100.25 temporarily deferred"),
            "198.51.100.25".parse().ok()
        );
        assert_eq!(quoted_sending_ip("250 2.0.0 OK"), None);
    }

    #[test]
    fn percent_rounds_half_up() {
        assert!((percent(1, 3) - 33.3).abs() < 1e-9);
        assert!((percent(2, 3) - 66.7).abs() < 1e-9);
        assert!((percent(0, 0)).abs() < 1e-9);
    }

    #[test]
    fn domain_suffix_on_label_boundary() {
        assert!(domain_matches(
            "mailhub.corp.example.com",
            "corp.example.com"
        ));
        assert!(domain_matches("corp.example.com", ".corp.example.com"));
        assert!(!domain_matches("xcorp.example.com", "corp.example.com"));
    }
}

/// What one ledger line added to the counts, kept until the ledger decides whether the line
/// was counted before (exactly-once ingestion; see [`DeliveryAggregator::set_replay`]).
#[derive(Debug, Clone, Copy)]
pub struct Contribution {
    key: BucketKey,
    attempts: u64,
    final_: u64,
}

/// Exactly-once ingestion: kept apart from the hot loop above.
impl DeliveryAggregator {
    /// Turns exactly-once counting on (`Some`) or off. With a replay every delivery line whose
    /// header parses is a ledger line: it is counted at once, and its contribution is taken
    /// back when the ledger finds the line was already counted (it still feeds cross-line
    /// state such as a queue id's deferrals). Buckets emptied that way are left out of
    /// [`DeliveryAggregator::finish`].
    #[cfg(feature = "ingest")]
    pub fn set_replay(&mut self, replay: Option<crate::ledger::Replay<Contribution>>) {
        self.replay = replay.map(Box::new);
    }

    /// The replay, taken out (at the end of a run).
    pub fn take_replay(&mut self) -> Option<crate::ledger::Replay<Contribution>> {
        self.replay.take().map(|b| *b)
    }

    /// The replay, to begin or end a stream. Always `None` without the core's `ingest`
    /// feature (the page's WebAssembly, which cannot turn it on): the ledger's code, which the
    /// per-line path would otherwise reach, is then left out of the module (-8 KB gzip -9).
    #[inline]
    pub fn replay_mut(&mut self) -> Option<&mut crate::ledger::Replay<Contribution>> {
        if cfg!(feature = "ingest") {
            self.replay.as_deref_mut()
        } else {
            None
        }
    }

    /// Whether exactly-once counting is on ([`Self::replay_mut`]).
    #[inline]
    fn replay_on(&self) -> bool {
        cfg!(feature = "ingest") && self.replay.is_some()
    }

    /// Feeds one ledger line to the replay and subtracts the lines it found counted before.
    fn ledger_line(&mut self, log_line: &LogLine<'_>, raw: &[u8]) {
        let Some(r) = self.replay_mut() else {
            return;
        };
        r.line(
            &log_line.host,
            crate::ledger::stamp_seconds(log_line.stamp),
            crate::ledger::fingerprint(raw),
        );
        self.subtract_seen();
    }

    /// Takes back the contributions of lines the ledger found counted before.
    pub fn subtract_seen(&mut self) {
        if !cfg!(feature = "ingest") {
            return;
        }
        let Some(r) = self.replay.as_deref_mut() else {
            return;
        };
        for c in r.take_seen() {
            if let Some(b) = self.buckets.get_mut(&c.key) {
                b.attempts = b.attempts.saturating_sub(c.attempts);
                b.final_ = b.final_.saturating_sub(c.final_);
            }
        }
    }
}
