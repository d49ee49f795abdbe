//! The static HTML report: one self-contained file, no script, static SVG charts.
//!
//! `mailrep analyze --format html` writes it and the page exports it (research/ux.md §3.6,
//! "HTML report, static"): it opens anywhere, including as a mail attachment. Its sections
//! mirror the page (§3.4): verdict cards, provider x outcome table with a trend line per
//! provider, the daily trend chart (with its numbers in a table), sending IPs, reply groups,
//! unclassified replies, DMARC by source, reporter and domain, policy readiness per domain,
//! and data quality.
//!
//! Every string from a log or report is escaped (see [`super::markup`]); a Content Security
//! Policy (`default-src 'none'`) in the document forbids scripts and any request even if a
//! reader's mail client mangles it. Light and dark themes follow `prefers-color-scheme`;
//! print forces light. Long lists are capped (the findings file has them in full).

use crate::sorted::{SortedMap, SortedSet};
use std::net::IpAddr;

use super::markup::Markup;
use super::svg;
use crate::date::Date;
use crate::diagnostic::Level;
use crate::dmarc::SourceClass;
use crate::dmarc::readiness::{CheckLevel, Status};
use crate::findings::{Findings, InputSummary};
use crate::input::InputKind;
use crate::postfix::Outcome;
use crate::postfix::aggregate::{OutcomeCounts, percent};
use crate::verdict::{Severity, Verdict, thousands};

/// Most rows shown per long table (reply groups, DMARC sources, diagnostics).
pub const MAX_ROWS: usize = 200;

/// Human label of an outcome (lowercase, for sentences and chart titles).
#[inline]
pub fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Accepted => "accepted",
        Outcome::Throttled => "throttled",
        Outcome::DeferredOther => "deferred (other)",
        Outcome::RejectReputation => "reputation rejects",
        Outcome::RejectContent => "content rejects",
        Outcome::RejectRecipient => "recipient rejects",
        Outcome::RejectAuth => "auth rejects",
        Outcome::RejectOther => "other rejects",
    }
}

/// Short column header of an outcome.
#[inline]
fn outcome_header(o: Outcome) -> &'static str {
    match o {
        Outcome::Accepted => "Accepted",
        Outcome::Throttled => "Throttled",
        Outcome::DeferredOther => "Deferred",
        Outcome::RejectReputation => "Reputation rej.",
        Outcome::RejectContent => "Content rej.",
        Outcome::RejectRecipient => "Recipient rej.",
        Outcome::RejectAuth => "Auth rej.",
        Outcome::RejectOther => "Other rej.",
    }
}

