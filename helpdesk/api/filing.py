"""POST /api/v1/tickets: the body read into a draft, and whom the ticket is filed for: the
caller's own ticket (`source` api), or, when staff name an official with `requester`, the
official's, taken by phone (`source` phone, `callback_phone`) or sent by a program (api), with
the staff as who filed it (tickets.services.calls)."""

from __future__ import annotations

from flask_babel import gettext as _

from helpdesk import errors, text
from helpdesk.api.schemas import unknown_fields
from helpdesk.auth import permissions
from helpdesk.auth.models import User, is_staff
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Priority, Source, Ticket
from helpdesk.tickets.services import TicketDraft, calls
from helpdesk.tickets.services.filing import validate as validate_draft

SUBMISSION_KEY_LIMIT = 64  # the column's length

TICKET_TEXT_FIELDS = (
    "system",
    "category",
    "province",
    "unit",
    "unit_code",
    "subject",
    "description",
    "dossier_code",
    "procedure_code",
)
TICKET_FIELDS = (
    *TICKET_TEXT_FIELDS,
    "priority",
    "submission_key",
    "source",
    "callback_phone",
    "requester",
)
# What POST /tickets takes as `source`: api (the default), or phone for a call staff file.
FILING_SOURCES = (Source.API, Source.PHONE)


def ticket_draft(
    data: dict, *, idempotency_key: str | None, staff: bool = False
) -> tuple[TicketDraft, dict[str, str]]:
    """The draft a POST /tickets body describes, and the problems only the API can see
    (unknown fields, a bad submission key, what only staff send: `requester`, `source` phone,
    `callback_phone`). Types are checked by the filing service, which names every bad field;
    text fields missing from the body are empty; `source` is api unless staff say phone."""
    problems = unknown_fields(data, TICKET_FIELDS)
    source, callback = filing_source(data, problems, staff=staff)
    key = data.get("submission_key")
    if key is None:
        key = idempotency_key
    if key is not None and (
        not isinstance(key, str)
        or not key.strip()
        or len(key) > SUBMISSION_KEY_LIMIT
        or text.has_control_characters(key, multiline=False)
    ):
        problems["submission_key"] = _(
            "A key of 1 to %(n)d characters, without control characters.", n=SUBMISSION_KEY_LIMIT
        )
        key = None
    elif key is not None and idempotency_key is not None and key != idempotency_key:
        problems["submission_key"] = _("Differs from the Idempotency-Key header.")
    values = {name: data.get(name) for name in TICKET_TEXT_FIELDS}
    draft = TicketDraft(
        **values,
        priority=data.get("priority", int(Priority.NORMAL)),
        submission_key=key.strip() if isinstance(key, str) else None,
        source=source,
        callback_phone=callback,
    )
    return draft, problems


def filing_source(data: dict, problems: dict[str, str], *, staff: bool) -> tuple[str, str]:
    """`source` and `callback_phone` of a POST /tickets body (api and "" when refused or left
    out), with a problem noted for each refused: a source other than api or phone, and for
    anyone but staff, phone, a number to call back, or a `requester`."""
    source = data.get("source", Source.API)
    if source not in FILING_SOURCES:
        problems["source"] = _(
            "A ticket filed through the API comes from it (api), or from a call (phone)."
        )
        source = Source.API
    elif source == Source.PHONE and not staff:
        problems["source"] = _("Only staff file a call, for the official who called.")
    callback = data.get("callback_phone")
    if callback is not None and not isinstance(callback, str):
        problems["callback_phone"] = _("Must be text.")
        callback = ""
    elif callback and not staff:
        problems["callback_phone"] = _("Only staff file a call, for the official who called.")
    if "requester" in data and not staff:
        problems["requester"] = _("Only staff file a ticket for an official.")
    return str(source), callback or ""


def read_filing(
    user: User, data: dict, *, idempotency_key: str | None
) -> tuple[TicketDraft, User | None]:
    """The draft and the official it is filed for (None: the caller's own ticket). Filing its
    own ticket takes the right to file (others: 404, as before); staff naming an official, or
    saying phone, take the right to take calls (tickets.services.calls decides whom for).
    errors.Invalid names every bad field at once, those the filing service would refuse too;
    an official the caller may not file for (unknown, not active, staff, of another province)
    is "not found", no more."""
    staff = is_staff(user)
    calling = staff and ("requester" in data or data.get("source") == Source.PHONE)
    permissions.require(user, "tickets.take_calls" if calling else "tickets.file")
    draft, problems = ticket_draft(data, idempotency_key=idempotency_key, staff=staff)
    official = None
    if calling and "requester" not in data:
        problems["requester"] = _("Give the login name (CCCD@domain) of the official who called.")
    elif calling:
        official = calls.find_caller(user, data["requester"])
        if official is None:
            problems["requester"] = _("No official's account has that login name.")
    if problems:
        try:  # name every bad field at once, not only those the API alone sees
            validate_draft(draft)
        except errors.Invalid as error:
            problems = {**error.fields, **problems}
        raise errors.Invalid(_("Please correct the marked fields."), fields=problems)
    return draft, official


def file_ticket(user: User, draft: TicketDraft, official: User | None) -> Ticket:
    """File the caller's own ticket, or the official's that the caller took. Commits."""
    if official is None:
        return tickets.create_ticket(user, draft)
    return calls.file_for(user, official, draft)
