//! Redaction before anything is shared: one implementation for the CLI and the page.
//!
//! Three presets (research/ux.md §3.6), applied to a copy of the [`Findings`]:
//!
//! | item | [`Preset::Internal`] | [`Preset::VendorSupport`] | [`Preset::Public`] |
//! |---|---|---|---|
//! | recipient local parts in reply texts (`***@gmail.com`) | redact | redact | redact |
//! | sender addresses (local parts) | redact | redact | redact |
//! | trace / queue / message ids inside replies | redact | keep | redact |
//! | our sending IPs | keep | keep | pseudonymize (`IP-A`) |
//! | our domains | keep | keep | pseudonymize (`domain-1.example`) |
//! | external / unknown source IPs | keep | keep | keep |
//! | host names in reply texts | keep | keep | redact (`‹host›`) |
//! | our syslog host names, input and member names | keep | keep | pseudonymize |
//! | report ids (may name our domain) | keep | keep | scrubbed like reply texts |
//!
//! Reporter names and their contact addresses (`org_name`, `email`) stay: they are the
//! receivers' public identities, needed to contact them.
//!
//! Aggregates never hold full addresses: addresses only appear inside reply texts, verdict
//! evidence and diagnostic messages, so the text scrubber runs over every free text. The
//! findings hold no raw log lines (only reply texts), so "raw unparsed sample lines" have
//! nothing to exclude. Pseudonyms are consistent within one redaction (the same IP is
//! `IP-A` everywhere) and assigned in sorted order, so the same findings always redact to the
//! same bytes; the mapping itself is never part of the output.
//!
//! "Ours" is what the findings show as ours: sending IPs of the delivery rows and verdicts,
//! DMARC sources of class `ours`, and the domains DMARC reports were about (policy domains,
//! `header_from` domains).

use crate::sorted::SortedSet;
use rustc_hash::FxHashMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::dmarc::SourceClass;
use crate::findings::Findings;

/// What [`redact`] replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// Sharing inside the organisation: addresses and trace ids removed, IPs and domains kept.
    Internal,
    /// A mailbox provider's support desk: addresses removed; trace ids kept (Microsoft support
    /// asks for them), IPs kept (needed for delisting).
    VendorSupport,
    /// Anyone: addresses, trace ids and host names removed; our IPs, domains, host and file
    /// names pseudonymized.
    Public,
}

impl Preset {
    /// Every preset, in the order the page offers them.
    pub const ALL: [Preset; 3] = [Preset::Internal, Preset::VendorSupport, Preset::Public];

    /// The snake_case name (`internal`, `vendor_support`, `public`).
    #[inline]
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Internal => "internal",
            Preset::VendorSupport => "vendor_support",
            Preset::Public => "public",
        }
    }

    #[inline]
    fn redacts_ids(self) -> bool {
        self != Preset::VendorSupport
    }

    #[inline]
    fn pseudonymizes(self) -> bool {
        self == Preset::Public
    }
}

impl fmt::Display for Preset {
    #[inline]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown preset name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown redaction preset {0:?}: expected internal, vendor_support or public")]
pub struct UnknownPreset(pub String);

impl FromStr for Preset {
    type Err = UnknownPreset;

    #[inline]
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "internal" => Ok(Preset::Internal),
            "vendor_support" | "vendor" => Ok(Preset::VendorSupport),
            "public" => Ok(Preset::Public),
            _ => Err(UnknownPreset(s.to_owned())),
        }
    }
}

/// What a redaction replaced, recorded in the redacted findings (`redaction`) so a findings
/// file or report says it was redacted and how.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redaction {
    /// The preset applied (the first one when findings are redacted twice).
    pub preset: String,
    /// Addresses whose local part was replaced by `***`.
    pub addresses: u64,
    /// Trace, queue and message ids replaced by `‹id›`.
    pub ids: u64,
    /// Host names in free text replaced by `‹host›`.
    pub hostnames: u64,
    /// Distinct IPs of ours pseudonymized (`IP-A`, …).
    pub our_ips: u64,
    /// Distinct domains of ours pseudonymized (`domain-1.example`, …).
    pub our_domains: u64,
    /// Distinct syslog host, input and member names pseudonymized.
    pub names: u64,
}

/// Placeholder for a redacted trace id.
pub const ID_MARK: &str = "‹id›";
/// Placeholder for a redacted host name.
pub const HOST_MARK: &str = "‹host›";

