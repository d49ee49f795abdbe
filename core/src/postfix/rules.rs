//! The rule table: providers by MX suffix / recipient domain, outcomes by code and phrase.
//!
//! The rules are **data**. The embedded default table is `rules.toml` beside this file (read it
//! for the field reference and the source of every rule); the configuration's `[rules]` section
//! has the same shape ([`RulesConfig`]) and is tried before the defaults:
//!
//! ```toml
//! [[rules.provider]]
//! id = "acme"
//! name = "ACME Mail"
//! mx = ["mx.acme.example"]
//!
//! [[rules.rule]]
//! id = "acme.rate"
//! provider = "acme"
//! when = "temporary"
//! phrases = ['slow down, friend']
//! outcome = "throttled"
//! doc = "ACME's rate-limit wording (their postmaster page)."
//! examples = ["451 4.7.1 slow down, friend"]
//! ```
//!
//! [`crate::postfix::classify::Classifier`] compiles both into matchers once.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::Outcome;

/// The embedded default table (TOML), documented field by field in its header. The program
/// reads it through [`default_table`], built from this file at build time.
pub const DEFAULT_RULES_TOML: &str = include_str!("rules.toml");

/// Extra rules from the configuration (`[rules]` in `mailrep.toml`), tried before the
/// embedded defaults. The same shape as the embedded default table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RulesConfig {
    /// `[[rules.provider]]`: new providers, or more suffixes / domains / clues / codes for an
    /// existing provider id (configured ones win over the defaults).
    #[serde(rename = "provider", skip_serializing_if = "Vec::is_empty")]
    pub providers: Vec<ProviderDef>,
    /// `[[rules.rule]]`: outcome rules, tried in order before the default rules.
    #[serde(rename = "rule", skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleDef>,
}

/// One mailbox provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProviderDef {
    /// Lowercase snake_case id (`microsoft`, `google`, …).
    pub id: String,
    /// Display name; defaults to the id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// MX / relay host suffixes, case-insensitive, on a label boundary; a `*` label matches any
    /// one label (`inbound-smtp.*.amazonaws.com`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mx: Vec<String>,
    /// Recipient domains, matched like `mx` (`yahoo.*` = `yahoo.` plus any one label).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
    /// Case-insensitive substrings of the reply text that name the provider (last resort).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clues: Vec<String>,
    /// Regexes extracting the provider's own reason code from the reply template (capture
    /// group 1, else the whole match), e.g. `\((S\d{3,6})\)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<String>,
}

/// Which failures a rule applies to, by permanence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// Temporary failures (4xx reply; else a 4.x.x enhanced code or dsn; else status=deferred).
    Temporary,
    /// Permanent failures (5xx …).
    Permanent,
    /// Both.
    #[default]
    Any,
}

/// Which text a rule applies to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A remote SMTP reply (`host H said: …`, `refused to talk to me: …`).
    Reply,
    /// Postfix's own text without a remote reply (connect, DNS, TLS failures).
    Local,
    /// Both.
    #[default]
    Any,
}

/// One outcome rule. Conditions are ANDed: provider, `when`, `source`, any of `codes`, any of
/// `phrases`, none of `unless`. At least one of `codes` and `phrases` is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// Stable id (`ms.throttle_4_7_5xx`), reported as [`super::classify::Classification::rule`].
    pub id: String,
    /// Only for attempts at this provider id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Permanence the rule applies to (default `any`).
    #[serde(default)]
    pub when: When,
    /// Reply or local text (default `any`).
    #[serde(default)]
    pub source: Source,
    /// Enhanced status code patterns `C.S.D`, each part `N`, `N-M` or `*`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<String>,
    /// Case-insensitive regexes over the reply template.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phrases: Vec<String>,
    /// Case-insensitive regexes that veto the rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<String>,
    /// Resulting outcome. A `reject_*` outcome on a temporary failure is reported as
    /// `deferred_other`.
    pub outcome: Outcome,
    /// Regex extracting a provider code for the reason code (group 1, else the whole match);
    /// default: the providers' `codes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_code: Option<String>,
    /// Why, with the source (RFC, provider documentation, sisimai reason).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// Reply texts this rule must match (checked when the table is compiled, and for the
    /// embedded table by a test through the whole classifier).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
    /// Reply texts this rule must not match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counter_examples: Vec<String>,
}

