//! Rust names for TL names.

/// `inputPeerUser` → `InputPeerUser`, `resPQ` → `ResPq`, `server_DH_params_ok` →
/// `ServerDhParamsOk`.
pub fn camel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in words(s) {
        let mut chars = word.chars();
        if let Some(c) = chars.next() {
            out.push(c.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    out
}

fn words(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for part in s.split('_').filter(|p| !p.is_empty()) {
        let b = part.as_bytes();
        let mut start = 0;
        for i in 1..b.len() {
            let prev_upper = b[i - 1].is_ascii_uppercase();
            let cur_upper = b[i].is_ascii_uppercase();
            let next_lower = b.get(i + 1).is_some_and(|c| c.is_ascii_lowercase());
            // lower→Upper starts a word; in "ABCDef" the word "Def" starts at 'D'.
            if cur_upper && (!prev_upper || next_lower) {
                out.push(&part[start..i]);
                start = i;
            }
        }
        out.push(&part[start..]);
    }
    out
}

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static",
    "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn",
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", "try", "gen",
];

/// A field name: lower case, keywords escaped (`type` → `r#type`, `self` → `self_`).
pub fn field(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    if matches!(lower.as_str(), "self" | "super" | "crate") {
        format!("{lower}_")
    } else if KEYWORDS.contains(&lower.as_str()) {
        format!("r#{lower}")
    } else {
        lower
    }
}

/// A module name for a namespace.
pub fn module(ns: &str) -> String {
    field(ns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_cases() {
        assert_eq!(camel("inputPeerUser"), "InputPeerUser");
        assert_eq!(camel("resPQ"), "ResPq");
        assert_eq!(camel("server_DH_params_ok"), "ServerDhParamsOk");
        assert_eq!(camel("p_q_inner_data_dc"), "PQInnerDataDc");
        assert_eq!(camel("req_DH_params"), "ReqDhParams");
        assert_eq!(camel("messages"), "Messages");
        assert_eq!(
            camel("Set_client_DH_params_answer"),
            "SetClientDhParamsAnswer"
        );
        assert_eq!(field("type"), "r#type");
        assert_eq!(field("self"), "self_");
        assert_eq!(field("srp_B"), "srp_b");
    }
}
