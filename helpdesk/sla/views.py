"""SLA pages: the unanswered-ticket guard and breached lists for supervisors; policies and
calendar days for admins. Also the badge of a ticket's clocks (`sla_badge`, which the badge
partial and the ticket lists call) and the `business_minutes` filter."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from helpdesk import errors, timeutil
from helpdesk.auth.models import Role
from helpdesk.auth.permissions import role_required
from helpdesk.inputs import ButtonForm
from helpdesk.sla import targets
from helpdesk.sla.forms import CalendarDayForm, PolicyForm
from helpdesk.sla.services import admin
from helpdesk.sla.states import SlaState
from helpdesk.tickets.services import oversight

bp = Blueprint("sla", __name__, url_prefix="/sla")

supervisors = role_required(Role.SUPERVISOR, Role.ADMIN)
admin_only = role_required(Role.ADMIN)


BADGE_COLOURS = {
    SlaState.OK: "text-bg-success",
    SlaState.WARNING: "text-bg-warning",
    SlaState.BREACHED: "text-bg-danger",
    SlaState.PAUSED: "text-bg-secondary",
    SlaState.MET: "text-bg-light border",
}


@bp.app_template_global("sla_badge_words")
def badge_words() -> dict[str, str]:
    """The badge's words in the request's language, translated once per request: a list
    shows a badge on every row."""
    language = str(get_locale())
    cached = g.get("sla_badge_words")
    if cached is not None and cached[0] == language:
        return cached[1]
    words = {
        SlaState.OK: _("On time"),
        SlaState.WARNING: _("Due soon"),
        SlaState.BREACHED: _("Overdue"),
        SlaState.PAUSED: _("Paused"),
        SlaState.MET: _("Met"),
        # Formats (no arguments given: the translation itself), filled in by the callers.
        "left": _("%(time)s left"),
        "late": _("%(time)s late"),
        "days": _("%(n)d d"),
        "hours": _("%(n)d h"),
        "minutes": _("%(n)d min"),
        "title": _("Business time: a day is 8 working hours"),
    }
    g.sla_badge_words = (language, words)
    return words


@bp.app_template_filter("business_minutes")
def business_minutes(minutes: int | None) -> str:
    """Business minutes as people read them: "1 d 2 h 5 min" (a business day is 8 h)."""
    if minutes is None:
        return ""
    return _business_time(minutes, badge_words())


def _business_time(minutes: int, words: dict[str, str]) -> str:
    days, hours, rest = targets.split_minutes(minutes)
    parts = []
    if days:
        parts.append(words["days"] % {"n": days})
    if hours:
        parts.append(words["hours"] % {"n": hours})
    if rest or not parts:
        parts.append(words["minutes"] % {"n": rest})
    return " ".join(parts)


@bp.app_template_global("sla_badge")
def sla_badge(
    state: str, remaining_minutes: int | None, *, words: dict[str, str] | None = None
) -> Markup:
    """The badge of a ticket's clocks: `state` (ok|warning|breached|paused|met) and the signed
    business minutes to the relevant deadline (None: no clock runs). A list passes `words`
    (badge_words(), read once for its rows)."""
    words = words or badge_words()
    text = escape(words.get(state, state))
    title = ""
    if remaining_minutes is not None:
        title = f' title="{escape(words["title"])}"'
        late = remaining_minutes < 0 and state != SlaState.PAUSED
        time = _business_time(remaining_minutes, words)
        text = f"{text} · {escape(words['late' if late else 'left'] % {'time': time})}"
    colour = BADGE_COLOURS.get(state, "text-bg-light")
    return Markup(  # noqa: S704 - every value in it is escaped above
        f'<span class="badge {colour} text-nowrap" data-sla-state="{escape(state)}"{title}>'
        f"{text}</span>"
    )


# ---------------------------------------------------------------- supervisors


@bp.route("/")
@supervisors
def index():
    return redirect(url_for(".unanswered"))


@bp.route("/unanswered")
@supervisors
def unanswered():
    now = timeutil.utcnow()
    rows = oversight.unanswered_tickets(current_user, now)
    return render_template("sla/unanswered.html", rows=rows)


@bp.route("/breached")
@supervisors
def breached():
    counts = oversight.breached_counts(current_user, timeutil.utcnow())
    return render_template("sla/breached_queues.html", counts=counts)


@bp.route("/breached/<int:queue_id>")
@supervisors
def breached_queue(queue_id: int):
    queue, rows = oversight.breached_tickets(current_user, queue_id, timeutil.utcnow())
    return render_template("sla/breached.html", queue=queue, rows=rows)


# ---------------------------------------------------------------- admins: policies


@bp.route("/policies")
@admin_only
def policies():
    return render_template("sla/policies.html", policies=admin.list_policies(current_user))


@bp.route("/policies/new", methods=["GET", "POST"])
@admin_only
def new_policy():
    return edit_policy(None)


@bp.route("/policies/<int:policy_id>", methods=["GET", "POST"])
@admin_only
def edit_policy(policy_id: int | None):
    policy = admin.get_policy(current_user, policy_id) if policy_id is not None else None
    calendars = admin.list_calendars(current_user)
    if policy is not None:
        initial = {
            "name": policy.name,
            "priority": str(policy.priority),
            "system": policy.system_code or "",
            "category": policy.category_code or "",
            "first_response_minutes": policy.first_response_minutes,
            "resolution_minutes": policy.resolution_minutes,
            "warning_percent": policy.warning_percent,
            "calendar": str(policy.calendar_id),
            "notify_supervisor": policy.notify_supervisor,
            "raise_priority": policy.raise_priority,
            "transfer_to_next_queue": policy.transfer_to_next_queue,
            "active": policy.active,
        }
    else:
        initial = {
            "priority": "3",
            "warning_percent": 75,
            "notify_supervisor": True,
            "active": True,
        }
    form = PolicyForm(data=initial)
    form.fill_choices(calendars)
    if form.validate_on_submit():
        try:
            saved = admin.save_policy(current_user, form.to_draft(), policy_id=policy_id)
        except errors.HelpdeskError as error:
            errors.attach_to_form(form, error)
        else:
            flash(_("Policy %(name)s saved.", name=saved.name), "success")
            return redirect(url_for(".policies"))
    return render_template("sla/policy_form.html", form=form, policy=policy)


# ---------------------------------------------------------------- admins: calendars


@bp.route("/calendars")
@admin_only
def calendars():
    return render_template("sla/calendars.html", calendars=admin.list_calendars(current_user))


@bp.route("/calendars/<int:calendar_id>", methods=["GET", "POST"])
@admin_only
def calendar(calendar_id: int):
    row = admin.get_calendar(current_user, calendar_id)
    form = CalendarDayForm()
    if form.validate_on_submit():
        try:
            admin.add_calendar_day(
                current_user,
                row.id,
                form.day.data,
                working=form.working.data == "1",
                note=form.note.data or "",
            )
        except errors.HelpdeskError as error:
            errors.attach_to_form(form, error)
        else:
            flash(_("Day %(day)s saved.", day=form.day.data.strftime("%d/%m/%Y")), "success")
            return redirect(url_for(".calendar", calendar_id=row.id))
    days = sorted(row.days, key=lambda d: d.day)
    return render_template(
        "sla/calendar.html", calendar=row, days=days, form=form, action=ButtonForm()
    )


@bp.route("/calendars/<int:calendar_id>/days/<day>/delete", methods=["POST"])
@admin_only
def remove_day(calendar_id: int, day: str):
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            when = date.fromisoformat(day)
        except ValueError as error:
            raise errors.NotFound(_("This day is not declared.")) from error
        admin.remove_calendar_day(current_user, calendar_id, when)
        flash(_("Day %(day)s removed.", day=when.strftime("%d/%m/%Y")), "success")
    return redirect(url_for(".calendar", calendar_id=calendar_id))
