//! `smtp_bind_address` from a Postfix `master.cf` / `main.cf` given as an input.
//!
//! Postfix does not log the local address of an SMTP client connection, so the sending IP of
//! a delivery attempt comes from the service that made it (DESIGN §3). This module reads:
//!
//! * `master.cf` service entries (`name type private unpriv chroot wakeup maxproc command
//!   args…`, continuation lines start with whitespace) whose command is `smtp` or `lmtp`, with
//!   `-o smtp_bind_address=IP` / `-o smtp_bind_address6=IP` (also `-o { name = value }`) and
//!   an optional `-o syslog_name=…` that changes the syslog tag;
//! * `main.cf` parameters (`name = value`), of which the global `smtp_bind_address(6)`
//!   applies to the plain `smtp` service, and whose values resolve `$name` references in
//!   `master.cf` options when both files are concatenated into one input.
//!
//! Keys are service names as in [`crate::postfix::LogLine::service`]:
//!
//! | entry | syslog tag | key |
//! |---|---|---|
//! | `smtp unix … smtp` | `postfix/smtp` | `smtp` |
//! | `out05 unix … smtp -o smtp_bind_address=IP` | `postfix/smtp` | `smtp` |
//! | `… smtp -o syslog_name=postfix-out` | `postfix-out/smtp` | `postfix-out/smtp` |
//! | `… smtp -o syslog_name=postfix/$service_name` | `postfix/<service>/smtp` | `<service>/smtp` |
//! | main.cf `smtp_bind_address = IP` | `postfix/smtp` | `smtp` |
//!
//! Postfix builds the tag from `syslog_name` and the program name (`mail_task.c`), so an entry
//! without a `syslog_name` option logs as plain `postfix/smtp`; when several such entries bind
//! different addresses the key is ambiguous and is left out (the reply-quoted IP then decides).
//! When a service sets both an IPv4 and an IPv6 bind address, the IPv4 one is returned (the
//! map holds one address per service).

use crate::sorted::SortedMap;
use std::net::IpAddr;

/// Master.cf service types.
const SERVICE_TYPES: [&str; 5] = ["inet", "unix", "fifo", "pass", "unix-dgram"];

/// One master.cf entry of an SMTP/LMTP client.
struct ClientService<'a> {
    key: String,
    command: &'a str,
    bind4: Option<String>,
    bind6: Option<String>,
}

/// Service name (as in [`crate::postfix::LogLine::service`]) -> bind address found in the text.
/// `main.cf`'s global `smtp_bind_address` is returned under the key `smtp`.
///
/// `#[inline]`, like the helpers only it calls: compiled in the crate that takes its pointer
/// (`Analyzer::new`; the page's web crate, size-first), once per configuration input.
#[inline]
pub fn bind_addresses(text: &str) -> SortedMap<String, IpAddr> {
    // The maps here are built in bulk (one sort each): inserting the parameters or services
    // of a large file one by one into a sorted vector would be quadratic.
    let mut params: Vec<(&str, String)> = Vec::new();
    let mut services: Vec<ClientService<'_>> = Vec::new();
    let lines = logical_lines(text);
    for logical in &lines {
        if let Some((name, value)) = main_cf_param(logical) {
            params.push((name, value));
            continue;
        }
        if let Some(svc) = master_entry(logical) {
            services.push(svc);
        }
    }
    // The last setting of a parameter wins.
    let params: SortedMap<&str, String> = params.into_iter().collect();

    let resolve = |v: &str| -> Option<IpAddr> {
        let v = expand(v, &params);
        parse_ip(&v)
    };
    // (service, bind address) in file order: the global ones first.
    let mut binds: Vec<(String, IpAddr)> = Vec::new();
    // Global main.cf settings: the default for every client service without its own.
    let mut global: Vec<(&str, IpAddr)> = Vec::new();
    for cmd in ["smtp", "lmtp"] {
        let v4 = params
            .get(format!("{cmd}_bind_address").as_str())
            .and_then(|v| resolve(v));
        let v6 = params
            .get(format!("{cmd}_bind_address6").as_str())
            .and_then(|v| resolve(v));
        if let Some(ip) = v4.or(v6) {
            global.push((cmd, ip));
            binds.push((cmd.to_owned(), ip));
        }
    }
    for svc in &services {
        let own = svc
            .bind4
            .as_deref()
            .and_then(resolve)
            .or_else(|| svc.bind6.as_deref().and_then(resolve));
        let default = || global.iter().find(|g| g.0 == svc.command).map(|g| g.1);
        if let Some(ip) = own.or_else(default) {
            binds.push((svc.key.clone(), ip));
        }
    }
    // A service bound to two different addresses is left out: (its first address, whether
    // another one was seen).
    let binds: SortedMap<String, (IpAddr, bool)> = SortedMap::from_runs(
        binds,
        |ip| (ip, false),
        |(first, ambiguous), ip| *ambiguous |= ip != *first,
    );
    binds
        .into_iter()
        .filter(|(_, (_, ambiguous))| !ambiguous)
        .map(|(service, (ip, _))| (service, ip))
        .collect()
}

