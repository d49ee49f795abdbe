//! The message of an SMTP/LMTP client delivery line (`to=<…>, relay=…, dsn=…, status=… (…)`).
//!
//! Recognised (see `research/postfix-anchors.md` §3):
//!
//! * `QID: to=<rcpt>, [orig_to=<…>, ]relay=HOST[IP]:PORT, [conn_use=N, ]delay=F,
//!   delays=a/b/c/d, dsn=X.Y.Z, status=S (DETAIL)` from smtp, lmtp, error, local, virtual,
//!   pipe, discard (the caller filters by program);
//! * qmgr `QID: from=<s>, status=expired, returned to sender` (and `force-expired`).
//!
//! The detail runs to the final `)` of the line, or to the end when syslog truncated it.
//! Inside it: `host H[IP] said: REPLY (in reply to CMD command)`, `host H[IP] refused to talk
//! to me: REPLY`, `connect to H[IP]:port: …`, `lost connection with H[IP] while …`,
//! `conversation with H[IP] timed out while …`, `delivery temporarily suspended: <any of
//! these>`, or a bare reply (`250 2.0.0 Ok: queued as …`).
//!
//! Everything is borrowed from the input; no allocation, no regex.

use crate::scan::{find_byte, find_byte2};

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

/// Bytes of a queue id (`[0-9A-Za-z]`), as a table: one load per byte in the hottest loop.
static QID_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    t
};

/// Parses the message part of a delivery line (after `postfix/…[pid]: `), e.g.
/// `4jVwT647TtzL3CF: to=<a@b>, relay=…, delay=1, delays=…, dsn=2.0.0, status=sent (250 …)`,
/// or a qmgr `QID: from=<…>, status=expired, returned to sender`.
///
/// Returns `None` when the message is not a delivery line (`from=<…>, size=…`, `removed`,
/// `host … said:` without `to=`, `NOQUEUE: reject: …`, bounce notifications, ...).
pub fn parse(message: &str) -> Option<Delivery<'_>> {
    parse_with(message, true)
}

/// [`parse`], except that the reply of a `status=sent` line with a `relay=host[…]` is not
/// parsed: [`Delivery::reply`] is `None` for it (and [`Delivery::detail`] holds the text).
/// Counting needs the reply of an accepted attempt only rarely ([`detail_reply`] gets it
/// then); most of a log is such lines.
pub(crate) fn parse_lazy(message: &str) -> Option<Delivery<'_>> {
    parse_with(message, false)
}

/// The reply quoted in a detail, as [`parse`] puts it in [`Delivery::reply`].
pub(crate) fn detail_reply(detail: &str) -> Option<Reply<'_>> {
    parse_detail(detail).0
}

fn parse_with(message: &str, sent_reply: bool) -> Option<Delivery<'_>> {
    let b = message.as_bytes();
    // Queue id: alphanumerics followed by ": ". Most non-delivery messages fail here.
    let mut i = 0;
    while i < b.len() && QID_BYTE[usize::from(b[i])] {
        i += 1;
    }
    if i < 3 || b.get(i) != Some(&b':') || b.get(i + 1) != Some(&b' ') {
        return None;
    }
    let queue_id = &message[..i];
    let rest = &message[i + 2..];
    match rest.as_bytes().first()? {
        b't' => parse_to(queue_id, rest.strip_prefix("to=")?, sent_reply),
        b'f' => parse_expired(queue_id, rest.strip_prefix("from=")?),
        _ => None,
    }
}

/// A remote reply text (`550-5.7.26 … (in reply to end of DATA command)`) without a host:
/// code and enhanced code from the first token, the `(in reply to … command)` suffix moved to
/// [`Reply::command`]. Never fails; unknown shapes give `code: None`.
pub fn parse_reply(text: &str) -> Reply<'_> {
    let (body, command) = split_in_reply_to(text);
    let (code, enhanced) = reply_codes(body);
    Reply {
        host: None,
        addr: None,
        code,
        enhanced,
        text: body,
        command,
        greeting: false,
    }
}

/// Maps a `status=` value.
fn status_of(v: &str) -> Status {
    match v {
        "sent" => Status::Sent,
        "deferred" | "SOFTBOUNCE" => Status::Deferred,
        "bounced" => Status::Bounced,
        "expired" | "force-expired" => Status::Expired,
        _ => Status::Other,
    }
}

/// Position of the `, ` that ends a field value starting at `from` (values in angle brackets
/// may contain `, `: they end at `>, `). Returns the end of the value.
fn value_end(s: &str, from: usize) -> Option<usize> {
    let b = s.as_bytes();
    if b.get(from) == Some(&b'<') {
        let mut j = from + 1;
        while let Some(p) = find_byte(b'>', b.get(j..)?) {
            let gt = j + p;
            if b.get(gt + 1) == Some(&b',') && b.get(gt + 2) == Some(&b' ') {
                return Some(gt + 1);
            }
            j = gt + 1;
        }
        return None;
    }
    let mut j = from;
    while let Some(p) = find_byte(b',', b.get(j..)?) {
        let c = j + p;
        if b.get(c + 1) == Some(&b' ') {
            return Some(c);
        }
        j = c + 1;
    }
    None
}

/// Strips one pair of angle brackets.
fn unbracket(v: &str) -> &str {
    v.strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .unwrap_or(v)
}

