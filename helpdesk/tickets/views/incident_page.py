"""The incident parts of the ticket page. On a ticket's staff controls: attaching it to an
incident, or declaring one from it. On an incident's own page (staff who see it): its scope,
its attached tickets by page and by province, the update and attach forms with the last
attach's refusals, and the open tickets that look like it."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import session, url_for

from helpdesk.auth.models import User
from helpdesk.catalogue import services as catalogue
from helpdesk.inputs import int_arg
from helpdesk.tickets import forms
from helpdesk.tickets.incident_forms import (
    AttachTicketsForm,
    DeclareForm,
    IncidentForm,
    UpdateForm,
)
from helpdesk.tickets.models import Status, Ticket
from helpdesk.tickets.services import incident_pages, similar
from helpdesk.tickets.services.incident_pages import Attached

# The refusals of the last attach on an incident's page, shown once on it.
REFUSED = "tickets_incident_refused"
REFUSED_SHOWN = 50  # numbers kept per reason (the session is a cookie)


@dataclass(frozen=True)
class IncidentPage:
    """What an incident's page shows besides the ticket page's own parts."""

    scope: list[str]  # province names; empty: the whole country
    provinces: dict[str, str]  # every province's name by code
    attached: Attached
    similar: list[similar.Match]
    refused: list = field(default_factory=list)  # [(reason, numbers, how many more)]
    search_url: str = ""


def province_choices() -> list:
    return forms.options((p.code, p.name) for p in catalogue.provinces())


def incident_forms(ticket: Ticket, *, parent: str | None) -> dict:
    """The blank incident forms for staff who work the ticket: on an open incident, the update
    and attach forms; on a ticket, the attach form and (while it is not closed) the
    declaration, titled with its subject."""
    if ticket.is_incident:
        if not ticket.is_open:
            return {}
        return {
            "incident_update": UpdateForm(formdata=None),
            "incident_tickets": AttachTicketsForm(formdata=None),
        }
    found: dict = {"incident": IncidentForm(formdata=None, incident=parent or "")}
    if ticket.status != Status.CLOSED and ticket.merged_into_id is None:
        declare = found["declare"] = DeclareForm(formdata=None, title=ticket.subject)
        declare.provinces.choices = province_choices()
    return found


def incident_context(user: User, ticket: Ticket, *, works: bool) -> dict:
    """The incident's page parts (`incident`: None on a ticket): a constant number of
    queries whatever the number of attached tickets."""
    if not ticket.is_incident:
        return {"incident": None}
    suggested = works and ticket.is_open
    names = {province.code: province.name for province in catalogue.provinces()}
    return {
        "incident": IncidentPage(
            scope=[names.get(code, code) for code in ticket.scope],
            provinces=names,
            attached=incident_pages.attached(user, ticket, page=int_arg("page")),
            similar=similar.similar_tickets(user, ticket) if suggested else [],
            refused=refused_on(ticket.number),
            search_url=url_for(".queue", q=ticket.subject),
        )
    }


def keep_refused(number: str, results: dict[str, str]) -> None:
    """The numbers an attach refused, by reason, for the incident's page to show once."""
    grouped: dict[str, list[str]] = {}
    for ticket_number, outcome in results.items():
        if outcome != "ok":
            grouped.setdefault(outcome, []).append(ticket_number)
    session[REFUSED] = {
        "number": number,
        "refused": [
            (reason, numbers[:REFUSED_SHOWN], max(0, len(numbers) - REFUSED_SHOWN))
            for reason, numbers in grouped.items()
        ],
    }


def refused_on(number: str) -> list:
    kept = session.get(REFUSED)
    if not kept or kept.get("number") != number:
        return []
    session.pop(REFUSED)
    return kept.get("refused") or []
