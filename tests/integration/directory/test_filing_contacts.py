"""The filing form offers the directory's contacts for the chosen system and province."""

from __future__ import annotations

from integration.directory.helpers import add_entry
from integration.tickets.page_helpers import GOOD_FORM
from support import post_form


def test_a_re_rendered_form_shows_the_contacts_of_its_system_and_province(browser, make_user):
    add_entry(
        make_user("admin"),
        organisation="Sở Tư pháp <b>Đồng Nai</b>",
        province_code="75",
        phone="0251 3822 000",
    )
    client = browser(make_user("requester", province_code="75"), "vi")
    html = client.get("/tickets/new").get_data(as_text=True)
    assert "data-filing-contacts" in html and "js/contacts.js" in html
    assert "cds@moj.gov.vn" not in html  # no system chosen yet
    response = post_form(client, "/tickets/new", {**GOOD_FORM, "subject": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Hoặc gọi" in html
    assert 'href="mailto:cds@moj.gov.vn"' in html and 'href="tel:024.6273.9716"' in html
    assert 'href="tel:02513822000"' in html
    assert "Sở Tư pháp &lt;b&gt;Đồng Nai&lt;/b&gt;" in html
    assert "VNPT" not in html  # moha's vendor
