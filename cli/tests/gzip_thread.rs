//! A gzip input is decoded on a second thread by the CLI (`cli/src/inflate.rs`): its findings
//! must be byte-identical to the core's own inline gzip layer, and count what the plain file
//! counts.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use mailrep_core::{Analyzer, Config, Date};

const REFERENCE: &str = "2026-12-02";

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// `mailrep analyze --format json` of one file (default configuration, fixed reference date).
fn cli_json(path: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_mailrep"))
        .args([
            "analyze",
            "-q",
            "--format",
            "json",
            "--reference-date",
            REFERENCE,
        ])
        .arg(path)
        .output()
        .expect("mailrep runs");
    String::from_utf8(out.stdout).unwrap()
}

/// The core's inline path: the file pushed in the CLI's 256 KiB chunks.
fn inline_json(name: &str, bytes: &[u8]) -> String {
    let mut a = Analyzer::new(Config::default()).unwrap();
    a.begin_input(name, Date::parse(REFERENCE).unwrap());
    for c in bytes.chunks(256 << 10) {
        a.push(c);
    }
    a.finish().to_json()
}

#[test]
fn threaded_gzip_is_byte_identical_to_the_inline_path_and_counts_the_plain_file() {
    let log = std::fs::read(examples().join("mail.log")).unwrap();
    // Three members (cut inside lines) and trailing garbage.
    let (first, rest) = log.split_at(log.len() / 3);
    let (second, third) = rest.split_at(rest.len() / 2);
    let mut gz = gzip(first);
    gz.extend(gzip(second));
    gz.extend(gzip(third));
    gz.extend(b"\r\n\0garbage after the last member");
    let dir = std::env::temp_dir().join(format!("mailrep-gzip-thread-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let gz_path = dir.join("mail.log.2.gz");
    let plain_path = dir.join("mail.log");
    std::fs::write(&gz_path, &gz).unwrap();
    std::fs::write(&plain_path, &log).unwrap();

    let threaded = cli_json(&gz_path);
    let name = gz_path.display().to_string();
    assert_eq!(
        threaded,
        inline_json(&name, &gz),
        "threaded vs inline gunzip"
    );

    let f: serde_json::Value = serde_json::from_str(&threaded).unwrap();
    let plain: serde_json::Value = serde_json::from_str(&cli_json(&plain_path)).unwrap();
    assert_eq!(f["inputs"][0]["kind"], "postfix_log_gzip");
    assert_eq!(f["inputs"][0]["bytes"], gz.len() as u64);
    assert_eq!(f["inputs"][0]["log"], plain["inputs"][0]["log"]);
    assert_eq!(f["delivery"], plain["delivery"]);
    assert_eq!(f["verdicts"], plain["verdicts"]);
    assert!(
        f["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "input.gzip_trailing_garbage"),
        "{}",
        f["diagnostics"]
    );

    // A corrupt stream: the error names the input and the position, as inline.
    let mut bad = gzip(&log);
    let mid = bad.len() / 2;
    bad[mid] ^= 0xff;
    bad[mid + 1] ^= 0xff;
    let bad_path = dir.join("broken.gz");
    std::fs::write(&bad_path, &bad).unwrap();
    let name = bad_path.display().to_string();
    assert_eq!(
        cli_json(&bad_path),
        inline_json(&name, &bad),
        "corrupt gzip"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
