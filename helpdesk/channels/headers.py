"""A mail header's text as a person reads it: unfolded, its RFC 2047 encoded words decoded, raw
8-bit bytes read as UTF-8 (else Windows-1258), never an exception whatever the header holds."""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
import unicodedata
from email.message import Message

from helpdesk import text

# =?charset?B|Q?text?= (RFC 2047); the charset may carry a language (RFC 2231: utf-8*vi).
ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
# Spaces between two encoded words are not part of the text (RFC 2047, 6.2).
BETWEEN_WORDS = re.compile(r"(\?=)\s+(=\?)")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Charsets whose declaration proves little: UTF-8 is tried first when they are declared.
LATIN = {"iso8859-1", "cp1252", "ascii"}


def values(message: Message, name: str) -> list[str]:
    """Every value of a header, as text, in the message's order (none when absent)."""
    return [readable(value) for value in as_parsed(message, name)]


def raw_values(message: Message, name: str) -> list[str]:
    """Every value of a header unfolded, its 8-bit text read, but its RFC 2047 encoded words
    left as they are: where the addresses are read (an address is never encoded, and a
    decoded display name must not pass for one)."""
    return [text.FORBIDDEN.sub("", repair(unfold(value))) for value in as_parsed(message, name)]


def as_parsed(message: Message, name: str) -> list[str]:
    """Every value of a header as the parser kept it (folded, 8-bit bytes as surrogates)."""
    return [
        value
        for key, value in message.raw_items()
        if isinstance(key, str) and key.lower() == name and isinstance(value, str)
    ]


def value(message: Message, name: str) -> str:
    """The first value of a header, as text; "" when absent."""
    found = values(message, name)
    return found[0] if found else ""


def readable(raw: str) -> str:
    """A header value as parsed (folded, its 8-bit bytes kept as surrogates) made text."""
    decoded = decode_words(repair(unfold(raw)))
    return text.FORBIDDEN.sub("", unicodedata.normalize("NFC", decoded))


def unfold(raw: str) -> str:
    return re.sub(r"\r?\n[ \t]*", " ", raw)


def repair(raw: str) -> str:
    """Text from a string whose 8-bit bytes the parser kept as surrogates (RFC 6532 headers,
    or a client that sent Windows-1258 without saying so)."""
    try:
        data = raw.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no byte stands for: not from the parser
        data = raw.encode("utf-8", "replace")
    return decode_bytes(data, "utf-8")


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in the declared charset; when the bytes are not in it, UTF-8 if they are, else the
    declared charset (Windows-1258 when none is known) with replacement characters. UTF-8
    declared as Latin-1 (a common mislabel, never wrong the other way round) is read as UTF-8."""
    declared = codec(charset)
    tries = [declared] if declared and declared not in LATIN else []
    for name in [*tries, "utf-8"]:
        try:
            return data.decode(name)
        except (LookupError, UnicodeError, ValueError):
            continue
    try:
        return data.decode(declared or "cp1258", "replace")
    except (LookupError, UnicodeError, ValueError):  # a codec that is not text ("base64")
        return data.decode("cp1258", "replace")


def codec(charset: str | None) -> str | None:
    """The codec's own name for a charset ("latin-1" -> "iso8859-1"); None if unknown."""
    try:
        return codecs.lookup(charset).name if charset else None
    except (LookupError, TypeError, ValueError):
        return None


def decode_words(value: str) -> str:
    """The text of a header holding RFC 2047 encoded words; a word that fails stays as sent."""
    return ENCODED_WORD.sub(decode_word, BETWEEN_WORDS.sub(r"\1\2", value))


def decode_word(match: re.Match) -> str:
    charset, encoding, encoded = match.groups()
    charset = charset.split("*", 1)[0]
    raw = encoded.encode("ascii", "replace")
    try:
        if encoding in "bB":
            data = base64.b64decode(raw + b"=" * (-len(raw) % 4), validate=True)
        else:
            data = quopri.decodestring(raw, header=True)
    except (binascii.Error, ValueError):
        return match.group(0)
    return decode_bytes(data, charset)


def message_ids(value: str) -> tuple[str, ...]:
    """The Message-IDs an In-Reply-To or References header names, in order, once each."""
    found: list[str] = []
    for message_id in MESSAGE_ID.findall(value):
        if message_id not in found:
            found.append(message_id)
    return tuple(found)
