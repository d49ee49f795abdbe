//! Mailbox provider identification: host-suffix and domain matching.
//!
//! Matching is case-insensitive and on a label boundary: the suffix `protection.outlook.com`
//! matches `x.mail.protection.outlook.com` and `protection.outlook.com`, never
//! `xprotection.outlook.com`. A `*` label in a pattern matches exactly one label
//! (`inbound-smtp.*.amazonaws.com`, `yahoo.*`). The longest literal suffix wins; wildcard
//! patterns are tried after the literal ones, in insertion order.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::classify::FxHasher;

/// Label-boundary suffix matcher from patterns to a value (a provider index).
#[derive(Debug, Clone, Default)]
pub struct SuffixMatcher {
    literal: HashMap<Box<str>, usize, BuildHasherDefault<FxHasher>>,
    /// Wildcard patterns: labels stored right to left, a literal label the host must contain
    /// (cheap pre-check), the value.
    wild: Vec<(Vec<Box<str>>, memchr::memmem::Finder<'static>, usize)>,
    /// Longest literal pattern, in labels (bounds the suffixes tried).
    max_labels: usize,
}

impl SuffixMatcher {
    /// Adds a pattern; the first value inserted for a pattern wins. Returns false for an
    /// empty or malformed pattern (empty labels).
    pub fn insert(&mut self, pattern: &str, value: usize) -> bool {
        let p = pattern
            .trim()
            .trim_start_matches('.')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        if p.is_empty() || p.split('.').any(str::is_empty) {
            return false;
        }
        if p.split('.').any(|l| l == "*") {
            let labels: Vec<Box<str>> = p.rsplit('.').map(Box::from).collect();
            let anchor = labels.iter().find(|l| &***l != "*").map_or("", |l| &**l);
            let anchor = memchr::memmem::Finder::new(anchor.as_bytes()).into_owned();
            if !self.wild.iter().any(|(l, _, _)| *l == labels) {
                self.wild.push((labels, anchor, value));
            }
        } else {
            self.max_labels = self.max_labels.max(p.split('.').count());
            self.literal.entry(p.into_boxed_str()).or_insert(value);
        }
        true
    }

    /// The value of the longest matching pattern for `host` (any case), if any.
    pub fn find(&self, host: &str) -> Option<usize> {
        let host = host.trim().trim_end_matches('.');
        if host.is_empty() {
            return None;
        }
        let mut buf = [0u8; 256];
        let lower: &str = if host.bytes().any(|b| b.is_ascii_uppercase()) {
            if host.len() > buf.len() {
                return None;
            }
            buf[..host.len()].copy_from_slice(host.as_bytes());
            buf[..host.len()].make_ascii_lowercase();
            std::str::from_utf8(&buf[..host.len()]).ok()?
        } else {
            host
        };
        if !self.literal.is_empty() {
            // Label starts, left to right; the leftmost start within `max_labels` labels of
            // the end gives the longest candidate suffix.
            let dots = lower.bytes().filter(|&b| b == b'.').count();
            let skip = (dots + 1).saturating_sub(self.max_labels);
            let mut start = 0usize;
            let mut label = 0usize;
            loop {
                if label >= skip
                    && let Some(&v) = self.literal.get(&lower[start..])
                {
                    return Some(v);
                }
                match lower[start..].find('.') {
                    Some(i) => {
                        start += i + 1;
                        label += 1;
                    }
                    None => break,
                }
            }
        }
        for (labels, anchor, v) in &self.wild {
            if anchor.find(lower.as_bytes()).is_none() {
                continue;
            }
            let mut host_labels = lower.rsplit('.');
            if labels
                .iter()
                .all(|p| host_labels.next().is_some_and(|h| &**p == "*" || **p == *h))
            {
                return Some(*v);
            }
        }
        None
    }
}

/// Case-insensitive (ASCII) substring matcher from clue words to a value (a provider index):
/// the leftmost match in a text wins, and among clues matching there the first inserted, as
/// aho-corasick's `LeftmostFirst` with `ascii_case_insensitive` gives.
///
/// One pass over the text with a table of the clues' first two bytes (8 KB): a position whose
/// pair no clue starts with costs one bit test, the others compare the few clues that start
/// with its byte. The page's module without aho-corasick is 33 KB (gzip -9) smaller, and the
/// texts are short replies (only failures whose host and domain name no provider get here).
#[derive(Debug, Clone)]
pub struct ClueMatcher {
    /// Clue words, ASCII-lowercased, with their values, grouped by first byte in insertion
    /// order: `by_first[b]` are indices into `clues`.
    clues: Vec<(Box<[u8]>, usize)>,
    by_first: Vec<Vec<u16>>,
    /// Bit `b0 << 8 | b1` is set when a clue starts with the (lowercased) bytes `b0 b1`, or
    /// is the single byte `b0` (then for every `b1`, and for the text's last byte `b1 = 0`).
    pairs: Vec<u64>,
}

impl Default for ClueMatcher {
    fn default() -> Self {
        Self {
            clues: Vec::new(),
            by_first: vec![Vec::new(); 256],
            pairs: vec![0; 1 << 10],
        }
    }
}

impl ClueMatcher {
    /// Adds a clue (ignored when empty, or past 65,536 clues).
    pub fn insert(&mut self, clue: &str, value: usize) {
        let word = clue.as_bytes().to_ascii_lowercase();
        let Ok(index) = u16::try_from(self.clues.len()) else {
            return;
        };
        let Some(&b0) = word.first() else {
            return;
        };
        match word.get(1) {
            Some(&b1) => self.set_pair(b0, b1),
            None => (0..=255).for_each(|b1| self.set_pair(b0, b1)),
        }
        self.by_first[usize::from(b0)].push(index);
        self.clues.push((word.into_boxed_slice(), value));
    }

