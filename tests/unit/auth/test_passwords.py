"""The password policy: each rejection reason, the shipped refused list, purity."""

import ast
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.auth import passwords
from helpdesk.auth.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    REFUSED_FILE,
    Reason,
    WeakPassword,
    check,
    parse_refused,
)

CCCD = "001166668888"
USERNAME = "001166668888@ht.com"
REFUSED = parse_refused(REFUSED_FILE.read_text(encoding="utf-8"))
PROPERTY = settings(database=None, max_examples=200)


def reason_of(password, **options):
    options = {"refused": REFUSED, "cccd": CCCD, "username": USERNAME, **options}
    with pytest.raises(WeakPassword) as caught:
        check(password, **options)
    return caught.value.reason


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("", Reason.TOO_SHORT),
        ("Ngắn-9ký!", Reason.TOO_SHORT),  # 9 characters, however many bytes
        ("x" * (MAX_LENGTH + 1), Reason.TOO_LONG),
        (f"pw-{CCCD}-x", Reason.CONTAINS_CCCD),
        (CCCD, Reason.CONTAINS_CCCD),
        ("Ab@123456789", Reason.COMMON),
        ("matkhau@123456", Reason.COMMON),
        ("PASSWORD123", Reason.COMMON),  # case does not matter
        ("123456789a", Reason.COMMON),
        ("Abc@12345", Reason.TOO_SHORT),  # a default, caught by its length first
    ],
)
def test_each_rejection_reason(password, reason):
    assert reason_of(password) is reason


def test_the_login_name_itself_is_refused_when_no_cccd_is_given():
    assert reason_of(USERNAME, cccd=None) is Reason.SAME_AS_LOGIN


@pytest.mark.parametrize(
    "password",
    ["a" * MIN_LENGTH, "Một mật khẩu đủ dài", "x" * MAX_LENGTH, "0011666688 is not the CCCD"],
)
def test_acceptable_passwords_pass(password):
    assert check(password, refused=REFUSED, cccd=CCCD, username=USERNAME) is None


@pytest.mark.parametrize(
    "default",
    ["Ab@123456", "123456789a", "Abc@12345", "Matkhau@123", "Password123", "P@ssw0rd123"],
)
def test_known_defaults_are_on_the_shipped_list(default):
    assert default.lower() in REFUSED


def test_refused_list_ignores_comments_blank_lines_and_case():
    assert parse_refused("# comment\n\n  Secret-Word-1  \n") == frozenset({"secret-word-1"})


def test_shipped_list_has_about_a_hundred_entries():
    assert 100 <= len(REFUSED) <= 1000


@PROPERTY
@given(st.text(min_size=MIN_LENGTH, max_size=40))
def test_any_password_containing_the_cccd_is_refused(prefix):
    assert reason_of(prefix + CCCD) in (Reason.CONTAINS_CCCD, Reason.TOO_LONG)


@PROPERTY
@given(st.text(max_size=MIN_LENGTH - 1))
def test_any_short_password_is_refused(password):
    assert reason_of(password) is Reason.TOO_SHORT


def test_passwords_module_imports_only_the_standard_library():
    source = Path(passwords.__file__).read_text(encoding="utf-8")
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            roots.add("." if node.level else (node.module or "").split(".")[0])
    assert roots  # the walk found imports at all
    assert roots <= set(sys.stdlib_module_names)
