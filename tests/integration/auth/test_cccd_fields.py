"""Every field that takes a CCCD opens a phone's number pad; the login name (CCCD@domain)
stays text."""

from __future__ import annotations

import re

import pytest

PASSWORD = "Mật-khẩu-dài-2026"


def input_tag(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    assert match, f"no input named {name}"
    return match.group()


def test_registration_cccd_opens_the_number_pad(client):
    tag = input_tag(client.get("/auth/register").get_data(as_text=True), "cccd")
    assert 'inputmode="numeric"' in tag
    assert 'pattern="[0-9]*"' in tag
    assert 'autocomplete="username"' in tag


@pytest.mark.parametrize("role", ["admin", "unit_admin"])
def test_new_account_cccd_opens_the_number_pad(client, login, make_user, role):
    login(make_user(role, province_code="01", unit="UBND phường Phúc Xá"))
    tag = input_tag(client.get("/accounts/new").get_data(as_text=True), "cccd")
    assert 'inputmode="numeric"' in tag
    assert 'autocomplete="off"' in tag  # someone else's number, not the admin's login


@pytest.mark.parametrize("url", ["/auth/login", "/auth/reset"])
def test_login_name_stays_text_for_cccd_at_domain(client, url):
    tag = input_tag(client.get(url).get_data(as_text=True), "username")
    assert 'type="text"' in tag
    assert "inputmode" not in tag
    assert 'autocomplete="username"' in tag


def test_a_cccd_typed_wrong_is_kept_with_its_number_pad(client):
    page = client.get("/auth/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/auth/register", data={"csrf_token": token, "cccd": "00116666"})
    tag = input_tag(response.get_data(as_text=True), "cccd")
    assert 'value="00116666"' in tag
    assert 'inputmode="numeric"' in tag
