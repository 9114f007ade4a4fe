"""The ticket's history as sentences: one readable line per event kind (SENTENCES), with the
names of the queues, people, systems, categories, provinces and routing rules it refers to
(never their codes), all from memory or the page's one query of people."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from helpdesk.catalogue import services as catalogue
from helpdesk.routing import services as routing
from helpdesk.tickets.forms import PRIORITY_LABELS, STATUS_LABELS
from helpdesk.tickets.models import EventKind, Source
from helpdesk.tickets.services.filing import ADDRESSED
from helpdesk.timeutil import to_local

# Reasons the services record as codes rather than words.
REASONS = {
    "confirmed": _l("confirmed by the requester"),
    "reopened": _l("reopened by the requester"),
    "auto_closed": _l("closed automatically after the waiting days"),
    "merged": _l("merged into another ticket"),
    "incident": _l("an update of its incident"),
    # An escalation after a missed deadline (services.escalation).
    "SLA breach: first response": _l("the first response deadline was missed"),
    "SLA breach: resolution": _l("the resolution deadline was missed"),
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


def describe(event, queues: dict[int, str], users: dict[int, str], language: str = "vi") -> str:
    """One sentence for an event; `queues` and `users` name the ids its data refers to."""
    data = event.data or {}
    try:
        kind = EventKind(event.kind)
    except ValueError:
        kind = None
    sentence = SENTENCES.get(kind)
    if sentence is not None:
        return sentence(Named(data, queues, users, language))
    return _("The ticket changed.")  # a kind this version does not know: never its code


@dataclass(frozen=True)
class Named:
    """An event's data (the keys EventKind lists), with the names of the rows it refers to."""

    data: dict
    queues: dict[int, str]
    users: dict[int, str]
    language: str = "vi"

    def get(self, key: str, default=None):
        return self.data.get(key, default)

    def queue(self, key: str) -> str:
        return self.queues.get(self.data.get(key), _("a removed queue"))

    def user(self, key: str) -> str:
        return self.users.get(self.data[key], _("a removed account"))

    def facts(self, key: str) -> str:
        """[system, category, province] codes as their names."""
        system, category, province = [*(self.data.get(key) or []), None, None, None][:3]
        return " / ".join(
            (system_name(system), category_name(category, self.language), province_name(province))
        )

    def rule(self) -> str:
        return rule_text(self.data.get("rule_id"), self.language)


def system_name(code) -> str:
    return catalogue.system_name(code, _("an unknown system"))


def category_name(code, language: str) -> str:
    return catalogue.category_name(code, language, _("an unknown kind of problem"))


def province_name(code) -> str:
    return catalogue.province_name(code, _("an unknown province"))


def rule_text(rule_id, language: str) -> str:
    """A routing rule as its name, or as its conditions when it has no name of its own (the
    codes `flask seed` names its rules by are no name)."""
    rule = routing.rules_by_id().get(rule_id)
    if rule is None:
        return _("a removed routing rule")
    queue = routing.queues_by_id().get(rule.queue_id)
    seeded = routing.default_rule_name(rule.system, rule.category, queue.code if queue else "")
    if rule.name.strip() and rule.name != seeded:
        return rule.name
    return conditions_text(rule, language)


def conditions_text(rule, language: str) -> str:
    parts = []
    if rule.system is not None:
        parts.append(_("system %(name)s", name=system_name(rule.system)))
    if rule.category is not None:
        parts.append(_("kind of problem %(name)s", name=category_name(rule.category, language)))
    if rule.province is not None:
        parts.append(_("province %(name)s", name=province_name(rule.province)))
    if rule.priority is not None:
        parts.append(_("priority %(name)s", name=priority_label(rule.priority)))
    return ", ".join(parts) or _("every ticket")


def created(data: Named) -> str:
    if data.get("request"):
        return _("Filed for the request %(number)s.", number=data.get("request"))
    if data.get("source") == Source.PHONE:
        return _("Call taken; ticket filed for the caller.")
    if data.get("source") == Source.EMAIL:
        return _("Ticket filed by mail.")
    if data.get("source") == Source.API:
        return _("Ticket filed through the API.")
    return _("Ticket filed.")


