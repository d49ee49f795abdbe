//! `mailrep.toml`: one configuration file for the CLI and the page.
//!
//! Every field has a default, so an empty file is a valid configuration. Unknown keys are
//! errors (a typo must not silently disable a threshold). [`Config::example`] returns the
//! commented example that `mailrep config example` prints.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::limits::Limits;
use crate::postfix::rules::RulesConfig;

/// The whole configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Time handling for log stamps.
    pub time: TimeConfig,
    /// Our own networks and domains.
    pub ours: OursConfig,
    /// Which delivery attempts count as egress, and their sending IPs.
    pub egress: EgressConfig,
    /// DMARC source classification.
    pub dmarc: DmarcConfig,
    /// Verdict thresholds.
    pub thresholds: Thresholds,
    /// Extra provider and outcome rules, tried before the embedded defaults.
    pub rules: RulesConfig,
    /// Input size limits.
    pub limits: Limits,
    /// Incident notifications of `mailrep alert` (CLI only).
    pub alert: crate::cli_settings::AlertConfig,
    /// The DMARC rua mailbox of `mailrep fetch-imap` (CLI only).
    pub imap: crate::cli_settings::ImapConfig,
    /// Sharing defaults (the page's export dialog).
    pub share: ShareConfig,
}

/// Sharing defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShareConfig {
    /// Redaction preset the page's export dialog starts with (`internal`, `vendor_support`,
    /// `public`); none: `internal`, or the one last used on the page. The CLI redacts only
    /// with `--redact`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redaction: Option<crate::redact::Preset>,
}

/// Time handling.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimeConfig {
    /// Reference date for year-less syslog stamps (`YYYY-MM-DD`): no line is dated after it.
    /// When absent the caller supplies one per input (the CLI: the file's modification time;
    /// the page: `File.lastModified`; stdin: today).
    pub reference_date: Option<crate::Date>,
    /// Offset applied to journald UTC time stamps before taking the calendar date, as
    /// `+HH:MM` / `-HH:MM`. Default `+00:00`. Syslog stamps are taken as logged (local time).
    pub utc_offset: Option<String>,
}

/// What is ours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OursConfig {
    /// Our sending networks (CIDR). DMARC source IPs inside are class `ours`.
    pub networks: Vec<IpNet>,
    /// Our domains (header_from / policy domains). Informational; used to label reports.
    pub domains: Vec<String>,
    /// Labels of our networks (`"203.0.113.0/24" = "mx-out"`), shown by the page as the name
    /// of DMARC sources inside them. Informational: classes do not depend on them.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<IpNet, String>,
}

/// Egress selection and sending IPs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EgressConfig {
    /// Outbound services (`out05/smtp`, `smtp`, `postfix-out/smtp`). Empty (the default): every
    /// Postfix SMTP client service (`…/smtp`) and `error`/`retry` pseudo-deliveries.
    pub services: Vec<String>,
    /// Service -> sending IP (`smtp_bind_address`). Keys are service names as in
    /// [`crate::postfix::LogLine::service`], or `host:service` for one syslog host (wins over
    /// the plain service). Wins over `master.cf` inputs and reply-quoted IPs. Without an
    /// entry, the IP the provider quotes in a reply is used; a (host, service) whose replies
    /// only ever quote one IP is taken to send from it.
    pub sending_ips: BTreeMap<String, IpAddr>,
    /// Relay host names (exact or `.suffix`) and IP networks treated as internal: attempts to
    /// them are not egress (content filters, our own hubs). Loopback is always internal.
    pub internal_relays: Vec<String>,
    /// Recipient domains (exact or `.suffix`) whose attempts are skipped (our own mailboxes).
    pub skip_recipient_domains: Vec<String>,
    /// Take the sending IP from an IP the reply quotes (`from [203.0.113.94]`) when no mapping
    /// is configured for the service. Default true.
    pub ip_from_reply: bool,
}

impl Default for EgressConfig {
    fn default() -> Self {
        Self {
            services: Vec::new(),
            sending_ips: BTreeMap::new(),
            internal_relays: Vec::new(),
            skip_recipient_domains: Vec::new(),
            ip_from_reply: true,
        }
    }
}

