"""Parse and mask CCCD login names (CCCD@domain). Pure: no Flask, no database, no clock."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

# Circular 07/2016/TT-BCA, Appendix I: the 63 pre-2025 province codes with a leading 0
# (reference/cccd.md §3). Data, not logic: a caller may pass a larger set (§4, births abroad).
# fmt: off
PLACE_OF_BIRTH_CODES: frozenset[str] = frozenset(
    {
        "001", "002", "004", "006", "008", "010", "011", "012", "014", "015",
        "017", "019", "020", "022", "024", "025", "026", "027", "030", "031",
        "033", "034", "035", "036", "037", "038", "040", "042", "044", "045",
        "046", "048", "049", "051", "052", "054", "056", "058", "060", "062",
        "064", "066", "067", "068", "070", "072", "074", "075", "077", "079",
        "080", "082", "083", "084", "086", "087", "089", "091", "092", "093",
        "094", "095", "096",
    }
)
# fmt: on

ADULT_AGE = 18
CCCD_LENGTH = 12
CMND_LENGTH = 9

# [0-9], not \d or str.isdigit(): those accept full-width and other Unicode digits (§5).
_ASCII_DIGITS = re.compile(r"[0-9]*")


class Reason(StrEnum):
    """Which rule of reference/cccd.md §5 a login name broke."""

    SHAPE = "shape"
    DOMAIN = "domain"
    NOT_DIGITS = "not_digits"
    LENGTH = "length"
    PREFIX = "prefix"
    BIRTH_YEAR = "birth_year"
    UNDERAGE = "underage"


MESSAGES: dict[Reason, tuple[str, str]] = {
    Reason.SHAPE: (
        "Tên đăng nhập phải có dạng số Căn cước@tên miền.",
        "The login name must look like CCCD@domain.",
    ),
    Reason.DOMAIN: (
        "Tên miền đăng nhập không được hỗ trợ.",
        "This login domain is not accepted.",
    ),
    Reason.NOT_DIGITS: (
        "Số Căn cước chỉ gồm các chữ số 0–9 (không dùng chữ số toàn độ rộng hay ký tự khác).",
        "The CCCD may contain only the digits 0–9.",
    ),
    Reason.LENGTH: (
        "Số Căn cước phải có đúng 12 chữ số.",
        "The CCCD must have exactly 12 digits.",
    ),
    Reason.PREFIX: (
        "Mã nơi đăng ký khai sinh (3 số đầu) không hợp lệ.",
        "The first three digits are not a valid place-of-birth code.",
    ),
    Reason.BIRTH_YEAR: (
        "Năm sinh suy ra từ số Căn cước không hợp lệ.",
        "The birth year encoded in the CCCD is impossible.",
    ),
    Reason.UNDERAGE: (
        "Số Căn cước cho thấy người dùng chưa đủ 18 tuổi.",
        "The CCCD shows a holder under 18.",
    ),
}

# Rule 5 for a 9-digit input: say explicitly that the old identity card number is refused.
CMND_MESSAGES: tuple[str, str] = (
    "Số Căn cước phải có đúng 12 chữ số (không dùng số CMND 9 chữ số cũ).",
    "The CCCD must have exactly 12 digits (the old 9-digit CMND is not accepted).",
)


class InvalidLogin(ValueError):
    """A login name or CCCD that breaks one rule of reference/cccd.md §5."""

    def __init__(self, reason: Reason, *, is_old_cmnd: bool = False) -> None:
        self.reason = reason
        self.is_old_cmnd = is_old_cmnd
        super().__init__(self.message_en)

    @property
    def messages(self) -> tuple[str, str]:
        """The (vi, en) messages for this failure."""
        if self.reason is Reason.LENGTH and self.is_old_cmnd:
            return CMND_MESSAGES
        return MESSAGES[self.reason]

    @property
    def message_vi(self) -> str:
        """The Vietnamese message for this failure."""
        return self.messages[0]

    @property
    def message_en(self) -> str:
        """The English message for this failure."""
        return self.messages[1]


@dataclass(frozen=True)
class Login:
    """A valid login: the 12-digit CCCD and the lower-case login domain."""

    cccd: str
    domain: str

    @property
    def username(self) -> str:
        """The normalised login name, CCCD@domain."""
        return f"{self.cccd}@{self.domain}"


def parse_login(
    text: str,
    *,
    domains: Sequence[str],
    today: date,
    prefixes: frozenset[str] = PLACE_OF_BIRTH_CODES,
) -> Login:
    """Check a login name (CCCD@domain, or a bare CCCD that gets domains[0]).

    `today` is the current date in Asia/Ho_Chi_Minh. Domains compare case-insensitively.
    Raises InvalidLogin naming the first broken rule; ValueError if `domains` is empty.
    """
    if not domains:
        raise ValueError("at least one login domain must be configured")
    allowed = [domain.lower() for domain in domains]
    name = text.strip()
    if not name:
        raise InvalidLogin(Reason.SHAPE)
    number, at, domain = name.partition("@")
    if at:
        if not number or not domain or "@" in domain:
            raise InvalidLogin(Reason.SHAPE)
        domain = domain.lower()
        if domain not in allowed:
            raise InvalidLogin(Reason.DOMAIN)
    else:
        domain = allowed[0]
    return Login(_check_number(number, today=today, prefixes=prefixes), domain)


def birth_year(cccd: str) -> int:
    """The year of birth encoded in digits 4-6 (any digit 4, even an impossible one).

    Raises InvalidLogin if `cccd` is not exactly 12 ASCII digits.
    """
    _check_digits(cccd)
    return 1900 + 100 * (int(cccd[3]) // 2) + int(cccd[4:6])


def mask(cccd: str) -> str:
    """Hide all but the last 4 characters behind '*'; hide everything when 4 or fewer."""
    if len(cccd) <= 4:
        return "*" * len(cccd)
    return "*" * (len(cccd) - 4) + cccd[-4:]


def mask_login(username: str) -> str:
    """Mask the CCCD part of CCCD@domain and keep @domain; mask all of a name without '@'."""
    number, at, domain = username.rpartition("@")
    if not at:
        return mask(username)
    return f"{mask(number)}@{domain}"


def _check_digits(number: str) -> None:
    """Rules 4 and 5: only ASCII digits, exactly 12 of them."""
    if not _ASCII_DIGITS.fullmatch(number):
        raise InvalidLogin(Reason.NOT_DIGITS)
    if len(number) != CCCD_LENGTH:
        raise InvalidLogin(Reason.LENGTH, is_old_cmnd=len(number) == CMND_LENGTH)


def _check_number(number: str, *, today: date, prefixes: frozenset[str]) -> str:
    """Rules 4 to 8 on an already trimmed number."""
    _check_digits(number)
    if number[:3] not in prefixes:
        raise InvalidLogin(Reason.PREFIX)
    # Digits 4-9 mean births from 2100 on: impossible today whatever the year digits say.
    year = birth_year(number)
    if number[3] not in "0123" or year > today.year:
        raise InvalidLogin(Reason.BIRTH_YEAR)
    # Only the year is encoded, so age is counted in years (§5 rule 8).
    if today.year - year < ADULT_AGE:
        raise InvalidLogin(Reason.UNDERAGE)
    return number
