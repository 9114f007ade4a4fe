"""The knowledge base's pages: reading articles, and writing and publishing them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("help", __name__, url_prefix="/help")
