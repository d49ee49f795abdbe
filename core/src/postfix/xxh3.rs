//! XXH3-128 (seed 0, default secret) for keys of 9 to 240 bytes, bit for bit the same as
//! `xxhash_rust::xxh3::xxh3_128`, with the 64 x 64 -> 128-bit products written out in 32-bit
//! halves on wasm32. WebAssembly has no widening multiply, so a `u128` product is a call to
//! compiler-builtins' generic `__multi3` (a full 128 x 128-bit product): in the page's module
//! that call, made once or twice per 16 bytes of every memo key, cost about as much as the rest
//! of the hash. Natively the `u128` product (one `mul` instruction) is kept. Shorter and
//! longer keys go to `xxhash_rust` itself; a test checks equality on every length up to 300.

use xxhash_rust::xxh3::xxh3_128;

const PRIME64_1: u64 = 0x9E37_79B1_85EB_CA87;
const PRIME64_2: u64 = 0xC2B2_AE3D_27D4_EB4F;
const PRIME64_4: u64 = 0x85EB_CA77_C2B2_AE63;
const PRIME32_2: u32 = 0x85EB_CA77;

/// The first 136 bytes (`XXH3_SECRET_SIZE_MIN`) of XXH3's default secret (`XXH3_kSecret`),
/// all that keys of up to 240 bytes use.
const SECRET: [u8; 136] = [
    0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
    0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
    0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
    0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
    0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
    0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
    0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
    0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
    0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3,
];

/// The 128-bit product of `a` and `b` as (low, high) words.
#[cfg(not(target_arch = "wasm32"))]
#[inline]
fn mul_wide(a: u64, b: u64) -> (u64, u64) {
    let p = u128::from(a) * u128::from(b);
    (p as u64, (p >> 64) as u64)
}

#[cfg(target_arch = "wasm32")]
use mul_wide_halves as mul_wide;

/// The 128-bit product of `a` and `b` as (low, high) words, from four 32 x 32-bit products
/// (XXH_mult64to128's portable form): the product on wasm32.
#[cfg_attr(not(any(target_arch = "wasm32", test)), allow(dead_code))]
#[inline]
fn mul_wide_halves(a: u64, b: u64) -> (u64, u64) {
    const LO: u64 = 0xFFFF_FFFF;
    let lo_lo = (a & LO) * (b & LO);
    let hi_lo = (a >> 32) * (b & LO);
    let lo_hi = (a & LO) * (b >> 32);
    let hi_hi = (a >> 32) * (b >> 32);
    let cross = (lo_lo >> 32) + (hi_lo & LO) + lo_hi;
    let upper = (hi_lo >> 32) + (cross >> 32) + hi_hi;
    let lower = (cross << 32) | (lo_lo & LO);
    (lower, upper)
}

#[inline]
fn mul_fold(a: u64, b: u64) -> u64 {
    let (lo, hi) = mul_wide(a, b);
    lo ^ hi
}

