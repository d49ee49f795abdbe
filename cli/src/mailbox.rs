//! The DMARC rua mailbox: fetch report messages over IMAP (RFC 9051 / RFC 3501) with TLS
//! (IMAPS, RFC 8314) or STARTTLS, hand each message to an ingest callback, and only after the
//! callback has committed mark it `\Seen` (or move it), so a crash loses nothing: an
//! uncommitted message stays unseen and is read again next run (reports are idempotent per
//! `(org_name, report_id)`).
//!
//! Messages are read with `BODY.PEEK[]`, which leaves `\Seen` alone.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use mailrep_core::cli_settings::{ImapSecurity, NonReportAction};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

/// Connection and handling settings, resolved from `[imap]`, the environment and arguments.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Server host name.
    pub(crate) host: String,
    /// Port.
    pub(crate) port: u16,
    /// TLS or STARTTLS.
    pub(crate) security: ImapSecurity,
    /// Login name.
    pub(crate) user: String,
    /// Password (secret).
    pub(crate) password: String,
    /// Folder to read.
    pub(crate) folder: String,
    /// Every message, not only unseen ones.
    pub(crate) all: bool,
    /// Move processed messages here instead of flagging them `\Seen`.
    pub(crate) processed_folder: Option<String>,
    /// What to do with a message without a report.
    pub(crate) non_report: NonReportAction,
    /// Folder for `NonReportAction::Move`.
    pub(crate) non_report_folder: Option<String>,
    /// Extra CA certificates (PEM) to trust.
    pub(crate) ca_file: Option<PathBuf>,
    /// Network timeout.
    pub(crate) timeout: Duration,
    /// Largest message fetched, bytes.
    pub(crate) max_message_bytes: u64,
    /// Open the folder read-only (`EXAMINE`) and mark or move nothing (dry run).
    pub(crate) read_only: bool,
}

/// What the ingest callback did with one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Reports committed (`reports` new ones; 0 when all were already stored).
    Ingested {
        /// Aggregate reports newly stored.
        reports: u64,
    },
    /// The message carries no report.
    NotAReport,
}

/// Counts of one fetch run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Summary {
    /// Messages selected (unseen, or all).
    pub(crate) messages: u64,
    /// Messages whose reports were committed and which were then marked or moved.
    pub(crate) processed: u64,
    /// Reports newly stored.
    pub(crate) reports: u64,
    /// Messages without a report.
    pub(crate) non_report: u64,
    /// Messages left unseen because ingesting or marking them failed, or they were too large.
    pub(crate) failed: u64,
}

type Session = imap::Session<Box<dyn ReadWrite>>;

/// A byte stream both ways (TLS over TCP).
pub(crate) trait ReadWrite: Read + Write + Send {}
impl<T: Read + Write + Send> ReadWrite for T {}

