"""No log line carries a full CCCD number."""

import io
import logging

import pytest

from helpdesk.logs import MaskingFormatter, mask_cccd_in


def test_twelve_digit_numbers_are_masked():
    assert mask_cccd_in("login 001166668888@ht.com failed") == "login ********8888@ht.com failed"


def test_other_numbers_are_left_alone():
    text = "ticket HT-2026-000123, phone 0912345678, 1234567890123"
    assert mask_cccd_in(text) == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("'001085000022²'", "'********0022²'"),  # a superscript is no digit of the number
        ("²001085000022", "²********0022"),
        ("001085000022٣", "********0022٣"),  # nor is another script's digit beside it
        ("x٣001085000022", "x٣********0022"),
        ("cccd=001085000022&x=1", "cccd=********0022&x=1"),
        ("CCCD@domain: 001085000022@ht.com", "CCCD@domain: ********0022@ht.com"),
        ("００１０８５００００２２", "********００２２"),  # full-width digits: int() reads them
        ("a001085000022b", "a********0022b"),
    ],
)
def test_a_cccd_next_to_other_characters_is_masked(text, masked):
    assert mask_cccd_in(text) == masked


def formatted(record: logging.LogRecord) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskingFormatter("%(levelname)s %(message)s"))
    handler.handle(record)
    return stream.getvalue()


def test_formatter_masks_arguments_as_well_as_the_message():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "user %s from %s", ("079090123456", "01"), None
    )
    assert formatted(record) == "INFO user ********3456 from 01\n"


def test_formatter_masks_exception_text_and_stack():
    try:
        int("001085000022²")
    except ValueError as error:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "could not read", None, (ValueError, error, None)
        )
    record.stack_info = "Stack (most recent call last):\n  check('079090123456')"
    text = formatted(record)
    assert "invalid literal" in text and "********0022²" in text
    assert "********3456" in text
    assert "001085000022" not in text and "079090123456" not in text
    assert "001085000022" not in record.exc_text  # what the next handler reuses
