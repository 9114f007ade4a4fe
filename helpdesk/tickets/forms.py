"""Ticket forms; field names as in docs/contract.md. Shape only (required, length, choices): the
services enforce the rules (codes that exist, control characters, file types, transitions)."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from helpdesk import storage
from helpdesk.inputs import FlaskForm, id_from
from helpdesk.sla.states import SlaState
from helpdesk.tickets.models import Priority, Source, Status
from helpdesk.tickets.services import TicketDraft, filing, messages

# Distinct in every language: "Open" names the open statuses together (OPEN_STATUSES), not
# the one status an agent's work puts a ticket in.
STATUS_LABELS = {
    Status.NEW: _l("New"),
    Status.OPEN: _l("In progress"),
    Status.WAITING_REQUESTER: _l("Waiting for the requester"),
    Status.WAITING_THIRD_PARTY: _l("Waiting for a third party"),
    Status.RESOLVED: _l("Resolved"),
    Status.CLOSED: _l("Closed"),
}
PRIORITY_LABELS = {
    Priority.CRITICAL: _l("Critical"),
    Priority.HIGH: _l("High"),
    Priority.NORMAL: _l("Normal"),
    Priority.LOW: _l("Low"),
}
# What each level means, in the words of the officials who choose it.
PRIORITY_HELP = {
    Priority.CRITICAL: _l("the system is down or money is lost for many people"),
    Priority.HIGH: _l("a procedure cannot be processed"),
    Priority.NORMAL: _l("a problem with a workaround"),
    Priority.LOW: _l("a question or a request"),
}
# The SLA states as the queue's filter offers them (the words of the SLA badge).
SLA_LABELS = {
    SlaState.OK: _l("On time"),
    SlaState.WARNING: _l("Due soon"),
    SlaState.BREACHED: _l("Overdue"),
    SlaState.PAUSED: _l("Paused"),
    SlaState.MET: _l("Met"),
}
# Where a ticket or a message came from, as filters and reports name it.
SOURCE_LABELS = {
    Source.WEB: _l("Web form"),
    Source.API: _l("API"),
    Source.EMAIL: _l("E-mail"),
    Source.PHONE: _l("Phone call"),
}
# How the thread tells staff where a message came from (nothing for the web).
SOURCE_NOTES = {
    Source.API: _l("via the API"),
    Source.EMAIL: _l("via e-mail"),
    Source.PHONE: _l("via phone"),
}
# The open statuses together (OPEN_STATUSES): "Chưa giải quyết".
OPEN_STATUSES_LABEL = _l("Open")
# The requester's list filter: "open" covers every open status.
REQUESTER_STATUS_FILTERS = {
    "open": OPEN_STATUSES_LABEL,
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
    "all": _l("All"),
}
# The official's list by whose tickets: every ticket they see, filed, followed, of their unit.
SCOPE_LABELS = {
    "": _l("All"),
    "mine": _l("Mine"),
    "following": _l("I follow"),
    "unit": _l("My unit's"),
}
ATTACHMENT_TYPES = (
    "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.txt,.log,.csv,.xml,.json"
)
NUMBER_PATTERN = r"^\s*[A-Za-z0-9-]{1,20}\s*$"
SUBMISSION_KEY_PATTERN = r"^[A-Za-z0-9_-]{22,64}$"


def new_submission_key() -> str:
    """A one-time key for a rendered form (192 random bits): a resubmission files nothing."""
    return secrets.token_urlsafe(24)


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the choices of a select or radio field."""
    return [SelectChoice(value, label) for value, label in pairs]


def priority_choices(*, explained: bool) -> list[SelectChoice]:
    if not explained:
        return options((p.value, f"{p.value} – {PRIORITY_LABELS[p]}") for p in Priority)
    return options(
        (p.value, f"{p.value} – {PRIORITY_LABELS[p]}: {PRIORITY_HELP[p]}") for p in Priority
    )


def uploads_from(files) -> tuple[storage.Upload, ...]:
    """The files of a multiple file input as Uploads; inputs left empty are skipped."""
    return tuple(
        storage.Upload(item.filename, item.read()) for item in files if item and item.filename
    )


