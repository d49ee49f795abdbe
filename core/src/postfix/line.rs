//! Log line headers: classic syslog, RFC 3339, year-first rsyslog, `maillog_file`, journald JSON.
//!
//! Accepted headers (see `research/postfix-anchors.md` §3):
//!
//! | form | example |
//! |---|---|
//! | BSD syslog, space- or zero-padded day, optional fraction | `Apr  7 15:35:20 host tag[pid]: msg`, `Jan 01 00:00:00.123456 host …` |
//! | Postfix `maillog_file` (postlogd: `%b %d %H:%M:%S host prog[pid]: `) | `Feb 03 10:00:00 mail postfix/smtp[1]: msg` |
//! | RFC 3339 / ISO 8601 (rsyslog high precision, `journalctl -o short-iso`) | `2023-02-01T01:02:04.123456+00:00`, `2024-05-01T10:00:00+0200`, `…Z`, no offset |
//! | year-first rsyslog template | `2013 Jun 10 06:27:30.123 host tag[pid]: msg` |
//! | `journalctl -o json` | `{"MESSAGE":"…","SYSLOG_IDENTIFIER":"postfix/smtp","_HOSTNAME":"…","__REALTIME_TIMESTAMP":"…"}` |
//!
//! The tag is everything up to `[pid]: ` or `: ` (tags without a pid are accepted); a
//! Solaris `[ID nnn facility.level] ` prefix of the message is removed. A trailing `\r` (and
//! `\n`) is tolerated. Text lines are parsed without allocating.

use std::borrow::Cow;

/// The time stamp of a line as logged, before year inference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// Classic syslog `Mon DD HH:MM:SS`: no year. `seconds` is seconds since local midnight.
    NoYear {
        /// Month `1..=12`.
        month: u8,
        /// Day `1..=31`.
        day: u8,
        /// Seconds since midnight.
        seconds: u32,
    },
    /// A stamp with a full date (RFC 3339, year-first rsyslog, `maillog_file`): the local date
    /// as written, before any offset is applied.
    Dated {
        /// Local calendar date as written.
        date: crate::Date,
        /// Seconds since local midnight.
        seconds: u32,
    },
    /// journald `__REALTIME_TIMESTAMP`: microseconds since the Unix epoch, UTC.
    UnixMicros(i64),
}

/// A parsed log line header with the message that follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine<'a> {
    /// Time stamp as logged.
    pub stamp: Stamp,
    /// Syslog host name (`mta-out1`; may contain `/` for container logs).
    pub host: Cow<'a, str>,
    /// Syslog tag without the pid: `postfix/out05/smtp`, `postfix-mx/smtp`, `opendkim`.
    pub tag: Cow<'a, str>,
    /// The message after `tag[pid]: `.
    pub message: Cow<'a, str>,
}

impl LogLine<'_> {
    /// The last `/`-component of the tag: `smtp`, `lmtp`, `qmgr`, `error`, ...
    pub fn program(&self) -> &str {
        let tag: &str = &self.tag;
        match memchr::memrchr(b'/', tag.as_bytes()) {
            Some(p) => &tag[p + 1..],
            None => tag,
        }
    }

    /// The Postfix service name (DESIGN §3): the tag without a leading `postfix/`
    /// (`postfix/out05/smtp` -> `out05/smtp`, `postfix/smtp` -> `smtp`), other instance
    /// names kept whole (`postfix-mx/smtp`).
    pub fn service(&self) -> &str {
        self.tag.strip_prefix("postfix/").unwrap_or(&self.tag)
    }

    /// True when the tag belongs to Postfix: `postfix/…`, `postfix-<instance>/…`, or any
    /// `<name>/<postfix program>` multi-instance tag.
    pub fn is_postfix(&self) -> bool {
        self.tag.starts_with("postfix") || self.tag.contains('/')
    }
}

/// Why a line could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineError {
    /// No recognised time stamp at the start.
    NoStamp,
    /// A stamp, but no `host tag[pid]: ` after it.
    NoTag,
    /// A JSON line that is not a journald export record with `MESSAGE`.
    BadJson,
}

/// Parses one line (without its line terminator; a trailing `\r` is tolerated).
pub fn parse(line: &str) -> Result<LogLine<'_>, LineError> {
    let line = trim_eol(line);
    let b = line.as_bytes();
    let Some(&first) = b.first() else {
        return Err(LineError::NoStamp);
    };
    let (stamp, rest) = if first.is_ascii_uppercase() {
        match classic_stamp(b) {
            Some(x) => x,
            None => short_full_stamp(b).ok_or(LineError::NoStamp)?,
        }
    } else if first.is_ascii_digit() {
        numeric_stamp(b).ok_or(LineError::NoStamp)?
    } else if first == b'{' {
        return parse_json(line);
    } else {
        return Err(LineError::NoStamp);
    };
    // `rest` is a byte offset just after the stamp; a space must follow.
    let (host, tag, message) = header(line, rest).ok_or(LineError::NoTag)?;
    Ok(LogLine {
        stamp,
        host: Cow::Borrowed(host),
        tag: Cow::Borrowed(tag),
        message: Cow::Borrowed(strip_solaris_id(message)),
    })
}

