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
    /// Judge the stored history (delivery per day and sending IP, DMARC over 7 days,
    /// regressions against the trailing median) and notify when an incident opens, worsens or
    /// resolves; healthy and unchanged prints one line and sends nothing.
    #[command(after_help = ALERT_EXIT_HELP)]
    Alert(AlertArgs),
    /// Ingest DMARC reports from an IMAP mailbox; a message is marked seen (or moved) only
    /// after its reports are committed.
    #[command(after_help = FETCH_EXIT_HELP)]
    FetchImap(FetchImapArgs),
    /// Store logs and reports in PostgreSQL, exactly once (applies migrations first).
    Ingest(IngestArgs),
    /// Database maintenance.
    Db {
        /// What to do with the database.
        #[command(subcommand)]
        action: DbAction,
    },
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

/// Exit status of `alert`, documented in `--help` and the README.
pub(crate) const ALERT_EXIT_HELP: &str = "\
Exit status (cron MAILTO, monitoring checks):
  0  healthy: no verdict raised for the date
  1  warning verdicts raised (no critical one)
  2  critical verdicts raised
  3  could not run (bad arguments or configuration, database unreachable)
  4  verdicts judged, but a notifier failed after its retries (reported on stderr); the
     incident state is not advanced, so the next run sends the message again
Stdout gets the message when incidents opened, worsened or resolved, else one line.";

/// Exit status of `fetch-imap`.
pub(crate) const FETCH_EXIT_HELP: &str = "\
Exit status:
  0  every selected message was processed (or left alone as configured)
  3  could not run (configuration, connection, login, folder, database)
  5  some messages failed (reported on stderr) and were left unseen for the next run";

/// `mailrep alert`.
#[derive(Debug, clap::Args)]
pub(crate) struct AlertArgs {
    /// Configuration file (`mailrep.toml`): thresholds, `[alert]` notifiers.
    #[arg(long, short = 'c', env = "MAILREP_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// PostgreSQL URL (`postgres://user@host/db`).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub(crate) database_url: Option<String>,
    /// Date to judge (YYYY-MM-DD). Default: yesterday (UTC).
    #[arg(long)]
    pub(crate) date: Option<String>,
    /// No reverse-DNS lookups (cached names are still used).
    #[arg(long)]
    pub(crate) no_dns: bool,
    /// Judge and print, but send nothing and keep the incident state as it is.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Send a test message to every configured notifier and exit (no database needed).
    #[arg(long)]
    pub(crate) test_notifiers: bool,
}

/// `mailrep fetch-imap`.
#[derive(Debug, clap::Args)]
pub(crate) struct FetchImapArgs {
    /// Configuration file (`mailrep.toml`): the `[imap]` section.
    #[arg(long, short = 'c', env = "MAILREP_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// PostgreSQL URL.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub(crate) database_url: Option<String>,
    /// IMAP server (default `imap.host`).
    #[arg(long, env = "MAILREP_IMAP_HOST")]
    pub(crate) host: Option<String>,
    /// Port (default `imap.port`, else 993 for tls, 143 for starttls).
    #[arg(long, env = "MAILREP_IMAP_PORT")]
    pub(crate) port: Option<u16>,
    /// Login name (default `imap.user`). The password comes from `MAILREP_IMAP_PASSWORD` or
    /// `imap.password_file`.
    #[arg(long, env = "MAILREP_IMAP_USER")]
    pub(crate) user: Option<String>,
    /// Folder (default `imap.folder`, `INBOX`).
    #[arg(long)]
    pub(crate) folder: Option<String>,
    /// Use STARTTLS on the plain port instead of TLS from the first byte.
    #[arg(long)]
    pub(crate) starttls: bool,
    /// PEM file of CA certificates to trust (default `imap.ca_file`).
    #[arg(long)]
    pub(crate) ca_file: Option<PathBuf>,
    /// Every message in the folder, not only unseen ones (already stored reports are skipped).
    #[arg(long)]
    pub(crate) all: bool,
    /// Read and parse, but store nothing and mark nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

/// PostgreSQL connection.
#[derive(Debug, clap::Args)]
pub(crate) struct DbArgs {
    /// PostgreSQL URL (`postgres://user@host/db?sslmode=verify-full`); TLS via rustls,
    /// `sslmode` = disable | prefer | require | verify-ca | verify-full.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub(crate) database_url: String,
}

/// `mailrep db …`.
#[derive(Debug, Subcommand)]
pub(crate) enum DbAction {
    /// Apply the embedded schema migrations not applied yet (under an advisory lock).
    Migrate(DbArgs),
}

/// `mailrep ingest`.
#[derive(Debug, clap::Args)]
pub(crate) struct IngestArgs {
    /// Inputs and configuration.
    #[command(flatten)]
    pub(crate) input: InputArgs,
    /// Database.
    #[command(flatten)]
    pub(crate) db: DbArgs,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// Ledger chunking of hosts met for the first time: SMALL,BIG,GAP_SECONDS (tests only).
    #[arg(long, hide = true, value_parser = parse_ledger_params)]
    pub(crate) ledger_params: Option<mailrep_core::ledger::Params>,
}

fn parse_ledger_params(s: &str) -> Result<mailrep_core::ledger::Params, String> {
    let v: Vec<u32> = s
        .split(',')
        .map(|x| x.trim().parse::<u32>().map_err(|e| format!("{x:?}: {e}")))
        .collect::<Result<_, _>>()?;
    let [small_modulus, big_modulus, gap_seconds] = v[..] else {
        return Err("expected SMALL,BIG,GAP_SECONDS".into());
    };
    mailrep_core::ledger::Params {
        small_modulus,
        big_modulus,
        gap_seconds,
    }
    .validate()
}
