//! Policy readiness per `header_from` domain (research/ux.md §3.4.10): is it safe to move the
//! domain's DMARC policy one step up the ladder `none` -> `quarantine` -> `quarantine pct=100`
//! -> `reject`?
//!
//! Computed from the aggregated DMARC findings alone (the kept reports and the daily
//! per-source rows), with the thresholds of [`crate::config::Thresholds`] (`readiness_*`):
//!
//! * **Coverage** (blocking): reports on at least `readiness_min_days` distinct UTC days from
//!   at least `readiness_min_reporters` reporters. Otherwise the status is
//!   [`Status::NotEnoughData`].
//! * **Our sources pass** (blocking): messages from our networks (source class `ours`) pass
//!   DMARC at `readiness_pass_pct` or more. No message from our networks, or a lower share,
//!   gives [`Status::NotReady`].
//! * **DKIM alignment of our sources** (blocking only for the step to `reject`): forwarding
//!   breaks SPF, so under `reject` only aligned DKIM keeps forwarded mail; below
//!   `readiness_pass_pct` it is a warning before, and blocking at, the step to `reject`.
//! * **Aligned third parties** (warning): sources outside our networks that pass DMARC are
//!   usually a service we forgot to list (an ESP); they pass either way, but belong in
//!   `[ours] networks`.
//! * **Reporter gap** (warning): the longest run of days without any report for the domain
//!   above `readiness_max_gap_days`.
//! * **Forwarders** and **unknown sources** (information): failing messages that a stricter
//!   policy would hit; the "impact" block counts what `p=reject` would have blocked, per class.
//!
//! The published policy is the one of the latest report (by end, then begin) for the domain
//! itself, or else for its closest parent domain, whose `sp` (or `p`) then applies. Reports
//! are matched to `header_from` domains by their policy domain (a report names no
//! `header_from` list of its own). Check messages hold numbers only (no IPs, no domain), so
//! redaction needs to touch only [`DomainReadiness::domain`] and the policy domains.
//!
//! DMARC results describe how receivers evaluated mail, not inbox placement.

use crate::sorted::{SortedMap, SortedSet};
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::aggregate::{DmarcFindings, ReportSummary};
use super::model::PolicyPublished;
use super::source_class::SourceClass;
use crate::config::Config;
use crate::date::Date;
use crate::postfix::aggregate::percent;
use crate::verdict::thousands;

/// The verdict on one domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every blocking check passes: the next step ([`DomainReadiness::next`]) is safe.
    Ready,
    /// Our own mail would suffer from the next step (a blocking check failed).
    NotReady,
    /// Too few days or reporters to judge.
    NotEnoughData,
    /// Already at `p=reject` for all messages (`pct` 100): nothing further to tighten.
    Enforced,
}

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckLevel {
    /// Met.
    Ok,
    /// Not met; blocks the next step.
    Fail,
    /// Worth a look; does not block.
    Warn,
    /// A fact for the reader.
    Info,
}

/// One readiness check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Stable id: `coverage`, `ours_pass`, `ours_dkim`, `aligned_third_party`,
    /// `reporter_gap`, `forwarders`, `external_failing`.
    pub id: String,
    /// Outcome.
    pub level: CheckLevel,
    /// One sentence with the numbers (no IPs or domains in it).
    pub message: String,
}

/// Messages of one source class for one domain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClassShare {
    /// Messages.
    pub messages: u64,
    /// Messages passing DMARC.
    pub passing: u64,
    /// Messages failing DMARC.
    pub failing: u64,
    /// Messages with aligned DKIM pass.
    pub dkim_aligned_pass: u64,
    /// `passing` of `messages`, percent (one decimal).
    pub pass_percent: f64,
    /// `dkim_aligned_pass` of `messages`, percent (one decimal).
    pub dkim_percent: f64,
}

impl ClassShare {
    #[inline]
    fn with_rates(mut self) -> Self {
        self.failing = self.messages - self.passing;
        self.pass_percent = percent(self.passing, self.messages);
        self.dkim_percent = percent(self.dkim_aligned_pass, self.messages);
        self
    }
}

/// Failing messages per class: what `p=reject` (at `pct` 100) would have blocked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impact {
    /// From unknown external sources (what the policy is for).
    pub external: u64,
    /// From our own networks (to investigate before enforcing).
    pub ours: u64,
    /// From forwarders and mailing lists (collateral, normal for forwarding).
    pub forwarder: u64,
}

