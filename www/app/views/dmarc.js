// DMARC: by source IP (ours / forwarder / external, failing volume first), by reporter, by
// header_from domain, and the reports themselves. Classes and every sum and share come from
// the core (ctx.view: the core's roll-ups of the filtered findings).

import { h, replace } from '../dom.js';
import { count, pct } from '../format.js';
import { dmarcTrend } from '../charts.js';
import { table, pctCell } from '../table.js';
import { section, empty } from './common.js';
import * as settings from '../settings.js';

const CLASS = { ours: 'ours', forwarder: 'forwarder', external: 'external' };
let onlyFailing = false;

const policyText = (p) => [`p=${p.p ?? '–'}`, p.sp ? `sp=${p.sp}` : null, p.pct != null ? `pct=${p.pct}` : null,
  p.adkim ? `adkim=${p.adkim}` : null, p.aspf ? `aspf=${p.aspf}` : null].filter(Boolean).join(' ');

function sourceDetail(s) {
  return h('details', {}, h('summary', {}, `${s.days.length} day${s.days.length > 1 ? 's' : ''}`),
    h('ul', {}, s.days.map((r) => h('li', { text: `${r.date} ${r.header_from}: ${count(r.messages)} messages, ${count(r.passing)} pass, DKIM aligned ${count(r.dkim_aligned_pass)}, SPF aligned ${count(r.spf_aligned_pass)}; reporters ${r.reporters.join(', ')}${Object.keys(r.override_reasons || {}).length ? `; overrides ${Object.entries(r.override_reasons).map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}` }))));
}

/** Mark as ours (adds the IP as /32 or /128 to our networks) / Mark as forwarder; the settings change and the page re-analyses. */
function sourceActions(s, act) {
  if (!act) return null;
  const button = (mark, text) => h('button', { type: 'button', class: 'small', dataset: { mark, ip: s.source_ip },
    'aria-label': `${text}: ${s.source_ip}`, onclick: () => act(() => settings.markSource(s.source_ip, mark)) }, text);
  return h('span', { class: 'row-actions' },
    s.source_class !== 'ours' ? button('ours', 'Mark as ours') : null,
    s.source_class === 'external' ? button('forwarder', 'Mark as forwarder') : null);
}

/** Renders the DMARC tab. */
export function render(el, ctx) {
  const { findings, view, setFilter, width, labels = {}, act } = ctx;
  const d = findings.dmarc;
  if (!d.totals.reports) {
    replace(el, empty('No DMARC reports loaded. Drop rua attachments (.xml, .gz, .zip, .eml) or a mailbox export.'));
    return;
  }
  const v = view.dmarc;
  const sources = onlyFailing ? v.sources.filter((s) => s.failing > 0) : v.sources;
  const toggle = h('label', {}, h('input', { type: 'checkbox', id: 'only-failing', checked: onlyFailing,
    onchange: (e) => { onlyFailing = e.target.checked; render(el, ctx); } }), ' Only sources with failing messages');
  replace(el,
    section('By source IP (failing volume first)',
      h('p', { class: 'sub', text: 'Class: ours = in the networks of the settings; forwarder = a reporter said forwarded / mailing list, or a known forwarder network or PTR; external = anyone else. Names come only from the settings (no DNS lookups).' }),
      toggle,
      table([
        { key: 'ip', label: 'Source IP', value: (s) => s.source_ip,
          cell: (s) => h('button', { type: 'button', class: 'link', onclick: () => setFilter({ ip: s.source_ip }) }, s.source_ip) },
        { key: 'class', label: 'Class', value: (s) => s.source_class, cell: (s) => h('span', { class: `cls cls-${s.source_class}`, title: `basis: ${s.class_basis}`, text: CLASS[s.source_class] || s.source_class }) },
        { key: 'ptr', label: 'Name', value: (s) => labels[s.source_ip] || s.ptr || '—' },
        { key: 'messages', label: 'Messages', num: true, value: (s) => s.messages, cell: (s) => count(s.messages) },
        { key: 'failing', label: 'Failing', num: true, value: (s) => s.failing, cell: (s) => count(s.failing) },
        { key: 'pass', label: 'DMARC pass', num: true, value: (s) => s.percent, cell: (s) => pctCell(pct(s.percent), count(s.passing)) },
        { key: 'dkim', label: 'DKIM aligned', num: true, value: (s) => s.dkim_percent, cell: (s) => pct(s.dkim_percent) },
        { key: 'spf', label: 'SPF aligned', num: true, value: (s) => s.spf_percent, cell: (s) => pct(s.spf_percent) },
        { key: 'disp', label: 'None / quar. / reject', value: (s) => s.dispositions.reject, cell: (s) => `${count(s.dispositions.none)} / ${count(s.dispositions.quarantine)} / ${count(s.dispositions.reject)}` },
        { key: 'from', label: 'header_from', value: (s) => s.header_from.join(', ') },
        { key: 'rep', label: 'Reporters', value: (s) => s.reporters.join(', ') },
        { key: 'days', label: 'Days', value: (s) => s.first, cell: (s) => sourceDetail(s) },
        { key: 'actions', label: 'Actions', value: (s) => s.source_class, cell: (s) => sourceActions(s, act) },
      ], sources, { sortKey: 'failing', id: 'source-table', empty: 'No DMARC records for these filters.' })),
    section('Daily', dmarcTrend(v.days, width)),
    section('By reporter', table([
      { key: 'org', label: 'Reporter (org_name)', value: (r) => r.org_name },
      { key: 'reports', label: 'Reports', num: true, value: (r) => r.reports, cell: (r) => count(r.reports) },
      { key: 'messages', label: 'Messages', num: true, value: (r) => r.messages, cell: (r) => count(r.messages) },
      { key: 'pass', label: 'DMARC pass', num: true, value: (r) => r.percent, cell: (r) => pctCell(pct(r.percent), count(r.passing)) },
      { key: 'range', label: 'Range (UTC)', value: (r) => r.date_begin, cell: (r) => `${r.date_begin.slice(0, 10)} → ${r.date_end.slice(0, 10)}` },
      { key: 'domains', label: 'Policy domains', value: (r) => r.policy_domains.join(', ') },
    ], v.reporters, { sortKey: 'messages', id: 'reporter-table' })),
    section('By header_from domain', table([
      { key: 'domain', label: 'Domain', value: (r) => r.domain,
        cell: (r) => h('button', { type: 'button', class: 'link', onclick: () => setFilter({ dom: r.domain }) }, r.domain) },
      { key: 'policy', label: 'Policy as reported', value: (r) => r.policies.map(policyText).join(' | ') },
      { key: 'reports', label: 'Reports', num: true, value: (r) => r.reports, cell: (r) => count(r.reports) },
      { key: 'messages', label: 'Messages', num: true, value: (r) => r.messages, cell: (r) => count(r.messages) },
      { key: 'pass', label: 'DMARC pass', num: true, value: (r) => r.percent, cell: (r) => pctCell(pct(r.percent), count(r.passing)) },
      { key: 'failing', label: 'Failing', num: true, value: (r) => r.failing, cell: (r) => count(r.failing) },
    ], v.domains, { sortKey: 'messages', id: 'domain-table' })),
    section('Reports', table([
      { key: 'org', label: 'Reporter', value: (r) => r.org_name_raw },
      { key: 'id', label: 'Report ID', value: (r) => r.report_id_raw },
      { key: 'email', label: 'Contact', value: (r) => r.email },
      { key: 'domain', label: 'Policy domain', value: (r) => r.policy_domain },
      { key: 'range', label: 'Range (UTC)', value: (r) => r.date_begin, cell: (r) => `${r.date_begin} → ${r.date_end}` },
      { key: 'messages', label: 'Messages', num: true, value: (r) => r.messages, cell: (r) => count(r.messages) },
      { key: 'failing', label: 'Failing', num: true, value: (r) => r.failing, cell: (r) => count(r.failing) },
      { key: 'input', label: 'Input', value: (r) => (r.member ? `${r.input} › ${r.member}` : r.input) },
      { key: 'warn', label: 'Warnings', value: (r) => (r.warnings || []).join('; ') },
    ], d.reports, { sortKey: 'range', sortDesc: false, id: 'report-table' })));
}
