// Pieces several views share: section headings, KPI tiles, the provider × outcome table,
// severity badges, empty states.

import { h } from '../dom.js';
import { table, pctCell } from '../table.js';
import { count, pct, OUTCOMES } from '../format.js';

/** A section with a heading. */
export const section = (title, ...children) => h('section', { class: 'block' }, h('h2', { text: title }), ...children);

/** An empty state: what is missing and what to do. */
export const empty = (text) => h('p', { class: 'empty-state', text });

/** Severity shown three ways: word, icon and colour. */
export function severity(s) {
  const icon = { critical: '●', warning: '▲', info: 'ℹ' }[s] || '';
  const word = { critical: 'CRIT', warning: 'WARN', info: 'INFO' }[s] || s;
  return h('span', { class: `sev sev-${s}` }, h('span', { 'aria-hidden': 'true', text: icon }), ` ${word}`);
}

/** KPI tiles: [[label, value, sub]]. */
export const tiles = (items) => h('div', { class: 'tiles' }, items.map(([label, value, sub]) =>
  h('div', { class: 'tile' }, h('span', { class: 'tile-label', text: label }), h('span', { class: 'tile-value', text: value }), sub ? h('span', { class: 'sub', text: sub }) : null)));

/**
 * The provider × outcome table. rows: [{provider, name, attempts, final, outcomes, percent}].
 * onProvider(provider) sets the provider filter.
 */
export function providerTable(rows, { onProvider, id, caption } = {}) {
  return table([
    { key: 'name', label: 'Provider', value: (r) => r.name,
      cell: (r) => (onProvider ? h('button', { type: 'button', class: 'link', title: `Filter to ${r.name}`, onclick: () => onProvider(r.provider) }, r.name) : r.name) },
    { key: 'attempts', label: 'Attempts', num: true, value: (r) => r.attempts, cell: (r) => count(r.attempts) },
    { key: 'final', label: 'Final', num: true, value: (r) => r.final, cell: (r) => count(r.final), title: 'Recipients with a final outcome (sent or bounced)' },
    ...OUTCOMES.map(([k, label]) => ({ key: k, label, num: true, value: (r) => r.percent[k] ?? 0,
      cell: (r) => pctCell(pct(r.percent[k]), count(r.outcomes[k] ?? 0)) })),
  ], rows, { sortKey: 'attempts', sortDesc: true, id, caption, empty: 'No delivery attempts for these filters.' });
}
