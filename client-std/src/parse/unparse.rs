//! Text and entities (a received message) → Markdown or HTML that [`parse`](super::parse)
//! reads back to the same text and entities.

use super::{EntityKind, ParseMode};
use ferrogram_tl_types::enums;

/// Marks up `text` with its `entities` (a received message's) in `mode`, so that
/// [`parse`](super::parse) gives them back. Entities the parse modes have no markup for
/// (mentions by @username, hashtags, plain URLs, …) are left out: Telegram finds those in
/// the text by itself. Entities that cross are closed and reopened (so they come back
/// split). In Markdown a block quote can only start at the start of a line and a code span
/// cannot hold a backtick; such entities do not come back intact.
///
/// ```
/// use ferrogram_client_std::parse::{self, ParseMode};
/// use ferrogram_client_std::tl::{enums, types};
///
/// let bold = enums::MessageEntity::Bold(types::MessageEntityBold { offset: 3, length: 2 });
/// assert_eq!(parse::unparse("🔥 ok <3", &[bold.clone()], ParseMode::Html), "🔥 <b>ok</b> &lt;3");
/// assert_eq!(parse::unparse("🔥 ok", &[bold], ParseMode::Markdown), "🔥 **ok**");
/// ```
pub fn unparse(text: &str, entities: &[enums::MessageEntity], mode: ParseMode) -> String {
    if mode == ParseMode::Plain {
        return text.to_owned();
    }
    // Char boundaries: (UTF-16 offset, byte offset), the end included.
    let mut bounds = Vec::with_capacity(text.len() + 1);
    let mut u = 0usize;
    for (byte, c) in text.char_indices() {
        bounds.push((u, byte));
        u += c.len_utf16();
    }
    bounds.push((u, text.len()));
    // A UTF-16 offset as a byte offset (rounded up to a char boundary, clamped to the end).
    let byte_at = |offset: i32| {
        let offset = usize::try_from(offset.max(0)).unwrap_or(0);
        let k = bounds.partition_point(|&(u, _)| u < offset);
        bounds.get(k).map_or(text.len(), |&(_, b)| b)
    };
    let mut spans: Vec<(usize, usize, EntityKind)> = entities
        .iter()
        .filter_map(|e| {
            let (offset, length, kind) = kind_of(e)?;
            let start = byte_at(offset);
            let end = byte_at(offset.saturating_add(length.max(0)));
            (end > start).then_some((start, end, kind))
        })
        .collect();
    // Quotes first where they start (Markdown's `>` must begin the line), then enclosing
    // first; of equal ranges, code innermost (markup inside code would be read as text).
    let rank = |kind: &EntityKind| match kind {
        EntityKind::Blockquote { .. } => 0,
        EntityKind::Code | EntityKind::Pre { .. } => 2,
        _ => 1,
    };
    spans.sort_by_key(|(start, end, kind)| {
        (*start, rank(kind) != 0, std::cmp::Reverse(*end), rank(kind))
    });

    let mut out = String::with_capacity(text.len() * 2);
    // Open spans, innermost last: (end, index into spans).
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let mut next = 0;
    let mut at = 0;
    while at < text.len() || !stack.is_empty() {
        // Close what ends here. Markdown's markers are toggles and need no order (but a
        // quote's `>` must come first on its line); in HTML, spans above one that ends are
        // closed and reopened.
        if mode == ParseMode::Markdown {
            while next < spans.len()
                && spans[next].0 <= at
                && matches!(spans[next].2, EntityKind::Blockquote { .. })
            {
                open(&mut out, &spans[next], text, mode);
                stack.push((spans[next].1, next));
                next += 1;
            }
            // An expandable quote's `||` must end its line: quotes close last.
            let ending: Vec<usize> = stack
                .iter()
                .rev()
                .filter(|&&(end, _)| end <= at)
                .map(|&(_, k)| k)
                .collect();
            let is_quote = |k: &usize| matches!(spans[*k].2, EntityKind::Blockquote { .. });
            for k in ending
                .iter()
                .filter(|k| !is_quote(k))
                .chain(ending.iter().filter(|k| is_quote(k)))
            {
                close(&mut out, &spans[*k], text, mode);
            }
            stack.retain(|&(end, _)| end > at);
        } else if stack.iter().any(|&(end, _)| end <= at) {
            let mut reopen = Vec::new();
            while let Some((end, k)) = stack.pop() {
                close(&mut out, &spans[k], text, mode);
                if end > at {
                    reopen.push((end, k));
                }
                if !stack.iter().any(|&(end, _)| end <= at) {
                    break;
                }
            }
            for (end, k) in reopen.into_iter().rev() {
                open(&mut out, &spans[k], text, mode);
                stack.push((end, k));
            }
        }
        while next < spans.len() && spans[next].0 <= at {
            open(&mut out, &spans[next], text, mode);
            stack.push((spans[next].1, next));
            next += 1;
        }
        let in_code = stack
            .iter()
            .any(|&(_, k)| matches!(spans[k].2, EntityKind::Code | EntityKind::Pre { .. }));
        let quote = stack.iter().find_map(|&(_, k)| match spans[k].2 {
            EntityKind::Blockquote { .. } => Some(()),
            _ => None,
        });
        if at >= text.len() {
            continue;
        }
        // Up to the next place something opens or closes.
        let until = stack
            .iter()
            .map(|&(end, _)| end)
            .chain(spans.get(next).map(|s| s.0))
            .chain([text.len()])
            .min()
            .unwrap_or(text.len());
        chunk(&mut out, &text[at..until], mode, in_code, quote.is_some());
        at = until;
    }
    out
}

