//! Chunk invariance (DESIGN §2): the same bytes give byte-identical findings however they are
//! pushed, over the project's examples and the shared corpus.

use std::fmt::Write as _;
use std::path::PathBuf;

use mailrep_core::postfix::blank::blank_counted_only_lines;
use mailrep_core::{Analyzer, Config, Date};
use proptest::prelude::*;

fn inputs() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<PathBuf> = Vec::new();
    let examples = mailrep_tests::examples();
    files.push(examples.join("mail.log.1.gz"));
    for e in std::fs::read_dir(examples.join("reports")).unwrap() {
        files.push(e.unwrap().path());
    }
    if let Some(corpus) = mailrep_tests::corpus() {
        for sub in ["dmarc/dev", "postfix/dev"] {
            for e in std::fs::read_dir(corpus.join(sub)).unwrap() {
                let p = e.unwrap().path();
                if p.is_file() && !p.ends_with("summary.csv") {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

fn analyze(inputs: &[(String, Vec<u8>)], sizes: &[usize]) -> String {
    let reference = Date::new(2026, 11, 21).unwrap();
    let mut a = Analyzer::new(Config::default()).unwrap();
    let mut k = 0;
    for (name, bytes) in inputs {
        a.begin_input(name, reference);
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let n = if sizes.is_empty() {
                rest.len()
            } else {
                sizes[k % sizes.len()].clamp(1, rest.len())
            };
            k += 1;
            a.push(&rest[..n]);
            rest = &rest[n..];
        }
        a.end_input();
    }
    a.finish().to_json()
}

#[test]
fn chunking_never_changes_findings() {
    let inputs = inputs();
    let whole = analyze(&inputs, &[]);
    assert!(whole.contains("\"schema_version\": 1"));
    // Tiny chunks exercise every boundary (gzip header, CRLF, multi-byte UTF-8, sniff window).
    assert_eq!(
        analyze(&inputs, &[1, 2, 3, 7]),
        whole,
        "chunks of 1-7 bytes"
    );
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 12,
        ..ProptestConfig::default()
    });
    runner
        .run(&proptest::collection::vec(1usize..70_000, 1..8), |sizes| {
            prop_assert_eq!(analyze(&inputs, &sizes), whole.clone());
            Ok(())
        })
        .unwrap();
}

/// [`analyze`], with every chunk pushed after the analyzer allows it thinned out by
/// `blank_counted_only_lines` (what the page's reader worker does): `max_line` from the analyzer.
fn analyze_blanked(
    inputs: &[(String, Vec<u8>)],
    sizes: &[usize],
    config: &Config,
) -> (String, u64) {
    let reference = Date::new(2026, 11, 21).unwrap();
    let mut a = Analyzer::new(config.clone()).unwrap();
    let mut k = 0;
    let mut removed = 0;
    for (name, bytes) in inputs {
        a.begin_input(name, reference);
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let n = sizes[k % sizes.len()].clamp(1, rest.len());
            k += 1;
            if let Some(max_line) = a.blankable_lines() {
                let mut chunk = rest[..n].to_vec();
                let len = blank_counted_only_lines(&mut chunk, max_line);
                removed += (n - len) as u64;
                a.push_blanked(&chunk[..len], n as u64);
            } else {
                a.push(&rest[..n]);
            }
            rest = &rest[n..];
        }
        a.end_input();
    }
    (a.finish().to_json(), removed)
}

/// A log with what blanking must get right: lines longer than the limit with and without
/// `status=`, CRLF, empty lines, non-log lines before the header, a `status=` in a non-delivery
/// program's line, and `status=` lines cut by chunk boundaries.
fn tricky_log() -> Vec<u8> {
    let mut s = String::from("garbage before the log\n\n\r\n");
    for i in 0..400u32 {
        let id = format!("4Q{i:08X}");
        write!(
            s,
            "Nov 20 10:{:02}:{:02} mx1 postfix/qmgr[7]: {id}: from=<n@ours.example>, size=1{i}, nrcpt=1 (queue active)\r\n",
            i / 60 % 60, i % 60
        ).unwrap();
        if i % 7 == 0 {
            writeln!(
                s,
                "Nov 20 10:00:{:02} mx1 postfix/cleanup[9]: {id}: {}",
                i % 60,
                "x".repeat(300 + i as usize)
            )
            .unwrap();
        }
        if i % 11 == 0 {
            writeln!(s, "Nov 20 10:00:{:02} mx1 postfix/smtp[9]: {id}: to=<a@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.27]:25, delay=1, delays=0/0/0/1, dsn=4.7.28, status=deferred ({})", i % 60, "y".repeat(300)).unwrap();
        }
        if i % 13 == 0 {
            s.push('\n');
            writeln!(s, "Nov 20 10:00:{:02} mx1 postfix/bounce[9]: {id}: sender non-delivery notification status=odd", i % 60).unwrap();
        }
        let (dsn, st, reply) = match i % 3 {
            0 => ("2.0.0", "sent", "250 2.0.0 OK 1700000000 gsmtp"),
            1 => (
                "4.7.500",
                "deferred",
                "host outlook-com.olc.protection.outlook.com[52.101.1.1] said: 451 4.7.500 Server busy. Please try again later. (S77719) (in reply to RCPT TO command)",
            ),
            _ => (
                "5.1.1",
                "bounced",
                "host mx.example.net[192.0.2.9] said: 550 5.1.1 <b@example.net>: Recipient address rejected: User unknown (in reply to RCPT TO command)",
            ),
        };
        writeln!(
            s,
            "Nov 20 10:{:02}:{:02} mx1 postfix/smtp[8]: {id}: to=<b{i}@example.net>, relay=mx.example.net[192.0.2.9]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn={dsn}, status={st} ({reply})",
            i / 60 % 60, i % 60
        ).unwrap();
    }
    s.push_str("a last line without newline status=sent");
    s.into_bytes()
}

#[test]
fn blanking_never_changes_findings() {
    // The examples and the corpus (reports and compressed logs are never blanked: the analyzer
    // says so), the example's plain log and the tricky one.
    let mut inputs = inputs();
    inputs.push(("tricky.log".to_owned(), tricky_log()));
    inputs.push((
        "mail.log".to_owned(),
        std::fs::read(mailrep_tests::examples().join("mail.log")).unwrap(),
    ));
    // A small line limit, so that lines of the tricky log are cut (and kept by blanking).
    let config = Config::from_toml("[limits]\nmax_line_bytes = 256\n").unwrap();
    let whole = {
        let reference = Date::new(2026, 11, 21).unwrap();
        let mut a = Analyzer::new(config.clone()).unwrap();
        for (name, bytes) in &inputs {
            a.begin_input(name, reference);
            a.push(bytes);
            a.end_input();
        }
        a.finish().to_json()
    };
    assert!(
        whole.contains("\"truncated\": "),
        "the tricky log has cut lines"
    );
    for sizes in [
        &[4096][..],
        &[1, 2, 3, 7, 300],
        &[65_536],
        &[1000, 50_000, 17],
    ] {
        let (blanked, removed) = analyze_blanked(&inputs, sizes, &config);
        assert!(removed > 0, "chunks {sizes:?}: blanking removed nothing");
        assert_eq!(blanked, whole, "chunks {sizes:?}");
    }
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 12,
        ..ProptestConfig::default()
    });
    runner
        .run(&proptest::collection::vec(1usize..70_000, 1..8), |sizes| {
            prop_assert_eq!(analyze_blanked(&inputs, &sizes, &config).0, whole.clone());
            Ok(())
        })
        .unwrap();
}
