//! Chunk invariance (DESIGN §2): the same bytes give byte-identical findings however they are
//! pushed, over the project's examples and the shared corpus.

use std::path::PathBuf;

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
