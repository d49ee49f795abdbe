//! `--format text`: the human report, problems first (research/ux.md §4.1).
//!
//! Every string that came from a log or report goes through [`clean`]: control characters
//! (terminal escape sequences included) are replaced, so a hostile reply cannot drive the
//! terminal.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use mailrep_core::findings::InputSummary;
use mailrep_core::input::InputKind;
use mailrep_core::postfix::Outcome;
use mailrep_core::verdict::thousands;
use mailrep_core::{Findings, Level, Severity};

use super::table::Table;

/// Replaces control characters with `?` and caps the length at `max` characters (adding `…`).
pub(crate) fn clean(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max + 3));
    for (i, c) in s.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        out.push(if c.is_control() { '?' } else { c });
    }
    out
}

fn pct(p: f64) -> String {
    format!("{p:.1}%")
}

/// Renders the report.
pub(crate) fn render(f: &Findings, detail: usize) -> String {
    let mut out = String::new();
    header(&mut out, f);
    verdicts(&mut out, f);
    providers(&mut out, f);
    sending_ips(&mut out, f);
    per_day(&mut out, f);
    replies(&mut out, f, detail);
    dmarc(&mut out, f, detail);
    quality(&mut out, f, detail);
    out
}

fn header(out: &mut String, f: &Findings) {
    let s = &f.delivery.stats;
    let range = match (s.first_date, s.last_date) {
        (Some(a), Some(b)) if a == b => format!(" · {a}"),
        (Some(a), Some(b)) => format!(" · {a}..{b}"),
        _ => String::new(),
    };
    let _ = writeln!(out, "mailrep report{range}");
    const SHOWN: usize = 8;
    for (i, input) in f.inputs.iter().take(SHOWN).enumerate() {
        let label = if i == 0 { "Inputs" } else { "" };
        let _ = writeln!(out, "{label:<9} {}", describe_input(input));
    }
    if f.inputs.len() > SHOWN {
        let rest = &f.inputs[SHOWN..];
        let count = |k: &[InputKind]| rest.iter().filter(|i| k.contains(&i.kind)).count();
        let _ = writeln!(
            out,
            "          … and {} more: {} logs, {} report files, {} not recognised (see --format json)",
            rest.len(),
            count(&[InputKind::PostfixLog, InputKind::PostfixLogGzip]),
            count(&[InputKind::Reports]),
            count(&[InputKind::Unknown])
        );
    }
    out.push('\n');
}

fn describe_input(i: &InputSummary) -> String {
    let name = clean(&i.name, 80);
    match (&i.log, &i.reports) {
        (Some(l), _) => format!(
            "{name} ({}, {} lines, {} delivery attempts, {} unparsed)",
            if i.kind == InputKind::PostfixLogGzip {
                "postfix log, gzip"
            } else {
                "postfix log"
            },
            thousands(l.lines),
            thousands(l.attempts),
            thousands(l.unparsed)
        ),
        (None, Some(r)) => {
            let mut parts = vec![format!("{} aggregate", r.aggregate)];
            if r.failure > 0 {
                parts.push(format!("{} failure", r.failure));
            }
            if r.smtp_tls > 0 {
                parts.push(format!("{} TLS", r.smtp_tls));
            }
            if r.errors > 0 {
                parts.push(format!("{} unreadable", r.errors));
            }
            format!("{name} (reports: {})", parts.join(", "))
        }
        (None, None) => format!(
            "{name} ({})",
            match i.kind {
                InputKind::PostfixConfig => "postfix configuration",
                _ => "not recognised",
            }
        ),
    }
}

fn verdicts(out: &mut String, f: &Findings) {
    let crit = f
        .verdicts
        .iter()
        .filter(|v| v.severity == Severity::Critical)
        .count();
    let warn = f
        .verdicts
        .iter()
        .filter(|v| v.severity == Severity::Warning)
        .count();
    let _ = writeln!(out, "VERDICTS ({crit} critical, {warn} warning)");
    if f.verdicts.is_empty() {
        let _ = writeln!(
            out,
            "OK    no verdict: every provider and DMARC source within thresholds"
        );
    }
    for v in &f.verdicts {
        let tag = v.severity.tag();
        let _ = writeln!(out, "{tag}  {}", clean(&v.message, 300));
        for e in &v.evidence {
            let _ = writeln!(out, "      {}", clean(e, 200));
        }
    }
    out.push('\n');
}

fn outcome_cells(outcomes: &mailrep_core::sorted::SortedMap<Outcome, f64>) -> Vec<String> {
    Outcome::ALL
        .iter()
        .map(|o| pct(outcomes.get(o).copied().unwrap_or(0.0)))
        .collect()
}

const OUTCOME_HEADER: [&str; 8] = [
    "accepted",
    "throttled",
    "deferred",
    "rep.rej",
    "content",
    "rcpt.rej",
    "auth.rej",
    "other.rej",
];

