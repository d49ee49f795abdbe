//! String interning for hot-loop keys (hosts, services, providers, reason codes).

use rustc_hash::FxHashMap;

/// Maps strings to dense `u32` ids and back. Ids are assigned in first-seen order, which is
/// deterministic for a given byte sequence.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    ids: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    /// The last id handed out: consecutive log lines mostly repeat host and service.
    last: Option<u32>,
}

impl Interner {
    pub(crate) fn id(&mut self, s: &str) -> u32 {
        if let Some(last) = self.last
            && *self.names[last as usize] == *s
        {
            return last;
        }
        if let Some(&id) = self.ids.get(s) {
            self.last = Some(id);
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(s.into());
        self.ids.insert(s.into(), id);
        self.last = Some(id);
        id
    }

    pub(crate) fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |s| s)
    }
}
