"""Rendering the ticket page (requester and staff) and the SLA badge of a ticket."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import TemplateNotFound
from markupsafe import Markup, escape

from helpdesk import reference_cache, text
from helpdesk.auth.models import is_staff
from helpdesk.auth.permissions import shown_username
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import db
from helpdesk.inputs import ButtonForm
from helpdesk.requests.tracker import request_on_ticket
from helpdesk.routing import services as routing
from helpdesk.routing.models import QueueKind
from helpdesk.tickets import follower_forms, forms, services
from helpdesk.tickets.services import articles, followers, pages, sla_state
from helpdesk.tickets.services import canned as canned_replies
from helpdesk.tickets.views.history import describe
from helpdesk.tickets.views.incident_page import incident_context, incident_forms
from helpdesk.tickets.views.next_step import next_step, progress_of
from helpdesk.timeutil import utcnow

SLA_BADGE = "sla/_badge.html"


def language() -> str:
    return str(get_locale() or "vi")


def has_sla_badge() -> bool:
    """The SLA package's badge partial, when it exists (else pages show the deadline)."""
    try:
        current_app.jinja_env.get_template(SLA_BADGE)
    except TemplateNotFound:
        return False
    return True


def catalogue_choices() -> dict:
    return {
        "systems": catalogue.systems(),
        "categories": catalogue.categories(),
        "provinces": catalogue.provinces(),
        "language": language(),
    }


def blank(form_class, **data):
    """A form not bound to the request (a POST of another form must not fill it)."""
    return form_class(formdata=None, **data)


def requester_forms(abilities: services.Abilities) -> dict:
    """The blank forms of the page's public side: only those the user can use (staff reply
    through the composer, `staff_forms`)."""
    wanted = {
        "reply": (abilities.can_reply and not abilities.staff, forms.ReplyForm),
        "confirm": (abilities.can_confirm, forms.ActionForm),
        "reopen": (abilities.can_reopen, forms.ReopenForm),
        "rate": (abilities.can_rate, forms.RateForm),
    }
    return {name: blank(form_class) for name, (usable, form_class) in wanted.items() if usable}


def staff_forms(ticket, abilities: services.Abilities, *, names, agents, queues, choices) -> dict:
    """The blank forms of the staff side, as `_composer.html` and `_staff_controls.html` show
    them: the composer (a reply or note with the status) and the claim and merge forms only
    where the viewer may use them; to staff who read the ticket without working it, the
    composer for internal notes alone. `agents` are (id, name) pairs."""
    page_forms = {}
    if abilities.can_reply:
        composer = page_forms["reply"] = blank(forms.ComposerForm)
        composer.status.choices = status_choices(abilities)
        if not abilities.can_reply_publicly:
            composer.visibility.data = "internal"
    if not abilities.works:
        return page_forms
    if abilities.can_claim:
        page_forms["claim"] = blank(forms.ActionForm)
    assign = blank(forms.AssignForm, assignee=str(ticket.assignee_id or ""))
    assign.assignee.choices = agent_choices(agents)
    fixed = fixed_options(queues, choices)
    transfer = blank(forms.TransferForm)
    here = str(ticket.queue_id)
    transfer.queue.choices = [option for option in fixed["queue"] if option.value != here]
    facts = blank(
        forms.FactsForm,
        system=ticket.system_code,
        category=ticket.category_code,
        province=ticket.province_code,
    )
    facts.system.choices = fixed["system"]
    facts.category.choices = fixed["category"]
    facts.province.choices = fixed["province"]
    page_forms.update(
        assign=assign,
        priority=blank(forms.PriorityForm, priority=ticket.priority),
        transfer=transfer,
        escalate=blank(forms.EscalateForm),
        facts=facts,
    )
    page_forms.update(incident_forms(ticket, parent=names.parent))
    if abilities.can_merge:
        page_forms["merge"] = blank(forms.MergeForm)
    page_forms["external_ref"] = blank(forms.ExternalRefForm, external_ref=ticket.external_ref)
    if articles.can_draft_article(ticket):
        page_forms["article"] = blank(forms.ActionForm)
    return page_forms


