//! PostgreSQL side of `mailrep alert`: the stored history in (delivery rows, DMARC reports),
//! incident state and the reverse-DNS cache in and out.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use mailrep_core::dmarc::{DmarcFindings, SourceClass};
use mailrep_core::postfix::aggregate::DailyRow;
use mailrep_core::{Analyzer, Config, Date, Severity};

use super::incident::{Evaluation, Incident, State};
use crate::rdns::{self, Answer};

/// A connection with the schema migrated.
pub(crate) struct Store {
    client: postgres::Client,
}

fn severity_str(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn parse_severity(s: &str) -> Severity {
    match s {
        "critical" => Severity::Critical,
        "warning" => Severity::Warning,
        _ => Severity::Info,
    }
}

fn state_str(s: State) -> &'static str {
    match s {
        State::New => "new",
        State::Worse => "worse",
        State::Ongoing => "ongoing",
        State::Resolved => "resolved",
    }
}

fn date(s: &str) -> Result<Date> {
    Date::parse(s).with_context(|| format!("bad date {s:?} in the database"))
}

impl Store {
    /// Connects and applies pending migrations.
    pub(crate) fn open(url: &str) -> Result<Self> {
        let client = {
            let mut c = crate::store::connect(url)?;
            crate::store::migrate::migrate(&mut c)?;
            c
        };
        Ok(Self { client })
    }

    /// Daily delivery rows with `from <= date <= to`.
    pub(crate) fn delivery_rows(&mut self, from: Date, to: Date) -> Result<Vec<DailyRow>> {
        let rows = self.client.query(
            "SELECT log_date::text, host, sending_ip, receiver, outcome, reason_code, \
             msg_count, final_count, coalesce(sample_text, '') FROM mail_reputation_daily \
             WHERE log_date BETWEEN $1::text::date AND $2::text::date",
            &[&from.to_string(), &to.to_string()],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let outcome: String = r.get(4);
            let Ok(outcome) = serde_json::from_value(serde_json::Value::String(outcome.clone()))
            else {
                anyhow::bail!("mail_reputation_daily: unknown outcome {outcome:?}");
            };
            let attempts: i64 = r.get(6);
            let final_: i64 = r.get(7);
            out.push(DailyRow {
                date: date(r.get(0))?,
                host: r.get(1),
                sending_ip: r.get(2),
                provider: r.get(3),
                outcome,
                reason_code: r.get(5),
                attempts: attempts.max(0) as u64,
                final_: final_.max(0) as u64,
                sample_reply: r.get(8),
            });
        }
        Ok(out)
    }

    /// DMARC findings of the stored reports overlapping `[from, to]`, re-read by the core
    /// with the configuration. With `lookups`, PTR names of external source IPs that fail
    /// DMARC are looked up (cached in `rdns_cache`), and the reports are read again with
    /// them so forwarder hints apply; cached names are used either way.
    pub(crate) fn dmarc_findings(
        &mut self,
        from: Date,
        to: Date,
        config: &Config,
        lookups: Option<Duration>,
    ) -> Result<DmarcFindings> {
        let reports = self.report_blobs(from, to)?;
        let analyse = |config: &Config| -> Result<DmarcFindings> {
            let mut analyzer = Analyzer::new(config.clone())?;
            for (name, bytes) in &reports {
                analyzer.begin_input(name, to.add_days(1));
                analyzer.push(bytes);
                analyzer.end_input();
            }
            Ok(analyzer.finish().dmarc)
        };
        let first = analyse(config)?;
        let wanted: Vec<IpAddr> = {
            let mut ips: Vec<IpAddr> = first
                .by_source
                .iter()
                .filter(|r| r.source_class == SourceClass::External && r.failing > 0)
                .map(|r| r.source_ip)
                .filter(|ip| !config.dmarc.ptr.contains_key(ip))
                .collect();
            ips.sort_unstable();
            ips.dedup();
            ips
        };
        if wanted.is_empty() {
            return Ok(first);
        }
        let ttl = config.alert.reverse_dns_ttl_hours;
        let mut known = self.cached_ptrs(&wanted, ttl)?;
        if let Some(timeout) = lookups {
            let missing: Vec<IpAddr> = wanted
                .iter()
                .copied()
                .filter(|ip| !known.contains_key(ip))
                .collect();
            let answers = rdns::lookup_all(&missing, timeout);
            self.cache_ptrs(&answers)?;
            for (ip, a) in answers {
                known.insert(ip, a);
            }
        }
        let mut with_ptr = config.clone();
        let mut added = false;
        for (ip, a) in known {
            if let Answer::Name(n) = a {
                with_ptr.dmarc.ptr.insert(ip, n);
                added = true;
            }
        }
        if added { analyse(&with_ptr) } else { Ok(first) }
    }

