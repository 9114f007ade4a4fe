"""Each role reaches its own pages only: other pages answer 404, anonymous users go to login."""

import pytest
from flask_login import login_user
from support import post_form
from werkzeug.exceptions import NotFound

from helpdesk.auth import permissions

PAGES = [
    "/accounts/",
    "/accounts/pending",
    "/accounts/new",
    "/accounts/import",
    "/accounts/throttled",
]
UNIT = "UBND phường Bến Nghé"

# What each role gets on each page of PAGES.
EXPECTED = {
    "requester": [404, 404, 404, 404, 404],
    "agent": [404, 404, 404, 404, 404],
    "supervisor": [404, 404, 404, 404, 404],
    "observer": [404, 404, 404, 404, 404],
    "unit_admin": [200, 200, 200, 200, 404],
    "coordinator": [200, 200, 200, 200, 404],
    "admin": [200, 200, 200, 200, 200],
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_accounts_pages_by_role(client, make_user, login, role):
    user = make_user(role, province_code="79", unit=UNIT)
    login(user.username)
    assert [client.get(page).status_code for page in PAGES] == EXPECTED[role]


def test_anonymous_visitor_is_sent_to_login(client):
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")


def test_requester_cannot_approve_or_unthrottle(client, db, make_user, login):
    requester = make_user(province_code="79", unit=UNIT)
    other = make_user(province_code="79", unit=UNIT)
    login(requester.username)
    for path in (
        f"/accounts/pending/{other.id}/approve",
        f"/accounts/throttled/{other.id}/unthrottle",
        f"/accounts/{other.id}/disable",
    ):
        assert post_form(client, path, {}, page="/").status_code == 404


def test_unit_admin_cannot_disable_accounts_outside_their_unit(client, db, make_user, login):
    unit_admin = make_user("unit_admin", province_code="79", unit=UNIT)
    outsider = make_user(province_code="79", unit="Phường khác")
    colleague = make_user(province_code="79", unit=UNIT)
    login(unit_admin.username)
    assert post_form(client, f"/accounts/{outsider.id}/disable", {}, page="/").status_code == 404
    assert post_form(client, f"/accounts/{colleague.id}/disable", {}, page="/").status_code == 302
    db.session.refresh(colleague)
    db.session.refresh(outsider)
    assert (colleague.status, outsider.status) == ("disabled", "active")


def test_unit_admin_lists_only_the_requesters_of_their_unit(client, make_user, login):
    unit_admin = make_user("unit_admin", province_code="79", unit=UNIT)
    make_user(province_code="79", unit=UNIT, full_name="Đồng nghiệp")
    make_user(province_code="79", unit="Phường khác", full_name="Người ngoài")
    make_user("agent", full_name="Cán bộ hỗ trợ")
    login(unit_admin.username)
    html = client.get("/accounts/").get_data(as_text=True)
    assert "Đồng nghiệp" in html
    assert "Người ngoài" not in html
    assert "Cán bộ hỗ trợ" not in html


def test_accounts_list_costs_the_same_queries_for_one_or_many_rows(
    client, make_user, login, count_queries
):
    admin = make_user("admin")
    login(admin.username)
    for number in range(3):
        make_user(province_code="79", unit=f"Phường {number}")
    with count_queries() as few:
        client.get("/accounts/")
    for number in range(3, 12):
        make_user(province_code="79", unit=f"Phường {number}")
    with count_queries() as many:
        client.get("/accounts/")
    assert len(many) == len(few)


def test_menu_shows_accounts_to_account_managers_only(client, make_user, login, app):
    requester = make_user()
    login(requester.username)
    assert 'href="/accounts/"' not in client.get("/").get_data(as_text=True)
    admin_client = app.test_client()
    admin = make_user("admin")
    post_form(
        admin_client, "/auth/login", {"username": admin.username, "password": "Mật-khẩu-dài-2026"}
    )
    assert 'href="/accounts/"' in admin_client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "may_work", "may_report", "may_configure"),
    [
        ("requester", False, False, False),
        ("unit_admin", False, False, False),
        ("agent", True, False, False),
        ("supervisor", True, True, False),
        ("observer", False, True, False),
        ("admin", True, True, True),
    ],
)
def test_one_place_decides_what_each_role_may_do(
    db, make_user, role, may_work, may_report, may_configure
):
    user = make_user(role, province_code="79", unit=UNIT)
    assert permissions.can(user, "tickets.work") is may_work
    assert permissions.can(user, "reports.read") is may_report
    assert permissions.can(user, "admin.configure") is may_configure


def test_role_required_hides_pages_from_other_roles(app, db, make_user):
    requester = make_user()
    agent = make_user("agent")
    view = permissions.role_required("agent", "supervisor")(lambda: "the agent page")
    # A fresh app context each time: its own `g`, so no user is left from the previous block.
    with app.app_context(), app.test_request_context("/"):
        login_user(agent)
        assert view() == "the agent page"
    with app.app_context(), app.test_request_context("/"):
        login_user(requester)
        with pytest.raises(NotFound):
            view()
    with app.app_context(), app.test_request_context("/"):
        assert view().status_code == 302  # anonymous: the login page


def test_disabled_user_loses_every_permission(db, make_user):
    from helpdesk.auth import services

    admin = make_user("admin")
    other_admin = make_user("admin")
    services.set_account_enabled(other_admin, admin.id, enabled=False)
    assert not permissions.can(admin, "admin.configure")
