//! Edits of a `mailrep.toml` for the page's settings form and row actions, so the page never
//! parses or writes TOML itself (one source of truth: [`Config`]).
//!
//! * [`SettingsForm`]: the fields of the settings form (our networks with labels, our domains,
//!   sending IPs per service, forwarder networks, thresholds, the default redaction preset and
//!   the local reply rules), read from a configuration with [`SettingsForm::from_config`] and
//!   written back into one with [`apply_form`]. Invalid input is a [`FieldError`] naming the
//!   field (`ours.networks[2]`, `thresholds.auth_reject_pct`).
//! * [`mark_source`]: "Mark as ours" / "Mark as forwarder" of a DMARC source IP.
//! * [`suggest_rule`] / [`remove_rule`]: a local `[[rules.rule]]` that puts one unclassified
//!   reply template into a chosen outcome ("Suggest bucket"), checked through the classifier.
//! * [`minimal_toml`]: the configuration as TOML holding only what differs from the defaults
//!   (what every edit here returns). Comments of the edited text are not kept.
//!
//! The functions that read or write TOML are `#[inline]`: they and the serde code they
//! instantiate are compiled in the calling crate, so the page's web crate builds them at its
//! size-first opt-level, not at the core's speed-first one (see [`Config::from_toml`]).

use crate::sorted::SortedMap;
use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::config::{Config, ConfigError, Thresholds};
use crate::postfix::Outcome;
use crate::postfix::classify::Classifier;
use crate::postfix::rules::{RuleDef, Source, When};
use crate::redact::Preset;

/// Prefix of the ids of rules made by [`suggest_rule`].
pub const LOCAL_RULE_PREFIX: &str = "local.";

/// An input of the form that is not usable, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The configuration key, with an index for list entries: `ours.networks[2]`,
    /// `egress.sending_ips[0].ip`, `thresholds.auth_reject_pct`, or `toml` for the text itself.
    pub field: String,
    /// What is wrong, in words.
    pub message: String,
}

fn field_error(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

impl From<ConfigError> for FieldError {
    fn from(e: ConfigError) -> Self {
        field_error("toml", e.to_string())
    }
}

/// One of our networks with its label (`ours.networks` and `ours.labels`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkEntry {
    /// CIDR (`203.0.113.0/24`) or a single address (taken as /32 or /128).
    pub cidr: String,
    /// Free label (`mx-out-2`); empty for none.
    pub label: String,
}

/// One service -> sending IP mapping (`egress.sending_ips`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SendingIpEntry {
    /// Service as in the syslog tag without `postfix/` (`out05/smtp`, `smtp`), or
    /// `host:service`.
    pub service: String,
    /// The service's sending IP.
    pub ip: String,
}

/// One threshold as text, in the order of [`Thresholds`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ThresholdEntry {
    /// Key in `[thresholds]` (`auth_reject_pct`).
    pub key: String,
    /// Current value as text; maps (`throttled_pct`) as `provider=percent, …`; empty for an
    /// unset optional value.
    pub value: String,
    /// The default, in the same notation.
    pub default: String,
}

/// A local reply rule, as listed in the form (read-only there; removed with [`remove_rule`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleEntry {
    /// Rule id.
    pub id: String,
    /// Provider id, empty for any.
    pub provider: String,
    /// Outcome id (`throttled`, `reject_content`, …).
    pub outcome: String,
    /// The rule's phrases (regexes).
    pub phrases: Vec<String>,
    /// The rule's `doc`.
    pub doc: String,
}

/// The settings form of the page: the parts of a [`Config`] it edits. Everything else of the
/// configuration (limits, egress services, alerting, …) is kept as it is by [`apply_form`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    /// Our networks with labels.
    pub networks: Vec<NetworkEntry>,
    /// Our domains.
    pub domains: Vec<String>,
    /// Service -> sending IP.
    pub sending_ips: Vec<SendingIpEntry>,
    /// Known forwarder networks (`dmarc.forwarder_networks`), CIDR or single addresses.
    pub forwarder_networks: Vec<String>,
    /// Every threshold of [`Thresholds`].
    pub thresholds: Vec<ThresholdEntry>,
    /// Default redaction preset of the page's exports (`share.redaction`): `internal`,
    /// `vendor_support`, `public`, or empty for the page's default (internal).
    pub redaction: String,
    /// The configured reply rules (`[[rules.rule]]`), read-only in the form.
    pub rules: Vec<RuleEntry>,
}

