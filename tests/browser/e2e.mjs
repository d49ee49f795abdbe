// End-to-end tests of the page in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core). Run by tests/browser/run, which serves www/ and writes the CLI's findings
// for the same files to $ARTIFACTS/expected/. Every request of every page is recorded; any
// request to another origin fails the run.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const BASE = process.env.BASE_URL;
const ART = process.env.ARTIFACTS;
const ROOT = process.env.ROOT;
const ex = (p) => path.join(ROOT, 'examples', p);
const fixture = (p) => path.join(ROOT, 'tests/browser/fixtures', p);
const EXAMPLE_FILES = [ex('mail.log'), ex('mail.log.1.gz'), ex('reports/google.com!northwind-freight.com!1795132800!1795219199.xml.gz'),
  ex('reports/yahoo.com!northwind-freight.com!1795132800!1795219199.zip'), ex('reports/microsoft-report.eml')];
const CONFIG = fs.readFileSync(ex('mailrep.toml'), 'utf8');
const expected = JSON.parse(fs.readFileSync(path.join(ART, 'expected/examples.json'), 'utf8'));
const expectedMailLog = JSON.parse(fs.readFileSync(path.join(ART, 'expected/mail-log.json'), 'utf8'));
const expectedBigLog = JSON.parse(fs.readFileSync(path.join(ART, 'expected/big-mail-log.json'), 'utf8'));
// Redacted with the page's export default (Internal): compared with the page's export whole.
const expectedSplitLog = JSON.parse(fs.readFileSync(path.join(ART, 'expected/split-mail-log.json'), 'utf8'));

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const origin = new URL(BASE).origin;
const foreign = [];
const problems = [];
let passed = 0;
let failed = 0;

async function newPage() {
  const context = await browser.newContext({ locale: 'en-US', acceptDownloads: true, viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  // Every Content Security Policy violation (an inline style or script the policy refused).
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective}: ${e.blockedURI || 'inline'} ${e.sourceFile || ''}:${e.lineNumber || ''}`));
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin + '/') && !u.startsWith('data:') && !u.startsWith('blob:') && !u.startsWith('file:')) foreign.push(u);
  });
  page.on('dialog', (d) => { problems.push(`dialog opened: ${d.type()} ${d.message()}`); d.dismiss(); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  return { context, page };
}

async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n${e.stack || e}`);
  }
}

const num = (s) => Number(String(s).replace(/[,\s%]/g, ''));
const shot = (page, name) => page.screenshot({ path: path.join(ART, `${name}.png`) });

async function applySettings(page, toml) {
  await page.click('#open-settings');
  await page.waitForSelector('#settings-dialog[open]');
  await page.$eval('#settings-advanced', (d) => { d.open = true; });
  await page.fill('#settings-text', toml);
  await page.click('#settings-apply');
  await page.waitForSelector('#settings-dialog', { state: 'hidden' });
}

/**
 * Waits until the page painted what it was last asked to (#main is aria-busy while the page
 * waits for a view from the worker, which computes the filtered views: www/app/main.js).
 */
async function settled(page) {
  await page.waitForSelector('#main:not([aria-busy=true])', { state: 'attached' });
}

async function waitFiles(page, n) {
  await page.waitForFunction((n) => {
    const rows = [...document.querySelectorAll('#file-table tbody tr')];
    return rows.length === n && rows.every((r) => !['queued', 'reading'].includes(r.dataset.status));
  }, n, { timeout: 60_000 });
  await settled(page);
  const statuses = await page.$$eval('#file-table tbody tr', (rs) => rs.map((r) => r.dataset.status));
  return statuses;
}

async function tab(page, name) {
  await page.click(`#tab-${name}`);
  await page.waitForSelector(`#view-${name}:not([hidden])`);
  await settled(page);
}

/** The provider table as { name: { attempts, final, outcomes: {label: [pct, count]} } }. */
async function providerTable(page, id) {
  await settled(page);
  return page.$eval(`#${id}`, (t) => {
    const heads = [...t.tHead.rows[0].cells].map((c) => c.textContent.replace(/[▲▼]/g, '').trim());
    const out = {};
    for (const r of t.tBodies[0].rows) {
      const cells = [...r.cells];
      const row = { attempts: cells[1].textContent, final: cells[2].textContent, outcomes: {} };
      for (let i = 3; i < cells.length; i++) {
        row.outcomes[heads[i]] = [cells[i].querySelector('.pct').textContent, cells[i].querySelector('.sub').textContent];
      }
      out[cells[0].textContent.trim()] = row;
    }
    return out;
  });
}

const LABELS = { accepted: 'Accepted', throttled: 'Throttled', deferred_other: 'Deferred', reject_reputation: 'Reputation rej.',
  reject_content: 'Content rej.', reject_recipient: 'Recipient rej.', reject_auth: 'Auth rej.', reject_other: 'Unclassified rej.' };

