//! Connecting to PostgreSQL with rustls (never OpenSSL).
//!
//! `sslmode` is read from the URL (or the `key=value` form) as libpq does:
//! * `disable`: plain TCP;
//! * `prefer` (the default): TLS when the server offers it, without certificate verification;
//! * `require`: TLS, without certificate verification;
//! * `verify-ca` / `verify-full`: TLS, the certificate chain and host name verified against the
//!   Mozilla roots (webpki-roots), or against the PEM file named by `sslrootcert=`.

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use postgres::Client;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How the server certificate is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verify {
    /// Not at all (`prefer`, `require`, `disable`).
    None,
    /// Chain and host name, against these roots (`verify-ca`, `verify-full`).
    Roots(Option<String>),
}

/// Splits the libpq parameters the `postgres` crate does not know (`verify-ca`,
/// `verify-full`, `sslrootcert`) out of `url`, returning the URL the crate accepts.
fn split_tls_params(url: &str) -> Result<(String, Verify)> {
    let uri = url.starts_with("postgres://") || url.starts_with("postgresql://");
    let (head, params, sep): (&str, Vec<&str>, &str) = if uri {
        match url.split_once('?') {
            Some((h, q)) => (h, q.split('&').collect(), "&"),
            None => (url, Vec::new(), "&"),
        }
    } else {
        ("", url.split_whitespace().collect(), " ")
    };
    let mut verify = false;
    let mut root = None;
    let mut kept = Vec::new();
    for p in params {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        match k {
            "sslmode" => match v {
                "disable" | "allow" | "prefer" | "require" => kept.push(p.to_owned()),
                "verify-ca" | "verify-full" => {
                    verify = true;
                    kept.push("sslmode=require".to_owned());
                }
                other => bail!(
                    "sslmode={other}: expected disable, prefer, require, verify-ca or verify-full"
                ),
            },
            "sslrootcert" => root = Some(v.to_owned()),
            _ => kept.push(p.to_owned()),
        }
    }
    let kept = kept.join(sep);
    let out = if uri {
        if kept.is_empty() {
            head.to_owned()
        } else {
            format!("{head}?{kept}")
        }
    } else {
        kept
    };
    let out = out.replace("sslmode=allow", "sslmode=prefer");
    Ok((
        out,
        if verify {
            Verify::Roots(root)
        } else {
            Verify::None
        },
    ))
}

/// Connects to `url` (a `postgres://` URL or libpq `key=value` string).
pub(crate) fn connect(url: &str) -> Result<Client> {
    let (url, verify) = split_tls_params(url)?;
    let config: postgres::Config = url.parse().context("database URL")?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .context("TLS configuration")?;
    let tls = match verify {
        Verify::Roots(file) => {
            let mut roots = RootCertStore::empty();
            match file {
                Some(f) if f != "system" => {
                    for cert in CertificateDer::pem_file_iter(&f)
                        .with_context(|| format!("sslrootcert {f}"))?
                    {
                        roots
                            .add(cert.with_context(|| format!("sslrootcert {f}"))?)
                            .with_context(|| format!("sslrootcert {f}"))?;
                    }
                }
                _ => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        Verify::None => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerify(provider)))
            .with_no_client_auth(),
    };
    config
        .connect(MakeRustlsConnect::new(tls))
        .context("connecting to PostgreSQL")
}

/// `sslmode=require` / `prefer`: encrypted, certificate not checked (libpq semantics);
/// handshake signatures are still verified.
#[derive(Debug)]
struct NoVerify(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_modes_are_mapped_to_require_with_roots() {
        let (u, v) =
            split_tls_params("postgres://u@db:5432/x?sslmode=verify-full&sslrootcert=/ca.pem")
                .unwrap();
        assert_eq!(u, "postgres://u@db:5432/x?sslmode=require");
        assert_eq!(v, Verify::Roots(Some("/ca.pem".into())));
        let (u, v) = split_tls_params("host=/tmp dbname=x sslmode=require").unwrap();
        assert_eq!(u, "host=/tmp dbname=x sslmode=require");
        assert_eq!(v, Verify::None);
        let (u, _) = split_tls_params("postgres://u@db/x").unwrap();
        assert_eq!(u, "postgres://u@db/x");
        assert!(split_tls_params("postgres://db/x?sslmode=bogus").is_err());
    }
}
