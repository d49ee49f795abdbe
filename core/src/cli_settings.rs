//! Settings only the CLI acts on (`[alert]`, `[imap]`), kept in `mailrep.toml` so one file
//! configures everything and the page can import and export it unchanged. The core never
//! uses them; secrets (bot tokens, passwords) are not here but in the environment.

use serde::{Deserialize, Serialize};

/// `[alert]`: incident notifications of `mailrep alert`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertConfig {
    /// Name of this mail server in messages (`mx1`). Empty (the default): the system host name.
    pub host_label: String,
    /// Telegram Bot API base URL. Default `https://api.telegram.org`. The bot token and the
    /// chat id come from the environment: `TELEGRAM_BOT_TOKEN`, `TELEGRAM_CHAT_ID`.
    pub telegram_api_url: String,
    /// Generic JSON webhooks (Slack, Mattermost, Discord, or the full `mailrep.alert/v1` JSON).
    pub webhooks: Vec<WebhookConfig>,
    /// Timeout of one HTTP request (connect + send + response), seconds. Default 10.
    pub timeout_seconds: u64,
    /// Retries after a failed request (timeout, connection error, HTTP 429 or 5xx), with
    /// exponential backoff from 1 s (capped at 30 s; Telegram's `retry_after` is honoured up
    /// to 60 s). Default 3.
    pub retries: u32,
    /// Messages without emoji. Default false.
    pub plain: bool,
    /// Path or link of the full report, appended to each message. Default none.
    pub report: Option<String>,
    /// Consecutive clean evaluations (distinct dates) before an incident is resolved, to
    /// damp flapping. Default 2.
    pub resolve_after: u32,
    /// An ongoing incident is re-notified as `worse` when its severity rises or its measure
    /// (the failing share or count) reaches this factor times the last notified one.
    /// Default 2.0.
    pub worse_factor: f64,
    /// Resolve PTR names of external source IPs failing DMARC through the system resolver
    /// (forwarder hints then apply; `--no-dns` turns it off). Default true.
    pub reverse_dns: bool,
    /// Timeout of one reverse-DNS lookup, milliseconds. Default 2000.
    pub reverse_dns_timeout_ms: u64,
    /// How long a looked-up PTR (or its absence) stays cached in the database, hours.
    /// Default 168 (7 days).
    pub reverse_dns_ttl_hours: u64,
}

impl Default for AlertConfig {
    fn default() -> Self {
        Self {
            host_label: String::new(),
            telegram_api_url: "https://api.telegram.org".to_owned(),
            webhooks: Vec::new(),
            timeout_seconds: 10,
            retries: 3,
            plain: false,
            report: None,
            resolve_after: 2,
            worse_factor: 2.0,
            reverse_dns: true,
            reverse_dns_timeout_ms: 2000,
            reverse_dns_ttl_hours: 168,
        }
    }
}

/// One webhook.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookConfig {
    /// URL to POST to. Leave empty and use `url_env` to keep a secret URL out of the file.
    pub url: String,
    /// Name of an environment variable holding the URL (wins over `url` when set).
    pub url_env: Option<String>,
    /// Body shape.
    pub preset: WebhookPreset,
}

/// Body shape of a webhook.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookPreset {
    /// The full `mailrep.alert/v1` JSON (incidents, resolved, text).
    #[default]
    Generic,
    /// `{"text": …}` (Slack incoming webhooks).
    Slack,
    /// `{"text": …}` (Mattermost incoming webhooks).
    Mattermost,
    /// `{"content": …}` (Discord webhooks; at most 2,000 characters).
    Discord,
}

/// `[imap]`: the DMARC rua mailbox read by `mailrep fetch-imap`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImapConfig {
    /// Server host name (`MAILREP_IMAP_HOST` wins).
    pub host: String,
    /// Port. Default 993 for `tls`, 143 for `starttls`.
    pub port: Option<u16>,
    /// `tls` (IMAPS, RFC 8314) or `starttls` (RFC 3501 §6.2.1). Default `tls`.
    pub security: ImapSecurity,
    /// Login name (`MAILREP_IMAP_USER` wins). The password comes from `MAILREP_IMAP_PASSWORD`
    /// or the file named by `password_file`.
    pub user: String,
    /// File holding the password (first line).
    pub password_file: Option<String>,
    /// Folder holding the reports. Default `INBOX`.
    pub folder: String,
    /// After a message's reports are committed: move it to this folder instead of flagging it
    /// `\Seen`. Default none (flag `\Seen`).
    pub processed_folder: Option<String>,
    /// What to do with a message that carries no report. Default `leave`.
    pub non_report: NonReportAction,
    /// Folder for messages without a report when `non_report = "move"`.
    pub non_report_folder: Option<String>,
    /// PEM file with the CA certificate(s) to trust for the server (a private CA or a
    /// self-signed certificate). Default: the Mozilla root store (webpki-roots).
    pub ca_file: Option<String>,
    /// Network timeout (connect, read, write), seconds. Default 60.
    pub timeout_seconds: u64,
    /// Largest message fetched, bytes; larger ones are reported and left alone.
    /// Default 67,108,864 (64 MiB).
    pub max_message_bytes: u64,
}

impl Default for ImapConfig {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: None,
            security: ImapSecurity::Tls,
            user: String::new(),
            password_file: None,
            folder: "INBOX".to_owned(),
            processed_folder: None,
            non_report: NonReportAction::Leave,
            non_report_folder: None,
            ca_file: None,
            timeout_seconds: 60,
            max_message_bytes: 64 << 20,
        }
    }
}

/// Transport security of the IMAP connection (plain text is not offered).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImapSecurity {
    /// TLS from the first byte (IMAPS, port 993).
    #[default]
    Tls,
    /// Plain connection upgraded with STARTTLS before login (port 143).
    Starttls,
}

/// What happens to a message that carries no report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NonReportAction {
    /// Left as it is (still unseen; counted on every run).
    #[default]
    Leave,
    /// Flagged `\Seen`.
    Seen,
    /// Moved to `non_report_folder`.
    Move,
}
