//! Alert messages (research/ux.md §4.4, §4.5): one message per run rolling up every new,
//! worse and resolved incident, worst first; Telegram HTML, plain text, and the generic
//! `mailrep.alert/v1` JSON.

use std::fmt::Write as _;

use mailrep_core::Severity;
use serde_json::{Value, json};

use crate::alert::incident::{Change, State};

/// Telegram's limit on a message text, characters.
pub(crate) const TELEGRAM_MAX_CHARS: usize = 4096;
/// Discord's limit on `content`, characters.
pub(crate) const DISCORD_MAX_CHARS: usize = 2000;

/// What one run announces.
#[derive(Debug)]
pub(crate) struct Announcement<'a> {
    /// Mail server label.
    pub(crate) host: &'a str,
    /// Evaluated date.
    pub(crate) date: mailrep_core::Date,
    /// Generation time, ISO 8601 UTC.
    pub(crate) generated: String,
    /// New, worse and resolved incidents, worst first.
    pub(crate) changes: Vec<&'a Change>,
    /// Incidents open after the run.
    pub(crate) open: usize,
    /// Path or link of the full report.
    pub(crate) report: Option<&'a str>,
    /// No emoji.
    pub(crate) plain: bool,
    /// A test message (`mailrep alert --test-notifiers`).
    pub(crate) test: bool,
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

fn emoji(c: &Change) -> &'static str {
    match (c.state, c.incident.severity) {
        (State::Resolved, _) => "🟢",
        (_, Severity::Critical) => "🔴",
        (_, Severity::Warning) => "🟠",
        (_, Severity::Info) => "🔵",
    }
}

/// A measure as shown: a count for `dmarc.spoofing`, points for regressions, else percent.
fn show_measure(rule: &str, m: f64) -> String {
    match rule {
        "dmarc.spoofing" => format!("{} failing", mailrep_core::verdict::thousands(m as u64)),
        "delivery.regression" => format!("{m:.1} points"),
        "dmarc.own_alignment" => format!("{m:.1} % failing"),
        _ => format!("{m:.1} %"),
    }
}

