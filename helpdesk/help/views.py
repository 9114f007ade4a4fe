"""The knowledge base's pages: reading articles, and writing and publishing them; and the
filing form's "solved, no need to send"."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.auth.permissions import me
from helpdesk.extensions import limiter
from helpdesk.help import deflections

bp = Blueprint("help", __name__, url_prefix="/help")

SOLVED_RATE_LIMIT = "30/minute;300/day"


@bp.get("/<slug>")
def article(slug: str):  # noqa: ARG001
    """The article page."""
    abort(404)


def solved_key() -> str:
    """The rate limiter's key for "solved": the signed-in account."""
    return f"solved:{getattr(current_user, 'id', '')}"


@bp.post("/<slug>/solved")
@login_required
@limiter.limit(SOLVED_RATE_LIMIT, key_func=solved_key)
def solved(slug: str):
    """The filing form's "solved, no need to send": counted (once a day), nothing filed."""
    user = me()
    found = deflections.solved_article(user, slug)
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