/// A redacted copy of `findings` (see the module documentation for what each preset does).
/// Redacting already redacted findings again is harmless.
#[inline]
pub fn redact(findings: &Findings, preset: Preset) -> Findings {
    let mut r = Redactor::new(findings, preset);
    let mut f = findings.clone();
    r.apply(&mut f);
    let mut note = r.counts;
    preset.as_str().clone_into(&mut note.preset);
    note.our_ips = r.ips.map.len() as u64;
    note.our_domains = r.domains.map.len() as u64;
    note.names = (r.hosts.map.len() + r.inputs.map.len() + r.members.map.len()) as u64;
    f.redaction = Some(match findings.redaction.clone() {
        Some(mut old) => {
            old.addresses += note.addresses;
            old.ids += note.ids;
            old.hostnames += note.hostnames;
            old.our_ips += note.our_ips;
            old.our_domains += note.our_domains;
            old.names += note.names;
            old
        }
        None => note,
    });
    f
}

/// Consistent pseudonyms of one kind.
#[derive(Debug, Default)]
struct Names {
    /// Hashed, not sorted: filled one name at a time, in any order, and only looked up.
    map: FxHashMap<String, String>,
}

impl Names {
    #[inline]
    fn get(&mut self, key: &str, make: impl Fn(usize) -> String) -> String {
        if let Some(v) = self.map.get(key) {
            return v.clone();
        }
        let v = make(self.map.len());
        self.map.insert(key.to_owned(), v.clone());
        v
    }
}

