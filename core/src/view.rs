//! Roll-ups of [`Findings`] for a filtered view: what the page shows for the filter bar's
//! date range, provider, sending IP and `header_from` domain (research/ux.md §3.3), and what
//! the static HTML report shows per DMARC source IP.
//!
//! With an empty [`Filter`] the view carries the findings' own roll-ups (`provider_totals`,
//! `providers`, `sending_ips`, `replies`, DMARC totals), so the page shows the numbers
//! `mailrep analyze` prints, also for a summary link's findings, which have no daily rows.
//! With a filter, everything is summed from the daily rows (`delivery.daily`,
//! `dmarc.by_source`) with the core's [`percent`]; a filter that keeps every row gives the
//! same numbers (tested). Which filter applies where:
//!
//! | filter | delivery rows | DMARC rows | reply groups | unclassified replies |
//! |---|---|---|---|---|
//! | `from` / `to` (UTC dates, inclusive) | date | date | via daily rows | no (they carry no date) |
//! | `provider` | provider | no | provider | provider |
//! | `ip` | sending IP | source IP | via daily rows | no |
//! | `domain` | no (no sender domain in delivery rows) | `header_from` | no | no |
//!
//! DMARC reporters are listed unfiltered (their counts are per whole report).

use crate::sorted::{SortedMap, SortedSet};
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::dmarc::readiness::DomainReadiness;
use crate::dmarc::{Dispositions, DomainSummary, ReporterSummary, SourceClass, SourceDay};
use crate::findings::Findings;
use crate::postfix::Outcome;
use crate::postfix::aggregate::{
    DailyRow, OutcomeCounts, ProviderDay, ProviderTotal, UnclassifiedReply, percent,
};

/// The filters of a view. Absent fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Filter {
    /// First date kept (inclusive).
    pub from: Option<Date>,
    /// Last date kept (inclusive).
    pub to: Option<Date>,
    /// Provider id (`microsoft`).
    pub provider: Option<String>,
    /// Sending IP (delivery) and source IP (DMARC), as text.
    pub ip: Option<String>,
    /// `header_from` domain (DMARC).
    pub domain: Option<String>,
}

impl Filter {
    /// True when any field is set.
    #[inline]
    pub fn is_active(&self) -> bool {
        self.from.is_some()
            || self.to.is_some()
            || self.provider.is_some()
            || self.ip.is_some()
            || self.domain.is_some()
    }

    #[inline]
    fn date(&self, d: Date) -> bool {
        self.from.is_none_or(|f| d >= f) && self.to.is_none_or(|t| d <= t)
    }

    #[inline]
    fn daily(&self, r: &DailyRow) -> bool {
        self.date(r.date)
            && self.provider.as_ref().is_none_or(|p| *p == r.provider)
            && self.ip.as_ref().is_none_or(|ip| *ip == r.sending_ip)
    }

    #[inline]
    fn source(&self, r: &SourceDay) -> bool {
        self.date(r.date)
            && self.domain.as_ref().is_none_or(|d| *d == r.header_from)
            && self
                .ip
                .as_ref()
                .is_none_or(|ip| *ip == ip_label(r.source_ip))
    }
}

/// A DMARC source IP as text, matching the delivery rows' `sending_ip`: the pseudonym
/// (`IP-A`) for the addresses public redaction writes into IP fields.
#[inline]
fn ip_label(ip: IpAddr) -> String {
    crate::redact::pseudonym_of(ip).unwrap_or_else(|| ip.to_string())
}

/// Messages and DMARC passes with the share.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PassCounts {
    /// Messages.
    pub messages: u64,
    /// Messages passing DMARC.
    pub passing: u64,
    /// Messages failing DMARC.
    pub failing: u64,
    /// `passing` of `messages`, percent (one decimal).
    pub percent: f64,
}

impl PassCounts {
    #[inline]
    fn add(&mut self, messages: u64, passing: u64) {
        self.messages += messages;
        self.passing += passing;
        self.failing = self.messages - self.passing;
        self.percent = percent(self.passing, self.messages);
    }
}

