//! The labelled replies (`corpus/replies/dev.tsv`) against the classifier: outcome agreement
//! >= 95 %, provider agreement, and memo == no memo over the replies and a generated log.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use mailrep_core::postfix::classify::{Classifier, ClassifyCache};
use mailrep_core::postfix::rules::RulesConfig;
use mailrep_core::postfix::{Delivery, Outcome, Relay, Reply, Status};

/// Rows whose label we are sure is wrong: (substring of `reply_text`, labelled class, our
/// class, reason). Counted as agreement only when the classifier gives exactly `our class`.
const LABEL_DISAGREEMENTS: &[(&str, &str, &str, &str)] = &[(
    "Emetteur invalide. Invalid Sender. OFR004_405",
    "reject_recipient",
    "reject_other",
    "Orange OFR004_405 `Invalid Sender` is about our MAIL FROM, not the recipient (same family as Exchange `Sender denied`, labelled reject_other)",
)];

/// Rows whose labelled provider cannot be derived from the relay host, the recipient domain
/// or the reply text: (substring of `reply_text`, labelled provider, reason).
const PROVIDER_DISAGREEMENTS: &[(&str, &str, &str)] = &[
    (
        "<a8-95.smtp-out.amazonses.com[",
        "Amazon SES",
        "the text names the *sending* client host (SES outbound), not the receiver",
    ),
    (
        "<e22-33.smtp-out.amazonses.com[",
        "Amazon SES",
        "the text names the *sending* client host (SES outbound), not the receiver",
    ),
    (
        "550 5.7.1 Message content rejected, UBE, id=00000-22-225",
        "Barracuda",
        "on-premises appliance known only by its host label `barracuda.*`; no suffix, domain or text clue",
    ),
    (
        "550 5.7.1 Message content rejected, UBE, id=00000-00-000",
        "Barracuda",
        "on-premises appliance known only by its host label `barracuda1.*`; no suffix, domain or text clue",
    ),
    (
        "550 kijitora@neko.example.org... No such user",
        "Broadcom MessageLabs",
        "relay host mail.neko.example.org and text carry no MessageLabs clue",
    ),
    (
        "550 5.2.2 <kijitora@example.co.jp>... Mailbox Full",
        "Yahoo/AOL",
        "relay host mx.example.co.jp and text carry no Yahoo clue",
    ),
    (
        "550 5.7.1 Message considered as SPAM",
        "ImprovMX",
        "no relay host, no clue in the text",
    ),
    (
        "550 spam detected",
        "Free (free.fr)",
        "no relay host, no clue in the text",
    ),
    (
        "This mailbox has been blocked due to inactivity",
        "Free (free.fr)",
        "no relay host, no clue in the text",
    ),
    (
        "451 4.7.1 Sorry, the service is currently unavailable",
        "Yandex",
        "no relay host, no clue in the text",
    ),
    (
        "550 5.7.1 Policy rejection on the target address",
        "Yandex",
        "no relay host, no clue in the text",
    ),
    (
        "551 5.3.0 Unknown error",
        "Yandex",
        "no relay host, no clue in the text",
    ),
    (
        "452 4.3.1 Temporary System Error",
        "Zoho",
        "no relay host, no clue in the text",
    ),
    (
        "554 5.7.1 Email cannot be delivered. Reason: Email flagged as Spam.",
        "Zoho",
        "no relay host, no clue in the text (the row with smtpin.zoho.com agrees)",
    ),
    (
        "550 5.7.1 rejected by DMARC policy for example.com",
        "Infomaniak",
        "no relay host, no clue in the text",
    ),
    (
        "550-SPF-check failed",
        "Hostpoint",
        "no relay host, no clue in the text",
    ),
    (
        "550 zakhareuitar@email.ru unknown user account",
        "Mail.ru",
        "mail.email.ru is not a Mail.ru MX nor a Mail.ru domain",
    ),
];

