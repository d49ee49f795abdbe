// Starts the workers (worker.js) that hold the chosen file in memory: one with the whole file,
// or two with a half each (cut at the first '\n' after the middle, as www/app/worker.js cuts a
// big log). `runWasm(reps, halves)` times `reps` passes, both workers at once, each pass
// started by one message to every worker: [{ms (wall, from the page), each: [{ms, wasmMs}]}].
async function start(blob) {
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const ready = new Promise((resolve, reject) => {
    w.onmessage = (e) => resolve(e.data);
    w.onerror = (e) => reject(new Error(e.message));
  });
  w.postMessage({ blob });
  await ready;
  return w;
}

async function cut(file) {
  const mid = Math.floor(file.size / 2);
  const window = new Uint8Array(await file.slice(mid, mid + 65536).arrayBuffer());
  return mid + window.indexOf(0x0a) + 1;
}

window.runWasm = async (reps, halves) => {
  const file = document.getElementById('f').files[0];
  const at = halves ? await cut(file) : 0;
  const workers = await Promise.all(halves ? [start(file.slice(0, at)), start(file.slice(at))] : [start(file)]);
  const out = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const each = await Promise.all(workers.map((w) => new Promise((resolve) => {
      w.onmessage = (e) => resolve(e.data);
      w.postMessage('pass');
    })));
    out.push({ ms: performance.now() - t0, each });
  }
  for (const w of workers) w.terminate();
  return out;
};
