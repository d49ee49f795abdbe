// bench/page.mjs -- run by bench/page.sh. Drops one big log on the page in headless Chromium
// (file input; Chromium reads it from disk, no copy through the driver), waits for the result
// and prints the figures.

import { chromium } from '../tests/browser/node_modules/playwright-core/index.mjs';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { cpuByThread, cpuSince, describeCpu } from './chromium-cpu.mjs';
import { fileURLToPath } from 'node:url';

const { BASE_URL, LOG, CONFIG, RUNS, NATIVE_MS, NATIVE_JSON, WWW } = process.env;
const size = fs.statSync(LOG).size;
// The page stores settings twice: the TOML and its JSON form, made by the tools module's
// parseConfig, which the analysis module takes (www/app/settings.js). Stored as the page stores
// them, so the session needs no tools module.
const toolsModule = createRequire(import.meta.url)(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../target/pkg-node/mailrep_web_tools.js'));
const CONFIG_JSON = toolsModule.parseConfig(CONFIG).json;
const mb = (b) => (b / 1e6).toFixed(1);

/** Peak summed RSS of the process tree below this node process (Chromium's processes), sampled every 100 ms. */
function rssSampler(rootPid) {
  let peak = 0;
  const tree = () => {
    const kids = new Map();
    for (const d of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (!kids.has(ppid)) kids.set(ppid, []);
        kids.get(ppid).push(Number(d));
      } catch { /* gone */ }
    }
    const out = [];
    const walk = (p) => { out.push(p); for (const k of kids.get(p) || []) walk(k); };
    walk(rootPid);
    return out.filter((p) => p !== rootPid);
  };
  const rss = (pid) => {
    try { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024; } catch { return 0; }
  };
  const t = setInterval(() => { peak = Math.max(peak, tree().reduce((s, p) => s + rss(p), 0)); }, 100);
  return { stop: () => { clearInterval(t); return peak; } };
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    ...(process.env.CHROMIUM_ARGS ? process.env.CHROMIUM_ARGS.split(' ') : [])],
});
const results = [];
// RUNS runs for the throughput, then one more for the peak memory: its samplers (the page's JS
// heap through the DevTools protocol every 200 ms, the processes' RSS from /proc every 100 ms)
// take CPU from the two cores the page runs on, so the timed runs go without them.
// MEMORY_RUN=0: no memory run (bench/page-pairs.sh).
const memoryRun = process.env.MEMORY_RUN !== '0';
let memory = null;
const runs = Number(RUNS || 1) + (memoryRun ? 1 : 0);
for (let run = 0; run < runs; run++) {
  const sampling = memoryRun && run === runs - 1;
  const context = await browser.newContext();
  await context.addInitScript(([cfg, json]) => {
    localStorage.setItem('mailrep.config', cfg);
    localStorage.setItem('mailrep.config.json', json);
  }, [CONFIG, CONFIG_JSON]);
  const page = await context.newPage();
  const transfer = new Map();
  page.on('response', async (r) => {
    try { transfer.set(new URL(r.url()).pathname, (await r.body()).length); } catch { /* no body */ }
  });
  const tLoad = Date.now();
  await page.goto(BASE_URL + (process.env.PAGE_QUERY || ''));
  await page.waitForSelector('html[data-ready=true]');
  const landing = [...transfer.entries()];
  // The page starts its analysis worker when it is idle and warms the wasm up (files.js
  // prestart, worker.js warmUp); a user takes seconds to pick a file, so the drop comes after
  // it (WARM=0: drop at once, as a user who drops within the first second would).
  let warm = null;
  if (process.env.WARM !== '0') {
    await page.waitForSelector('html[data-warm=true]', { state: 'attached', timeout: 60_000 });
    warm = await page.evaluate(() => performance.getEntriesByName('mailrep:warm')[0].detail);
    warm.sinceLoad = Date.now() - tLoad;
  }
  const idle = [...transfer.entries()].filter(([p]) => !landing.some(([q]) => q === p));
  const cdp = sampling ? await context.newCDPSession(page) : null;
  if (cdp) await cdp.send('Performance.enable');
  let heapPeak = 0;
  const heapTimer = sampling && setInterval(async () => {
    try {
      const { metrics } = await cdp.send('Performance.getMetrics');
      heapPeak = Math.max(heapPeak, metrics.find((m) => m.name === 'JSHeapUsedSize').value);
    } catch { /* closing */ }
  }, 200);
  const rss = sampling ? rssSampler(process.pid) : { stop: () => 0 };
  // PHASES=1: Chromium's CPU sampled every 50 ms, to split it at the page's marks (below).
  const samples = [];
  const sampler = process.env.PHASES === '1'
    ? setInterval(() => samples.push({ t: Date.now(), cpu: cpuByThread() }), 50) : null;
  const cpu0 = cpuByThread();
  const t0 = Date.now();
  await page.setInputFiles('#file-input', LOG);
  await page.waitForSelector('#file-table tbody tr[data-status=done]', { state: 'attached', timeout: 600_000 });
  await page.waitForSelector('#verdict-cards');
  const wall = Date.now() - t0;
  clearInterval(heapTimer);
  const rssPeak = rss.stop();
  const marks = await page.evaluate(() => {
    const one = (n) => performance.getEntriesByName(n)[0];
    const added = one('mailrep:files-added').startTime;
    const done = performance.getEntriesByName('mailrep:file-done').map((m) => m.detail);
    const mem = Math.max(0, ...performance.getEntriesByName('mailrep:progress').map((m) => m.detail.memory || 0), ...done.map((d) => d.memory || 0));
    return { firstResultMs: one('mailrep:first-findings').startTime - added, done, wasmMemory: mem };
  });
  const attempts = await page.$eval('#coverage', (p) => p.textContent);
  const cpu = cpuSince(cpu0, cpuByThread());
  if (sampler) {
    clearInterval(sampler);
    const at = await page.evaluate(() => {
      const t = (n) => performance.timeOrigin + performance.getEntriesByName(n)[0].startTime;
      const d = performance.getEntriesByName('mailrep:file-done')[0];
      return { added: t('mailrep:files-added'), done: performance.timeOrigin + d.startTime, start: performance.timeOrigin + d.startTime - d.detail.ms };
    });
    const near = (t) => samples.reduce((b, x) => (Math.abs(x.t - t) < Math.abs(b.t - t) ? x : b), samples[0]);
    const phase = (a, b) => describeCpu(cpuSince(near(a).cpu, near(b).cpu), 8);
    console.log(`phases (CPU sampled every 50 ms; worker's file: ${(at.done - at.start).toFixed(0)} ms):`);
    console.log(`  setInputFiles -> files-added ${(at.added - t0).toFixed(0)} ms: ${phase(t0, at.added)}`);
    console.log(`  files-added -> worker starts the file ${(at.start - at.added).toFixed(0)} ms: ${phase(at.added, at.start)}`);
    console.log(`  the worker's file: ${phase(at.start, at.done)}`);
    console.log(`  file-done -> cards ${(t0 + wall - at.done).toFixed(0)} ms: ${phase(at.done, t0 + wall)}`);
  }
  if (sampling) memory = { heapPeak, rssPeak };
  else results.push({ wall, marks, attempts, landing, idle, warm, cpu, all: [...transfer.entries()] });
  await context.close();
}
await browser.close();