function checkProviders(shown, findings, only, rows = findings.delivery.provider_totals) {
  const names = findings.delivery.provider_names;
  const want = only ? rows.slice().sort((a, b) => b.attempts - a.attempts).slice(0, only) : rows;
  assert.equal(Object.keys(shown).length, want.length, 'provider rows');
  for (const p of want) {
    const row = shown[names[p.provider] || p.provider];
    assert.ok(row, `row for ${p.provider}`);
    assert.equal(num(row.attempts), p.attempts, `${p.provider} attempts`);
    assert.equal(num(row.final), p.final, `${p.provider} final`);
    for (const [k, label] of Object.entries(LABELS)) {
      assert.equal(num(row.outcomes[label][1]), p.outcomes[k], `${p.provider} ${k} count`);
      assert.equal(num(row.outcomes[label][0]), p.percent[k], `${p.provider} ${k} percent`);
    }
  }
}

async function checkAllViews(page, findings, prefix) {
  // Overview: verdict cards carry the core's messages, in order.
  await tab(page, 'overview');
  const messages = await page.$$eval('#verdict-cards .card-msg', (ps) => ps.map((p) => p.textContent));
  assert.deepEqual(messages, findings.verdicts.map((v) => v.message), 'verdict messages');
  checkProviders(await providerTable(page, 'overview-providers'), findings, 8);
  await shot(page, `${prefix}-overview`);
  // Delivery: the whole provider table and the sending IPs.
  await tab(page, 'delivery');
  checkProviders(await providerTable(page, 'provider-table'), findings);
  const ips = await page.$$eval('#ip-table tbody tr', (rs) => rs.map((r) => [r.cells[0].textContent, r.cells[2].textContent]));
  assert.deepEqual(Object.fromEntries(ips.map(([ip, n]) => [ip, num(n)])),
    Object.fromEntries(findings.delivery.sending_ips.map((s) => [s.sending_ip || 'unattributed', s.attempts])), 'sending IP attempts');
  await shot(page, `${prefix}-delivery`);
  // Replies: every non-accepted reply group, attempts per sample.
  await tab(page, 'replies');
  const replies = await page.$$eval('#reply-table tbody tr', (rs) => rs.map((r) => [r.cells[6].textContent, r.cells[0].textContent]));
  const wantReplies = findings.delivery.replies.filter((r) => r.outcome !== 'accepted');
  assert.equal(replies.length, Math.min(100, wantReplies.length), 'reply groups shown');
  const sum = (xs) => xs.reduce((s, x) => s + x, 0);
  if (wantReplies.length <= 100) assert.equal(sum(replies.map(([, n]) => num(n))), sum(wantReplies.map((r) => r.attempts)), 'reply attempts');
  await shot(page, `${prefix}-replies`);
  // DMARC: per reporter and per source IP, messages and failing.
  await tab(page, 'dmarc');
  const reporters = await page.$$eval('#reporter-table tbody tr', (rs) => rs.map((r) => [r.cells[0].textContent, r.cells[2].textContent]));
  assert.deepEqual(Object.fromEntries(reporters.map(([o, n]) => [o, num(n)])),
    Object.fromEntries(findings.dmarc.by_reporter.map((r) => [r.org_name, r.messages])), 'reporter messages');
  const sources = await page.$$eval('#source-table tbody tr', (rs) => rs.map((r) => [r.cells[0].textContent, r.cells[3].textContent, r.cells[4].textContent]));
  const want = {};
  for (const r of findings.dmarc.by_source) {
    want[r.source_ip] ??= [0, 0];
    want[r.source_ip][0] += r.messages;
    want[r.source_ip][1] += r.failing;
  }
  assert.deepEqual(Object.fromEntries(sources.map(([ip, m, f]) => [ip, [num(m), num(f)]])), want, 'source IP messages/failing');
  await shot(page, `${prefix}-dmarc`);
  await tab(page, 'readiness');
  const readiness = await page.$$eval('#view-readiness article[data-domain]', (as) => as.map((a) => [a.dataset.domain, a.dataset.status, a.querySelector('strong').textContent]));
  assert.deepEqual(readiness, (findings.dmarc.readiness || []).map((r) => [r.domain, r.status, r.headline]), 'policy readiness per domain');
  await shot(page, `${prefix}-readiness`);
  await tab(page, 'quality');
  const totals = await page.textContent('#log-totals');
  assert.match(totals, new RegExp(`${findings.delivery.stats.attempts.toLocaleString('en-US')} delivery attempts counted`), 'log totals');
  await shot(page, `${prefix}-quality`);
  await tab(page, 'overview');
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'Content Security Policy violations');
}

/**
 * Clicks the first file's Cancel from inside the page as soon as its row shows it reading: the
 * row re-renders with every progress message, and the page reads a file in about half a
 * second, too fast for page.click's wait for a stable element or for a round trip from here
 * under load.
 */
async function cancelFirstWhenReading(page) {
  await page.evaluate(() => {
    const obs = new MutationObserver(() => {
      const b = document.querySelector('#file-1[data-status=reading] button');
      if (b) {
        obs.disconnect();
        b.click();
      }
    });
    obs.observe(document.getElementById('file-table'), { subtree: true, childList: true, attributes: true });
  });
}

async function download(page, button, name) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const to = path.join(ART, name || d.suggestedFilename());
  await d.saveAs(to);
  return to;
}

// ---------------------------------------------------------------------------------------------

let exported = null;
let htmlReport = null;

