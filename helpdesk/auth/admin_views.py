"""Account administration: the accounts list, pending registrations, provisioning, import,
throttled accounts. Admins see everything; coordinators their province; unit admins their own
unit."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from helpdesk import errors
from helpdesk.auth import permissions, services
from helpdesk.auth.forms import (
    ROLE_LABELS,
    AccountForm,
    ImportForm,
    ObserverSystemsForm,
    RejectForm,
    RoleForm,
    UnitSettingsForm,
)
from helpdesk.auth.models import Role
from helpdesk.auth.permissions import me, role_required
from helpdesk.auth.services import approvals
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import db
from helpdesk.inputs import ButtonForm, int_arg, local_path
from helpdesk.routing import services as routing
from helpdesk.timeutil import utcnow

bp = Blueprint("accounts", __name__, url_prefix="/accounts")

PER_PAGE = 50
# The roles that run accounts: admins, coordinators (their province), unit admins (their unit).
MANAGERS = (Role.ADMIN, Role.COORDINATOR, Role.UNIT_ADMIN)
# The service's field names, as this page's form names them.
FORM_FIELDS = {"username": "cccd", "province_code": "province"}


def attach(form, error: errors.HelpdeskError) -> None:
    fields = {FORM_FIELDS.get(name, name): message for name, message in error.fields.items()}
    errors.attach_to_form(form, errors.HelpdeskError(error.message, fields=fields))


@bp.route("/")
@role_required(*MANAGERS)
def index():
    permissions.require(me(), "accounts.manage")
    text = request.args.get("q", "")
    page = db.paginate(
        services.search_accounts(me(), text),
        page=int_arg("page"),
        per_page=PER_PAGE,
        error_out=False,
    )
    user = me()
    sharing = None
    if user.role == Role.UNIT_ADMIN and user.unit is not None:
        sharing = UnitSettingsForm(members_see_tickets=user.unit.members_see_tickets)
    return render_template(
        "accounts/index.html", page=page, q=text, action=ButtonForm(), sharing=sharing
    )


@bp.route("/<int:user_id>/enable", methods=["POST"])
@role_required(*MANAGERS)
def enable(user_id: int):
    return set_enabled(user_id, enabled=True)


@bp.route("/<int:user_id>/disable", methods=["POST"])
@role_required(*MANAGERS)
def disable(user_id: int):
    return set_enabled(user_id, enabled=False)


@bp.route("/<int:user_id>/appoint", methods=["POST"])
@role_required(Role.ADMIN, Role.COORDINATOR)
def appoint(user_id: int):
    """Make an official its unit's account administrator, or a requester again."""
    if ButtonForm().validate_on_submit():
        try:
            user = services.appoint(me(), user_id, role=request.form.get("role", ""))
        except (errors.Invalid, errors.Conflict) as error:
            flash(error.message, "warning")
        else:
            flash(
                _("%(name)s is now: %(role)s.", name=user.full_name, role=ROLE_LABELS[user.role]),
                "success",
            )
    return redirect(url_for(".index"))


def set_enabled(user_id: int, *, enabled: bool):
    if ButtonForm().validate_on_submit():
        try:
            services.set_account_enabled(me(), user_id, enabled=enabled)
        except errors.Conflict as error:
            flash(error.message, "warning")
        else:
            flash(
                _("The account is enabled.") if enabled else _("The account is disabled."),
                "success",
            )
    return redirect(url_for(".index"))


@bp.route("/<int:user_id>/activation", methods=["POST"])
@role_required(*MANAGERS)
def resend_activation(user_id: int):
    if ButtonForm().validate_on_submit():
        try:
            services.resend_activation(me(), user_id)
        except errors.Conflict as error:
            flash(error.message, "warning")
        else:
            flash(_("A new activation link is on its way."), "success")
    return redirect(url_for(".index"))


# ---------------------------------------------------------------- pending registrations


@bp.route("/pending")
@role_required(*MANAGERS)
def pending():
    page = db.paginate(
        services.pending_for(me()),
        page=int_arg("page"),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "accounts/pending.html",
        page=page,
        addressed=approvals.addressed(page.items),
        action=ButtonForm(),
        reject=RejectForm(),
    )


@bp.route("/pending/<int:user_id>/approve", methods=["POST"])
@role_required(*MANAGERS)
def approve(user_id: int):
    if ButtonForm().validate_on_submit():
        try:
            user = services.approve_account(me(), user_id)
        except errors.Conflict as error:
            flash(error.message, "warning")
        else:
            flash(_("%(name)s is approved and told by e-mail.", name=user.full_name), "success")
    # The home page's list has its own button: back there when it was pressed.
    return redirect(local_path(request.form.get("next")) or url_for(".pending"))


@bp.route("/pending/<int:user_id>/reject", methods=["POST"])
@role_required(*MANAGERS)
def reject(user_id: int):
    form = RejectForm()
    if form.validate_on_submit():
        try:
            user = services.reject_account(me(), user_id, reason=form.reason.data or "")
        except errors.Conflict as error:
            flash(error.message, "warning")
        else:
            flash(_("The registration of %(name)s is rejected.", name=user.full_name), "success")
    return redirect(url_for(".pending"))


# ---------------------------------------------------------------- provisioning


