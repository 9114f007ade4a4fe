"""The password policy. Pure: no Flask, no database; the lists and the account are handed in.

Every comparison is made on the folded password: lower-case, without diacritics (đ is d),
compatibility forms unified (full-width digits are digits), so `MẬT KHẨU` is `mat khau`.
"""

import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

MIN_LENGTH = 10
MAX_LENGTH = 256

# Shipped with the package, read by the services, parsed here:
# the defaults that deployments hand out (reference/cccd.md §6: `Ab@123456`) and Vietnamese
# favourites; the 10 000 most common passwords; words that a year or `@123` does not save.
REFUSED_FILE = Path(__file__).with_name("refused_passwords.txt")
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")
WORDS_FILE = Path(__file__).with_name("guessable_words.txt")

# Runs that people type instead of choosing: digits, the alphabet, keyboard rows and columns.
SEQUENCES = (
    "01234567890123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1q2w3e4r5t6y7u8i9o0p",
    "q1w2e3r4t5y6u7i8o9p0",
    "!@#$%^&*()_+",
)
# Characters written for letters (p@ssw0rd); read as letters only between letters.
LEET = str.maketrans(
    {"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "5": "s", "$": "s", "7": "t"}
)
LONGEST_BLOCK = 4  # abcabcabc, 12121212: a block of up to this many characters, repeated
MOST_SYMBOLS = 3  # Hanoi@2026!! is still a word, a year and decoration
SHORT_WORD = 4  # Ab@123456, abc@2026: so few letters are no word to guess
SHORT_DIGITS = 4  # @7391: ten thousand tries
# A Vietnamese mobile number: 0 or 84, then 3, 5, 7, 8 or 9 and eight digits.
MOBILE_NUMBER = re.compile(r"(?:0|84)[35789]\d{8}")
TOKENS = re.compile(r"[^\W\d_]+|\d+|[\W_]+")


class Reason(StrEnum):
    """Which rule a password broke."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    CONTAINS_CCCD = "contains_cccd"
    SAME_AS_LOGIN = "same_as_login"
    CONTAINS_PHONE = "contains_phone"
    PERSONAL = "personal"  # made of the account's name or e-mail address
    COMMON = "common"  # on a list
    PATTERN = "pattern"  # a guessable shape: Hanoi@2026, 1234567890, abcabcabca


class WeakPassword(ValueError):
    """A password the policy refuses."""

    def __init__(self, reason: Reason) -> None:
        self.reason = reason
        super().__init__(reason.value)


def fold(text: str) -> str:
    """Lower-case, without diacritics (đ is d), compatibility forms unified."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def compact(text: str) -> str:
    """Folded, without whitespace (`Mật khẩu` and `matkhau` are one password)."""
    return "".join(fold(text).split())


def parse_refused(text: str) -> frozenset[str]:
    """The entries of a list, one a line, folded; a line that is '#' or starts with '# ' is a
    comment (a password may start with '#')."""
    lines = (line.strip() for line in text.splitlines())
    return frozenset(
        fold(line) for line in lines if line and line != "#" and not line.startswith("# ")
    )


def words_of(*lists: Iterable[str]) -> frozenset[str]:
    """The guessable words: every entry of the lists that is letters only, compacted."""
    return frozenset(
        word for entries in lists for entry in entries if (word := compact(entry)).isalpha()
    )


def check(
    password: str,
    *,
    refused: Iterable[str] | frozenset[str],
    words: Iterable[str] | frozenset[str] = frozenset(),
    cccd: str | None = None,
    username: str | None = None,
    phone: str | None = None,
    full_name: str | None = None,
    email: str | None = None,
) -> None:
    """Raise WeakPassword naming the first broken rule; return None for an acceptable password.

    `refused` and `words` hold folded entries (parse_refused, words_of). The account's CCCD,
    login name, phone, name and e-mail address are refused inside the password too. Length
    counts characters.
    """
    if len(password) < MIN_LENGTH:
        raise WeakPassword(Reason.TOO_SHORT)
    if len(password) > MAX_LENGTH:
        raise WeakPassword(Reason.TOO_LONG)
    digits = "".join(ch for ch in fold(password) if ch.isdigit())
    if cccd and cccd in digits:
        raise WeakPassword(Reason.CONTAINS_CCCD)
    squeezed = compact(password)
    if username and squeezed == compact(username):
        raise WeakPassword(Reason.SAME_AS_LOGIN)
    national = phone_number(phone or "")
    if national and national in digits:
        raise WeakPassword(Reason.CONTAINS_PHONE)
    if is_personal(squeezed, personal_words(full_name or "", email or "")):
        raise WeakPassword(Reason.PERSONAL)
    candidates = {fold(password), fold(password).strip(), squeezed, unleet(squeezed)}
    if any(candidate in refused for candidate in candidates):
        raise WeakPassword(Reason.COMMON)
    if any(is_guessable(candidate, words) for candidate in (squeezed, unleet(squeezed))):
        raise WeakPassword(Reason.PATTERN)


# ---------------------------------------------------------------- the account's own data


def phone_number(phone: str) -> str:
    """The national part of a phone number (no 0 or 84 in front), or '' if it is too short."""
    digits = "".join(ch for ch in fold(phone) if ch.isdigit())
    if digits.startswith("84") and len(digits) >= 11:
        digits = digits[2:]
    digits = digits.lstrip("0")
    return digits if len(digits) >= 8 else ""


def personal_words(full_name: str, email: str) -> list[str]:
    """The pieces of a name and an e-mail address a password may be made of, longest first."""
    pieces = set()
    name = compact(full_name)
    local = compact(email.rpartition("@")[0] if "@" in email else email)
    for text in (name, local):
        pieces.add(text)
        pieces.update(TOKENS.findall(text))
        pieces.add("".join(ch for ch in text if ch.isalpha()))
    pieces.update(fold(full_name).split())
    kept = (piece for piece in pieces if len(piece) >= 2 and any(ch.isalpha() for ch in piece))
    return sorted(kept, key=len, reverse=True)


def is_personal(squeezed: str, pieces: list[str]) -> bool:
    """Whether every letter of the password belongs to a piece of the name or e-mail address."""
    if not pieces or not any(ch.isalpha() for ch in squeezed):
        return False
    rest = squeezed
    for piece in pieces:
        rest = rest.replace(piece, " ")
    return rest != squeezed and not any(ch.isalpha() for ch in rest)


# ---------------------------------------------------------------- shapes


def unleet(text: str) -> str:
    """`p@ssw0rd@2026` read as `password@2026`: look-alike characters between letters."""

    def between_letters(match: re.Match) -> str:
        return match.group().translate(LEET)

    return re.sub(r"(?<=[^\W\d_])[@40!135$7]+(?=[^\W\d_])", between_letters, text)


def is_guessable(text: str, words: Iterable[str] | frozenset[str]) -> bool:
    """A repeated block, a run, a mobile number, or one word decorated with guessable digits."""
    if is_repeated(text) or is_run(text) or MOBILE_NUMBER.fullmatch(text):
        return True
    tokens = TOKENS.findall(text)
    letters = [token for token in tokens if token.isalpha()]
    numbers = [token for token in tokens if token.isdigit()]
    symbols = sum(len(token) for token in tokens if not token.isalnum())
    if len(letters) > 1 or symbols > MOST_SYMBOLS:
        return False
    if letters and not is_guessable_word(letters[0], words):
        return False
    return all(is_guessable_number(number) for number in numbers)


def is_guessable_word(word: str, words: Iterable[str] | frozenset[str]) -> bool:
    return len(word) <= SHORT_WORD or word in words or is_repeated(word) or is_run(word)


def is_guessable_number(number: str) -> bool:
    """Few digits, a run, a repeated block, or a date (ddmmyy, ddmmyyyy, yyyymmdd)."""
    return len(number) <= SHORT_DIGITS or is_repeated(number) or is_run(number) or is_date(number)


def is_repeated(text: str) -> bool:
    """`aaaaaaaaaa`, `abcabcabca`, `1212121212`: a block of a few characters, repeated."""
    return len(text) > LONGEST_BLOCK and any(
        text == (text[:size] * (len(text) // size + 1))[: len(text)]
        for size in range(1, LONGEST_BLOCK + 1)
    )


def is_run(text: str) -> bool:
    """A stretch of at least four characters of a sequence, either way (`9876543210`)."""
    return len(text) >= 4 and any(
        text in sequence or text in sequence[::-1] for sequence in SEQUENCES
    )


def is_date(number: str) -> bool:
    """ddmmyy, ddmmyyyy or yyyymmdd (years 1900 to 2099): a birthday."""
    if len(number) == 6:
        return is_day_month(number[:2], number[2:4])
    if len(number) == 8:
        day_first = is_day_month(number[:2], number[2:4]) and number[4:6] in ("19", "20")
        year_first = number[:2] in ("19", "20") and is_day_month(number[6:], number[4:6])
        return day_first or year_first
    return False


def is_day_month(day: str, month: str) -> bool:
    return 1 <= int(day) <= 31 and 1 <= int(month) <= 12
