/* mailrep_web: hand-written TypeScript types of the page's WebAssembly module.
 *
 * scripts/build-web copies this file over the generated www/pkg/mailrep_web.d.ts. The names
 * are a contract with www/ (keep them stable). Every function calls mailrep-core; the page
 * holds no logic. Findings are plain objects with the shape of `mailrep analyze --format
 * json` (snake_case keys, maps as objects, absent optional values as null or left out).
 * Errors are thrown as `Error` with the core's message.
 */

/** Calendar date `YYYY-MM-DD`. */
export type DateString = string;

export type Outcome =
  | 'accepted' | 'throttled' | 'deferred_other' | 'reject_reputation'
  | 'reject_content' | 'reject_recipient' | 'reject_auth' | 'reject_other';

export type InputKind = 'postfix_log' | 'postfix_log_gzip' | 'reports' | 'postfix_config' | 'unknown';
export type Severity = 'critical' | 'warning' | 'info';
export type Level = 'info' | 'warning' | 'error';
export type SourceClass = 'ours' | 'forwarder' | 'external';
export type RedactionPreset = 'internal' | 'vendor_support' | 'public';

export interface LogStats {
  lines: number; status_lines: number; attempts: number; skipped: number;
  expired: number; expired_unattributed: number; unparsed: number; truncated: number;
  first_date?: DateString; last_date?: DateString;
}

export interface ReportCounts { aggregate: number; failure: number; smtp_tls: number; errors: number; }

export interface InputSummary {
  /** As given: path (CLI) or file name (page). */
  name: string;
  kind: InputKind;
  /** Bytes read (compressed size for compressed inputs). */
  bytes: number;
  /** Year-less syslog stamps are dated on or before this day. */
  reference_date: DateString;
  log?: LogStats;
  reports?: ReportCounts;
  /** True when the input was cancelled while read (nothing of it is counted); absent when false. */
  cancelled?: boolean;
}

/** Attempts per outcome with rates (percent, one decimal). */
export interface OutcomeCounts {
  attempts: number;
  final: number;
  outcomes: Record<Outcome, number>;
  percent: Record<Outcome, number>;
}

export interface DailyRow {
  date: DateString; host: string; sending_ip: string; provider: string; outcome: Outcome;
  reason_code: string; attempts: number; final: number; sample_reply: string;
}
export interface ProviderDay extends OutcomeCounts { date: DateString; provider: string; }
export interface ProviderTotal extends OutcomeCounts { provider: string; }
export interface SendingIpTotal extends OutcomeCounts { sending_ip: string; services: string[]; }
export interface ReplyGroup {
  provider: string; outcome: Outcome; reason_code: string; rule: string; attempts: number; sample_reply: string;
}
export interface UnclassifiedReply {
  provider: string; outcome: Outcome; template: string; attempts: number; sample_reply: string;
}
export interface DeliveryFindings {
  daily: DailyRow[];
  providers: ProviderDay[];
  /** Most attempts first. */
  provider_totals: ProviderTotal[];
  sending_ips: SendingIpTotal[];
  replies: ReplyGroup[];
  unclassified: UnclassifiedReply[];
  stats: LogStats;
  /** Provider id -> display name. */
  provider_names: Record<string, string>;
}

