//! Splitting a byte stream into lines, chunk-invariantly, with a bound on line length.

/// Accumulates pushed bytes and hands out complete lines (without `\n`; a trailing `\r` is
/// removed). Lines longer than `max_line` bytes are cut to that length and flagged.
///
/// The lines handed out, and their flags, depend only on the concatenated bytes, never on how
/// they were chunked.
#[derive(Debug)]
pub(crate) struct LineSplitter {
    carry: Vec<u8>,
    /// The current line exceeded the limit: drop bytes until the next `\n`.
    overlong: bool,
    max_line: usize,
}

/// One line and whether it was cut at the length limit.
pub(crate) struct Line<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) truncated: bool,
}

/// What [`LineSplitter::push_blocks`] hands out.
pub(crate) enum Piece<'a> {
    /// One line (assembled across chunks, or cut at the limit).
    Line(Line<'a>),
    /// Several complete lines as they lie in the pushed chunk, each ending with `\n`; lines
    /// in it may exceed the limit (the consumer applies [`split_line`] to those).
    Block(&'a [u8]),
}

/// The line the splitter hands out for `raw` (one line without its `\n`): cut to `max_line`
/// bytes and flagged when longer, else without a trailing `\r`.
pub(crate) fn split_line(raw: &[u8], max_line: usize) -> Line<'_> {
    if raw.len() <= max_line {
        Line {
            bytes: strip_cr(raw),
            truncated: false,
        }
    } else {
        Line {
            bytes: &raw[..max_line],
            truncated: true,
        }
    }
}

/// Calls `f` for every line of `block` (complete lines, each ending with `\n`), exactly as
/// [`LineSplitter::push`] would hand them out.
pub(crate) fn for_each_line(block: &[u8], max_line: usize, f: &mut impl FnMut(Line<'_>)) {
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', block) {
        f(split_line(&block[start..end], max_line));
        start = end + 1;
    }
}

impl LineSplitter {
    pub(crate) fn new(max_line: usize) -> Self {
        Self {
            carry: Vec::new(),
            overlong: false,
            max_line: max_line.max(1),
        }
    }

    /// The length limit, in bytes.
    pub(crate) fn max_line(&self) -> usize {
        self.max_line
    }

    /// Feeds `chunk`, calling `f` for every line it completes.
    #[cfg(test)]
    pub(crate) fn push(&mut self, chunk: &[u8], f: &mut impl FnMut(Line<'_>)) {
        let max_line = self.max_line;
        self.push_blocks(chunk, &mut |piece| match piece {
            Piece::Line(line) => f(line),
            Piece::Block(block) => for_each_line(block, max_line, f),
        });
    }

    /// Feeds `chunk`, handing out the complete lines that lie whole in it as one
    /// [`Piece::Block`] (no copy, no per-line work), and lines assembled across chunks one by
    /// one. Same lines, in the same order, as [`Self::push`].
    pub(crate) fn push_blocks(&mut self, mut chunk: &[u8], f: &mut impl FnMut(Piece<'_>)) {
        while !chunk.is_empty() {
            if self.carry.is_empty()
                && !self.overlong
                && let Some(last) = memchr::memrchr(b'\n', chunk)
            {
                f(Piece::Block(&chunk[..=last]));
                chunk = &chunk[last + 1..];
                continue;
            }
            let newline = memchr::memchr(b'\n', chunk);
            let (part, rest, ends) = match newline {
                Some(i) => (&chunk[..i], &chunk[i + 1..], true),
                None => (chunk, &[][..], false),
            };
            chunk = rest;
            if self.carry.is_empty() && !self.overlong && ends {
                f(Piece::Line(split_line(part, self.max_line)));
                continue;
            }
            if !self.overlong {
                let room = self.max_line - self.carry.len();
                if part.len() <= room {
                    self.carry.extend_from_slice(part);
                } else {
                    self.carry.extend_from_slice(&part[..room]);
                    self.overlong = true;
                }
            }
            if ends {
                self.emit_carry(&mut |line| f(Piece::Line(line)));
            }
        }
    }

    /// Whether the bytes so far end with a complete line (nothing carried over).
    pub(crate) fn at_line_start(&self) -> bool {
        self.carry.is_empty() && !self.overlong
    }

    /// Ends the stream: a last line without `\n` is handed out.
    pub(crate) fn finish(&mut self, f: &mut impl FnMut(Line<'_>)) {
        if !self.carry.is_empty() || self.overlong {
            self.emit_carry(f);
        }
    }

    fn emit_carry(&mut self, f: &mut impl FnMut(Line<'_>)) {
        let truncated = self.overlong;
        let bytes = if truncated {
            &self.carry[..]
        } else {
            strip_cr(&self.carry)
        };
        f(Line { bytes, truncated });
        self.carry.clear();
        self.overlong = false;
    }
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(data: &[u8], chunk: usize, max: usize) -> Vec<(Vec<u8>, bool)> {
        let mut s = LineSplitter::new(max);
        let mut out = Vec::new();
        let mut f = |l: Line<'_>| out.push((l.bytes.to_vec(), l.truncated));
        for c in data.chunks(chunk.max(1)) {
            s.push(c, &mut f);
        }
        s.finish(&mut f);
        out
    }

    #[test]
    fn chunking_does_not_change_lines() {
        let data = b"alpha\r\nbeta\n\na-very-long-line-indeed\nlast";
        let whole = split(data, data.len(), 10);
        assert_eq!(whole[0], (b"alpha".to_vec(), false));
        assert_eq!(whole[2], (b"".to_vec(), false));
        assert_eq!(whole[3], (b"a-very-lon".to_vec(), true));
        assert_eq!(whole[4], (b"last".to_vec(), false));
        for n in 1..data.len() {
            assert_eq!(split(data, n, 10), whole, "chunk size {n}");
        }
    }
}
