"""The password policy: each rejection reason, the shipped lists, purity."""

import ast
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpdesk.auth import passwords
from helpdesk.auth.passwords import (
    COMMON_FILE,
    MAX_LENGTH,
    MIN_LENGTH,
    REFUSED_FILE,
    WORDS_FILE,
    Reason,
    WeakPassword,
    check,
    parse_refused,
    words_of,
)

CCCD = "001166668888"
USERNAME = "001166668888@ht.com"
PHONE = "0912 345 678"
FULL_NAME = "Nguyễn Thị Hoa"
EMAIL = "hoa.nguyen85@phuong-ben-nghe.vn"
REFUSED = parse_refused(REFUSED_FILE.read_text(encoding="utf-8")) | parse_refused(
    COMMON_FILE.read_text(encoding="utf-8")
)
WORDS = words_of(parse_refused(WORDS_FILE.read_text(encoding="utf-8")), REFUSED)
PROPERTY = settings(database=None, max_examples=200)
ACCOUNT = {
    "refused": REFUSED,
    "words": WORDS,
    "cccd": CCCD,
    "username": USERNAME,
    "phone": PHONE,
    "full_name": FULL_NAME,
    "email": EMAIL,
}


def reason_of(password, **options):
    with pytest.raises(WeakPassword) as caught:
        check(password, **{**ACCOUNT, **options})
    return caught.value.reason


def outcome(password) -> Reason | None:
    try:
        check(password, **ACCOUNT)
    except WeakPassword as error:
        return error.reason
    return None


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("", Reason.TOO_SHORT),
        ("Ngắn-9ký!", Reason.TOO_SHORT),  # 9 characters, however many bytes
        ("x" * (MAX_LENGTH + 1), Reason.TOO_LONG),
        (f"pw-{CCCD}-x", Reason.CONTAINS_CCCD),
        (CCCD, Reason.CONTAINS_CCCD),
        ("001-166-668-888-x", Reason.CONTAINS_CCCD),  # separators do not hide it
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
    [
        "Một mật khẩu đủ dài",
        "0011666688 is not the CCCD",
        "Xylophonic@7391",  # a word that is no favourite, four digits that are no year
        "correct horse battery staple",
        "8264917350",
        "Hoa đăng ký 2026!",  # the name, but with more than the name
        "Mật-khẩu-dài-2026",  # the tests' own passwords stay acceptable
        "Một mật khẩu dài lắm",
        "Cua-rieng-toi-Nam-2026",
        "x" * (MAX_LENGTH - 10) + "Q7v!m2Lp#z",
    ],
)
def test_acceptable_passwords_pass(password):
    assert check(password, **ACCOUNT) is None


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("MATKHAU123456", Reason.COMMON),
        ("Mật khẩu 123456", Reason.COMMON),  # diacritics and spaces stripped
        ("Qwerty@12345", Reason.COMMON),
        ("Hanoi@2026", Reason.PATTERN),
        ("Hà Nội @2026", Reason.PATTERN),
        ("Ｈａｎｏｉ＠２０２６", Reason.PATTERN),  # full-width forms
        ("Matkhau@2026!", Reason.PATTERN),
        ("Saigon#19901990", Reason.PATTERN),
        ("123456789aB@", Reason.PATTERN),  # 123456a@ style: digits, a letter or two, a symbol
        ("Abc@7654321", Reason.PATTERN),
        ("Dragon@2026", Reason.PATTERN),  # a word of the common list
        ("P@ssw0rd@2026", Reason.PATTERN),  # look-alike characters read as letters
        ("Phương1990!", Reason.PATTERN),
        ("Thanhpho@01011990", Reason.PATTERN),  # a birthday
        ("iloveyou2026!", Reason.PATTERN),
        ("aaaaaaaaaaaa", Reason.PATTERN),
        ("abcabcabcabc", Reason.PATTERN),
        ("3434343434", Reason.PATTERN),
        ("0987654321x", Reason.PATTERN),
        ("asdfghjkl;'", Reason.PATTERN),
        ("2345678901", Reason.PATTERN),
        ("0987 111 222", Reason.PATTERN),  # a mobile number, someone's
        ("0912345678", Reason.CONTAINS_PHONE),
        ("+84 912 345 678 !", Reason.CONTAINS_PHONE),
        ("NguyenThiHoa@1990", Reason.PERSONAL),
        ("Hoa Nguyễn 2026!!", Reason.PERSONAL),
        ("hoa.nguyen85!!", Reason.PERSONAL),
        ("001166668888@HT.COM", Reason.CONTAINS_CCCD),
    ],
)
def test_vietnamese_patterns_and_the_accounts_own_data_are_refused(password, reason):
    assert reason_of(password) is reason


