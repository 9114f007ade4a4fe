"""What the requester's ticket page says comes next: the deadlines in plain words, the team that
has the ticket, and where it stands on the way from filed to closed.

Made from the ticket's own columns (no query): the page costs the same with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from helpdesk.i18n import due_phrase
from helpdesk.tickets.models import Status, Ticket
from helpdesk.tickets.services.resolution import reopen_days
from helpdesk.timeutil import ensure_aware

# The progress line, in order: (key, label).
STEPS = (
    ("filed", _l("Filed")),
    ("received", _l("Received")),
    ("in_progress", _l("In progress")),
    ("resolved", _l("Resolved")),
    ("closed", _l("Closed")),
)


@dataclass(frozen=True)
class NextStep:
    """The block's sentences, the team that has the ticket (None: nothing pending), and whether
    the requester is the one expected to act (the page then leads them to the reply box)."""

    sentences: list[str]
    team: str | None
    your_turn: bool = False


def progress_step(ticket: Ticket) -> int:
    """The index in STEPS where the ticket stands: a new ticket is received once someone holds
    it or has answered; any other open status is being worked on."""
    if ticket.status == Status.CLOSED:
        return 4
    if ticket.status == Status.RESOLVED:
        return 3
    if ticket.status == Status.NEW:
        return 1 if ticket.assignee_id or ticket.first_responded_at else 0
    return 2


def progress_of(ticket: Ticket) -> list[tuple[str, str, str]]:
    """The progress line: (key, label, state) per step, state "done", "current" or "todo"."""
    current = progress_step(ticket)
    states = ("done", "current", "todo")
    return [
        (key, str(label), states[(index > current) + (index >= current)])
        for index, (key, label) in enumerate(STEPS)
    ]


def next_step(ticket: Ticket, team: str, now: datetime) -> NextStep:
    """What happens next on the ticket, said to its requester (see the module's docstring)."""
    status = ticket.status
    if status == Status.CLOSED or ticket.merged_into_id is not None:
        return NextStep([_("This ticket is closed; nothing is pending.")], None)
    if status == Status.RESOLVED:
        return NextStep(_resolved(ticket, now), team)
    if status == Status.WAITING_REQUESTER:
        sentences = [
            _(
                "The support team is waiting for your answer: "
                "its deadline is paused until you reply."
            ),
            _("Read the team's last message and reply below with what it asks for."),
        ]
        return NextStep(sentences, team, your_turn=True)
    sentences = []
    if status == Status.WAITING_THIRD_PARTY:
        sentences.append(
            _("The support team is waiting for another party (such as the system's vendor).")
        )
    if ticket.first_responded_at is None:
        sentences.append(_first_response(ticket.first_response_due, now))
    else:
        sentences.append(_("The support team has responded."))
    if ticket.resolution_due is not None:
        sentences.append(_resolution(ticket.resolution_due, now))
    return NextStep(sentences, team)


def _first_response(due: datetime | None, now: datetime) -> str:
    if due is None:
        return _("The support team will respond as soon as it can.")
    if ensure_aware(due) <= now:
        return _(
            "The time to respond (%(due)s) has passed; "
            "the support team will answer as soon as it can.",
            due=due_phrase(due, now),
        )
    return _("The support team will respond before %(due)s.", due=due_phrase(due, now))


def _resolution(due: datetime, now: datetime) -> str:
    if ensure_aware(due) <= now:
        return _(
            "The time planned to resolve it (%(due)s) has passed; the team is still working on it.",
            due=due_phrase(due, now),
        )
    return _("It plans to resolve the problem before %(due)s.", due=due_phrase(due, now))


def _resolved(ticket: Ticket, now: datetime) -> list[str]:
    sentences = [_("The support team marked the problem as resolved.")]
    if ticket.resolved_at is None:
        return sentences
    until = ensure_aware(ticket.resolved_at) + timedelta(days=reopen_days())
    if until > now:
        sentences.append(
            _(
                "You can confirm that it is solved, or reopen the ticket if it is not, "
                "until %(until)s.",
                until=due_phrase(until, now),
            )
        )
    else:
        sentences.append(_("It can no longer be reopened and will close shortly."))
    return sentences
