//! The parse modes against known-good vectors made by an independent implementation,
//! Kurigram 2.2.26 (`tests/data/make_parse_vectors.py` writes `tests/data/parse_vectors.json`).
//! Cases where our dialect deliberately differs are listed there under `excluded`, each
//! with the reason; this test checks that they do differ, so the list stays honest.

use ferrogram_client_std::parse::{self, Entity, EntityKind, ParseMode, Parsed};
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/parse_vectors.json");
    let text = std::fs::read_to_string(path).expect("the vectors are committed");
    serde_json::from_str(&text).expect("valid JSON")
}

fn int(v: &Value, key: &str) -> i64 {
    v[key].as_i64().unwrap_or_else(|| panic!("{key} in {v}"))
}

fn str_of(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {v}"))
        .to_owned()
}

/// Kurigram's entity as ours; `None` for kinds we do not produce (email).
fn entity(v: &Value) -> Option<Entity> {
    let kind = match v["type"].as_str()? {
        "bold" => EntityKind::Bold,
        "italic" => EntityKind::Italic,
        "underline" => EntityKind::Underline,
        "strike" => EntityKind::Strike,
        "spoiler" => EntityKind::Spoiler,
        "code" => EntityKind::Code,
        "pre" => EntityKind::Pre {
            language: str_of(v, "language"),
        },
        "text_url" => EntityKind::TextUrl {
            url: str_of(v, "url"),
        },
        "mention_user" => EntityKind::MentionUser {
            user_id: int(v, "user_id"),
        },
        "custom_emoji" => EntityKind::CustomEmoji {
            document_id: int(v, "document_id"),
        },
        "blockquote" => EntityKind::Blockquote {
            collapsed: v["collapsed"].as_bool()?,
        },
        _ => return None,
    };
    Some(Entity {
        offset: int(v, "offset") as i32,
        length: int(v, "length") as i32,
        kind,
    })
}

/// Entity order is not meaningful (Kurigram orders by offset, then by closing order).
fn normalized(mut entities: Vec<Entity>) -> Vec<Entity> {
    entities.sort_by_key(|e| (e.offset, -e.length, format!("{:?}", e.kind)));
    entities
}

fn expected(case: &Value) -> Option<Parsed> {
    let entities = case["entities"]
        .as_array()?
        .iter()
        .map(entity)
        .collect::<Option<Vec<_>>>()?;
    Some(Parsed {
        text: str_of(case, "text"),
        entities: normalized(entities),
    })
}

fn ours(input: &str, mode: ParseMode) -> Result<Parsed, parse::ParseError> {
    parse::parse(input, mode).map(|p| Parsed {
        text: p.text,
        entities: normalized(p.entities),
    })
}

fn check_mode(key: &str, mode: ParseMode) -> usize {
    let v = vectors();
    let cases = v[key].as_array().expect("a list of cases");
    assert!(cases.len() >= 40, "{key}: only {} cases", cases.len());
    for case in cases {
        let input = str_of(case, "input");
        let want = expected(case).unwrap_or_else(|| panic!("unreadable case {case}"));
        let got = ours(&input, mode).unwrap_or_else(|e| panic!("{key} {input:?}: {e}"));
        assert_eq!(got, want, "{key} {input:?}");
    }
    cases.len()
}

#[test]
fn markdown_matches_kurigram() {
    check_mode("markdown", ParseMode::Markdown);
}

#[test]
fn html_matches_kurigram() {
    check_mode("html", ParseMode::Html);
}

#[test]
fn the_vectors_name_their_source() {
    let v = vectors();
    assert!(str_of(&v, "source").starts_with("Kurigram 2.2.26"));
    assert!(!str_of(&v, "generated").is_empty());
}

#[test]
fn excluded_cases_really_differ() {
    let v = vectors();
    for case in v["excluded"].as_array().expect("a list") {
        let input = str_of(case, "input");
        let reason = str_of(case, "reason");
        assert!(!reason.is_empty(), "{input:?} has no reason");
        let mode = match case["mode"].as_str() {
            Some("markdown") => ParseMode::Markdown,
            Some("html") => ParseMode::Html,
            other => panic!("mode {other:?}"),
        };
        if let (Ok(got), Some(want)) = (ours(&input, mode), expected(case)) {
            assert_ne!(got, want, "{input:?} is excluded ({reason}) but agrees");
        }
    }
}
