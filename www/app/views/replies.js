// Replies: reply groups (provider × outcome × reason code, with the rule that decided and a
// full sample reply, never cut short) and the unclassified replies list. The groups and their
// shares are the core's, summed over the daily rows the filters keep (ctx.view).

import { h, replace } from '../dom.js';
import { count, pct, outcomeLabel } from '../format.js';
import { table } from '../table.js';
import { section, empty } from './common.js';
import * as settings from '../settings.js';
import { tools } from '../wasm.js';

/** Labels of the buckets a reply can be put into (the core's bucketChoices). */
const BUCKET_LABELS = { deferred_other: 'Deferred (other, known)', reject_other: 'Other rejection (known)' };

/** "Suggest bucket" (a local rule in the settings; re-analyses) and "Copy as issue text". */
function unclassifiedActions(r, ctx, i) {
  const { m, act, findings } = ctx;
  if (!m || !act) return null;
  const id = `bucket-${i}`;
  const choices = m.bucketChoices(r.outcome);
  const select = h('select', { id, class: 'bucket' }, choices.map((o) => h('option', { value: o }, BUCKET_LABELS[o] || outcomeLabel(o))));
  const out = h('textarea', { class: 'issue-text', readonly: true, rows: 6, hidden: true, 'aria-label': 'Issue text (copy it by hand if the clipboard is blocked)' });
  return h('div', { class: 'row-actions' },
    h('label', { for: id, class: 'visually-hidden', text: 'Suggest a bucket for this reply' }), select,
    h('button', { type: 'button', class: 'small suggest', onclick: () => act(() => settings.suggestBucket(r, select.value)) }, 'Suggest bucket'),
    h('button', { type: 'button', class: 'small copy-issue', onclick: async () => {
      try {
        out.value = (await tools()).unclassifiedIssueText(findings, r.provider, r.template);
      } catch (e) {
        out.value = `Not available: ${e?.message || e}`;
      }
      out.hidden = false;
      out.select();
      try { await navigator.clipboard.writeText(out.value); } catch { /* shown in the text box instead */ }
    } }, 'Copy as issue text'),
    out);
}

/** Renders the Replies tab. */
export function render(el, ctx) {
  const { findings, view, f } = ctx;
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
      h('p', { class: 'sub', text: '"Suggest bucket" adds a local rule to your settings (exported with mailrep.toml) and re-analyses; "Copy as issue text" copies a redacted description you can paste into the project\'s tracker yourself. Nothing is sent.' }),
      table([
        { key: 'attempts', label: 'Attempts', num: true, value: (r) => r.attempts, cell: (r) => count(r.attempts) },
        { key: 'prov', label: 'Provider', value: (r) => names[r.provider] || r.provider },
        { key: 'outcome', label: 'Outcome', value: (r) => outcomeLabel(r.outcome) },
        { key: 'template', label: 'Template', value: (r) => r.template, cell: (r) => h('span', { class: 'reply', text: r.template }) },
        { key: 'sample', label: 'Sample reply', value: (r) => r.sample_reply, cell: (r) => h('span', { class: 'reply', text: r.sample_reply }) },
        { key: 'actions', label: 'Actions', value: (r) => r.outcome, cell: (r) => unclassifiedActions(r, ctx, v.unclassified.indexOf(r)) },
      ], v.unclassified, { sortKey: 'attempts', id: 'unclassified-table', empty: 'None: every reply matched a rule.' })));
}
