"""The units pages (/admin/units/): a province's listed units (filtered, paginated), adding a
provincial or ministry unit, renaming, deactivating, the members-see-tickets setting, and the
names officials wrote that match no listed unit, each merged into the unit it means. Admins keep
every province; a coordinator its own (others get 404)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from helpdesk import errors
from helpdesk.auth import permissions
from helpdesk.auth.forms import (
    UNIT_KIND_LABELS,
    MergeUnitForm,
    NewUnitForm,
    RenameUnitForm,
    UnitSettingsForm,
)
from helpdesk.auth.models import Role, UnitKind
from helpdesk.auth.permissions import me, role_required
from helpdesk.auth.services import unit_admin
from helpdesk.auth.services import units as unit_search
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import db
from helpdesk.inputs import ButtonForm, int_arg
from helpdesk.tickets.services import unit_records

bp = Blueprint("units", __name__, url_prefix="/admin/units")

PER_PAGE = 50
LISTED_KINDS = [kind for kind in UnitKind if kind != UnitKind.UNLISTED]
STATES = {"active": True, "inactive": False}


def chosen_province() -> str:
    """The province the page is about: the query's, else the coordinator's own, else the
    first of the list (admins)."""
    code = request.args.get("province", "")
    if code:
        return code
    user = me()
    if user.role == Role.COORDINATOR and user.province_code:
        return user.province_code
    return catalogue.provinces()[0].code


def province_choices() -> list:
    """The provinces the user may choose: every one for admins, its own for a coordinator."""
    user = me()
    return [
        province
        for province in catalogue.provinces()
        if permissions.can_manage_units(user, province.code)
    ]


@bp.route("/")
@role_required(Role.ADMIN, Role.COORDINATOR)
def index():
    province = chosen_province()
    kind = request.args.get("kind", "")
    state = request.args.get("state", "")
    text = request.args.get("q", "")[:200]
    filters = unit_admin.UnitFilters(
        kind=kind if kind in LISTED_KINDS else None, text=text, active=STATES.get(state)
    )
    page = db.paginate(
        unit_admin.units_of(me(), province, filters),
        page=int_arg("page"),
        per_page=PER_PAGE,
        error_out=False,
    )
    shown = {"province": province, "kind": kind, "state": state, "q": text}
    return render_template(
        "units/index.html",
        page=page,
        province=catalogue.find_province(province),
        provinces=province_choices(),
        kinds=[(kind.value, UNIT_KIND_LABELS[kind]) for kind in LISTED_KINDS],
        shown=shown,
        extra={name: value for name, value in shown.items() if value},
        kind_labels=UNIT_KIND_LABELS,
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.COORDINATOR)
def new():
    province = chosen_province()
    permissions.require_units(me(), province)
    if catalogue.find_province(province) is None:
        raise errors.NotFound(_("Unit not found."))
    form = NewUnitForm()
    form.system.choices = [SelectChoice("", "—")] + [
        SelectChoice(system.code, system.ministry) for system in catalogue.systems()
    ]
    if form.validate_on_submit():
        try:
            unit = unit_admin.add_unit(me(), form.to_draft(province))
        except errors.Invalid as error:
            errors.attach_to_form(form, error)
        else:
            flash(
                _("%(name)s is added with the code %(code)s.", name=unit.name, code=unit.code),
                "success",
            )
            return redirect(url_for(".index", province=province))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "units/new.html", form=form, province=catalogue.find_province(province)
    ), status


@bp.route("/<int:unit_id>")
@role_required(Role.ADMIN, Role.COORDINATOR)
def edit(unit_id: int):
    unit = unit_admin.get_unit(me(), unit_id)
    return render_page(unit, RenameUnitForm(name=unit.name))


def render_page(unit, rename: RenameUnitForm, status: int = 200):
    return render_template(
        "units/edit.html",
        unit=unit,
        rename=rename,
        renamable=unit.kind in unit_admin.ADDED_KINDS,
        settings=UnitSettingsForm(members_see_tickets=unit.members_see_tickets),
        action=ButtonForm(),
        kind_labels=UNIT_KIND_LABELS,
        system=catalogue.find_system(unit.system_code),
    ), status


@bp.route("/<int:unit_id>/rename", methods=["POST"])
@role_required(Role.ADMIN, Role.COORDINATOR)
def rename(unit_id: int):
    unit = unit_admin.get_unit(me(), unit_id)
    form = RenameUnitForm()
    if form.validate_on_submit():
        try:
            unit_admin.rename_unit(me(), unit.id, form.name.data or "")
        except errors.Invalid as error:
            db.session.rollback()
            errors.attach_to_form(form, error)
        else:
            flash(_("The unit is renamed."), "success")
            return redirect(url_for(".edit", unit_id=unit.id))
    return render_page(unit_admin.get_unit(me(), unit_id), form, 422)


@bp.route("/<int:unit_id>/settings", methods=["POST"])
@role_required(Role.ADMIN, Role.COORDINATOR, Role.UNIT_ADMIN)
def settings(unit_id: int):
    """Whether the unit's members see all of its tickets; a unit admin sets it for its own
    unit from the accounts page, and goes back there."""
    unit = unit_admin.get_shared_unit(me(), unit_id)
    form = UnitSettingsForm()
    if form.validate_on_submit():
        unit_admin.set_members_see_tickets(me(), unit, form.members_see_tickets.data)
        flash(_("The unit's setting is saved."), "success")
    if me().role == Role.UNIT_ADMIN:
        return redirect(url_for("accounts.index"))
    return redirect(url_for(".edit", unit_id=unit.id))


@bp.route("/<int:unit_id>/deactivate", methods=["POST"])
@role_required(Role.ADMIN, Role.COORDINATOR)
def deactivate(unit_id: int):
    return set_active(unit_id, active=False)


@bp.route("/<int:unit_id>/activate", methods=["POST"])
@role_required(Role.ADMIN, Role.COORDINATOR)
def activate(unit_id: int):
    return set_active(unit_id, active=True)


def set_active(unit_id: int, *, active: bool):
    unit = unit_admin.get_unit(me(), unit_id)
    if ButtonForm().validate_on_submit():
        unit_admin.set_unit_active(me(), unit.id, active=active)
        flash(
            _("The unit is offered again.") if active else _("The unit is no longer offered."),
            "success",
        )
    return redirect(url_for(".edit", unit_id=unit.id))


# ---------------------------------------------------------------- unlisted names


@bp.route("/unlisted")
@role_required(Role.ADMIN, Role.COORDINATOR)
def unlisted():
    province = chosen_province()
    rows = unit_records.unlisted_units(me(), province)
    return render_template(
        "units/unlisted.html",
        rows=rows,
        province=catalogue.find_province(province),
        provinces=province_choices(),
    )


@bp.route("/unlisted/<int:unit_id>")
@role_required(Role.ADMIN, Role.COORDINATOR)
def match(unit_id: int):
    unit = unit_records.get_unlisted(me(), unit_id)
    text = request.args.get("q", "")[:200] or unit.name
    return render_template(
        "units/match.html",
        unit=unit,
        q=text,
        candidates=unit_search.search(unit.province_code, text),
        merge=MergeUnitForm(),
        kind_labels=UNIT_KIND_LABELS,
    )


@bp.route("/unlisted/<int:unit_id>/merge", methods=["POST"])
@role_required(Role.ADMIN, Role.COORDINATOR)
def merge(unit_id: int):
    unit = unit_records.get_unlisted(me(), unit_id)
    form = MergeUnitForm()
    if not form.validate_on_submit():
        return redirect(url_for(".match", unit_id=unit.id))
    name, province = unit.name, unit.province_code
    try:
        into, moved = unit_records.merge_unit(me(), unit.id, form.into.data or "")
    except errors.Invalid as error:
        flash(error.message, "warning")
        return redirect(url_for(".match", unit_id=unit_id))
    flash(
        _(
            "“%(name)s” is now %(unit)s: %(users)d accounts and %(tickets)d tickets moved.",
            name=name,
            unit=into.name,
            users=moved.users,
            tickets=moved.tickets,
        ),
        "success",
    )
    return redirect(url_for(".unlisted", province=province))
