"""Who tells a reached deadline: the one hook from the SLA up to the tickets package.

The SLA finds that a deadline is reached: a timer's own job at its instant
(`helpdesk.sla.jobs.fire_deadline`), or the minutely sweep's notices. Telling it means claiming
it on its ticket (the warned or breached marker, once), writing the ticket's event and mail and
running the policy's escalation steps: the tickets package's work, which sits above this one.
So the tickets package registers its two entry points here when the app is created
(`helpdesk.create_app` calls `helpdesk.tickets.services.escalation.init_app`), and the SLA's
jobs call them through `announcer()`. An app made without them fails at the first deadline
reached, loudly, rather than letting deadlines pass untold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app

EXTENSION = "helpdesk.sla.announcer"


@dataclass(frozen=True)
class Announcer:
    """The tickets package's entry points for reached deadlines."""

    # (ticket id, kind, stage, deadline, now=...): fire one timer whose job came; the Outcome.
    fire_timer: Callable[..., str]
    # Claim and tell every notice the sweep left; how many warnings and breaches were told.
    announce_pending: Callable[[], int]


def register(app: Flask, announcer: Announcer) -> None:
    """Who tells the reached deadlines of this app (once, at its creation)."""
    app.extensions[EXTENSION] = announcer


def announcer() -> Announcer:
    """The current app's teller of reached deadlines."""
    found = current_app.extensions.get(EXTENSION)
    if found is None:
        raise RuntimeError("no one tells reached SLA deadlines: create the app with create_app()")
    return found


def fire_timer(ticket_id: int, kind: str, stage: str, due: datetime, *, now: datetime) -> str:
    return announcer().fire_timer(ticket_id, kind, stage, due, now=now)


def announce_pending() -> int:
    return announcer().announce_pending()