/// True when the text looks like a `master.cf` or `main.cf`.
pub fn looks_like_config(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let lower_head: String = text
        .chars()
        .take(4096)
        .collect::<String>()
        .to_ascii_lowercase();
    if lower_head.contains("postfix master process configuration file")
        || lower_head.contains("global postfix configuration file")
    {
        return true;
    }
    let mut lines: Vec<&str> = text.split('\n').collect();
    // A head cut in the middle of a line: ignore the partial last line.
    if lines.len() > 1 && !text.ends_with('\n') {
        lines.pop();
    }
    let (mut master, mut main_known, mut main_other, mut other) = (0usize, 0usize, 0usize, 0usize);
    for raw in lines.iter().take(200) {
        let line = raw.trim_end_matches('\r');
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') || line.starts_with([' ', '\t']) {
            continue;
        }
        if let Some((name, _)) = main_cf_param(line) {
            if is_known_param(name) {
                main_known += 1;
            } else {
                main_other += 1;
            }
        } else if master_fields(line).is_some() {
            master += 1;
        } else {
            other += 1;
        }
    }
    let config = master + main_known;
    config > 0
        && other * 4 <= config + main_other
        && (master > 0 || main_known >= 2 || (main_known >= 1 && other == 0))
}

/// Postfix parameter names that make a `name = value` file a main.cf.
fn is_known_param(name: &str) -> bool {
    const PREFIXES: [&str; 24] = [
        "smtp_",
        "smtpd_",
        "lmtp_",
        "my",
        "inet_",
        "relay",
        "virtual_",
        "mail_",
        "alias_",
        "queue_",
        "postscreen_",
        "milter_",
        "non_smtpd_milters",
        "tls_",
        "compatibility_level",
        "append_",
        "biff",
        "readme_directory",
        "command_directory",
        "daemon_directory",
        "data_directory",
        "maillog_file",
        "syslog_",
        "transport_maps",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Joins continuation lines (starting with whitespace) to the previous line; drops comments
/// and blank lines.
#[inline]
fn logical_lines(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim_end_matches('\r');
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if line.len() != t.len()
            && let Some(last) = out.last_mut()
        {
            last.push(' ');
            last.push_str(t.trim_end());
            continue;
        }
        out.push(line.trim_end().to_owned());
    }
    out
}

/// `name = value` (main.cf): the name must be `[a-z0-9_]+` starting at column 0.
fn main_cf_param(line: &str) -> Option<(&str, String)> {
    let eq = line.find('=')?;
    let name = line[..eq].trim_end();
    if name.is_empty()
        || line.starts_with([' ', '\t'])
        || !name
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        || !name.as_bytes()[0].is_ascii_lowercase()
    {
        return None;
    }
    Some((name, line[eq + 1..].trim().to_owned()))
}

/// The whitespace-separated fields of a master.cf entry, when the line is one.
fn master_fields(line: &str) -> Option<Vec<&str>> {
    let f: Vec<&str> = line.split_whitespace().collect();
    if f.len() < 8 || !SERVICE_TYPES.contains(&f[1]) {
        return None;
    }
    let flag_ok = |s: &str| {
        matches!(s, "y" | "n" | "-") || s.trim_end_matches('?').bytes().all(|c| c.is_ascii_digit())
    };
    if !f[2..7].iter().all(|s| !s.is_empty() && flag_ok(s)) {
        return None;
    }
    Some(f)
}

/// A master.cf entry of an `smtp` / `lmtp` client with its bind addresses and syslog key.
#[inline]
fn master_entry(line: &str) -> Option<ClientService<'_>> {
    let f = master_fields(line)?;
    let command = f[7];
    if command != "smtp" && command != "lmtp" {
        return None;
    }
    let service = f[0];
    let opts = options(&f[8..]);
    let mut bind4 = None;
    let mut bind6 = None;
    let mut syslog_name = None;
    for (k, v) in opts {
        let k = k.as_str();
        if k == format!("{command}_bind_address") {
            bind4 = Some(v);
        } else if k == format!("{command}_bind_address6") {
            bind6 = Some(v);
        } else if k == "syslog_name" {
            syslog_name = Some(v);
        }
    }
    let key = match syslog_name {
        Some(name) => {
            let name = name
                .replace("${service_name}", service)
                .replace("$service_name", service);
            let tag = format!("{name}/{command}");
            tag.strip_prefix("postfix/")
                .map_or_else(|| tag.clone(), str::to_owned)
        }
        None => command.to_owned(),
    };
    Some(ClientService {
        key,
        command,
        bind4,
        bind6,
    })
}

