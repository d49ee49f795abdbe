//! A plain log counted in two parts (the page's two workers: `Analyzer::begin_part`,
//! `end_part`, `absorb_part`) gives byte-identical findings to one pass, wherever the log is
//! cut at a line boundary, and a part that cannot be merged exactly changes nothing.

use std::fmt::Write as _;
use std::io::Read;

use mailrep_core::{Analyzer, Config, Date};
use proptest::prelude::*;

fn reference() -> Date {
    Date::new(2026, 11, 21).unwrap()
}

fn example_config() -> Config {
    let text = std::fs::read_to_string(mailrep_tests::examples().join("mailrep.toml")).unwrap();
    Config::from_toml(&text).unwrap()
}

/// The plain logs: the example, the corpus' logs (gzip ones decoded), and a log written to
/// cross the cut: deferrals before and their expiry after, unparsed, cut and CRLF lines.
fn logs() -> Vec<(String, Vec<u8>)> {
    let mut out = vec![(
        "mail.log".to_owned(),
        std::fs::read(mailrep_tests::examples().join("mail.log")).unwrap(),
    )];
    if let Some(corpus) = mailrep_tests::corpus() {
        let mut paths: Vec<_> = std::fs::read_dir(corpus.join("postfix/dev"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        for p in paths {
            let raw = std::fs::read(&p).unwrap();
            let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
                let mut s = Vec::new();
                flate2::read::MultiGzDecoder::new(&raw[..])
                    .read_to_end(&mut s)
                    .unwrap();
                s
            } else {
                raw
            };
            out.push((p.file_name().unwrap().to_string_lossy().into_owned(), bytes));
        }
    }
    out.push(("crossing.log".to_owned(), crossing_log()));
    out
}

/// Deferrals whose `status=expired` lines come later, repeated so that every cut separates
/// some of them; plus lines the parser rejects, a line over the limit and CRLF endings.
fn crossing_log() -> Vec<u8> {
    let mut s = String::new();
    for i in 0..40 {
        let q = format!("4X{i:03}ABC");
        writeln!(
            s,
            "Nov 20 06:{:02}:01 mx1 postfix/smtp[42]: {q}: to=<u{i}@outlook.com>, relay=outlook-com.olc.protection.outlook.com[52.101.1.{i}]:25, delay=1, delays=0/0/0/1, dsn=4.7.650, status=deferred (host outlook-com.olc.protection.outlook.com[52.101.1.{i}] said: 451 4.7.650 The mail server [203.0.113.{i}] has been temporarily rate limited due to IP reputation. (S775) (in reply to MAIL FROM command))",
            i % 60
        ).unwrap();
        writeln!(
            s,
            "Nov 20 07:{:02}:02 mx1 postfix/smtp[43]: {}: to=<x{i}@example.org>, relay=mx.example.org[192.0.2.{i}]:25, delay=1, delays=0/0/0/1, dsn=5.9.{i}, status=bounced (host said: 554 5.9.{i} odd reply number {i})\r",
            i % 60,
            format_args!("5Y{i:03}ABC")
        ).unwrap();
        if i % 7 == 3 {
            s.push_str("Nov 20 08:00:00 mx1 postfix/smtp[44]: garbage, status=sent\n");
            writeln!(
            s,
                "Nov 20 08:00:01 mx1 postfix/smtp[45]: 6Z{i:03}: to=<y@gmail.com>, status=sent (250 {})",
                "x".repeat(70_000)
            ).unwrap();
        }
    }
    for i in (0..40).rev() {
        let q = format!("4X{i:03}ABC");
        writeln!(
            s,
            "Nov 25 06:{:02}:03 mx1 postfix/qmgr[40]: {q}: from=<a@northwind-freight.com>, status=expired, returned to sender",
            i % 60
        ).unwrap();
        writeln!(
            s,
            "Nov 25 06:{:02}:04 mx2 postfix/qmgr[40]: {q}: from=<a@northwind-freight.com>, status=expired, returned to sender",
            i % 60
        ).unwrap();
    }
    s.into_bytes()
}

/// An abortable analyzer (as the page's) that read the inputs `before` and began `name`.
fn analyzer_at(config: &Config, before: &[(String, Vec<u8>)], name: &str) -> Analyzer {
    let mut a = Analyzer::new(config.clone()).unwrap();
    a.set_abortable(true);
    for (n, b) in before {
        a.begin_input(n, reference());
        a.push(b);
        a.end_input();
    }
    a.begin_input(name, reference());
    a
}

/// The findings of `before` (ended inputs), then `log` pushed in one pass, as JSON.
fn one_pass(config: &Config, before: &[(String, Vec<u8>)], name: &str, log: &[u8]) -> String {
    let mut a = analyzer_at(config, before, name);
    for chunk in log.chunks(1 << 20) {
        a.push(chunk);
    }
    a.finish().to_json()
}

/// The same with `log` cut at `cut` (just after a `\n`): the second part counted by another
/// analyzer in chunks of `chunk` bytes and absorbed; `Err` when the part was refused (the
/// findings are then completed by pushing the second part).
fn in_parts(
    config: &Config,
    before: &[(String, Vec<u8>)],
    name: &str,
    log: &[u8],
    cut: usize,
    chunk: usize,
) -> (String, Result<(), String>) {
    let mut part = Analyzer::new(config.clone()).unwrap();
    part.begin_part(name, reference());
    for c in log[cut..].chunks(chunk.max(1)) {
        part.push(c);
    }
    let state = part.end_part();

    let mut a = analyzer_at(config, before, name);
    for c in log[..cut].chunks(chunk.max(1)) {
        a.push(c);
    }
    let absorbed = a.absorb_part(&state).map_err(|e| e.to_string());
    if absorbed.is_err() {
        a.push(&log[cut..]);
    }
    (a.finish().to_json(), absorbed)
}

/// The first byte after the first `\n` at or after `at`, if any before the end. Not in the
/// first 4096 bytes, which decide what the input is (a first part that short is refused).
fn cut_near(log: &[u8], at: usize) -> Option<usize> {
    let at = at.max(4096);
    let i = log.get(at..)?.iter().position(|&b| b == b'\n')?;
    Some(at + i + 1).filter(|&c| c < log.len())
}

#[test]
fn parts_give_the_findings_of_one_pass() {
    let config = example_config();
    let before = [(
        "mail.log.1.gz".to_owned(),
        std::fs::read(mailrep_tests::examples().join("mail.log.1.gz")).unwrap(),
    )];
    let mut checked = 0;
    for (name, log) in logs() {
        for context in [&before[..], &[][..]] {
            let whole = one_pass(&config, context, &name, &log);
            for frac in [0.0, 0.01, 0.25, 0.5, 0.77, 0.999] {
                let Some(cut) = cut_near(&log, (log.len() as f64 * frac) as usize) else {
                    continue;
                };
                let (split, absorbed) = in_parts(&config, context, &name, &log, cut, 1 << 20);
                assert_eq!(absorbed, Ok(()), "{name} cut at {cut}");
                assert_eq!(split, whole, "{name} cut at byte {cut}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 40, "{checked} cuts checked");
}

#[test]
fn parts_cross_expiry_and_line_numbers() {
    // The expired lines of the second half belong to deferrals of the first: attributed
    // through the replayed queue events; unparsed and cut lines keep their line numbers.
    let config = Config::default();
    let log = crossing_log();
    let whole = one_pass(&config, &[], "crossing.log", &log);
    assert!(whole.contains("\"expired\": 40"), "{whole}");
    assert!(whole.contains("\"code\": \"limit.line_length\""));
    assert!(whole.contains("\"code\": \"postfix.unparsed_delivery_line\""));
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 24,
        ..ProptestConfig::default()
    });
    runner
        .run(&(0..log.len(), 1usize..9000), |(at, chunk)| {
            if let Some(cut) = cut_near(&log, at) {
                let (split, absorbed) = in_parts(&config, &[], "crossing.log", &log, cut, chunk);
                prop_assert_eq!(absorbed, Ok(()));
                prop_assert_eq!(split, whole.clone());
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn parts_keep_the_limits_of_one_pass() {
    // Bucket limits from "the part alone reaches it" (refused, the log still counted) to
    // "only both parts together reach it" (merged, dropping and counting what one pass drops).
    let log = std::fs::read(mailrep_tests::examples().join("mail.log")).unwrap();
    let cut = cut_near(&log, log.len() / 2).unwrap();
    let (mut merged_over, mut refused) = (0, 0);
    for max in (1..40).map(|k| k * k * 4) {
        let mut config = Config::default();
        config.limits.max_buckets = max;
        let whole = one_pass(&config, &[], "mail.log", &log);
        let (split, absorbed) = in_parts(&config, &[], "mail.log", &log, cut, 1 << 16);
        assert_eq!(split, whole, "max_buckets {max}");
        match absorbed {
            Ok(()) if whole.contains("\"code\": \"limit.buckets\"") => merged_over += 1,
            Ok(()) => {}
            Err(e) => {
                assert!(e.contains("limit"), "{e}");
                refused += 1;
            }
        }
    }
    assert!(
        merged_over > 0 && refused > 0,
        "{merged_over} merged over, {refused} refused"
    );

    // A part that reached the unclassified limit is refused; the log is still counted.
    let mut refused = 0;
    for (name, log) in logs() {
        let Some(cut) = cut_near(&log, log.len() / 2) else {
            continue;
        };
        for max in 1..5 {
            let mut config = Config::default();
            config.limits.max_unclassified = max;
            let whole = one_pass(&config, &[], &name, &log);
            let (split, absorbed) = in_parts(&config, &[], &name, &log, cut, 1 << 16);
            assert_eq!(split, whole, "{name}, max_unclassified {max}");
            refused += usize::from(absorbed.is_err());
        }
    }
    assert!(refused > 0);
}

#[test]
fn a_refused_part_changes_nothing() {
    let config = Config::default();
    let log = std::fs::read(mailrep_tests::examples().join("mail.log")).unwrap();
    let cut = cut_near(&log, log.len() / 3).unwrap();
    let whole = one_pass(&config, &[], "mail.log", &log);
    let mut part = Analyzer::new(config.clone()).unwrap();
    part.begin_part("mail.log", reference());
    part.push(&log[cut..]);
    let state = part.end_part();
    for bad in [
        state[..state.len() - 1].to_vec(),
        state[..state.len() / 2].to_vec(),
        b"MRP0".to_vec(),
        Vec::new(),
        [&state[..], b"x"].concat(),
    ] {
        let mut a = Analyzer::new(config.clone()).unwrap();
        a.begin_input("mail.log", reference());
        a.push(&log[..cut]);
        let e = a.absorb_part(&bad).unwrap_err();
        assert!(e.to_string().contains("not readable"), "{e}");
        a.push(&log[cut..]);
        assert_eq!(a.finish().to_json(), whole);
    }
    // Not at a line boundary: refused.
    let mut a = Analyzer::new(config.clone()).unwrap();
    a.begin_input("mail.log", reference());
    a.push(&log[..cut - 5]);
    assert!(a.absorb_part(&state).is_err());
    a.push(&log[cut - 5..]);
    assert_eq!(a.finish().to_json(), whole);
    // A gzip input is not a plain log.
    let gz = std::fs::read(mailrep_tests::examples().join("mail.log.1.gz")).unwrap();
    assert!(!mailrep_core::input::splittable_log(&gz));
    assert!(mailrep_core::input::splittable_log(&log));
}