export interface PolicyPublished {
  domain: string; adkim?: string; aspf?: string; p?: string; sp?: string; pct?: number; np?: string; fo?: string;
}
export interface DmarcTotals {
  reports: number; records: number; skipped_records: number; messages: number; passing: number; failing: number;
}
export interface ReportSummary {
  org_name: string; org_name_raw: string; report_id: string; report_id_raw: string; email: string;
  policy_domain: string; policy: PolicyPublished;
  /** Unix seconds. */ begin: number; end: number;
  date_begin: string; date_end: string; prorated: boolean;
  records: number; skipped_records: number; messages: number; passing: number; failing: number;
  warnings?: string[]; input: string; member?: string;
}
export interface DuplicateReport { org_name: string; report_id: string; input: string; member?: string; duplicate_of: string; }
export interface Dispositions { none: number; quarantine: number; reject: number; }
export interface SourceDay {
  date: DateString; source_ip: string; header_from: string; source_class: SourceClass; class_basis: string;
  ptr?: string; messages: number; passing: number; failing: number;
  dkim_aligned_pass: number; spf_aligned_pass: number; dkim_auth_pass: number; spf_auth_pass: number;
  dispositions: Dispositions; override_reasons?: Record<string, number>; reporters: string[]; prorated: boolean;
}
export interface ReporterSummary {
  org_name: string; reports: number; records: number; messages: number; passing: number; failing: number;
  begin: number; end: number; date_begin: string; date_end: string; policy_domains: string[];
}
export interface DomainSummary {
  domain: string; reports: number; messages: number; passing: number; failing: number; policies: PolicyPublished[];
}
export type ReadinessStatus = 'ready' | 'not_ready' | 'not_enough_data' | 'enforced';
export type CheckLevel = 'ok' | 'fail' | 'warn' | 'info';
export interface ReadinessCheck {
  /** coverage | ours_pass | ours_dkim | aligned_third_party | reporter_gap | forwarders | external_failing */
  id: string; level: CheckLevel; message: string;
}
export interface ClassShare {
  messages: number; passing: number; failing: number; dkim_aligned_pass: number; pass_percent: number; dkim_percent: number;
}
export interface PolicySpan { domain: string; p?: string; sp?: string; pct?: number; first: DateString; last: DateString; reports: number; }
/** Policy readiness of one header_from domain (core dmarc::readiness). */
export interface DomainReadiness {
  domain: string; listed: boolean; policy?: PolicyPublished;
  /** The policy in force (p, or the parent's sp for a subdomain). */
  applied?: string; pct: number; history: PolicySpan[];
  days: number; reporters: number; max_gap_days: number;
  messages: number; passing: number; pass_percent: number;
  ours: ClassShare; forwarder: ClassShare; external: ClassShare;
  aligned_third_party_sources: number;
  status: ReadinessStatus;
  /** The verdict in words, e.g. 'Ready for p=quarantine'. */
  headline: string;
  /** The policy in force in words: 'p=none', 'p=quarantine pct=25', 'not reported'. */
  current: string;
  /** Next step on the ladder: 'quarantine' | 'quarantine pct=100' | 'reject' | 'reject pct=100'. */
  next?: string;
  checks: ReadinessCheck[];
  /** Failing messages per class: what p=reject would have blocked. */
  impact: { external: number; ours: number; forwarder: number };
}
export interface DmarcFindings {
  totals: DmarcTotals; reports: ReportSummary[]; duplicates: DuplicateReport[]; by_source: SourceDay[];
  by_reporter: ReporterSummary[]; by_domain: DomainSummary[];
  failure_reports: number; smtp_tls_reports: number; duplicate_reports: number;
  /** Absent without DMARC reports (and in files of older versions). */
  readiness?: DomainReadiness[];
}

export interface Subject { date?: DateString; provider?: string; sending_ip?: string; source_ip?: string; domain?: string; }
export interface Verdict {
  /** Stable rule id, e.g. `delivery.throttled`, `dmarc.spoofing`. */
  id: string;
  severity: Severity;
  subject: Subject;
  message: string;
  numbers: { count: number; total: number; percent: number; threshold: number };
  evidence: string[];
}

export interface Diagnostic {
  level: Level; code: string; input: string;
  position: { member?: string; line?: number; offset?: number };
  message: string; count: number;
}

/** Present only in redacted findings. */
export interface Redaction {
  preset: RedactionPreset; addresses: number; ids: number; hostnames: number;
  our_ips: number; our_domains: number; names: number;
}

export interface Findings {
  schema_version: number;
  generator: string;
  inputs: InputSummary[];
  delivery: DeliveryFindings;
  dmarc: DmarcFindings;
  /** Most severe first. */
  verdicts: Verdict[];
  diagnostics: Diagnostic[];
  redaction?: Redaction;
}

