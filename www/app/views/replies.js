// Replies: reply groups (provider × outcome × reason code, with the rule that decided and a
// full sample reply, never cut short) and the unclassified replies list. The groups and their
// shares are the core's, summed over the daily rows the filters keep (ctx.view).

import { h, replace } from '../dom.js';
import { count, pct, outcomeLabel } from '../format.js';
import { table } from '../table.js';
import { section, empty } from './common.js';

/** Renders the Replies tab. */
export function render(el, { findings, view, f }) {
  const d = findings.delivery;
  if (!d.replies.length && !d.unclassified.length) {
    replace(el, empty('No Postfix log loaded: reply texts come from the delivery attempts in the logs.'));
    return;
  }
  const v = view.delivery;
  const names = d.provider_names || {};
  const nonAccepted = v.replies.filter((r) => r.outcome !== 'accepted');
  replace(el,
    section('Reply texts behind non-accepted attempts',
      h('p', { class: 'sub', text: `${count(v.non_accepted)} non-accepted attempts in ${count(nonAccepted.length)} groups${f.prov ? ` at ${names[f.prov] || f.prov}` : ''}${view.filtered ? ', for the filters set' : ', all days loaded'}.` }),
      table([
        { key: 'attempts', label: 'Attempts', num: true, value: (r) => r.attempts, cell: (r) => count(r.attempts) },
        { key: 'share', label: 'Share', num: true, value: (r) => r.percent, cell: (r) => pct(r.percent) },
        { key: 'prov', label: 'Provider', value: (r) => names[r.provider] || r.provider },
        { key: 'outcome', label: 'Outcome', value: (r) => outcomeLabel(r.outcome) },
        { key: 'code', label: 'Reason code', value: (r) => r.reason_code },
        { key: 'rule', label: 'Rule (why)', value: (r) => r.rule, cell: (r) => h('code', { text: r.rule }) },
        { key: 'reply', label: 'Sample reply', value: (r) => r.sample_reply, cell: (r) => h('span', { class: 'reply', text: r.sample_reply }) },
      ], nonAccepted, { sortKey: 'attempts', id: 'reply-table', empty: 'No non-accepted attempts.' })),
    section('Unclassified replies',
      h('p', { class: 'sub', id: 'unclassified-share', text: `${count(v.unclassified_attempts)} attempts (${pct(v.unclassified_percent)} of non-accepted, all days) matched no rule.` }),
      table([
        { key: 'attempts', label: 'Attempts', num: true, value: (r) => r.attempts, cell: (r) => count(r.attempts) },
        { key: 'prov', label: 'Provider', value: (r) => names[r.provider] || r.provider },
        { key: 'outcome', label: 'Outcome', value: (r) => outcomeLabel(r.outcome) },
        { key: 'template', label: 'Template', value: (r) => r.template, cell: (r) => h('span', { class: 'reply', text: r.template }) },
        { key: 'sample', label: 'Sample reply', value: (r) => r.sample_reply, cell: (r) => h('span', { class: 'reply', text: r.sample_reply }) },
      ], v.unclassified, { sortKey: 'attempts', id: 'unclassified-table', empty: 'None: every reply matched a rule.' })));
}