await test('landing page: CSP meta, local-only badge, no script errors', async () => {
  const { context, page } = await newPage();
  await page.goto(BASE);
  await page.waitForSelector('html[data-ready=true]');
  const csp = await page.getAttribute('meta[http-equiv=Content-Security-Policy]', 'content');
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /connect-src 'self'/);
  assert.match(csp, /style-src 'self';/);
  assert.doesNotMatch(csp, /'unsafe-inline'/, "no 'unsafe-inline' (charts' styles come from style.css)");
  assert.doesNotMatch(csp, /(^|\s)'unsafe-eval'/, "no 'unsafe-eval'");
  assert.equal(await page.textContent('#req-count'), '0');
  await shot(page, 'landing');
  await context.close();
});

await test('file input: a log, a .gz log, a .gz, a .zip and an .eml report give the CLI numbers', async () => {
  const { context, page } = await newPage();
  await page.goto(BASE);
  await page.waitForSelector('html[data-ready=true]');
  await applySettings(page, CONFIG);
  await page.setInputFiles('#file-input', EXAMPLE_FILES);
  const statuses = await waitFiles(page, 5);
  assert.deepEqual(statuses, ['done', 'done', 'done', 'done', 'done']);
  const kinds = await page.$$eval('#file-table tbody .kind', (cs) => cs.map((c) => c.textContent));
  assert.match(kinds[0], /^Postfix log:/);
  assert.match(kinds[1], /^Postfix log \(gzip\)/);
  assert.match(kinds[4], /^DMARC \/ reports: 1 aggregate report/);
  assert.equal(await page.isVisible('#files-panel'), false, 'file list collapses when all are done');
  await page.click('#files-toggle');
  await shot(page, 'input-files');
  await page.click('#files-toggle');
  await checkAllViews(page, expected, 'input');
  // Export the findings file (Internal preset) and the HTML report.
  await page.click('#open-export');
  await page.waitForSelector('#redact-preview p');
  await shot(page, 'export-dialog');
  exported = await download(page, '#export-findings');
  htmlReport = await download(page, '#export-html');
  const csv = fs.readFileSync(await download(page, '#export-csv'), 'utf8');
  assert.ok(csv.split('\n').length > expected.delivery.daily.length, 'CSV has a line per daily row');
  await page.click('#export-link');
  const lengthText = await page.textContent('#link-length');
  assert.match(lengthText, /[\d,]+ characters/);
  const link = await page.$eval('#link-text', (i) => i.value).catch(() => null);
  if (link) {
    const p2 = await context.newPage();
    await p2.goto(link);
    await p2.waitForSelector('#verdict-cards');
    const msgs = await p2.$$eval('#verdict-cards .card-msg', (ps) => ps.map((p) => p.textContent));
    assert.deepEqual(msgs, expected.verdicts.map((v) => v.message), 'verdict cards from the summary link');
    // Its views (the tools module's Views, on the page's thread): the provider table.
    checkProviders(await providerTable(p2, 'overview-providers'), expected, 8);
    await shot(p2, 'summary-link');
  }
  const f = JSON.parse(fs.readFileSync(exported, 'utf8'));
  assert.deepEqual(f.delivery.provider_totals, expected.delivery.provider_totals, 'exported provider totals equal the CLI');
  assert.deepEqual(f.dmarc.by_source, expected.dmarc.by_source, 'exported DMARC rows equal the CLI');
  assert.equal(f.verdicts.length, expected.verdicts.length);
  await context.close();
});

await test('warm-up: the idle page warms the worker up; a log dropped after it gives the CLI numbers (the warm-up counts nowhere)', async () => {
  const { context, page } = await newPage();
  await page.goto(BASE);
  await page.waitForSelector('html[data-ready=true]');
  await applySettings(page, CONFIG);
  await page.waitForSelector('html[data-warm=true]', { state: 'attached', timeout: 60_000 });
  const warm = await page.evaluate(() => performance.getEntriesByName('mailrep:warm')[0].detail);
  assert.ok(warm.bytes > 1e6, `warm-up analysed ${warm.bytes} bytes`);
  await page.setInputFiles('#file-input', ex('mail.log'));
  assert.deepEqual(await waitFiles(page, 1), ['done']);
  await tab(page, 'delivery');
  checkProviders(await providerTable(page, 'provider-table'), expectedMailLog);
  await context.close();
});

await test('a log of many reading buffers (53 MB) gives the CLI numbers: views, line counts, bytes, daily rows', async () => {
  const { context, page } = await newPage();
  await page.goto(BASE);
  await page.waitForSelector('html[data-ready=true]');
  await applySettings(page, CONFIG);
  const big = path.join(ART, 'big-mail.log');
  await page.setInputFiles('#file-input', big);
  assert.deepEqual(await waitFiles(page, 1), ['done']);
  const done = await page.evaluate(() => performance.getEntriesByName('mailrep:file-done')[0].detail);
  assert.equal(done.bytes, fs.statSync(big).size, 'every byte of the file read');
  await checkAllViews(page, expectedBigLog, 'big-log');
  await page.click('#open-export');
  await page.waitForSelector('#redact-preview p');
  const f = JSON.parse(fs.readFileSync(await download(page, '#export-findings', 'big-log-findings.json'), 'utf8'));
  assert.deepEqual(f.inputs[0].log, expectedBigLog.inputs[0].log, 'line counts of the input equal the CLI');
  assert.equal(f.inputs[0].bytes, expectedBigLog.inputs[0].bytes, 'input bytes equal the CLI');
  // The export's default preset (Internal) replaces queue ids in sample replies: compare the rest.
  const counts = (rows) => rows.map(({ sample_reply: _, ...rest }) => rest);
  assert.deepEqual(counts(f.delivery.daily), counts(expectedBigLog.delivery.daily), 'daily rows equal the CLI');
  assert.deepEqual(f.delivery.provider_totals, expectedBigLog.delivery.provider_totals, 'provider totals equal the CLI');
  await context.close();
});

