"""Who gets the digests, and their queueing: every active observer, coordinator and supervisor
with an address who has not opted out, each with the figures of their own reach (scope.reach_of)
and a workbook of them; one outbox row per recipient and period, keyed
`digest:<week|month>:<first day>:<user id>`, so that a second run (another scheduler, the
command again) adds nothing. Once every recipient was gone through, the period's DigestRun row
tells the periodic job that nothing is left to do."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from helpdesk import storage
from helpdesk.auth.models import DIGEST_ROLES, Status, User
from helpdesk.auth.services import links
from helpdesk.extensions import db, insert_with_conflicts
from helpdesk.notifications.models import Outbox
from helpdesk.notifications.outbox import dispatch, outbox_id, queue_email
from helpdesk.notifications.rendering import link
from helpdesk.reports.digests import schedule, workbook
from helpdesk.reports.digests.figures import FIGURES, Digest, KeyFigures, Place, digest_of
from helpdesk.reports.digests.schedule import KINDS, Period
from helpdesk.reports.issue_filters import IssueFilters
from helpdesk.reports.models import DigestRun
from helpdesk.reports.scope import Reach, reach_of
from helpdesk.sla import clock
from helpdesk.sla.services import calendars
from helpdesk.spreadsheets import XLSX_MIMETYPE
from helpdesk.timeutil import to_local, utcnow

log = logging.getLogger(__name__)

BATCH = 50  # recipients a transaction: their rows go in with one INSERT, to RQ after its commit
TEMPLATE = "digest"


@dataclass(frozen=True)
class Outcome:
    period: Period
    queued: int  # digests this run put in the outbox
    already: int  # digests that were in the outbox before (sent, or on their way)


@dataclass(frozen=True)
class Preview:
    """What a recipient's digest would say, as `--dry-run` prints it (no CCCD, no address)."""

    username: str  # masked
    period: Period
    figures: KeyFigures
    already: bool  # its digest is in the outbox already


def key_of(period: Period, user_id: int) -> str:
    return f"digest:{period.kind}:{period.start.isoformat()}:{user_id}"


def is_working_day(day: date) -> bool:
    """Whether the SLA's default calendar works that day (Vietnamese holidays and Tết)."""
    return clock.is_working_day(day, calendars.named_calendar(calendars.DEFAULT_CALENDAR))


def local_now(now: datetime) -> datetime:
    return to_local(now, current_app.config["HELPDESK_TIMEZONE"])


def last_completed(kind: str, *, now: datetime | None = None) -> Period:
    """The latest week or month that has ended (what the command sends)."""
    return schedule.last_completed(kind, local_now(now or utcnow()).date())


def send_due(*, now: datetime | None = None) -> list[Outcome]:
    """Queue the digests of each period due at `now` that no run finished yet (see send).

    Cheap when nothing is due: dates compared in memory, then one primary-key probe of
    digest_runs on a send day.
    """
    now = now or utcnow()
    outcomes = []
    for kind in KINDS:
        period = schedule.due(kind, local_now(now), is_working_day)
        if period is None or db.session.get(DigestRun, (period.kind, period.start)) is not None:
            continue
        outcomes.append(send(period, now=now))
    return outcomes


def send(period: Period, *, now: datetime | None = None) -> Outcome:
    """Queue the period's digests that are not in the outbox yet, BATCH recipients a commit
    (each batch's rows go to RQ after it), then record the run. Commits.

    A recipient whose reach holds nothing (a coordinator without a province, a supervisor of
    no queue) gets no digest.
    """
    now = now or utcnow()
    made = Made(period)
    queued = already = 0
    for users in recipients():
        keys = {user.id: key_of(period, user.id) for user in users}
        present = keys_present(list(keys.values()))
        rows = []
        for user in users:
            if keys[user.id] in present:
                already += 1
                continue
            reach = reach_of(user)
            if not reaches_anything(reach):
                continue
            rows.append(queue_digest(user, made, reach, key=keys[user.id], now=now))
        db.session.commit()
        dispatch(rows)
        inserted = sum(outbox_id(row) is not None for row in rows)
        queued, already = queued + inserted, already + len(rows) - inserted
    record_run(period, queued, now=now)
    log.info("digests of %s %s: %s queued, %s already", period.kind, period.start, queued, already)
    return Outcome(period, queued, already)


