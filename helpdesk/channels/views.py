"""The admins' page of inbound mail set aside."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("channels", __name__, url_prefix="/admin/mail")