/** Streaming analysis of named inputs (push chunks of any size). */
export class Analyzer {
  free(): void;
  /**
   * `configJson`: the JSON form of a mailrep.toml (`parseConfig(toml).json` of the tools
   * module), '' for defaults. Throws an Error for a configuration that does not fit.
   */
  constructor(configJson: string);
  /** Starts an input; `lastModifiedMs` = `File.lastModified` (reference date = next UTC day). */
  beginInput(name: string, lastModifiedMs: number): void;
  push(chunk: Uint8Array): void;
  /** Address in `memory.buffer` of a reusable input buffer of `len` bytes (max 64 MiB) for JS to fill. */
  inputBuffer(len: number): number;
  /** Pushes the first `len` bytes of the input buffer (one copy less than `push`). */
  pushBuffer(len: number): void;
  endInput(): void;
  /**
   * On a fresh Analyzer (same config as the first part's): starts the second part of a plain
   * log cut after a '\n' (at least 4096 bytes in). Push its bytes, then `endPart`.
   */
  beginPart(name: string, lastModifiedMs: number): void;
  /** Ends the part: its counting state, encoded, for `absorbPart`. The analyzer is spent. */
  endPart(): Uint8Array;
  /**
   * Counts a part (from `endPart`) into the open input, as if its bytes were pushed now: the
   * input must be a plain log whose bytes so far end where the part begins. False (nothing
   * changed) when that cannot be exact or the bytes are not a part: push the part's bytes.
   */
  absorbPart(part: Uint8Array): boolean;
  /** Abandons the current input (cancel file): nothing of it counts; listed with cancelled: true. */
  abortInput(reason: string): boolean;
  /** An input the browser could not read: recorded as an error diagnostic. */
  inputError(name: string, lastModifiedMs: number, message: string): void;
  /** Findings of the inputs ended so far; does not consume. */
  snapshot(): Findings;
  /** The same findings held in the module for filtered views (the page's worker); does not consume. */
  views(): Views;
  /** Findings; consumes the analyzer (do not call free() afterwards). */
  finish(): Findings;
  /** Findings JSON, byte-identical to `mailrep analyze --format json`; consumes. */
  finishJson(): string;
}

/** Filters of a view; absent or '' = not set. */
export interface ViewFilter { from?: DateString; to?: DateString; provider?: string; ip?: string; domain?: string; }
export interface PassCounts { messages: number; passing: number; failing: number; percent: number; }
export interface SendingIpView extends OutcomeCounts { sending_ip: string; services: string[]; dmarc?: PassCounts; }
export interface ReplyView {
  provider: string; outcome: Outcome; reason_code: string; rule: string; attempts: number;
  /** Share of the view's non-accepted attempts (0 for accepted). */
  percent: number; sample_reply: string;
}
export interface SourceIpView extends PassCounts {
  source_ip: string; source_class: SourceClass; class_basis: string; ptr?: string;
  dkim_aligned_pass: number; spf_aligned_pass: number; dkim_percent: number; spf_percent: number;
  dispositions: Dispositions; header_from: string[]; reporters: string[]; first: DateString; last: DateString;
  days: SourceDay[];
}
/** Roll-ups of the findings a filter keeps (core view::filter_findings); empty filter = the core's own. */
export interface View {
  filtered: boolean;
  delivery: {
    total: OutcomeCounts; providers: ProviderTotal[]; sending_ips: SendingIpView[];
    days: { date: DateString; outcome: Outcome; attempts: number }[];
    provider_days: ProviderDay[]; replies: ReplyView[]; non_accepted: number;
    unclassified: UnclassifiedReply[]; unclassified_attempts: number; unclassified_percent: number;
  };
  dmarc: {
    totals: PassCounts; sources: SourceIpView[];
    days: { date: DateString; source_class: SourceClass; passing: number; failing: number }[];
    reporters: (ReporterSummary & { percent: number })[];
    domains: (DomainSummary & { percent: number })[];
    readiness: DomainReadiness[];
  };
}
/**
 * Findings of an Analyzer held in the module for filtered views (`Analyzer.views`; no
 * constructor: this module reads no findings; the tools module's `Views` holds findings from a
 * JS object: a findings file, a summary link).
 */
export class Views {
  /** Made by `Analyzer.views()` only. */
  private constructor();
  free(): void;
  /** The findings held, as `Analyzer.snapshot` returns them. */
  findings(): Findings;
  /** Throws on a malformed date or an unknown key. */
  filter(filter: ViewFilter): View;
}

/** Whether a file starting with `head` (its first 4096 bytes) is a plain log that can be cut in parts. */
export function splittableLog(head: Uint8Array): boolean;
/** Labels of our networks for these IPs: `{ ip: label }` (only IPs in a labelled network). */
export function networkLabels(configJson: string, ips: string[]): Record<string, string>;
/**
 * What the page shows before the settings dialog opens: the number of our networks and the
 * default redaction preset ('' = unset), or the error of an invalid configuration.
 * `configJson` as for `new Analyzer`.
 */
export function settingsFacts(configJson: string):
  | { ok: true; networks: number; redaction: '' | 'internal' | 'vendor_support' | 'public' }
  | { ok: false; error: string };
/** Outcomes an unclassified reply (deferred_other / reject_other) can be put into. */
export function bucketChoices(unclassifiedOutcome: Outcome): Outcome[];
export { version, initSync, default } from './wasm_init';
export type { InitInput, InitOutput, SyncInitInput } from './wasm_init';
