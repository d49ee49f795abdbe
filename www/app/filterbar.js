// The filter bar: date range, provider, sending IP, domain. Options come from the findings;
// active filters show as removable chips. Nothing is filtered silently.

import { byId, h, replace } from './dom.js';
import { active } from './filters.js';

function options(select, values, selected, label = (v) => v) {
  replace(select, h('option', { value: '' }, 'All'),
    values.map((v) => h('option', { value: v, selected: v === selected }, label(v))));
  select.value = selected;
}

let wired = false;

/** Fills the bar from `findings` and the filter state `f`; `set(patch)` changes filters. */
export function renderFilterBar(findings, f, set) {
  const d = findings.delivery;
  const names = d.provider_names || {};
  const dates = [...d.daily.map((r) => r.date), ...findings.dmarc.by_source.map((r) => r.date)].sort();
  const from = byId('f-from');
  const to = byId('f-to');
  from.min = to.min = dates[0] || '';
  from.max = to.max = dates.at(-1) || '';
  from.value = f.from;
  to.value = f.to;
  options(byId('f-prov'), d.provider_totals.map((p) => p.provider), f.prov, (p) => names[p] || p);
  const ips = new Set([...d.sending_ips.map((s) => s.sending_ip), ...findings.dmarc.by_source.map((r) => r.source_ip)]);
  options(byId('f-ip'), [...ips].sort(), f.ip);
  options(byId('f-dom'), findings.dmarc.by_domain.map((x) => x.domain), f.dom);
  if (!wired) {
    wired = true;
    from.addEventListener('change', () => set({ from: from.value }));
    to.addEventListener('change', () => set({ to: to.value }));
    byId('f-prov').addEventListener('change', (e) => set({ prov: e.target.value }));
    byId('f-ip').addEventListener('change', (e) => set({ ip: e.target.value }));
    byId('f-dom').addEventListener('change', (e) => set({ dom: e.target.value }));
    byId('f-reset').addEventListener('click', () => set({ from: '', to: '', prov: '', ip: '', dom: '' }));
  }
  const chip = (patch, text) => h('button', { type: 'button', class: 'chip', 'aria-label': `Remove filter ${text}`, onclick: () => set(patch) }, `${text} ×`);
  replace(byId('f-chips'), active(f) ? [
    f.from || f.to ? chip({ from: '', to: '' }, `${f.from || '…'} – ${f.to || '…'}`) : null,
    f.prov ? chip({ prov: '' }, names[f.prov] || f.prov) : null,
    f.ip ? chip({ ip: '' }, f.ip) : null,
    f.dom ? chip({ dom: '' }, f.dom) : null,
  ] : 'No filters: everything loaded.');
}
