"""Stopping the digests: the signed link each digest carries (a page, then a button with CSRF),
which refuses a forged or foreign token; the profile's checkbox for who gets digests; and the
command that sends (or only prints) the last period's digests now, each once."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import support
from integration.reports.digest_helpers import add_ticket, at, digest_for, digest_rows
from support import csrf_token, post_form, save_profile

from helpdesk.auth.models import User
from helpdesk.auth.services import links
from helpdesk.reports.digests import mailing
from helpdesk.timeutil import utcnow

fresh_limiter = pytest.fixture(autouse=True)(support.fresh_limiter)


@pytest.fixture
def observer(db, make_user):
    return make_user("observer", systems=("moj",))


def stop_path(db, user) -> str:
    """The path of the stop link in the user's digest of the week 30/11 – 06/12/2026."""
    mailing.send_due(now=at("2026-12-07 08:00"))
    return urlsplit(digest_for(db, user).context["opt_out_url"]).path


def test_the_link_in_a_digest_stops_the_digests(db, client, observer):
    path = stop_path(db, observer)

    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Ngừng nhận bản tin" in html
    assert observer.masked_username in html and observer.cccd not in html
    db.session.refresh(observer)
    assert not observer.digest_opt_out  # a GET changes nothing

    assert client.post(path, data={}).status_code == 400  # no CSRF token, nothing done
    db.session.refresh(observer)
    assert not observer.digest_opt_out
    response = post_form(client, path, {})
    assert response.status_code == 302
    db.session.refresh(observer)
    assert observer.digest_opt_out
    assert post_form(client, path, {}).status_code == 302  # again: still opted out

    [outcome] = mailing.send_due(now=at("2026-12-14 08:00"))  # the next week
    assert outcome.queued == 0
    assert [row.key for row in digest_rows(db)] == [f"digest:week:2026-11-30:{observer.id}"]


@pytest.mark.parametrize("forgery", ["tampered", "other purpose", "expired", "garbage"])
def test_a_forged_or_foreign_link_is_refused(db, client, observer, forgery):
    if forgery == "tampered":
        token = stop_path(db, observer).rsplit("/", 1)[1]
        payload, stamp, signature = token.split(".")
        token = ".".join([payload, stamp, signature[::-1]])
    elif forgery == "other purpose":
        token = links.issue("email_undo", observer, now=utcnow())
    elif forgery == "expired":
        token = links.issue("digest", observer, now=utcnow() - timedelta(days=91))
    else:
        token = "eyJ1IjoxfQ.not.signed"
    path = f"/auth/digests/stop/{token}"

    page = client.get(path)
    assert page.status_code == 400
    assert "Ngừng nhận bản tin" not in page.get_data(as_text=True)
    csrf = csrf_token(client.get("/auth/login").get_data(as_text=True))
    assert client.post(path, data={"csrf_token": csrf}).status_code == 400
    db.session.refresh(observer)
    assert not observer.digest_opt_out


def test_who_gets_digests_may_opt_out_on_the_profile(db, browser, observer, make_user):
    reader = browser(observer)
    assert 'name="digest_opt_out"' in reader.get("/auth/profile").get_data(as_text=True)

    assert save_profile(reader, observer, digest_opt_out="y").status_code == 302
    db.session.refresh(observer)
    assert observer.digest_opt_out
    assert save_profile(reader, observer).status_code == 302  # the box left unticked
    db.session.refresh(observer)
    assert not observer.digest_opt_out

    requester = make_user("requester", province_code="01")
    official = browser(requester)
    assert 'name="digest_opt_out"' not in official.get("/auth/profile").get_data(as_text=True)
    save_profile(official, requester, digest_opt_out="y")
    db.session.refresh(requester)
    assert not requester.digest_opt_out  # not offered, not taken


def test_the_command_sends_the_last_week_once_and_its_dry_run_queues_nothing(
    db, runner, observer, make_user
):
    period = mailing.last_completed("week")
    add_ticket(db, make_user("requester"), f"{period.start.isoformat()} 10:00", breached=True)
    coordinator = make_user("coordinator", province_code="79")
    db.session.commit()
    span = f"week {period.start.isoformat()}..{period.last.isoformat()}"

    dry = runner.invoke(args=["reports", "digest", "--period", "week", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert digest_rows(db) == []
    lines = dry.output.splitlines()
    assert f"{observer.masked_username} {span}: filed 1, resolved 0" in lines[0]
    assert "breached 1, open at the end 1" in lines[0]
    assert f"{coordinator.masked_username} {span}: filed 1" in lines[1]
    assert lines[-1] == "2 recipients; nothing queued (dry run)"
    for person in (observer, coordinator):
        assert person.cccd not in dry.output
    assert not re.search(r"(?<!\d)\d{12}(?!\d)", dry.output)

    sent = runner.invoke(args=["reports", "digest", "--period", "week"])
    assert sent.exit_code == 0, sent.output
    assert sent.output.strip() == f"digests of {span}: 2 queued, 0 already sent"
    again = runner.invoke(args=["reports", "digest", "--period", "week"])
    assert again.output.strip() == f"digests of {span}: 0 queued, 2 already sent"
    keys = sorted(row.key for row in digest_rows(db))
    start = period.start.isoformat()
    assert keys == sorted(f"digest:week:{start}:{p.id}" for p in (observer, coordinator))
    dry = runner.invoke(args=["reports", "digest", "--period", "week", "--dry-run"])
    assert dry.output.splitlines()[0].endswith("(already sent)")

    month = runner.invoke(args=["reports", "digest", "--period", "month"])
    assert month.exit_code == 0
    assert len(digest_rows(db)) == 4
    assert runner.invoke(args=["reports", "digest", "--period", "day"]).exit_code == 2


def test_a_user_with_no_address_gets_no_digest(db, make_user):
    observer = make_user("observer")
    db.session.query(User).filter_by(id=observer.id).update({"email": ""})
    db.session.commit()

    assert mailing.send(mailing.last_completed("month")).queued == 0
