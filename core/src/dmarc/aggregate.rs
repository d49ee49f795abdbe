//! De-duplication and aggregation of aggregate reports into [`DmarcFindings`].
//!
//! * Reports are de-duplicated on the normalized `(org_name, report_id)`: the first one added
//!   wins, later ones are listed in [`DmarcFindings::duplicates`] and not counted.
//! * Daily rows ([`DmarcFindings::by_source`]) are keyed `(date, source_ip, header_from)`,
//!   the date being the UTC calendar date. A report whose range is at most 24 h counts on the
//!   date of its `begin`; a longer one is prorated over the days it covers in proportion to the
//!   seconds of `[begin, end)` falling in each day (as parsedmarc does), with largest-remainder
//!   rounding (ties to the earlier day) so each record's count is conserved exactly.
//! * [`DmarcFindings::reports`], `by_reporter` and `by_domain` use raw (unprorated) counts.

use crate::sorted::{SortedMap, SortedSet};
use std::net::IpAddr;

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use super::Item;
use super::model::{AggregateReport, PolicyPublished, Record};
use super::source_class::{Classifier, SourceClass, is_forwarding_reason};
use crate::config::Config;
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Level, Position};

/// Longest date range prorated day by day (10 years); longer ranges count on their begin date.
const MAX_PRORATE_DAYS: i64 = 3660;

const DAY: i64 = 86_400;

/// The DMARC section of the findings. Every list is sorted (see each field), so the same
/// reports give byte-identical JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DmarcFindings {
    /// Totals over the de-duplicated aggregate reports.
    pub totals: DmarcTotals,
    /// Aggregate reports kept, sorted by `(begin, org_name, report_id)`.
    pub reports: Vec<ReportSummary>,
    /// Reports dropped as duplicates of a kept report, in the order they were added.
    pub duplicates: Vec<DuplicateReport>,
    /// Daily rows per `(date, source_ip, header_from)`, sorted by that key.
    pub by_source: Vec<SourceDay>,
    /// Per reporter (normalized `org_name`), sorted by name.
    pub by_reporter: Vec<ReporterSummary>,
    /// Per `header_from` domain, sorted by domain.
    pub by_domain: Vec<DomainSummary>,
    /// Failure (ruf) reports recognised (RFC 6591 / RFC 7489 §7.3); counted, not parsed.
    pub failure_reports: u64,
    /// SMTP TLS reports recognised (RFC 8460); counted, not parsed.
    pub smtp_tls_reports: u64,
    /// Number of duplicate aggregate reports (the length of `duplicates`).
    pub duplicate_reports: u64,
    /// Policy readiness per `header_from` domain, sorted by domain (see
    /// [`super::readiness`]). Absent in findings without DMARC reports and in older files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readiness: Vec<super::readiness::DomainReadiness>,
}

/// Totals over the kept aggregate reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DmarcTotals {
    /// Aggregate reports kept.
    pub reports: u64,
    /// Records kept.
    pub records: u64,
    /// Records skipped as unusable (empty or invalid `source_ip` or `count`).
    pub skipped_records: u64,
    /// Messages (sum of `count`).
    pub messages: u64,
    /// Messages passing DMARC (aligned DKIM or SPF pass in `policy_evaluated`).
    pub passing: u64,
    /// Messages failing DMARC (neither aligned DKIM nor SPF pass).
    pub failing: u64,
}

/// One kept aggregate report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportSummary {
    /// Normalized reporter name (de-duplication key, with `report_id`).
    pub org_name: String,
    /// Reporter name as sent.
    pub org_name_raw: String,
    /// Normalized report id.
    pub report_id: String,
    /// Report id as sent.
    pub report_id_raw: String,
    /// Reporter contact address.
    pub email: String,
    /// `policy_published/domain` (empty when the reporter omitted it).
    pub policy_domain: String,
    /// The published policy as reported.
    pub policy: PolicyPublished,
    /// `date_range/begin`, Unix seconds.
    pub begin: i64,
    /// `date_range/end`, Unix seconds.
    pub end: i64,
    /// `begin` as ISO 8601 UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub date_begin: String,
    /// `end` as ISO 8601 UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub date_end: String,
    /// True when the range exceeds 24 h and the daily rows are prorated.
    pub prorated: bool,
    /// Records kept.
    pub records: u64,
    /// Records skipped as unusable.
    pub skipped_records: u64,
    /// Messages (sum of `count`).
    pub messages: u64,
    /// Messages passing DMARC.
    pub passing: u64,
    /// Messages failing DMARC.
    pub failing: u64,
    /// Repaired quirks (codes) in this report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Input the report was read from.
    pub input: String,
    /// Container member inside the input, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
}