/// A run of consecutive reports that saw the same `p` / `sp` / `pct`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySpan {
    /// Policy domain the reports named.
    pub domain: String,
    /// `p`, as reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<String>,
    /// `sp`, as reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sp: Option<String>,
    /// `pct`, as reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pct: Option<u8>,
    /// UTC date the first report of the run began.
    pub first: Date,
    /// UTC date the last report of the run began.
    pub last: Date,
    /// Reports in the run.
    pub reports: u64,
}

/// Readiness of one `header_from` domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainReadiness {
    /// `header_from` domain (lowercased).
    pub domain: String,
    /// True when the domain is listed in `[ours] domains`.
    pub listed: bool,
    /// The latest reported policy (see the module docs), if any report covers the domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyPublished>,
    /// The policy in force for this domain: `p`, or the parent's `sp` (else `p`) for a
    /// subdomain. `None` when no report covers the domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied: Option<String>,
    /// Share of messages the policy applies to (`pct`, 100 when absent).
    pub pct: u8,
    /// Published policies over time, oldest first (more than one: DNS changed).
    pub history: Vec<PolicySpan>,
    /// Distinct UTC days with reports for the domain.
    pub days: u64,
    /// Distinct reporters.
    pub reporters: u64,
    /// Longest run of days without a report between the first and the last day.
    pub max_gap_days: u64,
    /// Messages in all.
    pub messages: u64,
    /// Messages passing DMARC.
    pub passing: u64,
    /// `passing` of `messages`, percent (one decimal).
    pub pass_percent: f64,
    /// Messages from our networks.
    pub ours: ClassShare,
    /// Messages from forwarders.
    pub forwarder: ClassShare,
    /// Messages from anyone else.
    pub external: ClassShare,
    /// External source IPs with messages passing DMARC (aligned third parties).
    pub aligned_third_party_sources: u64,
    /// The verdict.
    pub status: Status,
    /// The verdict in words: `Ready for p=quarantine`, `Not ready for p=reject`, ...
    pub headline: String,
    /// The policy in force in words: `p=none`, `p=quarantine pct=25`, `not reported`.
    pub current: String,
    /// The next step on the ladder (`quarantine`, `quarantine pct=100`, `reject`,
    /// `reject pct=100`); `None` when enforced or no policy is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The checks behind the verdict, in a fixed order.
    pub checks: Vec<Check>,
    /// What `p=reject` would have blocked.
    pub impact: Impact,
}

/// Readiness of every `header_from` domain of `f` (sorted by domain; the empty domain is left
/// out), judged with `config.thresholds` and labelled with `config.ours.domains`.
#[inline]
pub fn assess(f: &DmarcFindings, config: &Config) -> Vec<DomainReadiness> {
    let listed: SortedSet<String> = config
        .ours
        .domains
        .iter()
        .map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase())
        .collect();
    f.by_domain
        .iter()
        .filter(|d| !d.domain.is_empty())
        .map(|d| one(f, &d.domain, listed.contains(&d.domain), config))
        .collect()
}

/// The reports whose policy governs `domain`: those for the domain itself, else those for the
/// closest parent domain. The flag says a parent's policy applies.
#[inline]
fn governing<'a>(reports: &'a [ReportSummary], domain: &str) -> (Vec<&'a ReportSummary>, bool) {
    let exact: Vec<&ReportSummary> = reports
        .iter()
        .filter(|r| r.policy_domain == domain)
        .collect();
    if !exact.is_empty() {
        return (exact, false);
    }
    let parent = reports
        .iter()
        .filter(|r| is_subdomain(domain, &r.policy_domain))
        .map(|r| r.policy_domain.len())
        .max();
    match parent {
        Some(len) => (
            reports
                .iter()
                .filter(|r| r.policy_domain.len() == len && is_subdomain(domain, &r.policy_domain))
                .collect(),
            true,
        ),
        None => (Vec::new(), false),
    }
}

/// True when `domain` is a proper subdomain of `parent` (`a.example.org` of `example.org`).
#[inline]
fn is_subdomain(domain: &str, parent: &str) -> bool {
    !parent.is_empty()
        && domain
            .strip_suffix(parent)
            .is_some_and(|head| head.len() > 1 && head.ends_with('.'))
}