@bp.route("/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def new():
    permissions.require(me(), "accounts.create")
    form = AccountForm()
    fill_account_choices(form)
    if form.validate_on_submit():
        draft = form.to_draft()
        try:
            # Through routing: a coordinator joins its province's queue with the account.
            user = routing.provision_account(draft, actor=me(), require_unit=True)
        except errors.HelpdeskError as error:
            attach(form, error)
        else:
            flash(
                _(
                    "The account of %(name)s is created; an activation link went to %(email)s.",
                    name=user.full_name,
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for(".new"))
    return render_template("accounts/new.html", form=form)


def fill_account_choices(form: AccountForm) -> None:
    """Choices of the account form; a coordinator's province is fixed, a unit admin's
    province, unit and role."""
    form.domain.choices = [SelectChoice(d) for d in services.login_domains()]
    if current_user.role == Role.ADMIN:
        form.province.choices = [SelectChoice("", "—")] + [
            SelectChoice(p.code, p.name) for p in catalogue.provinces()
        ]
        form.role.choices = [SelectChoice(role.value, ROLE_LABELS[role]) for role in Role]
        form.systems.choices = system_choices()
        return
    form.systems.choices = []
    form.systems.data = []
    if current_user.role == Role.COORDINATOR:
        # What the browser sends is ignored: the coordinator's province is the only choice.
        province = current_user.province
        form.province.choices = [SelectChoice(province.code, province.name)]
        form.role.choices = [
            SelectChoice(role.value, ROLE_LABELS[role])
            for role in Role
            if role in permissions.COORDINATOR_GRANTS
        ]
        form.province.data = province.code
        return
    unit = current_user.unit
    form.province.choices = [SelectChoice(unit.province_code, unit.province.name)]
    form.role.choices = [SelectChoice(Role.REQUESTER.value, ROLE_LABELS[Role.REQUESTER])]
    # What the browser sends is ignored: the unit admin's own unit is the only choice.
    form.province.data = unit.province_code
    form.unit.data = unit.name
    form.unit_code.data = unit.code or ""
    form.role.data = Role.REQUESTER.value


def system_choices() -> list[SelectChoice]:
    return [SelectChoice(system.code, system.ministry) for system in catalogue.systems()]


@bp.route("/<int:user_id>/systems", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def observer_systems(user_id: int):
    """The systems an observer reads the figures of (none: every system)."""
    user = services.get_observer(me(), user_id)
    form = ObserverSystemsForm()
    form.systems.choices = system_choices()
    if form.validate_on_submit():
        try:
            services.set_observer_systems(me(), user_id, form.systems.data or ())
        except errors.HelpdeskError as error:
            attach(form, error)
        else:
            flash(_("The observer's systems are saved."), "success")
            return redirect(url_for(".observer_systems", user_id=user_id))
    elif request.method == "GET":
        form.systems.data = list(services.observer_systems(user.id))
    return render_template("accounts/observer_systems.html", form=form, user=user)


@bp.route("/<int:user_id>/role", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def role(user_id: int):
    """An account's role and province (a coordinator's queue membership follows them)."""
    user = services.get_managed_account(me(), user_id)
    form = RoleForm(obj=None if request.method == "POST" else user)
    if request.method == "GET":
        form.province.data = user.province_code or ""
    form.province.choices = [SelectChoice("", "—")] + [
        SelectChoice(p.code, p.name) for p in catalogue.provinces()
    ]
    form.role.choices = [SelectChoice(r.value, ROLE_LABELS[r]) for r in Role]
    if form.validate_on_submit():
        try:
            routing.change_role(
                me(),
                user.id,
                role=form.role.data,
                province_code=form.province.data or None,
                edits_articles=form.edits_articles.data,
                sends_requests=form.sends_requests.data,
            )
        except errors.HelpdeskError as error:
            attach(form, error)
        else:
            flash(_("The role of %(name)s is saved.", name=user.full_name), "success")
            return redirect(url_for(".index"))
    return render_template("accounts/role.html", form=form, user=user)


# ---------------------------------------------------------------- import


@bp.route("/import", methods=["GET", "POST"])
@role_required(*MANAGERS)
def import_file():
    permissions.require(me(), "accounts.import")
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = services.read_rows(upload.filename or "", upload.read())
            report = services.import_accounts(rows, actor=me())
        except errors.HelpdeskError as error:
            errors.attach_to_form(form, error)
    return render_template("accounts/import.html", form=form, report=report)


# ---------------------------------------------------------------- throttled accounts


@bp.route("/throttled")
@role_required(Role.ADMIN)
def throttled():
    now = utcnow()
    rows = db.session.execute(services.throttled_accounts(me(), now=now).limit(200))
    return render_template(
        "accounts/throttled.html",
        rows=list(rows),
        now=now,
        action=ButtonForm(),
        is_throttled=lambda throttle: services.is_throttled(throttle, now=now),
    )


@bp.route("/throttled/<int:user_id>/unthrottle", methods=["POST"])
@role_required(Role.ADMIN)
def unthrottle(user_id: int):
    if ButtonForm().validate_on_submit():
        services.unthrottle(me(), user_id)
        flash(_("The account may log in again at once."), "success")
    return redirect(url_for(".throttled"))
