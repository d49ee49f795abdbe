// Module Web Worker: runs the WebAssembly core. Files arrive as File objects (structured
// clone, no copy of their bytes). A second, nested module worker (reader.js) reads them with
// File.stream() into a small pool of buffers (reader.js: POOL x BATCH_BYTES, 4 x 2 MiB) and
// transfers each full buffer here; this worker copies it into a reusable input buffer inside
// the module's memory (Analyzer.inputBuffer), gives the buffer back and hands the batch to the
// wasm (Analyzer.pushBuffer). So reading the file runs on its own thread while the wasm works,
// memory stays bounded (the pool) whatever the file size, one copy per byte in this thread,
// one call into the wasm per batch. Without nested workers, reader.js's loop runs here (no
// overlap). One file at a time, in order, into one Analyzer.
//
// The worker also holds the Views of the findings it sent last (the analysis' own findings,
// Analyzer.views, or a findings file's), numbered `gen`, and answers the page's filtered views
// (core view::filter_findings) by message: the page's main thread reads no findings itself.
// A findings file is read by the tools module (mailrep_web_tools, imported on the first one):
// the analysis module holds no findings reader.
//
// main -> worker  {type:'reset', config}        new Analyzer (the settings' JSON form, '' = defaults)
//                 {type:'warm'}                  warm the core up (warmup.js), on an idle page
//                 {type:'add', id, file, name}   queue a file (name: as shown, folder path included)
//                 {type:'cancel', id}            stop a queued or running file
//                 {type:'view', seq, gen, filter}  the view of the findings `gen` under `filter`
// worker -> main  {type:'ready', version}
//                 {type:'config-error', message}
//                 {type:'progress', id, bytes, total, ms, memory}   memory: wasm linear memory, bytes
//                 {type:'done', id, status, message, bytes, ms, wasmMs, waitMs, copyMs, memory, findings, gen}
//                     findings: plain object; gen: the number of the Views holding them here
//                     ms: from the start of reading to the file's end (before the snapshot)
//                     wasmMs: time spent inside Analyzer.pushBuffer/endInput
//                     waitMs: time this worker waited for the reader's next buffer
//                     copyMs: copying the buffers into the module's memory (+ giving them back)
//                     (the rest of ms: messages, progress, the findings-file sniff)
//                     status: done | cancelled | error | findings-file
//                 {type:'warm', ms, bytes, memory}   warm-up finished (or stopped early by a file)
//                 {type:'view', seq, view | error | stale}   stale: the findings `gen` were replaced
//                 {type:'fatal', message}

import init, { Analyzer, version } from '../pkg/mailrep_web.js';
import { BATCH_BYTES, POOL, Pool, readFile } from './reader.js';
import { warmupLog } from './warmup.js';

const PROGRESS_EVERY_MS = 100;
/** Findings files are read whole; bound them (a findings file is aggregates, not raw lines). */
const MAX_FINDINGS_FILE_BYTES = 256 * 1024 * 1024;

let analyzer = null;
const queue = [];
const cancelled = new Set();
let running = null;
let busy = false;

/** The wasm exports (for the size of its linear memory, reported with progress). */
let wasm = null;
const memory = () => wasm?.memory?.buffer?.byteLength ?? 0;

/** The Views of the findings sent last (analysis or findings file) and their number. */
let views = null;
let gen = 0;

/** Holds `v` (a Views of either module) as the current findings' views; returns its number. */
function keepViews(v) {
  views?.free();
  views = v;
  return ++gen;
}

/** The tools module (Views of a findings file), imported on first use. */
let toolsModule = null;
function tools() {
  toolsModule ??= import('../pkg/mailrep_web_tools.js').then(async (t) => {
    await t.default();
    return t;
  });
  return toolsModule;
}

/** Answers a view request: the filtered view of the current findings, if they are still `gen`. */
function answerView({ seq, gen: want, filter }) {
  if (!views || want !== gen) {
    self.postMessage({ type: 'view', seq, stale: true });
    return;
  }
  try {
    self.postMessage({ type: 'view', seq, view: views.filter(filter) });
  } catch (err) {
    self.postMessage({ type: 'view', seq, error: String(err?.message || err) });
  }
}

