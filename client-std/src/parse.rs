//! Parse modes: Markdown and HTML text → plain text plus Telegram message entities.
//!
//! Telegram does not format text itself: a message is plain text plus a list of entities
//! (bold from offset 3 for 5, a link over "here", …), with offsets and lengths counted in
//! **UTF-16 code units** (an emoji outside the BMP counts 2). [`parse`] turns marked-up text
//! into both; [`Parsed::to_tl`] makes the TL entities for `messages.sendMessage`, and
//! [`Client::send_message_with`](crate::Client::send_message_with) does all of it.
//!
//! ```
//! use ferrogram_client_std::parse::{self, Entity, EntityKind, ParseMode};
//!
//! let p = parse::parse("**disk** 🔥 __almost__ full", ParseMode::Markdown)?;
//! assert_eq!(p.text, "disk 🔥 almost full");
//! assert_eq!(p.entities[1], Entity { offset: 8, length: 6, kind: EntityKind::Italic });
//!
//! let h = parse::parse("<b>disk</b> &amp; <a href=\"https://example.com\">more</a>", ParseMode::Html)?;
//! assert_eq!(h.text, "disk & more");
//! # Ok::<(), parse::ParseError>(())
//! ```
//!
//! # Markdown
//! Pyrogram's dialect: `**bold**`, `__italic__`, `--underline--`, `~~strike~~`,
//! `||spoiler||`, `` `code` ``, ```` ```lang ```` on its own line … ```` ``` ```` for a block
//! (the newlines after the opening line and before the closing fence are not part of it),
//! `[text](url)`, `[text](tg://user?id=123)` (a mention of a user without a username),
//! `![👍](tg://emoji?id=5368324170671202286)` (a custom emoji), lines starting with `>` (a
//! block quote; `**>` starts an expandable one that ends with the line ending in `||`).
//! Markers nest and may even overlap (`**a __b** c__`). Nothing is parsed inside code.
//! A backslash before any ASCII punctuation makes it literal (`\*\*`, `\_`, `\[`); an
//! opened marker that is never closed is an error, not silently dropped text.
//!
//! # HTML
//! `<b>`/`<strong>`, `<i>`/`<em>`, `<u>`/`<ins>`, `<s>`/`<strike>`/`<del>`, `<spoiler>`,
//! `<tg-spoiler>`, `<span class="tg-spoiler">`, `<code>`, `<pre>`, `<pre language="x">`,
//! `<pre><code class="language-x">…</code></pre>`, `<a href="…">` (`tg://user?id=N` is a
//! mention), `<blockquote>` / `<blockquote expandable>`, `<tg-emoji emoji-id="N">`, `<br>`;
//! the entities `&lt; &gt; &amp; &quot; &apos; &nbsp; &#NN; &#xNN;`. Tags must be closed in
//! the order they were opened. A `<` or `&` that starts no tag or entity (`a < b`, `AT&T`)
//! is kept as text.
//!
//! # Differences from Pyrogram (Kurigram 2.2.26)
//! The results agree with Kurigram's on the vectors in `tests/data/parse_vectors.json`;
//! on purpose they differ where Kurigram loses text or formatting silently: an unclosed
//! marker or tag, crossing HTML tags, an unknown tag or `&reference;`, a malformed
//! `tg://user` id are errors here; backslash escapes exist; link text ends at the first
//! `]` and may hold formatting; a code block keeps no newline after its opening line
//! wherever it starts; `<br>`, `<span class="tg-spoiler">` and
//! `<pre><code class="language-x">` are read as the Bot API reads them; `&amp;` in Markdown
//! stays literal; whitespace around the first and last tag is kept; `mailto:` links stay
//! links. Date entities (`tg://time`, `<tg-time>`) are not supported yet.

use std::fmt;

use ferrogram_tl_types::{enums, types};

mod html;
mod markdown;
mod unparse;

pub use unparse::unparse;

/// How text given to [`parse`] is marked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ParseMode {
    /// No markup: the text is sent as is.
    #[default]
    Plain,
    /// Pyrogram's Markdown (see the [module docs](self)).
    Markdown,
    /// Telegram's HTML subset (see the [module docs](self)).
    Html,
}

