//! `mailrep.toml`: one configuration file for the CLI and the page.
//!
//! Every field has a default, so an empty file is a valid configuration. Unknown keys are
//! errors (a typo must not silently disable a threshold). [`Config::example`] returns the
//! commented example that `mailrep config example` prints.

use crate::sorted::SortedMap;
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
    #[serde(skip_serializing_if = "SortedMap::is_empty")]
    pub labels: SortedMap<IpNet, String>,
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
    pub sending_ips: SortedMap<String, IpAddr>,
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
            sending_ips: SortedMap::new(),
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
    pub ptr: SortedMap<IpAddr, String>,
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
            ptr: SortedMap::new(),
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
    pub throttled_pct: SortedMap<String, f64>,
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
            throttled_pct: [("microsoft".to_owned(), 70.0)].into_iter().collect(),
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
    /// The JSON form of a configuration ([`Config::from_json`]) that does not fit: serde's
    /// message with line and column of the JSON text.
    #[error("invalid configuration (JSON form): {0}")]
    Json(#[from] serde_json::Error),
    /// Valid TOML whose key `key` does not fit the configuration (unknown key, wrong type,
    /// missing field of a rule): `line` and `column` (1-based) of the key in the text.
    #[error("invalid configuration: line {line}, column {column}, key `{key}`: {message}")]
    Key {
        /// Dotted path of the key (`thresholds.auth_reject_pct`, `rules.rule[2].outcome`).
        key: String,
        /// Line of the key, from 1.
        line: usize,
        /// Column of the key in characters, from 1.
        column: usize,
        /// What is wrong (serde's words: ``unknown field `x`, expected one of ...``).
        message: String,
    },
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
    ///
    /// The TOML goes through toml's parser only (an untyped document with the spans of its
    /// keys), then into a `serde_json::Value` and the configuration types' `Deserialize`
    /// through `serde_json::from_value`, the deserializer the findings reader already has: a
    /// second, TOML-specific instance of every configuration type's deserializer would cost
    /// the page's module ~200 KB (BENCHMARKS.md, "Session 7: page size"). TOML datetimes are
    /// refused (no key takes one; dates are strings), as are `nan` and `inf`. When the
    /// document does not fit, [`ConfigError::Key`] names the key and its line: the key whose
    /// removal changes the error (every table has defaults), found by trying the removals.
    #[inline]
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let doc = toml::de::DeTable::parse(text)?;
        let value = toml_table_to_json(doc.get_ref(), text)?;
        let config = match config_from_json(value.clone()) {
            Ok(c) => c,
            Err(e) => return Err(locate_error(&value, doc.get_ref(), text, &e.to_string())),
        };
        config.utc_offset_seconds()?;
        Ok(config)
    }

    /// Serializes to TOML (the page's export). `#[inline]`: see [`Config::from_toml`].
    #[inline]
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads the JSON form [`Config::to_json`] writes (`""` or blanks: the defaults): how the
    /// page's analysis module takes its configuration. The page's tools module reads the
    /// user's `mailrep.toml` ([`Config::from_toml`], with its key-and-line errors) and hands
    /// this form over, so the analysis module carries no TOML parser and one instance of the
    /// configuration types' deserializer, for JSON text: 58 KB gzip less than reading the
    /// TOML there (BENCHMARKS.md, "Session 9: page size"). Same checks as `from_toml` after
    /// serde's (the journald offset), so `from_json(&c.to_json())` equals `c` for every `c`
    /// `from_toml` returns. `#[inline]`: see [`Config::from_toml`].
    #[inline]
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let config: Self = serde_json::from_str(text)?;
        config.utc_offset_seconds()?;
        Ok(config)
    }

    /// The configuration as compact JSON text, for [`Config::from_json`]. `#[inline]`: see
    /// [`Config::from_toml`].
    #[inline]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
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

/// `serde_json::from_value::<Config>`, once in the module (not inlined into its two callers).
#[inline(never)]
fn config_from_json(value: serde_json::Value) -> Result<Config, serde_json::Error> {
    serde_json::from_value(value)
}

/// A [`ConfigError::Key`] for `key` at byte `offset` of `text`.
fn key_error(text: &str, offset: usize, key: String, message: String) -> ConfigError {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    ConfigError::Key {
        key,
        line,
        column,
        message,
    }
}

