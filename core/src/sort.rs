//! One stable sort for the cold code (finishing findings, views, verdicts, reports).
//!
//! Every `slice::sort_by` call site with its own element type or comparator compiles its own
//! copy of the standard library's stable sort (driftsort, about 5 KB of WebAssembly each).
//! [`sort_by`] sorts the positions `0..len` instead, through one shared instance whose
//! comparator is a `dyn FnMut`, then moves the elements into that order by swaps: the same
//! order as `slice::sort_by` (stable, equal elements keep their order), for a few hundred
//! bytes per call site (BENCHMARKS.md, "Session 6: wasm size"). Not for hot loops: each
//! comparison is an indirect call.

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp`: the order `v.sort_by(cmp)` gives.
pub(crate) fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut order = {
        let items: &[T] = v;
        sorted_positions(items.len(), &mut |a, b| cmp(&items[a], &items[b]))
    };
    permute(v, &mut order);
}

/// Sorts `v` stably by the key `f` returns: the order `v.sort_by_key(f)` gives.
pub(crate) fn sort_by_key<T, K: Ord>(v: &mut [T], mut f: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| f(a).cmp(&f(b)));
}

/// The positions `0..n` stably sorted by `cmp` (the one instance of the stable sort).
#[inline(never)]
fn sorted_positions(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Puts `v` into `order` (`v[k]` becomes the old `v[order[k]]`) by following each cycle of
/// the permutation with swaps; `order` is used up (each entry set to its own position).
fn permute<T>(v: &mut [T], order: &mut [usize]) {
    for start in 0..order.len() {
        let mut j = start;
        loop {
            let k = order[j];
            order[j] = j;
            if k == start || k == j {
                break;
            }
            v.swap(j, k);
            j = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::unnecessary_sort_by)] // the very call `sort_by` must agree with
    fn same_order_as_the_standard_stable_sort() {
        let mut seed = 0x2545_f491_u64;
        for n in [0usize, 1, 2, 3, 7, 20, 100, 1000] {
            let v: Vec<(u8, u32)> = (0..n)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    ((seed % 5) as u8, i as u32)
                })
                .collect();
            let mut expected = v.clone();
            expected.sort_by(|a, b| b.0.cmp(&a.0));
            let mut got = v.clone();
            sort_by(&mut got, |a, b| b.0.cmp(&a.0));
            assert_eq!(got, expected, "n = {n}");
            let mut got = v;
            sort_by_key(&mut got, |x| x.0);
            expected.sort_by_key(|x| x.0);
            assert_eq!(got, expected, "n = {n}");
        }
    }
}