const STYLE: &str = r#"<style>
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--card:#f6f8fa;
--crit:#b3261e;--warn:#8a5a00;--info:#0b62b0;--ok:#1a7f37;
--o-accepted:#009e73;--o-throttled:#e69f00;--o-deferred_other:#56b4e9;--o-reject_reputation:#d55e00;
--o-reject_content:#cc79a7;--o-reject_recipient:#0072b2;--o-reject_auth:#b8a800;--o-reject_other:#8c8c8c}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;--line:#30363d;--card:#161b22;
--crit:#ff7b72;--warn:#e3b341;--info:#79c0ff;--ok:#56d364}}
@media print{:root{color-scheme:light;--bg:#fff;--fg:#000;--muted:#444;--line:#bbb;--card:#fff}nav{display:none}details{display:block}
details>summary{list-style:none}section{break-inside:avoid-page}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:16px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}
.meta,.note,figcaption{color:var(--muted)}
nav{display:flex;flex-wrap:wrap;gap:4px 12px;margin:8px 0 0}nav a{color:var(--info)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:12px}
.card{border:1px solid var(--line);border-left:6px solid var(--info);border-radius:6px;padding:10px 12px;background:var(--card)}
.card.critical{border-left-color:var(--crit)}.card.warning{border-left-color:var(--warn)}
.sev{font-weight:700;letter-spacing:.03em}.critical .sev{color:var(--crit)}.warning .sev{color:var(--warn)}.info .sev{color:var(--info)}
.card p{margin:4px 0}.card ul{margin:4px 0;padding-left:18px}.card li{overflow-wrap:anywhere}
.clear{color:var(--ok);font-weight:600}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:4px 0 8px}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{font-weight:600;background:var(--card)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.t{overflow-wrap:anywhere;min-width:18em}
td.n small{display:block;color:var(--muted)}
.chip{display:inline-block;padding:0 6px;border-radius:9px;border:1px solid var(--line);font-size:12px;white-space:nowrap}
.chip.ours{border-color:var(--ok)}.chip.forwarder{border-color:var(--info)}.chip.external{border-color:var(--warn)}
.checks{list-style:none;padding-left:0}.checks .ok span{color:var(--ok)}.checks .fail span{color:var(--crit)}.checks .warn span{color:var(--warn)}
.readiness.ready{border-left-color:var(--ok)}.readiness.not-ready{border-left-color:var(--crit)}.readiness.no-data{border-left-color:var(--line)}
.lvl-error{color:var(--crit)}.lvl-warning{color:var(--warn)}
svg.chart{width:100%;height:auto;max-height:260px}svg .grid{stroke:var(--line);stroke-width:1}
svg .axis{fill:var(--muted);font-size:11px}
svg.spark{width:96px;height:20px;vertical-align:middle}svg.spark polyline{fill:none;stroke:currentColor;stroke-width:1.5}
.o-accepted{fill:var(--o-accepted)}.o-throttled{fill:var(--o-throttled)}.o-deferred_other{fill:var(--o-deferred_other)}
.o-reject_reputation{fill:var(--o-reject_reputation)}.o-reject_content{fill:var(--o-reject_content)}
.o-reject_recipient{fill:var(--o-reject_recipient)}.o-reject_auth{fill:var(--o-reject_auth)}.o-reject_other{fill:var(--o-reject_other)}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin:0;padding:0;list-style:none}
.legend li::before{content:"";display:inline-block;width:10px;height:10px;margin-right:4px;background:var(--c)}
.dots{font-family:ui-monospace,monospace;letter-spacing:1px;white-space:nowrap}
code,.reply{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
footer{margin-top:32px;border-top:1px solid var(--line);padding-top:8px;color:var(--muted)}
</style>"#;

/// Renders the report of `f` (redact first when it is to be shared).
#[inline]
pub fn render(f: &Findings) -> String {
    let mut m = Markup::default();
    let span = Span::of(f);
    m.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n")
        .raw("<meta name=\"generator\" content=\"")
        .attr(&f.generator)
        .raw("\">\n<title>mailrep report")
        .text(&span.title())
        .raw("</title>\n")
        .raw(STYLE)
        .raw("\n</head>\n<body>\n");
    header(&mut m, f, &span);
    verdicts(&mut m, f);
    providers(&mut m, f);
    trend(&mut m, f);
    sending_ips(&mut m, f);
    replies(&mut m, f);
    unclassified(&mut m, f);
    dmarc_sources(&mut m, f);
    dmarc_reporters(&mut m, f);
    dmarc_domains(&mut m, f);
    readiness(&mut m, f);
    quality(&mut m, f);
    footer(&mut m, f);
    m.raw("</body>\n</html>\n");
    m.finish()
}

/// The dates the findings cover.
struct Span {
    delivery: Option<(Date, Date)>,
    dmarc: Option<(String, String)>,
}

impl Span {
    #[inline]
    fn of(f: &Findings) -> Self {
        let s = &f.delivery.stats;
        let delivery = s.first_date.zip(s.last_date);
        let dmarc = f
            .dmarc
            .by_reporter
            .iter()
            .map(|r| {
                (
                    r.date_begin.get(..10).unwrap_or(""),
                    r.date_end.get(..10).unwrap_or(""),
                )
            })
            .fold(None::<(String, String)>, |acc, (b, e)| match acc {
                None => Some((b.to_owned(), e.to_owned())),
                Some((lo, hi)) => Some((
                    if b < lo.as_str() { b.to_owned() } else { lo },
                    if e > hi.as_str() { e.to_owned() } else { hi },
                )),
            });
        Self { delivery, dmarc }
    }

    #[inline]
    fn title(&self) -> String {
        match self.delivery {
            Some((a, b)) if a == b => format!(": {a}"),
            Some((a, b)) => format!(": {a} to {b}"),
            None => match &self.dmarc {
                Some((a, b)) => format!(": {a} to {b}"),
                None => String::new(),
            },
        }
    }
}

#[inline]
fn header(m: &mut Markup, f: &Findings, span: &Span) {
    m.raw("<header>\n<h1>mailrep report</h1>\n<p class=\"meta\">");
    let logs = f
        .inputs
        .iter()
        .filter(|i| matches!(i.kind, InputKind::PostfixLog | InputKind::PostfixLogGzip))
        .count();
    let reports = f
        .inputs
        .iter()
        .filter(|i| i.kind == InputKind::Reports)
        .count();
    m.text(&format!(
        "{} inputs ({logs} Postfix logs, {reports} report files)",
        f.inputs.len()
    ));
    if let Some((a, b)) = span.delivery {
        m.raw(" · delivery attempts ").text(&format!("{a} to {b}"));
    }
    if let Some((a, b)) = &span.dmarc {
        m.raw(" · DMARC reports ").text(&format!("{a} to {b}"));
    }
    m.raw(" · ").text(&f.generator);
    m.raw("</p>\n");
    if let Some(r) = &f.redaction {
        m.raw("<p class=\"note\">Redacted with the <strong>")
            .text(&r.preset)
            .raw("</strong> preset: ")
            .text(&format!(
                "{} addresses, {} trace ids, {} host names replaced; {} of our IPs, {} of our domains and {} host, file and member names pseudonymized.",
                r.addresses, r.ids, r.hostnames, r.our_ips, r.our_domains, r.names
            ))
            .raw("</p>\n");
    }
    m.raw("<nav aria-label=\"Sections\"><a href=\"#verdicts\">Verdicts</a><a href=\"#providers\">Providers</a>")
        .raw("<a href=\"#trend\">Daily trend</a><a href=\"#ips\">Sending IPs</a><a href=\"#replies\">Replies</a>")
        .raw("<a href=\"#unclassified\">Unclassified</a><a href=\"#dmarc-sources\">DMARC sources</a>")
        .raw("<a href=\"#dmarc-reporters\">Reporters</a><a href=\"#dmarc-domains\">Domains</a><a href=\"#readiness\">Policy readiness</a>")
        .raw("<a href=\"#quality\">Data quality</a></nav>\n</header>\n");
}

#[inline]
fn severity_word(s: Severity) -> (&'static str, &'static str) {
    match s {
        Severity::Critical => ("critical", "● CRIT"),
        Severity::Warning => ("warning", "▲ WARN"),
        Severity::Info => ("info", "ℹ INFO"),
    }
}

#[inline]
fn verdicts(m: &mut Markup, f: &Findings) {
    m.raw("<section id=\"verdicts\">\n<h2>Verdicts</h2>\n");
    if f.verdicts.is_empty() {
        m.raw("<p class=\"clear\">✓ All clear: no rule raised a verdict for these inputs.</p>\n</section>\n");
        return;
    }
    m.raw("<div class=\"cards\">\n");
    for v in &f.verdicts {
        card(m, f, v);
    }
    m.raw("</div>\n</section>\n");
}

#[inline]
fn card(m: &mut Markup, f: &Findings, v: &Verdict) {
    let (class, word) = severity_word(v.severity);
    m.raw("<article class=\"card ")
        .raw(class)
        .raw("\">\n<p><span class=\"sev\">")
        .raw(word)
        .raw("</span> · ")
        .text(family(&v.id));
    let s = &v.subject;
    if let Some(p) = &s.provider {
        m.raw(" · ").text(f.delivery.provider_name(p));
    }
    for x in [&s.sending_ip, &s.source_ip, &s.domain]
        .into_iter()
        .flatten()
    {
        m.raw(" · ").text(x);
    }
    if let Some(d) = s.date {
        m.raw(" · ").text(&d.to_string());
    }
    m.raw("</p>\n<p><strong>")
        .text(&v.message)
        .raw("</strong></p>\n<p class=\"note\">");
    let numbers = &v.numbers;
    m.text(&format!(
        "{} of {} ({:.1} %) · threshold {} · rule ",
        thousands(numbers.count),
        thousands(numbers.total),
        numbers.percent,
        numbers.threshold
    ))
    .raw("<code>")
    .text(&v.id)
    .raw("</code></p>\n");
    if !v.evidence.is_empty() {
        m.raw("<ul class=\"reply\">");
        for e in &v.evidence {
            m.raw("<li>").text(e).raw("</li>");
        }
        m.raw("</ul>\n");
    }
    m.raw("</article>\n");
}

#[inline]
fn family(id: &str) -> &'static str {
    if id.starts_with("dmarc.") {
        "DMARC"
    } else if id.starts_with("delivery.") {
        "Delivery"
    } else {
        "Other"
    }
}

