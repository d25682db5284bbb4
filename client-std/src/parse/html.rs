//! Telegram's HTML subset, in one pass with an explicit tag stack (bounded by
//! [`MAX_DEPTH`]).

use super::{EntityKind, MAX_DEPTH, Out, ParseError, Parsed, link_kind, positive_id};

/// An open tag.
struct Open {
    /// Its name, lower case.
    tag: String,
    pos: usize,
    /// Where its text starts, in UTF-16 units.
    start: usize,
    /// The entity it makes; `None` for a `<code>` merged into its `<pre>`.
    kind: Option<EntityKind>,
}

/// A tag as written.
struct Tag {
    name: String,
    closing: bool,
    attrs: Vec<(String, String)>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub(super) fn parse(s: &str) -> Result<Parsed, ParseError> {
    let b = s.as_bytes();
    let mut out = Out::default();
    let mut stack: Vec<Open> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'<' if b
                .get(i + 1)
                .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'/') =>
            {
                let (tag, next) = read_tag(s, i)?;
                if tag.closing {
                    close(&mut out, &mut stack, &tag.name, i)?;
                } else {
                    open(&mut out, &mut stack, &tag, i)?;
                }
                i = next;
            }
            b'&' => match reference(s, i)? {
                Some((c, next)) => {
                    out.push(c);
                    i = next;
                }
                None => {
                    out.push('&');
                    i += 1;
                }
            },
            _ => {
                let c = s[i..].chars().next().expect("i is on a char boundary");
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    if let Some(o) = stack.pop() {
        return Err(ParseError::UnclosedTag {
            tag: o.tag,
            pos: o.pos,
        });
    }
    Ok(out.finish())
}

fn open(out: &mut Out, stack: &mut Vec<Open>, tag: &Tag, pos: usize) -> Result<(), ParseError> {
    let missing = |attribute| ParseError::MissingAttribute {
        tag: match tag.name.as_str() {
            "a" => "a",
            "emoji" => "emoji",
            _ => "tg-emoji",
        },
        attribute,
        pos,
    };
    let kind = match tag.name.as_str() {
        "br" => {
            out.push('\n');
            return Ok(());
        }
        "b" | "strong" => Some(EntityKind::Bold),
        "i" | "em" => Some(EntityKind::Italic),
        "u" | "ins" => Some(EntityKind::Underline),
        "s" | "strike" | "del" => Some(EntityKind::Strike),
        "spoiler" | "tg-spoiler" => Some(EntityKind::Spoiler),
        "span" if tag.attr("class") == Some("tg-spoiler") => Some(EntityKind::Spoiler),
        "code" => {
            // `<pre><code class="language-x">`: one block, in language x.
            match stack.last_mut() {
                Some(Open {
                    tag: pre,
                    start,
                    kind: Some(EntityKind::Pre { language }),
                    ..
                }) if pre == "pre" && *start == out.at() => {
                    if language.is_empty()
                        && let Some(l) = tag.attr("class").and_then(|c| c.strip_prefix("language-"))
                    {
                        *language = l.to_owned();
                    }
                    None
                }
                _ => Some(EntityKind::Code),
            }
        }
        "pre" => Some(EntityKind::Pre {
            language: tag.attr("language").unwrap_or_default().to_owned(),
        }),
        "a" => {
            let href = tag.attr("href").ok_or_else(|| missing("href"))?;
            Some(link_kind(href, false, pos)?)
        }
        "blockquote" => Some(EntityKind::Blockquote {
            collapsed: tag.attr("expandable").is_some(),
        }),
        "tg-emoji" | "emoji" => {
            let name = if tag.name == "emoji" {
                "id"
            } else {
                "emoji-id"
            };
            let id = tag.attr(name).ok_or_else(|| missing(name))?;
            let document_id = positive_id(id).ok_or_else(|| ParseError::BadUrl {
                url: format!("{name}=\"{id}\""),
                reason: "needs a custom emoji's document id (a positive number)",
                pos,
            })?;
            Some(EntityKind::CustomEmoji { document_id })
        }
        _ => {
            return Err(ParseError::UnknownTag {
                tag: tag.name.clone(),
                pos,
            });
        }
    };
    if stack.len() >= MAX_DEPTH {
        return Err(ParseError::TooDeep {
            max: MAX_DEPTH,
            pos,
        });
    }
    stack.push(Open {
        tag: tag.name.clone(),
        pos,
        start: out.at(),
        kind,
    });
    Ok(())
}

fn close(out: &mut Out, stack: &mut Vec<Open>, name: &str, pos: usize) -> Result<(), ParseError> {
    if name == "br" {
        return Ok(());
    }
    match stack.last() {
        Some(o) if o.tag == name => {
            let o = stack.pop().expect("checked just above");
            if let Some(kind) = o.kind {
                out.entity(o.start, kind);
            }
            Ok(())
        }
        top => Err(ParseError::MismatchedTag {
            found: name.to_owned(),
            expected: top.map(|o| o.tag.clone()),
            pos,
        }),
    }
}

/// Reads the tag at `i` (on its `<`): `<name attr="v" attr='v' attr=v attr>`, `</name>`,
/// `<name/>`. Returns it and where its `>` ends.
fn read_tag(s: &str, start: usize) -> Result<(Tag, usize), ParseError> {
    let b = s.as_bytes();
    let bad = |reason| ParseError::BadTag { reason, pos: start };
    let unterminated = || bad("does not end with `>` (write `&lt;` for a literal `<`)");
    let mut i = start + 1;
    let closing = b[i] == b'/';
    if closing {
        i += 1;
    }
    let name_start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
        i += 1;
    }
    if i == name_start {
        return Err(bad("has no name"));
    }
    let name = s[name_start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i) {
            None => return Err(unterminated()),
            Some(b'>') => break,
            Some(b'/') if b.get(i + 1) == Some(&b'>') => {
                i += 1;
                break;
            }
            Some(_) if closing => return Err(bad("is a closing tag with attributes")),
            Some(_) => {}
        }
        let attr_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !b"=>/\"'".contains(&b[i]) {
            i += 1;
        }
        if i == attr_start {
            return Err(bad("has a malformed attribute"));
        }
        let attr = s[attr_start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if b.get(i) == Some(&b'=') {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let (raw, next) = match b.get(i) {
                None => return Err(unterminated()),
                Some(&q @ (b'"' | b'\'')) => {
                    let end = s[i + 1..]
                        .find(char::from(q))
                        .ok_or_else(|| bad("has an attribute value whose quote is never closed"))?
                        + i
                        + 1;
                    (i + 1..end, end + 1)
                }
                Some(_) => {
                    let mut end = i;
                    while end < b.len() && !b[end].is_ascii_whitespace() && b[end] != b'>' {
                        end += 1;
                    }
                    (i..end, end)
                }
            };
            value = unescape(s, raw)?;
            i = next;
        }
        attrs.push((attr, value));
    }
    Ok((
        Tag {
            name,
            closing,
            attrs,
        },
        i + 1,
    ))
}