const ready = init().then(
  (exports) => { wasm = exports; self.postMessage({ type: 'ready', version: version() }); },
  (e) => self.postMessage({ type: 'fatal', message: `the WebAssembly core did not start: ${e}` }),
);

self.onmessage = async (e) => {
  const m = e.data;
  await ready;
  if (m.type === 'reset') {
    queue.length = 0;
    try {
      analyzer?.free();
      analyzer = new Analyzer(m.config || '');
    } catch (err) {
      analyzer = new Analyzer('');
      self.postMessage({ type: 'config-error', message: String(err?.message || err) });
    }
  } else if (m.type === 'warm') {
    if (!warming && !busy && !queue.length) warming = warmUp();
  } else if (m.type === 'add') {
    stopWarm = true;
    queue.push(m);
    pump();
  } else if (m.type === 'view') {
    answerView(m);
  } else if (m.type === 'cancel') {
    cancelled.add(m.id);
    // The running file stops now, not when its reader next delivers.
    if (feed?.id === m.id) feed.deliver({ type: 'cancelled' });
  }
};

async function pump() {
  if (busy) return;
  busy = true;
  // A warm-up in progress stops at its next block (a few ms), then the file runs.
  if (warming) await warming.catch(() => {});
  while (queue.length) {
    const job = queue.shift();
    if (cancelled.has(job.id)) {
      self.postMessage({ type: 'done', id: job.id, status: 'cancelled', message: 'cancelled before reading', bytes: 0, ms: 0 });
      continue;
    }
    running = job.id;
    const r = await analyzeFile(job);
    running = null;
    self.postMessage({ type: 'done', id: job.id, ...r });
  }
  busy = false;
}

// ---- warm-up ----------------------------------------------------------------------------------

/**
 * Bytes of synthetic log analysed by the warm-up. V8 runs a wasm function first in its
 * baseline tier (Liftoff) and tiers it up (TurboFan, on a background thread) after it ran a
 * while; the warm-up runs the core's hot paths before the first file so that file runs at the
 * warm speed. Measured in BENCHMARKS.md ("Session 6: page throughput").
 */
const WARMUP_BYTES = 16 * 1024 * 1024;
/** The warm-up's blocks: distinct generated texts, cycled (generating text costs more than analysing it). */
const WARMUP_BLOCK = 256 * 1024;
const WARMUP_BLOCKS = 4;
let warming = null;
let stopWarm = false;

/**
 * Analyses WARMUP_BYTES of warmup.js's log in a throw-away Analyzer, one block per task (a
 * file's 'add' sets stopWarm; the running block ends within milliseconds), then frees it.
 */
async function warmUp() {
  const t0 = performance.now();
  let bytes = 0;
  let a = null;
  try {
    const enc = new TextEncoder();
    const blocks = [];
    a = new Analyzer('');
    a.beginInput('warm-up.log', Date.now()); // dated like a file just saved
    const ptr = a.inputBuffer(WARMUP_BLOCK + 4096);
    for (let i = 0; bytes < WARMUP_BYTES && !stopWarm; i++) {
      if (blocks.length < WARMUP_BLOCKS) blocks.push(enc.encode(warmupLog(WARMUP_BLOCK, blocks.length + 1)));
      const b = blocks[i % blocks.length];
      new Uint8Array(wasm.memory.buffer, ptr, b.length).set(b);
      a.pushBuffer(b.length);
      bytes += b.length;
      await yieldToEvents();
    }
    if (!stopWarm) {
      a.endInput();
      // The real files' path ends with the snapshot's views and findings, then a view.
      const v = a.views();
      try {
        v.findings();
        v.filter({});
      } finally {
        v.free();
      }
    }
  } catch {
    // A warm-up that fails changes nothing for the files: they get their own Analyzer.
  } finally {
    try { a?.free(); } catch { /* after a trap in the core; nothing to do */ }
  }
  warming = null;
  self.postMessage({ type: 'warm', ms: performance.now() - t0, bytes, memory: memory() });
}

