"""The agent workspace: the queue with its filters, search and bulk actions."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from helpdesk import errors, reference_cache, text
from helpdesk.auth.models import STAFF_ROLES, Role
from helpdesk.auth.permissions import me, role_required
from helpdesk.auth.services import units
from helpdesk.catalogue import services as catalogue
from helpdesk.catalogue.models import Category, Province
from helpdesk.inputs import args_of, id_from, int_arg
from helpdesk.routing import services as routing
from helpdesk.sla.states import SlaState
from helpdesk.tickets import forms, queue_forms, services
from helpdesk.tickets.models import Kind, Status, Ticket
from helpdesk.tickets.services import incident_pages, pages, sla_state
from helpdesk.tickets.services.sla_state import CLOCK_COLUMNS
from helpdesk.tickets.views import NUMBER, bp
from helpdesk.tickets.views import incidents as incident_views
from helpdesk.tickets.views.page import catalogue_choices, has_sla_badge
from helpdesk.tickets.views.page import language as page_language
from helpdesk.timeutil import utcnow

PER_PAGE = 50
OVERSEERS = (Role.ADMIN, Role.SUPERVISOR)  # shown the queues nobody staffs
WHOLE_PROVINCE = "province"  # the queue picker's entry for a coordinator's whole province
COUNT_LIMIT = 1000  # past it the queue says "more than 1 000": an exact count reads every match
QUERY_LIMIT = 200
# What the queue's links keep of a query string: its filters, search words and page.
QUEUE_ARGS = (
    "status",
    "queue",
    "province",
    "unit",
    "category",
    "system",
    "sla",
    "assignee",
    "source",
    "q",
    "page",
)
BULK_RESULTS = "tickets_bulk_results"
# What a row of the queue shows (province and category names come from the catalogue in memory).
QUEUE_COLUMNS = (
    Ticket.id,
    Ticket.number,
    Ticket.subject,
    Ticket.province_code,
    Ticket.unit,
    Ticket.category_code,
    Ticket.priority,
    Ticket.assignee_id,
    Ticket.demo,
    Ticket.kind,
    *CLOCK_COLUMNS,
)


def fixed_options() -> dict:
    """The queue's options that change only with reference data, in the page's language: made
    once per change of reference data and language, not per request."""
    language = page_language()
    return reference_cache.cached(f"tickets.queue_options.{language}", _fixed_options)


def _fixed_options() -> dict:
    choices = catalogue_choices()
    known = catalogue.catalogue().by_code
    every = ("", _("All"))
    statuses = [(s.value, str(forms.STATUS_LABELS[s])) for s in Status]
    return {
        "status": forms.options(
            [
                ("", _("Unresolved (every status when searching)")),
                ("open", _("Unresolved only")),
                ("all", _("All")),
            ]
            + statuses
        ),
        "province": forms.options([every] + [(p.code, p.name) for p in choices["provinces"]]),
        "category": forms.options(
            [every] + [(c.code, c.name(choices["language"])) for c in choices["categories"]]
        ),
        "system": forms.options([every] + [(s.code, s.ministry) for s in choices["systems"]]),
        "sla": forms.options([every] + [(s.value, str(forms.SLA_LABELS[s])) for s in SlaState]),
        "assignee": forms.options(
            [every, ("mine", _("Assigned to me")), ("unassigned", _("Unassigned"))]
        ),
        "source": forms.options(
            [every] + [(source.value, str(label)) for source, label in forms.SOURCE_LABELS.items()]
        ),
        "bulk_status": forms.options(statuses),
        # The rows' names by code (inactive entries too: a ticket keeps its province and kind).
        "province_names": {code: p.name for code, p in known[Province].items()},
        "category_names": {
            code: c.name(choices["language"]) for code, c in known[Category].items()
        },
    }


def filter_form(*, queues, agents, fixed: dict) -> queue_forms.QueueFilterForm:
    form = queue_forms.QueueFilterForm(formdata=request.args)
    form.status.choices = fixed["status"]
    form.queue.choices = forms.options(
        [("", _("All")), *province_choice()] + [(str(q.id), q.name) for q in queues]
    )
    form.province.choices = fixed["province"]
    form.unit.choices = unit_choices(form.province.choices)
    form.category.choices = fixed["category"]
    form.system.choices = fixed["system"]
    form.sla.choices = fixed["sla"]
    form.assignee.choices = fixed["assignee"] + forms.options(
        (str(a.id), a.full_name) for a in agents
    )
    form.source.choices = fixed["source"]
    form.validate()
    for field in form:  # a value that is not offered counts as not given
        if field.errors:
            field.data = field.default
            field.errors = []
    return form


def unit_choices(provinces: list) -> list:
    """The unit filter's choices: every listed unit of the province chosen (one query), or,
    with no province chosen, the unit a link names by its code."""
    province = request.args.get("province", "")
    every = [("", _("All"))]
    if province and any(choice.value == province for choice in provinces):
        return forms.options(every + [(u.code, u.name) for u in units.listed_in(province)])
    code = request.args.get("unit", "")
    chosen = units.by_code(code) if units.is_code(code) else None
    return forms.options(every + ([(chosen.code, chosen.name)] if chosen else []))


def province_choice() -> list[tuple[str, str]]:
    """A coordinator's picker entry for every ticket of its province, whatever the queue."""
    code = services.coordinated_province(me())
    if code is None:
        return []
    province = catalogue.find_province(code)
    name = province.name if province is not None else code
    return [(WHOLE_PROVINCE, _("Whole province (%(province)s)", province=name))]