def version_of(field) -> int | None:
    """The ticket version a form was rendered with (None when missing: no check)."""
    return id_from(field.data)


def version_field() -> HiddenField:
    return HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])


def resolution_field() -> TextAreaField:
    """The outcome told to the requester, wherever a ticket may be resolved: read only with the
    status resolved, which requires it (the service checks; tickets.js shows it then)."""
    return TextAreaField(
        _l("Resolution summary (sent to the requester)"),
        validators=[Optional()],
        description=_l(
            "Needed to resolve: what was done, in a few lines (at most 2000 characters)."
        ),
    )


# ---------------------------------------------------------------- filing


class TicketForm(FlaskForm):
    system = SelectField(
        _l("System"),
        validators=[DataRequired()],
        description=_l("The ministry's system where the problem happens."),
    )
    category = SelectField(_l("Kind of problem"), validators=[DataRequired()])
    province = SelectField(_l("Province"), validators=[DataRequired()])
    unit = StringField(
        _l("Your unit"),
        validators=[Length(max=filing.LIMITS["unit"])],
        description=_l("Commune, ward or department."),
    )
    unit_code = HiddenField(validators=[Optional(), Length(max=filing.LIMITS["unit_code"])])
    subject = StringField(
        _l("Subject"),
        validators=[DataRequired(), Length(max=filing.LIMITS["subject"])],
        description=_l("One line, e.g. “Online payment not credited for dossier 000.00.12.H01”."),
    )
    description = TextAreaField(
        _l("What happened?"),
        validators=[DataRequired(), Length(max=filing.LIMITS["description"])],
        description=_l("What you did, what you expected, what happened instead, since when."),
    )
    dossier_code = StringField(
        _l("Dossier code"),
        validators=[Length(max=filing.LIMITS["dossier_code"])],
        description=_l("If the problem concerns one dossier."),
    )
    procedure_code = StringField(
        _l("Procedure code"), validators=[Length(max=filing.LIMITS["procedure_code"])]
    )
    priority = RadioField(
        _l("Priority"),
        coerce=int,
        default=int(Priority.NORMAL),
        validators=[DataRequired()],
    )
    attachments = MultipleFileField(_l("Attachments"))
    submission_key = HiddenField(validators=[DataRequired(), Regexp(SUBMISSION_KEY_PATTERN)])

    def fill_choices(self, *, systems, categories, provinces, language: str) -> None:
        choose = [("", _l("Choose…"))]
        self.system.choices = options(choose + [(s.code, s.ministry) for s in systems])
        self.category.choices = options(choose + [(c.code, c.name(language)) for c in categories])
        self.province.choices = options(choose + [(p.code, p.name) for p in provinces])
        self.priority.choices = priority_choices(explained=True)

    def to_draft(self, files) -> TicketDraft:
        return TicketDraft(
            system=self.system.data,
            category=self.category.data,
            province=self.province.data,
            subject=self.subject.data or "",
            description=self.description.data or "",
            unit=self.unit.data or "",
            unit_code=self.unit_code.data or "",
            dossier_code=self.dossier_code.data or "",
            procedure_code=self.procedure_code.data or "",
            priority=self.priority.data,
            attachments=uploads_from(files),
            submission_key=self.submission_key.data,
        )


# ---------------------------------------------------------------- the requester's side


class ReplyForm(FlaskForm):
    """A public reply (requester or staff); staff may insert a canned reply first."""

    body = TextAreaField(
        _l("Your reply"), validators=[DataRequired(), Length(max=messages.MESSAGE_LIMIT)]
    )
    attachments = MultipleFileField(_l("Attachments"))
    canned = SelectField(_l("Canned reply"), coerce=str, validate_choice=False)
    version = version_field()


# The composer's two kinds of message, as its tabs name them.
VISIBILITIES = {"public": _l("Reply"), "internal": _l("Internal note")}


