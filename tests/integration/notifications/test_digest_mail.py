"""A digest through the real mail path: queued by the digests' service, sent by an RQ worker to
an SMTP server on 127.0.0.1, its workbook arriving byte for byte under its Vietnamese name."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from helpdesk import storage
from helpdesk.reports.digests import mailing

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_digest_arrives_with_its_workbook(smtp_app, smtp, make_user, workers, outbox_rows):
    observer = make_user("observer", email="lanh-dao@example.vn")
    due = datetime(2026, 12, 7, 7, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    [outcome] = mailing.send_due(now=due)
    assert outcome.queued == 1

    workers.burst()

    [received] = smtp.to(observer.email)
    assert received.subject == "Bản tin tuần 30/11/2026 – 06/12/2026"
    [attachment] = received.message.iter_attachments()
    assert attachment.get_filename() == "Bản tin tuần 2026-11-30.xlsx"
    assert attachment.get_content_type() == XLSX
    [row] = outbox_rows("digest")
    assert row.status == "sent"
    [named] = row.context["attachments"]
    assert attachment.get_content() == storage.read(named["sha256"])
    assert "/auth/digests/stop/" in received.text
