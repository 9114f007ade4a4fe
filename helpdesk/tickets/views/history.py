"""The ticket's history as sentences: one readable line per event kind (SENTENCES)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from helpdesk.tickets.forms import PRIORITY_LABELS, STATUS_LABELS
from helpdesk.tickets.models import EventKind
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
    try:
        kind = EventKind(event.kind)
    except ValueError:
        kind = None
    sentence = SENTENCES.get(kind)
    if sentence is not None:
        return sentence(Named(data, queues, users))
    details = ", ".join(f"{key}: {value}" for key, value in sorted(data.items()))
    return f"{event.kind.replace('_', ' ').capitalize()}" + (f" ({details})" if details else "")


@dataclass(frozen=True)
class Named:
    """An event's data (the keys EventKind lists), with the names of the rows it refers to."""

    data: dict
    queues: dict[int, str]
    users: dict[int, str]

    def get(self, key: str, default=None):
        return self.data.get(key, default)

    def queue(self, key: str) -> str:
        return self.queues.get(self.data.get(key), _("a removed queue"))

    def user(self, key: str) -> str:
        return self.users.get(self.data[key], _("a removed account"))


def created(data: Named) -> str:
    return _("Ticket filed.")


def routed(data: Named) -> str:
    return _(
        "Routed to %(queue)s (%(reason)s).",
        queue=data.queue("queue_id"),
        reason=data.get("reason", ""),
    )


def assigned(data: Named) -> str:
    if data.get("assignee_id") is None:
        return _("Unassigned.")
    if data.get("automatic"):
        return _("Assigned automatically to %(name)s.", name=data.user("assignee_id"))
    return _("Assigned to %(name)s.", name=data.user("assignee_id"))


def unassigned(data: Named) -> str:
    if "supervisor_id" in data.data and data.get("supervisor_id") is None:
        return _("Nobody in %(queue)s could take it.", queue=data.queue("queue_id"))
    return _(
        "Nobody in %(queue)s could take it; the supervisor was told.",
        queue=data.queue("queue_id"),
    )


def unstaffed(data: Named) -> str:
    if data.get("admins"):
        return _(
            "Queue %(queue)s has nobody in charge; the administrators were told.",
            queue=data.queue("queue_id"),
        )
    return _(
        "Queue %(queue)s has nobody in charge, and no administrator could be told.",
        queue=data.queue("queue_id"),
    )


def status_changed(data: Named) -> str:
    text = _(
        "Status changed from %(old)s to %(new)s.",
        old=status_label(data.get("old")),
        new=status_label(data.get("new")),
    )
    if data.get("reason"):
        text += " " + _("Reason: %(reason)s", reason=reason_text(data.get("reason")))
    return text


def note_added(data: Named) -> str:
    return _("Internal note added.")


def moved(template: str, data: Named) -> str:
    return template % {
        "old": data.queue("from_queue_id"),
        "new": data.queue("to_queue_id"),
        "reason": data.get("reason", ""),
    }


def transferred(data: Named) -> str:
    return moved(_("Transferred from %(old)s to %(new)s. Reason: %(reason)s"), data)


def escalated(data: Named) -> str:
    if data.get("step") == "priority":
        return _(
            "Priority raised from %(old)s to %(new)s after a missed deadline.",
            old=priority_label(data.get("old")),
            new=priority_label(data.get("new")),
        )
    return moved(_("Escalated from %(old)s to %(new)s. Reason: %(reason)s"), data)


def rerouted(data: Named) -> str:
    return moved(_("Routed again from %(old)s to %(new)s (%(reason)s)."), data)


def deadline(template: str, data: Named) -> str:
    return template % {
        "clock": clock_label(data.get("clock")),
        "due": due_text(data.get("due")),
    }


def sla_warning(data: Named) -> str:
    return deadline(_("The %(clock)s deadline (%(due)s) is near."), data)


def sla_breached(data: Named) -> str:
    return deadline(_("The %(clock)s deadline (%(due)s) was missed."), data)


def priority_changed(data: Named) -> str:
    return _(
        "Priority changed from %(old)s to %(new)s.",
        old=priority_label(data.get("old")),
        new=priority_label(data.get("new")),
    )


def facts_changed(data: Named) -> str:
    old, new = data.get("old") or [], data.get("new") or []
    return _(
        "System, category and province changed from %(old)s to %(new)s.",
        old=" / ".join(map(str, old)),
        new=" / ".join(map(str, new)),
    )


def merged(data: Named) -> str:
    return _("Merged into %(number)s.", number=data.get("into", ""))


def merged_in(data: Named) -> str:
    return _("%(number)s was merged into this ticket.", number=data.get("source", ""))


def linked(data: Named) -> str:
    if data.get("parent"):
        return _("Linked under the incident %(number)s.", number=data.get("parent"))
    return _("Unlinked from its parent incident.")


def rated(data: Named) -> str:
    return _("The requester rated the service %(rating)s of 5.", rating=data.get("rating", ""))


SENTENCES: dict[EventKind, Callable[[Named], str]] = {
    EventKind.CREATED: created,
    EventKind.ROUTED: routed,
    EventKind.ASSIGNED: assigned,
    EventKind.UNASSIGNED: unassigned,
    EventKind.UNSTAFFED: unstaffed,
    EventKind.STATUS_CHANGED: status_changed,
    EventKind.NOTE_ADDED: note_added,
    EventKind.TRANSFERRED: transferred,
    EventKind.ESCALATED: escalated,
    EventKind.REROUTED: rerouted,
    EventKind.PRIORITY_CHANGED: priority_changed,
    EventKind.FACTS_CHANGED: facts_changed,
    EventKind.MERGED: merged,
    EventKind.MERGED_IN: merged_in,
    EventKind.LINKED: linked,
    EventKind.RATED: rated,
    EventKind.SLA_WARNING: sla_warning,
    EventKind.SLA_BREACHED: sla_breached,
}
