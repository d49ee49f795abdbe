//! Ordered maps and sets on a sorted vector: [`SortedMap`] and [`SortedSet`].
//!
//! They stand in for `std::collections::BTreeMap`/`BTreeSet` across the core: the same order
//! (ascending by `Ord`), the same serde shapes (JSON byte-identical), the API subset the code
//! base uses. Why: the B-tree compiles its node handling, search, insert with rebalancing,
//! removal and iterators once per key and value type; with about 30 such types that was
//! 187 KB of the page's analysis WebAssembly in 833 B-tree functions (twiggy, names kept).
//! A sorted `Vec<(K, V)>` needs a binary search and a `Vec` insert per type, and bulk builds
//! sort through the one shared stable sort of [`crate::sort`]: the analysis module went from
//! 604,972 to 571,750 bytes gzip -9 (the B-tree code left, 35 KB, was the configuration's
//! TOML-to-JSON path, since gone from that module with `Config::from_json`, and the ingest
//! ledger's host map; BENCHMARKS.md, "Session 9: page size").
//!
//! Complexity (n entries): lookups O(log n); inserting a new key or removing one O(n) (the
//! entries after it move); replacing a value O(log n); iteration O(1) per item. Building from
//! an iterator ([`FromIterator`], [`Extend`], [`SortedMap::from_runs`]) collects, sorts once
//! and merges equal keys: O(n log n). So a map that can grow large from input (one key per
//! record, per source IP, ...) is built in bulk, never by inserting keys one by one in input
//! order, which is O(n²).

use std::borrow::Borrow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, Serializer};

/// A map ordered by key, on a `Vec<(K, V)>` sorted by key without repeats (see the module
/// documentation for when it fits). Serializes as a map in key order, like `BTreeMap`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K, V> SortedMap<K, V> {
    /// An empty map (no allocation).
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter(self.entries.iter())
    }

    /// The entries in key order, values mutable.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut(self.entries.iter_mut())
    }

    /// The keys in order.
    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys(self.entries.iter())
    }

    /// The values in key order.
    pub fn values(&self) -> Values<'_, K, V> {
        Values(self.entries.iter())
    }

    /// The values in key order, mutable.
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V> {
        ValuesMut(self.entries.iter_mut())
    }

    /// The keys in order, taking the map.
    pub fn into_keys(self) -> IntoKeys<K, V> {
        IntoKeys(self.entries.into_iter())
    }

    /// The values in key order, taking the map.
    pub fn into_values(self) -> IntoValues<K, V> {
        IntoValues(self.entries.into_iter())
    }

    /// The entry with the least key.
    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.entries.first().map(|(k, v)| (k, v))
    }

    /// The entry with the greatest key.
    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.entries.last().map(|(k, v)| (k, v))
    }

    /// Keeps the entries for which `f` is true (in key order; O(n)).
    pub fn retain(&mut self, mut f: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| f(k, v));
    }

    /// Removes every entry, keeping the allocation.
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// `Ok(position)` of `key`, or `Err(position)` where it would go.
    fn find<Q>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// The value of `key` (O(log n)).
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// The key as stored and the value of `key` (O(log n)).
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).ok().map(|i| {
            let (k, v) = &self.entries[i];
            (k, v)
        })
    }

    /// The value of `key`, mutable (O(log n)).
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    /// Whether `key` has a value (O(log n)).
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).is_ok()
    }

    /// Sets the value of `key`, returning the one it replaces (the stored key stays, as in
    /// `BTreeMap`). O(log n) to replace, O(n) to add a new key.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes `key`, returning its value (O(n)).
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// The place of `key` in the map, to read, change or fill (see [`Entry`]).
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        let at = self.find(&key);
        Entry {
            entries: &mut self.entries,
            at,
            key,
        }
    }

    /// The map of `pairs` in any order, each run of equal keys folded in input order: `first`
    /// makes the value of a key's first pair, `fold` adds each later pair's to it. One stable
    /// sort and one pass, O(n log n): for maps built from many pairs that can arrive in any
    /// key order, where inserting one by one is O(n²).
    pub fn from_runs<T>(
        mut pairs: Vec<(K, T)>,
        mut first: impl FnMut(T) -> V,
        mut fold: impl FnMut(&mut V, T),
    ) -> Self {
        sort_pairs(&mut pairs);
        let mut entries: Vec<(K, V)> = Vec::with_capacity(pairs.len());
        for (k, t) in pairs {
            match entries.last_mut() {
                Some(last) if last.0 == k => fold(&mut last.1, t),
                _ => entries.push((k, first(t))),
            }
        }
        entries.shrink_to_fit();
        Self { entries }
    }

    /// [`SortedMap::from_runs`] for values that start empty: each key's value is
    /// `V::default()` with `fold` applied to each of its pairs, in input order.
    pub fn fold_runs<T>(pairs: Vec<(K, T)>, fold: impl Fn(&mut V, T) + Copy) -> Self
    where
        V: Default,
    {
        Self::from_runs(
            pairs,
            |t| {
                let mut v = V::default();
                fold(&mut v, t);
                v
            },
            fold,
        )
    }

    /// The map of `pairs` in any order, the last value of a repeated key winning (the
    /// [`FromIterator`] of a `Vec`).
    fn from_vec(mut pairs: Vec<(K, V)>) -> Self {
        sort_pairs(&mut pairs);
        // `dedup_by` keeps the earlier of two equal neighbours: swap the later one into its
        // place first, so the last pair of a run stays (as `BTreeMap::from_iter` does).
        pairs.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
        Self { entries: pairs }
    }
}

