//! Classification of a delivery attempt into outcome and reason code.
//!
//! Order of decision (DESIGN §4, `research/postfix-anchors.md` §5):
//!
//! 1. `status=sent`, or a 2xx reply → [`Outcome::Accepted`] (`postfix.sent`, `generic.2xx`);
//!    `status=expired` → [`Outcome::DeferredOther`] (`postfix.expired`).
//! 2. Permanence from the **reply code** (4xx / 5xx), else the enhanced code of the reply,
//!    else a `#X.Y.Z` in the text, else `dsn=`, else the status. A 5xx greeting that Postfix
//!    logged as `status=deferred dsn=4.0.0` (or a `soft_bounce`) is therefore classified by
//!    its reply, e.g. `reject_reputation`.
//! 3. The rule table ([`super::rules`]): configured rules, then the provider-specific and the
//!    generic default rules, first match wins. Temporary failures only ever yield `throttled`
//!    or `deferred_other`.
//! 4. Fallback: `deferred_other` (`fallback.temporary`) or `reject_other`
//!    (`fallback.permanent`) with `specific = false`.
//!
//! Rules see the reply **template** ([`template`]), the text with volatile tokens masked, so a
//! memo keyed on the template ([`ClassifyCache`]) returns exactly what the classifier would.

use std::hash::Hasher;

use super::exact::{self, ExactMemo};
use super::pattern::{CodeRegex, check_phrase, code_regex};
use super::phrase::{Phrase, PhraseHits};
use super::provider::{ClueMatcher, SuffixMatcher, is_address_like};
use super::rules::{CodePattern, Enhanced, RuleDef, RulesConfig, Source, When, default_table};
use super::{Delivery, Outcome, Status};
use crate::config::ConfigError;
use crate::scan::same_bytes;
use hashbrown::HashTable;

/// Result of classifying one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    /// Outcome class.
    pub outcome: Outcome,
    /// Enhanced status code plus provider code when present, e.g. `5.7.1 S3150`, `4.7.0 TSS04`;
    /// empty when neither is known.
    pub reason_code: String,
    /// Id of the rule that decided (`ms.throttle_4_7_5xx`, `generic.2xx`).
    pub rule: String,
    /// False when only a generic fallback decided (listed as unclassified when the outcome is
    /// `deferred_other` or `reject_other`).
    pub specific: bool,
}

/// A provider after compilation.
#[derive(Debug)]
struct ProviderC {
    id: Box<str>,
    name: Box<str>,
}

/// A rule after compilation.
#[derive(Debug)]
struct RuleC {
    id: Box<str>,
    provider: Option<Box<str>>,
    when: When,
    source: Source,
    codes: Vec<CodePattern>,
    /// Indices into the phrase [`RegexSet`].
    phrases: Vec<usize>,
    unless: Vec<usize>,
    outcome: Outcome,
    provider_code: Option<CodeRegex>,
}

/// The compiled rule table. Build once, reuse for every line.
#[derive(Debug)]
pub struct Classifier {
    providers: Vec<ProviderC>,
    mx: SuffixMatcher,
    domains: SuffixMatcher,
    clues: ClueMatcher,
    /// Provider-code extractors: (provider index, regex).
    codes: Vec<(usize, CodeRegex)>,
    rules: Vec<RuleC>,
    /// Phrase patterns (ASCII case-insensitive; literals searched as such, others compiled on
    /// first use): a run evaluates only the few a reply's code and provider select, and only
    /// on memo misses.
    phrases: Vec<Phrase>,
}

/// What the rules look at, derived from a delivery and its template.
#[derive(Debug, Clone, Copy)]
struct Facts<'a> {
    status: Status,
    dsn: Option<&'a str>,
    code: Option<u16>,
    enhanced: Option<&'a str>,
    local: bool,
}

/// Permanence and codes of one attempt.
#[derive(Debug, Clone, Copy)]
struct Ctx<'a> {
    /// 4 (temporary) or 5 (permanent).
    class: u16,
    enh: Option<Enhanced>,
    local: bool,
    provider: &'a str,
}

fn invalid(rule: &str, what: impl std::fmt::Display) -> ConfigError {
    ConfigError::Invalid(format!("rules: {rule}: {what}"))
}

impl Classifier {
    /// Compiles the embedded defaults plus `extra` rules (tried first).
    ///
    /// A configured rule with a bad regex or code pattern, an unknown provider id, no condition,
    /// or an example it does not match (or a counter-example it matches) is
    /// [`ConfigError::Invalid`] naming the rule id.
    pub fn new(extra: &RulesConfig) -> Result<Self, ConfigError> {
        Self::build(extra, default_table(), true)
    }

    fn build(
        extra: &RulesConfig,
        defaults: &RulesConfig,
        check_extra_examples: bool,
    ) -> Result<Self, ConfigError> {
        let mut providers: Vec<ProviderC> = Vec::new();
        let mut mx = SuffixMatcher::default();
        let mut domains = SuffixMatcher::default();
        let mut clues = ClueMatcher::default();
        let mut codes = Vec::new();
        for def in extra.providers.iter().chain(&defaults.providers) {
            let id = def.id.trim();
            if id.is_empty()
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(invalid(&def.id, "provider id must be lowercase snake_case"));
            }
            let idx = if let Some(i) = providers.iter().position(|p| &*p.id == id) {
                i
            } else {
                let name = if def.name.is_empty() {
                    id
                } else {
                    def.name.as_str()
                };
                providers.push(ProviderC {
                    id: id.into(),
                    name: name.into(),
                });
                providers.len() - 1
            };
            for s in &def.mx {
                if !mx.insert(s, idx) {
                    return Err(invalid(id, format_args!("bad mx suffix {s:?}")));
                }
            }
            for s in &def.domains {
                if !domains.insert(s, idx) {
                    return Err(invalid(id, format_args!("bad domain {s:?}")));
                }
            }
            for c in &def.clues {
                clues.insert(c, idx);
            }
            for c in &def.codes {
                let re = code_regex(c)
                    .map_err(|e| invalid(id, format_args!("code regex {c:?}: {e}")))?;
                codes.push((idx, re));
            }
        }
        if !providers.iter().any(|p| &*p.id == "other") {
            providers.push(ProviderC {
                id: "other".into(),
                name: "Other".into(),
            });
        }