/** The figures of the worker's 'done' message of every file so far (files.js marks them). */
const doneMarks = (page) => page.evaluate(() => performance.getEntriesByName('mailrep:file-done').map((m) => m.detail));
/** MB/s of the two halves of a split file (this worker's Analyzer and the part worker's). */
const halves = (d) => `this worker ${((d.bytes - d.partBytes) / d.wasmMs / 1e3).toFixed(0)} MB/s, part worker ${(d.partBytes / d.partWasmMs / 1e3).toFixed(0)} MB/s`
  + ` (${d.ms.toFixed(0)} ms in all, waited ${d.partWaitMs.toFixed(0)} ms for the part, absorbed in ${d.absorbMs.toFixed(1)} ms)`;

await test('a log big enough to be split (26 MB) is analysed in two halves on two threads and gives the CLI findings exactly', async () => {
  const { context, page } = await newPage();
  await page.goto(BASE);
  await page.waitForSelector('html[data-ready=true]');
  await applySettings(page, CONFIG);
  // The part worker starts with the analysis worker (which the idle page starts and warms up);
  // a file dropped before it has the module is read on one thread.
  await page.waitForSelector('html[data-warm=true]', { state: 'attached', timeout: 60_000 });
  const log = path.join(ART, 'split-mail.log');
  await page.setInputFiles('#file-input', log);
  assert.deepEqual(await waitFiles(page, 1), ['done']);
  const [done] = await doneMarks(page);
  assert.ok(done.split > 0, `split: ${JSON.stringify(done)}`);
  assert.equal(done.parts, 2, `the part was absorbed: ${JSON.stringify(done)}`);
  assert.equal(done.bytes, fs.statSync(log).size, 'every byte of the file counted');
  assert.equal(done.partBytes, done.bytes - done.split, 'the part is the file from the split on');
  console.log(`     ${halves(done)}`);
  await checkAllViews(page, expectedSplitLog, 'split-log');
  // The whole findings (line counts, bytes, diagnostics with line numbers, every row): the
  // export (Internal preset) equals the CLI's, redacted alike.
  await page.click('#open-export');
  await page.$eval('input[name=preset][value=internal]', (r) => r.click());
  await page.waitForSelector('#redact-preview p');
  const f = JSON.parse(fs.readFileSync(await download(page, '#export-findings', 'split-log-findings.json'), 'utf8'));
  assert.deepEqual(f, expectedSplitLog, 'the findings equal the CLI');
  await context.close();
});

await test('?split=never: the same big log is read on one thread, with the same findings', async () => {
  const { context, page } = await newPage();
  await page.goto(`${BASE}?split=never`);
  await page.waitForSelector('html[data-ready=true]');
  await applySettings(page, CONFIG);
  await page.waitForSelector('html[data-warm=true]', { state: 'attached', timeout: 60_000 });
  await page.setInputFiles('#file-input', path.join(ART, 'split-mail.log'));
  assert.deepEqual(await waitFiles(page, 1), ['done']);
  const [done] = await doneMarks(page);
  assert.ok(!done.split && done.parts === 1, `not split: ${JSON.stringify(done)}`);
  await checkAllViews(page, expectedSplitLog, 'split-never');
  await context.close();
});

await test('cancel: a big log analysed in two halves stops both; nothing of it counts; the next big log is split again', async () => {
  const { context, page } = await newPage();
  await page.goto(BASE);
  await page.waitForSelector('html[data-ready=true]');
  await applySettings(page, CONFIG);
  await page.waitForSelector('html[data-warm=true]', { state: 'attached', timeout: 60_000 });
  const log = fs.readFileSync(ex('mail.log')).toString('base64');
  const dt = await page.evaluateHandle((b64) => {
    const one = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const d = new DataTransfer();
    d.items.add(new File(Array(40).fill(one), 'big.log')); // ~180 MB
    d.items.add(new File([one], 'small.log'));
    return d;
  }, log);
  await cancelFirstWhenReading(page);
  await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
  assert.deepEqual(await waitFiles(page, 2), ['cancelled', 'done']);
  const [big] = await doneMarks(page);
  assert.ok(big.split > 0, `the cancelled file was split: ${JSON.stringify(big)}`);
  assert.equal(big.parts, 1, 'no part absorbed');
  await tab(page, 'delivery');
  checkProviders(await providerTable(page, 'provider-table'), expectedMailLog);
  // The part worker took the cancel and takes the next part.
  await page.setInputFiles('#file-input', path.join(ART, 'split-mail.log'));
  assert.deepEqual(await waitFiles(page, 3), ['cancelled', 'done', 'done']);
  const third = (await doneMarks(page))[2];
  assert.equal(third.parts, 2, `the next big log was split and absorbed: ${JSON.stringify(third)}`);
  await context.close();
});