/// `12.3 %` over the count, in one numeric cell.
#[inline]
fn pct_cell(m: &mut Markup, part: u64, whole: u64) {
    m.raw("<td class=\"n\">")
        .text(&format!("{:.1} %", percent(part, whole)))
        .raw("<small>")
        .int(part)
        .raw("</small></td>");
}

#[inline]
fn outcome_headers(m: &mut Markup) {
    for o in Outcome::ALL {
        m.raw("<th scope=\"col\" class=\"n\">")
            .raw(outcome_header(o))
            .raw("</th>");
    }
}

#[inline]
fn outcome_cells(m: &mut Markup, c: &OutcomeCounts) {
    for o in Outcome::ALL {
        pct_cell(m, c.count(o), c.attempts);
    }
}

#[inline]
fn providers(m: &mut Markup, f: &Findings) {
    let d = &f.delivery;
    m.raw("<section id=\"providers\">\n<h2>Outcomes by mailbox provider</h2>\n");
    if d.provider_totals.is_empty() {
        m.raw("<p class=\"note\">No Postfix delivery attempts in these inputs.</p>\n</section>\n");
        return;
    }
    m.raw("<p class=\"note\">Delivery attempts per provider (from the relay host); each cell is the share of the row's attempts, with the count below.</p>\n")
        .raw("<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Provider</th><th scope=\"col\" class=\"n\">Attempts</th>");
    outcome_headers(m);
    m.raw("<th scope=\"col\">Not accepted, per day</th></tr></thead>\n<tbody>\n");
    let dates: SortedSet<Date> = d.providers.iter().map(|p| p.date).collect();
    for p in &d.provider_totals {
        m.raw("<tr><th scope=\"row\">")
            .text(d.provider_name(&p.provider))
            .raw("</th><td class=\"n\">")
            .int(p.counts.attempts)
            .raw("</td>");
        outcome_cells(m, &p.counts);
        let by_date: SortedMap<Date, &OutcomeCounts> = d
            .providers
            .iter()
            .filter(|x| x.provider == p.provider)
            .map(|x| (x.date, &x.counts))
            .collect();
        let values: Vec<f64> = dates
            .iter()
            .map(|date| {
                by_date.get(date).map_or(0.0, |c| {
                    percent(c.attempts - c.count(Outcome::Accepted), c.attempts)
                })
            })
            .collect();
        m.raw("<td>");
        if values.len() > 1 {
            svg::sparkline(
                m,
                &values,
                &format!(
                    "{}: share not accepted per day, {} days",
                    d.provider_name(&p.provider),
                    values.len()
                ),
            );
        }
        m.raw("</td></tr>\n");
    }
    m.raw("</tbody></table></div>\n</section>\n");
}

