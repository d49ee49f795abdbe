// The JS API of the page's WebAssembly (nodejs build): the calls www/ makes, with the values
// that matter. Needs target/pkg-node (scripts/build-web).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeSharePayload } from '../../www/app/sharelink.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// Both modules (scripts/build-web): the analysis one and the cold features' one, as the page has them.
const load = createRequire(import.meta.url);
const analysis = load(join(root, 'target/pkg-node/mailrep_web.js'));
const toolsModule = load(join(root, 'target/pkg-node/mailrep_web_tools.js'));
// `Views` of the merged object is the tools module's (from a JS object); the analysis
// module's is made by `Analyzer.views` alone.
const w = { ...analysis, ...toolsModule };
/** A findings file's findings, as the page's worker reads one (the tools module's Views.fromJson). */
const findingsFromJson = (text) => {
  const v = w.Views.fromJson(text);
  try {
    return v.findings();
  } finally {
    v.free();
  }
};
const examples = join(root, 'examples');
const hostile = join(root, 'tests/fixtures/hostile');
const LAST_MODIFIED = Date.UTC(2026, 10, 20, 12, 0, 0);

/** The JSON form of a mailrep.toml, as the page hands it to the analysis module (parseConfig). */
function configJson(toml) {
  const p = w.parseConfig(toml);
  assert.equal(p.ok, true, p.error);
  return p.json;
}

function analyze(files, config = '') {
  const a = new w.Analyzer(config && configJson(config));
  for (const [name, path] of files) {
    a.beginInput(name, LAST_MODIFIED);
    a.push(new Uint8Array(readFileSync(path)));
    a.endInput();
  }
  return a.finish();
}

test('findings cross as plain JSON-compatible objects', () => {
  const f = analyze([['mail.log', join(examples, 'mail.log')]]);
  assert.equal(f.schema_version, 1);
  assert.equal(Object.getPrototypeOf(f.delivery.provider_names), Object.prototype);
  assert.equal(f.inputs[0].reference_date, '2026-11-21');
  assert.equal(f.inputs[0].kind, 'postfix_log');
  assert.equal(f.inputs[0].log.lines, 20000);
  assert.ok(f.delivery.provider_totals[0].percent.throttled >= 0);
  assert.deepEqual(JSON.parse(w.findingsToJson(f)), f);
  assert.ok(w.version().match(/^\d+\.\d+\.\d+$/));
});

test('snapshot shows the inputs ended so far and does not consume', () => {
  const a = new w.Analyzer('');
  a.beginInput('mail.log', LAST_MODIFIED);
  a.push(new Uint8Array(readFileSync(join(examples, 'mail.log'))));
  assert.equal(a.snapshot().inputs.length, 0, 'an open input is not in a snapshot');
  a.endInput();
  const first = a.snapshot();
  assert.equal(first.inputs.length, 1);
  a.beginInput('r.xml.gz', LAST_MODIFIED);
  a.push(new Uint8Array(readFileSync(join(examples, 'reports', readdirGz()))));
  a.endInput();
  const done = a.finish();
  assert.equal(done.inputs.length, 2);
  assert.equal(done.dmarc.totals.reports, 1);
  assert.deepEqual(done.delivery.daily, first.delivery.daily);
  assert.throws(() => a.snapshot(), 'finish consumed the analyzer');
});

function readdirGz() {
  return 'google.com!northwind-freight.com!1795132800!1795219199.xml.gz';
}

test('configuration import: errors name the key; normalized TOML round-trips', () => {
  const bad = w.parseConfig('[thresholds]\nthrottled_pct = "high"\n');
  assert.equal(bad.ok, false);
  assert.equal(bad.normalizedToml, null);
  assert.match(bad.error, /throttled_pct/);
  // The analysis module reads the JSON form only; it names what does not fit.
  assert.throws(() => new w.Analyzer('{"nope":{}}'), /unknown field `nope`/);
  assert.throws(() => new w.Analyzer('[nope]\n'), /JSON form/);
  const example = w.configExample();
  const ok = w.parseConfig(example);
  assert.equal(ok.ok, true, ok.error);
  assert.equal(w.parseConfig(ok.normalizedToml).normalizedToml, ok.normalizedToml);
  const rule = '[[rules.rule]]\nid = "x.bad"\nwhen = "temporary"\nphrases = ["zzz"]\noutcome = "throttled"\nexamples = ["451 4.7.1 nothing like it"]\n';
  assert.match(w.parseConfig(rule).error, /x\.bad/);
});