/// Whether `b[pos..]` starts with `key` (a fixed-width compare).
#[allow(
    clippy::inline_always,
    reason = "a fixed-width compare per field of every delivery line (callgrind)"
)]
#[inline(always)]
fn key_at<const N: usize>(b: &[u8], pos: usize, key: &[u8; N]) -> bool {
    b.get(pos..pos + N).is_some_and(|k| k == key)
}

/// [`value_end`] for a value that is usually a number or `a/b/c/d` (`delay=`, `delays=`,
/// `conn_use=`): the first `,` searched a word at a time. A value that does not start with
/// `<` ends at the first `, `, which is what [`value_end`] finds too; anything else (a `<`, a
/// `,` not followed by a space) is left to [`value_end`].
#[inline]
fn number_end(s: &str, from: usize) -> Option<usize> {
    let b = s.as_bytes();
    if let Some(rest) = b.get(from..)
        && rest.first() != Some(&b'<')
        && let Some(p) = find_byte(b',', rest)
        && b.get(from + p + 1) == Some(&b' ')
    {
        return Some(from + p);
    }
    value_end(s, from)
}

/// `to=` already consumed.
fn parse_to<'a>(queue_id: &'a str, s: &'a str, sent_reply: bool) -> Option<Delivery<'a>> {
    parse_fields(queue_id, s, sent_reply, true)
}

/// [`parse_to`]; `ordered = false` (tests) leaves every field to the general loop.
///
/// One forward pass. First the fields Postfix writes, in the order it writes them
/// (`orig_to`, `relay`, `conn_use`, `delay`, `delays`, `dsn`; each optional), with their keys
/// known: no search for `=` and no key comparison per field. From the first field that is not
/// the next expected one on, the general loop takes any key in any order until `status=`.
/// Both read a value with [`value_end`] (or [`number_end`], which finds the same end) and
/// treat a known key the same way, so which of them read a field does not change the result.
#[inline]
fn parse_fields<'a>(
    queue_id: &'a str,
    s: &'a str,
    sent_reply: bool,
    ordered: bool,
) -> Option<Delivery<'a>> {
    let end = value_end(s, 0)?;
    let to = unbracket(&s[..end]);
    let b = s.as_bytes();
    let mut pos = end + 2;
    let mut orig_to = None;
    let mut relay = Relay::None;
    let mut dsn = None;
    if ordered {
        if key_at(b, pos, b"orig_to=") {
            let v = pos + 8;
            let e = value_end(s, v)?;
            orig_to = Some(unbracket(&s[v..e]));
            pos = e + 2;
        }
        if key_at(b, pos, b"relay=") {
            let v = pos + 6;
            let vend = if let Some((host, end)) = relay_host_end(s, v) {
                relay = host;
                end
            } else {
                let end = value_end(s, v)?;
                relay = parse_relay(&s[v..end]);
                end
            };
            pos = vend + 2;
        }
        if key_at(b, pos, b"conn_use=") {
            pos = number_end(s, pos + 9)? + 2;
        }
        if key_at(b, pos, b"delay=") {
            pos = number_end(s, pos + 6)? + 2;
        }
        if key_at(b, pos, b"delays=") {
            pos = number_end(s, pos + 7)? + 2;
        }
        if key_at(b, pos, b"dsn=") {
            let v = pos + 4;
            let e = value_end(s, v)?;
            dsn = Some(&s[v..e]);
            pos = e + 2;
        }
    }
    loop {
        let rest = s.get(pos..)?;
        if let Some(after) = rest.strip_prefix("status=") {
            let (status, detail) = status_and_detail(after);
            let (reply, connect_host) =
                if !sent_reply && status == Status::Sent && matches!(relay, Relay::Host { .. }) {
                    (None, None)
                } else {
                    parse_detail(detail)
                };
            return Some(Delivery {
                queue_id,
                to: Some(to),
                orig_to,
                relay,
                dsn,
                status,
                detail,
                reply,
                connect_host,
            });
        }
        let eq = find_byte(b'=', rest.as_bytes())?;
        let key = &rest.as_bytes()[..eq];
        let vstart = pos + eq + 1;
        let vend = value_end(s, vstart)?;
        let value = &s[vstart..vend];
        match key {
            b"relay" => relay = parse_relay(value),
            b"dsn" => dsn = Some(value),
            b"orig_to" => orig_to = Some(unbracket(value)),
            _ => {}
        }
        pos = vend + 2;
    }
}

/// `from=` already consumed: qmgr `<s>, status=expired, returned to sender`.
fn parse_expired<'a>(queue_id: &'a str, s: &'a str) -> Option<Delivery<'a>> {
    let end = value_end(s, 0)?;
    let after = s.get(end + 2..)?.strip_prefix("status=")?;
    let (status, detail) = status_and_detail(after);
    if status != Status::Expired {
        return None;
    }
    Some(Delivery {
        queue_id,
        to: None,
        orig_to: None,
        relay: Relay::None,
        dsn: None,
        status,
        detail,
        reply: None,
        connect_host: None,
    })
}