def status_choices(abilities: services.Abilities) -> list:
    """The composer's statuses: no change first, then those the viewer may set."""
    return forms.options(
        [("", _("No change"))]
        + [(str(status), forms.STATUS_LABELS[status]) for status in abilities.statuses]
    )


# The transfer list's groups, in this order; a queue of another kind goes last.
QUEUE_GROUPS = {
    QueueKind.MINISTRY_IT: _l("Ministry IT units"),
    QueueKind.VENDOR: _l("Vendors"),
    QueueKind.PROVINCIAL: _l("Provinces"),
    QueueKind.NATIONAL: _l("National"),
}


def queue_options(queues) -> list:
    """The active queues grouped by kind (QUEUE_GROUPS), by name within a group, after a blank
    choice: nothing is chosen until the user chooses."""
    order = {kind: rank for rank, kind in enumerate(QUEUE_GROUPS)}
    active = sorted(
        (q for q in queues if q.active),
        key=lambda q: (order.get(q.kind, len(order)), text.fold(q.name), q.id),
    )
    return [forms.SelectChoice("", _("— choose a queue —"))] + [
        forms.SelectChoice(
            str(q.id), q.name, optgroup=str(QUEUE_GROUPS.get(q.kind, _("Other queues")))
        )
        for q in active
    ]


def grouped_options(choices, selected) -> Markup:
    """A select's options in their groups, written in one pass: WTForms' widget makes a call
    per option and attribute, and the transfer list has one option per queue."""
    html, group = [], None
    for choice in choices:
        if choice.optgroup != group:
            if group is not None:
                html.append("</optgroup>")
            if choice.optgroup is not None:
                html.append(f'<optgroup label="{escape(choice.optgroup)}">')
            group = choice.optgroup
        mark = " selected" if selected and choice.value == selected else ""
        html.append(f'<option value="{escape(choice.value)}"{mark}>{escape(choice.label)}</option>')
    if group is not None:
        html.append("</optgroup>")
    return Markup("".join(html))  # noqa: S704 - every value in it is escaped on its way in


def fixed_options(queues, choices: dict) -> dict[str, list]:
    """The staff controls' options that change only with reference data (active queues, the
    catalogue as `FactsForm.fill_choices` offers it), made once per change and language."""

    def make() -> dict[str, list]:
        facts = forms.FactsForm(formdata=None, meta={"csrf": False})
        facts.fill_choices(**choices)
        return {
            "queue": queue_options(queues),
            "system": facts.system.choices,
            "category": facts.category.choices,
            "province": facts.province.choices,
        }

    return reference_cache.cached(f"tickets.staff_options.{choices['language']}", make)


def agent_choices(agents) -> list:
    """`agents` as (id, name) pairs, after the choice of nobody."""
    return forms.options(
        [("", _("Nobody (unassigned)"))] + [(str(user_id), name) for user_id, name in agents]
    )


def requester_side(ticket, names, *, staff: bool, now) -> dict:
    """The progress line for everyone; what happens next (with the team, never a person) for
    the requester's side only."""
    return {
        "progress": progress_of(ticket),
        "next_step": None if staff else next_step(ticket, names.queue, now),
    }


# Forms the page no longer shows, whose endpoints still take posts: the composer shows them.
OLD_FORMS = ("note", "status")


def with_composer(bound: dict) -> dict:
    """`bound` with a note or status form that came back with errors as the composer holding
    its input and errors."""
    note, status = bound.get("note"), bound.get("status")
    if note is None and status is None:
        return bound
    composer = blank(forms.ComposerForm)
    if note is not None:
        composer.body.data, composer.visibility.data = note.note.data, "internal"
        composer.body.errors = list(note.note.errors)
        composer.attachments.errors = list(note.note_attachments.errors)
        composer.form_errors.extend(note.form_errors)
    if status is not None:
        composer.status.data = status.status.data
        composer.status.errors = list(status.status.errors)
        composer.resolution.data = status.resolution.data
        composer.resolution.errors = list(status.resolution.errors)
        composer.form_errors.extend([*status.status_reason.errors, *status.form_errors])
    kept = {name: form for name, form in bound.items() if name not in OLD_FORMS}
    return {**kept, "reply": composer}


