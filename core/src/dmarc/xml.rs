//! Streaming, lenient reader of aggregate report XML (quick-xml events, no DOM).
//!
//! * Elements are matched on their **local** name, ASCII case-insensitively, so the classic
//!   namespace-less schema, `urn:ietf:params:xml:ns:dmarc-2.0`, `http://dmarc.org/dmarc-xml/0.2`
//!   and prefixed roots (`<ns1:feedback>`) read the same.
//! * The first `feedback` element at any depth is the report (IKEA wraps it in a stray
//!   unclosed `<xs:schema>`); unknown elements are skipped.
//! * Entities are **never expanded**: `<!DOCTYPE …>` is ignored, the five predefined entities
//!   and character references are resolved, any other `&name;` stays literal text (no XXE, no
//!   billion laughs).
//! * Depth is bounded by [`Limits::max_xml_depth`]; end tags need not match (recovery closes
//!   up to the matching open element); a syntax error after at least one complete record keeps
//!   what was read, with a warning.

use std::net::IpAddr;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::model::{
    AggregateReport, DkimAuth, OverrideReason, PolicyPublished, Record, ReportWarning, SpfAuth,
};
use super::normalize;
use crate::diagnostic::Level;
use crate::limits::Limits;

/// Result of reading one XML document.
#[derive(Debug)]
pub(crate) enum XmlOutcome {
    /// An aggregate report (possibly with repaired quirks in its `warnings`).
    Report(Box<AggregateReport>),
    /// Not an aggregate report, or unusable: (code, message, byte offset).
    Rejected(&'static str, String, Option<u64>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Feedback,
    Version,
    ReportMetadata,
    OrgName,
    Email,
    ExtraContactInfo,
    ReportId,
    DateRange,
    Begin,
    End,
    Error,
    PolicyPublished,
    Domain,
    Adkim,
    Aspf,
    P,
    Sp,
    Pct,
    Np,
    Fo,
    Record,
    Row,
    SourceIp,
    Count,
    PolicyEvaluated,
    Disposition,
    Dkim,
    Spf,
    Reason,
    Type,
    Comment,
    Identifiers,
    HeaderFrom,
    EnvelopeFrom,
    EnvelopeTo,
    AuthResults,
    Selector,
    Result,
    Scope,
    HumanResult,
    Other,
}

/// Maps a local element name to a tag; the flag marks a known misspelling.
#[inline]
fn tag_of(local: &str) -> (Tag, bool) {
    let mut buf = [0u8; 24];
    let n = local.len();
    if n > buf.len() {
        return (Tag::Other, false);
    }
    for (d, s) in buf.iter_mut().zip(local.bytes()) {
        *d = s.to_ascii_lowercase();
    }
    let tag = match &buf[..n] {
        b"feedback" => Tag::Feedback,
        b"version" => Tag::Version,
        b"report_metadata" => Tag::ReportMetadata,
        b"org_name" => Tag::OrgName,
        b"email" => Tag::Email,
        b"extra_contact_info" => Tag::ExtraContactInfo,
        b"report_id" => Tag::ReportId,
        b"date_range" => Tag::DateRange,
        b"data_range" => return (Tag::DateRange, true),
        b"begin" => Tag::Begin,
        b"end" => Tag::End,
        b"error" => Tag::Error,
        b"policy_published" => Tag::PolicyPublished,
        b"domain" => Tag::Domain,
        b"adkim" => Tag::Adkim,
        b"aspf" => Tag::Aspf,
        b"p" => Tag::P,
        b"sp" => Tag::Sp,
        b"pct" => Tag::Pct,
        b"np" => Tag::Np,
        b"fo" => Tag::Fo,
        b"record" => Tag::Record,
        b"row" => Tag::Row,
        b"source_ip" => Tag::SourceIp,
        b"count" => Tag::Count,
        b"policy_evaluated" => Tag::PolicyEvaluated,
        b"disposition" => Tag::Disposition,
        b"dkim" => Tag::Dkim,
        b"spf" => Tag::Spf,
        b"reason" => Tag::Reason,
        b"type" => Tag::Type,
        b"comment" => Tag::Comment,
        b"identifiers" => Tag::Identifiers,
        b"header_from" => Tag::HeaderFrom,
        b"envelope_from" => Tag::EnvelopeFrom,
        b"envelope_to" => Tag::EnvelopeTo,
        b"auth_results" => Tag::AuthResults,
        b"selector" => Tag::Selector,
        b"result" => Tag::Result,
        b"scope" => Tag::Scope,
        b"human_result" => Tag::HumanResult,
        _ => Tag::Other,
    };
    (tag, false)
}

#[derive(Debug, Default, Clone, PartialEq)]
struct Meta {
    org_name: Option<String>,
    email: Option<String>,
    extra: Option<String>,
    report_id: Option<String>,
    begin: Option<String>,
    end: Option<String>,
    errors: Vec<String>,
}

#[derive(Debug, Default, Clone, PartialEq)]
struct Policy {
    domain: Option<String>,
    adkim: Option<String>,
    aspf: Option<String>,
    p: Option<String>,
    sp: Option<String>,
    pct: Option<String>,
    np: Option<String>,
    fo: Option<String>,
}

#[derive(Debug, Default)]
struct RecordB {
    source_ip: Option<String>,
    count: Option<String>,
    has_policy_evaluated: bool,
    disposition: Option<String>,
    dkim: Option<String>,
    spf: Option<String>,
    reasons: Vec<OverrideReason>,
    header_from: Option<String>,
    envelope_from: Option<String>,
    envelope_to: Option<String>,
    dkim_results: Vec<DkimAuth>,
    spf_results: Vec<SpfAuth>,
}

/// Per-report warnings, merged by code.
#[derive(Debug, Default)]
pub(crate) struct Warnings(pub(crate) Vec<ReportWarning>);

impl Warnings {
    #[inline]
    pub(crate) fn add(&mut self, level: Level, code: &str, message: impl Into<String>) {
        if let Some(w) = self.0.iter_mut().find(|w| w.code == code) {
            w.count += 1;
            return;
        }
        self.0.push(ReportWarning {
            level,
            code: code.to_owned(),
            message: message.into(),
            count: 1,
        });
    }
}

struct Parser<'l> {
    limits: &'l Limits,
    stack: Vec<Tag>,
    /// Index in `stack` of the open `feedback` element.
    feedback_at: Option<usize>,
    feedback_seen: bool,
    feedback_closed: bool,
    root: Option<String>,
    namespace: Option<String>,
    version: Option<String>,
    text: String,
    meta: Meta,
    meta_dup: Meta,
    meta_count: u32,
    policy: Policy,
    policy_dup: Policy,
    policy_count: u32,
    conflict: Option<&'static str>,
    record: Option<RecordB>,
    record_elements: u64,
    records: Vec<Record>,
    skipped: u64,
    warnings: Warnings,
}