/// A report dropped because the same normalized `(org_name, report_id)` was already read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateReport {
    /// Normalized reporter name.
    pub org_name: String,
    /// Normalized report id.
    pub report_id: String,
    /// Input of the dropped copy.
    pub input: String,
    /// Member of the dropped copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// Input of the kept copy.
    pub duplicate_of: String,
}

/// `none` / `quarantine` / `reject` message counts (`policy_evaluated/disposition`; RFC 9990
/// `pass` and absent values count as `none`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispositions {
    /// Delivered without action.
    pub none: u64,
    /// Quarantined (spam folder).
    pub quarantine: u64,
    /// Rejected.
    pub reject: u64,
}

/// One daily row: messages from one source IP for one `header_from` domain on one UTC date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceDay {
    /// UTC calendar date (`YYYY-MM-DD`).
    pub date: Date,
    /// Sending IP as reported.
    pub source_ip: IpAddr,
    /// `header_from` domain (lowercased; empty when not reported).
    pub header_from: String,
    /// `ours`, `forwarder` or `external`.
    pub source_class: SourceClass,
    /// What decided the class: `ours_network`, `override_reason:<type>`, `forwarder_network`,
    /// `ptr_hint:<hint>` or `none`.
    pub class_basis: String,
    /// PTR name from `config.dmarc.ptr`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ptr: Option<String>,
    /// Messages.
    pub messages: u64,
    /// Messages passing DMARC.
    pub passing: u64,
    /// Messages failing DMARC.
    pub failing: u64,
    /// Messages with aligned DKIM pass (`policy_evaluated/dkim`).
    pub dkim_aligned_pass: u64,
    /// Messages with aligned SPF pass (`policy_evaluated/spf`).
    pub spf_aligned_pass: u64,
    /// Messages with some DKIM signature passing (`auth_results`, aligned or not).
    pub dkim_auth_pass: u64,
    /// Messages with some SPF check passing (`auth_results`, aligned or not).
    pub spf_auth_pass: u64,
    /// Dispositions applied by the receivers.
    pub dispositions: Dispositions,
    /// Messages per policy override reason type.
    #[serde(default, skip_serializing_if = "SortedMap::is_empty")]
    pub override_reasons: SortedMap<String, u64>,
    /// Reporters (normalized `org_name`) that saw these messages, sorted.
    pub reporters: Vec<String>,
    /// True when some of the counts come from a prorated multi-day report.
    pub prorated: bool,
}

/// Per reporter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReporterSummary {
    /// Normalized reporter name.
    pub org_name: String,
    /// Reports kept.
    pub reports: u64,
    /// Records kept.
    pub records: u64,
    /// Messages.
    pub messages: u64,
    /// Messages passing DMARC.
    pub passing: u64,
    /// Messages failing DMARC.
    pub failing: u64,
    /// Earliest `begin`, Unix seconds.
    pub begin: i64,
    /// Latest `end`, Unix seconds.
    pub end: i64,
    /// `begin` as ISO 8601 UTC.
    pub date_begin: String,
    /// `end` as ISO 8601 UTC.
    pub date_end: String,
    /// Policy domains reported on, sorted.
    pub policy_domains: Vec<String>,
}

/// Per `header_from` domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSummary {
    /// `header_from` domain (lowercased).
    pub domain: String,
    /// Reports with at least one record for this domain.
    pub reports: u64,
    /// Messages.
    pub messages: u64,
    /// Messages passing DMARC.
    pub passing: u64,
    /// Messages failing DMARC.
    pub failing: u64,
    /// Distinct published policies the reporters saw for these messages, sorted.
    pub policies: Vec<PolicyPublished>,
}

