//! Incident state: verdicts become incidents keyed on rule + scope, so a message goes out when
//! an incident opens, worsens or resolves, not every night (research/ux.md §4.3).
//!
//! Pure: [`evaluate`] takes the open incidents and today's verdicts and returns the changes
//! to announce and the incidents to store.

use std::collections::BTreeMap;

use mailrep_core::verdict::{Subject, Verdict};
use mailrep_core::{Date, Severity};
use serde::{Deserialize, Serialize};

/// An incident as stored between runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Incident {
    /// `rule:scope`, e.g. `delivery.throttled:microsoft:203.0.113.94`.
    pub(crate) key: String,
    /// Verdict id.
    pub(crate) rule: String,
    /// Current severity.
    pub(crate) severity: Severity,
    /// What it is about (the verdict's subject without the date).
    pub(crate) subject: Subject,
    /// Short title for messages (`Microsoft throttling 203.0.113.94`).
    pub(crate) title: String,
    /// The verdict message of the latest evaluation that raised it.
    pub(crate) message: String,
    /// First evaluated date that raised it.
    pub(crate) since: Date,
    /// Latest evaluated date that raised it.
    pub(crate) last_seen: Date,
    /// Latest evaluated date (raised or clean).
    pub(crate) last_evaluated: Date,
    /// Current measure (see [`measure`]).
    pub(crate) measure: f64,
    /// Measure when it was last notified (new or worse).
    pub(crate) notified_measure: f64,
    /// Severity when it was last notified.
    pub(crate) notified_severity: Severity,
    /// Consecutive clean evaluations (distinct dates) since it was last raised.
    pub(crate) clean_evaluations: u32,
}

/// How an incident changed in one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum State {
    /// Opened now: notify.
    New,
    /// Severity rose or the measure grew by the worse factor: notify.
    Worse,
    /// Still open, no notable change: silent.
    Ongoing,
    /// Clean for `resolve_after` evaluations: notify once, then forget.
    Resolved,
}

/// One incident after an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Change {
    /// What happened.
    pub(crate) state: State,
    /// The incident after the evaluation.
    pub(crate) incident: Incident,
    /// The verdict that raised it now (none for resolved).
    pub(crate) verdict: Option<Verdict>,
    /// Measure notified before (worse, resolved), for "was … now …".
    pub(crate) was: Option<f64>,
}

/// Evaluation policy (`[alert]` of the configuration).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy {
    /// Clean evaluations before resolving.
    pub(crate) resolve_after: u32,
    /// Growth factor of the measure that makes an ongoing incident worse.
    pub(crate) worse_factor: f64,
}

/// The result of one evaluation.
#[derive(Debug, Default)]
pub(crate) struct Evaluation {
    /// Every open or resolved incident, most severe and newest state first.
    pub(crate) changes: Vec<Change>,
}

impl Evaluation {
    /// Changes that must be announced (new, worse, resolved).
    pub(crate) fn announced(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.state != State::Ongoing)
    }

    /// Incidents still open after the evaluation (new, worse, ongoing, and clean ones not yet
    /// resolved).
    pub(crate) fn open(&self) -> impl Iterator<Item = &Incident> {
        self.changes
            .iter()
            .filter(|c| c.state != State::Resolved)
            .map(|c| &c.incident)
    }

    /// Incidents raised by a verdict in this evaluation.
    pub(crate) fn raised(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.verdict.is_some())
    }
}

/// The incident key of a verdict: rule id, then provider, sending IP and source IP when present
/// (the date is not part of it: the same problem on the next day is the same incident).
pub(crate) fn key(v: &Verdict) -> String {
    let s = &v.subject;
    let mut k = v.id.clone();
    for part in [&s.provider, &s.sending_ip, &s.source_ip]
        .into_iter()
        .flatten()
    {
        k.push(':');
        k.push_str(if part.is_empty() { "unknown" } else { part });
    }
    k
}

/// How bad a verdict is, growing with the problem: the failing share for
/// `dmarc.own_alignment` (100 - pass %), the failing messages for `dmarc.spoofing`, the drop
/// in points for `delivery.regression`, the share in percent for the other delivery rules.
pub(crate) fn measure(v: &Verdict) -> f64 {
    match v.id.as_str() {
        "dmarc.own_alignment" => 100.0 - v.numbers.percent,
        "dmarc.spoofing" => v.numbers.count as f64,
        _ => v.numbers.percent,
    }
}