/// The markup of a TL entity, if it has one.
fn kind_of(e: &enums::MessageEntity) -> Option<(i32, i32, EntityKind)> {
    use enums::MessageEntity as M;
    Some(match e {
        M::Bold(e) => (e.offset, e.length, EntityKind::Bold),
        M::Italic(e) => (e.offset, e.length, EntityKind::Italic),
        M::Underline(e) => (e.offset, e.length, EntityKind::Underline),
        M::Strike(e) => (e.offset, e.length, EntityKind::Strike),
        M::Spoiler(e) => (e.offset, e.length, EntityKind::Spoiler),
        M::Code(e) => (e.offset, e.length, EntityKind::Code),
        M::Pre(e) => (
            e.offset,
            e.length,
            EntityKind::Pre {
                language: e.language.clone(),
            },
        ),
        M::TextUrl(e) => (
            e.offset,
            e.length,
            EntityKind::TextUrl { url: e.url.clone() },
        ),
        M::MentionName(e) => (
            e.offset,
            e.length,
            EntityKind::MentionUser { user_id: e.user_id },
        ),
        M::InputMessageEntityMentionName(e) => match &e.user_id {
            enums::InputUser::InputUser(u) => (
                e.offset,
                e.length,
                EntityKind::MentionUser { user_id: u.user_id },
            ),
            _ => return None,
        },
        M::CustomEmoji(e) => (
            e.offset,
            e.length,
            EntityKind::CustomEmoji {
                document_id: e.document_id,
            },
        ),
        M::Blockquote(e) => (
            e.offset,
            e.length,
            EntityKind::Blockquote {
                collapsed: e.collapsed,
            },
        ),
        _ => return None,
    })
}

type Span = (usize, usize, EntityKind);