/// `-o name=value`, `-oname=value` and `-o { name = value }` arguments.
#[inline]
fn options(args: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        let spec: Option<String> = if a == "-o" {
            i += 1;
            match args.get(i) {
                Some(&"{") => {
                    let mut parts = Vec::new();
                    i += 1;
                    while i < args.len() && args[i] != "}" {
                        parts.push(args[i]);
                        i += 1;
                    }
                    Some(parts.join(" "))
                }
                Some(s) if s.starts_with('{') => {
                    let mut parts = vec![s.trim_start_matches('{')];
                    while !args[i].ends_with('}') && i + 1 < args.len() {
                        i += 1;
                        parts.push(args[i]);
                    }
                    let joined = parts.join(" ");
                    Some(joined.trim_end_matches('}').to_owned())
                }
                Some(s) => Some((*s).to_owned()),
                None => None,
            }
        } else {
            a.strip_prefix("-o")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        if let Some(spec) = spec
            && let Some((k, v)) = spec.split_once('=')
        {
            out.push((k.trim().to_owned(), v.trim().to_owned()));
        }
        i += 1;
    }
    out
}

/// Expands `$name` / `${name}` from main.cf parameters (a few levels).
#[inline]
fn expand(v: &str, params: &SortedMap<&str, String>) -> String {
    let mut cur = v.trim().to_owned();
    for _ in 0..4 {
        let name = if let Some(n) = cur.strip_prefix("${").and_then(|s| s.strip_suffix('}')) {
            n
        } else if let Some(n) = cur.strip_prefix('$') {
            n
        } else {
            break;
        };
        match params.get(name) {
            Some(val) => cur = val.trim().to_owned(),
            None => break,
        }
    }
    cur
}