/// The TOML table `t` as a JSON object (integers as i64, floats as f64, datetimes refused).
fn toml_table_to_json(
    t: &toml::de::DeTable<'_>,
    text: &str,
) -> Result<serde_json::Value, ConfigError> {
    let mut map = serde_json::Map::new();
    for (k, v) in t {
        map.insert(k.get_ref().to_string(), toml_to_json(v, text)?);
    }
    Ok(serde_json::Value::Object(map))
}

/// The TOML value `v` as JSON (see [`toml_table_to_json`]).
fn toml_to_json(
    v: &toml::Spanned<toml::de::DeValue<'_>>,
    text: &str,
) -> Result<serde_json::Value, ConfigError> {
    use serde_json::Value;
    use toml::de::DeValue;
    let bad = |what: &str| {
        let span = v.span();
        key_error(
            text,
            span.start,
            text.get(span).unwrap_or_default().to_owned(),
            format!("{what} is not supported here"),
        )
    };
    Ok(match v.get_ref() {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => {
            let n = i64::from_str_radix(i.as_str(), i.radix()).map_err(|_| bad("this integer"))?;
            Value::Number(n.into())
        }
        DeValue::Float(f) => f
            .as_str()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| bad("a non-finite float"))?,
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(_) => return Err(bad("a TOML date-time (write dates as strings)")),
        DeValue::Array(a) => Value::Array(
            a.iter()
                .map(|x| toml_to_json(x, text))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(t) => toml_table_to_json(t, text)?,
    })
}

/// The error `message` of deserializing the document `value` (parsed from `doc` of `text`)
/// as a [`Config`], located: the deepest key (or array element) whose removal makes the
/// document deserialize or fail differently. Only runs on an invalid configuration.
fn locate_error(
    value: &serde_json::Value,
    doc: &toml::de::DeTable<'_>,
    text: &str,
    message: &str,
) -> ConfigError {
    /// Whether `doc` fails with `message`.
    fn same(doc: &serde_json::Value, message: &str) -> bool {
        config_from_json(doc.clone()).is_err_and(|e| e.to_string() == message)
    }
    /// Removes the element at `path` from `doc` (the last step: a key or an index).
    fn remove(doc: &mut serde_json::Value, path: &[Step]) {
        let Some((last, parents)) = path.split_last() else {
            return;
        };
        let mut at = doc;
        for step in parents {
            at = match (step, at) {
                (Step::Key(k), serde_json::Value::Object(m)) => match m.get_mut(k) {
                    Some(x) => x,
                    None => return,
                },
                (Step::Index(i), serde_json::Value::Array(a)) => match a.get_mut(*i) {
                    Some(x) => x,
                    None => return,
                },
                _ => return,
            };
        }
        match (last, at) {
            (Step::Key(k), serde_json::Value::Object(m)) => {
                m.remove(k);
            }
            (Step::Index(i), serde_json::Value::Array(a)) if *i < a.len() => {
                a.remove(*i);
            }
            _ => {}
        }
    }
    #[derive(Clone)]
    enum Step {
        Key(String),
        Index(usize),
    }
    // Walk down: at each level, the first child whose removal changes the error.
    let mut path: Vec<Step> = Vec::new();
    let mut span = 0..0;
    let mut node = Node::Table(doc);
    loop {
        let children: Vec<(Step, std::ops::Range<usize>, Node<'_, '_>)> = match node {
            Node::Table(t) => t
                .iter()
                .map(|(k, v)| (Step::Key(k.get_ref().to_string()), k.span(), Node::of(v)))
                .collect(),
            Node::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, v)| (Step::Index(i), v.span(), Node::of(v)))
                .collect(),
            Node::Leaf => Vec::new(),
        };
        let found = children.into_iter().find(|(step, _, _)| {
            let mut trial = value.clone();
            path.push(step.clone());
            remove(&mut trial, &path);
            path.pop();
            !same(&trial, message)
        });
        let Some((step, s, child)) = found else { break };
        path.push(step);
        span = s;
        node = child;
    }
    use std::fmt::Write as _;
    let mut key = String::new();
    for step in &path {
        match step {
            Step::Key(k) => {
                if !key.is_empty() {
                    key.push('.');
                }
                key.push_str(k);
            }
            Step::Index(i) => {
                let _ = write!(key, "[{i}]");
            }
        }
    }
    if key.is_empty() {
        key.push_str("(document)");
    }
    key_error(text, span.start, key, message.to_owned())
}

