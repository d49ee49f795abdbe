// Settings: the same mailrep.toml the command line reads, edited as text, checked by the core
// (parseConfig names the bad field), remembered in localStorage, importable and exportable.

import { byId, download } from './dom.js';
import { core } from './wasm.js';

const KEY = 'mailrep.config';
let onApply = () => {};

/** The TOML text in use ('' = the core's defaults). */
export const current = () => localStorage.getItem(KEY) || '';

/** True when the settings name at least one of our networks (DMARC classes need them). */
export const hasNetworks = () => /^\s*networks\s*=\s*\[\s*["']/m.test(current());

/** Opens the dialog. */
export function open() {
  byId('settings-text').value = current();
  byId('settings-error').textContent = '';
  byId('settings-dialog').showModal();
}

/** Checks and stores `text` without re-analysing; returns the core's error or ''. */
export async function save(text) {
  const r = (await core()).parseConfig(text);
  if (!r.ok) return r.error;
  if (text.trim()) localStorage.setItem(KEY, text); else localStorage.removeItem(KEY);
  return '';
}

async function apply(text) {
  const c = await core();
  const r = c.parseConfig(text);
  if (!r.ok) {
    byId('settings-error').textContent = r.error;
    return false;
  }
  byId('settings-error').textContent = '';
  if (text.trim()) localStorage.setItem(KEY, text); else localStorage.removeItem(KEY);
  onApply();
  return true;
}

/** Wires the dialog; `applied` runs after a valid change (the page re-analyses). */
export function setup(applied) {
  onApply = applied;
  byId('open-settings').addEventListener('click', open);
  byId('settings-apply').addEventListener('click', async () => {
    if (await apply(byId('settings-text').value)) byId('settings-dialog').close();
  });
  byId('settings-import').addEventListener('change', async (e) => {
    const f = e.target.files[0];
    e.target.value = '';
    if (!f) return;
    if (f.size > 1024 * 1024) { byId('settings-error').textContent = `${f.name}: larger than 1 MB, not a mailrep.toml`; return; }
    byId('settings-text').value = await f.text();
    byId('settings-error').textContent = `${f.name} loaded; press "Apply and re-analyse".`;
  });
  byId('settings-export').addEventListener('click', () => download('mailrep.toml', byId('settings-text').value, 'application/toml'));
  byId('settings-example').addEventListener('click', async () => {
    byId('settings-text').value = (await core()).configExample();
  });
  byId('settings-reset').addEventListener('click', () => { byId('settings-text').value = ''; });
}
