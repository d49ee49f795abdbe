// Entry point: wires the header, the file loading, filters, tabs and views together. The page
// holds one Findings object (from the worker, a dropped findings file, or a summary link) and
// renders it; every number comes from the core: the views get the core's roll-ups of the
// filtered findings (`Views.filter`, core/src/view.rs), recomputed at each filter change.
// The Views of findings from the worker (its analysis, or a findings file it read) stay in the
// worker, which answers each filter by message (files.view); the Views of a summary link, and
// of findings whose worker is gone (failed, or replaced by a re-analysis or Clear all, until
// the new results arrive), are the tools module's, on this thread.
// A render asks for its view and paints when the answer comes: the newest render's answer
// wins, the page keeps what it shows until then (no flash), and #main is aria-busy meanwhile.

import { byId, replace, h } from './dom.js';
import * as filters from './filters.js';
import * as files from './files.js';
import * as settings from './settings.js';
import * as share from './share.js';
import { watchRequests } from './requests.js';
import { core, tools } from './wasm.js';
import { renderFilterBar } from './filterbar.js';
import { loadCharts } from './charts.js';
import * as overview from './views/overview.js';
import * as delivery from './views/delivery.js';
import * as replies from './views/replies.js';
import * as dmarc from './views/dmarc.js';
import * as readiness from './views/readiness.js';
import * as quality from './views/quality.js';

/** Above this many bytes in all, a banner suggests the CLI's findings file. */
const LARGE_INPUT = 1e9;

const VIEWS = { overview, delivery, replies, dmarc, readiness, quality };

/**
 * What the page shows. `origin`: 'analysis' | 'findings-file' | 'link'; `note`: shown in a
 * banner; `viewer`: the filtered views of `findings` (`filter(f)` resolves to a view, or to null
 * when a newer source is on its way); `filterNote`: why the filters are ignored (a bad date).
 */
const state = { findings: null, viewer: null, origin: null, note: '', f: filters.read(), m: null, labels: {}, action: null, reanalysisNote: '', filterNote: '', firstPending: false };
let setSeq = 0;
let renderSeq = 0;
/** Sources being set and views being asked for: #main is aria-busy while any is. */
let pending = 0;

function busy(d) {
  pending += d;
  byId('main').setAttribute('aria-busy', String(pending > 0));
}

/** Views of `findings` by the tools module, on this thread. */
async function localViewer(findings) {
  const t = await tools();
  const views = new t.Views(findings);
  let freed = false;
  return {
    filter: async (f) => (freed ? null : views.filter(f)),
    free: () => {
      if (!freed) views.free();
      freed = true;
    },
  };
}

/**
 * Views of findings the worker holds (`key`), asked for by message; once the worker is gone
 * (terminated for a re-analysis, or failed), views of `findings` by the tools module instead.
 */
function workerViewer(key, findings) {
  let local = null;
  let freed = false;
  return {
    async filter(f) {
      if (!local) {
        const v = await files.view(key, f);
        if (v !== files.GONE) return v;
        // Freed while the request was on its way: no view is wanted, and none is made.
        if (freed) return null;
        local = localViewer(findings);
      }
      const l = await local;
      return freed ? null : l.filter(f);
    },
    free() {
      freed = true;
      local?.then((l) => l.free(), () => {});
    },
  };
}

/**
 * Shows `source` (null, or { findings, key? }: see files.setup) from `origin`. The newest call
 * wins, whatever order the modules load in.
 */
async function setFindings(source, origin, note = '') {
  const seq = ++setSeq;
  busy(1);
  try {
    let findings = source?.findings ?? null;
    let viewer = null;
    let labels = {};
    if (findings) {
      // The chart bundle comes with the first findings, not with the landing page.
      const [m] = await Promise.all([core(), loadCharts()]);
      state.m = m;
      try {
        viewer = source.key ? workerViewer(source.key, findings) : await localViewer(findings);
        // Names of DMARC sources from the labels of our networks (settings), by the core.
        labels = m.networkLabels(settings.analysisConfig(), [...new Set(findings.dmarc.by_source.map((r) => r.source_ip))]);
      } catch (e) {
        note = `These findings cannot be shown: ${e?.message || e}`;
        findings = null;
        viewer?.free();
        viewer = null;
      }
    }
    if (seq !== setSeq) { // a newer result arrived while the module loaded
      viewer?.free();
      return;
    }
    if (findings && !state.findings) state.firstPending = true;
    state.viewer?.free();
    state.viewer = viewer;
    state.labels = labels;
    state.findings = findings;
    state.origin = origin;
    state.note = note;
    byId('open-export').disabled = !findings;
    render();
  } finally {
    busy(-1);
  }
}

