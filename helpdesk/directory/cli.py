"""`flask directory import FILE` and `flask directory export FILE`."""

from __future__ import annotations

from flask.cli import AppGroup

directory_cli = AppGroup("directory", help="The support directory as CSV or XLSX.")