/// Collects items from all inputs, de-duplicates aggregate reports and aggregates.
#[derive(Debug, Default)]
pub struct DmarcAggregator {
    reports: Vec<(String, AggregateReport)>,
    /// Hashed, not sorted: filled one report at a time, and only looked up.
    seen: FxHashMap<(String, String), usize>,
    duplicates: Vec<DuplicateReport>,
    failure: u64,
    tls: u64,
    diagnostics: Vec<Diagnostic>,
}

impl DmarcAggregator {
    /// Adds one item read from `input`. Aggregate reports are de-duplicated here (first one
    /// wins); failure and TLS reports are counted; diagnostics are kept and returned by
    /// [`DmarcAggregator::finish`] (after any they already contain, in order).
    pub fn add(&mut self, input: &str, item: Item) {
        match item {
            Item::Aggregate(report) => {
                let key = (report.org_name.clone(), report.report_id.clone());
                if let Some(&first) = self.seen.get(&key) {
                    let duplicate_of = self.reports[first].0.clone();
                    self.duplicates.push(DuplicateReport {
                        org_name: key.0,
                        report_id: key.1,
                        input: input.to_owned(),
                        member: report.member.clone(),
                        duplicate_of,
                    });
                } else {
                    self.seen.insert(key, self.reports.len());
                    self.reports.push((input.to_owned(), *report));
                }
            }
            Item::Failure { .. } => self.failure += 1,
            Item::SmtpTls { .. } => self.tls += 1,
            Item::Diagnostic(d) => self.diagnostics.push(d),
        }
    }

