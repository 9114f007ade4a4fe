"""The CCCD login parser: reference/cccd.md §5 vectors, edge cases, properties, purity."""

import dataclasses
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.auth.cccd import (
    CMND_MESSAGES,
    MESSAGES,
    PLACE_OF_BIRTH_CODES,
    InvalidLogin,
    Login,
    Reason,
    birth_year,
    mask,
    mask_login,
    parse_login,
)

TODAY = date(2026, 6, 15)
DOMAINS = ("ht.com",)

# No example database: the suite must not write into the repository.
PROPERTY = settings(database=None, max_examples=300)


def login(text, *, domains=DOMAINS, today=TODAY, **options):
    return parse_login(text, domains=domains, today=today, **options)


def reason_of(text, **options):
    with pytest.raises(InvalidLogin) as caught:
        login(text, **options)
    return caught.value.reason


# --- reference/cccd.md §5 test vectors -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "domain"),
    [
        pytest.param("001166668888", "001166668888", "ht.com", id="bare"),
        pytest.param("  001166668888  ", "001166668888", "ht.com", id="trimmed"),
        pytest.param("001166668888@HT.COM", "001166668888", "ht.com", id="domain-lowercased"),
        pytest.param("079090123456", "079090123456", "ht.com", id="hcmc-male-1990"),
        pytest.param("070203000000", "070203000000", "ht.com", id="binh-phuoc-2003-zeros"),
        pytest.param("001208000001", "001208000001", "ht.com", id="exactly-18"),
    ],
)
def test_accepts_spec_valid_vectors(text, number, domain):
    result = login(text)
    assert result == Login(cccd=number, domain=domain)
    assert result.username == f"{number}@{domain}"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("001309000001", Reason.UNDERAGE, id="born-2009"),
        pytest.param("001230000001", Reason.BIRTH_YEAR, id="born-2030"),
        pytest.param("001466000001", Reason.BIRTH_YEAR, id="digit4-is-4-born-2166"),
        pytest.param("003166668888", Reason.PREFIX, id="prefix-003-gap"),
        pytest.param("000166668888", Reason.PREFIX, id="prefix-000"),
        pytest.param("097166668888", Reason.PREFIX, id="prefix-097"),
        pytest.param("100166668888", Reason.PREFIX, id="prefix-100"),
        pytest.param("123456789", Reason.LENGTH, id="old-9-digit-cmnd"),
        pytest.param("00116666888", Reason.LENGTH, id="11-digits"),
        pytest.param("0011666688889", Reason.LENGTH, id="13-digits"),
        pytest.param("00116666888O", Reason.NOT_DIGITS, id="letter-O"),
        pytest.param("001 166 668 888", Reason.NOT_DIGITS, id="inner-spaces"),
        pytest.param("001-166-668-888", Reason.NOT_DIGITS, id="dashes"),
        pytest.param("００１１６６６６８８８８", Reason.NOT_DIGITS, id="full-width-digits"),
        pytest.param("٠٠١١٦٦٦٦٨٨٨٨", Reason.NOT_DIGITS, id="arabic-indic-digits"),
        pytest.param("001166668888\u200b", Reason.NOT_DIGITS, id="zero-width-space"),
        pytest.param("001166668888@gmail.com", Reason.DOMAIN, id="other-domain"),
        pytest.param("001166668888@", Reason.SHAPE, id="nothing-after-at"),
        pytest.param("@ht.com", Reason.SHAPE, id="nothing-before-at"),
        pytest.param("001166668888@ht.com@ht.com", Reason.SHAPE, id="two-ats"),
    ],
)
def test_rejects_spec_invalid_vectors_with_their_rule(text, reason):
    assert reason_of(text) is reason


# --- the rules one by one --------------------------------------------------------------------


