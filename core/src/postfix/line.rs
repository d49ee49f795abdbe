//! Log line headers: classic syslog, RFC 3339, year-first rsyslog, `maillog_file`, journald JSON.
//!
//! OWNER: postfix-parsing helper. Interface fixed; implementation to be filled in.

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
        self.tag.rsplit('/').next().unwrap_or(&self.tag)
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
    let _ = line;
    Err(LineError::NoStamp)
}
