//! Settings of the page: the form fields of a `mailrep.toml` and the edits of its row actions,
//! all done by `mailrep_core::config_edit` (the page holds no TOML code). Every function
//! returns `{ ok, toml?, form?, id?, error?, field? }` instead of throwing, so the page can put
//! the message next to the field it names.

use mailrep_core::Config;
use mailrep_core::config_edit::{self, FieldError, MarkAs, SettingsForm};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::{findings_from_js, outcome, to_js};

/// What the settings functions return.
#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct Edit {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    toml: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    form: Option<SettingsForm>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
}

fn failed(e: FieldError) -> Edit {
    Edit {
        ok: false,
        error: Some(e.to_string()),
        field: Some(e.field),
        ..Edit::default()
    }
}

fn edited(r: Result<String, FieldError>) -> Result<JsValue, JsError> {
    to_js(&match r {
        Ok(toml) => Edit {
            ok: true,
            toml: Some(toml),
            ..Edit::default()
        },
        Err(e) => failed(e),
    })
}

/// The settings form of the configuration `toml`: `{ ok, form }` with `form` = `{ networks:
/// [{cidr, label}], domains, sending_ips: [{service, ip}], forwarder_networks, thresholds:
/// [{key, value, default}], redaction, rules: [{id, provider, outcome, phrases, doc}] }`, or
/// `{ ok: false, error, field: 'toml' }` when the text is not a valid configuration.
#[wasm_bindgen(js_name = settingsForm)]
pub fn settings_form(toml: &str) -> Result<JsValue, JsError> {
    to_js(&match Config::from_toml(toml) {
        Ok(c) => Edit {
            ok: true,
            form: Some(SettingsForm::from_config(&c)),
            ..Edit::default()
        },
        Err(e) => failed(e.into()),
    })
}

/// Writes the form's fields into `toml` (other settings kept): `{ ok, toml }` (only what
/// differs from the defaults; comments are not kept) or `{ ok: false, error, field }` naming
/// the bad field (`ours.networks[2]`, `thresholds.auth_reject_pct`).
#[wasm_bindgen(js_name = applySettingsForm)]
pub fn apply_settings_form(toml: &str, form: &JsValue) -> Result<JsValue, JsError> {
    let text = js_sys::JSON::stringify(form)
        .map_err(|_| JsError::new("the settings form cannot be written as JSON"))?;
    let form: SettingsForm = serde_json::from_str(&String::from(text))
        .map_err(|e| JsError::new(&format!("not a settings form: {e}")))?;
    edited(config_edit::apply_form(toml, &form))
}

/// "Mark as ours" (`mark` = `'ours'`, adds the IP as /32 or /128 to our networks, with
/// `label`) or "Mark as forwarder" (`'forwarder'`, adds it to the forwarder networks):
/// `{ ok, toml }` or `{ ok: false, error, field }`.
#[wasm_bindgen(js_name = markSource)]
pub fn mark_source(toml: &str, ip: &str, mark: &str, label: &str) -> Result<JsValue, JsError> {
    let mark = match mark {
        "ours" => MarkAs::Ours,
        "forwarder" => MarkAs::Forwarder,
        _ => return Err(JsError::new(&format!("unknown mark {mark:?}"))),
    };
    edited(config_edit::mark_source(toml, ip, mark, label))
}

/// "Suggest bucket": a local rule putting the unclassified reply `template` of `provider`
/// (outcome `unclassified_outcome`) into `outcome`: `{ ok, toml, id }` or `{ ok: false,
/// error, field }`.
#[wasm_bindgen(js_name = suggestRule)]
pub fn suggest_rule(
    toml: &str,
    provider: &str,
    unclassified_outcome: &str,
    template: &str,
    target: &str,
) -> Result<JsValue, JsError> {
    let r = config_edit::suggest_rule(
        toml,
        provider,
        outcome(unclassified_outcome)?,
        template,
        outcome(target)?,
    );
    to_js(&match r {
        Ok((toml, id)) => Edit {
            ok: true,
            toml: Some(toml),
            id: Some(id),
            ..Edit::default()
        },
        Err(e) => failed(e),
    })
}

/// Removes the rule `id` from the configuration: `{ ok, toml }` or `{ ok: false, error }`.
#[wasm_bindgen(js_name = removeRule)]
pub fn remove_rule(toml: &str, id: &str) -> Result<JsValue, JsError> {
    edited(config_edit::remove_rule(toml, id))
}

/// "Copy as issue text": a Markdown snippet about the unclassified reply (`provider`,
/// `template`) of `findings`, redacted with the Internal preset (addresses, trace ids).
/// Throws when the findings hold no such reply.
#[wasm_bindgen(js_name = unclassifiedIssueText)]
pub fn unclassified_issue_text(
    findings: &JsValue,
    provider: &str,
    template: &str,
) -> Result<String, JsError> {
    let f = findings_from_js(findings)?;
    mailrep_core::report::markdown::unclassified_issue(&f, provider, template)
        .ok_or_else(|| JsError::new("no such unclassified reply in these findings"))
}

/// "Copy summary": verdicts, the provider table and the top replies as Markdown (redact the
/// findings first).
#[wasm_bindgen(js_name = summaryMarkdown)]
pub fn summary_markdown(findings: &JsValue) -> Result<String, JsError> {
    Ok(mailrep_core::report::markdown::summary(&findings_from_js(
        findings,
    )?))
}
