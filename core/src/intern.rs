//! String interning for hot-loop keys (hosts, services, providers, reason codes).

use rustc_hash::FxHashMap;

use crate::scan::same_bytes;

/// Maps strings to dense `u32` ids and back. Ids are assigned in first-seen order, which is
/// deterministic for a given byte sequence.
#[derive(Debug)]
pub(crate) struct Interner {
    ids: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    /// The last ids handed out, most recent first (`u32::MAX` = none yet): consecutive log
    /// lines mostly repeat a few hosts and services.
    recent: [u32; RECENT],
}

/// How many recent ids [`Interner::id`] compares before hashing.
const RECENT: usize = 4;

impl Default for Interner {
    fn default() -> Self {
        Self {
            ids: FxHashMap::default(),
            names: Vec::new(),
            recent: [u32::MAX; RECENT],
        }
    }
}

impl Interner {
    pub(crate) fn id(&mut self, s: &str) -> u32 {
        for &r in &self.recent {
            if let Some(name) = self.names.get(r as usize)
                && same_bytes(name.as_bytes(), s.as_bytes())
            {
                return r;
            }
        }
        let id = if let Some(&id) = self.ids.get(s) {
            id
        } else {
            let id = self.names.len() as u32;
            self.names.push(s.into());
            self.ids.insert(s.into(), id);
            id
        };
        self.recent.rotate_right(1);
        self.recent[0] = id;
        id
    }

    /// Number of distinct strings (ids are `0..len`).
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    pub(crate) fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |s| s)
    }
}