def test_rejects_full_width_digits_instead_of_normalising_them():
    assert reason_of("００１１６６６６８８８８@ht.com") is Reason.NOT_DIGITS
    assert reason_of("００１１６６６６８８８８") is Reason.NOT_DIGITS


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("\t001166668888\n", id="tab-newline"),
        pytest.param("\r\n001166668888@ht.com \t", id="crlf-login"),
        pytest.param("\u00a0001166668888\u3000", id="unicode-spaces"),
        pytest.param("\x0b\x0c001166668888\x1c", id="vt-ff-fs"),
    ],
)
def test_trims_leading_and_trailing_whitespace(text):
    assert login(text) == Login("001166668888", "ht.com")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("001166\t668888", Reason.NOT_DIGITS, id="inner-tab"),
        pytest.param("001166668888 @ht.com", Reason.NOT_DIGITS, id="space-before-at"),
        pytest.param("001166668888@ ht.com", Reason.DOMAIN, id="space-after-at"),
        pytest.param("\u200b001166668888", Reason.NOT_DIGITS, id="leading-zero-width-space"),
        pytest.param("001166668888\ufeff", Reason.NOT_DIGITS, id="trailing-bom"),
        pytest.param("001.166.668.888", Reason.NOT_DIGITS, id="dots"),
    ],
)
def test_rejects_inner_whitespace_and_invisible_characters(text, reason):
    assert reason_of(text) is reason


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param(" \t\n", id="only-whitespace"),
        pytest.param("@", id="lone-at"),
        pytest.param("@@", id="two-ats-only"),
        pytest.param("001166668888@@ht.com", id="double-at"),
        pytest.param("001166668888@ht.com@", id="trailing-at"),
        pytest.param("@001166668888", id="leading-at"),
    ],
)
def test_rejects_malformed_login_names_as_shape(text):
    assert reason_of(text) is Reason.SHAPE


def test_full_width_at_sign_is_not_a_separator():
    assert reason_of("001166668888＠ht.com") is Reason.NOT_DIGITS


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("1@ht.com@x", Reason.SHAPE, id="shape-before-domain"),
        pytest.param("00116666888O@gmail.com", Reason.DOMAIN, id="domain-before-digits"),
        pytest.param("0011O", Reason.NOT_DIGITS, id="digits-before-length"),
        pytest.param("0031", Reason.LENGTH, id="length-before-prefix"),
        pytest.param("003466000001", Reason.PREFIX, id="prefix-before-birth-year"),
        pytest.param("003309000001", Reason.PREFIX, id="prefix-before-age"),
        pytest.param("001230000001", Reason.BIRTH_YEAR, id="birth-year-before-age"),
    ],
)
def test_checks_rules_in_spec_order(text, reason):
    assert reason_of(text) is reason


def test_accepts_any_configured_domain_and_completes_a_bare_cccd_with_the_first():
    domains = ("ht.com", "moj.gov.vn")
    assert login("001166668888@MOJ.gov.vn", domains=domains) == Login("001166668888", "moj.gov.vn")
    assert login("001166668888", domains=domains).domain == "ht.com"
    assert login("001166668888", domains=("moj.gov.vn", "ht.com")).domain == "moj.gov.vn"


def test_compares_configured_domains_case_insensitively():
    assert login("001166668888@ht.com", domains=("HT.COM",)).username == "001166668888@ht.com"
    assert login("001166668888", domains=("HT.COM",)).domain == "ht.com"


def test_rejects_a_domain_that_only_contains_a_configured_one():
    assert reason_of("001166668888@xht.com") is Reason.DOMAIN
    assert reason_of("001166668888@ht.com.vn") is Reason.DOMAIN


def test_refuses_to_run_without_configured_domains():
    with pytest.raises(ValueError, match="domain") as caught:
        login("001166668888", domains=())
    assert not isinstance(caught.value, InvalidLogin)


@pytest.mark.parametrize(
    ("today", "number", "accepted"),
    [
        pytest.param(date(2025, 12, 31), "001207000001", True, id="2007-on-new-years-eve-is-18"),
        pytest.param(date(2025, 12, 31), "001208000001", False, id="2008-on-new-years-eve-is-17"),
        pytest.param(date(2026, 1, 1), "001208000001", True, id="2008-on-new-years-day-is-18"),
        pytest.param(date(2026, 1, 1), "001209000001", False, id="2009-on-new-years-day-is-17"),
    ],
)
def test_counts_age_in_calendar_years(today, number, accepted):
    if accepted:
        assert login(number, today=today).cccd == number
    else:
        assert reason_of(number, today=today) is Reason.UNDERAGE


def test_birth_in_the_current_year_is_underage_not_impossible():
    assert reason_of("001326000001") is Reason.UNDERAGE


def test_birth_next_year_is_impossible():
    assert reason_of("001327000001") is Reason.BIRTH_YEAR


def test_rejects_century_digits_from_4_even_when_the_year_has_passed():
    # In 2200 a "born 2100" number would be old enough; digit 4 = 4 is still refused.
    assert reason_of("001400000001", today=date(2200, 1, 1)) is Reason.BIRTH_YEAR