/// `A`, `B`, …, `Z`, `AA`, `AB`, … for 0, 1, …
#[inline]
fn letters(mut n: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

struct Redactor {
    preset: Preset,
    our_ips: SortedSet<IpAddr>,
    our_domains: SortedSet<String>,
    ips: Names,
    domains: Names,
    hosts: Names,
    inputs: Names,
    members: Names,
    counts: Redaction,
}

impl Redactor {
    #[inline]
    fn new(f: &Findings, preset: Preset) -> Self {
        // Collected with repeats, then sorted once (inserting one by one into a sorted
        // vector is quadratic).
        let mut our_ips = Vec::new();
        let mut add_ip = |s: &str| {
            if let Ok(ip) = s.parse::<IpAddr>() {
                our_ips.push(ip);
            }
        };
        f.delivery.daily.iter().for_each(|r| add_ip(&r.sending_ip));
        f.delivery
            .sending_ips
            .iter()
            .for_each(|r| add_ip(&r.sending_ip));
        f.verdicts
            .iter()
            .filter_map(|v| v.subject.sending_ip.as_deref())
            .for_each(&mut add_ip);
        for s in &f.dmarc.by_source {
            if s.source_class == SourceClass::Ours {
                our_ips.push(s.source_ip);
            }
        }
        let mut our_domains = Vec::new();
        let mut add_domain = |d: &str| {
            let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
            if d.contains('.') {
                our_domains.push(d);
            }
        };
        f.dmarc
            .reports
            .iter()
            .for_each(|r| add_domain(&r.policy_domain));
        f.dmarc
            .by_source
            .iter()
            .for_each(|r| add_domain(&r.header_from));
        f.dmarc.by_domain.iter().for_each(|r| add_domain(&r.domain));
        let mut r = Self {
            preset,
            our_ips: our_ips.into_iter().collect(),
            our_domains: our_domains.into_iter().collect(),
            ips: Names::default(),
            domains: Names::default(),
            hosts: Names::default(),
            inputs: Names::default(),
            members: Names::default(),
            counts: Redaction::default(),
        };
        if preset.pseudonymizes() {
            // Sorted assignment: the same findings always get the same pseudonyms.
            let ips: Vec<IpAddr> = r.our_ips.iter().copied().collect();
            for ip in ips {
                r.ip(ip);
            }
            let domains: Vec<String> = r.our_domains.iter().cloned().collect();
            for d in domains {
                r.domain(&d);
            }
            let hosts: SortedSet<&str> = f.delivery.daily.iter().map(|d| d.host.as_str()).collect();
            for h in hosts {
                r.host(h);
            }
            for i in &f.inputs {
                r.input(&i.name);
            }
        }
        r
    }

    #[inline]
    fn ip(&mut self, ip: IpAddr) -> String {
        self.ips
            .get(&ip.to_string(), |n| format!("IP-{}", letters(n)))
    }

    #[inline]
    fn domain(&mut self, d: &str) -> String {
        self.domains.get(&d.to_ascii_lowercase(), |n| {
            format!("domain-{}.example", n + 1)
        })
    }

    #[inline]
    fn host(&mut self, h: &str) -> String {
        if h.is_empty() {
            return String::new();
        }
        self.hosts.get(h, |n| format!("host-{}", n + 1))
    }

    #[inline]
    fn input(&mut self, name: &str) -> String {
        self.inputs.get(name, |n| format!("input-{}", n + 1))
    }

    #[inline]
    fn member(&mut self, name: &str) -> String {
        self.members.get(name, |n| format!("member-{}", n + 1))
    }

    #[inline]
    fn is_our_domain(&self, d: &str) -> bool {
        let d = d.to_ascii_lowercase();
        self.our_domains.iter().any(|o| {
            d == *o
                || (d.len() > o.len()
                    && d.ends_with(o.as_str())
                    && d[..d.len() - o.len()].ends_with('.'))
        })
    }

    /// An IP field: pseudonymized when ours and the preset says so.
    #[inline]
    fn ip_field(&mut self, s: &mut String) {
        if !self.preset.pseudonymizes() {
            return;
        }
        if let Ok(ip) = s.parse::<IpAddr>()
            && self.our_ips.contains(&ip)
        {
            *s = self.ip(ip);
        }
    }

    /// A domain field.
    #[inline]
    fn domain_field(&mut self, s: &mut String) {
        if self.preset.pseudonymizes() && self.is_our_domain(s) {
            *s = self.domain(s);
        }
    }

    #[inline]
    fn name_field(&mut self, s: &mut String, kind: NameKind) {
        if !self.preset.pseudonymizes() {
            return;
        }
        *s = match kind {
            NameKind::Host => self.host(s),
            NameKind::Input => self.input(s),
            NameKind::Member => self.member(s),
        };
    }

    /// Free text (reply texts, messages, evidence): every address, and per preset ids, host
    /// names and things of ours.
    #[inline]
    fn text(&mut self, s: &mut String) {
        let out = self.scrub(s);
        if out != *s {
            *s = out;
        }
    }

    #[inline]
    fn scrub(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut seg_start = 0;
        for (i, c) in text.char_indices() {
            if is_delimiter(c) {
                self.segment(&text[seg_start..i], &mut out);
                out.push(c);
                seg_start = i + c.len_utf8();
            }
        }
        self.segment(&text[seg_start..], &mut out);
        out
    }

    /// One segment between delimiters; trailing sentence punctuation is kept as is.
    #[inline]
    fn segment(&mut self, seg: &str, out: &mut String) {
        if seg.is_empty() {
            return;
        }
        let lower = seg.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            // Documentation links of providers stay readable; a block-list lookup link
            // (`…/query/ip/203.0.113.94`) still loses our IP and domains.
            for (k, part) in seg.split('/').enumerate() {
                if k > 0 {
                    out.push('/');
                }
                match parse_ip(part) {
                    Some(ip) if self.preset.pseudonymizes() && self.our_ips.contains(&ip) => {
                        out.push_str(&self.ip(ip));
                    }
                    _ if self.preset.pseudonymizes() && self.is_our_domain(part) => {
                        out.push_str(&self.domain(part));
                    }
                    _ => out.push_str(part),
                }
            }
            return;
        }
        let core = seg.trim_end_matches(['.', ':', '!']);
        let tail = &seg[core.len()..];
        if let Some(at) = core.rfind('@') {
            let (local, domain) = (&core[..at], &core[at + 1..]);
            if local.is_empty() {
                out.push('@');
            } else {
                self.counts.addresses += 1;
                out.push_str("***@");
            }
            if self.preset.pseudonymizes() && self.is_our_domain(domain) {
                out.push_str(&self.domain(domain));
            } else {
                out.push_str(domain);
            }
            out.push_str(tail);
            return;
        }
        if let Some(ip) = parse_ip(core) {
            if self.preset.pseudonymizes() && self.our_ips.contains(&ip) {
                out.push_str(&self.ip(ip));
            } else {
                out.push_str(core);
            }
            out.push_str(tail);
            return;
        }
        if is_hostname(core) {
            if self.preset.pseudonymizes() && self.is_our_domain(core) {
                out.push_str(&self.domain(core));
            } else if self.preset.pseudonymizes() {
                self.counts.hostnames += 1;
                out.push_str(HOST_MARK);
            } else if self.preset.redacts_ids() {
                // Numbered front-end names carry trace data (`BN1NAM02FT012.eop-nam02…`).
                for (k, label) in core.split('.').enumerate() {
                    if k > 0 {
                        out.push('.');
                    }
                    if is_trace_id(label) {
                        self.counts.ids += 1;
                        out.push_str(ID_MARK);
                    } else {
                        out.push_str(label);
                    }
                }
            } else {
                out.push_str(core);
            }
            out.push_str(tail);
            return;
        }
        if self.preset.redacts_ids() && is_trace_id(core) {
            self.counts.ids += 1;
            out.push_str(ID_MARK);
            out.push_str(tail);
            return;
        }
        out.push_str(seg);
    }

    #[inline]
    fn apply(&mut self, f: &mut Findings) {
        for i in &mut f.inputs {
            self.name_field(&mut i.name, NameKind::Input);
        }
        let d = &mut f.delivery;
        for r in &mut d.daily {
            self.name_field(&mut r.host, NameKind::Host);
            self.ip_field(&mut r.sending_ip);
            self.text(&mut r.sample_reply);
        }
        for r in &mut d.sending_ips {
            self.ip_field(&mut r.sending_ip);
        }
        for r in &mut d.replies {
            self.text(&mut r.sample_reply);
        }
        for r in &mut d.unclassified {
            self.text(&mut r.template);
            self.text(&mut r.sample_reply);
        }
        for v in &mut f.verdicts {
            if let Some(ip) = v.subject.sending_ip.as_mut() {
                self.ip_field(ip);
            }
            if let Some(ip) = v.subject.source_ip.as_mut() {
                self.ip_field(ip);
            }
            if let Some(dom) = v.subject.domain.as_mut() {
                let parts: Vec<String> = dom
                    .split(',')
                    .map(|p| {
                        let mut p = p.trim().to_owned();
                        self.domain_field(&mut p);
                        p
                    })
                    .collect();
                *dom = parts.join(", ");
            }
            self.text(&mut v.message);
            for e in &mut v.evidence {
                self.text(e);
            }
        }
        let m = &mut f.dmarc;
        for r in &mut m.reports {
            self.domain_field(&mut r.policy_domain);
            self.domain_field(&mut r.policy.domain);
            if self.preset.pseudonymizes() {
                self.text(&mut r.report_id);
                self.text(&mut r.report_id_raw);
            }
            self.name_field(&mut r.input, NameKind::Input);
            if let Some(mem) = r.member.as_mut() {
                self.name_field(mem, NameKind::Member);
            }
        }
        for r in &mut m.duplicates {
            if self.preset.pseudonymizes() {
                self.text(&mut r.report_id);
            }
            self.name_field(&mut r.input, NameKind::Input);
            self.name_field(&mut r.duplicate_of, NameKind::Input);
            if let Some(mem) = r.member.as_mut() {
                self.name_field(mem, NameKind::Member);
            }
        }
        for s in &mut m.by_source {
            let ours = self.our_ips.contains(&s.source_ip);
            self.domain_field(&mut s.header_from);
            if self.preset.pseudonymizes()
                && ours
                && let Some(p) = s.ptr.as_mut()
            {
                HOST_MARK.clone_into(p);
            }
        }
        if self.preset.pseudonymizes() {
            // `source_ip` is typed as an IP; ours move to a documentation range (RFC 5737 /
            // RFC 3849) numbered like their pseudonym, so the schema holds.
            for s in &mut m.by_source {
                if self.our_ips.contains(&s.source_ip) {
                    let name = self.ip(s.source_ip);
                    s.source_ip = documentation_ip(&name, s.source_ip);
                    if s.class_basis.is_empty() {
                        "ours_network".clone_into(&mut s.class_basis);
                    }
                }
            }
        }
        for r in &mut m.by_reporter {
            for d in &mut r.policy_domains {
                self.domain_field(d);
            }
        }
        for r in &mut m.by_domain {
            self.domain_field(&mut r.domain);
            for p in &mut r.policies {
                self.domain_field(&mut p.domain);
            }
        }
        for r in &mut m.readiness {
            self.domain_field(&mut r.domain);
            if let Some(p) = r.policy.as_mut() {
                self.domain_field(&mut p.domain);
            }
            for s in &mut r.history {
                self.domain_field(&mut s.domain);
            }
        }
        for d in &mut f.diagnostics {
            self.name_field(&mut d.input, NameKind::Input);
            if let Some(mem) = d.position.member.as_mut() {
                self.name_field(mem, NameKind::Member);
            }
            self.text(&mut d.message);
        }
    }
}

