//! Verdicts: the alert rules of DESIGN §6 over the aggregates, silent when healthy.
//!
//! Thresholds come from [`crate::config::Thresholds`]; the defaults are the seed scripts'
//! (`mail_reputation_monitor.py`: at least 10 % reputation rejects or Microsoft at least 70 %
//! throttled, at 100 attempts or more; `dmarc_report_parser.py`: our IP under 95 % pass at 20
//! messages or more, an unknown non-forwarder IP with 100 failing messages or more).

use crate::sorted::SortedMap;

use serde::{Deserialize, Serialize};

use crate::config::Thresholds;
use crate::date::Date;
use crate::postfix::Outcome;
use crate::postfix::aggregate::{DailyRow, DeliveryFindings, percent};

/// How urgent a verdict is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Mail is being lost or authentication is broken: act today.
    Critical,
    /// Degraded: watch or act soon.
    Warning,
    /// Informational.
    Info,
}

impl Severity {
    /// The four-letter tag of text outputs: `CRIT`, `WARN` or `INFO` (the CLI's text report,
    /// its notifications and the page's Markdown summary).
    #[inline]
    pub fn tag(self) -> &'static str {
        match self {
            Severity::Critical => "CRIT",
            Severity::Warning => "WARN",
            Severity::Info => "INFO",
        }
    }
}

/// What a verdict is about. Absent fields do not apply.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Subject {
    /// Calendar date judged (delivery rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// Mailbox provider id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Our sending IP (delivery rules, per-IP variant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sending_ip: Option<String>,
    /// DMARC source IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// header_from domain(s), comma separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

/// The numbers behind a verdict.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Numbers {
    /// Attempts or messages that triggered the rule.
    pub count: u64,
    /// Attempts or messages considered.
    pub total: u64,
    /// `count / total` in percent (one decimal), or the drop in points for regressions.
    pub percent: f64,
    /// The threshold that was crossed (percent, points or messages).
    pub threshold: f64,
}

/// The result of one alert rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// Stable rule id: `delivery.reputation_rejects`, `delivery.throttled`,
    /// `delivery.auth_rejects`, `delivery.regression`, `dmarc.own_alignment`, `dmarc.spoofing`.
    pub id: String,
    /// Severity.
    pub severity: Severity,
    /// What it is about.
    pub subject: Subject,
    /// One-line message with the numbers ("78.0 % throttled: 1,204 of 1,544 attempts").
    pub message: String,
    /// The numbers behind it.
    pub numbers: Numbers,
    /// Reply texts or reason codes behind it (most frequent first, at most 3).
    pub evidence: Vec<String>,
}

/// Formats an integer with thousands separators (`1,204`).
#[inline]
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[derive(Default)]
struct Cell<'a> {
    attempts: u64,
    by_outcome: [u64; 8],
    /// (attempts, reason_code, sample) per outcome, for evidence.
    evidence: SortedMap<Outcome, Vec<(u64, &'a str, &'a str)>>,
}

impl<'a> Cell<'a> {
    #[inline]
    fn add(&mut self, r: &'a DailyRow) {
        self.attempts += r.attempts;
        self.by_outcome[r.outcome.index()] += r.attempts;
        let ev = self.evidence.entry(r.outcome).or_default();
        if let Some(e) = ev.iter_mut().find(|e| e.1 == r.reason_code) {
            e.0 += r.attempts;
        } else {
            ev.push((r.attempts, &r.reason_code, &r.sample_reply));
        }
    }