/// An attribute value with its character references replaced.
fn unescape(s: &str, range: std::ops::Range<usize>) -> Result<String, ParseError> {
    let mut out = String::with_capacity(range.len());
    let mut i = range.start;
    while i < range.end {
        if s.as_bytes()[i] == b'&'
            && let Some((c, next)) = reference(&s[..range.end], i)?
        {
            out.push(c);
            i = next;
            continue;
        }
        let c = s[i..].chars().next().expect("i is on a char boundary");
        out.push(c);
        i += c.len_utf8();
    }
    Ok(out)
}

/// The character reference at `i` (on its `&`) and where it ends, `None` if what follows
/// is not shaped like one (`AT&T`), an error if it is but names no character.
fn reference(s: &str, i: usize) -> Result<Option<(char, usize)>, ParseError> {
    let b = s.as_bytes();
    let body = i + 1;
    let mut end = body;
    while end < b.len() && end - body < 32 && (b[end].is_ascii_alphanumeric() || b[end] == b'#') {
        end += 1;
    }
    if end == body || b.get(end) != Some(&b';') {
        return Ok(None);
    }
    let name = &s[body..end];
    let c = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => name
            .strip_prefix('#')
            .and_then(|n| match n.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None if n.bytes().all(|d| d.is_ascii_digit()) => n.parse().ok(),
                None => None,
            })
            .filter(|&n| n != 0)
            .and_then(char::from_u32),
    };
    match c {
        Some(c) => Ok(Some((c, end + 1))),
        None => Err(ParseError::BadEntity {
            entity: s[i..=end].to_owned(),
            pos: i,
        }),
    }
}