impl SettingsForm {
    /// The form's view of `config`.
    #[inline]
    pub fn from_config(config: &Config) -> Self {
        let networks = config
            .ours
            .networks
            .iter()
            .map(|n| NetworkEntry {
                cidr: n.to_string(),
                label: config.ours.labels.get(n).cloned().unwrap_or_default(),
            })
            .collect();
        let sending_ips = config
            .egress
            .sending_ips
            .iter()
            .map(|(service, ip)| SendingIpEntry {
                service: service.clone(),
                ip: ip.to_string(),
            })
            .collect();
        let current = threshold_table(&config.thresholds);
        let defaults = threshold_table(&Thresholds::default());
        let thresholds = THRESHOLD_KEYS
            .iter()
            .map(|key| ThresholdEntry {
                value: current.get(*key).map(value_text).unwrap_or_default(),
                default: defaults.get(*key).map(value_text).unwrap_or_default(),
                key: (*key).to_owned(),
            })
            .collect();
        let rules = config
            .rules
            .rules
            .iter()
            .map(|r| RuleEntry {
                id: r.id.clone(),
                provider: r.provider.clone().unwrap_or_default(),
                outcome: outcome_id(r.outcome),
                phrases: r.phrases.clone(),
                doc: r.doc.clone(),
            })
            .collect();
        Self {
            networks,
            domains: config.ours.domains.clone(),
            sending_ips,
            forwarder_networks: config
                .dmarc
                .forwarder_networks
                .iter()
                .map(ToString::to_string)
                .collect(),
            thresholds,
            redaction: config
                .share
                .redaction
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            rules,
        }
    }
}

/// The snake_case id of an outcome (`reject_content`).
fn outcome_id(o: Outcome) -> String {
    o.as_str().to_owned()
}

/// The keys of `[thresholds]` (optional ones included) in the order of the settings form:
/// declaration order, the map `throttled_pct` last (where TOML writes its sub-table). Spelled out (a unit test checks it against the fields of
/// [`Thresholds`]) rather than read from a TOML serialization of the struct, which would add
/// a second TOML serializer of it to the page's WebAssembly.
const THRESHOLD_KEYS: [&str; 17] = [
    "reputation_min_attempts",
    "reputation_reject_pct",
    "throttled_min_attempts",
    "throttled_default_pct",
    "auth_min_attempts",
    "auth_reject_pct",
    "own_alignment_min_messages",
    "own_alignment_pass_pct",
    "spoofing_min_failing",
    "regression_drop_points",
    "regression_window_days",
    "regression_min_attempts",
    "readiness_min_days",
    "readiness_min_reporters",
    "readiness_pass_pct",
    "readiness_max_gap_days",
    "throttled_pct",
];

#[inline]
fn threshold_table(t: &Thresholds) -> toml::Table {
    toml::Table::try_from(t).unwrap_or_default()
}

/// A threshold value as form text: numbers as written, maps as `key=value, …`.
fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => format_number(*f),
        toml::Value::Table(t) => t
            .iter()
            .map(|(k, v)| format!("{k}={}", value_text(v)))
            .collect::<Vec<_>>()
            .join(", "),
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn format_number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

/// A network from form text: a CIDR, or a single address as /32 or /128.
pub fn parse_network(text: &str) -> Option<IpNet> {
    let t = text.trim();
    if let Ok(n) = t.parse::<IpNet>() {
        return Some(n);
    }
    t.parse::<IpAddr>().ok().map(IpNet::from)
}