    #[inline]
    fn evidence(&self, outcome: Outcome) -> Vec<String> {
        let mut ev = self.evidence.get(&outcome).cloned().unwrap_or_default();
        crate::sort::sort_by(&mut ev, |a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        ev.iter()
            .take(3)
            .map(|(n, code, sample)| {
                let code = if code.is_empty() { "-" } else { code };
                format!("{}x {code}: {sample}", thousands(*n))
            })
            .collect()
    }
}

/// Delivery rules over the daily rows: per (date, provider) overall and per sending IP.
#[inline]
pub fn delivery_verdicts(delivery: &DeliveryFindings, t: &Thresholds) -> Vec<Verdict> {
    let mut overall: SortedMap<(Date, &str), Cell<'_>> = SortedMap::new();
    // The rows come in date order and providers are the classifier's few ids: `overall`
    // grows at its end. Sending IPs come from the log, in any number: `per_ip` is built in
    // bulk (one sort; inserting them one by one into a sorted vector is quadratic).
    for r in &delivery.daily {
        overall.entry((r.date, &r.provider)).or_default().add(r);
    }
    let per_ip: SortedMap<(Date, &str, &str), Cell<'_>> = SortedMap::fold_runs(
        delivery
            .daily
            .iter()
            .map(|r| ((r.date, r.provider.as_str(), r.sending_ip.as_str()), r))
            .collect(),
        Cell::add,
    );
    let several_ips = per_ip
        .keys()
        .map(|k| k.2)
        .collect::<crate::sorted::SortedSet<_>>()
        .len()
        > 1;
    let mut out = Vec::new();
    let mut judge = |date: Date, provider: &str, ip: Option<&str>, cell: &Cell<'_>| {
        let subject = Subject {
            date: Some(date),
            provider: Some(provider.to_owned()),
            sending_ip: ip.map(str::to_owned),
            ..Subject::default()
        };
        let whre = match ip {
            Some("") => " from an unknown sending IP".to_owned(),
            Some(ip) => format!(" from {ip}"),
            None => String::new(),
        };
        let label = delivery.provider_name(provider);
        let mut rule = |id: &str,
                        severity,
                        outcome: Outcome,
                        min: u64,
                        pct_limit: f64,
                        what: &str,
                        hint: &str| {
            let n = cell.by_outcome[outcome.index()];
            let pct = percent(n, cell.attempts);
            if cell.attempts >= min && pct >= pct_limit {
                out.push(Verdict {
                    id: id.to_owned(),
                    severity,
                    subject: subject.clone(),
                    message: format!(
                        "{label}{whre} on {date}: {pct:.1} % {what} ({} of {} attempts){hint}",
                        thousands(n),
                        thousands(cell.attempts)
                    ),
                    numbers: Numbers {
                        count: n,
                        total: cell.attempts,
                        percent: pct,
                        threshold: pct_limit,
                    },
                    evidence: cell.evidence(outcome),
                });
            }
        };
        rule(
            "delivery.reputation_rejects",
            Severity::Critical,
            Outcome::RejectReputation,
            t.reputation_min_attempts,
            t.reputation_reject_pct,
            "rejected for reputation",
            " - check block lists and the provider's sender portal",
        );
        if let Some(limit) = t
            .throttled_pct
            .get(provider)
            .copied()
            .or(t.throttled_default_pct)
        {
            rule(
                "delivery.throttled",
                Severity::Warning,
                Outcome::Throttled,
                t.throttled_min_attempts,
                limit,
                "throttled",
                " - the provider is rate-limiting this IP",
            );
        }
        rule(
            "delivery.auth_rejects",
            Severity::Critical,
            Outcome::RejectAuth,
            t.auth_min_attempts,
            t.auth_reject_pct,
            "rejected for authentication",
            " - check SPF, DKIM, DMARC and reverse DNS",
        );
    };
    for (&(date, provider), cell) in &overall {
        judge(date, provider, None, cell);
    }
    if several_ips {
        for (&(date, provider, ip), cell) in &per_ip {
            judge(date, provider, Some(ip), cell);
        }
    }
    out.extend(regressions(&overall, delivery, t));
    out
}

#[inline]
fn regressions(
    overall: &SortedMap<(Date, &str), Cell<'_>>,
    delivery: &DeliveryFindings,
    t: &Thresholds,
) -> Vec<Verdict> {
    let mut by_provider: SortedMap<&str, Vec<(Date, u64, u64)>> = SortedMap::new();
    for (&(date, provider), cell) in overall {
        by_provider.entry(provider).or_default().push((
            date,
            cell.by_outcome[Outcome::Accepted.index()],
            cell.attempts,
        ));
    }
    let mut out = Vec::new();
    for (provider, days) in by_provider {
        for (i, &(date, accepted, attempts)) in days.iter().enumerate() {
            if attempts < t.regression_min_attempts {
                continue;
            }
            let window_start = date.add_days(-i64::from(t.regression_window_days));
            let mut trailing: Vec<f64> = days[..i]
                .iter()
                .filter(|d| d.0 >= window_start && d.2 >= t.regression_min_attempts)
                .map(|d| percent(d.1, d.2))
                .collect();
            if trailing.len() < 2 {
                continue;
            }
            crate::sort::sort_by(&mut trailing, f64::total_cmp);
            let n = trailing.len();
            let median = if n % 2 == 1 {
                trailing[n / 2]
            } else {
                f64::midpoint(trailing[n / 2 - 1], trailing[n / 2])
            };
            let today = percent(accepted, attempts);
            let drop = ((median - today) * 10.0).round() / 10.0;
            if drop >= t.regression_drop_points {
                out.push(Verdict {
                    id: "delivery.regression".to_owned(),
                    severity: Severity::Warning,
                    subject: Subject {
                        date: Some(date),
                        provider: Some(provider.to_owned()),
                        ..Subject::default()
                    },
                    message: format!(
                        "{} on {date}: accepted {today:.1} % ({} of {} attempts), {drop:.1} points below the trailing median of {median:.1} % over {n} days",
                        delivery.provider_name(provider),
                        thousands(accepted),
                        thousands(attempts)
                    ),
                    numbers: Numbers {
                        count: accepted,
                        total: attempts,
                        percent: drop,
                        threshold: t.regression_drop_points,
                    },
                    evidence: Vec::new(),
                });
            }
        }
    }
    out
}

