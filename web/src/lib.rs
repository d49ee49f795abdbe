//! mailrep-web: the WebAssembly glue between the page (`www/`) and `mailrep-core`.
//!
//! Nothing here decides anything: every function converts its arguments, calls the core and
//! converts the result back. Findings cross as plain JS objects (their JSON through
//! `JSON.parse`: maps become objects, `None` becomes `null`), in the same shape as
//! `mailrep analyze --format json`. Errors are thrown as JS `Error`s with the core's message.
//! The hand-written TypeScript types are in `mailrep_web.d.ts` beside this crate.
//!
//! The crate builds two WebAssembly modules (scripts/build-web), so a session fetches only
//! what it uses:
//! - without features, `mailrep_web`: what every session needs: [`Analyzer`] (the page's
//!   worker) with the `Views` of its own findings (`Analyzer.views`, filtered in the worker),
//!   `networkLabels`, `bucketChoices`, `settingsFacts`, `version`. It reads no findings (from JS
//!   or JSON), so it holds no deserializer of the findings types (a smaller module);
//! - with the `tools` feature, `mailrep_web_tools` (types in `mailrep_web_tools.d.ts`): the
//!   cold features, fetched on first use: settings form and edits, configuration import,
//!   redaction, HTML report, CSV, share links, Markdown, the findings file's bytes, and
//!   everything that reads findings from JS or JSON: the `Views` of findings that did not come
//!   from the page's analysis (a dropped findings file, `Views.fromJson`; a summary link).

use mailrep_core::findings::Findings;
use mailrep_core::{Date, view};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[cfg(not(feature = "tools"))]
mod analysis;
#[cfg(not(feature = "tools"))]
pub use analysis::*;
#[cfg(feature = "tools")]
mod settings;
#[cfg(feature = "tools")]
mod tools;
#[cfg(feature = "tools")]
pub use settings::*;
#[cfg(feature = "tools")]
pub use tools::*;

/// A JS value of `v`: its JSON through `JSON.parse`, so maps are plain objects and `None` is
/// `null` (what `JSON.parse` of the findings file gives). Every value leaves the module through
/// serde_json, the serializer the findings file needs anyway: a second serde format (such as
/// serde-wasm-bindgen) would add its own copy of every type's `Serialize` (BENCHMARKS.md,
/// "Session 5"). Findings go through [`findings_to_js`] (one instance of their serializer).
fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string_pretty(v).map_err(|e| JsError::new(&e.to_string()))?;
    parse_json(&text)
}

/// `findings` as a plain object, through [`Findings::to_json`] (the bytes of the findings file).
fn findings_to_js(findings: &Findings) -> Result<JsValue, JsError> {
    parse_json(&findings.to_json())
}

/// `JSON.parse(text)` of JSON the module wrote.
fn parse_json(text: &str) -> Result<JsValue, JsError> {
    js_sys::JSON::parse(text)
        .map_err(|_| JsError::new("internal error: JSON.parse refused the module's JSON"))
}

#[cfg(feature = "tools")]
/// Findings from a JS object (as returned by [`Analyzer::finish`] or `JSON.parse`). The
/// object goes through `JSON.stringify` and the core's JSON reader: the same checks as a
/// findings file, and no second set of deserializers in the module (smaller .wasm).
fn findings_from_js(v: &JsValue) -> Result<Findings, JsError> {
    let text = js_sys::JSON::stringify(v)
        .map_err(|_| JsError::new("not mailrep findings: the object cannot be written as JSON"))?;
    let text: String = text.into();
    Findings::from_json_checked(&text).map_err(|e| JsError::new(&e.to_string()))
}

/// A view filter from `{ from?, to?, provider?, ip?, domain? }`; empty strings and `null`
/// mean "not set".
fn filter_from_js(v: &JsValue) -> Result<view::Filter, JsError> {
    let mut filter = view::Filter::default();
    if v.is_undefined() || v.is_null() {
        return Ok(filter);
    }
    let keys = js_sys::Object::keys(&js_sys::Object::from(v.clone()));
    for key in keys.iter() {
        let key = key.as_string().unwrap_or_default();
        let value = js_sys::Reflect::get(v, &JsValue::from_str(&key))
            .ok()
            .and_then(|x| x.as_string())
            .filter(|x| !x.is_empty());
        let Some(value) = value else { continue };
        let date = |s: &str| {
            Date::parse(s).ok_or_else(|| JsError::new(&format!("filter {key}: not a date: {s}")))
        };
        match key.as_str() {
            "from" => filter.from = Some(date(&value)?),
            "to" => filter.to = Some(date(&value)?),
            "provider" => filter.provider = Some(value),
            "ip" => filter.ip = Some(value),
            "domain" => filter.domain = Some(value),
            _ => return Err(JsError::new(&format!("unknown filter key: {key}"))),
        }
    }
    Ok(filter)
}

/// The view of `findings` that the JS `filter` keeps (`view::filter_findings`), as a plain
/// object: what both modules' `Views.filter` return.
fn filtered_view(findings: &Findings, filter: &JsValue) -> Result<JsValue, JsError> {
    to_js(&view::filter_findings(findings, &filter_from_js(filter)?))
}

/// An outcome from its name (`deferred_other`).
fn outcome(s: &str) -> Result<mailrep_core::postfix::Outcome, JsError> {
    mailrep_core::postfix::Outcome::parse(s)
        .ok_or_else(|| JsError::new(&format!("unknown outcome {s:?}")))
}

/// The mailrep version (`0.1.0`).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
