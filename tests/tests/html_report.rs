//! The static HTML report: hostile strings render as text, only the renderer's own markup is
//! markup, and the whole report is pinned by a snapshot.

use std::collections::BTreeSet;
use std::path::PathBuf;

use mailrep_core::report::html;
use mailrep_core::{Analyzer, Config, Date, Findings, Preset, redact};

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/hostile")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The hostile fixture: script in reply texts, org_name, email, report_id (twice, so the
/// duplicate's diagnostic quotes the report id) and in an input name.
fn hostile() -> Findings {
    let log = fixture("mail.log");
    let xml = fixture("report.xml");
    Analyzer::analyze(
        Config::default(),
        &[
            ("<img src=x onerror=alert('name')>.log", &log),
            ("report.xml", &xml),
            ("\"><script>alert('input')</script>.xml", &xml),
        ],
        Date::new(2026, 11, 21).unwrap(),
    )
    .unwrap()
}

/// Tag names the renderer writes; anything else in the output came from data.
const TAGS: [&str; 41] = [
    "!DOCTYPE",
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "h1",
    "h2",
    "h3",
    "p",
    "nav",
    "a",
    "section",
    "div",
    "article",
    "span",
    "strong",
    "code",
    "ul",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "small",
    "figure",
    "figcaption",
    "details",
    "summary",
    "svg",
    "line",
    "text",
    "rect",
    "polyline",
    "br",
    "footer",
    "title",
];

/// Every `<tag` and `</tag` in `html` (outside the style element), with its attribute names.
fn tags(html: &str) -> Vec<(String, Vec<String>)> {
    let body = html.split("</style>").nth(1).unwrap_or(html);
    let head = html.split("<style>").next().unwrap_or("");
    let mut out = Vec::new();
    for part in [head, body] {
        let mut rest = part;
        while let Some(i) = rest.find('<') {
            rest = &rest[i + 1..];
            let end = rest.find('>').expect("tag closed");
            let inner = rest[..end].trim_start_matches('/');
            let mut words = inner.split_whitespace();
            let name = words.next().unwrap_or("").trim_end_matches('/').to_owned();
            let attrs = inner
                .match_indices('=')
                .map(|(k, _)| {
                    let before = &inner[..k];
                    before[before.rfind([' ', '"']).map_or(0, |s| s + 1)..].to_owned()
                })
                .filter(|a| !a.is_empty())
                .collect();
            out.push((name, attrs));
            rest = &rest[end..];
        }
    }
    out
}

#[test]
fn hostile_strings_render_as_text() {
    let f = hostile();
    assert_eq!(f.dmarc.duplicates.len(), 1);
    for report in [html::render(&f), html::render(&redact(&f, Preset::Public))] {
        let allowed: BTreeSet<&str> = TAGS.into_iter().collect();
        for (name, attrs) in tags(&report) {
            assert!(
                allowed.contains(name.as_str()),
                "tag <{name}> came from data"
            );
            for a in attrs {
                assert!(
                    !a.to_ascii_lowercase().starts_with("on"),
                    "event handler {a} in <{name}>"
                );
            }
        }
        let lower = report.to_ascii_lowercase();
        for bad in ["<script", "<img", "<iframe", "<svg onload"] {
            assert!(!lower.contains(bad), "{bad} unescaped");
        }
    }
    let report = html::render(&f);
    for escaped in [
        "&lt;script&gt;alert(&quot;reply&quot;)&lt;/script&gt;",
        "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
        "&lt;iframe src=javascript:alert(&#39;unclassified&#39;)&gt;&lt;/iframe&gt; &amp; qwerty",
        "&lt;script&gt;alert(&#39;org&#39;)&lt;/script&gt;",
        "&quot;svg onload=alert(&#39;report_id&#39;) already read",
        "&lt;img src=x onerror=alert(&#39;name&#39;)&gt;.log",
    ] {
        assert!(report.contains(escaped), "{escaped} not shown as text");
    }
    // The document forbids script and requests even if a mail client rewrites it.
    assert!(report.contains("default-src 'none'"));
}

#[test]
fn the_report_has_the_page_sections_and_numbers() {
    let f = hostile();
    let report = html::render(&f);
    for id in [
        "verdicts",
        "providers",
        "trend",
        "ips",
        "replies",
        "unclassified",
        "dmarc-sources",
        "dmarc-reporters",
        "dmarc-domains",
        "quality",
    ] {
        assert!(report.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    // Microsoft: 120 of 150 throttled.
    assert!(
        report.contains("80.0 %<small>120</small>"),
        "throttled cell"
    );
    assert!(report.contains("class=\"card warning\""));
    assert_eq!(report.matches("<svg class=\"chart\"").count(), 1);
}

#[test]
fn report_snapshot() {
    insta::assert_snapshot!("hostile_report", html::render(&hostile()));
}