    fn set_pair(&mut self, b0: u8, b1: u8) {
        let bit = usize::from(b0) << 8 | usize::from(b1);
        self.pairs[bit >> 6] |= 1 << (bit & 63);
    }

    /// Whether no clue was inserted.
    pub fn is_empty(&self) -> bool {
        self.clues.is_empty()
    }

    /// The value of the leftmost clue in `text` (ASCII case-insensitive; the first inserted
    /// among clues starting there), if any.
    pub fn find(&self, text: &str) -> Option<usize> {
        let t = text.as_bytes();
        for (i, &b) in t.iter().enumerate() {
            let b0 = b.to_ascii_lowercase();
            let b1 = t.get(i + 1).map_or(0, u8::to_ascii_lowercase);
            let bit = usize::from(b0) << 8 | usize::from(b1);
            if self.pairs[bit >> 6] & (1 << (bit & 63)) == 0 {
                continue;
            }
            for &k in &self.by_first[usize::from(b0)] {
                let (word, value) = &self.clues[usize::from(k)];
                if t.get(i..i + word.len())
                    .is_some_and(|s| s.eq_ignore_ascii_case(word))
                {
                    return Some(*value);
                }
            }
        }
        None
    }
}

/// True for an IP literal, `localhost` or an empty name: nothing to learn from it.
pub fn is_address_like(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    h.is_empty()
        || h.eq_ignore_ascii_case("localhost")
        || h.contains(':')
        || h.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        || h.contains('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_on_label_boundaries() {
        let mut m = SuffixMatcher::default();
        assert!(m.insert("protection.outlook.com", 1));
        assert!(m.insert("outlook.com", 2));
        assert!(m.insert("inbound-smtp.*.amazonaws.com", 3));
        assert!(m.insert("yahoo.*", 4));
        assert!(!m.insert("a..b", 9));
        assert_eq!(m.find("hotmail-com.olc.protection.outlook.com"), Some(1));
        assert_eq!(m.find("Example-COM.mail.Protection.Outlook.com."), Some(1));
        assert_eq!(m.find("xprotection.outlook.com"), Some(2));
        assert_eq!(m.find("outlook.com"), Some(2));
        assert_eq!(m.find("notoutlook.com"), None);
        assert_eq!(m.find("inbound-smtp.us-west-2.amazonaws.com"), Some(3));
        assert_eq!(m.find("ec2-1-2-3-4.compute.amazonaws.com"), None);
        assert_eq!(m.find("yahoo.fr"), Some(4));
        assert_eq!(m.find("mail.yahoo.fr"), Some(4));
        assert_eq!(m.find(""), None);
    }

    #[test]
    fn clues_leftmost_then_first_inserted() {
        let mut m = ClueMatcher::default();
        assert!(m.find("anything").is_none());
        m.insert("gsmtp", 1);
        m.insert("outlook.com", 2);
        m.insert("protection.outlook.com", 3);
        m.insert("x", 4);
        m.insert("", 5);
        assert_eq!(m.find("550 5.7.1 rejected - GSMTP"), Some(1));
        // Leftmost wins over insertion order; at one start, the first inserted.
        assert_eq!(m.find("see protection.outlook.com gsmtp"), Some(3));
        assert_eq!(
            m.find("see Outlook.COM and protection.outlook.com"),
            Some(2)
        );
        assert_eq!(m.find("abc x"), Some(4));
        assert_eq!(m.find("gsmt"), None);
        assert_eq!(m.find(""), None);
    }

    #[test]
    fn address_like() {
        assert!(is_address_like("127.0.0.1"));
        assert!(is_address_like("[2001:db8::1]"));
        assert!(is_address_like("localhost"));
        assert!(!is_address_like("mx.example.com"));
    }
}
