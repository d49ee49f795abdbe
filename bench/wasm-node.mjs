// bench/wasm-node.mjs -- the page's WebAssembly core without the browser: pushes a log through
// the nodejs build (target/pkg-node, from scripts/build-web) in 760 KiB chunks, REPS times in
// one process, and prints wall and CPU time (user+sys of all threads, V8's compiler included)
// per run. The first run includes V8's tier-up; later runs are the steady state. Profile with
// `KEEP_NAMES=1 scripts/build-web` and `node --cpu-prof bench/wasm-node.mjs ...`.
//
// usage: REPS=3 node bench/wasm-node.mjs [PKG_DIR] [LOG]
//   defaults: target/pkg-node, target/bench/mail-200m.log (bench/page.sh generates it)
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const [pkg = 'target/pkg-node', log = 'target/bench/mail-200m.log'] = process.argv.slice(2);
const w = createRequire(import.meta.url)(path.resolve(pkg, 'mailrep_web.js'));
// As bench/page.sh ([time] reference_date = "2026-12-02"), in the JSON form the page hands the
// analysis module (the tools module's parseConfig(toml).json).
const config = '{"time":{"reference_date":"2026-12-02"}}';
const buf = Buffer.alloc(760 * 1024);
for (let rep = 0; rep < (Number(process.env.REPS) || 1); rep++) {
  const fd = fs.openSync(log, 'r');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const a = new w.Analyzer(config);
  a.beginInput(path.basename(log), Date.UTC(2026, 11, 1));
  let total = 0;
  for (let n; (n = fs.readSync(fd, buf, 0, buf.length, total)) > 0; total += n) a.push(buf.subarray(0, n));
  a.endInput();
  const t1 = performance.now();
  const attempts = a.finish().delivery.stats.attempts;
  const cpu = process.cpuUsage(cpu0);
  fs.closeSync(fd);
  const cpuMs = (cpu.user + cpu.system) / 1e3;
  console.log(`run ${rep + 1}: ${(total / 1e6).toFixed(1)} MB, push ${(t1 - t0).toFixed(0)} ms wall = ${(total / (t1 - t0) / 1e3).toFixed(0)} MB/s; `
    + `cpu ${cpuMs.toFixed(0)} ms = ${(total / cpuMs / 1e3).toFixed(0)} MB/s; ${attempts} delivery attempts`);
}
