// Starts the workers (worker.js) that hold the chosen file in memory: one with the whole file,
// or two with a half each (cut at the first '\n' after the middle, as www/app/worker.js cuts a
// big log; the second counted as the page's part worker counts it). `runWasm(reps, halves, read)` times `reps` passes, both workers at once, each pass
// started by one message to every worker, with `read`: while a third worker reads the file
// (bench/browser-read/read.js, BYOB stream, bytes dropped): [{ms (wall, from the page, until
// the analysis ends), each: [{ms, wasmMs}], read: the reading's figures or null, both: until
// both ended}].
async function start(blob, part = false) {
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const ready = new Promise((resolve, reject) => {
    w.onmessage = (e) => resolve(e.data);
    w.onerror = (e) => reject(new Error(e.message));
  });
  w.postMessage({ blob, part });
  await ready;
  return w;
}

async function cut(file) {
  const mid = Math.floor(file.size / 2);
  const around = new Uint8Array(await file.slice(mid, mid + 65536).arrayBuffer());
  return mid + around.indexOf(0x0a) + 1;
}

/** Reads `file` in a fresh worker of bench/browser-read (BYOB, 2 MiB) and resolves to its figures. */
function readAlongside(file) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('../browser-read/read.js', import.meta.url), { type: 'module' });
    w.onmessage = (e) => { w.terminate(); resolve(e.data); };
    w.onerror = (e) => { w.terminate(); reject(new Error(e.message)); };
    w.postMessage({ file, method: 'stream', size: 2 << 20 });
  });
}

window.runWasm = async (reps, halves, read) => {
  const file = document.getElementById('f').files[0];
  const at = halves ? await cut(file) : 0;
  const workers = await Promise.all(halves ? [start(file.slice(0, at)), start(file.slice(at), true)] : [start(file)]);
  const out = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const reading = read ? readAlongside(file) : null;
    const each = await Promise.all(workers.map((w) => new Promise((resolve) => {
      w.onmessage = (e) => resolve(e.data);
      w.postMessage('pass');
    })));
    const ms = performance.now() - t0;
    out.push({ ms, each, read: reading ? await reading : null, both: performance.now() - t0 });
  }
  for (const w of workers) w.terminate();
  return out;
};
