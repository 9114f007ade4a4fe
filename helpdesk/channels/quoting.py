"""The new text of a reply: the quoted history and the signature removed, by mail-parser-reply
with a Vietnamese entry registered beside its English one.

Its reply headers are the clients' own: Gmail's "On Mon, Dec 7, 2026 at 10:15 AM Name <a@b>
wrote:" and "Vào Th 2, 7 thg 12, 2026 vào lúc 10:15 Name <a@b> đã viết:" (often wrapped over
two lines), Thunderbird's "On 07/12/2026 10:15, Name wrote:" and "Vào 07/12/2026 10:15, Name
đã viết:", Outlook's "From:/Sent:/To:/Subject:" and "Từ:/Đã gửi:/Đến:/Chủ đề:" blocks,
"-----Original Message-----" and "-----Thư gốc-----". Its signatures are cut only where a line
holds nothing else than a closing ("Trân trọng,", "Best regards,"), the "-- " separator or a
"Sent from my iPhone": the library's own list also cuts at a line that merely starts with
"Thanks," or "- ", which would lose what people write."""

from __future__ import annotations

import re
import unicodedata

from mailparser_reply.constants import MAIL_LANGUAGES, QUOTED_MATCH_INCLUDE
from mailparser_reply.parser import EmailMessage

LANGUAGES = ("vi", "en")
QUOTE = QUOTED_MATCH_INCLUDE  # a header may sit in quoted lines: "> > Vào ... đã viết:"

# The Vietnamese entry, shaped like the library's own. Each pattern keeps one capturing group:
# the library takes every group it finds as a header.
MAIL_LANGUAGES["vi"] = {
    # "Vào <date> <name> đã viết:", in one line or wrapped anywhere once.
    "wrote_header": (
        rf"^({QUOTE}Vào\s[^\n]{{0,200}}?(?:\n{QUOTE}[^\n]{{0,200}}?)?\sđã\s+viết\s?:)[ \t]*$"
    ),
    # Outlook's block: a "Từ:" line, then two of its fellows at least (a "Từ: 01/12" line and
    # an "Đến: 05/12" line are a person's dates); the old separator.
    "from_header": (
        rf"((?:^|\n){QUOTE}[* ]*Từ:[ *]*.*"
        rf"(?:\n{QUOTE}[* ]*(?:Đã gửi|Gửi|Ngày|Đến|Tới|Cc|Chủ đề|Tiêu đề):[ *]*.*){{2,}})"
        rf"|(^{QUOTE}-{{3,}} ?(?:Thư gốc|Tin nhắn gốc) ?-{{3,}}[ \t]*$)"
    ),
    "signatures": [r"Trân trọng(?: cảm ơn| cám ơn)?", "Kính thư", "Thân ái"],
    "sent_from": r"Gửi từ|Được gửi từ|Tải Outlook cho|Nhận Outlook cho",
}
ENGLISH_CLOSINGS = [
    r"(?:Best|Kind|Warm|Warmest)? ?regards",
    "Best",
    "Cheers",
    "All the best",
    r"(?:Yours )?sincerely",
    "Yours truly",
    r"(?:Many )?thanks",
    "Thank you",
]
CLOSINGS = "|".join(MAIL_LANGUAGES["vi"]["signatures"] + ENGLISH_CLOSINGS)
SENT_FROM = "|".join(MAIL_LANGUAGES[language]["sent_from"] for language in LANGUAGES)
# From a signature's first line to the end of the text (the library's lines come stripped).
SIGNATURE = re.compile(
    rf"^{QUOTE}(?:--|__|[_-]{{32,}}"  # "-- " (stripped), Outlook's rule
    rf"|(?<!\A)(?:{CLOSINGS})[,.!]*"  # a closing alone on its line, not the text's first
    rf"|(?:{SENT_FROM}) [\w.<>:/ ]{{1,40}})$[\s\S]*",  # "Sent from my iPhone"
    flags=re.MULTILINE | re.IGNORECASE,
)
NOTHING = re.compile(r"(?!)")
# What the reader is given: a message's text is at most 20 000 characters (filing's limit),
# and its lines at most LINE_LIMIT long (see short_lines).
READ_LIMIT = 20_000
LINE_LIMIT = 1_000
# A quoted line, and the line that names what follows as quoted ("X wrote:", any language).
QUOTED_LINE = re.compile(r"^[ \t]*>")
# The line the desk's own mail starts with ("##- Please type your reply above this line -##",
# in the reader's language), however deep it is quoted: a reply is what comes before it.
REPLY_ABOVE = re.compile(r"^[ \t>]*##- .* -##[ \t]*$", re.MULTILINE)
ATTRIBUTION = re.compile(r":[ \t]*$")


class Reading(EmailMessage):
    """The library's reading of a text into replies, with the signature above and no
    "disclaimers" (its list removes any sentence starting "Warning:" that names mail)."""

    @property
    def SIGNATURE_REGEX(self) -> re.Pattern:  # the library's name
        return SIGNATURE

    @property
    def DISCLAIMERS_REGEX(self) -> re.Pattern:
        return NOTHING


def new_text(body: str) -> str:
    """What the sender wrote above the quoted history, without the signature. When that leaves
    nothing (the body starts with a quote), the text before the first quote header; failing
    that, the whole body: only an empty body gives ""."""
    marker = REPLY_ABOVE.search(body)
    if marker is not None and body[: marker.start()].strip():
        lines = body[: marker.start()].rstrip().split("\n")
        if len(lines) > 1 and ATTRIBUTION.search(lines[-1]):  # "X wrote:" above the quote
            lines.pop()
        body = "\n".join(lines)
    body = tidy(short_lines(body[:READ_LIMIT]))
    if not body:
        return ""
    first = Reading(text=body, languages=list(LANGUAGES), keep_hyphen_lists=True).read().replies[0]
    if first.headers:  # the body starts with a quote header: nothing came before it
        return without_quoted_lines(body) or body
    return (
        without_quoted_lines(first.body)
        or without_quoted_lines(first.full_body)
        or tidy(first.full_body)
        or body
    )


def short_lines(text: str) -> str:
    """The text with no line over LINE_LIMIT characters: a longer one is broken at its last
    space before the limit (or at the limit). The reader's patterns take time growing with the
    square of a line's length: a 40 000-character line held it half a minute."""
    lines = []
    for line in text.split("\n"):
        while len(line) > LINE_LIMIT:
            cut = line.rfind(" ", 0, LINE_LIMIT) + 1 or LINE_LIMIT
            lines.append(line[:cut].rstrip())
            line = line[cut:]
        lines.append(line)
    return "\n".join(lines)


def without_quoted_lines(text: str) -> str:
    """The text without its ">" lines, and without the line introducing a quote that runs to
    the end ("Le 7 déc. 2026, X a écrit :" in a language the reader does not know)."""
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    end = len(lines)
    while end and (QUOTED_LINE.match(lines[end - 1]) or not lines[end - 1].strip()):
        end -= 1
    if end < len(lines) and end and ATTRIBUTION.search(lines[end - 1]):
        end -= 1
    kept = [line for line in lines[:end] if not QUOTED_LINE.match(line)]
    return tidy("\n".join(kept))


def tidy(text: str) -> str:
    """Unicode NFC (Apple Mail writes Vietnamese decomposed), "\\n" line ends, no trailing
    spaces, at most one empty line in a row, no empty lines around."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
