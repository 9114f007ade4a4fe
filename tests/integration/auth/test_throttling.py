"""Repeated failures slow an account down (delays in the database, never a lock), and the
rate limiter caps attempts per IP address and per account."""

from datetime import timedelta

import pytest
from support import csrf_token, post_form

from helpdesk import errors
from helpdesk.auth import services
from helpdesk.auth.services import links
from helpdesk.timeutil import utcnow

PASSWORD = "Mật-khẩu-dài-2026"  # noqa: S105 - a test password
WRONG = "Không phải mật khẩu"


def fail(user, times, *, start, step=timedelta(seconds=1)):
    """`times` wrong passwords, each `step` apart; returns the time of the last one."""
    at = start
    for _ in range(times):
        assert not services.authenticate(user.username, WRONG, now=at).ok
        at += step
    return at - step


@pytest.mark.parametrize(
    ("failures", "minutes"), [(4, 0), (5, 1), (6, 2), (7, 4), (8, 8), (9, 15), (40, 15)]
)
def test_delay_grows_from_the_fifth_failure_and_stops_at_fifteen_minutes(failures, minutes):
    assert services.throttle_delay(failures) == timedelta(minutes=minutes)


def test_four_failures_do_not_throttle(db, make_user):
    user = make_user()
    start = utcnow()
    last = fail(user, 4, start=start)
    assert user.throttled_until is None
    assert services.authenticate(user.username, PASSWORD, now=last).ok


def test_fifth_failure_throttles_even_the_right_password(db, make_user):
    user = make_user()
    start = utcnow()
    last = fail(user, 5, start=start)
    assert user.throttled_until == last + timedelta(minutes=1)
    result = services.authenticate(user.username, PASSWORD, now=last + timedelta(seconds=30))
    assert result.outcome is services.Outcome.FAILED
    assert services.authenticate(
        user.username, PASSWORD, now=last + timedelta(minutes=1, seconds=1)
    ).ok


def test_attempts_while_throttled_do_not_lengthen_the_delay(db, make_user):
    user = make_user()
    last = fail(user, 5, start=utcnow())
    until = user.throttled_until
    for second in range(1, 30):
        services.authenticate(user.username, WRONG, now=last + timedelta(seconds=second))
    assert (user.failed_logins, user.throttled_until) == (5, until)


def test_stranger_cannot_keep_the_owner_out_longer_than_fifteen_minutes(db, make_user):
    user = make_user()
    now = utcnow()
    # A stranger tries again each time the delay runs out, fifty times over.
    for _ in range(50):
        assert not services.authenticate(user.username, WRONG, now=now).ok
        now = user.throttled_until + timedelta(seconds=1) if user.throttled_until else now
    last_attempt = user.last_failed_login_at
    assert user.throttled_until - last_attempt == timedelta(minutes=15)
    owner = services.authenticate(
        user.username, PASSWORD, now=last_attempt + timedelta(minutes=15, seconds=1)
    )
    assert owner.ok
    assert (user.failed_logins, user.throttled_until) == (0, None)


def test_password_reset_lifts_the_throttle_at_once(db, make_user):
    user = make_user()
    now = utcnow()
    last = fail(user, 9, start=now)
    token = links.issue("reset", user, now=last)
    services.set_password_by_link("reset", token, "Mật khẩu mới tinh 2026", now=last)
    assert services.authenticate(user.username, "Mật khẩu mới tinh 2026", now=last).ok


def test_success_clears_the_count(db, make_user):
    user = make_user()
    last = fail(user, 4, start=utcnow())
    assert services.authenticate(user.username, PASSWORD, now=last).ok
    fail(user, 4, start=last)
    assert user.throttled_until is None


def test_failures_older_than_a_day_are_forgotten(db, make_user):
    user = make_user()
    last = fail(user, 4, start=utcnow())
    fail(user, 1, start=last + timedelta(days=1, minutes=1))
    assert (user.failed_logins, user.throttled_until) == (1, None)


def test_throttled_login_on_the_web_answers_like_an_unknown_account(english, db, make_user, login):
    user = make_user()
    for _ in range(5):
        login(user.username, WRONG)
    throttled = login(user.username)  # the right password
    unknown = login("079090123456@ht.com", WRONG)
    assert throttled.status_code == unknown.status_code == 200
    html = throttled.get_data(as_text=True)
    assert "try again later" in html
    assert html.count("alert-danger") == 1
    same = [
        r.get_data(as_text=True).split('alert-danger" role="alert">')[1].split("</div>")[0]
        for r in (throttled, unknown)
    ]
    assert same[0] == same[1]


def test_per_ip_limit_answers_429_after_ten_attempts_a_minute(client, make_user, login):
    user = make_user()
    statuses = [login(user.username, WRONG).status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def test_per_account_limit_holds_across_addresses(app, db, make_user):
    user = make_user()
    statuses = []
    for number in range(11):
        browser = app.test_client()
        address = {"REMOTE_ADDR": f"10.0.0.{number + 1}"}
        html = browser.get("/auth/login", environ_base=address).get_data(as_text=True)
        response = browser.post(
            "/auth/login",
            data={"username": user.cccd, "password": WRONG, "csrf_token": csrf_token(html)},
            environ_base=address,
        )
        statuses.append(response.status_code)
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def test_admin_sees_throttled_accounts_and_can_lift_the_delay(client, db, make_user, login):
    admin = make_user("admin")
    user = make_user(full_name="Người bị chặn")
    fail(user, 6, start=utcnow())
    login(admin.username)
    assert "Người bị chặn" in client.get("/accounts/throttled").get_data(as_text=True)
    response = post_form(
        client, f"/accounts/throttled/{user.id}/unthrottle", {}, page="/accounts/throttled"
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.failed_logins, user.throttled_until) == (0, None)
    assert "Người bị chặn" not in client.get("/accounts/throttled").get_data(as_text=True)


def test_only_admins_may_unthrottle(db, make_user):
    unit_admin = make_user("unit_admin", province_code="79", unit="Phường Bến Nghé")
    user = make_user(province_code="79", unit="Phường Bến Nghé")
    fail(user, 5, start=utcnow())
    with pytest.raises(errors.NotFound):
        services.unthrottle(unit_admin, user.id)
