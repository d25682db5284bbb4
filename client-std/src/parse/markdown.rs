//! Pyrogram's Markdown dialect, in one pass with no recursion: five toggled markers, code
//! spans and blocks read raw, links found by a bounded look-ahead, block quotes per line.

use super::{EntityKind, Out, ParseError, Parsed, link_kind, strip_prefix_ci};

/// The markers that toggle an entity on and off.
const TOGGLES: [(&str, EntityKind); 5] = [
    ("**", EntityKind::Bold),
    ("__", EntityKind::Italic),
    ("--", EntityKind::Underline),
    ("~~", EntityKind::Strike),
    ("||", EntityKind::Spoiler),
];

/// A `[text](url)` being read: its text is parsed as usual until the `]` at `close`.
struct Link {
    /// Where `[` (or `![`) is.
    pos: usize,
    /// The text's start, in UTF-16 units.
    start: usize,
    /// Where its `]` is.
    close: usize,
    /// Where its `)` is (the URL is between `](` and it).
    end: usize,
    emoji: bool,
}

/// A block quote being read.
struct Quote {
    start: usize,
    pos: usize,
    collapsed: bool,
}

pub(super) fn parse(s: &str) -> Result<Parsed, ParseError> {
    let b = s.as_bytes();
    let mut out = Out::default();
    // Per toggle: (start in UTF-16 units, byte position) while open.
    let mut open: [Option<(usize, usize)>; TOGGLES.len()] = [None; TOGGLES.len()];
    let mut link: Option<Link> = None;
    let mut quote: Option<Quote> = None;
    let mut finder = Finder::default();
    let mut line_start = true;
    let mut i = 0;
    while i < b.len() {
        if line_start {
            line_start = false;
            if quote.is_none() && b[i..].starts_with(b"**>") {
                quote = Some(Quote {
                    start: out.at(),
                    pos: i,
                    collapsed: true,
                });
                i = skip_space(b, i + 3);
                continue;
            }
            if b[i] == b'>' {
                if quote.is_none() {
                    quote = Some(Quote {
                        start: out.at(),
                        pos: i,
                        collapsed: false,
                    });
                }
                i = skip_space(b, i + 1);
                continue;
            }
        }
        match b[i] {
            b'\\' if b.get(i + 1).is_some_and(u8::is_ascii_punctuation) => {
                out.push(char::from(b[i + 1]));
                i += 2;
            }
            b'\n' => {
                // A plain quote ends with the last line starting with `>`.
                if quote.as_ref().is_some_and(|q| !q.collapsed) && b.get(i + 1) != Some(&b'>') {
                    close_quote(&mut out, &mut quote);
                }
                out.push('\n');
                line_start = true;
                i += 1;
            }
            b'`' if b[i..].starts_with(b"```") => i = pre(s, i, &mut out)?,
            b'`' => {
                let body = i + 1;
                let end = s[body..].find('`').ok_or(ParseError::UnclosedMarker {
                    marker: "`",
                    pos: i,
                })? + body;
                let start = out.at();
                out.push_str(&s[body..end]);
                out.entity(start, EntityKind::Code);
                i = end + 1;
            }
            b'!' if link.is_none() && b.get(i + 1) == Some(&b'[') => {
                match finder
                    .link_at(s, i + 1)
                    .filter(|&(_, url, _)| is_emoji_url(url))
                {
                    Some((close, _, end)) => {
                        link = Some(Link {
                            pos: i,
                            start: out.at(),
                            close,
                            end,
                            emoji: true,
                        });
                        i += 2;
                    }
                    None => {
                        out.push('!');
                        i += 1;
                    }
                }
            }
            b'[' if link.is_none() => match finder.link_at(s, i) {
                Some((close, _, end)) => {
                    link = Some(Link {
                        pos: i,
                        start: out.at(),
                        close,
                        end,
                        emoji: false,
                    });
                    i += 1;
                }
                None => {
                    out.push('[');
                    i += 1;
                }
            },
            b']' if link.as_ref().is_some_and(|l| l.close == i) => {
                let l = link.take().expect("checked just above");
                let url = unescape(&s[l.close + 2..l.end]);
                let kind = link_kind(&url, l.emoji, l.pos)?;
                out.entity(l.start, kind);
                i = l.end + 1;
            }
            _ => {
                if b[i..].starts_with(b"||")
                    && quote.as_ref().is_some_and(|q| q.collapsed)
                    && matches!(b.get(i + 2), None | Some(b'\n'))
                {
                    // `||` ending a line ends an expandable quote.
                    close_quote(&mut out, &mut quote);
                    i += 2;
                    continue;
                }
                if let Some(k) = TOGGLES
                    .iter()
                    .position(|(m, _)| b[i..].starts_with(m.as_bytes()))
                {
                    match open[k].take() {
                        None => open[k] = Some((out.at(), i)),
                        Some((start, _)) => out.entity(start, TOGGLES[k].1.clone()),
                    }
                    i += 2;
                    continue;
                }
                let c = s[i..].chars().next().expect("i is on a char boundary");
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    if let Some(q) = &quote {
        if q.collapsed {
            return Err(ParseError::UnclosedMarker {
                marker: "**>",
                pos: q.pos,
            });
        }
        close_quote(&mut out, &mut quote);
    }
    if let Some(l) = link {
        return Err(ParseError::UnclosedMarker {
            marker: "[",
            pos: l.pos,
        });
    }
    if let Some((k, pos)) = open
        .iter()
        .enumerate()
        .filter_map(|(k, o)| o.map(|(_, pos)| (k, pos)))
        .min_by_key(|&(_, pos)| pos)
    {
        return Err(ParseError::UnclosedMarker {
            marker: TOGGLES[k].0,
            pos,
        });
    }
    Ok(out.finish())
}

fn close_quote(out: &mut Out, quote: &mut Option<Quote>) {
    if let Some(q) = quote.take() {
        out.entity(
            q.start,
            EntityKind::Blockquote {
                collapsed: q.collapsed,
            },
        );
    }
}

/// Past one space after a quote marker.
fn skip_space(b: &[u8], i: usize) -> usize {
    if b.get(i) == Some(&b' ') { i + 1 } else { i }
}

/// A code block at `i` (on its opening fence): its text goes out raw. Returns where to go
/// on.
fn pre(s: &str, i: usize, out: &mut Out) -> Result<usize, ParseError> {
    let after_fence = i + 3;
    // A language is the rest of the opening line, if it is one word.
    let (language, body) = match s[after_fence..].find('\n') {
        Some(n) if is_language(s[after_fence..after_fence + n].trim()) => {
            (s[after_fence..after_fence + n].trim(), after_fence + n + 1)
        }
        _ => ("", after_fence),
    };
    let close = s[body..].find("```").ok_or(ParseError::UnclosedMarker {
        marker: "```",
        pos: i,
    })? + body;
    let text = &s[body..close];
    let text = text.strip_suffix('\n').unwrap_or(text);
    let start = out.at();
    out.push_str(text);
    out.entity(
        start,
        EntityKind::Pre {
            language: language.to_owned(),
        },
    );
    Ok(close + 3)
}

pub(super) fn is_language(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_+#.-".contains(&b))
}

/// Finds where links end, remembering its last answer so a line of many `[` is read once,
/// not once per `[`.
#[derive(Default)]
struct Finder {
    /// The last search for `]`: where it started and what it found (a `]` or the end of
    /// the line, `Err`).
    close: Option<(usize, Result<usize, usize>)>,
    /// The same for `)`.
    end: Option<(usize, Result<usize, usize>)>,
}

impl Finder {
    /// For a `[` at `open`: the `]` that ends the link text, the URL and the `)` after it,
    /// if this is a link (`[text](url)` on one line: non-empty text and URL, the text ends
    /// at the first `]` not escaped, the URL at the first `)` not escaped).
    fn link_at<'s>(&mut self, s: &'s str, open: usize) -> Option<(usize, &'s str, usize)> {
        let b = s.as_bytes();
        let from = open + 1;
        let close = find_cached(&mut self.close, b, from, b']').ok()?;
        if close == from || b.get(close + 1) != Some(&b'(') {
            return None;
        }
        let end = find_cached(&mut self.end, b, close + 2, b')').ok()?;
        if end == close + 2 {
            return None;
        }
        Some((close, &s[close + 2..end], end))
    }
}

/// [`find_unescaped`], answered from `cache` when it can be: an earlier search from before
/// `from` that ended at or after `from` found what this one would (both scans read the
/// same bytes the same way from `from` on, which follows an unescaped `[` or `(`).
fn find_cached(
    cache: &mut Option<(usize, Result<usize, usize>)>,
    b: &[u8],
    from: usize,
    target: u8,
) -> Result<usize, usize> {
    match *cache {
        Some((start, r)) if start <= from && r.unwrap_or_else(|e| e) >= from => r,
        _ => {
            let r = find_unescaped(b, from, target);
            *cache = Some((from, r));
            r
        }
    }
}

/// The first `target` at or after `from` that is not escaped by a backslash, or `Err` with
/// where the line (or text) ends: links do not span lines.
fn find_unescaped(b: &[u8], from: usize, target: u8) -> Result<usize, usize> {
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'\n' => return Err(i),
            c if c == target => return Ok(i),
            _ => i += 1,
        }
    }
    Err(b.len())
}

fn is_emoji_url(url: &str) -> bool {
    strip_prefix_ci(url, "tg://emoji").is_some()
}

/// A URL without the backslashes that escaped its punctuation.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&n) = chars.peek()
            && n.is_ascii_punctuation()
        {
            out.push(n);
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}
