// Settings: the same mailrep.toml the command line reads, edited through a form (our networks
// with labels, our domains, IP attribution, forwarder networks, thresholds, the default
// redaction preset, local reply rules) or as text under "Advanced". The core does all the
// TOML work (settingsForm / applySettingsForm / markSource / suggestRule / removeRule, see
// core/src/config_edit.rs): this file only moves strings between inputs and those functions.
// Remembered in localStorage; importable and exportable as mailrep.toml. Stored twice: the TOML
// text (what the user wrote, what the form and the exports read) and its JSON form made by the
// tools module (parseConfig's `json`), which the analysis module takes: that module reads no
// TOML (BENCHMARKS.md, "Session 9: page size").

import { byId, download, h, replace } from './dom.js';
import { core, tools } from './wasm.js';

const KEY = 'mailrep.config';
/** The JSON form of the TOML under KEY (Config::to_json), written with it. */
const JSON_KEY = 'mailrep.config.json';
let onApply = () => {};
/**
 * What the page needs of the stored settings before the dialog opens, `{ networks, redaction }`
 * from the analysis module's settingsFacts (null until read), so that a session with stored
 * settings does not fetch the tools module at start.
 */
let stored = null;
/** The form shown in the dialog (rules and thresholds as the core gave them). */
let shown = null;
let formDirty = false;
let textDirty = false;

/** Labels of the thresholds (keys of [thresholds] in mailrep.toml; unknown keys show as is). */
const THRESHOLD_LABELS = {
  reputation_min_attempts: 'Reputation rejects: minimum attempts per day and provider',
  reputation_reject_pct: 'Reputation rejects: share that fires (%)',
  throttled_min_attempts: 'Throttling: minimum attempts',
  throttled_pct: 'Throttling: ceiling per provider (provider=%, …)',
  throttled_default_pct: 'Throttling: ceiling for other providers (%; empty = none)',
  auth_min_attempts: 'Auth rejects: minimum attempts',
  auth_reject_pct: 'Auth rejects: share that fires (%)',
  own_alignment_min_messages: 'Our DMARC pass: minimum messages per IP',
  own_alignment_pass_pct: 'Our DMARC pass: fires below (%)',
  spoofing_min_failing: 'Spoofing: failing messages from one external IP',
  regression_drop_points: 'Regression: drop of the accepted share (points)',
  regression_window_days: 'Regression: trailing window (days)',
  regression_min_attempts: 'Regression: minimum attempts on the day',
  readiness_min_days: 'Policy readiness: days of reports needed',
  readiness_min_reporters: 'Policy readiness: reporters needed',
  readiness_pass_pct: 'Policy readiness: DMARC pass our sources need (%)',
  readiness_max_gap_days: 'Policy readiness: longest gap without reports (days)',
};

/** The TOML text in use ('' = the core's defaults). */
export const current = () => localStorage.getItem(KEY) || '';

/**
 * The settings in use in the JSON form the analysis module takes ('' = the core's defaults,
 * also while stored TOML has no JSON form yet: `refresh` makes it).
 */
export const analysisConfig = () => (current().trim() && localStorage.getItem(JSON_KEY)) || '';

/**
 * True when the settings name at least one of our networks (DMARC classes need them), false
 * when they name none, null while the core has not read them yet.
 */
export function hasNetworks() {
  if (!current().trim()) return false;
  return stored ? stored.networks > 0 : null;
}

/** The default redaction preset of the settings ('' = none set). */
export const redactionDefault = () => stored?.redaction || '';

/**
 * Reads the stored settings through the core (after a change, and at start when set). Stored
 * TOML without a JSON form the analysis module reads (written by an older page) is read once
 * more by the tools module, and its JSON form stored: then resolves to true.
 */
export async function refresh() {
  stored = null;
  if (!current().trim()) return false;
  let migrated = false;
  let r = analysisConfig() ? (await core()).settingsFacts(analysisConfig()) : { ok: false };
  if (!r.ok) {
    const p = (await tools()).parseConfig(current());
    if (!p.ok) return false;
    localStorage.setItem(JSON_KEY, p.json);
    migrated = true;
    r = (await core()).settingsFacts(p.json);
  }
  stored = r.ok ? r : null;
  return migrated;
}

