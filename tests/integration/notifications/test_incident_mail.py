"""An incident's update to 200 tickets, end to end: one call writes one mail a requester, and
real `flask worker` processes deliver each exactly once, though the first is SIGKILLed midway
with a batch of rows claimed and the SMTP server holding a message's data.

The Redis, the SMTP server and the workers are the test's own."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

import pytest
from integration.notifications.conftest import SinkHandler
from sqlalchemy import update

from helpdesk.extensions import db as database
from helpdesk.notifications import sending, sweep
from helpdesk.notifications.models import Outbox
from helpdesk.tickets import services as tickets
from helpdesk.timeutil import utcnow

OFFICIALS = 200
KILLED_AT = 70  # the message whose data is in transit when the first worker is killed


@dataclass
class CutOff(SinkHandler):
    """Keeps what arrives, except the `at`-th message: its data waits until `gone` is set (the
    worker sending it is killed meanwhile) and is then refused and not kept, as a server keeps
    no message whose client left before the end of the data."""

    at: int = KILLED_AT
    gone: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if not self.gone.is_set() and len(self.received) + 1 == self.at:
            self.arrived.set()
            await asyncio.to_thread(self.gone.wait, 60)
            return "451 4.3.0 The client left before the end of the data"
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.slow
def test_an_update_to_200_tickets_mails_each_requester_exactly_once_through_a_killed_worker(
    own_redis, smtp_app, smtp, desk, file_ticket, make_user, workers, outbox_rows
):
    officials = [
        make_user("requester", province_code="01", email=f"official{n}@example.vn")
        for n in range(OFFICIALS)
    ]
    filed = [file_ticket(official) for official in officials]
    incident = tickets.declare(
        desk.agent, title="Không đăng nhập được", system="moj", numbers=[t.number for t in filed]
    )
    workers.burst()  # the filings' own mail goes first, and out of the count
    # A filing's mail the burst left (a send deferred by a busy sink) is out of the run too.
    database.session.execute(update(Outbox).where(Outbox.status != "sent").values(status="sent"))
    database.session.commit()
    smtp.stop()
    smtp.handler = CutOff()
    smtp.start()

    reached = tickets.post_update(desk.agent, incident, "Đã khôi phục đăng nhập, xin thử lại.")

    rows = outbox_rows("incident_update")
    addresses = sorted(official.email for official in officials)
    assert reached == OFFICIALS
    assert sorted(row.to for row in rows) == addresses  # one row a requester, none twice
    assert {row.status for row in rows} == {"pending"}

    first = workers.start(smtp_app)
    assert smtp.handler.arrived.wait(60), "the first worker never reached the cut-off"
    workers.kill(first)
    smtp.handler.gone.set()
    claimed = [row.id for row in outbox_rows("incident_update") if row.status == "sending"]
    assert claimed, "the killed worker held no row"

    workers.run(smtp_app)  # a second worker: the rows still waiting in the work queue
    later = utcnow() + sending.CLAIM_TIMEOUT + sweep.SWEEP_GRACE
    assert sweep.sweep(now=later) == len(claimed)  # the dead worker's claims, handed over
    workers.run(smtp_app)

    rows = outbox_rows("incident_update")
    assert {row.status for row in rows} == {"sent"}
    # Each requester got one message: one Message-ID each. The same message may arrive twice
    # when the sink accepted it but its answer came after the client's timeout (a loaded
    # machine): it is then sent again with its Message-ID, recognisably the same.
    update_ids = {row.message_id for row in rows}
    mailed = {(address, r.message_id) for r in smtp.received for address in r.recipients}
    assert sorted(address for address, _ in mailed) == addresses
    assert {message_id for _, message_id in mailed} == update_ids
    assert len(update_ids) == OFFICIALS
    assert {row.attempts for row in rows if row.id in claimed} >= {2}  # the one cut off
