// Charts (Observable Plot, bundled locally in vendor/plot.js). SVG drawn in currentColor, so
// both themes work without theme code; each chart has an aria-label summary and a "Table"
// twin with the same numbers. The bundle (90 kB gzip) is not part of the landing page: it is
// fetched with the first findings (`loadCharts`, awaited by main.js before they are shown).

import { h } from './dom.js';
import { table } from './table.js';
import { count, pct, outcomeLabel, OUTCOMES } from './format.js';

/** Outcome colours (colour-blind-safe Okabe–Ito), always shown with a text label. */
const COLORS = {
  accepted: '#009E73', throttled: '#E69F00', deferred_other: '#56B4E9', reject_reputation: '#D55E00',
  reject_content: '#CC79A7', reject_recipient: '#0072B2', reject_auth: '#F0E442', reject_other: '#999999',
};

/** Observable Plot once loaded (`loadCharts`), else null. */
let Plot = null;
let loading = null;

/**
 * Loads the chart bundle (vendor/plot.js, same origin) once; resolves when charts can be
 * drawn. Never rejects: without the bundle each chart says so and its table still shows.
 */
export function loadCharts() {
  loading ??= import('../vendor/plot.js').then((m) => { Plot = m; }, () => {});
  return loading;
}

const unavailable = () => h('p', { class: 'muted', text: 'The chart could not be loaded; its numbers are under "Table".' });

/** Class of every chart; style.css carries the rules Plot would inject for it. */
const PLOT_CLASS = 'mr-plot';

/**
 * Plot.plot without its injected <style> elements: the page's CSP has no
 * style-src 'unsafe-inline', so the rules Plot writes into the chart and its legend live in
 * style.css under the class `mr-plot` instead. The chart is still detached here, so the
 * removed elements never reach the document.
 */
function plot(options) {
  const node = Plot.plot({ ...options, className: PLOT_CLASS });
  for (const s of node.querySelectorAll('style')) s.remove();
  return node;
}

function figure(title, svg, tableNode) {
  const tbl = h('div', { hidden: true }, tableNode);
  const btn = h('button', { type: 'button', class: 'small', 'aria-expanded': 'false', onclick: () => {
    tbl.hidden = !tbl.hidden;
    btn.setAttribute('aria-expanded', String(!tbl.hidden));
    btn.textContent = tbl.hidden ? 'Table' : 'Hide table';
  } }, 'Table');
  return h('figure', { class: 'chart' }, h('figcaption', {}, h('span', { text: title }), ' ', btn), svg, tbl);
}

/**
 * Non-accepted delivery attempts per day, stacked by outcome. `rows`: [{date, outcome, attempts}]
 * (the sums of the core's provider-day counts over the selected providers).
 */
export function outcomeTrend(rows, width) {
  const data = rows.filter((r) => r.outcome !== 'accepted' && r.attempts > 0);
  if (!data.length) return h('p', { class: 'muted', text: 'No non-accepted attempts in this range.' });
  const days = [...new Set(data.map((r) => r.date))].sort();
  const order = OUTCOMES.map(([k]) => k).filter((k) => k !== 'accepted');
  const summary = `Non-accepted delivery attempts per day, ${days[0]} to ${days.at(-1)}, stacked by outcome; `
    + order.map((o) => [o, data.filter((r) => r.outcome === o).reduce((s, r) => s + r.attempts, 0)])
      .filter(([, n]) => n).map(([o, n]) => `${outcomeLabel(o)} ${count(n)}`).join(', ');
  const svg = !Plot ? unavailable() : plot({
    width, height: 260, marginLeft: 56, ariaLabel: 'Daily trend of non-accepted attempts', ariaDescription: summary,
    x: { type: 'band', label: 'Day (as logged)', tickFormat: (d) => d.slice(5) },
    y: { grid: true, label: 'Attempts' },
    color: { domain: order, range: order.map((o) => COLORS[o]), legend: true, tickFormat: outcomeLabel },
    marks: [
      Plot.barY(data, { x: 'date', y: 'attempts', fill: 'outcome', order, tip: true,
        title: (r) => `${r.date}\n${outcomeLabel(r.outcome)}: ${count(r.attempts)} attempts` }),
      Plot.ruleY([0]),
    ],
  });
  const tbl = table([
    { key: 'date', label: 'Day', value: (r) => r.date },
    { key: 'outcome', label: 'Outcome', value: (r) => outcomeLabel(r.outcome) },
    { key: 'attempts', label: 'Attempts', num: true, value: (r) => r.attempts, cell: (r) => count(r.attempts) },
  ], data, { sortKey: 'date', sortDesc: false });
  return figure('Non-accepted attempts per day, by outcome (day boundary as logged)', svg, tbl);
}

