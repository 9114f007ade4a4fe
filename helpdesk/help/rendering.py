"""An article's Markdown as safe HTML. Pure: markdown-it-py and nh3, no Flask, no database.

Markdown is parsed with raw HTML off (what looks like a tag is shown as text), then the HTML is
cleaned against an allow-list: whatever got through the parser (a `javascript:` or `data:`
link, an event attribute) comes out inert. Headings start at <h2>: the page has the <h1>.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

TAGS = frozenset(
    {
        "p",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "code",
        "pre",
        "blockquote",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "hr",
        "br",
        "img",
    }
)
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
TOP_HEADING = 2  # `#` is an <h2>
LAST_HEADING = 4  # deeper headings are <h4> too

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render(markdown: str) -> str:
    """The Markdown as HTML fit to be shown inside a page (an empty string for none)."""
    if not markdown or not markdown.strip():
        return ""
    tokens = _parser.parse(markdown)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1:]) + TOP_HEADING - 1, LAST_HEADING)
            token.tag = f"h{level}"
    html = _parser.renderer.render(tokens, _parser.options, {})
    return clean(html)


def clean(html: str) -> str:
    """HTML reduced to the allow-list: no other tag, attribute or URL scheme survives, and
    <script> and <style> lose their content too."""
    return nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