await test('drag and drop: the same files dropped on the window give the CLI numbers', async () => {
  const { context, page } = await newPage();
  await page.goto(BASE);
  await page.waitForSelector('html[data-ready=true]');
  await applySettings(page, CONFIG);
  const files = EXAMPLE_FILES.map((p) => ({ name: path.basename(p), b64: fs.readFileSync(p).toString('base64'), mtime: fs.statSync(p).mtimeMs }));
  const dt = await page.evaluateHandle((files) => {
    const d = new DataTransfer();
    for (const f of files) d.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { lastModified: f.mtime }));
    return d;
  }, files);
  for (const t of ['dragenter', 'dragover']) await page.dispatchEvent('body', t, { dataTransfer: dt });
  assert.equal(await page.isVisible('#drop-overlay'), true, 'drop overlay shown while dragging');
  await shot(page, 'drag-overlay');
  await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
  const statuses = await waitFiles(page, 5);
  assert.deepEqual(statuses, ['done', 'done', 'done', 'done', 'done']);
  await checkAllViews(page, expected, 'drop');
  // Filters live in the URL fragment and survive a reload of the fragment.
  await tab(page, 'delivery');
  await page.selectOption('#f-prov', 'microsoft');
  assert.match(page.url(), /prov=microsoft/);
  assert.match(page.url(), /tab=delivery/);
  const shown = await providerTable(page, 'provider-table');
  assert.deepEqual(Object.keys(shown), ['Microsoft']);
  await shot(page, 'filter-microsoft');
  // A one-day range: the core's sums over that day's rows equal the CLI's per-day roll-up.
  const day = expected.delivery.providers[0].date;
  await page.selectOption('#f-prov', '');
  await page.fill('#f-from', day);
  await page.dispatchEvent('#f-from', 'change');
  await page.fill('#f-to', day);
  await page.dispatchEvent('#f-to', 'change');
  assert.match(page.url(), new RegExp(`from=${day}&to=${day}`));
  checkProviders(await providerTable(page, 'provider-table'), expected, 0, expected.delivery.providers.filter((p) => p.date === day));
  await shot(page, 'filter-one-day');
  await page.click('#f-reset');
  // Dark theme (persisted), keyboard: arrow keys move between tabs.
  await page.click('#theme-toggle');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  await page.focus('#tab-delivery');
  await page.keyboard.press('ArrowRight');
  assert.match(page.url(), /tab=replies/, 'ArrowRight selects the next tab');
  await shot(page, 'dark-replies');
  await tab(page, 'overview');
  await shot(page, 'dark-overview');
  await context.close();
});

await test('"Try the example data" loads examples/ with its mailrep.toml and gives the CLI numbers', async () => {
  const { context, page } = await newPage();
  await page.goto(BASE);
  await page.waitForSelector('html[data-ready=true]');
  await page.click('#try-sample');
  assert.deepEqual(await waitFiles(page, 5), ['done', 'done', 'done', 'done', 'done']);
  const messages = await page.$$eval('#verdict-cards .card-msg', (ps) => ps.map((p) => p.textContent));
  assert.deepEqual(messages, expected.verdicts.map((v) => v.message), 'verdict messages');
  checkProviders(await providerTable(page, 'overview-providers'), expected, 8);
  await shot(page, 'sample-overview');
  await context.close();
});

await test('cancel: a big file cancelled while reading keeps the other files, with a partial-data banner', async () => {
  const { context, page } = await newPage();
  await page.goto(BASE);
  await page.waitForSelector('html[data-ready=true]');
  await applySettings(page, CONFIG);
  const log = fs.readFileSync(ex('mail.log')).toString('base64');
  const dt = await page.evaluateHandle((b64) => {
    const one = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const d = new DataTransfer();
    d.items.add(new File(Array(40).fill(one), 'big.log')); // ~180 MB, read in chunks
    d.items.add(new File([one], 'small.log'));
    return d;
  }, log);
  await cancelFirstWhenReading(page);
  await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
  const statuses = await waitFiles(page, 2);
  assert.deepEqual(statuses, ['cancelled', 'done']);
  assert.match(await page.textContent('#banners'), /Partial data: 1 file cancelled/);
  // Nothing of the cancelled file counts: the numbers are those of mail.log alone.
  await tab(page, 'delivery');
  checkProviders(await providerTable(page, 'provider-table'), expectedMailLog);
  await tab(page, 'quality');
  assert.match(await page.textContent('#input-table'), /cancelled/, 'the cancelled input is listed as cancelled');
  await page.click('#files-toggle');
  await shot(page, 'cancelled');
  await context.close();
});