def test_the_phone_name_and_address_count_only_when_given():
    assert check("Hoa Nguyễn 2026!!", **{**ACCOUNT, "full_name": None, "email": None}) is None
    options = {**ACCOUNT, "phone": None}
    assert check("Tôi gọi 0912345678", **options) is None


@pytest.mark.parametrize(
    "default",
    ["Ab@123456", "123456789a", "Abc@12345", "Matkhau@123", "Password123", "P@ssw0rd123"],
)
def test_known_defaults_are_on_the_shipped_list(default):
    assert default.lower() in REFUSED


def test_refused_list_ignores_comments_blank_lines_case_and_diacritics():
    text = "# comment\n#\n\n  Secret-Word-1  \nMật Khẩu\n#1hash\n"
    assert parse_refused(text) == frozenset({"secret-word-1", "mat khau", "#1hash"})


def test_shipped_lists_hold_the_ten_thousand_most_common_passwords():
    common = parse_refused(COMMON_FILE.read_text(encoding="utf-8"))
    assert len(common) >= 9_900  # 10 000 lines, a few equal once folded
    assert {"123456", "password", "iloveyou", "qwertyuiop", "1q2w3e4r5t"} <= common
    assert len(REFUSED) > len(common)  # the shipped defaults come on top


def test_guessable_words_hold_vietnamese_places_names_and_the_lists_words():
    assert {"hanoi", "matkhau", "nguyen", "phuong", "password", "dragon"} <= WORDS
    assert all(word.isalpha() for word in WORDS)


@PROPERTY
@given(
    st.sampled_from(sorted(word for word in WORDS if len(word) >= 4)),
    st.sampled_from(["@", "!", "#", ".", "", "@@", "!!"]),
    st.one_of(
        st.integers(1950, 2099).map(str),
        st.integers(4, 10).map(lambda n: "1234567890"[:n]),
        st.integers(4, 10).map(lambda n: "0987654321"[:n]),
        st.tuples(st.sampled_from("0123456789"), st.integers(4, 10)).map(lambda t: t[0] * t[1]),
    ),
    st.booleans(),
)
def test_a_word_with_a_symbol_and_guessable_digits_is_refused(word, symbol, digits, digits_first):
    password = (
        f"{digits}{symbol}{word.capitalize()}"
        if digits_first
        else (f"{word.capitalize()}{symbol}{digits}")
    )
    assume(len(password) >= MIN_LENGTH)
    assert reason_of(password) in (Reason.PATTERN, Reason.COMMON, Reason.PERSONAL)


@PROPERTY
@given(st.sampled_from(sorted(p for p in REFUSED if MIN_LENGTH <= len(p) <= MAX_LENGTH)), st.data())
def test_listed_passwords_are_refused_whatever_their_case(password, data):
    flips = data.draw(st.lists(st.booleans(), min_size=len(password), max_size=len(password)))
    varied = "".join(ch.upper() if flip else ch for ch, flip in zip(password, flips, strict=True))
    assume(len(varied) == len(password))  # upper() of a few letters is longer (ß)
    assert reason_of(varied) is not None


VIETNAMESE = {"a": "áàảãạăắằẳẵặâấầẩẫậ", "e": "éèẻẽẹêếềểễệ", "o": "óòỏõọôốồổỗộơớờởỡợ",
              "u": "úùủũụưứừửữự", "i": "íìỉĩị", "y": "ýỳỷỹỵ", "d": "đ"}  # fmt: skip


@PROPERTY
@given(st.text(alphabet="abcdeghiklmnopqrstuvxy0123456789 @!#-", min_size=MIN_LENGTH,
               max_size=40), st.data())  # fmt: skip
def test_diacritics_and_case_never_change_the_verdict(password, data):
    varied = []
    for ch in password:
        choices = [ch, ch.upper(), *VIETNAMESE.get(ch, "")]
        varied.append(data.draw(st.sampled_from(choices)))
    assert outcome("".join(varied)) == outcome(password)


@PROPERTY
@given(st.text(min_size=MIN_LENGTH, max_size=40), st.text(max_size=10))
def test_any_password_containing_the_cccd_is_refused(prefix, suffix):
    assert reason_of(prefix + CCCD + suffix) in (Reason.CONTAINS_CCCD, Reason.TOO_LONG)


@PROPERTY
@given(st.text(max_size=20), st.text(max_size=20))
def test_any_password_containing_the_phone_number_is_refused(prefix, suffix):
    password = prefix + "0912345678" + suffix
    assume(len(password) <= MAX_LENGTH)
    assert reason_of(password) in (Reason.CONTAINS_PHONE, Reason.CONTAINS_CCCD)


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