struct Row {
    text: String,
    dsn: String,
    provider: String,
    class: String,
    code: Option<u16>,
    command: String,
    rhost: String,
    detail: String,
    note: String,
}

fn rows(corpus: &Path) -> Vec<Row> {
    let mut rd = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .flexible(true)
        .quoting(false)
        .has_headers(true)
        .from_path(corpus.join("replies/dev.tsv"))
        .expect("dev.tsv opens");
    let headers = rd.headers().expect("header row").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name} missing"))
    };
    let (text, dsn, provider, class, code, command, rhost, note, detail) = (
        col("reply_text"),
        col("dsn"),
        col("provider"),
        col("our_class"),
        col("reply_code"),
        col("smtp_command"),
        col("rhost"),
        col("note"),
        col("postfix_detail"),
    );
    rd.records()
        .map(|r| {
            let r = r.expect("tsv row");
            let get = |i: usize| r.get(i).unwrap_or("").to_owned();
            Row {
                text: get(text),
                dsn: get(dsn),
                provider: get(provider),
                class: get(class),
                code: get(code).parse().ok(),
                command: get(command),
                rhost: get(rhost),
                detail: get(detail),
                note: get(note),
            }
        })
        .collect()
}

/// Postfix's disposition for the row: the original log's status when the row came from a log
/// (`note`), deferred for a greeting reply with a 4.x dsn (Postfix tries the next MX), else
/// deferred for a 4xx reply code (or a 4.x dsn without one) and bounced otherwise.
fn status(row: &Row) -> Status {
    if row.note.contains("log status=deferred") {
        return Status::Deferred;
    }
    if row.note.contains("log status=bounced") {
        return Status::Bounced;
    }
    if row.detail.contains("refused to talk to me") && row.dsn.starts_with('4') {
        return Status::Deferred;
    }
    let lead = row.text.trim_start().trim_start_matches('#');
    let text_code = lead
        .get(..3)
        .filter(|c| c.bytes().all(|b| b.is_ascii_digit()));
    let temporary = match (row.code, text_code) {
        (Some(c), _) => (400..500).contains(&c),
        (None, Some(c)) => c.starts_with('4'),
        (None, None) => row.dsn.starts_with('4'),
    };
    if temporary {
        Status::Deferred
    } else {
        Status::Bounced
    }
}

/// The domain of the first address in the text, standing in for the recipient domain.
fn address_domain(text: &str) -> Option<&str> {
    let at = text.find('@')?;
    let rest = &text[at + 1..];
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .unwrap_or(rest.len());
    let d = rest[..end].trim_end_matches('.');
    d.contains('.').then_some(d)
}

fn delivery(row: &Row) -> Delivery<'_> {
    let host = (!row.rhost.is_empty()).then_some(row.rhost.as_str());
    Delivery {
        queue_id: "4cDCnd66Hyz1XPWFF",
        to: None,
        orig_to: None,
        relay: host.map_or(Relay::None, |name| Relay::Host {
            name,
            addr: "192.0.2.1",
            port: Some(25),
        }),
        dsn: (!row.dsn.is_empty()).then_some(row.dsn.as_str()),
        status: status(row),
        detail: if row.detail.is_empty() {
            row.text.as_str()
        } else {
            row.detail.as_str()
        },
        reply: Some(Reply {
            host,
            addr: None,
            code: row.code,
            enhanced: None,
            text: &row.text,
            command: (!row.command.is_empty()).then_some(row.command.as_str()),
            greeting: row.detail.contains("refused to talk to me"),
        }),
        connect_host: None,
    }
}

fn short(s: &str) -> String {
    s.chars().take(150).collect()
}