await test('findings files re-open: the exported one and the CLI output', async () => {
  assert.ok(exported, 'an exported findings file');
  for (const [label, file] of [['exported', exported], ['cli', path.join(ART, 'expected/examples.json')]]) {
    const { context, page } = await newPage();
    await page.goto(BASE);
    await page.waitForSelector('html[data-ready=true]');
    await page.setInputFiles('#file-input', file);
    const statuses = await waitFiles(page, 1);
    assert.deepEqual(statuses, ['findings-file']);
    await page.waitForSelector('#verdict-cards');
    await tab(page, 'delivery');
    checkProviders(await providerTable(page, 'provider-table'), expected);
    // A filter: the worker's view of the findings file (read by the tools module there).
    await page.selectOption('#f-prov', 'microsoft');
    assert.deepEqual(Object.keys(await providerTable(page, 'provider-table')), ['Microsoft']);
    await page.selectOption('#f-prov', '');
    await shot(page, `reopen-${label}`);
    await context.close();
  }
  // A findings file dropped together with a log: each is shown as it finishes, the log's
  // analysis last (files analysed here are not merged into a findings file).
  const { context, page } = await newPage();
  await page.goto(BASE);
  await page.waitForSelector('html[data-ready=true]');
  await applySettings(page, CONFIG);
  await page.setInputFiles('#file-input', [exported, ex('mail.log')]);
  assert.deepEqual(await waitFiles(page, 2), ['findings-file', 'done']);
  await tab(page, 'delivery');
  checkProviders(await providerTable(page, 'provider-table'), expectedMailLog);
  await context.close();
});

await test('the exported HTML report opens without script and shows the verdicts', async () => {
  assert.ok(htmlReport, 'an exported HTML report');
  const html = fs.readFileSync(htmlReport, 'utf8');
  assert.doesNotMatch(html, /<script/i, 'no script element');
  const { context, page } = await newPage();
  await page.goto(`file://${htmlReport}`);
  const text = await page.textContent('body');
  for (const v of expected.verdicts.slice(0, 3)) assert.ok(text.includes(v.subject.provider ? (expected.delivery.provider_names[v.subject.provider] || '') : ''), v.id);
  assert.ok(await page.$('svg'), 'static SVG chart');
  await shot(page, 'html-report');
  await context.close();
});

await test('hostile strings in reply texts, org_name and report_id render as text and run nothing', async () => {
  const { context, page } = await newPage();
  await page.goto(BASE);
  await page.waitForSelector('html[data-ready=true]');
  await applySettings(page, CONFIG);
  await page.setInputFiles('#file-input', [fixture('hostile.log'), fixture('hostile-report.xml')]);
  await waitFiles(page, 2);
  for (const t of ['overview', 'delivery', 'replies', 'dmarc', 'readiness', 'quality']) {
    await tab(page, t);
    await shot(page, `hostile-${t}`);
  }
  await tab(page, 'replies');
  const replies = await page.textContent('#view-replies');
  assert.ok(replies.includes(`<img src=x onerror="window.__xss='reply-img'">`), 'reply text shown literally');
  assert.ok(replies.includes(`<script>window.__xss='reply-script'</script>`), 'script shown literally');
  await tab(page, 'dmarc');
  const dmarc = await page.textContent('#report-table');
  assert.ok(dmarc.includes(`<img src=x onerror="window.__xss='org'">Evil`), 'org_name shown literally');
  assert.ok(dmarc.includes(`<script>window.__xss='report-id'</script>`), 'report_id shown literally');
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no injected code ran');
  assert.equal(await page.$$eval('main img, main script, main iframe, main b', (xs) => xs.length), 0, 'no element from data');
  // Its HTML report too.
  await page.click('#open-export');
  const report = await download(page, '#export-html');
  const p2 = await context.newPage();
  await p2.goto(`file://${report}`);
  assert.equal(await p2.evaluate(() => window.__xss), undefined, 'nothing ran in the HTML report');
  assert.equal(await p2.$$eval('img, script, iframe', (xs) => xs.length), 0, 'no element from data in the report');
  await context.close();
});

await test('the shared hostile fixture (tests/fixtures/hostile: verdict evidence, unclassified replies) runs nothing either', async () => {
  const { context, page } = await newPage();
  await page.goto(BASE);
  await page.waitForSelector('html[data-ready=true]');
  const dir = path.join(ROOT, 'tests/fixtures/hostile');
  await page.setInputFiles('#file-input', [path.join(dir, 'mail.log'), path.join(dir, 'report.xml')]);
  await waitFiles(page, 2);
  await page.$$eval('#verdict-cards details', (ds) => ds.forEach((d) => { d.open = true; }));
  for (const t of ['overview', 'replies', 'dmarc', 'quality']) {
    await tab(page, t);
    await shot(page, `hostile-shared-${t}`);
    assert.equal(await page.$$eval('main img, main script, main iframe', (xs) => xs.length), 0, `no element from data (${t})`);
  }
  await tab(page, 'dmarc');
  assert.ok((await page.textContent('#report-table')).includes("<script>alert('org')</script>"), 'org_name shown literally');
  await context.close();
});

const settingsText = (page) => page.evaluate(() => localStorage.getItem('mailrep.config') || '');