/// One sending IP of the filtered delivery rows, with the DMARC results reported for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SendingIpView {
    /// Sending IP (empty when unknown).
    pub sending_ip: String,
    /// Services seen sending from it (over all dates).
    pub services: Vec<String>,
    /// Counts and rates.
    #[serde(flatten)]
    pub counts: OutcomeCounts,
    /// DMARC messages from this IP as a source, over the DMARC rows the filter keeps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dmarc: Option<PassCounts>,
}

/// Attempts with one outcome on one day (the trend chart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayOutcome {
    /// Date.
    pub date: Date,
    /// Outcome.
    pub outcome: Outcome,
    /// Attempts.
    pub attempts: u64,
}

/// A reply group summed over the kept daily rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplyView {
    /// Provider id.
    pub provider: String,
    /// Outcome.
    pub outcome: Outcome,
    /// Reason code.
    pub reason_code: String,
    /// Rule that classified the group's first reply (empty when the group is beyond the
    /// findings' 500 listed groups).
    pub rule: String,
    /// Attempts.
    pub attempts: u64,
    /// Share of the view's non-accepted attempts, percent (one decimal); 0 for accepted.
    pub percent: f64,
    /// The group's sample reply when the filter keeps the whole group, else the first kept
    /// daily row's.
    pub sample_reply: String,
}

/// The delivery part of a view.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeliveryView {
    /// Over every kept row (the KPI tiles).
    pub total: OutcomeCounts,
    /// Per provider, most attempts first (then by id).
    pub providers: Vec<ProviderTotal>,
    /// Per sending IP, sorted by IP text.
    pub sending_ips: Vec<SendingIpView>,
    /// Attempts per (date, outcome), sorted.
    pub days: Vec<DayOutcome>,
    /// Per (date, provider), sorted.
    pub provider_days: Vec<ProviderDay>,
    /// Reply groups, most attempts first (at most 500).
    pub replies: Vec<ReplyView>,
    /// Non-accepted attempts over the kept rows.
    pub non_accepted: u64,
    /// Unclassified replies of the provider filter (not date- or IP-filtered).
    pub unclassified: Vec<UnclassifiedReply>,
    /// Attempts among `unclassified`.
    pub unclassified_attempts: u64,
    /// `unclassified_attempts` of the non-accepted attempts of the same provider filter over
    /// all days, percent (one decimal).
    pub unclassified_percent: f64,
}

/// One DMARC source IP over the kept rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceIpView {
    /// Source IP.
    pub source_ip: IpAddr,
    /// The most trusting class of its rows (ours, then forwarder, then external).
    pub source_class: SourceClass,
    /// What decided that class.
    pub class_basis: String,
    /// PTR name from the configuration, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ptr: Option<String>,
    /// Messages, passes and failures.
    #[serde(flatten)]
    pub pass: PassCounts,
    /// Messages with aligned DKIM pass.
    pub dkim_aligned_pass: u64,
    /// Messages with aligned SPF pass.
    pub spf_aligned_pass: u64,
    /// `dkim_aligned_pass` of the messages, percent.
    pub dkim_percent: f64,
    /// `spf_aligned_pass` of the messages, percent.
    pub spf_percent: f64,
    /// Dispositions applied.
    pub dispositions: Dispositions,
    /// `header_from` domains (non-empty ones), sorted.
    pub header_from: Vec<String>,
    /// Reporters, sorted.
    pub reporters: Vec<String>,
    /// First date.
    pub first: Date,
    /// Last date.
    pub last: Date,
    /// The kept daily rows of this IP, in findings order.
    pub days: Vec<SourceDay>,
}

/// DMARC messages of one class on one day (the DMARC chart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DmarcDay {
    /// UTC date.
    pub date: Date,
    /// Source class.
    pub source_class: SourceClass,
    /// Messages passing.
    pub passing: u64,
    /// Messages failing.
    pub failing: u64,
}

/// A reporter with its pass share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReporterView {
    /// The findings' row.
    #[serde(flatten)]
    pub reporter: ReporterSummary,
    /// `passing` of `messages`, percent.
    pub percent: f64,
}

/// A `header_from` domain with its pass share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainView {
    /// The findings' row.
    #[serde(flatten)]
    pub summary: DomainSummary,
    /// `passing` of `messages`, percent.
    pub percent: f64,
}

