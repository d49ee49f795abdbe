// Module Web Worker: runs the WebAssembly core. Files arrive as File objects (structured
// clone, no copy of their bytes) and are read in 4 MiB slices (Blob.slice().arrayBuffer())
// into one Analyzer, two slices read ahead while the wasm analyses the current one, so
// reading overlaps the analysis and memory stays bounded whatever the file size. One file at
// a time, in order.
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
/** Bytes per read, and reads in flight beyond the one being analysed. */
const SLICE_BYTES = 4 * 1024 * 1024;
const READ_AHEAD = 2;
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

/**
 * A reader of `file` in SLICE_BYTES slices with READ_AHEAD slices requested ahead (the browser
 * reads them while the wasm works): `read()` resolves `{done, value: Uint8Array}` like a
 * stream reader's; `cancel()` drops the rest.
 */
function sliceReader(file) {
  let offset = 0;
  const pending = [];
  const fill = () => {
    while (pending.length <= READ_AHEAD && offset < file.size) {
      const end = Math.min(offset + SLICE_BYTES, file.size);
      const p = file.slice(offset, end).arrayBuffer();
      p.catch(() => {}); // a read dropped by cancel() must not be an unhandled rejection
      pending.push(p);
      offset = end;
    }
  };
  return {
    async read() {
      fill();
      if (!pending.length) return { done: true, value: undefined };
      const value = new Uint8Array(await pending.shift());
      fill();
      return { done: false, value };
    },
    cancel() {
      pending.length = 0;
      offset = file.size;
    },
  };
}

async function analyzeFile({ id, file, name }) {
  const t0 = performance.now();
  const reader = sliceReader(file);
  let bytes = 0;
  let last = t0;
  let first = await reader.read();
  if (!first.done && isFindingsJson(first.value)) {
    reader.cancel();
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
  analyzer.beginInput(name || file.name, file.lastModified);
  let status = 'done';
  let message = '';
  let wasmMs = 0;
  try {
    for (let chunk = first; !chunk.done; chunk = await reader.read()) {
      const p0 = performance.now();
      analyzer.push(chunk.value);
      const now = performance.now();
      wasmMs += now - p0;
      bytes += chunk.value.length;
      if (now - last >= PROGRESS_EVERY_MS) {
        last = now;
        self.postMessage({ type: 'progress', id, bytes, total: file.size, ms: now - t0, memory: memory() });
        // Reads of a file already in memory resolve as microtasks: let a waiting 'cancel'
        // message in before going on.
        await yieldToEvents();
      }
      if (cancelled.has(id)) {
        reader.cancel();
        status = 'cancelled';
        message = `cancelled after ${bytes} of ${file.size} bytes; nothing of it is counted`;
        break;
      }
    }
  } catch (err) {
    status = 'error';
    message = `could not read the file: ${err?.message || err}`;
  }
  const e0 = performance.now();
  // A cancelled file is undone in the core (Analyzer.abortInput): none of its lines count.
  if (status === 'cancelled') analyzer.abortInput('cancelled on the page');
  else analyzer.endInput();
  const ms = performance.now() - t0;
  wasmMs += ms - (e0 - t0);
  const findings = analyzer.snapshot();
  return { status, message, bytes, ms, wasmMs, memory: memory(), findings };
}
