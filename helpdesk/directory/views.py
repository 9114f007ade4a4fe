"""The support directory's pages: public reading, and its keepers' forms and files."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from helpdesk import errors, spreadsheets
from helpdesk.auth.models import Role
from helpdesk.auth.permissions import me, role_required, signed_in_user
from helpdesk.directory import access, files, services
from helpdesk.directory.forms import (
    HANDLES_LABELS,
    KIND_LABELS,
    DeleteForm,
    EntryForm,
    FilterForm,
    ImportForm,
)
from helpdesk.timeutil import to_local, utcnow

bp = Blueprint("directory", __name__, url_prefix="/directory")


def keeper():
    """The signed-in keeper (role_required let admins and coordinators in); 404 for a
    coordinator without a province."""
    user = me()
    if not access.can_keep(user):
        abort(404)
    return user


@bp.get("")
def index():
    form = FilterForm(formdata=request.args)
    form.fill_choices()
    q = form.q.data.strip() if form.q.data and form.validate() else ""
    system, province = form.chosen(form.system), form.chosen(form.province)
    entries = services.list_entries(system=system, province=province, q=q)
    user = signed_in_user()
    return render_template(
        "directory/index.html",
        form=form,
        groups=services.grouped(entries),
        found=len(entries),
        filtered=bool(system or province or q),
        can_keep=access.can_keep(user),
        keeps=lambda entry: access.can_keep_province(user, entry.province_code),
        delete_form=DeleteForm(),
        kind_labels=KIND_LABELS,
        handles_labels=HANDLES_LABELS,
    )


def entry_form(user, **initial) -> EntryForm:
    coordinator = user.role == Role.COORDINATOR
    if coordinator:
        initial.setdefault("province", user.province_code)
    form = EntryForm(**initial)
    form.fill_choices(only_province=user.province_code if coordinator else None)
    return form


@bp.route("/new", methods=["GET", "POST"])
@role_required(*access.KEEPERS)
def new():
    user = keeper()
    form = entry_form(user)
    if form.validate_on_submit():
        try:
            services.create_entry(user, form.to_draft())
        except errors.Invalid as error:
            errors.attach_to_form(form, error)
        else:
            flash(_("Directory entry added."), "success")
            return redirect(url_for(".index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("directory/form.html", form=form, entry=None), status


@bp.route("/<int:entry_id>/edit", methods=["GET", "POST"])
@role_required(*access.KEEPERS)
def edit(entry_id: int):
    user = keeper()
    entry = services.get_entry(user, entry_id)
    draft = services.draft_of(entry)
    form = entry_form(
        user,
        system=draft.system_code or "",
        province=draft.province_code or "",
        kind=draft.kind,
        organisation=draft.organisation,
        name=draft.name,
        phone=draft.phone,
        email=draft.email,
        hours=draft.hours,
        handles=list(draft.handles),
        note=draft.note,
        position=draft.position,
    )
    if form.validate_on_submit():
        try:
            services.update_entry(user, entry_id, form.to_draft())
        except errors.Invalid as error:
            errors.attach_to_form(form, error)
        else:
            flash(_("Directory entry saved."), "success")
            return redirect(url_for(".index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("directory/form.html", form=form, entry=entry), status


@bp.post("/<int:entry_id>/delete")
@role_required(*access.KEEPERS)
def delete(entry_id: int):
    user = keeper()
    if DeleteForm().validate_on_submit():
        services.delete_entry(user, entry_id)
        flash(_("Directory entry deleted."), "success")
    return redirect(url_for(".index"))


@bp.route("/import", methods=["GET", "POST"])
@role_required(*access.KEEPERS)
def import_file():
    user = keeper()
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = files.read_rows(upload.filename or "", upload.read())
            result = files.import_entries(user, rows)
        except errors.Invalid as error:
            errors.attach_to_form(form, error)
        else:
            if result.ok:
                flash(
                    _(
                        "Directory imported: %(added)d added, %(updated)d updated, "
                        "%(unchanged)d unchanged.",
                        added=result.added,
                        updated=result.updated,
                        unchanged=result.unchanged,
                    ),
                    "success",
                )
                return redirect(url_for(".index"))
    failed = (result is not None and not result.ok) or form.errors or form.form_errors
    return render_template(
        "directory/import.html", form=form, result=result, columns=files.COLUMNS
    ), (422 if failed else 200)


@bp.get("/export.<any(csv, xlsx):kind>")
@role_required(*access.KEEPERS)
def export(kind: str):
    keeper()
    stem = f"directory-{to_local(utcnow()).strftime('%Y%m%d-%H%M')}"
    if kind == "csv":
        body, mimetype = files.export_csv(), spreadsheets.CSV_MIMETYPE
    else:
        body, mimetype = files.export_xlsx(), spreadsheets.XLSX_MIMETYPE
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{kind}"'},
    )