/**
 * Per-provider share of one outcome per day, as computed by the core (`providers[].counts.percent`).
 * `rows`: [{date, provider, name, percent, count, attempts}].
 */
export function providerRate(rows, outcome, width) {
  if (!rows.length) return h('p', { class: 'muted', text: 'No provider days in this range.' });
  const summary = `${outcomeLabel(outcome)} share per provider and day: `
    + [...new Set(rows.map((r) => r.name))].map((n) => {
      const rs = rows.filter((r) => r.name === n);
      return `${n} max ${pct(Math.max(...rs.map((r) => r.percent)))}`;
    }).join(', ');
  const svg = !Plot ? unavailable() : plot({
    width, height: 240, marginLeft: 56, ariaLabel: `${outcomeLabel(outcome)} share per provider`, ariaDescription: summary,
    x: { type: 'band', label: 'Day (as logged)', tickFormat: (d) => d.slice(5) },
    y: { grid: true, label: `${outcomeLabel(outcome)} (% of attempts)`, domain: [0, 100] },
    color: { legend: true },
    marks: [
      Plot.lineY(rows, { x: 'date', y: 'percent', stroke: 'name', marker: 'circle', tip: true,
        title: (r) => `${r.date} ${r.name}\n${pct(r.percent)} (${count(r.count)} of ${count(r.attempts)} attempts)` }),
      Plot.ruleY([0]),
    ],
  });
  const tbl = table([
    { key: 'date', label: 'Day', value: (r) => r.date },
    { key: 'name', label: 'Provider', value: (r) => r.name },
    { key: 'percent', label: outcomeLabel(outcome), num: true, value: (r) => r.percent,
      cell: (r) => `${pct(r.percent)} (${count(r.count)} of ${count(r.attempts)})` },
  ], rows, { sortKey: 'date', sortDesc: false });
  return figure(`${outcomeLabel(outcome)} share per provider and day`, svg, tbl);
}

/** DMARC messages per day by source class (sums of the core's per-source rows). */
export function dmarcTrend(rows, width) {
  if (!rows.length) return h('p', { class: 'muted', text: 'No DMARC records in this range.' });
  const classes = ['ours', 'forwarder', 'external'];
  const data = rows.flatMap((r) => [
    { date: r.date, series: `${r.source_class} pass`, messages: r.passing },
    { date: r.date, series: `${r.source_class} fail`, messages: r.failing },
  ]).filter((r) => r.messages > 0);
  const series = classes.flatMap((c) => [`${c} pass`, `${c} fail`]);
  const svg = !Plot ? unavailable() : plot({
    width, height: 240, marginLeft: 56, ariaLabel: 'DMARC messages per day by source class and result',
    ariaDescription: `DMARC messages per day from ${rows[0].date} to ${rows.at(-1).date}, by source class, pass and fail`,
    x: { type: 'band', label: 'Day (UTC)', tickFormat: (d) => d.slice(5) },
    y: { grid: true, label: 'Messages' },
    color: { domain: series, range: ['#009E73', '#D55E00', '#56B4E9', '#E69F00', '#0072B2', '#CC79A7'], legend: true },
    marks: [Plot.barY(data, { x: 'date', y: 'messages', fill: 'series', order: series, tip: true,
      title: (r) => `${r.date}\n${r.series}: ${count(r.messages)} messages` }), Plot.ruleY([0])],
  });
  const tbl = table([
    { key: 'date', label: 'Day', value: (r) => r.date },
    { key: 'series', label: 'Class and result', value: (r) => r.series },
    { key: 'messages', label: 'Messages', num: true, value: (r) => r.messages, cell: (r) => count(r.messages) },
  ], data, { sortKey: 'date', sortDesc: false });
  return figure('DMARC messages per day, by source class (report days, UTC)', svg, tbl);
}
