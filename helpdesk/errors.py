"""Errors the user must be told about, and the app-wide error handlers."""

from __future__ import annotations

import logging
import math
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.exceptions import HTTPException

from helpdesk.extensions import db, limiter
from helpdesk.timeutil import to_local

log = logging.getLogger(__name__)


class HelpdeskError(Exception):
    """Something the user must be told (never a bug), with an HTTP status and a contract code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None, *, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.fields = dict(fields or {})
        if field:
            self.fields.setdefault(field, message)


def not_found() -> NotFound:
    """What a caller is told of what does not exist or is not theirs to see: the same words."""
    return NotFound(default_message(404))


class Invalid(HelpdeskError):
    status = 422
    code = "invalid"


class NotFound(HelpdeskError):
    status = 404
    code = "not_found"


class Forbidden(HelpdeskError):
    status = 403
    code = "forbidden"


class Conflict(HelpdeskError):
    status = 409
    code = "conflict"


def attach_to_form(form, error: HelpdeskError) -> None:
    """Show a service's error beside its field (or above the form), keeping the input."""
    for name, message in (error.fields or {None: error.message}).items():
        field = getattr(form, name, None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str, fields: dict | None = None, code: str | None = None):
    code = code or HTTP_CODES.get(status, "error")
    if is_api_request():
        body = {"error": {"code": code, "message": message, "fields": fields or {}}}
        return jsonify(body), status
    template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/generic.html"
    return render_template(template, status=status, message=message, back=way_back()), status


def way_back() -> str | None:
    """The page the user came from on this site (a link back), or None."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or referrer.scheme not in ("http", "https"):
        return None
    path = referrer.path or "/"
    if path == request.path or not path.startswith("/") or "\\" in path:
        return None
    return f"{path}?{referrer.query}" if referrer.query else path


def too_many_requests():
    """The 429 page (or the API's error): when to try again if the rate limiter knows, with
    Retry-After in seconds."""
    limit = limiter.current_limit
    if limit is None:
        return error_response(429, default_message(429))
    retry_at = limit.window[0]  # reset_at adds a second
    seconds = max(1, math.ceil(retry_at - time.time()))
    at = to_local(datetime.fromtimestamp(retry_at, UTC), current_app.config["HELPDESK_TIMEZONE"])
    minutes = math.ceil(seconds / 60)
    message = ngettext(
        "Too many attempts in a short time: please try again in %(num)d minute, at %(time)s.",
        "Too many attempts in a short time: please try again in %(num)d minutes, at %(time)s.",
        minutes,
        time=at.strftime("%H:%M"),
    )
    response = make_response(error_response(429, message))
    response.headers["Retry-After"] = str(seconds)
    return response


def default_message(status: int) -> str:
    messages = {
        400: _("The request could not be understood."),
        401: _("Please log in."),
        403: _("You do not have access to this page."),
        404: _("The page you asked for does not exist or is not available to you."),
        405: _("This action is not allowed here."),
        413: _("The upload is too large."),
        429: _("Too many attempts. Please wait a moment and try again."),
        500: _("Something went wrong on our side. The error has been recorded."),
        503: _("The service is temporarily unavailable."),
    }
    return messages.get(status, _("The request could not be completed."))


def register_handlers(app: Flask) -> None:
    @app.errorhandler(HelpdeskError)
    def handle_helpdesk_error(error: HelpdeskError):
        return error_response(error.status, error.message, error.fields, error.code)

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException):
        status = error.code or 500
        if (
            status == 400
            and getattr(error, "description", None)
            and "CSRF" in str(error.description)
        ):
            return error_response(
                400, _("The form has expired. Please reload the page and try again.")
            )
        if status == 429:
            return too_many_requests()
        response = make_response(error_response(status, default_message(status)))
        if status == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, default_message(500))
