//! Regex engines of the rule table, behind one facade, so that the page's WebAssembly can do
//! without `regex`/`regex-automata` (about half of its size) and still match exactly what the
//! CLI matches.
//!
//! * **Phrases** (`phrases`, `unless`): parsed once by `regex-syntax` into a [`Hir`] as bytes,
//!   without Unicode, ASCII case-insensitive. With the cargo feature `full-regex` (default;
//!   the CLI) the Hir is compiled by `regex-automata`'s meta engine. Without it (the page) the
//!   same Hir is printed as a `regex-lite` pattern over a byte-per-char view of the haystack:
//!   ASCII bytes stay themselves, every byte 0x80-0xFF becomes the private-use char
//!   U+E080-U+E0FF, so `.`, `[^x]`, `\W` and friends still consume exactly one byte, and a
//!   non-ASCII literal of the pattern (its UTF-8 bytes) is mapped the same way. Both engines
//!   therefore decide the same match, on any input; a phrase either engine cannot express
//!   (a Unicode class or word boundary, enabled with `(?u)`) is rejected when the rules are
//!   checked, in both builds.
//! * **Provider codes** (`codes` of a provider, `provider_code` of a rule), with captures:
//!   `regex` with `full-regex` (Unicode `\d`, `\w`, `\b`, `(?i)`), else `regex-lite` (the
//!   same on ASCII text; ASCII-only classes, no `\p{..}`). They run on every classification
//!   memo miss of a failure, often enough that regex-lite's PikeVM costs the CLI speed, so
//!   the CLI keeps `regex`. The two differ only when a non-ASCII digit, letter or case
//!   variant touches a code. regex-lite has no literal optimisations of its own, so its
//!   codes get a prefilter here ([`LiteCode`]): the literals every match must start with
//!   (regex-syntax's prefix extractor, e.g. `OFR`/`ofr`/`LPN`), searched with memchr; a
//!   reply holding none of them never reaches the PikeVM. Same
//!   results, with or without the prefilter (unit test `prefilter_keeps_lite_results`).

use std::fmt::Write as _;

use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// A compiled provider-code regex (capture group 1, else the whole match).
#[cfg(feature = "full-regex")]
pub(super) type CodeRegex = regex::Regex;
/// A compiled provider-code regex (capture group 1, else the whole match).
#[cfg(not(feature = "full-regex"))]
pub(super) type CodeRegex = LiteCode;

/// Compiles a provider-code regex.
pub(super) fn code_regex(pattern: &str) -> Result<CodeRegex, String> {
    #[cfg(feature = "full-regex")]
    return regex::Regex::new(pattern).map_err(|e| e.to_string());
    #[cfg(not(feature = "full-regex"))]
    return LiteCode::new(pattern);
}

/// A provider-code regex on regex-lite behind a literal prefilter.
#[derive(Debug)]
#[cfg_attr(feature = "full-regex", allow(dead_code))]
pub(super) struct LiteCode {
    re: regex_lite::Regex,
    /// `None` when no sound literal set was found (the regex then runs on every haystack).
    prefilter: Option<Prefilter>,
}

#[cfg_attr(feature = "full-regex", allow(dead_code))]
impl LiteCode {
    /// Compiles `pattern` with regex-lite's syntax and limits, and its prefilter.
    pub(super) fn new(pattern: &str) -> Result<Self, String> {
        let re = regex_lite::RegexBuilder::new(pattern)
            .nest_limit(250)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            re,
            prefilter: Prefilter::new(pattern),
        })
    }

    /// The leftmost-first match of the regex in `haystack` with its groups, exactly as
    /// `regex_lite::Regex::captures`.
    pub(super) fn captures<'h>(&self, haystack: &'h str) -> Option<regex_lite::Captures<'h>> {
        if let Some(p) = &self.prefilter
            && !p.may_match(haystack.as_bytes())
        {
            return None;
        }
        self.re.captures(haystack)
    }
}