/// Sorts `pairs` stably by key through the one shared sort ([`crate::sort::sort_by`]).
fn sort_pairs<K: Ord, T>(pairs: &mut [(K, T)]) {
    // Input that is already in order (most bulk builds here) skips the sort: O(n).
    if pairs.windows(2).all(|w| w[0].0 <= w[1].0) {
        return;
    }
    crate::sort::sort_by(pairs, |a, b| a.0.cmp(&b.0));
}

/// The place of a key in a [`SortedMap`] (from [`SortedMap::entry`]): present or not.
pub struct Entry<'a, K, V> {
    entries: &'a mut Vec<(K, V)>,
    at: Result<usize, usize>,
    key: K,
}

impl<'a, K, V> Entry<'a, K, V> {
    /// The value, made by `make` when the key has none.
    pub fn or_insert_with(self, make: impl FnOnce() -> V) -> &'a mut V {
        let i = match self.at {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (self.key, make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// The value, `value` when the key has none.
    pub fn or_insert(self, value: V) -> &'a mut V {
        self.or_insert_with(|| value)
    }

    /// The value, the default when the key has none.
    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    /// Changes the value by `f` when the key has one.
    #[must_use]
    pub fn and_modify(self, f: impl FnOnce(&mut V)) -> Self {
        if let Ok(i) = self.at {
            f(&mut self.entries[i].1);
        }
        self
    }

    /// The key of this entry.
    pub fn key(&self) -> &K {
        match self.at {
            Ok(i) => &self.entries[i].0,
            Err(_) => &self.key,
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> std::ops::Index<&Q> for SortedMap<K, V> {
    type Output = V;

    /// The value of `key`; panics when there is none (as `BTreeMap`'s index does).
    fn index(&self, key: &Q) -> &V {
        match self.get(key) {
            Some(v) => v,
            None => panic!("no entry for the key in the SortedMap"),
        }
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    /// Collects, sorts once and keeps the last value of a repeated key (as `BTreeMap`).
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self::from_vec(iter.into_iter().collect())
    }
}

impl<K: Ord, V> Extend<(K, V)> for SortedMap<K, V> {
    /// Appends, sorts once and keeps the last value of a repeated key (O((n + m) log(n + m))).
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        let mut entries = std::mem::take(&mut self.entries);
        entries.extend(iter);
        *self = Self::from_vec(entries);
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for SortedMap<K, V> {
    fn from(pairs: [(K, V); N]) -> Self {
        Self::from_vec(Vec::from(pairs))
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut SortedMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

/// Defines an iterator over the entries of a [`SortedMap`]: `$name` wraps `$inner` and maps
/// each `$pat` to `$out` (all of them double-ended and exact-size, like the slice's).
macro_rules! map_iter {
    ($(#[$doc:meta])* $name:ident<$($lt:lifetime,)? K, V>, $inner:ty, $item:ty, |$pat:pat_param| $out:expr) => {
        $(#[$doc])*
        pub struct $name<$($lt,)? K, V>($inner);

        impl<$($lt,)? K, V> Iterator for $name<$($lt,)? K, V> {
            type Item = $item;
            fn next(&mut self) -> Option<Self::Item> {
                self.0.next().map(|$pat| $out)
            }
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.0.size_hint()
            }
        }

        impl<$($lt,)? K, V> DoubleEndedIterator for $name<$($lt,)? K, V> {
            fn next_back(&mut self) -> Option<Self::Item> {
                self.0.next_back().map(|$pat| $out)
            }
        }

        impl<$($lt,)? K, V> ExactSizeIterator for $name<$($lt,)? K, V> {}
    };
}

map_iter!(
    /// The entries of a [`SortedMap`] in key order.
    Iter<'a, K, V>, std::slice::Iter<'a, (K, V)>, (&'a K, &'a V), |(k, v)| (k, v)
);
map_iter!(
    /// The entries of a [`SortedMap`] in key order, values mutable.
    IterMut<'a, K, V>, std::slice::IterMut<'a, (K, V)>, (&'a K, &'a mut V), |(k, v)| (&*k, v)
);
map_iter!(
    /// The keys of a [`SortedMap`] in order.
    Keys<'a, K, V>, std::slice::Iter<'a, (K, V)>, &'a K, |(k, _)| k
);
map_iter!(
    /// The values of a [`SortedMap`] in key order.
    Values<'a, K, V>, std::slice::Iter<'a, (K, V)>, &'a V, |(_, v)| v
);
map_iter!(
    /// The values of a [`SortedMap`] in key order, mutable.
    ValuesMut<'a, K, V>, std::slice::IterMut<'a, (K, V)>, &'a mut V, |(_, v)| v
);
map_iter!(
    /// The keys of a [`SortedMap`] in order, taking the map.
    IntoKeys<K, V>, std::vec::IntoIter<(K, V)>, K, |(k, _)| k
);
map_iter!(
    /// The values of a [`SortedMap`] in key order, taking the map.
    IntoValues<K, V>, std::vec::IntoIter<(K, V)>, V, |(_, v)| v
);

impl<K: Serialize, V: Serialize> Serialize for SortedMap<K, V> {
    /// A map in key order: what `BTreeMap` serializes.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Deserialize<'de> for SortedMap<K, V> {
    /// A map with keys in any order, sorted after; the last value of a repeated key wins (as
    /// `BTreeMap` reads it).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Visitor<'de> for MapVisitor<K, V> {
            type Value = SortedMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                // Not the size hint for the capacity: it comes from the input.
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                Ok(SortedMap::from_vec(pairs))
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

/// A set ordered by `Ord`, on a sorted `Vec<T>` without repeats (see the module
/// documentation for when it fits). Serializes as a sequence in order, like `BTreeSet`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SortedSet<T> {
    items: Vec<T>,
}

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> SortedSet<T> {
    /// An empty set (no allocation).
    pub const fn new() -> Self {
        Self { items: Vec::new() }
    }

    /// The number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the set has no items.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The items in order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// The least item.
    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }

    /// The greatest item.
    pub fn last(&self) -> Option<&T> {
        self.items.last()
    }

    /// The items in order, as a slice.
    pub fn as_slice(&self) -> &[T] {
        &self.items
    }

    /// Keeps the items for which `f` is true (O(n)).
    pub fn retain(&mut self, f: impl FnMut(&T) -> bool) {
        self.items.retain(f);
    }
}

impl<T: Ord> SortedSet<T> {
    /// `Ok(position)` of `item`, or `Err(position)` where it would go.
    fn find<Q>(&self, item: &Q) -> Result<usize, usize>
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.items.binary_search_by(|x| x.borrow().cmp(item))
    }

    /// Whether `item` is in the set (O(log n)).
    pub fn contains<Q>(&self, item: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(item).is_ok()
    }

    /// Adds `item`; false when an equal one was there (which stays, as in `BTreeSet`).
    /// O(n) for a new item.
    pub fn insert(&mut self, item: T) -> bool {
        match self.find(&item) {
            Ok(_) => false,
            Err(i) => {
                self.items.insert(i, item);
                true
            }
        }
    }

    /// Removes `item`; false when it was not there (O(n)).
    pub fn remove<Q>(&mut self, item: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(item).map(|i| self.items.remove(i)).is_ok()
    }

    /// The set of `items` in any order: one sort, repeats dropped (the last of equal items
    /// stays, as in `BTreeSet::from_iter`).
    fn from_vec(mut items: Vec<T>) -> Self {
        if !items.windows(2).all(|w| w[0] <= w[1]) {
            crate::sort::sort_by(&mut items, Ord::cmp);
        }
        items.dedup_by(|later, kept| {
            let same = *later == *kept;
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
        Self { items }
    }
}

impl<T: fmt::Debug> fmt::Debug for SortedSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: Ord> FromIterator<T> for SortedSet<T> {
    /// Collects and sorts once (O(n log n)).
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self::from_vec(iter.into_iter().collect())
    }
}

impl<T: Ord> Extend<T> for SortedSet<T> {
    /// Appends and sorts once (O((n + m) log(n + m))).
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        let mut items = std::mem::take(&mut self.items);
        items.extend(iter);
        *self = Self::from_vec(items);
    }
}

impl<T> IntoIterator for SortedSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a SortedSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: Serialize> Serialize for SortedSet<T> {
    /// A sequence in order: what `BTreeSet` serializes.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de, T: Deserialize<'de> + Ord> Deserialize<'de> for SortedSet<T> {
    /// A sequence in any order, sorted after, repeats dropped.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SeqVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Ord> Visitor<'de> for SeqVisitor<T> {
            type Value = SortedSet<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(x) = seq.next_element()? {
                    items.push(x);
                }
                Ok(SortedSet::from_vec(items))
            }
        }
        deserializer.deserialize_seq(SeqVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// A small xorshift stream (deterministic).
    fn numbers(mut seed: u64, n: usize, modulo: u64) -> Vec<u64> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed % modulo
            })
            .collect()
    }

    #[test]
    fn collect_orders_and_the_last_value_wins() {
        let pairs = [(3, "a"), (1, "b"), (3, "c"), (2, "d"), (1, "e")];
        let got: SortedMap<i32, &str> = pairs.into_iter().collect();
        let expected: BTreeMap<i32, &str> = pairs.into_iter().collect();
        assert!(got.iter().eq(expected.iter()));
        assert_eq!(format!("{got:?}"), format!("{expected:?}"));
        let set: SortedSet<i32> = pairs.iter().map(|p| p.0).collect();
        let expected: BTreeSet<i32> = pairs.iter().map(|p| p.0).collect();
        assert!(set.iter().eq(expected.iter()));
        assert_eq!(format!("{set:?}"), format!("{expected:?}"));
        assert_eq!(
            SortedMap::from([(2, 'x'), (1, 'y'), (2, 'z')]).get(&2),
            Some(&'z')
        );
    }

    #[test]
    fn like_btree_map_under_random_operations() {
        for seed in [1u64, 0x2545_f491, 0x9e37_79b9_7f4a_7c15] {
            let ops = numbers(seed, 4000, 1 << 20);
            let mut mine: SortedMap<u64, u64> = SortedMap::new();
            let mut std: BTreeMap<u64, u64> = BTreeMap::new();
            for (i, op) in ops.iter().enumerate() {
                let key = op % 200;
                let i = i as u64;
                match op >> 17 {
                    0..=2 => assert_eq!(mine.insert(key, i), std.insert(key, i)),
                    3 => assert_eq!(mine.remove(&key), std.remove(&key)),
                    4 => *mine.entry(key).or_default() += i,
                    5 => {
                        mine.entry(key).and_modify(|v| *v ^= i).or_insert(i);
                        std.entry(key).and_modify(|v| *v ^= i).or_insert(i);
                        continue;
                    }
                    6 => {
                        mine.retain(|k, v| (k + *v) % 7 != 0);
                        std.retain(|k, v| (k + *v) % 7 != 0);
                        continue;
                    }
                    _ => assert_eq!(mine.get(&key), std.get(&key)),
                }
                if op >> 17 == 4 {
                    *std.entry(key).or_default() += i;
                }
                assert_eq!(mine.len(), std.len());
            }
            assert!(mine.iter().eq(std.iter()));
            assert!(mine.keys().eq(std.keys()));
            assert!(mine.values().rev().eq(std.values().rev()));
            assert_eq!(mine.first_key_value(), std.first_key_value());
            assert_eq!(mine.last_key_value(), std.last_key_value());
            for v in mine.values_mut() {
                *v += 1;
            }
            for v in std.values_mut() {
                *v += 1;
            }
            assert!(mine.clone().into_iter().eq(std.clone()));
            assert!(mine.clone().into_values().eq(std.clone().into_values()));
            // Bulk building and extending agree with BTreeMap's (last value wins).
            let more: Vec<(u64, u64)> = numbers(seed ^ 1, 500, 300)
                .into_iter()
                .enumerate()
                .map(|(i, k)| (k, i as u64))
                .collect();
            mine.extend(more.iter().copied());
            std.extend(more.iter().copied());
            assert!(mine.iter().eq(std.iter()));
            let built: SortedMap<u64, u64> = more.iter().copied().collect();
            assert!(
                built
                    .iter()
                    .eq(more.iter().copied().collect::<BTreeMap<_, _>>().iter())
            );
        }
    }

    #[test]
    fn like_btree_set() {
        let xs = numbers(7, 3000, 500);
        let mut mine = SortedSet::new();
        let mut std = BTreeSet::new();
        for (i, x) in xs.iter().enumerate() {
            if i % 3 == 0 {
                assert_eq!(mine.remove(x), std.remove(x));
            } else {
                assert_eq!(mine.insert(*x), std.insert(*x));
            }
            assert_eq!(mine.contains(&(x + 1)), std.contains(&(x + 1)));
        }
        assert!(mine.iter().eq(std.iter()));
        assert_eq!(mine.first(), std.first());
        assert_eq!(mine.last(), std.last());
        mine.extend(xs.iter().copied());
        std.extend(xs.iter().copied());
        assert!(mine.into_iter().eq(std));
    }

    #[test]
    fn from_runs_folds_equal_keys_in_input_order() {
        let pairs = vec![("b", 1), ("a", 2), ("b", 3), ("a", 4), ("c", 5), ("b", 6)];
        let map = SortedMap::from_runs(pairs, |x| vec![x], Vec::push);
        let got: Vec<(&str, Vec<i32>)> = map.into_iter().collect();
        assert_eq!(
            got,
            [("a", vec![2, 4]), ("b", vec![1, 3, 6]), ("c", vec![5])]
        );
    }

    #[test]
    fn borrowed_lookups() {
        let mut map: SortedMap<String, u32> = [("b".to_owned(), 2), ("a".to_owned(), 1)]
            .into_iter()
            .collect();
        assert_eq!(map.get("a"), Some(&1));
        assert!(map.contains_key("b"));
        assert!(!map.contains_key("c"));
        *map.get_mut("b").unwrap() += 10;
        assert_eq!(map.get_key_value("b"), Some((&"b".to_owned(), &12)));
        assert_eq!(map.remove("a"), Some(1));
        assert_eq!(map.remove("a"), None);
        let set: SortedSet<String> = ["x".to_owned(), "w".to_owned()].into_iter().collect();
        assert!(set.contains("w"));
        assert!(!set.contains("y"));
    }

    #[test]
    fn serde_like_btree() {
        let pairs: Vec<(String, Vec<u8>)> = numbers(3, 50, 40)
            .into_iter()
            .map(|n| (format!("k{n}"), vec![n as u8; (n % 3) as usize]))
            .collect();
        let mine: SortedMap<String, Vec<u8>> = pairs.iter().cloned().collect();
        let std: BTreeMap<String, Vec<u8>> = pairs.iter().cloned().collect();
        let json = serde_json::to_string(&mine).unwrap();
        assert_eq!(json, serde_json::to_string(&std).unwrap());
        assert_eq!(
            serde_json::to_string_pretty(&mine).unwrap(),
            serde_json::to_string_pretty(&std).unwrap()
        );
        // Keys in any order, a repeated key: sorted, the last value wins (as BTreeMap reads).
        let input = r#"{"b":[1],"a":[2],"b":[3]}"#;
        let back: SortedMap<String, Vec<u8>> = serde_json::from_str(input).unwrap();
        let std_back: BTreeMap<String, Vec<u8>> = serde_json::from_str(input).unwrap();
        assert!(back.iter().eq(std_back.iter()));
        let round: SortedMap<String, Vec<u8>> = serde_json::from_str(&json).unwrap();
        assert_eq!(round, mine);
        // Non-string keys serialize as JSON does for BTreeMap (numbers quoted).
        let nums: SortedMap<u32, bool> = [(10, true), (2, false)].into_iter().collect();
        let std_nums: BTreeMap<u32, bool> = [(10, true), (2, false)].into_iter().collect();
        assert_eq!(
            serde_json::to_string(&nums).unwrap(),
            serde_json::to_string(&std_nums).unwrap()
        );
        let set: SortedSet<u32> = [5, 1, 5, 3].into_iter().collect();
        let std_set: BTreeSet<u32> = [5, 1, 5, 3].into_iter().collect();
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(json, serde_json::to_string(&std_set).unwrap());
        let back: SortedSet<u32> = serde_json::from_str("[3,1,3,2]").unwrap();
        assert_eq!(back.as_slice(), [1, 2, 3]);
        // TOML (the configuration) reads the same.
        let toml_in = "z = 1\na = 2\n";
        let from_toml: SortedMap<String, i64> = toml::from_str(toml_in).unwrap();
        let std_toml: BTreeMap<String, i64> = toml::from_str(toml_in).unwrap();
        assert!(from_toml.iter().eq(std_toml.iter()));
    }

    #[test]
    fn ord_and_hash_follow_the_entries() {
        let a: SortedMap<u8, u8> = [(1, 1), (2, 2)].into_iter().collect();
        let b: SortedMap<u8, u8> = [(2, 2), (1, 1)].into_iter().collect();
        assert_eq!(a, b);
        let c: SortedMap<u8, u8> = [(1, 1), (3, 0)].into_iter().collect();
        let (sa, sc): (BTreeMap<u8, u8>, BTreeMap<u8, u8>) = (
            a.clone().into_iter().collect(),
            c.clone().into_iter().collect(),
        );
        assert_eq!(a.cmp(&c), sa.cmp(&sc));
    }
}
