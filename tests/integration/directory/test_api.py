"""GET /api/v1/directory: public, filtered by system and province, unknown codes refused."""

from __future__ import annotations

from integration.directory.helpers import add_entry

from helpdesk.auth.services import create_token
from helpdesk.catalogue import services as catalogue

URL = "/api/v1/directory"


def test_the_directory_is_public_with_each_systems_it_unit_and_the_vendors(client):
    response = client.get(URL)
    assert response.status_code == 200
    items = response.get_json()["items"]
    it_units = {item["system"]: item["organisation"] for item in items if item["kind"] == "it_unit"}
    assert it_units == {system.code: system.it_unit for system in catalogue.systems()}
    vendors = {item["system"]: item["organisation"] for item in items if item["kind"] == "vendor"}
    assert vendors == {"moj": "Công ty Cổ phần FPT", "moha": "VNPT"}
    moj = next(i for i in items if i["system"] == "moj" and i["kind"] == "it_unit")
    assert moj == {
        "system": "moj",
        "province": None,
        "organisation": "Cục Công nghệ thông tin",
        "kind": "it_unit",
        "name": "",
        "phone": "024.6273.9716",
        "email": "cds@moj.gov.vn",
        "hours": "",
        "handles": ["technical", "accounts"],
    }


def test_a_system_and_province_answer_their_national_and_every_system_entries(client, make_user):
    admin = make_user("admin")
    add_entry(admin, organisation="moj 79")
    add_entry(admin, organisation="moj 01", province_code="01")
    add_entry(admin, organisation="all 79", system_code=None, kind="coordinator")
    add_entry(admin, organisation="moha 79", system_code="moha")
    items = client.get(f"{URL}?system=moj&province=79").get_json()["items"]
    assert [(i["organisation"], i["system"], i["province"]) for i in items] == [
        ("Cục Công nghệ thông tin", "moj", None),
        ("Công ty Cổ phần FPT", "moj", None),
        ("all 79", None, "79"),
        ("moj 79", "moj", "79"),
    ]


def test_an_unknown_code_is_refused_naming_the_parameter(client):
    response = client.get(f"{URL}?system=nope&province=79")
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {"system"}
    response = client.get(f"{URL}?province=7")
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {"province"}
    assert client.get(f"{URL}?system=&province=").status_code == 200


def test_a_token_is_accepted(client, make_user):
    token = create_token(make_user("requester"))
    response = client.get(URL, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert client.get(URL, headers={"Authorization": "Bearer wrong"}).status_code == 401