/// One `[[provider]]` of the embedded table, as `build.rs` writes it.
struct EmbeddedProvider {
    id: &'static str,
    name: &'static str,
    mx: &'static [&'static str],
    domains: &'static [&'static str],
    clues: &'static [&'static str],
    codes: &'static [&'static str],
}

/// One `[[rule]]` of the embedded table, as `build.rs` writes it (for wasm32 without `doc`,
/// `examples` and `counter_examples`, which only the tests read).
struct EmbeddedRule {
    id: &'static str,
    provider: Option<&'static str>,
    when: When,
    source: Source,
    codes: &'static [&'static str],
    phrases: &'static [&'static str],
    unless: &'static [&'static str],
    outcome: Outcome,
    provider_code: Option<&'static str>,
    doc: &'static str,
    examples: &'static [&'static str],
    counter_examples: &'static [&'static str],
}

// `PROVIDERS` and `RULES`: `rules.toml` read at build time (core/build.rs).
include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

fn owned(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// The embedded default table (`rules.toml`, turned into Rust statics at build time by
/// `core/build.rs`: no TOML is parsed at run time), built once. In the wasm32 build the
/// rules' `doc`, `examples` and `counter_examples` are empty.
pub fn default_table() -> &'static RulesConfig {
    static TABLE: OnceLock<RulesConfig> = OnceLock::new();
    TABLE.get_or_init(|| RulesConfig {
        providers: PROVIDERS
            .iter()
            .map(|p| ProviderDef {
                id: p.id.to_owned(),
                name: p.name.to_owned(),
                mx: owned(p.mx),
                domains: owned(p.domains),
                clues: owned(p.clues),
                codes: owned(p.codes),
            })
            .collect(),
        rules: RULES
            .iter()
            .map(|r| RuleDef {
                id: r.id.to_owned(),
                provider: r.provider.map(str::to_owned),
                when: r.when,
                source: r.source,
                codes: owned(r.codes),
                phrases: owned(r.phrases),
                unless: owned(r.unless),
                outcome: r.outcome,
                provider_code: r.provider_code.map(str::to_owned),
                doc: r.doc.to_owned(),
                examples: owned(r.examples),
                counter_examples: owned(r.counter_examples),
            })
            .collect(),
    })
}

/// An RFC 3463 enhanced status code `class.subject.detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Enhanced {
    /// 2, 4 or 5.
    pub class: u16,
    /// Subject (0-999).
    pub subject: u16,
    /// Detail (0-999).
    pub detail: u16,
}

impl Enhanced {
    /// Parses `X.Y.Z` at the start of `s` (1 digit, then 1-3 digits twice), requiring that no
    /// digit or `.digit` follows. Returns the code and its length in bytes.
    pub fn parse_prefix(s: &str) -> Option<(Self, usize)> {
        let b = s.as_bytes();
        let class = match b.first()? {
            c @ (b'2' | b'4' | b'5') => u16::from(c - b'0'),
            _ => return None,
        };
        if b.get(1) != Some(&b'.') {
            return None;
        }
        let (subject, n1) = digits(&b[2..])?;
        let i = 2 + n1;
        if b.get(i) != Some(&b'.') {
            return None;
        }
        let (detail, n2) = digits(&b[i + 1..])?;
        let end = i + 1 + n2;
        if let Some(&next) = b.get(end)
            && (next.is_ascii_digit()
                || (next == b'.' && b.get(end + 1).is_some_and(u8::is_ascii_digit)))
        {
            return None;
        }
        Some((
            Self {
                class,
                subject,
                detail,
            },
            end,
        ))
    }

    /// Parses exactly `X.Y.Z`.
    pub fn parse(s: &str) -> Option<Self> {
        let bytes = s.as_bytes();
        // The usual one-digit form (`2.0.0`, `4.7.0`): what `parse_prefix` would return.
        if let &[c @ (b'2' | b'4' | b'5'), b'.', sub, b'.', det] = bytes
            && sub.is_ascii_digit()
            && det.is_ascii_digit()
        {
            return Some(Self {
                class: u16::from(c - b'0'),
                subject: u16::from(sub - b'0'),
                detail: u16::from(det - b'0'),
            });
        }
        // A `dsn=` value has no surrounding space: skip the (Unicode) trim then.
        let text = if bytes.first().is_some_and(u8::is_ascii_digit)
            && bytes.last().is_some_and(u8::is_ascii_digit)
        {
            s
        } else {
            s.trim()
        };
        let (code, len) = Self::parse_prefix(text)?;
        (len == text.len()).then_some(code)
    }
}

