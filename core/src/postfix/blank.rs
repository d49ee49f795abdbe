//! Blanking of the log lines the delivery aggregator only counts, so that a second thread can
//! thin a log out before the analysis reads it (the page's reader worker, `www/app/reader.js`).
//!
//! Past the first lines of a log (its header check, see [`super::aggregate::LineDiagnostics`]),
//! a line without `status=` that is not longer than the line limit adds one to the line count
//! and nothing else ([`super::aggregate::DeliveryAggregator::block`]). Such a line can be
//! replaced by an empty line: the findings stay byte-for-byte the same (test
//! `blanking_never_changes_findings` in `tests/tests/chunking.rs`), and the analysis skips the
//! line's bytes. About half the bytes of a typical Postfix log are such lines (`qmgr`,
//! `cleanup`, `smtpd` connection lines).

use memchr::memmem::Finder;

/// The needle of a delivery line (the aggregator's too).
pub(super) const STATUS: &[u8] = b"status=";

/// Empties, in place, every line of `buf` that only counts, and returns the new length: the
/// kept bytes are moved to the front, in order, and `buf[..returned]` is what to analyse.
///
/// A line only counts when it lies completely inside `buf` between two `\n` (so the bytes
/// before the first `\n` and after the last one, which may belong to lines continued from the
/// previous chunk or into the next, are kept as they are), holds no `status=`, and is at most
/// `max_line` bytes long without its `\n` (a longer line is cut and flagged by the analysis,
/// so it is kept). Such a line becomes a bare `\n`: the line count, and the number of every
/// later line, stay the same.
///
/// Call it only on the bytes of a plain Postfix log past its header check, as
/// [`crate::Analyzer::blankable_lines`] tells, and push the result with
/// [`crate::Analyzer::push_blanked`] (which counts the original length in `inputs[].bytes`).
pub fn blank_counted_only_lines(buf: &mut [u8], max_line: usize) -> usize {
    let Some(first) = memchr::memchr(b'\n', buf) else {
        return buf.len();
    };
    let Some(last) = memchr::memrchr(b'\n', buf) else {
        return buf.len();
    };
    let status = Finder::new(STATUS);
    // Complete lines: buf[first + 1..=last]; everything up to `first` stays where it is.
    let end = last + 1;
    let mut pos = first + 1;
    let mut out = pos;
    while pos < end {
        let (gap_end, line_end) = match status.find(&buf[pos..end]) {
            Some(h) => {
                let h = pos + h;
                let start = memchr::memrchr(b'\n', &buf[pos..h]).map_or(pos, |i| pos + i + 1);
                // `h` lies before the last `\n`, so its line ends inside `buf`.
                let stop = memchr::memchr(b'\n', &buf[h..end]).map_or(end, |i| h + i + 1);
                (start, stop)
            }
            None => (end, end),
        };
        out = blank_gap(buf, pos, gap_end, out, max_line);
        buf.copy_within(gap_end..line_end, out);
        out += line_end - gap_end;
        pos = line_end;
    }
    buf.copy_within(end.., out);
    out + (buf.len() - end)
}

/// Writes the lines of `buf[from..to]` (complete lines without `status=`) at `out`: a bare
/// `\n` for each, the line itself when longer than `max_line`. Returns the new `out`.
fn blank_gap(buf: &mut [u8], from: usize, to: usize, mut out: usize, max_line: usize) -> usize {
    if to - from <= max_line + 1 || !super::aggregate::has_overlong_line(&buf[from..to], max_line) {
        let k = bytecount::count(&buf[from..to], b'\n');
        buf[out..out + k].fill(b'\n');
        return out + k;
    }
    let mut start = from;
    while start < to {
        let stop = memchr::memchr(b'\n', &buf[start..to]).map_or(to, |i| start + i + 1);
        if stop - start - 1 > max_line {
            buf.copy_within(start..stop, out);
            out += stop - start;
        } else {
            buf[out] = b'\n';
            out += 1;
        }
        start = stop;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::blank_counted_only_lines;

    fn blank(input: &str, max_line: usize) -> String {
        let mut buf = input.as_bytes().to_vec();
        let n = blank_counted_only_lines(&mut buf, max_line);
        String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    #[test]
    fn keeps_delivery_lines_and_the_ends() {
        assert_eq!(
            blank(
                "tail of a line\nqmgr: from=<a@b>\nsmtp: to=<x>, status=sent (ok)\ncleanup: x\n\nhead of",
                100
            ),
            "tail of a line\n\nsmtp: to=<x>, status=sent (ok)\n\n\nhead of"
        );
    }

    #[test]
    fn keeps_overlong_lines() {
        let long = "x".repeat(30);
        let input = format!("a\nshort\n{long}\nshort\nto=<y> status=deferred\n");
        assert_eq!(
            blank(&input, 20),
            format!("a\n\n{long}\n\nto=<y> status=deferred\n")
        );
        // Exactly the limit is not overlong.
        let at = "y".repeat(20);
        assert_eq!(blank(&format!("a\n{at}\n{at}\n"), 20), "a\n\n\n");
    }

    #[test]
    fn without_a_complete_line_nothing_changes() {
        assert_eq!(blank("no newline at all", 4), "no newline at all");
        assert_eq!(blank("one\n", 4), "one\n");
        assert_eq!(blank("", 4), "");
    }
}