#[inline]
fn read64(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

#[inline]
fn avalanche(mut h: u64) -> u64 {
    h ^= h >> 37;
    h = h.wrapping_mul(0x1656_6791_9E37_79F9);
    h ^ (h >> 32)
}

#[inline]
fn mix16(input: &[u8], at: usize, secret_at: usize) -> u64 {
    mul_fold(
        read64(input, at) ^ read64(&SECRET, secret_at),
        read64(input, at + 8) ^ read64(&SECRET, secret_at + 8),
    )
}

/// XXH3's `mix32B` (seed 0): the 16 bytes at `a` and at `b` into the accumulators.
#[inline]
fn mix32(lo: &mut u64, hi: &mut u64, input: &[u8], a: usize, b: usize, secret_at: usize) {
    *lo = lo.wrapping_add(mix16(input, a, secret_at));
    *lo ^= read64(input, b).wrapping_add(read64(input, b + 8));
    *hi = hi.wrapping_add(mix16(input, b, secret_at + 16));
    *hi ^= read64(input, a).wrapping_add(read64(input, a + 8));
}

#[inline]
fn finish(lo: u64, hi: u64, len: usize) -> u128 {
    let low = avalanche(lo.wrapping_add(hi));
    let high = 0u64.wrapping_sub(avalanche(
        lo.wrapping_mul(PRIME64_1)
            .wrapping_add(hi.wrapping_mul(PRIME64_4))
            .wrapping_add((len as u64).wrapping_mul(PRIME64_2)),
    ));
    u128::from(low) | (u128::from(high) << 64)
}

fn len_9to16(input: &[u8]) -> u128 {
    let len = input.len();
    let flip_lo = read64(&SECRET, 32) ^ read64(&SECRET, 40);
    let flip_hi = read64(&SECRET, 48) ^ read64(&SECRET, 56);
    let input_lo = read64(input, 0);
    let mut input_hi = read64(input, len - 8);
    let (mut mul_low, mut mul_high) = mul_wide(input_lo ^ input_hi ^ flip_lo, PRIME64_1);
    mul_low = mul_low.wrapping_add((len as u64 - 1) << 54);
    input_hi ^= flip_hi;
    mul_high = mul_high.wrapping_add(
        input_hi.wrapping_add(u64::from(input_hi as u32).wrapping_mul(u64::from(PRIME32_2 - 1))),
    );
    mul_low ^= mul_high.swap_bytes();
    let (result_low, mut result_high) = mul_wide(mul_low, PRIME64_2);
    result_high = result_high.wrapping_add(mul_high.wrapping_mul(PRIME64_2));
    u128::from(avalanche(result_low)) | (u128::from(avalanche(result_high)) << 64)
}

fn len_17to128(input: &[u8]) -> u128 {
    let len = input.len();
    let mut lo = (len as u64).wrapping_mul(PRIME64_1);
    let mut hi = 0;
    if len > 32 {
        if len > 64 {
            if len > 96 {
                mix32(&mut lo, &mut hi, input, 48, len - 64, 96);
            }
            mix32(&mut lo, &mut hi, input, 32, len - 48, 64);
        }
        mix32(&mut lo, &mut hi, input, 16, len - 32, 32);
    }
    mix32(&mut lo, &mut hi, input, 0, len - 16, 0);
    finish(lo, hi, len)
}

fn len_129to240(input: &[u8]) -> u128 {
    let len = input.len();
    let rounds = len / 32;
    let mut lo = (len as u64).wrapping_mul(PRIME64_1);
    let mut hi = 0;
    for i in 0..4 {
        mix32(&mut lo, &mut hi, input, 32 * i, 32 * i + 16, 32 * i);
    }
    lo = avalanche(lo);
    hi = avalanche(hi);
    for i in 4..rounds {
        mix32(
            &mut lo,
            &mut hi,
            input,
            32 * i,
            32 * i + 16,
            3 + 32 * (i - 4),
        );
    }
    // The last 32 bytes, halves swapped, at secret offset SECRET_SIZE_MIN - 17 - 16.
    mix32(&mut lo, &mut hi, input, len - 16, len - 32, 136 - 17 - 16);
    finish(lo, hi, len)
}

/// XXH3-128 of `input` (seed 0): `xxhash_rust::xxh3::xxh3_128(input)`.
#[inline]
pub(crate) fn xxh3_128_hash(input: &[u8]) -> u128 {
    match input.len() {
        9..=16 => len_9to16(input),
        17..=128 => len_17to128(input),
        129..=240 => len_129to240(input),
        _ => xxh3_128(input),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_as_xxhash_rust_on_every_length() {
        let mut x = 0x1234_5678_9abc_def0u64;
        let data: Vec<u8> = (0..300)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        for len in 0..=data.len() {
            for start in [0, 1, 7] {
                if start + len <= data.len() {
                    let s = &data[start..start + len];
                    assert_eq!(xxh3_128_hash(s), xxh3_128(s), "len {len} start {start}");
                }
            }
            let text = "x".repeat(len);
            assert_eq!(xxh3_128_hash(text.as_bytes()), xxh3_128(text.as_bytes()));
        }
    }

    #[test]
    fn wide_product_in_halves() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut pairs = vec![
            (u64::MAX, u64::MAX),
            (PRIME64_1, PRIME64_2),
            (1 << 63, 3),
            (0, 9),
        ];
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            pairs.push((x, x.rotate_left(29) ^ PRIME64_4));
        }
        for (a, b) in pairs {
            let p = u128::from(a) * u128::from(b);
            assert_eq!(mul_wide_halves(a, b), (p as u64, (p >> 64) as u64));
            assert_eq!(mul_wide(a, b), (p as u64, (p >> 64) as u64));
        }
    }
}
