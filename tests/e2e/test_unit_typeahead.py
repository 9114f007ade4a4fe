"""The unit type-ahead on a phone: the registration form offers the province's units as the
official types, the keyboard and a tap choose one (its code goes with the form), typing again
or changing the province forgets the choice, and the account belongs to the chosen unit."""

from __future__ import annotations

import json

from playwright.sync_api import expect

CCCD = "079091222333"  # place of birth 079, born 1991; used by no other browser test
PASSWORD = "Bon-nghin-le-hai-28"  # noqa: S105 - throwaway


def a_listed_unit(app_python) -> dict:
    """A listed unit of province 80 in the live server's database, as `flask seed` loaded it."""
    return json.loads(
        app_python(
            "import json\n"
            "from sqlalchemy import select\n"
            "from helpdesk.extensions import db\n"
            "from helpdesk.auth.models import Unit\n"
            "unit = db.session.scalar(select(Unit).where(Unit.province_code == '80',"
            " Unit.code.is_not(None), Unit.active).order_by(Unit.code).limit(1))\n"
            "print(json.dumps({'code': unit.code, 'name': unit.name, 'kind': unit.kind,"
            " 'province': unit.province_code}))"
        ).strip()
    )


def test_an_official_chooses_the_unit_from_the_list_on_a_phone(phone_page, app_python):
    page = phone_page
    unit = a_listed_unit(app_python)
    page.goto("/auth/register")
    box = page.locator("input[name=unit]")
    code = page.locator("input[name=unit_code]")
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "false")

    page.locator("select[name=province]").select_option("80")
    box.fill(unit["name"])  # the whole name: the unit is the list's first option
    option = page.get_by_role("option", name=unit["name"], exact=True)
    expect(option).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")

    # The keyboard: down to the first option, Enter chooses it (the form is not sent).
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    box.press("Enter")
    expect(box).to_have_value(unit["name"])
    expect(code).to_have_value(unit["code"])
    expect(box).to_have_attribute("aria-expanded", "false")

    # Typing again makes it a name again; Escape closes the list.
    box.press("End")
    box.press("Backspace")
    expect(code).to_have_value("")
    expect(option).to_be_visible()
    box.press("Escape")
    expect(option).to_be_hidden()

    # Changing the province forgets both.
    box.fill(unit["name"][-6:])  # the end of the name, as officials type it
    option.tap()
    expect(code).to_have_value(unit["code"])
    page.locator("select[name=province]").select_option("79")
    expect(box).to_have_value("")
    expect(code).to_have_value("")

    # Chosen again by a tap, then sent: the account belongs to that unit.
    page.locator("select[name=province]").select_option("80")
    box.fill(unit["name"][-6:])
    option.tap()
    page.locator("input[name=cccd]").fill(CCCD)
    page.locator("input[name=full_name]").fill("Lê Thị Chọn")
    page.locator("input[name=email]").fill("le.thi.chon@example.vn")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password_confirm]").fill(PASSWORD)
    page.locator("main form button[type=submit]:not([form])").click()
    expect(page.locator("main h1")).to_have_text("Kiểm tra email")
    stored = app_python(
        "from sqlalchemy import select\n"
        "from helpdesk.extensions import db\n"
        "from helpdesk.auth.models import User\n"
        f"print(db.session.scalar(select(User).where(User.cccd == {CCCD!r})).unit.code)"
    )
    assert stored.strip() == unit["code"]
