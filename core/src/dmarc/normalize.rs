//! Normalization of reporter identity, as parsedmarc does it (dmarc-anchors §4 #26/#27), so
//! the de-duplication key `(org_name, report_id)` agrees with parsedmarc's.

/// Normalized report id: `<` and `>` removed, everything from the first `@` dropped, trimmed.
#[inline]
pub(crate) fn report_id(raw: &str) -> String {
    let stripped: String = raw.chars().filter(|c| *c != '<' && *c != '>').collect();
    let before_at = stripped.split('@').next().unwrap_or("");
    before_at.trim().to_owned()
}

/// Normalized reporter name: `org_name`, or the domain of `email` when empty; a name without
/// spaces that contains a dot is reduced to its registrable domain and lowercased.
#[inline]
pub(crate) fn org_name(raw: &str, email: &str) -> String {
    let mut name = raw.trim();
    if name.is_empty() {
        name = email.trim().rsplit('@').next().unwrap_or("").trim();
    }
    if !name.contains(char::is_whitespace)
        && name.contains('.')
        && let Some(base) = base_domain(name)
    {
        return base;
    }
    name.to_owned()
}

/// Multi-label public suffixes common among DMARC reporters. A compact approximation of the
/// Public Suffix List (the core ships no PSL): anything else is taken as a one-label suffix.
const TWO_LABEL_SUFFIXES: &[&str] = &[
    "ac.jp", "ac.uk", "ad.jp", "co.at", "co.id", "co.il", "co.in", "co.jp", "co.kr", "co.nz",
    "co.th", "co.uk", "co.za", "com.ar", "com.au", "com.br", "com.cn", "com.co", "com.hk",
    "com.mx", "com.my", "com.pl", "com.sg", "com.tr", "com.tw", "com.ua", "ed.jp", "gc.ca",
    "go.jp", "gov.au", "gov.br", "gov.uk", "gr.jp", "lg.jp", "ltd.uk", "me.uk", "ne.jp", "net.au",
    "net.br", "net.cn", "net.nz", "or.at", "or.jp", "org.au", "org.br", "org.cn", "org.nz",
    "org.uk", "plc.uk", "edu.au", "gv.at", "ac.at", "ac.nz", "govt.nz",
];

/// Registrable domain ("base domain") of a host name, lowercased; `None` when it is not a
/// plausible host name.
#[inline]
pub(crate) fn base_domain(host: &str) -> Option<String> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty()
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
    {
        return None;
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.iter().any(|l| l.is_empty()) {
        return None;
    }
    if labels.len() < 2 {
        return Some(host);
    }
    let last_two = labels[labels.len() - 2..].join(".");
    let keep = if TWO_LABEL_SUFFIXES.contains(&last_two.as_str()) {
        3
    } else {
        2
    };
    let start = labels.len().saturating_sub(keep);
    Some(labels[start..].join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_ids_like_parsedmarc() {
        assert_eq!(
            report_id(" <1436111091.916236@dmarc.yahoo.com> "),
            "1436111091.916236"
        );
        assert_eq!(
            report_id("example.com:1538463741"),
            "example.com:1538463741"
        );
        assert_eq!(report_id("a$b=c!d"), "a$b=c!d");
    }

    #[test]
    fn org_names_like_parsedmarc() {
        assert_eq!(org_name("Mail.Ru", ""), "mail.ru");
        assert_eq!(org_name("Outlook.com", ""), "outlook.com");
        assert_eq!(org_name("esa1.eurocontrol.c3s2.iphmx.com", ""), "iphmx.com");
        assert_eq!(
            org_name("", "administrator@accurateplastics.com"),
            "accurateplastics.com"
        );
        assert_eq!(org_name("example.com ", ""), "example.com");
        assert_eq!(org_name("Yahoo! Inc.", ""), "Yahoo! Inc.");
        assert_eq!(org_name("GMX", "x@gmx.net"), "GMX");
        assert_eq!(org_name("seznam.cz a.s.", ""), "seznam.cz a.s.");
        assert_eq!(org_name("mail.example.co.uk", ""), "example.co.uk");
        assert_eq!(org_name("\"backschues.NET", ""), "\"backschues.NET");
    }
}
