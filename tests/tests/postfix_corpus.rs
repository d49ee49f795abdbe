//! Postfix line and delivery parsing against the shared corpus:
//!
//! * (a) the postfix-grok-patterns YAML fixtures (message-only lines with expected fields);
//! * (b) every real log in `corpus/postfix/dev/`: zero unparsed delivery lines;
//! * (c) a log from the bench generator, cross-checked against its truth JSON.

// Integration tests read the corpus and run the generator: file and process I/O is the point.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use mailrep_core::postfix::delivery::{self, Delivery, Relay, Status};
use mailrep_core::postfix::line::{self, Stamp};

/// Programs whose `status=` lines are delivery attempts (or qmgr expiries).
const DELIVERY_PROGRAMS: [&str; 4] = ["smtp", "lmtp", "error", "qmgr"];

fn status_name(s: &str) -> Status {
    match s {
        "sent" => Status::Sent,
        "deferred" => Status::Deferred,
        "bounced" => Status::Bounced,
        "expired" | "force-expired" => Status::Expired,
        _ => Status::Other,
    }
}

/// `key=value` pairs of a grok `postfix_keyvalue_data` string.
fn keyvalues(kv: &str) -> BTreeMap<String, String> {
    kv.trim_end_matches(',')
        .split(", ")
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_owned(),
                v.trim().trim_end_matches(',').to_owned(),
            )
        })
        .collect()
}

fn check_relay(file: &str, d: &Delivery<'_>, want: &str) {
    match d.relay {
        Relay::None => assert_eq!(want, "none", "{file}"),
        Relay::Other(v) => assert_eq!(v, want, "{file}"),
        Relay::Host { name, addr, port } => {
            let s = match port {
                Some(p) => format!("{name}[{addr}]:{p}"),
                None => format!("{name}[{addr}]"),
            };
            assert_eq!(s, want, "{file}");
        }
    }
}

fn yaml_str(v: &serde_norway::Value) -> Option<String> {
    match v {
        serde_norway::Value::String(s) => Some(s.clone()),
        serde_norway::Value::Number(n) => Some(n.to_string()),
        serde_norway::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[test]
fn grok_fixtures() {
    let Some(corpus) = mailrep_tests::corpus() else {
        return;
    };
    let dir = corpus.join("postfix/dev/postfix-grok-patterns-tests");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(
        files.len() > 100,
        "expected the grok fixtures in {}",
        dir.display()
    );

    let (mut deliveries, mut non_deliveries, mut replies) = (0, 0, 0);
    for path in &files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let doc: serde_norway::Value = serde_norway::from_str(&text).unwrap();
        let pattern = doc.get("pattern").and_then(yaml_str).unwrap_or_default();
        let Some(data) = doc.get("data").and_then(yaml_str) else {
            continue;
        };
        let results: BTreeMap<String, String> = doc
            .get("results")
            .and_then(|r| r.as_mapping())
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((yaml_str(k)?, yaml_str(v)?)))
                    .collect()
            })
            .unwrap_or_default();
        let is_delivery_pattern = [
            "POSTFIX_SMTP}",
            "POSTFIX_LMTP}",
            "POSTFIX_ERROR}",
            "POSTFIX_QMGR}",
        ]
        .iter()
        .any(|p| pattern.contains(p));
        let parsed = delivery::parse(&data);

        // Every fixture, any pattern: a parse must agree with the expected fields, and a
        // line with a status and key-value data (or a qmgr from+status) must parse.
        // (tls_features_*: Postfix 3.10 `tls=` field; the fixtures give only the key-value data.)
        let expects_delivery = (results.contains_key("postfix_status")
            && (results.contains_key("postfix_keyvalue_data")
                || results.contains_key("postfix_from")))
            || (results.contains_key("postfix_keyvalue_data") && data.contains(", status="));
        if !expects_delivery {
            assert!(
                parsed.is_none(),
                "{file}: not a delivery line, parsed as {parsed:?}"
            );
            non_deliveries += 1;
            // Informational `host H[IP] said: … (in reply to … command)` lines: the reply
            // parser must agree with the expected response and stage.
            if let (Some(resp), Some(pos)) =
                (results.get("postfix_smtp_response"), data.find(" said: "))
            {
                let r = delivery::parse_reply(&data[pos + " said: ".len()..]);
                assert_eq!(r.text, resp, "{file}");
                assert_eq!(
                    r.command,
                    results.get("postfix_smtp_stage").map(String::as_str),
                    "{file}"
                );
                assert!(r.code.is_some(), "{file}");
                replies += 1;
            }
            continue;
        }
        let d = parsed.unwrap_or_else(|| panic!("{file}: delivery line not parsed: {data}"));
        deliveries += 1;
        assert_eq!(
            Some(d.queue_id),
            results.get("postfix_queueid").map(String::as_str),
            "{file}"
        );
        if let Some(st) = results.get("postfix_status") {
            assert_eq!(d.status, status_name(st), "{file}");
        }
        if let Some(from) = results.get("postfix_from") {
            // qmgr expiry: no recipient.
            assert_eq!(d.to, None, "{file} {from}");
            assert_eq!(d.status, Status::Expired, "{file}");
        }
        if let Some(kv) = results.get("postfix_keyvalue_data") {
            let kv = keyvalues(kv);
            if let Some(to) = kv.get("to") {
                let to = to.trim_start_matches('<').trim_end_matches('>');
                assert_eq!(d.to, Some(to), "{file}");
            }
            if let Some(orig) = kv.get("orig_to") {
                let orig = orig.trim_start_matches('<').trim_end_matches('>');
                assert_eq!(d.orig_to, Some(orig), "{file}");
            }
            if let Some(relay) = kv.get("relay") {
                check_relay(&file, &d, relay);
            }
            assert_eq!(d.dsn, kv.get("dsn").map(String::as_str), "{file}");
        }
        // The response / detail text, whatever the program (`postfix_smtp_response`,
        // `postfix_error_response`, `postfix_local_response`, `postfix_pipe_response`).
        for (k, v) in &results {
            if k.ends_with("_response") {
                assert_eq!(d.detail, v, "{file}: {k}");
            }
        }
        if file.starts_with("smtp_") || file.starts_with("lmtp_") || file.starts_with("error_") {
            assert!(is_delivery_pattern, "{file}");
        }
        // A quoted remote reply must carry a code.
        if let Some(r) = d.reply {
            assert!(r.code.is_some() || r.greeting, "{file}: {r:?}");
        }
    }
    println!(
        "grok fixtures: {} files, {deliveries} delivery lines checked, {non_deliveries} non-delivery lines (None), {replies} informational replies",
        files.len()
    );
    assert!(deliveries >= 10, "too few delivery fixtures: {deliveries}");
}

