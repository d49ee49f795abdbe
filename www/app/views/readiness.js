// Policy readiness per header_from domain: the core's verdict (dmarc.readiness, see
// core/src/dmarc/readiness.rs) with the checks behind it, the policy history and the impact
// of p=reject. Nothing is judged here.

import { h, replace } from '../dom.js';
import { count, pct } from '../format.js';
import { section, empty } from './common.js';

const STATUS = {
  ready: ['ready', '✓'],
  not_ready: ['not-ready', '✗'],
  not_enough_data: ['no-data', '…'],
  enforced: ['enforced', '■'],
};
const MARK = { ok: '✓', fail: '✗', warn: '!', info: 'ℹ' };
const LADDER = ['none', 'quarantine', 'quarantine pct=100', 'reject'];

/** The ladder none → quarantine → quarantine 100 → reject with the current step marked. */
function ladder(r) {
  const at = r.applied === 'reject' ? 3 : r.applied === 'quarantine' ? (r.pct >= 100 ? 2 : 1) : r.applied ? 0 : -1;
  return h('ol', { class: 'ladder', 'aria-label': 'Policy ladder' }, LADDER.map((step, i) =>
    h('li', { class: i === at ? 'at' : i < at ? 'past' : '', 'aria-current': i === at ? 'step' : null, text: step })));
}

function block(r) {
  const [cls, icon] = STATUS[r.status] || ['', ''];
  const history = r.history.length > 1
    ? h('p', { text: `Policy changed: ${r.history.map((s) => `p=${s.p ?? '–'}${s.pct != null ? ` pct=${s.pct}` : ''} ${s.first} to ${s.last}`).join(', then ')}` })
    : null;
  return h('article', { class: `readiness ${cls}`, dataset: { domain: r.domain, status: r.status } },
    h('h3', { text: r.domain }),
    h('p', { class: 'readiness-verdict' }, h('span', { 'aria-hidden': 'true', text: `${icon} ` }), h('strong', { text: r.headline })),
    h('p', { text: `Current policy: ${r.current}${r.listed ? '' : ' (domain not in the settings\' domains: yours?)'} · ${count(r.messages)} messages, ${pct(r.pass_percent)} passing DMARC · ${count(r.days)} day${r.days === 1 ? '' : 's'}, ${count(r.reporters)} reporter${r.reporters === 1 ? '' : 's'}.` }),
    ladder(r),
    history,
    h('ul', { class: 'checks' }, r.checks.map((c) => h('li', { class: `check-${c.level}`, dataset: { check: c.id } },
      h('span', { 'aria-hidden': 'true', text: `${MARK[c.level] || ''} ` }), h('span', { class: 'visually-hidden', text: `${c.level}: ` }), c.message))),
    h('p', { class: 'impact', text: `Impact if p=reject had applied: ${count(r.impact.external)} unknown-source messages blocked (intended) · ${count(r.impact.ours)} from our networks (investigate) · ${count(r.impact.forwarder)} forwarded (collateral).` }));
}

/** Renders the Readiness tab. */
export function render(el, { findings, view }) {
  if (!findings.dmarc.totals.reports) {
    replace(el, empty('No DMARC reports loaded: readiness needs aggregate reports for your domains.'));
    return;
  }
  const rows = view.dmarc.readiness;
  replace(el, section('Policy readiness',
    h('p', { class: 'sub', text: 'Per header_from domain: is it safe to move the published DMARC policy one step up? Thresholds: readiness_* under [thresholds] in the settings.' }),
    rows.length ? rows.map(block) : empty(findings.dmarc.readiness ? 'No domain matches the filters.' : 'These findings carry no readiness (a findings file of an older mailrep version).'),
    h('p', { class: 'sub', text: 'DMARC results describe how receivers evaluated mail, not whether it reached the inbox.' })));
}