/// Sorts verdicts: most severe first, then by id and subject.
#[inline]
pub fn sort(verdicts: &mut [Verdict]) {
    crate::sort::sort_by(verdicts, |a, b| {
        (a.severity, &a.id, &a.subject)
            .cmp(&(b.severity, &b.id, &b.subject))
            .then_with(|| a.message.cmp(&b.message))
    });
}

/// Per source IP, over every day of the analysed reports.
#[derive(Default)]
struct SourceTotal<'a> {
    messages: u64,
    passing: u64,
    failing: u64,
    /// Failing messages in rows classed external.
    external_failing: u64,
    ours: bool,
    ptr: Option<&'a str>,
    /// With repeats until the end of [`dmarc_verdicts`]' fold (then sorted, one sort).
    domains: Vec<&'a str>,
    reporters: Vec<&'a str>,
    dkim_aligned_pass: u64,
    spf_aligned_pass: u64,
    rejected: u64,
    quarantined: u64,
}

/// DMARC rules (`dmarc.own_alignment`, `dmarc.spoofing`) over the per-source rows, summed
/// per source IP across the days of the analysed reports (the seed's 7-day digest, when the
/// reports cover a week). "Pass" is DMARC pass per RFC 7489 §3: aligned DKIM pass or aligned
/// SPF pass in `policy_evaluated`.
#[inline]
pub fn dmarc_verdicts<'a>(dmarc: &'a crate::dmarc::DmarcFindings, t: &Thresholds) -> Vec<Verdict> {
    use crate::dmarc::SourceClass;
    // Source IPs come from the reports, in any number: the map is built in bulk (one sort;
    // inserting them one by one into a sorted vector is quadratic).
    let add = |s: &mut SourceTotal<'a>, r: &'a crate::dmarc::SourceDay| {
        s.messages += r.messages;
        s.passing += r.passing;
        s.failing += r.failing;
        s.dkim_aligned_pass += r.dkim_aligned_pass;
        s.spf_aligned_pass += r.spf_aligned_pass;
        s.rejected += r.dispositions.reject;
        s.quarantined += r.dispositions.quarantine;
        if r.source_class == SourceClass::External {
            s.external_failing += r.failing;
        }
        s.ours |= r.source_class == SourceClass::Ours;
        if s.ptr.is_none() {
            s.ptr = r.ptr.as_deref();
        }
        s.domains.push(&r.header_from);
        s.reporters.extend(r.reporters.iter().map(String::as_str));
    };
    let per_ip: SortedMap<std::net::IpAddr, SourceTotal<'_>> = SortedMap::fold_runs(
        dmarc.by_source.iter().map(|r| (r.source_ip, r)).collect(),
        add,
    );
    let distinct = |v: Vec<&'a str>| -> Vec<&'a str> {
        let set: crate::sorted::SortedSet<&str> = v.into_iter().collect();
        set.into_iter().collect()
    };
    let mut out = Vec::new();
    for (ip, mut s) in per_ip {
        s.domains = distinct(s.domains);
        s.reporters = distinct(s.reporters);
        let domains = s.domains.join(", ");
        let subject = Subject {
            source_ip: Some(ip.to_string()),
            domain: Some(domains.clone()),
            ..Subject::default()
        };
        let reporters = s.reporters.len();
        let evidence = vec![
            format!(
                "aligned DKIM pass {} of {}, aligned SPF pass {} of {}",
                thousands(s.dkim_aligned_pass),
                thousands(s.messages),
                thousands(s.spf_aligned_pass),
                thousands(s.messages)
            ),
            format!(
                "disposition: {} rejected, {} quarantined; reported by {}",
                thousands(s.rejected),
                thousands(s.quarantined),
                s.reporters.join(", ")
            ),
        ];
        let pass_pct = percent(s.passing, s.messages);
        if s.ours
            && s.messages >= t.own_alignment_min_messages
            && pass_pct < t.own_alignment_pass_pct
        {
            out.push(Verdict {
                id: "dmarc.own_alignment".to_owned(),
                severity: Severity::Critical,
                subject: subject.clone(),
                message: format!(
                    "{ip} (ours) passes DMARC for only {pass_pct:.1} % of messages ({} of {}; {} failing) for {domains} - alignment is broken: check DKIM signing and SPF for this IP",
                    thousands(s.passing),
                    thousands(s.messages),
                    thousands(s.failing)
                ),
                numbers: Numbers {
                    count: s.passing,
                    total: s.messages,
                    percent: pass_pct,
                    threshold: t.own_alignment_pass_pct,
                },
                evidence: evidence.clone(),
            });
        }
        if !s.ours && s.external_failing >= t.spoofing_min_failing {
            out.push(Verdict {
                id: "dmarc.spoofing".to_owned(),
                severity: Severity::Warning,
                subject,
                message: format!(
                    "{ip} (external, PTR {}): {} messages failing DMARC for {domains}, seen by {reporters} reporter{} - possible spoofing or a forgotten sender",
                    s.ptr.unwrap_or("unknown"),
                    thousands(s.external_failing),
                    if reporters == 1 { "" } else { "s" }
                ),
                numbers: Numbers {
                    count: s.external_failing,
                    total: s.messages,
                    percent: percent(s.external_failing, s.messages),
                    threshold: t.spoofing_min_failing as f64,
                },
                evidence,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(date: &str, provider: &str, ip: &str, outcome: Outcome, attempts: u64) -> DailyRow {
        DailyRow {
            date: Date::parse(date).unwrap(),
            host: "mx".into(),
            sending_ip: ip.into(),
            provider: provider.into(),
            outcome,
            reason_code: String::new(),
            attempts,
            final_: 0,
            sample_reply: "451 4.7.500 Server busy".into(),
        }
    }

    #[test]
    fn seed_thresholds_fire_and_stay_silent() {
        let t = Thresholds::default();
        let mut d = DeliveryFindings {
            daily: vec![
                row(
                    "2026-11-20",
                    "microsoft",
                    "203.0.113.94",
                    Outcome::Throttled,
                    70,
                ),
                row(
                    "2026-11-20",
                    "microsoft",
                    "203.0.113.94",
                    Outcome::Accepted,
                    30,
                ),
                row(
                    "2026-11-20",
                    "google",
                    "203.0.113.94",
                    Outcome::RejectReputation,
                    9,
                ),
                row(
                    "2026-11-20",
                    "google",
                    "203.0.113.94",
                    Outcome::Accepted,
                    91,
                ),
            ],
            ..DeliveryFindings::default()
        };
        let v = delivery_verdicts(&d, &t);
        assert_eq!(v.len(), 1, "{v:#?}");
        assert_eq!(v[0].id, "delivery.throttled");
        assert!(
            v[0].message
                .contains("70.0 % throttled (70 of 100 attempts)"),
            "{}",
            v[0].message
        );
        d.daily[0].attempts = 69;
        d.daily[1].attempts = 31;
        assert!(delivery_verdicts(&d, &t).is_empty());
    }

    #[test]
    fn regression_against_trailing_median() {
        let t = Thresholds::default();
        let mut d = DeliveryFindings::default();
        for (day, acc) in [
            ("2026-11-17", 95),
            ("2026-11-18", 97),
            ("2026-11-19", 96),
            ("2026-11-20", 70),
        ] {
            d.daily.push(row(day, "yahoo", "", Outcome::Accepted, acc));
            d.daily
                .push(row(day, "yahoo", "", Outcome::DeferredOther, 100 - acc));
        }
        let v = delivery_verdicts(&d, &t);
        assert_eq!(v.len(), 1, "{v:#?}");
        assert_eq!(v[0].id, "delivery.regression");
        assert!((v[0].numbers.percent - 26.0).abs() < 1e-9);
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(1_544), "1,544");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