/// Removes trailing `\n` / `\r`.
fn trim_eol(line: &str) -> &str {
    let mut s = line;
    while let Some(t) = s.strip_suffix('\n').or_else(|| s.strip_suffix('\r')) {
        s = t;
    }
    s
}

/// Month number of a three-letter English abbreviation (`Jan`..`Dec`, case as syslog writes it).
fn month3(b: &[u8]) -> Option<u8> {
    let [a, b, c] = *b else { return None };
    let key = u32::from_le_bytes([a, b, c, 0]);
    const fn k(m: [u8; 3]) -> u32 {
        u32::from_le_bytes([m[0], m[1], m[2], 0])
    }
    let m = match key {
        x if x == k(*b"Jan") => 1,
        x if x == k(*b"Feb") => 2,
        x if x == k(*b"Mar") => 3,
        x if x == k(*b"Apr") => 4,
        x if x == k(*b"May") => 5,
        x if x == k(*b"Jun") => 6,
        x if x == k(*b"Jul") => 7,
        x if x == k(*b"Aug") => 8,
        x if x == k(*b"Sep") => 9,
        x if x == k(*b"Oct") => 10,
        x if x == k(*b"Nov") => 11,
        x if x == k(*b"Dec") => 12,
        _ => return None,
    };
    Some(m)
}

/// Two ASCII digits at `i`.
#[inline]
fn d2(b: &[u8], i: usize) -> Option<u32> {
    let x = *b.get(i)?;
    let y = *b.get(i + 1)?;
    if x.is_ascii_digit() && y.is_ascii_digit() {
        Some(u32::from(x - b'0') * 10 + u32::from(y - b'0'))
    } else {
        None
    }
}

/// `HH:MM:SS` at `i`, then an optional `.fraction` (or `,fraction`). Returns seconds since
/// midnight and the offset after the time. The eight bytes are checked as one 64-bit word
/// (this runs on every delivery line): the colons in place, and every other byte a digit.
fn hms(b: &[u8], at: usize) -> Option<(u32, usize)> {
    const COLONS: u64 = 0x0000_3a00_003a_0000;
    const COLON_LANES: u64 = 0x0000_ff00_00ff_0000;
    const DIGIT_LANES: u64 = !COLON_LANES;
    let bytes: [u8; 8] = b.get(at..at + 8)?.try_into().ok()?;
    let w = u64::from_le_bytes(bytes);
    // A digit lane is 0x30..=0x39: its high nibble is 3, and still 3 after adding 6 (no lane
    // below 0xfa carries into the next one; a lane at 0xfa or above already fails the first
    // test).
    let high = 0xf0f0_f0f0_f0f0_f0f0 & DIGIT_LANES;
    let threes = 0x3030_3030_3030_3030 & DIGIT_LANES;
    if w & COLON_LANES != COLONS
        || w & high != threes
        || w.wrapping_add(0x0606_0606_0606_0606 & DIGIT_LANES) & high != threes
    {
        return None;
    }
    let d = (w & DIGIT_LANES & 0x0f0f_0f0f_0f0f_0f0f).to_le_bytes();
    let hour = u32::from(d[0]) * 10 + u32::from(d[1]);
    let min = u32::from(d[3]) * 10 + u32::from(d[4]);
    let sec = u32::from(d[6]) * 10 + u32::from(d[7]);
    if hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut j = at + 8;
    if matches!(b.get(j), Some(b'.' | b',')) && b.get(j + 1).is_some_and(u8::is_ascii_digit) {
        j += 1;
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
    }
    Some((hour * 3600 + min * 60 + sec.min(59), j))
}

/// `Mon DD HH:MM:SS[.frac]` (day space-padded, zero-padded or a single digit).
fn classic_stamp(b: &[u8]) -> Option<(Stamp, usize)> {
    let month = month3(b.get(0..3)?)?;
    let (day, i) = day_field(b, 3)?;
    let (seconds, end) = hms(b, i)?;
    Some((
        Stamp::NoYear {
            month,
            day,
            seconds,
        },
        end,
    ))
}

/// After a month at `i` (pointing at the separator space): ` DD `, `  D `, ` D `. Returns the
/// day and the offset of the time field.
fn day_field(b: &[u8], mut i: usize) -> Option<(u8, usize)> {
    if *b.get(i)? != b' ' {
        return None;
    }
    i += 1;
    if b.get(i) == Some(&b' ') {
        i += 1;
    }
    let x = *b.get(i)?;
    if !x.is_ascii_digit() {
        return None;
    }
    let mut day = u32::from(x - b'0');
    i += 1;
    if let Some(&y) = b.get(i)
        && y.is_ascii_digit()
    {
        day = day * 10 + u32::from(y - b'0');
        i += 1;
    }
    if !(1..=31).contains(&day) || *b.get(i)? != b' ' {
        return None;
    }
    Some((day as u8, i + 1))
}

