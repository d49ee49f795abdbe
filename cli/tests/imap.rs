//! `mailrep fetch-imap` against a real Dovecot started by `scripts/imap-test-server`
//! (loopback, private CA), with real corpus report messages appended over IMAP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    reason = "tests fail loudly and show the output of the commands they run"
)]

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

fn db_count(url: &str, sql: &str) -> i64 {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    c.query_one(sql, &[]).unwrap().get(0)
}

#[test]
fn reports_are_committed_before_messages_are_marked_seen() {
    let Some(e) = imapsrv::env() else { return };
    let Some(db) = mailrep_tests::pg::fresh_database("imap_ingest") else {
        return;
    };
    let mut s = session(&e);
    let f = folder(&mut s, "ingest");
    fill(&mut s, &f);
    let port = e.imaps.to_string();
    let args = ["--port", &port, "--database-url", &db];
    let out = fetch(&e, &f, &args, None);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains(
            "4 message(s) unseen; 3 processed (3 new report(s)); 1 without a report; 0 failed"
        ),
        "{}",
        stdout(&out)
    );
    assert_eq!(db_count(&db, "SELECT count(*) FROM dmarc_report"), 3);
    assert!(db_count(&db, "SELECT count(*) FROM dmarc_record") >= 3);
    assert_eq!(
        db_count(
            &db,
            "SELECT count(*) FROM dmarc_report WHERE blob_id IS NULL"
        ),
        0,
        "the original bytes are kept"
    );
    let seen: Vec<bool> = flags(&mut s, &f).into_iter().map(|x| x.1).collect();
    assert_eq!(
        seen,
        [true, true, true, false],
        "the message without a report is left alone"
    );

    // Next run: only the message without a report is unseen; nothing stored twice.
    let out = fetch(&e, &f, &args, None);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out)
            .contains("1 message(s) unseen; 0 processed (0 new report(s)); 1 without a report")
    );
    // --all reads everything again: the reports are already stored.
    let mut all = args.to_vec();
    all.push("--all");
    let out = fetch(&e, &f, &all, None);
    assert!(
        stdout(&out).contains("4 message(s) in the folder; 3 processed (0 new report(s))"),
        "{}",
        stdout(&out)
    );
    assert_eq!(db_count(&db, "SELECT count(*) FROM dmarc_report"), 3);
}

#[test]
fn a_failed_commit_leaves_the_message_unseen_for_the_next_run() {
    let Some(e) = imapsrv::env() else { return };
    let Some(db) = mailrep_tests::pg::fresh_database("imap_crash") else {
        return;
    };
    let migrate = Command::new(env!("CARGO_BIN_EXE_mailrep"))
        .args(["db", "migrate", "--database-url", &db])
        .output()
        .unwrap();
    assert!(migrate.status.success());
    // The commit of Yahoo's report fails (as if the database went away mid-ingest).
    let mut c = postgres::Client::connect(&db, postgres::NoTls).unwrap();
    c.batch_execute(
        "CREATE FUNCTION fail_yahoo() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
           IF NEW.org_name ILIKE '%yahoo%' THEN RAISE EXCEPTION 'injected failure'; END IF; \
           RETURN NEW; END $$; \
         CREATE TRIGGER fail_yahoo BEFORE INSERT ON dmarc_report \
           FOR EACH ROW EXECUTE FUNCTION fail_yahoo();",
    )
    .unwrap();
    let mut s = session(&e);
    let f = folder(&mut s, "crash");
    append(&mut s, &f, &corpus("google.eml"));
    append(&mut s, &f, &corpus("yahoo.eml"));
    let port = e.imaps.to_string();
    let args = ["--port", &port, "--database-url", &db];
    let out = fetch(&e, &f, &args, None);
    assert_eq!(out.status.code(), Some(5), "some messages failed");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("injected failure"), "{err}");
    assert!(err.contains(";UID=2: "), "names the message: {err}");
    assert!(err.contains("left unseen; retried next run"), "{err}");
    let seen: Vec<bool> = flags(&mut s, &f).into_iter().map(|x| x.1).collect();
    assert_eq!(seen, [true, false]);
    assert_eq!(db_count(&db, "SELECT count(*) FROM dmarc_report"), 1);
    assert_eq!(
        db_count(&db, "SELECT count(*) FROM dmarc_report_blob"),
        1,
        "rolled back"
    );

    c.batch_execute("DROP TRIGGER fail_yahoo ON dmarc_report")
        .unwrap();
    let out = fetch(&e, &f, &args, None);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("1 message(s) unseen; 1 processed (1 new report(s))"));
    let seen: Vec<bool> = flags(&mut s, &f).into_iter().map(|x| x.1).collect();
    assert_eq!(seen, [true, true]);
    assert_eq!(db_count(&db, "SELECT count(*) FROM dmarc_report"), 2);
}

#[test]
fn processed_and_other_messages_are_moved_when_configured() {
    let Some(e) = imapsrv::env() else { return };
    let Some(db) = mailrep_tests::pg::fresh_database("imap_move") else {
        return;
    };
    let mut s = session(&e);
    let f = folder(&mut s, "move");
    let done = format!("{f}_done");
    let other = format!("{f}_other");
    s.create(&done).unwrap();
    s.create(&other).unwrap();
    fill(&mut s, &f);
    let port = e.imaps.to_string();
    let cfg = format!(
        "[imap]\nprocessed_folder = \"{done}\"\nnon_report = \"move\"\nnon_report_folder = \"{other}\"\n"
    );
    let out = fetch(
        &e,
        &f,
        &["--port", &port, "--database-url", &db],
        Some(&cfg),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(imapsrv::count(&mut s, &f), 0);
    assert_eq!(imapsrv::count(&mut s, &done), 3);
    assert_eq!(imapsrv::count(&mut s, &other), 1);
    assert_eq!(db_count(&db, "SELECT count(*) FROM dmarc_report"), 3);
}
