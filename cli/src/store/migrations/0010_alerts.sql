-- Incident state of `mailrep alert` and the reverse-DNS cache.

-- Open incidents, one per key (rule + scope: provider, sending IP, source IP). A resolved
-- incident is deleted; its history stays in alert_incident_log.
CREATE TABLE IF NOT EXISTS alert_incident (
    key                text             PRIMARY KEY,
    rule               text             NOT NULL,
    severity           text             NOT NULL,
    subject            text             NOT NULL,
    title              text             NOT NULL,
    message            text             NOT NULL,
    since              date             NOT NULL,
    last_seen          date             NOT NULL,
    last_evaluated     date             NOT NULL,
    measure            double precision NOT NULL,
    notified_measure   double precision NOT NULL,
    notified_severity  text             NOT NULL,
    clean_evaluations  integer          NOT NULL DEFAULT 0,
    created_at         timestamptz      NOT NULL DEFAULT now(),
    updated_at         timestamptz      NOT NULL DEFAULT now()
);

-- Every announced change (new, worse, resolved), for the record.
CREATE TABLE IF NOT EXISTS alert_incident_log (
    id         bigserial        PRIMARY KEY,
    key        text             NOT NULL,
    state      text             NOT NULL,
    evaluated  date             NOT NULL,
    severity   text             NOT NULL,
    measure    double precision NOT NULL,
    message    text             NOT NULL,
    created_at timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS alert_incident_log_key ON alert_incident_log (key, created_at);

-- PTR names of DMARC source IPs (NULL: the resolver said there is none), with the time of
-- the lookup; entries older than alert.reverse_dns_ttl_hours are looked up again.
CREATE TABLE IF NOT EXISTS rdns_cache (
    ip           inet        PRIMARY KEY,
    ptr          text,
    looked_up_at timestamptz NOT NULL DEFAULT now()
);