/// A node of the parsed TOML document, for [`locate_error`].
#[derive(Clone, Copy)]
enum Node<'a, 'i> {
    Table(&'a toml::de::DeTable<'i>),
    Array(&'a toml::de::DeArray<'i>),
    Leaf,
}

impl<'a, 'i> Node<'a, 'i> {
    fn of(v: &'a toml::Spanned<toml::de::DeValue<'i>>) -> Self {
        match v.get_ref() {
            toml::de::DeValue::Table(t) => Node::Table(t),
            toml::de::DeValue::Array(a) => Node::Array(a),
            _ => Node::Leaf,
        }
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
    fn json_form_round_trips() {
        let rules = "[time]\nutc_offset = \"+02:00\"\nreference_date = \"2026-12-02\"\n\
            [thresholds]\nauth_reject_pct = 3\nthrottled_pct = { gmail = 12.5 }\n\
            [share]\nredaction = \"public\"\n\
            [[rules.provider]]\nid = \"acme\"\nname = \"Acme\"\nmx = [\"mx.acme.example\"]\n\
            [[rules.rule]]\nid = \"acme-busy\"\nprovider = \"acme\"\noutcome = \"throttled\"\n\
            phrases = [\"try (again )?later\"]\ncodes = [\"4.7.1\"]\n";
        for text in [
            Config::example(),
            include_str!("../../examples/mailrep.toml"),
            rules,
            "",
        ] {
            let c = Config::from_toml(text).expect("parses");
            let json = c.to_json();
            assert_eq!(
                Config::from_json(&json).expect("JSON form reads"),
                c,
                "{json}"
            );
        }
        assert_eq!(Config::from_json(" \n").expect("blank"), Config::default());
        // The checks after serde's are the same as from_toml's.
        let bad = Config::from_json(r#"{"time":{"utc_offset":"2h"}}"#).unwrap_err();
        assert!(bad.to_string().contains("utc_offset"), "{bad}");
        let bad = Config::from_json(r#"{"thresholds":{"nope":1}}"#).unwrap_err();
        assert!(
            matches!(&bad, ConfigError::Json(_)) && bad.to_string().contains("nope"),
            "{bad}"
        );
    }

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
    fn errors_name_the_key_and_its_line() {
        let text = "[time]\nreference_date = \"2026-12-02\"\n\n[thresholds]\nauth_min_attempts = 5\nreputation_reject_pct = \"ten\"\n";
        match Config::from_toml(text).unwrap_err() {
            ConfigError::Key {
                key, line, column, ..
            } => assert_eq!(
                (key.as_str(), line, column),
                ("thresholds.reputation_reject_pct", 6, 1)
            ),
            e => panic!("{e}"),
        }
        let e = Config::from_toml("[thresholds]\nreputation_reject_percent = 5\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("line 2, column 1, key `thresholds.reputation_reject_percent`"),
            "{e}"
        );
        // A rule without its required fields: the rule (array element) is named.
        let text = "[[rules.rule]]\nid = \"a\"\noutcome = \"throttled\"\nphrases = [\"x\"]\n\n[[rules.rule]]\nphrases = [\"y\"]\n";
        let e = Config::from_toml(text).unwrap_err();
        assert!(
            matches!(&e, ConfigError::Key { key, line: 6, .. } if key == "rules.rule[1]"),
            "{e}"
        );
        // Syntax errors keep toml's own message (line, column, snippet).
        let e = Config::from_toml("[thresholds\n").unwrap_err();
        assert!(matches!(e, ConfigError::Toml(_)), "{e}");
        assert!(Config::from_toml("[time]\nreference_date = 2026-12-02\n").is_err());
        assert!(Config::from_toml("[thresholds]\nauth_reject_pct = nan\n").is_err());
        // Integers where floats are expected, as toml's deserializer took them.
        let c = Config::from_toml("[thresholds]\nauth_reject_pct = 3\n").unwrap();
        assert!((c.thresholds.auth_reject_pct - 3.0).abs() < f64::EPSILON);
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+01:00"), Some(3600));
        assert_eq!(parse_offset("-0530"), Some(-19_800));
        assert_eq!(parse_offset("Z"), Some(0));
        assert_eq!(parse_offset("01:00"), None);
    }
}
