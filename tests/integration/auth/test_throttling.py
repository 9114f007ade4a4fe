"""Repeated failures slow a login name down, known or not (delays in the database, never a
lock, at most 15 minutes, lifted by a password reset); the rate limiter counts failures per
address and leaves an office's successful logins alone."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from support import csrf_token, post_form

from helpdesk import errors
from helpdesk.auth import services
from helpdesk.auth.models import LoginThrottle
from helpdesk.auth.services import accounts, links
from helpdesk.auth.services import login as login_service
from helpdesk.timeutil import utcnow

PASSWORD = "Mật-khẩu-dài-2026"  # noqa: S105 - a test password
WRONG = "Không phải mật khẩu"
UNKNOWN = "079090123456@ht.com"  # a valid login name that no account has


def fail(username, times, *, start, step=timedelta(seconds=1)):
    """`times` wrong passwords, each `step` apart; returns the time of the last one."""
    at = start
    for _ in range(times):
        assert not services.authenticate(username, WRONG, now=at).ok
        at += step
    return at - step


def throttle_of(db, username):
    return db.session.get(LoginThrottle, accounts.throttle_key(username))


def alert(response) -> str:
    html = response.get_data(as_text=True)
    return html.split('alert-danger" role="alert">')[1].split("</div>")[0]


def post_from(app, address, url, data):
    """A browser of its own at another address posts a form."""
    browser = app.test_client()
    environ = {"REMOTE_ADDR": address}
    html = browser.get(url, environ_base=environ).get_data(as_text=True)
    return browser.post(url, data={**data, "csrf_token": csrf_token(html)}, environ_base=environ)


# ---------------------------------------------------------------- the delay per login name


@pytest.mark.parametrize(
    ("failures", "minutes"), [(4, 0), (5, 1), (6, 2), (7, 4), (8, 8), (9, 15), (40, 15)]
)
def test_delay_grows_from_the_fifth_failure_and_stops_at_fifteen_minutes(failures, minutes):
    assert services.throttle_delay(failures) == timedelta(minutes=minutes)


def test_four_failures_do_not_throttle(db, make_user):
    user = make_user()
    last = fail(user.username, 4, start=utcnow())
    assert throttle_of(db, user.username).throttled_until is None
    assert services.authenticate(user.username, PASSWORD, now=last).ok


def test_fifth_failure_throttles_even_the_right_password(db, make_user):
    user = make_user()
    last = fail(user.username, 5, start=utcnow())
    result = services.authenticate(user.username, PASSWORD, now=last + timedelta(seconds=30))
    assert result.outcome is services.Outcome.THROTTLED
    assert result.retry_at == last + timedelta(minutes=1)
    assert services.authenticate(
        user.username, PASSWORD, now=last + timedelta(minutes=1, seconds=1)
    ).ok


def test_attempts_while_throttled_do_not_lengthen_the_delay(db, make_user):
    user = make_user()
    last = fail(user.username, 5, start=utcnow())
    until = throttle_of(db, user.username).throttled_until
    for second in range(1, 30):
        services.authenticate(user.username, WRONG, now=last + timedelta(seconds=second))
    throttle = throttle_of(db, user.username)
    assert (throttle.failures, throttle.throttled_until) == (5, until)


def test_stranger_cannot_keep_the_owner_out_longer_than_fifteen_minutes(db, make_user):
    user = make_user()
    now = utcnow()
    # A stranger tries again each time the delay runs out, fifty times over.
    for _ in range(50):
        assert not services.authenticate(user.username, WRONG, now=now).ok
        throttle = throttle_of(db, user.username)
        now = throttle.throttled_until + timedelta(seconds=1) if throttle.throttled_until else now
    throttle = throttle_of(db, user.username)
    last_attempt = throttle.last_failed_at
    assert throttle.throttled_until - last_attempt == timedelta(minutes=15)
    owner = services.authenticate(
        user.username, PASSWORD, now=last_attempt + timedelta(minutes=15, seconds=1)
    )
    assert owner.ok
    assert throttle_of(db, user.username) is None


def test_password_reset_lifts_the_throttle_at_once(db, make_user):
    user = make_user()
    now = utcnow()
    last = fail(user.cccd, 9, start=now)  # a bare CCCD counts for CCCD@domain
    token = links.issue("reset", user, now=last)
    services.set_password_by_link("reset", token, "Mật khẩu mới tinh 2026", now=last)
    assert services.authenticate(user.username, "Mật khẩu mới tinh 2026", now=last).ok


def test_success_clears_the_count(db, make_user):
    user = make_user()
    last = fail(user.username, 4, start=utcnow())
    assert services.authenticate(user.username, PASSWORD, now=last).ok
    fail(user.username, 4, start=last)
    assert throttle_of(db, user.username).throttled_until is None


def test_failures_older_than_a_day_are_forgotten(db, make_user):
    user = make_user()
    last = fail(user.username, 4, start=utcnow())
    fail(user.username, 1, start=last + timedelta(days=1, minutes=1))
    throttle = throttle_of(db, user.username)
    assert (throttle.failures, throttle.throttled_until) == (1, None)


def test_unknown_and_malformed_names_are_throttled_exactly_like_an_account(db, make_user):
    user = make_user()
    start = utcnow()
    seen = {}
    for name in (user.username, UNKNOWN, "not-a-cccd"):
        outcomes = []
        for second in range(12):
            result = services.authenticate(name, WRONG, now=start + timedelta(seconds=second * 20))
            outcomes.append((result.outcome, result.retry_at))
        seen[name] = outcomes
    assert seen[user.username] == seen[UNKNOWN] == seen["not-a-cccd"]
    assert (services.Outcome.THROTTLED, start + timedelta(seconds=80, minutes=1)) in seen[UNKNOWN]


def test_the_throttle_keeps_no_login_name(db):
    fail(UNKNOWN, 5, start=utcnow())
    [throttle] = db.session.scalars(select(LoginThrottle))
    assert re.fullmatch(r"[0-9a-f]{64}", throttle.key)
    assert "079090123456" not in repr(vars(throttle))
    assert throttle.user_id is None


def test_the_hourly_job_forgets_counts_older_than_a_day(db, make_user):
    from helpdesk import periodic  # noqa: F401 - registers the periodic jobs
    from helpdesk.auth import jobs
    from helpdesk.worker import PERIODIC

    user = make_user()
    fail(user.username, 3, start=utcnow() - timedelta(days=1, minutes=5))
    fail(UNKNOWN, 3, start=utcnow())
    assert services.forget_old_failures() == 1
    assert throttle_of(db, user.username) is None
    assert throttle_of(db, UNKNOWN).failures == 3
    assert (jobs.forget_old_failures, 3600) in PERIODIC


# ---------------------------------------------------------------- the login page


def test_throttled_login_says_so_and_when_and_the_same_for_an_unknown_name(
    english, db, make_user, login
):
    user = make_user()
    for _ in range(5):
        login(user.username, WRONG)
        login(UNKNOWN, WRONG)
    throttled = login(user.username)  # the right password
    unknown = login(UNKNOWN, WRONG)
    assert throttled.status_code == unknown.status_code == 429
    same = [re.sub(r"\d\d:\d\d", "HH:MM", alert(r)) for r in (throttled, unknown)]
    assert same[0] == same[1]
    text = alert(throttled)
    assert "logging in with this login name is paused" in text
    assert re.search(r"try again in 1 minute, at \d\d:\d\d", text)
    assert "Resetting your password lifts the pause" in text
    assert "Wrong login name or password" not in text
    assert 0 < int(throttled.headers["Retry-After"]) <= 60
    assert f'value="{user.username}"' in throttled.get_data(as_text=True)


def test_throttled_login_speaks_vietnamese_first(client, db, make_user, login):
    user = make_user()
    for _ in range(6):
        response = login(user.username, WRONG)
    assert response.status_code == 429
    assert "vui lòng thử lại sau 1 phút" in alert(response)


def test_a_password_reset_lets_the_owner_in_at_once_after_many_attempts(app, db, make_user):
    user = make_user()
    for number in range(51):  # past any hourly count per account, from many addresses
        post_from(
            app, f"10.0.{number}.1", "/auth/login", {"username": user.cccd, "password": WRONG}
        )
    token = links.issue("reset", user, now=utcnow())
    services.set_password_by_link("reset", token, "Mật khẩu mới tinh 2026")
    owner = post_from(
        app,
        "10.9.9.9",
        "/auth/login",
        {"username": user.cccd, "password": "Mật khẩu mới tinh 2026"},
    )
    assert owner.status_code == 302


def test_the_owner_is_in_fifteen_minutes_after_the_last_attempt(app, db, make_user, monkeypatch):
    user = make_user()
    for number in range(51):
        post_from(
            app, f"10.0.{number}.1", "/auth/login", {"username": user.cccd, "password": WRONG}
        )
    later = utcnow() + timedelta(minutes=15, seconds=1)
    monkeypatch.setattr(login_service, "utcnow", lambda: later)
    owner = post_from(app, "10.9.9.9", "/auth/login", {"username": user.cccd, "password": PASSWORD})
    assert owner.status_code == 302


def test_an_office_behind_one_address_logs_in_without_limit(client, db, make_user, login):
    users = [make_user(password="Cua-rieng-toi-Nam-2026") for _ in range(25)]
    for user in users:
        response = login(user.username, "Cua-rieng-toi-Nam-2026")
        assert response.status_code == 302
        post_form(client, "/auth/logout", {}, page="/")


def test_failures_per_address_get_the_form_again_with_the_time_to_wait(
    english, db, make_user, login
):
    names = [f"0790901{number:05d}@ht.com" for number in range(21)]
    statuses = [login(name, WRONG).status_code for name in names]
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429
    limited = login(names[0], WRONG)
    html = limited.get_data(as_text=True)
    assert limited.status_code == 429
    assert re.search(r"try again in \d+ minutes?, at \d\d:\d\d", alert(limited))
    assert f'value="{names[0]}"' in html  # what was typed is kept
    assert 'name="password"' in html  # the form itself, not the bare error page
    assert "Retry-After" in limited.headers


def test_admin_sees_throttled_accounts_and_can_lift_the_delay(client, db, make_user, login):
    admin = make_user("admin")
    user = make_user(full_name="Người bị chặn")
    fail(user.username, 6, start=utcnow())
    fail(UNKNOWN, 6, start=utcnow())  # a name without account is not listed
    login(admin.username)
    page = client.get("/accounts/throttled").get_data(as_text=True)
    assert "Người bị chặn" in page
    assert page.count("<tr data-user-id") == 1
    response = post_form(
        client, f"/accounts/throttled/{user.id}/unthrottle", {}, page="/accounts/throttled"
    )
    assert response.status_code == 302
    assert throttle_of(db, user.username) is None
    assert "Người bị chặn" not in client.get("/accounts/throttled").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 1


def test_only_admins_may_unthrottle(db, make_user):
    unit_admin = make_user("unit_admin", province_code="79", unit="Phường Bến Nghé")
    user = make_user(province_code="79", unit="Phường Bến Nghé")
    fail(user.username, 5, start=utcnow())
    with pytest.raises(errors.NotFound):
        services.unthrottle(unit_admin, user.id)


# ---------------------------------------------------------------- the other limited forms


def test_reset_requests_per_address_get_the_form_again_with_the_time_to_wait(english, db):
    client = english
    statuses = [
        post_form(client, "/auth/reset", {"username": f"0790901{n:05d}"}).status_code
        for n in range(10)
    ]
    assert statuses == [302] * 10  # a room of people who forgot their passwords
    limited = post_form(client, "/auth/reset", {"username": "079090100099"})
    assert limited.status_code == 429
    assert re.search(r"try again in \d+ minutes?, at \d\d:\d\d", alert(limited))
    assert 'value="079090100099"' in limited.get_data(as_text=True)


def test_password_changes_per_account_get_the_form_again_with_the_time_to_wait(
    english, db, make_user, login
):
    client = english
    user = make_user()
    login(user.username)
    for _ in range(10):
        wrong = post_form(
            client,
            "/auth/password",
            {"current_password": "x", "password": "y", "password_confirm": "z"},
        )
        assert wrong.status_code == 200
    limited = post_form(
        client,
        "/auth/password",
        {"current_password": "x", "password": "y", "password_confirm": "z"},
    )
    assert limited.status_code == 429
    assert re.search(r"try again in 1[0-5]? minutes?, at \d\d:\d\d", alert(limited))
    assert 'name="current_password"' in limited.get_data(as_text=True)
