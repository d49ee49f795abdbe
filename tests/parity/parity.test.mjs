// Parity: the page's WebAssembly (nodejs build of web/) gives byte-identical findings JSON to
// `mailrep analyze --format json` for every corpus input and every example, with the same
// configuration and reference date, whatever the chunk sizes (DESIGN.md §10 layer 5).
//
// Needs: target/pkg-node (scripts/build-web) and the native binary (cargo build -p mailrep;
// MAILREP_BIN overrides). The corpus is ../shared/corpus (MAILREP_SHARED overrides); without
// it the corpus tests are skipped with a notice, except when CI is set.
//
// Run: node --test tests/parity/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// Both modules (scripts/build-web): the analysis one and the cold features' one.
const load = createRequire(import.meta.url);
const wasm = { ...load(join(root, 'target/pkg-node/mailrep_web.js')), ...load(join(root, 'target/pkg-node/mailrep_web_tools.js')) };
const bin = process.env.MAILREP_BIN ?? join(root, 'target/debug/mailrep');
const shared = process.env.MAILREP_SHARED ?? join(root, '../shared');
const corpus = join(shared, 'corpus');

/** The fixed reference date, and a File.lastModified that maps to it (the next UTC day). */
const REFERENCE = '2026-11-21';
const LAST_MODIFIED = Date.UTC(2026, 10, 20, 12, 0, 0);

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Chunk sizes from 1 byte to 64 KiB, many small ones near the start. */
function* chunks(bytes, seed) {
  const r = rng(seed);
  let i = 0;
  while (i < bytes.length) {
    const pick = r();
    const n = pick < 0.3 ? 1 + Math.floor(r() * 16) : pick < 0.6 ? 1 + Math.floor(r() * 4096) : 1 + Math.floor(r() * 65536);
    yield bytes.subarray(i, i + n);
    i += n;
  }
}

/** Files under `dir` in the CLI's order: walked recursively, sorted by name, hidden skipped. */
function walk(dir, prefix) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    const label = prefix ? `${prefix}/${name}` : name;
    if (statSync(path).isDirectory()) out.push(...walk(path, label));
    else out.push({ name: label, path });
  }
  return out;
}

function native(cwd, args, config, format = 'json') {
  const argv = ['analyze', '--format', format, '-q', '--reference-date', REFERENCE];
  if (config) argv.push('-c', config);
  const r = spawnSync(bin, [...argv, ...args], { cwd, maxBuffer: 1 << 30 });
  assert.ok([0, 1, 2].includes(r.status), `mailrep exited ${r.status}: ${r.stderr}`);
  return r.stdout.toString('utf8');
}

/** The wasm build over `inputs` ({name, path}), chunked with `seed`. */
function viaWasm(inputs, configText, seed, { snapshotEach = false } = {}) {
  // The page hands the analysis module the settings' JSON form, made by the tools module.
  const parsed = configText ? wasm.parseConfig(configText) : { ok: true, json: '' };
  assert.ok(parsed.ok, parsed.error);
  const a = new wasm.Analyzer(parsed.json);
  let snapshot;
  inputs.forEach((input, k) => {
    a.beginInput(input.name, LAST_MODIFIED);
    for (const c of chunks(readFileSync(input.path), seed + k)) a.push(c);
    a.endInput();
    if (snapshotEach) snapshot = a.snapshot();
  });
  return { json: a.finishJson(), snapshot };
}

function sameBytes(actual, expected, what) {
  if (actual === expected) return;
  const a = actual.split('\n');
  const e = expected.split('\n');
  const i = a.findIndex((line, k) => line !== e[k]);
  assert.fail(`${what}: wasm and native differ at line ${i + 1}:\n  wasm:   ${a[i]}\n  native: ${e[i]}`);
}

const counts = { single: 0, multi: 0, parts: 0 };

function corpusFiles() {
  if (!existsSync(corpus)) {
    assert.ok(!process.env.CI, `CI is set but ${corpus} is missing`);
    console.log(`notice: ${corpus} is absent; corpus parity skipped`);
    return { dmarc: [], postfix: [] };
  }
  const dmarcDir = join(corpus, 'dmarc/dev');
  const dmarc = readdirSync(dmarcDir)
    .sort()
    .filter((n) => n !== 'summary.csv' && statSync(join(dmarcDir, n)).isFile())
    .map((n) => ({ name: n, path: join(dmarcDir, n), dir: dmarcDir }));
  const postfixDir = join(corpus, 'postfix/dev');
  const postfix = readdirSync(postfixDir)
    .sort()
    .filter((n) => statSync(join(postfixDir, n)).isFile())
    .map((n) => ({ name: n, path: join(postfixDir, n), dir: postfixDir }));
  return { dmarc, postfix };
}

const { dmarc, postfix } = corpusFiles();
const examples = join(root, 'examples');
const exampleFiles = walk(examples, '');
const exampleConfig = readFileSync(join(examples, 'mailrep.toml'), 'utf8');

test('corpus: every DMARC dev file alone', () => {
  dmarc.forEach((f, k) => {
    sameBytes(viaWasm([f], '', 1000 + k).json, native(f.dir, [f.name]), f.name);
    counts.single++;
  });
});

