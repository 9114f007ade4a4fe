"""The public directory page: each seeded system's IT unit and the known vendors, filters,
search without diacritics, escaped text, the print button, and who sees the keepers' links."""

from __future__ import annotations

import pytest
from integration.directory.helpers import add_entry

from helpdesk.catalogue import services as catalogue

PAGE = "/directory"


def test_the_page_is_public_and_lists_every_seeded_it_unit_and_vendor(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for system in catalogue.systems():
        assert system.ministry in html
        assert system.it_unit in html
    assert "Công ty Cổ phần FPT" in html and "VNPT" in html
    assert 'href="tel:024.6273.9716"' in html and 'href="mailto:cds@moj.gov.vn"' in html
    assert "Danh bạ hỗ trợ" in html  # the menu's link, signed out too
    assert "data-print" in html and "js/directory.js" in html
    assert "/directory/new" not in html and "/directory/import" not in html


def test_filters_keep_a_system_and_a_province_with_national_and_every_system_entries(
    client, make_user
):
    admin = make_user("admin")
    add_entry(admin, organisation="Đầu mối moj 79")
    add_entry(admin, organisation="Đầu mối moj 01", province_code="01")
    add_entry(admin, organisation="Sở Nội vụ 79", system_code="moha")
    add_entry(admin, organisation="Văn phòng UBND 79", system_code=None, kind="coordinator")
    html = client.get(f"{PAGE}?system=moj&province=79").get_data(as_text=True)
    assert "Đầu mối moj 79" in html and "Văn phòng UBND 79" in html
    assert "Cục Công nghệ thông tin" in html  # moj's national IT unit
    assert "Đầu mối moj 01" not in html and "Sở Nội vụ 79" not in html and "VNPT" not in html
    # IT unit, vendor, then the province's entries
    assert html.index("Cục Công nghệ thông tin") < html.index("Công ty Cổ phần FPT")
    assert html.index("Công ty Cổ phần FPT") < html.index("Đầu mối moj 79")


def test_the_search_ignores_diacritics_and_needs_every_word(client, make_user):
    admin = make_user("admin")
    add_entry(admin, organisation="Sở Tư pháp Đồng Nai", province_code="75", name="Trần Thị Hà")
    add_entry(admin, organisation="Sở Tư pháp Hà Nội", province_code="01")
    html = client.get(f"{PAGE}?q=so+tu+phap+dong+nai").get_data(as_text=True)
    assert "Sở Tư pháp Đồng Nai" in html and "Sở Tư pháp Hà Nội" not in html
    html = client.get(f"{PAGE}?q=TRAN+thi").get_data(as_text=True)
    assert "Trần Thị Hà" in html and "Sở Tư pháp Hà Nội" not in html
    html = client.get(f"{PAGE}?q=100%25").get_data(as_text=True)
    assert 'data-testid="directory-empty"' in html


def test_an_organisation_name_is_escaped(client, make_user):
    add_entry(make_user("admin"), organisation='<script>alert("x")</script> Sở')
    html = client.get(PAGE).get_data(as_text=True)
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Sở" in html


def test_unknown_filters_show_everything(client):
    response = client.get(f"{PAGE}?system=nope&province=99")
    assert response.status_code == 200
    assert "VNPT" in response.get_data(as_text=True)


def test_keepers_see_their_links_and_buttons(browser, make_user):
    admin = make_user("admin")
    entry = add_entry(admin)
    html = browser(admin).get(PAGE).get_data(as_text=True)
    assert "/directory/new" in html and "/directory/import" in html
    assert "/directory/export.csv" in html and "/directory/export.xlsx" in html
    assert f"/directory/{entry.id}/edit" in html and f"/directory/{entry.id}/delete" in html
    coordinator = make_user("coordinator", province_code="01")
    html = browser(coordinator).get(PAGE).get_data(as_text=True)
    assert "/directory/new" in html
    assert f"/directory/{entry.id}/edit" not in html  # of province 79


@pytest.mark.parametrize(
    "url",
    ["/directory/new", "/directory/import", "/directory/export.csv", "/directory/export.xlsx"],
)
def test_nobody_else_reaches_the_keepers_pages(client, browser, make_user, url):
    response = client.get(url)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    for role in ("requester", "agent", "unit_admin", "observer"):
        assert browser(make_user(role)).get(url).status_code == 404


def test_anonymous_and_requesters_cannot_edit_or_delete(client, browser, make_user):
    entry = add_entry(make_user("admin"))
    for url in (f"/directory/{entry.id}/edit",):
        assert "/auth/login" in client.get(url).headers["Location"]
        assert browser(make_user("requester")).get(url).status_code == 404
    response = client.post(f"/directory/{entry.id}/delete")
    assert response.status_code in (302, 400)
    assert client.get(PAGE).get_data(as_text=True).count("Sở Tư pháp TP. Hồ Chí Minh") == 1
