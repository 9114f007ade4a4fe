"""Forms of the routing admin pages: queues, members, rules, the CSV import, the tester."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from helpdesk.catalogue import services as catalogue
from helpdesk.inputs import FlaskForm
from helpdesk.routing.models import QueueKind
from helpdesk.routing.services import QueueDraft, RuleDraft, RuleFilter, all_queues

KIND_LABELS = {
    QueueKind.MINISTRY_IT: _l("Ministry IT unit"),
    QueueKind.VENDOR: _l("Vendor"),
    QueueKind.PROVINCIAL: _l("Provincial coordinator"),
    QueueKind.NATIONAL: _l("National agency"),
}
PRIORITY_LABELS = {
    1: _l("1 – critical"),
    2: _l("2 – high"),
    3: _l("3 – normal"),
    4: _l("4 – low"),
}


def _language() -> str:
    return str(get_locale() or "vi")


def options(pairs, blank=None) -> list[SelectChoice]:
    """Select options from (value, label) pairs, after a blank one labelled `blank` if given."""
    choices = [SelectChoice(str(value), label) for value, label in pairs]
    return [SelectChoice("", blank), *choices] if blank is not None else choices


def system_choices(blank=None) -> list[SelectChoice]:
    return options(((s.code, s.ministry) for s in catalogue.systems()), blank)


def category_choices(blank=None) -> list[SelectChoice]:
    language = _language()
    pairs = ((c.code, c.name(language)) for c in catalogue.categories())
    return options(pairs, blank)


def province_choices(blank=None) -> list[SelectChoice]:
    return options(((p.code, f"{p.code} – {p.name}") for p in catalogue.provinces()), blank)


def priority_choices(blank=None) -> list[SelectChoice]:
    return options(PRIORITY_LABELS.items(), blank)


def queue_choices(blank=None, queues=None) -> list[SelectChoice]:
    queues = all_queues() if queues is None else queues
    return options(((q.id, f"{q.code} – {q.name}") for q in queues), blank)


def _code(value: str) -> str | None:
    return value or None


def _int(value: str | None) -> int | None:
    return int(value) if value else None


class QueueForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("Lower-case letters, digits and hyphens; used in CSV files, e.g. moj-fpt."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=options(KIND_LABELS.items()))
    system = SelectField(_l("System served"), validators=[Optional()])
    province = SelectField(_l("Province"), validators=[Optional()])
    email = EmailField(
        _l("Contact e-mail"),
        validators=[Optional(), Length(max=254)],
        description=_l("Alerts about the queue's tickets go here."),
    )
    supervisor = StringField(
        _l("Supervisor (login name)"),
        validators=[Optional(), Length(max=120)],
        description=_l("CCCD@domain of the queue lead; told when nobody covers a ticket."),
    )
    escalation_queue = SelectField(_l("Escalation queue"), validators=[Optional()])
    auto_assign = BooleanField(_l("Assign new tickets to a covering agent automatically"))
    notify_members = BooleanField(_l("E-mail members about new tickets"))
    active = BooleanField(_l("Active (receives tickets)"))

    def fill_choices(self, *, queues, queue_id: int | None) -> None:
        self.system.choices = system_choices(_l("(none: several systems)"))
        self.province.choices = province_choices(_l("(none: national)"))
        others = [q for q in queues if q.id != queue_id]
        self.escalation_queue.choices = queue_choices(_l("(none: end of the path)"), others)

    def to_draft(self) -> QueueDraft:
        return QueueDraft(
            code=self.code.data or "",
            name=self.name.data or "",
            kind=self.kind.data,
            system_code=_code(self.system.data),
            province_code=_code(self.province.data),
            email=self.email.data or "",
            supervisor=self.supervisor.data or "",
            escalation_queue_id=_int(self.escalation_queue.data),
            auto_assign=self.auto_assign.data,
            notify_members=self.notify_members.data,
            active=self.active.data,
        )


class CoverageForm(FlaskForm):
    """What a member covers: some provinces, or every province ticked as such (never implied)."""

    provinces = SelectMultipleField(
        _l("Provinces covered"),
        validators=[Optional()],
        description=_l("The member sees and takes the tickets of these provinces only."),
    )
    all_provinces = BooleanField(
        _l("All provinces: the member sees and takes every ticket of the queue")
    )
    available = BooleanField(_l("Available for new tickets"), default=True)

    def fill_choices(self) -> None:
        self.provinces.choices = province_choices()


class MemberForm(CoverageForm):
    username = StringField(
        _l("Login name"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("CCCD@domain of an agent, supervisor or admin account."),
    )


class RuleForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    system = SelectField(_l("System"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    province = SelectField(_l("Province"), validators=[Optional()])
    priority = SelectField(_l("Priority"), validators=[Optional()])
    queue = SelectField(_l("Queue"), validators=[DataRequired()])
    rank = IntegerField(
        _l("Rank"),
        default=100,
        validators=[InputRequired(), NumberRange(0, 100_000)],
        description=_l("Among equally specific matching rules, the lower rank wins."),
    )
    priority_override = SelectField(_l("Set priority to"), validators=[Optional()])
    escalation_queue = SelectField(
        _l("Escalation queue"),
        validators=[Optional()],
        description=_l("Where the ticket goes when escalated; empty: the queue's own."),
    )
    active = BooleanField(_l("Active"), default=True)

    def fill_choices(self, *, queues) -> None:
        self.system.choices = system_choices(_l("(any)"))
        self.category.choices = category_choices(_l("(any)"))
        self.province.choices = province_choices(_l("(any)"))
        self.priority.choices = priority_choices(_l("(any)"))
        self.queue.choices = queue_choices(_l("(choose)"), queues)
        self.priority_override.choices = priority_choices(_l("(keep the ticket's)"))
        self.escalation_queue.choices = queue_choices(_l("(the queue's own)"), queues)

    def to_draft(self) -> RuleDraft:
        return RuleDraft(
            queue_id=_int(self.queue.data),
            name=self.name.data or "",
            system_code=_code(self.system.data),
            category_code=_code(self.category.data),
            province_code=_code(self.province.data),
            priority=_int(self.priority.data),
            rank=self.rank.data,
            priority_override=_int(self.priority_override.data),
            escalation_queue_id=_int(self.escalation_queue.data),
            active=self.active.data,
        )


class RuleFilterForm(FlaskForm):
    """The rules list's filters: a GET form that changes nothing, so no CSRF token."""

    class Meta:
        csrf = False

    system = SelectField(_l("System"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    province = SelectField(_l("Province"), validators=[Optional()])
    queue = SelectField(_l("Queue"), validators=[Optional()])
    active = SelectField(
        _l("State"),
        validators=[Optional()],
        choices=options([("1", _l("Active")), ("0", _l("Inactive"))], _l("(all)")),
    )

    def fill_choices(self, *, queues) -> None:
        self.system.choices = system_choices(_l("(all)"))
        self.category.choices = category_choices(_l("(all)"))
        self.province.choices = province_choices(_l("(all)"))
        self.queue.choices = queue_choices(_l("(all)"), queues)

    def to_filter(self) -> RuleFilter:
        if not self.validate():
            return RuleFilter()
        return RuleFilter(
            system_code=_code(self.system.data),
            category_code=_code(self.category.data),
            province_code=_code(self.province.data),
            queue_id=_int(self.queue.data),
            active=None if not self.active.data else self.active.data == "1",
        )

    def query_args(self) -> dict[str, str]:
        """The filters as URL parameters (pagination and export links keep them)."""
        return {f.name: f.data for f in self if f.data}


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired()],
        description=_l("UTF-8, comma- or semicolon-separated, with the header row of the export."),
    )


class TesterForm(FlaskForm):
    system = SelectField(_l("System"), validators=[DataRequired()])
    category = SelectField(_l("Category"), validators=[DataRequired()])
    province = SelectField(_l("Province"), validators=[DataRequired()])
    priority = SelectField(_l("Priority"), validators=[DataRequired()], default="3")

    def fill_choices(self) -> None:
        self.system.choices = system_choices()
        self.category.choices = category_choices()
        self.province.choices = province_choices()
        self.priority.choices = priority_choices()