def routed(data: Named) -> str:
    if data.get("reason") == ADDRESSED:
        return _("Filed in %(queue)s by mail to its address.", queue=data.queue("queue_id"))
    if data.get("rule_id") is None:
        return _(
            "Routed to %(queue)s, the system's default queue (no routing rule matched).",
            queue=data.queue("queue_id"),
        )
    return _(
        "Routed to %(queue)s by the routing rule «%(rule)s».",
        queue=data.queue("queue_id"),
        rule=data.rule(),
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
        "reason": reason_text(data.get("reason")),
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
    # The reason is the routing's own (the rule the event before names), not a person's.
    return moved(
        _("Routed again from %(old)s to %(new)s after the system, kind or province changed."),
        data,
    )


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
    return _(
        "System, category and province changed from %(old)s to %(new)s.",
        old=data.facts("old"),
        new=data.facts("new"),
    )


def merged(data: Named) -> str:
    return _("Merged into %(number)s.", number=data.get("into", ""))


def merged_in(data: Named) -> str:
    return _("%(number)s was merged into this ticket.", number=data.get("source", ""))


def linked(data: Named) -> str:
    if data.get("parent"):
        return _("Attached to the incident %(number)s.", number=data.get("parent"))
    if data.get("reason") == "reopened":
        return _("Detached from its incident: the requester reopened the ticket.")
    return _("Detached from its incident.")


def follow_up(data: Named) -> str:
    if data.get("of"):
        return _("Filed by mail as a follow-up of the closed ticket %(number)s.", number=data["of"])
    return _("Followed up by the new ticket %(number)s, filed by mail.", number=data.get("by", ""))


def incident_declared(data: Named) -> str:
    return ngettext(
        "Incident declared, with %(num)d ticket attached.",
        "Incident declared, with %(num)d tickets attached.",
        int(data.get("tickets") or 0),
    )


def incident_attached(data: Named) -> str:
    return ngettext(
        "%(num)d ticket attached to the incident.",
        "%(num)d tickets attached to the incident.",
        int(data.get("count") or 0),
    )


def incident_updated(data: Named) -> str:
    reached = int(data.get("tickets") or 0)
    if data.get("resolve"):
        return ngettext(
            "Update sent to %(num)d ticket; the incident and its open tickets were resolved.",
            "Update sent to %(num)d tickets; the incident and its open tickets were resolved.",
            reached,
        )
    return ngettext("Update sent to %(num)d ticket.", "Update sent to %(num)d tickets.", reached)


def rated(data: Named) -> str:
    return _("The requester rated the service %(rating)s of 5.", rating=data.get("rating", ""))


def follower_added(data: Named) -> str:
    if data.get("source"):
        return _(
            "%(name)s follows the ticket, from the merged ticket %(number)s.",
            name=data.user("user_id"),
            number=data.get("source"),
        )
    return _("%(name)s follows the ticket.", name=data.user("user_id"))


def follower_removed(data: Named) -> str:
    return _("%(name)s no longer follows the ticket.", name=data.user("user_id"))


def external_ref_changed(data: Named) -> str:
    old, new = data.get("old") or "", data.get("new") or ""
    if not new:
        return _("External reference %(old)s removed.", old=old)
    if not old:
        return _("External reference set to %(new)s.", new=new)
    return _("External reference changed from %(old)s to %(new)s.", old=old, new=new)


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
    EventKind.FOLLOW_UP: follow_up,
    EventKind.INCIDENT_DECLARED: incident_declared,
    EventKind.INCIDENT_ATTACHED: incident_attached,
    EventKind.INCIDENT_UPDATED: incident_updated,
    EventKind.RATED: rated,
    EventKind.SLA_WARNING: sla_warning,
    EventKind.SLA_BREACHED: sla_breached,
    EventKind.FOLLOWER_ADDED: follower_added,
    EventKind.FOLLOWER_REMOVED: follower_removed,
    EventKind.EXTERNAL_REF_CHANGED: external_ref_changed,
}
