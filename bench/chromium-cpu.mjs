// bench/chromium-cpu.mjs -- CPU time of Chromium's threads, from /proc (for bench/page.mjs and
// bench/browser-read.mjs): where the machine's cores go while the page reads and analyses.
import fs from 'node:fs';

/** The name and the CPU ms (user + system, 10 ms ticks) in a /proc stat file. */
function ticks(file) {
  const stat = fs.readFileSync(file, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ms: (Number(f[11]) + Number(f[12])) * 10 };
}

/** CPU ms (user + system, 10 ms ticks) per "process type:thread name" of every Chromium process. */
export function cpuByThread() {
  const out = new Map();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('chromium')) continue;
      const type = (/--type=([a-z-]+)/.exec(cmd) || [, 'browser'])[1];
      let live = 0;
      for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
        const { name, ms } = ticks(`/proc/${pid}/task/${tid}/stat`);
        live += ms;
        out.set(`${type}:${name}`, (out.get(`${type}:${name}`) || 0) + ms);
      }
      // The process' own figure also holds its threads that have ended (a terminated worker's).
      const ended = ticks(`/proc/${pid}/stat`).ms - live;
      out.set(`${type}:(ended threads)`, (out.get(`${type}:(ended threads)`) || 0) + ended);
    } catch { /* the process or thread ended */ }
  }
  return out;
}

/** The CPU ms spent between two `cpuByThread()` readings: [thread, ms] sorted, most first, and the sum. */
export function cpuSince(before, after) {
  const all = [...after].map(([k, v]) => [k, v - (before.get(k) || 0)]);
  // The sum over every key is the processes' own figures' difference: a thread that ended
  // in between moves its time to '(ended threads)' and shows a negative difference of its own.
  const total = all.reduce((s, [, v]) => s + v, 0);
  const threads = all.filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  return { threads, total };
}

/** "total ms CPU (the first `n` threads)". */
export function describeCpu({ threads, total }, n = 6) {
  return `${total} ms CPU (${threads.slice(0, n).map(([k, v]) => `${k} ${v}`).join(', ')})`;
}
