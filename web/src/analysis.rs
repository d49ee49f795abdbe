//! The analysis module's exports (`mailrep_web`, built without the `tools` feature): what every
//! session of the page needs: the streaming [`Analyzer`] (the page's worker) and the [`Views`]
//! of its findings, network labels, bucket choices and the settings facts shown at start.
//! Nothing here reads findings (from JS or JSON): that is the tools module's.

use mailrep_core::findings::Findings;
use mailrep_core::{Config, Date};
use wasm_bindgen::prelude::*;

use crate::{filtered_view, findings_to_js, outcome, to_js};

/// The reference date for year-less syslog stamps of a file last modified at
/// `last_modified_ms` (JS milliseconds since the Unix epoch, `File.lastModified`): the next
/// UTC day, the same rule the CLI applies to a file's mtime.
fn reference_date(last_modified_ms: f64) -> Date {
    let secs = if last_modified_ms.is_finite() {
        (last_modified_ms / 1000.0).floor() as i64
    } else {
        0
    };
    Date::reference_for_mtime(secs)
}

/// Streaming analysis of any number of named inputs into one set of findings.
///
/// ```js
/// const a = new Analyzer(configJson);            // '' = defaults
/// a.beginInput(file.name, file.lastModified);
/// for await (const chunk of file.stream()) a.push(chunk);
/// a.endInput();
/// const findings = a.finish();                   // consumes the analyzer
/// ```
#[wasm_bindgen]
pub struct Analyzer {
    inner: mailrep_core::Analyzer,
    /// Input bytes written by JS straight into the module's memory (`inputBuffer`,
    /// `pushBuffer`): one copy per chunk instead of two, no allocation per chunk.
    buf: Vec<u8>,
}

