-- mailrep schema, version 1.
-- Table and column names of the owner's seed scripts are kept (mail_reputation_daily,
-- dmarc_report, dmarc_record with their columns), so existing queries keep working; what the
-- seeds lacked is added. A database that already holds the seed tables is upgraded in place.

-- Daily delivery aggregates: one row per (date, host, sending IP, provider, outcome, reason).
-- receiver = mailbox provider id, msg_count = delivery attempts (the seed's names).
CREATE TABLE IF NOT EXISTS mail_reputation_daily (
    log_date    date        NOT NULL,
    sending_ip  text        NOT NULL DEFAULT '',
    receiver    text        NOT NULL,
    outcome     text        NOT NULL,
    reason_code text        NOT NULL DEFAULT '',
    msg_count   bigint      NOT NULL DEFAULT 0,
    sample_text text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE mail_reputation_daily
    ADD COLUMN IF NOT EXISTS host        text        NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS final_count bigint      NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS created_at  timestamptz NOT NULL DEFAULT now();
-- The seed's unique key lacked the host: drop it (whatever its name) for the new key.
DO $$
DECLARE c record;
BEGIN
    FOR c IN
        SELECT conname FROM pg_constraint
        WHERE conrelid = 'mail_reputation_daily'::regclass AND contype IN ('u', 'p')
    LOOP
        EXECUTE format('ALTER TABLE mail_reputation_daily DROP CONSTRAINT %I', c.conname);
    END LOOP;
END $$;
CREATE UNIQUE INDEX IF NOT EXISTS mail_reputation_daily_key
    ON mail_reputation_daily (log_date, host, sending_ip, receiver, outcome, reason_code);

-- What each host's log streams already contributed to mail_reputation_daily (the exactly-once
-- ledger, see `mailrep_core::ledger`): chunk and line fingerprints, written in the same
-- transaction as the counts.
CREATE TABLE IF NOT EXISTS mail_log_ledger (
    host          text        PRIMARY KEY,
    small_modulus integer     NOT NULL,
    big_modulus   integer     NOT NULL,
    gap_seconds   integer     NOT NULL,
    entries       bytea       NOT NULL,
    lines_counted bigint      NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Original bytes of every input that held DMARC reports (gzip-compressed), so reports can be
-- re-parsed later. One row per distinct input content.
CREATE TABLE IF NOT EXISTS dmarc_report_blob (
    id          bigserial   PRIMARY KEY,
    digest      text        NOT NULL UNIQUE,
    name        text        NOT NULL,
    size        bigint      NOT NULL,
    bytes_gzip  bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per aggregate report, unique on the normalized (org_name, report_id).
CREATE TABLE IF NOT EXISTS dmarc_report (
    id            bigserial PRIMARY KEY,
    org_name      text NOT NULL,
    org_email     text,
    report_id     text NOT NULL,
    date_begin    timestamptz,
    date_end      timestamptz,
    policy_domain text,
    policy_p      text,
    policy_sp     text,
    policy_adkim  text,
    policy_aspf   text,
    policy_pct    integer
);
ALTER TABLE dmarc_report
    ADD COLUMN IF NOT EXISTS org_name_raw       text,
    ADD COLUMN IF NOT EXISTS report_id_raw      text,
    ADD COLUMN IF NOT EXISTS extra_contact_info text,
    ADD COLUMN IF NOT EXISTS version            text,
    ADD COLUMN IF NOT EXISTS namespace          text,
    ADD COLUMN IF NOT EXISTS policy_np          text,
    ADD COLUMN IF NOT EXISTS policy_fo          text,
    ADD COLUMN IF NOT EXISTS errors             text[]  NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS record_count       integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS message_count      bigint  NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS skipped_records    bigint  NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS source_name        text,
    ADD COLUMN IF NOT EXISTS source_member      text,
    ADD COLUMN IF NOT EXISTS blob_id            bigint REFERENCES dmarc_report_blob (id),
    ADD COLUMN IF NOT EXISTS created_at         timestamptz NOT NULL DEFAULT now();
CREATE UNIQUE INDEX IF NOT EXISTS dmarc_report_key ON dmarc_report (org_name, report_id);
CREATE INDEX IF NOT EXISTS dmarc_report_date_begin ON dmarc_report (date_begin);

-- One row per record of a report. dkim_*/spf_* hold the first auth result (the seed's
-- columns); dkim_results/spf_results hold every one, as JSON arrays.
CREATE TABLE IF NOT EXISTS dmarc_record (
    id            bigserial PRIMARY KEY,
    report_id     bigint NOT NULL REFERENCES dmarc_report (id) ON DELETE CASCADE,
    source_ip     inet,
    msg_count     bigint NOT NULL DEFAULT 0,
    disposition   text,
    dkim_aligned  text,
    spf_aligned   text,
    dmarc_pass    boolean,
    header_from   text,
    envelope_from text,
    dkim_domain   text,
    dkim_selector text,
    dkim_result   text,
    spf_domain    text,
    spf_result    text
);
ALTER TABLE dmarc_record
    ADD COLUMN IF NOT EXISTS record_index     integer,
    ADD COLUMN IF NOT EXISTS envelope_to      text,
    ADD COLUMN IF NOT EXISTS dkim_results     jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN IF NOT EXISTS spf_results      jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN IF NOT EXISTS override_reasons jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN IF NOT EXISTS source_class     text,
    ADD COLUMN IF NOT EXISTS source_class_why text;
CREATE INDEX IF NOT EXISTS dmarc_record_report ON dmarc_record (report_id);
CREATE INDEX IF NOT EXISTS dmarc_record_source_ip ON dmarc_record (source_ip);
