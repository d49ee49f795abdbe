// Delivery: the provider × outcome table (rates with counts), the per-provider rate chart,
// and the sending-IP breakdown with the DMARC pass of the same IP where reports name it.

import { h, replace } from '../dom.js';
import { count, pct, OUTCOMES, outcomeLabel } from '../format.js';
import { providerRows, providerDayRates, needsSums, dailyRows, share } from '../rollup.js';
import { providerRate, outcomeTrend } from '../charts.js';
import { trendRows } from '../rollup.js';
import { table, pctCell } from '../table.js';
import { section, providerTable, empty } from './common.js';

let rateOutcome = 'throttled';

function ipRows(findings, f) {
  const sources = new Map();
  for (const r of findings.dmarc.by_source) {
    const s = sources.get(r.source_ip) || { messages: 0, passing: 0 };
    s.messages += r.messages;
    s.passing += r.passing;
    sources.set(r.source_ip, s);
  }
  let rows;
  if (!needsSums(f) && !f.prov) {
    rows = findings.delivery.sending_ips.map((s) => ({ ...s }));
  } else {
    const by = new Map();
    for (const r of dailyRows(findings, f)) {
      if (!by.has(r.sending_ip)) by.set(r.sending_ip, { sending_ip: r.sending_ip, services: [], attempts: 0, final: 0, outcomes: {}, percent: {} });
      const s = by.get(r.sending_ip);
      s.attempts += r.attempts;
      s.final += r.final;
      s.outcomes[r.outcome] = (s.outcomes[r.outcome] || 0) + r.attempts;
    }
    rows = [...by.values()];
    for (const s of rows) for (const [k] of OUTCOMES) { s.outcomes[k] ||= 0; s.percent[k] = share(s.outcomes[k], s.attempts); }
    const services = new Map(findings.delivery.sending_ips.map((s) => [s.sending_ip, s.services]));
    for (const s of rows) s.services = services.get(s.sending_ip) || [];
  }
  for (const s of rows) s.dmarc = sources.get(s.sending_ip);
  return rows;
}

/** Renders the Delivery tab. */
export function render(el, { findings, f, setFilter, width }) {
  if (!findings.delivery.provider_totals.length) {
    replace(el, empty('No Postfix log loaded: drop mail.log, mail.log.1.gz or a journald export (journalctl -u postfix -o json).'));
    return;
  }
  const rows = providerRows(findings, f);
  const select = h('select', { id: 'rate-outcome', onchange: (e) => { rateOutcome = e.target.value; render(el, { findings, f, setFilter, width }); } },
    OUTCOMES.map(([k, label]) => h('option', { value: k, selected: k === rateOutcome }, label)));
  const ips = ipRows(findings, f);
  replace(el,
    section('Provider × outcome (share of delivery attempts, count below)',
      h('p', { class: 'sub', text: needsSums(f) ? 'Summed over the daily rows the filters keep.' : 'Totals over everything loaded, as the core computed them.' }),
      providerTable(rows, { onProvider: (p) => setFilter({ prov: p }), id: 'provider-table' })),
    section('Daily trend', outcomeTrend(trendRows(findings, f), width)),
    section('Share per provider and day',
      h('label', {}, 'Outcome ', select),
      f.ip ? h('p', { class: 'sub', text: 'Per-provider daily rates are over all sending IPs (the IP filter does not apply to this chart).' }) : null,
      providerRate(providerDayRates(findings, f, rateOutcome), rateOutcome, width)),
    section('Sending IPs', table([
      { key: 'ip', label: 'Sending IP', value: (r) => r.sending_ip,
        cell: (r) => h('button', { type: 'button', class: 'link', onclick: () => setFilter({ ip: r.sending_ip }) }, r.sending_ip) },
      { key: 'svc', label: 'Services', value: (r) => r.services.join(', ') },
      { key: 'attempts', label: 'Attempts', num: true, value: (r) => r.attempts, cell: (r) => count(r.attempts) },
      ...['accepted', 'throttled', 'deferred_other', 'reject_reputation', 'reject_recipient', 'reject_auth'].map((k) => ({
        key: k, label: outcomeLabel(k), num: true, value: (r) => r.percent[k] ?? 0, cell: (r) => pctCell(pct(r.percent[k]), count(r.outcomes[k] ?? 0)) })),
      { key: 'dmarc', label: 'DMARC pass (reported)', num: true, value: (r) => (r.dmarc ? r.dmarc.passing / r.dmarc.messages : -1),
        cell: (r) => (r.dmarc ? pctCell(pct(share(r.dmarc.passing, r.dmarc.messages)), `${count(r.dmarc.passing)} of ${count(r.dmarc.messages)} messages`) : '—') },
    ], ips, { sortKey: 'attempts', id: 'ip-table', empty: 'No sending IPs for these filters.' })));
}