fn providers(out: &mut String, f: &Findings) {
    if f.delivery.provider_totals.is_empty() {
        return;
    }
    let _ = writeln!(out, "OUTCOMES BY PROVIDER (delivery attempts; % of row)");
    let mut header = vec!["provider", "attempts"];
    header.extend(OUTCOME_HEADER);
    let mut t = Table::new(&header, 1);
    for p in &f.delivery.provider_totals {
        let mut row = vec![
            f.delivery.provider_name(&p.provider).to_owned(),
            thousands(p.counts.attempts),
        ];
        row.extend(outcome_cells(&p.counts.percent));
        t.row(row);
    }
    out.push_str(&t.render());
    out.push('\n');
}

fn sending_ips(out: &mut String, f: &Findings) {
    if f.delivery.sending_ips.is_empty() {
        return;
    }
    let _ = writeln!(out, "OUTCOMES BY SENDING IP");
    let mut header = vec!["sending ip", "services", "attempts"];
    header.extend(OUTCOME_HEADER);
    let mut t = Table::new(&header, 2);
    for ip in &f.delivery.sending_ips {
        let name = if ip.sending_ip.is_empty() {
            "unknown".to_owned()
        } else {
            ip.sending_ip.clone()
        };
        let mut row = vec![
            name,
            clean(&ip.services.join(","), 40),
            thousands(ip.counts.attempts),
        ];
        row.extend(outcome_cells(&ip.counts.percent));
        t.row(row);
    }
    out.push_str(&t.render());
    out.push('\n');
}

fn per_day(out: &mut String, f: &Findings) {
    let mut dates: Vec<_> = f.delivery.providers.iter().map(|p| p.date).collect();
    dates.sort();
    dates.dedup();
    if dates.len() < 2 {
        return;
    }
    let shown: Vec<_> = dates.iter().rev().take(8).rev().copied().collect();
    let _ = writeln!(
        out,
        "PER DAY (accepted % of attempts, last {} days)",
        shown.len()
    );
    let mut header = vec!["provider".to_owned()];
    header.extend(shown.iter().map(|d| format!("{:02}-{:02}", d.month, d.day)));
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = Table::new(&header_refs, 1);
    for p in f.delivery.provider_totals.iter().take(10) {
        let mut row = vec![f.delivery.provider_name(&p.provider).to_owned()];
        for d in &shown {
            let cell = f
                .delivery
                .providers
                .iter()
                .find(|x| x.date == *d && x.provider == p.provider)
                .map_or_else(
                    || "-".to_owned(),
                    |x| {
                        format!(
                            "{:.0}",
                            x.counts
                                .percent
                                .get(&Outcome::Accepted)
                                .copied()
                                .unwrap_or(0.0)
                        )
                    },
                );
            row.push(cell);
        }
        t.row(row);
    }
    out.push_str(&t.render());
    out.push('\n');
}

fn replies(out: &mut String, f: &Findings, detail: usize) {
    let mut by_outcome: BTreeMap<Outcome, Vec<_>> = BTreeMap::new();
    for r in &f.delivery.replies {
        if r.outcome != Outcome::Accepted {
            by_outcome.entry(r.outcome).or_default().push(r);
        }
    }
    if !by_outcome.is_empty() {
        let _ = writeln!(out, "REPLY TEXTS BY OUTCOME (top {detail} each)");
        for (outcome, rows) in by_outcome {
            let total: u64 = rows.iter().map(|r| r.attempts).sum();
            let _ = writeln!(out, "{outcome} ({})", thousands(total));
            for r in rows.iter().take(detail) {
                let code = if r.reason_code.is_empty() {
                    "-"
                } else {
                    &r.reason_code
                };
                let _ = writeln!(
                    out,
                    "  {:>9}  {:<14} {:<11} {}",
                    thousands(r.attempts),
                    clean(code, 14),
                    clean(f.delivery.provider_name(&r.provider), 12),
                    clean(&r.sample_reply, 160)
                );
            }
        }
        out.push('\n');
    }
    if !f.delivery.unclassified.is_empty() {
        let _ = writeln!(
            out,
            "UNCLASSIFIED REPLIES (top {detail}; improve the rules with [rules] in mailrep.toml)"
        );
        for u in f.delivery.unclassified.iter().take(detail) {
            let _ = writeln!(
                out,
                "  {:>9}  {:<14} {:<11} {}",
                thousands(u.attempts),
                u.outcome.as_str(),
                clean(f.delivery.provider_name(&u.provider), 12),
                clean(&u.sample_reply, 160)
            );
        }
        out.push('\n');
    }
}

