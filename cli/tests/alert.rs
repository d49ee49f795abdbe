//! `mailrep alert` over a throwaway PostgreSQL (scripts/pg-test-cluster) with a local HTTP
//! server standing in for Telegram: verdicts from the stored history, incident state across
//! runs (one message per new / worse / resolved, silence otherwise), notifier failures, reverse
//! DNS and its cache, and the example data end to end after `mailrep ingest`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    reason = "tests fail loudly and show the output of the commands they run"
)]

#[path = "support/http.rs"]
mod http;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use http::{Server, telegram_ok};

struct Db {
    url: String,
    dir: PathBuf,
}

impl Db {
    fn new(label: &str) -> Option<Db> {
        let url = mailrep_tests::pg::fresh_database(label)?;
        let out = Command::new(env!("CARGO_BIN_EXE_mailrep"))
            .args(["db", "migrate", "--database-url", &url])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dir =
            std::env::temp_dir().join(format!("mailrep-alert-{label}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Some(Db { url, dir })
    }

    fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).unwrap()
    }

    fn count(&self, sql: &str) -> i64 {
        self.client().query_one(sql, &[]).unwrap().get(0)
    }

    /// One day of delivery rows for one provider and sending IP: (outcome, reason, attempts).
    fn day(&self, date: &str, provider: &str, ip: &str, rows: &[(&str, &str, i64)]) {
        let mut c = self.client();
        for (outcome, reason, n) in rows {
            let sample = match *outcome {
                "throttled" => format!(
                    "451 4.7.650 The mail server [{ip}] has been temporarily rate limited due to IP reputation."
                ),
                _ => "250 2.0.0 OK".to_owned(),
            };
            c.execute(
                "INSERT INTO mail_reputation_daily (log_date, host, sending_ip, receiver, outcome, \
                 reason_code, msg_count, final_count, sample_text) \
                 VALUES ($1::text::date, 'mx1', $2, $3, $4, $5, $6, 0, $7)",
                &[&date, &ip, &provider, outcome, reason, n, &sample],
            )
            .unwrap();
        }
    }

    fn config(&self, body: &str) -> PathBuf {
        let p = self.dir.join("mailrep.toml");
        std::fs::write(&p, body).unwrap();
        p
    }

    fn alert(&self, config: &Path, args: &[&str], telegram: bool) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailrep"));
        cmd.arg("alert")
            .arg("-c")
            .arg(config)
            .args(["--database-url", &self.url])
            .args(args)
            .env_remove("TELEGRAM_BOT_TOKEN")
            .env_remove("TELEGRAM_CHAT_ID")
            .env_remove("MAILREP_CONFIG");
        if telegram {
            cmd.env("TELEGRAM_BOT_TOKEN", "1:T")
                .env("TELEGRAM_CHAT_ID", "7");
        }
        let out = cmd.output().unwrap();
        eprintln!(
            "alert {args:?} -> {:?}\n{}{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn telegram_text(server: &Server, i: usize) -> String {
    server.requests()[i].json()["text"]
        .as_str()
        .unwrap()
        .to_owned()
}

const MS_IP: &str = "203.0.113.94";

fn throttled_day(db: &Db, date: &str, throttled: i64) {
    db.day(
        date,
        "microsoft",
        MS_IP,
        &[
            ("throttled", "4.7.650", throttled),
            ("accepted", "", 1000 - throttled),
        ],
    );
    db.day(date, "google", MS_IP, &[("accepted", "", 500)]);
}

#[test]
fn one_message_per_incident_change_and_silence_in_between() {
    let Some(db) = Db::new("lifecycle") else {
        return;
    };
    let server = Server::start(vec![telegram_ok()]);
    let cfg = db.config(&format!(
        "[alert]\nhost_label = \"mx1\"\ntelegram_api_url = \"{}\"\nreport = \"/var/lib/mailrep/r.html\"\n",
        server.url
    ));
    throttled_day(&db, "2026-11-18", 800);
    throttled_day(&db, "2026-11-19", 790);
    for d in ["2026-11-20", "2026-11-21", "2026-11-22"] {
        throttled_day(&db, d, 10);
    }

    // Day 1: the incident opens -> one message, exit 1 (warning).
    let out = db.alert(&cfg, &["--date", "2026-11-18", "--no-dns"], true);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(server.requests().len(), 1);
    let body = server.requests()[0].json();
    assert_eq!(body["chat_id"], "7");
    assert_eq!(body["parse_mode"], "HTML");
    assert_eq!(
        body["text"],
        "<b>mailrep · mx1 · 2026-11-18: 1 new; 1 open</b>\n\n\
         🟠 <b>WARN · Microsoft throttling</b>\n\
         Microsoft on 2026-11-18: 80.0 % throttled (800 of 1,000 attempts) - the provider is rate-limiting this IP.\n\
         <code>800x 4.7.650: 451 4.7.650 The mail server [203.0.113.94] has been temporarily rate limited due to IP reputation.</code>\n\n\
         Report: /var/lib/mailrep/r.html"
    );
    assert!(
        stdout(&out).contains("WARN · Microsoft throttling"),
        "stdout has the message"
    );
    assert_eq!(db.count("SELECT count(*) FROM alert_incident"), 1);

    // The same date again, then the next (still throttled): ongoing, nothing sent.
    for d in ["2026-11-18", "2026-11-19"] {
        let out = db.alert(&cfg, &["--date", d, "--no-dns"], true);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stdout(&out).contains("1 verdict(s), 1 open incident(s), no change; nothing sent"),
            "{}",
            stdout(&out)
        );
    }
    assert_eq!(server.requests().len(), 1);

