// The part worker: analyses the second half of a big plain log while the analysis worker
// (worker.js) analyses the first, so that a file uses both cores. worker.js starts it as a
// nested module Web Worker named 'mailrep-part' (a script of the page's own origin: CSP
// `worker-src 'self'`) when it starts, and sends it the analysis module already compiled (a
// WebAssembly.Module, structured-cloned: the browser shares the compiled code, and the code
// the warm-up had optimised, instead of fetching and compiling the module again).
//
// A part is the bytes of a log after a split point (the byte after a '\n' near the middle,
// chosen by worker.js). It is read here, in this thread, with reader.js's readFile into a
// small pool of buffers (memory bounded whatever the size, as in the analysis worker), pushed
// into a fresh Analyzer built with the analysis worker's settings (Analyzer.beginPart), and
// its counting state encoded (Analyzer.endPart) is sent back; worker.js hands it to its own
// Analyzer (Analyzer.absorbPart), which counts it exactly as if it had pushed those bytes
// itself, or refuses it (then worker.js reads and pushes the part itself).
//
// worker -> part  {type:'init', module}           instantiate the analysis module (a WebAssembly.Module)
//                 {type:'part', id, blob, name, lastModified, config}
//                     analyse `blob` (the file from the split point on) as the continuation of
//                     the log input `name` (settings: the Analyzer's JSON form, '' = defaults)
//                 {type:'cancel', id}             stop part `id` and drop its Analyzer
// part -> worker  {type:'ready'}                  the module is instantiated: parts can come
//                 {type:'failed', message}        it could not be instantiated (no parts then)
//                 {type:'progress', id, bytes}    bytes of the part pushed so far
//                 {type:'state', id, part, bytes, ms, wasmMs, waitMs, memory}
//                     the part's encoded state (a Uint8Array, its buffer transferred); bytes:
//                     the part's size; ms: from the 'part' message to the state; wasmMs:
//                     inside Analyzer.beginPart/pushBuffer/endPart; waitMs: waiting for the
//                     file's next bytes; memory: this worker's wasm linear memory, bytes
//                 {type:'error', id, message}     the part failed (reading or the core): the
//                                                 analysis worker reads those bytes itself
// A cancelled part gets no answer. Parts run one after another.

import init, { Analyzer } from '../pkg/mailrep_web.js';
import { BATCH_BYTES, POOL, Pool, readFile } from './reader.js';

const PROGRESS_EVERY_MS = 100;

/** The wasm exports (their memory), once 'init' instantiated the module. */
let wasm = null;
/** Buffers for reading; taken and given back within one emit here, so one or two get made. */
const pool = new Pool(POOL, BATCH_BYTES);
/**
 * The pool as readFile sees it: before each buffer it lets waiting messages in (a 'cancel'),
 * since reading and analysing share this thread (a MessageChannel task: no timer clamping).
 */
const yieldingPool = {
  take: () => yieldToEvents().then(() => pool.take()),
  put: (buf) => pool.put(buf),
  lost: () => pool.lost(),
};
const jobs = [];
const cancelled = new Set();
let busy = false;

self.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'init') {
    init({ module_or_path: m.module }).then(
      (exports) => { wasm = exports; self.postMessage({ type: 'ready' }); },
      (err) => self.postMessage({ type: 'failed', message: String(err?.message || err) }),
    );
  } else if (m.type === 'part') {
    jobs.push(m);
    run();
  } else if (m.type === 'cancel') {
    cancelled.add(m.id);
  }
};

async function run() {
  if (busy) return;
  busy = true;
  while (jobs.length) {
    const job = jobs.shift();
    if (cancelled.has(job.id)) continue;
    let r;
    try {
      r = await analysePart(job);
    } catch (err) {
      r = { type: 'error', message: String(err?.message || err) };
    }
    if (!r || cancelled.has(job.id)) continue;
    if (r.type === 'state') self.postMessage({ id: job.id, ...r }, [r.part.buffer]);
    else self.postMessage({ id: job.id, ...r });
  }
  busy = false;
}

/** Analyses one part; resolves to its 'state' message (without id), or null when cancelled. */
async function analysePart({ id, blob, name, lastModified, config }) {
  const t0 = performance.now();
  const stopped = () => cancelled.has(id);
  let a = null;
  let bytes = 0;
  let wasmMs = 0;
  let waitMs = 0;
  let last = t0;
  let failed = null;
  try {
    a = new Analyzer(config || '');
    let w0 = performance.now();
    a.beginPart(name, lastModified);
    const ptr = a.inputBuffer(BATCH_BYTES);
    wasmMs += performance.now() - w0;
    let r0 = performance.now();
    await readFile(blob, yieldingPool, (buf, len) => {
      const c0 = performance.now();
      waitMs += c0 - r0;
      if (failed || stopped()) {
        pool.put(buf);
        return;
      }
      try {
        // A fresh view each time: a call into the module may have grown (detached) its memory.
        new Uint8Array(wasm.memory.buffer, ptr, len).set(new Uint8Array(buf, 0, len));
        pool.put(buf);
        const p0 = performance.now();
        a.pushBuffer(len);
        const p1 = performance.now();
        wasmMs += p1 - p0;
        bytes += len;
        if (p1 - last >= PROGRESS_EVERY_MS) {
          last = p1;
          self.postMessage({ type: 'progress', id, bytes });
        }
      } catch (err) {
        failed = err; // stops the reading (below); thrown after it
      }
      r0 = performance.now();
    }, () => failed !== null || stopped());
    if (failed) throw failed;
    if (stopped()) return null;
    w0 = performance.now();
    const part = a.endPart();
    wasmMs += performance.now() - w0;
    return { type: 'state', part, bytes, ms: performance.now() - t0, wasmMs, waitMs, memory: wasm.memory.buffer.byteLength };
  } finally {
    // Spent after endPart, dropped when cancelled or failed.
    try { a?.free(); } catch { /* after a trap in the core; nothing to do */ }
  }
}

/** Resolves after pending messages were handled. */
function yieldToEvents() {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => { ch.port1.close(); resolve(); };
    ch.port2.postMessage(null);
  });
}
