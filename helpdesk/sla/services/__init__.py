"""SLA rules: deadlines from policies in business time, pauses, the state of a ticket's clocks.

tickets.services calls these inside its transactions (none of them commits):

- `set_deadlines(ticket, now)` when a ticket is filed (or its facts change);
- `on_public_agent_reply`, `on_status_change`, `on_priority_change` as the ticket moves;
- `schedule_timers(ticket)` after the commit, to hand the new timers to RQ.

Rules kept here (and in the README's "SLA defaults"):

- Deadlines count business minutes from `now` with the policy's calendar; a priority change
  recomputes them from `now` with the new priority's policy.
- A breach is a fact: a breached deadline is not recomputed by a priority change, a pause or a
  reopen, so the ticket stays "breached" until it is resolved.
- Waiting on the requester pauses the resolution clock (its remaining business minutes are kept
  and `resolution_due` is cleared); leaving that status resumes it from the moment it resumes.
  The first-response clock never pauses. An overdue clock does not pause.
- Resolving or closing meets both clocks; the remaining resolution minutes are kept, and a
  reopen resumes the clock with them (never less than zero: a ticket resolved late is due at
  once). A ticket reopened without any public agent reply gets a fresh first-response deadline.
- Every running deadline has pending timers (sla_timers): one at the warning point, one at the
  deadline. `alerts` fires them; `deadlines` keeps them in step with the ticket.

Modules: `calendars` (policies and calendars, cached per app context), `deadlines` (the hooks
above and the timers), `state` (ok/warning/breached/paused/met, badges, the list filter),
`seeding`, `alerts` (warn, breach, escalate, the sweep), `admin` (policies and calendar days),
`oversight` (the supervisors' lists). The names below are what other domains use.
"""

from helpdesk.sla.services.calendars import (
    DEFAULT_CALENDAR,
    Targets,
    builtin_calendar,
    calendar_for,
    find_calendar,
    find_policy,
    forget_cached,
    named_calendar,
    targets_for,
    targets_of,
    ticket_calendar,
    to_clock,
)
from helpdesk.sla.services.deadlines import (
    KINDS,
    deadline,
    is_open,
    is_running,
    marker,
    marker_name,
    on_priority_change,
    on_public_agent_reply,
    on_status_change,
    schedule_timers,
    set_deadlines,
    start_timers,
    sync_timers,
    timer_job_id,
    wanted_timers,
    warning_instant,
)
from helpdesk.sla.services.seeding import seed_defaults
from helpdesk.sla.services.state import (
    BREACHED,
    MET,
    OK,
    PAUSED,
    STATES,
    WARNING,
    Badge,
    badge,
    remaining_minutes,
    state,
    state_filter,
)

__all__ = [
    "BREACHED",
    "DEFAULT_CALENDAR",
    "KINDS",
    "MET",
    "OK",
    "PAUSED",
    "STATES",
    "WARNING",
    "Badge",
    "Targets",
    "badge",
    "builtin_calendar",
    "calendar_for",
    "deadline",
    "find_calendar",
    "find_policy",
    "forget_cached",
    "is_open",
    "is_running",
    "marker",
    "marker_name",
    "named_calendar",
    "on_priority_change",
    "on_public_agent_reply",
    "on_status_change",
    "remaining_minutes",
    "schedule_timers",
    "seed_defaults",
    "set_deadlines",
    "start_timers",
    "state",
    "state_filter",
    "sync_timers",
    "targets_for",
    "targets_of",
    "ticket_calendar",
    "timer_job_id",
    "to_clock",
    "wanted_timers",
    "warning_instant",
]
