"""Merging a duplicate into another ticket."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from helpdesk import errors
from helpdesk.auth.models import User
from helpdesk.tickets.models import EventKind, Status, Ticket
from helpdesk.tickets.services import mail
from helpdesk.tickets.services.access import require_work
from helpdesk.tickets.services.changes import commit_and_dispatch, expect_version
from helpdesk.tickets.services.events import stage_event
from helpdesk.tickets.services.followers import followers_of, stage_follower
from helpdesk.tickets.services.status import stage_status
from helpdesk.timeutil import utcnow


def merge(
    actor: User,
    source: Ticket,
    target: Ticket,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Merge a duplicate into another ticket: the duplicate closes and points at the target;
    every message stays where it was written; both requesters and the followers are told. The
    duplicate's requester and followers follow the target from then on, so that they can open
    it. Commits. `version` is the source's, as the page showed it."""

    now = now or utcnow()
    require_work(actor, source)
    require_work(actor, target)
    expect_version(source, version)
    if source.is_incident or target.is_incident:
        raise errors.Invalid(
            _("An incident is not merged; attach tickets to it instead."), "target"
        )
    if source.id == target.id or target.merged_into_id == source.id:
        raise errors.Invalid(_("A ticket cannot be merged into itself."), "target")
    if target.status == Status.CLOSED:
        raise errors.Invalid(_("The target ticket is closed."), "target")
    if source.status == Status.CLOSED:
        raise errors.Invalid(_("This ticket is already closed."), "target")
    source.merged_into_id = target.id
    stage_event(source, EventKind.MERGED, actor=actor, at=now, into=target.number)
    stage_event(target, EventKind.MERGED_IN, actor=actor, at=now, source=source.number)
    if source.status != Status.RESOLVED:
        stage_status(
            source,
            Status.RESOLVED,
            actor=actor,
            now=now,
            reason="merged",
            resolution=merged_outcome(target),
            notify=False,
        )
    stage_status(source, Status.CLOSED, actor=actor, now=now, reason="merged", notify=False)
    outbox = mail.on_merged(source, target)  # before the new followers: they are told once
    for person in [source.requester, *followers_of(source)]:
        stage_follower(target, person, actor=actor, now=now, source=source.number)
    commit_and_dispatch(outbox)
    return target


def merged_outcome(target: Ticket) -> str:
    """The outcome a merged duplicate keeps, in the product's first language (stored text that
    its requester and every export read, whoever merged it)."""
    with force_locale(current_app.config["LANGUAGES"][0]):
        return _(
            "Merged into ticket %(number)s, which deals with the same problem.",
            number=target.number,
        )