#[inline]
fn history(reports: &[&ReportSummary]) -> Vec<PolicySpan> {
    let mut sorted = reports.to_vec();
    crate::sort::sort_by_key(&mut sorted, |r| (r.begin, r.end));
    let mut out: Vec<PolicySpan> = Vec::new();
    for r in sorted {
        let day = Date::from_unix(r.begin, 0);
        let p = &r.policy;
        match out.last_mut() {
            Some(s)
                if s.p == p.p && s.sp == p.sp && s.pct == p.pct && s.domain == r.policy_domain =>
            {
                s.last = day;
                s.reports += 1;
            }
            _ => out.push(PolicySpan {
                domain: r.policy_domain.clone(),
                p: p.p.clone(),
                sp: p.sp.clone(),
                pct: p.pct,
                first: day,
                last: day,
                reports: 1,
            }),
        }
    }
    out
}

/// The next step up from policy `applied` at `pct`.
#[inline]
fn next_step(applied: &str, pct: u8) -> Option<&'static str> {
    match (applied, pct >= 100) {
        ("reject", true) => None,
        ("reject", false) => Some("reject pct=100"),
        ("quarantine", true) => Some("reject"),
        ("quarantine", false) => Some("quarantine pct=100"),
        _ => Some("quarantine"),
    }
}

#[inline]
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