#[inline]
fn trend(m: &mut Markup, f: &Findings) {
    let d = &f.delivery;
    m.raw("<section id=\"trend\">\n<h2>Daily trend</h2>\n");
    let mut days: SortedMap<Date, [u64; 8]> = SortedMap::new();
    for p in &d.providers {
        let row = days.entry(p.date).or_default();
        for o in Outcome::ALL {
            row[o.index()] += p.counts.count(o);
        }
    }
    if days.is_empty() {
        m.raw("<p class=\"note\">No delivery attempts to chart.</p>\n</section>\n");
        return;
    }
    let days: Vec<(Date, [u64; 8])> = days.into_iter().collect();
    m.raw("<figure>\n");
    svg::daily_non_accepted(m, &days);
    m.raw("\n<figcaption>Share of delivery attempts not accepted, per day, stacked by outcome (accepted left out).</figcaption>\n<ul class=\"legend\">");
    for o in Outcome::ALL.into_iter().skip(1) {
        m.raw("<li style=\"--c:var(--o-")
            .raw(o.as_str())
            .raw(")\">")
            .raw(outcome_header(o))
            .raw("</li>");
    }
    m.raw("</ul>\n</figure>\n<details><summary>Table</summary>\n<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Date</th><th scope=\"col\" class=\"n\">Attempts</th>");
    outcome_headers(m);
    m.raw("</tr></thead>\n<tbody>\n");
    for (date, counts) in &days {
        let total: u64 = counts.iter().sum();
        m.raw("<tr><th scope=\"row\">")
            .text(&date.to_string())
            .raw("</th><td class=\"n\">")
            .int(total)
            .raw("</td>");
        for o in Outcome::ALL {
            pct_cell(m, counts[o.index()], total);
        }
        m.raw("</tr>\n");
    }
    m.raw("</tbody></table></div>\n</details>\n</section>\n");
}

/// DMARC pass per source IP (messages, passing, distinct reporters), for the sending-IP
/// join. Built in bulk: one key per source IP of the reports, in any number (inserting them
/// one by one into a sorted vector is quadratic).
#[inline]
fn dmarc_by_ip(f: &Findings) -> SortedMap<String, (u64, u64, usize)> {
    let by_ip: SortedMap<String, (u64, u64, Vec<&str>)> = SortedMap::from_runs(
        f.dmarc
            .by_source
            .iter()
            .map(|s| (ip_label(s.source_ip), s))
            .collect(),
        |s| {
            let reporters: Vec<&str> = s.reporters.iter().map(String::as_str).collect();
            (s.messages, s.passing, reporters)
        },
        |e, s| {
            e.0 += s.messages;
            e.1 += s.passing;
            e.2.extend(s.reporters.iter().map(String::as_str));
        },
    );
    by_ip
        .into_iter()
        .map(|(ip, (messages, passing, reporters))| {
            let distinct: SortedSet<&str> = reporters.into_iter().collect();
            (ip, (messages, passing, distinct.len()))
        })
        .collect()
}

/// An IP as shown: the pseudonym for addresses the public redaction wrote into IP fields.
#[inline]
fn ip_label(ip: IpAddr) -> String {
    crate::redact::pseudonym_of(ip).unwrap_or_else(|| ip.to_string())
}

#[inline]
fn sending_ips(m: &mut Markup, f: &Findings) {
    let d = &f.delivery;
    m.raw("<section id=\"ips\">\n<h2>Sending IPs</h2>\n");
    if d.sending_ips.is_empty() {
        m.raw("<p class=\"note\">No delivery attempts.</p>\n</section>\n");
        return;
    }
    let dmarc = dmarc_by_ip(f);
    m.raw("<p class=\"note\">Postfix does not log the sending IP: it comes from the configuration, a master.cf input, or the IP quoted in replies. DMARC pass is what reporters evaluated for the same IP.</p>\n")
        .raw("<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Sending IP</th><th scope=\"col\">Services</th><th scope=\"col\" class=\"n\">Attempts</th>");
    outcome_headers(m);
    m.raw("<th scope=\"col\" class=\"n\">DMARC pass (reported)</th></tr></thead>\n<tbody>\n");
    for ip in &d.sending_ips {
        m.raw("<tr><th scope=\"row\">");
        if ip.sending_ip.is_empty() {
            m.raw("unattributed");
        } else {
            m.text(&ip.sending_ip);
        }
        m.raw("</th><td>")
            .text(&ip.services.join(", "))
            .raw("</td><td class=\"n\">")
            .int(ip.counts.attempts)
            .raw("</td>");
        outcome_cells(m, &ip.counts);
        match dmarc.get(&ip.sending_ip) {
            Some((messages, passing, reporters)) if *messages > 0 => {
                m.raw("<td class=\"n\">")
                    .text(&format!("{:.1} %", percent(*passing, *messages)))
                    .raw("<small>")
                    .text(&format!(
                        "{} messages, {} reporters",
                        thousands(*messages),
                        reporters
                    ))
                    .raw("</small></td>");
            }
            _ => {
                m.raw("<td class=\"n\">—</td>");
            }
        }
        m.raw("</tr>\n");
    }
    m.raw("</tbody></table></div>\n</section>\n");
}

