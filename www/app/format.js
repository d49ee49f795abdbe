// Number, percent, byte and date formatting for display. Numbers use the locale's separators;
// dates stay ISO (YYYY-MM-DD).

const int = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const one = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** Integer with the locale's thousands separators. */
export const count = (n) => int.format(n ?? 0);

/** A percent value (already 0..100) with one decimal and the unit. */
export const pct = (p) => (p === undefined || p === null || Number.isNaN(p) ? '–' : `${one.format(p)} %`);

/** Bytes in B / kB / MB / GB (decimal units). */
export function bytes(n) {
  if (n < 1e3) return `${count(n)} B`;
  if (n < 1e6) return `${one.format(n / 1e3)} kB`;
  if (n < 1e9) return `${one.format(n / 1e6)} MB`;
  return `${one.format(n / 1e9)} GB`;
}

/** A rate in MB/s. */
export const rate = (bytesPerSecond) => `${one.format(bytesPerSecond / 1e6)} MB/s`;

/** Unix seconds as an ISO date (UTC). */
export const day = (unixSeconds) => new Date(unixSeconds * 1000).toISOString().slice(0, 10);

/** Outcome ids in display order, with their labels (the core's taxonomy, DESIGN §3). */
export const OUTCOMES = [
  ['accepted', 'Accepted'],
  ['throttled', 'Throttled'],
  ['deferred_other', 'Deferred'],
  ['reject_reputation', 'Reputation rej.'],
  ['reject_content', 'Content rej.'],
  ['reject_recipient', 'Recipient rej.'],
  ['reject_auth', 'Auth rej.'],
  ['reject_other', 'Unclassified rej.'],
];

/** Label of an outcome id. */
export const outcomeLabel = (id) => (OUTCOMES.find(([k]) => k === id) || [id, id])[1];
