"""`field_html` writes a field exactly as the field's own WTForms widget does."""

from __future__ import annotations

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    FileField,
    Form,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from helpdesk.site.widgets import field_html

TRICKY = "Hồ <b>\"sơ\"</b> & 'mã'"


class Sample(Form):
    subject = StringField("Tiêu đề", validators=[DataRequired(), Length(min=2, max=200)])
    number = StringField("Số", validators=[Optional(), Regexp(r"^\d+$")])
    body = TextAreaField("Nội dung", validators=[DataRequired(), Length(max=5000)])
    note = TextAreaField("Ghi chú")
    province = SelectField(
        "Tỉnh",
        validators=[DataRequired()],
        choices=[
            SelectChoice("", "Chọn…"),
            SelectChoice("01", "Hà Nội"),
            SelectChoice("79", TRICKY),
        ],
    )
    priority = SelectField(
        "Ưu tiên", coerce=int, choices=[SelectChoice(1, "1 – Khẩn"), SelectChoice(3, "3 – Thường")]
    )
    canned = SelectField(
        "Mẫu",
        validate_choice=False,
        choices=[SelectChoice("", ""), SelectChoice("7", "Mẫu", render_kw={"data-body": TRICKY})],
    )
    grouped = SelectField(
        "Nhóm",
        choices=[
            SelectChoice("01", "Hà Nội", optgroup="Miền Bắc"),
            SelectChoice("79", "TP HCM", optgroup="Miền Nam"),
        ],
    )
    styled = StringField("Có sẵn thuộc tính", render_kw={"class": "x", "data_y": "1"})
    many = SelectMultipleField("Nhiều", choices=[SelectChoice("a", "A"), SelectChoice("b", "B")])
    agree = BooleanField("Đồng ý")
    rating = RadioField("Đánh giá", choices=[SelectChoice("5", "5"), SelectChoice("4", "4")])
    key = HiddenField()
    files = MultipleFileField("Tệp")
    scan = FileField("Bản quét", validators=[DataRequired()], render_kw={"accept": "image/*"})
    photo = FileField("Ảnh")


FORMS = {
    "blank": lambda: Sample(),
    "data": lambda: Sample(
        data={
            "subject": TRICKY,
            "body": f"dòng 1\n{TRICKY}",
            "province": "79",
            "priority": 3,
            "canned": "7",
            "grouped": "79",
            "many": ["b"],
        }
    ),
    "input": lambda: Sample(
        formdata=MultiDict(
            {"subject": f" {TRICKY} ", "body": "<script>", "province": "01", "priority": "1"}
        )
    ),
}
EXTRA = [
    {},
    {"class": "form-control is-invalid"},
    {"class": "form-select", "aria-describedby": "x-help", "placeholder": 'HT-"1"', "rows": 3},
    {"class_": "c", "data_fills": "body", "autocomplete": "off", "disabled": True, "id": "other"},
    {"required": False, "value": "given"},
    {"class": "form-control", "multiple": True, "accept": "image/*,.pdf", "data-max-bytes": 10},
]


@pytest.mark.parametrize("state", sorted(FORMS))
@pytest.mark.parametrize("extra", EXTRA, ids=range(len(EXTRA)))
@pytest.mark.parametrize("name", [field.name for field in Sample()])
def test_field_html_is_what_the_widget_writes(state, extra, name):
    form = FORMS[state]()
    field = form[name]
    if field.type == "TextAreaField" and "value" in extra:
        extra = {k: v for k, v in extra.items() if k != "value"}  # a text area has no value=
    assert str(field_html(field, **extra)) == str(field(**extra))


# One list offered by several fields (as pages offer the provinces): its options are written once.
SHARED = [SelectChoice("", "Chọn…"), SelectChoice("01", "Hà Nội"), SelectChoice("79", TRICKY)]


class Shared(Form):
    first = SelectField("Một", choices=SHARED)
    second = SelectField("Hai", choices=list(SHARED))
    level = SelectField("Mức", coerce=int, choices=[SelectChoice(1, "1"), SelectChoice(2, "2")])
    marked = SelectField(
        "Đánh dấu", choices=[SelectChoice("1", Markup("<b>đậm</b>")), SelectChoice("2", "<b>")]
    )


@pytest.mark.parametrize("chosen", ["", "01", "79", "99"])
def test_a_list_written_before_shows_each_fields_own_choice(chosen):
    form = Shared(data={"first": chosen, "second": "01", "level": 2, "marked": "2"})
    for _ in range(2):
        for field in form:
            assert str(field_html(field)) == str(field())