    // First clean day: still open (hysteresis), silent, exit 0.
    let out = db.alert(&cfg, &["--date", "2026-11-20", "--no-dns"], true);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(server.requests().len(), 1);

    // Second clean day: resolved, one message.
    let out = db.alert(&cfg, &["--date", "2026-11-21", "--no-dns"], true);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(server.requests().len(), 2);
    assert_eq!(
        telegram_text(&server, 1),
        "<b>mailrep · mx1 · 2026-11-21: 1 resolved; 0 open</b>\n\n\
         🟢 Resolved: Microsoft throttling (was 80.0 %), open since 2026-11-18\n\n\
         Report: /var/lib/mailrep/r.html"
    );
    assert_eq!(db.count("SELECT count(*) FROM alert_incident"), 0);
    assert_eq!(
        db.count("SELECT count(*) FROM alert_incident_log WHERE state IN ('new', 'resolved')"),
        2
    );

    // Healthy and unchanged: one line, nothing sent.
    let out = db.alert(&cfg, &["--date", "2026-11-22", "--no-dns"], true);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "mailrep alert mx1 2026-11-22: healthy, nothing to send\n"
    );
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_day_without_stored_rows_neither_cleans_nor_resolves() {
    let Some(db) = Db::new("no_data") else { return };
    throttled_day(&db, "2026-11-18", 800);
    let cfg = db.config("[alert]\nhost_label = \"mx1\"\n");
    assert_eq!(
        db.alert(&cfg, &["--date", "2026-11-18"], false)
            .status
            .code(),
        Some(1)
    );
    for d in ["2026-11-19", "2026-11-20"] {
        let out = db.alert(&cfg, &["--date", d], false);
        assert_eq!(out.status.code(), Some(0));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("no delivery rows stored for {d}")),
            "{err}"
        );
        assert!(stdout(&out).contains("0 verdict(s), 1 open incident(s), no change"));
    }
    assert_eq!(
        db.count("SELECT count(*) FROM alert_incident WHERE clean_evaluations = 0"),
        1
    );
}

