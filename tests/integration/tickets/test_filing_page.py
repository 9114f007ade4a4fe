"""Filing a ticket through the web form /tickets/new."""

from __future__ import annotations

import io

import pytest
from integration.tickets.page_helpers import (
    GOOD_FORM,
    PNG,
    download,
    field_tag,
    hidden_value,
    is_invalid,
)
from sqlalchemy import func, select
from support import csrf_token

from helpdesk.tickets.models import Attachment, Ticket

# A Windows executable's first bytes: no file type the desk accepts, whatever its name says.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def open_form(client) -> dict:
    """The hidden fields of a freshly rendered filing form."""
    html = client.get("/tickets/new").get_data(as_text=True)
    return {"csrf_token": csrf_token(html), "submission_key": hidden_value(html, "submission_key")}


def file_form(client, fields: dict, *, files=(), hidden: dict | None = None):
    data = {**(hidden or open_form(client)), **fields}
    data["attachments"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/tickets/new", data=data, content_type="multipart/form-data")


def ticket_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Ticket))


def test_form_is_prefilled_with_the_officials_province_and_unit(browser, requester):
    html = browser(requester).get("/tickets/new").get_data(as_text=True)
    assert '<option selected value="75">' in html
    assert 'value="Phường Trấn Biên"' in field_tag(html, "unit")  # the listed ward it matched
    assert len(hidden_value(html, "submission_key")) >= 22  # 192 random bits, URL-safe


def test_form_explains_each_priority_and_the_upload_limit(browser, requester):
    html = browser(requester).get("/tickets/new").get_data(as_text=True)
    for explanation in (
        "the system is down or money is lost for many people",
        "a procedure cannot be processed",
        "a problem with a workaround",
        "a question or a request",
    ):
        assert explanation in html
    assert "20 MB in total" in html
    assert 'data-max-bytes="20971520"' in html


def test_each_rendering_of_the_form_gets_a_new_submission_key(browser, requester):
    client = browser(requester)
    assert open_form(client)["submission_key"] != open_form(client)["submission_key"]


def test_filing_with_an_attachment_creates_the_ticket_and_shows_it(db, browser, requester):
    client = browser(requester)
    response = file_form(client, GOOD_FORM, files=[("man-hinh.png", PNG)])
    assert response.status_code == 302
    ticket = db.session.scalar(select(Ticket))
    assert response.headers["Location"] == f"/tickets/{ticket.number}"
    assert (ticket.subject, ticket.province_code, ticket.priority) == (
        GOOD_FORM["subject"],
        "75",
        3,
    )
    assert ticket.dossier_code == GOOD_FORM["dossier_code"]
    (attachment,) = ticket.attachments
    assert (attachment.filename, attachment.content_type) == ("man-hinh.png", "image/png")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ticket.number in page
    assert "Đã thử đổi mật khẩu." in page
    response = download(client, f"/tickets/{ticket.number}/attachments/{attachment.id}")
    assert response.status_code == 200
    assert response.data == PNG


