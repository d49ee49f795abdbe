// Filters and the current tab, kept in the URL fragment (#tab=delivery&prov=microsoft&from=…)
// so reload and back/forward keep them. A `#s=…` fragment is a summary link (share.js) and is
// left alone here.

const KEYS = ['tab', 'from', 'to', 'prov', 'ip', 'dom'];
const TABS = ['overview', 'delivery', 'replies', 'dmarc', 'readiness', 'quality'];

/** The filter state read from the fragment: { tab, from, to, prov, ip, dom } (strings or ''). */
export function read() {
  const p = new URLSearchParams(location.hash.slice(1));
  const f = Object.fromEntries(KEYS.map((k) => [k, p.get(k) || '']));
  if (!TABS.includes(f.tab)) f.tab = 'overview';
  return f;
}

/** Writes `f` to the fragment (a new history entry, so Back undoes a filter). */
export function write(f) {
  const p = new URLSearchParams();
  for (const k of KEYS) if (f[k] && !(k === 'tab' && f[k] === 'overview')) p.set(k, f[k]);
  const hash = p.toString();
  if (hash !== location.hash.slice(1)) location.hash = hash;
}

/** Whether `a` and `b` show the same tab with the same filters. */
export const same = (a, b) => KEYS.every((k) => (a[k] || '') === (b[k] || ''));

/** True when any data filter (not the tab) is set. */
export const active = (f) => Boolean(f.from || f.to || f.prov || f.ip || f.dom);

/** Whether a date (YYYY-MM-DD) is inside the range of `f`. */
export const inRange = (f, date) => (!f.from || date >= f.from) && (!f.to || date <= f.to);

/** Called with the new state whenever the fragment changes (not for summary links). */
export function onChange(fn) {
  addEventListener('hashchange', () => {
    if (!location.hash.startsWith('#s=')) fn(read());
  });
}