fn dmarc(out: &mut String, f: &Findings, detail: usize) {
    use mailrep_core::dmarc::SourceClass;
    let d = &f.dmarc;
    if d.totals.reports == 0 && d.failure_reports == 0 && d.smtp_tls_reports == 0 {
        return;
    }
    let (first, last) = (
        d.reports
            .iter()
            .map(|r| &r.date_begin[..10.min(r.date_begin.len())])
            .min(),
        d.reports
            .iter()
            .map(|r| &r.date_end[..10.min(r.date_end.len())])
            .max(),
    );
    let _ = writeln!(
        out,
        "DMARC ({} aggregate reports from {} reporters, {}..{}; {} duplicates ignored; {} failure and {} TLS reports)",
        d.totals.reports,
        d.by_reporter.len(),
        first.unwrap_or("-"),
        last.unwrap_or("-"),
        d.duplicate_reports,
        d.failure_reports,
        d.smtp_tls_reports
    );
    let mut classes: BTreeMap<SourceClass, (u64, u64, u64, u64)> = BTreeMap::new();
    for r in &d.by_source {
        let c = classes.entry(r.source_class).or_default();
        c.0 += r.messages;
        c.1 += r.passing;
        c.2 += r.dkim_aligned_pass;
        c.3 += r.spf_aligned_pass;
    }
    let mut t = Table::new(
        &[
            "source class",
            "messages",
            "pass",
            "dkim-aligned",
            "spf-aligned",
        ],
        1,
    );
    for (class, (m, p, dk, sp)) in &classes {
        let name = match class {
            SourceClass::Ours => "ours",
            SourceClass::Forwarder => "forwarder",
            SourceClass::External => "external",
        };
        t.row(vec![
            name.to_owned(),
            thousands(*m),
            pct(mailrep_core::postfix::aggregate::percent(*p, *m)),
            pct(mailrep_core::postfix::aggregate::percent(*dk, *m)),
            pct(mailrep_core::postfix::aggregate::percent(*sp, *m)),
        ]);
    }
    out.push_str(&t.render());
    let mut failing: BTreeMap<(String, &str), u64> = BTreeMap::new();
    for r in d.by_source.iter().filter(|r| r.failing > 0) {
        let class = match r.source_class {
            SourceClass::Ours => "ours",
            SourceClass::Forwarder => "forwarder",
            SourceClass::External => "external",
        };
        *failing.entry((r.source_ip.to_string(), class)).or_default() += r.failing;
    }
    let mut failing: Vec<_> = failing.into_iter().collect();
    failing.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if !failing.is_empty() {
        let top: Vec<String> = failing
            .iter()
            .take(detail)
            .map(|((ip, class), n)| format!("{ip} [{class}] {}", thousands(*n)))
            .collect();
        let _ = writeln!(out, "  top failing sources: {}", top.join(" · "));
    }
    let reporters: Vec<String> = d
        .by_reporter
        .iter()
        .map(|r| format!("{} {}", clean(&r.org_name, 40), r.reports))
        .collect();
    let _ = writeln!(out, "  reporters: {}", reporters.join(" · "));
    for dom in &d.by_domain {
        let policies: Vec<String> = dom
            .policies
            .iter()
            .map(|p| format!("p={}", p.p.as_deref().unwrap_or("?")))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let _ = writeln!(
            out,
            "  {}: {} messages, {} pass, policy {}",
            clean(&dom.domain, 60),
            thousands(dom.messages),
            pct(mailrep_core::postfix::aggregate::percent(
                dom.passing,
                dom.messages
            )),
            if policies.is_empty() {
                "unknown".to_owned()
            } else {
                policies.join(", ")
            }
        );
    }
    for r in &d.readiness {
        use mailrep_core::dmarc::readiness::CheckLevel;
        let blocking: Vec<&str> = r
            .checks
            .iter()
            .filter(|c| c.level == CheckLevel::Fail)
            .map(|c| c.message.as_str())
            .collect();
        let _ = writeln!(
            out,
            "  readiness {}: {} (now {}){}{}",
            clean(&r.domain, 60),
            r.headline,
            r.current,
            if blocking.is_empty() { "" } else { ": " },
            blocking.join(" ")
        );
    }
    out.push('\n');
}

fn quality(out: &mut String, f: &Findings, detail: usize) {
    let s = &f.delivery.stats;
    let _ = writeln!(out, "DATA QUALITY");
    if s.lines > 0 {
        let _ = writeln!(
            out,
            "  {} log lines, {} delivery lines: {} egress attempts, {} not egress, {} unparsed, {} expired ({} unattributed)",
            thousands(s.lines),
            thousands(s.status_lines),
            thousands(s.attempts),
            thousands(s.skipped),
            thousands(s.unparsed),
            thousands(s.expired),
            thousands(s.expired_unattributed)
        );
    }
    let errors = f
        .diagnostics
        .iter()
        .filter(|d| d.level == Level::Error)
        .count();
    let _ = writeln!(
        out,
        "  {} diagnostics ({errors} errors)",
        f.diagnostics.len()
    );
    for d in f.diagnostics.iter().take(detail.max(10)) {
        let level = match d.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
        };
        let mut at = String::new();
        if let Some(m) = &d.position.member {
            let _ = write!(at, " [{}]", clean(m, 60));
        }
        if let Some(l) = d.position.line {
            let _ = write!(at, ":{l}");
        }
        let _ = writeln!(
            out,
            "  {level:<7} {}{at}: {} ({})",
            clean(&d.input, 80),
            clean(&d.message, 200),
            d.code
        );
    }
    if f.diagnostics.len() > detail.max(10) {
        let _ = writeln!(
            out,
            "  … {} more (see --format json)",
            f.diagnostics.len() - detail.max(10)
        );
    }
}
