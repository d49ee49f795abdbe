// bench/browser-wasm.mjs -- run by bench/browser-wasm.sh. Per round: the native CLI on LOG (wall
// time), then the page's analysis module in headless Chromium on the same bytes held in memory
// (bench/browser-wasm/): one worker with the whole file, two workers with a half each, and the
// two workers again while a third reads the file from disk beside them (bench/browser-read's
// BYOB stream; its bytes are dropped): the analysis does not wait for that reading, it only
// shares the cores with it. With bench/browser-read.sh (the reading alone) it shows where the
// page's time goes (BENCHMARKS.md "Session 11").
import { pageWithFile } from './chromium-page.mjs';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const { BASE_URL, LOG, ROUNDS, MAILREP_BIN, CONFIG_FILE } = process.env;
const size = fs.statSync(LOG).size;
const { browser, page } = await pageWithFile(BASE_URL, LOG);
const rows = { native: [], whole: [], halves: [], beside: [] };
const rate = (ms) => `${(size / ms / 1e3).toFixed(0)} MB/s`;
for (let round = 0; round < Number(ROUNDS || 5); round++) {
  const t0 = performance.now();
  const r = spawnSync(MAILREP_BIN, ['analyze', '--format', 'json', '-c', CONFIG_FILE, LOG], { stdio: ['ignore', 'ignore', 'inherit'] });
  const native = performance.now() - t0;
  if (r.status === null || r.status > 2) throw new Error(`mailrep exited with ${r.status}`);
  const [whole] = await page.evaluate(() => window.runWasm(1, false));
  const [halves] = await page.evaluate(() => window.runWasm(1, true));
  const [beside] = await page.evaluate(() => window.runWasm(1, true, true));
  rows.native.push(native);
  rows.whole.push(whole.ms);
  rows.halves.push(halves.ms);
  rows.beside.push(beside.ms);
  console.log(`round ${round + 1}: native ${native.toFixed(0)} ms; from memory, one worker ${whole.ms.toFixed(0)} ms `
    + `(inside the wasm ${whole.each[0].wasmMs.toFixed(0)}), two workers ${halves.ms.toFixed(0)} ms `
    + `(inside the wasm ${halves.each.map((x) => x.wasmMs.toFixed(0)).join(' + ')}), the same beside a reading of the file ${beside.ms.toFixed(0)} ms `
    + `(inside the wasm ${beside.each.map((x) => x.wasmMs.toFixed(0)).join(' + ')}; the reading ${beside.read.ms.toFixed(0)} ms)`);
}
await browser.close();
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const n = median(rows.native);
for (const [k, label] of [['native', 'native CLI (wall, incl. start-up and reading)'], ['whole', 'page analysis, one worker, from memory'], ['halves', 'page analysis, two workers, from memory'],
  ['beside', 'page analysis, two workers, from memory, a reading of the file beside them']]) {
  const m = median(rows[k]);
  console.log(`median ${label}: ${m.toFixed(0)} ms = ${rate(m)}${k === 'native' ? '' : `; native/this = ${(100 * n / m).toFixed(0)} %`}`);
}