def followers_panel(user, ticket, people, colleagues, *, staff: bool) -> tuple[bool, dict, dict]:
    """Whether the user follows the ticket, what its followers panel shows (names and login
    names as the user may see them, to its requester and staff; to a follower only that they
    follow) and its blank forms: the requester's colleagues to add, staff's login name, the
    follow and stop-following buttons. `people` are its followers by name (accounts, or the
    staff page's `pages.Person`)."""
    following = any(person.id == user.id for person in people)
    manages = staff or ticket.requester_id == user.id
    panel_forms: dict = {}
    if manages or following:
        panel_forms["follow"] = blank(ButtonForm)
    if staff:
        panel_forms["follower"] = blank(follower_forms.FollowerForm)
    elif colleagues:
        colleague = panel_forms["colleague"] = blank(follower_forms.ColleagueForm)
        colleague.colleague.choices = forms.options(
            [("", _("— choose a colleague —"))]
            + [(str(c.id), f"{c.full_name} ({shown_username(user, c)})") for c in colleagues]
        )
    shown = [(p.id, p.full_name, shown_username(user, p)) for p in people] if manages else []
    return following, {"followers": shown, "manages_followers": manages}, panel_forms


def render_ticket(number: str, *, status: int = 200, bound: dict | None = None):
    """The ticket page as the current user may see it. `bound` holds a submitted form (with
    its errors and input) that replaces the blank one of the same name (the note and status
    forms of the older endpoints fill the composer)."""
    if bound is not None:
        db.session.rollback()  # a failed action leaves nothing behind; read the ticket as it is
        bound = with_composer(bound)
    user = current_user
    ticket, names = pages.load_ticket(user, number)
    now = utcnow()
    staff = is_staff(user)
    if staff:  # the followers come with the people the history names
        events = pages.history_of(ticket)
        people = pages.people_for(ticket, events)
        following, context, panel_forms = followers_panel(
            user, ticket, people.followers, [], staff=staff
        )
    else:
        following, context, panel_forms = followers_panel(
            user, ticket, *followers.panel_people(ticket, user), staff=staff
        )
    abilities = services.abilities_of(user, ticket, now=now, following=following)
    page_forms = {**requester_forms(abilities), **panel_forms}
    if abilities.staff:
        queues = routing.all_queues()
        page_forms.update(
            staff_forms(
                ticket,
                abilities,
                names=names,
                agents=people.assignable,
                queues=queues,
                choices=catalogue_choices(),
            )
        )
        queue_names = {queue.id: queue.name for queue in queues}
        shown_in = language()
        context.update(
            canned=canned_replies.canned_for(ticket) if abilities.can_reply_publicly else [],
            history=[
                (
                    event,
                    people.names.get(event.actor_id),
                    describe(event, queue_names, people.names, shown_in),
                )
                for event in events
            ],
            sla=sla_state.badge(ticket, now),
            has_sla_badge=has_sla_badge(),
            **incident_context(user, ticket, works=abilities.works),
        )
    for name, form in (bound or {}).items():
        blank_form = page_forms.get(name)
        for field in form if blank_form is not None else ():
            if hasattr(field, "choices") and field.name in blank_form:
                field.choices = blank_form[field.name].choices  # what the page offers now
        page_forms[name] = form
    for form in page_forms.values():
        if hasattr(form, "version"):
            form.version.data = str(ticket.version)
    if "transfer" in page_forms:
        queue = page_forms["transfer"].queue
        context["transfer_options"] = grouped_options(queue.choices, queue.data)
    context.update(
        can_reply=abilities.can_reply,
        can_reply_publicly=abilities.can_reply_publicly,
        can_write_notes=abilities.can_write_notes,
        works=abilities.works,
        can_confirm=abilities.can_confirm,
        can_reopen=abilities.can_reopen,
        can_rate=abilities.can_rate,
        ticket=ticket,
        names=names,
        info_request=request_on_ticket(user, ticket),  # None but for a request's ticket
        thread=pages.thread_for(user, ticket),
        forms=page_forms,
        returned=frozenset(bound or ()),  # the forms that came back with an error or conflict
        staff=abilities.staff,
        following=following,
        now=now,
    )
    context.update(requester_side(ticket, names, staff=abilities.staff, now=now))
    return render_template("tickets/show.html", **context), status
