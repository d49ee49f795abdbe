//! Static inline SVG charts for the HTML report: no script, colours from CSS classes (so
//! they follow the light/dark theme), a `<title>` on every mark and an `aria-label` summary.

use super::markup::Markup;
use crate::date::Date;
use crate::postfix::Outcome;
use crate::postfix::aggregate::percent;

/// Chart width and height in SVG user units (the SVG scales to the page width).
const W: f64 = 720.0;
const H: f64 = 220.0;
/// Plot margins: left (axis labels), right, top, bottom (date labels).
const ML: f64 = 44.0;
const MR: f64 = 8.0;
const MT: f64 = 10.0;
const MB: f64 = 26.0;

/// The smallest "nice" axis maximum (percent) at or above `v`.
#[inline]
fn nice_max(v: f64) -> f64 {
    [1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0]
        .into_iter()
        .find(|&m| v <= m)
        .unwrap_or(100.0)
}

/// Stacked bars of the non-accepted outcomes per day, as a share of all attempts that day
/// (accepted is left out: it dwarfs everything; research/ux.md §3.4.3). `days` holds the
/// attempts per outcome in [`Outcome::ALL`] order.
#[inline]
pub(crate) fn daily_non_accepted(m: &mut Markup, days: &[(Date, [u64; 8])]) {
    let shares: Vec<f64> = days
        .iter()
        .map(|(_, c)| {
            let total: u64 = c.iter().sum();
            percent(total - c[Outcome::Accepted.index()], total)
        })
        .collect();
    let top = nice_max(shares.iter().copied().fold(0.0, f64::max));
    let worst = days
        .iter()
        .zip(&shares)
        .max_by(|a, b| a.1.total_cmp(b.1).then_with(|| b.0.0.cmp(&a.0.0)));
    m.raw("<svg class=\"chart\" viewBox=\"0 0 720 220\" role=\"img\" aria-label=\"");
    match worst {
        Some(((date, _), share)) if days.len() > 1 => {
            m.text(&format!(
                "Share of delivery attempts not accepted, per day, {} to {}; highest {share:.1} % on {date}",
                days[0].0,
                days[days.len() - 1].0
            ));
        }
        Some(((date, _), share)) => {
            m.text(&format!(
                "Share of delivery attempts not accepted on {date}: {share:.1} %"
            ));
        }
        None => {
            m.text("No delivery attempts");
        }
    }
    m.raw("\">");
    // Grid and y axis labels.
    for k in 0..=4 {
        let v = top * f64::from(k) / 4.0;
        let y = MT + (H - MT - MB) * (1.0 - f64::from(k) / 4.0);
        m.raw("<line class=\"grid\" x1=\"")
            .coord(ML)
            .raw("\" x2=\"")
            .coord(W - MR)
            .raw("\" y1=\"")
            .coord(y)
            .raw("\" y2=\"")
            .coord(y)
            .raw("\"/><text class=\"axis\" x=\"")
            .coord(ML - 4.0)
            .raw("\" y=\"")
            .coord(y + 4.0)
            .raw("\" text-anchor=\"end\">")
            .text(&format!("{v} %"))
            .raw("</text>");
    }
    let slot = (W - ML - MR) / days.len().max(1) as f64;
    let bar = (slot * 0.8).clamp(1.0, 48.0);
    let label_every = (days.len() / 12).max(1);
    for (i, (date, counts)) in days.iter().enumerate() {
        let total: u64 = counts.iter().sum();
        let left = ML + slot * i as f64 + (slot - bar) / 2.0;
        let mut bottom = H - MB;
        for o in Outcome::ALL.into_iter().skip(1) {
            let c = counts[o.index()];
            if c == 0 {
                continue;
            }
            let share = percent(c, total);
            let h = (H - MT - MB) * (c as f64 / total.max(1) as f64 * 100.0 / top).min(1.0);
            bottom -= h;
            m.raw("<rect class=\"o-")
                .raw(o.as_str())
                .raw("\" x=\"")
                .coord(left)
                .raw("\" y=\"")
                .coord(bottom)
                .raw("\" width=\"")
                .coord(bar)
                .raw("\" height=\"")
                .coord(h.max(0.5))
                .raw("\"><title>")
                .text(&format!(
                    "{date}: {} {} of {} attempts ({share:.1} %)",
                    super::html::outcome_label(o),
                    crate::verdict::thousands(c),
                    crate::verdict::thousands(total)
                ))
                .raw("</title></rect>");
        }
        if i % label_every == 0 {
            let d = date.to_string();
            m.raw("<text class=\"axis\" x=\"")
                .coord(left + bar / 2.0)
                .raw("\" y=\"")
                .coord(H - MB + 16.0)
                .raw("\" text-anchor=\"middle\">")
                .text(d.get(5..).unwrap_or(&d))
                .raw("</text>");
        }
    }
    m.raw("</svg>");
}

/// A small line of `values` (percent, 0 to `max`) for a table cell.
#[inline]
pub(crate) fn sparkline(m: &mut Markup, values: &[f64], label: &str) {
    const SW: f64 = 96.0;
    const SH: f64 = 20.0;
    let top = nice_max(values.iter().copied().fold(0.0, f64::max));
    m.raw("<svg class=\"spark\" viewBox=\"0 0 96 20\" role=\"img\" aria-label=\"")
        .attr(label)
        .raw("\"><polyline points=\"");
    let step = if values.len() > 1 {
        SW / (values.len() - 1) as f64
    } else {
        0.0
    };
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            m.raw(" ");
        }
        m.coord(step * i as f64)
            .raw(",")
            .coord(SH - 1.0 - (SH - 2.0) * (v / top).min(1.0));
    }
    m.raw("\"/></svg>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_axis_maxima() {
        assert!((nice_max(0.0) - 1.0).abs() < f64::EPSILON);
        assert!((nice_max(3.2) - 5.0).abs() < f64::EPSILON);
        assert!((nice_max(78.0) - 100.0).abs() < f64::EPSILON);
    }

    #[test]
    fn a_chart_has_one_mark_per_non_zero_outcome_and_no_script() {
        let d = Date::new(2026, 11, 20).unwrap();
        let mut counts = [0u64; 8];
        counts[Outcome::Accepted.index()] = 80;
        counts[Outcome::Throttled.index()] = 15;
        counts[Outcome::RejectRecipient.index()] = 5;
        let mut m = Markup::default();
        daily_non_accepted(
            &mut m,
            &[(d, counts), (d.add_days(1), [10, 0, 0, 0, 0, 0, 0, 0])],
        );
        let svg = m.finish();
        assert_eq!(svg.matches("<rect").count(), 2, "{svg}");
        assert!(
            svg.contains("throttled 15 of 100 attempts (15.0 %)"),
            "{svg}"
        );
        assert!(svg.contains("highest 20.0 % on 2026-11-20"), "{svg}");
        assert!(!svg.contains("<script"));
    }
}
