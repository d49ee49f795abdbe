//! The test IMAP server (`scripts/imap-test-server`, Dovecot on loopback): its address from
//! `MAILREP_TEST_IMAP`, and a client that appends messages and reads flags.

use std::net::TcpStream;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

/// Where the server listens.
#[derive(Debug, Clone)]
pub(crate) struct Env {
    /// Host (127.0.0.1).
    pub(crate) host: String,
    /// IMAPS port.
    pub(crate) imaps: u16,
    /// Plain port (STARTTLS).
    pub(crate) imap: u16,
    /// Login.
    pub(crate) user: String,
    /// Password.
    pub(crate) password: String,
    /// CA file.
    pub(crate) ca: String,
}

/// The server from `MAILREP_TEST_IMAP`, or `None` with a notice (a failure when `CI` is set).
pub(crate) fn env() -> Option<Env> {
    let Ok(v) = std::env::var("MAILREP_TEST_IMAP") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "MAILREP_TEST_IMAP is not set: run the tests through scripts/test (it starts Dovecot)"
        );
        eprintln!(
            "notice: MAILREP_TEST_IMAP not set (scripts/imap-test-server start); IMAP test skipped"
        );
        return None;
    };
    let get = |k: &str| {
        v.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
            .unwrap_or_else(|| panic!("MAILREP_TEST_IMAP lacks {k}="))
            .to_owned()
    };
    Some(Env {
        host: get("host"),
        imaps: get("imaps").parse().unwrap(),
        imap: get("imap").parse().unwrap(),
        user: get("user"),
        password: get("password"),
        ca: get("ca"),
    })
}

/// The TLS stream of a test session.
pub(crate) type TlsStream = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

/// A logged-in session over IMAPS.
pub(crate) fn session(e: &Env) -> imap::Session<TlsStream> {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(&e.ca).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = TcpStream::connect((e.host.as_str(), e.imaps)).unwrap();
    let conn = rustls::ClientConnection::new(
        Arc::new(config),
        ServerName::try_from(e.host.clone()).unwrap(),
    )
    .unwrap();
    let mut client = imap::Client::new(rustls::StreamOwned::new(conn, tcp));
    client.read_greeting().unwrap();
    client
        .login(&e.user, &e.password)
        .map_err(|(e, _)| e)
        .unwrap()
}

/// A fresh folder named after the test.
pub(crate) fn folder(s: &mut imap::Session<TlsStream>, test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!("t_{test}_{}_{nanos}", std::process::id());
    s.create(&name).unwrap();
    name
}

/// Appends a message (unseen).
pub(crate) fn append(s: &mut imap::Session<TlsStream>, folder: &str, message: &[u8]) {
    s.append(folder, message).finish().unwrap();
}

/// (UID, seen) of every message in the folder, by UID.
pub(crate) fn flags(s: &mut imap::Session<TlsStream>, folder: &str) -> Vec<(u32, bool)> {
    s.examine(folder).unwrap();
    let fetches = s
        .fetch("1:*", "(UID FLAGS)")
        .unwrap_or_else(|_| panic!("fetch {folder}"));
    let mut out: Vec<(u32, bool)> = fetches
        .iter()
        .map(|f| {
            (
                f.uid.unwrap(),
                f.flags()
                    .iter()
                    .any(|fl| matches!(fl, imap::types::Flag::Seen)),
            )
        })
        .collect();
    out.sort_unstable();
    out
}

/// Number of messages in a folder.
pub(crate) fn count(s: &mut imap::Session<TlsStream>, folder: &str) -> u32 {
    s.examine(folder).unwrap().exists
}

/// A report attachment wrapped in a MIME message, as reporters send it.
pub(crate) fn wrap(filename: &str, content_type: &str, bytes: &[u8]) -> Vec<u8> {
    let b64 = base64_lines(bytes);
    format!(
        "From: noreply-dmarc@reporter.example\r\nTo: dmarc@example.org\r\n\
         Subject: Report Domain: example.org Submitter: reporter.example\r\n\
         Message-ID: <{filename}@reporter.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\nDMARC aggregate report.\r\n\
         --b1\r\nContent-Type: {content_type}; name=\"{filename}\"\r\n\
         Content-Disposition: attachment; filename=\"{filename}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{b64}--b1--\r\n"
    )
    .into_bytes()
}

/// A message that carries no report.
pub(crate) fn not_a_report() -> Vec<u8> {
    b"From: someone@example.net\r\nTo: dmarc@example.org\r\nSubject: hello\r\n\
      Message-ID: <hello@example.net>\r\n\r\nJust saying hello, no report here.\r\n"
        .to_vec()
}

fn base64_lines(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(3).enumerate() {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for j in 0..4 {
            if j <= chunk.len() {
                out.push(A[(n >> (18 - 6 * j)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
        if (i + 1) % 19 == 0 {
            out.push_str("\r\n");
        }
    }
    out.push_str("\r\n");
    out
}