/// How deep HTML tags may nest (Markdown's markers cannot nest deeper than seven: five
/// toggles, a link and a quote).
pub const MAX_DEPTH: usize = 32;

/// Text without its markup, and the entities the markup stood for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The text to send.
    pub text: String,
    /// The formatting, sorted by offset (an enclosing entity before what it encloses).
    pub entities: Vec<Entity>,
}

/// One formatted range of [`Parsed::text`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entity {
    /// Where it starts, in UTF-16 code units.
    pub offset: i32,
    /// How long it is, in UTF-16 code units.
    pub length: i32,
    /// What it is.
    pub kind: EntityKind,
}

/// The kinds of formatting [`parse`] produces.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum EntityKind {
    /// Bold.
    Bold,
    /// Italic.
    Italic,
    /// Underlined.
    Underline,
    /// Struck through.
    Strike,
    /// Hidden until tapped.
    Spoiler,
    /// Inline monospace.
    Code,
    /// A monospace block.
    Pre {
        /// Its programming language, or empty.
        language: String,
    },
    /// A link.
    TextUrl {
        /// Where it goes.
        url: String,
    },
    /// A mention of a user by id (`tg://user?id=…`), for users without a username.
    MentionUser {
        /// The user.
        user_id: i64,
    },
    /// A custom emoji (a sticker document) shown over the text.
    CustomEmoji {
        /// Its document id.
        document_id: i64,
    },
    /// A quote block.
    Blockquote {
        /// Shown collapsed (expandable) at first.
        collapsed: bool,
    },
}

