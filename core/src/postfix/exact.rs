//! The exact-reply memo of [`super::classify::ClassifyCache`]: (key header, reply text) pairs
//! seen before, each with the memo slot its template gave and a note of the caller's. The same
//! table serves the cache's relay-host and recipient-domain provider memos (key: the name).
//!
//! Looked up for every failed delivery attempt (most of them repeat a reply seen before), so
//! it is built for that lookup: a key is identified by its 128-bit hash ([`hash`], xxh3-128 of
//! the header and text read as one string) and the key bytes are not stored at all, so a hit
//! reads one table slot and nothing else. Open addressing with linear probing, at most half
//! full.
//!
//! Two different keys with the same 128-bit hash would share one entry (the second would get
//! the first one's classification). Among the at most [`super::classify::ClassifyCache::EXACT_CAPACITY`]
//! keys (about 10^5 distinct replies in a 1 GB log) the chance of any such pair is about
//! 2^-95. The reply texts come from remote servers and so are chosen by whoever runs them, and
//! xxh3 is not a cryptographic hash: a server that predicts another reply text byte for byte
//! (with its dsn, code and provider, all part of the key) and finds a second preimage for it
//! could, by replying first, make that text take its own reply's classification (and a relay
//! host or recipient domain name crafted the same way would lend a later name its provider).
//! That is the whole reach: the counts and samples otherwise come from the lines themselves.

/// A table slot: the key's 128-bit hash (two words), its value and the caller's note.
#[derive(Debug, Clone, Copy)]
struct Slot {
    lo: u64,
    hi: u64,
    value: u32,
    note: u32,
}

/// The value of a free slot (values are below it).
const FREE: u32 = u32::MAX;

const EMPTY: Slot = Slot {
    lo: 0,
    hi: 0,
    value: FREE,
    note: 0,
};

/// A bounded set of keys (by their 128-bit [`hash`]) with a value and a note each.
///
/// Each slot is 24 bytes (3 MiB at 65,536 keys); no key bytes are kept. The note (0 when the
/// key is stored) is the caller's per-key data, kept in the slot so that reading it after a
/// lookup touches no other memory. A key is named by its slot index ([`ExactMemo::find`],
/// [`ExactMemo::insert`]), valid until the next insert.
#[derive(Debug, Default)]
pub(crate) struct ExactMemo {
    /// Power-of-two length (or empty), at most half full; a slot with id [`FREE`] is free.
    table: Vec<Slot>,
    len: u32,
}

/// The 128-bit hash of the key `key` (header and reply text as one string): xxh3-128.
#[inline]
pub(crate) fn hash(key: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(key)
}

impl ExactMemo {
    /// Number of keys stored.
    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    /// The (slot index, value) of the key whose [`hash`] is `h`, if stored.
    #[inline]
    pub(crate) fn find(&self, h: u128) -> Option<(usize, u32)> {
        if self.table.is_empty() {
            return None;
        }
        let (lo, hi) = (h as u64, (h >> 64) as u64);
        let mask = self.table.len() - 1;
        let mut i = lo as usize & mask;
        loop {
            let slot = &self.table[i];
            if slot.lo == lo && slot.hi == hi && slot.value != FREE {
                return Some((i, slot.value));
            }
            if slot.value == FREE {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Stores the key with [`hash`] `h` (not stored yet) with `value` (below `u32::MAX`) and
    /// note 0; returns its slot index. The caller bounds the number of keys.
    pub(crate) fn insert(&mut self, h: u128, value: u32) -> usize {
        debug_assert!(value != FREE);
        if (self.len as usize + 1) * 2 > self.table.len() {
            self.grow();
        }
        self.len += 1;
        self.place(Slot {
            lo: h as u64,
            hi: (h >> 64) as u64,
            value,
            note: 0,
        })
    }

    /// The note of the key at slot index `i` (from [`Self::find`] or [`Self::insert`]).
    pub(crate) fn note(&self, i: usize) -> u32 {
        self.table[i].note
    }

    /// Sets the note of the key at slot index `i`.
    pub(crate) fn set_note(&mut self, i: usize, note: u32) {
        self.table[i].note = note;
    }

    /// Puts `slot` in the first free slot of its probe sequence; returns that index.
    fn place(&mut self, slot: Slot) -> usize {
        let mask = self.table.len() - 1;
        let mut i = slot.lo as usize & mask;
        while self.table[i].value != FREE {
            i = (i + 1) & mask;
        }
        self.table[i] = slot;
        i
    }

    /// Doubles the table (1,024 slots at first) and re-places the slots by their hashes.
    fn grow(&mut self) {
        let size = (self.table.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.table, vec![EMPTY; size]);
        for slot in old {
            if slot.value != FREE {
                self.place(slot);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_was_stored_and_nothing_else() {
        let mut m = ExactMemo::default();
        let key = |header: &[u8], t: &str| {
            let mut k = header.to_vec();
            k.extend_from_slice(t.as_bytes());
            hash(&k)
        };
        let texts: Vec<String> = (0..5000).map(|i| format!("451 4.7.{i} busy {i}")).collect();
        for (k, t) in texts.iter().enumerate() {
            let h = key(b"dR\x1f", t);
            assert_eq!(m.find(h), None);
            let i = m.insert(h, k as u32 * 3);
            assert_eq!(m.note(i), 0);
            m.set_note(i, k as u32 + 1);
        }
        for (k, t) in texts.iter().enumerate() {
            let (i, v) = m.find(key(b"dR\x1f", t)).unwrap_or_default();
            assert_eq!((v, m.note(i)), (k as u32 * 3, k as u32 + 1));
            // Another header: another key.
            assert_eq!(m.find(key(b"bR\x1f", t)), None);
        }
        assert_eq!(m.len(), 5000);
        // A zero hash is a key like any other (free slots are marked by their value).
        assert_eq!(m.find(0), None);
        let i = m.insert(0, 7);
        assert_eq!(m.find(0), Some((i, 7)));
    }
}
