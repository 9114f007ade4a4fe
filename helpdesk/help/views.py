"""The knowledge base's pages: reading articles, and writing and publishing them; and the
filing form's "solved, no need to send"."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from helpdesk import errors, storage
from helpdesk.auth.models import STAFF_ROLES
from helpdesk.auth.permissions import me, role_required, signed_in_user
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import db, limiter
from helpdesk.help import access, deflections, listing, rendering, services
from helpdesk.help.forms import (
    FILE_TYPES,
    READERS_LABELS,
    ArticleForm,
    FilesForm,
    uploads_from,
)
from helpdesk.help.models import ArticleStatus
from helpdesk.inputs import ButtonForm, args_of, int_arg

bp = Blueprint("help", __name__, url_prefix="/help")

SLUG = re.compile(r"[a-z0-9-]{1,120}")
QUERY_LIMIT = 200
SOLVED_RATE_LIMIT = "30/minute;300/day"


def language() -> str:
    return str(get_locale() or "vi")


def checked_slug(slug: str) -> str:
    """An article's slug as services make them; anything else is answered 404 at once."""
    if not SLUG.fullmatch(slug or ""):
        abort(404)
    return slug


@bp.context_processor
def help_labels():
    return {
        "readers_labels": READERS_LABELS,
        "system_name": catalogue.system_name,
        "category_name": lambda code: catalogue.category_name(code, language()),
        "draft_status": ArticleStatus.DRAFT,
    }


@bp.route("", strict_slashes=False)
def index():
    """The articles the reader may read, searched and filtered; writers see drafts too."""
    user = signed_in_user()
    writer = access.can_write(user)
    system = request.args.get("system", "")
    category = request.args.get("category", "")
    filters = listing.ArticleFilters(
        q=request.args.get("q", "")[:QUERY_LIMIT],
        system=system if catalogue.find_system(system) else None,
        category=category if catalogue.find_category(category) else None,
        drafts=writer and request.args.get("status") == ArticleStatus.DRAFT,
    )
    page = listing.list_articles(user, filters, page=int_arg("page"))
    return render_template(
        "help/index.html",
        page=page,
        filters=filters,
        shown={article.id: listing.shown_text(article, language()) for article in page.items},
        systems=catalogue.systems(),
        categories=catalogue.categories(),
        language=language(),
        can_write=writer,
        extra=args_of("q", "system", "category", "status"),
    )


def article_form(article=None, *, bound: bool = True) -> ArticleForm:
    """The article form: bound to the request, or (`bound` False) filled from the article."""
    form = ArticleForm() if bound else ArticleForm(formdata=None, obj=article)
    form.fill_choices(catalogue.systems(), catalogue.categories(), language())
    if not bound and article is not None:
        form.systems.data = [link.system_code for link in article.systems]
        form.categories.data = [link.category_code for link in article.categories]
    return form


