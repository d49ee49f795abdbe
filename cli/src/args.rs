//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit status, documented in `--help` and the README.
pub(crate) const EXIT_HELP: &str = "\
Exit status:
  0  healthy: no verdict raised
  1  warning verdicts raised (no critical one)
  2  critical verdicts raised
  3  could not run (bad arguments or configuration, no input readable, output not writable)
Unreadable or corrupt inputs do not stop the run: they are reported as diagnostics.";

/// mailrep: how mailbox providers treat your Postfix sending IPs, and whether your DMARC
/// alignment is healthy, from the Postfix logs and DMARC aggregate reports you already have.
#[derive(Debug, Parser)]
#[command(name = "mailrep", version, after_help = EXIT_HELP)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Analyse logs and reports: verdicts, provider x outcome, sending IPs, replies, DMARC.
    #[command(after_help = EXIT_HELP)]
    Analyze(AnalyzeArgs),
    /// One JSON line per delivery attempt: parsed fields, provider, outcome, reason code and
    /// the rule that decided.
    Explain(ExplainArgs),
    /// Configuration helpers.
    Config {
        /// What to do with the configuration.
        #[command(subcommand)]
        action: ConfigAction,
    },
}

/// `mailrep config …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ConfigAction {
    /// Print a commented example `mailrep.toml`.
    Example,
    /// Check a configuration file and print it normalized.
    Check {
        /// The file.
        file: PathBuf,
    },
}

/// Output formats of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Human report, problems first.
    Text,
    /// The findings (schema_version, inputs, delivery, dmarc, verdicts, diagnostics).
    Json,
    /// The daily delivery aggregate rows.
    Csv,
    /// A self-contained HTML report (no script, static SVG charts), the page's export.
    Html,
}

/// Options shared by commands that read inputs.
#[derive(Debug, clap::Args)]
pub(crate) struct InputArgs {
    /// Configuration file (`mailrep.toml`); see `mailrep config example`.
    #[arg(long, short = 'c', env = "MAILREP_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// Reference date (YYYY-MM-DD) for year-less syslog stamps: no line is dated after it.
    /// Default: the day after each file's modification time (today for stdin).
    #[arg(long)]
    pub(crate) reference_date: Option<String>,
    /// Inputs: files, directories (walked recursively, e.g. a Maildir) or `-` for stdin.
    /// Logs (plain or .gz), DMARC reports (.xml, .gz, .zip, .eml, mbox), master.cf/main.cf;
    /// the kind is detected by content.
    #[arg(required = true)]
    pub(crate) inputs: Vec<PathBuf>,
}

/// `mailrep analyze`.
#[derive(Debug, clap::Args)]
pub(crate) struct AnalyzeArgs {
    /// Inputs and configuration.
    #[command(flatten)]
    pub(crate) input: InputArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// Write the output to FILE instead of stdout.
    #[arg(long, short = 'o')]
    pub(crate) output: Option<PathBuf>,
    /// Rows per detail section of the text report.
    #[arg(long, default_value_t = 5)]
    pub(crate) detail: usize,
    /// Redact before writing (`internal`, `vendor_support` or `public`): addresses, trace
    /// ids and, for `public`, our IPs, domains and names (the page's presets).
    #[arg(long)]
    pub(crate) redact: Option<mailrep_core::Preset>,
    /// No progress bar even on a terminal.
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
}

/// `mailrep explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// Inputs and configuration.
    #[command(flatten)]
    pub(crate) input: InputArgs,
    /// Also print lines that are delivery lines but not counted (with the reason).
    #[arg(long)]
    pub(crate) all: bool,
}
