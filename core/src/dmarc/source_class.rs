//! Source classification (DESIGN §3 "source class"): `ours`, `forwarder`, `external`.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::model::OverrideReason;
use crate::config::Config;

/// Who sent the messages of a DMARC source row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceClass {
    /// The source IP is in `config.ours.networks`.
    Ours,
    /// A legitimate forwarder or recipient-side gateway: a policy override reason
    /// `forwarded` / `mailing_list` / `trusted_forwarder` (or `local_policy` with an
    /// `arc=pass` comment), an IP in `config.dmarc.forwarder_networks`, or a known PTR
    /// (`config.dmarc.ptr`) containing one of `config.dmarc.forwarder_ptr_hints`.
    Forwarder,
    /// Anyone else (spoofing, or a forgotten relay).
    External,
}

/// True when an override reason says the message was forwarded (RFC 7489 §6.6.3 / RFC 9990
/// `PolicyOverrideType`): `forwarded`, `mailing_list`, `trusted_forwarder`, or
/// `local_policy` whose comment reports `arc=pass` (Google).
pub fn is_forwarding_reason(reason: &OverrideReason) -> bool {
    match reason.kind.as_str() {
        "forwarded" | "mailing_list" | "trusted_forwarder" => true,
        "local_policy" => reason
            .comment
            .as_deref()
            .is_some_and(|c| c.to_ascii_lowercase().replace(' ', "").contains("arc=pass")),
        _ => false,
    }
}

/// Class of a record's source IP under `config`, and what decided it (`ours_network`,
/// `override_reason:<type>`, `forwarder_network`, `ptr_hint:<hint>`, `none`), from its
/// policy override reasons (the first forwarding one counts). The rules of DESIGN §3.
pub fn classify_source(
    config: &Config,
    ip: IpAddr,
    reasons: &[OverrideReason],
) -> (SourceClass, String) {
    let forwarding = reasons
        .iter()
        .find(|r| is_forwarding_reason(r))
        .map(|r| r.kind.as_str());
    Classifier::new(config).classify(ip, forwarding)
}

/// Classifier built once from the configuration.
pub(crate) struct Classifier<'c> {
    config: &'c Config,
    hints: Vec<String>,
}

impl<'c> Classifier<'c> {
    pub(crate) fn new(config: &'c Config) -> Self {
        let hints = config
            .dmarc
            .forwarder_ptr_hints
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        Self { config, hints }
    }

    /// The PTR name configured for `ip`, if any.
    pub(crate) fn ptr(&self, ip: IpAddr) -> Option<&'c str> {
        self.config.dmarc.ptr.get(&ip).map(String::as_str)
    }

    /// Class of `ip`, and what decided it (`ours_network`, `override_reason:<type>`,
    /// `forwarder_network`, `ptr_hint:<hint>`, `none`). `forwarding_reason` is the first
    /// forwarding override reason seen for the row, if any.
    pub(crate) fn classify(
        &self,
        ip: IpAddr,
        forwarding_reason: Option<&str>,
    ) -> (SourceClass, String) {
        if self.config.ours.networks.iter().any(|n| n.contains(&ip)) {
            return (SourceClass::Ours, "ours_network".to_owned());
        }
        if let Some(r) = forwarding_reason {
            return (SourceClass::Forwarder, format!("override_reason:{r}"));
        }
        if self
            .config
            .dmarc
            .forwarder_networks
            .iter()
            .any(|n| n.contains(&ip))
        {
            return (SourceClass::Forwarder, "forwarder_network".to_owned());
        }
        if let Some(ptr) = self.ptr(ip) {
            let ptr = ptr.to_ascii_lowercase();
            if let Some(h) = self.hints.iter().find(|h| ptr.contains(h.as_str())) {
                return (SourceClass::Forwarder, format!("ptr_hint:{h}"));
            }
        }
        (SourceClass::External, "none".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(kind: &str, comment: Option<&str>) -> OverrideReason {
        OverrideReason {
            kind: kind.to_owned(),
            comment: comment.map(str::to_owned),
        }
    }

    #[test]
    fn forwarding_reasons() {
        assert!(is_forwarding_reason(&reason("forwarded", None)));
        assert!(is_forwarding_reason(&reason("trusted_forwarder", None)));
        assert!(is_forwarding_reason(&reason("mailing_list", None)));
        assert!(is_forwarding_reason(&reason(
            "local_policy",
            Some("arc=pass")
        )));
        assert!(!is_forwarding_reason(&reason("local_policy", None)));
        assert!(!is_forwarding_reason(&reason("sampled_out", None)));
    }

    #[test]
    fn classes() {
        let mut config = Config::default();
        config.ours.networks = vec!["207.174.124.0/24".parse().unwrap()];
        config.dmarc.forwarder_networks = vec!["198.51.100.0/24".parse().unwrap()];
        config.dmarc.ptr.insert(
            "203.0.113.7".parse().unwrap(),
            "mx0a-001.pphosted.com".to_owned(),
        );
        let c = Classifier::new(&config);
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            c.classify(ip("207.174.124.94"), Some("forwarded")).0,
            SourceClass::Ours
        );
        assert_eq!(
            c.classify(ip("192.0.2.1"), Some("forwarded")).1,
            "override_reason:forwarded"
        );
        assert_eq!(c.classify(ip("198.51.100.9"), None).1, "forwarder_network");
        assert_eq!(c.classify(ip("203.0.113.7"), None).1, "ptr_hint:pphosted");
        assert_eq!(c.classify(ip("203.0.113.8"), None).0, SourceClass::External);
    }
}