/// An address as written in a bind setting (`1.2.3.4`, `2001:db8::1`, `[2001:db8::1]`).
#[inline]
fn parse_ip(v: &str) -> Option<IpAddr> {
    let v = v.trim();
    let v = v
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(v);
    v.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    const MASTER: &str = "\
#
# Postfix master process configuration file.  For details on the format
# ==========================================================================
# service type  private unpriv  chroot  wakeup  maxproc command + args
# ==========================================================================
smtp      inet  n       -       y       -       -       smtpd
submission inet n       -       y       -       -       smtpd
  -o syslog_name=postfix/submission
pickup    unix  n       -       y       60      1       pickup
qmgr      unix  n       -       n       300     1       qmgr
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
        -o syslog_name=postfix/$service_name
out05     unix  -       -       n       -       -       smtp -o smtp_bind_address=203.0.113.94
out06     unix  -       -       n       -       -       smtp
    -o smtp_bind_address=203.0.113.95
    -o smtp_helo_name=out06.example.com
out07     unix  -       -       n       -       -       smtp
    -o smtp_bind_address6=2001:db8::7
out08     unix  -       -       n       -       -       smtp
    -o smtp_bind_address=203.0.113.98
    -o smtp_bind_address6=2001:db8::8
bulk      unix  -       -       n       -       -       smtp
    -o syslog_name=postfix-out
    -o smtp_bind_address=198.51.100.7
hc        unix  -       -       n       -       -       smtp
    -o syslog_name=postfix/$service_name
    -o { smtp_bind_address = 198.51.100.8 }
var       unix  -       -       n       -       -       smtp
    -o smtp_bind_address=$var_ip
bad       unix  -       -       n       -       -       smtp
    -o smtp_bind_address=not-an-ip
dovecot   unix  -       n       n       -       -       lmtp -o lmtp_bind_address=127.0.0.2
# out09   unix  -       -       n       -       -       smtp -o smtp_bind_address=203.0.113.99
";

    #[test]
    fn master_cf_services() {
        let m = bind_addresses(MASTER);
        // out05..out08 log as plain postfix/smtp (no syslog_name) with different addresses:
        // the key is ambiguous and left out.
        assert_eq!(m.get("smtp"), None);
        assert_eq!(m.get("postfix-out/smtp"), Some(&ip("198.51.100.7")));
        assert_eq!(m.get("hc/smtp"), Some(&ip("198.51.100.8")));
        assert_eq!(m.get("lmtp"), Some(&ip("127.0.0.2")));
        assert_eq!(m.get("relay/smtp"), None);
        assert_eq!(m.get("out05/smtp"), None);
        assert_eq!(m.len(), 3, "{m:?}");
    }

    #[test]
    fn one_entry_without_syslog_name_is_plain_smtp() {
        let m = bind_addresses(
            "out05     unix  -       -       n       -       -       smtp -o smtp_bind_address=203.0.113.94\n",
        );
        assert_eq!(m.get("smtp"), Some(&ip("203.0.113.94")));
        let m = bind_addresses(
            "out05 unix - - n - - smtp -o syslog_name=postfix/$service_name -o smtp_bind_address=203.0.113.94\n",
        );
        assert_eq!(m.get("out05/smtp"), Some(&ip("203.0.113.94")));
    }

    #[test]
    fn main_cf_global_and_references() {
        let main =
            "smtp_bind_address = 192.0.2.1\nvar_ip = 192.0.2.9\nmyhostname = mx.example.com\n";
        let m = bind_addresses(main);
        assert_eq!(m.get("smtp"), Some(&ip("192.0.2.1")));
        assert_eq!(m.len(), 1);
        // Concatenated main.cf + master.cf: references resolve and the global applies to
        // client services without their own bind address.
        let both = format!("{main}{MASTER}");
        let m = bind_addresses(&both);
        assert_eq!(m.get("relay/smtp"), Some(&ip("192.0.2.1")));
        assert_eq!(m.get("hc/smtp"), Some(&ip("198.51.100.8")));
        // Plain postfix/smtp entries disagree (192.0.2.1, .9, 203.0.113.94, …): ambiguous.
        assert_eq!(m.get("smtp"), None);
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_config(MASTER.as_bytes()));
        assert!(looks_like_config(
            b"smtp      unix  -       -       n       -       -       smtp\n"
        ));
        assert!(looks_like_config(
            b"myhostname = mx.example.com\nsmtp_bind_address = 1.2.3.4\n"
        ));
        assert!(looks_like_config(
            b"# Global Postfix configuration file. This file lists only a subset\n"
        ));
        assert!(looks_like_config(b"smtpd_banner = $myhostname ESMTP\nbiff = no\nappend_dot_mydomain = no\nreadme_directory = no\ncompatibility_level = 3.6\nsmtpd_tls_cert_file=/etc/ssl/certs/x.pem\nsmtpd_tls_key_file=/etc/ssl/private/x.key\nsmtpd_tls_security_level=may\nsmtp_tls_CApath=/etc/ssl/certs\nsmtp_tls_security_level=may\nsmtp_tls_session_cache_database = btree:${data_directory}/smtp_scache\nsmtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination\nmyhostname = mx.example.com\nalias_maps = hash:/etc/aliases\nmydestination = $myhostname, localhost\nrelayhost =\nmynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128\nmailbox_size_limit = 0\nrecipient_delimiter = +\ninet_interfaces = all\ninet_protocols = all\nsmtp_bind_addr"));
        assert!(!looks_like_config(
            b"Jan  1 00:00:00 h postfix/smtp[1]: 1A: to=<a@b>, relay=none, status=sent (x)\n"
        ));
        assert!(!looks_like_config(
            b"2013 Jun 10 06:27:30.123 gds39d postfix/smtpd[5530]: connect from x\n"
        ));
        assert!(!looks_like_config(b"{\"MESSAGE\":\"x\"}\n"));
        assert!(!looks_like_config(
            b"<?xml version=\"1.0\"?><feedback></feedback>"
        ));
        assert!(!looks_like_config(b"[section]\nkey = value\nother = 1\n"));
        assert!(!looks_like_config(b""));
        assert!(!looks_like_config(b"\xff\xfe\x00garbage"));
        assert!(!looks_like_config(b"a = b\n"));
    }

    #[test]
    fn no_panic_on_cuts() {
        for (i, _) in MASTER.char_indices() {
            let _ = bind_addresses(&MASTER[..i]);
            let _ = bind_addresses(&MASTER[i..]);
            let _ = looks_like_config(&MASTER.as_bytes()[..i]);
        }
        let _ = bind_addresses("x unix - - n - - smtp -o { smtp_bind_address = 1.2.3.4");
        let _ = bind_addresses("x unix - - n - - smtp -o {");
        let _ = bind_addresses("x unix - - n - - smtp -o");
        let _ = bind_addresses("=\n = \n$\n€ = €\n");
    }
}
