"""SLA rules: policies, business calendars, deadlines in business time, pending timers and the
notices of deadlines reached. Nothing here reads or writes a ticket: a ticket's SLA columns come
in and go out as plain values (`Clocks`), and helpdesk.tickets.services.deadlines applies them.

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
  deadline. A timer's job, or the minutely sweep through a notice, reaches the tickets package
  through the announcer it registered, which claims and tells the deadline.

Modules: `calendars` (policies and calendars, cached per reference stamp), `deadlines` (the
rules above on plain values), `state` (ok/warning/breached/paused/met, badges), `timers` (the
pending timers and their RQ jobs), `notices` (the sweep), `announcer` (the hook up to tickets),
`seeding`, `admin` (policies and calendar days). The names below are what other domains use.
"""

from helpdesk.sla.services.calendars import (
    DEFAULT_CALENDAR,
    Targets,
    builtin_calendar,
    calendar_for,
    escalating_policies,
    find_calendar,
    find_policy,
    forget_cached,
    named_calendar,
    policy_calendar,
    targets_for,
    targets_of,
    to_clock,
)
from helpdesk.sla.services.deadlines import (
    COLUMNS,
    KINDS,
    Clocks,
    Phase,
    deadline,
    is_running,
    marker,
    marker_name,
    on_public_agent_reply,
    on_status_change,
    set_deadlines,
)
from helpdesk.sla.services.seeding import stage_defaults
from helpdesk.sla.services.state import Badge, badge, remaining_minutes, state
from helpdesk.sla.services.timers import (
    DueTimer,
    Outcome,
    TimerKey,
    insert_timers,
    schedule_rows,
    schedule_timers,
    sync_many,
    sync_timers,
    timer_job_id,
    timer_jobs,
    waiting,
    wanted_timers,
    warning_instant,
)

__all__ = [
    "COLUMNS",
    "DEFAULT_CALENDAR",
    "KINDS",
    "Badge",
    "Clocks",
    "DueTimer",
    "Outcome",
    "Phase",
    "Targets",
    "TimerKey",
    "badge",
    "builtin_calendar",
    "calendar_for",
    "deadline",
    "escalating_policies",
    "find_calendar",
    "find_policy",
    "forget_cached",
    "insert_timers",
    "is_running",
    "marker",
    "marker_name",
    "named_calendar",
    "on_public_agent_reply",
    "on_status_change",
    "policy_calendar",
    "remaining_minutes",
    "schedule_rows",
    "schedule_timers",
    "stage_defaults",
    "set_deadlines",
    "state",
    "sync_many",
    "sync_timers",
    "targets_for",
    "targets_of",
    "timer_job_id",
    "timer_jobs",
    "to_clock",
    "waiting",
    "wanted_timers",
    "warning_instant",
]
