"""What the web trusts of a request: its Host and forwarded headers."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_babel import gettext as _
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    """Forwarded headers through HELPDESK_PROXY_HOPS only, unknown hosts refused first. Call
    before the other extensions register their hooks."""
    hops = app.config["HELPDESK_PROXY_HOPS"]
    if hops:
        # Each trusted proxy appends to X-Forwarded-For/-Proto/-Host; ProxyFix reads the value
        # that many hops from the right, so what a client wrote itself is never taken. With no
        # hops the headers are ignored: the Host checked and the address seen are the peer's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.before_request(refuse_unknown_host)


def refuse_unknown_host() -> Response | None:
    """400 for a Host outside TRUSTED_HOSTS (Flask put it aside as the routing exception)
    before any other work: no session, no form, no mail. Plain text, because without a
    trusted host Flask builds no URL, so no page can be rendered."""
    if isinstance(request.routing_exception, SecurityError):
        return Response(_("The request could not be understood."), 400, mimetype="text/plain")
    return None
