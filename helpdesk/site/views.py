"""Home page, language switch and /healthz."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from helpdesk.extensions import db
from helpdesk.i18n import LANGUAGE_COOKIE
from helpdesk.worker import redis_is_up

bp = Blueprint("site", __name__)


@bp.route("/")
def home():
    return render_template("site/home.html")


@bp.route("/language", methods=["POST"])
def language():
    """Switch the interface language (kept in a cookie, and in the profile when logged in)."""
    chosen = request.form.get("language", "")
    target = local_path(request.form.get("next")) or url_for(".home")
    response = redirect(target)
    if chosen in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
        if current_user.is_authenticated and current_user.language != chosen:
            current_user.language = chosen
            db.session.commit()
    return response


@bp.route("/healthz")
def healthz():
    """200 when the database and Redis answer, 503 otherwise; says which is down."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure of the database means "down" here
        db.session.rollback()
        database = "down"
    redis_state = "ok" if redis_is_up() else "down"
    healthy = database == "ok" and redis_state == "ok"
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": database,
        "redis": redis_state,
    }
    return jsonify(body), 200 if healthy else 503


def local_path(target: str | None) -> str | None:
    """Only same-site paths: never redirect to another host (open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target
