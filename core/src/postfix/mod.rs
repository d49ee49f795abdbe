//! Postfix logs: lines -> log records -> delivery attempts -> classification -> daily aggregates.
//!
//! * [`line`] splits a syslog / RFC 3339 / rsyslog year-first / `journalctl -o json` line into a
//!   [`LogLine`] (time stamp, host, syslog tag, message).
//! * [`delivery`] parses the `to=, relay=, dsn=, status=` message of an SMTP client into a
//!   [`Delivery`] with the quoted remote [`Reply`].
//! * [`provider`] names the mailbox provider from the MX host or recipient domain.
//! * [`rules`] and [`classify`] turn a delivery into an [`Outcome`] and a reason code
//!   (`phrase` matches the rule table's phrases).
//! * [`mastercf`] reads `smtp_bind_address` from a `master.cf`/`main.cf` given as an input.
//! * [`aggregate`] keeps the daily buckets.

pub mod aggregate;
pub mod classify;
pub mod delivery;
mod exact;
pub mod line;
pub mod mastercf;
mod pattern;
mod phrase;
pub mod provider;
mod queue;
pub mod rules;

use serde::{Deserialize, Serialize};

pub use delivery::{Delivery, Relay, Reply, Status};
pub use line::{LogLine, Stamp};

/// Outcome class of a delivery attempt (DESIGN §4, `research/postfix-anchors.md` §5).
///
/// Derived from the RFC 5321 reply code first (2xx / 4xx / 5xx), then from provider codes and
/// phrases in the rule table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// `status=sent`, 2xx.
    Accepted,
    /// Temporary rate, volume or reputation deferral (Microsoft 4.7.500-4.7.699, Gmail 4.7.28,
    /// Yahoo TSS04, ...), and 5xx rate limits.
    Throttled,
    /// Any other temporary failure: connection, DNS, greylisting, TLS, mailbox full (4xx),
    /// `status=expired`.
    DeferredOther,
    /// Permanent rejection for IP or domain reputation / block lists (Microsoft S3150, Yahoo TSS09, Spamhaus).
    RejectReputation,
    /// Permanent rejection of the content (spam, virus, attachment policy, size).
    RejectContent,
    /// Permanent rejection of the recipient (unknown user, disabled mailbox, bad domain, full mailbox).
    RejectRecipient,
    /// Permanent rejection for SPF/DKIM/DMARC or reverse DNS (Gmail 5.7.25, 5.7.26, 5.7.27).
    RejectAuth,
    /// Any other permanent rejection; listed as unclassified.
    RejectOther,
}

impl Outcome {
    /// Every outcome, in display order.
    pub const ALL: [Outcome; 8] = [
        Outcome::Accepted,
        Outcome::Throttled,
        Outcome::DeferredOther,
        Outcome::RejectReputation,
        Outcome::RejectContent,
        Outcome::RejectRecipient,
        Outcome::RejectAuth,
        Outcome::RejectOther,
    ];

    /// The snake_case name used in JSON, CSV and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Throttled => "throttled",
            Outcome::DeferredOther => "deferred_other",
            Outcome::RejectReputation => "reject_reputation",
            Outcome::RejectContent => "reject_content",
            Outcome::RejectRecipient => "reject_recipient",
            Outcome::RejectAuth => "reject_auth",
            Outcome::RejectOther => "reject_other",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// Index into [`Outcome::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