#[inline]
fn capped_note(m: &mut Markup, shown: usize, total: usize) {
    if total > shown {
        m.raw("<p class=\"note\">")
            .text(&format!(
                "Showing {shown} of {total} rows; the findings file has them all."
            ))
            .raw("</p>\n");
    }
}

#[inline]
fn replies(m: &mut Markup, f: &Findings) {
    let d = &f.delivery;
    m.raw("<section id=\"replies\">\n<h2>Replies</h2>\n");
    let groups: Vec<_> = d
        .replies
        .iter()
        .filter(|r| r.outcome != Outcome::Accepted)
        .collect();
    if groups.is_empty() {
        m.raw("<p class=\"note\">No replies other than accepted.</p>\n</section>\n");
        return;
    }
    let total: u64 = groups.iter().map(|r| r.attempts).sum();
    m.raw("<p class=\"note\">Replies other than accepted, grouped by provider, outcome and reason code (enhanced status code plus provider code), with the first reply text seen and the rule that classified it. Share is of all non-accepted attempts.</p>\n")
        .raw("<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\" class=\"n\">Attempts</th><th scope=\"col\" class=\"n\">Share</th><th scope=\"col\">Provider</th><th scope=\"col\">Outcome</th><th scope=\"col\">Reason code</th><th scope=\"col\">Rule</th><th scope=\"col\">Reply</th></tr></thead>\n<tbody>\n");
    for r in groups.iter().take(MAX_ROWS) {
        m.raw("<tr><td class=\"n\">")
            .int(r.attempts)
            .raw("</td><td class=\"n\">")
            .text(&format!("{:.1} %", percent(r.attempts, total)))
            .raw("</td><td>")
            .text(d.provider_name(&r.provider))
            .raw("</td><td>")
            .raw(outcome_label(r.outcome))
            .raw("</td><td><code>")
            .text(&r.reason_code)
            .raw("</code></td><td><code>")
            .text(&r.rule)
            .raw("</code></td><td class=\"t reply\">")
            .text(&r.sample_reply)
            .raw("</td></tr>\n");
    }
    m.raw("</tbody></table></div>\n");
    capped_note(m, groups.len().min(MAX_ROWS), groups.len());
    m.raw("</section>\n");
}

#[inline]
fn unclassified(m: &mut Markup, f: &Findings) {
    let d = &f.delivery;
    m.raw("<section id=\"unclassified\">\n<h2>Unclassified replies</h2>\n");
    if d.unclassified.is_empty() {
        m.raw(
            "<p class=\"note\">Every non-accepted reply matched a specific rule.</p>\n</section>\n",
        );
        return;
    }
    let unclassified: u64 = d.unclassified.iter().map(|u| u.attempts).sum();
    let non_accepted: u64 = d
        .provider_totals
        .iter()
        .map(|p| p.counts.attempts - p.counts.count(Outcome::Accepted))
        .sum();
    m.raw("<p class=\"note\">")
        .text(&format!(
            "Unclassified: {:.1} % of non-accepted attempts ({} of {}; target under 5 %). Replies no specific rule matched, counted as deferred (other) or other rejects; the template masks ids, addresses and IPs.",
            percent(unclassified, non_accepted),
            thousands(unclassified),
            thousands(non_accepted)
        ))
        .raw("</p>\n<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\" class=\"n\">Attempts</th><th scope=\"col\">Provider</th><th scope=\"col\">Outcome</th><th scope=\"col\">Template</th><th scope=\"col\">Example</th></tr></thead>\n<tbody>\n");
    for u in d.unclassified.iter().take(MAX_ROWS) {
        m.raw("<tr><td class=\"n\">")
            .int(u.attempts)
            .raw("</td><td>")
            .text(d.provider_name(&u.provider))
            .raw("</td><td>")
            .raw(outcome_label(u.outcome))
            .raw("</td><td class=\"t reply\">")
            .text(&u.template)
            .raw("</td><td class=\"t reply\">")
            .text(&u.sample_reply)
            .raw("</td></tr>\n");
    }
    m.raw("</tbody></table></div>\n");
    capped_note(m, d.unclassified.len().min(MAX_ROWS), d.unclassified.len());
    m.raw("</section>\n");
}

#[inline]
fn class_name(c: SourceClass) -> &'static str {
    match c {
        SourceClass::Ours => "ours",
        SourceClass::Forwarder => "forwarder",
        SourceClass::External => "external",
    }
}