/** Stores `text` and `json`, its JSON form from parseConfig. */
function store(text, json) {
  if (text.trim()) {
    localStorage.setItem(KEY, text);
    localStorage.setItem(JSON_KEY, json);
  } else {
    localStorage.removeItem(KEY);
    localStorage.removeItem(JSON_KEY);
  }
}

/**
 * Checks `toml` and stores it with its JSON form (both from the tools module's parseConfig)
 * without re-analysing; returns the core's error or ''.
 */
export async function save(toml) {
  const r = (await tools()).parseConfig(toml);
  if (!r.ok) return r.error;
  store(toml, r.json);
  await refresh();
  return '';
}

/** Stores a TOML produced by the core and re-analyses (row actions). */
async function commit(toml) {
  const error = await save(toml);
  if (error) throw new Error(error);
  onApply();
}

/**
 * "Mark as ours" / "Mark as forwarder" of a DMARC source IP. Returns { ok, message }; on
 * success the settings are saved and the page re-analyses.
 */
export async function markSource(ip, mark) {
  const r = (await tools()).markSource(current(), ip, mark, '');
  if (!r.ok) return { ok: false, message: r.error };
  await commit(r.toml);
  return { ok: true, message: mark === 'ours' ? `${ip} added to our networks as ${ip.includes(':') ? '/128' : '/32'}.` : `${ip} added to the forwarder networks.` };
}

/** "Suggest bucket": a local rule for one unclassified reply. Returns { ok, message }. */
export async function suggestBucket(reply, outcome) {
  const r = (await tools()).suggestRule(current(), reply.provider, reply.outcome, reply.template, outcome);
  if (!r.ok) return { ok: false, message: r.error };
  await commit(r.toml);
  return { ok: true, message: `Rule ${r.id} added to the settings (Settings › Reply rules): this reply now counts as ${outcome}.` };
}

// ---- the dialog -----------------------------------------------------------------------------

const textarea = () => byId('settings-text');

function showError(message, field) {
  for (const el of byId('settings-dialog').querySelectorAll('[aria-invalid=true]')) el.removeAttribute('aria-invalid');
  byId('settings-error').textContent = message || '';
  if (!field) return;
  if (field === 'toml') {
    byId('settings-advanced').open = true;
    textarea().setAttribute('aria-invalid', 'true');
    textarea().focus();
    return;
  }
  const el = byId('settings-dialog').querySelector(`[data-field="${CSS.escape(field)}"]`)
    || byId('settings-dialog').querySelector(`[data-field^="${CSS.escape(field)}"]`);
  if (el) {
    el.setAttribute('aria-invalid', 'true');
    el.setAttribute('aria-describedby', 'settings-error');
    el.focus();
  }
}

const input = (attrs) => h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });

/** A list of rows with a Remove button each and an Add button. */
function listEditor(id, items, makeRow, addLabel) {
  const box = byId(id);
  const rows = h('ol', { class: 'set-rows' });
  const add = (item) => {
    const li = h('li', {});
    const fields = makeRow(item, li);
    li.append(...fields, h('button', { type: 'button', class: 'small', 'aria-label': `Remove this row`, onclick: () => { li.remove(); renumber(); formDirty = true; } }, 'Remove'));
    rows.append(li);
    renumber();
    return li;
  };
  const renumber = () => {
    [...rows.children].forEach((li, i) => {
      for (const el of li.querySelectorAll('[data-name]')) el.dataset.field = el.dataset.name.replace('#', String(i));
    });
  };
  items.forEach(add);
  replace(box, rows, h('button', { type: 'button', class: 'small', id: `${id}-add`, onclick: () => {
    const li = add(null);
    li.querySelector('input')?.focus();
    formDirty = true;
  } }, addLabel));
}