    /// Aggregates everything added. Returns the findings and the diagnostics: those added as
    /// items plus one `dmarc.duplicate_report` (info) per duplicate. Does not consume the
    /// aggregator, so a caller can take a snapshot and keep adding.
    #[inline]
    pub fn finish(&self, config: &Config) -> (DmarcFindings, Vec<Diagnostic>) {
        let classifier = Classifier::new(config);
        let mut f = DmarcFindings {
            failure_reports: self.failure,
            smtp_tls_reports: self.tls,
            duplicate_reports: self.duplicates.len() as u64,
            ..DmarcFindings::default()
        };
        let mut diagnostics = self.diagnostics.clone();
        for d in &self.duplicates {
            diagnostics.push(Diagnostic::new(
                Level::Info,
                "dmarc.duplicate_report",
                &d.input,
                Position {
                    member: d.member.clone(),
                    ..Position::default()
                },
                format!(
                    "report {} {} already read from {}; not counted again",
                    d.org_name, d.report_id, d.duplicate_of
                ),
            ));
        }

        f.duplicates.clone_from(&self.duplicates);

        // The maps by source, reporter and domain are built in bulk from these pairs (one
        // sort each, `SortedMap::from_runs`): their keys come from the reports, in any number
        // and order, and inserting them one by one into a sorted vector is quadratic. The
        // pairs keep report and record order, so each key folds its items in that order.
        let mut sources: Vec<((Date, IpAddr, &str), SourceItem<'_>)> = Vec::new();
        let mut reporters: Vec<(&str, ReporterItem<'_>)> = Vec::with_capacity(self.reports.len());
        let mut domains: Vec<(&str, (usize, &Record, &PolicyPublished))> = Vec::new();

        for (index, (input, r)) in self.reports.iter().enumerate() {
            let (messages, passing) = r.records.iter().fold((0u64, 0u64), |(m, p), rec| {
                (
                    m + rec.count,
                    p + if rec.dmarc_pass() { rec.count } else { 0 },
                )
            });
            let days = Days::new(r.begin, r.end);
            f.totals.reports += 1;
            f.totals.records += r.records.len() as u64;
            f.totals.skipped_records += r.skipped_records;
            f.totals.messages += messages;
            f.totals.passing += passing;
            f.totals.failing += messages - passing;
            f.reports.push(ReportSummary {
                org_name: r.org_name.clone(),
                org_name_raw: r.org_name_raw.clone(),
                report_id: r.report_id.clone(),
                report_id_raw: r.report_id_raw.clone(),
                email: r.email.clone(),
                policy_domain: r.policy.domain.clone(),
                policy: r.policy.clone(),
                begin: r.begin,
                end: r.end,
                date_begin: iso(r.begin),
                date_end: iso(r.end),
                prorated: days.prorated(),
                records: r.records.len() as u64,
                skipped_records: r.skipped_records,
                messages,
                passing,
                failing: messages - passing,
                warnings: r.warnings.iter().map(|w| w.code.clone()).collect(),
                input: input.clone(),
                member: r.member.clone(),
            });
            if days.too_long {
                diagnostics.push(Diagnostic::new(
                    Level::Warning,
                    "dmarc.date_range_too_long",
                    input,
                    Position {
                        member: r.member.clone(),
                        ..Position::default()
                    },
                    format!(
                        "report {} {} covers more than {MAX_PRORATE_DAYS} days; counted on its begin date",
                        r.org_name, r.report_id
                    ),
                ));
            }

            reporters.push((&r.org_name, (r, messages, passing)));
            for rec in &r.records {
                domains.push((&rec.header_from, (index, rec, &r.policy)));
                for (date, n) in days.shares(rec.count) {
                    sources.push((
                        (date, rec.source_ip, &rec.header_from),
                        (rec, n, &r.org_name, days.prorated()),
                    ));
                }
            }
        }
        let sources = SortedMap::fold_runs(sources, SourceAcc::add);
        let reporters = SortedMap::from_runs(
            reporters,
            |item| {
                let mut rep = ReporterAcc {
                    begin: item.0.begin,
                    end: item.0.end,
                    ..ReporterAcc::default()
                };
                rep.add(item);
                rep
            },
            ReporterAcc::add,
        );
        let domains = SortedMap::fold_runs(domains, DomainAcc::add);
        crate::sort::sort_by(&mut f.reports, |a, b| {
            (a.begin, &a.org_name, &a.report_id).cmp(&(b.begin, &b.org_name, &b.report_id))
        });

        f.by_source = sources
            .into_iter()
            .map(|((date, source_ip, header_from), acc)| {
                let (source_class, class_basis) =
                    classifier.classify(source_ip, acc.forwarding_reason.as_deref());
                SourceDay {
                    date,
                    source_ip,
                    header_from: header_from.to_owned(),
                    source_class,
                    class_basis,
                    ptr: classifier.ptr(source_ip).map(str::to_owned),
                    messages: acc.messages,
                    passing: acc.passing,
                    failing: acc.messages - acc.passing,
                    dkim_aligned_pass: acc.dkim_aligned_pass,
                    spf_aligned_pass: acc.spf_aligned_pass,
                    dkim_auth_pass: acc.dkim_auth_pass,
                    spf_auth_pass: acc.spf_auth_pass,
                    dispositions: acc.dispositions,
                    override_reasons: acc.override_reasons(),
                    reporters: sorted_names(acc.reporters),
                    prorated: acc.prorated,
                }
            })
            .collect();
        f.by_reporter = reporters
            .into_iter()
            .map(|(org_name, a)| ReporterSummary {
                org_name: org_name.to_owned(),
                reports: a.reports,
                records: a.records,
                messages: a.messages,
                passing: a.passing,
                failing: a.messages - a.passing,
                begin: a.begin,
                end: a.end,
                date_begin: iso(a.begin),
                date_end: iso(a.end),
                policy_domains: sorted_names(a.policy_domains),
            })
            .collect();
        f.by_domain = domains
            .into_iter()
            .map(|(domain, a)| DomainSummary {
                domain: domain.to_owned(),
                reports: a.reports,
                messages: a.messages,
                passing: a.passing,
                failing: a.messages - a.passing,
                policies: {
                    let set: SortedSet<&PolicyPublished> = a.policies.into_iter().collect();
                    set.into_iter().cloned().collect()
                },
            })
            .collect();
        f.readiness = super::readiness::assess(&f, config);
        (f, diagnostics)
    }
}

/// One record's share of a source day: (record, messages, reporter, prorated).
type SourceItem<'a> = (&'a Record, u64, &'a str, bool);

/// One report of a reporter: (report, messages, passing).
type ReporterItem<'a> = (&'a AggregateReport, u64, u64);

/// The distinct `names`, sorted (one sort of all of them, repeats dropped).
fn sorted_names(names: Vec<&str>) -> Vec<String> {
    let set: SortedSet<&str> = names.into_iter().collect();
    set.into_iter().map(str::to_owned).collect()
}

#[derive(Debug, Default)]
struct SourceAcc<'a> {
    messages: u64,
    passing: u64,
    dkim_aligned_pass: u64,
    spf_aligned_pass: u64,
    dkim_auth_pass: u64,
    spf_auth_pass: u64,
    dispositions: Dispositions,
    /// Messages per override reason, with repeats (summed at the end: one sort).
    override_reasons: Vec<(&'a str, u64)>,
    /// Reporters with repeats (deduplicated at the end: one sort), none twice in a row.
    reporters: Vec<&'a str>,
    forwarding_reason: Option<String>,
    prorated: bool,
}

impl<'a> SourceAcc<'a> {
    fn add(&mut self, (rec, n, org, prorated): SourceItem<'a>) {
        self.messages += n;
        if rec.dmarc_pass() {
            self.passing += n;
        }
        if rec.dkim == "pass" {
            self.dkim_aligned_pass += n;
        }
        if rec.spf == "pass" {
            self.spf_aligned_pass += n;
        }
        if rec.dkim_auth_pass() {
            self.dkim_auth_pass += n;
        }
        if rec.spf_auth_pass() {
            self.spf_auth_pass += n;
        }
        match rec.disposition.as_str() {
            "quarantine" => self.dispositions.quarantine += n,
            "reject" => self.dispositions.reject += n,
            _ => self.dispositions.none += n,
        }
        for reason in &rec.reasons {
            let kind = if reason.kind.is_empty() {
                "unspecified"
            } else {
                reason.kind.as_str()
            };
            self.override_reasons.push((kind, n));
            if self.forwarding_reason.is_none() && is_forwarding_reason(reason) {
                self.forwarding_reason = Some(reason.kind.clone());
            }
        }
        if self.reporters.last() != Some(&org) {
            self.reporters.push(org);
        }
        self.prorated |= prorated;
    }

