"""Helpers for the ticket page tests: sample data, and reading forms like a browser."""

from __future__ import annotations

import re

from support import csrf_token

PASSWORD = "Mật-khẩu-dài-2026"  # noqa: S105 - the make_user fixture's default
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
GOOD_FORM = {
    "system": "moj",
    "category": "account",
    "province": "75",
    "unit": "UBND phường Trấn Biên",
    "subject": "Không đăng nhập được tài khoản một cửa",
    "description": "Cán bộ tiếp nhận không đăng nhập được từ sáng nay.\nĐã thử đổi mật khẩu.",
    "dossier_code": "000.00.12.H01-260301-0001",
    "procedure_code": "1.001234",
    "priority": "3",
}


# ---------------------------------------------------------------- reading pages


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


def field_tag(html: str, name: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert match, f"no field {name} on the page"
    return match.group(0)


def is_invalid(html: str, name: str) -> bool:
    return "is-invalid" in field_tag(html, name)


def post_page_form(client, page: str, url: str, data: dict, **kwargs):
    """Post like a browser from `page`: its CSRF token (and nothing else) is read first."""
    html = client.get(page).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_token(html)}, **kwargs)


def download(client, url: str):
    """GET a file like a browser and close the response (its file handle) afterwards."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def fresh(db, ticket):
    """The ticket as the database holds it now (what the request committed)."""
    db.session.expire_all()
    return db.session.get(type(ticket), ticket.id)


def page_of(client, ticket) -> str:
    """The ticket's page as the client sees it (200)."""
    response = client.get(f"/tickets/{ticket.number}")
    assert response.status_code == 200
    return response.get_data(as_text=True)
