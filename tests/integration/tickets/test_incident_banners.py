"""Known problems as banners: an open incident shows, with its title, latest update and expected
time, on the home page, the filing form (with its "this is my problem too" button) and the
directory, for its system, and only in its provinces when it is limited to some; in a constant
number of statements whatever the number of incidents."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from support import csrf_token

from helpdesk.tickets import services as tickets

EVERYWHERE = "Cổng thanh toán Bộ Tư pháp gián đoạn"
ONLY_01 = "Hệ thống Bộ Nội vụ chậm tại Hà Nội"
ONLY_75 = "Biên lai điện tử Đồng Nai không phát hành được"
EXPECTED = datetime(2026, 12, 31, 10, 0, tzinfo=UTC)  # 17:00 in Hà Nội


@pytest.fixture
def agent(make_agent):
    return make_agent("moj-fpt")


@pytest.fixture
def incidents(agent):
    """A moj incident of the whole country with an update, a moha one of province 01, a moj one
    of province 75, and a closed one that nobody sees."""
    everywhere = tickets.declare(agent, title=EVERYWHERE, system="moj")
    tickets.post_update(agent, everywhere, "Đang khôi phục kết nối.", expected_at=EXPECTED)
    only_01 = tickets.declare(agent, title=ONLY_01, system="moha", provinces=["01"])
    only_75 = tickets.declare(agent, title=ONLY_75, system="moj", provinces=["75"])
    closed = tickets.declare(agent, title="Sự cố đã khắc phục hôm qua", system="moj")
    tickets.post_update(agent, closed, "Đã khắc phục.", resolve=True)
    return {"everywhere": everywhere, "only_01": only_01, "only_75": only_75}


@pytest.fixture
def officials(make_user):
    return {
        code: make_user("requester", province_code=code, unit=f"UBND xã {name}", language="vi")
        for code, name in (("75", "Phú Lý"), ("01", "Đông Anh"))
    }


def banners(html: str) -> list[str]:
    """The titles of the incident banners on a page, in their order."""
    return re.findall(r'id="incident-banner-[^"]+">([^<]*)<', html)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_home_page_shows_the_incidents_of_the_officials_province(
    browser, client, officials, incidents
):
    html = page(browser(officials["75"], "vi"), "/")
    assert banners(html) == [ONLY_75, EVERYWHERE]  # the newest first
    assert "Đang khôi phục kết nối." in html
    assert "Dự kiến khắc phục xong: 31/12/2026 17:00" in html
    assert 'name="incident"' not in html  # the button belongs to the filing form
    assert banners(page(browser(officials["01"], "vi"), "/")) == [ONLY_01, EVERYWHERE]
    assert banners(page(client, "/")) == [ONLY_75, ONLY_01, EVERYWHERE]  # a visitor: every one


def test_the_filing_form_shows_them_with_the_button_that_joins(db, browser, officials, incidents):
    web = browser(officials["75"], "vi")
    html = page(web, "/tickets/new")
    assert banners(html) == [ONLY_75, EVERYWHERE]
    form = html[html.index('<form method="post" enctype="multipart/form-data"') :]
    form = form[: form.index("</form>")]
    buttons = re.findall(r"<button[^>]*>[^<]*</button>", form)
    # The first submit button is the form's default (Enter in a field): it joins nothing.
    assert 'type="submit"' in buttons[0] and "name=" not in buttons[0]
    for incident in (incidents["only_75"], incidents["everywhere"]):
        button = next(b for b in buttons if f'value="{incident.number}"' in b)
        assert 'name="incident"' in button and 'type="submit"' in button
        assert 'form="filing-form"' in button
        assert f'aria-describedby="incident-banner-{incident.number}"' in button
        assert "Đây cũng là vấn đề của tôi" in button
    assert 'data-follows="system"' in html and 'data-system="moj"' in html
    # Shown again for another province chosen, the form shows that province's incidents.
    again = web.post(
        "/tickets/new", data={"csrf_token": csrf_token(html), "province": "01", "subject": ""}
    )
    assert again.status_code == 422
    assert banners(again.get_data(as_text=True)) == [ONLY_01, EVERYWHERE]
    junk = web.post(
        "/tickets/new", data={"csrf_token": csrf_token(html), "province": "zz", "subject": ""}
    )
    assert junk.status_code == 422
    assert banners(junk.get_data(as_text=True)) == [ONLY_75, EVERYWHERE]  # the account's


def test_the_directory_shows_the_chosen_systems_incidents_for_the_chosen_province(
    client, browser, officials, incidents
):
    assert banners(page(client, "/directory?system=moj")) == [ONLY_75, EVERYWHERE]
    assert banners(page(client, "/directory?system=moj&province=01")) == [EVERYWHERE]
    assert banners(page(client, "/directory?province=01")) == [ONLY_01, EVERYWHERE]
    assert banners(page(client, "/directory?system=moha&province=75")) == []
    assert banners(page(browser(officials["01"], "vi"), "/directory")) == [ONLY_01, EVERYWHERE]


@pytest.mark.parametrize("url", ["/", "/tickets/new", "/directory"])
def test_the_pages_cost_the_same_for_one_incident_as_for_five(
    db, browser, agent, officials, count_queries, url
):
    web = browser(officials["75"], "vi")

    def statements() -> int:
        web.get(url)  # warm: what a first request caches
        with count_queries() as seen:
            assert web.get(url).status_code == 200
        return len(seen)

    first = tickets.declare(agent, title=EVERYWHERE, system="moj")
    tickets.post_update(agent, first, "Đang khôi phục kết nối.")
    one = statements()
    for n in range(4):
        more = tickets.declare(agent, title=f"Sự cố {n}", system="moj", provinces=["75", "01"])
        tickets.post_update(agent, more, f"Cập nhật {n}.", expected_at=EXPECTED)
    html = page(web, url)
    assert len(banners(html)) == 5
    assert statements() == one