/// After `status=`: the value, then ` (DETAIL)` (to the final `)`, or to the end when
/// truncated) or `, TEXT` (qmgr).
fn status_and_detail(s: &str) -> (Status, &str) {
    let b = s.as_bytes();
    // The usual values first (each followed by ` (`), then the general form.
    let (status, vend) = if b.starts_with(b"sent ") {
        (Status::Sent, 4)
    } else if b.starts_with(b"deferred ") {
        (Status::Deferred, 8)
    } else if b.starts_with(b"bounced ") {
        (Status::Bounced, 7)
    } else {
        let vend = b
            .iter()
            .position(|&c| c == b' ' || c == b',')
            .unwrap_or(b.len());
        (status_of(&s[..vend]), vend)
    };
    let rest = &s[vend..];
    let detail = if let Some(d) = rest.strip_prefix(" (") {
        // Trailing blanks are ASCII: a byte loop trims exactly what `trim_end_matches` would.
        let db = d.as_bytes();
        let mut k = db.len();
        while k > 0 && matches!(db[k - 1], b' ' | b'\t') {
            k -= 1;
        }
        let t = &d[..k];
        t.strip_suffix(')').unwrap_or(t)
    } else if let Some(d) = rest.strip_prefix(", ") {
        d
    } else {
        rest.trim_start()
    };
    (status, detail)
}

/// The reply / connect host quoted in a detail.
fn parse_detail(d: &str) -> (Option<Reply<'_>>, Option<&str>) {
    let b = d.as_bytes();
    match b.first() {
        Some(b'h') => {
            if let Some(r) = d.strip_prefix("host ") {
                return (host_reply(r), None);
            }
        }
        Some(b'c') => {
            if let Some(r) = d.strip_prefix("connect to ") {
                return (None, bracket_host(r));
            }
            if let Some(r) = d.strip_prefix("conversation with ") {
                return (None, bracket_host(r));
            }
        }
        Some(b'l') => {
            if let Some(r) = d.strip_prefix("lost connection with ") {
                return (None, bracket_host(r));
            }
        }
        Some(b'd') => {
            if let Some(r) = d.strip_prefix("delivery temporarily suspended: ") {
                return parse_detail(r);
            }
        }
        Some(c) if c.is_ascii_digit() => {
            let reply = parse_reply(d);
            if reply.code.is_some() {
                return (Some(reply), None);
            }
        }
        _ => {}
    }
    (None, None)
}

/// `H[IP]…` -> `H` (when a `[` follows the name).
fn bracket_host(s: &str) -> Option<&str> {
    let lb = memchr::memchr2(b'[', b' ', s.as_bytes())?;
    if s.as_bytes()[lb] != b'[' {
        return None;
    }
    Some(&s[..lb])
}

/// After `host `: `H[IP] said: REPLY` or `H[IP] refused to talk to me: REPLY`.
fn host_reply(s: &str) -> Option<Reply<'_>> {
    let b = s.as_bytes();
    let lb = find_byte2(b'[', b' ', b)?;
    if b[lb] != b'[' {
        return None;
    }
    let rb = lb + find_byte(b']', &b[lb..])?;
    let host = &s[..lb];
    let addr = &s[lb + 1..rb];
    let after = &s[rb + 1..];
    if let Some(text) = after.strip_prefix(" said: ") {
        let mut r = parse_reply(text);
        r.host = Some(host);
        r.addr = Some(addr);
        return Some(r);
    }
    if let Some(text) = after.strip_prefix(" refused to talk to me: ") {
        let (code, enhanced) = reply_codes(text);
        return Some(Reply {
            host: Some(host),
            addr: Some(addr),
            code,
            enhanced,
            text,
            command: None,
            greeting: true,
        });
    }
    None
}

/// Splits off a trailing ` (in reply to CMD command)`.
fn split_in_reply_to(text: &str) -> (&str, Option<&str>) {
    const OPEN: &str = "(in reply to ";
    const CLOSE: &str = " command)";
    let t = text.trim_end();
    if t.ends_with(CLOSE)
        && let Some(p) = memchr::memrchr(b'(', t.as_bytes())
        && t[p..].starts_with(OPEN)
    {
        let cmd_start = p + OPEN.len();
        let cmd_end = t.len() - CLOSE.len();
        if cmd_start <= cmd_end {
            let body = t[..p].trim_end();
            return (body, Some(&t[cmd_start..cmd_end]));
        }
    }
    (text, None)
}

/// Reply code and enhanced status code from the first token(s): `550-5.7.26 …`, `421 4.7.0 …`,
/// `451 DT:SPM …` (no enhanced code), `12 Malformed` (nothing).
fn reply_codes(text: &str) -> (Option<u16>, Option<&str>) {
    // Replies start with their code: the Unicode trim only when they do not.
    let t = if text.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        text
    } else {
        text.trim_start()
    };
    let b = t.as_bytes();
    if b.len() < 3 || !b[..3].iter().all(u8::is_ascii_digit) {
        return (None, None);
    }
    if b.len() > 3 && !matches!(b[3], b' ' | b'-') {
        return (None, None);
    }
    let code = u16::from(b[0] - b'0') * 100 + u16::from(b[1] - b'0') * 10 + u16::from(b[2] - b'0');
    let enhanced = t.get(4..).and_then(enhanced_code);
    (Some(code), enhanced)
}

/// An RFC 3463 `class.subject.detail` at the start of `s` (class 2, 4 or 5; subject and detail
/// 1-3 digits), followed by the end, a space or punctuation.
fn enhanced_code(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    if !matches!(b.first(), Some(b'2' | b'4' | b'5')) || b.get(1) != Some(&b'.') {
        return None;
    }
    let mut i = 2;
    for part in 0..2 {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start || i - start > 3 {
            return None;
        }
        if part == 0 {
            if b.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
    }
    if b.get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'.')
    {
        return None;
    }
    Some(&s[..i])
}

