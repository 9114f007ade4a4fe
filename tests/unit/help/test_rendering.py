"""An article's Markdown as HTML: what Markdown makes is kept, whatever could run is not."""

from __future__ import annotations

import re

import pytest

from helpdesk.help.rendering import render

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pixel](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![pixel](data:image/png;base64,iVBORw0KGgo=)",
    "[click](vbscript:msgbox(1))",
    '<iframe src="https://example.com"></iframe>',
    "<svg onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<!-- comment --><style>body{display:none}</style>",
    '[x](https://example.com "t" onclick=alert(1))',
    "<a href='https://example.com' onclick='alert(1)'>x</a>",
]


def tags_of(html: str) -> list[str]:
    return re.findall(r"<\s*([a-zA-Z0-9]+)", html)


@pytest.mark.parametrize("markdown", HOSTILE)
def test_nothing_that_runs_comes_through(markdown):
    html = render(markdown).lower()
    assert "<script" not in html and "<iframe" not in html and "<svg" not in html
    assert "<style" not in html and "<div" not in html
    assert not re.search(r"<[^>]*\son\w+\s*=", html)  # no event attribute on any tag
    link = r"<[^>]*\s(href|src)\s*=\s*\"?\s*(javascript|data|vbscript):"
    assert not re.search(link, html)  # (what is escaped text may say anything)


def test_raw_html_is_shown_as_text():
    html = render("<b>bold</b> and <script>alert(1)</script>")
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>" not in html


def test_markdown_makes_its_tags():
    html = render(
        "# Title\n\n## Part\n\n### Step\n\n#### Deeper\n\n**bold** *it* `code`\n\n"
        "- one\n- two\n\n1. first\n\n> quote\n\n---\n\n```\npre\n```\n\n"
        '| a | b |\n| - | - |\n| 1 | 2 |\n\n[site](https://moj.gov.vn "MOJ") '
        "[mail](mailto:hotro@example.vn) ![guide](/help/x/files/1)"
    )
    assert set(tags_of(html)) == {
        "h2", "h3", "h4", "p", "strong", "em", "code", "ul", "ol", "li", "blockquote", "hr",
        "pre", "table", "thead", "tbody", "tr", "th", "td", "a", "img",
    }  # fmt: skip
    assert "<h1" not in html  # the page has the <h1>: `#` is an <h2>
    assert html.count("<h4>") == 2  # `###` and `####`
    assert '<a href="https://moj.gov.vn" title="MOJ" rel="noopener noreferrer nofollow">' in html
    assert 'href="mailto:hotro@example.vn"' in html
    assert '<img src="/help/x/files/1" alt="guide">' in html


def test_links_are_not_made_from_bare_addresses():
    assert "<a" not in render("see https://example.com and www.example.com")


@pytest.mark.parametrize("markdown", ["", "   \n\n  "])
def test_no_text_renders_nothing(markdown):
    assert render(markdown) == ""
