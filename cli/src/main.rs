//! `mailrep`: the command-line front end of mailrep-core.

mod args;
mod output;
mod read;

use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use mailrep_core::{Analyzer, Config, Findings, Severity};

use args::{AnalyzeArgs, Cli, Command, ConfigAction, ExplainArgs, Format};

/// Exit status when the run could not be done.
const EXIT_ERROR: u8 = 3;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_ERROR)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            #[allow(clippy::print_stderr)]
            {
                eprintln!("mailrep: error: {e}");
                for cause in e.chain().skip(1) {
                    eprintln!("  cause: {cause}");
                }
            }
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Analyze(a) => analyze(&a),
        Command::Explain(e) => explain(&e),
        Command::Config { action } => config(action),
    }
}

fn analyze(a: &AnalyzeArgs) -> Result<u8> {
    let config = read::load_config(a.input.config.as_deref())?;
    let fixed = read::parse_reference(a.input.reference_date.as_deref())?;
    let mut analyzer = Analyzer::new(config)?;
    let mut sources = Vec::new();
    for s in read::expand(&a.input.inputs) {
        match s {
            Ok(s) => sources.push(s),
            Err((name, msg)) => {
                analyzer.input_error(&name, fixed.unwrap_or_else(read::today_reference), &msg);
            }
        }
    }
    let opened = read::feed(&mut analyzer, &sources, fixed, !a.quiet);
    let mut findings = analyzer.finish();
    if let Some(preset) = a.redact {
        findings = mailrep_core::redact(&findings, preset);
    }
    let bytes = match a.format {
        Format::Json => findings.to_json().into_bytes(),
        Format::Text => output::text::render(&findings, a.detail).into_bytes(),
        Format::Csv => mailrep_core::report::csv::delivery(&findings)?.into_bytes(),
        Format::Html => mailrep_core::report::html::render(&findings).into_bytes(),
    };
    write_output(a.output.as_deref(), &bytes)?;
    if opened == 0 {
        anyhow::bail!("no input could be read");
    }
    Ok(exit_code(&findings))
}

/// 0 healthy, 1 warning verdicts, 2 critical verdicts.
fn exit_code(f: &Findings) -> u8 {
    match f.worst_severity() {
        Some(Severity::Critical) => 2,
        Some(Severity::Warning) => 1,
        Some(Severity::Info) | None => 0,
    }
}

fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    if let Some(p) = path {
        return std::fs::write(p, bytes).with_context(|| format!("writing {}", p.display()));
    }
    let mut out = io::stdout().lock();
    out.write_all(bytes).context("writing to stdout")?;
    out.flush().context("writing to stdout")
}

/// `explain`: log lines only (reports are not delivery attempts); plain or gzip.
fn explain(e: &ExplainArgs) -> Result<u8> {
    let config = read::load_config(e.input.config.as_deref())?;
    let fixed = read::parse_reference(e.input.reference_date.as_deref())?;
    let analyzer = Analyzer::new(config)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut status = 0;
    for s in read::expand(&e.input.inputs) {
        let s = match s {
            Ok(s) => s,
            Err((name, msg)) => {
                #[allow(clippy::print_stderr)]
                {
                    eprintln!("mailrep: {name}: {msg}");
                }
                status = EXIT_ERROR;
                continue;
            }
        };
        let reference = fixed.unwrap_or_else(read::today_reference);
        let raw: Box<dyn Read> = match &s.path {
            None => Box::new(io::stdin().lock()),
            Some(p) => {
                Box::new(std::fs::File::open(p).with_context(|| format!("opening {}", s.name))?)
            }
        };
        let mut reader = BufReader::new(raw);
        let gz = reader
            .fill_buf()
            .is_ok_and(|b| b.starts_with(&[0x1f, 0x8b]));
        let mut reader: Box<dyn BufRead> = if gz {
            Box::new(BufReader::new(flate2_reader(reader)))
        } else {
            Box::new(reader)
        };
        let mut line = Vec::new();
        let mut line_no = 0u64;
        loop {
            line.clear();
            if reader
                .read_until(b'\n', &mut line)
                .with_context(|| format!("reading {}", s.name))?
                == 0
            {
                break;
            }
            line_no += 1;
            let trimmed = line.strip_suffix(b"\n").unwrap_or(&line);
            if let Some(x) = analyzer
                .explain_line(trimmed, reference)
                .filter(|x| x.counted || e.all)
            {
                {
                    let mut v = serde_json::to_value(&x)?;
                    if let Some(obj) = v.as_object_mut() {
                        obj.insert("input".into(), s.name.clone().into());
                        obj.insert("line".into(), line_no.into());
                    }
                    serde_json::to_writer(&mut out, &v)?;
                    out.write_all(b"\n")?;
                }
            }
        }
    }
    out.flush()?;
    Ok(status)
}

fn flate2_reader<R: Read>(r: R) -> impl Read {
    mailrep_core::input::gzip_reader(r)
}

fn config(action: ConfigAction) -> Result<u8> {
    match action {
        ConfigAction::Example => {
            write_output(None, Config::example().as_bytes())?;
        }
        ConfigAction::Check { file } => {
            let c = read::load_config(Some(&file))?;
            write_output(None, c.to_toml().as_bytes())?;
        }
    }
    Ok(0)
}