/// The usual `relay=host[addr]:port, ` at `v`, read in the one scan that also finds the
/// value's end: `Some((relay, end))` exactly as `parse_relay(&s[v..value_end(s, v)])` and
/// `value_end` would give, or `None` for any other shape (no `[` before the first `,`, a `,`
/// inside the brackets, anything but `:digits` or nothing after `]`): the caller then takes
/// the general path.
#[inline]
fn relay_host_end(s: &str, v: usize) -> Option<(Relay<'_>, usize)> {
    let b = s.as_bytes();
    let rest = b.get(v..)?;
    // A value in angle brackets ends at `>, `: not this shape.
    if rest.first() == Some(&b'<') {
        return None;
    }
    // No `,` before `[`: the value (which ends at the first `, `) contains the `[`, so it is
    // not `none`, and its first `[` is this one.
    let lb = v + find_byte2(b'[', b',', rest)?;
    if b[lb] != b'[' {
        return None;
    }
    // No `,` before `]`: the value's first `]` after the `[` is this one.
    let rb = lb + 1 + find_byte2(b']', b',', b.get(lb + 1..)?)?;
    if b[rb] != b']' {
        return None;
    }
    let mut end = rb + 1;
    let mut port = None;
    if b.get(end) == Some(&b':') {
        let digits = end + 1;
        end = digits;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        // The port text is everything between `:` and the value's end: digits only here.
        port = parse_port(&s[digits..end]);
    }
    if b.get(end) != Some(&b',') || b.get(end + 1) != Some(&b' ') {
        return None;
    }
    Some((
        Relay::Host {
            name: &s[v..lb],
            addr: &s[lb + 1..rb],
            port,
        },
        end,
    ))
}

/// `relay=` value.
fn parse_relay(v: &str) -> Relay<'_> {
    if v == "none" {
        return Relay::None;
    }
    let b = v.as_bytes();
    if let Some(lb) = find_byte(b'[', b)
        && let Some(p) = find_byte(b']', &b[lb..])
    {
        let rb = lb + p;
        let port = v[rb + 1..].strip_prefix(':').and_then(parse_port);
        return Relay::Host {
            name: &v[..lb],
            addr: &v[lb + 1..rb],
            port,
        };
    }
    Relay::Other(v)
}