/// The DMARC part of a view.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DmarcView {
    /// Over the kept rows.
    pub totals: PassCounts,
    /// Per source IP: most failing messages first, then most messages, then by IP.
    pub sources: Vec<SourceIpView>,
    /// Per (date, class), sorted.
    pub days: Vec<DmarcDay>,
    /// Every reporter (not filtered), sorted by name.
    pub reporters: Vec<ReporterView>,
    /// Domains the domain filter keeps, sorted.
    pub domains: Vec<DomainView>,
    /// Readiness of the domains the domain filter keeps.
    pub readiness: Vec<DomainReadiness>,
}

/// Everything a filtered view shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct View {
    /// True when the filter sets anything.
    pub filtered: bool,
    /// Delivery roll-ups.
    pub delivery: DeliveryView,
    /// DMARC roll-ups.
    pub dmarc: DmarcView,
}

/// Most reply groups in a view (as in the findings).
const MAX_REPLY_GROUPS: usize = 500;

/// The roll-ups of `findings` that `filter` keeps.
#[inline]
pub fn filter_findings(findings: &Findings, filter: &Filter) -> View {
    let rows: Vec<&SourceDay> = findings
        .dmarc
        .by_source
        .iter()
        .filter(|r| filter.source(r))
        .collect();
    View {
        filtered: filter.is_active(),
        delivery: delivery(findings, filter, &rows),
        dmarc: dmarc(findings, filter, &rows),
    }
}

#[inline]
fn finish(mut c: OutcomeCounts) -> OutcomeCounts {
    for o in Outcome::ALL {
        let n = c.count(o);
        c.outcomes.insert(o, n);
        c.percent.insert(o, percent(n, c.attempts));
    }
    c
}

#[inline]
fn add(c: &mut OutcomeCounts, r: &DailyRow) {
    c.attempts += r.attempts;
    c.final_ += r.final_;
    *c.outcomes.entry(r.outcome).or_default() += r.attempts;
}