#[inline]
fn one(f: &DmarcFindings, domain: &str, listed: bool, config: &Config) -> DomainReadiness {
    let t = &config.thresholds;
    let (reports, via_parent) = governing(&f.reports, domain);
    let latest = reports.iter().max_by_key(|r| (r.end, r.begin)).copied();
    let policy = latest.map(|r| r.policy.clone());
    let applied = policy.as_ref().map(|p| {
        let v = if via_parent {
            p.sp.as_ref().or(p.p.as_ref())
        } else {
            p.p.as_ref()
        };
        v.map_or_else(|| "none".to_owned(), |s| s.to_ascii_lowercase())
    });
    let pct = policy.as_ref().and_then(|p| p.pct).unwrap_or(100).min(100);

    let mut by_class: SortedMap<SourceClass, ClassShare> = SortedMap::new();
    let mut dates: SortedSet<Date> = SortedSet::new();
    // Rows come in date order (`dates` grows at its end); reporters and IPs are collected
    // with repeats and counted after one sort (inserting them one by one into a sorted
    // vector is quadratic).
    let mut reporters: Vec<&str> = Vec::new();
    let mut aligned_external: Vec<IpAddr> = Vec::new();
    for r in f.by_source.iter().filter(|r| r.header_from == domain) {
        let c = by_class.entry(r.source_class).or_default();
        c.messages += r.messages;
        c.passing += r.passing;
        c.dkim_aligned_pass += r.dkim_aligned_pass;
        if r.source_class == SourceClass::External && r.passing > 0 {
            aligned_external.push(r.source_ip);
        }
        dates.insert(r.date);
        reporters.extend(r.reporters.iter().map(String::as_str));
    }
    let mut class = |c: SourceClass| by_class.remove(&c).unwrap_or_default().with_rates();
    let ours = class(SourceClass::Ours);
    let forwarder = class(SourceClass::Forwarder);
    let external = class(SourceClass::External);
    let messages = ours.messages + forwarder.messages + external.messages;
    let passing = ours.passing + forwarder.passing + external.passing;
    let max_gap_days = dates
        .iter()
        .zip(dates.iter().skip(1))
        .map(|(a, b)| (b.days_since_epoch() - a.days_since_epoch() - 1).max(0) as u64)
        .max()
        .unwrap_or(0);
    let days = dates.len() as u64;
    let reporter_count = reporters.into_iter().collect::<SortedSet<_>>().len() as u64;
    let next = applied.as_deref().and_then(|a| next_step(a, pct));
    let to_reject = next.is_some_and(|n| n.starts_with("reject"));

    let mut checks = Vec::new();
    let coverage_ok =
        days >= u64::from(t.readiness_min_days) && reporter_count >= t.readiness_min_reporters;
    checks.push(Check {
        id: "coverage".to_owned(),
        level: if coverage_ok {
            CheckLevel::Ok
        } else {
            CheckLevel::Fail
        },
        message: format!(
            "{} of reports from {} (need at least {} days and {} reporters).",
            plural(days, "day", "days"),
            plural(reporter_count, "reporter", "reporters"),
            t.readiness_min_days,
            t.readiness_min_reporters
        ),
    });
    let ours_ok = ours.messages > 0 && ours.pass_percent >= t.readiness_pass_pct;
    checks.push(Check {
        id: "ours_pass".to_owned(),
        level: if ours_ok {
            CheckLevel::Ok
        } else {
            CheckLevel::Fail
        },
        message: if ours.messages == 0 {
            "No messages from our networks in the reports: list them under [ours] networks."
                .to_owned()
        } else {
            format!(
                "Our sources: {:.1} % pass DMARC ({} of {} messages; need at least {:.1} %).",
                ours.pass_percent,
                thousands(ours.passing),
                thousands(ours.messages),
                t.readiness_pass_pct
            )
        },
    });
    let dkim_ok = ours.messages > 0 && ours.dkim_percent >= t.readiness_pass_pct;
    if ours.messages > 0 {
        checks.push(Check {
            id: "ours_dkim".to_owned(),
            level: match (dkim_ok, to_reject) {
                (true, _) => CheckLevel::Ok,
                (false, true) => CheckLevel::Fail,
                (false, false) => CheckLevel::Warn,
            },
            message: format!(
                "Our sources: {:.1} % DKIM aligned ({} of {}); only aligned DKIM survives forwarding under reject (need at least {:.1} % before reject).",
                ours.dkim_percent,
                thousands(ours.dkim_aligned_pass),
                thousands(ours.messages),
                t.readiness_pass_pct
            ),
        });
    }
    let third = aligned_external.into_iter().collect::<SortedSet<_>>().len() as u64;
    checks.push(Check {
        id: "aligned_third_party".to_owned(),
        level: if third == 0 {
            CheckLevel::Ok
        } else {
            CheckLevel::Warn
        },
        message: if third == 0 {
            "No source outside our networks passes DMARC.".to_owned()
        } else {
            format!(
                "{} outside our networks {} DMARC with {} messages: a service to add to [ours] networks?",
                plural(third, "source", "sources"),
                if third == 1 { "passes" } else { "pass" },
                thousands(external.passing)
            )
        },
    });
    checks.push(Check {
        id: "reporter_gap".to_owned(),
        level: if max_gap_days > u64::from(t.readiness_max_gap_days) {
            CheckLevel::Warn
        } else {
            CheckLevel::Ok
        },
        message: format!(
            "Longest gap without reports: {} (at most {} expected).",
            plural(max_gap_days, "day", "days"),
            t.readiness_max_gap_days
        ),
    });
    checks.push(Check {
        id: "forwarders".to_owned(),
        level: CheckLevel::Info,
        message: format!(
            "Forwarders: {} of {} messages fail DMARC and would be hit by reject (collateral; normal for forwarding).",
            thousands(forwarder.failing),
            thousands(forwarder.messages)
        ),
    });
    checks.push(Check {
        id: "external_failing".to_owned(),
        level: CheckLevel::Info,
        message: format!(
            "Unknown sources: {} failing messages, what a stricter policy is meant to stop.",
            thousands(external.failing)
        ),
    });

    let status = if applied.is_some() && next.is_none() {
        Status::Enforced
    } else if !coverage_ok || applied.is_none() {
        Status::NotEnoughData
    } else if !ours_ok || (to_reject && !dkim_ok) {
        Status::NotReady
    } else {
        Status::Ready
    };
    let mut r = DomainReadiness {
        domain: domain.to_owned(),
        listed,
        policy,
        applied,
        pct,
        history: history(&reports),
        days,
        reporters: reporter_count,
        max_gap_days,
        messages,
        passing,
        pass_percent: percent(passing, messages),
        impact: Impact {
            external: external.failing,
            ours: ours.failing,
            forwarder: forwarder.failing,
        },
        ours,
        forwarder,
        external,
        aligned_third_party_sources: third,
        status,
        headline: String::new(),
        current: String::new(),
        next: next.map(str::to_owned),
        checks,
    };
    r.headline = headline(&r);
    r.current = policy_text(&r);
    r
}

/// A short human phrase for a status (`Ready for p=quarantine`, `Not ready`, ...).
#[inline]
fn headline(r: &DomainReadiness) -> String {
    match (r.status, r.next.as_deref()) {
        (Status::Enforced, _) if r.ours.messages > 0 && r.ours.failing > 0 => format!(
            "Enforced: p=reject for all messages; {} of our messages fail DMARC (investigate)",
            thousands(r.ours.failing)
        ),
        (Status::Enforced, _) => "Enforced: p=reject for all messages".to_owned(),
        (Status::Ready, Some(n)) => format!("Ready for p={n}"),
        (Status::Ready, None) => "Ready".to_owned(),
        (Status::NotReady, Some(n)) => format!("Not ready for p={n}"),
        (Status::NotReady, None) => "Not ready".to_owned(),
        (Status::NotEnoughData, _) if r.applied.is_none() => {
            "Not enough data: no report names a policy for this domain".to_owned()
        }
        (Status::NotEnoughData, _) => "Not enough data to judge".to_owned(),
    }
}