/// True when `d` looks like a domain name: labels of letters, digits and `-`, with a dot.
fn is_domain(d: &str) -> bool {
    d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Writes the form's fields into the configuration `toml` (which must be valid) and returns
/// the result as [`minimal_toml`]. Empty rows are skipped. Errors name the field.
#[inline]
pub fn apply_form(toml: &str, form: &SettingsForm) -> Result<String, FieldError> {
    let mut config = Config::from_toml(toml)?;
    let mut networks = Vec::new();
    let mut labels = SortedMap::new();
    for (i, n) in form.networks.iter().enumerate() {
        if n.cidr.trim().is_empty() {
            if !n.label.trim().is_empty() {
                return Err(field_error(
                    format!("ours.networks[{i}]"),
                    "a label without a network",
                ));
            }
            continue;
        }
        let net = parse_network(&n.cidr).ok_or_else(|| {
            field_error(
                format!("ours.networks[{i}]"),
                format!(
                    "{:?} is not a network (CIDR such as 203.0.113.0/24 or 2001:db8::/48, or one address)",
                    n.cidr.trim()
                ),
            )
        })?;
        if !networks.contains(&net) {
            networks.push(net);
        }
        if !n.label.trim().is_empty() {
            labels.insert(net, n.label.trim().to_owned());
        }
    }
    let mut domains: Vec<String> = Vec::new();
    for (i, d) in form.domains.iter().enumerate() {
        let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
        if d.is_empty() {
            continue;
        }
        if !is_domain(&d) {
            return Err(field_error(
                format!("ours.domains[{i}]"),
                format!("{d:?} is not a domain name (such as example.com)"),
            ));
        }
        if !domains.contains(&d) {
            domains.push(d);
        }
    }
    let mut sending_ips = SortedMap::new();
    for (i, s) in form.sending_ips.iter().enumerate() {
        let service = s.service.trim();
        let ip = s.ip.trim();
        if service.is_empty() && ip.is_empty() {
            continue;
        }
        if service.is_empty() || service.contains(char::is_whitespace) {
            return Err(field_error(
                format!("egress.sending_ips[{i}].service"),
                "a service name without spaces is needed (such as out05/smtp, smtp, or host:smtp)",
            ));
        }
        let addr: IpAddr = ip.parse().map_err(|_| {
            field_error(
                format!("egress.sending_ips[{i}].ip"),
                format!("{ip:?} is not an IP address (such as 203.0.113.94)"),
            )
        })?;
        if sending_ips.insert(service.to_owned(), addr).is_some() {
            return Err(field_error(
                format!("egress.sending_ips[{i}].service"),
                format!("{service:?} is listed twice"),
            ));
        }
    }
    let mut forwarders = Vec::new();
    for (i, n) in form.forwarder_networks.iter().enumerate() {
        if n.trim().is_empty() {
            continue;
        }
        let net = parse_network(n).ok_or_else(|| {
            field_error(
                format!("dmarc.forwarder_networks[{i}]"),
                format!("{:?} is not a network (CIDR or one address)", n.trim()),
            )
        })?;
        if !forwarders.contains(&net) {
            forwarders.push(net);
        }
    }
    let thresholds = apply_thresholds(&config.thresholds, &form.thresholds)?;
    let redaction = match form.redaction.trim() {
        "" => None,
        p => Some(
            p.parse::<Preset>()
                .map_err(|e| field_error("share.redaction", e.to_string()))?,
        ),
    };
    config.ours.networks = networks;
    config.ours.labels = labels;
    config.ours.domains = domains;
    config.egress.sending_ips = sending_ips;
    config.dmarc.forwarder_networks = forwarders;
    config.thresholds = thresholds;
    config.share.redaction = redaction;
    finish(&config)
}

/// The thresholds `base` with the form's entries applied (unknown keys are errors).
#[inline]
fn apply_thresholds(
    base: &Thresholds,
    entries: &[ThresholdEntry],
) -> Result<Thresholds, FieldError> {
    let mut table = threshold_table(base);
    let mut with_optional = base.clone();
    with_optional.throttled_default_pct = Some(0.0);
    let shapes = threshold_table(&with_optional);
    for e in entries {
        let field = format!("thresholds.{}", e.key);
        let Some(shape) = shapes.get(&e.key) else {
            return Err(field_error(field, "unknown threshold"));
        };
        let text = e.value.trim();
        let percent = e.key.ends_with("_pct") || e.key.ends_with("_points");
        let number = |t: &str, field: &str| -> Result<toml::Value, FieldError> {
            if matches!(shape, toml::Value::Integer(_)) {
                t.parse::<u32>()
                    .map(|n| toml::Value::Integer(i64::from(n)))
                    .map_err(|_| field_error(field, format!("{t:?} is not a whole number ≥ 0")))
            } else {
                {
                    let f: f64 = t
                        .parse()
                        .ok()
                        .filter(|f: &f64| f.is_finite())
                        .ok_or_else(|| field_error(field, format!("{t:?} is not a number")))?;
                    if percent && !(0.0..=100.0).contains(&f) {
                        return Err(field_error(
                            field,
                            format!("{t} is not a percentage (0 to 100)"),
                        ));
                    }
                    Ok(toml::Value::Float(f))
                }
            }
        };
        match shape {
            toml::Value::Table(_) => {
                let mut map = toml::Table::new();
                for part in text
                    .split([',', ';', '\n'])
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                {
                    let Some((k, v)) = part.split_once('=') else {
                        return Err(field_error(
                            field,
                            format!("{part:?}: expected provider=percent (such as microsoft=70)"),
                        ));
                    };
                    let k = k.trim().to_ascii_lowercase();
                    if k.is_empty() || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                        return Err(field_error(field, format!("{k:?} is not a provider id")));
                    }
                    map.insert(k, number(v.trim(), &field)?);
                }
                table.insert(e.key.clone(), toml::Value::Table(map));
            }
            _ if text.is_empty() => {
                if base_is_optional(&e.key, base) {
                    table.remove(&e.key);
                } else {
                    return Err(field_error(field, "a value is needed"));
                }
            }
            _ => {
                table.insert(e.key.clone(), number(text, &field)?);
            }
        }
    }
    // Read back through the configuration's own TOML reader (written as `[thresholds]` of a
    // configuration): one deserializer of the configuration types in the page's module.
    let mut root = toml::Table::new();
    root.insert("thresholds".to_owned(), toml::Value::Table(table));
    toml::to_string(&root)
        .map_err(|e| field_error("thresholds", e.to_string()))
        .and_then(|text| {
            Config::from_toml(&text).map_err(|e| field_error("thresholds", e.to_string()))
        })
        .map(|c| c.thresholds)
}

