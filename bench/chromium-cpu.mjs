// bench/chromium-cpu.mjs -- CPU time of Chromium's threads, from /proc (for bench/page.mjs and
// bench/browser-read.mjs): where the machine's cores go while the page reads and analyses.
import fs from 'node:fs';

/** CPU ms (user + system, 10 ms ticks) per "process type:thread name" of every Chromium process. */
export function cpuByThread() {
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

/** The CPU ms spent between two `cpuByThread()` readings: [thread, ms] sorted, most first, and the sum. */
export function cpuSince(before, after) {
  const threads = [...after].map(([k, v]) => [k, v - (before.get(k) || 0)]).filter(([, v]) => v > 0);
  threads.sort((a, b) => b[1] - a[1]);
  return { threads, total: threads.reduce((s, [, v]) => s + v, 0) };
}

/** "total ms CPU (the first `n` threads)". */
export function describeCpu({ threads, total }, n = 6) {
  return `${total} ms CPU (${threads.slice(0, n).map(([k, v]) => `${k} ${v}`).join(', ')})`;
}