        let mut patterns: Vec<String> = Vec::new();
        let mut rules = Vec::new();
        let n_extra = extra.rules.len();
        for (i, def) in extra.rules.iter().chain(&defaults.rules).enumerate() {
            if i < n_extra && extra.rules[..i].iter().any(|r| r.id == def.id) {
                return Err(invalid(&def.id, "duplicate rule id"));
            }
            // The embedded table's syntax is checked by a test, not on every start-up.
            rules.push(compile_rule(def, &providers, &mut patterns, i < n_extra)?);
        }
        // ASCII-only case folding and classes: replies are ASCII in practice, and Unicode tables
        // make the set several times slower to build (it is built once per run, and in the
        // browser before the first result).
        let phrases = patterns.into_iter().map(Phrase::new).collect();
        let classifier = Self {
            providers,
            mx,
            domains,
            clues,
            codes,
            rules,
            phrases,
        };
        if check_extra_examples {
            for (i, def) in extra.rules.iter().enumerate() {
                for ex in &def.examples {
                    if !classifier.rule_matches_example(i, ex) {
                        return Err(invalid(
                            &def.id,
                            format_args!("example does not match: {ex:?}"),
                        ));
                    }
                }
                for ex in &def.counter_examples {
                    if classifier.rule_matches_example(i, ex) {
                        return Err(invalid(
                            &def.id,
                            format_args!("counter-example matches: {ex:?}"),
                        ));
                    }
                }
            }
        }
        Ok(classifier)
    }

    /// Mailbox provider id (`microsoft`, `google`, `yahoo`, …, `other`) from the relay (or
    /// connect-to) host, falling back to the recipient domain, then to reply text clues.
    pub fn provider(
        &self,
        mx_host: Option<&str>,
        recipient_domain: Option<&str>,
        reply_text: Option<&str>,
    ) -> &str {
        self.provider_index(mx_host, recipient_domain, reply_text)
            .map_or("other", |i| &self.providers[i].id)
    }

    fn provider_index(
        &self,
        mx_host: Option<&str>,
        recipient_domain: Option<&str>,
        reply_text: Option<&str>,
    ) -> Option<usize> {
        mx_host
            .and_then(|h| self.host_provider(h))
            .or_else(|| self.fallback_provider(recipient_domain, reply_text))
    }

    /// Provider by MX / relay host alone.
    fn host_provider(&self, host: &str) -> Option<usize> {
        if is_address_like(host) {
            None
        } else {
            self.mx.find(host)
        }
    }

    /// Provider by recipient domain, then reply text clues.
    fn fallback_provider(
        &self,
        recipient_domain: Option<&str>,
        reply_text: Option<&str>,
    ) -> Option<usize> {
        recipient_domain
            .and_then(|d| self.domain_provider(d))
            .or_else(|| self.clue_provider(reply_text))
    }

    /// Provider by recipient domain alone.
    fn domain_provider(&self, domain: &str) -> Option<usize> {
        self.domains.find(domain)
    }

    /// Provider by a clue in the reply text.
    fn clue_provider(&self, reply_text: Option<&str>) -> Option<usize> {
        reply_text.and_then(|text| self.clues.find(text))
    }

    /// The id of the provider at `index` (from [`ClassifyCache::provider_index`]); `other`
    /// for `None` or an index out of range.
    pub fn provider_id(&self, index: Option<usize>) -> &str {
        index
            .and_then(|i| self.providers.get(i))
            .map_or("other", |p| &p.id)
    }

    /// Display name of a provider id (`microsoft` → `Microsoft`).
    pub fn provider_name(&self, id: &str) -> Option<&str> {
        self.providers
            .iter()
            .find(|p| &*p.id == id)
            .map(|p| &*p.name)
    }

    /// Every provider id, configured ones first, `other` included.
    pub fn provider_ids(&self) -> impl Iterator<Item = &str> {
        self.providers.iter().map(|p| &*p.id)
    }

    /// Classifies one attempt at `provider`. Same result as [`ClassifyCache::classify`].
    pub fn classify(&self, delivery: &Delivery<'_>, provider: &str) -> Classification {
        let (facts, text) = facts(delivery);
        if let Some(c) = sent_fast(&facts) {
            return c;
        }
        let mut tpl = Vec::with_capacity(text.len());
        build_template(text, facts.local, &mut tpl);
        self.decide(&facts, provider, &as_text(&tpl))
    }

    /// The decision on the template.
    fn decide(&self, f: &Facts<'_>, provider: &str, tpl: &str) -> Classification {
        let (lead_code, lead_enh) = parse_lead(tpl);
        let code = f.code.or(lead_code);
        let enh = f.enhanced.and_then(Enhanced::parse).or(lead_enh);
        let dsn = f.dsn.and_then(Enhanced::parse);
        if f.status == Status::Sent {
            return accepted("postfix.sent", dsn.or(enh));
        }
        if code.is_some_and(|c| (200..300).contains(&c)) {
            return accepted("generic.2xx", enh.or(dsn).filter(|e| e.class == 2));
        }
        if f.status == Status::Expired {
            return fixed(
                Outcome::DeferredOther,
                "postfix.expired",
                dsn.map(|d| d.to_string()).unwrap_or_default(),
                true,
            );
        }
        let (ctx, reason_enh) = context(f, code, enh, dsn, tpl, provider);
        let class = ctx.class;
        let phrases = PhraseHits::new(&self.phrases, tpl);
        let hit = self
            .rules
            .iter()
            .find(|r| Self::rule_matches(r, &ctx, &phrases));
        let (outcome, rule, specific) = match hit {
            Some(r) => (coerce(r.outcome, class), &*r.id, true),
            None if class == 4 => (Outcome::DeferredOther, "fallback.temporary", false),
            None => (Outcome::RejectOther, "fallback.permanent", false),
        };
        let mut reason_code = reason_enh.map(|e| e.to_string()).unwrap_or_default();
        if let Some(pc) =
            self.provider_code(hit.and_then(|r| r.provider_code.as_ref()), provider, tpl)
        {
            if !reason_code.is_empty() {
                reason_code.push(' ');
            }
            reason_code.push_str(pc);
        }
        fixed(outcome, rule, reason_code, specific)
    }

    fn rule_matches(r: &RuleC, ctx: &Ctx<'_>, set: &PhraseHits<'_>) -> bool {
        if r.provider.as_deref().is_some_and(|p| p != ctx.provider) {
            return false;
        }
        let when_ok = match r.when {
            When::Temporary => ctx.class == 4,
            When::Permanent => ctx.class == 5,
            When::Any => true,
        };
        let source_ok = match r.source {
            Source::Reply => !ctx.local,
            Source::Local => ctx.local,
            Source::Any => true,
        };
        if !when_ok || !source_ok {
            return false;
        }
        if !r.codes.is_empty()
            && !ctx
                .enh
                .is_some_and(|e| r.codes.iter().any(|p| p.matches(e)))
        {
            return false;
        }
        if !r.phrases.is_empty() && !r.phrases.iter().any(|&i| set.matched(i)) {
            return false;
        }
        !r.unless.iter().any(|&i| set.matched(i))
    }

    fn provider_code<'t>(
        &self,
        rule_re: Option<&CodeRegex>,
        provider: &str,
        tpl: &'t str,
    ) -> Option<&'t str> {
        let grab = |re: &CodeRegex| {
            re.captures(tpl)
                .and_then(|c| c.get(1).or_else(|| c.get(0)))
                .map(|m| m.as_str())
        };
        if let Some(re) = rule_re {
            return grab(re);
        }
        let own = self.providers.iter().position(|p| &*p.id == provider);
        let (mine, rest): (Vec<_>, Vec<_>) = self.codes.iter().partition(|(i, _)| Some(*i) == own);
        mine.into_iter().chain(rest).find_map(|(_, re)| grab(re))
    }

    /// Whether rule number `index` (configured rules first, then the defaults) matches the
    /// example text on its own, ignoring the rules before it. Examples without a reply code
    /// are taken as status=deferred for temporary/any rules and status=bounced for permanent
    /// ones; `source = "local"` rules see the text as Postfix's own detail.
    fn rule_matches_example(&self, index: usize, text: &str) -> bool {
        let Some(r) = self.rules.get(index) else {
            return false;
        };
        let delivery = example_delivery(text, r.when, r.source);
        let (f, text) = facts(&delivery);
        let mut bytes = Vec::new();
        build_template(text, f.local, &mut bytes);
        let tpl = into_string(bytes);
        let (code, enh) = parse_lead(&tpl);
        let dsn = f.dsn.and_then(Enhanced::parse);
        let (ctx, _) = context(
            &f,
            code,
            enh,
            dsn,
            &tpl,
            r.provider.as_deref().unwrap_or("other"),
        );
        let phrases = PhraseHits::new(&self.phrases, &tpl);
        Self::rule_matches(r, &ctx, &phrases)
    }

    /// Ids of the compiled rules, in the order they are tried.
    pub fn rule_ids(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| &*r.id)
    }
}

