"""The support directory's pages: public reading, and its keepers' forms and files."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("directory", __name__, url_prefix="/directory")
