//! Helpers of the database tests: generated logs cut into rotations, `mailrep ingest` runs,
//! and the table contents to compare.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    dead_code,
    unreachable_pub,
    reason = "test support"
)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// Daily-row key: (date, host, sending_ip, provider, outcome, reason_code).
pub type Key = (String, String, String, String, String, String);

/// The project's examples folder.
pub fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// A temp dir for one test.
pub fn temp_dir(label: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mailrep-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A generated log (`gen-postfix-log --lines n --seed s [--lines-per-day d]`) as lines (with
/// `\n`), and its truth file, or `None` when the shared bench folder is absent.
pub fn generated(
    n: usize,
    seed: u64,
    per_day: Option<usize>,
    dir: &Path,
) -> Option<(Vec<Vec<u8>>, serde_json::Value)> {
    let bench = mailrep_tests::shared_dir("bench")?;
    let log = dir.join("generated.log");
    let truth = dir.join("truth.json");
    let status = Command::new("python3")
        .arg(bench.join("gen-postfix-log"))
        .args(["--lines", &n.to_string(), "--seed", &seed.to_string()])
        .args(per_day.map(|d| format!("--lines-per-day={d}")))
        .arg("--truth")
        .arg(&truth)
        .arg("-o")
        .arg(&log)
        .stderr(Stdio::null())
        .status()
        .expect("python3 runs the generator");
    assert!(status.success());
    let bytes = std::fs::read(&log).unwrap();
    let lines = bytes
        .split_inclusive(|b| *b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    let truth = serde_json::from_slice(&std::fs::read(&truth).unwrap()).unwrap();
    Some((lines, truth))
}

/// Lines `a..b` joined.
pub fn join(lines: &[Vec<u8>], a: usize, b: usize) -> Vec<u8> {
    lines[a..b].concat()
}

/// Gzip of `data`.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// The example configuration (sending IPs per service) with the reference date moved to the
/// end of 2026, so generated logs of several days keep their year.
pub fn config() -> PathBuf {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let text = std::fs::read_to_string(examples().join("mailrep.toml")).unwrap();
        let text = text.replace(
            "reference_date = \"2026-11-21\"",
            "reference_date = \"2026-12-31\"",
        );
        assert!(text.contains("2026-12-31"));
        let p = std::env::temp_dir().join(format!("mailrep-test-{}.toml", std::process::id()));
        std::fs::write(&p, text).unwrap();
        p
    })
    .clone()
}

/// `mailrep ingest --json` arguments common to the tests (see [`config`]).
pub fn ingest_args(url: &str, params: Option<&str>) -> Vec<String> {
    let mut v = vec![
        "ingest".to_owned(),
        "--json".to_owned(),
        "--database-url".to_owned(),
        url.to_owned(),
        "-c".to_owned(),
        config().display().to_string(),
    ];
    if let Some(p) = params {
        v.push(format!("--ledger-params={p}"));
    }
    v
}

/// Runs `mailrep ingest` on `inputs` (paths or `-`), with `stdin` bytes.
pub fn ingest(url: &str, params: Option<&str>, inputs: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = spawn(url, params, inputs, stdin.is_some());
    if let Some(b) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        let _ = pipe.write_all(b);
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "mailrep ingest {inputs:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Starts `mailrep ingest` without waiting.
pub fn spawn(url: &str, params: Option<&str>, inputs: &[&str], piped: bool) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailrep"));
    cmd.args(ingest_args(url, params))
        .args(inputs)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if piped { Stdio::piped() } else { Stdio::null() });
    cmd.spawn().unwrap()
}

/// The summary JSON of an ingest run.
pub fn summary(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("ingest --json summary")
}

/// `mail_reputation_daily` as key -> (attempts, final). Rows of attributed `status=expired`
/// lines (reason `expired`) are left out: attributing one needs its queue id's deferral in
/// the same run, so they depend on how the inputs were grouped into runs.
pub fn daily(url: &str) -> BTreeMap<Key, (i64, i64)> {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    c.query(
        "SELECT log_date::text, host, sending_ip, receiver, outcome, reason_code,
                msg_count, final_count
         FROM mail_reputation_daily WHERE reason_code <> 'expired'",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| {
        (
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)),
            (r.get(6), r.get(7)),
        )
    })
    .collect()
}

/// The reference: one clean ingest of the whole log (as one file) into a fresh database.
pub fn clean_daily(label: &str, whole: &Path) -> BTreeMap<Key, (i64, i64)> {
    let url = mailrep_tests::pg::fresh_database(label).unwrap();
    ingest(&url, None, &[whole.to_str().unwrap()], None);
    daily(&url)
}

/// Attempts per (date, provider) of the generator's truth, egress only (see
/// `tests/tests/truth.rs` for the mapping).
pub fn truth_attempts(truth: &serde_json::Value) -> BTreeMap<(String, String), i64> {
    const EGRESS: [&str; 4] = [
        "postfix/out05/smtp",
        "postfix/out06/smtp",
        "postfix/hcout1/smtp",
        "postfix/smtp",
    ];
    let mut m = BTreeMap::new();
    for c in truth["counts"].as_array().unwrap() {
        let provider = c["provider"].as_str().unwrap();
        if !EGRESS.contains(&c["transport"].as_str().unwrap())
            || matches!(provider, "internal" | "local")
            || c["status"] == "expired"
        {
            continue;
        }
        let key = (
            c["date"].as_str().unwrap().to_owned(),
            c["target_provider"].as_str().unwrap().to_owned(),
        );
        *m.entry(key).or_default() += c["count"].as_i64().unwrap();
    }
    m
}

/// Attempts per (date, provider) of a daily table.
pub fn by_date_provider(d: &BTreeMap<Key, (i64, i64)>) -> BTreeMap<(String, String), i64> {
    let mut m = BTreeMap::new();
    for (k, (n, _)) in d {
        *m.entry((k.0.clone(), k.3.clone())).or_default() += n;
    }
    m.retain(|_, v| *v != 0);
    m
}