#[derive(Clone, Copy)]
enum NameKind {
    Host,
    Input,
    Member,
}

/// The address standing for pseudonym `IP-<letters>` in fields typed as an IP (DMARC
/// `source_ip`): the n-th pseudonym (1-based) becomes `0.0.0.n` (RFC 1122 "this network",
/// never a real source) or `100::n` (RFC 6666 discard prefix), so the schema holds and no
/// real address is hit. [`pseudonym_of`] turns it back into the label for display.
#[inline]
fn documentation_ip(name: &str, original: IpAddr) -> IpAddr {
    let n = name.trim_start_matches("IP-").bytes().fold(0u32, |acc, b| {
        acc * 26 + u32::from(b.saturating_sub(b'A')) + 1
    });
    match original {
        IpAddr::V4(_) => IpAddr::V4(std::net::Ipv4Addr::from(n.min(0x00ff_ffff))),
        IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::new(
            0x100,
            0,
            0,
            0,
            0,
            0,
            (n >> 16) as u16,
            n as u16,
        )),
    }
}

/// The pseudonym label (`IP-A`) of an address written by the public preset into an IP-typed
/// field, or `None` for a real address.
#[inline]
pub fn pseudonym_of(ip: IpAddr) -> Option<String> {
    let n = match ip {
        IpAddr::V4(v4) => {
            let n = u32::from(v4);
            (n > 0 && n <= 0x00ff_ffff).then_some(n)?
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            if s[..6] != [0x100, 0, 0, 0, 0, 0] {
                return None;
            }
            (u32::from(s[6]) << 16) | u32::from(s[7])
        }
    };
    (n > 0).then(|| format!("IP-{}", letters(n as usize - 1)))
}

