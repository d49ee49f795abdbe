// Types of the cold features' module (mailrep_web_tools: web/ built with the `tools`
// feature, scripts/build-web), loaded by the page on first use (www/app/wasm.js `tools()`).
// Findings and the other shapes are those of mailrep_web.d.ts.
import type { Findings, Outcome, RedactionPreset, View, ViewFilter } from './mailrep_web';

/** `normalizedToml`: the configuration holding only what differs from the defaults (empty for
 * the defaults; comments dropped). `json`: its JSON form, what the analysis module's
 * `Analyzer`, `networkLabels` and `settingsFacts` take (that module reads no TOML). */
export interface ParsedConfig { ok: boolean; normalizedToml: string | null; json: string | null; error: string | null; }
export interface LinkCheck { length: number; level: 'ok' | 'long' | 'too_long'; message: string; }

/** The commented example `mailrep.toml`. */
export function configExample(): string;
/** Config import, validated by the core. */
export function parseConfig(toml: string): ParsedConfig;
/** Redacted copy (presets of research/ux.md §3.6). Throws on an unknown preset. */
export function redactFindings(findings: Findings, preset: RedactionPreset): Findings;
/** Self-contained HTML report: no script, static SVG charts (same as `--format html`). */
export function renderHtmlReport(findings: Findings): string;
/** The findings file (pretty JSON, trailing newline). */
export function findingsToJson(findings: Findings): string;
/** CSV of the daily delivery rows (same as `--format csv`). */
export function deliveryCsv(findings: Findings): string;
/** What a summary link carries (verdicts, provider table, log and DMARC totals; no daily
 * rows, replies or diagnostics). The page writes the `#s=` payload from it in JS
 * (www/app/sharelink.js: compact JSON, deflate-raw through CompressionStream, base64url). */
export function shareSummary(findings: Findings): Findings;
/** Summary findings from a payload (with or without `#s=`); throws on a bad link. */
export function decodeShareLink(payload: string): Findings;
/** Judges a whole link's length: ok up to 2,000 characters, long up to 32,000, else too_long. */
export function shareLinkCheck(length: number): LinkCheck;
/**
 * Findings read once in the module, for filtered views of findings that did not come from the
 * page's analysis (a findings file, a summary link).
 */
export class Views {
  free(): void;
  /** Throws when `findings` is not findings of this schema version. */
  constructor(findings: Findings);
  /** Reads a findings file; throws on bad JSON, shape or schema version. */
  static fromJson(text: string): Views;
  /** The findings held, as a plain object. */
  findings(): Findings;
  /** Throws on a malformed date or an unknown key. */
  filter(filter: ViewFilter): View;
}
/** The settings form of a mailrep.toml (core config_edit::SettingsForm). */
export interface SettingsForm {
  networks: { cidr: string; label: string }[];
  domains: string[];
  sending_ips: { service: string; ip: string }[];
  forwarder_networks: string[];
  /** Every [thresholds] key in order; values as text (maps as `provider=percent, …`; '' = unset). */
  thresholds: { key: string; value: string; default: string }[];
  /** '' | 'internal' | 'vendor_support' | 'public' */
  redaction: string;
  /** Configured [[rules.rule]] (read-only in the form). */
  rules: { id: string; provider: string; outcome: Outcome; phrases: string[]; doc: string }[];
}
/** Result of a settings edit: the new TOML (only non-default keys), or the error and the field it names. */
export interface SettingsEdit {
  ok: boolean; toml?: string; form?: SettingsForm; id?: string;
  error?: string;
  /** `toml`, `ours.networks[2]`, `egress.sending_ips[0].ip`, `thresholds.auth_reject_pct`, … */
  field?: string;
}
/** The form of a configuration (`{ ok, form }`, or `{ ok: false, error, field: 'toml' }`). */
export function settingsForm(toml: string): SettingsEdit;
/** Writes the form into `toml` (other settings kept): `{ ok, toml }` or `{ ok: false, error, field }`. */
export function applySettingsForm(toml: string, form: SettingsForm): SettingsEdit;
/** Mark as ours (/32 or /128 in ours.networks, with `label`) or as forwarder (dmarc.forwarder_networks). */
export function markSource(toml: string, ip: string, mark: 'ours' | 'forwarder', label: string): SettingsEdit;
/** A local rule (`local.<outcome>_<n>`) putting one unclassified reply template into `outcome`: `{ ok, toml, id }`. */
export function suggestRule(toml: string, provider: string, unclassifiedOutcome: Outcome, template: string, outcome: Outcome): SettingsEdit;
/** Removes a [[rules.rule]] by id. */
export function removeRule(toml: string, id: string): SettingsEdit;
/** Redacted (Internal) Markdown about one unclassified reply; throws when the findings hold none such. */
export function unclassifiedIssueText(findings: Findings, provider: string, template: string): string;
/** Verdicts, provider table and top replies as Markdown (redact first). */
export function summaryMarkdown(findings: Findings): string;
export { version, initSync, default } from './wasm_init';
export type { InitInput, InitOutput, SyncInitInput } from './wasm_init';