/// Literals one of which every match of a regex starts with: a few short byte strings,
/// searched one after the other (nothing to build: phrases are compiled on first use, per
/// analyzer, and a reply template is short).
#[derive(Debug)]
#[cfg_attr(feature = "full-regex", allow(dead_code))]
struct Prefilter {
    /// Lower-cased when `fold_case`.
    literals: Vec<Box<[u8]>>,
    /// Searched ASCII case-insensitively.
    fold_case: bool,
}

#[cfg_attr(feature = "full-regex", allow(dead_code))]
impl Prefilter {
    /// Most literals searched at once (more: no prefilter).
    const MAX_LITERALS: usize = 16;

    /// The prefilter of a regex-lite pattern, or `None` when there is no useful one or the
    /// pattern's meaning could differ between regex-syntax and regex-lite.
    ///
    /// The pattern is read by regex-syntax over bytes, without Unicode (regex-lite's classes
    /// and case folding are ASCII). Read that way, a pattern that is ASCII, has no hex or
    /// Unicode escape (`\x`, `\u`, `\U`: bytes there, chars in regex-lite) and does not turn
    /// Unicode on (a `u` flag) has the same ASCII classes and literals as in regex-lite, and
    /// each class holds either all or none of the non-ASCII bytes, as regex-lite's holds all
    /// or none of the non-ASCII chars: the extractor expands only small classes (ASCII, the
    /// same in both), so every regex-lite match starts with an extracted literal.
    fn new(pattern: &str) -> Option<Self> {
        if !pattern.is_ascii() || has_unicode_syntax(pattern) {
            return None;
        }
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(pattern)
            .ok()?;
        Self::from_hir(&hir, false)
    }

    /// The prefilter of a bytes `hir`: literals one of which every match starts with, from
    /// regex-syntax's prefix extractor. `fold_case`: searched ASCII case-insensitively (one
    /// lowercase literal for all its case variants; finds a superset, so still sound).
    fn from_hir(hir: &Hir, fold_case: bool) -> Option<Self> {
        use regex_syntax::hir::literal::Extractor;
        // Classes of more than a few bytes (`\d`, `[A-Z]`) end a literal: short literals, few.
        let seq = Extractor::new().limit_class(4).extract(hir);
        let mut lits: Vec<Vec<u8>> = seq
            .literals()?
            .iter()
            .map(|l| {
                let mut b = l.as_bytes().to_vec();
                if fold_case {
                    b.make_ascii_lowercase();
                }
                b
            })
            .collect();
        loop {
            lits.sort_unstable();
            lits.dedup();
            if lits.len() <= Self::MAX_LITERALS {
                break;
            }
            // Too many: shorten them all, which keeps them prefixes of every match.
            let longest = lits.iter().map(Vec::len).max().unwrap_or(0);
            if longest < 2 {
                return None;
            }
            for l in &mut lits {
                l.truncate(longest - 1);
            }
        }
        if lits.is_empty() || lits.iter().any(Vec::is_empty) {
            return None;
        }
        Some(Self {
            literals: lits.into_iter().map(Vec::into_boxed_slice).collect(),
            fold_case,
        })
    }

    /// False only when no literal occurs in `haystack` (then the regex cannot match).
    fn may_match(&self, haystack: &[u8]) -> bool {
        self.literals.iter().any(|lit| {
            if self.fold_case {
                contains_ignore_ascii_case(haystack, lit)
            } else {
                memchr::memmem::find(haystack, lit).is_some()
            }
        })
    }
}

/// Whether `haystack` contains `lower` (ASCII lower-case, non-empty) ASCII case-insensitively.
#[cfg_attr(feature = "full-regex", allow(dead_code))]
fn contains_ignore_ascii_case(haystack: &[u8], lower: &[u8]) -> bool {
    let Some((&first, rest)) = lower.split_first() else {
        return true;
    };
    let mut at = 0;
    while let Some(i) = memchr::memchr2(
        first,
        first.to_ascii_uppercase(),
        haystack.get(at..).unwrap_or_default(),
    ) {
        let start = at + i + 1;
        if haystack
            .get(start..start + rest.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(rest))
        {
            return true;
        }
        at = start;
    }
    false
}

