"""`flask mail ...`: inbound mail, now."""

from __future__ import annotations

from flask.cli import AppGroup

mail_cli = AppGroup("mail", help="Inbound mail: replies and tickets by mail.")
