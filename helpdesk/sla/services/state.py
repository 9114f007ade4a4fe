"""The state of a ticket's clocks at an instant, for badges and the API's `sla_state`.

On plain values (`Clocks`); the same states as a WHERE clause over tickets, for list filters,
are the tickets package's (helpdesk.tickets.services.sla_state).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from helpdesk.sla import clock
from helpdesk.sla.models import TimerKind, TimerStage
from helpdesk.sla.services.calendars import Targets, calendar_for, policy_calendar, targets_for
from helpdesk.sla.services.deadlines import KINDS, Clocks, deadline, is_running, marker
from helpdesk.sla.states import SlaState


@dataclass(frozen=True)
class Badge:
    """What a badge shows: the state and the signed business minutes to the relevant deadline."""

    state: SlaState
    remaining_minutes: int | None


def state(clocks: Clocks, now: datetime) -> SlaState:
    """The state of the clocks at `now`.

    Open tickets: BREACHED while a running deadline has passed or a resolution breach was
    recorded, else WARNING past a warning point, else PAUSED while waiting on the requester.
    Resolved and closed tickets: MET, or BREACHED if their resolution was late.
    """
    if not clocks.open:
        return SlaState.BREACHED if clocks.resolution_breached_at is not None else SlaState.MET
    return _open_state(clocks, now, targets_for(clocks.sla_policy_id))


def _open_state(clocks: Clocks, now: datetime, found: Targets | None) -> SlaState:
    """The state of an open ticket's clocks, its policy's targets (None: no policy) given."""
    calendar = found.calendar if found is not None else calendar_for(None)
    breached = clocks.resolution_breached_at is not None
    warning = False
    for kind in KINDS:
        if not is_running(clocks, kind):
            continue
        due = deadline(clocks, kind)
        if due <= now or marker(clocks, kind, TimerStage.BREACH):
            breached = True
        elif marker(clocks, kind, TimerStage.WARNING) or (
            found is not None and clock.remaining(now, due, calendar) <= found.lead(kind)
        ):
            warning = True
    if breached:
        return SlaState.BREACHED
    if warning:
        return SlaState.WARNING
    return SlaState.PAUSED if clocks.sla_paused_at is not None else SlaState.OK


def remaining_minutes(clocks: Clocks, now: datetime) -> int | None:
    """Signed business minutes to the relevant deadline (negative once late); None when no
    clock runs. The first response while it is pending, else the resolution (paused: what is
    left)."""
    if not clocks.open:
        return None
    return _open_remaining(clocks, now, policy_calendar(clocks.sla_policy_id))


def _open_remaining(clocks: Clocks, now: datetime, calendar: clock.Calendar) -> int | None:
    if is_running(clocks, TimerKind.FIRST_RESPONSE):
        return clock.remaining(now, clocks.first_response_due, calendar)
    if clocks.sla_paused_at is not None:
        return clocks.sla_remaining_minutes
    if clocks.resolution_due is not None:
        return clock.remaining(now, clocks.resolution_due, calendar)
    return None


def badge(clocks: Clocks, now: datetime) -> Badge:
    """The state and remaining minutes for `templates/sla/_badge.html`; the policy's targets
    looked up once for both (a list shows a badge on every row)."""
    if not clocks.open:
        return Badge(state(clocks, now), None)
    found = targets_for(clocks.sla_policy_id)
    calendar = found.calendar if found is not None else calendar_for(None)
    return Badge(_open_state(clocks, now, found), _open_remaining(clocks, now, calendar))
