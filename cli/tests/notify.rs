//! Notifiers against a local HTTP server started by the test (standing in for Telegram and
//! webhook endpoints): exact JSON bodies, retries on 5xx and 429, permanent failures, timeouts,
//! and the exit status. Driven through `mailrep alert --test-notifiers` (no database).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    reason = "tests fail loudly and show the output of the commands they run"
)]

#[path = "support/http.rs"]
mod http;

use std::io::Write;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use http::{Server, telegram_ok};
use serde_json::json;

const TOKEN: &str = "123456:SECRET-token";

fn config(body: &str) -> tempfile_path::Path {
    tempfile_path::Path::with(body)
}

/// A config file in a fresh temp dir (removed on drop).
mod tempfile_path {
    pub(crate) struct Path(pub std::path::PathBuf);
    impl Path {
        pub(crate) fn with(body: &str) -> Path {
            let dir = std::env::temp_dir().join(format!(
                "mailrep-notify-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            let p = dir.join("mailrep.toml");
            std::fs::write(&p, body).unwrap();
            Path(p)
        }
    }
    impl Drop for Path {
        fn drop(&mut self) {
            if let Some(d) = self.0.parent() {
                let _ = std::fs::remove_dir_all(d);
            }
        }
    }
}

fn run(config: &std::path::Path, telegram: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailrep"));
    cmd.args(["alert", "--test-notifiers", "-c"])
        .arg(config)
        .env_remove("TELEGRAM_BOT_TOKEN")
        .env_remove("TELEGRAM_CHAT_ID")
        .env_remove("MAILREP_CONFIG");
    if telegram {
        cmd.env("TELEGRAM_BOT_TOKEN", TOKEN)
            .env("TELEGRAM_CHAT_ID", "-100042");
    }
    let out = cmd.output().expect("mailrep runs");
    let _ = std::io::stderr().write_all(&out.stderr);
    out
}

fn telegram_config(url: &str, extra: &str) -> tempfile_path::Path {
    config(&format!(
        "[alert]\nhost_label = \"mx1\"\ntelegram_api_url = \"{url}\"\n{extra}\n"
    ))
}

#[test]
fn telegram_gets_the_exact_send_message_body() {
    let server = Server::start(vec![telegram_ok()]);
    let cfg = telegram_config(&server.url, "");
    let out = run(&cfg.0, true);
    assert_eq!(out.status.code(), Some(0));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[0].path, format!("/bot{TOKEN}/sendMessage"));
    assert_eq!(reqs[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(
        reqs[0].json(),
        json!({
            "chat_id": "-100042",
            "text": "<b>mailrep · mx1: test message (mailrep alert --test-notifiers); notifications work</b>",
            "parse_mode": "HTML",
            "disable_web_page_preview": true,
        })
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 of 1 notifier(s) delivered"), "{stdout}");
    assert!(!stdout.contains("SECRET"), "token leaked: {stdout}");
}

#[test]
fn plain_mode_sends_no_parse_mode() {
    let server = Server::start(vec![telegram_ok()]);
    let cfg = telegram_config(&server.url, "plain = true");
    assert_eq!(run(&cfg.0, true).status.code(), Some(0));
    let body = server.requests()[0].json();
    assert!(body.get("parse_mode").is_none(), "{body}");
    assert_eq!(
        body["text"],
        "mailrep · mx1: test message (mailrep alert --test-notifiers); notifications work"
    );
}

#[test]
fn server_errors_are_retried_with_backoff() {
    let server = Server::start(vec![
        (500, None, "oops".into()),
        (502, None, "bad gateway".into()),
        telegram_ok(),
    ]);
    let cfg = telegram_config(&server.url, "retries = 3");
    let out = run(&cfg.0, true);
    assert_eq!(out.status.code(), Some(0));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    // Backoff 1 s, then 2 s.
    assert!(reqs[1].at - reqs[0].at >= Duration::from_millis(950));
    assert!(reqs[2].at - reqs[1].at >= Duration::from_millis(1950));
    assert_eq!(reqs[0].body, reqs[2].body, "the same message is sent again");
}

#[test]
fn telegram_429_retry_after_is_honoured() {
    let server = Server::start(vec![
        (
            429,
            None,
            r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 2","parameters":{"retry_after":2}}"#.into(),
        ),
        telegram_ok(),
    ]);
    let cfg = telegram_config(&server.url, "retries = 1");
    assert_eq!(run(&cfg.0, true).status.code(), Some(0));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert!(reqs[1].at - reqs[0].at >= Duration::from_millis(1950));
}

#[test]
fn permanent_failures_are_not_retried_and_never_show_the_token() {
    let server = Server::start(vec![(
        401,
        None,
        r#"{"ok":false,"error_code":401,"description":"Unauthorized"}"#.into(),
    )]);
    let cfg = telegram_config(&server.url, "retries = 3");
    let out = run(&cfg.0, true);
    assert_eq!(out.status.code(), Some(4), "notifier failure exit status");
    assert_eq!(server.requests().len(), 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("HTTP 401: Unauthorized"), "{stderr}");
    assert!(stderr.contains("(after 1 attempt)"), "{stderr}");
    assert!(!stderr.contains("SECRET"), "token leaked: {stderr}");
}

#[test]
fn retries_are_bounded() {
    let server = Server::start(vec![(503, None, "down".into())]);
    let cfg = telegram_config(&server.url, "retries = 1");
    let out = run(&cfg.0, true);
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(server.requests().len(), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("HTTP 503: down (after 2 attempts)"),
        "{stderr}"
    );
}

#[test]
fn a_silent_server_times_out() {
    // Accepts connections (kernel backlog) but never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let cfg = telegram_config(&url, "retries = 0\ntimeout_seconds = 1");
    let t = Instant::now();
    let out = run(&cfg.0, true);
    assert_eq!(out.status.code(), Some(4));
    assert!(t.elapsed() < Duration::from_secs(8), "{:?}", t.elapsed());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("telegram (chat -100042)"), "{stderr}");
    drop(listener);
}

#[test]
fn webhook_presets_shape_the_body() {
    let server = Server::start(vec![(200, None, "ok".into())]);
    let u = &server.url;
    let cfg = config(&format!(
        "[alert]\nhost_label = \"mx1\"\nwebhooks = [\n\
         {{ url = \"{u}/slack\", preset = \"slack\" }},\n\
         {{ url = \"{u}/mm\", preset = \"mattermost\" }},\n\
         {{ url = \"{u}/discord\", preset = \"discord\" }},\n\
         {{ url = \"{u}/generic\" }},\n]\n"
    ));
    let out = run(&cfg.0, false);
    assert_eq!(out.status.code(), Some(0));
    let reqs = server.requests();
    let text = "mailrep · mx1: test message (mailrep alert --test-notifiers); notifications work";
    let by_path = |p: &str| reqs.iter().find(|r| r.path == p).unwrap().json();
    assert_eq!(by_path("/slack"), json!({ "text": text }));
    assert_eq!(by_path("/mm"), json!({ "text": text }));
    assert_eq!(
        by_path("/discord"),
        json!({ "content": text, "allowed_mentions": { "parse": [] } })
    );
    let g = by_path("/generic");
    assert_eq!(g["schema"], "mailrep.alert/v1");
    assert_eq!(g["host"], "mx1");
    assert_eq!(g["text"], text);
    assert_eq!(g["incidents"], json!([]));
}

#[test]
fn webhook_url_from_the_environment_and_missing_notifiers() {
    let cfg = config("[alert]\nwebhooks = [{ url_env = \"MAILREP_TEST_HOOK_UNSET\" }]\n");
    let out = run(&cfg.0, false);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("MAILREP_TEST_HOOK_UNSET"));
    let cfg = config("");
    let out = run(&cfg.0, false);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no notifier configured"));
}
