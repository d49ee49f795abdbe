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
// A big plain log (SPLIT_MIN_BYTES and more; core splittableLog) is analysed in two halves on
// two threads: a third nested module worker (part.js, started with this one and given the
// compiled module) analyses the bytes after a line boundary near the middle in an Analyzer of
// its own (Analyzer.beginPart/endPart) while this worker analyses the first half as above;
// then this worker's Analyzer absorbs the part's encoded state (Analyzer.absorbPart), which
// counts it exactly as if these bytes had been pushed here (the findings are the same, byte
// for byte). When the core cannot absorb it exactly, or the part worker failed, this worker
// reads and pushes the second half itself: the split never changes the findings.
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
//                 {type:'cancel', id}            stop a queued or running file (both halves)
//                 {type:'view', seq, gen, filter}  the view of the findings `gen` under `filter`
// worker -> main  {type:'ready', version}
//                 {type:'config-error', message}
//                 {type:'progress', id, bytes, total, ms, memory}   memory: wasm linear memory, bytes
//                     bytes: of both halves when the file is split; total: the file's size
//                 {type:'done', id, status, message, bytes, ms, wasmMs, waitMs, copyMs, memory, findings, gen,
//                        split, parts, partMs, partWasmMs, partWaitMs, absorbMs, partBytes, partMemory}
//                     findings: plain object; gen: the number of the Views holding them here
//                     ms: from the start of reading to the file's end (before the snapshot)
//                     wasmMs: time spent inside this worker's Analyzer (pushBuffer, absorbPart, endInput)
//                     waitMs: time this worker waited for the reader's next buffer
//                     copyMs: copying the buffers into the module's memory (+ giving them back)
//                     (the rest of ms: messages, progress, the findings-file sniff, the split's
//                     look at the file, partWaitMs)
//                     split: where the file was split (the part worker's half starts), 0: not split
//                     parts: 2 when the part worker's half was absorbed, else 1; when the part
//                     worker ran (absorbed or not): partMs (its time from the request to the
//                     encoded state), partWasmMs (inside its Analyzer), partWaitMs (this worker
//                     waiting for the state after its own half), absorbMs (absorbPart, also in
//                     wasmMs), partBytes, partMemory (its wasm linear memory)
//                     status: done | cancelled | error | findings-file
//                 {type:'warm', ms, bytes, memory}   warm-up finished (or stopped early by a file)
//                 {type:'view', seq, view | error | stale}   stale: the findings `gen` were replaced
//                 {type:'fatal', message}

import init, { Analyzer, splittableLog, version } from '../pkg/mailrep_web.js';
import { BATCH_BYTES, POOL, Pool, readFile } from './reader.js';
import { warmupLog } from './warmup.js';

const PROGRESS_EVERY_MS = 100;
/** Findings files are read whole; bound them (a findings file is aggregates, not raw lines). */
const MAX_FINDINGS_FILE_BYTES = 256 * 1024 * 1024;

let analyzer = null;
/** The settings the Analyzer was built with (the part worker's Analyzer gets the same). */
let analyzerConfig = '';
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

/**
 * The analysis module compiled here, not by wasm-bindgen's loader, so that the part worker can
 * be given the same WebAssembly.Module (wasm-bindgen's web loader keeps its module private).
 * Streaming compilation as the loader does it, or from the bytes when the server does not
 * say application/wasm.
 */
async function compileCore() {
  const r = await fetch(new URL('../pkg/mailrep_web_bg.wasm', import.meta.url));
  if (!r.ok) throw new Error(`HTTP ${r.status} for the analysis module`);
  if (WebAssembly.compileStreaming && (r.headers.get('Content-Type') || '').startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(r);
  }
  return WebAssembly.compile(await r.arrayBuffer());
}

const ready = compileCore().then(async (module) => {
  wasm = await init({ module_or_path: module });
  partWorker?.postMessage({ type: 'init', module });
  partModule = module;
  self.postMessage({ type: 'ready', version: version() });
}).catch((e) => self.postMessage({ type: 'fatal', message: `the WebAssembly core did not start: ${e}` }));

