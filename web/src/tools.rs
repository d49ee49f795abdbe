//! The tools module's exports (`mailrep_web_tools`, built with the `tools` feature): the cold
//! features, fetched on first use: the example configuration, configuration import, redaction,
//! the HTML report, the findings file's bytes, CSV, share links (and the settings form in
//! `settings`), and reading findings: the [`Views`] of findings that did not come from the
//! page's analysis (a findings file, `Views.fromJson`; a summary link, `new Views`).

use mailrep_core::findings::Findings;
use mailrep_core::{Config, redact::Preset, report, share};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::{filtered_view, findings_from_js, findings_to_js, to_js};

/// The commented example configuration (`mailrep config example`).
#[wasm_bindgen(js_name = configExample)]
pub fn config_example() -> String {
    Config::example().to_owned()
}

/// Result of [`parse_config`].
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ParsedConfig {
    ok: bool,
    normalized_toml: Option<String>,
    json: Option<String>,
    error: Option<String>,
}

/// Checks an imported configuration the way the CLI does (TOML syntax, unknown keys, values,
/// extra rules and their examples): `{ ok, normalizedToml, json, error }`, `normalizedToml`
/// holding only what differs from the defaults (`config_edit::minimal_toml`, as the settings
/// edits write it), `json` the configuration's JSON form (`Config::to_json`), which the
/// analysis module's `Analyzer`, `networkLabels` and `settingsFacts` take (that module reads
/// no TOML).
#[wasm_bindgen(js_name = parseConfig)]
pub fn parse_config(toml: &str) -> Result<JsValue, JsError> {
    let checked = Config::from_toml(toml).and_then(|c| {
        mailrep_core::Analyzer::check_config(&c)?;
        Ok(c)
    });
    to_js(&match checked {
        Ok(c) => ParsedConfig {
            ok: true,
            normalized_toml: Some(mailrep_core::config_edit::minimal_toml(&c)),
            json: Some(c.to_json()),
            error: None,
        },
        Err(e) => ParsedConfig {
            ok: false,
            normalized_toml: None,
            json: None,
            error: Some(e.to_string()),
        },
    })
}

/// A redacted copy of `findings` for sharing. `preset`: `internal`, `vendor_support` or
/// `public` (research/ux.md §3.6; see `mailrep_core::redact`).
#[wasm_bindgen(js_name = redactFindings)]
pub fn redact_findings(findings: &JsValue, preset: &str) -> Result<JsValue, JsError> {
    let preset: Preset = preset
        .parse()
        .map_err(|e: mailrep_core::redact::UnknownPreset| JsError::new(&e.to_string()))?;
    findings_to_js(&mailrep_core::redact(&findings_from_js(findings)?, preset))
}

/// The static HTML report (self-contained, no script, static SVG charts): the same bytes
/// as `mailrep analyze --format html`.
#[wasm_bindgen(js_name = renderHtmlReport)]
pub fn render_html_report(findings: &JsValue) -> Result<String, JsError> {
    Ok(report::html::render(&findings_from_js(findings)?))
}

/// The findings file (pretty JSON, as `mailrep analyze --format json` writes it).
#[wasm_bindgen(js_name = findingsToJson)]
pub fn findings_to_json(findings: &JsValue) -> Result<String, JsError> {
    Ok(findings_from_js(findings)?.to_json())
}

/// The daily delivery rows as CSV: the same bytes as `mailrep analyze --format csv`.
#[wasm_bindgen(js_name = deliveryCsv)]
pub fn delivery_csv(findings: &JsValue) -> Result<String, JsError> {
    report::csv::delivery(&findings_from_js(findings)?).map_err(|e| JsError::new(&e.to_string()))
}

/// What a summary link carries (`mailrep_core::share::summary`: verdicts, provider table, log
/// and DMARC totals) as a plain object. The page writes the link itself: `JSON.stringify`,
/// raw DEFLATE through the browser's `CompressionStream('deflate-raw')`, base64url
/// (`www/app/sharelink.js`), the encoding [`decode_share_link`] reads; the module then needs
/// no DEFLATE compressor.
#[wasm_bindgen(js_name = shareSummary)]
pub fn share_summary(findings: &JsValue) -> Result<JsValue, JsError> {
    findings_to_js(&share::summary(&findings_from_js(findings)?))
}

/// The summary findings of a link payload (with or without `#s=`); throws on a damaged,
/// oversized or foreign link.
#[wasm_bindgen(js_name = decodeShareLink)]
pub fn decode_share_link(payload: &str) -> Result<JsValue, JsError> {
    findings_to_js(&share::decode(payload).map_err(|e| JsError::new(&e.to_string()))?)
}

/// Judges a link of `length` characters: `{ length, level: 'ok' | 'long' | 'too_long',
/// message }` (warn above 2,000 characters, refuse above 32,000).
#[wasm_bindgen(js_name = shareLinkCheck)]
pub fn share_link_check(length: usize) -> Result<JsValue, JsError> {
    to_js(&share::check_link(length))
}

/// Findings held in the module for the page's filtered views, read once: for findings that did
/// not come from the page's analysis (a findings file, a summary link); the analysis module's
/// `Views` (made by `Analyzer.views`, in the worker) hold the analysis'.
///
/// ```js
/// const views = Views.fromJson(text);            // a findings file; or new Views(findings)
/// const findings = views.findings();             // the plain object
/// const v = views.filter({ from: '2026-11-19', provider: 'microsoft' });
/// views.free();
/// ```
#[wasm_bindgen]
pub struct Views {
    findings: Findings,
}

#[wasm_bindgen]
impl Views {
    /// Holds `findings` (a plain object as from `findingsFromJson` or `decodeShareLink`);
    /// throws when it is not findings of this schema version.
    #[wasm_bindgen(constructor)]
    pub fn new(findings: &JsValue) -> Result<Views, JsError> {
        Ok(Views {
            findings: findings_from_js(findings)?,
        })
    }

    /// Reads a findings file (its text); throws when it is not findings JSON of this schema
    /// version.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(text: &str) -> Result<Views, JsError> {
        Ok(Views {
            findings: Findings::from_json_checked(text)
                .map_err(|e| JsError::new(&e.to_string()))?,
        })
    }

    /// The findings held, as a plain object.
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
