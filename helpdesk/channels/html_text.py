"""A mail's HTML made plain text, safely: nh3 parses and cleans the untrusted HTML (scripts,
styles and comments gone, only a few structural tags kept), and only its clean output is read,
tag by tag: blocks and <br> become line breaks, cells are spaced, list items get a dash,
entities are unescaped. Nothing of the markup is left.

The quoted history is cut before converting, at the first block the clients put it in: Gmail's
<div class="gmail_quote">, Outlook's <div id="appendonsend"> / <div id="divRplyFwdMsg"> and the
border-top block above its "From:" lines, Thunderbird's and Apple Mail's cite blocks."""

from __future__ import annotations

import html
import re

import nh3

BLOCKS = frozenset(
    "address article aside blockquote center dd div dl dt figcaption figure footer h1 h2 h3 h4"
    " h5 h6 header hr li main nav ol p pre section table tbody tfoot thead tr ul".split()
)
CELLS = frozenset({"td", "th"})
# Elements whose content is not text a person wrote, removed with it.
HIDDEN = frozenset(
    "script style title noscript template iframe object textarea select svg math".split()
)
# Where each client starts the quoted history (read in nh3's output: lower-case names,
# attributes double-quoted).
QUOTE_START = re.compile(
    r"<(?:div|blockquote)\b[^>]*?(?:"
    r'\bclass="(?:[^"]*\s)?(?:gmail_quote|moz-cite-prefix|yahoo_quoted)(?:\s[^"]*)?"'
    r'|\bid="(?:x_)?(?:divRplyFwdMsg|appendonsend)"'
    r'|\btype="cite"'
    r'|\bstyle="[^"]*border-top:\s*solid[^"]*"'
    r")",
    re.IGNORECASE,
)
TAG = re.compile(r"(<[^>]*>)")
TAG_NAME = re.compile(r"<(/?)([a-z0-9]+)")
SPACES = re.compile(r"[ \t\r\n\f]+")


def to_text(markup: str, *, cut_quote: bool = True) -> str:
    """The text of an HTML body; with `cut_quote`, what comes before the quoted history (the
    whole text when nothing comes before it)."""
    clean = nh3.clean(
        markup,
        tags=set(BLOCKS | CELLS | {"br"}),
        clean_content_tags=set(HIDDEN),
        attributes={"div": {"class", "id", "style"}, "blockquote": {"class", "type"}},
        link_rel=None,
    )
    if cut_quote:
        start = QUOTE_START.search(clean)
        if start and (before := read(clean[: start.start()])):
            return before
    return read(clean)


def read(clean: str) -> str:
    """The text of nh3's output, whose every "<" starts one of the kept tags."""
    out: list[str] = []
    preformatted = 0

    def line_break() -> None:
        if out and not out[-1].endswith("\n"):
            out.append("\n")

    for token in TAG.split(clean):
        if not token:
            continue
        name = TAG_NAME.match(token) if token.startswith("<") else None
        if name is None:
            piece = html.unescape(token if preformatted else SPACES.sub(" ", token))
            out.append(piece.replace("\xa0", " "))
            continue
        closing, tag = name.groups()
        if tag == "br":
            out.append("\n")
        elif tag in CELLS:
            if not closing and out and not out[-1].endswith((" ", "\n")):
                out.append(" ")
        elif tag in BLOCKS:
            line_break()
            if tag == "pre":
                preformatted = max(preformatted + (-1 if closing else 1), 0)
            if tag == "li" and not closing:
                out.append("- ")
    lines = [line.strip() for line in "".join(out).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
