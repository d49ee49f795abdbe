//! Counting while the ledger decides: each ledger line's contribution to the counts is
//! kept until its region closes, and handed back for subtraction when the line turns out to
//! have been counted before.

use super::{Ledger, StreamShape, StreamStats, Tracker};

/// A [`Tracker`] with a contribution of type `D` per pending ledger line.
///
/// The analyzer counts every line as it reads it (one pass over the bytes), calls
/// [`Replay::line`] for each ledger line and [`Replay::record`] with what that line added.
/// When the ledger decides that lines were already counted by an earlier run (or an earlier
/// input of this run), their contributions come out of [`Replay::take_seen`] and are
/// subtracted; the contributions of new lines are dropped. Memory: one slot per pending line
/// (the open regions: about a big chunk of ledger lines per host).
#[derive(Debug)]
pub struct Replay<D> {
    tracker: Tracker,
    slots: Vec<Option<D>>,
    free: Vec<u32>,
    current: Option<u32>,
    seen: Vec<D>,
}

impl<D> Replay<D> {
    /// Wraps `tracker` (its hosts' stored ledgers already added).
    pub fn new(tracker: Tracker) -> Self {
        Self {
            tracker,
            slots: Vec::new(),
            free: Vec::new(),
            current: None,
            seen: Vec::new(),
        }
    }

    /// Starts a stream (see [`Tracker::begin_stream`]).
    pub fn begin_stream(&mut self, shape: StreamShape) {
        self.tracker.begin_stream(shape);
    }

    /// One ledger line (see [`Tracker::line`]); it becomes the line [`Replay::record`]
    /// attaches to.
    pub fn line(&mut self, host: &str, time: i64, fp: u64) {
        let slot = if let Some(s) = self.free.pop() {
            s
        } else {
            self.slots.push(None);
            (self.slots.len() - 1) as u32
        };
        self.current = Some(slot);
        self.tracker.line(host, time, fp, u64::from(slot));
        self.collect();
    }

    /// Records what the current ledger line added to the counts (at most once per line).
    pub fn record(&mut self, contribution: D) {
        if let Some(s) = self.current.take()
            && let Some(slot) = self.slots.get_mut(s as usize)
        {
            *slot = Some(contribution);
        }
    }

    /// The contributions of lines found already counted since the last call: subtract them.
    pub fn take_seen(&mut self) -> std::vec::Drain<'_, D> {
        self.seen.drain(..)
    }

    /// Ends the stream (see [`Tracker::end_stream`]): every pending line is decided.
    pub fn end_stream(&mut self) -> StreamStats {
        self.current = None;
        let stats = self.tracker.end_stream();
        self.collect();
        stats
    }

    /// The updated ledgers (see [`Tracker::into_ledgers`]).
    pub fn into_ledgers(self) -> Vec<(String, Ledger, u64)> {
        self.tracker.into_ledgers()
    }

    fn collect(&mut self) {
        for (id, seen) in self.tracker.decisions() {
            let id = id as u32;
            let Some(slot) = self.slots.get_mut(id as usize) else {
                continue;
            };
            let c = slot.take();
            self.free.push(id);
            if seen && let Some(c) = c {
                self.seen.push(c);
            }
        }
    }
}
