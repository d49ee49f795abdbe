//! Notifiers: Telegram Bot API `sendMessage` and generic JSON webhooks (Slack/Mattermost
//! `text`, Discord `content`, or the full `mailrep.alert/v1` body), over HTTPS with rustls.
//!
//! Every request has a timeout; failures that may pass (connection errors, timeouts, HTTP 429
//! and 5xx) are retried with exponential backoff, honouring Telegram's `retry_after` and a
//! `Retry-After` header. Other 4xx replies are final. Errors never contain the bot token.

pub(crate) mod format;

use std::time::Duration;

use mailrep_core::cli_settings::{AlertConfig, WebhookPreset};
use serde_json::{Value, json};

use format::Announcement;

/// Longest wait between two attempts, seconds.
const MAX_BACKOFF_SECONDS: u64 = 30;
/// Longest `retry_after` honoured, seconds.
const MAX_RETRY_AFTER_SECONDS: u64 = 60;
/// Bytes of a reply body kept for an error message.
const MAX_ERROR_BODY: u64 = 64 * 1024;

/// Where a message goes.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// Telegram Bot API.
    Telegram {
        /// Base URL (`https://api.telegram.org`).
        api_url: String,
        /// Bot token (secret).
        token: String,
        /// Chat id.
        chat_id: String,
    },
    /// A webhook.
    Webhook {
        /// URL (may be secret: shown without its path).
        url: String,
        /// Body shape.
        preset: WebhookPreset,
    },
}

impl Target {
    /// Name for messages, without secrets.
    pub(crate) fn name(&self) -> String {
        match self {
            Target::Telegram { chat_id, .. } => format!("telegram (chat {chat_id})"),
            Target::Webhook { url, preset } => {
                let host = url
                    .split_once("://")
                    .map_or(url.as_str(), |(_, rest)| rest)
                    .split('/')
                    .next()
                    .unwrap_or_default();
                format!("webhook {preset:?} ({host})").to_lowercase()
            }
        }
    }

    fn url(&self) -> String {
        match self {
            Target::Telegram { api_url, token, .. } => {
                format!("{}/bot{token}/sendMessage", api_url.trim_end_matches('/'))
            }
            Target::Webhook { url, .. } => url.clone(),
        }
    }

    /// The JSON body for an announcement.
    pub(crate) fn body(&self, a: &Announcement<'_>) -> Value {
        match self {
            Target::Telegram { chat_id, .. } => {
                let text = if a.plain {
                    format::plain_text(a, format::TELEGRAM_MAX_CHARS)
                } else {
                    format::telegram_html(a)
                };
                let mut body = json!({
                    "chat_id": chat_id,
                    "text": text,
                    "disable_web_page_preview": true,
                });
                if !a.plain {
                    body["parse_mode"] = json!("HTML");
                }
                body
            }
            Target::Webhook { preset, .. } => match preset {
                WebhookPreset::Generic => format::webhook_json(a),
                // Log and report text is attacker-influenced: no markup, no mass mentions.
                WebhookPreset::Slack => {
                    json!({ "text": slack_escape(&format::plain_text(a, 40_000)) })
                }
                WebhookPreset::Mattermost => {
                    json!({ "text": defuse_mentions(&format::plain_text(a, 16_000)) })
                }
                WebhookPreset::Discord => json!({
                    "content": format::plain_text(a, format::DISCORD_MAX_CHARS),
                    "allowed_mentions": { "parse": [] },
                }),
            },
        }
    }
}

/// Slack's escaping of message text (`&`, `<`, `>`; api.slack.com "Formatting text"), so no
/// `<!channel>` or link markup can come from a log line.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Breaks Mattermost's channel-wide mentions (`@all`, `@channel`, `@here`) with a zero-width
/// space after the `@`.
fn defuse_mentions(s: &str) -> String {
    let mut out = s.to_owned();
    for m in ["@all", "@channel", "@here"] {
        out = out.replace(m, &format!("@\u{200b}{}", &m[1..]));
    }
    out
}

/// The configured targets: Telegram when `TELEGRAM_BOT_TOKEN` and `TELEGRAM_CHAT_ID` are set
/// (`env` looks variables up), then every `[[alert.webhooks]]` entry with a URL.
pub(crate) fn targets(
    config: &AlertConfig,
    env: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Vec<Target>> {
    let mut out = Vec::new();
    let token = env("TELEGRAM_BOT_TOKEN").filter(|s| !s.is_empty());
    let chat = env("TELEGRAM_CHAT_ID").filter(|s| !s.is_empty());
    match (token, chat) {
        (Some(token), Some(chat_id)) => out.push(Target::Telegram {
            api_url: config.telegram_api_url.clone(),
            token,
            chat_id,
        }),
        (None, None) => {}
        _ => anyhow::bail!("set both TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID, or neither"),
    }
    for (i, w) in config.webhooks.iter().enumerate() {
        let url = match &w.url_env {
            Some(var) => env(var).filter(|s| !s.is_empty()).ok_or_else(|| {
                anyhow::anyhow!("alert.webhooks[{i}]: environment variable {var} is not set")
            })?,
            None => w.url.clone(),
        };
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            anyhow::bail!("alert.webhooks[{i}]: url must start with https:// or http://");
        }
        out.push(Target::Webhook {
            url,
            preset: w.preset,
        });
    }
    Ok(out)
}

