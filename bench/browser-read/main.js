// Runs one read of the chosen file in fresh module workers (read.js) and resolves to its
// figures: one worker reading the whole file, or (halves) two workers at once, each reading
// one half (as the page's split does: www/app/worker.js, part.js), or one worker reading
// `File.slice(0, size)` (sliced) instead of the File itself.
const readPart = (blob, method, size) => new Promise((resolve, reject) => {
  const w = new Worker(new URL('./read.js', import.meta.url), { type: 'module' });
  w.onmessage = (e) => { w.terminate(); resolve(e.data); };
  w.onerror = (e) => { w.terminate(); reject(new Error(e.message)); };
  w.postMessage({ file: blob, method, size });
});

window.readOnce = async (method, size, mode) => {
  const file = document.getElementById('f').files[0];
  if (mode === 'sliced') return readPart(file.slice(0, file.size), method, size);
  if (mode !== 'halves') return readPart(file, method, size);
  const t0 = performance.now();
  const mid = Math.floor(file.size / 2);
  const rs = await Promise.all([readPart(file.slice(0, mid), method, size), readPart(file.slice(mid), method, size)]);
  return { bytes: rs[0].bytes + rs[1].bytes, reads: rs[0].reads + rs[1].reads, check: rs[0].check ^ rs[1].check, ms: performance.now() - t0 };
};
