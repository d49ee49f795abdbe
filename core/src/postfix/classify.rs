//! Classification of a delivery attempt into outcome and reason code.
//!
//! OWNER: classification helper. Interface fixed; implementation to be filled in.

use super::{Delivery, Outcome};
use crate::config::ConfigError;
use super::rules::RulesConfig;

/// Result of classifying one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    /// Outcome class.
    pub outcome: Outcome,
    /// Enhanced status code plus provider code when present, e.g. `5.7.1 S3150`, `4.7.0 TSS04`;
    /// empty when neither is known.
    pub reason_code: String,
    /// Id of the rule that decided (`ms.throttle_4_7_500`, `generic.2xx`).
    pub rule: String,
    /// False when only a generic fallback decided (listed as unclassified when the outcome is
    /// `deferred_other` or `reject_other`).
    pub specific: bool,
}

/// The compiled rule table. Build once, reuse for every line.
#[derive(Debug)]
pub struct Classifier {}

impl Classifier {
    /// Compiles the embedded defaults plus `extra` rules.
    pub fn new(extra: &RulesConfig) -> Result<Self, ConfigError> {
        let _ = extra;
        Ok(Self {})
    }

    /// Mailbox provider id (`microsoft`, `google`, `yahoo`, …, `other`) from the relay (or
    /// connect-to) host, falling back to the recipient domain, then to reply text clues.
    pub fn provider(&self, mx_host: Option<&str>, recipient_domain: Option<&str>, reply_text: Option<&str>) -> &str {
        let _ = (mx_host, recipient_domain, reply_text);
        "other"
    }

    /// Classifies one attempt at `provider`.
    pub fn classify(&self, delivery: &Delivery<'_>, provider: &str) -> Classification {
        let _ = (delivery, provider);
        Classification {
            outcome: Outcome::RejectOther,
            reason_code: String::new(),
            rule: String::new(),
            specific: false,
        }
    }
}
