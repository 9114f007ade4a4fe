"""No log line carries a full CCCD number."""

import logging

from helpdesk.logs import MaskCCCD, mask_cccd_in


def test_twelve_digit_numbers_are_masked():
    assert mask_cccd_in("login 001166668888@ht.com failed") == "login ********8888@ht.com failed"


def test_other_numbers_are_left_alone():
    text = "ticket HT-2026-000123, phone 0912345678, 1234567890123"
    assert mask_cccd_in(text) == text


def test_filter_masks_arguments_as_well_as_the_message():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "user %s from %s", ("079090123456", "01"), None
    )
    MaskCCCD().filter(record)
    assert record.getMessage() == "user ********3456 from 01"