/// Why marked-up text could not be parsed. Positions are byte offsets into the input.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// A Markdown marker (`**`, `` ` ``, `[`…) was opened and never closed.
    UnclosedMarker {
        /// The marker.
        marker: &'static str,
        /// Where it was opened.
        pos: usize,
    },
    /// An HTML tag was opened and never closed.
    UnclosedTag {
        /// Its name.
        tag: String,
        /// Where it was opened.
        pos: usize,
    },
    /// A closing tag that does not close the innermost open tag.
    MismatchedTag {
        /// The closing tag found.
        found: String,
        /// The tag it should have closed, if any was open.
        expected: Option<String>,
        /// Where the closing tag is.
        pos: usize,
    },
    /// An HTML tag this parser does not know.
    UnknownTag {
        /// Its name.
        tag: String,
        /// Where it is.
        pos: usize,
    },
    /// A tag that does not end (`<b` without `>`) or has a malformed attribute.
    BadTag {
        /// What is wrong.
        reason: &'static str,
        /// Where the tag starts.
        pos: usize,
    },
    /// A tag without an attribute it needs (`<a>` without `href`).
    MissingAttribute {
        /// The tag.
        tag: &'static str,
        /// The attribute.
        attribute: &'static str,
        /// Where the tag is.
        pos: usize,
    },
    /// An HTML character reference that is unknown or not a valid character.
    BadEntity {
        /// The reference as written (`&foo;`).
        entity: String,
        /// Where it is.
        pos: usize,
    },
    /// A link whose URL cannot be sent: empty, with spaces, or a `tg://user` / `tg://emoji`
    /// link without a valid id.
    BadUrl {
        /// The URL as written.
        url: String,
        /// What is wrong.
        reason: &'static str,
        /// Where it is.
        pos: usize,
    },
    /// Tags or markers nested deeper than [`MAX_DEPTH`].
    TooDeep {
        /// The limit.
        max: usize,
        /// Where the limit was passed.
        pos: usize,
    },
    /// [`Parsed::to_tl`]: a mentioned user this session has not met.
    UnknownUser {
        /// The user's id.
        user_id: i64,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnclosedMarker { marker, pos } => write!(
                f,
                "`{marker}` at byte {pos} is never closed: close it, or escape it with a \
                 backslash (`\\{}`) if it is meant as text",
                marker.chars().next().unwrap_or(' '),
            ),
            Self::UnclosedTag { tag, pos } => write!(
                f,
                "<{tag}> at byte {pos} is never closed: add </{tag}>, or write `&lt;` for a \
                 literal `<`"
            ),
            Self::MismatchedTag {
                found,
                expected: Some(open),
                pos,
            } => write!(
                f,
                "</{found}> at byte {pos} does not close the innermost open tag <{open}>: \
                 close tags in the reverse order they were opened"
            ),
            Self::MismatchedTag {
                found,
                expected: None,
                pos,
            } => write!(
                f,
                "</{found}> at byte {pos} closes a tag that is not open: remove it"
            ),
            Self::UnknownTag { tag, pos } => write!(
                f,
                "<{tag}> at byte {pos} is not a tag Telegram formats (b, i, u, s, spoiler, \
                 code, pre, a, blockquote, tg-emoji, br): remove it, or write `&lt;` for a \
                 literal `<`"
            ),
            Self::BadTag { reason, pos } => write!(f, "the tag at byte {pos} {reason}"),
            Self::MissingAttribute {
                tag,
                attribute,
                pos,
            } => write!(f, "<{tag}> at byte {pos} needs the attribute `{attribute}`"),
            Self::BadEntity { entity, pos } => write!(
                f,
                "`{entity}` at byte {pos} is not a character reference this parser knows \
                 (&lt; &gt; &amp; &quot; &apos; &nbsp; &#NN; &#xNN;): write `&amp;` for a \
                 literal `&`"
            ),
            Self::BadUrl { url, reason, pos } => {
                write!(f, "the link `{url}` at byte {pos} {reason}")
            }
            Self::TooDeep { max, pos } => write!(
                f,
                "formatting nested more than {max} deep at byte {pos}: close some tags first"
            ),
            Self::UnknownUser { user_id } => write!(
                f,
                "the mention of user {user_id} needs the user's access hash, and this session \
                 has not met the user: meet it first (receive a message from it, resolve its \
                 @username, get it in a member list), or link to it by @username instead"
            ),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses `text` marked up in `mode` into plain text and entities.
///
/// # Errors
/// A [`ParseError`] saying what to fix and where; [`ParseMode::Plain`] never fails.
pub fn parse(text: &str, mode: ParseMode) -> Result<Parsed, ParseError> {
    let mut out = match mode {
        ParseMode::Plain => {
            return Ok(Parsed {
                text: text.to_owned(),
                entities: Vec::new(),
            });
        }
        ParseMode::Markdown => markdown::parse(text)?,
        ParseMode::Html => html::parse(text)?,
    };
    out.entities.retain(|e| e.length > 0);
    // Stable: of two entities at one offset, the longer (enclosing) one first.
    out.entities
        .sort_by_key(|e| (e.offset, std::cmp::Reverse(e.length)));
    Ok(out)
}

impl Parsed {
    /// The entities as TL `MessageEntity`s for `messages.sendMessage`. A
    /// [`EntityKind::MentionUser`] becomes `inputMessageEntityMentionName` with the
    /// `InputUser` `input_user` gives for its id (e.g. `|id| client.peers().input_user(id)`).
    ///
    /// # Errors
    /// [`ParseError::UnknownUser`] when `input_user` gives `None` for a mentioned user.
    pub fn to_tl(
        &self,
        input_user: impl Fn(i64) -> Option<enums::InputUser>,
    ) -> Result<Vec<enums::MessageEntity>, ParseError> {
        self.entities
            .iter()
            .map(|e| {
                let (offset, length) = (e.offset, e.length);
                Ok(match &e.kind {
                    EntityKind::Bold => {
                        enums::MessageEntity::Bold(types::MessageEntityBold { offset, length })
                    }
                    EntityKind::Italic => {
                        enums::MessageEntity::Italic(types::MessageEntityItalic { offset, length })
                    }
                    EntityKind::Underline => {
                        enums::MessageEntity::Underline(types::MessageEntityUnderline {
                            offset,
                            length,
                        })
                    }
                    EntityKind::Strike => {
                        enums::MessageEntity::Strike(types::MessageEntityStrike { offset, length })
                    }
                    EntityKind::Spoiler => {
                        enums::MessageEntity::Spoiler(types::MessageEntitySpoiler {
                            offset,
                            length,
                        })
                    }
                    EntityKind::Code => {
                        enums::MessageEntity::Code(types::MessageEntityCode { offset, length })
                    }
                    EntityKind::Pre { language } => {
                        enums::MessageEntity::Pre(types::MessageEntityPre {
                            offset,
                            length,
                            language: language.clone(),
                        })
                    }
                    EntityKind::TextUrl { url } => {
                        enums::MessageEntity::TextUrl(types::MessageEntityTextUrl {
                            offset,
                            length,
                            url: url.clone(),
                        })
                    }
                    EntityKind::MentionUser { user_id } => {
                        let user = input_user(*user_id)
                            .ok_or(ParseError::UnknownUser { user_id: *user_id })?;
                        enums::MessageEntity::InputMessageEntityMentionName(
                            types::InputMessageEntityMentionName {
                                offset,
                                length,
                                user_id: user,
                            },
                        )
                    }
                    EntityKind::CustomEmoji { document_id } => {
                        enums::MessageEntity::CustomEmoji(types::MessageEntityCustomEmoji {
                            offset,
                            length,
                            document_id: *document_id,
                        })
                    }
                    EntityKind::Blockquote { collapsed } => {
                        enums::MessageEntity::Blockquote(types::MessageEntityBlockquote {
                            collapsed: *collapsed,
                            offset,
                            length,
                        })
                    }
                })
            })
            .collect()
    }
}

/// The text being built, with its length in UTF-16 code units.
#[derive(Default)]
struct Out {
    text: String,
    utf16: usize,
    entities: Vec<Entity>,
}

impl Out {
    fn push(&mut self, c: char) {
        self.text.push(c);
        self.utf16 += c.len_utf16();
    }

    fn push_str(&mut self, s: &str) {
        self.text.push_str(s);
        self.utf16 += s.encode_utf16().count();
    }

    /// The current offset, in UTF-16 code units.
    fn at(&self) -> usize {
        self.utf16
    }

    /// Records an entity from `start` to here.
    fn entity(&mut self, start: usize, kind: EntityKind) {
        self.entities.push(Entity {
            offset: i32::try_from(start).unwrap_or(i32::MAX),
            length: i32::try_from(self.utf16.saturating_sub(start)).unwrap_or(i32::MAX),
            kind,
        });
    }

    fn finish(self) -> Parsed {
        Parsed {
            text: self.text,
            entities: self.entities,
        }
    }
}

/// The entity a link's URL stands for: a mention, a custom emoji (only when `emoji`), or a
/// plain link.
fn link_kind(url: &str, emoji: bool, pos: usize) -> Result<EntityKind, ParseError> {
    let bad = |reason| ParseError::BadUrl {
        url: url.to_owned(),
        reason,
        pos,
    };
    if let Some(rest) = strip_prefix_ci(url, "tg://user?id=") {
        return match positive_id(rest) {
            Some(user_id) => Ok(EntityKind::MentionUser { user_id }),
            None => Err(bad(
                "needs a user id: a positive number after `tg://user?id=`",
            )),
        };
    }
    if emoji {
        let rest = strip_prefix_ci(url, "tg://emoji?id=").ok_or_else(|| {
            bad("is not a custom emoji: write ![👍](tg://emoji?id=<document id>)")
        })?;
        return match positive_id(rest) {
            Some(document_id) => Ok(EntityKind::CustomEmoji { document_id }),
            None => Err(bad(
                "needs a document id: a positive number after `tg://emoji?id=`",
            )),
        };
    }
    if url.is_empty() {
        return Err(bad("is empty"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(
            "contains spaces or control characters: percent-encode them (%20)",
        ));
    }
    Ok(EntityKind::TextUrl {
        url: url.to_owned(),
    })
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// A positive decimal id that fits an `i64`.
fn positive_id(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok().filter(|&n| n > 0)
}

#[cfg(test)]
mod tests;