/// Whether `pattern` has a hex or Unicode escape (`\x`, `\u`, `\U`, an escaped backslash
/// aside) or a flag group with `u` (`(?u)`, `(?iu:`...).
#[cfg_attr(feature = "full-regex", allow(dead_code))]
fn has_unicode_syntax(pattern: &str) -> bool {
    let b = pattern.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                if matches!(b.get(i + 1), Some(b'x' | b'u' | b'U')) {
                    return true;
                }
                i += 2;
            }
            b'(' if b.get(i + 1) == Some(&b'?') => {
                let flags = b[i + 2..]
                    .iter()
                    .take_while(|&&c| c.is_ascii_alphabetic() || c == b'-');
                if flags.clone().any(|&c| c == b'u') {
                    return true;
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    false
}

/// The Hir of a phrase: bytes, no Unicode, ASCII case-insensitive (both engines start here).
fn phrase_hir(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .case_insensitive(true)
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())
}

/// Checks a configured phrase: its syntax, and that both engines compile it (the same check in
/// every build, so a configuration is valid for the CLI exactly when it is for the page).
pub(super) fn check_phrase(pattern: &str) -> Result<(), String> {
    let hir = phrase_hir(pattern)?;
    lite_build(&lite_pattern(&hir)?).map(drop)
}

/// A compiled phrase regex.
#[derive(Debug)]
pub(super) struct PhraseRegex {
    #[cfg(feature = "full-regex")]
    re: regex_automata::meta::Regex,
    #[cfg(not(feature = "full-regex"))]
    re: LitePhrase,
}

impl PhraseRegex {
    /// Compiles a phrase; `None` when it does not parse or exceeds a size limit.
    pub(super) fn new(pattern: &str) -> Option<Self> {
        let hir = phrase_hir(pattern).ok()?;
        #[cfg(feature = "full-regex")]
        let re = full_build(&hir)?;
        #[cfg(not(feature = "full-regex"))]
        let re = LitePhrase::new(&hir)?;
        Some(Self { re })
    }

    /// Whether the phrase matches anywhere in `haystack`.
    pub(super) fn is_match(&self, haystack: &[u8]) -> bool {
        self.re.is_match(haystack)
    }
}

/// A phrase on regex-lite (its printed form over the byte-per-char view) behind a literal
/// prefilter from the same Hir: the Hir decides like the printed form on any haystack
/// (`lite_matches_like_the_full_engine`), so every match starts with one of its prefix
/// literals; a template holding none of them (ASCII case-insensitively) is not searched.
#[derive(Debug)]
#[cfg_attr(feature = "full-regex", allow(dead_code))]
struct LitePhrase {
    re: regex_lite::Regex,
    prefilter: Option<Prefilter>,
}

#[cfg_attr(feature = "full-regex", allow(dead_code))]
impl LitePhrase {
    fn new(hir: &Hir) -> Option<Self> {
        Some(Self {
            re: lite_build(&lite_pattern(hir).ok()?).ok()?,
            prefilter: Prefilter::from_hir(hir, true),
        })
    }

    fn is_match(&self, haystack: &[u8]) -> bool {
        if let Some(p) = &self.prefilter
            && !p.may_match(haystack)
        {
            return false;
        }
        lite_is_match(&self.re, haystack)
    }
}

/// The meta engine without a literal prefilter (its extraction and Teddy build were most of the
/// start-up cost), without captures, only the lazy DFA and the PikeVM.
#[cfg(feature = "full-regex")]
fn full_build(hir: &Hir) -> Option<regex_automata::meta::Regex> {
    use regex_automata::{meta, nfa::thompson::WhichCaptures};
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .auto_prefilter(false)
                .which_captures(WhichCaptures::None)
                .onepass(false)
                .backtrack(false)
                .utf8_empty(false),
        )
        .build_from_hir(hir)
        .ok()
}

/// First private-use char of the byte-per-char view: byte `b` >= 0x80 is `U+E000 + b`.
const BYTE_CHAR_BASE: u32 = 0xE000;