#[inline]
fn dmarc_sources(m: &mut Markup, f: &Findings) {
    m.raw("<section id=\"dmarc-sources\">\n<h2>DMARC by source IP</h2>\n");
    let t = &f.dmarc.totals;
    if t.reports == 0 {
        m.raw("<p class=\"note\">No DMARC aggregate reports in these inputs.</p>\n</section>\n");
        return;
    }
    m.raw("<p class=\"note\">")
        .text(&format!(
            "{} reports, {} messages, {:.1} % passing DMARC ({} failing). Class: ours = in the configured networks; forwarder = a forwarding override reason, forwarder network or PTR hint; external = anyone else. Sorted by failing messages.",
            thousands(t.reports),
            thousands(t.messages),
            percent(t.passing, t.messages),
            thousands(t.failing)
        ))
        .raw("</p>\n");
    let rows = crate::view::source_ips(&f.dmarc.by_source);
    m.raw("<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Source IP</th><th scope=\"col\">Class</th><th scope=\"col\">PTR</th><th scope=\"col\" class=\"n\">Messages</th><th scope=\"col\" class=\"n\">DMARC pass</th><th scope=\"col\" class=\"n\">DKIM aligned</th><th scope=\"col\" class=\"n\">SPF aligned</th><th scope=\"col\" class=\"n\">Disposition none / quar. / rej.</th><th scope=\"col\">header_from</th><th scope=\"col\" class=\"n\">Reporters</th><th scope=\"col\">First / last</th></tr></thead>\n<tbody>\n");
    for r in rows.iter().take(MAX_ROWS) {
        let class = class_name(r.source_class);
        m.raw("<tr><th scope=\"row\">")
            .text(&ip_label(r.source_ip))
            .raw("</th><td><span class=\"chip ")
            .raw(class)
            .raw("\" title=\"")
            .attr(&r.class_basis)
            .raw("\">")
            .raw(class)
            .raw("</span></td><td>")
            .text(r.ptr.as_deref().unwrap_or("—"))
            .raw("</td><td class=\"n\">")
            .int(r.pass.messages)
            .raw("</td>");
        pct_cell(m, r.pass.passing, r.pass.messages);
        pct_cell(m, r.dkim_aligned_pass, r.pass.messages);
        pct_cell(m, r.spf_aligned_pass, r.pass.messages);
        m.raw("<td class=\"n\">")
            .text(&format!(
                "{} / {} / {}",
                thousands(r.dispositions.none),
                thousands(r.dispositions.quarantine),
                thousands(r.dispositions.reject)
            ))
            .raw("</td><td>")
            .text(&r.header_from.join(", "))
            .raw("</td><td class=\"n\">")
            .int(r.reporters.len() as u64)
            .raw("</td><td>")
            .text(&format!("{} / {}", r.first, r.last))
            .raw("</td></tr>\n");
    }
    m.raw("</tbody></table></div>\n");
    capped_note(m, rows.len().min(MAX_ROWS), rows.len());
    m.raw("</section>\n");
}

#[inline]
fn dmarc_reporters(m: &mut Markup, f: &Findings) {
    let d = &f.dmarc;
    m.raw("<section id=\"dmarc-reporters\">\n<h2>DMARC by reporter</h2>\n");
    if d.by_reporter.is_empty() {
        m.raw("<p class=\"note\">No reporters.</p>\n</section>\n");
        return;
    }
    // Coverage: one mark per UTC day from the first to the last report begin (at most 62).
    let begin_day = |secs: i64| Date::from_unix(secs, 0);
    let days: SortedSet<Date> = d.reports.iter().map(|r| begin_day(r.begin)).collect();
    let first = days.first().copied();
    let last = days.last().copied();
    let span = match (first, last) {
        (Some(lo), Some(hi)) => (hi.days_since_epoch() - lo.days_since_epoch() + 1).clamp(0, 62),
        _ => 0,
    };
    // The begin days of each reporter's reports (built in bulk: one sort).
    let seen: SortedMap<&str, SortedSet<Date>> = SortedMap::from_runs(
        d.reports
            .iter()
            .map(|r| (r.org_name.as_str(), begin_day(r.begin)))
            .collect(),
        |day| vec![day],
        Vec::push,
    )
    .into_iter()
    .map(|(org, days)| (org, days.into_iter().collect()))
    .collect();
    m.raw("<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Reporter</th><th scope=\"col\" class=\"n\">Reports</th><th scope=\"col\" class=\"n\">Messages</th><th scope=\"col\" class=\"n\">DMARC pass</th><th scope=\"col\">Coverage (● a report began that day)</th><th scope=\"col\">Range</th><th scope=\"col\">Policy domains</th></tr></thead>\n<tbody>\n");
    for r in &d.by_reporter {
        m.raw("<tr><th scope=\"row\">")
            .text(&r.org_name)
            .raw("</th><td class=\"n\">")
            .int(r.reports)
            .raw("</td><td class=\"n\">")
            .int(r.messages)
            .raw("</td>");
        pct_cell(m, r.passing, r.messages);
        m.raw("<td class=\"dots\">");
        if let Some(a) = first {
            let mine = seen.get(r.org_name.as_str());
            let dots: String = (0..span)
                .map(|k| {
                    if mine.is_some_and(|s| s.contains(&a.add_days(k))) {
                        '●'
                    } else {
                        '○'
                    }
                })
                .collect();
            m.text(&dots);
        }
        m.raw("</td><td>")
            .text(&format!(
                "{} to {}",
                r.date_begin.get(..10).unwrap_or(&r.date_begin),
                r.date_end.get(..10).unwrap_or(&r.date_end)
            ))
            .raw("</td><td>")
            .text(&r.policy_domains.join(", "))
            .raw("</td></tr>\n");
    }
    m.raw("</tbody></table></div>\n");
    if !d.duplicates.is_empty() {
        m.raw("<p class=\"note\">")
            .text(&format!(
                "{} duplicate reports ignored (same reporter and report id).",
                thousands(d.duplicates.len() as u64)
            ))
            .raw("</p>\n");
    }
    m.raw("</section>\n");
}