function renderForm(form) {
  shown = form;
  formDirty = false;
  listEditor('set-networks', form.networks, (n) => [
    input({ value: n?.cidr || '', 'aria-label': 'Network (CIDR or address)', placeholder: '203.0.113.0/24', class: 'net-cidr', 'data-name': 'ours.networks[#]' }),
    input({ value: n?.label || '', 'aria-label': 'Label', placeholder: 'label (mx-out-1)', class: 'net-label', 'data-name': 'ours.networks[#].label' }),
  ], 'Add network');
  listEditor('set-domains', form.domains, (d) => [
    input({ value: d || '', 'aria-label': 'Domain', placeholder: 'example.com', class: 'dom', 'data-name': 'ours.domains[#]' }),
  ], 'Add domain');
  listEditor('set-ips', form.sending_ips, (s) => [
    input({ value: s?.service || '', 'aria-label': 'Outbound service (syslog name/service)', placeholder: 'out05/smtp', class: 'svc', 'data-name': 'egress.sending_ips[#].service' }),
    h('span', { 'aria-hidden': 'true', text: '→' }),
    input({ value: s?.ip || '', 'aria-label': 'Sending IP', placeholder: '203.0.113.94', class: 'svc-ip', 'data-name': 'egress.sending_ips[#].ip' }),
  ], 'Add service');
  listEditor('set-forwarders', form.forwarder_networks, (n) => [
    input({ value: n || '', 'aria-label': 'Forwarder network (CIDR or address)', placeholder: '192.0.2.0/24', class: 'fwd', 'data-name': 'dmarc.forwarder_networks[#]' }),
  ], 'Add forwarder network');
  replace(byId('set-thresholds'), h('div', { class: 'set-grid' }, form.thresholds.map((t) => {
    const id = `th-${t.key}`;
    return h('div', { class: 'set-th' },
      h('label', { for: id, text: THRESHOLD_LABELS[t.key] || t.key }),
      input({ id, value: t.value, 'data-key': t.key, 'data-field': `thresholds.${t.key}`, inputmode: t.key === 'throttled_pct' ? 'text' : 'decimal' }),
      h('span', { class: 'sub', text: `${t.key}; default ${t.default || 'none'}` }));
  })));
  byId('set-redaction').value = form.redaction || '';
  replace(byId('set-rules'), form.rules.length
    ? h('ul', { class: 'set-rule-list' }, form.rules.map((r) => h('li', {},
      h('code', { text: r.id }), ` → ${r.outcome}${r.provider ? ` at ${r.provider}` : ''}: `,
      h('span', { class: 'reply', text: r.phrases.join(' | ') }), ' ',
      h('button', { type: 'button', class: 'small', 'aria-label': `Remove rule ${r.id}`, onclick: () => removeRule(r.id) }, 'Remove'))))
    : h('p', { class: 'sub', text: 'None. "Suggest bucket" on the Replies tab adds one for an unclassified reply.' }));
}

function collect() {
  const vals = (sel) => [...byId('settings-dialog').querySelectorAll(sel)].map((i) => i.value);
  const rows = (id) => [...byId(id).querySelectorAll('.set-rows > li')];
  return {
    networks: rows('set-networks').map((li) => ({ cidr: li.querySelector('.net-cidr').value, label: li.querySelector('.net-label').value })),
    domains: vals('#set-domains .dom'),
    sending_ips: rows('set-ips').map((li) => ({ service: li.querySelector('.svc').value, ip: li.querySelector('.svc-ip').value })),
    forwarder_networks: vals('#set-forwarders .fwd'),
    thresholds: [...byId('set-thresholds').querySelectorAll('input[data-key]')].map((i) => ({ key: i.dataset.key, value: i.value, default: '' })),
    redaction: byId('set-redaction').value,
    rules: shown?.rules || [],
  };
}

/** Loads `text` into the dialog (form and Advanced text); false when the core refuses it. */
async function load(text) {
  const r = (await tools()).settingsForm(text);
  textarea().value = text;
  textDirty = false;
  if (!r.ok) {
    showError(`mailrep.toml: ${r.error}`, 'toml');
    return false;
  }
  renderForm(r.form);
  showError('');
  return true;
}

