"""The API's requests with a due date: what a POST /requests body asks for, and the JSON of a
request sent and of its tracker (each province's state)."""

from __future__ import annotations

from flask_babel import gettext as _

from helpdesk import errors
from helpdesk.api.schemas import instant, unknown_fields
from helpdesk.auth.models import User
from helpdesk.requests.access import require_sender
from helpdesk.requests.services import RequestDraft, Sent, check_draft, send_request
from helpdesk.requests.tracker import Tracker
from helpdesk.timeutil import utcnow

FIELDS = ("title", "body", "due", "provinces", "system")


def send(user: User, data: dict) -> Sent:
    """Send the request a POST /requests body describes (null or missing optional fields are
    not given); errors.Invalid naming every bad field, unknown ones too; errors.NotFound for a
    caller who sends no request."""
    draft = RequestDraft(
        title=data.get("title"),
        body=data.get("body"),
        due=data.get("due"),
        provinces=data.get("provinces"),
        system=data.get("system"),
    )
    problems = unknown_fields(data, FIELDS)
    if problems:
        try:  # name every bad field at once, not only those the API alone sees
            check_draft(require_sender(user), draft, utcnow())
        except errors.Invalid as error:
            problems = {**error.fields, **problems}
        raise errors.Invalid(_("Please correct the marked fields."), fields=problems)
    return send_request(user, draft)


def sent_json(sent: Sent) -> dict:
    return {
        "number": sent.number,
        "tickets": [{"number": number, "province": province} for number, province in sent.tickets],
    }


def tracker_json(tracker: Tracker) -> dict:
    request = tracker.request
    return {
        "number": request.number,
        "title": request.title,
        "due": request.due_on.isoformat(),
        "due_at": instant(request.due_at),
        "system": request.system_code,
        "provinces": [
            {
                "province": row.province,
                "ticket": row.ticket,
                "state": str(row.state),
                "answered_at": instant(row.answered_at),
                "late": row.late,
            }
            for row in tracker.rows
        ],
    }