    /// Messages per override reason type.
    fn override_reasons(&self) -> SortedMap<String, u64> {
        if self.override_reasons.is_empty() {
            return SortedMap::new();
        }
        let sums: SortedMap<&str, u64> =
            SortedMap::from_runs(self.override_reasons.clone(), |n| n, |sum, n| *sum += n);
        sums.into_iter().map(|(k, n)| (k.to_owned(), n)).collect()
    }
}

#[derive(Debug, Default)]
struct ReporterAcc<'a> {
    reports: u64,
    records: u64,
    messages: u64,
    passing: u64,
    begin: i64,
    end: i64,
    /// With repeats (deduplicated at the end: one sort), none twice in a row.
    policy_domains: Vec<&'a str>,
}

impl<'a> ReporterAcc<'a> {
    fn add(&mut self, (r, messages, passing): ReporterItem<'a>) {
        self.reports += 1;
        self.records += r.records.len() as u64;
        self.messages += messages;
        self.passing += passing;
        self.begin = self.begin.min(r.begin);
        self.end = self.end.max(r.end);
        let domain = r.policy.domain.as_str();
        if !domain.is_empty() && self.policy_domains.last() != Some(&domain) {
            self.policy_domains.push(domain);
        }
    }
}

#[derive(Debug, Default)]
struct DomainAcc<'a> {
    reports: u64,
    last_report: Option<usize>,
    messages: u64,
    passing: u64,
    /// With repeats (deduplicated at the end: one sort), none twice in a row.
    policies: Vec<&'a PolicyPublished>,
}

impl<'a> DomainAcc<'a> {
    /// Adds record `rec` of report `index` with its published policy.
    fn add(&mut self, (index, rec, policy): (usize, &'a Record, &'a PolicyPublished)) {
        if self.last_report != Some(index) {
            self.last_report = Some(index);
            self.reports += 1;
        }
        self.messages += rec.count;
        if rec.dmarc_pass() {
            self.passing += rec.count;
        }
        if self.policies.last() != Some(&policy) {
            self.policies.push(policy);
        }
    }
}

/// The days a report's range covers, with the seconds of `[begin, end)` in each.
struct Days {
    /// `(date, seconds)`; a single entry with the begin date when not prorated.
    spans: Vec<(Date, i64)>,
    total: i64,
    too_long: bool,
}

