#!/usr/bin/env python3
"""Known-good parse-mode vectors for client-std's tests/parse.rs, made by an independent
implementation: Kurigram (a maintained Pyrogram fork; module name `pyrogram`).

    /work/main/.venv/bin/python client-std/tests/data/make_parse_vectors.py

writes parse_vectors.json next to this script. Markdown is Kurigram's strict Markdown
(`ParseMode.MARKDOWN`: HTML in the text is literal, as in ours), HTML its HTML parser; both
run without a client (no user ids are resolved, so mentions keep the id from the link).

Where our dialect deliberately differs from Kurigram's, the input is listed in EXCLUDED with
the reason: it is still run through Kurigram and written out under "excluded" (so the
difference stays visible) but the Rust test does not compare it.
"""

import asyncio
import datetime
import json
import os

import pyrogram
from pyrogram import raw
from pyrogram.parser.html import HTML
from pyrogram.parser.markdown import Markdown

MARKDOWN = [
    "plain text, no markup",
    "**bold**",
    "__italic__",
    "--underline--",
    "~~strike~~",
    "||spoiler||",
    "`code`",
    "a `code` b",
    "```\nplain block\n```",
    "```rust\nfn main() {}\n```",
    "```python\nx = 1\ny = 2\n```",
    "**bold** and __italic__ and --under--",
    "**bold __italic inside__ bold**",
    "__a **b** c__",
    "**a __b** c__",
    "||**bold spoiler**||",
    "~~--both--~~",
    "[link](https://example.com)",
    "see [the docs](https://example.com/a?b=c&d=e) now",
    "[Bob](tg://user?id=123456789)",
    "hi [Alice](tg://user?id=1000001)!",
    "![👍](tg://emoji?id=5368324170671202286)",
    "ok ![🔥](tg://emoji?id=5373141891321699086) ok",
    "🔥 **fire**",
    "👨‍👩‍👧‍👦 __family__ 👍",
    "𝕏 **𝕐** 𝕫",
    "é ü **ß** 中文 __字__",
    "**🔥🔥**",
    "`🔥` 🔥",
    "> quoted",
    "> line one\n> line two\nafter",
    "before\n>quote\nafter",
    "**>expandable\n>more||",
    "**>expandable\n>more||\nafter",
    "> **bold** in a quote",
    "a < b > c & d",
    "<b>not a tag</b>",
    "`**not bold**`",
    "```\n**not bold** [x](y)\n```",
    "multi\nline\n**text**",
    "2 * 3 = 6",
    "a_b_c",
    "[WARN] no link",
    "a [] b",
    "**a** **b**",
]

HTML_INPUTS = [
    "plain text, no tags",
    "<b>bold</b>",
    "<strong>strong</strong>",
    "<i>italic</i>",
    "<em>em</em>",
    "<u>underline</u>",
    "<ins>ins</ins>",
    "<s>strike</s>",
    "<strike>strike</strike>",
    "<del>del</del>",
    "<spoiler>spoiler</spoiler>",
    "<tg-spoiler>tg-spoiler</tg-spoiler>",
    "<code>code</code>",
    "a <code>x &lt; y</code> b",
    "<pre>block</pre>",
    '<pre language="rust">fn main() {}</pre>',
    "<pre language='python'>x = 1\ny = 2</pre>",
    '<a href="https://example.com">link</a>',
    "<a href='https://example.com/a?b=c&amp;d=e'>query</a>",
    '<a href="tg://user?id=123456789">Bob</a>',
    'hi <a href="tg://user?id=1000001">Alice</a>!',
    "<blockquote>quoted</blockquote>",
    "<blockquote expandable>hidden\nlines</blockquote>",
    "before <blockquote>q</blockquote> after",
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    "<b>bold <i>italic</i> bold</b>",
    "<i>a <b>b</b> c</i>",
    "<b><i><u><s>four</s></u></i></b>",
    "<tg-spoiler><b>bold spoiler</b></tg-spoiler>",
    "🔥 <b>fire</b>",
    "👨‍👩‍👧‍👦 <i>family</i> 👍",
    "𝕏 <b>𝕐</b> 𝕫",
    "é ü <b>ß</b> 中文 <i>字</i>",
    "&lt;b&gt; is a tag",
    "&amp; &quot; &#39; &gt;",
    "&#128293; &#x1F525;",
    "a < b and c > d",
    "AT&T",
    "<B>upper case</B>",
    "multi\nline\n<b>text</b>",
    "<b>a</b><b>b</b>",
    "**not markdown**",
    "x <b>y</b> z <i>w</i>",
]

