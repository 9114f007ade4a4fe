"""GET /api/v1/units: the units of a province matching the words typed (diacritics and case
ignored), for the registration page's type-ahead (no token) and for API clients (a token)."""

from __future__ import annotations

import pytest
from integration.tickets.test_api import Api, error_of

from helpdesk.auth.services import create_token
from helpdesk.auth.services.unit_admin import UnitDraft, add_unit, set_unit_active


@pytest.fixture
def api(client):
    return Api(client)


def names(response) -> list[str]:
    return [item["name"] for item in response.get_json()["items"]]


def test_words_without_diacritics_find_the_commune(api):
    response = api.get("/api/v1/units?province=80&q=tan%20hung", expect=200)
    assert response.get_json()["items"] == [
        {"code": "27721", "name": "Xã Tân Hưng", "kind": "commune", "province": "80"}
    ]
    assert names(api.get("/api/v1/units?province=80&q=T%C3%82N%20H%C6%AFNG")) == ["Xã Tân Hưng"]


def test_only_the_provinces_units_are_listed(api):
    in_79 = names(api.get("/api/v1/units?province=79&q=tan%20hung", expect=200))
    assert in_79 == ["Phường Tân Hưng"]
    in_75 = api.get("/api/v1/units?province=75&q=chon", expect=200).get_json()["items"]
    assert {item["province"] for item in in_75} == {"75"}
    assert "Phường Chơn Thành" in [item["name"] for item in in_75]


def test_no_words_lists_the_first_units_of_the_province(api):
    items = api.get("/api/v1/units?province=01", expect=200).get_json()["items"]
    assert len(items) == 20
    assert {item["province"] for item in items} == {"01"}


def test_added_units_are_listed_and_deactivated_ones_are_not(api, make_user):
    admin = make_user("admin")
    centre = add_unit(admin, UnitDraft("79", "Trung tâm Phục vụ hành chính công", "provincial"))
    found = api.get("/api/v1/units?province=79&q=phuc%20vu%20hanh%20chinh", expect=200)
    assert found.get_json()["items"] == [
        {"code": centre.code, "name": centre.name, "kind": "provincial", "province": "79"}
    ]
    set_unit_active(admin, centre.id, active=False)
    assert names(api.get("/api/v1/units?province=79&q=phuc%20vu%20hanh%20chinh")) == []


def test_a_token_is_accepted_and_a_bad_one_refused(api, make_user):
    token = create_token(make_user("requester", province_code="80"))
    assert names(api.get("/api/v1/units?province=80&q=tan%20hung", token, expect=200)) == [
        "Xã Tân Hưng"
    ]
    response = api.get("/api/v1/units?province=80", "hd_not-a-real-token", expect=401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("query", ["", "?q=tan", "?province=", "?province=00", "?province=7%209"])
def test_a_missing_or_unknown_province_answers_400_naming_it(api, query):
    response = api.get(f"/api/v1/units{query}", expect=400)
    assert set(error_of(response)["fields"]) == {"province"}


def test_anonymous_callers_are_rate_limited_by_address(api, app, monkeypatch):
    monkeypatch.setitem(app.config, "HELPDESK_UNITS_RATE_LIMIT", "3/minute")
    for _ in range(3):
        api.get("/api/v1/units?province=80&q=tan", expect=200)
    assert error_of(api.get("/api/v1/units?province=80&q=tan", expect=429))["code"]


def test_words_past_200_characters_answer_422_and_control_characters_read_as_spaces(api):
    response = api.get("/api/v1/units?province=80&q=" + "a" * 201, expect=422)
    assert set(error_of(response)["fields"]) == {"q"}
    assert names(api.get("/api/v1/units?province=80&q=t%C3%A2n%09h%C6%B0ng", expect=200)) == [
        "Xã Tân Hưng"
    ]
