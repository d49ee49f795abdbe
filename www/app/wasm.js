// The WebAssembly modules on the page's main thread, each loaded on first use so the landing
// page paints at once; the heavy work (analysis) runs in worker.js. `core()`: the analysis
// module (the worker's too, so one fetch): network labels, bucket choices, settings facts; it
// reads no findings (the filtered views of the analysis' findings, and of a dropped findings
// file, are the worker's: files.view). `tools()`: the cold features' module (settings form and
// import, redaction, HTML report, CSV, share links, Markdown, and the Views of a summary link),
// fetched only when one of them is used.

let loaded = null;
let toolsLoaded = null;

/** The analysis module (mailrep_web), initialised. */
export function core() {
  loaded ??= import('../pkg/mailrep_web.js').then(async (m) => {
    await m.default();
    return m;
  });
  return loaded;
}

/** The cold features' module (mailrep_web_tools), initialised. */
export function tools() {
  toolsLoaded ??= import('../pkg/mailrep_web_tools.js').then(async (m) => {
    await m.default();
    return m;
  });
  return toolsLoaded;
}