/// A delivery that failed after its retries.
#[derive(Debug, thiserror::Error)]
#[error("{target}: {reason} (after {attempts} attempt{s})", s = if *.attempts == 1 { "" } else { "s" })]
pub(crate) struct SendError {
    /// Target name (no secrets).
    pub(crate) target: String,
    /// Last failure.
    pub(crate) reason: String,
    /// Attempts made.
    pub(crate) attempts: u32,
}

/// Sends JSON bodies with timeouts and bounded retries.
pub(crate) struct Sender {
    agent: ureq::Agent,
    retries: u32,
    backoff: Duration,
}

enum Attempt {
    Done,
    Retry { reason: String, after: Option<u64> },
    Fail(String),
}

impl Sender {
    /// A sender with the `[alert]` timeout and retries.
    pub(crate) fn new(config: &AlertConfig) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(config.timeout_seconds.max(1))))
            .http_status_as_error(false)
            .user_agent(concat!("mailrep/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Self {
            agent,
            retries: config.retries,
            backoff: Duration::from_secs(1),
        }
    }

    /// Posts the announcement to one target.
    pub(crate) fn send(&self, target: &Target, a: &Announcement<'_>) -> Result<(), SendError> {
        let body = serde_json::to_vec(&target.body(a)).unwrap_or_default();
        let url = target.url();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let reason = match self.attempt(target, &url, &body) {
                Attempt::Done => return Ok(()),
                Attempt::Fail(reason) => reason,
                Attempt::Retry { reason, after } => {
                    if attempts <= self.retries {
                        let wait = match after {
                            Some(s) => Duration::from_secs(s.min(MAX_RETRY_AFTER_SECONDS)),
                            None => (self.backoff * 2u32.saturating_pow(attempts - 1))
                                .min(Duration::from_secs(MAX_BACKOFF_SECONDS)),
                        };
                        std::thread::sleep(wait);
                        continue;
                    }
                    reason
                }
            };
            return Err(SendError {
                target: target.name(),
                reason,
                attempts,
            });
        }
    }

    fn attempt(&self, target: &Target, url: &str, body: &[u8]) -> Attempt {
        let mut resp = match self
            .agent
            .post(url)
            .content_type("application/json")
            .send(body)
        {
            Ok(r) => r,
            Err(e) => {
                let mut reason = e.to_string();
                if let Target::Telegram { token, .. } = target {
                    reason = reason.replace(token.as_str(), "<token>");
                }
                return Attempt::Retry {
                    reason,
                    after: None,
                };
            }
        };
        let status = resp.status().as_u16();
        let header_after = resp
            .headers()
            .get("retry-after")
            .and_then(|h| h.to_str().ok())
            .and_then(|s| s.trim().parse::<u64>().ok());
        let text = resp
            .body_mut()
            .with_config()
            .limit(MAX_ERROR_BODY)
            .read_to_string()
            .unwrap_or_default();
        let json: Option<Value> = serde_json::from_str(&text).ok();
        // Telegram answers {"ok": false, ...} with the HTTP status of the error.
        let telegram_ok = match target {
            Target::Telegram { .. } => json
                .as_ref()
                .and_then(|j| j.get("ok"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
            Target::Webhook { .. } => true,
        };
        if (200..300).contains(&status) && telegram_ok {
            return Attempt::Done;
        }
        let detail: String = json
            .as_ref()
            .and_then(|j| j.get("description"))
            .and_then(Value::as_str)
            .map_or_else(|| text.trim().to_owned(), str::to_owned)
            .chars()
            .take(200)
            .collect();
        let reason = format!("HTTP {status}: {detail}");
        if status == 429 || status >= 500 {
            let after = json
                .as_ref()
                .and_then(|j| j.pointer("/parameters/retry_after"))
                .and_then(Value::as_u64)
                .or(header_after);
            Attempt::Retry { reason, after }
        } else {
            Attempt::Fail(reason)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_from_logs_is_defused() {
        assert_eq!(slack_escape("<!channel> a&b"), "&lt;!channel&gt; a&amp;b");
        assert_eq!(defuse_mentions("hi @channel"), "hi @\u{200b}channel");
    }
}