fn compile_rule(
    def: &RuleDef,
    providers: &[ProviderC],
    patterns: &mut Vec<String>,
    check_syntax: bool,
) -> Result<RuleC, ConfigError> {
    let id = def.id.trim();
    if id.is_empty() {
        return Err(invalid("(rule without id)", "id is empty"));
    }
    if let Some(p) = &def.provider
        && !providers.iter().any(|x| *x.id == **p)
    {
        return Err(invalid(id, format_args!("unknown provider {p:?}")));
    }
    if def.codes.is_empty() && def.phrases.is_empty() {
        return Err(invalid(id, "needs `codes` or `phrases`"));
    }
    let codes = def
        .codes
        .iter()
        .map(|c| {
            CodePattern::parse(c).ok_or_else(|| {
                invalid(
                    id,
                    format_args!("bad code pattern {c:?} (expected C.S.D, parts N, N-M or *)"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut add = |list: &[String]| -> Result<Vec<usize>, ConfigError> {
        list.iter()
            .map(|p| {
                // Syntax check only; phrases are compiled on first use, ASCII case-insensitive.
                if check_syntax {
                    check_phrase(p).map_err(|e| invalid(id, format_args!("regex {p:?}: {e}")))?;
                }
                patterns.push(p.clone());
                Ok(patterns.len() - 1)
            })
            .collect()
    };
    let phrases = add(&def.phrases)?;
    let unless = add(&def.unless)?;
    let provider_code = def
        .provider_code
        .as_deref()
        .map(|p| {
            code_regex(p).map_err(|e| invalid(id, format_args!("provider_code regex {p:?}: {e}")))
        })
        .transpose()?;
    Ok(RuleC {
        id: id.into(),
        provider: def.provider.as_deref().map(Into::into),
        when: def.when,
        source: def.source,
        codes,
        phrases,
        unless,
        outcome: def.outcome,
        provider_code,
    })
}

/// Permanence (4 or 5) and the enhanced code of an attempt: the code for the reason code,
/// and the rule context whose code has the permanence's class (`552 4.2.2` matches `5.2.2`:
/// the reply code decides permanence, research note §3 edge case 10).
fn context<'a>(
    f: &Facts<'_>,
    code: Option<u16>,
    enh: Option<Enhanced>,
    dsn: Option<Enhanced>,
    tpl: &str,
    provider: &'a str,
) -> (Ctx<'a>, Option<Enhanced>) {
    let hash = hash_code(tpl);
    let class = code
        .map(|c| c / 100)
        .filter(|c| *c == 4 || *c == 5)
        .or(enh.map(|e| e.class))
        .or(hash.map(|e| e.class))
        .or(dsn.map(|e| e.class))
        .filter(|c| *c == 4 || *c == 5)
        .unwrap_or(if f.status == Status::Deferred { 4 } else { 5 });
    // dsn= is trusted when its class agrees; a bare X.0.0 (Postfix's default for a reply
    // without an enhanced code) yields to a `#X.Y.Z` in the text.
    let dsn_ok = dsn.filter(|d| d.class == class);
    let reason_enh = enh
        .or(dsn_ok.filter(|d| d.subject != 0 || d.detail != 0))
        .or(hash)
        .or(dsn_ok);
    let ctx = Ctx {
        class,
        enh: reason_enh.map(|e| Enhanced { class, ..e }),
        local: f.local,
        provider,
    };
    (ctx, reason_enh)
}

/// A temporary failure never yields a `reject_*` outcome.
fn coerce(o: Outcome, class: u16) -> Outcome {
    match o {
        Outcome::Accepted | Outcome::Throttled | Outcome::DeferredOther => o,
        _ if class == 4 => Outcome::DeferredOther,
        _ => o,
    }
}

fn fixed(outcome: Outcome, rule: &str, reason_code: String, specific: bool) -> Classification {
    Classification {
        outcome,
        reason_code,
        rule: rule.to_owned(),
        specific,
    }
}

fn accepted(rule: &str, enh: Option<Enhanced>) -> Classification {
    fixed(
        Outcome::Accepted,
        rule,
        enh.map(|e| e.to_string()).unwrap_or_default(),
        true,
    )
}

/// `status=sent` with a parseable `dsn=` is decided without looking at the text.
fn sent_fast(f: &Facts<'_>) -> Option<Classification> {
    if f.status != Status::Sent {
        return None;
    }
    let dsn = Enhanced::parse(f.dsn?)?;
    Some(accepted("postfix.sent", Some(dsn)))
}

/// Facts of a delivery and the text to classify: the remote reply when there is one (from
/// [`super::Reply`], else found in the detail after `said:` / `refused to talk to me:`), else
/// Postfix's own detail (`local`).
fn facts<'a>(d: &Delivery<'a>) -> (Facts<'a>, &'a str) {
    let mut f = Facts {
        status: d.status,
        dsn: d.dsn,
        code: None,
        enhanced: None,
        local: false,
    };
    if let Some(r) = &d.reply {
        f.code = r.code;
        f.enhanced = r.enhanced;
        return (f, r.text);
    }
    let detail = d.detail;
    if d.status == Status::Sent {
        // `250 2.0.0 Ok: queued as …` is the reply itself.
        return (f, detail);
    }
    let b = detail.as_bytes();
    for marker in [&b" said: "[..], &b"refused to talk to me: "[..]] {
        if let Some(i) = find_colon_marker(b, marker) {
            let mut text = &detail[i + marker.len()..];
            if let Some(j) = rfind_in_reply_to(text.as_bytes()) {
                text = &text[..j];
            }
            return (f, text);
        }
    }
    f.local = true;
    (f, detail)
}

/// Start of the first `marker` (which ends with `": "`) in `b`: what `memmem::find` gives,
/// found from the colons (a few per detail) without building a substring searcher per call.
/// Each occurrence has its own colon, in the same order, so the first colon that completes
/// the marker is the first occurrence.
fn find_colon_marker(b: &[u8], marker: &[u8]) -> Option<usize> {
    let k = marker.len() - 2;
    memchr::memchr_iter(b':', b).find_map(|c| {
        (c >= k && b[c - k..c] == marker[..k] && b.get(c + 1) == Some(&b' ')).then(|| c - k)
    })
}

/// Start of the last ` (in reply to ` in `b` (what `memmem::rfind` gives), from the `(`s.
fn rfind_in_reply_to(b: &[u8]) -> Option<usize> {
    const MARKER: &[u8] = b" (in reply to ";
    memchr::memrchr_iter(b'(', b)
        .find_map(|p| (p >= 1 && b[p - 1..].starts_with(MARKER)).then(|| p - 1))
}

/// A hand-built delivery for a rule example.
fn example_delivery(text: &str, when: When, source: Source) -> Delivery<'_> {
    let (lead, enh) = parse_lead(text);
    let class = lead
        .map(|c| c / 100)
        .or(enh.map(|e| e.class))
        .or(hash_code(text).map(|e| e.class));
    let status = match class {
        Some(2) => Status::Sent,
        Some(4) => Status::Deferred,
        Some(5) => Status::Bounced,
        _ if when == When::Permanent => Status::Bounced,
        _ => Status::Deferred,
    };
    let local = source == Source::Local;
    let reply = (!local).then_some(super::Reply {
        host: None,
        addr: None,
        code: None,
        enhanced: None,
        text,
        command: None,
        greeting: false,
    });
    let dsn = if local && when == When::Permanent {
        Some("5.4.4")
    } else {
        None
    };
    Delivery {
        queue_id: "",
        to: None,
        orig_to: None,
        relay: super::Relay::None,
        dsn,
        status,
        detail: text,
        reply,
        connect_host: None,
    }
}

/// Reply code and enhanced code from the first token(s): `550 5.7.1 …`, `550-5.7.26 …`,
/// `#550 5.7.1 …`, `550: 5.1.1 …`, or a bare `5.2.2 <a@b>…`.
fn parse_lead(text: &str) -> (Option<u16>, Option<Enhanced>) {
    let s = text.trim_start().trim_start_matches('#');
    let b = s.as_bytes();
    if b.len() >= 3
        && b[..3].iter().all(u8::is_ascii_digit)
        && !b.get(3).is_some_and(u8::is_ascii_digit)
    {
        let code =
            (u16::from(b[0] - b'0') * 100) + (u16::from(b[1] - b'0') * 10) + u16::from(b[2] - b'0');
        let code = (200..600).contains(&code).then_some(code);
        let rest = s[3..].trim_start_matches(['-', ' ', ':', '\'']);
        let enh = Enhanced::parse_prefix(rest).map(|(e, _)| e);
        return (code, enh);
    }
    (None, Enhanced::parse_prefix(s).map(|(e, _)| e))
}

/// The first `#X.Y.Z` in the text (`(#5.1.1)`, qmail / vpopmail style).
fn hash_code(text: &str) -> Option<Enhanced> {
    let b = text.as_bytes();
    memchr::memchr_iter(b'#', b)
        .find_map(|i| Enhanced::parse_prefix(&text[i + 1..]).map(|(e, _)| e))
}

// ───────────────────────────────────────────── templates ──

/// Byte classes for the template scanner.
const C_DELIM: u8 = 1;
const C_DIGIT: u8 = 2;
const C_AT: u8 = 4;
const C_DOT: u8 = 8;
const C_WS: u8 = 16;

/// Class of every byte; delimiters end a segment inside a whitespace token.
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let list = b"[]()<>{},;\"'=?&|/";
    let mut i = 0;
    while i < list.len() {
        t[list[i] as usize] = C_DELIM;
        i += 1;
    }
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = C_DIGIT;
        d += 1;
    }
    t[b'@' as usize] = C_AT;
    t[b'.' as usize] = C_DOT;
    t[b' ' as usize] = C_WS;
    t[b'\t' as usize] = C_WS;
    t[b'\n' as usize] = C_WS;
    t[b'\r' as usize] = C_WS;
    t[0x0c] = C_WS;
    t
};

/// The masked form of a remote reply: the key of [`ClassifyCache`], the text the rules see,
/// and the grouping key for unclassified replies.
///
/// * whitespace runs become one space;
/// * Postfix-flattened multi-line continuation prefixes that repeat the first line's code
///   (`550-5.7.26`, `550-`, `550 5.7.26` after the first token) are dropped;
/// * each token is split at ``[ ] ( ) < > { } , ; " ' = ? & | /``; a segment is replaced by `*`
///   when it contains `@` (an address), or contains a digit and is 8 bytes or longer (IPs,
///   queue ids, Gmail ids, time stamps, numbered host names), except codes: `421-4.7.28`,
///   `#5.1.351`, and short provider codes with `_` or `#` (`OFR006_102`, `AUP#In-1310`).
///
/// Short codes stay: `5.7.1`, `S3150`, `[TSS04]`, `CS01`, `(#5.1.1)`.
///
/// ```
/// use mailrep_core::postfix::classify::template;
/// assert_eq!(
///     template("421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred"),
///     "421 4.7.0 [TSS04] Messages from * temporarily deferred",
/// );
/// ```
pub fn template(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    build_template(text, false, &mut out);
    into_string(out)
}

/// Templates only cut at ASCII bytes, so they stay UTF-8; lossy conversion is a formality.
fn into_string(v: Vec<u8>) -> String {
    String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A template as text (see [`into_string`]).
fn as_text(v: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(v)
}

/// [`template`] appended to `out`; `local` (Postfix's own detail text) also masks host and
/// domain names (segments with an inner dot), so `connect to <any host>: Connection timed out`
/// is one template. One pass over the bytes; unchanged stretches of the input are copied in
/// one piece when the next change (a masked segment, a dropped token, a whitespace run other
/// than one space) or the end is reached.
#[allow(clippy::many_single_char_names)]
fn build_template(text: &str, local: bool, out: &mut Vec<u8>) {
    let t = text.as_bytes();
    let n = t.len();
    let token_end = |mut i: usize| {
        while i < n && CLASS[t[i] as usize] & C_WS == 0 {
            i += 1;
        }
        i
    };
    let skip_ws = |mut i: usize| {
        while i < n && CLASS[t[i] as usize] & C_WS != 0 {
            i += 1;
        }
        i
    };
    let s0 = skip_ws(0);
    if s0 == n {
        return;
    }
    let mut w = Lazy {
        t,
        pending: s0,
        out,
    };
    let e0 = token_end(s0);
    let first = &t[s0..e0];
    push_masked(&mut w, s0, e0, local);
    // End of the last token written (in the input).
    let mut last_end = e0;
    let mut i = e0;
    // The first line's code (`550`) and enhanced code (`5.7.26`), for continuation prefixes.
    let lead = if first.first() == Some(&b'#') {
        &first[1..]
    } else {
        first
    };
    let code: Option<&[u8]> = (lead.len() >= 3
        && lead[..3].iter().all(u8::is_ascii_digit)
        && !lead.get(3).is_some_and(u8::is_ascii_digit))
    .then(|| &lead[..3]);
    let mut enh: Option<&[u8]> = None;
    if code.is_some() {
        let rest = &lead[3..];
        if rest.first() == Some(&b'-') {
            enh = enhanced_len(&rest[1..]).map(|k| &rest[1..=k]);
        } else if rest.is_empty() {
            let s1 = skip_ws(i);
            let e1 = token_end(s1);
            if let Some(k) = enhanced_len(&t[s1..e1]) {
                enh = Some(&t[s1..s1 + k]);
                if k == e1 - s1 {
                    w.space_before(last_end, s1);
                    last_end = e1;
                    i = e1;
                }
            }
        }
    }
    loop {
        i = skip_ws(i);
        if i >= n {
            break;
        }
        // Rare: a token starting like the first line's code may be a continuation prefix,
        // or a `554-` prefix kept apart from what follows.
        if let Some(c) = code
            && t[i..].starts_with(c)
        {
            let e = token_end(i);
            let rest = &t[i + 3..e];
            // `550-` / `550-5.7.26` repeating the first line's code.
            if rest.first() == Some(&b'-') && (rest.len() == 1 || enh == Some(&rest[1..])) {
                w.emit_to(last_end);
                i = e;
                continue;
            }
            // `550 5.7.26` repeated later: drop the pair.
            if rest.is_empty()
                && let Some(en) = enh
            {
                let s1 = skip_ws(e);
                let e1 = token_end(s1);
                if &t[s1..e1] == en {
                    w.emit_to(last_end);
                    i = e1;
                    continue;
                }
            }
        }
        w.space_before(last_end, i);
        if n - i > 4 && t[i..i + 3].iter().all(u8::is_ascii_digit) && t[i + 3] == b'-' {
            let e = token_end(i);
            push_masked(&mut w, i, e, local);
            last_end = e;
            i = e;
            continue;
        }
        // One pass: segments end at delimiters, the token at whitespace.
        let mut start = i;
        let mut flags = 0u8;
        loop {
            i = segment_end(t, i, &mut flags);
            if i >= n || CLASS[t[i] as usize] & C_WS != 0 {
                break;
            }
            w.segment(start, i, flags, local);
            i += 1;
            start = i;
            flags = 0;
        }
        w.segment(start, i, flags, local);
        last_end = i;
    }
    w.emit_to(last_end);
}

/// The end of the segment that goes on at `i` (the next whitespace or delimiter, or the end
/// of `t`), with the classes of its bytes added to `flags`. Four bytes a step while none of
/// them ends the segment (segments average about eight bytes), then byte by byte.
#[allow(
    clippy::inline_always,
    reason = "the per-byte loop of the template builder; measured with callgrind"
)]
#[inline(always)]
fn segment_end(t: &[u8], mut i: usize, flags: &mut u8) -> usize {
    const STOP: u8 = C_WS | C_DELIM;
    while let Some(&[a, b, c, d]) = t.get(i..i + 4) {
        let all = CLASS[a as usize] | CLASS[b as usize] | CLASS[c as usize] | CLASS[d as usize];
        if all & STOP != 0 {
            break;
        }
        *flags |= all;
        i += 4;
    }
    while let Some(&byte) = t.get(i) {
        let c = CLASS[byte as usize];
        if c & STOP != 0 {
            break;
        }
        *flags |= c;
        i += 1;
    }
    i
}

