//! Unit tests: one per error kind, UTF-16 offsets, the dialect corners, and garbage input.
//! The known-good comparison with Kurigram is in `tests/parse.rs`.

use super::*;
use EntityKind::*;

fn md(s: &str) -> Parsed {
    parse(s, ParseMode::Markdown).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn html(s: &str) -> Parsed {
    parse(s, ParseMode::Html).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn e(offset: i32, length: i32, kind: EntityKind) -> Entity {
    Entity {
        offset,
        length,
        kind,
    }
}

#[test]
fn plain_is_untouched() {
    let p = parse("**not** <b>bold</b>", ParseMode::Plain).unwrap();
    assert_eq!(p.text, "**not** <b>bold</b>");
    assert!(p.entities.is_empty());
}

#[test]
fn offsets_count_utf16_units() {
    // 🔥 is outside the BMP (2 units), é inside (1), 𝕏 outside (2).
    let p = md("🔥é **𝕏y** __z__");
    assert_eq!(p.text, "🔥é 𝕏y z");
    assert_eq!(p.entities, [e(4, 3, Bold), e(8, 1, Italic)]);
    let h = html("🔥é <b>𝕏y</b> <i>z</i>");
    assert_eq!(h, p);
    // A family emoji: 7 code points, 11 UTF-16 units.
    let f = md("👨‍👩‍👧‍👦**a**");
    assert_eq!(f.entities, [e(11, 1, Bold)]);
}

#[test]
fn markdown_escapes_nesting_and_code() {
    let p = md(r"\*\*not bold\*\* \_\_ \[x\](y) a\\b");
    assert_eq!(p.text, r"**not bold** __ [x](y) a\b");
    assert!(p.entities.is_empty());
    let p = md("__a **b** c__");
    assert_eq!(p.text, "a b c");
    assert_eq!(p.entities, [e(0, 5, Italic), e(2, 1, Bold)]);
    // Overlapping markers, as Pyrogram allows.
    let p = md("**a __b** c__");
    assert_eq!(p.entities, [e(0, 3, Bold), e(2, 3, Italic)]);
    let p = md("`**raw** [x](y)` and ```py\nx = '**'\n```");
    assert_eq!(p.text, "**raw** [x](y) and x = '**'");
    assert_eq!(
        p.entities,
        [
            e(0, 14, Code),
            e(
                19,
                8,
                Pre {
                    language: "py".into()
                }
            )
        ]
    );
    // Not a link: kept as text.
    assert_eq!(md("[WARN] disk").text, "[WARN] disk");
    assert_eq!(md("a [] b (c)").text, "a [] b (c)");
    assert_eq!(md("a < b & c > d").text, "a < b & c > d");
}

#[test]
fn markdown_links_mentions_and_emoji() {
    let p = md("see [the **docs**](https://x.org/a_(b\\)) and [Bob](tg://user?id=42)");
    assert_eq!(p.text, "see the docs and Bob");
    assert_eq!(
        p.entities,
        [
            e(
                4,
                8,
                TextUrl {
                    url: "https://x.org/a_(b)".into()
                }
            ),
            e(8, 4, Bold),
            e(17, 3, MentionUser { user_id: 42 }),
        ]
    );
    let p = md("![👍](tg://emoji?id=5368324170671202286) ok");
    assert_eq!(p.text, "👍 ok");
    assert_eq!(
        p.entities,
        [e(
            0,
            2,
            CustomEmoji {
                document_id: 5368324170671202286
            }
        )]
    );
    // `!` before an ordinary link is text.
    let p = md("wow![x](https://a.b)");
    assert_eq!(p.text, "wow!x");
}

#[test]
fn markdown_quotes() {
    let p = md("> one\n>two\nafter");
    assert_eq!(p.text, "one\ntwo\nafter");
    assert_eq!(p.entities, [e(0, 7, Blockquote { collapsed: false })]);
    let p = md("**>one\n>two\nthree||\nafter");
    assert_eq!(p.text, "one\ntwo\nthree\nafter");
    assert_eq!(p.entities, [e(0, 13, Blockquote { collapsed: true })]);
    assert_eq!(md("a > b").text, "a > b");
    assert_eq!(md("\\> no").text, "> no");
}

#[test]
fn html_tags_and_references() {
    let p = html(
        "<strong>a</strong><em>b</em><ins>c</ins><del>d</del><span class=\"tg-spoiler\">e</span>\
         <tg-spoiler>f</tg-spoiler><spoiler>g</spoiler>",
    );
    assert_eq!(p.text, "abcdefg");
    assert_eq!(
        p.entities,
        [
            e(0, 1, Bold),
            e(1, 1, Italic),
            e(2, 1, Underline),
            e(3, 1, Strike),
            e(4, 1, Spoiler),
            e(5, 1, Spoiler),
            e(6, 1, Spoiler)
        ]
    );
    let p = html("&lt;&gt;&amp;&quot;&#39;&#x1F525;&#128293;&nbsp;AT&T a < b <3");
    assert_eq!(p.text, "<>&\"'🔥🔥\u{a0}AT&T a < b <3");
    let p = html("<pre><code class='language-rust'>fn f() {}</code></pre><br/>x<br>");
    assert_eq!(p.text, "fn f() {}\nx\n");
    assert_eq!(
        p.entities,
        [e(
            0,
            9,
            Pre {
                language: "rust".into()
            }
        )]
    );
    let p = html(
        "<a href='tg://user?id=7'>me</a> <A HREF=\"https://a.b/?x=1&amp;y=2\">l</A> \
         <blockquote expandable>q</blockquote><tg-emoji emoji-id=\"5\">👍</tg-emoji>",
    );
    assert_eq!(p.text, "me l q👍");
    assert_eq!(
        p.entities,
        [
            e(0, 2, MentionUser { user_id: 7 }),
            e(
                3,
                1,
                TextUrl {
                    url: "https://a.b/?x=1&y=2".into()
                }
            ),
            e(5, 1, Blockquote { collapsed: true }),
            e(6, 2, CustomEmoji { document_id: 5 }),
        ]
    );
}

fn md_err(s: &str) -> ParseError {
    parse(s, ParseMode::Markdown).expect_err(s)
}

fn html_err(s: &str) -> ParseError {
    parse(s, ParseMode::Html).expect_err(s)
}

#[test]
fn every_error_says_where_and_what_to_do() {
    let cases: Vec<(ParseError, ParseError, &str)> = vec![
        (
            md_err("ok **bold"),
            ParseError::UnclosedMarker {
                marker: "**",
                pos: 3,
            },
            "escape it",
        ),
        (
            md_err("a `code"),
            ParseError::UnclosedMarker {
                marker: "`",
                pos: 2,
            },
            "never closed",
        ),
        (
            md_err("```rust\nfn"),
            ParseError::UnclosedMarker {
                marker: "```",
                pos: 0,
            },
            "never closed",
        ),
        (
            md_err("**>quote\nno end"),
            ParseError::UnclosedMarker {
                marker: "**>",
                pos: 0,
            },
            "never closed",
        ),
        (
            md_err("[`a](b)`"),
            ParseError::UnclosedMarker {
                marker: "[",
                pos: 0,
            },
            "never closed",
        ),
        (
            html_err("x <b>bold"),
            ParseError::UnclosedTag {
                tag: "b".into(),
                pos: 2,
            },
            "add </b>",
        ),
        (
            html_err("<b><i>x</b></i>"),
            ParseError::MismatchedTag {
                found: "b".into(),
                expected: Some("i".into()),
                pos: 7,
            },
            "reverse order",
        ),
        (
            html_err("x</i>"),
            ParseError::MismatchedTag {
                found: "i".into(),
                expected: None,
                pos: 1,
            },
            "not open",
        ),
        (
            html_err("<marquee>x</marquee>"),
            ParseError::UnknownTag {
                tag: "marquee".into(),
                pos: 0,
            },
            "&lt;",
        ),
        (
            html_err("<span>x</span>"),
            ParseError::UnknownTag {
                tag: "span".into(),
                pos: 0,
            },
            "not a tag",
        ),
        (
            html_err("a <b x"),
            ParseError::BadTag {
                reason: "does not end with `>` (write `&lt;` for a literal `<`)",
                pos: 2,
            },
            "&lt;",
        ),
        (
            html_err("<a href=\"x>y</a>"),
            ParseError::BadTag {
                reason: "has an attribute value whose quote is never closed",
                pos: 0,
            },
            "quote",
        ),
        (
            html_err("<a>x</a>"),
            ParseError::MissingAttribute {
                tag: "a",
                attribute: "href",
                pos: 0,
            },
            "href",
        ),
        (
            html_err("a &bogus; b"),
            ParseError::BadEntity {
                entity: "&bogus;".into(),
                pos: 2,
            },
            "&amp;",
        ),
        (
            html_err("&#xD800;"),
            ParseError::BadEntity {
                entity: "&#xD800;".into(),
                pos: 0,
            },
            "&amp;",
        ),
        (
            md_err("[x](tg://user?id=abc)"),
            ParseError::BadUrl {
                url: "tg://user?id=abc".into(),
                reason: "needs a user id: a positive number after `tg://user?id=`",
                pos: 0,
            },
            "positive number",
        ),
        (
            html_err("<a href=\"tg://user?id=-5\">x</a>"),
            ParseError::BadUrl {
                url: "tg://user?id=-5".into(),
                reason: "needs a user id: a positive number after `tg://user?id=`",
                pos: 0,
            },
            "user id",
        ),
        (
            md_err("![x](tg://emoji?id=99999999999999999999)"),
            ParseError::BadUrl {
                url: "tg://emoji?id=99999999999999999999".into(),
                reason: "needs a document id: a positive number after `tg://emoji?id=`",
                pos: 0,
            },
            "document id",
        ),
        (
            html_err("<a href=\"\">x</a>"),
            ParseError::BadUrl {
                url: "".into(),
                reason: "is empty",
                pos: 0,
            },
            "empty",
        ),
        (
            html_err(&"<b>".repeat(MAX_DEPTH + 1)),
            ParseError::TooDeep {
                max: MAX_DEPTH,
                pos: 3 * MAX_DEPTH,
            },
            "close some",
        ),
    ];
    for (got, want, advice) in cases {
        assert_eq!(got, want);
        let text = got.to_string();
        assert!(text.contains(advice), "{text:?} lacks {advice:?}");
        assert!(text.contains("byte"), "{text:?} says no position");
    }
    let unknown = md("[Bob](tg://user?id=42)")
        .to_tl(|_| None)
        .expect_err("Bob was never met");
    assert_eq!(unknown, ParseError::UnknownUser { user_id: 42 });
    assert!(unknown.to_string().contains("user 42") && unknown.to_string().contains("meet"));
}

#[test]
fn to_tl_maps_every_kind() {
    let p = html(
        "<b>b</b><i>i</i><u>u</u><s>s</s><tg-spoiler>p</tg-spoiler><code>c</code>\
         <pre language=\"x\">r</pre><a href=\"https://a\">l</a><a href=\"tg://user?id=9\">m</a>\
         <tg-emoji emoji-id=\"3\">e</tg-emoji><blockquote>q</blockquote>",
    );
    let user = enums::InputUser::InputUser(types::InputUser {
        user_id: 9,
        access_hash: 99,
    });
    let tl = p.to_tl(|id| (id == 9).then(|| user.clone())).unwrap();
    use enums::MessageEntity as M;
    let expected = vec![
        M::Bold(types::MessageEntityBold {
            offset: 0,
            length: 1,
        }),
        M::Italic(types::MessageEntityItalic {
            offset: 1,
            length: 1,
        }),
        M::Underline(types::MessageEntityUnderline {
            offset: 2,
            length: 1,
        }),
        M::Strike(types::MessageEntityStrike {
            offset: 3,
            length: 1,
        }),
        M::Spoiler(types::MessageEntitySpoiler {
            offset: 4,
            length: 1,
        }),
        M::Code(types::MessageEntityCode {
            offset: 5,
            length: 1,
        }),
        M::Pre(types::MessageEntityPre {
            offset: 6,
            length: 1,
            language: "x".into(),
        }),
        M::TextUrl(types::MessageEntityTextUrl {
            offset: 7,
            length: 1,
            url: "https://a".into(),
        }),
        M::InputMessageEntityMentionName(types::InputMessageEntityMentionName {
            offset: 8,
            length: 1,
            user_id: user.clone(),
        }),
        M::CustomEmoji(types::MessageEntityCustomEmoji {
            offset: 9,
            length: 1,
            document_id: 3,
        }),
        M::Blockquote(types::MessageEntityBlockquote {
            collapsed: false,
            offset: 10,
            length: 1,
        }),
    ];
    assert_eq!(tl, expected);
}

#[test]
fn unparse_round_trips() {
    let inputs = [
        "🔥 **bold __both__** ~~s~~ --u-- ||sp|| `c*de` [l](https://a.b/x_(y\\)) [m](tg://user?id=5)",
        "```rust\nfn main() {}\n```",
        "> quote 🔥\n> more\nafter **x**",
        "**>hidden\n>lines||\ntail",
        "2*3 a-b x_y \\* \\- \\_ \\` \\[ \\\\",
        "![👍](tg://emoji?id=77) **a __b** c__",
    ];
    for mode in [ParseMode::Markdown, ParseMode::Html] {
        for input in inputs {
            let first = md(input);
            let tl = first
                .to_tl(|id| {
                    Some(enums::InputUser::InputUser(types::InputUser {
                        user_id: id,
                        access_hash: 0,
                    }))
                })
                .unwrap();
            let marked = unparse(&first.text, &tl, mode);
            let again = parse(&marked, mode).unwrap_or_else(|e| panic!("{marked:?}: {e}"));
            assert_eq!(again.text, first.text, "{mode:?} {marked:?}");
            // Crossing entities come back split; compare what each UTF-16 unit is.
            assert_eq!(
                coverage(&again),
                coverage(&first),
                "{mode:?} {input:?} -> {marked:?}"
            );
        }
    }
}

/// For each UTF-16 unit, the set of kinds covering it.
fn coverage(p: &Parsed) -> Vec<Vec<String>> {
    let n = p.text.encode_utf16().count();
    (0..n as i32)
        .map(|u| {
            let mut kinds: Vec<String> = p
                .entities
                .iter()
                .filter(|e| e.offset <= u && u < e.offset + e.length)
                .map(|e| format!("{:?}", e.kind))
                .collect();
            kinds.sort();
            kinds
        })
        .collect()
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn garbage_never_panics() {
    const PIECES: &[&str] = &[
        "*",
        "**",
        "_",
        "__",
        "-",
        "--",
        "~~",
        "||",
        "`",
        "```",
        "```py\n",
        "[",
        "]",
        "(",
        ")",
        "![",
        "](",
        "\\",
        ">",
        "**>",
        "\n",
        "<",
        ">",
        "/",
        "</",
        "<b>",
        "</b>",
        "<i>",
        "</i>",
        "<pre>",
        "<code class=\"language-x\">",
        "</code>",
        "</pre>",
        "<a href=\"",
        "\">",
        "</a>",
        "<br>",
        "<blockquote expandable>",
        "</blockquote>",
        "&",
        "&amp;",
        "&#",
        "&#x",
        "1F525",
        ";",
        "'",
        "\"",
        "=",
        " ",
        "tg://user?id=",
        "tg://emoji?id=",
        "12",
        "-3",
        "99999999999999999999",
        "a",
        "é",
        "🔥",
        "\u{0}",
        "<tg-emoji emoji-id=\"",
        "<span class=\"tg-spoiler\">",
        "</span>",
        "<",
        "&lt;",
        "x",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut ok = 0;
    for round in 0..100_000 {
        let len = (rng.next() % 24) as usize;
        let mut s = String::new();
        for _ in 0..len {
            if rng.next().is_multiple_of(8) {
                // A random char, any plane.
                let c = char::from_u32((rng.next() % 0x11_0000) as u32).unwrap_or('\u{fffd}');
                s.push(c);
            } else {
                s.push_str(PIECES[(rng.next() % PIECES.len() as u64) as usize]);
            }
        }
        let mode = if round % 2 == 0 {
            ParseMode::Markdown
        } else {
            ParseMode::Html
        };
        if let Ok(p) = parse(&s, mode) {
            ok += 1;
            let units = p.text.encode_utf16().count() as i32;
            for e in &p.entities {
                assert!(
                    e.offset >= 0 && e.length > 0 && e.offset + e.length <= units,
                    "{s:?} -> {p:?}"
                );
            }
            let tl = p.to_tl(|_| None);
            let tl = tl.unwrap_or_default();
            let _ = unparse(&p.text, &tl, mode);
        } else if let Err(e) = parse(&s, mode) {
            let _ = e.to_string();
        }
    }
    assert!(
        ok > 1000,
        "only {ok} inputs parsed: the generator is too hostile"
    );
}

#[test]
fn long_hostile_inputs_stay_linear() {
    // Each of these would be quadratic with a naive look-ahead per `[` or per tag.
    let n = 200_000;
    let started = std::time::Instant::now();
    let _ = parse(&"[".repeat(n), ParseMode::Markdown);
    let _ = parse(&"[a](".repeat(n / 4), ParseMode::Markdown);
    let _ = parse(&"![".repeat(n / 2), ParseMode::Markdown);
    let _ = parse(&"<b>".repeat(n / 3), ParseMode::Html);
    let _ = parse(&"&".repeat(n), ParseMode::Html);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn random_html_round_trips_through_unparse() {
    const PIECES: &[&str] = &[
        "<b>",
        "</b>",
        "<i>",
        "</i>",
        "<u>",
        "</u>",
        "<code>",
        "</code>",
        "<pre>",
        "</pre>",
        "<pre language=\"c\">",
        "<blockquote>",
        "</blockquote>",
        "<a href=\"https://a.b/?x&amp;y\">",
        "</a>",
        "<tg-spoiler>",
        "</tg-spoiler>",
        "a",
        "é",
        "🔥",
        " ",
        "\n",
        "&lt;",
        "&amp;",
        "*",
        "_",
        "`",
        "[",
        "]",
        "\\",
        ">",
        "-",
        "|",
        "~",
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut checked = 0;
    for _ in 0..20_000 {
        let len = (rng.next() % 16) as usize;
        let s: String = (0..len)
            .map(|_| PIECES[(rng.next() % PIECES.len() as u64) as usize])
            .collect();
        let Ok(first) = parse(&s, ParseMode::Html) else {
            continue;
        };
        let tl = first.to_tl(|_| None).unwrap();
        let marked = unparse(&first.text, &tl, ParseMode::Html);
        let again = parse(&marked, ParseMode::Html).unwrap_or_else(|e| panic!("{marked:?}: {e}"));
        assert_eq!(again.text, first.text, "{s:?} -> {marked:?}");
        assert_eq!(coverage(&again), coverage(&first), "{s:?} -> {marked:?}");
        checked += 1;
    }
    assert!(checked > 1000, "only {checked}");
}

#[test]
fn random_markdown_round_trips_through_unparse() {
    const PIECES: &[&str] = &[
        "**",
        "__",
        "--",
        "~~",
        "||",
        "`",
        "```py\n",
        "```",
        "[",
        "](https://a.b/c_(d\\))",
        "](tg://user?id=5)",
        "![",
        "](tg://emoji?id=9)",
        "\n",
        "\n> ",
        "\n**>",
        "a",
        "é",
        "🔥",
        " ",
        "*",
        "_",
        "-",
        "~",
        "|",
        "\\\\",
        "\\*",
        "\\[",
        "\\`",
        "\\>",
        "<b>",
        "&amp;",
        ">",
    ];
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let mut checked = 0;
    for _ in 0..20_000 {
        let len = (rng.next() % 16) as usize;
        let s: String = (0..len)
            .map(|_| PIECES[(rng.next() % PIECES.len() as u64) as usize])
            .collect();
        let Ok(first) = parse(&s, ParseMode::Markdown) else {
            continue;
        };
        // Markdown code cannot hold a backtick (documented on `unparse`).
        if first.text.contains('`')
            && first
                .entities
                .iter()
                .any(|e| matches!(e.kind, Code | Pre { .. }))
        {
            continue;
        }
        let tl = first
            .to_tl(|id| {
                Some(enums::InputUser::InputUser(types::InputUser {
                    user_id: id,
                    access_hash: 0,
                }))
            })
            .unwrap();
        let marked = unparse(&first.text, &tl, ParseMode::Markdown);
        let again = parse(&marked, ParseMode::Markdown)
            .unwrap_or_else(|e| panic!("{s:?} -> {marked:?}: {e}"));
        assert_eq!(again.text, first.text, "{s:?} -> {marked:?}");
        assert_eq!(coverage(&again), coverage(&first), "{s:?} -> {marked:?}");
        checked += 1;
    }
    assert!(checked > 1000, "only {checked}");
}
