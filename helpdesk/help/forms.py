"""The forms of the knowledge base: an article, its files, and its buttons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from helpdesk import storage
from helpdesk.help.models import Readers
from helpdesk.help.services import BODY_LIMIT, SUMMARY_LIMIT, TITLE_LIMIT, ArticleDraft
from helpdesk.inputs import FlaskForm

READERS_LABELS = {
    Readers.PUBLIC: _l("Everyone, without signing in"),
    Readers.SIGNED_IN: _l("Signed-in officials only"),
}
# What the file input offers (the server sniffs the content whatever the name says).
FILE_TYPES = "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.txt,.log,.csv,.xml,.json"


class ArticleForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_LIMIT)])
    summary = TextAreaField(
        _l("Summary"),
        validators=[Optional(), Length(max=SUMMARY_LIMIT)],
        description=_l("One or two sentences shown in the list and the search results."),
    )
    body = TextAreaField(
        _l("Text"),
        validators=[Optional(), Length(max=BODY_LIMIT)],
        description=_l(
            "Markdown: # heading, **bold**, *italic*, - list, 1. list, [link](https://...), "
            "tables. HTML is shown as text."
        ),
    )
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=TITLE_LIMIT)])
    summary_en = TextAreaField(
        _l("Summary in English"), validators=[Optional(), Length(max=SUMMARY_LIMIT)]
    )
    body_en = TextAreaField(
        _l("Text in English"),
        validators=[Optional(), Length(max=BODY_LIMIT)],
        description=_l("Shown to readers who chose English, when the title and text are filled."),
    )
    readers = SelectField(
        _l("Readers"),
        choices=[SelectChoice(value.value, label) for value, label in READERS_LABELS.items()],
        default=Readers.PUBLIC.value,
    )
    systems = SelectMultipleField(
        _l("Systems"),
        validators=[Optional()],
        description=_l("None: the article is about every system."),
    )
    categories = SelectMultipleField(
        _l("Kinds of problem"),
        validators=[Optional()],
        description=_l("None: the article answers every kind of problem."),
    )

    def fill_choices(self, systems, categories, language: str) -> None:
        self.systems.choices = [SelectChoice(s.code, s.ministry) for s in systems]
        self.categories.choices = [SelectChoice(c.code, c.name(language)) for c in categories]

    def to_draft(self) -> ArticleDraft:
        return ArticleDraft(
            title=self.title.data or "",
            summary=self.summary.data or "",
            body=self.body.data or "",
            title_en=self.title_en.data or "",
            summary_en=self.summary_en.data or "",
            body_en=self.body_en.data or "",
            readers=self.readers.data or "",
            systems=tuple(self.systems.data or ()),
            categories=tuple(self.categories.data or ()),
        )


class FilesForm(FlaskForm):
    files = MultipleFileField(
        _l("Files"),
        description=_l(
            "User guides, forms, screenshots: images, PDF, Office documents, text; "
            "at most %(n)d at a time.",
            n=storage.MAX_FILES,
        ),
    )


def uploads_from(files) -> tuple[storage.Upload, ...]:
    """The files of a multiple file input as Uploads; inputs left empty are skipped."""
    return tuple(
        storage.Upload(item.filename, item.read()) for item in files if item and item.filename
    )