/// Reads one decoded XML document.
#[inline]
pub(crate) fn parse(text: &str, limits: &Limits, mut warnings: Warnings) -> XmlOutcome {
    let mut reader = Reader::from_str(text);
    {
        let cfg = reader.config_mut();
        cfg.check_end_names = false;
        cfg.allow_unmatched_ends = true;
        cfg.allow_dangling_amp = true;
        cfg.check_comments = false;
        cfg.expand_empty_elements = false;
    }
    warnings.0.reserve(4);
    let mut p = Parser {
        limits,
        stack: Vec::with_capacity(16),
        feedback_at: None,
        feedback_seen: false,
        feedback_closed: false,
        root: None,
        namespace: None,
        version: None,
        text: String::new(),
        meta: Meta::default(),
        meta_dup: Meta::default(),
        meta_count: 0,
        policy: Policy::default(),
        policy_dup: Policy::default(),
        policy_count: 0,
        conflict: None,
        record: None,
        record_elements: 0,
        records: Vec::new(),
        skipped: 0,
        warnings,
    };
    loop {
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let offset = reader.error_position();
                if p.feedback_seen && !p.records.is_empty() && p.meta.report_id.is_some() {
                    p.warnings.add(
                        Level::Warning,
                        "dmarc.xml_syntax",
                        format!("xml syntax error at byte {offset} ({e}); the records before it were kept"),
                    );
                    break;
                }
                return XmlOutcome::Rejected(
                    "dmarc.xml_syntax",
                    format!("xml syntax error: {e}"),
                    Some(offset),
                );
            }
        };
        match event {
            Event::Start(e) => {
                if let Some(r) = p.start(&e) {
                    return with_offset(r, reader.buffer_position());
                }
            }
            Event::Empty(e) => {
                if let Some(r) = p.start(&e) {
                    return with_offset(r, reader.buffer_position());
                }
                p.end_empty();
            }
            Event::End(e) => {
                let (tag, _) = tag_of(e.local_name().as_ref());
                p.end(tag);
            }
            Event::Text(t) => {
                if p.in_feedback() {
                    p.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if p.in_feedback() {
                    p.text.push_str(&t);
                }
            }
            Event::GeneralRef(r) => {
                if !p.in_feedback() {
                    continue;
                }
                let name: &str = &r;
                match r.resolve_char_ref() {
                    Ok(Some(c)) => p.text.push(c),
                    Ok(None) => match name {
                        "lt" => p.text.push('<'),
                        "gt" => p.text.push('>'),
                        "amp" => p.text.push('&'),
                        "apos" => p.text.push('\''),
                        "quot" => p.text.push('"'),
                        _ => {
                            p.warnings.add(
                                Level::Warning,
                                "dmarc.xml_entity_not_expanded",
                                format!("entity reference &{name}; kept as literal text (entities are never expanded)"),
                            );
                            p.text.push('&');
                            p.text.push_str(name);
                            p.text.push(';');
                        }
                    },
                    Err(_) => {
                        p.text.push('&');
                        p.text.push_str(name);
                        p.text.push(';');
                    }
                }
            }
            Event::DocType(_) => {
                p.warnings.add(
                    Level::Warning,
                    "dmarc.xml_doctype_ignored",
                    "document type declaration ignored (entities are never expanded)",
                );
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    p.finish()
}

#[inline]
fn with_offset(r: XmlOutcome, offset: u64) -> XmlOutcome {
    match r {
        XmlOutcome::Rejected(c, m, None) => XmlOutcome::Rejected(c, m, Some(offset)),
        other => other,
    }
}

impl Parser<'_> {
    #[inline]
    fn in_feedback(&self) -> bool {
        self.feedback_at.is_some()
    }

    #[inline]
    fn parent(&self) -> Tag {
        self.stack.last().copied().unwrap_or(Tag::Other)
    }

    #[inline]
    fn grandparent(&self) -> Tag {
        let n = self.stack.len();
        if n >= 2 {
            self.stack[n - 2]
        } else {
            Tag::Other
        }
    }

    #[inline]
    fn start(&mut self, e: &BytesStart<'_>) -> Option<XmlOutcome> {
        let local = e.local_name();
        let (tag, misspelled) = tag_of(local.as_ref());
        if self.root.is_none() {
            let name = e.name();
            let q: &str = name.as_ref();
            self.root = Some(q.to_owned());
        }
        if self.stack.len() >= self.limits.max_xml_depth {
            return Some(XmlOutcome::Rejected(
                "limit.xml_depth",
                format!(
                    "xml nesting deeper than {} elements",
                    self.limits.max_xml_depth
                ),
                None,
            ));
        }
        self.text.clear();
        if self.feedback_at.is_none() {
            if tag == Tag::Feedback && !self.feedback_seen {
                self.feedback_seen = true;
                self.feedback_at = Some(self.stack.len());
                self.namespace = namespace_of(e);
                self.stack.push(Tag::Feedback);
            } else {
                if tag == Tag::Feedback {
                    self.warnings.add(
                        Level::Warning,
                        "dmarc.multiple_feedback",
                        "more than one <feedback> element; only the first was read",
                    );
                }
                self.stack.push(Tag::Other);
            }
            return None;
        }
        let parent = self.parent();
        // Inside feedback: a nested <feedback> is just an unknown element.
        let tag = if tag == Tag::Feedback {
            Tag::Other
        } else {
            tag
        };
        match (parent, tag) {
            (Tag::Feedback, Tag::Record) => {
                self.record_elements += 1;
                self.record = Some(RecordB::default());
            }
            (Tag::Feedback, Tag::ReportMetadata) => {
                self.meta_count += 1;
                if self.meta_count > 1 {
                    self.meta_dup = Meta::default();
                }
            }
            (Tag::Feedback, Tag::PolicyPublished) => {
                self.policy_count += 1;
                if self.policy_count > 1 {
                    self.policy_dup = Policy::default();
                }
            }
            (Tag::ReportMetadata, Tag::DateRange) if misspelled => {
                self.warnings.add(
                    Level::Warning,
                    "dmarc.misspelled_element",
                    "misspelled <data_range> read as <date_range>",
                );
            }
            (Tag::Row, Tag::PolicyEvaluated) => {
                if let Some(r) = self.record.as_mut() {
                    r.has_policy_evaluated = true;
                }
            }
            (Tag::PolicyEvaluated, Tag::Reason) => {
                if let Some(r) = self.record.as_mut() {
                    r.reasons.push(OverrideReason {
                        kind: String::new(),
                        comment: None,
                    });
                }
            }
            (Tag::AuthResults, Tag::Dkim) => {
                if let Some(r) = self.record.as_mut() {
                    r.dkim_results.push(DkimAuth {
                        domain: String::new(),
                        selector: None,
                        result: String::new(),
                        human_result: None,
                    });
                }
            }
            (Tag::AuthResults, Tag::Spf) => {
                if let Some(r) = self.record.as_mut() {
                    r.spf_results.push(SpfAuth {
                        domain: String::new(),
                        scope: String::new(),
                        result: String::new(),
                        human_result: None,
                    });
                }
            }
            _ => {}
        }
        self.stack.push(tag);
        None
    }

    #[inline]
    fn end(&mut self, tag: Tag) {
        let Some(fb) = self.feedback_at else {
            // Outside the report: keep the stack roughly balanced.
            if !self.stack.is_empty() {
                self.stack.pop();
            }
            return;
        };
        // Find the open element this end tag closes (recovery for mismatched end tags).
        let Some(pos) = self.stack[fb..]
            .iter()
            .rposition(|t| *t == tag)
            .map(|i| i + fb)
        else {
            self.text.clear();
            return; // stray end tag
        };
        let mut text = std::mem::take(&mut self.text);
        while self.stack.len() > pos {
            let Some(t) = self.stack.pop() else { break };
            let value = if self.stack.len() == pos {
                std::mem::take(&mut text)
            } else {
                String::new()
            };
            self.close(t, value);
            if t == Tag::Feedback {
                self.feedback_at = None;
                self.feedback_closed = true;
            }
        }
    }

    /// Closes the element an empty-element tag (`<x/>`) just opened.
    #[inline]
    fn end_empty(&mut self) {
        let text = std::mem::take(&mut self.text);
        let Some(t) = self.stack.pop() else { return };
        if self.feedback_at.is_some() {
            self.close(t, text);
            if self.feedback_at == Some(self.stack.len()) {
                self.feedback_at = None;
                self.feedback_closed = true;
            }
        }
    }

    #[inline]
    fn meta_mut(&mut self) -> &mut Meta {
        if self.meta_count > 1 {
            &mut self.meta_dup
        } else {
            &mut self.meta
        }
    }

    #[inline]
    fn policy_mut(&mut self) -> &mut Policy {
        if self.policy_count > 1 {
            &mut self.policy_dup
        } else {
            &mut self.policy
        }
    }

    /// Closes element `tag` whose text content is `value`; `self.stack` now ends at its parent.
    #[inline]
    fn close(&mut self, tag: Tag, value: String) {
        let parent = self.parent();
        let grand = self.grandparent();
        match (parent, tag) {
            (Tag::Feedback, Tag::Version) => set(&mut self.version, value),
            (Tag::Feedback, Tag::Record) => {
                if let Some(r) = self.record.take() {
                    self.finish_record(r);
                }
            }
            (Tag::Feedback, Tag::ReportMetadata) if self.meta_count > 1 => {
                self.warnings.add(
                    Level::Warning,
                    "dmarc.duplicate_section",
                    "<report_metadata> given more than once; the first was used",
                );
                if self.meta_dup != self.meta {
                    self.conflict = Some("report_metadata");
                }
            }
            (Tag::Feedback, Tag::PolicyPublished) if self.policy_count > 1 => {
                self.warnings.add(
                    Level::Warning,
                    "dmarc.duplicate_section",
                    "<policy_published> given more than once; the first was used",
                );
                if self.policy_dup != self.policy {
                    self.conflict = Some("policy_published");
                }
            }
            (Tag::ReportMetadata, Tag::OrgName) => set(&mut self.meta_mut().org_name, value),
            (Tag::ReportMetadata, Tag::Email) => set(&mut self.meta_mut().email, value),
            (Tag::ReportMetadata, Tag::ExtraContactInfo) => set(&mut self.meta_mut().extra, value),
            (Tag::ReportMetadata, Tag::ReportId) => set(&mut self.meta_mut().report_id, value),
            (Tag::ReportMetadata, Tag::Error) => {
                let v = clean(&value);
                if !v.is_empty() {
                    self.meta_mut().errors.push(v);
                }
            }
            (Tag::DateRange, Tag::Begin) if grand == Tag::ReportMetadata => {
                set(&mut self.meta_mut().begin, value);
            }
            (Tag::DateRange, Tag::End) if grand == Tag::ReportMetadata => {
                set(&mut self.meta_mut().end, value);
            }
            (Tag::PolicyPublished, t) => {
                let pol = self.policy_mut();
                let slot = match t {
                    Tag::Domain => &mut pol.domain,
                    Tag::Adkim => &mut pol.adkim,
                    Tag::Aspf => &mut pol.aspf,
                    Tag::P => &mut pol.p,
                    Tag::Sp => &mut pol.sp,
                    Tag::Pct => &mut pol.pct,
                    Tag::Np => &mut pol.np,
                    Tag::Fo => &mut pol.fo,
                    _ => return,
                };
                set(slot, value);
            }
            (Tag::Row, Tag::SourceIp) => {
                if let Some(r) = self.record.as_mut() {
                    set(&mut r.source_ip, value);
                }
            }
            (Tag::Row, Tag::Count) => {
                if let Some(r) = self.record.as_mut() {
                    set(&mut r.count, value);
                }
            }
            (Tag::PolicyEvaluated, Tag::Disposition | Tag::Dkim | Tag::Spf) => {
                if let Some(r) = self.record.as_mut() {
                    let slot = match tag {
                        Tag::Disposition => &mut r.disposition,
                        Tag::Dkim => &mut r.dkim,
                        _ => &mut r.spf,
                    };
                    set(slot, value);
                }
            }
            (Tag::Reason, Tag::Type | Tag::Comment) if grand == Tag::PolicyEvaluated => {
                if let Some(reason) = self.record.as_mut().and_then(|r| r.reasons.last_mut()) {
                    if tag == Tag::Type {
                        reason.kind = lower(&value);
                    } else {
                        let c = clean(&value);
                        reason.comment = (!c.is_empty()).then_some(c);
                    }
                }
            }
            (Tag::Identifiers, Tag::HeaderFrom | Tag::EnvelopeFrom | Tag::EnvelopeTo) => {
                if let Some(r) = self.record.as_mut() {
                    let slot = match tag {
                        Tag::HeaderFrom => &mut r.header_from,
                        Tag::EnvelopeFrom => &mut r.envelope_from,
                        _ => &mut r.envelope_to,
                    };
                    set(slot, value);
                }
            }
            (Tag::Dkim, t) if grand == Tag::AuthResults => {
                if let Some(d) = self.record.as_mut().and_then(|r| r.dkim_results.last_mut()) {
                    match t {
                        Tag::Domain => d.domain = lower(&value),
                        Tag::Selector => {
                            let s = clean(&value);
                            d.selector = (!s.is_empty()).then_some(s);
                        }
                        Tag::Result => d.result = lower(&value),
                        Tag::HumanResult => {
                            let s = clean(&value);
                            d.human_result = (!s.is_empty()).then_some(s);
                        }
                        _ => {}
                    }
                }
            }
            (Tag::Spf, t) if grand == Tag::AuthResults => {
                if let Some(s) = self.record.as_mut().and_then(|r| r.spf_results.last_mut()) {
                    match t {
                        Tag::Domain => s.domain = lower(&value),
                        Tag::Scope => s.scope = lower(&value),
                        Tag::Result => s.result = lower(&value),
                        Tag::HumanResult => {
                            let h = clean(&value);
                            s.human_result = (!h.is_empty()).then_some(h);
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    #[inline]
    fn finish_record(&mut self, r: RecordB) {
        let ip_text = r.source_ip.as_deref().map(clean).unwrap_or_default();
        let ip_text = ip_text.trim_start_matches('[').trim_end_matches(']');
        if ip_text.is_empty() {
            self.skipped += 1;
            self.warnings.add(
                Level::Warning,
                "dmarc.record_empty_source_ip",
                format!("record {} has no source_ip; skipped", self.record_elements),
            );
            return;
        }
        let Ok(source_ip) = ip_text.parse::<IpAddr>() else {
            self.skipped += 1;
            self.warnings.add(
                Level::Warning,
                "dmarc.record_invalid_source_ip",
                format!(
                    "record {} has an invalid source_ip {ip_text:?}; skipped",
                    self.record_elements
                ),
            );
            return;
        };
        let Some(count) = r
            .count
            .as_deref()
            .and_then(parse_u64)
            .filter(|c| *c <= MAX_COUNT)
        else {
            self.skipped += 1;
            self.warnings.add(
                Level::Warning,
                "dmarc.record_invalid_count",
                format!(
                    "record {} has a missing or invalid count; skipped",
                    self.record_elements
                ),
            );
            return;
        };
        let dkim = r.dkim.as_deref().map(lower).unwrap_or_default();
        let spf = r.spf.as_deref().map(lower).unwrap_or_default();
        if dkim.is_empty() || spf.is_empty() {
            let what = match (dkim.is_empty(), spf.is_empty(), r.has_policy_evaluated) {
                (_, _, false) => "no <policy_evaluated>",
                (true, true, true) => "no policy_evaluated <dkim> or <spf>",
                (true, false, true) => "no policy_evaluated <dkim>",
                _ => "no policy_evaluated <spf>",
            };
            self.warnings.add(
                Level::Warning,
                "dmarc.missing_policy_evaluated",
                format!(
                    "record {} has {what}; the missing aligned results count as fail",
                    self.record_elements
                ),
            );
        }
        let dkim = if dkim.is_empty() {
            "fail".to_owned()
        } else {
            dkim
        };
        let spf = if spf.is_empty() {
            "fail".to_owned()
        } else {
            spf
        };
        let header_from = r.header_from.as_deref().map(lower).unwrap_or_default();
        if header_from.is_empty() {
            self.warnings.add(
                Level::Warning,
                "dmarc.record_empty_header_from",
                format!("record {} has no header_from", self.record_elements),
            );
        }
        let mut spf_results = r.spf_results;
        for s in &mut spf_results {
            if s.scope.is_empty() {
                "mfrom".clone_into(&mut s.scope);
            }
        }
        self.records.push(Record {
            source_ip,
            count,
            disposition: r.disposition.as_deref().map(lower).unwrap_or_default(),
            dkim,
            spf,
            reasons: r.reasons,
            header_from,
            envelope_from: r.envelope_from.map(|s| clean(&s)).filter(|s| !s.is_empty()),
            envelope_to: r.envelope_to.map(|s| clean(&s)).filter(|s| !s.is_empty()),
            dkim_results: r.dkim_results,
            spf_results,
        });
    }

    #[inline]
    fn finish(mut self) -> XmlOutcome {
        if !self.feedback_seen {
            let root = self.root.unwrap_or_default();
            return XmlOutcome::Rejected(
                "dmarc.not_a_report",
                format!("xml document without a <feedback> element (root <{root}>)"),
                None,
            );
        }
        if self.record.take().is_some() {
            self.skipped += 1;
            self.warnings.add(
                Level::Warning,
                "dmarc.record_truncated",
                "a record cut off by the end of the document was skipped",
            );
        }
        if !self.stack.is_empty() {
            self.warnings.add(
                Level::Info,
                "dmarc.xml_unclosed",
                format!(
                    "{} element(s) left unclosed at the end of the document",
                    self.stack.len()
                ),
            );
        }
        if let Some(section) = self.conflict {
            return XmlOutcome::Rejected(
                "dmarc.conflicting_sections",
                format!("<{section}> given more than once with different contents"),
                None,
            );
        }
        if self.meta_count == 0 {
            return XmlOutcome::Rejected(
                "dmarc.missing_report_metadata",
                "no <report_metadata>".to_owned(),
                None,
            );
        }
        let meta = self.meta;
        let report_id_raw = meta.report_id.as_deref().map(clean).unwrap_or_default();
        let report_id = normalize::report_id(&report_id_raw);
        if report_id.is_empty() {
            return XmlOutcome::Rejected(
                "dmarc.missing_report_id",
                "no <report_id>".to_owned(),
                None,
            );
        }
        let (Some(begin), Some(end)) = (
            meta.begin.as_deref().and_then(parse_time),
            meta.end.as_deref().and_then(parse_time),
        ) else {
            return XmlOutcome::Rejected(
                "dmarc.missing_date_range",
                "no usable <date_range> begin/end".to_owned(),
                None,
            );
        };
        if end < begin {
            self.warnings.add(
                Level::Warning,
                "dmarc.date_range_reversed",
                "date_range end is before begin; the begin date is used",
            );
        }
        if self.record_elements == 0 {
            return XmlOutcome::Rejected(
                "dmarc.no_records",
                "report without any <record>".to_owned(),
                None,
            );
        }
        if self.policy_count == 0 {
            self.warnings.add(
                Level::Warning,
                "dmarc.missing_policy_published",
                "report without <policy_published>; policy domain unknown",
            );
        } else if self
            .policy
            .domain
            .as_deref()
            .map(clean)
            .unwrap_or_default()
            .is_empty()
        {
            self.warnings.add(
                Level::Warning,
                "dmarc.missing_policy_domain",
                "<policy_published> without <domain>; policy domain unknown",
            );
        }
        let org_name_raw = meta.org_name.as_deref().map(clean).unwrap_or_default();
        let email = meta.email.as_deref().map(clean).unwrap_or_default();
        let org_name = normalize::org_name(&org_name_raw, &email);
        if org_name.is_empty() {
            self.warnings.add(
                Level::Warning,
                "dmarc.missing_org_name",
                "report without org_name or email; reporter unknown",
            );
        }
        let pol = self.policy;
        let pct = pol
            .pct
            .as_deref()
            .and_then(parse_u64)
            .map(|v| v.min(100) as u8);
        let opt = |v: Option<String>| v.map(|s| lower(&s)).filter(|s| !s.is_empty());
        let policy = PolicyPublished {
            domain: pol.domain.as_deref().map(lower).unwrap_or_default(),
            adkim: opt(pol.adkim),
            aspf: opt(pol.aspf),
            p: opt(pol.p),
            sp: opt(pol.sp),
            pct,
            np: opt(pol.np),
            fo: pol.fo.map(|s| clean(&s)).filter(|s| !s.is_empty()),
        };
        XmlOutcome::Report(Box::new(AggregateReport {
            member: None,
            org_name_raw,
            org_name,
            email,
            extra_contact_info: meta.extra.map(|s| clean(&s)).filter(|s| !s.is_empty()),
            report_id_raw,
            report_id,
            begin,
            end,
            errors: meta.errors,
            version: self.version.map(|s| clean(&s)).filter(|s| !s.is_empty()),
            namespace: self.namespace,
            policy,
            records: self.records,
            skipped_records: self.skipped,
            warnings: self.warnings.0,
        }))
    }
}

/// Keeps the first value of a field.
#[inline]
fn set(slot: &mut Option<String>, value: String) {
    if slot.is_none() {
        *slot = Some(value);
    }
}

/// Trimmed, control characters removed.
#[inline]
fn clean(s: &str) -> String {
    let t = s.trim();
    if t.chars().any(|c| c.is_control() && c != '\t') {
        t.chars()
            .filter(|c| !c.is_control() || *c == '\t')
            .collect()
    } else {
        t.to_owned()
    }
}

/// Trimmed, control characters removed, ASCII-lowercased.
#[inline]
fn lower(s: &str) -> String {
    let mut c = clean(s);
    c.make_ascii_lowercase();
    c
}

/// An unsigned integer with any whitespace inside; `12.0` is read as 12.
#[inline]
fn parse_u64(s: &str) -> Option<u64> {
    let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let int = digits.split('.').next().unwrap_or("");
    int.parse().ok()
}

/// Largest Unix time accepted (9999-12-31T23:59:59Z).
const MAX_TIME: i64 = 253_402_300_799;

/// Largest record count accepted (a trillion messages); larger values are not plausible.
const MAX_COUNT: u64 = 1_000_000_000_000;

/// A Unix time in seconds (whitespace tolerated, fraction dropped), between 1970 and 9999.
#[inline]
fn parse_time(s: &str) -> Option<i64> {
    let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let int = digits.split('.').next().unwrap_or("");
    int.parse().ok().filter(|t| (0..=MAX_TIME).contains(t))
}

/// The namespace declared on the `feedback` element: its prefix's, else the default one.
#[inline]
fn namespace_of(e: &BytesStart<'_>) -> Option<String> {
    let name = e.name();
    let qname: &str = name.as_ref();
    let prefix = qname.split_once(':').map(|(p, _)| p);
    let mut default = None;
    for attr in e.attributes().with_checks(false).flatten() {
        let key: &str = attr.key.as_ref();
        let value: String = attr.value.as_ref().to_owned();
        match (key.strip_prefix("xmlns:"), prefix) {
            (Some(p), Some(want)) if p == want => return Some(value),
            _ if key == "xmlns" => default = Some(value),
            _ => {}
        }
    }
    default
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(xml: &str) -> XmlOutcome {
        parse(xml, &Limits::default(), Warnings::default())
    }

    fn report(xml: &str) -> AggregateReport {
        match read(xml) {
            XmlOutcome::Report(r) => *r,
            XmlOutcome::Rejected(c, m, _) => panic!("rejected {c}: {m}"),
        }
    }

    const BASE: &str = r#"<?xml version="1.0"?>
<feedback>
  <report_metadata><org_name>Mail.Ru</org_name><email>x@mail.ru</email>
    <report_id>&lt;abc@host&gt;</report_id><date_range><begin> 100 </begin><end>200</end></date_range>
  </report_metadata>
  <policy_published><domain>Example.COM</domain><p>reject</p><pct>100</pct></policy_published>
  <record><row><source_ip>192.0.2.1</source_ip><count>3</count>
    <policy_evaluated><disposition>None</disposition><dkim>Pass</dkim><spf>hardfail</spf>
      <reason><type>Local_Policy</type><comment>arc=pass</comment></reason></policy_evaluated></row>
    <identifiers><header_from>Example.com</header_from></identifiers>
    <auth_results><dkim><domain>a.example</domain><result>pass</result></dkim>
      <dkim><domain>b.example</domain><selector>s1</selector><result>fail</result></dkim>
      <spf><domain>example.com</domain><scope>helo</scope><result>pass</result></spf>
      <spf><domain>example.com</domain><result>softfail</result></spf></auth_results></record>
</feedback>"#;

    #[test]
    fn reads_a_report_with_every_result() {
        let r = report(BASE);
        assert_eq!(r.org_name, "mail.ru");
        assert_eq!(r.report_id_raw, "<abc@host>");
        assert_eq!(r.report_id, "abc");
        assert_eq!((r.begin, r.end), (100, 200));
        assert_eq!(r.policy.domain, "example.com");
        assert_eq!(r.policy.pct, Some(100));
        let rec = &r.records[0];
        assert_eq!(rec.count, 3);
        assert_eq!(rec.dkim, "pass");
        assert_eq!(rec.spf, "hardfail");
        assert_eq!(rec.disposition, "none");
        assert_eq!(rec.reasons[0].kind, "local_policy");
        assert_eq!(rec.reasons[0].comment.as_deref(), Some("arc=pass"));
        assert_eq!(rec.dkim_results.len(), 2);
        assert_eq!(rec.dkim_results[1].selector.as_deref(), Some("s1"));
        assert_eq!(rec.spf_results.len(), 2);
        assert_eq!(rec.spf_results[1].scope, "mfrom");
        assert!(rec.dmarc_pass());
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn namespaces_and_prefixes_read_alike() {
        let ns = BASE.replace(
            "<feedback>",
            r#"<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">"#,
        );
        let r = report(&ns);
        assert_eq!(
            r.namespace.as_deref(),
            Some("urn:ietf:params:xml:ns:dmarc-2.0")
        );
        assert_eq!(r.records.len(), 1);
        let pre = BASE
            .replace(
                "<feedback>",
                r#"<ns1:feedback xmlns:ns1="http://dmarc.org/dmarc-xml/0.1">"#,
            )
            .replace("</feedback>", "</ns1:feedback>");
        let r = report(&pre);
        assert_eq!(
            r.namespace.as_deref(),
            Some("http://dmarc.org/dmarc-xml/0.1")
        );
        assert_eq!(r.records.len(), 1);
        let all = BASE
            .replace('<', "<d:")
            .replace("<d:/", "</d:")
            .replace("<d:?", "<?");
        let all = all.replacen("<d:feedback>", r#"<d:feedback xmlns:d="x">"#, 1);
        assert_eq!(report(&all).records.len(), 1);
    }

    #[test]
    fn entities_are_never_expanded() {
        let xml = BASE
            .replace(
                "<?xml version=\"1.0\"?>",
                "<?xml version=\"1.0\"?><!DOCTYPE feedback [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\"><!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>",
            )
            .replace("<org_name>Mail.Ru</org_name>", "<org_name>&xxe;&lol2;</org_name>");
        let r = report(&xml);
        assert_eq!(r.org_name_raw, "&xxe;&lol2;");
        let codes: Vec<&str> = r.warnings.iter().map(|w| w.code.as_str()).collect();
        assert!(codes.contains(&"dmarc.xml_doctype_ignored"));
        assert!(codes.contains(&"dmarc.xml_entity_not_expanded"));
    }

    #[test]
    fn control_characters_and_empty_elements() {
        let xml = BASE
            .replace("arc=pass", "arc=pass\u{7}")
            .replace("<identifiers>", "<identifiers><envelope_to/><feedback/>");
        let r = report(&xml);
        assert_eq!(r.records[0].reasons[0].comment.as_deref(), Some("arc=pass"));
        assert_eq!(r.records[0].envelope_to, None);
        assert_eq!(r.records[0].header_from, "example.com");
        assert!(matches!(
            read("<feedback/>"),
            XmlOutcome::Rejected("dmarc.missing_report_metadata", _, _)
        ));
    }

    #[test]
    fn depth_is_bounded() {
        let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
        assert!(matches!(
            read(&deep),
            XmlOutcome::Rejected("limit.xml_depth", _, _)
        ));
    }

    #[test]
    fn not_a_report() {
        assert!(matches!(
            read("<html><body/></html>"),
            XmlOutcome::Rejected("dmarc.not_a_report", _, _)
        ));
        assert!(matches!(
            read(""),
            XmlOutcome::Rejected("dmarc.not_a_report", _, _)
        ));
    }

    #[test]
    fn missing_policy_evaluated_counts_as_fail() {
        let xml = BASE.replace("<dkim>Pass</dkim><spf>hardfail</spf>", "");
        let r = report(&xml);
        assert!(!r.records[0].dmarc_pass());
        assert_eq!(r.warnings[0].code, "dmarc.missing_policy_evaluated");
        assert_eq!(r.warnings[0].count, 1);
    }

    #[test]
    fn bad_records_are_skipped_not_fatal() {
        let xml = BASE.replace("<source_ip>192.0.2.1</source_ip>", "<source_ip/>");
        let r = report(&xml);
        assert_eq!(r.records.len(), 0);
        assert_eq!(r.skipped_records, 1);
        let xml = BASE.replace("192.0.2.1", "108r.166.27.220");
        assert_eq!(report(&xml).skipped_records, 1);
    }

    #[test]
    fn truncated_document_keeps_complete_records() {
        let cut = &BASE[..BASE.find("</feedback>").unwrap_or(BASE.len())];
        let r = report(&format!(
            "{cut}<record><row><source_ip>1.2.3.4</source_ip><cou"
        ));
        assert_eq!(r.records.len(), 1);
    }
}