/// True for thresholds that may be unset (`Option` fields).
#[inline]
fn base_is_optional(key: &str, base: &Thresholds) -> bool {
    !threshold_table(&Thresholds {
        throttled_default_pct: None,
        ..base.clone()
    })
    .contains_key(key)
}

/// Checks `config` the way an analysis would (rules compile, examples match) and writes it
/// as [`minimal_toml`].
#[inline]
fn finish(config: &Config) -> Result<String, FieldError> {
    config.utc_offset_seconds()?;
    Classifier::new(&config.rules)?;
    Ok(minimal_toml(config))
}

/// Tables of the configuration that are maps (their keys are data, not field names): kept
/// whole when they differ from the default, since a map read from TOML replaces the default
/// map instead of adding to it.
const MAP_TABLES: [&str; 4] = [
    "egress.sending_ips",
    "dmarc.ptr",
    "thresholds.throttled_pct",
    "ours.labels",
];

/// `config` as TOML holding only the keys whose values differ from [`Config::default`] (empty
/// for the defaults). Reading it back gives `config` again (checked; the full TOML otherwise).
#[inline]
pub fn minimal_toml(config: &Config) -> String {
    // Both through the same value serializer, then the same `Table` writer: the page's module
    // holds no second (document) serializer of the configuration types.
    let (Ok(full), Ok(defaults)) = (
        toml::Table::try_from(config),
        toml::Table::try_from(Config::default()),
    ) else {
        // Not representable as TOML (`Config::to_toml` gives "" then too).
        return String::new();
    };
    let mut value = full.clone();
    prune(&mut value, &defaults, "");
    if value.is_empty() {
        return String::new();
    }
    match toml::to_string_pretty(&value) {
        Ok(text) if Config::from_toml(&text).is_ok_and(|c| c == *config) => text,
        _ => toml::to_string_pretty(&full).unwrap_or_default(),
    }
}