/// A decimal port (1-5 digits, at most 65535).
fn parse_port(p: &str) -> Option<u16> {
    let b = p.as_bytes();
    if b.is_empty() || b.len() > 5 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = b.iter().fold(0u32, |v, &c| v * 10 + u32::from(c - b'0'));
    u16::try_from(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(m: &str) -> Delivery<'_> {
        match parse(m) {
            Some(d) => d,
            None => panic!("not parsed: {m:?}"),
        }
    }

    #[test]
    fn sent_with_orig_to_and_conn_use() {
        let d = ok(
            "0D9633D: to=<jos@example.com>, orig_to=<bestuur@example.com>, relay=mail1.example.net[10.74.103.11]:25, conn_use=2, delay=11, delays=5.4/0.06/5.1/0.03, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as F12DF84004)",
        );
        assert_eq!(d.queue_id, "0D9633D");
        assert_eq!(d.to, Some("jos@example.com"));
        assert_eq!(d.orig_to, Some("bestuur@example.com"));
        assert_eq!(
            d.relay,
            Relay::Host {
                name: "mail1.example.net",
                addr: "10.74.103.11",
                port: Some(25)
            }
        );
        assert_eq!(d.dsn, Some("2.0.0"));
        assert_eq!(d.status, Status::Sent);
        assert_eq!(d.detail, "250 2.0.0 Ok: queued as F12DF84004");
        let r = d.reply.unwrap();
        assert_eq!(
            (r.code, r.enhanced, r.host, r.command, r.greeting),
            (Some(250), Some("2.0.0"), None, None, false)
        );
        assert_eq!(d.connect_host, None);
    }

    #[test]
    fn relay_forms() {
        let cases: [(&str, Relay<'_>); 8] = [
            ("none", Relay::None),
            ("local", Relay::Other("local")),
            ("virtual", Relay::Other("virtual")),
            ("private/dovecot-lmtp", Relay::Other("private/dovecot-lmtp")),
            (
                "sub1.example.com[private/dovecot-lmtp]",
                Relay::Host {
                    name: "sub1.example.com",
                    addr: "private/dovecot-lmtp",
                    port: None,
                },
            ),
            (
                "[2a00:1450:400c:c00::1a]:25",
                Relay::Host {
                    name: "",
                    addr: "2a00:1450:400c:c00::1a",
                    port: Some(25),
                },
            ),
            (
                "::1[::1]:24",
                Relay::Host {
                    name: "::1",
                    addr: "::1",
                    port: Some(24),
                },
            ),
            (
                "gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b]:25",
                Relay::Host {
                    name: "gmail-smtp-in.l.google.com",
                    addr: "2607:f8b0:400e:c04::1b",
                    port: Some(25),
                },
            ),
        ];
        for (v, want) in cases {
            let m = format!(
                "AB12CD: to=<a@b>, relay={v}, delay=1, delays=1/0/0/0, dsn=2.0.0, status=sent (ok)"
            );
            assert_eq!(ok(&m).relay, want, "{v}");
        }
        assert_eq!(
            parse_relay("h[1.2.3.4]:notaport"),
            Relay::Host {
                name: "h",
                addr: "1.2.3.4",
                port: None
            }
        );
        assert_eq!(parse_relay("h[1.2.3.4"), Relay::Other("h[1.2.3.4"));
    }

    #[test]
    fn relay_fast_path_agrees_with_the_general_one() {
        let values = [
            "mx1a1.comcast.net[96.102.200.149]:25",
            "alt1.gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b]:25",
            "h[1.2.3.4]",
            "h[1.2.3.4]:",
            "h[1.2.3.4]:0",
            "h[1.2.3.4]:65535",
            "h[1.2.3.4]:65536",
            "h[1.2.3.4]:123456",
            "h[1.2.3.4]:25x",
            "h[1.2.3.4]x",
            "h[1.2.3.4]:notaport",
            "h[1,2]:25",
            "h[1, 2]:25",
            "a,b[c]:25",
            "a, b[c]:25",
            "h[1.2.3.4",
            "h[]:25",
            "[::1]:24",
            "h[a][b]:25",
            "h[a]]:25",
            "sub1.example.com[private/dovecot-lmtp]",
            "none",
            "local",
            "<x[1]>",
            "",
        ];
        for v in values {
            for tail in [", delay=1, status=sent (ok)", ",x, delay=1", ""] {
                let s = format!("{v}{tail}");
                let fast = relay_host_end(&s, 0);
                if let Some((r, e)) = fast {
                    assert_eq!(Some(e), value_end(&s, 0), "{s:?}");
                    assert_eq!(r, parse_relay(&s[..e]), "{s:?}");
                }
                let general = value_end(&s, 0).map(|e| parse_relay(&s[..e]));
                let m = format!("AB12CD: to=<a@b>, relay={s}, dsn=2.0.0, status=sent (ok)");
                assert_eq!(
                    parse_fields("AB12CD", &m[11..], true, true),
                    parse_fields("AB12CD", &m[11..], true, false),
                    "{m:?} ({general:?})"
                );
            }
        }
    }

    #[test]
    fn gmail_multiline_nested_parens_and_command() {
        let d = ok(
            "4E74613FE76: to=<redacted@gmail.com>, relay=gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b]:25, delay=1.9, delays=0.05/0/1.1/0.71, dsn=5.7.26, status=bounced (host gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b] said: 550-5.7.26 This mail is unauthenticated (SPF). 550-5.7.26 Gmail requires all senders 550 5.7.26 to authenticate. qc12si8475009pab.211 - gsmtp (in reply to end of DATA command))",
        );
        assert_eq!(d.status, Status::Bounced);
        let r = d.reply.unwrap();
        assert_eq!(r.host, Some("gmail-smtp-in.l.google.com"));
        assert_eq!(r.addr, Some("2607:f8b0:400e:c04::1b"));
        assert_eq!(r.code, Some(550));
        assert_eq!(r.enhanced, Some("5.7.26"));
        assert_eq!(r.command, Some("end of DATA"));
        assert!(
            r.text
                .starts_with("550-5.7.26 This mail is unauthenticated (SPF).")
        );
        assert!(r.text.ends_with("- gsmtp"));
        assert!(d.detail.ends_with("(in reply to end of DATA command)"));
        assert!(!r.greeting);
    }

    #[test]
    fn microsoft_s3150_inner_parens() {
        let d = ok(
            "4cDCnd66Hyz1XPWFF: to=<u@outlook.com>, relay=outlook-com.olc.protection.outlook.com[52.101.8.33]:25, delay=0.9, delays=0.1/0/0.4/0.4, dsn=5.7.1, status=bounced (host outlook-com.olc.protection.outlook.com[52.101.8.33] said: 550 5.7.1 Unfortunately, messages from [203.0.113.94] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [AM0PR.eurprd03.prod.outlook.com 2024-01-01T00:00:00.000Z 08DC] (in reply to MAIL FROM command))",
        );
        let r = d.reply.unwrap();
        assert_eq!(r.code, Some(550));
        assert_eq!(r.enhanced, Some("5.7.1"));
        assert_eq!(r.command, Some("MAIL FROM"));
        assert!(r.text.contains("(S3150)"));
        assert!(r.text.ends_with("08DC]"));
        assert_eq!(d.queue_id, "4cDCnd66Hyz1XPWFF");
    }

    #[test]
    fn truncated_line_keeps_rest() {
        let d = ok(
            "ABCDEF123: to=<u@outlook.com>, relay=x.outlook.com[52.101.8.33]:25, delay=0.9, delays=0.1/0/0.4/0.4, dsn=5.7.1, status=bounced (host x.outlook.com[52.101.8.33] said: 550 5.7.1 on our block list (S3150). You can also ref",
        );
        assert!(d.detail.ends_with("You can also ref"));
        let r = d.reply.unwrap();
        assert_eq!(r.command, None);
        assert_eq!(r.code, Some(550));
        assert!(r.text.ends_with("You can also ref"));
        // Truncated right after `status=`.
        let d = ok(
            "ABCDEF123: to=<a@b>, relay=none, delay=1, delays=1/0/0/0, dsn=4.4.1, status=deferred",
        );
        assert_eq!(d.status, Status::Deferred);
        assert_eq!(d.detail, "");
        let d = ok(
            "ABCDEF123: to=<a@b>, relay=none, delay=1, delays=1/0/0/0, dsn=4.4.1, status=deferred (conn",
        );
        assert_eq!(d.detail, "conn");
        // Truncated before `status=`: not a delivery we can count.
        assert!(
            parse("ABCDEF123: to=<a@b>, relay=none, delay=1, delays=1/0/0/0, dsn=4.4").is_none()
        );
    }

    #[test]
    fn greeting_refused() {
        let d = ok(
            "3bZLDk1V50z37Dv: to=<a@orange.sk>, relay=mail.orange-mail.sk[213.151.208.10]:25, delay=1, delays=0/0/1/0, dsn=4.0.0, status=deferred (host mail.orange-mail.sk[213.151.208.10] refused to talk to me: 554 5.7.1 Not allowed (OFR006_102))",
        );
        let r = d.reply.unwrap();
        assert!(r.greeting);
        assert_eq!(r.code, Some(554));
        assert_eq!(r.enhanced, Some("5.7.1"));
        assert_eq!(r.command, None);
        assert_eq!(r.text, "554 5.7.1 Not allowed (OFR006_102)");
        assert_eq!(d.dsn, Some("4.0.0"));
        // Gmail style greeting with a continuation.
        let d = ok(
            "AB123: to=<a@gmx.net>, relay=mx00.gmx.net[212.227.15.9]:25, delay=1, delays=0/0/1/0, dsn=4.0.0, status=deferred (host mx00.gmx.net[212.227.15.9] refused to talk to me: 421-gmx.net (mxgmx017) Nemesis ESMTP Service not available 421-Service unavailable 421 Reject due to policy restrictions.)",
        );
        let r = d.reply.unwrap();
        assert_eq!((r.code, r.enhanced, r.greeting), (Some(421), None, true));
    }

    #[test]
    fn connect_lost_conversation_and_suspended() {
        let base = "7E1AEC2C388XXXX: to=<k@f.e>, relay=none, delay=71766, delays=71766/0.01/0.29/0, dsn=4.4.1, status=deferred (";
        let cases = [
            (
                "connect to michaela.com[176.74.176.167]:25: Connection refused)",
                "michaela.com",
            ),
            (
                "connect to aspmx.l.google.com[2a00:1450:400b:c02::1a]:25: Network is unreachable)",
                "aspmx.l.google.com",
            ),
            (
                "lost connection with mta7.am0.yahoodns.net[98.136.216.22] while sending RCPT TO)",
                "mta7.am0.yahoodns.net",
            ),
            (
                "conversation with mx00.gmx.com[74.208.5.4] timed out while receiving the initial server greeting)",
                "mx00.gmx.com",
            ),
            (
                "delivery temporarily suspended: connect to SEYNAM.CZ[93.185.104.28]:25: Connection refused)",
                "SEYNAM.CZ",
            ),
            (
                "delivery temporarily suspended: lost connection with mta7.am0.yahoodns.net[98.136.216.22] while sending RCPT TO)",
                "mta7.am0.yahoodns.net",
            ),
        ];
        for (tail, host) in cases {
            let m = format!("{base}{tail}");
            let d = ok(&m);
            assert_eq!(d.connect_host, Some(host), "{tail}");
            assert_eq!(d.reply, None);
            assert_eq!(d.relay, Relay::None);
        }
        // Suspended with a cached remote reply inside.
        let m = format!(
            "{base}delivery temporarily suspended: host mail.orange-mail.sk[213.151.208.10] refused to talk to me: 550 Not allowed OFR006_102 (in reply to x))"
        );
        let d = ok(&m);
        let r = d.reply.unwrap();
        assert!(r.greeting);
        assert_eq!(r.host, Some("mail.orange-mail.sk"));
        assert_eq!(r.code, Some(550));
        let m = format!(
            "{base}delivery temporarily suspended: host mx.x[1.2.3.4] said: 421 4.7.0 Try later (in reply to MAIL FROM command))"
        );
        let r = ok(&m).reply.unwrap();
        assert_eq!(
            (r.code, r.enhanced, r.command, r.text),
            (
                Some(421),
                Some("4.7.0"),
                Some("MAIL FROM"),
                "421 4.7.0 Try later"
            )
        );
        // DNS failure: neither reply nor host.
        let m = format!(
            "{base}Host or domain name not found. Name service error for name=joka.cz type=MX: Host not found, try again)"
        );
        let d = ok(&m);
        assert_eq!((d.reply, d.connect_host), (None, None));
        assert!(d.detail.starts_with("Host or domain"));
    }

    #[test]
    fn qmgr_expired() {
        let d = ok("585BC3F: from=<>, status=expired, returned to sender");
        assert_eq!(d.queue_id, "585BC3F");
        assert_eq!(d.to, None);
        assert_eq!(d.status, Status::Expired);
        assert_eq!(d.detail, "returned to sender");
        let d =
            ok("BACE842E73: from=<noreply@domain.com>, status=force-expired, returned to sender");
        assert_eq!(d.status, Status::Expired);
        assert!(
            parse(
                "0F5383D: from=<owner-postfix-users@postfix.org>, size=5360, nrcpt=1 (queue active)"
            )
            .is_none()
        );
    }

    #[test]
    fn statuses() {
        for (s, want) in [
            ("sent", Status::Sent),
            ("deferred", Status::Deferred),
            ("SOFTBOUNCE", Status::Deferred),
            ("bounced", Status::Bounced),
            ("expired", Status::Expired),
            ("deliverable", Status::Other),
            ("undeliverable", Status::Other),
            ("undeliverable-but-not-cached", Status::Other),
            ("weird", Status::Other),
        ] {
            let m = format!(
                "3E29030F8637E: to=<user@yahoo.com>, relay=none, delay=0.01, delays=0.01/0/0/0, dsn=5.1.1, status={s} (User unknown in virtual alias table)"
            );
            let d = ok(&m);
            assert_eq!(d.status, want, "{s}");
            assert_eq!(d.detail, "User unknown in virtual alias table");
        }
    }

    #[test]
    fn not_deliveries() {
        for m in [
            "0F5383D: removed",
            "ED59C3D: host mail2.example.com[1.74.253.23] said: 450 4.7.1 <user@example.com>: Recipient address rejected: Greylisted (in reply to RCPT TO command)",
            "B99FE3D: lost connection with mx3.hotmail.com[65.55.37.72] while receiving the initial server greeting",
            "NOQUEUE: reject: RCPT from unknown[1.2.3.4]: 554 5.7.1 <a@b>: Relay access denied; from=<x@y> to=<a@b> proto=ESMTP helo=<z>",
            "17CCA8044: sender non-delivery notification: ADD2F8052",
            "264FE1A18: sender delay notification: 0A87A1A08",
            "1D8CC1CA0A7F: milter-reject: END-OF-MESSAGE from x[1.2.3.4]: 5.7.1 spam; from=<a@b> to=<c@d>",
            "connect to aspmx.l.google.com[2a00:1450:400b:c02::1a]:25: Network is unreachable",
            "warning: problem talking to service private/scache: Connection timed out",
            "Untrusted TLS connection established to mx4.hotmail.com[65.55.92.136]:25: TLSv1.2",
            "C6E0DDB74006: message-id=<A40CF64D@example.com>",
            "AB: to=<a@b>, relay=none, status=sent (x)",
            "",
            "ABC",
            "ABC:",
            "ABC: ",
            "ABC: to=",
            "ABC: to=<a@b",
            "ABC: to=<a@b>",
            "ABC: to=<a@b>, relay",
            "ABC: to=<a@b>, relay=x",
            "ABC: from=<a@b>, status=sent (x)",
        ] {
            assert!(parse(m).is_none(), "{m:?}");
        }
    }

    #[test]
    fn ordered_fields_read_like_the_general_loop() {
        let fields = [
            "orig_to=<o@x.org>",
            "relay=mx.example.net[192.0.2.1]:25",
            "relay=none",
            "conn_use=3",
            "delay=0.74",
            "delays=0.22/0.02/0.17/0.33",
            "delay=<1, 2>",
            "delays=1,5/0",
            "dsn=4.7.0",
            "x-extra=1",
            "dsn=5.1.1",
        ];
        let tail = "status=deferred (host mx.example.net[192.0.2.1] said: 421 4.7.0 busy (in reply to RCPT TO command))";
        // Every ordered selection of up to four fields, in the written and reversed order.
        let mut lines = Vec::new();
        for a in 0..fields.len() {
            for b in 0..fields.len() {
                for c in 0..fields.len() {
                    for d in 0..fields.len() {
                        let body = [fields[a], fields[b], fields[c], fields[d]].join(", ");
                        lines.push(format!("AB12CD: to=<a@b.org>, {body}, {tail}"));
                    }
                }
            }
        }
        lines.push(format!("AB12CD: to=<a@b.org>, {tail}"));
        lines.push("AB12CD: to=<a@b.org>, relay=none, delay=1".to_owned());
        lines.push("AB12CD: to=<a@b.org>, delay=1, , status=sent (ok)".to_owned());
        for line in &lines {
            let (qid, rest) = line.split_once(": to=").unwrap();
            for sent_reply in [true, false] {
                assert_eq!(
                    parse_fields(qid, rest, sent_reply, true),
                    parse_fields(qid, rest, sent_reply, false),
                    "{line}"
                );
            }
        }
        // The order is used: the written order of a real line still parses the same.
        let d = ok(
            "4jVwSc009HzpJ88: to=<f@comcast.net>, orig_to=<g@x.org>, relay=mx1a1.comcast.net[96.102.200.149]:25, conn_use=2, delay=0.74, delays=0.22/0.02/0.17/0.33, dsn=2.0.0, status=sent (250 2.0.0 ok)",
        );
        assert_eq!((d.orig_to, d.dsn), (Some("g@x.org"), Some("2.0.0")));
    }

    #[test]
    fn address_oddities() {
        let d = ok(
            "AB12CD: to=<>, relay=none, delay=1, delays=1/0/0/0, dsn=5.1.3, status=bounced (bad address syntax)",
        );
        assert_eq!(d.to, Some(""));
        let d = ok(
            "AB12CD: to=<\"a, b\"@EXAMPLE.org>, orig_to=<x, y@z>, relay=none, delay=1, delays=1/0/0/0, dsn=5.1.3, status=bounced (x)",
        );
        assert_eq!(d.to, Some("\"a, b\"@EXAMPLE.org"));
        assert_eq!(d.orig_to, Some("x, y@z"));
        let d = ok(
            "AB12CD: to=<=?utf-8?B?w6k=?=@example.org>, relay=none, delay=1, delays=1/0/0/0, dsn=5.1.3, status=bounced (x)",
        );
        assert_eq!(d.to, Some("=?utf-8?B?w6k=?=@example.org"));
        let d = ok(
            "AB12CD: to=<srs0=abc=xy=ex.com=u@fwd.example>, relay=none, delay=1, delays=1/0/0/0, dsn=5.1.3, status=bounced (x)",
        );
        assert_eq!(d.to, Some("srs0=abc=xy=ex.com=u@fwd.example"));
        let d = ok(
            "2A22C263F6: to=user@hostname.example.com, orig_to=root@localhost, relay=local, delay=0.07, delays=0.04/0/0/0.03, dsn=2.0.0, status=sent (delivered to command: procmail -a \"$EXTENSION\")",
        );
        assert_eq!(d.to, Some("user@hostname.example.com"));
        assert_eq!(d.orig_to, Some("root@localhost"));
        assert_eq!(d.relay, Relay::Other("local"));
        assert_eq!(d.reply, None);
        let d = ok(
            "AB12CD: to=<ü@bücher.de>, relay=mx.bücher.de[1.2.3.4]:25, delay=1, delays=1/0/0/0, dsn=2.0.0, status=sent (250 ök)",
        );
        assert_eq!(d.to, Some("ü@bücher.de"));
        assert_eq!(d.reply.unwrap().code, Some(250));
    }

    #[test]
    fn reply_codes_edge_cases() {
        let cases: [(&str, Option<u16>, Option<&str>); 14] = [
            (
                "550-5.7.26 This mail 550 5.7.26 more",
                Some(550),
                Some("5.7.26"),
            ),
            ("421-4.7.28 [1.2.3.4] rate", Some(421), Some("4.7.28")),
            ("451 4.7.500 Server busy", Some(451), Some("4.7.500")),
            ("552 4.2.2 User has full mailbox", Some(552), Some("4.2.2")),
            (
                "450 5.1.1 Mailbox is currently disabled",
                Some(450),
                Some("5.1.1"),
            ),
            (
                "550 Requested action not taken: mailbox unavailable",
                Some(550),
                None,
            ),
            ("550 #5.1.0 Address rejected.", Some(550), None),
            (
                "451 DT:SPM 163 mx13,P8CowECpNVM_oEVaenoEAQ--.23796S3 1514512449",
                Some(451),
                None,
            ),
            (
                "553 sorry, that domain isn't in my list (#5.1.1)",
                Some(553),
                None,
            ),
            ("12 Malformed", None, None),
            ("550", Some(550), None),
            ("550 5.7.1: blocked", Some(550), Some("5.7.1")),
            ("5500 x", None, None),
            ("550 5.7.1234 x", Some(550), None),
        ];
        for (text, code, enh) in cases {
            let r = parse_reply(text);
            assert_eq!((r.code, r.enhanced), (code, enh), "{text}");
            assert_eq!(r.text, text);
            assert_eq!((r.host, r.addr, r.command), (None, None, None));
        }
        let r = parse_reply(
            "450 4.7.1 <u@x>: Recipient address rejected: Greylisted for 5 minutes (in reply to RCPT TO command)",
        );
        assert_eq!(r.command, Some("RCPT TO"));
        assert_eq!(
            r.text,
            "450 4.7.1 <u@x>: Recipient address rejected: Greylisted for 5 minutes"
        );
        let r = parse_reply("(in reply to  command)");
        assert_eq!(r.command, Some(""));
        let r = parse_reply(" command)");
        assert_eq!(r.command, None);
    }

    #[test]
    fn no_panic_on_any_cut() {
        let samples = [
            "4E74613FE76: to=<rédacted@gmail.com>, orig_to=<ö@x>, relay=gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b]:25, delay=1.9, delays=0.05/0/1.1/0.71, dsn=5.7.1, status=bounced (host gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b] said: 550-5.7.1 ünsolicited (S3150) 550 5.7.1 more (in reply to end of DATA command))",
            "7E1AEC2C388XXXX: to=<k@f.e>, relay=none, delay=1, delays=1/0/0/0, dsn=4.4.1, status=deferred (delivery temporarily suspended: host h€[1.2.3.4] refused to talk to me: 5€4 x)",
            "7E1AEC2C388XXXX: to=<k@f.e>, relay=none, delay=1, delays=1/0/0/0, dsn=4.4.1, status=deferred (connect to h€[1.2.3.4]:25: x)",
            "7E1AEC2C388XXXX: to=<k@f.e>, relay=none, delay=1, delays=1/0/0/0, dsn=4.4.1, status=deferred (lost connection with h€ while x)",
            "585BC3F: from=<€>, status=expired, returned to sender",
        ];
        for s in samples {
            for (i, _) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
                let _ = parse(&s[..i]);
                let _ = parse(&s[i..]);
                let _ = parse_reply(&s[i..]);
            }
        }
        let alphabet = [
            "AB1: ",
            "to=",
            "<",
            ">",
            ", ",
            "relay=",
            "[",
            "]",
            ":",
            "status=",
            "sent",
            " (",
            ")",
            "host ",
            " said: ",
            "550",
            "-",
            "5.7.1",
            "€",
            "(in reply to ",
            " command)",
            "delivery temporarily suspended: ",
            "connect to ",
        ];
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..30_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mut y = x;
            let mut s = String::from("AB1: to=<a>, ");
            for _ in 0..(x % 24) {
                y = y.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                s.push_str(alphabet[(y >> 33) as usize % alphabet.len()]);
            }
            let _ = parse(&s);
            let _ = parse_reply(&s);
        }
    }
}