function setFilter(patch) {
  state.f = { ...state.f, ...patch };
  filters.write(state.f);
  render();
}

function banners() {
  const out = [];
  const st = files.summary();
  if (st.running) out.push(h('p', { class: 'banner info', text: `Still loading ${st.running} file${st.running > 1 ? 's' : ''}… results update as each file finishes.` }));
  if (st.cancelled) out.push(h('p', { class: 'banner warn', text: `Partial data: ${st.cancelled} file${st.cancelled > 1 ? 's' : ''} cancelled.` }));
  if (st.size > LARGE_INPUT) {
    out.push(h('p', { class: 'banner warn', text: 'Large input: the files are streamed, so memory stays bounded, but reading takes a while. For inputs of many gigabytes, `mailrep analyze --format json` on the server writes a findings file that opens here.' }));
  }
  if (state.note) out.push(h('p', { class: 'banner info', text: state.note }));
  if (state.findings?.redaction) out.push(h('p', { class: 'banner info', text: `These findings were redacted before sharing (preset "${state.findings.redaction.preset}"): addresses, IDs and possibly our IPs and domains are replaced.` }));
  if (state.filterNote) out.push(h('p', { class: 'banner warn', text: state.filterNote }));
  if (state.reanalysisNote) out.push(h('p', { class: 'banner warn', id: 'reanalysis-note', text: state.reanalysisNote }));
  if (state.action) out.push(h('p', { class: `banner ${state.action.ok ? 'info' : 'error'}`, id: 'action-status', text: state.action.message }));
  if (settings.hasNetworks() === false) {
    out.push(h('p', { class: 'banner', id: 'settings-banner' }, 'Tell us your sending IPs and domains to unlock ours / forwarder / external classification of DMARC sources (Settings: our networks, our domains). Until then no DMARC source is classed "ours". ',
      h('button', { type: 'button', class: 'small', onclick: () => settings.open() }, 'Open settings')));
  }
  replace(byId('banners'), out);
}

/**
 * Renders the banners now and asks for the view of the filters; the findings' part of the page
 * (filter bar, tabs, panels) is painted when the view comes, if no newer render asked since.
 */
function render() {
  const seq = ++renderSeq;
  const has = Boolean(state.findings);
  const loading = files.summary().total > 0;
  if (!has) {
    byId('landing').hidden = loading;
    byId('main').hidden = true;
    byId('filter-bar').hidden = true;
    state.filterNote = '';
    banners();
    return;
  }
  if (loading) byId('landing').hidden = true;
  banners();
  const { viewer, findings, f } = state;
  busy(1);
  viewOf(viewer, { from: f.from, to: f.to, provider: f.prov, ip: f.ip, domain: f.dom }).then(
    (r) => { if (r && seq === renderSeq && findings === state.findings) paint(r); },
    (e) => { if (seq === renderSeq) byId('banners').append(h('p', { class: 'banner error', text: `These findings cannot be shown: ${e?.message || e}` })); },
  ).finally(() => busy(-1));
}

/** The view of `filter` as { view, note }, or null when a newer source is on its way. */
async function viewOf(viewer, filter) {
  try {
    const view = await viewer.filter(filter);
    return view && { view, note: '' };
  } catch (e) { // a hand-edited fragment with a bad date: show everything and say why
    const view = await viewer.filter({});
    return view && { view, note: `Filters ignored: ${e?.message || e}` };
  }
}