/** The TOML the dialog holds now: the form applied to the Advanced text. */
async function result() {
  const c = await tools();
  const text = textarea().value;
  const base = c.settingsForm(text);
  if (!base.ok) return { ok: false, error: `mailrep.toml: ${base.error}`, field: 'toml' };
  // save() checks it (parseConfig also compiles the rules, as an analysis would).
  if (!formDirty) return { ok: true, toml: text };
  return c.applySettingsForm(text, collect());
}

async function removeRule(id) {
  const r = (await tools()).removeRule(textarea().value, id);
  if (!r.ok) { showError(r.error, 'rules.rule'); return; }
  const dirty = formDirty;
  const keep = collect();
  await load(r.toml);
  textDirty = true;
  if (dirty) { // keep what was typed in the form
    const again = (await tools()).applySettingsForm(r.toml, { ...keep, rules: shown.rules });
    if (again.ok) await load(again.toml);
    textDirty = true;
  }
  byId('settings-error').textContent = `Rule ${id} removed; press "Save and re-analyse" to apply.`;
}

/** Opens the dialog. */
export async function open() {
  await load(current());
  if (!byId('settings-dialog').open) byId('settings-dialog').showModal();
}

async function apply() {
  const r = await result();
  if (!r.ok) { showError(r.error, r.field); return false; }
  const error = await save(r.toml);
  if (error) { showError(`mailrep.toml: ${error}`, 'toml'); return false; }
  showError('');
  onApply();
  return true;
}

/**
 * Wires the dialog; `applied` runs after a valid change (the page re-analyses), `read` once the
 * core has read stored settings at start (the page updates its banners).
 */
export function setup(applied, read) {
  onApply = applied;
  // Files analysed while stored settings got their JSON form were analysed with the defaults.
  if (current().trim()) refresh().then((migrated) => { read(); if (migrated) onApply(); });
  byId('open-settings').addEventListener('click', open);
  const dialog = byId('settings-dialog');
  dialog.addEventListener('input', (e) => {
    if (e.target === textarea()) textDirty = true; else if (e.target.closest('fieldset')) formDirty = true;
  });
  dialog.addEventListener('change', (e) => { if (e.target.id === 'set-redaction') formDirty = true; });
  // Edited text becomes the form's base as soon as it is left (when the core accepts it).
  textarea().addEventListener('change', async () => {
    const r = (await tools()).settingsForm(textarea().value);
    if (r.ok) { renderForm(r.form); showError(''); } else showError(`mailrep.toml: ${r.error}`, 'toml');
    textDirty = true;
  });
  // Enter in a field saves (instead of the form's implicit submit, which would close).
  dialog.querySelector('form').addEventListener('submit', (e) => {
    if (e.submitter?.value === 'close') return;
    e.preventDefault();
    byId('settings-apply').click();
  });
  byId('settings-apply').addEventListener('click', async () => {
    if (await apply()) dialog.close();
  });
  byId('settings-import').addEventListener('change', async (e) => {
    const f = e.target.files[0];
    e.target.value = '';
    if (!f) return;
    if (f.size > 1024 * 1024) { showError(`${f.name}: larger than 1 MB, not a mailrep.toml`); return; }
    if (await load(await f.text())) {
      textDirty = true;
      byId('settings-error').textContent = `${f.name} loaded; press "Save and re-analyse" to use it.`;
    }
  });
  byId('settings-export').addEventListener('click', async () => {
    const r = await result();
    if (!r.ok) { showError(r.error, r.field); return; }
    download('mailrep.toml', r.toml, 'application/toml');
  });
  byId('settings-example').addEventListener('click', async () => {
    await load((await tools()).configExample());
    textDirty = true;
  });
  byId('settings-reset').addEventListener('click', async () => {
    await load('');
    textDirty = true;
    byId('settings-error').textContent = 'Defaults loaded; press "Save and re-analyse" to use them.';
  });
}