#[inline]
fn delivery(f: &Findings, filter: &Filter, sources: &[&SourceDay]) -> DeliveryView {
    let d = &f.delivery;
    let whole = !filter.is_active();
    let mut total = OutcomeCounts::default();
    let mut providers: SortedMap<&str, OutcomeCounts> = SortedMap::new();
    let mut days: SortedMap<(Date, Outcome), u64> = SortedMap::new();
    let mut provider_days: SortedMap<(Date, &str), OutcomeCounts> = SortedMap::new();
    let rows: Vec<&DailyRow> = d.daily.iter().filter(|r| filter.daily(r)).collect();
    // Providers are the classifier's few ids, and the rows come in date order: these maps
    // grow at their end or stay small, so entry by entry is cheap.
    for r in &rows {
        add(&mut total, r);
        add(providers.entry(&r.provider).or_default(), r);
        *days.entry((r.date, r.outcome)).or_default() += r.attempts;
        add(provider_days.entry((r.date, &r.provider)).or_default(), r);
    }
    // Sending IPs and reply codes come from the log, in any number: built in bulk (one sort;
    // inserting them one by one into a sorted vector is quadratic).
    let ips: SortedMap<&str, OutcomeCounts> = SortedMap::fold_runs(
        rows.iter().map(|r| (r.sending_ip.as_str(), *r)).collect(),
        add,
    );
    // (provider, outcome, reason) -> (attempts, first kept row's sample)
    let mut groups: SortedMap<(&str, Outcome, &str), (u64, &str)> = SortedMap::from_runs(
        rows.iter()
            .map(|r| ((r.provider.as_str(), r.outcome, r.reason_code.as_str()), *r))
            .collect(),
        |r| (r.attempts, r.sample_reply.as_str()),
        |g, r| g.0 += r.attempts,
    );
    let mut providers: Vec<ProviderTotal> = providers
        .into_iter()
        .map(|(p, c)| ProviderTotal {
            provider: p.to_owned(),
            counts: finish(c),
        })
        .collect();
    crate::sort::sort_by(&mut providers, |a, b| {
        b.counts
            .attempts
            .cmp(&a.counts.attempts)
            .then_with(|| a.provider.cmp(&b.provider))
    });
    let mut ips: Vec<(String, OutcomeCounts)> = ips
        .into_iter()
        .map(|(ip, c)| (ip.to_owned(), finish(c)))
        .collect();
    let mut provider_days: Vec<ProviderDay> = provider_days
        .into_iter()
        .map(|((date, p), c)| ProviderDay {
            date,
            provider: p.to_owned(),
            counts: finish(c),
        })
        .collect();
    if whole {
        // The findings' own roll-ups (equal to the sums; present without daily rows too).
        providers.clone_from(&d.provider_totals);
        provider_days.clone_from(&d.providers);
        ips = d
            .sending_ips
            .iter()
            .map(|s| (s.sending_ip.clone(), s.counts.clone()))
            .collect();
        total = OutcomeCounts::default();
        for p in &d.provider_totals {
            total.attempts += p.counts.attempts;
            total.final_ += p.counts.final_;
            for (o, n) in &p.counts.outcomes {
                *total.outcomes.entry(*o).or_default() += n;
            }
        }
        groups = d
            .replies
            .iter()
            .map(|g| {
                (
                    (g.provider.as_str(), g.outcome, g.reason_code.as_str()),
                    (g.attempts, g.sample_reply.as_str()),
                )
            })
            .collect();
    }
    // Built in bulk: one key per source IP of the reports (see `source_ips`).
    let dmarc_by_ip: SortedMap<String, PassCounts> = SortedMap::fold_runs(
        sources
            .iter()
            .map(|s| (ip_label(s.source_ip), *s))
            .collect(),
        |c: &mut PassCounts, s| c.add(s.messages, s.passing),
    );
    let services: SortedMap<&str, &Vec<String>> = d
        .sending_ips
        .iter()
        .map(|s| (s.sending_ip.as_str(), &s.services))
        .collect();
    let sending_ips = ips
        .into_iter()
        .map(|(ip, counts)| SendingIpView {
            services: services
                .get(ip.as_str())
                .map(|s| (*s).clone())
                .unwrap_or_default(),
            counts,
            dmarc: dmarc_by_ip.get(&ip).copied(),
            sending_ip: ip,
        })
        .collect();
    let non_accepted = total.attempts - total.count(Outcome::Accepted);
    let known: SortedMap<(&str, Outcome, &str), (&str, u64, &str)> = d
        .replies
        .iter()
        .map(|g| {
            (
                (g.provider.as_str(), g.outcome, g.reason_code.as_str()),
                (g.rule.as_str(), g.attempts, g.sample_reply.as_str()),
            )
        })
        .collect();
    let mut replies: Vec<ReplyView> = groups
        .into_iter()
        .filter(|(_, (n, _))| *n > 0)
        .map(|((provider, outcome, reason), (attempts, first_sample))| {
            let k = known.get(&(provider, outcome, reason));
            let sample = match k {
                Some((_, whole, s)) if *whole == attempts => *s,
                _ => first_sample,
            };
            ReplyView {
                provider: provider.to_owned(),
                outcome,
                reason_code: reason.to_owned(),
                rule: k.map(|k| k.0.to_owned()).unwrap_or_default(),
                attempts,
                percent: if outcome == Outcome::Accepted {
                    0.0
                } else {
                    percent(attempts, non_accepted)
                },
                sample_reply: sample.to_owned(),
            }
        })
        .collect();
    crate::sort::sort_by(&mut replies, |a, b| {
        b.attempts.cmp(&a.attempts).then_with(|| {
            (&a.provider, a.outcome, &a.reason_code).cmp(&(&b.provider, b.outcome, &b.reason_code))
        })
    });
    replies.truncate(MAX_REPLY_GROUPS);
    let keep_provider = |p: &str| filter.provider.as_ref().is_none_or(|f| f == p);
    let unclassified: Vec<UnclassifiedReply> = d
        .unclassified
        .iter()
        .filter(|u| keep_provider(&u.provider))
        .cloned()
        .collect();
    let unclassified_attempts = unclassified.iter().map(|u| u.attempts).sum();
    let all_non_accepted: u64 = d
        .daily
        .iter()
        .filter(|r| r.outcome != Outcome::Accepted && keep_provider(&r.provider))
        .map(|r| r.attempts)
        .sum();
    DeliveryView {
        total: finish(total),
        providers,
        sending_ips,
        days: days
            .into_iter()
            .map(|((date, outcome), attempts)| DayOutcome {
                date,
                outcome,
                attempts,
            })
            .collect(),
        provider_days,
        replies,
        non_accepted,
        unclassified,
        unclassified_attempts,
        unclassified_percent: percent(unclassified_attempts, all_non_accepted),
    }
}