#[wasm_bindgen]
impl Analyzer {
    /// An analyzer for the configuration `config_json`: the JSON form of a `mailrep.toml`
    /// (`parseConfig(toml).json` of the tools module, `Config::to_json`; empty for the
    /// defaults). Throws an `Error` for a configuration that does not fit (serde's message
    /// with line and column of the JSON text) or whose rules do not compile.
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str) -> Result<Analyzer, JsError> {
        let config = Config::from_json(config_json).map_err(|e| JsError::new(&e.to_string()))?;
        let mut inner =
            mailrep_core::Analyzer::new(config).map_err(|e| JsError::new(&e.to_string()))?;
        // The page cancels files: each log input can be undone (see `abortInput`).
        inner.set_abortable(true);
        Ok(Analyzer {
            inner,
            buf: Vec::new(),
        })
    }

    /// Starts the input `name` (an input still open is ended first). `last_modified_ms` is
    /// `File.lastModified`; year-less syslog stamps are dated up to the next UTC day after it
    /// unless the configuration sets `time.reference_date`.
    #[wasm_bindgen(js_name = beginInput)]
    pub fn begin_input(&mut self, name: &str, last_modified_ms: f64) {
        self.inner
            .begin_input(name, reference_date(last_modified_ms));
    }

    /// Pushes the next bytes of the current input; chunks may have any size.
    pub fn push(&mut self, chunk: &[u8]) {
        self.inner.push(chunk);
    }

    /// The address in the module's memory (`memory.buffer`) of an input buffer of `len`
    /// bytes (at most 64 MiB), for JS to fill and pass with `pushBuffer`: the bytes are
    /// copied once, from the file's chunk into the module. The address stays valid until the
    /// next `inputBuffer` call; a view of it (`new Uint8Array(memory.buffer, ptr, len)`) must
    /// be made again after any call into the module, which may grow (detach) the memory.
    #[wasm_bindgen(js_name = inputBuffer)]
    pub fn input_buffer(&mut self, len: usize) -> *mut u8 {
        const MAX: usize = 64 << 20;
        let len = len.min(MAX);
        if self.buf.len() != len {
            self.buf = vec![0; len];
        }
        self.buf.as_mut_ptr()
    }

    /// Pushes the first `len` bytes of the input buffer (see `inputBuffer`) as the next bytes
    /// of the current input, as `push` would.
    #[wasm_bindgen(js_name = pushBuffer)]
    pub fn push_buffer(&mut self, len: usize) {
        let n = len.min(self.buf.len());
        self.inner.push(&self.buf[..n]);
    }

    /// Starts the second part of a plain log cut in two at a line boundary (the byte after a
    /// `\n`, at least 4096 bytes in), on a fresh analyzer with the same configuration as the
    /// one reading the first part (a second worker): push the part's bytes as usual, then
    /// `endPart`. `name` and `last_modified_ms` as for the first part's `beginInput`.
    #[wasm_bindgen(js_name = beginPart)]
    pub fn begin_part(&mut self, name: &str, last_modified_ms: f64) {
        self.inner
            .begin_part(name, reference_date(last_modified_ms));
    }

    /// Ends the part and returns its counting state, encoded (some bytes per daily bucket and
    /// per deferral), for `absorbPart` of the analyzer reading the first part. The analyzer is
    /// spent (free it).
    #[wasm_bindgen(js_name = endPart)]
    pub fn end_part(&mut self) -> Vec<u8> {
        self.inner.end_part()
    }

    /// Counts a part's state from `endPart` as if its bytes had been pushed now, into the open
    /// input: a plain log whose bytes so far end where the part begins. The findings equal
    /// those of one pass. Returns false, changing nothing, when that cannot be exact (the
    /// part or the first part reached a limit, the input is not a plain log at a line
    /// boundary) or the bytes are not a part: the caller then pushes the part's bytes itself.
    #[wasm_bindgen(js_name = absorbPart)]
    pub fn absorb_part(&mut self, part: &[u8]) -> bool {
        self.inner.absorb_part(part).is_ok()
    }

    /// Ends the current input.
    #[wasm_bindgen(js_name = endInput)]
    pub fn end_input(&mut self) {
        self.inner.end_input();
    }

    /// Abandons the current input (cancel file): nothing of it is counted; it is listed in
    /// `inputs` with `cancelled: true` and an `input.cancelled` warning naming `reason`.
    /// Returns false when no input was open.
    #[wasm_bindgen(js_name = abortInput)]
    pub fn abort_input(&mut self, reason: &str) -> bool {
        self.inner.abort_input(reason)
    }

    /// Records an input that could not be read (the browser refused the file): an error
    /// diagnostic naming it and `message`; the other inputs are unaffected.
    #[wasm_bindgen(js_name = inputError)]
    pub fn input_error(&mut self, name: &str, last_modified_ms: f64, message: &str) {
        self.inner
            .input_error(name, reference_date(last_modified_ms), message);
    }

    /// The findings of the inputs ended so far, as a plain object; the analyzer stays usable.
    pub fn snapshot(&self) -> Result<JsValue, JsError> {
        findings_to_js(&self.inner.snapshot())
    }

    /// The findings of the inputs ended so far held for filtered views (`Views`; its
    /// `findings()` is what `snapshot` returns); the analyzer stays usable.
    pub fn views(&self) -> Views {
        Views {
            findings: self.inner.snapshot(),
        }
    }

    /// Ends any open input and returns the findings as a plain object. Consumes the analyzer.
    pub fn finish(self) -> Result<JsValue, JsError> {
        findings_to_js(&self.inner.finish())
    }

    /// Ends any open input and returns the findings JSON, byte for byte what
    /// `mailrep analyze --format json` writes for the same inputs, configuration and
    /// reference dates. Consumes the analyzer.
    #[wasm_bindgen(js_name = finishJson)]
    pub fn finish_json(self) -> String {
        self.inner.finish().to_json()
    }
}

