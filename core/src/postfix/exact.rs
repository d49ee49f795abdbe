//! The exact-reply memo of [`super::classify::ClassifyCache`]: (key header, reply text) pairs
//! seen before, each with a dense id and the memo slot its template gave.
//!
//! Looked up for every failed delivery attempt (most of them repeat a reply seen before), so
//! it is built for that lookup: the key is hashed in place (the header and the text are not
//! copied into one key first), each table entry keeps the full 64-bit hash (a probe touches
//! the stored key only when the hashes are equal), and the keys lie back to back in one arena
//! instead of one heap block each. Open addressing with linear probing, at most half full.

/// One stored key: `arena[start..start + len]` is the header followed by the text.
#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    hash: u64,
    start: u32,
    /// Key length in bytes; 0 marks an empty slot (a key always has a header).
    len: u32,
    /// Dense id, in insertion order.
    id: u32,
    /// The caller's value (the classification memo slot).
    value: u32,
}

/// A bounded set of (header, text) keys with an id and a value each.
#[derive(Debug, Default)]
pub(crate) struct ExactMemo {
    /// Power-of-two length (or empty), at most half full.
    table: Vec<Entry>,
    arena: Vec<u8>,
    len: u32,
}

/// Hash of a key given as its header and text (two lanes of FxHash-style mixing, 16 bytes a
/// step, so the multiplications overlap; the lengths are mixed in at the end).
pub(crate) fn hash(header: &[u8], text: &[u8]) -> u64 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mix = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let word = |s: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(s);
        u64::from_le_bytes(w)
    };
    let mut a = 0u64;
    let mut b = 0x9e37_79b9_7f4a_7c15u64;
    for part in [header, text] {
        let mut chunks = part.chunks_exact(16);
        for c in &mut chunks {
            a = mix(a, word(&c[..8]));
            b = mix(b, word(&c[8..]));
        }
        let rest = chunks.remainder();
        let mut rest8 = rest.chunks_exact(8);
        for c in &mut rest8 {
            a = mix(a, word(c));
        }
        let mut w = 0u64;
        for (k, &byte) in rest8.remainder().iter().enumerate() {
            w |= u64::from(byte) << (8 * k);
        }
        b = mix(b, w ^ ((part.len() as u64) << 32));
    }
    mix(a, b)
}

impl ExactMemo {
    /// Number of keys stored.
    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    /// Key bytes stored.
    pub(crate) fn bytes(&self) -> usize {
        self.arena.len()
    }

    /// The (id, value) of the key `header` + `text` (whose [`hash`] is `h`), if stored. Keys
    /// are equal when their bytes are (header and text read as one string).
    #[inline]
    pub(crate) fn find(&self, h: u64, header: &[u8], text: &[u8]) -> Option<(u32, u32)> {
        if self.table.is_empty() {
            return None;
        }
        let mask = self.table.len() - 1;
        let len = header.len() + text.len();
        let mut i = h as usize & mask;
        loop {
            let e = self.table[i];
            if e.len == 0 {
                return None;
            }
            if e.hash == h && e.len as usize == len {
                let start = e.start as usize;
                let key = &self.arena[start..start + len];
                if key[..header.len()] == *header && key[header.len()..] == *text {
                    return Some((e.id, e.value));
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Stores the key `header` + `text` (hash `h`, not stored yet) with `value`; returns its
    /// id. The caller bounds the number of keys and their bytes (ids and offsets fit `u32`).
    pub(crate) fn insert(&mut self, h: u64, header: &[u8], text: &[u8], value: u32) -> u32 {
        if (self.len as usize + 1) * 2 > self.table.len() {
            self.grow();
        }
        let id = self.len;
        let entry = Entry {
            hash: h,
            start: self.arena.len() as u32,
            len: (header.len() + text.len()) as u32,
            id,
            value,
        };
        self.arena.extend_from_slice(header);
        self.arena.extend_from_slice(text);
        self.place(entry);
        self.len += 1;
        id
    }

    /// Puts `entry` in the first free slot of its probe sequence.
    fn place(&mut self, entry: Entry) {
        let mask = self.table.len() - 1;
        let mut i = entry.hash as usize & mask;
        while self.table[i].len != 0 {
            i = (i + 1) & mask;
        }
        self.table[i] = entry;
    }

    /// Doubles the table (1,024 slots at first) and re-places the entries by their hashes.
    fn grow(&mut self) {
        let size = (self.table.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.table, vec![Entry::default(); size]);
        for e in old.into_iter().filter(|e| e.len != 0) {
            self.place(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_was_stored_and_nothing_else() {
        let mut m = ExactMemo::default();
        let texts: Vec<String> = (0..5000).map(|i| format!("451 4.7.{i} busy {i}")).collect();
        for (k, t) in texts.iter().enumerate() {
            let h = hash(b"dR\x1f", t.as_bytes());
            assert_eq!(m.find(h, b"dR\x1f", t.as_bytes()), None);
            assert_eq!(m.insert(h, b"dR\x1f", t.as_bytes(), k as u32 * 3), k as u32);
        }
        for (k, t) in texts.iter().enumerate() {
            let h = hash(b"dR\x1f", t.as_bytes());
            assert_eq!(
                m.find(h, b"dR\x1f", t.as_bytes()),
                Some((k as u32, k as u32 * 3))
            );
            // Another header: another key.
            let h2 = hash(b"bR\x1f", t.as_bytes());
            assert_eq!(m.find(h2, b"bR\x1f", t.as_bytes()), None);
        }
        assert_eq!(m.len(), 5000);
        // Equal hashes alone do not make equal keys.
        assert_eq!(m.find(hash(b"dR\x1f", b"x"), b"dR\x1f", b"y"), None);
    }
}
