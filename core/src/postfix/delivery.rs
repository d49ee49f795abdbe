//! The message of an SMTP/LMTP client delivery line (`to=<…>, relay=…, dsn=…, status=… (…)`).
//!
//! OWNER: postfix-parsing helper. Interface fixed; implementation to be filled in.

/// `status=` of a delivery line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// `status=sent`: accepted by the next hop.
    Sent,
    /// `status=deferred`: temporary failure, will be retried.
    Deferred,
    /// `status=bounced`: permanent failure, a bounce is returned.
    Bounced,
    /// `status=expired` (qmgr: the message exceeded `maximal_queue_lifetime`).
    Expired,
    /// Address verification and other forms (`deliverable`, `undeliverable`, ...): not a delivery.
    Other,
}

/// The `relay=` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relay<'a> {
    /// `relay=none`: no connection was made (DNS failure, connect failure, ...).
    None,
    /// `relay=host[addr]:port`; `addr` may be IPv6 or `private/dovecot-lmtp`.
    Host {
        /// Host name as logged (may equal the address).
        name: &'a str,
        /// Text between the brackets.
        addr: &'a str,
        /// Port, if logged.
        port: Option<u16>,
    },
    /// Anything else (`local`, `virtual`, `private/dovecot-lmtp` without a host).
    Other(&'a str),
}

/// A remote SMTP reply quoted in a delivery line's detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply<'a> {
    /// Remote host name from `host H[IP] said:` / `refused to talk to me:`.
    pub host: Option<&'a str>,
    /// Remote address between the brackets.
    pub addr: Option<&'a str>,
    /// RFC 5321 reply code (`421`, `550`), from the first token.
    pub code: Option<u16>,
    /// RFC 3463 enhanced status code from the first token (`4.7.500`), if present.
    pub enhanced: Option<&'a str>,
    /// The whole reply text as quoted (multi-line continuation prefixes still inside),
    /// without the `(in reply to … command)` suffix.
    pub text: &'a str,
    /// SMTP command the reply answered (`RCPT TO`, `MAIL FROM`, `end of DATA`), if logged.
    pub command: Option<&'a str>,
    /// True for greeting replies (`refused to talk to me`).
    pub greeting: bool,
}

/// One delivery line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery<'a> {
    /// Queue id (short hex or long base-52).
    pub queue_id: &'a str,
    /// Recipient address without angle brackets (empty for `to=<>`); `None` for qmgr expired lines.
    pub to: Option<&'a str>,
    /// `orig_to=` address, if logged.
    pub orig_to: Option<&'a str>,
    /// `relay=` field; [`Relay::None`] also for lines without one.
    pub relay: Relay<'a>,
    /// `dsn=` value, if logged.
    pub dsn: Option<&'a str>,
    /// `status=` value.
    pub status: Status,
    /// Text inside the parentheses after `status=…` (to the last `)` of the line, or to the
    /// end when syslog truncated it).
    pub detail: &'a str,
    /// Remote reply parsed from the detail, when the detail quotes one.
    pub reply: Option<Reply<'a>>,
    /// For `relay=none`: the host in `connect to HOST[…]` / `lost connection with HOST[…]` /
    /// `conversation with HOST[…]`.
    pub connect_host: Option<&'a str>,
}

/// Parses the message part of a delivery line (after `postfix/…[pid]: `), e.g.
/// `4jVwT647TtzL3CF: to=<a@b>, relay=…, delay=1, delays=…, dsn=2.0.0, status=sent (250 …)`,
/// or a qmgr `QID: from=<…>, status=expired, returned to sender`.
///
/// Returns `None` when the message is not a delivery line.
pub fn parse(message: &str) -> Option<Delivery<'_>> {
    let _ = message;
    None
}