#[test]
fn dev_replies_agree_with_labels() {
    let Some(corpus) = mailrep_tests::corpus() else {
        return;
    };
    let rows = rows(&corpus);
    assert!(rows.len() >= 400, "dev.tsv has {} rows", rows.len());
    let c = Classifier::new(&RulesConfig::default()).expect("default rules compile");
    let mut agree = 0usize;
    let mut listed = 0usize;
    let mut confusion: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut unspecific = 0usize;
    let (mut p_total, mut p_agree, mut p_listed) = (0usize, 0usize, 0usize);
    let mut p_miss = Vec::new();
    for row in &rows {
        let d = delivery(row);
        let provider = c
            .provider(
                d.reply.and_then(|r| r.host),
                address_domain(&row.text),
                Some(&row.text),
            )
            .to_owned();
        let got = c.classify(&d, &provider);
        let want =
            Outcome::parse(&row.class).unwrap_or_else(|| panic!("bad label {:?}", row.class));
        if !got.specific {
            unspecific += 1;
            println!(
                "  fallback {} ({}): {}",
                got.outcome,
                row.class,
                short(&row.text)
            );
        }
        if got.outcome == want {
            agree += 1;
        } else if LABEL_DISAGREEMENTS.iter().any(|(t, l, ours, _)| {
            row.text.contains(t) && *l == row.class && *ours == got.outcome.as_str()
        }) {
            listed += 1;
        } else {
            confusion
                .entry((row.class.clone(), got.outcome.to_string()))
                .or_default()
                .push(format!(
                    "[{} {}] {} ({})",
                    got.rule,
                    got.reason_code,
                    short(&row.text),
                    provider
                ));
        }
        if row.provider != "other" {
            p_total += 1;
            let name = c.provider_name(&provider).unwrap_or("?");
            if name == row.provider {
                p_agree += 1;
            } else if PROVIDER_DISAGREEMENTS
                .iter()
                .any(|(t, p, _)| row.text.contains(t) && *p == row.provider)
            {
                p_listed += 1;
            } else {
                p_miss.push(format!(
                    "want {} got {provider}: rhost={} {}",
                    row.provider,
                    row.rhost,
                    short(&row.text)
                ));
            }
        }
    }
    let n = rows.len();
    let acc = 100.0 * (agree + listed) as f64 / n as f64;
    println!(
        "outcome agreement: {agree}/{n} plain + {listed} listed label disagreements = {acc:.1} %"
    );
    println!("decided by a fallback (not specific): {unspecific}/{n}");
    for ((want, got), texts) in &confusion {
        println!("  expected {want}, got {got}: {}", texts.len());
        for t in texts {
            println!("    {t}");
        }
    }
    for (t, l, ours, why) in LABEL_DISAGREEMENTS {
        println!("  listed: {t:?} labelled {l}, ours {ours}: {why}");
    }
    let p_acc = 100.0 * (p_agree + p_listed) as f64 / p_total.max(1) as f64;
    println!(
        "provider agreement (labelled provider not `other`): {p_agree}/{p_total} + {p_listed} listed = {p_acc:.1} %"
    );
    for m in &p_miss {
        println!("  provider: {m}");
    }
    assert!(acc >= 95.0, "outcome agreement {acc:.1} % < 95 %");
    assert!(
        p_miss.is_empty(),
        "unlisted provider disagreements: {}",
        p_miss.len()
    );
}

#[test]
fn listed_disagreements_still_exist() {
    let Some(corpus) = mailrep_tests::corpus() else {
        return;
    };
    let rows = rows(&corpus);
    for (t, l, _, _) in LABEL_DISAGREEMENTS {
        assert!(
            rows.iter().any(|r| r.text.contains(t) && r.class == *l),
            "stale label disagreement {t:?}"
        );
    }
    for (t, p, _) in PROVIDER_DISAGREEMENTS {
        assert!(
            rows.iter().any(|r| r.text.contains(t) && r.provider == *p),
            "stale provider disagreement {t:?}"
        );
    }
}

