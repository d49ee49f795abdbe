//! Phrase patterns of the rule table, matched against reply templates.
//!
//! Phrases run only on classification memo misses (a new reply template: a few hundred per
//! run), so what they cost is mostly building them. Two kinds:
//!
//! * a **literal** phrase (letters, digits, spaces and punctuation that is not a regex
//!   metacharacter, e.g. `user unknown`, two thirds of the default table) is an ASCII
//!   case-insensitive substring search: no compilation at all;
//! * any other phrase is a regex, compiled on first use ([`super::pattern`]: regex-automata
//!   with the `full-regex` feature, else regex-lite on the same parsed pattern).
//!
//! Both match exactly what the regex of the phrase would: patterns are compiled ASCII
//! case-insensitive without Unicode, and a literal pattern of such a regex matches where the
//! ASCII-lowercased haystack contains the ASCII-lowercased literal.

use std::cell::{OnceCell, RefCell};
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::pattern::PhraseRegex;

/// Bytes a pattern may consist of to be searched as a literal: none of them is special in
/// regex syntax outside a class (no `\ . + * ? ( ) | [ ] { } ^ $ #`).
fn literal_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b" _,:;'\"=/@!%<>-".contains(&c)
}

/// The ASCII-lowercased literal of a pattern that is one, else `None`.
fn as_literal(pattern: &str) -> Option<Box<[u8]>> {
    let b = pattern.as_bytes();
    (!b.is_empty() && b.iter().all(|&c| literal_byte(c))).then(|| b.to_ascii_lowercase().into())
}

/// One phrase pattern: a literal, or a regex compiled on first use.
#[derive(Debug)]
pub(super) struct Phrase {
    source: String,
    literal: Option<Box<[u8]>>,
    regex: OnceLock<Option<PhraseRegex>>,
}

impl Phrase {
    /// A phrase from its (syntax-checked) pattern.
    pub(super) fn new(source: String) -> Self {
        Self {
            literal: as_literal(&source),
            source,
            regex: OnceLock::new(),
        }
    }

    /// The regex of the phrase, compiled on first use. The syntax was checked when the table
    /// was built; a pattern that still fails to compile (size limits) matches nothing.
    fn regex_match(&self, haystack: &[u8]) -> bool {
        self.regex
            .get_or_init(|| PhraseRegex::new(&self.source))
            .as_ref()
            .is_some_and(|re| re.is_match(haystack))
    }
}

/// Phrase results for one template, evaluated on demand and remembered.
pub(super) struct PhraseHits<'a> {
    phrases: &'a [Phrase],
    haystack: &'a [u8],
    /// The haystack ASCII-lowercased, for literal phrases.
    lower: OnceCell<Vec<u8>>,
    known: RefCell<FxHashMap<usize, bool>>,
}

impl<'a> PhraseHits<'a> {
    /// No phrase evaluated yet for `tpl`.
    pub(super) fn new(phrases: &'a [Phrase], tpl: &'a str) -> Self {
        Self {
            phrases,
            haystack: tpl.as_bytes(),
            lower: OnceCell::new(),
            known: RefCell::default(),
        }
    }

    /// Whether phrase `i` matches the template (false for an index out of range).
    pub(super) fn matched(&self, i: usize) -> bool {
        if let Some(&hit) = self.known.borrow().get(&i) {
            return hit;
        }
        let hit = self.phrases.get(i).is_some_and(|p| match &p.literal {
            Some(lit) => {
                let lower = self
                    .lower
                    .get_or_init(|| self.haystack.to_ascii_lowercase());
                memchr::memmem::find(lower, lit).is_some()
            }
            None => p.regex_match(self.haystack),
        });
        self.known.borrow_mut().insert(i, hit);
        hit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every phrase of the default table matches like its regex, literal or not, on the
    /// table's examples and counter-examples, in their case and upper-cased.
    #[test]
    fn literal_phrases_match_like_their_regex() {
        let table = crate::postfix::rules::default_table();
        let mut texts: Vec<String> = Vec::new();
        for r in &table.rules {
            for t in r.examples.iter().chain(&r.counter_examples) {
                texts.push(t.clone());
                texts.push(t.to_ascii_uppercase());
            }
        }
        texts.push("User Unknown".to_owned());
        let mut literals = 0;
        for r in &table.rules {
            for p in r.phrases.iter().chain(&r.unless) {
                let phrase = Phrase::new(p.clone());
                literals += usize::from(phrase.literal.is_some());
                let as_regex = Phrase {
                    source: p.clone(),
                    literal: None,
                    regex: OnceLock::new(),
                };
                let (a, b) = ([phrase], [as_regex]);
                for t in &texts {
                    let fast = PhraseHits::new(&a, t).matched(0);
                    let slow = PhraseHits::new(&b, t).matched(0);
                    assert_eq!(fast, slow, "phrase {p:?} on {t:?}");
                }
            }
        }
        assert!(literals > 200, "{literals} literal phrases");
        assert!(as_literal("user unknown").is_some());
        assert!(as_literal("weren.t sent").is_none());
        assert!(as_literal("\\bTLS\\b").is_none());
        assert!(as_literal("").is_none());
    }
}