await test('settings form: a network and a domain land in the exported mailrep.toml, errors name the field, settings survive a reload', async () => {
  const { context, page } = await newPage();
  await page.goto(BASE);
  await page.waitForSelector('html[data-ready=true]');
  assert.equal(await page.isVisible('#settings-banner'), true, 'banner while no networks are set');
  assert.match(await page.textContent('#settings-banner'), /Tell us your sending IPs and domains/);
  await page.click('#open-settings');
  await page.waitForSelector('#settings-dialog[open] #set-networks-add');
  await page.click('#set-networks-add');
  await page.fill('#set-networks li:last-child .net-cidr', '192.0.2.0/24');
  await page.fill('#set-networks li:last-child .net-label', 'mx-out-test');
  await page.click('#set-domains-add');
  await page.fill('#set-domains li:last-child .dom', 'not a domain');
  await page.fill('#th-auth_reject_pct', '3.5');
  await page.click('#settings-apply');
  await page.waitForFunction(() => document.querySelector('#settings-error').textContent.includes('ours.domains[0]'));
  assert.equal(await page.getAttribute('#set-domains li:last-child .dom', 'aria-invalid'), 'true', 'the bad field is marked');
  assert.equal(await page.isVisible('#settings-dialog'), true, 'the dialog stays open on an error');
  await shot(page, 'settings-error');
  await page.fill('#set-domains li:last-child .dom', 'Example-Test.org');
  await page.click('#settings-apply');
  await page.waitForSelector('#settings-dialog', { state: 'hidden' });
  const saved = await settingsText(page);
  assert.match(saved, /192\.0\.2\.0\/24/);
  assert.match(saved, /example-test\.org/);
  assert.match(saved, /mx-out-test/);
  assert.match(saved, /auth_reject_pct = 3\.5/);
  await page.waitForSelector('#settings-banner', { state: 'detached' });
  // Export gives the same file the CLI reads.
  await page.click('#open-settings');
  await page.waitForSelector('#settings-dialog[open] .net-cidr');
  await shot(page, 'settings-form');
  const exportedToml = fs.readFileSync(await download(page, '#settings-export'), 'utf8');
  assert.match(exportedToml, /networks = \["192\.0\.2\.0\/24"\]/);
  assert.match(exportedToml, /domains = \["example-test\.org"\]/);
  fs.writeFileSync(path.join(ART, 'settings-export.toml'), exportedToml);
  await page.click('#settings-dialog button[value=close]');
  // After a reload the settings come back from localStorage into the form; the page reads
  // them at start with the analysis module alone (the tools module waits for the dialog).
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.reload();
  await page.waitForSelector('html[data-ready=true]');
  await page.waitForSelector('html[data-warm=true]', { state: 'attached', timeout: 60_000 });
  assert.equal(await page.isVisible('#settings-banner'), false, 'no banner once networks are set (read at start)');
  assert.ok(fetched.some((p) => p.endsWith('/mailrep_web_bg.wasm')), `analysis module fetched: ${fetched}`);
  assert.ok(!fetched.some((p) => p.includes('mailrep_web_tools')), `tools module not fetched at start: ${fetched}`);
  await page.click('#open-settings');
  await page.waitForSelector('#settings-dialog[open] .net-cidr');
  assert.equal(await page.inputValue('#set-networks li:first-child .net-cidr'), '192.0.2.0/24');
  assert.equal(await page.inputValue('#set-networks li:first-child .net-label'), 'mx-out-test');
  assert.equal(await page.inputValue('#set-domains li:first-child .dom'), 'example-test.org');
  assert.equal(await page.inputValue('#th-auth_reject_pct'), '3.5');
  assert.equal(await page.isVisible('#settings-banner'), false, 'no banner once networks are set');
  // The analysis module reads the settings' JSON form, stored beside the TOML by the tools module.
  const storedJson = JSON.parse(await page.evaluate(() => localStorage.getItem('mailrep.config.json')));
  assert.deepEqual(storedJson.ours.networks, ['192.0.2.0/24'], JSON.stringify(storedJson.ours));
  assert.deepEqual(storedJson.ours.labels, { '192.0.2.0/24': 'mx-out-test' }, JSON.stringify(storedJson.ours));
  assert.equal(storedJson.thresholds.auth_reject_pct, 3.5);
  // Settings stored by an older page (TOML alone) get their JSON form at start, from the tools module.
  await page.evaluate(() => localStorage.removeItem('mailrep.config.json'));
  fetched.length = 0;
  await page.reload();
  await page.waitForSelector('html[data-ready=true]');
  await page.waitForFunction(() => localStorage.getItem('mailrep.config.json'));
  assert.deepEqual(JSON.parse(await page.evaluate(() => localStorage.getItem('mailrep.config.json'))), storedJson);
  assert.ok(fetched.some((p) => p.includes('mailrep_web_tools')), `tools module fetched to read the TOML: ${fetched}`);
  await page.waitForSelector('#settings-banner', { state: 'detached' });
  await context.close();
});

