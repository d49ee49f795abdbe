// Loading files: the whole window is a drop target (files and folders, recursively), plus
// "Choose files" / "Choose folder". Files go to the analysis worker one at a time; each has a
// row with its type (by content, from the core), bytes read, rate, status and a Cancel button.
// The worker also holds the Views of the findings it sent last: `view(key, filter)` asks it
// for a filtered view (the page's main thread reads no findings itself).

import { byId, h, replace } from './dom.js';
import { bytes, rate } from './format.js';

/**
 * The figures of a worker's 'done' message kept in the 'mailrep:file-done' mark (worker.js
 * documents them; parts: 2 when the file was analysed in two halves on two threads).
 */
const DONE_FIGURES = ['status', 'bytes', 'ms', 'wasmMs', 'waitMs', 'copyMs', 'memory',
  'split', 'parts', 'partMs', 'partWasmMs', 'partWaitMs', 'absorbMs', 'partBytes', 'partMemory'];

let worker = null;
/** The settings the worker's Analyzer was made with, and whether it was given no file yet. */
let workerConfig = null;
let workerFresh = false;
let opts = null;
let nextId = 1;
/** id -> { id, file, name, status, bytes, total, ms, message, input } */
const rows = new Map();
let lastFindings = null;
let liveAt = 0;
/** The running worker's number (a terminated worker answers nothing). */
let epoch = 0;
/** View requests sent to the worker and not answered: seq -> { resolve, reject }. */
const viewRequests = new Map();
let viewSeq = 0;
/** What `view` resolves to when the worker holding the findings is gone (terminated). */
export const GONE = Symbol('worker gone');

const KIND = {
  postfix_log: 'Postfix log', postfix_log_gzip: 'Postfix log (gzip)', reports: 'DMARC / reports',
  postfix_config: 'Postfix config', unknown: 'Not recognised',
};

/** Counts for banners: total, running (queued or reading), cancelled, size (bytes of all files). */
export function summary() {
  let running = 0;
  let cancelled = 0;
  let size = 0;
  for (const r of rows.values()) {
    size += r.total;
    if (r.status === 'queued' || r.status === 'reading') running++;
    if (r.status === 'cancelled') cancelled++;
  }
  return { total: rows.size, running, cancelled, size };
}

/**
 * Wires the inputs and the drop target. opts: { config() (the settings' JSON form for the
 * analysis, '' = defaults), hasSettings(), useConfig(toml), onFindings(source,
 * origin, note), onChange() }; `source`: null, or { findings, key } with `key` the worker's
 * Views of them (for `view`), or { findings } alone when the worker cannot serve them (it failed).
 */
export function setup(o) {
  opts = o;
  byId('file-input').addEventListener('change', (e) => { add([...e.target.files]); e.target.value = ''; });
  byId('folder-input').addEventListener('change', (e) => { add([...e.target.files]); e.target.value = ''; });
  byId('drop').addEventListener('click', () => byId('file-input').click());
  byId('files-toggle').addEventListener('click', () => {
    const p = byId('files-panel');
    p.hidden = !p.hidden;
    byId('files-toggle').setAttribute('aria-expanded', String(!p.hidden));
  });
  byId('try-sample').addEventListener('click', trySample);
  byId('cancel-all').addEventListener('click', () => { for (const r of rows.values()) cancel(r.id); });
  byId('clear-all').addEventListener('click', clearAll);
  prestart();
  const overlay = byId('drop-overlay');
  let depth = 0;
  addEventListener('dragenter', (e) => { e.preventDefault(); depth++; overlay.hidden = false; });
  addEventListener('dragleave', () => { if (--depth <= 0) { depth = 0; overlay.hidden = true; } });
  addEventListener('dragover', (e) => e.preventDefault());
  addEventListener('drop', async (e) => {
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    add(await droppedFiles(e.dataTransfer));
  });
}

