// Module Web Worker: runs the WebAssembly core. Files arrive as File objects (structured
// clone, no copy of their bytes) and are read with File.stream() (memory stays bounded
// whatever the file size); the stream's chunks are copied straight into a reusable 4 MiB
// input buffer inside the module's memory (Analyzer.inputBuffer) and handed over in 4 MiB
// batches (Analyzer.pushBuffer): one copy per byte, few crossings into the wasm, no
// allocation per chunk. The browser keeps filling the stream while the wasm works on a
// batch. One file at a time, in order, into one Analyzer.
//
// main -> worker  {type:'reset', config}        new Analyzer (TOML text, '' = defaults)
//                 {type:'add', id, file, name}   queue a file (name: as shown, folder path included)
//                 {type:'cancel', id}            stop a queued or running file
// worker -> main  {type:'ready', version}
//                 {type:'config-error', message}
//                 {type:'progress', id, bytes, total, ms, memory}   memory: wasm linear memory, bytes
//                 {type:'done', id, status, message, bytes, ms, wasmMs, memory, findings}
//                     wasmMs: time spent inside Analyzer.push/endInput (the rest of ms is reading)
//                     status: done | cancelled | error | findings-file
//                 {type:'fatal', message}

import init, { Analyzer, findingsFromJson, version } from '../pkg/mailrep_web.js';

const PROGRESS_EVERY_MS = 100;
/** Bytes handed to the wasm per call (the size of its input buffer). */
const BATCH_BYTES = 4 * 1024 * 1024;
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
  } else if (m.type === 'add') {
    queue.push(m);
    pump();
  } else if (m.type === 'cancel') {
    cancelled.add(m.id);
  }
};

async function pump() {
  if (busy) return;
  busy = true;
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

async function analyzeFile({ id, file, name }) {
  const t0 = performance.now();
  const reader = file.stream().getReader();
  let ptr = analyzer.inputBuffer(BATCH_BYTES);
  let fill = 0; // bytes of the input buffer filled and not yet pushed
  let bytes = 0; // bytes pushed
  let started = false;
  let wasmMs = 0;
  let last = t0;
  let status = 'done';
  let message = '';
  /** Hands the filled part of the input buffer to the wasm. */
  const flush = () => {
    const p0 = performance.now();
    analyzer.pushBuffer(fill);
    wasmMs += performance.now() - p0;
    bytes += fill;
    fill = 0;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (let off = 0; off < value.length;) {
        const n = Math.min(value.length - off, BATCH_BYTES - fill);
        // A fresh view each time: a call into the module may have grown (detached) its memory.
        new Uint8Array(wasm.memory.buffer, ptr + fill, n).set(value.subarray(off, off + n));
        fill += n;
        off += n;
        if (fill === BATCH_BYTES) {
          if (!started) {
            const r = await startInput(file, name, reader, ptr, fill, t0);
            if (r) return r;
            started = true;
          }
          flush();
        }
      }
      const now = performance.now();
      if (now - last >= PROGRESS_EVERY_MS) {
        last = now;
        self.postMessage({ type: 'progress', id, bytes: bytes + fill, total: file.size, ms: now - t0, memory: memory() });
        // Reads of a file already in memory resolve as microtasks: let a waiting 'cancel'
        // message in before going on.
        await yieldToEvents();
      }
      if (cancelled.has(id)) {
        reader.cancel().catch(() => {});
        status = 'cancelled';
        message = `cancelled after ${bytes + fill} of ${file.size} bytes; nothing of it is counted`;
        break;
      }
    }
    if (status === 'done') {
      if (!started) {
        const r = await startInput(file, name, reader, ptr, fill, t0);
        if (r) return r;
        started = true;
      }
      if (fill) flush();
    }
  } catch (err) {
    status = 'error';
    message = `could not read the file: ${err?.message || err}`;
  }
  if (!started) analyzer.beginInput(name || file.name, file.lastModified);
  const e0 = performance.now();
  // A cancelled file is undone in the core (Analyzer.abortInput): none of its lines count.
  if (status === 'cancelled') analyzer.abortInput('cancelled on the page');
  else analyzer.endInput();
  const ms = performance.now() - t0;
  wasmMs += ms - (e0 - t0);
  const findings = analyzer.snapshot();
  return { status, message, bytes, ms, wasmMs, memory: memory(), findings };
}

/**
 * Before the first batch of a file is pushed: a findings JSON document (its head, the first
 * `fill` bytes of the input buffer at `ptr`) is read whole and returned as the file's result;
 * a log starts an input (Analyzer.beginInput) and gets `undefined`.
 */
async function startInput(file, name, reader, ptr, fill, t0) {
  if (!isFindingsJson(new Uint8Array(wasm.memory.buffer, ptr, fill))) {
    analyzer.beginInput(name || file.name, file.lastModified);
    return undefined;
  }
  reader.cancel().catch(() => {});
  if (file.size > MAX_FINDINGS_FILE_BYTES) {
    return { status: 'error', message: `findings file larger than ${MAX_FINDINGS_FILE_BYTES} bytes`, bytes: 0, ms: 0 };
  }
  try {
    const findings = findingsFromJson(await file.text());
    return { status: 'findings-file', bytes: file.size, ms: performance.now() - t0, findings };
  } catch (err) {
    return { status: 'error', message: `not a readable findings file: ${err?.message || err}`, bytes: 0, ms: 0 };
  }
}
