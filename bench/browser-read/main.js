// Runs one read of the chosen file in a fresh module worker (read.js) and resolves to its figures.
window.readOnce = (method, size) => new Promise((resolve, reject) => {
  const w = new Worker(new URL('./read.js', import.meta.url), { type: 'module' });
  w.onmessage = (e) => { w.terminate(); resolve(e.data); };
  w.onerror = (e) => { w.terminate(); reject(new Error(e.message)); };
  w.postMessage({ file: document.getElementById('f').files[0], method, size });
});