/** Paints the findings' part of the page with `view` (the core's roll-ups of the filters). */
function paint({ view, note }) {
  byId('landing').hidden = true;
  byId('main').hidden = false;
  byId('filter-bar').hidden = false;
  if (note !== state.filterNote) {
    state.filterNote = note;
    banners();
  }
  const f = state.f;
  renderFilterBar(state.findings, f, setFilter);
  for (const b of document.querySelectorAll('#tabs [role=tab]')) {
    const on = b.dataset.tab === f.tab;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
  }
  const ctx = { findings: state.findings, view, f, setFilter, m: state.m, labels: state.labels, act, width: Math.max(320, Math.min(1100, byId('main').clientWidth - 32)) };
  for (const [name, v] of Object.entries(VIEWS)) {
    const panel = byId(`view-${name}`);
    panel.hidden = name !== f.tab;
    if (!panel.hidden) v.render(panel, ctx);
  }
  if (state.firstPending) {
    state.firstPending = false;
    performance.mark('mailrep:first-findings');
  }
}

/**
 * After the settings changed: re-analyse the files the page still holds (their File objects),
 * or say why not (findings from a findings file or a link carry no raw inputs).
 */
function reanalyse() {
  const n = files.reanalyse();
  state.reanalysisNote = !n && state.findings && state.origin !== 'analysis'
    ? `Settings saved. Re-analysis needs the original log and report files: these findings came from a ${state.origin === 'link' ? 'summary link' : 'findings file'}. Drop the files to see the numbers under the new settings.`
    : '';
  render();
}

/**
 * A row action that changes the settings (Mark as ours / forwarder, Suggest bucket): `run`
 * resolves to { ok, message }; on success the settings were saved and the page re-analyses.
 */
async function act(run) {
  const r = await run();
  state.action = { ok: r.ok, message: r.ok ? `${r.message}${state.reanalysisNote ? '' : ' The files are analysed again with the new settings.'}` : `Not changed: ${r.message}` };
  render();
  byId('live').textContent = state.action.message;
}

function setupTabs() {
  const tabs = [...document.querySelectorAll('#tabs [role=tab]')];
  for (const t of tabs) {
    t.addEventListener('click', () => setFilter({ tab: t.dataset.tab }));
    t.addEventListener('keydown', (e) => {
      const i = tabs.indexOf(t);
      const j = e.key === 'ArrowRight' ? (i + 1) % tabs.length : e.key === 'ArrowLeft' ? (i + tabs.length - 1) % tabs.length : -1;
      if (j >= 0) { e.preventDefault(); tabs[j].focus(); tabs[j].click(); }
    });
  }
}

function setupTheme() {
  const saved = localStorage.getItem('mailrep.theme');
  if (saved) document.documentElement.dataset.theme = saved;
  byId('theme-toggle').addEventListener('click', () => {
    const dark = document.documentElement.dataset.theme
      ? document.documentElement.dataset.theme === 'dark'
      : matchMedia('(prefers-color-scheme: dark)').matches;
    document.documentElement.dataset.theme = dark ? 'light' : 'dark';
    localStorage.setItem('mailrep.theme', document.documentElement.dataset.theme);
  });
}

function start() {
  watchRequests((n) => { byId('req-count').textContent = String(n); });
  byId('local-badge').addEventListener('click', () => { byId('local-help').hidden = !byId('local-help').hidden; });
  setupTheme();
  setupTabs();
  // Back/forward and hand edits; the page's own writes (setFilter) have rendered already.
  filters.onChange((f) => {
    if (filters.same(f, state.f)) return;
    state.f = f;
    render();
  });
  settings.setup(() => { state.action = null; reanalyse(); }, () => render());
  files.setup({
    config: () => settings.analysisConfig(),
    hasSettings: () => settings.current().trim() !== '',
    useConfig: (toml) => settings.save(toml),
    onFindings: (source, origin, note) => setFindings(source, origin, note),
    onChange: () => { if (files.summary().total) loadCharts(); render(); },
  });
  share.setup(() => state.findings, () => settings.redactionDefault());
  let resize = 0;
  addEventListener('resize', () => { clearTimeout(resize); resize = setTimeout(render, 200); });
  share.openFromFragment().then((f) => { if (f) setFindings({ findings: f }, 'link', 'Opened from a summary link: verdicts and provider table only.'); });
  render();
  document.documentElement.dataset.ready = 'true';
}

start();