def test_accepts_prefixes_added_by_the_caller():
    prefixes = PLACE_OF_BIRTH_CODES | {"840"}
    assert reason_of("840190000001") is Reason.PREFIX
    assert login("840190000001", prefixes=prefixes).cccd == "840190000001"


def test_rejects_a_default_prefix_missing_from_a_caller_set():
    assert reason_of("001166668888", prefixes=frozenset({"079"})) is Reason.PREFIX


def test_place_of_birth_codes_are_the_63_pre_merger_provinces():
    # §3 lists the gaps in 000-096 explicitly; everything from 097 up is invalid.
    gaps = set(
        "000 003 005 007 009 013 016 018 021 023 028 029 032 039 041 043 047 050 "
        "053 055 057 059 061 063 065 069 071 073 076 078 081 085 088 090".split()
    )
    expected = {f"{n:03d}" for n in range(97)} - gaps
    assert len(expected) == 63
    assert PLACE_OF_BIRTH_CODES == expected
    assert isinstance(PLACE_OF_BIRTH_CODES, frozenset)


# --- a bare number, birth_year, Login -----------------------------------------------------------


def test_a_bare_number_keeps_leading_zeros_and_trims():
    assert login(" 001166668888\n").cccd == "001166668888"


def test_a_bare_number_applies_custom_prefixes():
    assert login("840190000001", prefixes=frozenset({"840"})).cccd == "840190000001"


@pytest.mark.parametrize(
    ("number", "year"),
    [
        ("001166668888", 1966),
        ("079090123456", 1990),
        ("070203000000", 2003),
        ("001399000001", 2099),
        ("001466000001", 2166),
        ("001599000001", 2199),
        ("001900000001", 2300),
    ],
)
def test_birth_year_reads_century_digit_and_year(number, year):
    assert birth_year(number) == year


@pytest.mark.parametrize("number", ["００１１６６６６８８８８", "٠٠١١٦٦٦٦٨٨٨٨", "0011666688"])
def test_birth_year_refuses_anything_but_12_ascii_digits(number):
    with pytest.raises(InvalidLogin):
        birth_year(number)


def test_login_is_immutable():
    result = login("001166668888")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.cccd = "079090123456"


# --- messages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "vi", "en"),
    [
        (
            "@ht.com",
            "Tên đăng nhập phải có dạng số Căn cước@tên miền.",
            "The login name must look like CCCD@domain.",
        ),
        (
            "001166668888@gmail.com",
            "Tên miền đăng nhập không được hỗ trợ.",
            "This login domain is not accepted.",
        ),
        (
            "00116666888O",
            "Số Căn cước chỉ gồm các chữ số 0–9 (không dùng chữ số toàn độ rộng hay ký tự khác).",
            "The CCCD may contain only the digits 0–9.",
        ),
        (
            "00116666888",
            "Số Căn cước phải có đúng 12 chữ số.",
            "The CCCD must have exactly 12 digits.",
        ),
        (
            "003166668888",
            "Mã nơi đăng ký khai sinh (3 số đầu) không hợp lệ.",
            "The first three digits are not a valid place-of-birth code.",
        ),
        (
            "001230000001",
            "Năm sinh suy ra từ số Căn cước không hợp lệ.",
            "The birth year encoded in the CCCD is impossible.",
        ),
        (
            "001309000001",
            "Số Căn cước cho thấy người dùng chưa đủ 18 tuổi.",
            "The CCCD shows a holder under 18.",
        ),
    ],
)
def test_messages_are_the_spec_wording(text, vi, en):
    with pytest.raises(InvalidLogin) as caught:
        login(text)
    assert caught.value.message_vi == vi
    assert caught.value.message_en == en
    assert MESSAGES[caught.value.reason] == (vi, en)
    assert str(caught.value) == en


def test_every_reason_has_a_message():
    assert set(MESSAGES) == set(Reason)


@pytest.mark.parametrize("text", ["123456789", "123456789@ht.com", " 123456789 "])
def test_nine_digits_are_told_the_old_cmnd_is_not_accepted(text):
    with pytest.raises(InvalidLogin) as caught:
        login(text)
    error = caught.value
    assert error.reason is Reason.LENGTH
    assert "CMND" in error.message_vi
    assert "CMND" in error.message_en
    assert (error.message_vi, error.message_en) == CMND_MESSAGES


