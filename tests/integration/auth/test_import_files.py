"""Account imports refuse hostile spreadsheets with a clear error about the file, never a 500."""

from __future__ import annotations

import io

import pytest
from hostile_files import HEADER, HOSTILE_XLSX, ROW, xlsx_bytes, zip_bomb
from sqlalchemy import func, select
from support import post_form

from helpdesk import errors
from helpdesk.auth import services
from helpdesk.auth.models import User


@pytest.mark.parametrize("name", sorted(HOSTILE_XLSX))
def test_a_hostile_xlsx_is_refused_as_a_file(db, name):
    with pytest.raises(errors.Invalid) as refused:
        services.read_rows("accounts.xlsx", HOSTILE_XLSX[name])
    assert set(refused.value.fields) == {"file"}


def test_a_workbook_that_unpacks_past_32_mb_is_refused_unread(db):
    with pytest.raises(errors.Invalid, match="32 MB") as refused:
        services.read_rows("accounts.xlsx", zip_bomb())
    assert set(refused.value.fields) == {"file"}


def test_a_good_workbook_is_still_read(db):
    rows = services.read_rows("accounts.xlsx", xlsx_bytes([HEADER, ROW]))
    assert [row.values["full_name"] for row in rows] == ["Trần Văn B"]


@pytest.mark.parametrize("name", ["XML broken after the header", "billion laughs"])
def test_the_import_page_says_the_file_cannot_be_read(english, db, make_user, login, name):
    login(make_user("admin").username)
    response = post_form(
        english,
        "/accounts/import",
        {"file": (io.BytesIO(HOSTILE_XLSX[name]), "accounts.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "The XLSX file cannot be read." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
