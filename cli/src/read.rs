//! Reading inputs (files, directories, stdin) into the core's push API.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mailrep_core::{Analyzer, Config, Date};

/// Size of the chunks pushed into the core, in bytes.
const CHUNK: usize = 256 << 10;

/// One input to read.
#[derive(Debug)]
pub(crate) struct Source {
    /// Name shown in the findings (the path as given, or `-`).
    pub(crate) name: String,
    /// Path, or `None` for stdin.
    pub(crate) path: Option<PathBuf>,
}

/// Expands directories (recursively, sorted by name, hidden files skipped) into files.
pub(crate) fn expand(inputs: &[PathBuf]) -> Vec<Result<Source, (String, String)>> {
    let mut out = Vec::new();
    for p in inputs {
        if p.as_os_str() == "-" {
            out.push(Ok(Source {
                name: "-".into(),
                path: None,
            }));
            continue;
        }
        if p.is_dir() {
            for entry in walkdir::WalkDir::new(p)
                .sort_by_file_name()
                .follow_links(true)
            {
                match entry {
                    Ok(e) if e.file_type().is_file() => {
                        let hidden = e.file_name().to_string_lossy().starts_with('.');
                        if !hidden {
                            out.push(Ok(Source {
                                name: e.path().display().to_string(),
                                path: Some(e.path().to_path_buf()),
                            }));
                        }
                    }
                    Ok(_) => {}
                    Err(e) => out.push(Err((p.display().to_string(), e.to_string()))),
                }
            }
        } else {
            out.push(Ok(Source {
                name: p.display().to_string(),
                path: Some(p.clone()),
            }));
        }
    }
    out
}

/// Today's reference date (tomorrow in UTC, see [`Date::reference_for_mtime`]).
pub(crate) fn today_reference() -> Date {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    Date::reference_for_mtime(now)
}

/// The reference date of a file: the day after its modification time.
pub(crate) fn mtime_reference(path: &Path) -> Option<Date> {
    let m = std::fs::metadata(path).ok()?.modified().ok()?;
    let secs = m.duration_since(UNIX_EPOCH).ok()?.as_secs() as i64;
    Some(Date::reference_for_mtime(secs))
}

/// Loads the configuration (default when no file is given).
pub(crate) fn load_config(path: Option<&Path>) -> Result<Config> {
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading configuration {}", path.display()))?;
    Config::from_toml(&text).with_context(|| format!("configuration {}", path.display()))
}

/// Parses `--reference-date`.
pub(crate) fn parse_reference(s: Option<&str>) -> Result<Option<Date>> {
    s.map(|s| {
        Date::parse(s).with_context(|| format!("--reference-date {s:?}: expected YYYY-MM-DD"))
    })
    .transpose()
}

/// One read, retried when interrupted by a signal.
fn read_retrying(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            r => return r,
        }
    }
}

/// Reads every source into the analyzer. Returns how many sources could be opened.
pub(crate) fn feed(
    analyzer: &mut Analyzer,
    sources: &[Source],
    fixed: Option<Date>,
    progress: bool,
) -> usize {
    let total: u64 = sources
        .iter()
        .filter_map(|s| s.path.as_ref())
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let bar = if progress && total > 64 << 20 {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {bytes}/{total_bytes} {bytes_per_sec} {wide_bar} {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut opened = 0;
    let mut buf = vec![0u8; CHUNK];
    for s in sources {
        let reference = fixed
            .or_else(|| s.path.as_deref().and_then(mtime_reference))
            .unwrap_or_else(today_reference);
        let mut reader: Box<dyn Read + Send> = match &s.path {
            None => Box::new(io::stdin()),
            Some(p) => match File::open(p) {
                Ok(f) => Box::new(f),
                Err(e) => {
                    analyzer.input_error(&s.name, reference, &format!("cannot open: {e}"));
                    continue;
                }
            },
        };
        opened += 1;
        bar.set_message(s.name.clone());
        let file_bar = s.path.is_some().then_some(&bar);
        // The first chunk decides: an input that starts with a gzip member is decoded on a
        // second thread while this one analyses (same findings as the inline path).
        let first = match read_retrying(&mut *reader, &mut buf) {
            Ok(n) => n,
            Err(e) => {
                analyzer.begin_input(&s.name, reference);
                analyzer.end_input();
                analyzer.input_error(&s.name, reference, &format!("read error: {e}"));
                continue;
            }
        };
        if let Some(bar) = file_bar {
            bar.inc(first as u64);
        }
        if first >= 2 && mailrep_core::input::starts_gzip(&buf[..first]) {
            analyzer.begin_inflated_input(&s.name, reference);
            if let Some(e) =
                crate::inflate::feed_gzip(analyzer, &mut *reader, &buf[..first], CHUNK, file_bar)
            {
                analyzer.input_error(&s.name, reference, &format!("read error: {e}"));
            }
            continue;
        }
        analyzer.begin_input(&s.name, reference);
        if first == 0 {
            analyzer.end_input();
            continue;
        }
        analyzer.push(&buf[..first]);
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    analyzer.push(&buf[..n]);
                    if let Some(bar) = file_bar {
                        bar.inc(n as u64);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    analyzer.end_input();
                    analyzer.input_error(&s.name, reference, &format!("read error: {e}"));
                    break;
                }
            }
        }
        analyzer.end_input();
    }
    bar.finish_and_clear();
    opened
}
