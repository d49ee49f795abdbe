//! Markdown snippets for tickets and chat (research/ux.md §3.6 "Copy summary", §3.4.6 "Copy as
//! issue text"). The page copies them to the clipboard; nothing is sent anywhere.

use std::fmt::Write as _;

use crate::findings::Findings;
use crate::postfix::Outcome;
use crate::redact::{Preset, redact};
use crate::verdict::thousands;

/// Provider rows in the summary (most attempts first).
const SUMMARY_PROVIDERS: usize = 8;
/// Reply groups in the summary (non-accepted, most attempts first).
const SUMMARY_REPLIES: usize = 5;

/// A Markdown table cell: one line, `|` escaped.
#[inline]
fn cell(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('\\', "\\\\")
        .replace('|', "\\|")
}

/// Inline code: backticks in the text are avoided by a longer fence.
#[inline]
fn code(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let fence = if s.contains('`') { "``" } else { "`" };
    format!("{fence} {s} {fence}")
}

#[inline]
fn pct(p: f64) -> String {
    format!("{p:.1} %")
}

/// Verdicts, the provider × outcome table (top providers) and the top non-accepted replies of
/// `findings`, as Markdown. Redact the findings first when the text leaves the organisation.
#[inline]
pub fn summary(f: &Findings) -> String {
    let mut out = String::new();
    let names = &f.delivery.provider_names;
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let _ = writeln!(out, "## mailrep summary\n");
    let s = &f.delivery.stats;
    if let (Some(a), Some(b)) = (s.first_date, s.last_date) {
        let _ = writeln!(
            out,
            "Logs {a} → {b}: {} delivery attempts.",
            thousands(s.attempts)
        );
    }
    if f.dmarc.totals.reports > 0 {
        let _ = writeln!(
            out,
            "DMARC: {} reports, {} messages, {} failing.",
            thousands(f.dmarc.totals.reports),
            thousands(f.dmarc.totals.messages),
            thousands(f.dmarc.totals.failing)
        );
    }
    if let Some(r) = &f.redaction {
        let _ = writeln!(out, "Redacted with the {} preset.", r.preset);
    }
    let _ = writeln!(out, "\n### Verdicts\n");
    if f.verdicts.is_empty() {
        let _ = writeln!(out, "None: no rule fired.");
    }
    for v in &f.verdicts {
        let _ = writeln!(
            out,
            "- **{}** {} (`{}`)",
            v.severity.tag(),
            cell(&v.message),
            v.id
        );
    }
    if !f.delivery.provider_totals.is_empty() {
        let _ = writeln!(
            out,
            "\n### Providers (share of delivery attempts)\n\n| Provider | Attempts | Accepted | Throttled | Deferred | Rejected |\n|---|---:|---:|---:|---:|---:|"
        );
        let mut rows: Vec<_> = f.delivery.provider_totals.iter().collect();
        crate::sort::sort_by_key(&mut rows, |p| std::cmp::Reverse(p.counts.attempts));
        for p in rows.iter().take(SUMMARY_PROVIDERS) {
            let c = &p.counts;
            let get = |o: Outcome| c.percent.get(&o).copied().unwrap_or(0.0);
            let rejected: f64 = Outcome::ALL
                .iter()
                .filter(|o| o.as_str().starts_with("reject_"))
                .map(|o| get(*o))
                .sum();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&name(&p.provider)),
                thousands(c.attempts),
                pct(get(Outcome::Accepted)),
                pct(get(Outcome::Throttled)),
                pct(get(Outcome::DeferredOther)),
                pct((rejected * 10.0).round() / 10.0)
            );
        }
        if rows.len() > SUMMARY_PROVIDERS {
            let _ = writeln!(out, "\n{} more providers.", rows.len() - SUMMARY_PROVIDERS);
        }
    }
    let mut replies: Vec<_> = f
        .delivery
        .replies
        .iter()
        .filter(|r| r.outcome != Outcome::Accepted)
        .collect();
    crate::sort::sort_by_key(&mut replies, |r| std::cmp::Reverse(r.attempts));
    if !replies.is_empty() {
        let _ = writeln!(
            out,
            "\n### Top replies\n\n| Attempts | Provider | Outcome | Rule | Reply |\n|---:|---|---|---|---|"
        );
        for r in replies.iter().take(SUMMARY_REPLIES) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                thousands(r.attempts),
                cell(&name(&r.provider)),
                r.outcome.as_str(),
                cell(&r.rule),
                cell(&r.sample_reply)
            );
        }
    }
    let _ = writeln!(
        out,
        "\nLogs show what receiving servers said; DMARC reports show how they evaluated mail. Neither proves inbox placement.\n\n_{}_",
        f.generator
    );
    out
}

/// A redacted (Internal preset: addresses and trace ids removed) issue text about the
/// unclassified reply `template` at `provider`: template, outcome, provider, attempts and a
/// redacted sample. `None` when `findings` hold no such reply.
#[inline]
pub fn unclassified_issue(f: &Findings, provider: &str, template: &str) -> Option<String> {
    let i = f
        .delivery
        .unclassified
        .iter()
        .position(|u| u.provider == provider && u.template == template)?;
    let r = redact(f, Preset::Internal);
    let u = r.delivery.unclassified.get(i)?;
    let name = f
        .delivery
        .provider_names
        .get(provider)
        .map_or(provider, String::as_str);
    let mut out = String::new();
    let _ = writeln!(out, "### Unclassified reply ({name})\n");
    let _ = writeln!(out, "- Provider: {} (`{}`)", cell(name), provider);
    let _ = writeln!(out, "- Counted as: `{}`", u.outcome.as_str());
    let _ = writeln!(out, "- Attempts: {}", thousands(u.attempts));
    let _ = writeln!(out, "- Template: {}", code(&u.template));
    let _ = writeln!(out, "- Example (redacted): {}", code(&u.sample_reply));
    let _ = writeln!(out, "- Suggested bucket: ");
    let _ = writeln!(out, "\n_{}_", f.generator);
    Some(out)
}

#[cfg(test)]
mod tests {
    use crate::{Analyzer, Config, Date};

    const LOG: &str = "Nov 20 10:00:00 mx1 postfix/smtp[1]: 4jVwT647TtzL3CF: to=<jane.doe@acme.example>, relay=mx.acme.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.0.0, status=bounced (host mx.acme.example[192.0.2.1] said: 550 Computer says no to <jane.doe@acme.example> id=AbCdEf0123456789 | pipe (in reply to end of DATA command))\n";

    fn findings() -> crate::Findings {
        Analyzer::analyze(
            Config::default(),
            &[("mail.log", LOG.as_bytes())],
            Date::new(2026, 11, 21).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn summary_has_verdicts_providers_and_replies() {
        let f = findings();
        let s = super::summary(&f);
        assert!(s.starts_with("## mailrep summary"), "{s}");
        assert!(s.contains("### Verdicts"), "{s}");
        assert!(s.contains("| Provider | Attempts |"), "{s}");
        assert!(s.contains("### Top replies"), "{s}");
        assert!(s.contains("\\| pipe"), "pipes in cells are escaped: {s}");
    }

    #[test]
    fn issue_text_is_redacted() {
        let f = findings();
        let u = &f.delivery.unclassified[0];
        let t = super::unclassified_issue(&f, &u.provider, &u.template).unwrap();
        assert!(t.contains("Attempts: 1"), "{t}");
        assert!(!t.contains("jane.doe"), "addresses are redacted: {t}");
        assert!(super::unclassified_issue(&f, "nobody", &u.template).is_none());
    }
}
