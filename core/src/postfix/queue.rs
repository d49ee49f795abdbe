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

/// A platform-independent 64-bit FNV-1a hash of a syslog host id and a queue id (ids are
/// short; a collision would only misattribute one `status=expired` line).
pub(crate) fn queue_key(host: u32, queue_id: &str) -> u64 {
    host.to_le_bytes()
        .iter()
        .chain(queue_id.as_bytes())
        .fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

impl QueueTable {
    /// The info of the last deferral of `queue_id` on `host`.
    pub(crate) fn get(&self, host: u32, queue_id: &str) -> Option<QueueInfo> {
        let i = *self.ids.get(&queue_key(host, queue_id))?;
        self.infos.get(i as usize).copied()
    }

    /// Remembers a deferral of `queue_id` on `host` (replacing an earlier one). When
    /// [`MAX_QUEUE_IDS`] ids are held, all are forgotten first.
    pub(crate) fn insert(&mut self, host: u32, queue_id: &str, info: QueueInfo) {
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
        self.ids.insert(queue_key(host, queue_id), i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_deferral_per_host_and_id() {
        let mut q = QueueTable::default();
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
        q.insert(0, "ABC", a);
        q.insert(1, "ABC", b);
        assert_eq!(q.get(0, "ABC"), Some(a));
        assert_eq!(q.get(1, "ABC"), Some(b));
        q.insert(0, "ABC", b);
        assert_eq!(q.get(0, "ABC"), Some(b));
        assert_eq!(q.get(2, "ABC"), None);
        for i in 0..MAX_QUEUE_IDS {
            q.insert(0, &format!("Q{i}"), if i % 2 == 0 { a } else { b });
        }
        // Full: emptied before the next id.
        q.insert(0, "LAST", a);
        assert_eq!(q.get(0, "Q0"), None);
        assert_eq!(q.get(0, "LAST"), Some(a));
        assert!(q.infos.len() <= 2);
    }
}
