// Overview: coverage strip, verdict cards (the core's verdicts, most severe first), KPI tiles,
// the top of the provider × outcome table and the daily trend.

import { h, replace } from '../dom.js';
import { count, pct } from '../format.js';
import { inRange } from '../filters.js';
import { outcomeTrend } from '../charts.js';
import { section, severity, tiles, providerTable, empty } from './common.js';

const MAX_CARDS = 6;

function coverage(findings) {
  const s = findings.delivery.stats;
  const d = findings.dmarc;
  const parts = [];
  if (s.attempts) parts.push(`Logs: ${s.first_date} → ${s.last_date}, ${count(s.attempts)} delivery attempts from ${count(s.lines)} lines`);
  else parts.push('No Postfix log deliveries loaded');
  if (d.totals.reports && d.reports.length) {
    const begin = d.reports.map((r) => r.date_begin).sort()[0].slice(0, 10);
    const end = d.reports.map((r) => r.date_end).sort().at(-1).slice(0, 10);
    parts.push(`${count(d.totals.reports)} DMARC reports from ${count(d.by_reporter.length)} reporters, ${begin} → ${end}`);
  } else if (d.totals.reports) {
    parts.push(`${count(d.totals.reports)} DMARC reports`);
  } else parts.push('no DMARC reports loaded');
  return h('p', { class: 'coverage', id: 'coverage', text: parts.join(' · ') });
}

function card(v, names, setFilter) {
  const subject = v.subject;
  const where = [subject.provider && (names[subject.provider] || subject.provider), subject.sending_ip, subject.source_ip, subject.domain, subject.date].filter(Boolean);
  return h('article', { class: `card card-${v.severity}`, dataset: { verdict: v.id } },
    h('header', {}, severity(v.severity), h('span', { class: 'card-id', text: v.id })),
    h('p', { class: 'card-msg', text: v.message }),
    h('p', { class: 'sub', text: `${count(v.numbers.count)} of ${count(v.numbers.total)} · ${pct(v.numbers.percent)} · threshold ${v.numbers.threshold}` }),
    v.evidence.length ? h('details', {}, h('summary', {}, 'Evidence'), h('ul', {}, v.evidence.map((e) => h('li', { class: 'reply', text: e })))) : null,
    h('p', {}, where.length ? h('button', { type: 'button', class: 'small', onclick: () => setFilter({
      tab: v.id.startsWith('dmarc') ? 'dmarc' : 'replies', prov: subject.provider || '', ip: subject.sending_ip || subject.source_ip || '',
      from: subject.date || '', to: subject.date || '' }) }, 'Show the evidence') : null));
}

/** Renders the Overview into `el`. */
export function render(el, { findings, view, f, setFilter, width }) {
  const names = findings.delivery.provider_names || {};
  // Verdicts whose subject the filters exclude are hidden (a verdict without that field stays).
  const verdicts = findings.verdicts.filter(({ subject: s }) => (!f.prov || !s.provider || s.provider === f.prov)
    && (!f.ip || !(s.sending_ip || s.source_ip) || s.sending_ip === f.ip || s.source_ip === f.ip)
    && (!s.date || inRange(f, s.date)));
  const shown = verdicts.slice(0, MAX_CARDS);
  const rest = verdicts.slice(MAX_CARDS);
  const cards = verdicts.length
    ? h('div', { class: 'cards', id: 'verdict-cards' }, shown.map((v) => card(v, names, setFilter)),
      rest.length ? h('details', { class: 'more-cards' }, h('summary', {}, `+${rest.length} more`), h('div', { class: 'cards' }, rest.map((v) => card(v, names, setFilter)))) : null)
    : h('p', { class: 'all-clear', id: 'verdict-cards', text: '✓ All clear: no rule fired on the data loaded.' });
  const rows = view.delivery.providers.map((p) => ({ ...p, name: names[p.provider] || p.provider }));
  const total = view.delivery.total;
  const d = view.dmarc.totals;
  const kpi = tiles([
    ['Attempts', count(total.attempts), `${count(total.final)} final`],
    ['Accepted', pct(total.percent.accepted), `${count(total.outcomes.accepted)} attempts`],
    ['Throttled', pct(total.percent.throttled), `${count(total.outcomes.throttled)} attempts`],
    ['Reputation rej.', pct(total.percent.reject_reputation), `${count(total.outcomes.reject_reputation)} attempts`],
    ['DMARC messages', count(d.messages), `${count(d.passing)} pass · ${count(d.failing)} fail`],
  ]);
  replace(el,
    coverage(findings),
    section(verdicts.length === findings.verdicts.length ? `Verdicts (${verdicts.length})` : `Verdicts (${verdicts.length} of ${findings.verdicts.length}; filters applied)`, cards),
    section(view.filtered ? 'Key figures (filters applied)' : 'Key figures', kpi),
    section('Providers', findings.delivery.provider_totals.length
      ? providerTable(rows.slice(0, 8), { onProvider: (p) => setFilter({ prov: p, tab: 'delivery' }), id: 'overview-providers' })
      : empty('No Postfix log loaded: drop mail.log files to see delivery by provider.')),
    section('Daily trend', outcomeTrend(view.delivery.days, width)));
}
