"""What the web trusts of a request: its Host, forwarded headers, the client's address; HSTS."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from flask import Flask, Response, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from helpdesk import errors

HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    """Forwarded headers through HELPDESK_PROXY_HOPS only, unknown hosts refused first, HSTS
    when HELPDESK_HTTPS is on. Call before the other extensions register their hooks."""
    hops = app.config["HELPDESK_PROXY_HOPS"]
    if hops:
        # Each trusted proxy appends to X-Forwarded-For/-Proto/-Host; ProxyFix reads the value
        # that many hops from the right, so what a client wrote itself is never taken. With no
        # hops the headers are ignored: the Host checked and the address seen are the peer's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.before_request(refuse_unknown_host)
    if app.config["HELPDESK_HTTPS"]:
        app.after_request(add_hsts)


def refuse_unknown_host():
    """400 for a Host outside TRUSTED_HOSTS (Flask put it aside as the routing exception)
    before any other work: no session, no form, no mail. The API's error shape under /api/,
    else plain text: without a trusted host Flask builds no URL, so no page can render."""
    if not isinstance(request.routing_exception, SecurityError):
        return None
    message = _("The request could not be understood.")
    if errors.is_api_request():
        return errors.error_response(400, message)
    return Response(message, 400, mimetype="text/plain")


def add_hsts(response: Response) -> Response:
    response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def is_monitor(address: str | None) -> bool:
    """Whether the client address (as ProxyFix leaves it) is loopback or listed in
    HELPDESK_HEALTH_FROM."""
    return is_allowed_address(address, current_app.config["HELPDESK_HEALTH_FROM"])


def is_allowed_address(address: str | None, networks: Iterable[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback or any(ip in ipaddress.ip_network(network) for network in networks)
