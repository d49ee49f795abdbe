// Display sums for filtered views. Unfiltered views show the core's own roll-ups
// (provider_totals, sending_ips, percentages); when a date range or sending IP is set, the
// core's daily rows are summed here per provider and outcome, and shares are the same
// one-decimal percent the core uses. No classification or verdict logic lives here.

import { inRange } from './filters.js';
import { OUTCOMES } from './format.js';

/** `part` of `whole` in percent, one decimal, 0 when whole is 0 (core: postfix::aggregate::percent). */
export function share(part, whole) {
  if (!whole) return 0;
  return Math.floor((part * 2000 + whole) / (2 * whole)) / 10;
}

/** True when the delivery view must be summed from daily rows (a range or IP filter is set). */
export const needsSums = (f) => Boolean(f.from || f.to || f.ip);

/** The daily rows the filters keep. */
export const dailyRows = (findings, f) => findings.delivery.daily.filter((r) =>
  inRange(f, r.date) && (!f.prov || r.provider === f.prov) && (!f.ip || r.sending_ip === f.ip));

function emptyCounts() {
  return { attempts: 0, final: 0, outcomes: Object.fromEntries(OUTCOMES.map(([k]) => [k, 0])), percent: {} };
}

function withShares(c) {
  for (const [k] of OUTCOMES) c.percent[k] = share(c.outcomes[k], c.attempts);
  return c;
}

/** Rows of the provider × outcome table: [{provider, name, attempts, final, outcomes, percent}]. */
export function providerRows(findings, f) {
  const names = findings.delivery.provider_names || {};
  if (!needsSums(f)) {
    return findings.delivery.provider_totals
      .filter((p) => !f.prov || p.provider === f.prov)
      .map((p) => ({ ...p, name: names[p.provider] || p.provider }));
  }
  const by = new Map();
  for (const r of dailyRows(findings, f)) {
    if (!by.has(r.provider)) by.set(r.provider, { provider: r.provider, name: names[r.provider] || r.provider, ...emptyCounts() });
    const c = by.get(r.provider);
    c.attempts += r.attempts;
    c.final += r.final;
    c.outcomes[r.outcome] += r.attempts;
  }
  return [...by.values()].map(withShares);
}

/** Totals over provider rows (the KPI tiles). */
export function totalOf(rows) {
  const t = emptyCounts();
  for (const r of rows) {
    t.attempts += r.attempts;
    t.final += r.final;
    for (const [k] of OUTCOMES) t.outcomes[k] += r.outcomes[k] || 0;
  }
  return withShares(t);
}

/** Attempts per (date, outcome) over the filtered daily rows, for the trend chart. */
export function trendRows(findings, f) {
  const by = new Map();
  for (const r of dailyRows(findings, f)) {
    const k = `${r.date}|${r.outcome}`;
    if (!by.has(k)) by.set(k, { date: r.date, outcome: r.outcome, attempts: 0 });
    by.get(k).attempts += r.attempts;
  }
  return [...by.values()].sort((a, b) => a.date.localeCompare(b.date));
}

/** The core's per-(date, provider) rates for one outcome, filtered (no IP filter: the core has no per-IP days). */
export function providerDayRates(findings, f, outcome) {
  const names = findings.delivery.provider_names || {};
  return findings.delivery.providers
    .filter((p) => inRange(f, p.date) && (!f.prov || p.provider === f.prov))
    .map((p) => ({ date: p.date, provider: p.provider, name: names[p.provider] || p.provider,
      percent: p.percent[outcome] ?? 0, count: p.outcomes[outcome] ?? 0, attempts: p.attempts }));
}

/** DMARC per-source rows the filters keep (date range, domain = header_from, IP = source IP). */
export const sourceRows = (findings, f) => findings.dmarc.by_source.filter((r) =>
  inRange(f, r.date) && (!f.dom || r.header_from === f.dom) && (!f.ip || r.source_ip === f.ip));

/** DMARC per-source rows summed per source IP over the days kept. */
export function bySourceIp(rows) {
  const by = new Map();
  for (const r of rows) {
    if (!by.has(r.source_ip)) {
      by.set(r.source_ip, { source_ip: r.source_ip, source_class: r.source_class, class_basis: r.class_basis, ptr: r.ptr,
        messages: 0, passing: 0, failing: 0, dkim_aligned_pass: 0, spf_aligned_pass: 0,
        dispositions: { none: 0, quarantine: 0, reject: 0 }, header_from: new Set(), reporters: new Set(), days: new Set(),
        first: r.date, last: r.date, rows: [] });
    }
    const s = by.get(r.source_ip);
    for (const k of ['messages', 'passing', 'failing', 'dkim_aligned_pass', 'spf_aligned_pass']) s[k] += r[k];
    for (const k of ['none', 'quarantine', 'reject']) s.dispositions[k] += r.dispositions[k];
    s.header_from.add(r.header_from);
    for (const rep of r.reporters) s.reporters.add(rep);
    s.days.add(r.date);
    if (r.date < s.first) s.first = r.date;
    if (r.date > s.last) s.last = r.date;
    s.rows.push(r);
  }
  return [...by.values()];
}

/** DMARC messages per (date, class), for the chart. */
export function dmarcDays(rows) {
  const by = new Map();
  for (const r of rows) {
    const k = `${r.date}|${r.source_class}`;
    if (!by.has(k)) by.set(k, { date: r.date, source_class: r.source_class, passing: 0, failing: 0 });
    const d = by.get(k);
    d.passing += r.passing;
    d.failing += r.failing;
  }
  return [...by.values()].sort((a, b) => a.date.localeCompare(b.date));
}
