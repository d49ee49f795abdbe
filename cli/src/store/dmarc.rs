//! Storing DMARC aggregate reports: idempotent on the normalized `(org_name, report_id)`,
//! with every record's auth results and the original input bytes (gzip) for re-parsing.

use std::io::Write;

use anyhow::{Context, Result};
use mailrep_core::Config;
use mailrep_core::dmarc::{AggregateReport, classify_source};
use postgres::{Statement, Transaction};

/// Stores blobs and reports with statements prepared once per run (on first use).
#[derive(Default)]
pub(crate) struct Writer {
    blob: Option<Statement>,
    report: Option<Statement>,
    records: Option<Statement>,
}

/// The statement in `slot`, prepared on first use.
fn prepared(
    tx: &mut Transaction<'_>,
    slot: &mut Option<Statement>,
    sql: &str,
) -> Result<Statement> {
    if let Some(s) = slot {
        return Ok(s.clone());
    }
    let s = tx.prepare(sql).context("preparing a report statement")?;
    Ok(slot.insert(s).clone())
}

const INSERT_BLOB: &str = "INSERT INTO dmarc_report_blob (digest, name, size, bytes_gzip)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (digest) DO UPDATE SET digest = excluded.digest
     RETURNING id";

impl Writer {
    /// Stores the original bytes of an input holding reports (once per distinct content) and
    /// returns the row id: one statement, which returns the stored row's id when the content
    /// is already there.
    pub(crate) fn store_blob(
        &mut self,
        tx: &mut Transaction<'_>,
        name: &str,
        raw: &[u8],
    ) -> Result<i64> {
        let digest = format!(
            "xxh3-128:{:032x}",
            xxhash_rust::xxh3::xxh3_128(raw) // content address; not a security boundary
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(raw)?;
        let gz = gz.finish()?;
        let insert = prepared(tx, &mut self.blob, INSERT_BLOB)?;
        let row = tx
            .query_one(&insert, &[&digest, &name, &(raw.len() as i64), &gz])
            .context("storing the report's original bytes")?;
        Ok(row.get(0))
    }

    /// Inserts one report and its records unless a report with the same normalized
    /// `(org_name, report_id)` is stored. Returns true when it was new.
    pub(crate) fn store_report(
        &mut self,
        tx: &mut Transaction<'_>,
        config: &Config,
        r: &AggregateReport,
        source_name: &str,
        blob_id: i64,
    ) -> Result<bool> {
        let messages: i64 = r.records.iter().map(|x| x.count as i64).sum();
        let pct = r.policy.pct.map(i32::from);
        let insert = prepared(tx, &mut self.report, INSERT_REPORT)?;
        let row = tx
            .query_opt(
                &insert,
                &[
                    &r.org_name,
                    &r.email,
                    &r.report_id,
                    &(r.begin as f64),
                    &(r.end as f64),
                    &r.policy.domain,
                    &r.policy.p,
                    &r.policy.sp,
                    &r.policy.adkim,
                    &r.policy.aspf,
                    &pct,
                    &r.org_name_raw,
                    &r.report_id_raw,
                    &r.extra_contact_info,
                    &r.version,
                    &r.namespace,
                    &r.policy.np,
                    &r.policy.fo,
                    &r.errors,
                    &(r.records.len() as i32),
                    &messages,
                    &(r.skipped_records as i64),
                    &source_name,
                    &r.member,
                    &blob_id,
                ],
            )
            .with_context(|| format!("storing report {:?} of {:?}", r.report_id, r.org_name))?;
        let Some(row) = row else {
            return Ok(false);
        };
        let id: i64 = row.get(0);
        if r.records.is_empty() {
            return Ok(true);
        }
        let len = r.records.len();
        let mut index = Vec::with_capacity(len);
        let mut ip = Vec::with_capacity(len);
        let mut count = Vec::with_capacity(len);
        let mut disposition = Vec::with_capacity(len);
        let mut dkim_aligned = Vec::with_capacity(len);
        let mut spf_aligned = Vec::with_capacity(len);
        let mut pass = Vec::with_capacity(len);
        let mut header_from = Vec::with_capacity(len);
        let mut envelope_from = Vec::with_capacity(len);
        let mut envelope_to = Vec::with_capacity(len);
        let mut dkim_domain = Vec::with_capacity(len);
        let mut dkim_selector = Vec::with_capacity(len);
        let mut dkim_result = Vec::with_capacity(len);
        let mut spf_domain = Vec::with_capacity(len);
        let mut spf_result = Vec::with_capacity(len);
        let mut dkim_all = Vec::with_capacity(len);
        let mut spf_all = Vec::with_capacity(len);
        let mut reasons = Vec::with_capacity(len);
        let mut class = Vec::with_capacity(len);
        let mut class_why = Vec::with_capacity(len);
        for (i, rec) in r.records.iter().enumerate() {
            index.push(i as i32);
            ip.push(rec.source_ip.to_string());
            count.push(rec.count as i64);
            disposition.push(rec.disposition.clone());
            dkim_aligned.push(rec.dkim.clone());
            spf_aligned.push(rec.spf.clone());
            pass.push(rec.dmarc_pass());
            header_from.push(rec.header_from.clone());
            envelope_from.push(rec.envelope_from.clone());
            envelope_to.push(rec.envelope_to.clone());
            let first_dkim = rec.dkim_results.first();
            dkim_domain.push(first_dkim.map(|x| x.domain.clone()));
            dkim_selector.push(first_dkim.and_then(|x| x.selector.clone()));
            dkim_result.push(first_dkim.map(|x| x.result.clone()));
            let first_spf = rec.spf_results.first();
            spf_domain.push(first_spf.map(|x| x.domain.clone()));
            spf_result.push(first_spf.map(|x| x.result.clone()));
            dkim_all.push(serde_json::to_string(&rec.dkim_results)?);
            spf_all.push(serde_json::to_string(&rec.spf_results)?);
            reasons.push(serde_json::to_string(&rec.reasons)?);
            let (c, why) = classify_source(config, rec.source_ip, &rec.reasons);
            class.push(
                serde_json::to_value(c)?
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            );
            class_why.push(why);
        }
        let insert = prepared(tx, &mut self.records, INSERT_RECORDS)?;
        tx.execute(
            &insert,
            &[
                &id,
                &index,
                &ip,
                &count,
                &disposition,
                &dkim_aligned,
                &spf_aligned,
                &pass,
                &header_from,
                &envelope_from,
                &envelope_to,
                &dkim_domain,
                &dkim_selector,
                &dkim_result,
                &spf_domain,
                &spf_result,
                &dkim_all,
                &spf_all,
                &reasons,
                &class,
                &class_why,
            ],
        )
        .with_context(|| format!("storing the records of report {:?}", r.report_id))?;
        Ok(true)
    }
}

const INSERT_REPORT: &str = "INSERT INTO dmarc_report
                 (org_name, org_email, report_id, date_begin, date_end, policy_domain,
                  policy_p, policy_sp, policy_adkim, policy_aspf, policy_pct,
                  org_name_raw, report_id_raw, extra_contact_info, version, namespace,
                  policy_np, policy_fo, errors, record_count, message_count, skipped_records,
                  source_name, source_member, blob_id)
             VALUES ($1, NULLIF($2, ''), $3, to_timestamp($4), to_timestamp($5), $6,
                     $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
                     $22, $23, $24, $25)
             ON CONFLICT (org_name, report_id) DO NOTHING
             RETURNING id";

const INSERT_RECORDS: &str = "INSERT INTO dmarc_record
             (report_id, record_index, source_ip, msg_count, disposition, dkim_aligned,
              spf_aligned, dmarc_pass, header_from, envelope_from, envelope_to, dkim_domain,
              dkim_selector, dkim_result, spf_domain, spf_result, dkim_results, spf_results,
              override_reasons, source_class, source_class_why)
         SELECT $1, i, ip::inet, n, NULLIF(d, ''), NULLIF(da, ''), NULLIF(sa, ''), p, hf, ef, et,
                dd, ds, dr, sd, sr, dj::jsonb, sj::jsonb, rj::jsonb, c, cw
         FROM unnest($2::int4[], $3::text[], $4::int8[], $5::text[], $6::text[], $7::text[],
                     $8::bool[], $9::text[], $10::text[], $11::text[], $12::text[],
                     $13::text[], $14::text[], $15::text[], $16::text[], $17::text[],
                     $18::text[], $19::text[], $20::text[], $21::text[])
              AS t(i, ip, n, d, da, sa, p, hf, ef, et, dd, ds, dr, sd, sr, dj, sj, rj, c, cw)";
