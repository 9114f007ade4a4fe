"""Routing admin pages: queues, members and their provinces, rules (CSV too), the tester."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from helpdesk import errors
from helpdesk.auth.models import Role
from helpdesk.auth.permissions import role_required
from helpdesk.extensions import db
from helpdesk.inputs import ButtonForm, int_arg
from helpdesk.routing import services
from helpdesk.routing.forms import (
    KIND_LABELS,
    CoverageForm,
    ImportForm,
    MemberForm,
    QueueForm,
    RuleFilterForm,
    RuleForm,
    TesterForm,
)
from helpdesk.timeutil import to_local, utcnow

bp = Blueprint("routing", __name__, url_prefix="/admin/routing")

RULES_PER_PAGE = 50
admin_only = role_required(Role.ADMIN)


@bp.route("/")
@admin_only
def index():
    return redirect(url_for(".queues"))


# ---------------------------------------------------------------- queues


@bp.route("/queues")
@admin_only
def queues():
    kind = request.args.get("kind") or None
    rows = services.list_queues(current_user, kind=kind if kind in KIND_LABELS else None)
    return render_template(
        "routing/queues.html",
        rows=rows,
        kind=kind,
        kinds=KIND_LABELS,
        unstaffed=services.unstaffed_queues(),
    )


@bp.route("/queues/new", methods=["GET", "POST"])
@admin_only
def new_queue():
    return edit_queue(None)


@bp.route("/queues/<int:queue_id>", methods=["GET", "POST"])
@admin_only
def edit_queue(queue_id: int | None):
    queue = services.get_queue(current_user, queue_id) if queue_id is not None else None
    initial = {"auto_assign": True, "notify_members": True, "active": True}
    if queue is not None:
        initial = {
            "code": queue.code,
            "name": queue.name,
            "kind": queue.kind,
            "system": queue.system_code or "",
            "province": queue.province_code or "",
            "email": queue.email,
            "supervisor": queue.supervisor.username if queue.supervisor else "",
            "escalation_queue": str(queue.escalation_queue_id or ""),
            "auto_assign": queue.auto_assign,
            "notify_members": queue.notify_members,
            "active": queue.active,
        }
    form = QueueForm(data=initial)
    form.fill_choices(queues=services.all_queues(), queue_id=queue_id)
    if form.validate_on_submit():
        try:
            saved = services.save_queue(current_user, form.to_draft(), queue_id=queue_id)
        except errors.Invalid as error:
            errors.attach_to_form(form, error)
        except errors.Conflict as error:
            errors.attach_to_form(form, error)
        else:
            flash(_("Queue %(code)s saved.", code=saved.code), "success")
            return redirect(url_for(".queues"))
    return render_template("routing/queue_form.html", form=form, queue=queue)


# ---------------------------------------------------------------- members


@bp.route("/queues/<int:queue_id>/members", methods=["GET", "POST"])
@admin_only
def members(queue_id: int):
    queue = services.get_queue(current_user, queue_id)
    form = MemberForm()
    form.fill_choices()
    if form.validate_on_submit():
        try:
            services.add_member(
                current_user,
                queue_id,
                form.username.data,
                provinces=form.provinces.data or (),
                all_provinces=form.all_provinces.data,
                available=form.available.data,
            )
        except (errors.Invalid, errors.Conflict) as error:
            errors.attach_to_form(form, error)
        else:
            flash(_("Member added."), "success")
            return redirect(url_for(".members", queue_id=queue_id))
    return render_template(
        "routing/members.html",
        queue=queue,
        members=services.list_members(current_user, queue_id),
        form=form,
        action=ButtonForm(),
    )


@bp.route("/memberships/<int:membership_id>", methods=["GET", "POST"])
@admin_only
def edit_membership(membership_id: int):
    membership = services.get_membership(current_user, membership_id)
    form = CoverageForm(
        data={
            "provinces": sorted(membership.province_codes),
            "all_provinces": membership.all_provinces,
            "available": membership.available,
        }
    )
    form.fill_choices()
    if form.validate_on_submit():
        try:
            services.update_membership(
                current_user,
                membership_id,
                provinces=form.provinces.data or (),
                all_provinces=form.all_provinces.data,
                available=form.available.data,
            )
        except errors.Invalid as error:
            errors.attach_to_form(form, error)
        else:
            flash(_("Membership saved."), "success")
            return redirect(url_for(".members", queue_id=membership.queue_id))
    return render_template("routing/membership_form.html", membership=membership, form=form)


@bp.route("/memberships/<int:membership_id>/delete", methods=["POST"])
@admin_only
def remove_membership(membership_id: int):
    if not ButtonForm().validate_on_submit():
        return redirect(url_for(".queues"))
    queue = services.remove_membership(current_user, membership_id)
    flash(_("Member removed from the queue."), "success")
    return redirect(url_for(".members", queue_id=queue.id))


# ---------------------------------------------------------------- rules


@bp.route("/rules")
@admin_only
def rules():
    queues = services.all_queues()
    filters = RuleFilterForm(formdata=request.args)
    filters.fill_choices(queues=queues)
    page = db.paginate(
        services.rules_query(current_user, filters.to_filter()),
        page=int_arg("page"),
        per_page=RULES_PER_PAGE,
        error_out=False,
    )
    return render_template(
        "routing/rules.html",
        page=page,
        filters=filters,
        args=filters.query_args(),
        action=ButtonForm(),
    )


@bp.route("/rules/new", methods=["GET", "POST"])
@admin_only
def new_rule():
    return edit_rule(None)


@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
@admin_only
def edit_rule(rule_id: int | None):
    rule = services.get_rule(current_user, rule_id) if rule_id is not None else None
    initial = {"active": True, "rank": 100}
    if rule is not None:
        initial = {
            "name": rule.name,
            "system": rule.system_code or "",
            "category": rule.category_code or "",
            "province": rule.province_code or "",
            "priority": str(rule.priority or ""),
            "queue": str(rule.queue_id),
            "rank": rule.rank,
            "priority_override": str(rule.priority_override or ""),
            "escalation_queue": str(rule.escalation_queue_id or ""),
            "active": rule.active,
        }
    form = RuleForm(data=initial)
    form.fill_choices(queues=services.all_queues())
    if form.validate_on_submit():
        try:
            saved = services.save_rule(current_user, form.to_draft(), rule_id=rule_id)
        except (errors.Invalid, errors.Conflict) as error:
            errors.attach_to_form(form, error)
        else:
            flash(_("Rule %(id)d saved.", id=saved.id), "success")
            return redirect(url_for(".rules"))
    return render_template("routing/rule_form.html", form=form, rule=rule)


@bp.route("/rules/<int:rule_id>/delete", methods=["POST"])
@admin_only
def delete_rule(rule_id: int):
    if ButtonForm().validate_on_submit():
        services.delete_rule(current_user, rule_id)
        flash(_("Rule %(id)d deleted.", id=rule_id), "success")
    return redirect(url_for(".rules"))


@bp.route("/rules/export.csv")
@admin_only
def export_rules():
    filters = RuleFilterForm(formdata=request.args)
    filters.fill_choices(queues=services.all_queues())
    text = services.export_rules(current_user, filters.to_filter())
    stamp = to_local(utcnow()).strftime("%Y%m%d-%H%M")
    return Response(
        text.encode("utf-8-sig"),  # the BOM makes Excel read Vietnamese names right
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="routing-rules-{stamp}.csv"'},
    )


@bp.route("/rules/import", methods=["GET", "POST"])
@admin_only
def import_rules():
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        try:
            result = services.import_rules(current_user, form.file.data.read())
        except errors.Invalid as error:
            errors.attach_to_form(form, error)
        else:
            if result.ok:
                flash(
                    _(
                        "Rules imported: %(created)d created, %(updated)d updated, "
                        "%(unchanged)d unchanged.",
                        created=result.added,
                        updated=result.updated,
                        unchanged=result.unchanged,
                    ),
                    "success",
                )
                return redirect(url_for(".rules"))
    status = 422 if result is not None and not result.ok else 200
    return render_template("routing/import.html", form=form, result=result), status


# ---------------------------------------------------------------- tester


@bp.route("/tester", methods=["GET", "POST"])
@admin_only
def tester():
    form = TesterForm()
    form.fill_choices()
    explanation = None
    if form.validate_on_submit():
        try:
            facts = services.check_facts(
                form.system.data, form.category.data, form.province.data, form.priority.data
            )
            explanation = services.explain_route(facts)
        except errors.Invalid as error:
            errors.attach_to_form(form, error)
    return render_template("routing/tester.html", form=form, explanation=explanation)
