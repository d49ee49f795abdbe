//! `mailrep`: the command-line front end of mailrep-core.

mod alert;
mod args;
mod inflate;
mod ingest;
mod mailbox;
mod notify;
mod output;
mod rdns;
mod read;
mod store;

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
        Command::Alert(a) => alert::run(&a),
        Command::FetchImap(f) => mailbox::run(&f),
        Command::Config { action } => config(action),
        Command::Ingest(i) => ingest_command(&i),
        Command::Db { action } => db(&action),
    }
}

/// `db migrate`.
fn db(action: &args::DbAction) -> Result<u8> {
    match action {
        args::DbAction::Migrate(d) => {
            let mut client = store::connect(&d.database_url)?;
            let done = store::migrate::migrate(&mut client)?;
            let msg = if done.is_empty() {
                "schema up to date\n".to_owned()
            } else {
                format!("applied migrations {done:?}\n")
            };
            write_output(None, msg.as_bytes())?;
            Ok(0)
        }
    }
}

/// `ingest`: migrations, then every input in one exactly-once transaction.
fn ingest_command(a: &args::IngestArgs) -> Result<u8> {
    let config = read::load_config(a.input.config.as_deref())?;
    let fixed = read::parse_reference(a.input.reference_date.as_deref())?;
    let mut inputs = Vec::new();
    let mut missing = Vec::new();
    for s in read::expand(&a.input.inputs) {
        match s {
            Ok(s) => {
                let reference = fixed
                    .or_else(|| s.path.as_deref().and_then(read::mtime_reference))
                    .unwrap_or_else(read::today_reference);
                let data = match s.path {
                    Some(p) => ingest::Data::Path(p),
                    None => ingest::Data::Stdin,
                };
                inputs.push(ingest::Input {
                    name: s.name,
                    data,
                    reference,
                });
            }
            Err((name, msg)) => missing.push(format!("{name}: {msg}")),
        }
    }
    let mut client = store::connect(&a.db.database_url)?;
    store::migrate::migrate(&mut client)?;
    let params = a.ledger_params.unwrap_or_default();
    let summary = ingest::ingest(&mut client, &config, inputs, params)?;
    let text = if a.json {
        serde_json::to_string_pretty(&summary)? + "\n"
    } else {
        output::ingest::render(&summary)
    };
    write_output(None, text.as_bytes())?;
    let unreadable = summary.inputs.iter().filter(|i| i.error.is_some()).count() + missing.len();
    #[allow(clippy::print_stderr)]
    for m in &missing {
        eprintln!("mailrep: {m}");
    }
    if unreadable > 0 && unreadable == summary.inputs.len() + missing.len() {
        anyhow::bail!("no input could be read");
    }
    Ok(0)
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