def test_empty_file_inputs_are_skipped(db, browser, requester):
    response = file_form(browser(requester), GOOD_FORM, files=[("", b"")])
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_every_bad_field_gets_its_message_and_keeps_the_others(db, browser, requester):
    fields = {**GOOD_FORM, "system": "", "subject": ""}
    response = file_form(browser(requester), fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert is_invalid(html, "system")
    assert is_invalid(html, "subject")
    assert not is_invalid(html, "description")
    assert "Đã thử đổi mật khẩu." in html  # the description typed is kept
    assert 'value="000.00.12.H01-260301-0001"' in field_tag(html, "dossier_code")
    assert ticket_count(db) == 0


@pytest.mark.parametrize("key", ["short", "x" * 65, "có-dấu-" + "a" * 30])
def test_an_unreadable_submission_key_gets_a_message_and_a_new_key(db, browser, requester, key):
    """Only an altered page or a script sends a key the page did not write: the answer says
    so above the form, keeps the input, and the form it returns files once when sent again."""
    web = browser(requester)
    hidden = open_form(web)
    response = file_form(web, GOOD_FORM, hidden={**hidden, "submission_key": key})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The form could not be read whole: check it and send it again." in html
    assert "Đã thử đổi mật khẩu." in html  # the description typed is kept
    fresh = hidden_value(html, "submission_key")
    assert fresh not in (key, hidden["submission_key"])
    assert ticket_count(db) == 0
    again = {"csrf_token": csrf_token(html), "submission_key": fresh}
    assert file_form(web, GOOD_FORM, hidden=again).status_code == 302
    assert file_form(web, GOOD_FORM, hidden=again).status_code == 302  # sent twice: one ticket
    assert ticket_count(db) == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("subject", "Lỗi\x00thanh toán"),
        ("description", "Nội dung\x07có ký tự chuông"),
        ("unit", "UBND\x1bphường"),
        ("dossier_code", "000\x00123"),
    ],
)
def test_control_characters_are_refused_beside_their_field(db, browser, requester, name, value):
    response = file_form(browser(requester), {**GOOD_FORM, name: value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert is_invalid(html, name)
    assert not is_invalid(html, "system")
    assert ticket_count(db) == 0


@pytest.mark.parametrize(
    ("name", "length"),
    [("subject", 201), ("description", 20001), ("unit", 201), ("procedure_code", 61)],
)
def test_oversized_fields_are_refused_beside_their_field(db, browser, requester, name, length):
    response = file_form(browser(requester), {**GOOD_FORM, name: "x" * length})
    assert response.status_code == 422
    assert is_invalid(response.get_data(as_text=True), name)
    assert ticket_count(db) == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [("system", "khong-co"), ("category", "khong-co"), ("province", "99"), ("priority", "9")],
)
def test_unknown_codes_are_refused_beside_their_field(db, browser, requester, name, value):
    response = file_form(browser(requester), {**GOOD_FORM, name: value})
    assert response.status_code == 422
    assert is_invalid(response.get_data(as_text=True), name)
    assert ticket_count(db) == 0


def test_a_file_of_a_refused_type_is_refused_even_when_named_pdf(db, app, browser, requester):
    response = file_form(browser(requester), GOOD_FORM, files=[("bao-cao.pdf", EXECUTABLE)])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "bao-cao.pdf" in html
    assert "is not an accepted type" in html
    assert GOOD_FORM["subject"] in field_tag(html, "subject")
    assert ticket_count(db) == 0


def test_the_same_form_posted_twice_files_one_ticket(db, browser, requester):
    client = browser(requester)
    hidden = open_form(client)
    first = file_form(client, GOOD_FORM, hidden=hidden)
    second = file_form(client, GOOD_FORM, hidden=hidden)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert ticket_count(db) == 1


def test_two_forms_file_two_tickets(db, browser, requester):
    client = browser(requester)
    file_form(client, GOOD_FORM)
    file_form(client, GOOD_FORM)
    assert ticket_count(db) == 2


def test_a_form_without_a_well_formed_submission_key_files_nothing(db, browser, requester):
    client = browser(requester)
    hidden = {**open_form(client), "submission_key": "k\x00"}
    response = file_form(client, GOOD_FORM, hidden=hidden)
    assert response.status_code == 422
    assert ticket_count(db) == 0


def test_the_form_refuses_a_post_without_csrf_token(db, browser, requester):
    client = browser(requester)
    data = {**GOOD_FORM, "submission_key": open_form(client)["submission_key"]}
    response = client.post("/tickets/new", data=data)
    assert response.status_code == 400
    assert ticket_count(db) == 0


def test_agents_do_not_get_the_filing_form(browser, make_agent):
    assert browser(make_agent()).get("/tickets/new").status_code == 404


def test_an_upload_over_the_size_limit_gets_the_friendly_page_and_files_nothing(
    db, app, browser, requester, monkeypatch
):
    client = browser(requester)
    hidden = open_form(client)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    response = file_form(
        client, GOOD_FORM, files=[("lon.png", PNG + b"\x00" * 8192)], hidden=hidden
    )
    assert response.status_code == 413
    assert "The upload is too large." in response.get_data(as_text=True)
    assert ticket_count(db) == 0