const r = results.sort((a, b) => a.marks.done[0].ms - b.marks.done[0].ms)[0];
const worker = r.marks.done[0];
const pageRate = worker.bytes / worker.ms / 1e3;
const nativeRate = size / Number(NATIVE_MS) / 1e3;
const gz = (p) => zlib.gzipSync(fs.readFileSync(path.join(WWW, p)), { level: 9 }).length;
const sum = (xs) => xs.reduce((s, x) => s + x, 0);
const landingRaw = sum(r.landing.map(([, n]) => n));
const landingGz = sum(r.landing.map(([p]) => gz(p === '/' ? 'index.html' : p.slice(1))));
const wasmFiles = r.all.filter(([p]) => !r.landing.some(([q]) => q === p) && !r.idle.some(([q]) => q === p) && !p.startsWith('/sample/'));
const list = (xs) => xs.map(([p, n]) => `${p} ${(n / 1e3).toFixed(0)} kB raw / ${(gz(p.slice(1)) / 1e3).toFixed(0)} kB gzip`).join(', ') || 'nothing';
const native = JSON.parse(fs.readFileSync(NATIVE_JSON, 'utf8')).delivery.stats.attempts;

console.log(r.warm
  ? `warm-up: waited for the page's warm-up before each drop (html[data-warm]); it analysed ${mb(r.warm.bytes)} MB of synthetic log in ${results.map((x) => x.warm.ms.toFixed(0)).join(', ')} ms (runs), ready ${results.map((x) => x.warm.sinceLoad).join(', ')} ms after navigation; wasm memory after it ${mb(r.warm.memory)} MB`
  : 'warm-up: not waited for (WARM=0): the file was dropped as soon as the page was ready');