class ComposerForm(ReplyForm):
    """Staff's one form: a public reply or an internal note (`visibility`), its files, a
    canned reply, and the status the ticket goes to (`status`, empty: no change), sent
    together. Text is needed unless only the status changes (the service decides)."""

    body = TextAreaField(_l("Message"), validators=[Optional(), Length(max=messages.MESSAGE_LIMIT)])
    visibility = RadioField(
        _l("Kind of message"), choices=options(VISIBILITIES.items()), default="public"
    )
    # The choices shown follow TRANSITIONS; any status is accepted here, the service decides.
    status = SelectField(
        _l("And set the status to"), default="", validate_choice=False, validators=[Optional()]
    )
    resolution = resolution_field()


class NoteForm(FlaskForm):
    """An internal note: staff only, never shown to the requester."""

    note = TextAreaField(
        _l("Internal note"), validators=[DataRequired(), Length(max=messages.MESSAGE_LIMIT)]
    )
    note_attachments = MultipleFileField(_l("Attachments"))
    version = version_field()


class ActionForm(FlaskForm):
    """A button that changes the ticket (confirm, claim): the CSRF token and the version."""

    version = version_field()


class ReopenForm(FlaskForm):
    reopen_reason = TextAreaField(
        _l("What is still wrong?"), validators=[Optional(), Length(max=2000)]
    )
    version = version_field()


class RateForm(FlaskForm):
    rating = RadioField(
        _l("How well was your problem handled?"),
        coerce=int,
        choices=options((n, str(n)) for n in (5, 4, 3, 2, 1)),
        validators=[DataRequired()],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=2000)])


# ---------------------------------------------------------------- staff controls


class StatusForm(FlaskForm):
    # The choices shown follow TRANSITIONS; any status is accepted here, the service decides.
    status = SelectField(_l("New status"), validators=[DataRequired()], validate_choice=False)
    status_reason = StringField(_l("Reason (optional)"), validators=[Length(max=1000)])
    resolution = resolution_field()
    version = version_field()


class AssignForm(FlaskForm):
    assignee = SelectField(
        _l("Assign to"), validators=[Optional(), Regexp(r"^\d{1,9}$")], validate_choice=False
    )
    version = version_field()


class TransferForm(FlaskForm):
    queue = SelectField(
        _l("Transfer to queue"),
        validators=[DataRequired(), Regexp(r"^\d{1,9}$")],
        validate_choice=False,
    )
    transfer_reason = StringField(
        _l("Reason for the transfer"), validators=[DataRequired(), Length(max=1000)]
    )
    version = version_field()


class EscalateForm(FlaskForm):
    escalate_reason = StringField(
        _l("Reason for the escalation"), validators=[DataRequired(), Length(max=1000)]
    )
    version = version_field()


class PriorityForm(FlaskForm):
    priority = SelectField(_l("Priority"), coerce=int, validators=[DataRequired()])
    version = version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.priority.choices = priority_choices(explained=False)


class FactsForm(FlaskForm):
    system = SelectField(_l("System"), validators=[DataRequired()])
    category = SelectField(_l("Kind of problem"), validators=[DataRequired()])
    province = SelectField(_l("Province"), validators=[DataRequired()])
    version = version_field()

    def fill_choices(self, *, systems, categories, provinces, language: str) -> None:
        self.system.choices = options((s.code, s.ministry) for s in systems)
        self.category.choices = options((c.code, c.name(language)) for c in categories)
        self.province.choices = options((p.code, p.name) for p in provinces)


class MergeForm(FlaskForm):
    target = StringField(
        _l("Merge into ticket number"),
        validators=[DataRequired(), Regexp(NUMBER_PATTERN, message=_l("Not a ticket number."))],
    )
    version = version_field()


class ExternalRefForm(FlaskForm):
    external_ref = StringField(
        _l("Number in another desk"),
        validators=[Optional(), Length(max=100)],
        description=_l("Leave empty to remove it."),
    )
    version = version_field()


# ---------------------------------------------------------------- canned replies


class CannedReplyForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(
        _l("Text"), validators=[DataRequired(), Length(max=messages.MESSAGE_LIMIT)]
    )
    queue = SelectField(_l("Queue"), description=_l("Empty: offered in every queue."))
