// Delivery: the provider × outcome table (rates with counts), the per-provider rate chart,
// and the sending-IP breakdown with the DMARC pass of the same IP where reports name it.
// Every number comes from the core's view of the filtered findings (ctx.view).

import { h, replace } from '../dom.js';
import { count, pct, OUTCOMES, outcomeLabel } from '../format.js';
import { providerRate, outcomeTrend } from '../charts.js';
import { table, pctCell } from '../table.js';
import { section, providerTable, empty } from './common.js';

let rateOutcome = 'throttled';

/** Renders the Delivery tab. */
export function render(el, ctx) {
  const { findings, view, setFilter, width } = ctx;
  if (!findings.delivery.provider_totals.length) {
    replace(el, empty('No Postfix log loaded: drop mail.log, mail.log.1.gz or a journald export (journalctl -u postfix -o json).'));
    return;
  }
  const names = findings.delivery.provider_names || {};
  const v = view.delivery;
  const rows = v.providers.map((p) => ({ ...p, name: names[p.provider] || p.provider }));
  const select = h('select', { id: 'rate-outcome', onchange: (e) => { rateOutcome = e.target.value; render(el, ctx); } },
    OUTCOMES.map(([k, label]) => h('option', { value: k, selected: k === rateOutcome }, label)));
  const rates = v.provider_days.map((p) => ({ date: p.date, provider: p.provider, name: names[p.provider] || p.provider,
    percent: p.percent[rateOutcome] ?? 0, count: p.outcomes[rateOutcome] ?? 0, attempts: p.attempts }));
  replace(el,
    section('Provider × outcome (share of delivery attempts, count below)',
      h('p', { class: 'sub', text: view.filtered ? 'Summed by the core over the daily rows the filters keep.' : 'Totals over everything loaded, as the core computed them.' }),
      providerTable(rows, { onProvider: (p) => setFilter({ prov: p }), id: 'provider-table' })),
    section('Daily trend', outcomeTrend(v.days, width)),
    section('Share per provider and day',
      h('label', {}, 'Outcome ', select),
      providerRate(rates, rateOutcome, width)),
    section('Sending IPs', table([
      { key: 'ip', label: 'Sending IP', value: (r) => r.sending_ip,
        cell: (r) => h('button', { type: 'button', class: 'link', onclick: () => setFilter({ ip: r.sending_ip }) }, r.sending_ip || 'unattributed') },
      { key: 'svc', label: 'Services', value: (r) => r.services.join(', ') },
      { key: 'attempts', label: 'Attempts', num: true, value: (r) => r.attempts, cell: (r) => count(r.attempts) },
      ...['accepted', 'throttled', 'deferred_other', 'reject_reputation', 'reject_recipient', 'reject_auth'].map((k) => ({
        key: k, label: outcomeLabel(k), num: true, value: (r) => r.percent[k] ?? 0, cell: (r) => pctCell(pct(r.percent[k]), count(r.outcomes[k] ?? 0)) })),
      { key: 'dmarc', label: 'DMARC pass (reported)', num: true, value: (r) => (r.dmarc ? r.dmarc.percent : -1),
        cell: (r) => (r.dmarc ? pctCell(pct(r.dmarc.percent), `${count(r.dmarc.passing)} of ${count(r.dmarc.messages)} messages`) : '—') },
    ], v.sending_ips, { sortKey: 'attempts', id: 'ip-table', empty: 'No sending IPs for these filters.' })));
}