/// The output of [`build_template`]: input bytes from `pending` on are written only when
/// something different must follow them.
struct Lazy<'t, 'o> {
    t: &'t [u8],
    pending: usize,
    out: &'o mut Vec<u8>,
}

impl Lazy<'_, '_> {
    /// Writes the pending input bytes up to `to`.
    #[inline]
    fn emit_to(&mut self, to: usize) {
        if to > self.pending {
            self.out.extend_from_slice(&self.t[self.pending..to]);
        }
        self.pending = to;
    }

    /// One space between the token that ended at `last_end` and the one starting at `next`
    /// (a single space in the input is simply kept).
    #[inline]
    fn space_before(&mut self, last_end: usize, next: usize) {
        if !(self.pending <= last_end && next == last_end + 1 && self.t[last_end] == b' ') {
            self.emit_to(last_end);
            self.out.push(b' ');
            self.pending = next;
        }
    }

    /// The segment `start..end` of a token: kept, or replaced by `*`. Most segments are
    /// words that no rule of [`masked`] can apply to; they are decided here from the flags.
    #[allow(
        clippy::inline_always,
        reason = "called per segment; the cheap test must not cost a call (callgrind)"
    )]
    #[inline(always)]
    fn segment(&mut self, start: usize, end: usize, flags: u8, local: bool) {
        if flags & C_AT != 0
            || (flags & C_DIGIT != 0 && end - start >= 8)
            || (local && flags & C_DOT != 0)
        {
            self.segment_checked(start, end, flags, local);
        }
    }

    /// [`Self::segment`] for a segment that may be volatile.
    #[inline(never)]
    fn segment_checked(&mut self, start: usize, end: usize, flags: u8, local: bool) {
        if masked(&self.t[start..end], flags, local) {
            self.emit_to(start);
            self.out.push(b'*');
            self.pending = end;
        }
    }
}