fn tls_config(ca_file: Option<&PathBuf>) -> Result<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        let mut n = 0;
        for cert in CertificateDer::pem_file_iter(path)
            .with_context(|| format!("reading CA file {}", path.display()))?
        {
            let cert = cert.with_context(|| format!("CA file {}", path.display()))?;
            roots
                .add(cert)
                .with_context(|| format!("CA file {}", path.display()))?;
            n += 1;
        }
        if n == 0 {
            bail!("CA file {}: no certificate found", path.display());
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

fn tls_wrap(
    s: &Settings,
    tcp: TcpStream,
) -> Result<rustls::StreamOwned<rustls::ClientConnection, TcpStream>> {
    let config = tls_config(s.ca_file.as_ref())?;
    let name = ServerName::try_from(s.host.clone())
        .with_context(|| format!("{}: not a valid server name", s.host))?;
    let conn = rustls::ClientConnection::new(config, name)?;
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    // Complete the handshake now so certificate errors name the server.
    while stream.conn.is_handshaking() {
        stream
            .conn
            .complete_io(&mut stream.sock)
            .with_context(|| format!("TLS handshake with {}:{}", s.host, s.port))?;
    }
    Ok(stream)
}

/// Longest server line read before TLS, bytes.
const MAX_PLAIN_LINE: usize = 8192;

/// One CRLF-terminated line, read byte by byte so nothing after it is consumed.
fn plain_line(tcp: &mut TcpStream) -> Result<String> {
    let mut line = Vec::new();
    let mut b = [0u8; 1];
    while !line.ends_with(b"\r\n") {
        if tcp.read(&mut b)? == 0 {
            bail!("connection closed");
        }
        line.push(b[0]);
        if line.len() > MAX_PLAIN_LINE {
            bail!("server line longer than {MAX_PLAIN_LINE} bytes");
        }
    }
    Ok(String::from_utf8_lossy(&line).trim_end().to_owned())
}

/// Reads the greeting and upgrades with `STARTTLS` (RFC 3501 §6.2.1) on the plain stream.
fn starttls(tcp: &mut TcpStream) -> Result<()> {
    let greeting = plain_line(tcp)?;
    if !greeting.starts_with("* OK") {
        bail!("unexpected greeting {greeting:?}");
    }
    tcp.write_all(b"m0 STARTTLS\r\n")?;
    loop {
        let line = plain_line(tcp)?;
        if let Some(rest) = line.strip_prefix("m0 ") {
            if rest.starts_with("OK") {
                return Ok(());
            }
            bail!("server refused STARTTLS: {line}");
        }
    }
}

/// Connects, secures and logs in.
fn login(s: &Settings) -> Result<Session> {
    let addr = (s.host.as_str(), s.port)
        .to_socket_addrs()
        .with_context(|| format!("resolving {}", s.host))?
        .next()
        .ok_or_else(|| anyhow!("{}: no address", s.host))?;
    let tcp = TcpStream::connect_timeout(&addr, s.timeout)
        .with_context(|| format!("connecting to {}:{}", s.host, s.port))?;
    tcp.set_read_timeout(Some(s.timeout))?;
    tcp.set_write_timeout(Some(s.timeout))?;
    let client = match s.security {
        ImapSecurity::Tls => {
            let stream: Box<dyn ReadWrite> = Box::new(tls_wrap(s, tcp)?);
            let mut client = imap::Client::new(stream);
            client
                .read_greeting()
                .context("reading the IMAP greeting")?;
            client
        }
        ImapSecurity::Starttls => {
            let mut tcp = tcp;
            starttls(&mut tcp).with_context(|| format!("STARTTLS with {}:{}", s.host, s.port))?;
            let stream: Box<dyn ReadWrite> = Box::new(tls_wrap(s, tcp)?);
            // The greeting came before STARTTLS; none follows the handshake (RFC 3501 §6.2.1).
            imap::Client::new(stream)
        }
    };
    client
        .login(&s.user, &s.password)
        .map_err(|(e, _)| anyhow!("IMAP login as {} failed: {e}", s.user))
}

/// Name of a message in diagnostics and ledgers: `imap://user@host/folder;UID=n`
/// (RFC 5092 form, with the UIDVALIDITY so a rebuilt folder gives new names).
fn message_name(s: &Settings, uidvalidity: Option<u32>, uid: u32) -> String {
    let v = uidvalidity
        .map(|v| format!(";UIDVALIDITY={v}"))
        .unwrap_or_default();
    format!("imap://{}@{}/{}{v}/;UID={uid}", s.user, s.host, s.folder)
}

/// Reads the folder and ingests every selected message. `ingest(name, bytes)` must commit
/// before returning `Ok`; only then is the message marked `\Seen` or moved. A failed ingest
/// leaves the message as it was and is reported through `warn`; the run goes on.
pub(crate) fn fetch(
    s: &Settings,
    mut ingest: impl FnMut(&str, &[u8]) -> Result<Outcome>,
    mut warn: impl FnMut(String),
) -> Result<Summary> {
    if s.non_report == NonReportAction::Move && s.non_report_folder.is_none() {
        bail!("imap.non_report = \"move\" needs imap.non_report_folder");
    }
    let mut session = login(s)?;
    let mailbox = if s.read_only {
        session.examine(&s.folder)
    } else {
        session.select(&s.folder)
    };
    let mailbox = mailbox.with_context(|| format!("selecting folder {}", s.folder))?;
    let query = if s.all { "ALL" } else { "UNSEEN" };
    let mut uids: Vec<u32> = session
        .uid_search(query)
        .with_context(|| format!("searching {query} in {}", s.folder))?
        .into_iter()
        .collect();
    uids.sort_unstable();
    let mut summary = Summary {
        messages: uids.len() as u64,
        ..Summary::default()
    };
    for uid in uids {
        let name = message_name(s, mailbox.uid_validity, uid);
        match one(s, &mut session, uid, &name, &mut ingest) {
            Ok(Some(Outcome::Ingested { reports })) => {
                summary.processed += 1;
                summary.reports += reports;
            }
            Ok(Some(Outcome::NotAReport)) => summary.non_report += 1,
            Ok(None) => {}
            Err(e) => {
                summary.failed += 1;
                warn(format!("{name}: {e:#} (left unseen; retried next run)"));
            }
        }
    }
    let _ = session.logout();
    Ok(summary)
}

/// One message: size check, fetch, ingest, then mark or move.
fn one(
    s: &Settings,
    session: &mut Session,
    uid: u32,
    name: &str,
    ingest: &mut impl FnMut(&str, &[u8]) -> Result<Outcome>,
) -> Result<Option<Outcome>> {
    let uid_s = uid.to_string();
    let sizes = session.uid_fetch(&uid_s, "RFC822.SIZE")?;
    let size = sizes.iter().find_map(|f| f.size).unwrap_or(0);
    if u64::from(size) > s.max_message_bytes {
        bail!(
            "message of {size} bytes exceeds imap.max_message_bytes ({})",
            s.max_message_bytes
        );
    }
    let fetched = session.uid_fetch(&uid_s, "BODY.PEEK[]")?;
    let body = fetched
        .iter()
        .find_map(|f| f.body())
        .ok_or_else(|| anyhow!("the server returned no message body"))?;
    let outcome = ingest(name, body)?;
    if s.read_only {
        return Ok(Some(outcome));
    }
    match outcome {
        Outcome::Ingested { .. } => match &s.processed_folder {
            Some(folder) => session
                .uid_mv(&uid_s, folder)
                .with_context(|| format!("moving to {folder}"))?,
            None => {
                session.uid_store(&uid_s, "+FLAGS.SILENT (\\Seen)")?;
            }
        },
        Outcome::NotAReport => match (s.non_report, &s.non_report_folder) {
            (NonReportAction::Leave, _) | (NonReportAction::Move, None) => {}
            (NonReportAction::Seen, _) => {
                session.uid_store(&uid_s, "+FLAGS.SILENT (\\Seen)")?;
            }
            (NonReportAction::Move, Some(folder)) => session
                .uid_mv(&uid_s, folder)
                .with_context(|| format!("moving to {folder}"))?,
        },
    }
    Ok(Some(outcome))
}

/// Resolves the settings from `[imap]`, the arguments and the environment
/// (`MAILREP_IMAP_PASSWORD`).
pub(crate) fn settings(
    config: &mailrep_core::cli_settings::ImapConfig,
    args: &crate::args::FetchImapArgs,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Settings> {
    let host = args.host.clone().unwrap_or_else(|| config.host.clone());
    if host.is_empty() {
        bail!("no IMAP server: set imap.host, MAILREP_IMAP_HOST or --host");
    }
    let user = args.user.clone().unwrap_or_else(|| config.user.clone());
    if user.is_empty() {
        bail!("no IMAP user: set imap.user, MAILREP_IMAP_USER or --user");
    }
    let password = match env("MAILREP_IMAP_PASSWORD").filter(|p| !p.is_empty()) {
        Some(p) => p,
        None => match &config.password_file {
            Some(f) => std::fs::read_to_string(f)
                .with_context(|| format!("reading imap.password_file {f}"))?
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned(),
            None => bail!("no IMAP password: set MAILREP_IMAP_PASSWORD or imap.password_file"),
        },
    };
    let security = if args.starttls {
        ImapSecurity::Starttls
    } else {
        config.security
    };
    let port = args.port.or(config.port).unwrap_or(match security {
        ImapSecurity::Tls => 993,
        ImapSecurity::Starttls => 143,
    });
    Ok(Settings {
        host,
        port,
        security,
        user,
        password,
        folder: args.folder.clone().unwrap_or_else(|| config.folder.clone()),
        all: args.all,
        processed_folder: config.processed_folder.clone(),
        non_report: config.non_report,
        non_report_folder: config.non_report_folder.clone(),
        ca_file: args
            .ca_file
            .clone()
            .or_else(|| config.ca_file.as_ref().map(PathBuf::from)),
        timeout: Duration::from_secs(config.timeout_seconds.max(1)),
        max_message_bytes: config.max_message_bytes,
        read_only: args.dry_run,
    })
}

/// Aggregate reports in one message, read by the core (dry runs): counts, no storage.
pub(crate) fn count_reports(name: &str, bytes: &[u8], limits: &mailrep_core::Limits) -> Outcome {
    let reports = mailrep_core::dmarc::read_blob(name, bytes, limits)
        .iter()
        .filter(|i| matches!(i, mailrep_core::dmarc::Item::Aggregate(_)))
        .count() as u64;
    if reports == 0 {
        Outcome::NotAReport
    } else {
        Outcome::Ingested { reports }
    }
}

/// Exit status when some messages failed and were left for the next run.
const EXIT_PARTIAL: u8 = 5;

/// Runs `mailrep fetch-imap`.
pub(crate) fn run(args: &crate::args::FetchImapArgs) -> Result<u8> {
    let config = crate::read::load_config(args.config.as_deref())?;
    let settings = settings(&config.imap, args, |k| std::env::var(k).ok())?;
    let limits = config.limits.clone();
    let warn = |m: String| {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("mailrep: {m}");
        }
    };
    let summary = if args.dry_run {
        fetch(
            &settings,
            |name, bytes| Ok(count_reports(name, bytes, &limits)),
            warn,
        )?
    } else {
        let url = args
            .database_url
            .as_deref()
            .context("no database: set DATABASE_URL or --database-url (or use --dry-run)")?;
        let mut client = crate::store::connect(url)?;
        crate::store::migrate::migrate(&mut client)?;
        let reference = crate::read::today_reference();
        fetch(
            &settings,
            |name, bytes| {
                // One transaction per message: committed when this returns Ok.
                let outcome = crate::ingest::ingest_bytes(
                    &mut client,
                    &config,
                    name,
                    bytes.to_vec(),
                    reference,
                )?;
                if let Some(e) = &outcome.error {
                    bail!("{e}");
                }
                if outcome.reports.is_empty() {
                    return Ok(Outcome::NotAReport);
                }
                let new = outcome
                    .reports
                    .iter()
                    .filter(|r| r.outcome == "new")
                    .count();
                Ok(Outcome::Ingested {
                    reports: new as u64,
                })
            },
            warn,
        )?
    };
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}@{}/{}: {} message(s) {}; {} processed ({} new report(s)); {} without a report; {} failed",
        settings.user,
        settings.host,
        settings.folder,
        summary.messages,
        if settings.all {
            "in the folder"
        } else {
            "unseen"
        },
        summary.processed,
        summary.reports,
        summary.non_report,
        summary.failed
    )?;
    Ok(if summary.failed > 0 { EXIT_PARTIAL } else { 0 })
}
