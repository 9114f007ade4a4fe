"""Numbers, percentages and months written the language's way (helpdesk/i18n.py's filters)."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask, render_template_string
from flask_babel import Babel, force_locale

from helpdesk import i18n
from helpdesk.site import templating


@pytest.fixture(scope="module")
def app():
    app = Flask(__name__)
    Babel(app, default_locale="vi")
    for name in ("percent", "number", "month"):
        app.add_template_filter(getattr(i18n, name), name)
    return app


def written(app, language: str, template: str, **values) -> str:
    with app.test_request_context(), force_locale(language):
        return render_template_string(template, **values)


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (87.5, "87,5 %", "87.5%"),
        (100, "100 %", "100%"),
        (100.0, "100 %", "100%"),
        (0, "0 %", "0%"),
        (33.3, "33,3 %", "33.3%"),
        (66.67, "66,7 %", "66.7%"),
        (50.04, "50 %", "50%"),
        (None, "—", "—"),
    ],
)
def test_percentages(app, value, vi, en):
    assert written(app, "vi", "{{ v|percent }}", v=value) == vi
    assert written(app, "en", "{{ v|percent }}", v=value) == en


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (0, "0", "0"),
        (1234, "1.234", "1,234"),
        (1234567, "1.234.567", "1,234,567"),
        (4.33, "4,33", "4.33"),
        (None, "—", "—"),
    ],
)
def test_numbers(app, value, vi, en):
    assert written(app, "vi", "{{ v|number }}", v=value) == vi
    assert written(app, "en", "{{ v|number }}", v=value) == en


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        ("2026-12", "12/2026", "Dec 2026"),
        ("2026-03", "03/2026", "Mar 2026"),
        (date(2027, 1, 31), "01/2027", "Jan 2027"),
        (None, "—", "—"),
    ],
)
def test_months(app, value, vi, en):
    assert written(app, "vi", "{{ v|month }}", v=value) == vi
    assert written(app, "en", "{{ v|month }}", v=value) == en


def test_the_product_registers_the_filters():
    registered = Flask(__name__)
    Babel(registered)
    templating.register(registered)
    assert {"percent", "number", "month"} <= set(registered.jinja_env.filters)
