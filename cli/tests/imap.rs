//! `mailrep fetch-imap` against a real Dovecot started by `scripts/imap-test-server`
//! (loopback, private CA), with real corpus report messages appended over IMAP.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

#[path = "support/imap.rs"]
mod imapsrv;

use std::path::PathBuf;
use std::process::{Command, Output};

use imapsrv::{append, flags, folder, not_a_report, session, wrap};

fn corpus(name: &str) -> Vec<u8> {
    let dir = mailrep_tests_shared().join("corpus/dmarc/dev");
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn mailrep_tests_shared() -> PathBuf {
    if let Some(p) = std::env::var_os("MAILREP_SHARED") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

fn fetch(e: &imapsrv::Env, folder: &str, extra: &[&str], config: Option<&str>) -> Output {
    let dir = std::env::temp_dir().join(format!("mailrep-imap-{}-{folder}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("mailrep.toml");
    std::fs::write(&cfg, config.unwrap_or("")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mailrep"))
        .arg("fetch-imap")
        .arg("-c")
        .arg(&cfg)
        .args(["--host", &e.host, "--user", &e.user, "--folder", folder])
        .args(["--ca-file", &e.ca])
        .args(extra)
        .env("MAILREP_IMAP_PASSWORD", &e.password)
        .env_remove("MAILREP_IMAP_HOST")
        .env_remove("MAILREP_IMAP_USER")
        .env_remove("MAILREP_CONFIG")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Two real report messages, a zipped report wrapped in MIME, and a message without a report.
fn fill(s: &mut imap::Session<imapsrv::TlsStream>, f: &str) {
    append(s, f, &corpus("google.eml"));
    append(s, f, &corpus("yahoo.eml"));
    append(
        s,
        f,
        &wrap(
            "google.com!keltia.net!1538438400!1538524799.zip",
            "application/zip",
            &corpus("google.com!keltia.net!1538438400!1538524799.zip"),
        ),
    );
    append(s, f, &not_a_report());
}

#[test]
fn dry_run_over_imaps_reads_every_report_and_marks_nothing() {
    let Some(e) = imapsrv::env() else { return };
    let mut s = session(&e);
    let f = folder(&mut s, "dry");
    fill(&mut s, &f);
    let port = e.imaps.to_string();
    let out = fetch(&e, &f, &["--port", &port, "--dry-run"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains(
            "4 message(s) unseen; 3 processed (3 new report(s)); 1 without a report; 0 failed"
        ),
        "{}",
        stdout(&out)
    );
    assert!(flags(&mut s, &f).iter().all(|(_, seen)| !seen));
}

#[test]
fn dry_run_over_starttls() {
    let Some(e) = imapsrv::env() else { return };
    let mut s = session(&e);
    let f = folder(&mut s, "starttls");
    append(&mut s, &f, &corpus("mailru.eml"));
    let port = e.imap.to_string();
    let out = fetch(&e, &f, &["--port", &port, "--starttls", "--dry-run"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("1 message(s) unseen; 1 processed (1 new report(s))"));
}

#[test]
fn an_untrusted_certificate_or_a_wrong_password_cannot_run() {
    let Some(e) = imapsrv::env() else { return };
    let port = e.imaps.to_string();
    // Without the private CA, the Mozilla roots do not trust the test server.
    let out = Command::new(env!("CARGO_BIN_EXE_mailrep"))
        .args([
            "fetch-imap",
            "--host",
            &e.host,
            "--user",
            &e.user,
            "--port",
            &port,
        ])
        .args(["--dry-run"])
        .env("MAILREP_IMAP_PASSWORD", &e.password)
        .env_remove("MAILREP_CONFIG")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("TLS handshake"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_mailrep"))
        .args([
            "fetch-imap",
            "--host",
            &e.host,
            "--user",
            &e.user,
            "--port",
            &port,
        ])
        .args(["--ca-file", &e.ca, "--dry-run"])
        .env("MAILREP_IMAP_PASSWORD", "wrong")
        .env_remove("MAILREP_CONFIG")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("IMAP login as mailrep failed"), "{err}");
    assert!(!err.contains(&e.password));
}