/// A minimal `status=` line reader for the generated log (the real parser lives in
/// `postfix::delivery`): relay host, dsn, status and the detail in parentheses.
fn log_delivery(line: &str, with_reply: bool) -> Option<(Delivery<'_>, Option<&str>)> {
    let field = |name: &str| {
        let i = line.find(name)? + name.len();
        let rest = &line[i..];
        Some(&rest[..rest.find([',', ' ']).unwrap_or(rest.len())])
    };
    let status = match field(" status=")? {
        "sent" => Status::Sent,
        "deferred" => Status::Deferred,
        "bounced" => Status::Bounced,
        "expired" => Status::Expired,
        _ => Status::Other,
    };
    let detail = line.find(" status=").and_then(|i| {
        let rest = &line[i..];
        let open = rest.find(" (")? + 2;
        let close = rest.rfind(')').filter(|&c| c >= open).unwrap_or(rest.len());
        Some(&rest[open..close])
    });
    let relay = field(" relay=").unwrap_or("none");
    let host = relay.split('[').next().filter(|h| *h != "none");
    let d = Delivery {
        queue_id: "",
        to: None,
        orig_to: None,
        relay: host.map_or(Relay::None, |name| Relay::Host {
            name,
            addr: "",
            port: None,
        }),
        dsn: field(" dsn="),
        status,
        detail: detail.unwrap_or(""),
        reply: None,
        connect_host: None,
    };
    let mut d = d;
    if with_reply && let Some(i) = d.detail.find(" said: ") {
        let text = &d.detail[i + 7..];
        let text = text.rfind(" (in reply to ").map_or(text, |j| &text[..j]);
        let code = text.get(..3).and_then(|c| c.parse().ok());
        d.reply = Some(Reply {
            host,
            addr: None,
            code,
            enhanced: None,
            text,
            command: None,
            greeting: false,
        });
    }
    let connect = detail
        .and_then(|t| {
            t.strip_prefix("connect to ")
                .or_else(|| t.split("with ").nth(1))
        })
        .and_then(|t| t.split('[').next());
    Some((d, host.or(connect)))
}

#[test]
fn memo_equals_no_memo() {
    let Some(corpus) = mailrep_tests::corpus() else {
        return;
    };
    let c = Classifier::new(&RulesConfig::default()).expect("default rules compile");
    let mut big = ClassifyCache::new();
    let mut tiny = ClassifyCache::with_capacity(16);
    let rows = rows(&corpus);
    for _round in 0..2 {
        for row in &rows {
            let d = delivery(row);
            let provider = c
                .provider(d.reply.and_then(|r| r.host), None, Some(&row.text))
                .to_owned();
            let want = c.classify(&d, &provider);
            assert_eq!(*big.classify(&c, &d, &provider), want, "{}", row.text);
            assert_eq!(*tiny.classify(&c, &d, &provider), want, "{}", row.text);
        }
    }

    let generator = corpus.join("../bench/gen-postfix-log");
    if !generator.exists() {
        eprintln!(
            "notice: {} is absent; generated-log memo check skipped",
            generator.display()
        );
        return;
    }
    let out = std::env::temp_dir().join(format!("mailrep-replies-{}.log", std::process::id()));
    let ok = std::process::Command::new(&generator)
        .args(["--lines", "40000", "--seed", "11", "-o"])
        .arg(&out)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "notice: {} failed; generated-log memo check skipped",
            generator.display()
        );
        return;
    }
    let log = std::fs::read_to_string(&out).expect("generated log");
    let _ = std::fs::remove_file(&out);
    let mut big = ClassifyCache::new();
    let (mut n, mut unspecific) = (0usize, BTreeMap::<String, usize>::new());
    for line in log.lines() {
        let Some((d, host)) = log_delivery(line, n % 2 == 0) else {
            continue;
        };
        n += 1;
        let provider = c.provider(host, None, Some(d.detail)).to_owned();
        assert_eq!(big.provider(&c, host, None, Some(d.detail)), provider);
        let want = c.classify(&d, &provider);
        assert_eq!(*big.classify(&c, &d, &provider), want, "{line}");
        assert_eq!(*tiny.classify(&c, &d, &provider), want, "{line}");
        if !want.specific {
            *unspecific
                .entry(mailrep_core::postfix::classify::template(d.detail))
                .or_default() += 1;
        }
    }
    let (hits, misses) = big.stats();
    println!(
        "generated log: {n} attempts, memo {} entries, {hits} hits / {misses} misses",
        big.len()
    );
    for (t, k) in &unspecific {
        println!("  unclassified x{k}: {}", short(t));
    }
    assert!(n > 1000);
}