console.log(`input: ${path.basename(LOG)}, ${mb(size)} MB, ${native.toLocaleString('en-US')} delivery attempts (native); page shows: ${r.attempts}`);
// worker ms: the analysis worker's time for the file, from asking for its first bytes to its
// end (reader.js reads on another thread meanwhile); inside the wasm: Analyzer.pushBuffer +
// endInput; waiting: the analysis worker idle until the reader's next buffer; copies: the
// buffers copied into the module's memory. The rest: messages and progress.
// Split (worker.js, part.js): the analysis worker's Analyzer pushed the bytes before `split`,
// the part worker's the rest; wasmMs is then the first half's (+ absorbPart + endInput).
const split = worker.parts === 2;
const ownBytes = split ? worker.bytes - worker.partBytes : worker.bytes;
console.log(`page (worker: File.stream() -> wasm): ${worker.ms.toFixed(0)} ms = ${pageRate.toFixed(0)} MB/s`
  + (worker.wasmMs ? `; inside the wasm (push + ${split ? 'absorbPart + ' : ''}endInput): ${worker.wasmMs.toFixed(0)} ms = ${(ownBytes / worker.wasmMs / 1e3).toFixed(0)} MB/s`
    + (split ? ` of its ${mb(ownBytes)} MB` : '') : ''));