/// Removes from `t` (at the dotted `path`) every key equal to the same key of `defaults`, then
/// empty tables; [`MAP_TABLES`] are compared whole.
fn prune(t: &mut toml::Table, defaults: &toml::Table, path: &str) {
    t.retain(|k, v| {
        let Some(d) = defaults.get(k) else {
            return true;
        };
        let here = if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        };
        match (v, d) {
            (toml::Value::Table(inner), toml::Value::Table(d_inner))
                if !MAP_TABLES.contains(&here.as_str()) =>
            {
                prune(inner, d_inner, &here);
                !inner.is_empty()
            }
            (v, d) => v != d,
        }
    });
}

/// Which list [`mark_source`] adds an IP to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkAs {
    /// `ours.networks` (class `ours`).
    Ours,
    /// `dmarc.forwarder_networks` (class `forwarder`).
    Forwarder,
}

/// Adds `ip` as a /32 (IPv4) or /128 (IPv6) network to our networks or to the forwarder
/// networks of `toml`, with `label` (ours only; empty for none). Marking as ours removes the
/// same single-address entry from the forwarder networks. Errors: not an IP, already covered
/// by a network of that list, or (forwarder) inside one of our networks.
#[inline]
pub fn mark_source(toml: &str, ip: &str, mark: MarkAs, label: &str) -> Result<String, FieldError> {
    let mut config = Config::from_toml(toml)?;
    let addr: IpAddr = ip
        .trim()
        .parse()
        .map_err(|_| field_error("ip", format!("{ip:?} is not an IP address")))?;
    let net = IpNet::from(addr);
    match mark {
        MarkAs::Ours => {
            if let Some(n) = config.ours.networks.iter().find(|n| n.contains(&addr)) {
                return Err(field_error(
                    "ours.networks",
                    format!("{addr} is already in our network {n}"),
                ));
            }
            config.ours.networks.push(net);
            if !label.trim().is_empty() {
                config.ours.labels.insert(net, label.trim().to_owned());
            }
            config.dmarc.forwarder_networks.retain(|n| *n != net);
        }
        MarkAs::Forwarder => {
            if let Some(n) = config.ours.networks.iter().find(|n| n.contains(&addr)) {
                return Err(field_error(
                    "dmarc.forwarder_networks",
                    format!("{addr} is in our network {n}; remove it there first"),
                ));
            }
            if let Some(n) = config
                .dmarc
                .forwarder_networks
                .iter()
                .find(|n| n.contains(&addr))
            {
                return Err(field_error(
                    "dmarc.forwarder_networks",
                    format!("{addr} is already in the forwarder network {n}"),
                ));
            }
            config.dmarc.forwarder_networks.push(net);
        }
    }
    finish(&config)
}

/// The outcomes a reply can be put into by [`suggest_rule`], by permanence of its failure:
/// temporary (`deferred_other`) or permanent (`reject_other`).
pub fn bucket_choices(unclassified_outcome: Outcome) -> &'static [Outcome] {
    match unclassified_outcome {
        Outcome::DeferredOther | Outcome::Throttled => {
            &[Outcome::Throttled, Outcome::DeferredOther]
        }
        _ => &[
            Outcome::RejectReputation,
            Outcome::RejectContent,
            Outcome::RejectRecipient,
            Outcome::RejectAuth,
            Outcome::RejectOther,
        ],
    }
}