#[inline]
fn dmarc_domains(m: &mut Markup, f: &Findings) {
    let d = &f.dmarc;
    m.raw("<section id=\"dmarc-domains\">\n<h2>DMARC by header_from domain</h2>\n");
    if d.by_domain.is_empty() {
        m.raw("<p class=\"note\">No domains.</p>\n</section>\n");
        return;
    }
    m.raw("<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Domain</th><th scope=\"col\">Policy as reported (p / sp / pct / adkim / aspf)</th><th scope=\"col\" class=\"n\">Reports</th><th scope=\"col\" class=\"n\">Messages</th><th scope=\"col\" class=\"n\">DMARC pass</th><th scope=\"col\" class=\"n\">Failing</th></tr></thead>\n<tbody>\n");
    for r in &d.by_domain {
        m.raw("<tr><th scope=\"row\">");
        if r.domain.is_empty() {
            m.raw("(not reported)");
        } else {
            m.text(&r.domain);
        }
        m.raw("</th><td>");
        for (i, p) in r.policies.iter().enumerate() {
            if i > 0 {
                m.raw("<br>");
            }
            let o = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
            m.text(&format!(
                "{}: p={} sp={} pct={} adkim={} aspf={}",
                if p.domain.is_empty() { "-" } else { &p.domain },
                o(&p.p),
                o(&p.sp),
                p.pct.map_or_else(|| "-".to_owned(), |v| v.to_string()),
                o(&p.adkim),
                o(&p.aspf)
            ));
        }
        m.raw("</td><td class=\"n\">")
            .int(r.reports)
            .raw("</td><td class=\"n\">")
            .int(r.messages)
            .raw("</td>");
        pct_cell(m, r.passing, r.messages);
        m.raw("<td class=\"n\">").int(r.failing).raw("</td></tr>\n");
    }
    m.raw("</tbody></table></div>\n</section>\n");
}

#[inline]
fn readiness_class(s: Status) -> &'static str {
    match s {
        Status::Ready => "ready",
        Status::NotReady => "not-ready",
        Status::NotEnoughData => "no-data",
        Status::Enforced => "enforced",
    }
}

#[inline]
fn check_mark(l: CheckLevel) -> (&'static str, &'static str) {
    match l {
        CheckLevel::Ok => ("ok", "✓"),
        CheckLevel::Fail => ("fail", "✗"),
        CheckLevel::Warn => ("warn", "!"),
        CheckLevel::Info => ("info", "ℹ"),
    }
}

#[inline]
fn readiness(m: &mut Markup, f: &Findings) {
    m.raw("<section id=\"readiness\">\n<h2>Policy readiness</h2>\n");
    if f.dmarc.readiness.is_empty() {
        m.raw("<p class=\"note\">No DMARC aggregate reports with a header_from domain in these inputs.</p>\n</section>\n");
        return;
    }
    m.raw("<p class=\"note\">Per header_from domain: is it safe to move the published DMARC policy one step up (none, quarantine, quarantine at pct=100, reject)? Thresholds are the readiness_* settings.</p>\n<div class=\"cards\">\n");
    for r in &f.dmarc.readiness {
        m.raw("<article class=\"card readiness ")
            .raw(readiness_class(r.status))
            .raw("\">\n<h3>")
            .text(&r.domain)
            .raw("</h3>\n<p><span class=\"sev\">")
            .text(&r.headline)
            .raw("</span></p>\n<p>")
            .text(&format!(
                "Current policy: {}{}. {} messages, {:.1} % passing DMARC.",
                r.current,
                if r.listed {
                    ""
                } else {
                    " (domain not in [ours] domains)"
                },
                thousands(r.messages),
                r.pass_percent
            ))
            .raw("</p>\n");
        if r.history.len() > 1 {
            m.raw("<p>Policy changed: ");
            for (i, h) in r.history.iter().enumerate() {
                if i > 0 {
                    m.raw(", then ");
                }
                m.text(&format!(
                    "p={}{} {} to {}",
                    h.p.as_deref().unwrap_or("-"),
                    h.pct.map(|p| format!(" pct={p}")).unwrap_or_default(),
                    h.first,
                    h.last
                ));
            }
            m.raw("</p>\n");
        }
        m.raw("<ul class=\"checks\">\n");
        for c in &r.checks {
            let (class, mark) = check_mark(c.level);
            m.raw("<li class=\"")
                .raw(class)
                .raw("\"><span aria-hidden=\"true\">")
                .raw(mark)
                .raw("</span> ")
                .text(&c.message)
                .raw("</li>\n");
        }
        m.raw("</ul>\n<p>")
            .text(&format!(
                "Impact if p=reject had applied: {} unknown-source messages blocked (intended), {} from our networks (investigate), {} forwarded (collateral).",
                thousands(r.impact.external),
                thousands(r.impact.ours),
                thousands(r.impact.forwarder)
            ))
            .raw("</p>\n</article>\n");
    }
    m.raw("</div>\n<p class=\"note\">DMARC results describe how receivers evaluated mail, not whether it reached the inbox.</p>\n</section>\n");
}