/// Evaluates the verdicts of `date` against the open incidents. `title` names a verdict;
/// `judged(rule)` says whether the rule had data to judge: an open incident of a rule without
/// data (no delivery rows stored for the date, say, because the ingest did not run) is left as
/// it was instead of counting as clean.
pub(crate) fn evaluate(
    open: Vec<Incident>,
    verdicts: &[Verdict],
    date: Date,
    policy: Policy,
    title: impl Fn(&Verdict) -> String,
    judged: impl Fn(&str) -> bool,
) -> Evaluation {
    // One verdict per key: the most severe, then the worst measure.
    let mut current: BTreeMap<String, &Verdict> = BTreeMap::new();
    for v in verdicts {
        let k = key(v);
        let replace = current
            .get(&k)
            .is_none_or(|old| (v.severity, -measure(v)) < (old.severity, -measure(old)));
        if replace {
            current.insert(k, v);
        }
    }
    let mut open: BTreeMap<String, Incident> =
        open.into_iter().map(|i| (i.key.clone(), i)).collect();
    let mut changes = Vec::new();
    for (k, v) in current {
        let m = measure(v);
        let mut subject = v.subject.clone();
        subject.date = None;
        match open.remove(&k) {
            Some(mut inc) => {
                let worse = v.severity < inc.notified_severity
                    || (m > inc.notified_measure
                        && m >= inc.notified_measure * policy.worse_factor);
                let was = inc.notified_measure;
                inc.severity = v.severity;
                inc.subject = subject;
                inc.title = title(v);
                inc.message.clone_from(&v.message);
                inc.measure = m;
                inc.last_seen = inc.last_seen.max(date);
                inc.last_evaluated = date;
                inc.clean_evaluations = 0;
                inc.since = inc.since.min(date);
                let state = if worse {
                    inc.notified_measure = m;
                    inc.notified_severity = v.severity;
                    State::Worse
                } else {
                    State::Ongoing
                };
                changes.push(Change {
                    state,
                    incident: inc,
                    verdict: Some(v.clone()),
                    was: worse.then_some(was),
                });
            }
            None => changes.push(Change {
                state: State::New,
                incident: Incident {
                    key: k,
                    rule: v.id.clone(),
                    severity: v.severity,
                    subject,
                    title: title(v),
                    message: v.message.clone(),
                    since: date,
                    last_seen: date,
                    last_evaluated: date,
                    measure: m,
                    notified_measure: m,
                    notified_severity: v.severity,
                    clean_evaluations: 0,
                },
                verdict: Some(v.clone()),
                was: None,
            }),
        }
    }
    for (_, mut inc) in open {
        if !judged(&inc.rule) {
            changes.push(Change {
                state: State::Ongoing,
                incident: inc,
                verdict: None,
                was: None,
            });
            continue;
        }
        if inc.last_evaluated != date {
            inc.clean_evaluations += 1;
            inc.last_evaluated = date;
        }
        let state = if inc.clean_evaluations >= policy.resolve_after.max(1) {
            State::Resolved
        } else {
            State::Ongoing
        };
        let was = Some(inc.notified_measure);
        changes.push(Change {
            state,
            incident: inc,
            verdict: None,
            was,
        });
    }
    changes.sort_by(|a, b| {
        (
            a.state == State::Resolved,
            a.incident.severity,
            a.state,
            &a.incident.key,
        )
            .cmp(&(
                b.state == State::Resolved,
                b.incident.severity,
                b.state,
                &b.incident.key,
            ))
    });
    Evaluation { changes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailrep_core::verdict::Numbers;

    const POLICY: Policy = Policy {
        resolve_after: 2,
        worse_factor: 2.0,
    };

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn throttled(date: &str, pct: f64, severity: Severity) -> Verdict {
        Verdict {
            id: "delivery.throttled".into(),
            severity,
            subject: Subject {
                date: Some(d(date)),
                provider: Some("microsoft".into()),
                sending_ip: Some("203.0.113.94".into()),
                ..Subject::default()
            },
            message: format!("Microsoft from 203.0.113.94 on {date}: {pct:.1} % throttled"),
            numbers: Numbers {
                count: pct as u64,
                total: 100,
                percent: pct,
                threshold: 70.0,
            },
            evidence: vec![],
        }
    }

    fn run(open: Vec<Incident>, v: &[Verdict], date: &str) -> Evaluation {
        evaluate(open, v, d(date), POLICY, |v| v.id.clone(), |_| true)
    }

    fn stored(e: &Evaluation) -> Vec<Incident> {
        e.open().cloned().collect()
    }

    fn states(e: &Evaluation) -> Vec<State> {
        e.changes.iter().map(|c| c.state).collect()
    }

    #[test]
    fn keys_leave_out_the_date_and_name_unknown_ips() {
        let v = throttled("2026-11-20", 75.0, Severity::Warning);
        assert_eq!(key(&v), "delivery.throttled:microsoft:203.0.113.94");
        let mut v2 = v.clone();
        v2.subject.date = Some(d("2026-11-21"));
        assert_eq!(key(&v), key(&v2));
        v2.subject.sending_ip = Some(String::new());
        assert_eq!(key(&v2), "delivery.throttled:microsoft:unknown");
        v2.subject.sending_ip = None;
        assert_eq!(key(&v2), "delivery.throttled:microsoft");
    }

    #[test]
    fn lifecycle_new_ongoing_worse_clean_resolved() {
        let e = run(
            vec![],
            &[throttled("2026-11-18", 30.0, Severity::Warning)],
            "2026-11-18",
        );
        assert_eq!(states(&e), [State::New]);
        assert_eq!(e.announced().count(), 1);
        let inc = &e.changes[0].incident;
        assert_eq!(inc.since, d("2026-11-18"));
        assert!((inc.notified_measure - 30.0).abs() < 1e-9);

        // Same problem, a bit higher: ongoing, silent, measure tracked but not notified.
        let e = run(
            stored(&e),
            &[throttled("2026-11-19", 50.0, Severity::Warning)],
            "2026-11-19",
        );
        assert_eq!(states(&e), [State::Ongoing]);
        assert_eq!(e.announced().count(), 0);
        assert!((e.changes[0].incident.measure - 50.0).abs() < 1e-9);
        assert!((e.changes[0].incident.notified_measure - 30.0).abs() < 1e-9);

        // Doubled against the last notified measure: worse, notified, was = 30.
        let e = run(
            stored(&e),
            &[throttled("2026-11-20", 60.0, Severity::Warning)],
            "2026-11-20",
        );
        assert_eq!(states(&e), [State::Worse]);
        assert_eq!(e.changes[0].was, Some(30.0));
        assert_eq!(e.changes[0].incident.since, d("2026-11-18"));

        // First clean day: still open (hysteresis), silent.
        let e = run(stored(&e), &[], "2026-11-21");
        assert_eq!(states(&e), [State::Ongoing]);
        assert_eq!(e.changes[0].incident.clean_evaluations, 1);
        assert_eq!(e.announced().count(), 0);
        assert_eq!(e.raised().count(), 0);

        // Re-running the same clean date does not count twice.
        let e = run(stored(&e), &[], "2026-11-21");
        assert_eq!(states(&e), [State::Ongoing]);
        assert_eq!(e.changes[0].incident.clean_evaluations, 1);

        // Second clean date: resolved once, then gone.
        let e = run(stored(&e), &[], "2026-11-22");
        assert_eq!(states(&e), [State::Resolved]);
        assert_eq!(e.changes[0].was, Some(60.0));
        assert_eq!(e.open().count(), 0);
        let e = run(stored(&e), &[], "2026-11-23");
        assert!(e.changes.is_empty());
    }

    #[test]
    fn rules_without_data_neither_clean_nor_resolve() {
        let e = run(
            vec![],
            &[throttled("2026-11-18", 80.0, Severity::Warning)],
            "2026-11-18",
        );
        let mut open = stored(&e);
        for day in ["2026-11-19", "2026-11-20", "2026-11-21"] {
            let e = evaluate(
                open,
                &[],
                d(day),
                POLICY,
                |v| v.id.clone(),
                |rule| rule.starts_with("dmarc."),
            );
            assert_eq!(states(&e), [State::Ongoing]);
            assert_eq!(e.changes[0].incident.clean_evaluations, 0);
            open = stored(&e);
        }
    }

    #[test]
    fn flapping_is_damped_by_the_clean_count_reset() {
        let e = run(
            vec![],
            &[throttled("2026-11-18", 80.0, Severity::Warning)],
            "2026-11-18",
        );
        let e = run(stored(&e), &[], "2026-11-19");
        assert_eq!(states(&e), [State::Ongoing]);
        let e = run(
            stored(&e),
            &[throttled("2026-11-20", 75.0, Severity::Warning)],
            "2026-11-20",
        );
        assert_eq!(states(&e), [State::Ongoing]);
        assert_eq!(e.changes[0].incident.clean_evaluations, 0);
        let e = run(stored(&e), &[], "2026-11-21");
        assert_eq!(states(&e), [State::Ongoing]);
    }

    #[test]
    fn rising_severity_is_worse_even_with_a_lower_measure() {
        let e = run(
            vec![],
            &[throttled("2026-11-18", 80.0, Severity::Warning)],
            "2026-11-18",
        );
        let e = run(
            stored(&e),
            &[throttled("2026-11-19", 79.0, Severity::Critical)],
            "2026-11-19",
        );
        assert_eq!(states(&e), [State::Worse]);
        assert_eq!(e.changes[0].incident.notified_severity, Severity::Critical);
        // Back to warning: not worse, ongoing.
        let e = run(
            stored(&e),
            &[throttled("2026-11-20", 79.0, Severity::Warning)],
            "2026-11-20",
        );
        assert_eq!(states(&e), [State::Ongoing]);
    }

    #[test]
    fn rerunning_the_same_date_announces_nothing() {
        let v = [throttled("2026-11-18", 80.0, Severity::Warning)];
        let e = run(vec![], &v, "2026-11-18");
        assert_eq!(e.announced().count(), 1);
        let e = run(stored(&e), &v, "2026-11-18");
        assert_eq!(e.announced().count(), 0);
        assert_eq!(e.raised().count(), 1);
    }

    #[test]
    fn measures_grow_with_the_problem() {
        let mut v = throttled("2026-11-18", 80.0, Severity::Warning);
        v.id = "dmarc.own_alignment".into();
        v.numbers.percent = 90.0;
        assert!((measure(&v) - 10.0).abs() < 1e-9);
        v.id = "dmarc.spoofing".into();
        v.numbers.count = 3410;
        assert!((measure(&v) - 3410.0).abs() < 1e-9);
    }

    #[test]
    fn changes_sorted_most_severe_first_resolved_last_and_duplicates_merged() {
        let mut spoof = throttled("2026-11-18", 0.0, Severity::Warning);
        spoof.id = "dmarc.spoofing".into();
        spoof.subject = Subject {
            source_ip: Some("198.51.100.7".into()),
            domain: Some("example.org".into()),
            ..Subject::default()
        };
        spoof.numbers.count = 500;
        let mut crit = throttled("2026-11-18", 20.0, Severity::Critical);
        crit.id = "delivery.reputation_rejects".into();
        let e = run(vec![], &[spoof.clone(), crit.clone()], "2026-11-18");
        let e1 = run(stored(&e), &[spoof], "2026-11-19");
        let e2 = run(stored(&e1), &[], "2026-11-20");
        let open = stored(&e2);
        assert_eq!(open.len(), 1, "the critical one resolved");
        assert_eq!(open[0].rule, "dmarc.spoofing");
        let dup = throttled("2026-11-21", 90.0, Severity::Warning);
        let dup_worse = throttled("2026-11-21", 95.0, Severity::Critical);
        let e = run(open, &[dup, dup_worse], "2026-11-21");
        assert_eq!(states(&e), [State::New, State::Resolved]);
        assert_eq!(e.changes[0].incident.severity, Severity::Critical);
        assert!((e.changes[0].incident.measure - 95.0).abs() < 1e-9);
        let k: Vec<_> = e2.changes.iter().map(|c| c.state).collect();
        assert_eq!(k, [State::Ongoing, State::Resolved]);
    }
}