/// `journalctl -o short-full`: `Wed 2024-05-01 10:00:00 CEST host tag[pid]: msg` (weekday,
/// ISO date and time, a time zone token that is skipped).
fn short_full_stamp(b: &[u8]) -> Option<(Stamp, usize)> {
    if !matches!(
        b.get(0..4)?,
        b"Mon " | b"Tue " | b"Wed " | b"Thu " | b"Fri " | b"Sat " | b"Sun "
    ) {
        return None;
    }
    let rest = b.get(4..)?;
    let (stamp, end) = numeric_stamp(rest)?;
    let mut j = 4 + end;
    // ` TZ` token: letters, or a numeric offset (`+03`, `-0530`).
    if b.get(j) == Some(&b' ') {
        let tz_len = b[j + 1..]
            .iter()
            .position(|&c| c == b' ')
            .unwrap_or(b.len() - j - 1);
        let tz = &b[j + 1..j + 1 + tz_len];
        let is_tz = !tz.is_empty()
            && tz.len() <= 6
            && (tz.iter().all(u8::is_ascii_uppercase)
                || (matches!(tz[0], b'+' | b'-') && tz[1..].iter().all(u8::is_ascii_digit)));
        if is_tz {
            j += 1 + tz_len;
        }
    }
    Some((stamp, j))
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|±HH:MM|±HHMM|±HH]` or `YYYY Mon DD HH:MM:SS[.frac]`.
fn numeric_stamp(b: &[u8]) -> Option<(Stamp, usize)> {
    let year = d2(b, 0)? * 100 + d2(b, 2)?;
    match *b.get(4)? {
        b'-' => {
            let month = d2(b, 5)?;
            let day = d2(b, 8)?;
            if *b.get(7)? != b'-' || !matches!(*b.get(10)?, b'T' | b't' | b' ') {
                return None;
            }
            let date = crate::Date::new(year as i32, month as u8, day as u8)?;
            let (seconds, mut j) = hms(b, 11)?;
            match b.get(j) {
                Some(b'Z' | b'z') => j += 1,
                Some(b'+' | b'-') => {
                    d2(b, j + 1)?;
                    j += 3;
                    if b.get(j) == Some(&b':') {
                        d2(b, j + 1)?;
                        j += 3;
                    } else if d2(b, j).is_some() {
                        j += 2;
                    }
                }
                _ => {}
            }
            Some((Stamp::Dated { date, seconds }, j))
        }
        b' ' => {
            let month = month3(b.get(5..8)?)?;
            let (day, i) = day_field(b, 8)?;
            let date = crate::Date::new(year as i32, month, day)?;
            let (seconds, end) = hms(b, i)?;
            Some((Stamp::Dated { date, seconds }, end))
        }
        _ => None,
    }
}

/// Splits `␠host␠tag[pid]:␠message` starting at byte `at` (just after the stamp).
fn header(line: &str, at: usize) -> Option<(&str, &str, &str)> {
    let b = line.as_bytes();
    if b.get(at) != Some(&b' ') {
        return None;
    }
    let mut i = at + 1;
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    let host_end = i + crate::scan::find_byte(b' ', b.get(i..)?)?;
    let host = line.get(i..host_end)?;
    if host.is_empty() {
        return None;
    }
    // A host-less line (`Jan  1 00:00:00 postfix/smtp[1]: msg`): the first token is the tag.
    if host.ends_with(':') && (host.ends_with("]:") || !host.contains('[')) && looks_like_tag(host)
    {
        let (tag, msg) = tag_and_message(line, i)?;
        return Some(("", tag, msg));
    }
    let (tag, msg) = tag_and_message(line, host_end + 1)?;
    Some((host, tag, msg))
}

/// A host-less first token that is clearly a tag (`postfix/smtp[1]:`).
fn looks_like_tag(tok: &str) -> bool {
    tok.contains('/') || tok.contains('[')
}

/// `tag[pid]: message` or `tag: message` starting at byte `i`.
fn tag_and_message(line: &str, i: usize) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    let rest = b.get(i..)?;
    let p = memchr::memchr3(b'[', b':', b' ', rest)?;
    let tag_end = i + p;
    if p == 0 {
        return None;
    }
    let tag = line.get(i..tag_end)?;
    let mut j = tag_end;
    match b[j] {
        b'[' => {
            let close = j + crate::scan::find_byte(b']', b.get(j..)?)?;
            j = close + 1;
            if b.get(j) != Some(&b':') {
                return None;
            }
            j += 1;
        }
        b':' => j += 1,
        _ => return None,
    }
    if b.get(j) == Some(&b' ') {
        j += 1;
    }
    Some((tag, line.get(j..)?))
}

/// Removes a Solaris `[ID 197553 mail.info] ` prefix.
fn strip_solaris_id(msg: &str) -> &str {
    if let Some(rest) = msg.strip_prefix("[ID ")
        && let Some(p) = crate::scan::find_byte(b']', rest.as_bytes())
    {
        let inner = &rest[..p];
        let mut parts = inner.split(' ');
        let id_ok = parts
            .next()
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|c| c.is_ascii_digit()));
        let fac_ok = parts.next().is_some_and(|f| f.contains('.'));
        if id_ok && fac_ok && parts.next().is_none() {
            let after = &rest[p + 1..];
            return after.strip_prefix(' ').unwrap_or(after);
        }
    }
    msg
}

// ---------------------------------------------------------------------------------------------
// journald JSON (`journalctl -o json`)

/// One journald field value: a string, a byte array (non-UTF-8 payloads), or an array of
/// either when the field occurs several times (the first value is kept).
struct JsonField<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for JsonField<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FieldVisitor)
    }
}

struct FieldVisitor;

impl<'de> serde::de::Visitor<'de> for FieldVisitor {
    type Value = JsonField<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a journald field value (string, byte array or array of values)")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(JsonField(Some(Cow::Borrowed(v))))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(JsonField(Some(Cow::Owned(v.to_owned()))))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(JsonField(Some(Cow::Owned(v))))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(JsonField(Some(Cow::Owned(v.to_string()))))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(JsonField(Some(Cow::Owned(v.to_string()))))
    }

    fn visit_f64<E: serde::de::Error>(self, _v: f64) -> Result<Self::Value, E> {
        Ok(JsonField(None))
    }

    fn visit_bool<E: serde::de::Error>(self, _v: bool) -> Result<Self::Value, E> {
        Ok(JsonField(None))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(JsonField(None))
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(JsonField(None))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        Ok(JsonField(None))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Either a byte array (`[104, 105]`) or several values of a repeated field.
        let mut bytes: Vec<u8> = Vec::new();
        let mut first: Option<Cow<'de, str>> = None;
        let mut is_bytes = true;
        while let Some(el) = seq.next_element::<SeqElement<'de>>()? {
            match el {
                SeqElement::Byte(x) if is_bytes && first.is_none() => bytes.push(x),
                SeqElement::Byte(_) | SeqElement::Ignored => is_bytes = is_bytes && first.is_none(),
                SeqElement::Text(t) => {
                    is_bytes = false;
                    if first.is_none() {
                        first = Some(t);
                    }
                }
            }
        }
        if let Some(t) = first {
            return Ok(JsonField(Some(t)));
        }
        if is_bytes && !bytes.is_empty() {
            return Ok(JsonField(Some(Cow::Owned(
                String::from_utf8_lossy(&bytes).into_owned(),
            ))));
        }
        Ok(JsonField(None))
    }
}

/// An element of a JSON array in a journald field.
enum SeqElement<'a> {
    Byte(u8),
    Text(Cow<'a, str>),
    Ignored,
}

impl<'de> serde::Deserialize<'de> for SeqElement<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = SeqElement<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte or a string")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(u8::try_from(v).map_or(SeqElement::Ignored, SeqElement::Byte))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(u8::try_from(v).map_or(SeqElement::Ignored, SeqElement::Byte))
            }
            fn visit_f64<E: serde::de::Error>(self, _v: f64) -> Result<Self::Value, E> {
                Ok(SeqElement::Ignored)
            }
            fn visit_bool<E: serde::de::Error>(self, _v: bool) -> Result<Self::Value, E> {
                Ok(SeqElement::Ignored)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(SeqElement::Ignored)
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(SeqElement::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(SeqElement::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(SeqElement::Text(Cow::Owned(v)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(SeqElement::Ignored)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(SeqElement::Ignored)
            }
        }
        d.deserialize_any(V)
    }
}

/// The journald export fields we use; everything else is skipped.
#[derive(serde::Deserialize)]
struct JournalRecord<'a> {
    #[serde(rename = "MESSAGE", borrow, default)]
    message: Option<JsonField<'a>>,
    #[serde(rename = "SYSLOG_IDENTIFIER", borrow, default)]
    identifier: Option<JsonField<'a>>,
    #[serde(rename = "_COMM", borrow, default)]
    comm: Option<JsonField<'a>>,
    #[serde(rename = "_HOSTNAME", borrow, default)]
    hostname: Option<JsonField<'a>>,
    #[serde(rename = "__REALTIME_TIMESTAMP", borrow, default)]
    realtime: Option<JsonField<'a>>,
    #[serde(rename = "_SOURCE_REALTIME_TIMESTAMP", borrow, default)]
    source_realtime: Option<JsonField<'a>>,
}

fn field(f: Option<JsonField<'_>>) -> Option<Cow<'_, str>> {
    f.and_then(|f| f.0)
}

/// A `journalctl -o json` record. The stamp is `__REALTIME_TIMESTAMP` (falling back to
/// `_SOURCE_REALTIME_TIMESTAMP`), the tag `SYSLOG_IDENTIFIER` (falling back to `_COMM`).
fn parse_json(line: &str) -> Result<LogLine<'_>, LineError> {
    let rec: JournalRecord<'_> = serde_json::from_str(line).map_err(|_| LineError::BadJson)?;
    let message = field(rec.message).ok_or(LineError::BadJson)?;
    let micros = field(rec.realtime)
        .and_then(|t| t.trim().parse::<i64>().ok())
        .or_else(|| field(rec.source_realtime).and_then(|t| t.trim().parse::<i64>().ok()))
        .ok_or(LineError::NoStamp)?;
    let tag = field(rec.identifier)
        .or_else(|| field(rec.comm))
        .ok_or(LineError::NoTag)?;
    let host = field(rec.hostname).unwrap_or(Cow::Borrowed(""));
    let stamp = Stamp::UnixMicros(micros);
    // A whole syslog line inside MESSAGE (a container logging `maillog_file=/dev/stdout` to
    // journald): take host, tag and message from the inner line, the time from journald.
    if !tag.contains('/')
        && message
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_alphanumeric)
    {
        match &message {
            Cow::Borrowed(m) => {
                if let Ok(inner) = parse(m)
                    && inner.tag.contains('/')
                {
                    return Ok(LogLine { stamp, ..inner });
                }
            }
            Cow::Owned(m) => {
                if let Ok(inner) = parse(m)
                    && inner.tag.contains('/')
                {
                    return Ok(LogLine {
                        stamp,
                        host: Cow::Owned(inner.host.into_owned()),
                        tag: Cow::Owned(inner.tag.into_owned()),
                        message: Cow::Owned(inner.message.into_owned()),
                    });
                }
            }
        }
    }
    let message = match message {
        Cow::Borrowed(m) => Cow::Borrowed(strip_solaris_id(trim_eol(m))),
        Cow::Owned(m) => {
            let t = strip_solaris_id(trim_eol(&m));
            if t.len() == m.len() {
                Cow::Owned(m)
            } else {
                Cow::Owned(t.to_owned())
            }
        }
    };
    Ok(LogLine {
        stamp,
        host,
        tag,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Date;

    fn ok(line: &str) -> LogLine<'_> {
        match parse(line) {
            Ok(l) => l,
            Err(e) => panic!("{line:?}: {e:?}"),
        }
    }

    fn dated(year: i32, month: u8, day: u8, hour: u32, min: u32, sec: u32) -> Stamp {
        Stamp::Dated {
            date: Date::new(year, month, day).unwrap(),
            seconds: hour * 3600 + min * 60 + sec,
        }
    }

    /// `hms` as it was written before the word-at-a-time check: byte by byte.
    fn hms_bytes(b: &[u8]) -> Option<u32> {
        let &[h1, h2, c1, m1, m2, c2, s1, s2] = b.get(..8)? else {
            return None;
        };
        let digits = [h1, h2, m1, m2, s1, s2];
        if c1 != b':' || c2 != b':' || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let v = digits.map(|x| u32::from(x - b'0'));
        let (hour, min, sec) = (v[0] * 10 + v[1], v[2] * 10 + v[3], v[4] * 10 + v[5]);
        (hour <= 23 && min <= 59 && sec <= 60).then_some(hour * 3600 + min * 60 + sec.min(59))
    }

    #[test]
    fn time_of_day_word_check_agrees_with_bytes() {
        for base in [*b"00:00:00", *b"23:59:60", *b"19:09:39", *b"09:50:05"] {
            for lane in 0..8 {
                for x in 0..=255u8 {
                    let mut t = base;
                    t[lane] = x;
                    assert_eq!(
                        hms(&t, 0).map(|(s, _)| s),
                        hms_bytes(&t),
                        "{}",
                        String::from_utf8_lossy(&t)
                    );
                }
            }
        }
    }

    #[test]
    fn time_of_day_digits_and_ranges() {
        assert_eq!(hms(b"15:35:20", 0), Some((15 * 3600 + 35 * 60 + 20, 8)));
        assert_eq!(
            hms(b"x23:59:60.5 ", 1),
            Some((23 * 3600 + 59 * 60 + 59, 11))
        );
        for bad in [
            &b"1a:00:00"[..],
            b"/0:00:00",
            b"00:0:000",
            b"24:00:00",
            b"00:60:00",
            b"00:00:61",
            b"00:00:0",
        ] {
            assert_eq!(hms(bad, 0), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn bsd_space_padded_day() {
        let l =
            ok("Apr  7 15:35:20 123-mail postfix/virtual[20235]: 199041033BE: to=<me@domain.fr>");
        assert_eq!(
            l.stamp,
            Stamp::NoYear {
                month: 4,
                day: 7,
                seconds: 15 * 3600 + 35 * 60 + 20
            }
        );
        assert_eq!(l.host, "123-mail");
        assert_eq!(l.tag, "postfix/virtual");
        assert_eq!(l.message, "199041033BE: to=<me@domain.fr>");
        assert_eq!(l.program(), "virtual");
        assert_eq!(l.service(), "virtual");
        assert!(matches!(l.host, Cow::Borrowed(_)));
        assert!(matches!(l.message, Cow::Borrowed(_)));
    }

    #[test]
    fn bsd_zero_padded_and_single_digit_day() {
        let l = ok("Jan 01 00:00:00 hostname postfix/smtpd[12345]: connect from x[1.2.3.4]");
        assert_eq!(
            l.stamp,
            Stamp::NoYear {
                month: 1,
                day: 1,
                seconds: 0
            }
        );
        let l = ok("Jun 3 06:25:43 srv postfix/smtpd[29306]: hi");
        assert_eq!(
            l.stamp,
            Stamp::NoYear {
                month: 6,
                day: 3,
                seconds: 6 * 3600 + 25 * 60 + 43
            }
        );
        assert_eq!(l.message, "hi");
        let l = ok("Dec 31 23:59:59 h postfix/out05/smtp[1]: m");
        assert_eq!(
            l.stamp,
            Stamp::NoYear {
                month: 12,
                day: 31,
                seconds: 86_399
            }
        );
        assert_eq!(l.service(), "out05/smtp");
        assert_eq!(l.program(), "smtp");
    }

    #[test]
    fn maillog_file_lines() {
        // postlogd / msg_logger: "%b %d %H:%M:%S " + first host label + "prog[pid]: ".
        let l = ok("Feb 03 10:00:00 mail postfix/smtp[123]: 4HnkK60lBRz6tl1: to=<a@b>");
        assert_eq!(
            l.stamp,
            Stamp::NoYear {
                month: 2,
                day: 3,
                seconds: 36_000
            }
        );
        assert_eq!(l.tag, "postfix/smtp");
        // Non-info levels carry the severity inside the message.
        let l = ok("Feb 03 10:00:00 mail postfix/postfix-script[9]: warning: not owned by root");
        assert_eq!(l.tag, "postfix/postfix-script");
        assert_eq!(l.message, "warning: not owned by root");
        // journalctl -o short-precise: fraction after the classic stamp.
        let l = ok("May 01 10:00:00.123456 host postfix/smtp[1]: msg");
        assert_eq!(
            l.stamp,
            Stamp::NoYear {
                month: 5,
                day: 1,
                seconds: 36_000
            }
        );
        assert_eq!(l.message, "msg");
    }

    #[test]
    fn rfc3339_variants() {
        let l = ok("2023-02-01T01:02:04.123456+00:00 host postfix/smtp[1]: m");
        assert_eq!(l.stamp, dated(2023, 2, 1, 1, 2, 4));
        assert_eq!(l.host, "host");
        let l = ok("2021-02-06T10:57:57+01:00 mail.server.com postfix/smtpd[1]: m");
        assert_eq!(l.stamp, dated(2021, 2, 6, 10, 57, 57));
        assert_eq!(l.host, "mail.server.com");
        let l = ok("2024-05-01T10:00:00+0200 host postfix/smtp[1]: m");
        assert_eq!(l.stamp, dated(2024, 5, 1, 10, 0, 0));
        assert_eq!(l.host, "host");
        let l = ok("2024-05-01T10:00:00.5-0700 host postfix/smtp[1]: m");
        assert_eq!(l.host, "host");
        let l = ok("2024-05-01T10:00:00Z host postfix/smtp[1]: m");
        assert_eq!(l.stamp, dated(2024, 5, 1, 10, 0, 0));
        assert_eq!(l.host, "host");
        let l = ok("2024-05-01T10:00:00.000001Z host postfix/smtp[1]: m");
        assert_eq!(l.host, "host");
        let l = ok("2024-05-01T10:00:00 host postfix/smtp[1]: m");
        assert_eq!(l.host, "host");
        let l = ok("2024-05-01 10:00:00 host postfix/smtp[1]: m");
        assert_eq!(l.host, "host");
        let l = ok(
            "2020-01-30T06:26:05.404714+09:00 mail postfix/smtpd[1830]: connect from example.com[127.0.0.1]",
        );
        assert_eq!(l.stamp, dated(2020, 1, 30, 6, 26, 5));
        assert_eq!(l.message, "connect from example.com[127.0.0.1]");
    }

    #[test]
    fn journalctl_short_full() {
        let l = ok("Wed 2024-05-01 10:00:00 CEST host postfix/smtp[1]: m");
        assert_eq!(l.stamp, dated(2024, 5, 1, 10, 0, 0));
        assert_eq!(
            (l.host.as_ref(), l.tag.as_ref(), l.message.as_ref()),
            ("host", "postfix/smtp", "m")
        );
        let l = ok("Sun 2024-05-05 10:00:00 +03 host postfix/smtp[1]: m");
        assert_eq!(l.host, "host");
        // No zone token: the host follows the time.
        let l = ok("Sun 2024-05-05 10:00:00 host postfix/smtp[1]: m");
        assert_eq!(l.host, "host");
        assert_eq!(parse("Sun 2024-05-05").err(), Some(LineError::NoStamp));
        assert_eq!(
            parse("Sun 2024-05-05 10:00:00 UTC").err(),
            Some(LineError::NoTag)
        );
    }

    #[test]
    fn mixed_formats_in_one_input() {
        let text = "Jan  1 00:00:00 h postfix/smtp[1]: a\n2024-01-01T00:00:01+01:00 h postfix/smtp[1]: b\r\n2013 Jun 10 06:27:30.123 h postfix/smtp[1]: c\n";
        let msgs: Vec<String> = text.lines().map(|l| ok(l).message.into_owned()).collect();
        assert_eq!(msgs, ["a", "b", "c"]);
    }

    #[test]
    fn year_first_rsyslog() {
        let l = ok(
            "2013 Jun 10 06:27:30.123 gds39d postfix/smtp[16152]: connect to x[1.2.3.4]:25: Connection refused",
        );
        assert_eq!(l.stamp, dated(2013, 6, 10, 6, 27, 30));
        assert_eq!(l.host, "gds39d");
        assert_eq!(l.tag, "postfix/smtp");
        assert_eq!(l.message, "connect to x[1.2.3.4]:25: Connection refused");
        let l = ok("2013 Jun  1 06:27:30 h postfix/qmgr[1]: m");
        assert_eq!(l.stamp, dated(2013, 6, 1, 6, 27, 30));
    }

    #[test]
    fn hosts_tags_and_prefixes() {
        let l = ok("Jan 25 21:25:22 eugeni/eugeni postfix/smtp[558]: m");
        assert_eq!(l.host, "eugeni/eugeni");
        let l = ok("Jan 25 21:25:22 h postfix/smtp: no pid here");
        assert_eq!(l.tag, "postfix/smtp");
        assert_eq!(l.message, "no pid here");
        let l = ok("Jan 25 21:25:22 h postfix-mx/content-filter/smtp[2]: m");
        assert_eq!(l.service(), "postfix-mx/content-filter/smtp");
        assert_eq!(l.program(), "smtp");
        assert!(l.is_postfix());
        let l = ok("Jan 25 21:25:22 h opendkim[2]: m");
        assert!(!l.is_postfix());
        let l = ok("Jan 25 21:25:22 h postfix/smtp[1]: [ID 197553 mail.info] 1A2B3C: to=<a@b>");
        assert_eq!(l.message, "1A2B3C: to=<a@b>");
        let l = ok("Jan 25 21:25:22 h postfix/smtp[1]: [ID nope] x");
        assert_eq!(l.message, "[ID nope] x");
        let l = ok("Jan 25 21:25:22 h postfix/smtp[1]: m\r");
        assert_eq!(l.message, "m");
        let l = ok("Jan 25 21:25:22 h postfix/smtp[1]: m\r\n");
        assert_eq!(l.message, "m");
        let l = ok("Jan 25 21:25:22 h postfix/smtp[1]:");
        assert_eq!(l.message, "");
        // Host-less line.
        let l = ok("Jan 25 21:25:22 postfix/smtp[1]: m");
        assert_eq!(l.host, "");
        assert_eq!(l.tag, "postfix/smtp");
        assert_eq!(l.message, "m");
        let l = ok("Mar 11 23:27:54 server postfix-smo/submission/smtpd[22427]: m");
        assert_eq!(l.service(), "postfix-smo/submission/smtpd");
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "# failJSON: { }",
            "021-02-06T10:57:57+01:00 mail postfix/smtpd[1]: m",
            "%(day)s 11:00:20 server postfix/lmtp[1]: m",
            "Απρ 15 12:20:28 mx2 postfix/submission/smtpd[6833]: m",
            "Foo 15 12:20:28 mx2 postfix/smtpd[6833]: m",
            "Jan 32 12:20:28 mx2 postfix/smtpd[6833]: m",
            "Jan 15 25:20:28 mx2 postfix/smtpd[6833]: m",
            "2023-02-30T01:02:04Z host postfix/smtp[1]: m",
        ] {
            assert_eq!(parse(bad).err(), Some(LineError::NoStamp), "{bad:?}");
        }
        for bad in [
            "Jan 15 12:20:28",
            "Jan 15 12:20:28 ",
            "Jan 15 12:20:28 host",
            "Jan 15 12:20:28 host tag",
            "Jan 15 12:20:28 host tag[1",
            "Jan 15 12:20:28 host tag[1] m",
            "Jan 15 12:20:28.host tag[1]: m",
        ] {
            assert_eq!(parse(bad).err(), Some(LineError::NoTag), "{bad:?}");
        }
    }

    #[test]
    fn journald_json() {
        let line = r#"{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1700000000000000","__MONOTONIC_TIMESTAMP":"1","_HOSTNAME":"mta1","SYSLOG_IDENTIFIER":"postfix/smtp","SYSLOG_PID":"42","_PID":"42","MESSAGE":"1A2B3C4D5E: to=<a@b.c>, relay=none, status=deferred (x)"}"#;
        let l = ok(line);
        assert_eq!(l.stamp, Stamp::UnixMicros(1_700_000_000_000_000));
        assert_eq!(l.host, "mta1");
        assert_eq!(l.tag, "postfix/smtp");
        assert_eq!(
            l.message,
            "1A2B3C4D5E: to=<a@b.c>, relay=none, status=deferred (x)"
        );
        assert!(matches!(l.message, Cow::Borrowed(_)));
        // Escapes force an owned string.
        let l = ok(
            r#"{"MESSAGE":"a \"q\" b","SYSLOG_IDENTIFIER":"postfix/qmgr","__REALTIME_TIMESTAMP":"5"}"#,
        );
        assert_eq!(l.message, "a \"q\" b");
        assert_eq!(l.host, "");
        // Byte-array MESSAGE (not valid UTF-8).
        let l = ok(
            r#"{"MESSAGE":[104,105,255],"SYSLOG_IDENTIFIER":"postfix/smtp","__REALTIME_TIMESTAMP":"5","_HOSTNAME":"h"}"#,
        );
        assert_eq!(l.message, "hi\u{fffd}");
        // Repeated field -> array of strings; first is kept. _COMM fallback.
        let l = ok(r#"{"MESSAGE":["one","two"],"_COMM":"smtp","__REALTIME_TIMESTAMP":"5"}"#);
        assert_eq!(l.message, "one");
        assert_eq!(l.tag, "smtp");
        // A whole syslog line in MESSAGE (container stdout logging): inner header wins,
        // journald time kept.
        let l = ok(
            r#"{"MESSAGE":"Jan 25 21:25:22 mail postfix/smtp[558]: 1A2B3C: to=<a@b>","CONTAINER_NAME":"mailserver","SYSLOG_IDENTIFIER":"mailserver","_HOSTNAME":"docker1","__REALTIME_TIMESTAMP":"9"}"#,
        );
        assert_eq!(
            (l.host.as_ref(), l.tag.as_ref(), l.message.as_ref()),
            ("mail", "postfix/smtp", "1A2B3C: to=<a@b>")
        );
        assert_eq!(l.stamp, Stamp::UnixMicros(9));
        let l = ok(
            r#"{"MESSAGE":"Jan 25 21:25:22 mail postfix/smtp[558]: \"q\"","SYSLOG_IDENTIFIER":"mailserver","__REALTIME_TIMESTAMP":"9"}"#,
        );
        assert_eq!(
            (l.tag.as_ref(), l.message.as_ref()),
            ("postfix/smtp", "\"q\"")
        );
        // ... but not when the identifier already is a Postfix tag.
        let l = ok(
            r#"{"MESSAGE":"Jan 25 21:25:22 mail other/x[1]: m","SYSLOG_IDENTIFIER":"postfix/smtp","__REALTIME_TIMESTAMP":"9"}"#,
        );
        assert_eq!(l.tag, "postfix/smtp");
        // Source timestamp fallback.
        let l = ok(r#"{"MESSAGE":"m","SYSLOG_IDENTIFIER":"x","_SOURCE_REALTIME_TIMESTAMP":"7"}"#);
        assert_eq!(l.stamp, Stamp::UnixMicros(7));
        // Errors.
        assert_eq!(
            parse(r#"{"SYSLOG_IDENTIFIER":"x","__REALTIME_TIMESTAMP":"7"}"#).err(),
            Some(LineError::BadJson)
        );
        assert_eq!(
            parse(r#"{"MESSAGE":null,"__REALTIME_TIMESTAMP":"7"}"#).err(),
            Some(LineError::BadJson)
        );
        assert_eq!(
            parse(r#"{"MESSAGE":"m","SYSLOG_IDENTIFIER":"x"}"#).err(),
            Some(LineError::NoStamp)
        );
        assert_eq!(
            parse(r#"{"MESSAGE":"m","__REALTIME_TIMESTAMP":"7"}"#).err(),
            Some(LineError::NoTag)
        );
        assert_eq!(parse(r#"{"MESSAGE":"m""#).err(), Some(LineError::BadJson));
        assert_eq!(parse("{").err(), Some(LineError::BadJson));
        assert_eq!(parse("[1]").err(), Some(LineError::NoStamp));
        // Nested objects / odd values in unused and used fields don't break.
        let l = ok(
            r#"{"X":{"a":[1,{"b":2}]},"MESSAGE":"m","SYSLOG_IDENTIFIER":["a",{"z":1}],"__REALTIME_TIMESTAMP":7,"_HOSTNAME":true}"#,
        );
        assert_eq!(l.tag, "a");
        assert_eq!(l.stamp, Stamp::UnixMicros(7));
        assert_eq!(l.host, "");
    }

    #[test]
    fn no_panic_on_any_prefix_or_garbage() {
        let samples = [
            "2013 Jun 10 06:27:30.123 gds39d postfix/smtp[16152]: 7E1AEC2C388XXXX: to=<k@f.e>, relay=none",
            "2023-02-01T01:02:04.123456+00:00 hóst pöstfix/smtp[1]: ünïcödé ✓ message",
            "Jan  1 00:00:00 h€ postfix/smtp[€]: m€",
            "Jan  1 00:00:00 h postfix/smtp[1]: [ID 1 mail.info]€",
            r#"{"MESSAGE":"ü","SYSLOG_IDENTIFIER":"postfix/smtp","__REALTIME_TIMESTAMP":"1"}"#,
            "2024-05-01T10:00:00+0€:00 h t[1]: m",
        ];
        for s in samples {
            for (i, _) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
                let _ = parse(&s[..i]);
                let _ = parse(&s[i..]);
            }
        }
        // Pseudo-random garbage built from a small alphabet of tricky characters.
        let alphabet = [
            "J", "a", "n", " ", "1", "2", ":", ".", "[", "]", "{", "}", "\"", "-", "T", "+", "€",
            "\r", "2013", "Jun",
        ];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut s = String::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = (x % 40) as usize;
            let mut y = x;
            for _ in 0..n {
                y = y.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                s.push_str(alphabet[(y >> 33) as usize % alphabet.len()]);
            }
            let _ = parse(&s);
        }
    }
}