/// Adds a local rule to `toml` that classifies the unclassified reply `template` (as in
/// `delivery.unclassified[].template`) of `provider` into `outcome`, tried before the other
/// rules. The rule matches the whole template (escaped, anchored), applies to failures of the
/// same permanence as `unclassified_outcome` and to that provider (unless `other`), and carries
/// the template as its example, so the classifier checks it decides the reply. Returns the new
/// TOML and the rule id (`local.<outcome>_<n>`).
#[inline]
pub fn suggest_rule(
    toml: &str,
    provider: &str,
    unclassified_outcome: Outcome,
    template: &str,
    outcome: Outcome,
) -> Result<(String, String), FieldError> {
    let mut config = Config::from_toml(toml)?;
    let template = template.trim();
    if template.is_empty() {
        return Err(field_error("template", "the reply template is empty"));
    }
    if !bucket_choices(unclassified_outcome).contains(&outcome) {
        return Err(field_error(
            "outcome",
            format!(
                "{} does not fit a {} reply",
                outcome_id(outcome),
                outcome_id(unclassified_outcome)
            ),
        ));
    }
    let when = if matches!(
        unclassified_outcome,
        Outcome::DeferredOther | Outcome::Throttled
    ) {
        When::Temporary
    } else {
        When::Permanent
    };
    let base = format!("{LOCAL_RULE_PREFIX}{}", outcome_id(outcome));
    let taken: Vec<&str> = config.rules.rules.iter().map(|r| r.id.as_str()).collect();
    let id = (1..=taken.len() + 1)
        .map(|n| format!("{base}_{n}"))
        .find(|id| !taken.contains(&id.as_str()))
        .unwrap_or(base);
    let provider = provider.trim();
    let rule = RuleDef {
        id: id.clone(),
        provider: (!provider.is_empty() && provider != "other").then(|| provider.to_owned()),
        when,
        source: Source::default(),
        codes: Vec::new(),
        phrases: vec![format!("^{}$", regex_lite::escape(template))],
        unless: Vec::new(),
        outcome,
        provider_code: None,
        doc: "Suggested on the page from an unclassified reply.".to_owned(),
        examples: vec![template.to_owned()],
        counter_examples: Vec::new(),
    };
    config.rules.rules.insert(0, rule);
    let text = finish(&config)?;
    Ok((text, id))
}

/// Removes the rule `id` from `[[rules.rule]]` of `toml`; an unknown id is an error.
#[inline]
pub fn remove_rule(toml: &str, id: &str) -> Result<String, FieldError> {
    let mut config = Config::from_toml(toml)?;
    let before = config.rules.rules.len();
    config.rules.rules.retain(|r| r.id != id);
    if config.rules.rules.len() == before {
        return Err(field_error("rules.rule", format!("no rule {id:?}")));
    }
    finish(&config)
}

/// Our network containing `ip` and its label (`ours.labels`), for naming DMARC sources.
pub fn network_label(config: &Config, ip: IpAddr) -> Option<(IpNet, &str)> {
    config
        .ours
        .networks
        .iter()
        .filter(|n| n.contains(&ip))
        .max_by_key(|n| n.prefix_len())
        .and_then(|n| config.ours.labels.get(n).map(|l| (*n, l.as_str())))
}

/// Labels of `ips` (those inside a labelled network of ours), as `ip -> label`.
pub fn labels_for<'a>(
    config: &Config,
    ips: impl IntoIterator<Item = &'a str>,
) -> SortedMap<String, String> {
    ips.into_iter()
        .filter_map(|s| {
            let ip: IpAddr = s.parse().ok()?;
            network_label(config, ip).map(|(_, l)| (s.to_owned(), l.to_owned()))
        })
        .collect()
}

