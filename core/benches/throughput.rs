//! Throughput of the core's push API on in-memory inputs (no file I/O is timed).
//!
//! * `postfix/plain`: a Postfix log made once by `shared/bench/gen-postfix-log` (150,000 lines,
//!   seed 42, about 33 MB; cached in `target/bench/`), pushed in 1 MiB chunks like the CLI does.
//!   Without python3 or the generator, `examples/mail.log` repeated to about 32 MB is used.
//! * `postfix/gzip`: the same log gzipped (level 6) in memory; throughput counts the
//!   *uncompressed* bytes, like `bench/compare.sh` and `zcat` figures do.
//! * `dmarc/dev_corpus`: every file of `shared/corpus/dmarc/dev/` (except `expected-parsedmarc/`
//!   and `summary.csv`), one input each; skipped when the corpus is absent.
//!
//! Each iteration is `Analyzer::new` + `begin_input`/`push`/`end_input` + `finish`.
//! Run: `cargo bench -p mailrep-core --bench throughput`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use flate2::Compression;
use flate2::write::GzEncoder;
use mailrep_core::{Analyzer, Config, Date, Findings};

/// Lines of the generated log (about 33 MB).
const GEN_LINES: u32 = 150_000;
/// Chunk size of `push`, as in the CLI.
const CHUNK: usize = 1 << 20;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn shared() -> PathBuf {
    std::env::var_os("MAILREP_SHARED").map_or_else(|| root().join("../shared"), PathBuf::from)
}

/// The generated log (cached), or `examples/mail.log` repeated when it cannot be made.
fn postfix_log() -> (String, Vec<u8>) {
    let dir = root().join("target/bench");
    let path = dir.join(format!("criterion-{GEN_LINES}-seed42.log"));
    if let Ok(bytes) = fs::read(&path) {
        return (format!("generated {GEN_LINES} lines"), bytes);
    }
    let generator = shared().join("bench/gen-postfix-log");
    let tmp = dir.join(format!("criterion-{GEN_LINES}-seed42.log.tmp"));
    let made = generator.is_file()
        && fs::create_dir_all(&dir).is_ok()
        && Command::new("python3")
            .arg(&generator)
            .args(["--lines", &GEN_LINES.to_string(), "--seed", "42", "-o"])
            .arg(&tmp)
            .status()
            .is_ok_and(|s| s.success())
        && fs::rename(&tmp, &path).is_ok();
    if made && let Ok(bytes) = fs::read(&path) {
        return (format!("generated {GEN_LINES} lines"), bytes);
    }
    let example = fs::read(root().join("examples/mail.log")).unwrap_or_default();
    assert!(
        !example.is_empty(),
        "neither the generator nor examples/mail.log is usable"
    );
    let copies = (32 << 20) / example.len() + 1;
    (
        "examples/mail.log repeated".to_owned(),
        example.repeat(copies),
    )
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = GzEncoder::new(Vec::with_capacity(bytes.len() / 4), Compression::new(6));
    enc.write_all(bytes)?;
    enc.finish()
}

/// The DMARC dev corpus as (name, bytes), sorted by name; empty when absent.
fn dmarc_corpus() -> Vec<(String, Vec<u8>)> {
    let dir = shared().join("corpus/dmarc/dev");
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "summary.csv" && !name.starts_with('.'))
        .filter_map(|name| fs::read(dir.join(&name)).ok().map(|b| (name, b)))
        .collect();
    files.sort();
    files
}

/// Reference date for year-less stamps: 2026-12-02, the day after the generated log ends.
fn reference() -> Date {
    Date::from_unix(1_796_169_600, 0)
}

fn analyze(inputs: &[(&str, &[u8])]) -> Findings {
    let Ok(mut analyzer) = Analyzer::new(Config::default()) else {
        unreachable!("the default configuration is valid");
    };
    for (name, bytes) in inputs {
        analyzer.begin_input(name, reference());
        for chunk in bytes.chunks(CHUNK) {
            analyzer.push(chunk);
        }
        analyzer.end_input();
    }
    analyzer.finish()
}

fn postfix(c: &mut Criterion) {
    let (what, log) = postfix_log();
    let Ok(gz) = gzip(&log) else {
        unreachable!("gzip into memory cannot fail");
    };
    let mut group = c.benchmark_group("postfix");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::BytesDecimal(log.len() as u64));
    group.bench_with_input(BenchmarkId::new("plain", &what), &log, |b, log| {
        b.iter(|| analyze(&[("mail.log", log)]));
    });
    group.bench_with_input(BenchmarkId::new("gzip", &what), &gz, |b, gz| {
        b.iter(|| analyze(&[("mail.log.gz", gz)]));
    });
    group.finish();
}

fn dmarc(c: &mut Criterion) {
    let corpus = dmarc_corpus();
    if corpus.is_empty() {
        return;
    }
    let inputs: Vec<(&str, &[u8])> = corpus
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let bytes: usize = corpus.iter().map(|(_, b)| b.len()).sum();
    let records = analyze(&inputs).dmarc.totals.records;
    let mut group = c.benchmark_group("dmarc");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::BytesDecimal(bytes as u64));
    let id = format!("{} files, {records} records", corpus.len());
    group.bench_with_input(BenchmarkId::new("dev_corpus", id), &inputs, |b, inputs| {
        b.iter(|| analyze(inputs));
    });
    group.finish();
}

criterion_group!(benches, postfix, dmarc);
criterion_main!(benches);
