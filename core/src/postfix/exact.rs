//! The exact-reply memo of [`super::classify::ClassifyCache`]: (key header, reply text) pairs
//! seen before, each with a dense id and the memo slot its template gave.
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
//! 2^-95. The reply texts come from remote servers and so are chosen by whoever runs them, but
//! a crafted collision would only let such a server's reply be classified like another text it
//! could have sent itself (xxh3 is not a cryptographic hash; nothing else depends on it).

/// A table slot: the key's 128-bit hash (two words), its dense id and its value.
#[derive(Debug, Clone, Copy)]
struct Slot {
    lo: u64,
    hi: u64,
    id: u32,
    value: u32,
}

/// The id of a free slot.
const FREE: u32 = u32::MAX;

const EMPTY: Slot = Slot {
    lo: 0,
    hi: 0,
    id: FREE,
    value: 0,
};

/// A bounded set of keys (by their 128-bit [`hash`]) with an id and a value each.
///
/// Each slot is 24 bytes (3 MiB at 65,536 keys); no key bytes are kept.
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

    /// The (id, value) of the key whose [`hash`] is `h`, if stored.
    #[inline]
    pub(crate) fn find(&self, h: u128) -> Option<(u32, u32)> {
        if self.table.is_empty() {
            return None;
        }
        let (lo, hi) = (h as u64, (h >> 64) as u64);
        let mask = self.table.len() - 1;
        let mut i = lo as usize & mask;
        loop {
            let slot = &self.table[i];
            if slot.lo == lo && slot.hi == hi && slot.id != FREE {
                return Some((slot.id, slot.value));
            }
            if slot.id == FREE {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Stores the key with [`hash`] `h` (not stored yet) with `value`; returns its id. The
    /// caller bounds the number of keys (ids fit `u32` below [`FREE`]).
    pub(crate) fn insert(&mut self, h: u128, value: u32) -> u32 {
        if (self.len as usize + 1) * 2 > self.table.len() {
            self.grow();
        }
        let id = self.len;
        self.place(Slot {
            lo: h as u64,
            hi: (h >> 64) as u64,
            id,
            value,
        });
        self.len += 1;
        id
    }

    /// Puts `slot` in the first free slot of its probe sequence.
    fn place(&mut self, slot: Slot) {
        let mask = self.table.len() - 1;
        let mut i = slot.lo as usize & mask;
        while self.table[i].id != FREE {
            i = (i + 1) & mask;
        }
        self.table[i] = slot;
    }

    /// Doubles the table (1,024 slots at first) and re-places the slots by their hashes.
    fn grow(&mut self) {
        let size = (self.table.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.table, vec![EMPTY; size]);
        for slot in old {
            if slot.id != FREE {
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
            assert_eq!(m.insert(h, k as u32 * 3), k as u32);
        }
        for (k, t) in texts.iter().enumerate() {
            assert_eq!(m.find(key(b"dR\x1f", t)), Some((k as u32, k as u32 * 3)));
            // Another header: another key.
            assert_eq!(m.find(key(b"bR\x1f", t)), None);
        }
        assert_eq!(m.len(), 5000);
        // A zero hash is a key like any other (free slots are marked by their id).
        assert_eq!(m.find(0), None);
        let id = m.insert(0, 7);
        assert_eq!(m.find(0), Some((id, 7)));
    }
}