/// regex-lite with room for the printed form's extra groups.
fn lite_build(pattern: &str) -> Result<regex_lite::Regex, String> {
    regex_lite::RegexBuilder::new(pattern)
        .nest_limit(1000)
        .build()
        .map_err(|e| e.to_string())
}

/// `haystack` matched by a printed phrase: as is when ASCII, else through its byte-per-char view.
#[cfg_attr(feature = "full-regex", allow(dead_code))]
fn lite_is_match(re: &regex_lite::Regex, haystack: &[u8]) -> bool {
    if haystack.is_ascii()
        && let Ok(s) = std::str::from_utf8(haystack)
    {
        return re.is_match(s);
    }
    let view: String = haystack.iter().map(|&b| byte_char(b)).collect();
    re.is_match(&view)
}

/// The char standing for byte `b` in the byte-per-char view.
#[cfg_attr(feature = "full-regex", allow(dead_code))]
fn byte_char(b: u8) -> char {
    if b.is_ascii() {
        char::from(b)
    } else {
        char::from_u32(BYTE_CHAR_BASE + u32::from(b)).unwrap_or(char::REPLACEMENT_CHARACTER)
    }
}

/// The regex-lite pattern that matches over the byte-per-char view what `hir` matches over
/// bytes. Case folding is already in the Hir's classes, so no flags are needed.
fn lite_pattern(hir: &Hir) -> Result<String, String> {
    let mut out = String::new();
    print(hir, &mut out)?;
    Ok(out)
}

const UNICODE: &str = "Unicode classes and word boundaries are not supported in phrases \
                       (they match bytes, ASCII case-insensitive)";

fn print(hir: &Hir, out: &mut String) -> Result<(), String> {
    match hir.kind() {
        HirKind::Empty => out.push_str("(?:)"),
        HirKind::Literal(lit) => {
            for &b in &lit.0 {
                push_byte(b, out);
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            let ranges: Vec<(u32, u32)> = c
                .ranges()
                .iter()
                .map(|r| (u32::from(r.start()), u32::from(r.end())))
                .collect();
            push_class(&ranges, out);
        }
        HirKind::Class(Class::Unicode(c)) => {
            let ranges: Vec<(u32, u32)> = c
                .ranges()
                .iter()
                .map(|r| (u32::from(r.start()), u32::from(r.end())))
                .collect();
            if ranges.iter().any(|&(_, hi)| hi > 0x7F) {
                return Err(UNICODE.to_owned());
            }
            push_class(&ranges, out);
        }
        HirKind::Look(look) => out.push_str(match look {
            Look::Start => r"\A",
            Look::End => r"\z",
            Look::StartLF => "(?m:^)",
            Look::EndLF => "(?m:$)",
            Look::StartCRLF => "(?mR:^)",
            Look::EndCRLF => "(?mR:$)",
            Look::WordAscii => r"\b",
            Look::WordAsciiNegate => r"\B",
            Look::WordStartAscii => r"\b{start}",
            Look::WordEndAscii => r"\b{end}",
            Look::WordStartHalfAscii => r"\b{start-half}",
            Look::WordEndHalfAscii => r"\b{end-half}",
            _ => return Err(UNICODE.to_owned()),
        }),
        HirKind::Repetition(r) => {
            out.push_str("(?:");
            print(&r.sub, out)?;
            out.push(')');
            let _ = match r.max {
                Some(max) => write!(out, "{{{},{max}}}", r.min),
                None => write!(out, "{{{},}}", r.min),
            };
            if !r.greedy {
                out.push('?');
            }
        }
        HirKind::Capture(c) => {
            out.push_str("(?:");
            print(&c.sub, out)?;
            out.push(')');
        }
        HirKind::Concat(subs) => {
            for s in subs {
                print(s, out)?;
            }
        }
        HirKind::Alternation(subs) => {
            out.push_str("(?:");
            for (i, s) in subs.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                print(s, out)?;
            }
            out.push(')');
        }
    }
    Ok(())
}

/// One byte as a literal char of the view (alphanumerics as themselves, the rest escaped).
fn push_byte(b: u8, out: &mut String) {
    if b.is_ascii_alphanumeric() {
        out.push(char::from(b));
    } else {
        push_escaped(view_code(u32::from(b)), out);
    }
}