if (worker.parts === undefined) {
  console.log('split: the page does not report it (an older page)');
} else if (split) {
  console.log(`split: two halves on two threads (parts=2, split at byte ${worker.split.toLocaleString('en-US')}): `
    + `part worker ${mb(worker.partBytes)} MB in ${worker.partMs.toFixed(0)} ms, inside its wasm ${worker.partWasmMs.toFixed(0)} ms = ${(worker.partBytes / worker.partWasmMs / 1e3).toFixed(0)} MB/s; `
    + `the analysis worker waited ${worker.partWaitMs.toFixed(0)} ms for it after its half; absorbPart ${worker.absorbMs.toFixed(1)} ms; part worker's wasm memory ${mb(worker.partMemory)} MB`);
} else {
  console.log(`split: not used (parts=1${worker.split ? `; split at byte ${worker.split} but the part was not absorbed${worker.partMs !== undefined ? ' (refused by absorbPart)' : ' (the part failed)'}` : ''})`);
}
if (worker.waitMs !== undefined) {
  const partWait = worker.partWaitMs || 0;
  console.log(`  of the worker ms: waiting for the reader ${worker.waitMs.toFixed(0)} ms, copies into the wasm ${worker.copyMs.toFixed(0)} ms, `
    + (worker.partWaitMs !== undefined ? `waiting for the part ${partWait.toFixed(0)} ms, ` : '')
    + `rest ${(worker.ms - worker.wasmMs - worker.waitMs - worker.copyMs - partWait).toFixed(0)} ms`);
}
console.log(`page runs (worker ms / inside the wasm ms${split ? ' / part worker ms' : ''}, parts; best first): ${results.map((x) => {
  const d = x.marks.done[0];
  return `${d.ms.toFixed(0)}/${d.wasmMs.toFixed(0)}${d.partMs !== undefined ? `/${d.partMs.toFixed(0)}` : ''} (${d.parts ?? '?'})`;
}).join(', ')}`);
// Where the two cores went from the drop to the cards (the page's threads and Chromium's own,
// the file's reading included; the 100 ms samplers of this driver are not in it).
console.log(`Chromium's threads, drop -> cards (best run): ${describeCpu(r.cpu, 8)}`);
console.log(`native CLI (wall, incl. start-up):     ${NATIVE_MS} ms = ${nativeRate.toFixed(0)} MB/s; page/native = ${(pageRate / nativeRate * 100).toFixed(0)} %`);
console.log(`drop -> first result on screen: ${r.marks.firstResultMs.toFixed(0)} ms (one file: the first result is the whole file); setInputFiles -> cards visible: ${r.wall} ms`);
console.log(`peak wasm linear memory (worker): ${mb(r.marks.wasmMemory)} MB${worker.partMemory ? ` + part worker ${mb(worker.partMemory)} MB` : ''}; `
  + (memory ? `in one more run with the memory samplers: peak page JS heap ${mb(memory.heapPeak)} MB, peak RSS of all Chromium processes ${mb(memory.rssPeak)} MB` : 'JS heap and RSS not sampled (MEMORY_RUN=0)'));
console.log(`transfer, landing page: ${(landingRaw / 1e3).toFixed(0)} kB raw, ${(landingGz / 1e3).toFixed(0)} kB gzip -9 (${r.landing.length} files)`);
if (r.warm) {
  console.log(`transfer, idle page (analysis worker started early, seen by the driver): ${list(r.idle)}`);
  console.log(`transfer, on first drop: ${list(wasmFiles)}`);
} else {
  console.log(`transfer, on first drop (incl. the idle start): ${list([...r.idle, ...wasmFiles])}`);
}
// The whole session by module (gzip -9 of each file fetched): the analysis module every session
// needs, and the cold features' module (mailrep_web_tools), which a session fetches only for
// settings, import, exports or share links. This bench stores settings (CONFIG): the page reads
// them at start with the analysis module (settingsFacts), so the landing line includes that
// module, and the typical session holds every file but the tools module's.
const fetched = r.all.filter(([p]) => !p.startsWith('/sample/'));
const gzOf = (xs) => sum(xs.map(([p]) => gz(p === '/' ? 'index.html' : p.slice(1))));
const isTools = ([p]) => p.includes('mailrep_web_tools');
const typical = fetched.filter((x) => !isTools(x));
const tools = fetched.filter(isTools);
const wasmGz = (xs) => gzOf(xs.filter(([p]) => p.endsWith('.wasm')));
console.log(`transfer, typical session (land with stored settings, drop files, read the views; no export): ${(gzOf(typical) / 1e3).toFixed(0)} kB gzip -9 `
  + `(${typical.length} files; analysis module .wasm ${(wasmGz(typical) / 1e3).toFixed(0)} kB)`);
console.log(`transfer, cold features' module on first use (settings, import, exports, share): +${(gzOf(tools) / 1e3).toFixed(0)} kB gzip -9 `
  + `(.wasm ${(wasmGz(tools) / 1e3).toFixed(0)} kB)${tools.length ? '' : ' (not fetched in this run)'}`);