/// Per source IP roll-ups of DMARC daily rows (any subset, e.g. all of `dmarc.by_source`),
/// most failing messages first, then most messages, then by IP.
#[inline]
pub fn source_ips<'a>(rows: impl IntoIterator<Item = &'a SourceDay>) -> Vec<SourceIpView> {
    struct Acc<'a> {
        class: SourceClass,
        basis: &'a str,
        ptr: Option<&'a str>,
        pass: PassCounts,
        dkim: u64,
        spf: u64,
        disp: Dispositions,
        /// With repeats (sorted and deduplicated at the end: one sort per IP).
        domains: Vec<&'a str>,
        reporters: Vec<&'a str>,
        first: Date,
        last: Date,
        days: Vec<SourceDay>,
    }
    let update = |a: &mut Acc<'a>, s: &'a SourceDay| {
        // The most trusting class seen wins the label (ours > forwarder > external).
        if s.source_class < a.class {
            a.class = s.source_class;
            a.basis = &s.class_basis;
        }
        a.ptr = a.ptr.or(s.ptr.as_deref());
        a.pass.add(s.messages, s.passing);
        a.dkim += s.dkim_aligned_pass;
        a.spf += s.spf_aligned_pass;
        a.disp.none += s.dispositions.none;
        a.disp.quarantine += s.dispositions.quarantine;
        a.disp.reject += s.dispositions.reject;
        if !s.header_from.is_empty() {
            a.domains.push(&s.header_from);
        }
        a.reporters.extend(s.reporters.iter().map(String::as_str));
        a.first = a.first.min(s.date);
        a.last = a.last.max(s.date);
        a.days.push(s.clone());
    };
    // Source IPs come from the reports, in any number and order: built in bulk (one sort;
    // inserting them one by one into a sorted vector is quadratic).
    let by: SortedMap<IpAddr, Acc<'a>> = SortedMap::from_runs(
        rows.into_iter().map(|s| (s.source_ip, s)).collect(),
        |s| {
            let mut a = Acc {
                class: s.source_class,
                basis: &s.class_basis,
                ptr: None,
                pass: PassCounts::default(),
                dkim: 0,
                spf: 0,
                disp: Dispositions::default(),
                domains: Vec::new(),
                reporters: Vec::new(),
                first: s.date,
                last: s.date,
                days: Vec::new(),
            };
            update(&mut a, s);
            a
        },
        update,
    );
    let names = |v: Vec<&str>| -> Vec<String> {
        let set: SortedSet<&str> = v.into_iter().collect();
        set.into_iter().map(str::to_owned).collect()
    };
    let mut out: Vec<SourceIpView> = by
        .into_iter()
        .map(|(ip, a)| SourceIpView {
            source_ip: ip,
            source_class: a.class,
            class_basis: a.basis.to_owned(),
            ptr: a.ptr.map(str::to_owned),
            dkim_percent: percent(a.dkim, a.pass.messages),
            spf_percent: percent(a.spf, a.pass.messages),
            pass: a.pass,
            dkim_aligned_pass: a.dkim,
            spf_aligned_pass: a.spf,
            dispositions: a.disp,
            header_from: names(a.domains),
            reporters: names(a.reporters),
            first: a.first,
            last: a.last,
            days: a.days,
        })
        .collect();
    crate::sort::sort_by(&mut out, |a, b| {
        b.pass
            .failing
            .cmp(&a.pass.failing)
            .then(b.pass.messages.cmp(&a.pass.messages))
            .then(a.source_ip.cmp(&b.source_ip))
    });
    out
}