/** Files of a drop, walking dropped folders recursively (webkitGetAsEntry). */
async function droppedFiles(dt) {
  const items = [...(dt.items || [])].filter((i) => i.kind === 'file');
  const entries = items.map((i) => i.webkitGetAsEntry?.()).filter(Boolean);
  if (!entries.length || entries.length !== items.length) return [...dt.files];
  const out = [];
  const walk = async (entry, path) => {
    if (entry.isFile) {
      const f = await new Promise((res, rej) => entry.file(res, rej));
      out.push({ file: f, name: path + f.name });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const child of batch) await walk(child, `${path}${entry.name}/`);
      }
    }
  };
  for (const e of entries) await walk(e, '');
  return out;
}

/**
 * Loads the example data that scripts/build-www copies to sample/ (same origin): its
 * mailrep.toml becomes the settings when none are set, then its files are analysed.
 */
async function trySample() {
  try {
    const index = await (await fetch('sample/index.json')).json();
    const blob = async (name) => {
      const r = await fetch(`sample/${encodeURIComponent(name)}`);
      if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
      return r.blob();
    };
    if (!opts.hasSettings() && index.config) await opts.useConfig(await (await blob(index.config)).text());
    add(await Promise.all(index.files.map(async (n) => new File([await blob(n)], n))));
  } catch (e) {
    byId('sample-error').textContent = `The example data is not available here (${e.message}); run scripts/demo or scripts/build-www.`;
  }
}

/**
 * Starts the analysis worker once the page has loaded and is idle, and asks it to warm up: V8
 * runs WebAssembly in a baseline tier first and optimises the hot functions only after they
 * ran a while, so the worker analyses a few MB of synthetic log (warmup.js) before the user's
 * first file, which then runs at the warm speed (BENCHMARKS.md, "Session 6: page throughput").
 * A file dropped during the warm-up stops it within a block (milliseconds). When the worker
 * is done, <html data-warm="true"> and a 'mailrep:warm' performance mark tell it.
 */
function prestart() {
  const go = () => {
    if (worker) return;
    startWorker();
    worker.postMessage({ type: 'warm' });
  };
  const idle = () => (self.requestIdleCallback ? requestIdleCallback(go, { timeout: 2000 }) : setTimeout(go, 500));
  if (document.readyState === 'complete') idle();
  else addEventListener('load', idle, { once: true });
}

/**
 * The view (core view::filter_findings) of the findings `key` (a source's key) under `filter`,
 * computed by the worker: resolves to the view, to null when the worker holds newer findings
 * (a newer source is on its way), or to GONE when the worker was replaced; rejects with the
 * core's message for a bad filter (a malformed date).
 */
export function view(key, filter) {
  if (!worker || key.epoch !== epoch) return Promise.resolve(GONE);
  const seq = ++viewSeq;
  return new Promise((resolve, reject) => {
    viewRequests.set(seq, { resolve, reject });
    worker.postMessage({ type: 'view', seq, gen: key.gen, filter });
  });
}

/** The unanswered view requests resolve to GONE (the worker was stopped or failed). */
function dropViewRequests() {
  for (const r of viewRequests.values()) r.resolve(GONE);
  viewRequests.clear();
}

/** Stops the worker (a terminated worker answers nothing). */
function stopWorker() {
  worker?.terminate();
  worker = null;
  epoch++;
  dropViewRequests();
}

/**
 * The last analysis findings, shown again with a note (the worker failed, the parser was
 * blocked, the settings were not applied), as a source without key (see `setup`): viewed on
 * this thread, since the worker may no longer hold their Views.
 */
function lastSource() {
  return lastFindings && { findings: lastFindings };
}

function startWorker() {
  stopWorker();
  // `?split=never` or `?split=always` on the page's address sets the worker's policy for big
  // plain logs (worker.js, SPLIT_POLICY; benchmarks and tests compare the two); default auto.
  const url = new URL('./worker.js', import.meta.url);
  const split = new URLSearchParams(location.search).get('split');
  if (split === 'never' || split === 'always') url.searchParams.set('split', split);
  worker = new Worker(url, { type: 'module' });
  workerConfig = opts.config();
  workerFresh = true;
  const mine = epoch;
  worker.onmessage = (e) => { if (mine === epoch) onMessage(e.data); };
  worker.onerror = (e) => {
    if (mine !== epoch) return;
    // The worker may be dead: the page makes its own views of the findings (no key).
    dropViewRequests();
    opts.onFindings(lastSource(), 'analysis', `The analysis worker failed: ${e.message || 'unknown error'}. Your browser may have blocked it or run out of memory; results of the files finished so far are kept.`);
  };
  worker.postMessage({ type: 'reset', config: workerConfig });
}

