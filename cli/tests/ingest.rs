//! `mailrep ingest` and `mailrep db migrate` against a real PostgreSQL (the throwaway cluster
//! of `scripts/test`): the cron cases of exactly-once ingestion, DMARC idempotence, migrations.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "tests fail loudly and print their figures"
)]

mod support;

use std::path::Path;
use std::process::Command;

use support::*;

/// A generated log cut into four rotations; returns (dir, lines, cuts).
fn rotations(
    label: &str,
    n: usize,
    seed: u64,
) -> Option<(std::path::PathBuf, Vec<Vec<u8>>, Vec<usize>)> {
    let dir = temp_dir(label);
    let (lines, _) = generated(n, seed, None, &dir)?;
    let len = lines.len();
    let cuts = vec![0, len * 3 / 10, len / 2, len * 8 / 10, len];
    std::fs::write(dir.join("whole.log"), join(&lines, 0, len)).unwrap();
    Some((dir, lines, cuts))
}

fn write(dir: &Path, name: &str, data: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    p.display().to_string()
}

#[test]
fn cron_cases_count_every_line_once() {
    let Some((dir, lines, cuts)) = rotations("cron", 40_000, 11) else {
        return;
    };
    if mailrep_tests::pg::cluster_url().is_none() {
        return;
    }
    let whole = dir.join("whole.log");
    let clean = clean_daily("cron_clean", &whole);
    let total: i64 = clean.values().map(|v| v.0).sum();
    assert!(total > 3000, "{total} attempts");
    let f = |k: usize| join(&lines, cuts[k], cuts[k + 1]);
    let half = |k: usize| join(&lines, cuts[k], usize::midpoint(cuts[k], cuts[k + 1]));

    // 1. The same command daily with rotation (delaycompress): `zcat -f mail.log* | ingest -`,
    // also run twice a day while mail.log grows.
    let url = mailrep_tests::pg::fresh_database("cron_zcat").unwrap();
    for day in 0..4 {
        for current in [half(day), f(day)] {
            let mut stream = current.clone();
            for older in (0..day).rev() {
                stream.extend(f(older));
            }
            ingest(&url, None, &["-"], Some(&stream));
        }
    }
    assert_eq!(daily(&url), clean, "zcat -f mail.log* daily");

    // 2. File arguments, daily: mail.log mail.log.1 mail.log.2.gz (gzip rotations).
    let url = mailrep_tests::pg::fresh_database("cron_files").unwrap();
    for day in 0..4 {
        let mut args = vec![write(&dir, "mail.log", &half(day))];
        ingest(&url, None, &[&args[0]], None);
        args[0] = write(&dir, "mail.log", &f(day));
        if day >= 1 {
            args.push(write(&dir, "mail.log.1", &f(day - 1)));
        }
        if day >= 2 {
            args.push(write(&dir, "mail.log.2.gz", &gzip(&f(day - 2))));
        }
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        ingest(&url, None, &a, None);
    }
    assert_eq!(
        daily(&url),
        clean,
        "mail.log mail.log.1 mail.log.2.gz daily"
    );

    // 3. copytruncate: mail.log read mid-day, then copied to mail.log.1 (with what was
    // appended since) and truncated; the next run reads both.
    let url = mailrep_tests::pg::fresh_database("cron_copytruncate").unwrap();
    ingest(&url, None, &[&write(&dir, "ct.log", &half(0))], None);
    let one = write(&dir, "ct.log.1", &join(&lines, 0, cuts[2]));
    let cur = write(&dir, "ct.log", &join(&lines, cuts[2], cuts[4]));
    ingest(&url, None, &[&one, &cur], None);
    assert_eq!(daily(&url), clean, "copytruncate");

    // 4. The same bytes on stdin after the file; a file that grew in the middle of an
    // in-order concatenation (`cat mail.log.1 mail.log`), then everything newest first.
    let url = mailrep_tests::pg::fresh_database("cron_stdin").unwrap();
    let first = write(&dir, "s.log", &half(1));
    ingest(&url, None, &[&first], None);
    ingest(&url, None, &["-"], Some(&half(1)));
    let mut cat = f(0);
    cat.extend(f(1));
    cat.extend(half(2));
    ingest(&url, None, &["-"], Some(&cat));
    let mut zcat = Vec::new();
    for k in (0..4).rev() {
        zcat.extend(f(k));
    }
    let out = ingest(&url, None, &["-"], Some(&zcat));
    let s = summary(&out);
    assert!(s["inputs"][0]["junctions"].as_u64().unwrap() >= 3, "{s}");
    assert_eq!(
        daily(&url),
        clean,
        "stdin, grown file in a concatenation, zcat"
    );

    // 5. Two hosts' logs ingested at once (and one of them twice at once).
    let url = mailrep_tests::pg::fresh_database("cron_hosts").unwrap();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for l in &lines {
        if l.windows(9).any(|w| w == b" mta-out1") {
            a.extend_from_slice(l);
        } else {
            b.extend_from_slice(l);
        }
    }
    let pa = write(&dir, "host-a.log", &a);
    let pb = write(&dir, "host-b.log", &b);
    let children: Vec<_> = [&pa, &pb, &pa]
        .iter()
        .map(|p| spawn(&url, None, &[p], false))
        .collect();
    for c in children {
        assert!(c.wait_with_output().unwrap().status.success());
    }
    assert_eq!(daily(&url), clean, "two hosts at once");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_run_killed_midway_and_rerun_counts_once() {
    let Some((dir, lines, _)) = rotations("kill", 200_000, 12) else {
        return;
    };
    let Some(url) = mailrep_tests::pg::fresh_database("kill") else {
        return;
    };
    let whole = dir.join("whole.log");
    let clean = clean_daily("kill_clean", &whole);
    let half = write(&dir, "half.log", &join(&lines, 0, lines.len() / 2));
    ingest(&url, None, &[&half], None);
    let path = whole.to_str().unwrap();
    let mut killed = 0;
    for delay_ms in [30u64, 120, 400] {
        let mut child = spawn(&url, None, &[path], false);
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_none() {
            // kill -9
            Command::new("kill")
                .args(["-9", &child.id().to_string()])
                .status()
                .unwrap();
            killed += 1;
        }
        let _ = child.wait();
    }
    println!("kill -9 test: {killed} of 3 runs killed midway");
    assert!(killed >= 1, "no run was slow enough to be killed");
    ingest(&url, None, &[path], None);
    assert_eq!(daily(&url), clean);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dmarc_reports_are_stored_once_with_every_auth_result() {
    let Some(corpus) = mailrep_tests::corpus() else {
        return;
    };
    let Some(url) = mailrep_tests::pg::fresh_database("dmarc") else {
        return;
    };
    let dev = corpus.join("dmarc/dev");
    let first = summary(&ingest(&url, None, &[dev.to_str().unwrap()], None));
    let new = first["reports_new"].as_u64().unwrap();
    let dup_in_corpus = first["reports_duplicate"].as_u64().unwrap();
    println!("DMARC corpus: {new} reports stored, {dup_in_corpus} duplicates within the corpus");
    assert!(new >= 60, "{first}");
    let second = summary(&ingest(&url, None, &[dev.to_str().unwrap()], None));
    assert_eq!(second["reports_new"], 0);
    assert_eq!(
        second["reports_duplicate"].as_u64().unwrap(),
        new + dup_in_corpus
    );
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let n: i64 = c
        .query_one("SELECT count(*) FROM dmarc_report", &[])
        .unwrap()
        .get(0);
    assert_eq!(n as u64, new);
    // Every stored report keeps its original bytes; records keep every auth result.
    let missing: i64 = c
        .query_one(
            "SELECT count(*) FROM dmarc_report r LEFT JOIN dmarc_report_blob b ON b.id = r.blob_id
             WHERE b.id IS NULL OR length(b.bytes_gzip) = 0",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(missing, 0);
    let multi: i64 = c
        .query_one(
            "SELECT count(*) FROM dmarc_record WHERE jsonb_array_length(dkim_results) > 1",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(multi > 0, "some records carry several DKIM results");
    let classes: Vec<String> = c
        .query(
            "SELECT DISTINCT source_class FROM dmarc_record ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(classes.contains(&"external".to_owned()), "{classes:?}");
}

#[test]
fn migrations_apply_once_even_when_run_concurrently() {
    let Some(url) = mailrep_tests::pg::fresh_database("migrate") else {
        return;
    };
    let children: Vec<_> = (0..3)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_mailrep"))
                .args(["db", "migrate", "--database-url", &url])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut applied = 0;
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if String::from_utf8_lossy(&out.stdout).contains("applied") {
            applied += 1;
        }
    }
    assert_eq!(applied, 1);
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    // Every embedded migration once (the alert tables came later than 0001).
    let (rows, versions): (i64, i64) = {
        let r = c
            .query_one(
                "SELECT count(*), count(DISTINCT version) FROM mailrep_schema_migrations",
                &[],
            )
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(rows, versions);
    assert!(rows >= 2, "0001 and the alert migration: {rows}");
}

#[test]
fn a_seed_era_table_is_upgraded_in_place() {
    let Some(url) = mailrep_tests::pg::fresh_database("seed") else {
        return;
    };
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    c.batch_execute(
        "CREATE TABLE mail_reputation_daily (
             log_date date, sending_ip text, receiver text, outcome text, reason_code text,
             msg_count int, sample_text text, updated_at timestamptz DEFAULT now(),
             UNIQUE (log_date, sending_ip, receiver, outcome, reason_code));
         INSERT INTO mail_reputation_daily VALUES
             ('2026-06-19', '203.0.113.94', 'microsoft', 'throttled', '4.7.500', 80, 'x', now());",
    )
    .unwrap();
    ingest(
        &url,
        None,
        &[examples().join("mail.log").to_str().unwrap()],
        None,
    );
    let old: i64 = c
        .query_one(
            "SELECT msg_count::int8 FROM mail_reputation_daily WHERE log_date = '2026-06-19'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(old, 80, "existing rows are kept");
    let hosts: i64 = c
        .query_one(
            "SELECT count(DISTINCT host) FROM mail_reputation_daily",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(hosts >= 2);
}

/// TLS through rustls: `sslmode=require` negotiates TLS (it fails when the server has none),
/// `verify-full` checks the chain against `sslrootcert` and refuses a certificate the
/// Mozilla roots do not vouch for. Uses the `openssl` command only to make a test
/// certificate; skipped without it.
#[test]
#[allow(clippy::print_stderr, reason = "the notice of a skipped test")]
fn tls_modes_from_the_url() {
    let Some(url) = mailrep_tests::pg::fresh_database("tls") else {
        return;
    };
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("notice: no openssl command; TLS test skipped");
        return;
    }
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let data: String = c.query_one("SHOW data_directory", &[]).unwrap().get(0);
    let dir = Path::new(&data);
    let (crt, key) = (dir.join("mailrep-test.crt"), dir.join("mailrep-test.key"));
    {
        let ok = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
            ])
            .args(["-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"])
            .args(["-addext", "subjectAltName=IP:127.0.0.1"])
            .args(["-addext", "basicConstraints=critical,CA:FALSE", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&crt)
            .output()
            .unwrap();
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
        Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&crt)
            .arg(&key)
            .status()
            .unwrap();
    }
    // One statement per call: ALTER SYSTEM refuses a multi-statement (implicit) transaction.
    for sql in [
        format!("ALTER SYSTEM SET ssl_cert_file = '{}'", crt.display()),
        format!("ALTER SYSTEM SET ssl_key_file = '{}'", key.display()),
        "ALTER SYSTEM SET ssl = on".to_owned(),
        "SELECT pg_reload_conf()".to_owned(),
    ] {
        c.batch_execute(&sql).unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    let migrate = |u: &str| {
        Command::new(env!("CARGO_BIN_EXE_mailrep"))
            .args(["db", "migrate", "--database-url", u])
            .output()
            .unwrap()
    };
    let require = migrate(&format!("{url}?sslmode=require"));
    assert!(
        require.status.success(),
        "{}",
        String::from_utf8_lossy(&require.stderr)
    );
    let verified = migrate(&format!(
        "{url}?sslmode=verify-full&sslrootcert={}",
        crt.display()
    ));
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    let refused = migrate(&format!("{url}?sslmode=verify-full"));
    assert_eq!(
        refused.status.code(),
        Some(3),
        "self-signed refused against the web roots"
    );
    let ingested = summary(&ingest(
        &format!("{url}?sslmode=require"),
        None,
        &[examples().join("mail.log").to_str().unwrap()],
        None,
    ));
    assert!(ingested["attempts"].as_u64().unwrap() > 0);
}
