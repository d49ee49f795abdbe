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
    feed_shaped(log, runs, StreamShape::Stream, SMALL).0
}

/// [`feed`] with every stream of `shape` and `params`; also returns the stored ledger.
fn feed_shaped(
    log: &[(i64, u64)],
    runs: &[Vec<Vec<usize>>],
    shape: StreamShape,
    params: Params,
) -> (Vec<u32>, Ledger) {
    let shaped: Vec<Vec<(StreamShape, Vec<usize>)>> = runs
        .iter()
        .map(|run| run.iter().map(|s| (shape, s.clone())).collect())
        .collect();
    feed_mixed(log, &shaped, params)
}

/// Streams of any shape, run after run.
fn feed_mixed(
    log: &[(i64, u64)],
    runs: &[Vec<(StreamShape, Vec<usize>)>],
    params: Params,
) -> (Vec<u32>, Ledger) {
    let mut stored = Ledger::new(params);
    let mut counted = vec![0u32; log.len()];
    for run in runs {
        let mut t = Tracker::new(params);
        t.add_host("h", stored.clone());
        for (shape, stream) in run {
            t.begin_stream(*shape);
            for (n, &i) in stream.iter().enumerate() {
                t.line("h", log[i].0, log[i].1, n as u64);
            }
            t.end_stream();
            let mut decided = vec![None; stream.len()];
            for (id, seen) in t.decisions() {
                assert!(decided[id as usize].is_none(), "line decided twice");
                decided[id as usize] = Some(seen);
            }
            for (n, &i) in stream.iter().enumerate() {
                if !decided[n].expect("every line decided") {
                    counted[i] += 1;
                }
            }
        }
        stored = t.into_ledgers().remove(0).1;
        let bytes = stored.to_bytes();
        assert_eq!(Ledger::from_bytes(params, &bytes).unwrap(), stored);
    }
    (counted, stored)
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
    let (c, stored) = feed_shaped(&l, &runs, StreamShape::Stream, Params::default());
    assert_once(&c, &(0..20_000).collect());
    // Default chunks: a few big chunks plus one edge region each side.
    assert!(stored.to_bytes().len() < 40_000, "{:?}", stored.len());
    // Read as a file: big chunks without interior tags, the edges as two line counts.
    let (c, stored) = feed_shaped(&l, &runs, StreamShape::File, Params::default());
    assert_once(&c, &(0..20_000).collect());
    let n = stored.len();
    assert_eq!((n.small, n.lines, n.counts, n.tags), (0, 0, 2, 0), "{n:?}");
    assert_eq!(stored.to_bytes().len(), 25 + 17 * n.big + 24);
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

/// Every scenario above again with file streams where a file is read alone, and stdin
/// streams for concatenations.
#[test]
fn files_and_concatenations_mixed() {
    use StreamShape::{File, Stream};
    let l = log(3000, 6);
    let cuts = [0, 900, 1400, 1440, 2100, 3000];
    let f = |k: usize| range(cuts[k], cuts[k + 1]);
    let grow = |k: usize, n: usize| range(cuts[k], cuts[k] + n);
    let runs = vec![
        vec![(File, grow(0, 500))],
        vec![(File, f(0)), (File, grow(1, 100))],
        vec![(Stream, cat(&[f(1), f(2), f(3)]))],
        vec![(File, f(2)), (File, f(3))],
        vec![(Stream, cat(&[f(3), f(2), f(1), f(0)]))],
        vec![(File, grow(4, 300))],
        vec![(Stream, cat(&[f(0), f(1), f(2), f(3), grow(4, 600)]))],
        vec![
            (File, f(4)),
            (File, f(3)),
            (File, f(2)),
            (File, f(1)),
            (File, f(0)),
        ],
        vec![(Stream, cat(&[f(4), f(3), f(2), f(1), f(0)]))],
    ];
    // (A file of fewer lines than a small chunk, first counted inside an in-order
    // concatenation, is the documented limit: f2 holds 40 lines.)
    let coarse = Params {
        small_modulus: 8,
        big_modulus: 256,
        gap_seconds: 3600,
    };
    for params in [SMALL, coarse] {
        let (c, _) = feed_mixed(&l, &runs, params);
        assert_once(&c, &(0..3000).collect());
    }
}

#[test]
fn a_small_file_inside_a_concatenation_then_the_files_alone() {
    use StreamShape::{File, Stream};
    let l = log(3000, 7);
    let (f0, f1, f2) = (range(0, 1400), range(1400, 1440), range(1440, 3000));
    let (c, stored) = feed_mixed(
        &l,
        &[
            vec![(Stream, cat(&[f0.clone(), f1.clone(), f2.clone()]))],
            vec![(File, f1.clone())],
            vec![(File, f0.clone()), (File, f2.clone())],
            vec![(Stream, cat(&[f2.clone(), f1.clone(), f0.clone()]))],
        ],
        SMALL,
    );
    assert_once(&c, &(0..3000).collect());
    // The chunk around f1 spans two junctions: never seen whole in a file, it keeps its tags;
    // chunks seen whole inside f0 or f2 have dropped theirs.
    let with_tags = stored.big_by_start.values().filter(|b| !b.tags.is_empty());
    assert!(with_tags.count() >= 1);
    let (_, fresh) = feed_mixed(
        &l,
        &[vec![(Stream, cat(&[f0.clone(), f1.clone(), f2.clone()]))]],
        SMALL,
    );
    assert!(
        stored.len().tags < fresh.len().tags,
        "{:?} {:?}",
        stored.len(),
        fresh.len()
    );
}

#[test]
fn format_2_ledgers_are_read() {
    let mut b = vec![2u8];
    for n in [1u32, 1, 1, 2] {
        b.extend_from_slice(&n.to_le_bytes());
    }
    for w in [10u64 << 13, 20 << 13, 3 << 6, 5 << 6, 77] {
        b.extend_from_slice(&w.to_le_bytes());
    }
    for t in [7u32, 9] {
        b.extend_from_slice(&t.to_le_bytes());
    }
    let l = Ledger::from_bytes(SMALL, &b).unwrap();
    assert_eq!(
        l.len(),
        Counts {
            big: 1,
            small: 1,
            lines: 1,
            counts: 0,
            tags: 2
        }
    );
    assert!(l.interior.contains_key(&9) && l.lines.contains(&77));
    let again = Ledger::from_bytes(SMALL, &l.to_bytes()).unwrap();
    assert_eq!(again, l);
    assert!(Ledger::from_bytes(SMALL, &b[..b.len() - 1]).is_err());
    assert!(Ledger::from_bytes(SMALL, &[9]).is_err());
}

#[test]
fn replay_hands_back_what_seen_lines_added() {
    let l = log(500, 8);
    let mut stored = Ledger::new(SMALL);
    for (run, want_back) in [(0..300, 0), (0..400, 300)] {
        let mut t = Tracker::new(SMALL);
        t.add_host("h", stored.clone());
        let mut r: Replay<usize> = Replay::new(t);
        let mut back = Vec::new();
        r.begin_stream(StreamShape::File);
        for i in run {
            r.line("h", l[i].0, l[i].1);
            if i % 2 == 0 {
                r.record(i);
            }
            back.extend(r.take_seen());
        }
        let stats = r.end_stream();
        back.extend(r.take_seen());
        assert_eq!(stats.seen_lines, want_back);
        back.sort_unstable();
        let want: Vec<usize> = (0..want_back as usize).filter(|i| i % 2 == 0).collect();
        assert_eq!(back, want);
        stored = r.into_ledgers().remove(0).1;
    }
}