impl std::fmt::Display for Enhanced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// 1-3 ASCII digits.
fn digits(b: &[u8]) -> Option<(u16, usize)> {
    let n = b.iter().take(4).take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 3 {
        return None;
    }
    let mut v = 0u16;
    for &c in &b[..n] {
        v = v * 10 + u16::from(c - b'0');
    }
    Some((v, n))
}

/// A compiled enhanced-code pattern: each of the three parts an inclusive range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodePattern([(u16, u16); 3]);

impl CodePattern {
    /// Parses `C.S.D` where each part is `N`, `N-M` or `*`.
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.trim().split('.');
        let mut out = [(0u16, 0u16); 3];
        for slot in &mut out {
            let p = parts.next()?;
            *slot = if p == "*" {
                (0, u16::MAX)
            } else if let Some((a, b)) = p.split_once('-') {
                let (a, b) = (a.parse().ok()?, b.parse().ok()?);
                if a > b {
                    return None;
                }
                (a, b)
            } else {
                let v = p.parse().ok()?;
                (v, v)
            };
        }
        parts.next().is_none().then_some(Self(out))
    }

    /// True when `e` lies in the pattern.
    pub fn matches(&self, e: Enhanced) -> bool {
        let v = [e.class, e.subject, e.detail];
        self.0
            .iter()
            .zip(v)
            .all(|(&(lo, hi), x)| lo <= x && x <= hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_time_table_equals_the_toml() {
        let parsed: RulesConfig = toml::from_str(DEFAULT_RULES_TOML).unwrap();
        assert_eq!(default_table(), &parsed);
    }

    #[test]
    fn embedded_table_parses() {
        let t = default_table();
        assert!(t.providers.len() >= 17);
        assert!(t.rules.len() >= 30);
        for id in [
            "microsoft",
            "google",
            "yahoo",
            "apple",
            "proofpoint",
            "mimecast",
            "gmx",
            "comcast",
            "other",
            "barracuda",
            "cisco",
            "zoho",
            "fastmail",
            "yandex",
            "mailru",
            "orange",
            "t_online",
        ] {
            assert!(
                t.providers.iter().any(|p| p.id == id),
                "provider {id} missing"
            );
        }
        let mut ids = std::collections::HashSet::new();
        for r in &t.rules {
            assert!(ids.insert(r.id.as_str()), "duplicate rule id {}", r.id);
            assert!(!r.doc.is_empty(), "rule {} has no doc", r.id);
            assert!(!r.examples.is_empty(), "rule {} has no example", r.id);
        }
    }

    #[test]
    fn enhanced_codes() {
        assert_eq!(
            Enhanced::parse("4.7.650"),
            Some(Enhanced {
                class: 4,
                subject: 7,
                detail: 650
            })
        );
        assert_eq!(
            Enhanced::parse_prefix("5.1.1= <a>"),
            Some((
                Enhanced {
                    class: 5,
                    subject: 1,
                    detail: 1
                },
                5
            ))
        );
        assert_eq!(Enhanced::parse_prefix("4.16.55.1"), None);
        assert_eq!(Enhanced::parse("5.7.1234"), None);
        assert_eq!(Enhanced::parse("3.1.1"), None);
        let p = CodePattern::parse("4.7.500-699").unwrap();
        assert!(p.matches(Enhanced::parse("4.7.650").unwrap()));
        assert!(!p.matches(Enhanced::parse("4.7.0").unwrap()));
        assert!(
            CodePattern::parse("5.1.*")
                .unwrap()
                .matches(Enhanced::parse("5.1.10").unwrap())
        );
        assert!(CodePattern::parse("5.1").is_none());
        assert!(CodePattern::parse("5.9-1.1").is_none());
    }

    #[test]
    fn config_shape_round_trips() {
        let text = r#"
[[provider]]
id = "acme"
mx = ["mx.acme.example"]

[[rule]]
id = "acme.rate"
provider = "acme"
when = "temporary"
phrases = ['slow down']
outcome = "throttled"
examples = ["451 4.7.1 slow down"]
"#;
        let c: RulesConfig = toml::from_str(text).unwrap();
        assert_eq!(c.rules[0].when, When::Temporary);
        assert!(
            toml::from_str::<RulesConfig>("[[rule]]\nid='x'\noutcome='throttled'\nbogus=1")
                .is_err()
        );
    }
}