/// Throughput of provider + memoised classification over a generated log (run with
/// `cargo test --release -p mailrep-tests replies::memo_speed -- --ignored --nocapture`).
#[test]
#[ignore = "timing, run by hand in release"]
fn memo_speed() {
    let Some(corpus) = mailrep_tests::corpus() else {
        return;
    };
    let generator = corpus.join("../bench/gen-postfix-log");
    let out = std::env::temp_dir().join(format!("mailrep-speed-{}.log", std::process::id()));
    let ok = std::process::Command::new(&generator)
        .args(["--lines", "200000", "--seed", "7", "-o"])
        .arg(&out)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        return;
    }
    let log = std::fs::read_to_string(&out).expect("generated log");
    let _ = std::fs::remove_file(&out);
    let deliveries: Vec<(Delivery<'_>, Option<&str>)> =
        log.lines().filter_map(|l| log_delivery(l, true)).collect();
    let c = Classifier::new(&RulesConfig::default()).expect("default rules compile");
    let m = deliveries.len() as f64;
    // The fastest of several passes (the machine is shared).
    let best = |f: &mut dyn FnMut() -> usize| {
        (0..7)
            .map(|_| {
                let start = std::time::Instant::now();
                std::hint::black_box(f());
                start.elapsed().as_secs_f64() / m * 1e9
            })
            .fold(f64::INFINITY, f64::min)
    };
    let t = best(&mut || {
        deliveries
            .iter()
            .map(|(d, _)| {
                mailrep_core::postfix::classify::template(d.reply.map_or(d.detail, |r| r.text))
                    .len()
            })
            .sum()
    });
    println!("template alone: {t:.0} ns per attempt");
    let t = best(&mut || {
        deliveries
            .iter()
            .map(|(_, h)| c.provider(*h, None, None).len())
            .sum()
    });
    println!("provider alone: {t:.0} ns per attempt");
    let mut pc = ClassifyCache::new();
    let t = best(&mut || {
        deliveries
            .iter()
            .map(|(_, h)| pc.provider(&c, *h, None, None).len())
            .sum()
    });
    println!("provider memo: {t:.0} ns per attempt");
    let providers: Vec<String> = deliveries
        .iter()
        .map(|(_, h)| c.provider(*h, None, None).to_owned())
        .collect();
    let mut cache = ClassifyCache::new();
    let t = best(&mut || {
        deliveries
            .iter()
            .zip(&providers)
            .map(|((d, _), p)| cache.classify(&c, d, p).reason_code.len())
            .sum()
    });
    println!("memo alone: {t:.0} ns per attempt, {} entries", cache.len());
    let t = best(&mut || {
        deliveries
            .iter()
            .map(|(d, h)| {
                let p = cache.provider(&c, *h, None, None);
                usize::from(cache.classify(&c, d, p).outcome == Outcome::Throttled)
            })
            .sum()
    });
    println!(
        "provider + memo: {t:.0} ns per attempt = {:.2} M/s",
        1e3 / t
    );
    let start = std::time::Instant::now();
    let sample = deliveries.len().min(20_000);
    let k: usize = deliveries
        .iter()
        .take(sample)
        .map(|(d, h)| c.classify(d, c.provider(*h, None, None)).rule.len())
        .sum();
    println!(
        "uncached: {:.0} ns per attempt ({k})",
        start.elapsed().as_secs_f64() / sample as f64 * 1e9
    );
}
