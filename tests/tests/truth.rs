//! Generated-log truth (DESIGN §10 layer 3): `gen-postfix-log --truth` counts must equal
//! mailrep's exactly.
//!
//! The truth counts every `, status=` line by (date, transport, provider, target_provider,
//! status). mailrep counts egress delivery attempts: the four outbound transports, minus the
//! internal hub and the loopback content filter, minus qmgr `expired` lines (final outcomes,
//! not attempts). Its provider comes from the MX host, or for `relay=none` from the
//! `connect to HOST` host, then from the recipient domain; that is the generator's
//! `target_provider` for every attempt line.

use std::collections::BTreeMap;
use std::process::Command;

use mailrep_core::postfix::Outcome;
use mailrep_core::{Analyzer, Config, Date};

const EGRESS: [&str; 4] = [
    "postfix/out05/smtp",
    "postfix/out06/smtp",
    "postfix/hcout1/smtp",
    "postfix/smtp",
];

#[test]
fn generated_log_matches_truth_exactly() {
    let Some(bench) = mailrep_tests::shared_dir("bench") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("mailrep-truth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("mail.log");
    let truth = dir.join("truth.json");
    let status = Command::new("python3")
        .arg(bench.join("gen-postfix-log"))
        .args(["--lines", "500000", "--seed", "7", "--truth"])
        .arg(&truth)
        .arg("-o")
        .arg(&log)
        .status()
        .expect("python3 runs the generator");
    assert!(status.success());
    let bytes = std::fs::read(&log).unwrap();
    let truth: serde_json::Value = serde_json::from_slice(&std::fs::read(&truth).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);

    let mut expected: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut expected_sent: BTreeMap<(String, String), u64> = BTreeMap::new();
    for c in truth["counts"].as_array().unwrap() {
        let transport = c["transport"].as_str().unwrap();
        let provider = c["provider"].as_str().unwrap();
        if !EGRESS.contains(&transport)
            || matches!(provider, "internal" | "local")
            || c["status"] == "expired"
        {
            continue;
        }
        let key = (
            c["date"].as_str().unwrap().to_owned(),
            c["target_provider"].as_str().unwrap().to_owned(),
        );
        let n = c["count"].as_u64().unwrap();
        *expected.entry(key.clone()).or_default() += n;
        if c["status"] == "sent" {
            *expected_sent.entry(key).or_default() += n;
        }
    }

    let mut config = Config::default();
    config.egress.internal_relays = vec!["mailhub.corp.northwind-freight.com".into()];
    let reference = Date::new(2026, 12, 31).unwrap();
    let findings = Analyzer::analyze(config, &[("mail.log", &bytes)], reference).unwrap();
    let mut got: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut got_accepted: BTreeMap<(String, String), u64> = BTreeMap::new();
    for r in &findings.delivery.daily {
        let key = (r.date.to_string(), r.provider.clone());
        *got.entry(key.clone()).or_default() += r.attempts;
        if r.outcome == Outcome::Accepted {
            *got_accepted.entry(key).or_default() += r.attempts;
        }
    }
    let stats = &findings.delivery.stats;
    println!(
        "generated log: {} lines, {} attempts, {} skipped, {} unparsed; {} (date, provider) keys",
        stats.lines,
        stats.attempts,
        stats.skipped,
        stats.unparsed,
        expected.len()
    );
    assert_eq!(stats.unparsed, 0);
    assert_eq!(got, expected, "attempts per (date, provider)");
    assert_eq!(got_accepted, expected_sent, "accepted per (date, provider)");
}