/// The text of a log file, gunzipped when it ends in `.gz`; invalid UTF-8 is replaced.
fn read_log(path: &Path) -> std::io::Result<String> {
    let raw = std::fs::read(path)?;
    let bytes = if path.extension().is_some_and(|x| x == "gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out)?;
        out
    } else {
        raw
    };
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A crude tag check independent of `line::parse`: ` …/smtp[`, ` …/lmtp[`, ` …/error[`,
/// ` …/qmgr[` anywhere in the line.
fn has_delivery_tag(line: &str) -> bool {
    DELIVERY_PROGRAMS
        .iter()
        .any(|p| line.contains(&format!("/{p}[")))
}

#[derive(Default, Debug)]
struct Counts {
    lines: usize,
    header_ok: usize,
    header_failed: usize,
    status_lines: usize,
    deliveries: usize,
    by_status: BTreeMap<String, usize>,
    by_tag: BTreeMap<String, usize>,
    unparsed: Vec<String>,
}

fn scan(text: &str, mut stamp_check: impl FnMut(&Stamp)) -> Counts {
    let mut c = Counts::default();
    for raw in text.lines() {
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        c.lines += 1;
        let parsed = line::parse(l);
        match &parsed {
            Ok(p) => {
                c.header_ok += 1;
                stamp_check(&p.stamp);
            }
            Err(_) => c.header_failed += 1,
        }
        let is_candidate = l.contains("status=") && has_delivery_tag(l);
        if !is_candidate {
            // Any delivery parse of another program's line must still be a consistent one.
            if let Ok(p) = &parsed
                && DELIVERY_PROGRAMS.contains(&p.program())
                && let Some(d) = delivery::parse(&p.message)
            {
                panic!("delivery without status=?: {l} -> {d:?}");
            }
            continue;
        }
        c.status_lines += 1;
        let Ok(p) = parsed else {
            c.unparsed.push(format!("header: {l}"));
            continue;
        };
        let Some(d) = delivery::parse(&p.message) else {
            c.unparsed.push(format!("delivery: {l}"));
            continue;
        };
        c.deliveries += 1;
        let status = format!("{:?}", d.status).to_lowercase();
        *c.by_status.entry(status).or_default() += 1;
        *c.by_tag.entry(p.tag.to_string()).or_default() += 1;
        // Consistency: qmgr lines are expiries without a recipient, others have one.
        if p.program() == "qmgr" {
            assert_eq!((d.to, d.status), (None, Status::Expired), "{l}");
        } else {
            assert!(d.to.is_some(), "{l}");
        }
        // The detail is a suffix-free slice of the line and the status word matches.
        assert!(l.contains(d.detail), "{l}");
        let word = l
            .split("status=")
            .nth(1)
            .unwrap_or("")
            .split([' ', ','])
            .next()
            .unwrap_or("");
        let mapped = match word {
            "sent" => Status::Sent,
            "deferred" | "SOFTBOUNCE" => Status::Deferred,
            "bounced" => Status::Bounced,
            "expired" | "force-expired" => Status::Expired,
            _ => Status::Other,
        };
        assert_eq!(d.status, mapped, "{l}");
        // Remote replies quoted with `host … said:` carry the command unless truncated.
        if let Some(r) = d.reply
            && !r.greeting
            && r.host.is_some()
            && l.ends_with("command))")
        {
            assert!(r.command.is_some(), "{l}");
        }
    }
    c
}

#[test]
fn real_logs_have_no_unparsed_delivery_lines() {
    let Some(corpus) = mailrep_tests::corpus() else {
        return;
    };
    let dir = corpus.join("postfix/dev");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.to_string_lossy().ends_with(".md"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut total_deliveries = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = read_log(path).unwrap();
        let fg = name.starts_with("fgforrest");
        let mut bad_years = 0usize;
        let c = scan(&text, |s| {
            if fg {
                match s {
                    Stamp::Dated { date, .. } if date.year == 2013 => {}
                    _ => bad_years += 1,
                }
            }
        });
        println!(
            "{name}: {} lines, header ok {} / failed {}, status= lines {}, deliveries {}, by status {:?}, by tag {:?}",
            c.lines,
            c.header_ok,
            c.header_failed,
            c.status_lines,
            c.deliveries,
            c.by_status,
            c.by_tag
        );
        for u in c.unparsed.iter().take(20) {
            println!("  unparsed {u}");
        }
        assert!(
            c.unparsed.is_empty(),
            "{name}: {} unparsed delivery lines",
            c.unparsed.len()
        );
        assert_eq!(bad_years, 0, "{name}: stamps without year 2013");
        if fg {
            // The FgForrest template is fully recognised.
            assert_eq!(c.header_failed, 0, "{name}");
        }
        if name == "fgforrest-real-mail.log.2.part1.gz" {
            // 5,611 sent + 2,921 deferred + 735 bounced (smtp/error) + 11 expired (qmgr).
            assert_eq!(c.deliveries, 9278, "{name}");
            assert_eq!(c.by_status.get("expired"), Some(&11), "{name}");
            assert_eq!(c.by_status.get("sent"), Some(&5611), "{name}");
        }
        total_deliveries += c.deliveries;
    }
    println!(
        "real logs: {} files, {total_deliveries} delivery lines, 0 unparsed",
        files.len()
    );
    assert!(total_deliveries > 9000);
}

#[test]
fn generated_log_parses_completely() {
    let gen_path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/gen-postfix-log");
    if !gen_path.is_file() {
        eprintln!(
            "notice: {} is absent; generated-log test skipped",
            gen_path.display()
        );
        return;
    }
    let tmp = std::env::temp_dir().join(format!("mailrep-postfix-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut checked = 0;
    for (format, extra) in [("bsd", None), ("rfc3339", Some("--tz=+02:00"))] {
        let log = tmp.join(format!("gen-{format}.log"));
        let truth = tmp.join(format!("gen-{format}.json"));
        let mut cmd = std::process::Command::new("python3");
        cmd.arg(&gen_path)
            .args(["--lines", "20000", "--seed", "7", "--format", format])
            .arg("--truth")
            .arg(&truth)
            .arg("-o")
            .arg(&log);
        if let Some(e) = extra {
            cmd.arg(e);
        }
        let out = match cmd.output() {
            Ok(o) => o,
            Err(e) => {
                eprintln!("notice: cannot run python3 ({e}); generated-log test skipped");
                return;
            }
        };
        assert!(
            out.status.success(),
            "generator failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&log).unwrap();
        let mut wrong_stamp = 0usize;
        let c = scan(&text, |s| {
            let ok = match (format, s) {
                ("bsd", Stamp::NoYear { month: 11 | 12, .. }) => true,
                ("rfc3339", Stamp::Dated { date, .. }) => date.year == 2026,
                _ => false,
            };
            if !ok {
                wrong_stamp += 1;
            }
        });
        println!(
            "generated ({format}): {} lines, header failed {}, status lines {}, deliveries {}, by status {:?}",
            c.lines, c.header_failed, c.status_lines, c.deliveries, c.by_status
        );
        for u in c.unparsed.iter().take(20) {
            println!("  unparsed {u}");
        }
        assert_eq!(
            c.header_failed, 0,
            "{format}: every generated line has a known header"
        );
        assert_eq!(wrong_stamp, 0, "{format}");
        assert!(
            c.unparsed.is_empty(),
            "{format}: {} unparsed delivery lines",
            c.unparsed.len()
        );
        // Every line with `, status=` is a delivery line we parsed.
        let status_lines = text.lines().filter(|l| l.contains(", status=")).count();
        assert_eq!(c.deliveries, status_lines, "{format}");

        // Cross-check with the generator's truth: totals by status and by transport.
        let t: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&truth).unwrap()).unwrap();
        assert_eq!(
            t["delivery_status_lines"].as_u64(),
            Some(c.deliveries as u64),
            "{format}"
        );
        let by_status = t["totals"]["by_status"].as_object().unwrap();
        for (k, v) in by_status {
            assert_eq!(
                c.by_status.get(k).copied().unwrap_or(0) as u64,
                v.as_u64().unwrap(),
                "{format} status {k}"
            );
        }
        let by_transport = t["totals"]["by_transport"].as_object().unwrap();
        for (k, v) in by_transport {
            assert_eq!(
                c.by_tag.get(k).copied().unwrap_or(0) as u64,
                v.as_u64().unwrap(),
                "{format} transport {k}"
            );
        }
        checked += c.deliveries;
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(checked > 5000, "{checked}");
}
