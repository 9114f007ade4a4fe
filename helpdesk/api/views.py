"""The JSON API v1 under /api/v1: callers authenticate with `Authorization: Bearer TOKEN` only
(never a session cookie, hence no CSRF), and file, list, read, answer and work tickets, and
declare incidents, attach tickets to them and post their updates (staff), send requests with a
due date to provinces and read who answered, through the same services as the web pages. Not
visible is not found (404). The units of a province (the type-ahead of the registration page),
the support directory and the help articles need no token; nor do the filing form's
suggestions, which its script asks for with the page's session cookie: a GET that reads the
signed-in account only to know which articles it may read (no CSRF needed: it changes
nothing)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from sqlalchemy.orm.exc import StaleDataError

from helpdesk import errors, inputs
from helpdesk.api import (
    articles,
    directory,
    filing,
    openapi,
    schemas,
    services,
    suggestions,
    units,
)
from helpdesk.api import incidents as incident_bodies
from helpdesk.api import info_requests as request_bodies
from helpdesk.api.ticket_list import ticket_filters
from helpdesk.api.ties import load_ties
from helpdesk.auth import permissions
from helpdesk.auth.models import User, is_staff
from helpdesk.auth.services import token_digest
from helpdesk.auth.services import units as unit_records
from helpdesk.directory import services as directory_entries
from helpdesk.extensions import csrf, db, limiter
from helpdesk.help import listing as help_articles
from helpdesk.requests import tracker as request_tracker
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services.access import require_staff
from helpdesk.tickets.services.followers import followers_by_ticket, followers_of
from helpdesk.tickets.services.sla_state import state as clock_state
from helpdesk.timeutil import utcnow

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens; a session cookie is read by one GET only (suggestions)

DEFAULT_RATE_LIMIT = "600/minute"
# Callers without a token (the registration page's type-ahead, a few requests a name typed),
# per address, besides the API's own limit.
ANONYMOUS_UNITS_RATE_LIMIT = "120/minute"
# The filing form's suggestions without a token (a few requests per subject typed), per
# signed-in account, else per address.
SESSION_SUGGESTIONS_RATE_LIMIT = "120/minute"


def bearer_token() -> str | None:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def rate_limit() -> str:
    return current_app.config.get("HELPDESK_API_RATE_LIMIT", DEFAULT_RATE_LIMIT)


def rate_key() -> str:
    """Per token (by its digest: the token itself is never stored), else per address."""
    token = bearer_token()
    if token and len(token) <= services.MAX_TOKEN_LENGTH:
        return "api:token:" + token_digest(token)
    return "api:address:" + get_remote_address()


limiter.limit(rate_limit, key_func=rate_key)(bp)


def authenticated(view: Callable) -> Callable:
    """Run the view for the bearer token's account (passed first), in that account's language,
    once the query string and the body are found within bounds (refused in that language)."""

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        user = services.authenticate(bearer_token())
        if user.must_change_password:
            raise errors.Forbidden(_("Change your password on the web before using the API."))
        languages = current_app.config["LANGUAGES"]
        language = user.language if user.language in languages else languages[0]
        with force_locale(language):
            inputs.refuse_unstorable_text(api=True)
            inputs.limit_json_body()  # the one body limit, before anything reads the body
            return view(user, *args, **kwargs)

    return guarded


def anonymous_units_rate_limit() -> str:
    return current_app.config.get("HELPDESK_UNITS_RATE_LIMIT", ANONYMOUS_UNITS_RATE_LIMIT)


def with_token() -> bool:
    return bearer_token() is not None


def open_to_anyone(view: Callable) -> Callable:
    """Run the view for the bearer token's account when a token is given (refused as
    `authenticated` refuses it), else for nobody (None), in the request's language; the query
    string is checked first."""

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if with_token():
            return authenticated(view)(*args, **kwargs)
        inputs.refuse_unstorable_text(api=True)
        return view(None, *args, **kwargs)

    return guarded


def session_suggestions_rate_limit() -> str:
    return current_app.config.get("HELPDESK_SUGGESTIONS_RATE_LIMIT", SESSION_SUGGESTIONS_RATE_LIMIT)


def session_rate_key() -> str:
    """Per signed-in account (the session cookie's), else per address."""
    user = permissions.signed_in_user()
    return f"api:account:{user.id}" if user is not None else rate_key()


def open_to_session(view: Callable) -> Callable:
    """As `open_to_anyone`, but a caller without a token is the session's signed-in account
    (a page's script), else nobody (None)."""

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if with_token():
            return authenticated(view)(*args, **kwargs)
        inputs.refuse_unstorable_text(api=True)
        return view(permissions.signed_in_user(), *args, **kwargs)

    return guarded


@bp.errorhandler(services.Unauthorized)
def unauthorized(error: services.Unauthorized):
    response, status = errors.error_response(error.status, error.message, code=error.code)
    challenge = 'Bearer realm="api"'
    if bearer_token():
        challenge += ', error="invalid_token"'
    response.headers["WWW-Authenticate"] = challenge
    return response, status


@bp.errorhandler(StaleDataError)
def concurrent_change(error: StaleDataError):
    """Two writers on one ticket at once (SQLite has no row lock): the later one is told."""
    db.session.rollback()
    return errors.error_response(
        409, _("Someone else changed this ticket at the same time. Reload it and try again.")
    )


@bp.after_request
def no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# ---------------------------------------------------------------- endpoints


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document of this API (public)."""
    return jsonify(openapi.document())


@bp.get("/me")
@authenticated
def me(user: User):
    return jsonify(schemas.account_json(user))


@bp.post("/tickets")
@authenticated
def file_ticket(user: User):
    draft, official = filing.read_filing(
        user, schemas.json_object(), idempotency_key=request.headers.get("Idempotency-Key")
    )
    ticket = filing.file_ticket(user, draft, official)
    response = jsonify(filed_detail(user, ticket, now=utcnow()))
    response.headers["Location"] = url_for(".get_ticket", number=ticket.number)
    return response, 201


@bp.get("/tickets")
@authenticated
def list_tickets(user: User):
    filters, page, per_page = ticket_filters(request.args)
    now = utcnow()
    found = tickets.list_tickets(user, filters, page=page, per_page=per_page, now=now)
    services.load_requesters(found.items)
    states = {ticket.id: sla_state(ticket, now) for ticket in found.items}
    followers = (
        followers_by_ticket([ticket.id for ticket in found.items]) if is_staff(user) else None
    )
    ties = load_ties(user, found.items)
    return jsonify(
        schemas.page_json(user, found, sla_states=states, ties=ties, followers=followers)
    )


@bp.get("/tickets/<number>")
@authenticated
def get_ticket(user: User, number: str):
    ticket = find_ticket(user, number)
    return jsonify(ticket_detail(user, ticket, now=utcnow()))


@bp.post("/tickets/<number>/messages")
@authenticated
def add_message(user: User, number: str):
    ticket = find_ticket(user, number, for_update=True)
    body, internal = schemas.message_input(schemas.json_object())
    message = services.add_message(user, ticket, body, internal=internal)
    response = jsonify(schemas.message_json(user, message))
    response.headers["Location"] = url_for(".get_ticket", number=ticket.number)
    return response, 201


@bp.patch("/tickets/<number>")
@authenticated
def update_ticket(user: User, number: str):
    ticket = find_ticket(user, number, for_update=True)
    require_staff(user)  # requesters: the very answer of a ticket that does not exist
    changes, version = schemas.ticket_changes(schemas.json_object())
    services.update_ticket(user, ticket, changes, version=version)
    return jsonify(ticket_detail(user, ticket, now=utcnow()))


@bp.post("/incidents")
@authenticated
def declare_incident(user: User):
    require_staff(user)  # officials: the very answer of a ticket that does not exist
    incident = tickets.declare(user, **incident_bodies.declaration(schemas.json_object()))
    response = jsonify(ticket_detail(user, incident, now=utcnow()))
    response.headers["Location"] = url_for(".get_ticket", number=incident.number)
    return response, 201


@bp.post("/incidents/<number>/tickets")
@authenticated
def attach_to_incident(user: User, number: str):
    incident = incident_bodies.require_incident(find_ticket(user, number, for_update=True))
    numbers = incident_bodies.ticket_numbers(schemas.json_object())
    results = tickets.attach(user, incident, numbers)
    return jsonify({"results": results, "incident": ticket_detail(user, incident, now=utcnow())})


@bp.post("/incidents/<number>/updates")
@authenticated
def post_incident_update(user: User, number: str):
    incident = incident_bodies.require_incident(find_ticket(user, number, for_update=True))
    update = incident_bodies.update(schemas.json_object())
    reached = tickets.post_update(
        user,
        incident,
        update.body,
        resolve=update.resolve,
        expected_at=update.expected_at,
        source="api",
    )
    detail = ticket_detail(user, incident, now=utcnow())
    response = jsonify({"tickets": reached, "incident": detail})
    response.headers["Location"] = url_for(".get_ticket", number=incident.number)
    return response, 201


@bp.post("/requests")
@authenticated
def send_request(user: User):
    sent = request_bodies.send(user, schemas.json_object())  # others: 404, as for a ticket
    response = jsonify(request_bodies.sent_json(sent))
    response.headers["Location"] = url_for(".get_request", number=sent.number)
    return response, 201


@bp.get("/requests/<number>")
@authenticated
def get_request(user: User, number: str):
    found = request_tracker.track(user, number, now=utcnow())
    return jsonify(request_bodies.tracker_json(found))


@bp.get("/units")
@limiter.limit(
    anonymous_units_rate_limit, key_func=rate_key, exempt_when=with_token, override_defaults=False
)
@open_to_anyone
def list_units(user: User | None):  # noqa: ARG001 - the same list for everyone
    province, words = units.unit_query(request.args)
    found = unit_records.search(province, words)
    return jsonify({"items": [units.unit_json(unit) for unit in found]})


@bp.get("/directory")
@limiter.limit(  # as the units: a public list a form's script asks for, per address
    anonymous_units_rate_limit, key_func=rate_key, exempt_when=with_token, override_defaults=False
)
@open_to_anyone
def list_directory(user: User | None):  # noqa: ARG001 - the same directory for everyone
    system, province = directory.directory_query(request.args)
    found = directory_entries.list_entries(system=system, province=province)
    return jsonify({"items": [directory.entry_json(entry) for entry in found]})


@bp.get("/articles")
@open_to_anyone
def list_articles(user: User | None):
    """Published help articles the caller reads (a visitor: the public ones); never drafts."""
    found = help_articles.published_articles(user, articles.article_query(request.args))
    return jsonify({"items": [articles.article_json(article) for article in found]})


@bp.get("/suggestions")
@limiter.limit(
    session_suggestions_rate_limit,
    key_func=session_rate_key,
    exempt_when=with_token,
    override_defaults=False,
)
@open_to_session
def list_suggestions(user: User | None):
    query = suggestions.suggestion_query(request.args)
    language = str(get_locale() or "vi")
    return jsonify(suggestions.suggestions_json(user, query, language=language))


# ---------------------------------------------------------------- helpers


def find_ticket(user: User, number: str, *, for_update: bool = False) -> Ticket:
    if not schemas.is_ticket_number(number):  # never exists; kept away from the database
        raise errors.NotFound(_("Ticket not found."))  # the words of tickets.services.get_ticket
    return tickets.get_ticket(user, number, for_update=for_update)


def sla_state(ticket: Ticket, now: datetime) -> str:
    return str(clock_state(ticket, now))


def filed_detail(user: User, ticket: Ticket, *, now: datetime) -> dict:
    """The detail of a ticket the caller just filed, from what filing left loaded: it has no
    messages, so every file is one it was filed with, none an internal note's. A resubmission
    (the same Idempotency-Key) may return a ticket that went on since: read as any ticket."""
    if ticket.messages:
        return ticket_detail(user, ticket, now=now)
    return schemas.ticket_detail_json(
        user,
        ticket,
        sla_state=sla_state(ticket, now),
        ties=load_ties(user, [ticket]),
        messages=[],
        attachments=sorted(ticket.attachments, key=lambda attachment: attachment.id),
        followers=followers_of(ticket) if is_staff(user) else None,
    )


def ticket_detail(user: User, ticket: Ticket, *, now: datetime) -> dict:
    return schemas.ticket_detail_json(
        user,
        ticket,
        sla_state=sla_state(ticket, now),
        ties=load_ties(user, [ticket]),
        messages=services.visible_messages(user, ticket),
        attachments=services.visible_attachments(user, ticket),
        followers=followers_of(ticket) if is_staff(user) else None,
    )