self.onmessage = async (e) => {
  const m = e.data;
  await ready;
  if (m.type === 'reset') {
    queue.length = 0;
    try {
      analyzer?.free();
      analyzer = new Analyzer(m.config || '');
      analyzerConfig = m.config || '';
    } catch (err) {
      analyzer = new Analyzer('');
      analyzerConfig = '';
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
    // The running file stops now, not when its reader next delivers (or its part ends).
    if (feed?.id === m.id) feed.deliver({ type: 'cancelled' });
    if (partJob?.id === m.id) partJob.cancel();
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

// ---- the split: the part worker analyses the second half of a big plain log -------------------

/**
 * Files from this size on are split when they are plain logs. The split has fixed costs: two
 * small reads of the file (its head, the window at its middle), the part's messages, its
 * encoded state (Analyzer.endPart) and absorbing it (absorbPart, proportional to what the part
 * holds, not to its bytes: measured 3 ms for a 13 MB part, 7-15 ms for a 100 MB one) and a
 * second Analyzer's memory (10-16 MB of linear memory in the part worker). Below 16 MiB a file
 * takes some tens of ms on one thread (150-450 MB/s warm, by content): not worth that memory.
 * What it gains depends on free cores: Chromium's own reading of the file (File.stream, on the
 * browser's IO threads) costs about as much CPU as the analysis (270-500 ms of CPU for 200 MB
 * here), so on a two-core machine the two halves and the reading share two cores: the 200 MB
 * log measured 405-585 ms split, 460-550 ms not (six interleaved runs each, median 418 vs
 * 523 ms; BENCHMARKS.md "Session 10"); with more cores each gets one of its own.
 */
const SPLIT_MIN_BYTES = 16 * 1024 * 1024;
/**
 * Whether big plain logs are split: 'always', 'never', or 'auto' (the default: when the
 * browser reports two cores or more), from this worker's address (files.js passes the page's
 * `?split=`).
 */
const SPLIT_POLICY = new URL(import.meta.url).searchParams.get('split') || 'auto';
const SPLIT = SPLIT_POLICY === 'always' || (SPLIT_POLICY === 'auto' && (navigator.hardwareConcurrency || 2) >= 2);
/** The head given to splittableLog (the core's own sniff reads no more). */
const HEAD_BYTES = 4096;
/** The window at the middle of the file searched for the end of a line (none in it: no split). */
const SPLIT_WINDOW = 64 * 1024;
/** Restarts of a part worker whose part failed (its instance may be broken after a trap). */
const PART_RESTARTS = 3;

/** The part worker (null: not started, failed, or no nested workers here). */
let partWorker = null;
/** True once the part worker has instantiated the module; parts are asked for only then. */
let partReady = false;
let partRestarts = 0;
/** The compiled analysis module, for the part worker (set when compiled). */
let partModule = null;
/** The running part: see startPartJob. */
let partJob = null;

// Started with this worker (while the wasm module compiles), so it is ready for the first big
// file; not at all when big files are not split.
if (SPLIT) startPart();

function startPart() {
  partReady = false;
  try {
    partWorker = new Worker(new URL('./part.js', import.meta.url), { type: 'module', name: 'mailrep-part' });
  } catch {
    partWorker = null;
    return;
  }
  const w = partWorker;
  w.onmessage = (e) => { if (w === partWorker) onPartMessage(e.data); };
  w.onerror = (e) => {
    // The part worker did not start (no nested workers, its script failed) or died: no split
    // from now on; a running part is read by this worker (see analyzeFile).
    e.preventDefault?.();
    if (w !== partWorker) return;
    stopPart();
    partJob?.settle({ type: 'error', message: `the part worker failed: ${e.message || 'unknown error'}` });
  };
  if (partModule) w.postMessage({ type: 'init', module: partModule });
}

function stopPart() {
  partWorker?.terminate();
  partWorker = null;
  partReady = false;
}

function onPartMessage(m) {
  if (m.type === 'ready') {
    partReady = true;
  } else if (m.type === 'failed') {
    stopPart();
  } else if (partJob?.id === m.id) {
    if (m.type === 'progress') {
      partJob.bytes = m.bytes;
      partJob.onProgress?.();
    } else {
      // 'state' or 'error'. After an error the part's wasm instance may be broken (a trap):
      // a fresh worker (the compiled module is at hand) for the next big file.
      if (m.type === 'error') {
        stopPart();
        if (partRestarts++ < PART_RESTARTS) startPart();
      }
      partJob.settle(m);
    }
  }
}

/**
 * Where a big plain log is split: the byte after the first '\n' at or after the middle of the
 * file, or 0 (no split: a small file, not a plain log, no part worker, no end of line in the
 * window, or the file could not be read here; the normal path then reports it).
 */
async function splitPoint(file) {
  if (!SPLIT) return 0;
  if (file.size < SPLIT_MIN_BYTES || !partReady) return 0;
  try {
    const head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
    if (isFindingsJson(head) || !splittableLog(head)) return 0;
    const mid = Math.floor(file.size / 2);
    const nl = new Uint8Array(await file.slice(mid, mid + SPLIT_WINDOW).arrayBuffer()).indexOf(0x0a);
    const split = nl < 0 ? 0 : mid + nl + 1;
    return split < file.size ? split : 0;
  } catch {
    return 0;
  }
}

/**
 * Asks the part worker for the part of `file` from `split` on (the input `name`). Returns the
 * job: `bytes` (the part's bytes pushed so far), `result` (a promise of the part worker's
 * 'state' or 'error' message, or {type:'cancelled'}), `cancel()`, and `onProgress` (called
 * with each progress of the part).
 */
function startPartJob(id, file, split, name) {
  let resolve;
  const job = {
    id, bytes: 0, settled: false, onProgress: null,
    result: new Promise((r) => { resolve = r; }),
    settle(m) {
      if (job.settled) return;
      job.settled = true;
      if (partJob === job) partJob = null;
      resolve(m);
    },
    cancel() {
      if (job.settled) return;
      partWorker?.postMessage({ type: 'cancel', id });
      job.settle({ type: 'cancelled' });
    },
  };
  partJob = job;
  partWorker.postMessage({ type: 'part', id, blob: file.slice(split), name, lastModified: file.lastModified, config: analyzerConfig });
  return job;
}

// ---- a file ----------------------------------------------------------------------------------

async function analyzeFile({ id, file, name }) {
  const t0 = performance.now();
  const split = await splitPoint(file);
  const part = split ? startPartJob(id, file, split, name || file.name) : null;
  // What this worker pushed and how long it took; `part`: the part running meanwhile.
  const run = { id, file, name, t0, ptr: analyzer.inputBuffer(BATCH_BYTES), bytes: 0, started: false,
    wasmMs: 0, waitMs: 0, copyMs: 0, last: t0, part };
  const r = await pushAll(run, split ? file.slice(0, split) : file);
  if (r.result) {
    part?.cancel(); // a findings file after all (splittableLog said otherwise): no part
    return r.result;
  }
  let { status, message } = r;
  let parts = 1;
  let figures = {};
  if (part && status === 'done') {
    // This worker's half is pushed: the part's state, as soon as the part worker has it.
    const w0 = performance.now();
    part.onProgress = () => progress(run, performance.now());
    const s = await part.result;
    const partWaitMs = performance.now() - w0;
    if (s.type === 'cancelled' || cancelled.has(id)) {
      status = 'cancelled';
      message = `cancelled after ${run.bytes + part.bytes} of ${file.size} bytes; nothing of it is counted`;
    } else {
      let absorbed = false;
      if (s.type === 'state') {
        const a0 = performance.now();
        try {
          absorbed = analyzer.absorbPart(s.part);
        } catch (err) {
          // Only a trap in the core throws (a refused or unreadable part gives false); the
          // bytes are pushed here instead, like a refused part's.
          console.warn(`mailrep: the part of ${file.name} was not absorbed: ${err?.message || err}`);
        }
        const absorbMs = performance.now() - a0;
        run.wasmMs += absorbMs;
        figures = { partMs: s.ms, partWasmMs: s.wasmMs, partWaitMs, absorbMs, partBytes: s.bytes, partMemory: s.memory };
      } else {
        console.warn(`mailrep: the part of ${file.name} failed: ${s.message}`);
      }
      run.part = null; // progress counts this worker's bytes alone from here on
      if (absorbed) {
        run.bytes += s.bytes;
        parts = 2;
      } else {
        // Not absorbed (the core could not count it exactly, or the part failed): the second
        // half goes through this worker, into the same input, as if the file was not split.
        ({ status, message } = await pushAll(run, file.slice(split)));
      }
    }
  } else {
    part?.cancel(); // cancelled or unreadable before the middle: the part is dropped too
  }
  if (!run.started) analyzer.beginInput(name || file.name, file.lastModified);
  const e0 = performance.now();
  // A cancelled file is undone in the core (Analyzer.abortInput): none of its lines count.
  if (status === 'cancelled') analyzer.abortInput('cancelled on the page');
  else analyzer.endInput();
  const ms = performance.now() - t0;
  const wasmMs = run.wasmMs + (ms - (e0 - t0));
  const v = analyzer.views();
  const g = keepViews(v); // held (and freed when replaced) even if reading it throws
  const findings = v.findings();
  return { status, message, bytes: run.bytes, ms, wasmMs, waitMs: run.waitMs, copyMs: run.copyMs, memory: memory(),
    findings, gen: g, split, parts, ...figures };
}

/** Tells the page the bytes pushed so far (of both halves while a part runs). */
function progress(run, now) {
  run.last = now;
  const bytes = run.bytes + (run.part ? run.part.bytes : 0);
  self.postMessage({ type: 'progress', id: run.id, bytes, total: run.file.size, ms: now - run.t0, memory: memory() });
}

/**
 * Reads `blob` (the file, or a half of it) and pushes it into the Analyzer's input (started on
 * its first batch: startInput). Resolves to {status, message} (done, cancelled or error), or
 * to {result} when the file turned out to be a findings file (the file's result, read whole).
 */
async function pushAll(run, blob) {
  const { id, file } = run;
  const src = openFeed(id, blob);
  let status = 'done';
  let message = '';
  let ended = false;
  for (;;) {
    const w0 = performance.now();
    const m = await src.next();
    run.waitMs += performance.now() - w0;
    if (cancelled.has(id)) {
      if (m.type === 'chunk') giveBack(m.buf);
      status = 'cancelled';
      message = `cancelled after ${run.bytes + (run.part ? run.part.bytes : 0)} of ${file.size} bytes; nothing of it is counted`;
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
    new Uint8Array(wasm.memory.buffer, run.ptr, m.len).set(new Uint8Array(m.buf, 0, m.len));
    giveBack(m.buf);
    run.copyMs += performance.now() - c0;
    if (!run.started) {
      const r = await startInput(file, run.name, run.ptr, m.len, run.t0);
      if (r) {
        src.close(false);
        return { result: r };
      }
      run.started = true;
    }
    const p0 = performance.now();
    analyzer.pushBuffer(m.len);
    const p1 = performance.now();
    run.wasmMs += p1 - p0;
    run.bytes += m.len;
    if (p1 - run.last >= PROGRESS_EVERY_MS) {
      progress(run, p1);
      // Reading in this thread: reads of a file already in memory resolve as microtasks; let
      // a waiting 'cancel' message in before going on.
      if (!reader) await yieldToEvents();
    }
  }
  src.close(ended);
  return { status, message };
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