/// The view's code point of byte value `b` (0..=0xFF).
fn view_code(b: u32) -> u32 {
    if b < 0x80 { b } else { BYTE_CHAR_BASE + b }
}

fn push_escaped(code: u32, out: &mut String) {
    let _ = write!(out, "\\x{{{code:X}}}");
}

/// A class of byte values (0..=0xFF, or ASCII code points) over the view; an empty class
/// (matches nothing) becomes an assertion that never holds.
fn push_class(ranges: &[(u32, u32)], out: &mut String) {
    if ranges.is_empty() {
        out.push_str(r"(?:\b\B)");
        return;
    }
    out.push('[');
    for &(lo, hi) in ranges {
        // The view is contiguous within 0x00-0x7F and within 0x80-0xFF: split at 0x80.
        for (a, b) in [(lo, hi.min(0x7F)), (lo.max(0x80), hi)] {
            if a > b {
                continue;
            }
            push_escaped(view_code(a), out);
            if b > a {
                out.push('-');
                push_escaped(view_code(b), out);
            }
        }
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "full-regex")]
    fn lite(pattern: &str) -> regex_lite::Regex {
        let hir = phrase_hir(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        let printed = lite_pattern(&hir).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        lite_build(&printed).unwrap_or_else(|e| panic!("{pattern} -> {printed}: {e}"))
    }

    /// The printed regex-lite form over the byte view decides like a bytes regex-automata
    /// engine (the CLI's), on ASCII and non-ASCII haystacks, for patterns that touch every
    /// construct the printer handles.
    #[cfg(feature = "full-regex")]
    #[test]
    fn lite_matches_like_the_full_engine() {
        let patterns = [
            "user unknown",
            "weren.t sent",
            r"\bTLS\b",
            r"\Bls",
            "a.b",
            "a..b",
            "[^a]b",
            r"\W+x",
            r"\D\S",
            r"^5\d\d",
            r"full$",
            r"(?m)^x$",
            r"(?mR)^x$",
            r"\Ax",
            r"x\z",
            r"\<bar\>",
            r"\b{start-half}foo\b{end-half}",
            "caf\u{e9}",
            r"\xE9",
            r"[\x80-\xFF]",
            r"[\x00-\x7F]+\z",
            "(?s).",
            "é+",
            "(a|b)c{2,3}?",
            "x{2,}",
            "(?:)",
            "a|",
            r"[a-c&&b]",
            r"[^\x00-\xFF]",
            "over quota|quota exceeded",
            r"(?i)MAILBOX\s+FULL",
            r"(?-i)Mailbox",
            r"\d{3}\.\d",
        ];
        let hay = [
            "",
            "user unknown",
            "User Unknown here",
            "weren't sent",
            "weren\u{2019}t sent",
            "STARTTLS failed",
            "no TLS",
            "TLSv1",
            "aéb",
            "a\u{e9}\u{e9}b",
            "aéb a.b",
            "ab",
            "ébx",
            "é x",
            "x",
            "é\nx\nfull",
            "x\r\nx",
            "bar",
            "foobar",
            " foo ",
            "café",
            "CAFÉ",
            "caf\u{c9}",
            "ÿ",
            "abcc",
            "acc",
            "xxx",
            "over quota",
            "Quota Exceeded",
            "mailbox   full",
            "MAILBOX FULL",
            "Mailbox",
            "mailbox",
            "550 5.1.1",
            "5\u{663}\u{663}",
            "\u{E0E9}",
            "\u{212A}",
            "ſ",
        ];
        for p in patterns {
            let full = full_build(&phrase_hir(p).unwrap()).unwrap();
            let lite = lite(p);
            // The page's form: the same behind its literal prefilter.
            let page = LitePhrase::new(&phrase_hir(p).unwrap()).unwrap();
            for h in hay {
                assert_eq!(
                    full.is_match(h.as_bytes()),
                    lite_is_match(&lite, h.as_bytes()),
                    "{p:?} on {h:?}"
                );
                assert_eq!(
                    full.is_match(h.as_bytes()),
                    page.is_match(h.as_bytes()),
                    "prefiltered {p:?} on {h:?}"
                );
            }
            // Invalid UTF-8 too (the core's templates are UTF-8, the engines need not care).
            for h in [&b"a\xFFb"[..], b"\xE9", b"caf\xC3", b"x\x80\x80"] {
                assert_eq!(full.is_match(h), lite_is_match(&lite, h), "{p:?} on {h:?}");
                assert_eq!(
                    full.is_match(h),
                    page.is_match(h),
                    "prefiltered {p:?} on {h:?}"
                );
            }
        }
    }

    /// Provider-code patterns of the rule table and others that touch what the prefilter
    /// reads (classes, case folding, repetitions, alternations, escapes, flags).
    const CODE_PATTERNS: &[&str] = &[
        r"\((S\d{3,6})\)",
        r"\b(AS\(\d{3,6}\))",
        r"\((AS\d{3,6})\)",
        r"\[((?:TSS|IPTS|TS|BL|GL|PH|RL|DM)\d{2})\]",
        r"\[((?:CS|HM|MS)\d{2})\]",
        r"\b((?:OFR|ofr|LPN)\d*_\d{3})\b",
        r"\b(RCP-[A-Z]\d)\b",
        r"\b(AUP#[A-Za-z]+(?:-\d+)?)",
        r"(?i)mailbox\s+(full)",
        r"(?i:ab)c",
        r"x*y",
        r"a?",
        r"[ab][cd]e",
        r"[^a]bc",
        r"\Dq",
        r"\W\w",
        r".z",
        r"(?s).z",
        r"\xE9",
        r"caf\x{e9}",
        r"\u00e9t\u00e9",
        r"(?u)k",
        r"(?iu:k)",
        r"\\x41",
        "é",
        r"(?x) a b # c",
        r"(?m)^5\d\d$",
        r"[0-2]{2}-",
        r"(?i)[k]",
    ];

    const CODE_HAYSTACKS: &[&str] = &[
        "",
        "550 5.7.1 Service unavailable (S3150) blocked",
        "AS(1234) x",
        "blocked (AS12345)",
        "[TSS04] [IPTS01] [CS01] [ms99]",
        "OFR006_102 ofr_999 LPN123_004 xOFR006_102",
        "RCP-P1 RCP-p1 XRCP-P1",
        "AUP#MXRT AUP#In-12",
        "Mailbox   FULL mailbox full",
        "AbC abc ABc",
        "xxxy y",
        "ace bdE",
        "zbc abc ébc",
        "aq éq 1q",
        "é9 _x",
        "éz \nz",
        "ak 9k",
        "a9 z9",
        "é caf\u{e9}",
        "été",
        "k K \u{212A}",
        r"\x41",
        "ab#c",
        "5\u{663}\u{663}",
        "550\n500",
        "01-",
    ];

    /// The prefilter never changes a result of regex-lite (the page's provider codes).
    #[test]
    fn prefilter_keeps_lite_results() {
        let groups = |c: Option<regex_lite::Captures<'_>>| {
            c.map(|c| {
                c.iter()
                    .map(|m| m.map(|m| (m.start(), m.end())))
                    .collect::<Vec<_>>()
            })
        };
        for p in CODE_PATTERNS {
            let with = LiteCode::new(p).unwrap_or_else(|e| panic!("{p}: {e}"));
            let plain = regex_lite::Regex::new(p).unwrap();
            for h in CODE_HAYSTACKS {
                assert_eq!(
                    groups(with.captures(h)),
                    groups(plain.captures(h)),
                    "{p:?} on {h:?}"
                );
            }
        }
        // The rule table's codes all get one.
        for p in &CODE_PATTERNS[..8] {
            assert!(LiteCode::new(p).unwrap().prefilter.is_some(), "{p}");
        }
        // Escapes and flags whose meaning differs between the engines get none.
        for p in [
            r"\xE9",
            r"caf\x{e9}",
            r"\u00e9t\u00e9",
            r"(?u)k",
            r"(?iu:k)",
            "é",
        ] {
            assert!(LiteCode::new(p).unwrap().prefilter.is_none(), "{p}");
        }
        assert!(LiteCode::new(r"\\x41").unwrap().prefilter.is_some());
        // Case variants shortened to at most MAX_LITERALS.
        assert!(LiteCode::new("(?i)mailbox").unwrap().prefilter.is_some());
        // A pattern that can match the empty string has none.
        assert!(LiteCode::new("a?").unwrap().prefilter.is_none());
    }

    /// Provider codes: the page's engine (prefiltered regex-lite) and the CLI's (`regex`)
    /// extract the same code from ASCII text.
    #[cfg(feature = "full-regex")]
    #[test]
    fn lite_codes_match_like_the_full_engine_on_ascii() {
        for p in CODE_PATTERNS {
            let lite = LiteCode::new(p).unwrap();
            let full = regex::Regex::new(p).unwrap();
            for h in CODE_HAYSTACKS.iter().filter(|h| h.is_ascii()) {
                let a = lite
                    .captures(h)
                    .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect::<Vec<_>>());
                let b = full
                    .captures(h)
                    .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect::<Vec<_>>());
                assert_eq!(a, b, "{p:?} on {h:?}");
            }
        }
    }

    /// Every phrase of the default table decides the same behind its prefilter as without,
    /// on the table's examples and counter-examples (as written, upper- and lower-cased), and
    /// all of them get a prefilter.
    #[test]
    fn phrase_prefilter_keeps_results() {
        let table = crate::postfix::rules::default_table();
        let mut texts: Vec<String> = vec!["User Unknown".to_owned(), "ÉTÉ caf\u{e9}".to_owned()];
        for r in &table.rules {
            for t in r.examples.iter().chain(&r.counter_examples) {
                texts.push(t.clone());
                texts.push(t.to_ascii_uppercase());
                texts.push(t.to_ascii_lowercase());
            }
        }
        for r in &table.rules {
            for p in r.phrases.iter().chain(&r.unless) {
                let hir = phrase_hir(p).unwrap();
                let page = LitePhrase::new(&hir).unwrap();
                assert!(page.prefilter.is_some(), "{p:?}");
                for t in &texts {
                    assert_eq!(
                        page.is_match(t.as_bytes()),
                        lite_is_match(&page.re, t.as_bytes()),
                        "{p:?} on {t:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn case_insensitive_contains() {
        assert!(contains_ignore_ascii_case(b"550 No Such User", b"no such"));
        assert!(contains_ignore_ascii_case(b"nnno", b"no"));
        assert!(contains_ignore_ascii_case(b"xTLS", b"tls"));
        assert!(!contains_ignore_ascii_case(b"tl", b"tls"));
        assert!(!contains_ignore_ascii_case(b"", b"a"));
        assert!(!contains_ignore_ascii_case(b"t\xC3\xA9ls", b"tls"));
    }

    #[test]
    fn unicode_phrases_are_rejected_in_every_build() {
        assert!(check_phrase("user unknown").is_ok());
        assert!(check_phrase("(?u:.)").is_err());
        assert!(check_phrase(r"(?u:\w)").is_err());
        assert!(check_phrase(r"(?u:\b)").is_err());
        assert!(check_phrase(r"\p{L}").is_err());
        assert!(check_phrase("(unclosed").is_err());
        // Unicode case folding of a letter adds non-ASCII chars (K: U+212A).
        assert!(check_phrase("(?u:[a-z])").is_err());
    }

    #[test]
    fn provider_codes_are_ascii() {
        let re = code_regex(r"\b((?:OFR|ofr|LPN)\d*_\d{3})\b").unwrap();
        assert_eq!(
            re.captures("x OFR006_102 y")
                .and_then(|c| c.get(1))
                .map(|m| m.as_str()),
            Some("OFR006_102")
        );
        // Unicode word boundary with `full-regex` (é is a letter), ASCII without.
        assert_eq!(
            re.captures("éOFR006_102").is_some(),
            cfg!(not(feature = "full-regex"))
        );
        assert!(code_regex("(").is_err());
    }
}