/// Length of an enhanced code at the start of `b`.
fn enhanced_len(b: &[u8]) -> Option<usize> {
    std::str::from_utf8(&b[..b.len().min(12)])
        .ok()
        .and_then(Enhanced::parse_prefix)
        .map(|(_, k)| k)
}

/// Writes the whitespace-free token `start..end`, masking volatile segments. A leading
/// reply-code prefix (`554-` of `554-mail.com`) is kept apart from what follows.
fn push_masked(w: &mut Lazy<'_, '_>, start: usize, end: usize, local: bool) {
    let tok = &w.t[start..end];
    let mut from = start;
    if tok.len() > 4
        && tok[..3].iter().all(u8::is_ascii_digit)
        && tok[3] == b'-'
        && !is_code_like(tok)
    {
        from += 4;
    }
    let mut seg = from;
    let mut flags = 0u8;
    for i in from..end {
        let c = CLASS[w.t[i] as usize];
        if c & C_DELIM != 0 {
            w.segment(seg, i, flags, local);
            seg = i + 1;
            flags = 0;
        } else {
            flags |= c;
        }
    }
    w.segment(seg, end, flags, local);
}

/// Whether a segment of a token is volatile: an address (`@`), a long digit-bearing id that
/// is not a code, or (in Postfix's own text) a host or domain name.
#[inline]
fn masked(seg: &[u8], flags: u8, local: bool) -> bool {
    flags & C_AT != 0
        || (flags & C_DIGIT != 0 && seg.len() >= 8 && !is_code_like(seg))
        || (local
            && flags & C_DOT != 0
            && !is_code_like(seg)
            && seg.windows(3).any(|w| {
                w[1] == b'.' && w[0].is_ascii_alphanumeric() && w[2].is_ascii_alphanumeric()
            }))
}

/// Codes kept in templates although long and digit-bearing: `421-4.7.28`, `#5.1.351`,
/// `5.7.606.`, and short provider codes with `_` or `#` (`OFR006_102`, `AUP#In-1310`).
fn is_code_like(b: &[u8]) -> bool {
    let enhanced_then_punct = |x: &[u8]| {
        std::str::from_utf8(x)
            .ok()
            .and_then(Enhanced::parse_prefix)
            .is_some_and(|(_, k)| x[k..].iter().all(u8::is_ascii_punctuation))
    };
    if b.len() > 4
        && b[..3].iter().all(u8::is_ascii_digit)
        && b[3] == b'-'
        && enhanced_then_punct(&b[4..])
    {
        return true;
    }
    let s = if b.first() == Some(&b'#') { &b[1..] } else { b };
    if s.first().is_some_and(u8::is_ascii_digit) {
        return enhanced_then_punct(s);
    }
    b.len() <= 12
        && b.len() >= 2
        && b[0].is_ascii_alphabetic()
        && b[1].is_ascii_alphabetic()
        && b.iter().any(|&c| c == b'_' || c == b'#')
        && !b.iter().any(|&c| c == b'.' || c == b':')
}

// ───────────────────────────────────────────── memo ──

/// The [`FxHasher`] hash of a template key.
#[inline]
fn fx_hash(key: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(key);
    h.finish()
}

/// FxHash-style hasher for the memo (fast on short keys; the memo is bounded, so hash
/// flooding cannot grow it).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.hash = (self.hash.rotate_left(5) ^ w).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // Byte by byte: a variable-length `copy_from_slice` is a `memcpy` call.
            let mut w = 0u64;
            for (k, &b) in rest.iter().enumerate() {
                w |= u64::from(b) << (8 * k);
            }
            self.add(w ^ (rest.len() as u64) << 59);
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Memo of classifications by reply template (DESIGN §4: replies repeat by template).
///
/// Keyed on (status, dsn, reply code, enhanced code, provider, local/remote, [`template`] of
/// the text); `status=sent` with a dsn is keyed on the dsn alone. Bounded: after
/// [`ClassifyCache::DEFAULT_CAPACITY`] (or the given capacity) distinct keys, new keys are
/// classified without caching; keys longer than [`ClassifyCache::MAX_KEY_BYTES`] are never
/// stored. The result is always identical to [`Classifier::classify`].
#[derive(Debug)]
pub struct ClassifyCache {
    /// Relay host name -> provider index + 1 (0 = none), by the name's 128-bit hash (see
    /// [`exact`] for why a hash stands for the key): a hit reads one slot and no key bytes.
    hosts: ExactMemo,
    /// Recipient domain -> provider index + 1 (0 = none), like `hosts`.
    domains: ExactMemo,
    /// Template key (the header and the template, as in `key`) -> memo slot. Keys are
    /// compared with [`same_bytes`] (word compares; slice equality is a byte-by-byte `memcmp`
    /// in WebAssembly).
    map: HashTable<(Box<[u8]>, u32)>,
    /// Exact (facts, provider, reply text) -> exact entry id, consulted before the template is
    /// built: replies repeat byte for byte more often than not (the same IP in a throttling
    /// reply, the same refused host), and hashing the raw bytes is much cheaper than masking.
    /// Its keys are the header of `key` and the text, identified by their 128-bit hash
    /// (bounded by [`ClassifyCache::EXACT_CAPACITY`] entries); its values are memo slots.
    exact: ExactMemo,
    /// The exact entry (its slot index) the last [`ClassifyCache::classify_slot`] call found
    /// or made.
    last_exact: Option<usize>,
    /// The dsn of the last accepted attempt keyed on it alone, and its value index.
    last_sent: Option<(Vec<u8>, u32)>,
    values: Vec<Classification>,
    capacity: usize,
    key: Vec<u8>,
    scratch: Classification,
    hits: u64,
    misses: u64,
}

impl Default for ClassifyCache {
    fn default() -> Self {
        Self::new()
    }
}

impl ClassifyCache {
    /// Default number of distinct templates kept.
    pub const DEFAULT_CAPACITY: usize = 4096;
    /// Longest key stored, in bytes (longer replies are classified every time).
    pub const MAX_KEY_BYTES: usize = 2048;
    /// Most exact reply texts remembered (each points at a memoised template). A 1 GB log
    /// has about 100,000 distinct failure replies (most of them once); 16,384 entries filled
    /// early and left every later repeat to be masked again.
    pub const EXACT_CAPACITY: usize = 65_536;

    /// An empty memo of [`Self::DEFAULT_CAPACITY`] entries.
    pub fn new() -> Self {
        Self::with_capacity(Self::DEFAULT_CAPACITY)
    }