@pytest.mark.parametrize("text", ["1234567890", "12345678", "0011666688889"])
def test_other_wrong_lengths_do_not_mention_cmnd(text):
    with pytest.raises(InvalidLogin) as caught:
        login(text)
    assert caught.value.reason is Reason.LENGTH
    assert "CMND" not in caught.value.message_vi
    assert "CMND" not in caught.value.message_en


# --- masking ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("001166668888", "********8888"),
        ("079090123456", "********3456"),
        ("12345", "*2345"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mask_keeps_only_the_last_four(value, masked):
    assert mask(value) == masked


@pytest.mark.parametrize(
    ("username", "masked"),
    [
        ("001166668888@ht.com", "********8888@ht.com"),
        ("079090123456@moj.gov.vn", "********3456@moj.gov.vn"),
        ("001166668888", "********8888"),
    ],
)
def test_mask_login_hides_the_cccd_and_keeps_the_domain(username, masked):
    assert mask_login(username) == masked


# --- properties ------------------------------------------------------------------------------

ASCII_DIGIT = st.sampled_from("0123456789")
SEQUENCE = st.text(ASCII_DIGIT, min_size=6, max_size=6)
ADULT_BIRTH_YEAR = st.integers(min_value=1900, max_value=TODAY.year - 18)
NON_ASCII_DIGIT = st.characters(categories=["Nd"], exclude_characters="0123456789")
KNOWN_PREFIX = st.sampled_from(sorted(PLACE_OF_BIRTH_CODES))


@st.composite
def adult_cccds(draw, prefixes=KNOWN_PREFIX):
    prefix = draw(prefixes)
    year = draw(ADULT_BIRTH_YEAR)
    century_and_gender = 2 * ((year - 1900) // 100) + draw(st.integers(0, 1))
    assert century_and_gender in range(4)
    return f"{prefix}{century_and_gender}{year % 100:02d}{draw(SEQUENCE)}"


@PROPERTY
@given(number=adult_cccds(), upper=st.booleans())
def test_any_adult_cccd_with_a_known_prefix_parses_and_round_trips(number, upper):
    domain = "HT.COM" if upper else "ht.com"
    parsed = login(f"{number}@{domain}")
    assert parsed == Login(number, "ht.com")
    assert login(number) == parsed
    assert login(parsed.username) == parsed


@PROPERTY
@given(number=adult_cccds(), digit=NON_ASCII_DIGIT, data=st.data())
def test_any_non_ascii_digit_in_the_number_is_rejected(number, digit, data):
    position = data.draw(st.integers(0, len(number) - 1))
    replaced = number[:position] + digit + number[position + 1 :]
    inserted = number[:position] + digit + number[position:]
    for text in (replaced, inserted, f"{replaced}@ht.com"):
        assert reason_of(text) is Reason.NOT_DIGITS


@PROPERTY
@given(
    number=adult_cccds(
        prefixes=st.integers(0, 999)
        .map(lambda n: f"{n:03d}")
        .filter(lambda p: p not in PLACE_OF_BIRTH_CODES)
    )
)
def test_any_prefix_outside_the_list_is_rejected(number):
    assert reason_of(number) is Reason.PREFIX


@PROPERTY
@given(value=st.text())
def test_mask_never_reveals_more_than_the_last_four(value):
    masked = mask(value)
    assert len(masked) == len(value)
    assert set(masked[:-4]) <= {"*"}
    if len(value) <= 4:
        assert set(masked) <= {"*"}
    else:
        assert masked[-4:] == value[-4:]


@PROPERTY
@given(number=adult_cccds(), domain=st.from_regex(r"[a-z]{1,10}\.[a-z]{2,3}", fullmatch=True))
def test_mask_login_never_reveals_more_than_the_last_four_digits(number, domain):
    masked = mask_login(f"{number}@{domain}")
    assert masked == f"********{number[-4:]}@{domain}"


LOGIN_ALPHABET = st.sampled_from(list("0123456789@.hHtTcCoOm ") + ["\t", "\u200b", "０", "٣"])


@PROPERTY
@given(text=st.one_of(st.text(), st.text(LOGIN_ALPHABET, max_size=30)))
def test_parsing_arbitrary_text_fails_only_with_invalid_login(text):
    try:
        result = login(text, domains=("ht.com", "moj.gov.vn"))
    except InvalidLogin as error:
        assert error.reason in set(Reason)
        assert error.message_vi
        assert error.message_en
    else:
        assert len(result.cccd) == 12
        assert set(result.cccd) <= set("0123456789")
        assert result.domain in ("ht.com", "moj.gov.vn")
