// Reads Files for the analysis worker (worker.js) on a thread of its own, so that reading a
// file overlaps with analysing it. worker.js starts it as a nested module Web Worker named
// 'mailrep-reader' (a script from the page's own origin, like worker.js: CSP `worker-src
// 'self'`); when the browser cannot start one, worker.js runs `readFile` itself.
//
// A file is read with File.stream() into a small pool of ArrayBuffers (BATCH_BYTES each): a
// BYOB reader has the browser write the file's bytes straight into the buffer (a default
// reader's chunks are copied in), and each full buffer is transferred (not copied) to the
// analysis worker, which copies it into the wasm module's input buffer and transfers it back.
// When all buffers are out, reading waits: memory stays bounded (the pool, plus the stream's
// own queue) whatever the size of the file, and reading runs at most POOL buffers ahead of the
// analysis.
//
// worker -> reader  {type:'read', id, file}      read a file (files are read one after another)
//                   {type:'cancel', id}          stop reading a file
//                   {type:'buffers', buffers}    give buffers back to the pool (transferred)
// reader -> worker  {type:'chunk', id, buf, len}  the next `len` bytes of the file, at the start
//                                                 of `buf` (transferred; give it back)
//                   {type:'end', id}              no more bytes (after the last chunk)
//                   {type:'error', id, message}   the file could not be read (no 'end' follows)
// A cancelled file gets neither 'end' nor 'error'; chunks of it may still be on their way.

/** Bytes per buffer: the batch the analysis worker hands to the wasm in one call. */
export const BATCH_BYTES = 2 * 1024 * 1024;
/** Buffers in the reading worker's pool: how far (in batches) reading runs ahead. */
export const POOL = 4;

/**
 * At most `count` ArrayBuffers of `size` bytes, made when first needed and then recycled:
 * `take()` resolves to a free one (waiting for `put` when all are out), `put(buf)` gives one
 * back, `lost()` tells that one will not come back (so a new one may be made).
 */
export class Pool {
  constructor(count, size) {
    this.count = count;
    this.size = size;
    this.made = 0;
    this.free = [];
    /** Resolvers of `take()` calls waiting for a buffer, first come first served. */
    this.waiting = [];
  }

  take() {
    if (this.free.length) return Promise.resolve(this.free.pop());
    if (this.made < this.count) {
      this.made++;
      return Promise.resolve(new ArrayBuffer(this.size));
    }
    return new Promise((resolve) => { this.waiting.push(resolve); });
  }

  put(buf) {
    if (buf.byteLength !== this.size) this.lost();
    else if (this.waiting.length) this.waiting.shift()(buf);
    else this.free.push(buf);
  }

  lost() {
    if (this.waiting.length) this.waiting.shift()(new ArrayBuffer(this.size));
    else this.made--;
  }
}

/**
 * Reads `file` with File.stream() into buffers of `pool` and hands each to `emit(buf, len)`
 * (which owns it from then on) when full or at the end of the file: `len` is less than the
 * buffer's size only for the last one; an empty file emits nothing. Stops early, without
 * error, when `stopped()` turns true; resolves when done. Throws what the stream throws (a
 * file deleted or changed since it was chosen).
 */
export async function readFile(file, pool, emit, stopped) {
  const stream = file.stream();
  let byob = null;
  try {
    // A byte stream (Chromium, Firefox): the browser writes into our buffer, no copy in JS.
    byob = stream.getReader({ mode: 'byob' });
  } catch {
    byob = null;
  }
  const reader = byob || stream.getReader();
  /** Default reader: the rest of a chunk that did not fit into the previous buffer. */
  let rest = null;
  let done = false;
  /** The buffer being filled (not yet emitted). */
  let buf = null;
  try {
    while (!done && !stopped()) {
      buf = await pool.take();
      let fill = 0;
      if (rest) {
        const n = Math.min(rest.length, buf.byteLength);
        new Uint8Array(buf, 0, n).set(rest.subarray(0, n));
        fill = n;
        rest = n < rest.length ? rest.subarray(n) : null;
      }
      while (fill < buf.byteLength && !done && !stopped()) {
        if (byob) {
          const r = await byob.read(new Uint8Array(buf, fill));
          // The view's buffer was transferred to the stream and comes back in `r.value`.
          buf = r.value ? r.value.buffer : new ArrayBuffer(0);
          if (r.done) done = true;
          else fill += r.value.byteLength;
        } else {
          const r = await reader.read();
          if (r.done) {
            done = true;
          } else {
            const n = Math.min(r.value.length, buf.byteLength - fill);
            new Uint8Array(buf, fill, n).set(r.value.subarray(0, n));
            fill += n;
            if (n < r.value.length) rest = r.value.subarray(n);
          }
        }
      }
      if (fill && !stopped()) {
        const b = buf;
        buf = null;
        emit(b, fill);
      }
    }
  } finally {
    if (buf) pool.put(buf);
    if (!done) reader.cancel().catch(() => {});
  }
}

// ---- as the nested worker ----------------------------------------------------------------

if (typeof WorkerGlobalScope !== 'undefined' && self.name === 'mailrep-reader') {
  const pool = new Pool(POOL, BATCH_BYTES);
  const jobs = [];
  const cancelled = new Set();
  let busy = false;

  const run = async () => {
    if (busy) return;
    busy = true;
    while (jobs.length) {
      const { id, file } = jobs.shift();
      if (cancelled.has(id)) continue;
      try {
        await readFile(file, pool, (buf, len) => self.postMessage({ type: 'chunk', id, buf, len }, [buf]), () => cancelled.has(id));
        if (!cancelled.has(id)) self.postMessage({ type: 'end', id });
      } catch (err) {
        if (!cancelled.has(id)) self.postMessage({ type: 'error', id, message: String(err?.message || err) });
      }
    }
    busy = false;
  };

  self.onmessage = (e) => {
    const m = e.data;
    if (m.type === 'buffers') {
      for (const b of m.buffers) pool.put(b);
    } else if (m.type === 'read') {
      jobs.push(m);
      run();
    } else if (m.type === 'cancel') {
      cancelled.add(m.id);
    }
  };
}
