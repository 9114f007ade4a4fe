"""The requests' pages: the list of the requests a user reads, the form to send one, a
request's tracker, its answers as XLSX and its answers' files as ZIP. Anyone the requests are
not for is told the page does not exist."""

from __future__ import annotations

import time

from flask import Blueprint, Response, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import login_required, user_logged_in

from helpdesk import errors, spreadsheets, storage
from helpdesk.auth.permissions import me, signed_in_user
from helpdesk.catalogue import services as catalogue
from helpdesk.requests import exports, tracker
from helpdesk.requests.access import (
    IT_ROLES,
    reader_of,
    reads_requests_by_role,
    require_sender,
    sending_for,
)
from helpdesk.requests.forms import RequestForm
from helpdesk.requests.services import send_request
from helpdesk.requests.tracker import State
from helpdesk.timeutil import utcnow

bp = Blueprint("requests", __name__, url_prefix="/requests")

STATE_STYLES = {
    State.NOT_OPENED: "text-bg-secondary",
    State.IN_PROGRESS: "text-bg-info",
    State.ANSWERED: "text-bg-success",
    State.LATE: "text-bg-danger",
}


MENU_MEMO = "requests_menu"  # session: {"user": id, "until": POSIX time, "shown": bool}
MENU_MEMO_SECONDS = 900


@bp.app_context_processor
def request_menu_flags():
    """The main menu's link to the requests, for those the pages are for. Asked of the role
    alone, except for agents and supervisors (the ministry's IT staff read them, a vendor's
    do not): their answer is read when they sign in and kept in the session a quarter of an
    hour, so that their pages cost no query for it."""
    return {"can_see_requests": lambda: shows_requests(signed_in_user())}


def shows_requests(user) -> bool:
    if user is None:
        return False
    if user.role not in IT_ROLES:
        return reads_requests_by_role(user)
    memo = session.get(MENU_MEMO)
    if not memo or memo.get("user") != user.id or memo.get("until", 0) < time.time():
        memo = remember_menu(None, user)
    return bool(memo["shown"])


def remember_menu(_sender, user, **_extra) -> dict:
    """Keep in the session whether the menu shows an agent or supervisor the requests (at
    sign-in: flask_login's user_logged_in)."""
    memo = {"user": user.id, "until": time.time() + MENU_MEMO_SECONDS, "shown": False}
    if user.role in IT_ROLES:
        memo["shown"] = reader_of(user).pages
        session[MENU_MEMO] = memo
    return memo


@bp.record_once
def on_sign_in(_state) -> None:
    user_logged_in.connect(remember_menu)


@bp.context_processor
def request_labels():
    return {
        "state_label": lambda state, late=False: exports.state_word(state, late=late),
        "state_style": lambda state: STATE_STYLES.get(state, "text-bg-secondary"),
        "states": list(State),
    }


@bp.get("/")
@login_required
def index():
    user = me()
    found = tracker.list_requests(user, now=utcnow())
    return render_template(
        "requests/index.html",
        requests=found,
        may_send=sending_for(user).may_send,
        now=utcnow(),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    sending = require_sender(me())
    form = RequestForm()
    form.fill_choices(sending, systems=catalogue.systems(), provinces=catalogue.provinces())
    if form.validate_on_submit():
        try:
            sent = send_request(me(), form.to_draft())
        except errors.Invalid as error:
            errors.attach_to_form(form, error)
        else:
            flash(
                _(
                    "Request %(number)s sent to %(count)s provinces.",
                    number=sent.number,
                    count=len(sent.tickets),
                ),
                "success",
            )
            return redirect(url_for(".show", number=sent.number))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("requests/new.html", form=form), status


@bp.get("/<number>")
@login_required
def show(number: str):
    now = utcnow()
    found = tracker.track(me(), number, now=now)
    return render_template("requests/show.html", tracker=found, now=now)


@bp.get("/<number>/answers.xlsx")
@login_required
def answers_xlsx(number: str):
    found = tracker.track(me(), number, now=utcnow())
    response = Response(exports.answers_xlsx(found), mimetype=spreadsheets.XLSX_MIMETYPE)
    return attachment(response, f"{found.request.number}-answers.xlsx")


@bp.get("/<number>/files.zip")
@login_required
def files_zip(number: str):
    found = tracker.track(me(), number, now=utcnow())
    entries = exports.zip_entries(found)
    response = Response(exports.zip_stream(entries), mimetype="application/zip")
    return attachment(response, f"{found.request.number}-files.zip")


@bp.get("/<number>/files/<int:attachment_id>")
@login_required
def file(number: str, attachment_id: int):
    """A file of a province's answer, always as a download."""
    found = tracker.find_file(me(), number, attachment_id)
    return storage.download(found.sha256, found.filename)


@bp.get("/<number>/template")
@login_required
def template(number: str):
    """The request's template file, as a download."""
    request, _reader = tracker.get_request(me(), number)
    if not request.template_sha256:
        raise errors.not_found()
    return storage.download(request.template_sha256, request.template_filename)


def attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    return response
