"""An observer is bound to ministries' systems (or to none: national) by `flask user create
--system` and on the accounts pages; no other role is."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from support import csrf_token, post_form

from helpdesk.auth.models import ObserverSystem, User
from helpdesk.auth.services import observer_systems

CCCD = "079090654321"
PASSWORD = "Mot-mat-khau-dai-2026"


def create(runner, *options: str):
    return runner.invoke(
        args=["user", "create", f"{CCCD}@ht.com", "--password", PASSWORD, *options]
    )


def created(db) -> User | None:
    return db.session.scalar(select(User).where(User.cccd == CCCD))


def test_the_command_line_binds_an_observer_to_its_systems(runner, db):
    result = create(runner, "--role", "observer", "--system", "moj", "--system", "moha")

    assert result.exit_code == 0, result.output
    assert observer_systems(created(db).id) == ("moha", "moj")
    assert "reads the figures of moha, moj only" in result.output


def test_an_observer_without_a_system_is_national(runner, db):
    result = create(runner, "--role", "observer")

    assert result.exit_code == 0, result.output
    assert observer_systems(created(db).id) == ()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--role", "observer", "--system", "nosuch"), "unknown system: nosuch"),
        (("--role", "agent", "--system", "moj"), "--system is for observers"),
        (("--role", "requester", "--system", "moj"), "--system is for observers"),
    ],
)
def test_the_command_line_refuses_a_wrong_system(runner, db, options, message):
    result = create(runner, *options)

    assert result.exit_code == 1
    assert message in result.output
    assert created(db) is None
    assert db.session.scalar(select(ObserverSystem)) is None


def chosen(html: str) -> set[str]:
    """The systems the page's multi-select has selected."""
    block = html.split('id="systems"')[1].split("</select>")[0]
    return {
        value
        for attributes in re.findall(r"<option([^>]*)>", block)
        if "selected" in attributes
        for value in re.findall(r'value="([^"]+)"', attributes)
    }


def test_an_admin_creates_an_observer_of_a_ministry_on_the_accounts_page(db, browser, make_user):
    admin = browser(make_user("admin"))
    html = admin.get("/accounts/new").get_data(as_text=True)
    assert 'data-shown-for-role="observer"' in html
    response = admin.post(
        "/accounts/new",
        data={
            "csrf_token": csrf_token(html),
            "cccd": CCCD,
            "domain": "ht.com",
            "full_name": "Lãnh đạo Bộ",
            "email": "lanhdao@moj.gov.vn",
            "role": "observer",
            "systems": ["moj"],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert observer_systems(created(db).id) == ("moj",)


def test_the_accounts_page_refuses_systems_for_another_role(db, browser, make_user):
    admin = browser(make_user("admin", language="en"))
    response = post_form(
        admin,
        "/accounts/new",
        {
            "cccd": CCCD,
            "domain": "ht.com",
            "full_name": "Cán bộ",
            "email": "canbo@example.vn",
            "role": "agent",
            "systems": ["moj"],
        },
    )
    assert response.status_code == 200
    assert "Only an observer is bound to systems." in response.get_data(as_text=True)
    assert created(db) is None


def test_an_admin_sets_and_clears_an_observers_systems(db, browser, make_user):
    observer = make_user("observer", systems=("moj",))
    admin = browser(make_user("admin"))
    page = f"/accounts/{observer.id}/systems"

    assert f'href="{page}"' in admin.get("/accounts/").get_data(as_text=True)
    html = admin.get(page).get_data(as_text=True)
    assert chosen(html) == {"moj"}

    response = post_form(admin, page, {"systems": ["moha", "mof"]})
    assert response.status_code == 302
    assert observer_systems(observer.id) == ("mof", "moha")
    assert chosen(admin.get(page).get_data(as_text=True)) == {"mof", "moha"}

    response = post_form(admin, page, {})  # none chosen: national
    assert response.status_code == 302
    assert observer_systems(observer.id) == ()


def test_only_admins_bind_observers_and_only_observers_are_bound(db, browser, make_user):
    observer = make_user("observer")
    agent = make_user("agent")
    admin = browser(make_user("admin"))
    assert admin.get(f"/accounts/{agent.id}/systems").status_code == 404
    assert post_form(
        admin, f"/accounts/{agent.id}/systems", {"systems": ["moj"]},
        page=f"/accounts/{observer.id}/systems",
    ).status_code == 404  # fmt: skip
    assert db.session.scalar(select(ObserverSystem)) is None

    unit_admin = browser(make_user("unit_admin", province_code="79", unit="UBND phường Bến Nghé"))
    assert unit_admin.get(f"/accounts/{observer.id}/systems").status_code == 404
    assert browser(observer).get(f"/accounts/{observer.id}/systems").status_code == 404