/// Segment delimiters: whitespace and the punctuation around addresses, ids and host names.
#[inline]
fn is_delimiter(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '[' | ']'
                | '('
                | ')'
                | '<'
                | '>'
                | '{'
                | '}'
                | ','
                | ';'
                | '"'
                | '\''
                | '='
                | '?'
                | '&'
                | '|'
                | '!'
        )
}

/// An IP literal, also in `IPv6:` form.
#[inline]
fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s
        .strip_prefix("IPv6:")
        .or_else(|| s.strip_prefix("ipv6:"))
        .unwrap_or(s);
    if !s.contains(['.', ':']) {
        return None;
    }
    s.parse().ok()
}

/// `a.b.example`: two or more labels of letters, digits, `-` and `_`, the last one alphabetic
/// (so `5.7.1` and `1.2.3.4` are not host names).
#[inline]
fn is_hostname(s: &str) -> bool {
    let mut labels = 0;
    let mut last = "";
    for label in s.split('.') {
        if label.is_empty()
            || !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return false;
        }
        labels += 1;
        last = label;
    }
    labels >= 2 && last.len() >= 2 && last.bytes().all(|b| b.is_ascii_alphabetic())
}

/// A trace, queue or message id: 10 bytes or more of letters, digits, `-` and `.` with at
/// least two digits and a letter, or 10 digits or more. Provider codes stay: short ones
/// (`S3150`, `TSS04`) by length, longer ones by their `_` or `#` (`OFR006_102`,
/// `AUP#In-1310`); so do dates (`2026-11-20`).
#[inline]
fn is_trace_id(s: &str) -> bool {
    if s.len() < 10
        || !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        return false;
    }
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    let letters = s.bytes().filter(u8::is_ascii_alphabetic).count();
    (digits >= 2 && letters >= 1) || digits == s.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Analyzer, Config, Date};

    fn scrub(preset: Preset, ours_ip: &[&str], ours_dom: &[&str], text: &str) -> String {
        let mut r = Redactor {
            preset,
            our_ips: ours_ip.iter().map(|s| s.parse().unwrap()).collect(),
            our_domains: ours_dom.iter().map(|s| (*s).to_owned()).collect(),
            ips: Names::default(),
            domains: Names::default(),
            hosts: Names::default(),
            inputs: Names::default(),
            members: Names::default(),
            counts: Redaction::default(),
        };
        r.scrub(text)
    }

    const MS: &str = "550 5.7.1 Unfortunately, messages from [203.0.113.94] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [BN1NAM02FT012.eop-nam02.prod.protection.outlook.com 2026-11-20T10:00:00.000Z 08DE1234ABCD5678]";

    #[test]
    fn internal_removes_addresses_and_trace_ids_and_keeps_ips() {
        let s = scrub(
            Preset::Internal,
            &["203.0.113.94"],
            &["example.org"],
            "550 5.1.1 <john.smith@gmail.com>: Recipient address rejected (from <news@example.org>)",
        );
        assert_eq!(
            s,
            "550 5.1.1 <***@gmail.com>: Recipient address rejected (from <***@example.org>)"
        );
        let s = scrub(Preset::Internal, &["203.0.113.94"], &[], MS);
        assert!(s.contains("[203.0.113.94]"), "{s}");
        assert!(s.contains("(S3150)"), "{s}");
        assert!(
            s.contains("http://mail.live.com/mail/troubleshooting.aspx#errors."),
            "{s}"
        );
        assert!(!s.contains("BN1NAM02FT012"), "{s}");
        assert!(!s.contains("08DE1234ABCD5678"), "{s}");
        assert!(
            s.contains("‹id›.eop-nam02.prod.protection.outlook.com"),
            "{s}"
        );
    }

    #[test]
    fn vendor_support_keeps_trace_ids() {
        let s = scrub(Preset::VendorSupport, &["203.0.113.94"], &[], MS);
        assert!(
            s.contains("BN1NAM02FT012.eop-nam02.prod.protection.outlook.com"),
            "{s}"
        );
        assert!(s.contains("08DE1234ABCD5678"), "{s}");
        assert!(s.contains("[203.0.113.94]"), "{s}");
        let s = scrub(
            Preset::VendorSupport,
            &[],
            &[],
            "550 5.1.1 <a.b@outlook.com>: unknown",
        );
        assert_eq!(s, "550 5.1.1 <***@outlook.com>: unknown");
    }

    #[test]
    fn public_pseudonymizes_ours_and_redacts_host_names() {
        let s = scrub(
            Preset::Public,
            &["203.0.113.94"],
            &["example.org"],
            "451 4.7.650 The mail server [203.0.113.94] has been temporarily rate limited; sender <x@mail.example.org>, mx.other.example [198.51.100.7]",
        );
        assert_eq!(
            s,
            "451 4.7.650 The mail server [IP-A] has been temporarily rate limited; sender <***@domain-1.example>, ‹host› [198.51.100.7]"
        );
        let s = scrub(Preset::Public, &["203.0.113.94"], &[], MS);
        assert!(s.contains("[IP-A]"), "{s}");
        assert!(!s.contains("outlook.com 2026"), "{s}");
        assert!(s.contains("(S3150)"), "{s}");
        let s = scrub(
            Preset::Public,
            &["203.0.113.95"],
            &[],
            "554 5.7.1 blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.95",
        );
        assert_eq!(
            s,
            "554 5.7.1 blocked using ‹host›; https://www.spamhaus.org/query/ip/IP-A"
        );
    }

    #[test]
    fn public_report_ids_lose_our_domain() {
        let s = scrub(
            Preset::Public,
            &[],
            &["northwind-freight.com"],
            "google.com!northwind-freight.com!1795132800!1795219199",
        );
        assert_eq!(s, "‹host›!domain-1.example!‹id›!‹id›");
    }

    #[test]
    fn provider_codes_and_status_codes_stay() {
        for keep in [
            "421 4.7.0 [TSS04] Messages temporarily deferred",
            "550 mwinf ME Client host blocked. OFR006_102 Ref [102]",
            "550 5.1.0 sender rejected. AUP#In-1310",
            "421-4.7.28 rate limited",
        ] {
            assert_eq!(scrub(Preset::Internal, &[], &[], keep), keep);
        }
        assert_eq!(
            scrub(
                Preset::Internal,
                &[],
                &[],
                "550 5.7.26 auth d2e1a72fcca58-7c3b0a1e2f1si123.45 - gsmtp"
            ),
            "550 5.7.26 auth ‹id› - gsmtp"
        );
    }

    #[test]
    fn presets_parse_and_pseudonyms_count_in_order() {
        assert_eq!(
            "vendor-support".parse::<Preset>(),
            Ok(Preset::VendorSupport)
        );
        assert!(
            "secret"
                .parse::<Preset>()
                .unwrap_err()
                .to_string()
                .contains("public")
        );
        assert_eq!(letters(0), "A");
        assert_eq!(letters(25), "Z");
        assert_eq!(letters(26), "AA");
        assert_eq!(letters(27), "AB");
        for n in [0usize, 1, 25, 26, 700] {
            let name = format!("IP-{}", letters(n));
            let v4 = documentation_ip(&name, "203.0.113.1".parse().unwrap());
            let v6 = documentation_ip(&name, "2001:db8::1".parse().unwrap());
            assert_eq!(pseudonym_of(v4).as_deref(), Some(name.as_str()));
            assert_eq!(pseudonym_of(v6).as_deref(), Some(name.as_str()));
        }
        assert_eq!(pseudonym_of("203.0.113.1".parse().unwrap()), None);
    }

    #[test]
    fn public_pseudonymizes_the_readiness_domains() {
        let xml = r#"<?xml version="1.0"?>
<feedback><report_metadata><org_name>google.com</org_name><email>x@google.com</email>
<report_id>1</report_id><date_range><begin>1795132800</begin><end>1795219199</end></date_range></report_metadata>
<policy_published><domain>northwind-freight.com</domain><p>none</p></policy_published>
<record><row><source_ip>203.0.113.94</source_ip><count>3</count><policy_evaluated><disposition>none</disposition>
<dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>northwind-freight.com</header_from></identifiers>
<auth_results><dkim><domain>northwind-freight.com</domain><result>pass</result></dkim></auth_results></record></feedback>"#;
        let f = Analyzer::analyze(
            Config::default(),
            &[("report.xml", xml.as_bytes())],
            Date::new(2026, 11, 21).unwrap(),
        )
        .unwrap();
        assert_eq!(f.dmarc.readiness[0].domain, "northwind-freight.com");
        let json = redact(&f, Preset::Public).to_json();
        assert!(!json.contains("northwind-freight"), "{json}");
    }

    #[test]
    fn whole_findings_are_redacted_consistently() {
        let log = "Nov 20 10:00:00 mx1 postfix/smtp[1]: 4jVwT647TtzL3CF: to=<jane@outlook.com>, relay=outlook-com.olc.protection.outlook.com[52.101.1.1]:25, delay=1, delays=0/0/0/1, dsn=4.7.650, status=deferred (host outlook-com.olc.protection.outlook.com[52.101.1.1] said: 451 4.7.650 The mail server [203.0.113.94] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [Name=Protocol Filter Agent][AGT=PFA][MxId=11BB6E1A2C334D5E] [BN1NAM02FT012.eop-nam02.prod.protection.outlook.com 2026-11-20T10:00:00.000Z 08DE1234ABCD5678] (in reply to MAIL FROM command))\n";
        let f = Analyzer::analyze(
            Config::default(),
            &[("/var/log/mail.log", log.as_bytes())],
            Date::new(2026, 11, 21).unwrap(),
        )
        .unwrap();
        assert_eq!(f.delivery.daily[0].sending_ip, "203.0.113.94");
        let internal = redact(&f, Preset::Internal);
        let json = internal.to_json();
        assert!(json.contains("203.0.113.94"));
        assert!(!json.contains("08DE1234ABCD5678"));
        assert!(!json.contains("11BB6E1A2C334D5E"));
        assert_eq!(internal.redaction.as_ref().unwrap().preset, "internal");
        let public = redact(&f, Preset::Public);
        let json = public.to_json();
        assert!(!json.contains("203.0.113.94"), "{json}");
        assert!(!json.contains("mx1"), "{json}");
        assert!(!json.contains("/var/log/mail.log"), "{json}");
        assert!(json.contains("\"sending_ip\": \"IP-A\""), "{json}");
        assert!(json.contains("\"host\": \"host-1\""), "{json}");
        assert!(json.contains("\"name\": \"input-1\""), "{json}");
        // Deterministic.
        assert_eq!(redact(&f, Preset::Public), public);
        let note = public.redaction.unwrap();
        assert_eq!((note.our_ips, note.names), (1, 2));
        assert!(note.ids >= 1);
    }
}