test('corpus: every Postfix dev log alone', () => {
  postfix.forEach((f, k) => {
    sameBytes(viaWasm([f], '', 2000 + k).json, native(f.dir, [f.name]), f.name);
    counts.single++;
  });
});

test('examples: every file alone, with and without the example configuration', () => {
  exampleFiles.forEach((f, k) => {
    sameBytes(viaWasm([f], '', 3000 + k).json, native(examples, [f.name]), f.name);
    sameBytes(
      viaWasm([f], exampleConfig, 4000 + k).json,
      native(examples, [f.name], 'mailrep.toml'),
      `${f.name} with mailrep.toml`,
    );
    counts.single += 2;
  });
});

test('multi-file runs: examples together; corpus folders together', () => {
  // The README's example run: logs and the reports folder with the example configuration.
  const order = ['mail.log.1.gz', 'mail.log', 'reports'];
  const inputs = order.flatMap((n) =>
    statSync(join(examples, n)).isDirectory() ? walk(join(examples, n), n) : [{ name: n, path: join(examples, n) }],
  );
  const { json, snapshot } = viaWasm(inputs, exampleConfig, 5000, { snapshotEach: true });
  const expected = native(examples, order, 'mailrep.toml');
  sameBytes(json, expected, 'examples together');
  // A snapshot after the last input is the finished findings.
  sameBytes(wasm.findingsToJson(snapshot), expected, 'snapshot after the last input');
  // The exports are the same renderers: HTML report and CSV, also after redaction.
  const read = wasm.Views.fromJson(json);
  const findings = read.findings();
  read.free();
  sameBytes(wasm.renderHtmlReport(findings), native(examples, order, 'mailrep.toml', 'html'), 'HTML report');
  sameBytes(wasm.deliveryCsv(findings), native(examples, order, 'mailrep.toml', 'csv'), 'CSV');
  for (const preset of ['internal', 'vendor_support', 'public']) {
    sameBytes(
      wasm.findingsToJson(wasm.redactFindings(findings, preset)),
      native(examples, [...order, '--redact', preset], 'mailrep.toml'),
      `redacted ${preset}`,
    );
  }
  counts.multi++;
  for (const [label, files, seed] of [
    ['dmarc/dev together', dmarc, 6000],
    ['postfix/dev together', postfix, 7000],
  ]) {
    if (files.length === 0) continue;
    sameBytes(viaWasm(files, '', seed).json, native(files[0].dir, files.map((f) => f.name)), label);
    counts.multi++;
  }
});

/**
 * The page's way with a large plain log: cut after the first '\n' at or after the middle, the
 * second part counted by a second Analyzer (beginPart/endPart, as the page's part worker
 * does), absorbed by the first (absorbPart). Returns the findings JSON, or null when the file
 * is not a plain log or too short to cut.
 */
function viaParts(before, input, configText, seed) {
  const bytes = readFileSync(input.path);
  if (!wasm.splittableLog(bytes.subarray(0, 4096))) return null;
  const nl = bytes.indexOf(0x0a, Math.max(4096, bytes.length >> 1));
  if (nl < 0 || nl + 1 >= bytes.length) return null;
  const cut = nl + 1;
  const json = configText ? wasm.parseConfig(configText).json : '';
  const part = new wasm.Analyzer(json);
  part.beginPart(input.name, LAST_MODIFIED);
  for (const c of chunks(bytes.subarray(cut), seed)) part.push(c);
  const state = part.endPart();
  part.free();
  const a = new wasm.Analyzer(json);
  before.forEach((b, k) => {
    a.beginInput(b.name, LAST_MODIFIED);
    for (const c of chunks(readFileSync(b.path), seed + 1 + k)) a.push(c);
    a.endInput();
  });
  a.beginInput(input.name, LAST_MODIFIED);
  for (const c of chunks(bytes.subarray(0, cut), seed + 100)) a.push(c);
  assert.ok(a.absorbPart(state), `${input.name}: part not absorbed`);
  a.endInput();
  return a.finishJson();
}

test('plain logs in two parts (the page\'s second worker) give the same findings', () => {
  for (const [k, f] of [...postfix, { name: 'mail.log', path: join(examples, 'mail.log'), dir: examples }].entries()) {
    const json = viaParts([], f, '', 8000 + k);
    if (json === null) continue;
    sameBytes(json, native(f.dir, [f.name]), `${f.name} in two parts`);
    counts.parts++;
  }
  // After another input, with the example configuration (the README's run, mail.log cut).
  const gz = { name: 'mail.log.1.gz', path: join(examples, 'mail.log.1.gz') };
  const json = viaParts([gz], { name: 'mail.log', path: join(examples, 'mail.log') }, exampleConfig, 9000);
  sameBytes(json, native(examples, ['mail.log.1.gz', 'mail.log'], 'mailrep.toml'), 'mail.log.1.gz then mail.log in two parts');
  counts.parts++;
  assert.ok(counts.parts >= 3, `${counts.parts} logs cut`);
});

test('counts', () => {
  console.log(`parity: ${counts.single} single-input runs and ${counts.multi} multi-input runs byte-identical, ${counts.parts} logs also in two parts (plus the HTML report, CSV and 3 redacted findings of the example run)`);
  assert.ok(counts.single >= exampleFiles.length * 2);
});
