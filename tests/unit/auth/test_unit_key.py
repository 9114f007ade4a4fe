"""Units are matched by a key without case, diacritics or extra spaces."""

import pytest

from helpdesk.auth.models import Unit


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("UBND Phường Đống Đa", "ubnd phuong dong da"),
        ("  ubnd   phuong  dong da ", "ubnd phuong dong da"),
        ("Sở Tư pháp tỉnh Điện Biên", "so tu phap tinh dien bien"),
        ("Xã Ea H'leo", "xa ea h'leo"),
        ("UBND PHƯỜNG BẾN NGHÉ", "ubnd phuong ben nghe"),
        ("", ""),
    ],
)
def test_unit_key_ignores_case_diacritics_and_spacing(name, key):
    assert Unit.key_for(name) == key


def test_names_written_differently_share_a_key():
    assert Unit.key_for("Phường Bến Nghé") == Unit.key_for("phuong ben nghe")
    assert Unit.key_for("Phường Bến Nghé") != Unit.key_for("Phường Bến Thành")