#[test]
fn worse_when_severity_rises_or_the_share_doubles() {
    let Some(db) = Db::new("worse") else { return };
    let server = Server::start(vec![telegram_ok()]);
    // Reputation rejects (critical at 10 %): 12 % then 25 %.
    for (d, rej) in [
        ("2026-11-18", 120),
        ("2026-11-19", 150),
        ("2026-11-20", 250),
    ] {
        db.day(
            d,
            "yahoo",
            MS_IP,
            &[
                ("reject_reputation", "5.7.9", rej),
                ("accepted", "", 1000 - rej),
            ],
        );
    }
    let cfg = db.config(&format!(
        "[alert]\nhost_label = \"mx1\"\ntelegram_api_url = \"{}\"\n",
        server.url
    ));
    assert_eq!(
        db.alert(&cfg, &["--date", "2026-11-18"], true)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        db.alert(&cfg, &["--date", "2026-11-19"], true)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(server.requests().len(), 1, "12 % -> 15 % is not worse");
    assert_eq!(
        db.alert(&cfg, &["--date", "2026-11-20"], true)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(server.requests().len(), 2);
    let text = telegram_text(&server, 1);
    assert!(
        text.starts_with("<b>mailrep · mx1 · 2026-11-20: 1 worse; 1 open</b>"),
        "{text}"
    );
    assert!(
        text.contains("🔴 <b>CRIT · worse · Yahoo/AOL reputation rejects</b>"),
        "{text}"
    );
    assert!(
        text.contains("Since 2026-11-18 (day 3), was 12.0 % when notified."),
        "{text}"
    );
}

#[test]
fn a_failed_notifier_keeps_the_state_and_the_next_run_sends_again() {
    let Some(db) = Db::new("notify_fail") else {
        return;
    };
    throttled_day(&db, "2026-11-18", 800);
    let down = Server::start(vec![(503, None, "maintenance".into())]);
    let cfg = db.config(&format!(
        "[alert]\nhost_label = \"mx1\"\nretries = 1\ntelegram_api_url = \"{}\"\n",
        down.url
    ));
    let out = db.alert(&cfg, &["--date", "2026-11-18", "--no-dns"], true);
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(down.requests().len(), 2, "one retry");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("HTTP 503: maintenance (after 2 attempts)"),
        "{err}"
    );
    assert!(err.contains("the next run sends again"), "{err}");
    assert_eq!(db.count("SELECT count(*) FROM alert_incident"), 0);

    let up = Server::start(vec![telegram_ok()]);
    let cfg = db.config(&format!(
        "[alert]\nhost_label = \"mx1\"\ntelegram_api_url = \"{}\"\n",
        up.url
    ));
    let out = db.alert(&cfg, &["--date", "2026-11-18", "--no-dns"], true);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(up.requests().len(), 1);
    assert!(telegram_text(&up, 0).contains("1 new"));
    assert_eq!(db.count("SELECT count(*) FROM alert_incident"), 1);
}

#[test]
fn without_notifiers_the_message_goes_to_stdout_and_dry_run_keeps_no_state() {
    let Some(db) = Db::new("stdout_only") else {
        return;
    };
    throttled_day(&db, "2026-11-18", 800);
    let cfg = db.config("[alert]\nhost_label = \"mx1\"\nplain = true\n");
    let out = db.alert(
        &cfg,
        &["--date", "2026-11-18", "--dry-run", "--no-dns"],
        false,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with(
            "mailrep · mx1 · 2026-11-18: 1 new; 1 open\n\nWARN · Microsoft throttling\n"
        )
    );
    assert_eq!(db.count("SELECT count(*) FROM alert_incident"), 0);
    let out = db.alert(&cfg, &["--date", "2026-11-18", "--no-dns"], false);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(db.count("SELECT count(*) FROM alert_incident"), 1);
}

#[test]
fn regression_against_the_trailing_median() {
    let Some(db) = Db::new("regression") else {
        return;
    };
    for (d, acc) in [
        ("2026-11-15", 970),
        ("2026-11-16", 960),
        ("2026-11-17", 980),
        ("2026-11-18", 700),
    ] {
        db.day(
            d,
            "yahoo",
            MS_IP,
            &[
                ("accepted", "", acc),
                ("deferred_other", "4.4.1", 1000 - acc),
            ],
        );
    }
    let cfg = db.config("[alert]\nhost_label = \"mx1\"\nplain = true\n");
    let out = db.alert(&cfg, &["--date", "2026-11-18", "--no-dns"], false);
    assert_eq!(out.status.code(), Some(1));
    let s = stdout(&out);
    assert!(s.contains("WARN · Yahoo/AOL acceptance regression"), "{s}");
    assert!(
        s.contains("accepted 70.0 % (700 of 1,000 attempts), 27.0 points below the trailing median of 97.0 % over 3 days"),
        "{s}"
    );
}

/// A DMARC aggregate report for example.org whose records fail DMARC from `ips`.
fn failing_report(id: &str, ips: &[(&str, u32)]) -> String {
    let mut records = String::new();
    for (ip, n) in ips {
        let _ = write!(
            records,
            "<record><row><source_ip>{ip}</source_ip><count>{n}</count><policy_evaluated>\
             <disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>\
             <identifiers><header_from>example.org</header_from></identifiers>\
             <auth_results><spf><domain>example.org</domain><result>fail</result></spf></auth_results></record>"
        );
    }
    // 2026-11-18 00:00 - 23:59:59 UTC.
    format!(
        "<?xml version=\"1.0\"?><feedback><report_metadata><org_name>reporter.example</org_name>\
         <email>dmarc@reporter.example</email><report_id>{id}</report_id><date_range>\
         <begin>1794960000</begin><end>1795046399</end></date_range></report_metadata>\
         <policy_published><domain>example.org</domain><adkim>r</adkim><aspf>r</aspf><p>none</p>\
         <pct>100</pct></policy_published>{records}</feedback>"
    )
}

fn ingest(db: &Db, config: &Path, inputs: &[&Path]) {
    let out = Command::new(env!("CARGO_BIN_EXE_mailrep"))
        .arg("ingest")
        .arg("-c")
        .arg(config)
        .args(["--database-url", &db.url])
        .args(inputs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ingest: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn reverse_dns_lets_forwarder_hints_apply_and_is_cached() {
    let Some(db) = Db::new("rdns") else { return };
    let report = db.dir.join("report.xml");
    std::fs::write(
        &report,
        failing_report("r1", &[("127.0.0.1", 150), ("192.0.2.5", 300)]),
    )
    .unwrap();
    let base = "[alert]\nhost_label = \"mx1\"\nplain = true\n";
    let cfg = db.config(base);
    ingest(&db, &cfg, &[&report]);
    // A cached PTR for the documentation address (no resolver answers for it).
    db.client()
        .execute(
            "INSERT INTO rdns_cache (ip, ptr) VALUES ('192.0.2.5', 'mx0a-001.pphosted.com')",
            &[],
        )
        .unwrap();

    // 127.0.0.1 resolves to localhost through the system resolver (/etc/hosts): not a
    // forwarder hint, so spoofing with the PTR shown; 192.0.2.5 is a forwarder by its cached PTR.
    let out = db.alert(&cfg, &["--date", "2026-11-18", "--dry-run"], false);
    assert_eq!(out.status.code(), Some(1));
    let s = stdout(&out);
    assert!(s.contains("1 new"), "{s}");
    assert!(
        s.contains(
            "127.0.0.1 (external, PTR localhost): 150 messages failing DMARC for example.org"
        ),
        "{s}"
    );
    assert!(!s.contains("192.0.2.5"), "forwarder by cached PTR: {s}");
    assert_eq!(
        db.count("SELECT count(*) FROM rdns_cache WHERE ip = '127.0.0.1' AND ptr = 'localhost'"),
        1,
        "the lookup is cached"
    );

    // With `localhost` as a forwarder hint the failures are benign: healthy.
    let cfg = db.config(&format!(
        "{base}[dmarc]\nforwarder_ptr_hints = [\"localhost\", \"pphosted\"]\n"
    ));
    let out = db.alert(&cfg, &["--date", "2026-11-18", "--no-dns"], false);
    assert_eq!(out.status.code(), Some(0), "cached PTR used with --no-dns");
    assert!(stdout(&out).contains("healthy, nothing to send"));

    // No cache and no lookups: the PTR is unknown and the rule fires for both.
    db.client().execute("DELETE FROM rdns_cache", &[]).unwrap();
    let out = db.alert(
        &cfg,
        &["--date", "2026-11-18", "--no-dns", "--dry-run"],
        false,
    );
    assert_eq!(out.status.code(), Some(1));
    let s = stdout(&out);
    assert!(s.contains("127.0.0.1 (external, PTR unknown)"), "{s}");
    assert!(s.contains("192.0.2.5 (external, PTR unknown)"), "{s}");
}

#[test]
fn example_data_after_ingest_raises_the_critical_verdicts() {
    let Some(db) = Db::new("examples") else {
        return;
    };
    let ex = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let cfg = std::fs::read_to_string(ex.join("mailrep.toml")).unwrap()
        + "\n[alert]\nhost_label = \"mx1\"\nplain = true\n";
    let cfg = db.config(&cfg);
    let inputs = [
        ex.join("mail.log.1.gz"),
        ex.join("mail.log"),
        ex.join("reports"),
    ];
    let refs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    ingest(&db, &cfg, &refs);
    let out = db.alert(&cfg, &["--date", "2026-11-20", "--no-dns"], false);
    assert_eq!(out.status.code(), Some(2));
    let s = stdout(&out);
    assert!(s.contains("CRIT · Comcast reputation rejects"), "{s}");
    assert!(
        s.contains("Comcast on 2026-11-20: 44.3 % rejected for reputation (199 of 449 attempts)"),
        "{s}"
    );
    assert!(
        s.contains("CRIT · DMARC alignment of our IP 203.0.113.95 (northwind-freight.com)"),
        "{s}"
    );
    assert!(
        s.contains("passes DMARC for only 16.7 % of messages (24 of 144; 120 failing)"),
        "{s}"
    );
    // Ingesting the same inputs again changes nothing: no new message.
    ingest(&db, &cfg, &refs);
    let out = db.alert(&cfg, &["--date", "2026-11-20", "--no-dns"], false);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("no change; nothing sent"),
        "{}",
        stdout(&out)
    );
}
