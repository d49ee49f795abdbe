// bench/browser-read.mjs -- run by bench/browser-read.sh. Reads LOG in headless Chromium
// (bench/browser-read/: a page that only reads the file in a worker) ROUNDS times per method
// and prints the wall time and the CPU time of Chromium's threads during each read, summed per
// process type and thread name from /proc (user + system, 10 ms ticks).
import { pageWithFile } from './chromium-page.mjs';
import { cpuByThread, cpuSince, describeCpu } from './chromium-cpu.mjs';

const { BASE_URL, LOG, ROUNDS } = process.env;

const { browser, page } = await pageWithFile(BASE_URL, LOG);
const methods = (process.env.METHODS || 'stream:2,stream:16,default:0,slice:16,sync:2,sync:16,whole:0')
  .split(',').map((m) => { const [name, mib, mode] = m.split(':'); return [name, Number(mib) << 20, mode || '']; });
const rows = new Map();
for (let round = 0; round < Number(ROUNDS || 3); round++) {
  for (const [method, size, mode] of methods) {
    const before = cpuByThread();
    const r = await page.evaluate(([m, s, h]) => window.readOnce(m, s, h), [method, size, mode]);
    const used = cpuSince(before, cpuByThread());
    const cpu = used.total;
    const label = (size ? `${method} ${size >> 20} MiB` : method) + ({ halves: ' (two halves at once)', sliced: ' (File.slice(0, size))' }[mode] || '');
    if (!rows.has(label)) rows.set(label, []);
    rows.get(label).push({ ms: r.ms, cpu });
    console.log(`${label}: ${r.ms.toFixed(0)} ms wall, ${describeCpu(used, 4)}, ${r.bytes} bytes in ${r.reads} reads`);
  }
}
await browser.close();
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
for (const [label, rs] of rows) {
  console.log(`median ${label}: ${median(rs.map((r) => r.ms)).toFixed(0)} ms wall, ${median(rs.map((r) => r.cpu))} ms CPU of Chromium's threads`);
}
