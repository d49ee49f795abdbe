// Policy readiness per domain: the facts a move to a stricter DMARC policy depends on, from
// the core's per-source and per-domain rows. (The core has no readiness verdict yet; this view
// states the facts and leaves the judgement to the reader.)

import { h, replace } from '../dom.js';
import { count, pct } from '../format.js';
import { share } from '../rollup.js';
import { section, empty } from './common.js';

/** Renders the Readiness tab. */
export function render(el, { findings, f }) {
  const d = findings.dmarc;
  if (!d.totals.reports) {
    replace(el, empty('No DMARC reports loaded: readiness needs aggregate reports for your domains.'));
    return;
  }
  const blocks = d.by_domain.filter((x) => !f.dom || x.domain === f.dom).map((dom) => {
    const rows = d.by_source.filter((r) => r.header_from === dom.domain);
    const by = { ours: { m: 0, p: 0, dk: 0 }, forwarder: { m: 0, p: 0, dk: 0 }, external: { m: 0, p: 0, dk: 0 } };
    for (const r of rows) {
      const c = by[r.source_class];
      if (!c) continue;
      c.m += r.messages;
      c.p += r.passing;
      c.dk += r.dkim_aligned_pass;
    }
    const days = new Set(rows.map((r) => r.date));
    const reporters = new Set(rows.flatMap((r) => r.reporters));
    const policies = dom.policies.map((p) => `p=${p.p ?? '–'}${p.pct != null ? ` pct=${p.pct}` : ''}`).join(', ');
    return h('article', { class: 'readiness', dataset: { domain: dom.domain } },
      h('h3', { text: dom.domain }),
      h('p', { text: `Published policy as reported: ${policies || 'not reported'}` }),
      h('ul', {},
        h('li', { text: `${count(days.size)} day${days.size === 1 ? '' : 's'} of reports from ${count(reporters.size)} reporter${reporters.size === 1 ? '' : 's'} (guidance: at least 14 days from 2 or more large reporters before tightening).` }),
        h('li', { text: by.ours.m ? `Our sources: ${pct(share(by.ours.p, by.ours.m))} DMARC pass (${count(by.ours.p)} of ${count(by.ours.m)}); DKIM aligned ${pct(share(by.ours.dk, by.ours.m))}, which survives forwarding.` : 'No messages from our networks (set them under Settings).' }),
        h('li', { text: `Forwarders: ${count(by.forwarder.m - by.forwarder.p)} of ${count(by.forwarder.m)} messages fail DMARC (normal for forwarding; they would be affected by p=reject).` }),
        h('li', { text: `External sources: ${count(by.external.m - by.external.p)} failing messages (what a stricter policy is meant to stop), ${count(by.external.p)} passing (an aligned third party you may have forgotten).` })));
  });
  replace(el, section('Policy readiness', blocks.length ? blocks : empty('No domain matches the filters.'),
    h('p', { class: 'sub', text: 'DMARC results describe how receivers evaluated mail, not whether it reached the inbox.' })));
}
