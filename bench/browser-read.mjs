// bench/browser-read.mjs -- run by bench/browser-read.sh. Reads LOG in headless Chromium
// (bench/browser-read/: a page that only reads the file in a worker) ROUNDS times per method
// and prints the wall time and the CPU time of Chromium's threads during each read, summed per
// process type and thread name from /proc (user + system, 10 ms ticks).
import { chromium } from '../tests/browser/node_modules/playwright-core/index.mjs';
import fs from 'node:fs';

const { BASE_URL, LOG, ROUNDS } = process.env;

/** CPU ms per "process type:thread name" of every Chromium process. */
function cpuByThread() {
  const out = new Map();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('chromium')) continue;
      const type = (/--type=([a-z-]+)/.exec(cmd) || [, 'browser'])[1];
      for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
        const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const key = `${type}:${name}`;
        out.set(key, (out.get(key) || 0) + (Number(f[11]) + Number(f[12])) * 10);
      }
    } catch { /* the process or thread ended */ }
  }
  return out;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'],
});
const page = await browser.newPage();
await page.goto(BASE_URL);
await page.setInputFiles('#f', LOG);
const methods = [['stream', 2 << 20], ['stream', 16 << 20], ['slice', 16 << 20], ['whole', 0]];
const rows = new Map();
for (let round = 0; round < Number(ROUNDS || 3); round++) {
  for (const [method, size] of methods) {
    const before = cpuByThread();
    const r = await page.evaluate(([m, s]) => window.readOnce(m, s), [method, size]);
    const after = cpuByThread();
    const threads = [...after].map(([k, v]) => [k, v - (before.get(k) || 0)]).filter(([, v]) => v > 0);
    const cpu = threads.reduce((s, [, v]) => s + v, 0);
    const label = size ? `${method} ${size >> 20} MiB` : method;
    if (!rows.has(label)) rows.set(label, []);
    rows.get(label).push({ ms: r.ms, cpu });
    threads.sort((a, b) => b[1] - a[1]);
    console.log(`${label}: ${r.ms.toFixed(0)} ms wall, ${cpu} ms CPU (${threads.slice(0, 4).map(([k, v]) => `${k} ${v}`).join(', ')}), ${r.bytes} bytes`);
  }
}
await browser.close();
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
for (const [label, rs] of rows) {
  console.log(`median ${label}: ${median(rs.map((r) => r.ms)).toFixed(0)} ms wall, ${median(rs.map((r) => r.cpu))} ms CPU of Chromium's threads`);
}