/// Default rule table check used by tests: the rules of `config` compile.
#[cfg(test)]
fn compiles(config: &Config) -> bool {
    Classifier::new(&config.rules).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_keys_are_the_fields_in_toml_order() {
        // The order a TOML serialization of the struct gives: plain keys in declaration
        // order, then the map as its own table.
        let t = Thresholds {
            throttled_default_pct: Some(0.0),
            ..Thresholds::default()
        };
        let text = toml::to_string(&t).unwrap();
        let keys: Vec<&str> = text
            .lines()
            .filter_map(|l| {
                l.split_once(" = ")
                    .map(|(k, _)| k.trim())
                    .or_else(|| l.strip_prefix('[').and_then(|l| l.strip_suffix(']')))
            })
            .filter(|k| !k.contains('.') && *k != "microsoft")
            .collect();
        assert_eq!(keys, THRESHOLD_KEYS);
    }

    fn form(toml: &str) -> SettingsForm {
        SettingsForm::from_config(&Config::from_toml(toml).unwrap())
    }

    #[test]
    fn defaults_are_the_empty_text() {
        assert_eq!(minimal_toml(&Config::default()), "");
        assert_eq!(apply_form("", &form("")).unwrap(), "");
    }

    #[test]
    fn the_example_round_trips_through_minimal_toml_and_the_form() {
        let c = Config::from_toml(Config::example()).unwrap();
        let text = minimal_toml(&c);
        assert_eq!(Config::from_toml(&text).unwrap(), c, "{text}");
        let again = apply_form(Config::example(), &SettingsForm::from_config(&c)).unwrap();
        assert_eq!(Config::from_toml(&again).unwrap(), c, "{again}");
        assert!(compiles(&c));
    }

    #[test]
    #[allow(clippy::float_cmp)]
    fn form_edits_land_in_the_toml() {
        let mut f = form("");
        f.networks.push(NetworkEntry {
            cidr: "192.0.2.0/24".into(),
            label: "mx-out".into(),
        });
        f.networks.push(NetworkEntry {
            cidr: "2001:db8::7".into(),
            label: String::new(),
        });
        f.domains.push("Example.COM.".into());
        f.sending_ips.push(SendingIpEntry {
            service: "out05/smtp".into(),
            ip: "192.0.2.94".into(),
        });
        f.redaction = "public".into();
        for t in &mut f.thresholds {
            match t.key.as_str() {
                "auth_reject_pct" => t.value = "3.5".into(),
                "throttled_pct" => t.value = "microsoft=60, google = 40".into(),
                "throttled_default_pct" => t.value = "50".into(),
                _ => {}
            }
        }
        let text = apply_form("[limits]\nmax_zip_entries = 8\n", &f).unwrap();
        let c = Config::from_toml(&text).unwrap();
        assert_eq!(c.ours.networks.len(), 2);
        assert_eq!(c.ours.networks[1].to_string(), "2001:db8::7/128");
        assert_eq!(c.ours.labels.values().collect::<Vec<_>>(), ["mx-out"]);
        assert_eq!(c.ours.domains, ["example.com"]);
        assert_eq!(c.egress.sending_ips["out05/smtp"].to_string(), "192.0.2.94");
        assert_eq!(c.thresholds.auth_reject_pct, 3.5);
        assert_eq!(c.thresholds.throttled_pct["google"], 40.0);
        assert_eq!(c.thresholds.throttled_default_pct, Some(50.0));
        assert_eq!(c.share.redaction, Some(Preset::Public));
        assert_eq!(c.limits.max_zip_entries, 8, "other settings are kept");
        assert!(text.contains("192.0.2.0/24"), "{text}");
        assert!(
            !text.contains("max_line_bytes"),
            "defaults are left out: {text}"
        );
        // And back into the form.
        let back = SettingsForm::from_config(&c);
        assert_eq!(back.networks[0].label, "mx-out");
        let th: SortedMap<_, _> = back
            .thresholds
            .iter()
            .map(|t| (t.key.as_str(), (t.value.as_str(), t.default.as_str())))
            .collect();
        assert_eq!(th["auth_reject_pct"], ("3.5", "2"));
        assert_eq!(
            th["throttled_pct"],
            ("google=40, microsoft=60", "microsoft=70")
        );
        assert_eq!(th["throttled_default_pct"], ("50", ""));
        assert_eq!(back.thresholds.len(), THRESHOLD_KEYS.len());
        assert_eq!(back.thresholds[0].key, "reputation_min_attempts");
    }

    #[test]
    fn errors_name_the_field() {
        let err = |f: SettingsForm| apply_form("", &f).unwrap_err();
        let mut f = form("");
        f.networks.push(NetworkEntry {
            cidr: "203.0.113.0/33".into(),
            label: String::new(),
        });
        assert_eq!(err(f).field, "ours.networks[0]");
        let mut f = form("");
        f.domains = vec!["ok.example".into(), "not a domain".into()];
        assert_eq!(err(f).field, "ours.domains[1]");
        let mut f = form("");
        f.sending_ips.push(SendingIpEntry {
            service: "smtp".into(),
            ip: "300.1.1.1".into(),
        });
        assert_eq!(err(f).field, "egress.sending_ips[0].ip");
        for (key, value) in [
            ("auth_reject_pct", "150"),
            ("auth_min_attempts", "-1"),
            ("auth_min_attempts", ""),
            ("throttled_pct", "microsoft"),
        ] {
            let mut f = form("");
            f.thresholds
                .iter_mut()
                .find(|t| t.key == key)
                .unwrap()
                .value = value.into();
            let e = err(f);
            assert_eq!(e.field, format!("thresholds.{key}"), "{value}: {e}");
        }
        let mut f = form("");
        f.redaction = "everything".into();
        assert_eq!(err(f).field, "share.redaction");
        assert_eq!(apply_form("[nope]\n", &form("")).unwrap_err().field, "toml");
    }

    #[test]
    fn mark_as_ours_and_as_forwarder() {
        let t = mark_source("", "198.51.100.7", MarkAs::Forwarder, "").unwrap();
        let c = Config::from_toml(&t).unwrap();
        assert_eq!(c.dmarc.forwarder_networks[0].to_string(), "198.51.100.7/32");
        let t = mark_source(&t, "198.51.100.7", MarkAs::Ours, "relay").unwrap();
        let c = Config::from_toml(&t).unwrap();
        assert_eq!(c.ours.networks[0].to_string(), "198.51.100.7/32");
        assert!(c.dmarc.forwarder_networks.is_empty(), "{t}");
        assert_eq!(
            network_label(&c, "198.51.100.7".parse().unwrap()).map(|x| x.1),
            Some("relay")
        );
        assert_eq!(
            labels_for(&c, ["198.51.100.7", "192.0.2.1", "x"]),
            SortedMap::from([("198.51.100.7".to_owned(), "relay".to_owned())])
        );
        assert_eq!(
            mark_source(&t, "198.51.100.7", MarkAs::Ours, "")
                .unwrap_err()
                .field,
            "ours.networks"
        );
        assert_eq!(
            mark_source(&t, "198.51.100.7", MarkAs::Forwarder, "")
                .unwrap_err()
                .field,
            "dmarc.forwarder_networks"
        );
        let v6 = mark_source("", "2001:db8::25", MarkAs::Ours, "").unwrap();
        assert!(v6.contains("2001:db8::25/128"), "{v6}");
        assert_eq!(
            mark_source("", "nope", MarkAs::Ours, "").unwrap_err().field,
            "ip"
        );
    }

    #[test]
    fn suggested_rules_decide_the_template_and_can_be_removed() {
        let tpl = "550 5.7.1 Message refused (policy *) [x.example]";
        let (t, id) = suggest_rule(
            "",
            "google",
            Outcome::RejectOther,
            tpl,
            Outcome::RejectContent,
        )
        .unwrap();
        assert_eq!(id, "local.reject_content_1");
        let c = Config::from_toml(&t).unwrap();
        let r = &c.rules.rules[0];
        assert_eq!(r.when, When::Permanent);
        assert_eq!(r.provider.as_deref(), Some("google"));
        assert!(compiles(&c));
        let (t2, id2) = suggest_rule(
            &t,
            "other",
            Outcome::RejectOther,
            "550 other text",
            Outcome::RejectContent,
        )
        .unwrap();
        assert_eq!(id2, "local.reject_content_2");
        let c2 = Config::from_toml(&t2).unwrap();
        assert_eq!(c2.rules.rules[0].provider, None);
        assert_eq!(c2.rules.rules.len(), 2);
        let f = SettingsForm::from_config(&c2);
        assert_eq!(f.rules[1].outcome, "reject_content");
        // A temporary reply cannot become a permanent reject.
        assert_eq!(
            suggest_rule(
                "",
                "google",
                Outcome::DeferredOther,
                tpl,
                Outcome::RejectContent
            )
            .unwrap_err()
            .field,
            "outcome"
        );
        let back = remove_rule(&t2, &id).unwrap();
        assert_eq!(Config::from_toml(&back).unwrap().rules.rules.len(), 1);
        assert!(remove_rule(&back, &id).is_err());
    }
}
