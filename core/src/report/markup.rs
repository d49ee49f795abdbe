//! A small HTML writer where data can only go in escaped.
//!
//! Markup comes from `&'static str` literals ([`Markup::raw`]); everything else, numbers
//! included, goes through [`Markup::text`] / [`Markup::attr`], which escape `& < > " '`. A
//! string built at run time cannot be passed to `raw` by mistake (it is not `'static`).

use std::fmt::Write as _;

/// An HTML document under construction.
#[derive(Debug, Default)]
pub(crate) struct Markup {
    out: String,
}

impl Markup {
    /// Literal markup written by this crate.
    #[inline]
    pub(crate) fn raw(&mut self, s: &'static str) -> &mut Self {
        self.out.push_str(s);
        self
    }

    /// Text content, escaped.
    #[inline]
    pub(crate) fn text(&mut self, s: &str) -> &mut Self {
        escape_into(s, &mut self.out);
        self
    }

    /// An attribute value (the quotes come from the caller's literal), escaped.
    #[inline]
    pub(crate) fn attr(&mut self, s: &str) -> &mut Self {
        self.text(s)
    }

    /// An integer with thousands separators.
    #[inline]
    pub(crate) fn int(&mut self, n: u64) -> &mut Self {
        self.text(&crate::verdict::thousands(n))
    }

    /// A number as SVG coordinates (two decimals at most).
    #[inline]
    pub(crate) fn coord(&mut self, x: f64) -> &mut Self {
        let r = (x * 100.0).round() / 100.0;
        let _ = write!(self.out, "{r}");
        self
    }

    /// The finished document.
    #[inline]
    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// Appends `s` with `& < > " '` escaped (safe in text and in quoted attribute values).
/// Control characters other than tab and newline become U+FFFD, so nothing a log holds can
/// break the document.
#[inline]
pub(crate) fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        let mut m = Markup::default();
        m.raw("<p title=\"")
            .attr("\"><script>alert(1)</script>")
            .raw("\">")
            .text("<img src=x onerror=alert(1)> & 'q' \u{1b}[31m")
            .raw("</p>");
        assert_eq!(
            m.finish(),
            "<p title=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">&lt;img src=x onerror=alert(1)&gt; &amp; &#39;q&#39; \u{fffd}[31m</p>"
        );
    }
}