/// The findings of an [`Analyzer`]'s snapshot held in the module for the page's filtered
/// views (a render asks for a view at every filter change). Made by `Analyzer.views` only: the
/// analysis module reads no findings from JS or JSON (the tools module's `Views` does, for a
/// findings file or a summary link).
///
/// ```js
/// const views = analyzer.views();                // in the worker, after each file
/// const findings = views.findings();             // the plain object, sent to the page
/// const v = views.filter({ from: '2026-11-19', provider: 'microsoft' });
/// views.free();
/// ```
#[wasm_bindgen]
pub struct Views {
    findings: Findings,
}

#[wasm_bindgen]
impl Views {
    /// The findings held, as a plain object (as `Analyzer.snapshot` returns them).
    pub fn findings(&self) -> Result<JsValue, JsError> {
        findings_to_js(&self.findings)
    }

    /// The roll-ups `filter` keeps (`mailrep_core::view::filter_findings`): `filter` is
    /// `{ from?, to?, provider?, ip?, domain? }` (dates `YYYY-MM-DD`; absent or empty = no
    /// filter). Throws on a malformed date or an unknown key.
    pub fn filter(&self, filter: &JsValue) -> Result<JsValue, JsError> {
        filtered_view(&self.findings, filter)
    }
}

/// Whether a file whose first bytes are `head` (its first 4096 bytes, or all of a shorter
/// file) is read as a plain, uncompressed Postfix log: only such a file can be counted in two
/// parts (`beginPart`, `absorbPart`).
#[wasm_bindgen(js_name = splittableLog)]
pub fn splittable_log(head: &[u8]) -> bool {
    mailrep_core::input::splittable_log(head)
}

/// Labels of our networks for the given IPs (`{ ip: label }`, only IPs inside a labelled
/// network) under the configuration `config_json` (JSON form, as for `new Analyzer`); `{}`
/// for an invalid configuration.
#[wasm_bindgen(js_name = networkLabels)]
#[allow(clippy::needless_pass_by_value)] // wasm-bindgen passes JS arrays as owned vectors
pub fn network_labels(config_json: &str, ips: Vec<String>) -> Result<JsValue, JsError> {
    let labels = Config::from_json(config_json)
        .map(|c| mailrep_core::config_edit::labels_for(&c, ips.iter().map(String::as_str)))
        .unwrap_or_default();
    to_js(&labels)
}

/// What the page shows before the settings dialog is opened, read from the configuration
/// `config_json` (JSON form, as for `new Analyzer`) by the analysis module (so a session with
/// stored settings does not fetch the tools module at start): `{ ok: true, networks,
/// redaction }` with `networks` the number of our networks (`[ours] networks`) and
/// `redaction` the default preset of exports (`[share] redaction`, `''` when unset), or
/// `{ ok: false, error }` for a configuration that does not fit.
#[wasm_bindgen(js_name = settingsFacts)]
pub fn settings_facts(config_json: &str) -> Result<JsValue, JsError> {
    #[derive(serde::Serialize)]
    struct Facts {
        ok: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        networks: Option<usize>,
        #[serde(skip_serializing_if = "Option::is_none")]
        redaction: Option<&'static str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    }
    to_js(&match Config::from_json(config_json) {
        Ok(c) => Facts {
            ok: true,
            networks: Some(c.ours.networks.len()),
            redaction: Some(c.share.redaction.map_or("", |p| p.as_str())),
            error: None,
        },
        Err(e) => Facts {
            ok: false,
            networks: None,
            redaction: None,
            error: Some(e.to_string()),
        },
    })
}

/// The outcomes an unclassified reply of outcome `unclassified_outcome` (`deferred_other` or
/// `reject_other`) can be put into by `suggestRule` (the tools module).
#[wasm_bindgen(js_name = bucketChoices)]
pub fn bucket_choices(unclassified_outcome: &str) -> Result<JsValue, JsError> {
    to_js(mailrep_core::config_edit::bucket_choices(outcome(
        unclassified_outcome,
    )?))
}
