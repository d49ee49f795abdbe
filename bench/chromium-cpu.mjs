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
      // The process' threads first, then its own figure, which also holds its threads that
      // have ended (a terminated worker's, or one that ended while this read the others):
      // the difference is counted as '(ended threads)'. Added only once all of it was read.
      const own = [];
      for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
        try {
          const { name, ms } = ticks(`/proc/${pid}/task/${tid}/stat`);
          own.push([`${type}:${name}`, ms]);
        } catch { /* the thread ended meanwhile: its time is in the process' figure */ }
      }
      const live = own.reduce((sum, [, ms]) => sum + ms, 0);
      own.push([`${type}:(ended threads)`, ticks(`/proc/${pid}/stat`).ms - live]);
      for (const [key, ms] of own) out.set(key, (out.get(key) || 0) + ms);
    } catch { /* the process ended */ }
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
