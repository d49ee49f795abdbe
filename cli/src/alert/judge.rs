//! Verdicts over the stored history, with the core's rules (`mailrep_core::verdict`): delivery
//! rules for one day (per provider, overall and per sending IP), `delivery.regression`
//! against the trailing median of the days before it, DMARC rules over the 7 days ending
//! that day.

use std::collections::BTreeMap;

use mailrep_core::dmarc::DmarcFindings;
use mailrep_core::postfix::aggregate::{DailyRow, DeliveryFindings};
use mailrep_core::verdict::{self, Verdict};
use mailrep_core::{Config, Date};

/// Days of DMARC rows judged together, ending on the evaluated date (the seed digest's week).
pub(crate) const DMARC_WINDOW_DAYS: i64 = 7;

/// First day of delivery rows needed to judge `date` (the regression's trailing window).
pub(crate) fn delivery_window_start(date: Date, config: &Config) -> Date {
    date.add_days(-i64::from(config.thresholds.regression_window_days))
}

/// First day of the DMARC window ending on `date`.
pub(crate) fn dmarc_window_start(date: Date) -> Date {
    date.add_days(1 - DMARC_WINDOW_DAYS)
}

/// Display names of provider ids: configured providers first, then the embedded table.
pub(crate) fn provider_names(config: &Config) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    let defaults = mailrep_core::postfix::rules::default_table();
    for p in config.rules.providers.iter().chain(&defaults.providers) {
        if !p.name.is_empty() {
            names.entry(p.id.clone()).or_insert_with(|| p.name.clone());
        }
    }
    names
}

/// Delivery verdicts of `date` from the daily rows of its trailing window.
pub(crate) fn delivery(rows: Vec<DailyRow>, date: Date, config: &Config) -> Vec<Verdict> {
    let start = delivery_window_start(date, config);
    let names = provider_names(config);
    let mut daily: Vec<DailyRow> = rows
        .into_iter()
        .filter(|r| r.date >= start && r.date <= date)
        .collect();
    daily.sort_by(|a, b| {
        (
            a.date,
            &a.host,
            &a.sending_ip,
            &a.provider,
            a.outcome,
            &a.reason_code,
        )
            .cmp(&(
                b.date,
                &b.host,
                &b.sending_ip,
                &b.provider,
                b.outcome,
                &b.reason_code,
            ))
    });
    let provider_names = daily
        .iter()
        .filter_map(|r| {
            names
                .get(&r.provider)
                .map(|n| (r.provider.clone(), n.clone()))
        })
        .collect();
    let findings = DeliveryFindings {
        daily,
        provider_names,
        ..DeliveryFindings::default()
    };
    verdict::delivery_verdicts(&findings, &config.thresholds)
        .into_iter()
        .filter(|v| v.subject.date == Some(date))
        .collect()
}

/// DMARC verdicts over the rows of the window ending on `date`.
pub(crate) fn dmarc(mut findings: DmarcFindings, date: Date, config: &Config) -> Vec<Verdict> {
    let start = dmarc_window_start(date);
    findings
        .by_source
        .retain(|r| r.date >= start && r.date <= date);
    verdict::dmarc_verdicts(&findings, &config.thresholds)
}

/// A short title for a verdict: `Microsoft throttling 203.0.113.94`.
pub(crate) fn title(v: &Verdict, names: &BTreeMap<String, String>) -> String {
    let s = &v.subject;
    let provider = s
        .provider
        .as_deref()
        .map_or("?", |p| names.get(p).map_or(p, String::as_str));
    let on_ip = match s.sending_ip.as_deref() {
        Some("") => " on an unknown sending IP".to_owned(),
        Some(ip) => format!(" on {ip}"),
        None => String::new(),
    };
    let src = s.source_ip.as_deref().unwrap_or("?");
    let domain = s.domain.as_deref().unwrap_or("our domains");
    match v.id.as_str() {
        "delivery.reputation_rejects" => format!("{provider} reputation rejects{on_ip}"),
        "delivery.throttled" => format!("{provider} throttling{on_ip}"),
        "delivery.auth_rejects" => format!("{provider} authentication rejects{on_ip}"),
        "delivery.regression" => format!("{provider} acceptance regression"),
        "dmarc.own_alignment" => format!("DMARC alignment of our IP {src} ({domain})"),
        "dmarc.spoofing" => format!("Possible spoofing of {domain} from {src}"),
        other => format!("{other} {provider}{on_ip}"),
    }
}
