"""Logging: one line per request with its id; CCCD numbers masked in everything written."""

from __future__ import annotations

import logging
import re
import time
import uuid
from pathlib import Path

from flask import Flask, g, request
from flask_login import current_user

log = logging.getLogger("helpdesk.request")

# Twelve digits not inside a longer ASCII number: a CCCD, whatever carried it into a line. Any
# script's decimal digits count (int() reads them), but only ASCII digits extend the number, so
# '001085000022²', '001085000022٣' and '001085000022@ht.com' are masked, 13 ASCII digits are not.
CCCD_IN_TEXT = re.compile(r"(?<![0-9])\d{8}(\d{4})(?![0-9])")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
LINE_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def mask_cccd_in(text: str) -> str:
    return CCCD_IN_TEXT.sub(lambda match: "********" + match.group(1), text)


class MaskingFormatter(logging.Formatter):
    """Mask CCCD numbers in the whole formatted record: message and arguments, exception text
    (an `invalid literal` error quotes its input) and stack."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if record.exc_text:  # cached on the record: other handlers reuse it, masked
            record.exc_text = mask_cccd_in(record.exc_text)
        return mask_cccd_in(text)


class RequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.request_id = g.get("request_id", "-")
        except RuntimeError:  # outside a request or app context
            record.request_id = "-"
        return True


def configure_logging(app: Flask) -> None:
    root = logging.getLogger()
    if not any(isinstance(h.formatter, MaskingFormatter) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(MaskingFormatter(LINE_FORMAT))
        handler.addFilter(RequestId())
        root.addHandler(handler)
        if root.level == logging.NOTSET or root.level > logging.INFO:
            root.setLevel(logging.INFO)
    if app.config.get("HELPDESK_LOG_FILE"):
        info_to_file(app.config["HELPDESK_LOG_FILE"])

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


def info_to_file(path: str) -> None:
    """Write every line to the file at `path` (appended), and keep only warnings and errors on
    the console: what `flask serve` does with its processes (HELPDESK_LOG_FILE)."""
    root = logging.getLogger()
    target = str(Path(path).resolve())
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler) and handler.baseFilename == target:
            return
        if isinstance(handler.formatter, MaskingFormatter):
            handler.setLevel(logging.WARNING)
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(target, encoding="utf-8")
    to_file.setFormatter(MaskingFormatter(LINE_FORMAT))
    to_file.addFilter(RequestId())
    root.addHandler(to_file)