impl Days {
    fn new(begin: i64, end: i64) -> Self {
        let span = end.saturating_sub(begin);
        let first = begin.div_euclid(DAY);
        let last = (end - 1).div_euclid(DAY);
        let too_long = span > DAY && last.saturating_sub(first) >= MAX_PRORATE_DAYS;
        if span <= DAY || too_long {
            return Self {
                spans: vec![(Date::from_unix(begin, 0), 1)],
                total: 1,
                too_long,
            };
        }
        let spans = (first..=last)
            .filter_map(|d| {
                let secs = ((d + 1) * DAY).min(end) - (d * DAY).max(begin);
                (secs > 0).then(|| (Date::from_unix(d * DAY, 0), secs))
            })
            .collect();
        Self {
            spans,
            total: span,
            too_long,
        }
    }

    fn prorated(&self) -> bool {
        self.spans.len() > 1
    }

    /// `count` split over the days by largest remainder; days with a zero share are omitted
    /// (a count of zero keeps one zero row on the first day).
    fn shares(&self, count: u64) -> Vec<(Date, u64)> {
        if self.spans.len() == 1 || count == 0 {
            return self
                .spans
                .first()
                .map(|(d, _)| vec![(*d, count)])
                .unwrap_or_default();
        }
        let total = self.total as u128;
        let c = u128::from(count);
        let mut floors: Vec<(u64, u128, usize)> = self
            .spans
            .iter()
            .enumerate()
            .map(|(i, (_, secs))| {
                let exact = c * (*secs as u128);
                ((exact / total) as u64, exact % total, i)
            })
            .collect();
        let assigned: u64 = floors.iter().map(|f| f.0).sum();
        let mut remainder = count - assigned;
        let mut order: Vec<usize> = (0..floors.len()).collect();
        crate::sort::sort_by(&mut order, |&a, &b| {
            floors[b].1.cmp(&floors[a].1).then(a.cmp(&b))
        });
        for i in order {
            if remainder == 0 {
                break;
            }
            floors[i].0 += 1;
            remainder -= 1;
        }
        floors
            .into_iter()
            .filter(|(n, _, _)| *n > 0)
            .map(|(n, _, i)| (self.spans[i].0, n))
            .collect()
    }
}

/// Unix seconds as ISO 8601 UTC (`2018-10-01T17:07:12Z`).
fn iso(secs: i64) -> String {
    let date = Date::from_unix(secs, 0);
    let s = secs.rem_euclid(DAY);
    format!("{date}T{:02}:{:02}:{:02}Z", s / 3600, (s / 60) % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso(1_538_414_832), "2018-10-01T17:27:12Z");
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn one_day_ranges_count_on_the_begin_date() {
        let d = Days::new(1_538_438_400, 1_538_524_799);
        assert!(!d.prorated());
        assert_eq!(d.shares(7), vec![(Date::from_unix(1_538_438_400, 0), 7)]);
        let d = Days::new(100, 100);
        assert_eq!(d.shares(3).len(), 1);
    }

    #[test]
    fn long_ranges_are_prorated_like_parsedmarc() {
        // test2.xml: 10 messages over three years; parsedmarc puts one on each of the first
        // ten whole days (the partial first day has the smaller remainder).
        let d = Days::new(1_508_846_302, 1_603_540_702);
        let s = d.shares(10);
        assert_eq!(s.len(), 10);
        assert_eq!(s[0].0.to_string(), "2017-10-25");
        assert_eq!(s[9].0.to_string(), "2017-11-03");
        assert_eq!(s.iter().map(|x| x.1).sum::<u64>(), 10);
        // 97 h: conserved, proportional.
        let d = Days::new(1_575_244_800, 1_575_244_800 + 97 * 3600);
        let s = d.shares(1000);
        assert_eq!(s.iter().map(|x| x.1).sum::<u64>(), 1000);
        assert_eq!(s.len(), 5);
    }

    #[test]
    fn absurd_ranges_are_not_expanded() {
        let d = Days::new(0, i64::MAX / 2);
        assert!(d.too_long);
        assert_eq!(d.shares(5).len(), 1);
    }
}
