"""Logging: one line per request with its id; CCCD numbers masked in every record."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, request
from flask_login import current_user

log = logging.getLogger("helpdesk.request")

# Twelve ASCII digits standing alone: a CCCD number, whatever carried it into a message.
CCCD_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{8}([0-9]{4})(?![0-9])")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def mask_cccd_in(text: str) -> str:
    return CCCD_IN_TEXT.sub(lambda match: "********" + match.group(1), text)


class MaskCCCD(logging.Filter):
    """Rewrite the rendered message so that no log line carries a full CCCD."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_cccd_in(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class RequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.request_id = g.get("request_id", "-")
        except RuntimeError:  # outside a request or app context
            record.request_id = "-"
        return True


def configure_logging(app: Flask) -> None:
    root = logging.getLogger()
    if not any(isinstance(f, MaskCCCD) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler()
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
        )
        handler.addFilter(RequestId())
        handler.addFilter(MaskCCCD())
        root.addHandler(handler)
        if root.level == logging.NOTSET or root.level > logging.INFO:
            root.setLevel(logging.INFO)

    @app.before_request
    def start_request() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        elapsed_ms = (time.perf_counter() - started) * 1000 if started else 0.0
        # The id only: get_id() also carries the session token, which must never be logged.
        user_id = getattr(current_user, "id", None) or "-"
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        if request.path != "/healthz":
            log.info(
                "%s %s %s %.1fms user=%s",
                request.method,
                mask_cccd_in(request.path),
                response.status_code,
                elapsed_ms,
                user_id,
            )
        return response