# Per mode: (input, why our dialect differs). Run through Kurigram, not compared.
EXCLUDED = {
    "markdown": [
        (
            "\\*\\*escaped\\*\\* \\_\\_x\\_\\_",
            "backslash escapes: ours makes `\\*` a literal `*`; Kurigram has no escapes and "
            "keeps the backslashes while still reading the markers",
        ),
        (
            "&amp; stays",
            "HTML character references in Markdown: ours keeps Markdown text literal; Kurigram "
            "unescapes the text twice (its HTML parser and then html.unescape), so `&amp;` "
            "becomes `&`",
        ),
        (
            "**unclosed",
            "an unclosed marker: ours is an error naming it; Kurigram drops the marker and "
            "formats nothing",
        ),
        (
            "a\n```rust\nfn\n```\nb",
            "a code block after other text: ours drops the newline after the opening line "
            "(as at the start of a message); Kurigram keeps it inside the block unless the "
            "block starts the message",
        ),
        (
            "[**bold** link](https://example.com)",
            "markers in link text: ours formats them (as Telegram's own Markdown does); "
            "Kurigram leaves them literal",
        ),
        (
            "[a] b [c](https://x.y)",
            "a bracket before a link: ours ends link text at the first `]`; Kurigram's lazy "
            "regex makes `a] b [c` the link text",
        ),
        (
            "`a**b`**c**",
            "markers after a code span: Kurigram replaces the first `**` in the text (inside "
            "the code) and mis-places bold; ours leaves code raw",
        ),
        (
            "![x](https://example.com)",
            "`![…](…)` that is not a custom emoji: ours reads a `!` and a link; Kurigram "
            "leaves all of it literal",
        ),
        (
            "[x](tg://user?id=12abc)",
            "a mention with a malformed id: ours is an error; Kurigram mentions user 12",
        ),
    ],
    "html": [
        (
            "<b>a<i>b</b>c</i>",
            "crossing tags: ours is an error (close tags in order); Kurigram makes "
            "overlapping entities",
        ),
        (
            "<b>unclosed",
            "an unclosed tag: ours is an error; Kurigram drops the entity",
        ),
        (
            "<pre><code class=\"language-rust\">fn main() {}</code></pre>",
            "a language given as <code class>: ours makes one pre entity in that language "
            "(as the Bot API does); Kurigram makes a pre without language and a code entity",
        ),
        (
            "<span class=\"tg-spoiler\">spoiler</span>",
            "<span class=\"tg-spoiler\">: ours is a spoiler (as the Bot API); Kurigram ignores "
            "span",
        ),
        (
            "<b> padded </b>",
            "whitespace inside the first or last tag: Kurigram strips it (its whitespace "
            "trimming regexes); ours keeps text as written",
        ),
        (
            "<a href=\"mailto:me@example.com\">mail</a>",
            "mailto: links: Kurigram makes an email entity (which has no URL, so the link "
            "is lost); ours keeps a text URL",
        ),
        (
            "line one<br>line two",
            "<br>: ours is a newline (as the Bot API); Kurigram ignores the tag and joins the "
            "lines",
        ),
        (
            "<unknown>x</unknown>",
            "unknown tags: ours is an error; Kurigram keeps the text and drops the tag",
        ),
        (
            "a &bogus; b",
            "an unknown character reference: ours is an error; Kurigram keeps it as text",
        ),
    ],
}

KINDS = {
    raw.types.MessageEntityBold: "bold",
    raw.types.MessageEntityItalic: "italic",
    raw.types.MessageEntityUnderline: "underline",
    raw.types.MessageEntityStrike: "strike",
    raw.types.MessageEntitySpoiler: "spoiler",
    raw.types.MessageEntityCode: "code",
    raw.types.MessageEntityPre: "pre",
    raw.types.MessageEntityTextUrl: "text_url",
    raw.types.InputMessageEntityMentionName: "mention_user",
    raw.types.MessageEntityCustomEmoji: "custom_emoji",
    raw.types.MessageEntityBlockquote: "blockquote",
    raw.types.MessageEntityEmail: "email",
}


def entity(e):
    out = {"type": KINDS[type(e)], "offset": e.offset, "length": e.length}
    if isinstance(e, raw.types.MessageEntityPre):
        out["language"] = e.language or ""
    elif isinstance(e, raw.types.MessageEntityTextUrl):
        out["url"] = e.url
    elif isinstance(e, raw.types.InputMessageEntityMentionName):
        out["user_id"] = e.user_id
    elif isinstance(e, raw.types.MessageEntityCustomEmoji):
        out["document_id"] = e.document_id
    elif isinstance(e, raw.types.MessageEntityBlockquote):
        out["collapsed"] = bool(e.collapsed)
    return out


async def run(mode, text):
    if mode == "markdown":
        r = await Markdown(None).parse(text, True)
    else:
        r = await HTML(None).parse(text)
    return {
        "input": text,
        "text": r["message"],
        "entities": [entity(e) for e in (r["entities"] or [])],
    }


async def main():
    out = {
        "source": "Kurigram %s (module pyrogram): pyrogram.parser.markdown.Markdown(None)"
        ".parse(text, strict=True) and pyrogram.parser.html.HTML(None).parse(text)"
        % pyrogram.__version__,
        "generated": datetime.date.today().isoformat(),
        "script": "client-std/tests/data/make_parse_vectors.py",
        "offsets": "UTF-16 code units",
        "markdown": [await run("markdown", t) for t in MARKDOWN],
        "html": [await run("html", t) for t in HTML_INPUTS],
        "excluded": [],
    }
    for mode, cases in EXCLUDED.items():
        for text, reason in cases:
            case = await run(mode, text)
            case["mode"] = mode
            case["reason"] = reason
            out["excluded"].append(case)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "parse_vectors.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(
        "wrote %s: %d markdown, %d html, %d excluded"
        % (path, len(out["markdown"]), len(out["html"]), len(out["excluded"]))
    )


if __name__ == "__main__":
    asyncio.run(main())