@bp.route("/new", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def new():
    form = article_form()
    if form.validate_on_submit():
        try:
            article = services.create_draft(me(), form.to_draft())
        except errors.HelpdeskError as error:
            errors.attach_to_form(form, error)
        else:
            flash(_("Draft saved. Readers see it once it is published."), "success")
            return redirect(url_for(".edit", slug=article.slug))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("help/edit.html", form=form, article=None), status


@bp.route("/<slug>")
def show(slug: str):
    user = signed_in_user()
    article = services.get_article(user, checked_slug(slug))
    shown = listing.shown_text(article, language())
    return render_template(
        "help/show.html",
        article=article,
        shown=shown,
        body=Markup(rendering.render(shown.body)),  # noqa: S704 - sanitised by nh3
        can_write=access.can_write(user),
        can_publish=access.can_publish(user),
        action_form=ButtonForm(),
        language=language(),
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def edit(slug: str):
    article = services.get_for_writing(me(), checked_slug(slug))
    form = article_form(article, bound=request.method == "POST")
    if form.validate_on_submit():
        try:
            services.edit_article(me(), article, form.to_draft())
        except errors.HelpdeskError as error:
            db.session.rollback()
            errors.attach_to_form(form, error)
        else:
            flash(_("Article saved."), "success")
            return redirect(url_for(".edit", slug=article.slug))
    status = 422 if form.errors or form.form_errors else 200
    return render_edit(article, form, FilesForm(formdata=None), status)


def render_edit(article, form, files_form, status: int = 200):
    return render_template(
        "help/edit.html",
        article=article,
        form=form,
        files_form=files_form,
        action_form=ButtonForm(formdata=None),
        preview=Markup(rendering.render(article.body)),  # noqa: S704 - sanitised by nh3
        preview_en=Markup(rendering.render(article.body_en)),  # noqa: S704 - sanitised by nh3
        can_publish=access.can_publish(me()),
        file_types=FILE_TYPES,
    ), status


@bp.route("/<slug>/publish", methods=["POST"])
@role_required(*STAFF_ROLES)
def publish(slug: str):
    article = services.get_for_writing(me(), checked_slug(slug))
    if ButtonForm().validate_on_submit():
        services.publish(me(), article)
        flash(_("Article published."), "success")
    return redirect(url_for(".show", slug=article.slug))


@bp.route("/<slug>/unpublish", methods=["POST"])
@role_required(*STAFF_ROLES)
def unpublish(slug: str):
    article = services.get_for_writing(me(), checked_slug(slug))
    if ButtonForm().validate_on_submit():
        services.unpublish(me(), article)
        flash(_("Article unpublished: it is a draft again."), "success")
    return redirect(url_for(".show", slug=article.slug))


@bp.route("/<slug>/delete", methods=["POST"])
@role_required(*STAFF_ROLES)
def delete(slug: str):
    article = services.get_for_writing(me(), checked_slug(slug))
    if not ButtonForm().validate_on_submit():
        return redirect(url_for(".show", slug=article.slug))
    try:
        services.delete_draft(me(), article)
    except errors.Invalid as error:
        flash(error.message, "warning")
        return redirect(url_for(".show", slug=article.slug))
    flash(_("Draft deleted."), "success")
    return redirect(url_for(".index"))


@bp.route("/<slug>/files", methods=["POST"])
@role_required(*STAFF_ROLES)
def add_files(slug: str):
    article = services.get_for_writing(me(), checked_slug(slug))
    files_form = FilesForm()
    if files_form.validate_on_submit():
        try:
            added = services.add_files(me(), article, uploads_from(request.files.getlist("files")))
        except errors.Invalid as error:
            db.session.rollback()
            errors.attach_to_form(files_form, error)
        else:
            flash(ngettext("%(num)d file added.", "%(num)d files added.", len(added)), "success")
            return redirect(url_for(".edit", slug=article.slug, _anchor="article-files"))
    return render_edit(article, article_form(article, bound=False), files_form, 422)


@bp.route("/<slug>/files/<int:file_id>/remove", methods=["POST"])
@role_required(*STAFF_ROLES)
def remove_file(slug: str, file_id: int):
    article = services.get_for_writing(me(), checked_slug(slug))
    if ButtonForm().validate_on_submit():
        services.remove_file(me(), article, file_id)
        flash(_("File removed."), "success")
    return redirect(url_for(".edit", slug=article.slug, _anchor="article-files"))


@bp.route("/<slug>/files/<int:file_id>")
def download(slug: str, file_id: int):
    """A file of an article, always as a download that the browser may not interpret."""
    found = services.get_file(signed_in_user(), checked_slug(slug), file_id)
    return storage.download(found.sha256, found.filename)


def solved_key() -> str:
    """The rate limiter's key for "solved": the signed-in account."""
    return f"solved:{getattr(current_user, 'id', '')}"


@bp.post("/<slug>/solved")
@login_required
@limiter.limit(SOLVED_RATE_LIMIT, key_func=solved_key)
def solved(slug: str):
    """The filing form's "solved, no need to send": counted (once a day), nothing filed."""
    user = me()
    found = deflections.solved_article(user, checked_slug(slug))
    deflections.record(
        user,
        found,
        system=request.form.get("system"),
        category=request.form.get("category"),
        province=request.form.get("province"),
        timezone=current_app.config["HELPDESK_TIMEZONE"],
    )
    flash(
        _(
            "Thank you. Nothing was sent: the help article solved the problem. "
            "You can still report it at any time."
        ),
        "success",
    )
    return redirect(url_for("site.home"))