/// DMARC source classification (DESIGN §3 "source class").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DmarcConfig {
    /// Case-insensitive substrings of a PTR name that mark a legitimate forwarder or
    /// recipient-side security gateway (from the seed `dmarc_report_parser.py`).
    pub forwarder_ptr_hints: Vec<String>,
    /// Known PTR names by IP (the core does no DNS; the CLI may fill this from the resolver).
    pub ptr: BTreeMap<IpAddr, String>,
    /// Networks of known forwarders (CIDR), classed `forwarder` without a PTR.
    pub forwarder_networks: Vec<IpNet>,
}

impl Default for DmarcConfig {
    fn default() -> Self {
        Self {
            forwarder_ptr_hints: DEFAULT_FORWARDER_PTR_HINTS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            ptr: BTreeMap::new(),
            forwarder_networks: Vec::new(),
        }
    }
}

/// Forwarder PTR hints of the seed script (`FORWARDER_PTR_HINTS`).
pub const DEFAULT_FORWARDER_PTR_HINTS: &[&str] = &[
    "inkyphishfence",
    "cloud-sec-av",
    "proofpoint",
    "pphosted",
    "ppe-hosted",
    "mimecast",
    "barracuda",
    "messagelabs",
    "symanteccloud",
    "fireeyecloud",
    "trendmicro",
    "mailcontrol",
    "forcepoint",
    "cisco",
    "iphmx",
    "mxlogic",
    "mailprotect",
    "emailsrvr",
    "godaddy",
    "secureserver",
    "outlook.com",
    "protection.outlook",
    "google.com",
    "googlemail",
    "amazonses",
    "sendgrid",
    "mailgun",
    "mcsv.net",
    "mailchimp",
    "fastmail",
    "messagingengine",
    "zoho",
    "mailroute",
    "spamh",
    "antispamcloud",
    "mailspamprotection",
    "fortimail",
    "sophos",
];

/// Verdict thresholds (DESIGN §6). Percentages are 0-100; volumes are attempts or messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// `delivery.reputation_rejects`: minimum attempts per (day, provider[, IP]). Default 100.
    pub reputation_min_attempts: u64,
    /// `delivery.reputation_rejects`: `reject_reputation` share that fires, percent. Default 10.
    pub reputation_reject_pct: f64,
    /// `delivery.throttled`: minimum attempts. Default 100.
    pub throttled_min_attempts: u64,
    /// `delivery.throttled`: throttled share ceiling per provider, percent. Providers not
    /// listed use `throttled_default_pct` when set. Default `{ microsoft = 70 }`.
    pub throttled_pct: BTreeMap<String, f64>,
    /// `delivery.throttled`: ceiling for providers not in `throttled_pct`; none by default.
    pub throttled_default_pct: Option<f64>,
    /// `delivery.auth_rejects`: minimum attempts. Default 100.
    pub auth_min_attempts: u64,
    /// `delivery.auth_rejects`: `reject_auth` share that fires, percent. Default 2.
    pub auth_reject_pct: f64,
    /// `dmarc.own_alignment`: minimum messages from one of our IPs. Default 20.
    pub own_alignment_min_messages: u64,
    /// `dmarc.own_alignment`: DMARC pass share below which it fires, percent. Default 95.
    pub own_alignment_pass_pct: f64,
    /// `dmarc.spoofing`: failing messages from one external IP that fire. Default 100.
    pub spoofing_min_failing: u64,
    /// `delivery.regression`: drop of the accepted share below the trailing median, in
    /// percentage points. Default 20.
    pub regression_drop_points: f64,
    /// `delivery.regression`: trailing window in days. Default 7.
    pub regression_window_days: u32,
    /// `delivery.regression`: minimum attempts on the judged day. Default 100.
    pub regression_min_attempts: u64,
    /// DMARC policy readiness: distinct days of reports needed before judging. Default 14.
    pub readiness_min_days: u32,
    /// DMARC policy readiness: distinct reporters needed before judging. Default 2.
    pub readiness_min_reporters: u64,
    /// DMARC policy readiness: DMARC pass share our sources need (and DKIM-aligned share
    /// before `reject`), percent. Default 99.5.
    pub readiness_pass_pct: f64,
    /// DMARC policy readiness: longest gap without reports (days) before a warning. Default 2.
    pub readiness_max_gap_days: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            reputation_min_attempts: 100,
            reputation_reject_pct: 10.0,
            throttled_min_attempts: 100,
            // Not `BTreeMap::from`: that compiles a sort of the pairs.
            throttled_pct: crate::sort::btree_map([("microsoft".to_owned(), 70.0)]),
            throttled_default_pct: None,
            auth_min_attempts: 100,
            auth_reject_pct: 2.0,
            own_alignment_min_messages: 20,
            own_alignment_pass_pct: 95.0,
            spoofing_min_failing: 100,
            regression_drop_points: 20.0,
            regression_window_days: 7,
            regression_min_attempts: 100,
            readiness_min_days: 14,
            readiness_min_reporters: 2,
            readiness_pass_pct: 99.5,
            readiness_max_gap_days: 2,
        }
    }
}

