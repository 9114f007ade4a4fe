"""Form fields written as WTForms' widgets write them, in one pass.

A page with a dozen forms spends more in the widgets' calls (each attribute escaped through
`Markup.format`, each `<option>` a call of its own) than in the rest of the page. `field_html`
writes the same HTML for the widgets the pages use (text and file inputs, text area, plain
select) and hands any other field to its own widget; tests/unit/site/test_widgets.py holds it
to WTForms' output.
"""

from __future__ import annotations

import functools

from markupsafe import Markup, escape
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
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
    pairs = _plain_pairs(field.choices)
    if pairs is not None:
        coerce, data = field.coerce, field.data
        html.extend(
            selected if coerce(value) == data else option
            for value, option, selected in _written_options(pairs)
        )
        html.append("</select>")
        return "".join(html)
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


def _plain_pairs(choices) -> tuple | None:
    """The (value, label) pairs of a list of plain options (a text or number value, a text
    label, no attributes, no group), or None when any option is not plain."""
    if not isinstance(choices, list):
        return None
    pairs = []
    for choice in choices:
        if type(choice) is not SelectChoice or choice.render_kw or choice.optgroup is not None:
            return None
        value, label = choice.value, choice.label
        # Exact types: a lazy label is written in the request's language, a Markup one as is.
        if type(value) not in (str, int) or type(label) is not str:
            return None
        pairs.append((value, label))
    return tuple(pairs)


@functools.lru_cache(maxsize=256)
def _written_options(pairs: tuple) -> tuple[tuple[object, str, str], ...]:
    """Each option as (value, its HTML, its HTML when selected), written once per list: pages
    offer the same lists (provinces, categories, queues, agents) on every request."""
    written = []
    for value, label in pairs:
        text = escape(label or value)
        option = f'value="{escape(value)}">{text}</option>'
        written.append((value, f"<option {option}", f"<option selected {option}"))
    return tuple(written)


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