def search_words() -> str:
    """The search box; a value it could not have sent counts as not given."""
    q = request.args.get("q", "").strip()
    if len(q) > QUERY_LIMIT or text.has_control_characters(q, multiline=False):
        return ""
    return q


def filters_from(form: queue_forms.QueueFilterForm, q: str) -> services.TicketFilters:
    """The service's filters. Words searched with no status chosen look in every status: a
    closed ticket is found by its words and its number (`status_for`)."""
    assignee = form.assignee.data or ""
    whole_province = form.queue.data == WHOLE_PROVINCE
    return services.TicketFilters(
        status=status_for(form.status.data or "", q),
        queue_id=int(form.queue.data) if form.queue.data and not whole_province else None,
        province=services.coordinated_province(me())
        if whole_province
        else form.province.data or None,
        unit=form.unit.data or None,
        category=form.category.data or None,
        system=form.system.data or None,
        sla_state=form.sla.data or None,
        assignee_id=id_from(assignee),
        unassigned=assignee == "unassigned",
        mine=assignee == "mine",
        source=form.source.data or None,
        q=q,
    )


def status_for(chosen: str, q: str) -> str | None:
    """The service's status filter for the status chosen ("" none) and the words searched:
    none chosen, the open statuses, or every status when searching; "all" every status."""
    if not chosen:
        return None if q else "open"
    return None if chosen == "all" else chosen


def narrowed_by(form: queue_forms.QueueFilterForm, args: dict[str, str]) -> list[dict[str, str]]:
    """The filters that narrow the list, in the note's words, each with the address of the
    list without it (its other filters and search kept)."""
    found = []
    for field in form:
        if field.data in ("", "all") or field.name not in queue_forms.FILTER_PHRASES:
            continue
        if field.name == "assignee" and field.data in queue_forms.ASSIGNEE_PHRASES:
            phrase = str(queue_forms.ASSIGNEE_PHRASES[field.data])
        else:
            label = next((c.label for c in field.choices if c.value == field.data), field.data)
            if field.name == "status" and field.data == "open":
                label = forms.OPEN_STATUSES_LABEL
            phrase = str(queue_forms.FILTER_PHRASES[field.name]) % {"value": label}
        kept = {name: value for name, value in args.items() if name != field.name}
        found.append({"name": field.name, "text": phrase, "href": url_for(".queue", **kept)})
    return found


def bulk_form(*, queues, agents) -> queue_forms.BulkForm:
    form = queue_forms.BulkForm()
    form.assignee.choices = forms.options([(str(a.id), a.full_name) for a in agents])
    form.status.choices = fixed_options()["bulk_status"]
    form.queue.choices = forms.options([(str(q.id), q.name) for q in queues if q.active])
    fields = (form.action, form.assignee, form.status, form.queue, form.reason, form.title)
    for field in (*fields, form.incident, form.resolution):
        field.id = f"bulk-{field.name}"  # the filter form above has fields of the same names
    return form


