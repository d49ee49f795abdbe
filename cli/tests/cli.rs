//! The `mailrep` binary end to end on the project's example data.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::path::PathBuf;
use std::process::{Command, Output};

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn mailrep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mailrep"))
        .args(args)
        .current_dir(examples())
        .output()
        .expect("mailrep runs")
}

/// `mailrep analyze --format json` of one example input with the example configuration.
fn analyze_json(input: &str) -> serde_json::Value {
    let out = mailrep(&["analyze", "-f", "json", "-q", "-c", "mailrep.toml", input]);
    serde_json::from_slice(&out.stdout).expect("findings json")
}

const EXAMPLE: [&str; 6] = [
    "-c",
    "mailrep.toml",
    "mail.log.1.gz",
    "mail.log",
    "reports",
    "-q",
];

#[test]
fn analyze_json_has_the_contract_fields() {
    let mut args = vec!["analyze", "--format", "json"];
    args.extend(EXAMPLE);
    let out = mailrep(&args);
    let f: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(f["schema_version"], 1);
    let inputs = f["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 5);
    assert_eq!(inputs[0]["name"], "mail.log.1.gz");
    assert_eq!(inputs[0]["kind"], "postfix_log_gzip");
    assert_eq!(inputs[1]["kind"], "postfix_log");
    assert!(inputs[0]["bytes"].as_u64().unwrap() > 1_000_000);
    let row = &f["delivery"]["daily"][0];
    for k in [
        "date",
        "host",
        "sending_ip",
        "provider",
        "outcome",
        "reason_code",
        "attempts",
        "final",
        "sample_reply",
    ] {
        assert!(!row[k].is_null(), "daily row lacks {k}");
    }
    let reports = f["dmarc"]["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 3);
    for r in reports {
        for k in [
            "org_name",
            "report_id",
            "policy_domain",
            "date_begin",
            "date_end",
            "records",
            "messages",
            "failing",
            "input",
        ] {
            assert!(!r[k].is_null(), "report lacks {k}");
        }
    }
    let yahoo = reports
        .iter()
        .find(|r| r["org_name"] == "Yahoo")
        .expect("yahoo report");
    assert_eq!(
        (
            yahoo["records"].as_u64(),
            yahoo["messages"].as_u64(),
            yahoo["failing"].as_u64()
        ),
        (Some(3), Some(684), Some(120))
    );
    let ids: Vec<&str> = f["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"dmarc.own_alignment"), "{ids:?}");
    assert!(ids.contains(&"dmarc.spoofing"), "{ids:?}");
    for v in f["verdicts"].as_array().unwrap() {
        for k in ["id", "severity", "subject", "message"] {
            assert!(!v[k].is_null());
        }
    }
    assert!(f["diagnostics"].is_array());
    // A critical verdict is raised: exit status 2.
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn analyze_text_puts_verdicts_first() {
    let mut args = vec!["analyze"];
    args.extend(EXAMPLE);
    let out = mailrep(&args);
    let text = String::from_utf8(out.stdout).unwrap();
    let verdicts = text.find("VERDICTS").unwrap();
    for section in [
        "OUTCOMES BY PROVIDER",
        "OUTCOMES BY SENDING IP",
        "DMARC (",
        "DATA QUALITY",
    ] {
        let at = text
            .find(section)
            .unwrap_or_else(|| panic!("missing {section}:\n{text}"));
        assert!(at > verdicts);
    }
    assert!(text.contains("CRIT  203.0.113.95 (ours)"), "{text}");
    // Policy readiness per header_from domain: already at p=reject, with our failing mail named.
    assert!(
        text.contains(
            "  readiness northwind-freight.com: Enforced: p=reject for all messages; 120 of our messages fail DMARC (investigate) (now p=reject)"
        ),
        "{text}"
    );
}

#[test]
fn csv_has_a_header_and_rows() {
    let mut args = vec!["analyze", "--format", "csv"];
    args.extend(EXAMPLE);
    let out = mailrep(&args);
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("date,host,sending_ip,provider,outcome,reason_code,attempts,final,sample_reply")
    );
    assert!(lines.count() > 10);
}

#[test]
fn explain_prints_one_json_line_per_attempt() {
    let out = mailrep(&["explain", "-c", "mailrep.toml", "mail.log"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut n = 0;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["counted"], true);
        assert!(v["rule"].is_string() && v["outcome"].is_string() && v["provider"].is_string());
        n += 1;
    }
    // mail.log alone: every egress attempt is explained, exactly as analyze counts them.
    let f = analyze_json("mail.log");
    assert_eq!(n, f["inputs"][0]["log"]["attempts"].as_u64().unwrap());
}

#[test]
fn bad_config_or_no_readable_input_cannot_run() {
    let dir = std::env::temp_dir().join(format!("mailrep-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[thresholds]\nreputation_reject_percent = 5\n").unwrap();
    let out = mailrep(&["analyze", "-c", bad.to_str().unwrap(), "mail.log"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reputation_reject_percent"));
    let out = mailrep(&["analyze", "/nonexistent/mail.log"]);
    assert_eq!(out.status.code(), Some(3));
    let out = mailrep(&["analyze", "--format", "nope", "mail.log"]);
    assert_eq!(out.status.code(), Some(3));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stdin_gives_the_same_counts_as_the_file() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailrep"))
        .args(["analyze", "-f", "json", "-q", "-c", "mailrep.toml", "-"])
        .current_dir(examples())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let bytes = std::fs::read(examples().join("mail.log.1.gz")).unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    let from_stdin: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let from_file = analyze_json("mail.log.1.gz");
    assert_eq!(
        from_stdin["delivery"]["daily"],
        from_file["delivery"]["daily"]
    );
    assert_eq!(from_stdin["inputs"][0]["name"], "-");
}

#[test]
fn config_example_parses() {
    let out = mailrep(&["config", "example"]);
    assert_eq!(out.status.code(), Some(0));
    let dir = std::env::temp_dir().join(format!("mailrep-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("mailrep.toml");
    std::fs::write(&f, &out.stdout).unwrap();
    let check = mailrep(&["config", "check", f.to_str().unwrap()]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn html_report_is_the_core_rendering_of_the_json_findings() {
    let mut args = vec!["analyze", "--format", "html"];
    args.extend(EXAMPLE);
    let html = String::from_utf8(mailrep(&args).stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..100]);
    assert!(!html.to_ascii_lowercase().contains("<script"));
    for id in [
        "verdicts",
        "providers",
        "trend",
        "ips",
        "replies",
        "dmarc-sources",
        "quality",
    ] {
        assert!(
            html.contains(&format!("<section id=\"{id}\">")),
            "no section {id}"
        );
    }
    let mut args = vec!["analyze", "--format", "json"];
    args.extend(EXAMPLE);
    let json = String::from_utf8(mailrep(&args).stdout).unwrap();
    let findings = mailrep_core::Findings::from_json(&json).unwrap();
    assert_eq!(html, mailrep_core::report::html::render(&findings));
}

#[test]
fn redact_public_pseudonymizes_our_sending_ips() {
    let mut args = vec!["analyze", "--format", "json", "--redact", "public"];
    args.extend(EXAMPLE);
    let out = mailrep(&args);
    let json = String::from_utf8(out.stdout).unwrap();
    assert!(
        !json.contains("203.0.113.95"),
        "our IP left in public findings"
    );
    assert!(json.contains("\"preset\": \"public\""));
    let bad = mailrep(&["analyze", "--redact", "secret", "mail.log"]);
    assert_eq!(bad.status.code(), Some(3));
}