fn open(out: &mut String, (start, end, kind): &Span, text: &str, mode: ParseMode) {
    let html = mode == ParseMode::Html;
    match kind {
        EntityKind::Bold => out.push_str(if html { "<b>" } else { "**" }),
        EntityKind::Italic => out.push_str(if html { "<i>" } else { "__" }),
        EntityKind::Underline => out.push_str(if html { "<u>" } else { "--" }),
        EntityKind::Strike => out.push_str(if html { "<s>" } else { "~~" }),
        EntityKind::Spoiler => out.push_str(if html { "<tg-spoiler>" } else { "||" }),
        EntityKind::Code => out.push_str(if html { "<code>" } else { "`" }),
        EntityKind::Pre { language } if html && language.is_empty() => out.push_str("<pre>"),
        EntityKind::Pre { language } if html => {
            out.push_str("<pre><code class=\"language-");
            escape_html(out, language, true);
            out.push_str("\">");
        }
        EntityKind::Pre { language } => {
            out.push_str("```");
            out.push_str(language);
            // The parser takes a one-word first line for the language: a newline keeps the
            // text's own first line (a block on one line needs none, and may sit in a link).
            let body = &text[*start..*end];
            let first = body.split('\n').next().unwrap_or_default();
            if !language.is_empty()
                || (body.contains('\n') && super::markdown::is_language(first.trim()))
            {
                out.push('\n');
            }
        }
        EntityKind::TextUrl { url } if html => {
            out.push_str("<a href=\"");
            escape_html(out, url, true);
            out.push_str("\">");
        }
        EntityKind::MentionUser { user_id } if html => {
            out.push_str(&format!("<a href=\"tg://user?id={user_id}\">"));
        }
        EntityKind::TextUrl { .. } | EntityKind::MentionUser { .. } => out.push('['),
        EntityKind::CustomEmoji { document_id } if html => {
            out.push_str(&format!("<tg-emoji emoji-id=\"{document_id}\">"));
        }
        EntityKind::CustomEmoji { .. } => out.push_str("!["),
        EntityKind::Blockquote { collapsed } => {
            if html {
                out.push_str(if *collapsed {
                    "<blockquote expandable>"
                } else {
                    "<blockquote>"
                });
            } else {
                // The space keeps a line's own leading space (the parser skips one).
                out.push_str(if *collapsed { "**> " } else { "> " });
            }
        }
    }
}

fn close(out: &mut String, (start, end, kind): &Span, text: &str, mode: ParseMode) {
    let html = mode == ParseMode::Html;
    match kind {
        EntityKind::Bold => out.push_str(if html { "</b>" } else { "**" }),
        EntityKind::Italic => out.push_str(if html { "</i>" } else { "__" }),
        EntityKind::Underline => out.push_str(if html { "</u>" } else { "--" }),
        EntityKind::Strike => out.push_str(if html { "</s>" } else { "~~" }),
        EntityKind::Spoiler => out.push_str(if html { "</tg-spoiler>" } else { "||" }),
        EntityKind::Code => out.push_str(if html { "</code>" } else { "`" }),
        EntityKind::Pre { language } if html && language.is_empty() => out.push_str("</pre>"),
        EntityKind::Pre { .. } if html => out.push_str("</code></pre>"),
        // The parser drops one newline before the closing fence.
        EntityKind::Pre { .. } if text[*start..*end].ends_with('\n') => out.push_str("\n```"),
        EntityKind::Pre { .. } => out.push_str("```"),
        EntityKind::TextUrl { .. } | EntityKind::MentionUser { .. } if html => {
            out.push_str("</a>");
        }
        EntityKind::TextUrl { url } => {
            out.push_str("](");
            for c in url.chars() {
                if matches!(c, ')' | '\\') {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push(')');
        }
        EntityKind::MentionUser { user_id } => {
            out.push_str(&format!("](tg://user?id={user_id})"));
        }
        EntityKind::CustomEmoji { .. } if html => out.push_str("</tg-emoji>"),
        EntityKind::CustomEmoji { document_id } => {
            out.push_str(&format!("](tg://emoji?id={document_id})"));
        }
        EntityKind::Blockquote { .. } if html => out.push_str("</blockquote>"),
        EntityKind::Blockquote { collapsed: true } => out.push_str("||"),
        EntityKind::Blockquote { collapsed: false } => {}
    }
}

/// Text between markup, escaped for `mode` (Markdown code is written raw).
fn chunk(out: &mut String, s: &str, mode: ParseMode, in_code: bool, in_quote: bool) {
    if mode == ParseMode::Html {
        escape_html(out, s, false);
        return;
    }
    if in_code {
        out.push_str(s);
        return;
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let line_start = out.is_empty() || out.ends_with('\n');
        let escape = match c {
            '\\' | '`' | '[' | ']' => true,
            // A doubled marker, or one that markup may follow.
            '*' | '_' | '-' | '~' | '|' => next.is_none_or(|n| n == c),
            // A quote marker at the start of a line, or after `**` there.
            '>' => line_start || out.ends_with('*'),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
        if c == '\n' && in_quote {
            out.push_str("> ");
        }
    }
}

fn escape_html(out: &mut String, s: &str, attribute: bool) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}