#[inline]
fn dmarc(f: &Findings, filter: &Filter, rows: &[&SourceDay]) -> DmarcView {
    let mut totals = PassCounts::default();
    if !filter.is_active() {
        // The findings' totals (equal to the sum of the rows; present in summaries too).
        totals.add(f.dmarc.totals.messages, f.dmarc.totals.passing);
    }
    let mut days: SortedMap<(Date, SourceClass), (u64, u64)> = SortedMap::new();
    for r in rows {
        if filter.is_active() {
            totals.add(r.messages, r.passing);
        }
        let d = days.entry((r.date, r.source_class)).or_default();
        d.0 += r.passing;
        d.1 += r.failing;
    }
    let keep_domain = |d: &str| filter.domain.as_ref().is_none_or(|f| f == d);
    DmarcView {
        totals,
        sources: source_ips(rows.iter().copied()),
        days: days
            .into_iter()
            .map(|((date, source_class), (passing, failing))| DmarcDay {
                date,
                source_class,
                passing,
                failing,
            })
            .collect(),
        reporters: f
            .dmarc
            .by_reporter
            .iter()
            .map(|r| ReporterView {
                percent: percent(r.passing, r.messages),
                reporter: r.clone(),
            })
            .collect(),
        domains: f
            .dmarc
            .by_domain
            .iter()
            .filter(|d| keep_domain(&d.domain))
            .map(|d| DomainView {
                percent: percent(d.passing, d.messages),
                summary: d.clone(),
            })
            .collect(),
        readiness: f
            .dmarc
            .readiness
            .iter()
            .filter(|r| keep_domain(&r.domain))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Analyzer, Config};

    const LOG: &str = "\
Nov 19 10:00:00 mx1 postfix/smtp[1]: 4jVwT647TtzL3C1: to=<a@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.27]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK - gsmtp)
Nov 19 10:00:01 mx1 postfix/smtp[1]: 4jVwT647TtzL3C2: to=<b@outlook.com>, relay=outlook-com.olc.protection.outlook.com[52.101.1.1]:25, delay=1, delays=0/0/0/1, dsn=4.7.650, status=deferred (host outlook-com.olc.protection.outlook.com[52.101.1.1] said: 451 4.7.650 The mail server [203.0.113.94] has been temporarily rate limited due to IP reputation. (S775) (in reply to MAIL FROM command))
Nov 20 10:00:00 mx1 postfix/smtp[1]: 4jVwT647TtzL3C3: to=<c@outlook.com>, relay=outlook-com.olc.protection.outlook.com[52.101.1.1]:25, delay=1, delays=0/0/0/1, dsn=4.7.650, status=deferred (host outlook-com.olc.protection.outlook.com[52.101.1.1] said: 451 4.7.650 The mail server [203.0.113.94] has been temporarily rate limited due to IP reputation. (S775) (in reply to MAIL FROM command))
Nov 20 10:00:02 mx1 postfix/smtp[1]: 4jVwT647TtzL3C4: to=<d@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.27]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK - gsmtp)
Nov 20 10:00:03 mx1 postfix/smtp[1]: 4jVwT647TtzL3C5: to=<e@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.27]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host gmail-smtp-in.l.google.com[142.250.1.27] said: 550 5.7.1 The user or domain that you are sending to (or from) has a policy that prohibited the mail (in reply to end of DATA command))
";

    fn findings() -> Findings {
        let mut c = Config::default();
        c.egress
            .sending_ips
            .insert("smtp".to_owned(), "203.0.113.94".parse().unwrap());
        Analyzer::analyze(
            c,
            &[("mail.log", LOG.as_bytes())],
            Date::new(2026, 11, 21).unwrap(),
        )
        .unwrap()
    }

    fn day(s: &str) -> Option<Date> {
        Date::parse(s)
    }

    /// Checks the view equals the findings' own roll-ups.
    fn same_as_core(f: &Findings, v: &View) {
        assert_eq!(v.delivery.providers, f.delivery.provider_totals);
        assert_eq!(v.delivery.provider_days, f.delivery.providers);
        let ips: Vec<(&str, &OutcomeCounts)> = v
            .delivery
            .sending_ips
            .iter()
            .map(|s| (s.sending_ip.as_str(), &s.counts))
            .collect();
        let want: Vec<(&str, &OutcomeCounts)> = f
            .delivery
            .sending_ips
            .iter()
            .map(|s| (s.sending_ip.as_str(), &s.counts))
            .collect();
        assert_eq!(ips, want);
        let groups: Vec<(&str, Outcome, &str, &str, u64, &str)> = v
            .delivery
            .replies
            .iter()
            .map(|g| {
                (
                    g.provider.as_str(),
                    g.outcome,
                    g.reason_code.as_str(),
                    g.rule.as_str(),
                    g.attempts,
                    g.sample_reply.as_str(),
                )
            })
            .collect();
        let want: Vec<(&str, Outcome, &str, &str, u64, &str)> = f
            .delivery
            .replies
            .iter()
            .map(|g| {
                (
                    g.provider.as_str(),
                    g.outcome,
                    g.reason_code.as_str(),
                    g.rule.as_str(),
                    g.attempts,
                    g.sample_reply.as_str(),
                )
            })
            .collect();
        assert_eq!(groups, want);
        assert_eq!(v.delivery.total.attempts, f.delivery.stats.attempts);
        assert_eq!(v.dmarc.totals.messages, f.dmarc.totals.messages);
    }

    #[test]
    fn an_empty_filter_and_a_filter_keeping_everything_give_the_core_roll_ups() {
        let f = findings();
        let v = filter_findings(&f, &Filter::default());
        assert!(!v.filtered);
        same_as_core(&f, &v);
        assert_eq!(v.delivery.total.attempts, 5);
        assert_eq!(v.delivery.non_accepted, 3);
        let all = Filter {
            from: day("2026-11-01"),
            ..Filter::default()
        };
        let summed = filter_findings(&f, &all);
        assert!(summed.filtered);
        same_as_core(&f, &summed);
        assert_eq!(summed.delivery.total, v.delivery.total);
    }

    #[test]
    fn a_summary_link_without_daily_rows_keeps_its_provider_table() {
        let f = crate::share::summary(&findings());
        assert!(f.delivery.daily.is_empty());
        let v = filter_findings(&f, &Filter::default());
        assert_eq!(v.delivery.providers, f.delivery.provider_totals);
        assert_eq!(v.delivery.total.attempts, 5);
        assert!((v.delivery.total.percent[&Outcome::Throttled] - 40.0).abs() < 1e-9);
    }

    #[test]
    fn a_date_range_sums_only_its_days_with_core_percentages() {
        let f = findings();
        let filter = Filter {
            from: day("2026-11-20"),
            to: day("2026-11-20"),
            ..Filter::default()
        };
        let v = filter_findings(&f, &filter);
        assert!(v.filtered);
        assert_eq!(v.delivery.total.attempts, 3);
        let google = v
            .delivery
            .providers
            .iter()
            .find(|p| p.provider == "google")
            .unwrap();
        assert_eq!(google.counts.attempts, 2);
        assert!((google.counts.percent[&Outcome::Accepted] - 50.0).abs() < 1e-9);
        assert_eq!(
            google.counts.outcomes[&Outcome::Throttled],
            0,
            "every outcome listed"
        );
        let days: Vec<String> = v.delivery.days.iter().map(|d| d.date.to_string()).collect();
        assert!(days.iter().all(|d| d == "2026-11-20"), "{days:?}");
        // One non-accepted Microsoft reply of two over all days, and one Google reject.
        let ms = v
            .delivery
            .replies
            .iter()
            .find(|g| g.provider == "microsoft")
            .unwrap();
        assert_eq!((ms.attempts, ms.percent), (1, 50.0));
        assert!(!ms.rule.is_empty(), "rule from the findings' group");
    }

    #[test]
    fn provider_and_ip_filters_apply_to_delivery_rows() {
        let f = findings();
        let v = filter_findings(
            &f,
            &Filter {
                provider: Some("microsoft".to_owned()),
                ..Filter::default()
            },
        );
        assert_eq!(v.delivery.providers.len(), 1);
        assert_eq!(v.delivery.total.count(Outcome::Throttled), 2);
        assert!((v.delivery.total.percent[&Outcome::Throttled] - 100.0).abs() < 1e-9);
        let v = filter_findings(
            &f,
            &Filter {
                ip: Some("192.0.2.1".to_owned()),
                ..Filter::default()
            },
        );
        assert_eq!(v.delivery.total.attempts, 0);
        assert!(v.delivery.providers.is_empty());
        assert!(v.delivery.total.percent[&Outcome::Accepted].abs() < 1e-9);
    }

    fn source(date: &str, ip: &str, class: SourceClass, from: &str, m: u64, p: u64) -> SourceDay {
        SourceDay {
            date: Date::parse(date).unwrap(),
            source_ip: ip.parse().unwrap(),
            header_from: from.to_owned(),
            source_class: class,
            class_basis: format!("{class:?}"),
            ptr: None,
            messages: m,
            passing: p,
            failing: m - p,
            dkim_aligned_pass: p,
            spf_aligned_pass: 0,
            dkim_auth_pass: p,
            spf_auth_pass: 0,
            dispositions: Dispositions {
                none: m,
                quarantine: 0,
                reject: 0,
            },
            override_reasons: SortedMap::new(),
            reporters: vec!["google.com".to_owned()],
            prorated: false,
        }
    }

    #[test]
    fn dmarc_rows_roll_up_per_source_ip_and_day() {
        let mut f = findings();
        f.dmarc.by_source = vec![
            source(
                "2026-11-19",
                "203.0.113.94",
                SourceClass::Ours,
                "a.example",
                10,
                10,
            ),
            source(
                "2026-11-19",
                "198.51.100.7",
                SourceClass::External,
                "a.example",
                5,
                0,
            ),
            source(
                "2026-11-20",
                "198.51.100.7",
                SourceClass::Forwarder,
                "b.example",
                3,
                1,
            ),
            source(
                "2026-11-20",
                "203.0.113.94",
                SourceClass::Ours,
                "a.example",
                10,
                9,
            ),
        ];
        f.dmarc.totals.messages = 28;
        f.dmarc.totals.passing = 20;
        let v = filter_findings(&f, &Filter::default());
        let s = &v.dmarc.sources;
        assert_eq!(
            s[0].source_ip.to_string(),
            "198.51.100.7",
            "most failing first"
        );
        assert_eq!((s[0].pass.messages, s[0].pass.failing), (8, 7));
        assert_eq!(
            s[0].source_class,
            SourceClass::Forwarder,
            "most trusting class"
        );
        assert_eq!(s[0].header_from, ["a.example", "b.example"]);
        assert_eq!((s[1].pass.percent, s[1].days.len()), (95.0, 2));
        assert_eq!(v.dmarc.totals.messages, 28);
        assert_eq!(v.dmarc.days.len(), 4);
        // The join with delivery: our sending IP's DMARC results.
        let ip = &v.delivery.sending_ips[0];
        assert_eq!(ip.sending_ip, "203.0.113.94");
        assert_eq!(ip.dmarc.unwrap().passing, 19);
        // Domain and IP filters.
        let v = filter_findings(
            &f,
            &Filter {
                domain: Some("b.example".to_owned()),
                ..Filter::default()
            },
        );
        assert_eq!(v.dmarc.totals.messages, 3);
        let v = filter_findings(
            &f,
            &Filter {
                ip: Some("203.0.113.94".to_owned()),
                to: day("2026-11-19"),
                ..Filter::default()
            },
        );
        assert_eq!((v.dmarc.totals.messages, v.dmarc.sources.len()), (10, 1));
        assert_eq!(v.delivery.total.attempts, 2, "Nov 19 only");
    }

    #[test]
    fn the_filter_reads_the_page_shape() {
        let f: Filter = serde_json::from_str(
            r#"{"from":"2026-11-20","provider":"microsoft","ip":"203.0.113.94"}"#,
        )
        .unwrap();
        assert_eq!(f.from, day("2026-11-20"));
        assert!(serde_json::from_str::<Filter>(r#"{"prov":"x"}"#).is_err());
    }
}