test('redaction presets', () => {
  const f = analyze(
    [['mail.log', join(examples, 'mail.log')], ['report.xml', join(hostile, 'report.xml')]],
    readFileSync(join(examples, 'mailrep.toml'), 'utf8'),
  );
  const plain = JSON.stringify(f);
  assert.match(plain, /@/);
  for (const preset of ['internal', 'vendor_support', 'public']) {
    const r = w.redactFindings(f, preset);
    assert.equal(r.redaction.preset, preset);
    const text = JSON.stringify(r);
    assert.doesNotMatch(text, /[A-Za-z0-9._%+-]+@(gmail|outlook|yahoo)\.com/, `${preset}: a full address is left`);
  }
  const pub = JSON.stringify(w.redactFindings(f, 'public'));
  for (const ip of new Set(f.delivery.sending_ips.map((s) => s.sending_ip).filter(Boolean))) {
    assert.ok(!pub.includes(`"${ip}"`), `public keeps our IP ${ip}`);
  }
  assert.match(pub, /IP-A/);
  assert.throws(() => w.redactFindings(f, 'everyone'), /unknown redaction preset/);
});

test('HTML report: self-contained, no script, hostile strings as text', () => {
  const f = analyze([
    ['<img src=x onerror=alert(1)>.log', join(hostile, 'mail.log')],
    ['report.xml', join(hostile, 'report.xml')],
  ]);
  const html = w.renderHtmlReport(f);
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.doesNotMatch(html, /<script|<img|<iframe/i);
  assert.doesNotMatch(html, /<[a-z][^>]*\son\w+=/i, 'an event handler attribute');
  assert.ok(html.includes('&lt;script&gt;alert(&#39;org&#39;)&lt;/script&gt;'));
  assert.ok(html.includes('&lt;script&gt;alert(&quot;reply&quot;)&lt;/script&gt;'));
  assert.doesNotMatch(html, /<link|<[a-z][^>]*\ssrc=|href="http/i, 'loads nothing');
});

test('findings file and CSV', () => {
  const f = analyze([['mail.log', join(examples, 'mail.log')]]);
  const text = w.findingsToJson(f);
  assert.ok(text.endsWith('}\n'));
  assert.deepEqual(findingsFromJson(text), f);
  assert.throws(() => findingsFromJson('{"schema_version": 2}'), /schema version 2/);
  assert.throws(() => findingsFromJson('{"hello": 1}'), /no schema_version/);
  assert.throws(() => findingsFromJson('not json'), /not mailrep findings/);
  const csv = w.deliveryCsv(f).split('\n');
  assert.equal(csv[0], 'date,host,sending_ip,provider,outcome,reason_code,attempts,final,sample_reply');
  assert.equal(csv.length - 2, f.delivery.daily.length);
});

test('summary link: round trip, length check, bad links refused', async () => {
  const f = w.redactFindings(analyze([['mail.log', join(examples, 'mail.log')]]), 'internal');
  const payload = await encodeSharePayload(w.shareSummary(f));
  assert.match(payload, /^[A-Za-z0-9_-]+$/);
  const back = w.decodeShareLink(`#s=${payload}`);
  assert.deepEqual(back.verdicts, f.verdicts);
  assert.deepEqual(back.delivery.provider_totals, f.delivery.provider_totals);
  assert.deepEqual(back.delivery.daily, []);
  assert.equal(back.redaction.preset, 'internal');
  assert.equal(w.shareLinkCheck(1500).level, 'ok');
  assert.equal(w.shareLinkCheck(payload.length + 40).level, payload.length + 40 > 2000 ? 'long' : 'ok');
  assert.match(w.shareLinkCheck(40000).message, /too long/);
  assert.throws(() => w.decodeShareLink('%%%'), /base64/);
  assert.throws(() => w.decodeShareLink('A'.repeat(40000)), /32000/);
});

test('Views.filter: the core roll-ups of the filtered findings (empty filter = the findings own)', () => {
  const config = readFileSync(join(examples, 'mailrep.toml'), 'utf8');
  const f = analyze([['mail.log', join(examples, 'mail.log')], ['mail.log.1.gz', join(examples, 'mail.log.1.gz')]], config);
  const views = new w.Views(f);
  const all = views.filter({});
  assert.equal(all.filtered, false);
  assert.deepEqual(all.delivery.providers, f.delivery.provider_totals);
  assert.deepEqual(all.delivery.provider_days, f.delivery.providers);
  const day = f.delivery.providers[0].date;
  const one = views.filter({ from: day, to: day, provider: '', ip: null });
  assert.equal(one.filtered, true);
  const want = f.delivery.providers.filter((p) => p.date === day);
  assert.deepEqual(one.delivery.provider_days, want, 'per provider and day: the CLI rows of that day');
  const byAttempts = (a, b) => b.attempts - a.attempts || a.provider.localeCompare(b.provider);
  assert.deepEqual(one.delivery.providers, want.map(({ date, ...rest }) => rest).sort(byAttempts), 'provider table of one day');
  assert.ok(one.delivery.days.every((d) => d.date === day));
  assert.throws(() => views.filter({ from: 'yesterday' }), /not a date/);
  assert.throws(() => views.filter({ prov: 'microsoft' }), /unknown filter key/);
  views.free();
});

test("Analyzer.views: the analysis module's Views of its own findings equal the tools module's of the object", () => {
  const config = readFileSync(join(examples, 'mailrep.toml'), 'utf8');
  const a = new w.Analyzer(configJson(config));
  for (const [name, path] of [['mail.log', join(examples, 'mail.log')], ['report.xml.gz', join(examples, 'reports/google.com!northwind-freight.com!1795132800!1795219199.xml.gz')]]) {
    a.beginInput(name, LAST_MODIFIED);
    a.push(new Uint8Array(readFileSync(path)));
    a.endInput();
  }
  const mine = a.views();
  assert.ok(mine instanceof analysis.Views);
  const f = mine.findings();
  assert.deepEqual(f, a.snapshot());
  const theirs = new toolsModule.Views(f);
  const day = f.delivery.providers[0].date;
  for (const filter of [{}, { from: day, to: day }, { provider: 'microsoft' }, { domain: f.dmarc.by_domain[0]?.domain ?? '' }]) {
    assert.deepEqual(mine.filter(filter), theirs.filter(filter), JSON.stringify(filter));
  }
  assert.throws(() => mine.filter({ to: '2026-13-01' }), /not a date/);
  assert.equal(typeof analysis.Views.fromJson, 'undefined', 'the analysis module reads no findings file');
  // bucketChoices (an outcome by its name, Outcome::parse).
  assert.deepEqual(analysis.bucketChoices('deferred_other'), ['throttled', 'deferred_other']);
  assert.throws(() => analysis.bucketChoices('nope'), /unknown outcome "nope"/);
  mine.free();
  theirs.free();
  a.free();
});

test('abortInput: a file cancelled halfway counts nothing; it is listed as cancelled', () => {
  const log = new Uint8Array(readFileSync(join(examples, 'mail.log')));
  const gz = join(examples, 'mail.log.1.gz');
  const a = new w.Analyzer('');
  a.beginInput('mail.log', LAST_MODIFIED);
  a.push(log.subarray(0, log.length >> 1));
  assert.equal(a.abortInput('cancelled in a test'), true);
  a.beginInput('mail.log.1.gz', LAST_MODIFIED);
  a.push(new Uint8Array(readFileSync(gz)));
  a.endInput();
  const f = a.finish();
  const alone = analyze([['mail.log.1.gz', gz]]);
  assert.deepEqual(f.delivery, alone.delivery);
  assert.equal(f.inputs[0].cancelled, true);
  assert.equal(f.inputs[0].bytes, log.length >> 1);
  assert.equal(alone.inputs[0].cancelled, undefined);
  assert.ok(f.diagnostics.some((d) => d.code === 'input.cancelled' && /nothing of it is counted/.test(d.message)));
});
