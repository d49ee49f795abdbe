//! Byte search for short spans (log fields of a few to a few dozen bytes).
//!
//! `memchr` is the right tool for long haystacks, but each call pays for its dispatch and
//! alignment handling; on the 5-40 byte fields of a delivery line a word-at-a-time (SWAR)
//! scan, eight bytes per step, is several times cheaper. No `unsafe`, no target features:
//! the same code runs natively and in WebAssembly.

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Index of the first byte of `word` (little-endian lanes) equal to the byte repeated in
/// `pattern`, if any. Exact for the lowest match: the classic "has zero byte" test can only
/// misfire on lanes above a true match.
#[inline]
fn first_in_word(word: u64, pattern: u64) -> Option<usize> {
    let x = word ^ pattern;
    let t = x.wrapping_sub(LO) & !x & HI;
    (t != 0).then(|| (t.trailing_zeros() / 8) as usize)
}

/// Position of the first `needle` in `hay`.
#[inline]
pub(crate) fn find_byte(needle: u8, hay: &[u8]) -> Option<usize> {
    let pattern = LO * u64::from(needle);
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        if let Some(i) = first_in_word(u64::from_le_bytes(w), pattern) {
            return Some(base + i);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == needle)
        .map(|i| base + i)
}

/// Position of the first byte of `hay` equal to `a` or `b`.
#[inline]
pub(crate) fn find_byte2(a: u8, b: u8, hay: &[u8]) -> Option<usize> {
    let pa = LO * u64::from(a);
    let pb = LO * u64::from(b);
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let word = u64::from_le_bytes(w);
        let (xa, xb) = (word ^ pa, word ^ pb);
        // Each mask is exact for its lowest match (see `first_in_word`), so the lowest bit of
        // their union is the first byte equal to either needle.
        let t = (xa.wrapping_sub(LO) & !xa & HI) | (xb.wrapping_sub(LO) & !xb & HI);
        if t != 0 {
            return Some(base + (t.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == a || c == b)
        .map(|i| base + i)
}

/// The little-endian word of the 8 bytes of `s` at `at`.
#[inline]
fn word_at(s: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&s[at..at + 8]);
    u64::from_le_bytes(w)
}

/// `a == b`, compared eight bytes at a time. Slice equality is a `memcmp` call, and in
/// WebAssembly that `memcmp` (compiler-builtins') compares byte by byte: several times slower
/// on the 50-300 byte keys of the classification memo than these word compares.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0;
    }
    let mut at = 0;
    while at + 8 <= n {
        if word_at(a, at) != word_at(b, at) {
            return false;
        }
        at += 8;
    }
    // The last (overlapping) word covers the rest.
    word_at(a, n - 8) == word_at(b, n - 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_agrees_with_slice_equality() {
        let base: Vec<u8> = (0..70u32).map(|i| (i * 37 % 251) as u8).collect();
        for n in 0..base.len() {
            let a = &base[..n];
            assert!(same_bytes(a, a));
            assert!(!same_bytes(a, &base[..=n]));
            for k in 0..n {
                let mut b = a.to_vec();
                b[k] ^= 0x80;
                assert!(!same_bytes(a, &b), "len {n} differs at {k}");
            }
        }
    }

    #[test]
    fn agrees_with_a_plain_search() {
        let hay: Vec<u8> = (0..200u32).map(|i| (i * 37 % 251) as u8).collect();
        for start in 0..40 {
            for len in 0..(hay.len() - start) {
                let h = &hay[start..start + len];
                for needle in [0u8, 1, 37, 74, 128, 200, 250, 255] {
                    assert_eq!(
                        find_byte(needle, h),
                        h.iter().position(|&b| b == needle),
                        "needle {needle} start {start} len {len}"
                    );
                }
            }
        }
        // High bytes and neighbours of the needle (borrow propagation).
        let h = [0x80u8, 0x81, 0x7f, 0x2c, 0x2b, 0x2d, 0x2c, 0];
        assert_eq!(find_byte(0x2c, &h), Some(3));
        assert_eq!(find_byte(0x2b, &h), Some(4));
        assert_eq!(find_byte(0x80, &h), Some(0));
        assert_eq!(find_byte(0, &h), Some(7));
    }

    #[test]
    fn two_needles_agree_with_a_plain_search() {
        let hay: Vec<u8> = (0..120u32).map(|i| (i * 37 % 251) as u8).collect();
        for start in 0..24 {
            for len in 0..(hay.len() - start) {
                let h = &hay[start..start + len];
                for (a, b) in [
                    (0u8, 1u8),
                    (37, 74),
                    (128, 127),
                    (200, 250),
                    (255, 254),
                    (44, 91),
                ] {
                    assert_eq!(
                        find_byte2(a, b, h),
                        h.iter().position(|&c| c == a || c == b),
                        "needles {a} {b} start {start} len {len}"
                    );
                }
            }
        }
        let h = [0x80u8, 0x81, 0x7f, 0x2c, 0x2b, 0x5b, 0x2c, 0];
        assert_eq!(find_byte2(0x5b, 0x2c, &h), Some(3));
        assert_eq!(find_byte2(0x5b, 0x2b, &h), Some(4));
        assert_eq!(find_byte2(0, 0x5b, &h), Some(5));
    }
}