/** Resolves after pending messages were handled (a MessageChannel task, no timer clamping). */
function yieldToEvents() {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => { ch.port1.close(); resolve(); };
    ch.port2.postMessage(null);
  });
}

/** True when the head of a file is a findings JSON document (from the CLI or an export). */
function isFindingsJson(head) {
  let i = 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  if (head[i] !== 0x7b) return false; // '{'
  const text = new TextDecoder().decode(head.subarray(i, i + 200));
  return /^\{\s*"schema_version"\s*:/.test(text);
}

// ---- the reading side: the nested reader worker, or reader.js's loop in this thread ----------

/** The reader worker (null: not started yet, or reading runs in this thread). */
let reader = null;
let readerFailed = false;
/** The pool of the in-thread reading loop (when there is no reader worker). */
let localPool = null;
/** The running file's feed: its reader's messages in order, and the loop waiting for one. */
let feed = null;

// Started with this worker (while the wasm module compiles), so it is ready for the first file.
startReader();

function startReader() {
  if (reader || readerFailed) return;
  try {
    reader = new Worker(new URL('./reader.js', import.meta.url), { type: 'module', name: 'mailrep-reader' });
  } catch {
    readerFailed = true;
    return;
  }
  reader.onmessage = (e) => onReaderMessage(e.data);
  reader.onerror = (e) => {
    // The reader worker did not start (or died): read in this thread from now on. A file
    // that got no bytes yet is read again here; one that did fails.
    e.preventDefault?.();
    reader = null;
    readerFailed = true;
    if (feed && !feed.got) readLocally(feed);
    else if (feed) feed.deliver({ type: 'error', message: `the reading worker failed: ${e.message || 'unknown error'}` });
  };
}

function onReaderMessage(m) {
  if (feed && m.id === feed.id) {
    feed.got = true;
    feed.deliver(m);
  } else if (m.type === 'chunk') {
    giveBack(m.buf); // a chunk of a file cancelled or finished early (findings file)
  }
}

/** Returns a buffer of a chunk to the pool it came from. */
function giveBack(buf) {
  if (reader) reader.postMessage({ type: 'buffers', buffers: [buf] }, [buf]);
  else localPool?.put(buf);
}

/** Reads the feed's file in this thread (no reader worker). */
function readLocally(f) {
  localPool ||= new Pool(POOL, BATCH_BYTES);
  const mine = () => feed === f && !f.closed;
  readFile(f.file, localPool, (buf, len) => {
    if (mine()) f.deliver({ type: 'chunk', buf, len });
    else localPool.put(buf);
  }, () => !mine()).then(
    () => { if (mine()) f.deliver({ type: 'end' }); },
    (err) => { if (mine()) f.deliver({ type: 'error', message: String(err?.message || err) }); },
  );
}

/** Starts reading a file; `next()` resolves to the reader's next message for it. */
function openFeed(id, file) {
  const items = [];
  let waiting = null;
  const f = {
    id, file, got: false, closed: false,
    deliver(m) {
      if (waiting) {
        const w = waiting;
        waiting = null;
        w(m);
      } else {
        items.push(m);
      }
    },
    next() {
      return items.length ? Promise.resolve(items.shift()) : new Promise((resolve) => { waiting = resolve; });
    },
    /** Stops reading (when the file did not end) and gives back the buffers it holds. */
    close(ended) {
      f.closed = true;
      if (feed === f) feed = null;
      if (!ended && reader) reader.postMessage({ type: 'cancel', id });
      for (const m of items) if (m.type === 'chunk') giveBack(m.buf);
      items.length = 0;
    },
  };
  feed = f;
  startReader();
  if (reader) reader.postMessage({ type: 'read', id, file });
  else readLocally(f);
  return f;
}

async function analyzeFile({ id, file, name }) {
  const t0 = performance.now();
  const src = openFeed(id, file);
  const ptr = analyzer.inputBuffer(BATCH_BYTES);
  let bytes = 0; // bytes pushed
  let started = false;
  let wasmMs = 0;
  let waitMs = 0;
  let copyMs = 0;
  let last = t0;
  let status = 'done';
  let message = '';
  let ended = false;
  for (;;) {
    const w0 = performance.now();
    const m = await src.next();
    waitMs += performance.now() - w0;
    if (cancelled.has(id)) {
      if (m.type === 'chunk') giveBack(m.buf);
      status = 'cancelled';
      message = `cancelled after ${bytes} of ${file.size} bytes; nothing of it is counted`;
      break;
    }
    if (m.type === 'end') {
      ended = true;
      break;
    }
    if (m.type === 'error') {
      ended = true;
      status = 'error';
      message = `could not read the file: ${m.message}`;
      break;
    }
    if (m.type !== 'chunk') continue;
    // A fresh view each time: a call into the module may have grown (detached) its memory.
    const c0 = performance.now();
    new Uint8Array(wasm.memory.buffer, ptr, m.len).set(new Uint8Array(m.buf, 0, m.len));
    giveBack(m.buf);
    copyMs += performance.now() - c0;
    if (!started) {
      const r = await startInput(file, name, ptr, m.len, t0);
      if (r) {
        src.close(false);
        return r;
      }
      started = true;
    }
    const p0 = performance.now();
    analyzer.pushBuffer(m.len);
    const p1 = performance.now();
    wasmMs += p1 - p0;
    bytes += m.len;
    if (p1 - last >= PROGRESS_EVERY_MS) {
      last = p1;
      self.postMessage({ type: 'progress', id, bytes, total: file.size, ms: p1 - t0, memory: memory() });
      // Reading in this thread: reads of a file already in memory resolve as microtasks; let
      // a waiting 'cancel' message in before going on.
      if (!reader) await yieldToEvents();
    }
  }
  src.close(ended);
  if (!started) analyzer.beginInput(name || file.name, file.lastModified);
  const e0 = performance.now();
  // A cancelled file is undone in the core (Analyzer.abortInput): none of its lines count.
  if (status === 'cancelled') analyzer.abortInput('cancelled on the page');
  else analyzer.endInput();
  const ms = performance.now() - t0;
  wasmMs += ms - (e0 - t0);
  const v = analyzer.views();
  const gen = keepViews(v); // held (and freed when replaced) even if reading it throws
  const findings = v.findings();
  return { status, message, bytes, ms, wasmMs, waitMs, copyMs, memory: memory(), findings, gen };
}

/**
 * Before the first batch of a file is pushed: a findings JSON document (its head, the first
 * `fill` bytes of the input buffer at `ptr`) is read whole by the tools module, held as the
 * current Views and returned as the file's result;
 * a log starts an input (Analyzer.beginInput) and gets `undefined`.
 */
async function startInput(file, name, ptr, fill, t0) {
  if (!isFindingsJson(new Uint8Array(wasm.memory.buffer, ptr, fill))) {
    analyzer.beginInput(name || file.name, file.lastModified);
    return undefined;
  }
  if (file.size > MAX_FINDINGS_FILE_BYTES) {
    return { status: 'error', message: `findings file larger than ${MAX_FINDINGS_FILE_BYTES} bytes`, bytes: 0, ms: 0 };
  }
  let t;
  try {
    t = await tools();
  } catch (err) {
    return { status: 'error', message: `the findings reader did not load: ${err?.message || err}`, bytes: 0, ms: 0 };
  }
  try {
    const v = t.Views.fromJson(await file.text());
    const g = keepViews(v);
    return { status: 'findings-file', bytes: file.size, ms: performance.now() - t0, findings: v.findings(), gen: g };
  } catch (err) {
    return { status: 'error', message: `not a readable findings file: ${err?.message || err}`, bytes: 0, ms: 0 };
  }
}
