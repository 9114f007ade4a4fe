"""Home page, language switch and /healthz."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from helpdesk import trust
from helpdesk.auth import services as accounts
from helpdesk.auth.models import Role
from helpdesk.auth.permissions import has_role, me, signed_in_user
from helpdesk.extensions import db
from helpdesk.i18n import LANGUAGE_COOKIE
from helpdesk.inputs import local_path
from helpdesk.notifications.outbox import oldest_due
from helpdesk.site.home import home_of
from helpdesk.sla.services import notices
from helpdesk.tickets import forms as ticket_forms
from helpdesk.tickets.services import home as tickets_home
from helpdesk.timeutil import utcnow
from helpdesk.worker import cron_last_seen, redis_is_up

bp = Blueprint("site", __name__)
HEARTBEAT_LATE = timedelta(minutes=3)  # the heartbeat runs each minute


@bp.route("/")
def home():
    """The signed-out visitor's welcome; for an account, the blocks of what its role does."""
    user = signed_in_user()
    if user is None:
        return render_template("site/home.html", home=None)
    now = utcnow()
    return render_template(
        "site/home.html",
        home=home_of(user, now),
        now=now,
        status_labels=ticket_forms.STATUS_LABELS,
        count_cap=tickets_home.COUNT_CAP,
    )


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
        if current_user.is_authenticated:
            accounts.set_language(me(), chosen)
    return response


@bp.route("/healthz")
def healthz():
    """200 when the database and Redis answer, 503 otherwise; says which is down. Also whether
    the periodic jobs run and how long due mail and SLA notices have waited: monitoring reads
    these, and they leave the status alone (the web still serves)."""
    now = utcnow()
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
    if may_see_backlog():
        body["jobs"] = jobs_state(now) if redis_state == "ok" else "unknown"
        body["mail_waiting_minutes"] = None
        body["sla_waiting_minutes"] = None
        if database == "ok":
            body["mail_waiting_minutes"] = minutes_since(oldest_due(now), now)
            body["sla_waiting_minutes"] = minutes_since(notices.oldest_notice(), now)
    return jsonify(body), 200 if healthy else 503


def may_see_backlog() -> bool:
    """The backlog tells outsiders how busy or broken the service is: for loopback, the
    monitoring addresses of HELPDESK_HEALTH_FROM and signed-in admins only."""
    return trust.is_monitor(request.remote_addr) or has_role(current_user, Role.ADMIN)


def jobs_state(now: datetime) -> str:
    """The periodic jobs: "ok" when the heartbeat, which the cron enqueues each minute and a
    worker runs, ran lately; "late" when the cron or every worker has stopped."""
    seen = cron_last_seen()
    return "ok" if seen is not None and now - seen <= HEARTBEAT_LATE else "late"


def minutes_since(instant: datetime | None, now: datetime) -> int:
    """Whole minutes waited since the instant (0 when nothing waits)."""
    if instant is None:
        return 0
    return max(0, (now - instant) // timedelta(minutes=1))
