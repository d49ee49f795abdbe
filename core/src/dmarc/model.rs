//! The normalized aggregate report (RFC 7489 appendix C, RFC 9990 / DMARCbis).
//!
//! Every value is trimmed; enumerated values (results, dispositions, alignment modes, reason
//! types) are ASCII-lowercased; times are Unix seconds (UTC). What the reporter sent is kept as
//! is apart from that, so a consumer can always tell a repaired quirk from the original (see
//! [`AggregateReport::warnings`]).

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Level;

/// A normalized DMARC aggregate ("rua") report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AggregateReport {
    /// Container member the report came from (zip entry, MIME part, mbox message; nested
    /// members joined with ` > `), `None` for a bare XML input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// `report_metadata/org_name` as sent (trimmed; may be empty).
    pub org_name_raw: String,
    /// Normalized reporter name, as parsedmarc computes it: the raw name, or the domain of
    /// `email` when the name is empty; a name without spaces that looks like a host name is
    /// reduced to its registrable domain, lowercased (`Mail.Ru` -> `mail.ru`,
    /// `esa1.x.iphmx.com` -> `iphmx.com`). Part of the de-duplication key.
    pub org_name: String,
    /// `report_metadata/email` (trimmed; may be empty).
    pub email: String,
    /// `report_metadata/extra_contact_info`, if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_contact_info: Option<String>,
    /// `report_metadata/report_id` as sent (trimmed).
    pub report_id_raw: String,
    /// Normalized report id (parsedmarc): `<` and `>` removed, everything from the first `@`
    /// dropped. Part of the de-duplication key.
    pub report_id: String,
    /// `date_range/begin`, Unix seconds (UTC).
    pub begin: i64,
    /// `date_range/end`, Unix seconds (UTC). RFC 7489 §7.2 ranges are normally one day.
    pub end: i64,
    /// `report_metadata/error` texts the reporter included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// `feedback/version`, if present (absent in most pre-2020 reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// XML namespace of the `feedback` element, if any (e.g. `urn:ietf:params:xml:ns:dmarc-2.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The policy the reporter found published (`policy_published`).
    pub policy: PolicyPublished,
    /// The records kept (records with an empty or invalid `source_ip` or `count` are skipped
    /// and counted in `skipped_records`).
    pub records: Vec<Record>,
    /// `record` elements skipped as unusable.
    #[serde(default)]
    pub skipped_records: u64,
    /// Quirks repaired while reading the report, one entry per kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<ReportWarning>,
}

/// One kind of repaired quirk in a report (also emitted as a [`crate::Diagnostic`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportWarning {
    /// Severity: `info` (repaired, nothing lost) or `warning` (some data skipped or assumed).
    pub level: Level,
    /// Stable code, e.g. `dmarc.bom`, `dmarc.missing_policy_evaluated`.
    pub code: String,
    /// Explanation of the first occurrence.
    pub message: String,
    /// Occurrences in this report.
    pub count: u64,
}

/// `policy_published`: the DMARC record the reporter found (RFC 7489 §6.3 tags).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PolicyPublished {
    /// Policy domain (lowercased). Empty when the reporter omitted it.
    pub domain: String,
    /// DKIM alignment mode `r` / `s`, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adkim: Option<String>,
    /// SPF alignment mode `r` / `s`, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspf: Option<String>,
    /// Requested policy `none` / `quarantine` / `reject`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<String>,
    /// Subdomain policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sp: Option<String>,
    /// Percentage of messages the policy applies to (0-100; removed in RFC 9990).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pct: Option<u8>,
    /// Non-existent subdomain policy (RFC 9990).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub np: Option<String>,
    /// Failure reporting options, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fo: Option<String>,
}

/// One `record`: messages from one source IP with identical evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// `row/source_ip`.
    pub source_ip: IpAddr,
    /// `row/count`: number of messages.
    pub count: u64,
    /// `policy_evaluated/disposition` (lowercased; `none`, `quarantine`, `reject`, RFC 9990
    /// `pass`; empty when absent).
    pub disposition: String,
    /// `policy_evaluated/dkim`: aligned DKIM result (lowercased). `fail` when the reporter
    /// omitted it (AOL 2012-13), with a warning on the report.
    pub dkim: String,
    /// `policy_evaluated/spf`: aligned SPF result (lowercased), `fail` when omitted.
    pub spf: String,
    /// `policy_evaluated/reason`: policy override reasons.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<OverrideReason>,
    /// `identifiers/header_from` (lowercased).
    pub header_from: String,
    /// `identifiers/envelope_from`, if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope_from: Option<String>,
    /// `identifiers/envelope_to`, if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope_to: Option<String>,
    /// Every `auth_results/dkim` result, in document order.
    #[serde(default)]
    pub dkim_results: Vec<DkimAuth>,
    /// Every `auth_results/spf` result, in document order.
    #[serde(default)]
    pub spf_results: Vec<SpfAuth>,
}

impl Record {
    /// DMARC pass (DESIGN §3): aligned DKIM pass or aligned SPF pass in `policy_evaluated`.
    #[inline]
    pub fn dmarc_pass(&self) -> bool {
        self.dkim == "pass" || self.spf == "pass"
    }

    /// Some `auth_results/dkim` result is `pass` (aligned or not).
    #[inline]
    pub fn dkim_auth_pass(&self) -> bool {
        self.dkim_results.iter().any(|d| d.result == "pass")
    }

    /// Some `auth_results/spf` result is `pass` (aligned or not).
    #[inline]
    pub fn spf_auth_pass(&self) -> bool {
        self.spf_results.iter().any(|s| s.result == "pass")
    }
}

/// `policy_evaluated/reason` (RFC 7489 `PolicyOverrideReason`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverrideReason {
    /// Reason type (lowercased): `forwarded`, `sampled_out`, `trusted_forwarder`,
    /// `mailing_list`, `local_policy`, `policy_test_mode`, `other`; may be empty.
    #[serde(rename = "type")]
    pub kind: String,
    /// Free-text comment, e.g. Google's `arc=pass`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// One `auth_results/dkim` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DkimAuth {
    /// Signing domain `d=` (lowercased; may be empty).
    pub domain: String,
    /// Selector `s=`, if given (REQUIRED in RFC 9990, absent in most older reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// Result (lowercased): `none`, `pass`, `fail`, `policy`, `neutral`, `temperror`, `permerror`.
    pub result: String,
    /// `human_result`, if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub human_result: Option<String>,
}

/// One `auth_results/spf` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpfAuth {
    /// Checked domain (lowercased; may be empty).
    pub domain: String,
    /// Scope `mfrom` (the default when absent) or `helo`.
    pub scope: String,
    /// Result (lowercased): `none`, `neutral`, `pass`, `fail`, `softfail`, `temperror`,
    /// `permerror`; also `hardfail` as some reporters send it.
    pub result: String,
    /// `human_result`, if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub human_result: Option<String>,
}
