"""Text rules every field and search shares: what a field may contain, and the diacritic-free
search form."""

from __future__ import annotations

import re
import unicodedata

# Control characters other than tab, newline and carriage return (PostgreSQL refuses NUL);
# C1 controls; the bidirectional overrides and isolates, which make text read otherwise than
# it is stored (a name, a file name, a reason); lone surrogates, which are not text at all.
TRICKS = "\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{TRICKS}]")
FORBIDDEN_IN_LINE = re.compile(f"[\x00-\x1f{TRICKS}]")
SPACES = re.compile(r"\s+")


def has_control_characters(text: str, *, multiline: bool) -> bool:
    """Whether the text holds what no field keeps: see FORBIDDEN (FORBIDDEN_IN_LINE without
    `multiline`, which refuses newlines and tabs too)."""
    return bool((FORBIDDEN if multiline else FORBIDDEN_IN_LINE).search(text))


def fold(text: str) -> str:
    """Lower-case, without Vietnamese diacritics, single spaces: `Đồng Nai` -> `dong nai`."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return SPACES.sub(" ", stripped.lower()).strip()


# Short, common Vietnamese words (folded) that say nothing of the problem.
STOP_WORDS = frozenset(
    {
        "bi",
        "cac",
        "cho",
        "chua",
        "co",
        "cua",
        "da",
        "de",
        "duoc",
        "khi",
        "khong",
        "la",
        "mot",
        "nao",
        "nay",
        "nhung",
        "tai",
        "the",
        "thi",
        "trong",
        "va",
        "ve",
        "voi",
    }
)
WORDS = re.compile(r"\w+")


def significant_words(text: str) -> list[str]:
    """The folded words of a text that say something of a problem, in their order: no stop
    words, none of one letter."""
    return [w for w in WORDS.findall(fold(text)) if len(w) >= 2 and w not in STOP_WORDS]


def search_terms(query: str, *, limit: int = 8) -> list[str]:
    """The folded words of a search box, longest first (the most selective word leads)."""
    words = {w for w in fold(query).split(" ") if w}
    return sorted(words, key=lambda w: (-len(w), w))[:limit]


def is_word(term: str) -> bool:
    """Whether a search term holds a letter or a digit: a word the full-text index knows.
    A term of punctuation alone (`%`, `_`, `\\`) is matched as a substring instead."""
    return any(c.isalnum() for c in term)


def like_escaped(term: str) -> str:
    """The term with LIKE's own characters escaped (with `\\`, given as the LIKE's escape)."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(term: str) -> str:
    """A LIKE pattern matching the term anywhere, with LIKE's own characters escaped."""
    return f"%{like_escaped(term)}%"


def like_every_word(column, query: str) -> list:
    """The conditions that a folded text column (a SQLAlchemy column holding fold()'s output)
    holds every word of the query, each as a substring; none for an empty query."""
    return [column.like(like_pattern(term), escape="\\") for term in search_terms(query)]
