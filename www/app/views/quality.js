// Data quality: every input with its type and counters, and every diagnostic (which input,
// where, why) the core produced.

import { h, replace } from '../dom.js';
import { count, bytes } from '../format.js';
import { table } from '../table.js';
import { section } from './common.js';

const where = (p) => [p.member && `member ${p.member}`, p.line && `line ${p.line}`, p.offset !== undefined && p.offset !== null && `offset ${p.offset}`].filter(Boolean).join(', ');

/** Renders the Data quality tab. */
export function render(el, { findings }) {
  const s = findings.delivery.stats;
  replace(el,
    section('Inputs', table([
      { key: 'name', label: 'Input', value: (i) => i.name },
      { key: 'kind', label: 'Recognised as', value: (i) => (i.cancelled ? `${i.kind} (cancelled: not counted)` : i.kind) },
      { key: 'bytes', label: 'Bytes', num: true, value: (i) => i.bytes, cell: (i) => bytes(i.bytes) },
      { key: 'ref', label: 'Reference date', value: (i) => i.reference_date },
      { key: 'lines', label: 'Lines', num: true, value: (i) => i.log?.lines ?? -1, cell: (i) => (i.log ? count(i.log.lines) : '—') },
      { key: 'attempts', label: 'Attempts', num: true, value: (i) => i.log?.attempts ?? -1, cell: (i) => (i.log ? count(i.log.attempts) : '—') },
      { key: 'unparsed', label: 'Unparsed lines', num: true, value: (i) => i.log?.unparsed ?? -1, cell: (i) => (i.log ? count(i.log.unparsed) : '—') },
      { key: 'span', label: 'Span', value: (i) => i.log?.first_date || '', cell: (i) => (i.log?.first_date ? `${i.log.first_date} → ${i.log.last_date}` : '—') },
      { key: 'reports', label: 'Reports', value: (i) => i.reports?.aggregate ?? -1,
        cell: (i) => (i.reports ? `${count(i.reports.aggregate)} aggregate, ${count(i.reports.failure)} failure, ${count(i.reports.smtp_tls)} TLS, ${count(i.reports.errors)} unreadable` : '—') },
    ], findings.inputs, { id: 'input-table' })),
    section('Log totals', h('p', { id: 'log-totals', text: `${count(s.lines)} lines, ${count(s.status_lines)} status lines, ${count(s.attempts)} delivery attempts counted, ${count(s.skipped)} skipped (internal relays, skipped domains, not egress), ${count(s.expired)} expired, ${count(s.unparsed)} unparsed, ${count(s.truncated)} truncated.` })),
    section(`Diagnostics (${findings.diagnostics.length})`, table([
      { key: 'level', label: 'Level', value: (x) => x.level },
      { key: 'code', label: 'Code', value: (x) => x.code, cell: (x) => h('code', { text: x.code }) },
      { key: 'input', label: 'Input', value: (x) => x.input },
      { key: 'where', label: 'Where', value: (x) => where(x.position) },
      { key: 'message', label: 'Message', value: (x) => x.message, cell: (x) => h('span', { class: 'reply', text: x.message }) },
      { key: 'count', label: 'Count', num: true, value: (x) => x.count, cell: (x) => count(x.count) },
    ], findings.diagnostics, { id: 'diagnostic-table', empty: 'No problems found in the inputs.' })),
    findings.dmarc.duplicates.length ? section('Duplicate reports (ignored)', table([
      { key: 'org', label: 'Reporter', value: (x) => x.org_name },
      { key: 'id', label: 'Report ID', value: (x) => x.report_id },
      { key: 'input', label: 'Input', value: (x) => x.input },
      { key: 'of', label: 'Duplicate of', value: (x) => x.duplicate_of },
    ], findings.dmarc.duplicates, { id: 'duplicate-table' })) : null);
}