/** Queues files (File objects, or {file, name} with a folder path). */
export function add(list) {
  if (!list.length) return;
  if (!worker) startWorker();
  // Started early (prestart) and given no file yet: its Analyzer may have older settings.
  if (workerFresh && opts.config() !== workerConfig) {
    workerConfig = opts.config();
    worker.postMessage({ type: 'reset', config: workerConfig });
  }
  workerFresh = false;
  byId('files-panel').hidden = false;
  byId('files-toggle').setAttribute('aria-expanded', 'true');
  performance.mark('mailrep:files-added', { detail: { count: list.length } });
  for (const item of list) {
    const file = item instanceof File ? item : item.file;
    const name = item instanceof File ? (file.webkitRelativePath || file.name) : item.name;
    const dup = [...rows.values()].find((r) => r.name === name && r.total === file.size && r.file.lastModified === file.lastModified && r.status !== 'cancelled');
    const id = nextId++;
    if (dup) {
      rows.set(id, { id, file, name, status: 'skipped', bytes: 0, total: file.size, ms: 0, message: 'already loaded (same name, size and date)' });
      continue;
    }
    rows.set(id, { id, file, name, status: 'queued', bytes: 0, total: file.size, ms: 0, message: '' });
    worker.postMessage({ type: 'add', id, file, name });
  }
  renderRows();
  opts.onChange();
}

function cancel(id) {
  const r = rows.get(id);
  if (r && (r.status === 'queued' || r.status === 'reading')) worker.postMessage({ type: 'cancel', id });
}

function clearAll() {
  stopWorker();
  rows.clear();
  lastFindings = null;
  renderRows();
  opts.onFindings(null, null);
  prestart(); // a fresh worker, warm again for the next drop
}

/**
 * Re-reads every file with the current settings (after a settings change). Returns how many
 * files were queued again (0: nothing to re-read, e.g. only findings files were dropped).
 */
export function reanalyse() {
  const again = [...rows.values()].filter((r) => r.status !== 'skipped' && r.status !== 'findings-file');
  if (!worker || !again.length) return 0;
  startWorker();
  lastFindings = null;
  for (const r of again) {
    Object.assign(r, { status: 'queued', bytes: 0, ms: 0, message: '', input: undefined });
    worker.postMessage({ type: 'add', id: r.id, file: r.file, name: r.name });
  }
  renderRows();
  opts.onChange();
  return again.length;
}

function onMessage(m) {
  if (m.type === 'view') {
    const r = viewRequests.get(m.seq);
    viewRequests.delete(m.seq);
    if (m.error !== undefined) r?.reject(new Error(m.error));
    else r?.resolve(m.stale ? null : m.view);
    return;
  }
  if (m.type === 'fatal') {
    opts.onFindings(lastSource(), 'analysis', `Your browser blocked the parser: ${m.message}`);
    return;
  }
  if (m.type === 'config-error') {
    opts.onFindings(lastSource(), 'analysis', `Settings not applied (defaults used): ${m.message}`);
    return;
  }
  if (m.type === 'warm') {
    performance.mark('mailrep:warm', { detail: { ms: m.ms, bytes: m.bytes, memory: m.memory } });
    document.documentElement.dataset.warm = 'true';
    return;
  }
  const r = rows.get(m.id);
  if (!r) return;
  if (m.type === 'progress') {
    Object.assign(r, { status: 'reading', bytes: m.bytes, ms: m.ms });
    performance.mark('mailrep:progress', { detail: { bytes: m.bytes, ms: m.ms, memory: m.memory } });
    updateRow(r);
    announce(`${r.name}: ${Math.round((100 * m.bytes) / (m.total || 1))} %`);
    return;
  }
  if (m.type === 'done') {
    Object.assign(r, { status: m.status, bytes: m.bytes, ms: m.ms, message: m.message || '' });
    // For the page benchmark (bench/page.sh) and anyone curious: per-file figures as a mark.
    performance.mark('mailrep:file-done', { detail: { name: r.name, ...Object.fromEntries(DONE_FIGURES.map((k) => [k, m[k]])) } });
    if (m.status === 'findings-file') {
      r.kindText = 'Findings file';
      opts.onFindings({ findings: m.findings, key: { epoch, gen: m.gen } }, 'findings-file', `Showing the findings file ${r.name} (computed elsewhere; files analysed here are not merged into it).`);
    } else if (m.findings) {
      r.input = m.findings.inputs.length - 1;
      lastFindings = m.findings;
      opts.onFindings({ findings: m.findings, key: { epoch, gen: m.gen } }, 'analysis');
    }
    renderRows();
    opts.onChange();
    const s = summary();
    if (!s.running) {
      announce(`Loaded ${rows.size} file${rows.size > 1 ? 's' : ''}.`, true);
      // Open while loading, then collapsed into the header's "Files (n)" button.
      byId('files-panel').hidden = true;
      byId('files-toggle').setAttribute('aria-expanded', 'false');
    }
  }
}

