"""The weekly and monthly digests: due Monday 07:30 and on the first working day of the month,
queued once per reader and period however often the job runs, each reader's figures within
their reach (an observer's systems, a coordinator's province, a supervisor's queues), nobody
who opted out, and the workbook of the figures attached to the mail."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from integration.reports.digest_helpers import (
    MONDAY,
    add_ticket,
    add_two_weeks,
    at,
    digest_for,
    digest_rows,
    figures,
    parsed_mail,
    workbook_rows,
)
from sqlalchemy import delete, func, select

from helpdesk import periodic, storage, worker  # noqa: F401 - periodic registers the jobs
from helpdesk.reports import jobs
from helpdesk.reports.digests import mailing
from helpdesk.reports.models import DigestRun
from helpdesk.routing.models import Queue

DUE = at(f"{MONDAY} 07:30")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def readers(db, make_user):
    """The two weeks' tickets and a reader of each kind: a national observer, an observer of
    moj, the coordinator of province 79, the supervisor of moha-it (reading English)."""
    add_two_weeks(db, make_user("requester"))
    people = SimpleNamespace(
        national=make_user("observer", full_name="Quan sát toàn quốc"),
        moj=make_user("observer", systems=("moj",)),
        coordinator=make_user("coordinator", province_code="79"),
        supervisor=make_user("supervisor", language="en"),
    )
    queue = db.session.scalar(select(Queue).where(Queue.code == "moha-it"))
    queue.supervisor_id = people.supervisor.id
    db.session.commit()
    return people


def test_the_job_run_twice_queues_each_digest_once(db, readers):
    first = mailing.send_due(now=DUE)
    db.session.execute(delete(DigestRun))  # as if a second scheduler had not seen the run end
    db.session.commit()
    second = mailing.send_due(now=DUE)
    third = mailing.send_due(now=DUE)  # the run is recorded: nothing is looked at again

    assert [(o.queued, o.already) for o in first] == [(4, 0)]
    assert [(o.queued, o.already) for o in second] == [(0, 4)]
    assert third == []
    keys = [row.key for row in digest_rows(db)]
    people = (readers.national, readers.moj, readers.coordinator, readers.supervisor)
    assert keys == sorted(f"digest:week:2026-11-30:{person.id}" for person in people)
    assert db.session.scalar(select(func.count()).select_from(DigestRun)) == 1


def test_the_cron_process_runs_the_digest_job_every_five_minutes():
    registered = {job: interval for job, interval in worker.PERIODIC}

    assert registered[jobs.send_due_digests] == 300


def test_each_reader_gets_the_figures_of_their_reach(db, readers):
    mailing.send_due(now=DUE)

    national = digest_for(db, readers.national)
    assert figures(national) == {
        "filed": 5,
        "resolved": 2,
        "first_response_percent": 100.0,
        "resolution_percent": 50.0,
        "breached": 3,
        "backlog": 4,  # tickets 2, 3 and 5, and 7 of the week before
    }
    before = {f["name"]: f["before"] for f in national.context["figures"]}
    assert (before["filed"], before["breached"], before["backlog"]) == (2, 0, 1)
    changes = {f["name"]: f["change"] for f in national.context["figures"]}
    assert (changes["filed"], changes["breached"], changes["backlog"]) == (3, 3, 3)

    moj = digest_for(db, readers.moj)  # tickets 1, 2 and 3 only
    assert (figures(moj)["filed"], figures(moj)["breached"], figures(moj)["backlog"]) == (3, 2, 2)
    assert [q["name"] for q in moj.context["queues"]] == [
        name for name in queue_names(db, "moj-it", "moj-fpt")
    ]
    assert "moha" not in str(moj.context).lower()

    coordinator = digest_for(db, readers.coordinator)  # tickets 1, 2 and 4 (province 79)
    assert (figures(coordinator)["filed"], figures(coordinator)["breached"]) == (3, 2)
    assert [p["name"] for p in coordinator.context["provinces"]] == ["TP. Hồ Chí Minh"]

    supervisor = digest_for(db, readers.supervisor)  # moha-it: tickets 4 and 5
    assert (figures(supervisor)["filed"], figures(supervisor)["breached"]) == (2, 1)
    assert [q["name"] for q in supervisor.context["queues"]] == queue_names(db, "moha-it")
    assert [(p["name"], p["breached"]) for p in supervisor.context["provinces"]] == [("Hà Nội", 1)]
    assert supervisor.language == "en"


def queue_names(db, *codes: str) -> list[str]:
    names = dict(
        db.session.execute(select(Queue.code, Queue.name).where(Queue.code.in_(codes))).all()
    )
    return [names[code] for code in codes]


def test_who_opted_out_or_reaches_nothing_gets_no_digest(db, readers, make_user):
    readers.moj.digest_opt_out = True
    no_province = make_user("coordinator", province_code="01")
    no_province.province_code = None  # a coordinator of no province reads nothing
    agent = make_user("agent")
    db.session.commit()

    [outcome] = mailing.send_due(now=DUE)

    assert outcome.queued == 3
    people = {row.user_id for row in digest_rows(db)}
    assert readers.moj.id not in people
    assert not people & {no_province.id, agent.id}


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (f"{MONDAY} 07:29", False),
        (f"{MONDAY} 07:30", True),
        (f"{MONDAY} 16:00", True),
        ("2026-12-06 09:00", False),  # Sunday: the week is not over
        ("2026-12-08 07:30", False),  # Tuesday: the day has passed
    ],
)
def test_the_weekly_digest_is_due_from_monday_0730(db, readers, now, due):
    outcomes = mailing.send_due(now=at(now))

    assert bool(digest_rows(db)) is due
    assert [o.period.start.isoformat() for o in outcomes] == (["2026-11-30"] if due else [])


def test_the_monthly_digest_waits_for_the_first_working_day_after_the_holidays(db, make_user):
    observer = make_user("observer")
    add_ticket(db, make_user("requester"), "2026-08-14 10:00", breached=True)
    db.session.commit()

    # 1 and 2 September 2026 are National Day: August's digest goes on Thursday 3 September.
    for now in ("2026-09-01 08:00", "2026-09-02 08:00", "2026-09-03 07:29"):
        assert mailing.send_due(now=at(now)) == []
    [outcome] = mailing.send_due(now=at("2026-09-03 07:30"))

    assert (outcome.period.kind, outcome.period.start.isoformat()) == ("month", "2026-08-01")
    row = digest_for(db, observer)
    assert row.key == f"digest:month:2026-08-01:{observer.id}"
    assert (figures(row)["filed"], figures(row)["breached"]) == (1, 1)
    assert "Bản tin tháng 08/2026" == str(parsed_mail(row)["Subject"])


def test_the_job_is_cheap_when_nothing_is_due(db, readers, count_queries):
    mailing.send_due(now=DUE)
    probes = {}
    for now in ("2026-12-23 10:00", "2026-12-09 10:00", f"{MONDAY} 07:35"):
        with count_queries() as statements:
            assert mailing.send_due(now=at(now)) == []
        probes[now] = len(statements)

    # Past the 20th no calendar is read; before it the SLA calendar is in memory already; on
    # the send day, once the run is recorded, its row is all the job reads.
    assert probes == {"2026-12-23 10:00": 0, "2026-12-09 10:00": 0, f"{MONDAY} 07:35": 1}


def test_the_mail_carries_the_workbook_of_the_figures(db, readers):
    queue = db.session.scalar(select(Queue).where(Queue.code == "moj-fpt"))
    queue.name = '=HYPERLINK("http://x", "FPT")'  # a name that would run as a formula
    db.session.commit()
    mailing.send_due(now=DUE)
    row = digest_for(db, readers.national)

    [named] = row.context["attachments"]
    assert set(named) == {"sha256", "filename", "content_type"}
    assert len(str(row.context)) < 4000  # the figures and a file's name, not the file
    mail = parsed_mail(row)
    assert str(mail["Subject"]) == "Bản tin tuần 30/11/2026 – 06/12/2026"
    [attachment] = mail.iter_attachments()
    assert attachment.get_filename() == "Bản tin tuần 2026-11-30.xlsx"
    assert attachment.get_content_type() == XLSX
    data = attachment.get_content()
    assert data == storage.read(named["sha256"])
    rows = workbook_rows(data)
    assert rows[0][0] == "Bản tin tuần 30/11/2026 – 06/12/2026"
    assert ("Yêu cầu mới gửi", 5, 2, 3) in rows
    assert ("Yêu cầu quá hạn", 3, 0, 3) in rows
    assert ('\'=HYPERLINK("http://x", "FPT")', 1, 0, None, 1) in rows
    assert ("Hà Nội", 2, 0, None, 1) in rows
    assert ("Giải quyết đúng hạn (%)", 50, 100, -50) in rows

    text = mail.get_body(("plain",)).get_content()
    assert "Yêu cầu mới gửi: 5 (kỳ trước: 2; thay đổi: +3)" in text
    links = {urlsplit(url).path: url for url in text.split() if url.startswith("http")}
    dashboard = parse_qs(urlsplit(links["/reports/"]).query)
    assert (dashboard["start"], dashboard["end"]) == (["2026-11-30"], ["2026-12-07"])
    issues = parse_qs(urlsplit(links["/reports/issues"]).query)
    assert (issues["from"], issues["to"]) == (["2026-11-30"], ["2026-12-06"])
    assert any(path.startswith("/auth/digests/stop/") for path in links)
    html = mail.get_body(("html",)).get_content()
    assert "=HYPERLINK(&#34;http://x&#34;, &#34;FPT&#34;)" in html  # a name, escaped


def test_an_english_reader_gets_an_english_digest_and_workbook(db, readers):
    mailing.send_due(now=DUE)
    mail = parsed_mail(digest_for(db, readers.supervisor))

    assert str(mail["Subject"]) == "Weekly digest 30/11/2026 – 06/12/2026"
    [attachment] = mail.iter_attachments()
    assert attachment.get_filename() == "Weekly digest 2026-11-30.xlsx"
    assert ("Tickets filed", 2, 1, 1) in workbook_rows(attachment.get_content())
