"""The ticket's history as sentences: one readable line per event kind."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from helpdesk.tickets.forms import PRIORITY_LABELS, STATUS_LABELS
from helpdesk.timeutil import to_local

# Reasons the services record as codes rather than words.
REASONS = {
    "confirmed": _l("confirmed by the requester"),
    "reopened": _l("reopened by the requester"),
    "auto_closed": _l("closed automatically after the waiting days"),
    "merged": _l("merged into another ticket"),
}


def status_label(code) -> str:
    return str(STATUS_LABELS.get(code, code or ""))


def priority_label(value) -> str:
    try:
        return f"{int(value)} – {PRIORITY_LABELS[int(value)]}"
    except (KeyError, TypeError, ValueError):
        return str(value)


CLOCKS = {"first_response": _l("first response"), "resolution": _l("resolution")}


def clock_label(clock) -> str:
    return str(CLOCKS.get(clock, clock or ""))


def due_text(value) -> str:
    """An ISO instant from an event's data, in local time."""
    try:
        return local_time(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value or "")


def local_time(instant: datetime) -> str:
    return to_local(instant, current_app.config["HELPDESK_TIMEZONE"]).strftime("%d/%m/%Y %H:%M")


def reason_text(reason) -> str:
    return str(REASONS.get(reason, reason or ""))


def describe(event, queues: dict[int, str], users: dict[int, str]) -> str:
    """One sentence for an event; `queues` and `users` name the ids its data refers to."""
    data = event.data or {}

    def queue(key: str) -> str:
        return queues.get(data.get(key), _("a removed queue"))

    kind = event.kind
    if kind == "created":
        return _("Ticket filed.")
    if kind == "routed":
        return _(
            "Routed to %(queue)s (%(reason)s).",
            queue=queue("queue_id"),
            reason=data.get("reason", ""),
        )
    if kind == "assigned":
        if data.get("assignee_id") is None:
            return _("Unassigned.")
        name = users.get(data["assignee_id"], _("a removed account"))
        if data.get("automatic"):
            return _("Assigned automatically to %(name)s.", name=name)
        return _("Assigned to %(name)s.", name=name)
    if kind == "unassigned":
        return _(
            "Nobody in %(queue)s could take it; the supervisor was told.", queue=queue("queue_id")
        )
    if kind == "status_changed":
        text = _(
            "Status changed from %(old)s to %(new)s.",
            old=status_label(data.get("old")),
            new=status_label(data.get("new")),
        )
        if data.get("reason"):
            text += " " + _("Reason: %(reason)s", reason=reason_text(data["reason"]))
        return text
    if kind == "note_added":
        return _("Internal note added.")
    if kind == "escalated" and data.get("step") == "priority":
        return _(
            "Priority raised from %(old)s to %(new)s after a missed deadline.",
            old=priority_label(data.get("old")),
            new=priority_label(data.get("new")),
        )
    if kind in ("sla_warning", "sla_breached"):
        template = (
            _("The %(clock)s deadline (%(due)s) is near.")
            if kind == "sla_warning"
            else _("The %(clock)s deadline (%(due)s) was missed.")
        )
        return template % {
            "clock": clock_label(data.get("clock")),
            "due": due_text(data.get("due")),
        }
    if kind in ("transferred", "escalated", "rerouted"):
        template = {
            "transferred": _("Transferred from %(old)s to %(new)s. Reason: %(reason)s"),
            "escalated": _("Escalated from %(old)s to %(new)s. Reason: %(reason)s"),
            "rerouted": _("Routed again from %(old)s to %(new)s (%(reason)s)."),
        }[kind]
        return template % {
            "old": queue("from_queue_id"),
            "new": queue("to_queue_id"),
            "reason": data.get("reason", ""),
        }
    if kind == "priority_changed":
        return _(
            "Priority changed from %(old)s to %(new)s.",
            old=priority_label(data.get("old")),
            new=priority_label(data.get("new")),
        )
    if kind == "facts_changed":
        old, new = data.get("old") or [], data.get("new") or []
        return _(
            "System, category and province changed from %(old)s to %(new)s.",
            old=" / ".join(map(str, old)),
            new=" / ".join(map(str, new)),
        )
    if kind == "merged":
        return _("Merged into %(number)s.", number=data.get("into", ""))
    if kind == "merged_in":
        return _("%(number)s was merged into this ticket.", number=data.get("source", ""))
    if kind == "linked":
        if data.get("parent"):
            return _("Linked under the incident %(number)s.", number=data["parent"])
        return _("Unlinked from its parent incident.")
    if kind == "rated":
        return _("The requester rated the service %(rating)s of 5.", rating=data.get("rating", ""))
    details = ", ".join(f"{key}: {value}" for key, value in sorted(data.items()))
    return f"{kind.replace('_', ' ').capitalize()}" + (f" ({details})" if details else "")