function announce(text, force = false) {
  const now = performance.now();
  if (!force && now - liveAt < 5000) return;
  liveAt = now;
  byId('live').textContent = text;
}

function kindOf(r) {
  if (r.kindText) return r.kindText;
  const input = lastFindings?.inputs?.[r.input];
  if (!input) return r.status === 'queued' || r.status === 'reading' ? '…' : '';
  let t = KIND[input.kind] || input.kind;
  if (input.reports) {
    const c = input.reports;
    t += `: ${c.aggregate} aggregate report${c.aggregate === 1 ? '' : 's'}`;
    if (c.smtp_tls) t += `, ${c.smtp_tls} TLS (skipped)`;
    if (c.failure) t += `, ${c.failure} failure (skipped)`;
    if (c.errors) t += `, ${c.errors} unreadable`;
  }
  if (input.log) t += `: ${input.log.attempts.toLocaleString()} attempts${input.log.first_date ? `, ${input.log.first_date} → ${input.log.last_date}` : ''}`;
  return t;
}

function progressCell(r) {
  const frac = r.total ? r.bytes / r.total : (r.status === 'done' ? 1 : 0);
  return h('span', { class: 'progress' },
    h('progress', { max: '1', value: String(r.status === 'done' ? 1 : frac), 'aria-label': `${r.name} progress` }),
    ` ${bytes(r.bytes)} / ${bytes(r.total)}`,
    r.ms > 0 && r.bytes > 0 ? ` · ${rate((r.bytes * 1000) / r.ms)}` : '');
}

function rowNode(r) {
  const running = r.status === 'queued' || r.status === 'reading';
  return h('tr', { id: `file-${r.id}`, dataset: { status: r.status } },
    h('th', { scope: 'row', class: 'fname', text: r.name }),
    h('td', { class: 'kind', text: kindOf(r) }),
    h('td', {}, progressCell(r)),
    h('td', { class: `status ${r.status}` }, r.status, r.message ? h('span', { class: 'sub', text: r.message }) : null),
    h('td', {}, running
      ? h('button', { type: 'button', class: 'small', 'aria-label': `Cancel ${r.name}`, onclick: () => cancel(r.id) }, 'Cancel')
      : null));
}

function updateRow(r) {
  const old = document.getElementById(`file-${r.id}`);
  if (!old) return;
  const fresh = rowNode(r);
  if (old.dataset.status !== r.status) {
    old.replaceWith(fresh);
    return;
  }
  // Progress of a running file: the other cells are replaced, the action cell stays, so the
  // Cancel button keeps focus and takes a click between two progress updates.
  const cells = [...fresh.cells];
  for (let i = 0; i < cells.length - 1; i++) old.cells[i].replaceWith(cells[i]);
}

function renderRows() {
  byId('files-count').textContent = String(rows.size);
  replace(byId('file-table').tBodies[0], [...rows.values()].map(rowNode));
}
