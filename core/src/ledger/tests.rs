//! Ledger scenarios on synthetic single-host logs: every line counted exactly once.

use std::collections::HashSet;

use super::*;

/// A synthetic log: line i at time 10 i with a pseudo-random fingerprint.
fn log(n: usize, seed: u64) -> Vec<(i64, u64)> {
    (0..n)
        .map(|i| (i as i64 * 10, fingerprint(format!("{seed}:{i}").as_bytes())))
        .collect()
}

const SMALL: Params = Params {
    small_modulus: 4,
    big_modulus: 32,
    gap_seconds: 3600,
};

/// Feeds streams (each a list of line indexes into `log`) run after run, each run a fresh
/// tracker over the stored ledger; returns how often each line was counted.
fn feed(log: &[(i64, u64)], runs: &[Vec<Vec<usize>>]) -> Vec<u32> {
    let mut stored = Ledger::new(SMALL);
    let mut counted = vec![0u32; log.len()];
    for run in runs {
        let mut t = Tracker::new();
        t.add_host("h", stored.clone());
        for stream in run {
            for (n, &i) in stream.iter().enumerate() {
                t.line("h", log[i].0, log[i].1, n as u64 + 1);
            }
            let (seen, _) = t.end_stream();
            for (n, &i) in stream.iter().enumerate() {
                if !seen.contains(n as u64 + 1) {
                    counted[i] += 1;
                }
            }
        }
        stored = t.into_ledgers().remove(0).1;
        let bytes = stored.to_bytes();
        assert_eq!(Ledger::from_bytes(SMALL, &bytes).unwrap(), stored);
    }
    counted
}

fn range(a: usize, b: usize) -> Vec<usize> {
    (a..b).collect()
}

fn cat(parts: &[Vec<usize>]) -> Vec<usize> {
    parts.concat()
}

fn assert_once(counted: &[u32], fed: &HashSet<usize>) {
    for (i, c) in counted.iter().enumerate() {
        let want = u32::from(fed.contains(&i));
        assert_eq!(*c, want, "line {i} counted {c} times");
    }
}

#[test]
fn same_stream_twice_and_a_file_that_grew() {
    let l = log(1000, 1);
    let c = feed(
        &l,
        &[
            vec![range(0, 300)],
            vec![range(0, 300)],
            vec![range(0, 777)],
        ],
    );
    assert_once(&c, &(0..777).collect());
}

#[test]
fn daily_rotation_fed_newest_first_with_zcat() {
    let l = log(2000, 2);
    // Rotation points: files f0 (oldest) .. f4.
    let cuts = [0, 333, 700, 1111, 1500, 2000];
    let f = |k: usize| range(cuts[k], cuts[k + 1]);
    let mut runs = Vec::new();
    for day in 0..5 {
        // zcat -f mail.log*: newest first, the current file possibly half written.
        let mut parts: Vec<Vec<usize>> = (0..=day).rev().map(f).collect();
        let half = parts[0].len() / 2 + 1;
        parts[0].truncate(half);
        runs.push(vec![cat(&parts)]);
        runs.push(vec![cat(&(0..=day).rev().map(f).collect::<Vec<_>>())]);
    }
    let c = feed(&l, &runs);
    assert_once(&c, &(0..2000).collect());
}

#[test]
fn in_order_concatenation_then_files_alone_then_out_of_order() {
    let l = log(3000, 3);
    let cuts = [0, 900, 1800, 3000];
    let f = |k: usize| range(cuts[k], cuts[k + 1]);
    let c = feed(
        &l,
        &[
            vec![cat(&[f(0), f(1)])],
            vec![f(1), f(0)],
            vec![cat(&[f(2), f(1), f(0)])],
            vec![cat(&[f(0), f(1), f(2)])],
        ],
    );
    assert_once(&c, &(0..3000).collect());
}

#[test]
fn ledger_stays_small_on_a_growing_file() {
    let l = log(20_000, 4);
    let mut runs = Vec::new();
    for k in 1..=20 {
        runs.push(vec![range(0, k * 1000)]);
    }
    let mut stored = Ledger::new(Params::default());
    for run in &runs {
        let mut t = Tracker::new();
        t.add_host("h", stored.clone());
        for (n, &i) in run[0].iter().enumerate() {
            t.line("h", l[i].0, l[i].1, n as u64 + 1);
        }
        t.end_stream();
        stored = t.into_ledgers().remove(0).1;
    }
    // Default chunks: a few big chunks plus one edge region each side.
    assert!(stored.to_bytes().len() < 40_000, "{:?}", stored.len());
}

#[test]
fn a_small_file_first_seen_inside_an_in_order_concatenation_is_recognised_alone() {
    let l = log(3000, 5);
    // f1 is small (40 lines: several small chunks) and sits inside a big chunk of run 1.
    let f0 = range(0, 1400);
    let f1 = range(1400, 1440);
    let f2 = range(1440, 3000);
    let c = feed(
        &l,
        &[
            vec![cat(&[f0.clone(), f1.clone(), f2.clone()])],
            vec![f1.clone()],
            vec![cat(&[f2, f1, f0])],
        ],
    );
    assert_once(&c, &(0..3000).collect());
}
