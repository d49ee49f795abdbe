//! `mailrep alert`: verdicts over the stored history, incident state, notifications.
//!
//! One run judges one date: delivery rules on that day's rows (per provider, overall and per
//! sending IP), `delivery.regression` against the trailing median, DMARC rules over the 7
//! days ending that day (after reverse DNS of failing external IPs, so forwarder PTR hints
//! apply). The verdicts are matched to the stored incidents ([`incident::evaluate`]); one
//! message rolls up what opened, worsened or resolved, goes to stdout and to every
//! notifier, and only when every notifier took it is the new incident state stored.

pub(crate) mod incident;
pub(crate) mod judge;
pub(crate) mod store;

use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use mailrep_core::{Config, Date, Severity};

use crate::args::AlertArgs;
use crate::notify::format::{self, Announcement};
use crate::notify::{Sender, Target};

/// Exit status: a notifier failed after its retries.
pub(crate) const EXIT_NOTIFY_FAILED: u8 = 4;

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a Unix time.
fn iso(t: i64) -> String {
    let s = t.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        Date::from_unix(t, 0),
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn host_label(config: &Config) -> String {
    if config.alert.host_label.is_empty() {
        dns_lookup::get_hostname().unwrap_or_else(|_| "mailrep".to_owned())
    } else {
        config.alert.host_label.clone()
    }
}

#[allow(clippy::print_stderr)]
fn warn(msg: &str) {
    eprintln!("mailrep: {msg}");
}

/// Sends to every target; returns how many failed (each reported on stderr).
fn send_all(config: &Config, targets: &[Target], a: &Announcement<'_>) -> usize {
    let sender = Sender::new(&config.alert);
    let mut failed = 0;
    for t in targets {
        if let Err(e) = sender.send(t, a) {
            warn(&format!("notification failed: {e}"));
            failed += 1;
        }
    }
    failed
}

/// Runs `mailrep alert`.
pub(crate) fn run(args: &AlertArgs) -> Result<u8> {
    let config = crate::read::load_config(args.config.as_deref())?;
    let targets = crate::notify::targets(&config.alert, |k| std::env::var(k).ok())?;
    let host = host_label(&config);
    let now = now_unix();
    if args.test_notifiers {
        return test_notifiers(&config, &targets, &host, now);
    }
    let date = match args.date.as_deref() {
        Some(s) => Date::parse(s).with_context(|| format!("--date {s:?}: expected YYYY-MM-DD"))?,
        None => Date::from_unix(now, 0).add_days(-1),
    };
    let url = args
        .database_url
        .as_deref()
        .context("no database: set DATABASE_URL or --database-url")?;
    let mut db = store::Store::open(url)?;

    let names = judge::provider_names(&config);
    let rows = db.delivery_rows(judge::delivery_window_start(date, &config), date)?;
    let delivery_data = rows.iter().any(|r| r.date == date);
    let delivery_history = !rows.is_empty();
    let mut verdicts = judge::delivery(rows, date, &config);
    let lookups = if args.no_dns || !config.alert.reverse_dns {
        None
    } else {
        Some(Duration::from_millis(
            config.alert.reverse_dns_timeout_ms.max(1),
        ))
    };
    let dmarc = db.dmarc_findings(judge::dmarc_window_start(date), date, &config, lookups)?;
    let dmarc_window = judge::dmarc_window_start(date);
    let dmarc_data = dmarc
        .by_source
        .iter()
        .any(|r| r.date >= dmarc_window && r.date <= date);
    if delivery_history && !delivery_data {
        warn(&format!(
            "no delivery rows stored for {date}: delivery incidents are left as they were (did the ingest run?)"
        ));
    }
    verdicts.extend(judge::dmarc(dmarc, date, &config));
    mailrep_core::verdict::sort(&mut verdicts);

    let open = db.open_incidents()?;
    let policy = incident::Policy {
        resolve_after: config.alert.resolve_after,
        worse_factor: config.alert.worse_factor,
    };
    let evaluation = incident::evaluate(
        open,
        &verdicts,
        date,
        policy,
        |v| judge::title(v, &names),
        |rule| {
            if rule.starts_with("dmarc.") {
                dmarc_data
            } else {
                delivery_data
            }
        },
    );
    let worst = evaluation.raised().map(|c| c.incident.severity).min();
    let status = match worst {
        Some(Severity::Critical) => 2,
        Some(Severity::Warning) => 1,
        Some(Severity::Info) | None => 0,
    };
    let announced: Vec<_> = evaluation.announced().collect();
    let open_count = evaluation.open().count();
    let mut out = std::io::stdout().lock();
    if announced.is_empty() {
        let raised = evaluation.raised().count();
        if raised == 0 && open_count == 0 {
            writeln!(out, "mailrep alert {host} {date}: healthy, nothing to send")?;
        } else {
            writeln!(
                out,
                "mailrep alert {host} {date}: {raised} verdict(s), {open_count} open incident(s), no change; nothing sent"
            )?;
        }
        if !args.dry_run {
            db.save_incidents(&evaluation)?;
        }
        return Ok(status);
    }
    let a = Announcement {
        host: &host,
        date,
        generated: iso(now),
        changes: announced,
        open: open_count,
        report: config.alert.report.as_deref(),
        plain: config.alert.plain,
        test: false,
    };
    writeln!(out, "{}", format::plain_text(&a, usize::MAX))?;
    drop(out);
    if args.dry_run {
        return Ok(status);
    }
    let failed = send_all(&config, &targets, &a);
    if failed > 0 {
        warn(&format!(
            "{failed} of {} notifier(s) failed; incident state kept, the next run sends again",
            targets.len()
        ));
        return Ok(EXIT_NOTIFY_FAILED);
    }
    db.save_incidents(&evaluation)?;
    Ok(status)
}

fn test_notifiers(config: &Config, targets: &[Target], host: &str, now: i64) -> Result<u8> {
    if targets.is_empty() {
        anyhow::bail!(
            "no notifier configured: set TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID, or [[alert.webhooks]]"
        );
    }
    let a = Announcement {
        host,
        date: Date::from_unix(now, 0),
        generated: iso(now),
        changes: Vec::new(),
        open: 0,
        report: None,
        plain: config.alert.plain,
        test: true,
    };
    let failed = send_all(config, targets, &a);
    let mut out = std::io::stdout().lock();
    for t in targets {
        writeln!(out, "{}", t.name())?;
    }
    writeln!(
        out,
        "{} of {} notifier(s) delivered",
        targets.len() - failed,
        targets.len()
    )?;
    Ok(if failed > 0 { EXIT_NOTIFY_FAILED } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso(1_795_282_079), "2026-11-21T17:27:59Z");
    }
}
