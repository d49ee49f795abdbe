//! The exact-reply memo of [`super::classify::ClassifyCache`]: (key header, reply text) pairs
//! seen before, each with a dense id and the memo slot its template gave.
//!
//! Looked up for every failed delivery attempt (most of them repeat a reply seen before), so
//! it is built for that lookup: the key is hashed in place (the header and the text are not
//! copied into one key first), each table entry keeps the full 64-bit hash (a probe touches
//! the stored key only when the hashes are equal), and the keys lie back to back in one arena
//! instead of one heap block each. Open addressing with linear probing, at most half full.

/// Bytes before each key in the arena: its hash (8), length (4), id (4) and value (4).
const RECORD: usize = 20;
/// A free table slot.
const EMPTY: u64 = u64::MAX;

/// A bounded set of (header, text) keys with an id and a value each.
///
/// Each table slot is 8 bytes: the high 32 bits of the key's hash and the arena offset of its
/// record (hash, length, id, value, then the key bytes). The table (1 MiB at 65,536 keys)
/// mostly stays in the cache, and a hit reads one place of the arena, where the record's
/// first cache line holds both its fields and the start of the key.
#[derive(Debug, Default)]
pub(crate) struct ExactMemo {
    /// Power-of-two length (or empty), at most half full; [`EMPTY`] marks a free slot.
    table: Vec<u64>,
    arena: Vec<u8>,
    len: u32,
    key_bytes: usize,
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

/// The little-endian `u32` at `at`.
fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(w)
}

impl ExactMemo {
    /// Number of keys stored.
    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    /// Key bytes stored.
    pub(crate) fn bytes(&self) -> usize {
        self.key_bytes
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
        let tag = h >> 32;
        let mut i = h as usize & mask;
        loop {
            let slot = self.table[i];
            if slot == EMPTY {
                return None;
            }
            if slot >> 32 == tag {
                let rec = (slot & 0xffff_ffff) as usize;
                if u32_at(&self.arena, rec + 8) as usize == len {
                    let key = &self.arena[rec + RECORD..rec + RECORD + len];
                    if key[..header.len()] == *header && key[header.len()..] == *text {
                        return Some((
                            u32_at(&self.arena, rec + 12),
                            u32_at(&self.arena, rec + 16),
                        ));
                    }
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
        let rec = self.arena.len();
        let len = header.len() + text.len();
        self.arena.extend_from_slice(&h.to_le_bytes());
        self.arena.extend_from_slice(&(len as u32).to_le_bytes());
        self.arena.extend_from_slice(&id.to_le_bytes());
        self.arena.extend_from_slice(&value.to_le_bytes());
        self.arena.extend_from_slice(header);
        self.arena.extend_from_slice(text);
        self.place(h, rec);
        self.len += 1;
        self.key_bytes += len;
        id
    }

    /// Puts the record at `rec` (hash `h`) in the first free slot of its probe sequence.
    fn place(&mut self, h: u64, rec: usize) {
        let mask = self.table.len() - 1;
        let mut i = h as usize & mask;
        while self.table[i] != EMPTY {
            i = (i + 1) & mask;
        }
        self.table[i] = (h >> 32) << 32 | rec as u64;
    }

    /// Doubles the table (1,024 slots at first) and re-places the records by their hashes.
    fn grow(&mut self) {
        let size = (self.table.len() * 2).max(1024);
        self.table = vec![EMPTY; size];
        let mut rec = 0;
        while rec < self.arena.len() {
            let mut w = [0u8; 8];
            w.copy_from_slice(&self.arena[rec..rec + 8]);
            let h = u64::from_le_bytes(w);
            self.place(h, rec);
            rec += RECORD + u32_at(&self.arena, rec + 8) as usize;
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