#[inline]
fn kind_label(k: InputKind) -> &'static str {
    match k {
        InputKind::PostfixLog => "Postfix log",
        InputKind::PostfixLogGzip => "Postfix log (gzip)",
        InputKind::Reports => "reports",
        InputKind::PostfixConfig => "Postfix configuration",
        InputKind::Unknown => "not recognised",
    }
}

#[inline]
fn input_detail(i: &InputSummary) -> String {
    if i.cancelled {
        return format!(
            "cancelled after {} bytes: nothing of it is counted",
            thousands(i.bytes)
        );
    }
    if let Some(l) = &i.log {
        let span = match (l.first_date, l.last_date) {
            (Some(a), Some(b)) => format!(", {a} to {b}"),
            _ => String::new(),
        };
        return format!(
            "{} lines, {} delivery attempts, {} skipped (not egress), {} unparsed, {} cut{span}",
            thousands(l.lines),
            thousands(l.attempts),
            thousands(l.skipped),
            thousands(l.unparsed),
            thousands(l.truncated)
        );
    }
    if let Some(r) = &i.reports {
        return format!(
            "{} aggregate, {} failure, {} TLS reports, {} not readable",
            thousands(r.aggregate),
            thousands(r.failure),
            thousands(r.smtp_tls),
            thousands(r.errors)
        );
    }
    String::new()
}

#[inline]
fn quality(m: &mut Markup, f: &Findings) {
    m.raw("<section id=\"quality\">\n<h2>Data quality</h2>\n<h3>Inputs</h3>\n")
        .raw("<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Input</th><th scope=\"col\">Kind</th><th scope=\"col\" class=\"n\">Bytes</th><th scope=\"col\">Year assumed up to</th><th scope=\"col\">Contents</th></tr></thead>\n<tbody>\n");
    for i in f.inputs.iter().take(MAX_ROWS) {
        m.raw("<tr><th scope=\"row\" class=\"t\">")
            .text(&i.name)
            .raw("</th><td>")
            .raw(kind_label(i.kind))
            .raw("</td><td class=\"n\">")
            .int(i.bytes)
            .raw("</td><td>")
            .text(&i.reference_date.to_string())
            .raw("</td><td>")
            .text(&input_detail(i))
            .raw("</td></tr>\n");
    }
    m.raw("</tbody></table></div>\n");
    capped_note(m, f.inputs.len().min(MAX_ROWS), f.inputs.len());
    m.raw("<h3>Diagnostics</h3>\n");
    if f.diagnostics.is_empty() {
        m.raw("<p class=\"note\">None: every input was read in full.</p>\n</section>\n");
        return;
    }
    m.raw("<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Level</th><th scope=\"col\">Code</th><th scope=\"col\">Input</th><th scope=\"col\">Where</th><th scope=\"col\">Message</th><th scope=\"col\" class=\"n\">Count</th></tr></thead>\n<tbody>\n");
    for d in f.diagnostics.iter().take(MAX_ROWS) {
        let (class, word) = match d.level {
            Level::Error => ("lvl-error", "error"),
            Level::Warning => ("lvl-warning", "warning"),
            Level::Info => ("lvl-info", "info"),
        };
        let mut at = Vec::new();
        if let Some(mem) = &d.position.member {
            at.push(format!("member {mem}"));
        }
        if let Some(l) = d.position.line {
            at.push(format!("line {l}"));
        }
        if let Some(o) = d.position.offset {
            at.push(format!("byte {o}"));
        }
        m.raw("<tr><td class=\"")
            .raw(class)
            .raw("\">")
            .raw(word)
            .raw("</td><td><code>")
            .text(&d.code)
            .raw("</code></td><td class=\"t\">")
            .text(&d.input)
            .raw("</td><td>")
            .text(&at.join(", "))
            .raw("</td><td class=\"t\">")
            .text(&d.message)
            .raw("</td><td class=\"n\">")
            .int(d.count)
            .raw("</td></tr>\n");
    }
    m.raw("</tbody></table></div>\n");
    capped_note(m, f.diagnostics.len().min(MAX_ROWS), f.diagnostics.len());
    m.raw("</section>\n");
}

#[inline]
fn footer(m: &mut Markup, f: &Findings) {
    m.raw("<footer>\n<p>Postfix logs show what the receiving servers said; DMARC reports show what receivers evaluated. Neither proves inbox placement.</p>\n<p>")
        .text(&format!(
            "Generated by {} (findings schema {}). This file contains no script and loads nothing.",
            f.generator, f.schema_version
        ))
        .raw("</p>\n</footer>\n");
}
