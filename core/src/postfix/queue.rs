//! The queue ids of egress deferrals, for attributing later `status=expired` lines.
//!
//! Every deferred attempt writes one entry, at a random place of a table of up to
//! [`MAX_QUEUE_IDS`] entries, so the entry is kept small (16 bytes: a 64-bit key and the
//! index of its [`QueueInfo`]): the table is a third of the size it was with the info inline,
//! and more of it stays in the cache. The few distinct infos (service, quoted IP, provider)
//! are kept once each.

use std::net::IpAddr;

use rustc_hash::FxHashMap;

/// Most queue ids remembered; the table is emptied when full (as it always was).
pub(crate) const MAX_QUEUE_IDS: usize = 200_000;

/// What a deferral left for its queue id: how a later `status=expired` line is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct QueueInfo {
    /// Interned service.
    pub(crate) service: u32,
    /// Sending IP quoted by the reply.
    pub(crate) reply_ip: Option<IpAddr>,
    /// Interned provider.
    pub(crate) provider: u32,
}

/// (host, queue id) -> the last egress deferral's [`QueueInfo`].
#[derive(Debug, Clone)]
pub(crate) struct QueueTable {
    /// [`queue_key`] -> index into `infos`.
    ids: FxHashMap<u64, u32>,
    infos: Vec<QueueInfo>,
    info_ids: FxHashMap<QueueInfo, u32>,
    /// The info of the last insert and its index (deferrals come in runs of one service and
    /// provider).
    last: Option<(QueueInfo, u32)>,
}

impl Default for QueueTable {
    fn default() -> Self {
        Self {
            ids: FxHashMap::with_capacity_and_hasher(1 << 16, rustc_hash::FxBuildHasher),
            infos: Vec::new(),
            info_ids: FxHashMap::default(),
            last: None,
        }
    }
}

/// The 64-bit FNV-1a state after a syslog host name and its length: the seed of
/// [`queue_key`] for the queue ids of that host. Keys hash the name, not an interned id, so
/// that they are the same in every aggregator (a log analysed in parts, `aggregate::part`).
pub(crate) fn host_seed(host: &str) -> u64 {
    fnv(
        fnv(0xcbf2_9ce4_8422_2325, &(host.len() as u64).to_le_bytes()),
        host.as_bytes(),
    )
}

/// A platform-independent 64-bit FNV-1a hash of a host (its [`host_seed`]) and a queue id
/// (ids are short; a collision would only misattribute one `status=expired` line).
pub(crate) fn queue_key(host_seed: u64, queue_id: &str) -> u64 {
    fnv(host_seed, queue_id.as_bytes())
}

fn fnv(state: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(state, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl QueueTable {
    /// The info of the last deferral under `key` ([`queue_key`] of a host and queue id).
    pub(crate) fn get(&self, key: u64) -> Option<QueueInfo> {
        let i = *self.ids.get(&key)?;
        self.infos.get(i as usize).copied()
    }

    /// Remembers a deferral under `key` ([`queue_key`]), replacing an earlier one. When
    /// [`MAX_QUEUE_IDS`] ids are held, all are forgotten first.
    pub(crate) fn insert(&mut self, key: u64, info: QueueInfo) {
        if self.ids.len() >= MAX_QUEUE_IDS {
            self.ids.clear();
            self.infos.clear();
            self.info_ids.clear();
            self.last = None;
        }
        let i = match self.last {
            Some((last, i)) if last == info => i,
            _ => {
                let i = *self.info_ids.entry(info).or_insert_with(|| {
                    self.infos.push(info);
                    (self.infos.len() - 1) as u32
                });
                self.last = Some((info, i));
                i
            }
        };
        self.ids.insert(key, i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_deferral_per_host_and_id() {
        let mut q = QueueTable::default();
        let k = |host: &str, id: &str| queue_key(host_seed(host), id);
        let a = QueueInfo {
            service: 1,
            reply_ip: None,
            provider: 2,
        };
        let b = QueueInfo {
            service: 3,
            reply_ip: "192.0.2.1".parse().ok(),
            provider: 4,
        };
        q.insert(k("mx1", "ABC"), a);
        q.insert(k("mx2", "ABC"), b);
        assert_eq!(q.get(k("mx1", "ABC")), Some(a));
        assert_eq!(q.get(k("mx2", "ABC")), Some(b));
        q.insert(k("mx1", "ABC"), b);
        assert_eq!(q.get(k("mx1", "ABC")), Some(b));
        assert_eq!(q.get(k("mx3", "ABC")), None);
        // The host's length is hashed: "mx1" + "1ABC" is not "mx11" + "ABC".
        assert_ne!(k("mx1", "1ABC"), k("mx11", "ABC"));
        for i in 0..MAX_QUEUE_IDS {
            q.insert(k("mx1", &format!("Q{i}")), if i % 2 == 0 { a } else { b });
        }
        // Full: emptied before the next id.
        q.insert(k("mx1", "LAST"), a);
        assert_eq!(q.get(k("mx1", "Q0")), None);
        assert_eq!(q.get(k("mx1", "LAST")), Some(a));
        assert!(q.infos.len() <= 2);
    }
}
