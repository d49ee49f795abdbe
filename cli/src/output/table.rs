//! Plain-text tables with aligned columns.

/// A table: a header and rows of cells; the first column is left-aligned, the others right.
pub(crate) struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    left: usize,
}

impl Table {
    /// A table with `header`; the first `left` columns are left-aligned.
    pub(crate) fn new(header: &[&str], left: usize) -> Self {
        Self {
            header: header.iter().map(|s| (*s).to_owned()).collect(),
            rows: Vec::new(),
            left,
        }
    }

    /// Adds a row.
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Renders with two-space indentation.
    pub(crate) fn render(&self) -> String {
        let n = self.header.len();
        let mut widths = vec![0; n];
        for row in std::iter::once(&self.header).chain(&self.rows) {
            for (i, c) in row.iter().enumerate().take(n) {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            out.push_str("  ");
            for (i, c) in row.iter().enumerate().take(n) {
                let pad = widths[i] - c.chars().count();
                if i > 0 {
                    out.push_str("  ");
                }
                if i < self.left {
                    out.push_str(c);
                    if i + 1 < n {
                        out.push_str(&" ".repeat(pad));
                    }
                } else {
                    out.push_str(&" ".repeat(pad));
                    out.push_str(c);
                }
            }
            out.push('\n');
        }
        out
    }
}
