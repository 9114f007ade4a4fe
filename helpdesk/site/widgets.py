"""Form fields written as WTForms' widgets write them, in one pass.

A page with a dozen forms spends more in the widgets' calls (each attribute escaped through
`Markup.format`, each `<option>` a call of its own) than in the rest of the page. `field_html`
writes the same HTML for the widgets the pages use (text and file inputs, text area, plain
select) and hands any other field to its own widget; tests/unit/site/test_widgets.py holds it
to WTForms' output.
"""

from __future__ import annotations

from markupsafe import Markup, escape
from wtforms import SelectField
from wtforms.meta import DefaultMeta
from wtforms.widgets import FileInput, Select, TextArea, TextInput
from wtforms.widgets.core import clean_key


def attributes(params: dict) -> str:
    """HTML attributes as WTForms' `html_params` writes them: sorted by name, escaped, a True
    value as a bare name, a False one left out."""
    written = []
    for name, value in sorted(params.items()):
        name = escape(clean_key(name))
        if value is True:
            written.append(str(name))
        elif value is not False:
            written.append(f'{name}="{escape(value)}"')
    return " ".join(written)


def _validation_attributes(field, widget, params: dict, *, call: bool) -> None:
    """What the widget adds from the field's flags (`required`, `maxlength`...)."""
    for name, value in vars(field.flags).items():
        if name in widget.validation_attrs and name not in params:
            params[name] = value() if call and callable(value) else value


def _input(field, widget, params: dict) -> str:
    if type(widget) is FileInput:
        params["value"] = False  # a browser ignores a file input's value
        if widget.multiple:
            params["multiple"] = True
    params.setdefault("id", field.id)
    params.setdefault("type", widget.input_type)
    if "value" not in params:
        params["value"] = field._value()
    _validation_attributes(field, widget, params, call=True)
    return f"<input {attributes(dict(params, name=field.name))}>"


def _text_area(field, widget, params: dict) -> str:
    params.setdefault("id", field.id)
    _validation_attributes(field, widget, params, call=False)
    text = escape(field._value())
    return f"<textarea {attributes(dict(params, name=field.name))}>\r\n{text}</textarea>"


def _select(field, widget, params: dict) -> str:
    params.setdefault("id", field.id)
    _validation_attributes(field, widget, params, call=False)
    html = [f"<select {attributes(dict(params, name=field.name))}>"]
    for choice in field.iter_choices():
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        label = escape(choice.label or choice.value)
        if choice.render_kw:
            option = {"value": value, **choice.render_kw}
            if choice.selected:
                option["selected"] = True
            html.append(f"<option {attributes(option)}>{label}</option>")
        else:  # the usual case, in the order `attributes` would sort it
            selected = "selected " if choice.selected else ""
            html.append(f'<option {selected}value="{escape(value)}">{label}</option>')
    html.append("</select>")
    return "".join(html)


def _writer(field):
    """The one-pass writer of a field rendered as its widget would render it, or None."""
    if field.render_kw or type(field.meta).render_field is not DefaultMeta.render_field:
        return None
    widget = type(field.widget)
    if widget in (TextInput, FileInput) and getattr(field, "_datalist", None) is None:
        return _input
    if widget is TextArea:
        return _text_area
    if widget is Select and not field.widget.multiple and type(field) is SelectField:
        return None if field.has_groups() else _select
    return None


def field_html(field, **params) -> Markup:
    """`field(**params)`, the HTML of a WTForms field with extra attributes, written in one
    pass for a text or file input, a text area or a plain select; by the field's widget
    otherwise."""
    writer = _writer(field)
    if writer is None:
        return field(**params)
    html = writer(field, field.widget, {clean_key(k): v for k, v in params.items()})
    return Markup(html)  # noqa: S704 - every value in it is escaped on its way in