/// A configuration file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// TOML syntax or an unknown / mistyped key (the message names the line and key).
    #[error("invalid configuration: {0}")]
    Toml(#[from] toml::de::Error),
    /// A value parsed but is not usable (bad regex, bad offset).
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Parses a `mailrep.toml`.
    ///
    /// `#[inline]` (like the other cold serde entry points: [`Config::to_toml`],
    /// [`crate::findings::Findings::to_json`], `config_edit`): the function and the TOML
    /// deserializer it instantiates for every configuration type are compiled in the calling
    /// crate. The page's WebAssembly builds the core for speed (opt-level 2) and its web crate
    /// for size (opt-level z, root Cargo.toml): compiled there, this cold code is much smaller
    /// (BENCHMARKS.md, "Session 5").
    #[inline]
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text)?;
        config.utc_offset_seconds()?;
        Ok(config)
    }

    /// Serializes to TOML (the page's export). `#[inline]`: see [`Config::from_toml`].
    #[inline]
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// The journald offset in seconds (`time.utc_offset`, default 0).
    pub fn utc_offset_seconds(&self) -> Result<i32, ConfigError> {
        let Some(s) = self.time.utc_offset.as_deref() else {
            return Ok(0);
        };
        parse_offset(s).ok_or_else(|| {
            ConfigError::Invalid(format!("time.utc_offset {s:?}: expected +HH:MM or -HH:MM"))
        })
    }

    /// The commented example configuration (parses to a valid [`Config`]).
    pub fn example() -> &'static str {
        include_str!("config_example.toml")
    }
}

/// Parses `+HH:MM`, `-HH:MM`, `+HHMM` or `Z` into seconds east of UTC.
pub fn parse_offset(s: &str) -> Option<i32> {
    if s == "Z" || s == "z" {
        return Some(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = digits[2..].parse().ok()?;
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_parses_and_matches_defaults_where_it_says_so() {
        let c = Config::from_toml(Config::example()).expect("example parses");
        assert_eq!(c.thresholds, Thresholds::default());
        assert_eq!(c.limits, Limits::default());
        assert_eq!(
            c.dmarc.forwarder_ptr_hints,
            DmarcConfig::default().forwarder_ptr_hints
        );
        assert_eq!(c.egress.sending_ips.len(), 3);
        assert_eq!(c.alert, crate::cli_settings::AlertConfig::default());
        assert_eq!(c.imap, crate::cli_settings::ImapConfig::default());
    }

    #[test]
    fn unknown_keys_are_errors_naming_the_key() {
        let e = Config::from_toml("[thresholds]\nreputation_reject_percent = 5\n").unwrap_err();
        assert!(e.to_string().contains("reputation_reject_percent"), "{e}");
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+01:00"), Some(3600));
        assert_eq!(parse_offset("-0530"), Some(-19_800));
        assert_eq!(parse_offset("Z"), Some(0));
        assert_eq!(parse_offset("01:00"), None);
    }
}