def preview(period: Period) -> Iterator[Preview]:
    """What each recipient's digest would say; queues nothing, stores nothing."""
    made = Made(period)
    for users in recipients():
        present = keys_present([key_of(period, user.id) for user in users])
        for user in users:
            reach = reach_of(user)
            if reaches_anything(reach):
                yield Preview(
                    username=user.masked_username,
                    period=period,
                    figures=made.digest(reach).figures,
                    already=key_of(period, user.id) in present,
                )


def recipients() -> Iterator[list[User]]:
    """The recipients by id, BATCH at a time (each batch read after the previous one's commit)."""
    after = 0
    while True:
        users = list(
            db.session.scalars(
                select(User)
                .where(
                    User.id > after,
                    User.status == Status.ACTIVE,
                    User.role.in_(DIGEST_ROLES),
                    User.email != "",
                    User.digest_opt_out.is_(False),
                )
                .order_by(User.id)
                .limit(BATCH)
            )
        )
        if not users:
            return
        after = users[-1].id
        yield users


def keys_present(keys: list[str]) -> set[str]:
    """Those of the keys that are in the outbox (one probe of its unique index)."""
    return set(db.session.scalars(select(Outbox.key).where(Outbox.key.in_(keys))))


def reaches_anything(reach: Reach) -> bool:
    return reach.systems != () and reach.queues != ()


class Made:
    """A run's digests by reach and workbooks by reach and language: readers of one reach
    (the national observers, a province's coordinators) share one computation and one file."""

    def __init__(self, period: Period) -> None:
        self.period = period
        self.digests: dict[Reach, Digest] = {}
        self.files: dict[tuple[Reach, str], storage.StoredFile] = {}

    def digest(self, reach: Reach) -> Digest:
        if reach not in self.digests:
            timezone = current_app.config["HELPDESK_TIMEZONE"]
            self.digests[reach] = digest_of(self.period, reach, timezone=timezone)
        return self.digests[reach]

    def workbook(self, reach: Reach, language: str) -> storage.StoredFile:
        """The digest's workbook in the language in force, stored (content-addressed)."""
        if (reach, language) not in self.files:
            upload = storage.Upload(
                workbook.file_name(self.period), workbook.xlsx(self.digest(reach))
            )
            self.files[reach, language] = storage.store(upload, XLSX_MIMETYPE)
        return self.files[reach, language]


def queue_digest(user: User, made: Made, reach: Reach, *, key: str, now: datetime):
    """The outbox row of one recipient's digest, in their language (no commit)."""
    period = made.period
    with force_locale(user.language):
        stored = made.workbook(reach, user.language)
    context = {
        "full_name": user.full_name,
        **digest_context(made.digest(reach)),
        "dashboard_url": link(
            "reports.dashboard", start=period.start.isoformat(), end=period.end.isoformat()
        ),
        "issues_url": link(
            "reports.issue_list", **IssueFilters(start=period.start, end=period.last).args()
        ),
        "opt_out_url": link("auth.stop_digests", token=links.issue("digest", user, now=now)),
        "attachments": [
            {
                "sha256": stored.sha256,
                "filename": stored.filename,
                "content_type": stored.content_type,
            }
        ],
    }
    return queue_email(
        template=TEMPLATE,
        to=user.email,
        language=user.language,
        context=context,
        key=key,
        user_id=user.id,
    )


def digest_context(digest: Digest) -> dict:
    """The figures as the mail's templates read them (JSON values, a few hundred bytes)."""
    period = digest.period
    return {
        "period": period.kind,
        "first_day": period.start.strftime(workbook.DAY),
        "last_day": period.last.strftime(workbook.DAY),
        "month": period.start.strftime("%Y-%m"),
        "figures": [
            {
                "name": name,
                "value": getattr(digest.figures, name),
                "before": getattr(digest.before, name),
                "change": digest.change(name),
            }
            for name in FIGURES
        ],
        "queues": [place_context(place) for place in digest.worst_queues],
        "provinces": [place_context(place) for place in digest.worst_provinces],
    }


def place_context(place: Place) -> dict:
    return {
        "name": place.name,
        "filed": place.filed,
        "resolved": place.resolved,
        "on_time": place.on_time_percent,
        "breached": place.breached,
    }


def record_run(period: Period, queued: int, *, now: datetime) -> None:
    """Note that every recipient of the period was gone through (a second note is ignored).
    Commits."""
    statement = (
        insert_with_conflicts(db.session)(DigestRun)
        .values(kind=period.kind, starts_on=period.start, finished_at=now, queued=queued)
        .on_conflict_do_nothing()
    )
    db.session.execute(statement)
    db.session.commit()