await test('row actions: "Mark as ours" re-classes a DMARC source, "Suggest bucket" re-buckets an unclassified reply, findings files need the originals', async () => {
  let { context, page } = await newPage();
  await page.goto(BASE);
  await page.waitForSelector('html[data-ready=true]');
  await applySettings(page, CONFIG);
  await page.setInputFiles('#file-input', EXAMPLE_FILES);
  await waitFiles(page, 5);
  // DMARC: an external source becomes ours.
  const ext = expected.dmarc.by_source.find((r) => r.source_class === 'external');
  assert.ok(ext, 'the example data has an external source');
  await tab(page, 'dmarc');
  const classOf = (ip) => page.$$eval('#source-table tbody tr', (rs, ip) => rs.filter((r) => r.cells[0].textContent === ip).map((r) => r.cells[1].textContent)[0], ip);
  assert.equal(await classOf(ext.source_ip), 'external');
  await page.click(`#source-table button[data-mark=ours][data-ip="${ext.source_ip}"]`);
  await page.waitForSelector('#action-status');
  assert.match(await page.textContent('#action-status'), new RegExp(`${ext.source_ip.replace(/\./g, '\\.')} added to our networks`));
  await page.waitForFunction((ip) => [...document.querySelectorAll('#source-table tbody tr')].some((r) => r.cells[0].textContent === ip && r.cells[1].textContent === 'ours'), ext.source_ip, { timeout: 60_000 });
  await waitFiles(page, 5);
  assert.match(await settingsText(page), new RegExp(`${ext.source_ip.replace(/\./g, '\\.')}/(32|128)`), 'the IP is in the settings');
  await shot(page, 'mark-as-ours');
  await context.close();
  // Replies (the shared fixture has unclassified replies; the examples have none): the first
  // unclassified reply gets a bucket and leaves the unclassified list.
  ({ context, page } = await newPage());
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  await page.goto(BASE);
  await page.waitForSelector('html[data-ready=true]');
  await page.setInputFiles('#file-input', path.join(ROOT, 'tests/fixtures/hostile/mail.log'));
  await waitFiles(page, 1);
  await tab(page, 'replies');
  const rows = await page.$$eval('#unclassified-table tbody tr', (rs) => rs.map((r) => [r.cells[0].textContent, r.cells[3].textContent]));
  assert.ok(rows.length > 0, 'the fixture has unclassified replies');
  const total = () => page.textContent('#unclassified-share').then((t) => num(t.split(' attempts')[0]));
  const before = await total();
  const [n, template] = rows[0];
  await page.click('#unclassified-table tbody tr:first-child .copy-issue');
  await page.waitForSelector('#unclassified-table tbody tr:first-child .issue-text:not([hidden])');
  const issue = await page.inputValue('#unclassified-table tbody tr:first-child .issue-text');
  assert.match(issue, /Unclassified reply/);
  assert.ok(issue.includes(`Attempts: ${n}`), issue);
  assert.doesNotMatch(issue, /[\w.+-]+@[\w-]+\.[\w.]+/, 'no address in the issue text');
  await page.click('#unclassified-table tbody tr:first-child .suggest');
  await page.waitForFunction(() => /Rule local\./.test(document.querySelector('#action-status')?.textContent || ''));
  await waitFiles(page, 1);
  await page.waitForFunction(([before, n]) => {
    const t = document.querySelector('#unclassified-share')?.textContent || '';
    return Number(t.split(' attempts')[0].replace(/[,\s]/g, '')) === before - n;
  }, [before, num(n)], { timeout: 60_000 });
  const after = await page.$$eval('#unclassified-table tbody tr', (rs) => rs.filter((r) => r.cells.length > 3).map((r) => r.cells[3].textContent));
  assert.ok(!after.includes(template), 'the re-bucketed template left the unclassified list');
  assert.equal(await total(), before - num(n), 'unclassified attempts went down by that reply');
  assert.match(await settingsText(page), /local\.(throttled|deferred_other|reject_\w+)_1/, 'a local rule in the settings');
  await shot(page, 'suggest-bucket');
  // The rule is listed in the settings form and can be removed there.
  await page.click('#open-settings');
  await page.waitForSelector('#settings-dialog[open] #set-rules li');
  assert.match(await page.textContent('#set-rules'), /local\./);
  await page.click('#settings-dialog button[value=close]');
  // Copy summary (Markdown, redacted) from the Export dialog.
  await page.click('#open-export');
  await page.click('#export-summary');
  await page.waitForSelector('#summary-text');
  const md = await page.inputValue('#summary-text');
  assert.match(md, /^## mailrep summary/);
  assert.match(md, /### Verdicts/);
  assert.match(md, /\| Provider \| Attempts \|/);
  await shot(page, 'copy-summary');
  await page.click('#export-dialog button[value=close]');
  await context.close();
  // A findings file has no raw inputs: saving settings says re-analysis needs the originals.
  const p = await newPage();
  await p.page.goto(BASE);
  await p.page.waitForSelector('html[data-ready=true]');
  await p.page.setInputFiles('#file-input', path.join(ART, 'expected/examples.json'));
  await waitFiles(p.page, 1);
  await tab(p.page, 'dmarc');
  await p.page.click(`#source-table button[data-mark=ours][data-ip="${ext.source_ip}"]`);
  await p.page.waitForSelector('#reanalysis-note');
  assert.match(await p.page.textContent('#reanalysis-note'), /needs the original log and report files/);
  await shot(p.page, 'reanalysis-note');
  await p.context.close();
});

await test('no request left the page origin', async () => {
  assert.deepEqual(foreign, [], 'requests to other origins');
  assert.deepEqual(problems, [], 'dialogs, page errors, console errors');
});

await browser.close();
console.log(`\nbrowser e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
