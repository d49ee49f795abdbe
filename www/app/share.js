// Export and share, every path through the core's redaction first (presets of ux.md §3.6):
// the findings file (same schema as `mailrep analyze --format json`, re-droppable), the
// self-contained HTML report (no script), the delivery CSV, and a summary link whose findings
// travel compressed in the URL fragment (never sent to a server).

import { byId, download, h, replace } from './dom.js';
import { tools } from './wasm.js';
import { count } from './format.js';
import { encodeSharePayload } from './sharelink.js';

const PRESET_KEY = 'mailrep.redaction';
/** Used only when the core lacks shareLinkCheck: the same limits (warn above 2,000, refuse above 32,000). */
function localCheck(length) {
  if (length > 32000) return { level: 'too_long', message: `${count(length)} characters: too long for a link (browsers cut addresses near 32,000). Share the HTML report or the findings file instead.` };
  if (length > 2000) return { level: 'long', message: `${count(length)} characters: above 2,000, some chat and mail programs may cut it; the HTML report is safer.` };
  return { level: 'ok', message: `${count(length)} characters.` };
}

let getFindings = () => null;

const preset = () => document.querySelector('input[name=preset]:checked')?.value || 'internal';

async function redacted() {
  const c = await tools();
  return { c, f: c.redactFindings(getFindings(), preset()) };
}

const stamp = () => new Date().toISOString().slice(0, 10);

/** Before/after examples of the preset: the first reply samples that change. */
async function preview() {
  const out = byId('redact-preview');
  const src = getFindings();
  if (!src) return;
  const { f } = await redacted();
  const pairs = [];
  const a = src.delivery.replies;
  const b = f.delivery.replies;
  for (let i = 0; i < Math.min(a.length, b.length) && pairs.length < 3; i++) {
    if (a[i].sample_reply !== b[i].sample_reply) pairs.push([a[i].sample_reply, b[i].sample_reply]);
  }
  const r = f.redaction;
  const summary = r ? h('p', { id: 'redact-summary', text: `Redacted: ${Object.entries(r).filter(([k]) => k !== 'preset').map(([k, v]) => `${count(v)} ${k.replace(/_/g, ' ')}`).join(', ')}.` }) : null;
  replace(out, summary, h('p', { text: pairs.length ? `Preset "${preset()}": ${pairs.length} example${pairs.length > 1 ? 's' : ''} of what changes` : `Preset "${preset()}": no reply sample changes in these findings.` }),
    pairs.map(([x, y]) => h('div', { class: 'pair' }, h('p', {}, h('strong', {}, 'Before: '), x), h('p', {}, h('strong', {}, 'After: '), y))));
}

const choose = (name) => {
  const r = name && document.querySelector(`input[name=preset][value=${CSS.escape(name)}]`);
  if (r) r.checked = true;
};

/**
 * Wires the Export dialog; `findings()` gives what the page shows, `defaultPreset()` the
 * settings' redaction default ('' = none: the preset last used).
 */
export function setup(findings, defaultPreset = () => '') {
  getFindings = findings;
  choose(localStorage.getItem(PRESET_KEY));
  byId('open-export').addEventListener('click', () => {
    choose(defaultPreset());
    replace(byId('link-out'));
    byId('export-dialog').showModal();
    preview();
  });
  for (const r of document.querySelectorAll('input[name=preset]')) {
    r.addEventListener('change', () => { localStorage.setItem(PRESET_KEY, preset()); preview(); });
  }
  byId('export-findings').addEventListener('click', async () => {
    const { c, f } = await redacted();
    download(`mailrep-${stamp()}.findings.json`, c.findingsToJson(f), 'application/json');
  });
  byId('export-html').addEventListener('click', async () => {
    const { c, f } = await redacted();
    download(`mailrep-${stamp()}.html`, c.renderHtmlReport(f), 'text/html');
  });
  byId('export-csv').addEventListener('click', async () => {
    const { c, f } = await redacted();
    download(`mailrep-delivery-${stamp()}.csv`, c.deliveryCsv(f), 'text/csv');
  });
  byId('export-summary').addEventListener('click', async () => {
    const { c, f } = await redacted();
    const text = c.summaryMarkdown(f);
    const field = h('textarea', { readonly: true, rows: 10, id: 'summary-text', 'aria-label': 'Summary (Markdown)' });
    field.value = text;
    replace(byId('link-out'), h('p', { id: 'summary-status', text: 'Summary (Markdown, redacted with the chosen preset):' }), field);
    field.select();
    try {
      await navigator.clipboard.writeText(text);
      byId('summary-status').textContent = 'Copied to the clipboard (Markdown, redacted with the chosen preset):';
    } catch { /* the text stays selectable in the box */ }
  });
  byId('export-link').addEventListener('click', async () => {
    const { c, f } = await redacted();
    const url = `${location.origin}${location.pathname}#s=${await encodeSharePayload(c.shareSummary(f))}`;
    const verdict = c.shareLinkCheck ? c.shareLinkCheck(url.length) : localCheck(url.length);
    const out = byId('link-out');
    if (verdict.level === 'too_long') {
      replace(out, h('p', { class: 'error', role: 'alert', id: 'link-length', text: verdict.message }));
      return;
    }
    const field = h('input', { type: 'text', readonly: true, value: url, 'aria-label': 'Summary link', id: 'link-text' });
    replace(out,
      h('p', { id: 'link-length', class: verdict.level === 'long' ? 'warn' : '', text: verdict.message }),
      field,
      h('button', { type: 'button', class: 'small', onclick: () => navigator.clipboard?.writeText(url) }, 'Copy'));
    field.select();
  });
}

/** Findings from a `#s=` summary link in the address, or null. */
export async function openFromFragment() {
  if (!location.hash.startsWith('#s=')) return null;
  try {
    return (await tools()).decodeShareLink(location.hash.slice(3));
  } catch (e) {
    replace(byId('banners'), h('p', { class: 'banner error', text: `This summary link could not be read: ${e?.message || e}` }));
    return null;
  }
}