@bp.route("/queue")
@role_required(*STAFF_ROLES)
def queue():
    my_queues = routing.queues_for_user(current_user)
    agents = pages.workspace_agents(current_user)
    fixed = fixed_options()
    form = filter_form(queues=my_queues, agents=agents, fixed=fixed)
    q = search_words()
    now = utcnow()
    page = services.list_ticket_columns(
        me(),
        filters_from(form, q),
        QUEUE_COLUMNS,
        page=int_arg("page"),
        per_page=PER_PAGE,
        count_limit=COUNT_LIMIT,
        now=now,
    )
    args = {field.name: field.data for field in form if field.data}
    if q:
        args["q"] = q
    incident_ids = [ticket.id for ticket in page.items if ticket.kind == Kind.INCIDENT]
    return render_template(
        "tickets/queue.html",
        page=page,
        form=form,
        q=q,
        narrowed=narrowed_by(form, args),
        clear_filters=url_for(".queue", **({"q": q} if q else {})),
        bulk=bulk_form(queues=routing.all_queues(), agents=agents),
        args=args,
        sla={ticket.id: sla_state.badge(ticket, now) for ticket in page.items},
        has_sla_badge=has_sla_badge(),
        bulk_results=session.pop(BULK_RESULTS, None),
        attached=incident_pages.attached_counts(me(), incident_ids),
        province_names=fixed["province_names"],
        category_names=fixed["category_names"],
        # Written once for the 50 rows: a ticket's path is this and its number (letters, digits
        # and dashes), its checkbox label this format with the number.
        ticket_path=url_for(".show", number="-")[:-1],
        select_label=_("Select %(number)s"),
        attached_label=_("Attached tickets: %(n)s"),
        unstaffed=routing.unstaffed_queues() if current_user.role in OVERSEERS else (),
    )


@bp.route("/queue/bulk", methods=["POST"])
@role_required(*STAFF_ROLES)
def bulk():
    form = bulk_form(queues=routing.all_queues(), agents=pages.workspace_agents(current_user))
    back = redirect(url_for(".queue", **args_of(*QUEUE_ARGS)))
    # Once each, however often a ticket's number was sent.
    numbers = list(
        dict.fromkeys(
            n.strip() for n in request.form.getlist("numbers") if NUMBER.fullmatch(n.strip())
        )
    )
    if not form.validate_on_submit() or not numbers:
        flash(_("Choose at least one ticket and an action."), "warning")
        return back
    numbers = numbers[: services.MAX_PER_PAGE]
    if form.action.data == "declare":
        declared = incident_views.declare_selected(form, numbers)
        return redirect(url_for(".show", number=declared)) if declared else back
    if form.action.data == "attach":
        results = incident_views.attach_selected(form, numbers)
        if results is None:
            return back
    else:
        try:
            action, value = bulk_value(form)
            results = services.bulk_update(
                me(),
                numbers,
                action=action,
                value=value,
                reason=form.reason.data or "",
                resolution=form.resolution.data,
            )
        except errors.Invalid as error:  # nothing was saved
            flash(bulk_refusal(error), "danger")
            return back
    # Grouped by outcome: the session cookie stays small whatever the number of tickets.
    grouped: dict[str, list[str]] = {}
    for number, outcome in results.items():
        grouped.setdefault(outcome, []).append(number)
    session[BULK_RESULTS] = sorted(grouped.items(), key=lambda item: item[0] != "ok")
    done = len(grouped.get("ok", []))
    flash(_("%(done)d of %(total)d tickets updated.", done=done, total=len(results)), "info")
    return back


def bulk_value(form: queue_forms.BulkForm) -> tuple[str, object]:
    """The service's action and value for the chosen bulk action."""
    action = form.action.data
    if action == "claim":
        return "assign", me()
    if action == "assign":
        chosen = id_from(form.assignee.data) if is_offered(form.assignee) else None
        user = pages.find_user(chosen) if chosen is not None else None
        if user is None:
            raise errors.Invalid(_("Choose an agent."), "assignee")
        return "assign", user
    if action == "status":
        if not is_offered(form.status):
            raise errors.Invalid(_("Choose a status."), "status")
        return "status", form.status.data
    chosen = id_from(form.queue.data) if is_offered(form.queue) else None
    if chosen is None:
        raise errors.Invalid(_("Choose a queue."), "queue")
    return "transfer", chosen


def bulk_refusal(error: errors.Invalid) -> str:
    """What the queue says of a bulk action refused as a whole (its form is not shown again)."""
    problem = error.fields.get("resolution")
    if problem is None:
        return error.message
    return _("Resolution summary: %(problem)s", problem=problem)


def is_offered(field) -> bool:
    """Whether a select's value is one of the choices the page offered."""
    return any(choice.value == field.data for choice in field.choices)