    /// Original bytes of the inputs holding reports whose range overlaps `[from, to]` (UTC
    /// days), as stored by `ingest`, decompressed.
    fn report_blobs(&mut self, from: Date, to: Date) -> Result<Vec<(String, Vec<u8>)>> {
        let rows = self.client.query(
            "SELECT b.id, b.name, b.bytes_gzip FROM dmarc_report_blob b WHERE b.id IN ( \
             SELECT r.blob_id FROM dmarc_report r WHERE r.blob_id IS NOT NULL \
             AND r.date_begin < ($2::text::date + 1)::timestamp AT TIME ZONE 'UTC' \
             AND coalesce(r.date_end, r.date_begin) >= $1::text::date::timestamp AT TIME ZONE 'UTC') \
             ORDER BY b.id",
            &[&from.to_string(), &to.to_string()],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.get(0);
            let name: String = r.get(1);
            let gz: Vec<u8> = r.get(2);
            let mut raw = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut raw)
                .with_context(|| format!("dmarc_report_blob {id} ({name}): corrupt gzip"))?;
            out.push((name, raw));
        }
        Ok(out)
    }

    /// Cached answers younger than `ttl_hours`.
    fn cached_ptrs(&mut self, ips: &[IpAddr], ttl_hours: u64) -> Result<BTreeMap<IpAddr, Answer>> {
        let rows = self.client.query(
            "SELECT ip, ptr FROM rdns_cache WHERE ip = ANY($1) \
             AND looked_up_at > now() - make_interval(hours => $2)",
            &[&ips, &(ttl_hours.min(1 << 20) as i32)],
        )?;
        Ok(rows
            .iter()
            .map(|r| {
                let ip: IpAddr = r.get(0);
                let ptr: Option<String> = r.get(1);
                (ip, ptr.map_or(Answer::NoName, Answer::Name))
            })
            .collect())
    }

    fn cache_ptrs(&mut self, answers: &BTreeMap<IpAddr, Answer>) -> Result<()> {
        let mut tx = self.client.transaction()?;
        for (ip, a) in answers {
            let ptr = match a {
                Answer::Name(n) => Some(n.as_str()),
                Answer::NoName => None,
            };
            tx.execute(
                "INSERT INTO rdns_cache (ip, ptr, looked_up_at) VALUES ($1, $2, now()) \
                 ON CONFLICT (ip) DO UPDATE SET ptr = EXCLUDED.ptr, looked_up_at = now()",
                &[ip, &ptr],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The open incidents.
    pub(crate) fn open_incidents(&mut self) -> Result<Vec<Incident>> {
        let rows = self.client.query(
            "SELECT key, rule, severity, subject, title, message, since::text, \
             last_seen::text, last_evaluated::text, measure, notified_measure, \
             notified_severity, clean_evaluations FROM alert_incident ORDER BY key",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                let subject: String = r.get(3);
                let clean: i32 = r.get(12);
                Ok(Incident {
                    key: r.get(0),
                    rule: r.get(1),
                    severity: parse_severity(r.get(2)),
                    subject: serde_json::from_str(&subject).unwrap_or_default(),
                    title: r.get(4),
                    message: r.get(5),
                    since: date(r.get(6))?,
                    last_seen: date(r.get(7))?,
                    last_evaluated: date(r.get(8))?,
                    measure: r.get(9),
                    notified_measure: r.get(10),
                    notified_severity: parse_severity(r.get(11)),
                    clean_evaluations: clean.max(0) as u32,
                })
            })
            .collect()
    }

    /// Stores the state after an evaluation in one transaction: open incidents upserted,
    /// resolved ones deleted, every announced change appended to `alert_incident_log`.
    pub(crate) fn save_incidents(&mut self, e: &Evaluation) -> Result<()> {
        let mut tx = self.client.transaction()?;
        for c in &e.changes {
            let i = &c.incident;
            if c.state == State::Resolved {
                tx.execute("DELETE FROM alert_incident WHERE key = $1", &[&i.key])?;
            } else {
                let subject = serde_json::to_string(&i.subject)?;
                tx.execute(
                    "INSERT INTO alert_incident (key, rule, severity, subject, title, message, \
                     since, last_seen, last_evaluated, measure, notified_measure, \
                     notified_severity, clean_evaluations, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7::text::date, $8::text::date, \
                     $9::text::date, $10, $11, $12, $13, now()) \
                     ON CONFLICT (key) DO UPDATE SET rule = EXCLUDED.rule, \
                     severity = EXCLUDED.severity, subject = EXCLUDED.subject, \
                     title = EXCLUDED.title, message = EXCLUDED.message, \
                     since = EXCLUDED.since, last_seen = EXCLUDED.last_seen, \
                     last_evaluated = EXCLUDED.last_evaluated, measure = EXCLUDED.measure, \
                     notified_measure = EXCLUDED.notified_measure, \
                     notified_severity = EXCLUDED.notified_severity, \
                     clean_evaluations = EXCLUDED.clean_evaluations, updated_at = now()",
                    &[
                        &i.key,
                        &i.rule,
                        &severity_str(i.severity),
                        &subject,
                        &i.title,
                        &i.message,
                        &i.since.to_string(),
                        &i.last_seen.to_string(),
                        &i.last_evaluated.to_string(),
                        &i.measure,
                        &i.notified_measure,
                        &severity_str(i.notified_severity),
                        &(i.clean_evaluations.min(i32::MAX as u32) as i32),
                    ],
                )?;
            }
            if c.state != State::Ongoing {
                tx.execute(
                    "INSERT INTO alert_incident_log (key, state, evaluated, severity, measure, \
                     message) VALUES ($1, $2, $3::text::date, $4, $5, $6)",
                    &[
                        &i.key,
                        &state_str(c.state),
                        &i.last_evaluated.to_string(),
                        &severity_str(i.severity),
                        &i.measure,
                        &i.message,
                    ],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}