    /// An empty memo of at most `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            hosts: ExactMemo::default(),
            domains: ExactMemo::default(),
            map: HashTable::new(),
            exact: ExactMemo::default(),
            last_exact: None,
            last_sent: None,
            values: Vec::new(),
            capacity,
            key: Vec::with_capacity(256),
            scratch: fixed(Outcome::RejectOther, "", String::new(), false),
            hits: 0,
            misses: 0,
        }
    }

    /// Number of cached templates.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// (hits, misses) so far; a miss is a classification done by the rules.
    pub fn stats(&self) -> (u64, u64) {
        (self.hits, self.misses)
    }

    /// [`Classifier::provider`] with the host and recipient-domain steps memoised (at most
    /// `capacity` hosts and as many domains; the text fallback is not memoised). Same result.
    pub fn provider<'c>(
        &mut self,
        classifier: &'c Classifier,
        mx_host: Option<&str>,
        recipient_domain: Option<&str>,
        reply_text: Option<&str>,
    ) -> &'c str {
        self.provider_index(classifier, mx_host, recipient_domain, reply_text)
            .map_or("other", |i| &classifier.providers[i].id)
    }

    /// [`Self::provider`] as an index into the classifier's providers (`None` = `other`), for
    /// callers that key their own tables on it.
    pub fn provider_index(
        &mut self,
        classifier: &Classifier,
        mx_host: Option<&str>,
        recipient_domain: Option<&str>,
        reply_text: Option<&str>,
    ) -> Option<usize> {
        let by_host = mx_host.and_then(|h| {
            let key = exact::hash(h.as_bytes());
            if let Some((_, v)) = self.hosts.find(key) {
                return v.checked_sub(1).map(|i| i as usize);
            }
            let v = classifier.host_provider(h);
            if self.hosts.len() < self.capacity {
                self.hosts.insert(key, v.map_or(0, |i| i as u32 + 1));
            }
            v
        });
        by_host
            .or_else(|| {
                recipient_domain.and_then(|d| {
                    let key = exact::hash(d.as_bytes());
                    if let Some((_, v)) = self.domains.find(key) {
                        return v.checked_sub(1).map(|i| i as usize);
                    }
                    let v = classifier.domain_provider(d);
                    if self.domains.len() < self.capacity {
                        self.domains.insert(key, v.map_or(0, |i| i as u32 + 1));
                    }
                    v
                })
            })
            .or_else(|| classifier.clue_provider(reply_text))
    }

    /// Classifies `delivery` at `provider`, from the memo when its template was seen.
    pub fn classify<'c>(
        &'c mut self,
        classifier: &Classifier,
        delivery: &Delivery<'_>,
        provider: &str,
    ) -> &'c Classification {
        self.classify_slot(classifier, delivery, provider).1
    }

    /// [`Self::classify`], also returning the memo slot of the result (`None` when it was not
    /// memoised): the same slot always holds the same classification, so callers can keep
    /// their own per-slot data (interned ids).
    pub fn classify_slot<'c>(
        &'c mut self,
        classifier: &Classifier,
        delivery: &Delivery<'_>,
        provider: &str,
    ) -> (Option<usize>, &'c Classification) {
        let (f, text) = facts(delivery);
        self.last_exact = None;
        self.key.clear();
        let sent_key =
            f.status == Status::Sent && f.dsn.is_some_and(|d| Enhanced::parse(d).is_some());
        let header_len;
        let mut exact_hash = 0u128;
        if sent_key {
            // Accepted attempts are most of a log and mostly share one dsn: the last one's
            // slot without hashing (the key is the dsn alone).
            let dsn = f.dsn.unwrap_or_default().as_bytes();
            if let Some((last, i)) = &self.last_sent
                && same_bytes(last, dsn)
            {
                self.hits += 1;
                let i = *i as usize;
                return (Some(i), &self.values[i]);
            }
            self.key.push(b'S');
            self.key.push(0x1f);
            self.key
                .extend_from_slice(f.dsn.unwrap_or_default().as_bytes());
            header_len = self.key.len();
        } else {
            self.key.push(match f.status {
                Status::Sent => b's',
                Status::Deferred => b'd',
                Status::Bounced => b'b',
                Status::Expired => b'e',
                Status::Other => b'o',
            });
            self.key.push(if f.local { b'L' } else { b'R' });
            self.key.push(0x1f);
            self.key
                .extend_from_slice(f.dsn.unwrap_or_default().as_bytes());
            self.key.push(0x1f);
            if let Some(c) = f.code {
                self.key.extend_from_slice(&[
                    b'0' + (c / 100 % 10) as u8,
                    b'0' + (c / 10 % 10) as u8,
                    b'0' + (c % 10) as u8,
                ]);
            }
            self.key.push(0x1f);
            self.key
                .extend_from_slice(f.enhanced.unwrap_or_default().as_bytes());
            self.key.push(0x1f);
            self.key.extend_from_slice(provider.as_bytes());
            self.key.push(0x1f);
            header_len = self.key.len();
            self.key.extend_from_slice(text.as_bytes());
            exact_hash = exact::hash(&self.key);
            self.key.truncate(header_len);
            if let Some((e, i)) = self.exact.find(exact_hash) {
                self.hits += 1;
                self.last_exact = Some(e);
                let i = i as usize;
                return (Some(i), &self.values[i]);
            }
            build_template(text, f.local, &mut self.key);
        }
        let key_hash = fx_hash(&self.key);
        if let Some(&(_, i)) = self.map.find(key_hash, |(k, _)| same_bytes(k, &self.key)) {
            self.hits += 1;
            if sent_key {
                self.remember_sent(header_len, i);
            } else {
                self.remember_exact(exact_hash, header_len, text, i);
            }
            return (Some(i as usize), &self.values[i as usize]);
        }
        self.misses += 1;
        let c = if sent_key {
            sent_fast(&f).unwrap_or_else(|| classifier.decide(&f, provider, ""))
        } else {
            classifier.decide(&f, provider, &as_text(&self.key[header_len..]))
        };
        if self.values.len() >= self.capacity || self.key.len() > Self::MAX_KEY_BYTES {
            self.scratch = c;
            return (None, &self.scratch);
        }
        let i = self.values.len();
        self.values.push(c);
        self.map.insert_unique(
            key_hash,
            (self.key.as_slice().into(), i as u32),
            |(k, _)| fx_hash(k),
        );
        if sent_key {
            self.remember_sent(header_len, i as u32);
        } else {
            self.remember_exact(exact_hash, header_len, text, i as u32);
        }
        (Some(i), &self.values[i])
    }

    /// Remembers the dsn of the sent key in `key[2..header_len]` and its value `i`.
    fn remember_sent(&mut self, header_len: usize, i: u32) {
        let dsn = &self.key[2..header_len];
        match &mut self.last_sent {
            Some((last, slot)) => {
                last.clear();
                last.extend_from_slice(dsn);
                *slot = i;
            }
            None => self.last_sent = Some((dsn.to_vec(), i)),
        }
    }

    /// Points the exact key (the header `key[..header_len]` and `text`, whose
    /// [`exact::hash`] is `h`) at value `i` (bounded).
    fn remember_exact(&mut self, h: u128, header_len: usize, text: &str, i: u32) {
        let len = header_len + text.len();
        if self.exact.len() < Self::EXACT_CAPACITY && len <= Self::MAX_KEY_BYTES {
            let e = self.exact.insert(h, i);
            self.last_exact = Some(e);
        }
    }

    /// The note of the exact-text entry that the last [`Self::classify_slot`] call found or
    /// made (0 for a new entry), `None` when it used none (an accepted attempt keyed on its
    /// dsn, or a full memo). Two calls that found the same entry classified the same status,
    /// codes, provider and reply text, so callers can keep their own per-text data in the note
    /// ([`Self::set_last_exact_note`]; the IP a reply quotes).
    pub(crate) fn last_exact_note(&self) -> Option<u32> {
        self.last_exact.map(|i| self.exact.note(i))
    }

    /// Sets the note of the exact-text entry that the last [`Self::classify_slot`] call found
    /// or made (nothing when it used none).
    pub(crate) fn set_last_exact_note(&mut self, note: u32) {
        if let Some(i) = self.last_exact {
            self.exact.set_note(i, note);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Relay, Reply};
    use super::*;

    fn reply(text: &str) -> Reply<'_> {
        Reply {
            host: None,
            addr: None,
            code: None,
            enhanced: None,
            text,
            command: None,
            greeting: false,
        }
    }

    fn delivery<'a>(
        status: Status,
        dsn: Option<&'a str>,
        text: &'a str,
        remote: bool,
    ) -> Delivery<'a> {
        Delivery {
            queue_id: "4cDCnd66Hyz1XPWFF",
            to: Some("a@example.com"),
            orig_to: None,
            relay: Relay::None,
            dsn,
            status,
            detail: text,
            reply: remote.then(|| reply(text)),
            connect_host: None,
        }
    }

    fn classifier() -> Classifier {
        Classifier::new(&RulesConfig::default()).unwrap()
    }

    #[test]
    fn every_rule_example_and_counter_example() {
        let c = classifier();
        let table = default_table();
        let mut failures = Vec::new();
        for (i, def) in table.rules.iter().enumerate() {
            let provider = def.provider.as_deref().unwrap_or("other");
            for ex in &def.examples {
                let d = example_delivery(ex, def.when, def.source);
                let got = c.classify(&d, provider);
                if got.rule != def.id {
                    failures.push(format!(
                        "{}: example decided by {} ({}): {ex}",
                        def.id, got.rule, got.outcome
                    ));
                }
                if !c.rule_matches_example(i, ex) {
                    failures.push(format!(
                        "{}: example does not match on its own: {ex}",
                        def.id
                    ));
                }
            }
            for ex in &def.counter_examples {
                if c.rule_matches_example(i, ex) {
                    failures.push(format!("{}: counter-example matches: {ex}", def.id));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn default_phrases_are_valid_regex_syntax() {
        // `Classifier::new` checks only configured rules' phrases; the embedded table's here.
        for r in &default_table().rules {
            for p in r.phrases.iter().chain(&r.unless) {
                assert!(check_phrase(p).is_ok(), "{}: {p:?}", r.id);
            }
        }
        assert!(check_phrase("(").is_err());
    }

    #[test]
    fn templates_mask_volatile_tokens() {
        assert_eq!(
            template(
                "451 4.7.500 Server busy. Please try again later from [192.0.2.1]. (S77719) [BN1NAM02FT012.eop-nam02.prod.protection.outlook.com]"
            ),
            "451 4.7.500 Server busy. Please try again later from [*]. (S77719) [*]"
        );
        assert_eq!(
            template(
                "550-5.7.26 This mail has   been blocked. 550-5.7.26 Gmail requires 550 5.7.26 auth d2e1a72fcca58-7c3b0a1e2f1si123.45 - gsmtp"
            ),
            "550-5.7.26 This mail has been blocked. Gmail requires auth * - gsmtp"
        );
        assert_eq!(
            template("550 5.1.1 <john.smith@example.com>: User unknown"),
            "550 5.1.1 <*>: User unknown"
        );
        assert_eq!(
            template("550 mwinf ME Client host blocked. OFR006_102 Ref [102]"),
            "550 mwinf ME Client host blocked. OFR006_102 Ref [102]"
        );
        assert_eq!(
            template("550 5.1.0 sender rejected. AUP#In-1310"),
            "550 5.1.0 sender rejected. AUP#In-1310"
        );
        assert_eq!(
            template("421-4.7.28 rate 421-4.7.28 limited"),
            "421-4.7.28 rate limited"
        );
        assert_eq!(template(""), "");
        let mut s = Vec::new();
        build_template(
            "connect to smtp.example.org[203.0.113.9]:25: Connection timed out",
            true,
            &mut s,
        );
        assert_eq!(into_string(s), "connect to *[*]:25: Connection timed out");
    }

    #[test]
    fn marker_search_agrees_with_memmem() {
        let texts = [
            "host a[1] said: 550 x (in reply to RCPT TO command)",
            "said: said:  said: x",
            ": said: : refused to talk to me: 421 (in reply to (in reply to x",
            "conversation with x[1] timed out while receiving the initial server greeting",
            " said:",
            " said: ",
            "((( (in reply to  (in reply to ",
            "",
        ];
        for t in texts {
            let b = t.as_bytes();
            for m in [&b" said: "[..], &b"refused to talk to me: "[..]] {
                assert_eq!(find_colon_marker(b, m), memchr::memmem::find(b, m), "{t:?}");
            }
            assert_eq!(
                rfind_in_reply_to(b),
                memchr::memmem::rfind(b, b" (in reply to "),
                "{t:?}"
            );
        }
    }

    #[test]
    fn lead_codes() {
        assert_eq!(
            parse_lead("550-5.7.26 x"),
            (Some(550), Enhanced::parse("5.7.26"))
        );
        assert_eq!(
            parse_lead("#550 5.7.1 x"),
            (Some(550), Enhanced::parse("5.7.1"))
        );
        assert_eq!(
            parse_lead("550: 5.1.1 x"),
            (Some(550), Enhanced::parse("5.1.1"))
        );
        assert_eq!(parse_lead("5.2.2 <a>"), (None, Enhanced::parse("5.2.2")));
        assert_eq!(parse_lead("552 1 Requested"), (Some(552), None));
        assert_eq!(parse_lead("12 Malformed"), (None, None));
        assert_eq!(
            hash_code("550 sorry (#5.1.1 - chkusr)"),
            Enhanced::parse("5.1.1")
        );
    }

    #[test]
    fn reason_codes_and_order() {
        let c = classifier();
        let cases = [
            (
                Status::Bounced,
                Some("5.7.1"),
                "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",
                "microsoft",
                Outcome::RejectReputation,
                "5.7.1 S3150",
            ),
            (
                Status::Deferred,
                Some("4.7.0"),
                "421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected volume or user complaints",
                "yahoo",
                Outcome::Throttled,
                "4.7.0 TSS04",
            ),
            (
                Status::Bounced,
                Some("5.7.1"),
                "550 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137",
                "apple",
                Outcome::RejectReputation,
                "5.7.1 CS01",
            ),
            (
                Status::Deferred,
                Some("4.7.650"),
                "451 4.7.650 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation. (S775)",
                "microsoft",
                Outcome::Throttled,
                "4.7.650 S775",
            ),
            (
                Status::Bounced,
                Some("5.7.606"),
                "550 5.7.606 Access denied, banned sending IP [192.0.2.1].",
                "microsoft",
                Outcome::RejectReputation,
                "5.7.606",
            ),
            // A 5xx greeting logged as deferred dsn=4.0.0 is classified by the reply.
            (
                Status::Deferred,
                Some("4.0.0"),
                "554 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.1",
                "proofpoint",
                Outcome::RejectReputation,
                "",
            ),
            (
                Status::Bounced,
                Some("5.1.1"),
                "550 sorry, no mailbox here by that name (#5.1.1 - chkusr)",
                "other",
                Outcome::RejectRecipient,
                "5.1.1",
            ),
            (
                Status::Bounced,
                Some("5.0.0"),
                "550 address rejected (#5.1.1)",
                "other",
                Outcome::RejectRecipient,
                "5.1.1",
            ),
        ];
        for (status, dsn, text, provider, outcome, rc) in cases {
            let got = c.classify(&delivery(status, dsn, text, true), provider);
            assert_eq!(
                (got.outcome, got.reason_code.as_str()),
                (outcome, rc),
                "{text} -> {got:?}"
            );
            assert!(got.specific);
        }
        let sent = c.classify(
            &delivery(
                Status::Sent,
                Some("2.0.0"),
                "250 2.0.0 Ok: queued as 4cDCnd66Hyz1XPWFF",
                true,
            ),
            "google",
        );
        assert_eq!(
            (sent.outcome, sent.rule.as_str(), sent.reason_code.as_str()),
            (Outcome::Accepted, "postfix.sent", "2.0.0")
        );
        let expired = c.classify(&delivery(Status::Expired, None, "", false), "other");
        assert_eq!(
            (expired.outcome, expired.rule.as_str()),
            (Outcome::DeferredOther, "postfix.expired")
        );
        let odd = c.classify(
            &delivery(
                Status::Bounced,
                Some("5.0.0"),
                "550 something nobody wrote a rule for",
                true,
            ),
            "other",
        );
        assert_eq!(
            (odd.outcome, odd.rule.as_str(), odd.specific),
            (Outcome::RejectOther, "fallback.permanent", false)
        );
        let odd = c.classify(
            &delivery(
                Status::Deferred,
                Some("4.0.0"),
                "450 something nobody wrote a rule for",
                true,
            ),
            "other",
        );
        assert_eq!((odd.outcome, odd.specific), (Outcome::DeferredOther, false));
    }

    #[test]
    fn local_details() {
        let c = classifier();
        let cases = [
            (
                Status::Deferred,
                Some("4.4.1"),
                "connect to mx1.example.com[192.0.2.10]:25: Connection timed out",
                "net.connect_timeout",
                Outcome::DeferredOther,
            ),
            (
                Status::Deferred,
                Some("4.4.3"),
                "Host or domain name not found. Name service error for name=example.com type=MX: Host not found, try again",
                "dns.tempfail",
                Outcome::DeferredOther,
            ),
            (
                Status::Bounced,
                Some("5.4.4"),
                "Host or domain name not found. Name service error for name=example.invalid type=A: Host not found",
                "dns.host_not_found",
                Outcome::RejectRecipient,
            ),
            (
                Status::Deferred,
                Some("4.7.5"),
                "Cannot start TLS: handshake failure",
                "tls.failure",
                Outcome::DeferredOther,
            ),
            (
                Status::Deferred,
                Some("4.4.2"),
                "lost connection with mx.example.com[192.0.2.1] while receiving the initial server greeting",
                "net.lost_connection",
                Outcome::DeferredOther,
            ),
        ];
        for (status, dsn, text, rule, outcome) in cases {
            let got = c.classify(&delivery(status, dsn, text, false), "other");
            assert_eq!((got.rule.as_str(), got.outcome), (rule, outcome), "{text}");
        }
        // A reply quoted in the detail without a parsed Reply.
        let d = delivery(
            Status::Deferred,
            Some("4.7.0"),
            "host mta5.am0.yahoodns.net[67.195.204.72] said: 421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints (in reply to MAIL FROM command)",
            false,
        );
        assert_eq!(c.classify(&d, "yahoo").outcome, Outcome::Throttled);
    }

    #[test]
    fn providers() {
        let c = classifier();
        let p = |h: Option<&str>, d: Option<&str>, t: Option<&str>| c.provider(h, d, t).to_owned();
        assert_eq!(
            p(Some("hotmail-com.olc.protection.outlook.com"), None, None),
            "microsoft"
        );
        assert_eq!(
            p(Some("contoso-com.mail.protection.outlook.com"), None, None),
            "microsoft"
        );
        assert_eq!(
            p(Some("aspmx.l.google.com"), Some("example.com"), None),
            "google"
        );
        assert_eq!(p(Some("mx.example.com"), Some("gmail.com"), None), "google");
        assert_eq!(p(Some("mta7.am0.yahoodns.net"), None, None), "yahoo");
        assert_eq!(p(None, Some("yahoo.co.uk"), None), "yahoo");
        assert_eq!(p(Some("mx01.mail.icloud.com"), None, None), "apple");
        assert_eq!(
            p(Some("mx0a-00123401.pphosted.com"), None, None),
            "proofpoint"
        );
        assert_eq!(
            p(Some("us-smtp-inbound-1.mimecast.com"), None, None),
            "mimecast"
        );
        assert_eq!(
            p(Some("d123.ess.barracudanetworks.com"), None, None),
            "barracuda"
        );
        assert_eq!(p(Some("mx1.hc1234-56.iphmx.com"), None, None), "cisco");
        assert_eq!(p(Some("mx00.gmx.net"), None, None), "gmx");
        assert_eq!(p(Some("mx-ha03.web.de"), None, None), "gmx");
        assert_eq!(p(Some("mx1.comcast.net"), None, None), "comcast");
        assert_eq!(
            p(Some("in1-smtp.messagingengine.com"), None, None),
            "fastmail"
        );
        assert_eq!(p(Some("mx.yandex.net"), None, None), "yandex");
        assert_eq!(p(Some("mxs.mail.ru"), None, None), "mailru");
        assert_eq!(p(Some("smtp-in.orange.fr"), None, None), "orange");
        assert_eq!(p(Some("mx00.t-online.de"), None, None), "t_online");
        assert_eq!(p(Some("mx.zoho.com"), None, None), "zoho");
        assert_eq!(
            p(Some("127.0.0.1"), None, Some("550 5.1.1 foo - gsmtp")),
            "google"
        );
        assert_eq!(
            p(
                Some("mx.example.org"),
                Some("example.org"),
                Some("550 5.1.1 User unknown")
            ),
            "other"
        );
        assert_eq!(c.provider_name("gmx"), Some("GMX/web.de/1&1"));
    }

    #[test]
    fn config_rules_first_and_validated() {
        let text = r#"
[[provider]]
id = "acme"
name = "ACME"
mx = ["mx.acme.example"]

[[rule]]
id = "acme.rate"
provider = "acme"
when = "temporary"
phrases = ['slow down, friend']
outcome = "throttled"
examples = ["451 4.7.1 slow down, friend"]
counter_examples = ["451 4.7.1 hello"]
"#;
        let cfg: RulesConfig = toml::from_str(text).unwrap();
        let c = Classifier::new(&cfg).unwrap();
        assert_eq!(c.provider(Some("a.mx.acme.example"), None, None), "acme");
        let got = c.classify(
            &delivery(
                Status::Deferred,
                Some("4.7.1"),
                "451 4.7.1 slow down, friend",
                true,
            ),
            "acme",
        );
        assert_eq!(
            (got.rule.as_str(), got.outcome),
            ("acme.rate", Outcome::Throttled)
        );

        let bad = |t: &str| match Classifier::new(&toml::from_str(t).unwrap()) {
            Err(ConfigError::Invalid(m)) => m,
            other => panic!("expected Invalid, got {other:?}"),
        };
        assert!(bad("[[rule]]\nid='x.re'\nphrases=['(']\noutcome='throttled'").contains("x.re"));
        assert!(
            bad("[[rule]]\nid='x.code'\ncodes=['5.x.1']\noutcome='throttled'").contains("x.code")
        );
        assert!(
            bad("[[rule]]\nid='x.prov'\nprovider='nope'\nphrases=['a']\noutcome='throttled'")
                .contains("x.prov")
        );
        assert!(bad("[[rule]]\nid='x.none'\noutcome='throttled'").contains("x.none"));
        assert!(
            bad("[[rule]]\nid='x.ex'\nphrases=['abc']\noutcome='throttled'\nexamples=['451 xyz']")
                .contains("x.ex")
        );
        assert!(bad("[[rule]]\nid='x.cex'\nphrases=['abc']\noutcome='throttled'\ncounter_examples=['451 abc']").contains("x.cex"));
    }

    #[test]
    fn cache_is_identical() {
        let c = classifier();
        let mut cache = ClassifyCache::with_capacity(2);
        let texts = [
            "421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred",
            "421 4.7.0 [TSS04] Messages from 192.0.2.26 temporarily deferred",
            "550 5.1.1 <a@example.com>: User unknown",
            "550 5.7.1 weird",
        ];
        for t in texts.iter().chain(texts.iter()) {
            for status in [Status::Deferred, Status::Bounced, Status::Sent] {
                let d = delivery(status, Some("4.0.0"), t, true);
                let want = c.classify(&d, "yahoo");
                assert_eq!(*cache.classify(&c, &d, "yahoo"), want, "{t}");
            }
        }
        assert_eq!(cache.len(), 2);
    }
}
