//! Reverse DNS (PTR) of DMARC source IPs through the system resolver (`getnameinfo` with
//! `NI_NAMEREQD`, so /etc/hosts and nsswitch apply), each lookup bounded by a timeout, all run
//! concurrently. A lookup that times out is abandoned (its thread ends when the resolver
//! gives up) and not cached.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Most lookups started by one call; the rest stay unresolved.
pub(crate) const MAX_LOOKUPS: usize = 256;

/// The answer for one IP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    /// The PTR name (lowercased, without a trailing dot).
    Name(String),
    /// The resolver answered: no PTR name.
    NoName,
}

/// Looks the IPs up concurrently; IPs whose lookup did not finish within `timeout` are
/// missing from the result.
pub(crate) fn lookup_all(ips: &[IpAddr], timeout: Duration) -> BTreeMap<IpAddr, Answer> {
    let (tx, rx) = mpsc::channel();
    let mut started = 0;
    for &ip in ips.iter().take(MAX_LOOKUPS) {
        let tx = tx.clone();
        let spawned = std::thread::Builder::new()
            .name("rdns".into())
            .spawn(move || {
                let answer = match dns_lookup::lookup_addr(&ip) {
                    Ok(name) => Answer::Name(name.trim_end_matches('.').to_ascii_lowercase()),
                    Err(_) => Answer::NoName,
                };
                let _ = tx.send((ip, answer));
            });
        if spawned.is_ok() {
            started += 1;
        }
    }
    drop(tx);
    let deadline = Instant::now() + timeout;
    let mut out = BTreeMap::new();
    while out.len() < started {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((ip, answer)) => {
                out.insert(ip, answer);
            }
            Err(_) => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_resolves_through_the_system_resolver() {
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let got = lookup_all(&[ip], Duration::from_secs(5));
        assert_eq!(got.get(&ip), Some(&Answer::Name("localhost".into())));
    }

    #[test]
    fn lookups_are_bounded_by_the_timeout() {
        // 192.0.2.0/24 (RFC 5737) has no PTR; without network access the resolver may hang
        // instead, which must not hold the caller past the timeout.
        let ip: IpAddr = "192.0.2.77".parse().unwrap();
        let t = Instant::now();
        let got = lookup_all(&[ip], Duration::from_millis(1500));
        assert!(
            t.elapsed() < Duration::from_millis(2500),
            "{:?}",
            t.elapsed()
        );
        assert!(
            matches!(got.get(&ip), None | Some(Answer::NoName)),
            "{got:?}"
        );
    }
}
