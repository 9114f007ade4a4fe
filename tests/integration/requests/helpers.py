"""Helpers of the requests' tests: the instants they are sent and due at, a file to attach."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from helpdesk.requests.models import InfoRequest
from helpdesk.tickets.models import Ticket

# Monday 4 March 2030, 09:00 in Hà Nội; the requests are due on Friday the 15th, 17:00.
SENT_AT = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)
DUE_ON = date(2030, 3, 15)
DUE_AT = datetime(2030, 3, 15, 10, 0, tzinfo=UTC)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


def tickets_of(db, request: InfoRequest) -> list[Ticket]:
    query = select(Ticket).where(Ticket.request_id == request.id).order_by(Ticket.id)
    return list(db.session.scalars(query))
