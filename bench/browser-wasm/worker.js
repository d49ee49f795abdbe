// Holds a blob's bytes in memory and analyses them on each 'pass' message with a fresh
// Analyzer, in 2 MiB batches copied into the module's input buffer (Analyzer.inputBuffer /
// pushBuffer, as www/app/worker.js does); a blob given with `part: true` is the second half of
// a split log and is counted as the page's part worker counts it (Analyzer.beginPart /
// endPart; the page's absorbPart, 8-18 ms for this log, is not in it). The first pass,
// untimed, runs on the first message (V8 tiers the hot functions up); each later one answers
// {ms, wasmMs}.
import init, { Analyzer } from '../../www/pkg/mailrep_web.js';

const BATCH = 2 * 1024 * 1024;
const CONFIG = '{"time":{"reference_date":"2026-12-02"}}';
let wasm = null;
let bytes = null;
let part = false;

self.onmessage = async (e) => {
  if (e.data === 'pass') {
    self.postMessage(pass());
    return;
  }
  wasm = await init();
  part = e.data.part === true;
  bytes = new Uint8Array(await e.data.blob.arrayBuffer());
  pass();
  self.postMessage('ready');
};

function pass() {
  const a = new Analyzer(CONFIG);
  if (part) a.beginPart('mail.log', Date.UTC(2026, 11, 1));
  else a.beginInput('mail.log', Date.UTC(2026, 11, 1));
  const ptr = a.inputBuffer(BATCH);
  const t0 = performance.now();
  let wasmMs = 0;
  for (let o = 0; o < bytes.length; o += BATCH) {
    const n = Math.min(BATCH, bytes.length - o);
    new Uint8Array(wasm.memory.buffer, ptr, n).set(bytes.subarray(o, o + n));
    const p0 = performance.now();
    a.pushBuffer(n);
    wasmMs += performance.now() - p0;
  }
  if (part) a.endPart();
  else a.endInput();
  const ms = performance.now() - t0;
  a.free();
  return { ms, wasmMs };
}
