"""The password policy. Pure: no Flask, no database; the refused list is handed in."""

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

MIN_LENGTH = 10
MAX_LENGTH = 256

# Shipped with the package: common passwords and the defaults that deployments hand out
# (reference/cccd.md §6: `Ab@123456`). Read by the services, parsed here.
REFUSED_FILE = Path(__file__).with_name("refused_passwords.txt")


class Reason(StrEnum):
    """Which rule a password broke."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    CONTAINS_CCCD = "contains_cccd"
    SAME_AS_LOGIN = "same_as_login"
    COMMON = "common"


class WeakPassword(ValueError):
    """A password the policy refuses."""

    def __init__(self, reason: Reason) -> None:
        self.reason = reason
        super().__init__(reason.value)


def parse_refused(text: str) -> frozenset[str]:
    """The refused passwords of a list, one a line, lower-cased; '#' starts a comment line."""
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line.lower() for line in lines if line and not line.startswith("#"))


def check(
    password: str,
    *,
    refused: Iterable[str] | frozenset[str],
    cccd: str | None = None,
    username: str | None = None,
) -> None:
    """Raise WeakPassword naming the first broken rule; return None for an acceptable password.

    `refused` holds lower-case passwords (parse_refused); the comparison ignores case, so
    `ab@123456` and `AB@123456` are refused with `Ab@123456`. Length counts characters.
    """
    if len(password) < MIN_LENGTH:
        raise WeakPassword(Reason.TOO_SHORT)
    if len(password) > MAX_LENGTH:
        raise WeakPassword(Reason.TOO_LONG)
    folded = password.lower()
    if cccd and cccd in password:
        raise WeakPassword(Reason.CONTAINS_CCCD)
    if username and folded == username.strip().lower():
        raise WeakPassword(Reason.SAME_AS_LOGIN)
    if folded in refused or folded.strip() in refused:
        raise WeakPassword(Reason.COMMON)