/// The summary line: `mx1 · 2026-11-20: 1 new, 1 resolved; 2 open`.
fn summary(a: &Announcement<'_>) -> String {
    if a.test {
        return format!(
            "mailrep · {}: test message (mailrep alert --test-notifiers); notifications work",
            a.host
        );
    }
    let count = |s: State| a.changes.iter().filter(|c| c.state == s).count();
    let mut parts = Vec::new();
    for (s, word) in [
        (State::New, "new"),
        (State::Worse, "worse"),
        (State::Resolved, "resolved"),
    ] {
        let n = count(s);
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    format!(
        "mailrep · {} · {}: {}; {} open",
        a.host,
        a.date,
        parts.join(", "),
        a.open
    )
}

/// One incident's block as (html, plain) lines.
fn block(c: &Change, plain: bool) -> (Vec<String>, Vec<String>) {
    let inc = &c.incident;
    let mark = if plain { "" } else { emoji(c) };
    let sep = if plain { "" } else { " " };
    if c.state == State::Resolved {
        let was = c
            .was
            .map(|w| format!(" (was {})", show_measure(&inc.rule, w)))
            .unwrap_or_default();
        let word = if plain { "OK   " } else { "" };
        return (
            vec![format!(
                "{mark}{sep}{word}Resolved: {}{was}, open since {}",
                escape_html(&inc.title),
                inc.since
            )],
            vec![format!(
                "{mark}{sep}{word}Resolved: {}{was}, open since {}",
                inc.title, inc.since
            )],
        );
    }
    let state = match c.state {
        State::Worse => " · worse",
        _ => "",
    };
    let sev = inc.severity.tag();
    let days = inc.last_seen.days_since_epoch() - inc.since.days_since_epoch() + 1;
    let since = if c.state == State::New {
        String::new()
    } else {
        let was = c
            .was
            .map(|w| format!(", was {} when notified", show_measure(&inc.rule, w)))
            .unwrap_or_default();
        format!(" Since {} (day {days}){was}.", inc.since)
    };
    let mut html = vec![
        format!(
            "{mark}{sep}<b>{sev}{state} · {}</b>",
            escape_html(&inc.title)
        ),
        format!("{}.{}", escape_html(&inc.message), escape_html(&since)),
    ];
    let mut text = vec![
        format!("{mark}{sep}{sev}{state} · {}", inc.title),
        format!("{}.{since}", inc.message),
    ];
    if let Some(v) = &c.verdict {
        for e in v.evidence.iter().take(2) {
            let e: String = e.chars().take(300).collect();
            html.push(format!("<code>{}</code>", escape_html(&e)));
            text.push(format!("  {e}"));
        }
    }
    (html, text)
}

fn assemble(a: &Announcement<'_>, html: bool, max_chars: usize) -> String {
    let head = if html {
        format!("<b>{}</b>", escape_html(&summary(a)))
    } else {
        summary(a)
    };
    let tail = a
        .report
        .map(|r| {
            if html {
                format!("Report: {}", escape_html(r))
            } else {
                format!("Report: {r}")
            }
        })
        .unwrap_or_default();
    let mut out = head;
    let mut used = out.chars().count() + tail.chars().count() + 2;
    for (i, c) in a.changes.iter().enumerate() {
        let (h, t) = block(c, a.plain);
        let lines = if html { h } else { t };
        let piece = format!("\n\n{}", lines.join("\n"));
        let n = piece.chars().count();
        let rest = a.changes.len() - i - 1;
        // Keep room for the "+N more" line when something follows.
        let reserve = if rest > 0 { 40 } else { 0 };
        if used + n + reserve > max_chars {
            let _ = write!(out, "\n\n… +{} more (see report)", a.changes.len() - i);
            break;
        }
        used += n;
        out.push_str(&piece);
    }
    if !tail.is_empty() {
        out.push_str("\n\n");
        out.push_str(&tail);
    }
    out
}

/// The Telegram text (`parse_mode=HTML`: only `<b>` and `<code>`, `& < >` escaped), at most
/// [`TELEGRAM_MAX_CHARS`] characters.
pub(crate) fn telegram_html(a: &Announcement<'_>) -> String {
    assemble(a, true, TELEGRAM_MAX_CHARS)
}

/// The plain text (stdout, Slack/Mattermost `text`, Discord `content`), at most `max_chars`.
pub(crate) fn plain_text(a: &Announcement<'_>, max_chars: usize) -> String {
    assemble(a, false, max_chars)
}

/// The generic webhook body, schema `mailrep.alert/v1`.
pub(crate) fn webhook_json(a: &Announcement<'_>) -> Value {
    let mut incidents = Vec::new();
    let mut resolved = Vec::new();
    for c in &a.changes {
        let inc = &c.incident;
        if c.state == State::Resolved {
            resolved.push(json!({
                "key": inc.key,
                "rule": inc.rule,
                "title": inc.title,
                "since": inc.since.to_string(),
                "was": c.was,
            }));
            continue;
        }
        let (numbers, evidence) = c
            .verdict
            .as_ref()
            .map(|v| (json!(v.numbers), json!(v.evidence)))
            .unwrap_or_default();
        incidents.push(json!({
            "key": inc.key,
            "rule": inc.rule,
            "state": c.state,
            "severity": inc.severity,
            "since": inc.since.to_string(),
            "title": inc.title,
            "summary": inc.message,
            "scope": inc.subject,
            "measure": inc.measure,
            "was": c.was,
            "metrics": numbers,
            "evidence": evidence,
        }));
    }
    json!({
        "schema": "mailrep.alert/v1",
        "host": a.host,
        "date": a.date.to_string(),
        "generated": a.generated,
        "open": a.open,
        "incidents": incidents,
        "resolved": resolved,
        "report": a.report,
        "text": plain_text(a, usize::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::incident::Incident;
    use mailrep_core::Date;
    use mailrep_core::verdict::{Numbers, Subject, Verdict};

    fn change(state: State, n: usize) -> Change {
        let d = Date::parse("2026-11-20").unwrap();
        let v = Verdict {
            id: "delivery.throttled".into(),
            severity: Severity::Warning,
            subject: Subject::default(),
            message: format!(
                "Microsoft <mx{n}> on 2026-11-20: 78.0 % throttled (1,204 of 1,544 attempts)"
            ),
            numbers: Numbers {
                count: 1204,
                total: 1544,
                percent: 78.0,
                threshold: 70.0,
            },
            evidence: vec!["1,102x 4.7.650: 451 4.7.650 rate limited & <S775>".into()],
        };
        Change {
            state,
            incident: Incident {
                key: format!("delivery.throttled:microsoft:{n}"),
                rule: v.id.clone(),
                severity: v.severity,
                subject: Subject::default(),
                title: format!("Microsoft throttling 203.0.113.{n}"),
                message: v.message.clone(),
                since: d.add_days(-7),
                last_seen: d,
                last_evaluated: d,
                measure: 78.0,
                notified_measure: 78.0,
                notified_severity: v.severity,
                clean_evaluations: 0,
            },
            verdict: (state != State::Resolved).then_some(v),
            was: (state != State::New).then_some(3.2),
        }
    }

    fn announcement(changes: &[Change], plain: bool) -> Announcement<'_> {
        Announcement {
            host: "mx1",
            date: Date::parse("2026-11-20").unwrap(),
            generated: "2026-11-21T06:10:00Z".into(),
            changes: changes.iter().collect(),
            open: 1,
            report: Some("/var/lib/mailrep/report.html"),
            plain,
            test: false,
        }
    }

    #[test]
    fn telegram_html_escapes_and_rolls_up() {
        let changes = [change(State::New, 94), change(State::Resolved, 95)];
        let text = telegram_html(&announcement(&changes, false));
        assert_eq!(
            text,
            "<b>mailrep · mx1 · 2026-11-20: 1 new, 1 resolved; 1 open</b>\n\n\
             🟠 <b>WARN · Microsoft throttling 203.0.113.94</b>\n\
             Microsoft &lt;mx94&gt; on 2026-11-20: 78.0 % throttled (1,204 of 1,544 attempts).\n\
             <code>1,102x 4.7.650: 451 4.7.650 rate limited &amp; &lt;S775&gt;</code>\n\n\
             🟢 Resolved: Microsoft throttling 203.0.113.95 (was 3.2 %), open since 2026-11-13\n\n\
             Report: /var/lib/mailrep/report.html"
        );
    }

    #[test]
    fn plain_variant_has_no_emoji_and_worse_says_since() {
        let changes = [change(State::Worse, 94)];
        let text = plain_text(&announcement(&changes, true), usize::MAX);
        assert!(
            text.contains("WARN · worse · Microsoft throttling 203.0.113.94"),
            "{text}"
        );
        assert!(
            text.contains("Since 2026-11-13 (day 8), was 3.2 % when notified."),
            "{text}"
        );
        assert!(!text.contains('🟠'));
        assert!(text.contains("<mx94>"), "plain text is not escaped: {text}");
    }

    #[test]
    fn long_rollups_are_truncated_within_the_limit() {
        let changes: Vec<Change> = (0..200).map(|n| change(State::New, n)).collect();
        let a = announcement(&changes, false);
        let text = telegram_html(&a);
        assert!(text.chars().count() <= TELEGRAM_MAX_CHARS, "{}", text.len());
        assert!(text.contains("more (see report)"));
        assert!(text.ends_with("Report: /var/lib/mailrep/report.html"));
        let discord = plain_text(&a, DISCORD_MAX_CHARS);
        assert!(discord.chars().count() <= DISCORD_MAX_CHARS);
    }

    #[test]
    fn webhook_json_shape() {
        let changes = [change(State::New, 94), change(State::Resolved, 95)];
        let v = webhook_json(&announcement(&changes, false));
        assert_eq!(v["schema"], "mailrep.alert/v1");
        assert_eq!(v["incidents"][0]["state"], "new");
        assert_eq!(v["incidents"][0]["severity"], "warning");
        assert_eq!(v["incidents"][0]["metrics"]["total"], 1544);
        assert_eq!(v["resolved"][0]["key"], "delivery.throttled:microsoft:95");
        assert_eq!(v["resolved"][0]["was"], 3.2);
        assert!(v["text"].as_str().unwrap().starts_with("mailrep · mx1"));
    }
}
