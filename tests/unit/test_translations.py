"""The Vietnamese catalogue covers every message of the source, with its placeholders intact.

The messages are extracted the way `pybabel extract -F babel.cfg -k _l -k lazy_gettext` does
(same mapping, same keywords), so a string added in the code without a translation fails here
with its file and line. The compiled .mo is not checked: `make` builds it from the .po.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "babel.cfg"
PO_FILE = ROOT / "helpdesk" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
EXTRACT = "pybabel extract -F babel.cfg -k _l -k lazy_gettext -o /tmp/messages.pot ."
UPDATE = "pybabel update -i /tmp/messages.pot -d helpdesk/translations -l vi --no-fuzzy-matching"

# %(name)s / %s / %-5.2f and the like, {0} / {name} of str.format, and HTML tags.
PERCENT = re.compile(
    r"%(?:\((?P<name>\w*)\))?[-#0 +]?(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>[diouxXeEfFgGcrs%])"
)
BRACES = re.compile(r"\{[\w.\[\]]*(?:![rsa])?(?::[^{}]*)?\}")
TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


@cache
def extracted() -> dict[tuple[str, str | None], list[str]]:
    """(msgid, context) -> the places in the source ("file:line") that use it."""
    with MAPPING.open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, filename=str(MAPPING))
    places: dict[tuple[str, str | None], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        msgid = message[0] if isinstance(message, (list, tuple)) else message
        if msgid:
            places.setdefault((msgid, context), []).append(f"{filename}:{lineno}")
    return places


@cache
def catalogue() -> Catalog:
    with PO_FILE.open("rb") as fileobj:
        return read_po(fileobj, locale="vi")


def translations(message) -> list[str]:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return list(strings)


def placeholders(text: str) -> tuple[frozenset, tuple]:
    """Named placeholders, braces and tags as a set; positional placeholders in their order."""
    named = set()
    positional = []
    for match in PERCENT.finditer(text):
        if match["type"] == "%":
            continue
        if match["name"] is None:
            positional.append(match.group())
        else:
            named.add(match.group())
    named.update(f"format {m}" for m in BRACES.findall(text))
    named.update(f"markup {m}" for m in TAG.findall(text))
    return frozenset(named), tuple(positional)


def edges(text: str) -> tuple[str, str]:
    return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]


def test_the_source_has_messages():
    assert len(extracted()) > 100


def test_every_message_has_a_vietnamese_translation():
    missing = []
    for (msgid, context), places in sorted(extracted().items()):
        message = catalogue().get(msgid, context=context)
        if message is None:
            problem = "not in the catalogue"
        elif message.fuzzy:
            problem = "fuzzy"
        elif not all(s.strip() for s in translations(message)):
            problem = "empty"
        else:
            continue
        missing.append(f"{', '.join(places)}: {msgid!r} ({problem})")
    assert not missing, (
        f"{len(missing)} message(s) lack a Vietnamese translation in {PO_FILE.relative_to(ROOT)};"
        f" run `{EXTRACT}` and `{UPDATE}`, translate them, then `make translations`:\n"
        + "\n".join(missing)
    )


def test_translations_keep_the_placeholders_and_markup_of_the_msgid():
    wrong = []
    for message in catalogue():
        if not message.id:
            continue
        ids = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
        strings = translations(message)
        for index, text in enumerate(strings):
            if not text:
                continue
            # Vietnamese has one plural form: it stands for the plural msgid.
            source = ids[0] if index == 0 and len(strings) > 1 else ids[-1]
            if placeholders(source) != placeholders(text) or edges(source) != edges(text):
                wrong.append(f"line {message.lineno}: {source!r} -> {text!r}")
    assert not wrong, "Placeholders, markup or edge spaces differ:\n" + "\n".join(wrong)


def test_the_catalogue_passes_the_checks_of_pybabel_compile():
    # `make translations` fails on any of these (e.g. a python-format mismatch).
    errors = [
        f"line {message.lineno}: {message.id!r}: {', '.join(map(str, problems))}"
        for message, problems in catalogue().check()
    ]
    assert not errors, "pybabel compile would report:\n" + "\n".join(errors)