/// The policy in force as text: `p=none`, `p=quarantine pct=25`, `sp=reject (parent)`, or
/// `not reported`.
#[inline]
fn policy_text(r: &DomainReadiness) -> String {
    match &r.applied {
        None => "not reported".to_owned(),
        Some(a) if r.pct < 100 => format!("p={a} pct={}", r.pct),
        Some(a) => format!("p={a}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dmarc::aggregate::{Dispositions, DomainSummary, SourceDay};

    fn report(domain: &str, p: &str, pct: Option<u8>, day: i64) -> ReportSummary {
        let begin = 1_795_132_800 + day * 86_400;
        ReportSummary {
            org_name: format!("r{}", day % 3),
            org_name_raw: String::new(),
            report_id: format!("id{day}"),
            report_id_raw: String::new(),
            email: String::new(),
            policy_domain: domain.to_owned(),
            policy: PolicyPublished {
                domain: domain.to_owned(),
                p: Some(p.to_owned()),
                pct,
                ..PolicyPublished::default()
            },
            begin,
            end: begin + 86_399,
            date_begin: String::new(),
            date_end: String::new(),
            prorated: false,
            records: 1,
            skipped_records: 0,
            messages: 0,
            passing: 0,
            failing: 0,
            warnings: Vec::new(),
            input: String::new(),
            member: None,
        }
    }

    fn row(day: i64, ip: &str, class: SourceClass, messages: u64, passing: u64) -> SourceDay {
        SourceDay {
            date: Date::from_unix(1_795_132_800 + day * 86_400, 0),
            source_ip: ip.parse().unwrap(),
            header_from: "example.org".to_owned(),
            source_class: class,
            class_basis: String::new(),
            ptr: None,
            messages,
            passing,
            failing: messages - passing,
            dkim_aligned_pass: passing,
            spf_aligned_pass: passing,
            dkim_auth_pass: passing,
            spf_auth_pass: passing,
            dispositions: Dispositions::default(),
            override_reasons: SortedMap::new(),
            reporters: vec![format!("r{}", day % 3)],
            prorated: false,
        }
    }

    /// `days` days of reports at policy `p`, our IP passing `ours_pass` of 1000 per day,
    /// 10 failing forwarded and 50 failing external messages per day.
    fn findings(days: i64, p: &str, ours_pass: u64) -> DmarcFindings {
        let mut f = DmarcFindings::default();
        for d in 0..days {
            f.reports.push(report("example.org", p, None, d));
            f.by_source
                .push(row(d, "203.0.113.5", SourceClass::Ours, 1000, ours_pass));
            f.by_source
                .push(row(d, "192.0.2.9", SourceClass::Forwarder, 10, 0));
            f.by_source
                .push(row(d, "198.51.100.7", SourceClass::External, 50, 0));
        }
        f.by_domain.push(DomainSummary {
            domain: "example.org".to_owned(),
            reports: days as u64,
            messages: 0,
            passing: 0,
            failing: 0,
            policies: Vec::new(),
        });
        f
    }

    fn config() -> Config {
        let mut c = Config::default();
        c.ours.domains = vec!["Example.org".to_owned()];
        c
    }

    #[test]
    fn healthy_domain_at_none_is_ready_for_quarantine() {
        let r = &assess(&findings(20, "none", 1000), &config())[0];
        assert_eq!(r.status, Status::Ready, "{r:#?}");
        assert_eq!(r.next.as_deref(), Some("quarantine"));
        assert_eq!(r.headline, "Ready for p=quarantine");
        assert!(r.listed);
        assert_eq!((r.days, r.reporters, r.max_gap_days), (20, 3, 0));
        assert_eq!(
            r.impact,
            Impact {
                external: 1000,
                ours: 0,
                forwarder: 200
            }
        );
        assert!((r.ours.pass_percent - 100.0).abs() < 1e-9);
        assert_eq!(r.history.len(), 1);
    }

    #[test]
    fn few_days_are_not_enough_data() {
        let r = &assess(&findings(5, "none", 1000), &config())[0];
        assert_eq!(r.status, Status::NotEnoughData);
        assert_eq!(r.checks[0].level, CheckLevel::Fail);
        assert!(
            r.checks[0]
                .message
                .starts_with("5 days of reports from 3 reporters")
        );
    }

    #[test]
    fn our_failing_mail_blocks_the_next_step() {
        // 990 of 1000 = 99.0 % < 99.5 %.
        let r = &assess(&findings(20, "quarantine", 990), &config())[0];
        assert_eq!(r.status, Status::NotReady);
        assert_eq!(r.next.as_deref(), Some("reject"));
        assert_eq!(r.impact.ours, 200);
        let ours = r.checks.iter().find(|c| c.id == "ours_pass").unwrap();
        assert_eq!(ours.level, CheckLevel::Fail);
    }

    #[test]
    fn reject_at_full_pct_is_enforced_and_pct_is_a_step() {
        let r = &assess(&findings(20, "reject", 1000), &config())[0];
        assert_eq!(r.status, Status::Enforced);
        assert_eq!(r.next, None);
        assert_eq!(r.headline, "Enforced: p=reject for all messages");
        let r = &assess(&findings(20, "reject", 999), &config())[0];
        assert_eq!(
            r.headline,
            "Enforced: p=reject for all messages; 20 of our messages fail DMARC (investigate)"
        );
        let mut f = findings(20, "quarantine", 1000);
        for rep in &mut f.reports {
            rep.policy.pct = Some(25);
        }
        let r = &assess(&f, &config())[0];
        assert_eq!((r.pct, r.next.as_deref()), (25, Some("quarantine pct=100")));
        assert_eq!(r.current, "p=quarantine pct=25");
    }

    #[test]
    fn policy_changes_are_listed_and_the_latest_applies() {
        let mut f = findings(20, "none", 1000);
        for rep in f.reports.iter_mut().skip(10) {
            rep.policy.p = Some("quarantine".to_owned());
        }
        let r = &assess(&f, &config())[0];
        assert_eq!(r.applied.as_deref(), Some("quarantine"));
        let runs: Vec<(Option<&str>, u64)> = r
            .history
            .iter()
            .map(|s| (s.p.as_deref(), s.reports))
            .collect();
        assert_eq!(runs, [(Some("none"), 10), (Some("quarantine"), 10)]);
    }

    #[test]
    fn a_subdomain_takes_the_parent_sp_and_gaps_and_third_parties_warn() {
        let mut f = findings(20, "reject", 1000);
        for rep in &mut f.reports {
            rep.policy.sp = Some("none".to_owned());
        }
        for r in &mut f.by_source {
            "news.example.org".clone_into(&mut r.header_from);
        }
        f.by_source
            .retain(|r| r.date != Date::from_unix(1_795_132_800 + 5 * 86_400, 0));
        f.by_source
            .retain(|r| r.date != Date::from_unix(1_795_132_800 + 6 * 86_400, 0));
        f.by_source
            .retain(|r| r.date != Date::from_unix(1_795_132_800 + 7 * 86_400, 0));
        f.by_source
            .push(row(1, "198.51.100.99", SourceClass::External, 30, 30));
        if let Some(r) = f.by_source.last_mut() {
            "news.example.org".clone_into(&mut r.header_from);
        }
        "news.example.org".clone_into(&mut f.by_domain[0].domain);
        let r = &assess(&f, &config())[0];
        assert_eq!(r.applied.as_deref(), Some("none"), "sp of the parent");
        assert!(!r.listed);
        assert_eq!(r.max_gap_days, 3);
        let level = |id: &str| r.checks.iter().find(|c| c.id == id).unwrap().level;
        assert_eq!(level("reporter_gap"), CheckLevel::Warn);
        assert_eq!(level("aligned_third_party"), CheckLevel::Warn);
        assert_eq!(r.aligned_third_party_sources, 1);
        assert_eq!(r.status, Status::Ready);
    }

    #[test]
    fn subdomains_need_a_dot_boundary() {
        assert!(is_subdomain("news.example.org", "example.org"));
        assert!(!is_subdomain("badexample.org", "example.org"));
        assert!(!is_subdomain("example.org", "example.org"));
        assert!(!is_subdomain("example.org", ""));
    }

    #[test]
    fn no_report_for_the_domain_is_not_enough_data() {
        let mut f = findings(20, "none", 1000);
        f.reports.clear();
        let r = &assess(&f, &config())[0];
        assert_eq!(
            (r.status, r.applied.as_deref()),
            (Status::NotEnoughData, None)
        );
        assert_eq!(r.current, "not reported");
    }
}
