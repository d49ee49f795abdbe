// wasm-bindgen's loader of a module (--target web), the same for both of the page's modules
// (mailrep_web.d.ts and mailrep_web_tools.d.ts re-export it).

/** The mailrep version, e.g. `0.1.0`. */
export function version(): string;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;
export interface InitOutput { readonly memory: WebAssembly.Memory; }
export type SyncInitInput = BufferSource | WebAssembly.Module;
/** Instantiates the module synchronously (e.g. from a posted WebAssembly.Module). */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;
/** Loads and instantiates the module (default: its `_bg.wasm` beside its `.js`). */
export default function __wbg_init(
  module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<InitOutput>;
