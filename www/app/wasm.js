// The WebAssembly core on the page's main thread, for the quick calls (settings check,
// redaction, report, CSV, share links). Loaded on first use so the landing page paints at once;
// the heavy work (analysis) runs in worker.js.

let loaded = null;

/** The wasm-bindgen module, initialised. */
export function core() {
  loaded ??= import('../pkg/mailrep_web.js').then(async (m) => {
    await m.default();
    return m;
  });
  return loaded;
}
