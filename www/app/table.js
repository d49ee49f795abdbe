// A semantic, sortable <table>: <th scope="col"> buttons with aria-sort, numbers right-aligned,
// paging at 100 rows. Cells are text (or nodes built with dom.h); nothing is parsed as HTML.

import { h, replace } from './dom.js';

const PAGE = 100;

/**
 * columns: [{ key, label, num?: bool, value: row => sortable value, cell?: row => node|string,
 *             title?: string }]
 * options: { caption, sortKey, sortDesc, id, empty, rowClass: row => string }
 * Returns a <div class="table-wrap"> holding the table.
 */
export function table(columns, rows, options = {}) {
  let sortKey = options.sortKey ?? null;
  let desc = options.sortDesc ?? true;
  let shown = PAGE;
  const wrap = h('div', { class: 'table-wrap' });
  const render = () => {
    const col = columns.find((c) => c.key === sortKey);
    const sorted = col ? [...rows].sort((a, b) => cmp(col.value(a), col.value(b)) * (desc ? -1 : 1)) : rows;
    const head = h('tr', {}, columns.map((c) => {
      const sort = c.key === sortKey ? (desc ? 'descending' : 'ascending') : 'none';
      return h('th', { scope: 'col', 'aria-sort': sort, class: c.num ? 'num' : null, title: c.title },
        h('button', { type: 'button', class: 'sort', onclick: () => {
          if (sortKey === c.key) desc = !desc; else { sortKey = c.key; desc = Boolean(c.num); }
          render();
        } }, c.label));
    }));
    const body = sorted.slice(0, shown).map((r) => h('tr', { class: options.rowClass?.(r) },
      columns.map((c, i) => {
        const content = c.cell ? c.cell(r) : c.value(r);
        return h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, class: c.num ? 'num' : null }, content);
      })));
    const t = h('table', { class: 'data', id: options.id },
      options.caption ? h('caption', { text: options.caption }) : null,
      h('thead', {}, head),
      h('tbody', {}, body.length ? body : h('tr', {}, h('td', { colspan: columns.length, class: 'empty', text: options.empty || 'No rows.' }))));
    const more = sorted.length > shown
      ? h('button', { type: 'button', class: 'small', onclick: () => { shown += PAGE; render(); } },
        `Show ${Math.min(PAGE, sorted.length - shown)} more of ${sorted.length - shown} remaining`)
      : null;
    replace(wrap, t, more);
  };
  render();
  return wrap;
}

function cmp(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a ?? '').localeCompare(String(b ?? ''), undefined, { numeric: true });
}

/** A cell with a percent over its count: "78.0 %" and "1,204" below. */
export function pctCell(percentText, countText) {
  return [h('span', { class: 'pct', text: percentText }), h('span', { class: 'sub', text: countText })];
}
