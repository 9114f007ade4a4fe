"""No English on a Vietnamese page, no code where words belong.

Every GET page of the product (the routes of tests/integration/test_province_scope.py, filled
with a ticket, queue, rule, policy... of this test's own) is read as every role in Vietnamese.
What a person sees (the text, and the placeholder, title, aria-label and alt attributes, the
value of a button) may not contain:

- the English of a message the Vietnamese catalogue translates differently;
- a bare code: a ministry's system code (`moj`, `mae`...), an SLA state (`ok`, `breached`...),
  a role (`unit_admin`), a ticket or account status (`in_progress`, `waiting_requester`...);
- WTForms' own English messages ("This field is required.", "Not a valid choice"...).

The main forms, posted empty, answer in Vietnamese and keep what was typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from integration.test_province_scope import ROUTES
from sqlalchemy import select
from support import csrf_token

from helpdesk import storage
from helpdesk.auth.models import Role
from helpdesk.auth.models import Status as AccountStatus
from helpdesk.catalogue.models import System
from helpdesk.notifications.models import OutboxStatus
from helpdesk.routing.models import Membership, Queue
from helpdesk.sla.models import Calendar
from helpdesk.sla.states import SlaState
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Attachment, Status
from helpdesk.tickets.services.canned import CannedDraft, save_canned
from helpdesk.timeutil import utcnow

PO_FILE = Path(__file__).resolve().parents[3] / "helpdesk/translations/vi/LC_MESSAGES/messages.po"
PASSWORD = "Mật-khẩu-dài-2026"
ROLES = ["anonymous", *(role.value for role in Role)]
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)

# WTForms' own messages, in English (wtforms/locale has no Vietnamese).
WTFORMS_ENGLISH = (
    "This field is required.",
    "Not a valid choice",
    "Not a valid integer value",
    "Not a valid decimal value",
    "Not a valid float value",
    "Not a valid date value",
    "Not a valid datetime value",
    "Invalid email address",
    "Invalid input",
    "Invalid value",
    "Invalid Choice",
    "Field must be",
    "Field cannot be longer",
    "Field must be equal to",
    "Invalid CSRF",
    "The CSRF token",
    "Number must be",
)
# Words a Vietnamese page may show in English: the language switch names the other language.
ALLOWED_ENGLISH = {"English"}
# Names of files, addresses, numbers: never read as words of the catalogue.
NOT_WORDS = re.compile(r"\S+@\S+|\S+\.(?:csv|xlsx|png|json)\b|https?://\S+")


@cache
def english_of_catalogue() -> re.Pattern:
    """Every English message (or its literal parts around placeholders, of two words or more)
    whose Vietnamese differs, as one pattern of whole phrases."""
    with PO_FILE.open("rb") as fileobj:
        catalogue = read_po(fileobj, locale="vi")
    phrases = set()
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        for msgid in ids:
            if not msgid or msgid in strings or msgid in ALLOWED_ENGLISH:
                continue
            parts = re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]+>", msgid)
            for part in parts:
                part = " ".join(part.split()).strip(" ,;:()")
                if not part or not re.search(r"[A-Za-z]{2}", part):
                    continue
                if len(parts) > 1 and len(part.split()) < 2:
                    continue  # a word between placeholders: too little to tell
                phrases.add(part)
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


@cache
def vietnamese_of_catalogue() -> re.Pattern:
    """The catalogue's Vietnamese sentences of three words or more (no placeholders)."""
    with PO_FILE.open("rb") as fileobj:
        catalogue = read_po(fileobj, locale="vi")
    phrases = set()
    for message in catalogue:
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        for text in strings:
            if text and text not in ids and "%" not in text and len(text.split()) >= 3:
                phrases.add(" ".join(text.split()))
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def bare_codes(db) -> re.Pattern:
    codes = set(db.session.scalars(select(System.code)))
    codes |= {state.value for state in SlaState}
    codes |= {role.value for role in Role}
    codes |= {status.value for status in Status}
    codes |= {status.value for status in AccountStatus}
    codes |= {status.value for status in OutboxStatus}
    codes |= {"in_progress"}
    alternatives = "|".join(re.escape(c) for c in sorted(codes, key=len, reverse=True))
    return re.compile(rf"(?<![\w\-./:@])(?:{alternatives})(?![\w\-/@]|\.\w)")


class VisibleText(HTMLParser):
    """What a person sees of a page: its text (no script or style, nor what <code> shows as
    typed) and the attributes read to them (placeholder, title, aria-label, alt, a button's
    value)."""

    # Scripts and styles are not read; <code> shows what is typed as is (a file's columns).
    HIDDEN = {"script", "style", "template", "code", "kbd"}
    READ = {"placeholder", "title", "aria-label", "alt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        attributes = dict(attrs)
        for name in self.READ:
            if attributes.get(name):
                self.parts.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button", "reset"):
            self.parts.append(attributes.get("value") or "")
        self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1
        self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return NOT_WORDS.sub(" ", " ".join("".join(parser.parts).split(" ")))


def problems(html: str, codes: re.Pattern) -> list[str]:
    text = visible_text(html)
    found = [f"English: {m!r}" for m in english_of_catalogue().findall(text)]
    found += [f"WTForms: {m!r}" for m in WTFORMS_ENGLISH if m in text]
    found += [f"code: {m!r}" for m in codes.findall(text)]
    return sorted(set(found))


# ---------------------------------------------------------------- the desk the walk reads


@dataclass
class Desk:
    """The users of every role, and the ticket, queue and files the routes are filled with (as
    test_province_scope's Scope: `secret` and `shown` are the same ticket here, seen by all
    its staff and its requester)."""

    users: dict
    queue: Queue
    secret: object
    shown: object
    secret_files: list[int]
    membership_id: int
    canned_id: int
    extra: list[tuple[str, str]] = field(default_factory=list)


@pytest.fixture
def desk(db, make_user) -> Desk:
    queue = db.session.scalar(select(Queue).where(Queue.code == "moj-it"))
    users = {
        role.value: make_user(role.value, province_code="01", unit="UBND phường Phúc Xá")
        for role in Role
    }
    for role in ("agent", "supervisor"):
        db.session.add(Membership(queue_id=queue.id, user_id=users[role].id))
    db.session.commit()
    filed_at = utcnow() - timedelta(days=10)

    def file(subject: str, *, upload: bool = False, now=filed_at):
        draft = tickets.TicketDraft(
            system="moj",
            category="account",
            province="01",
            subject=subject,
            description="Tài khoản bị khóa sau khi nhập sai mật khẩu ba lần.",
            unit="UBND phường Phúc Xá",
            attachments=(storage.Upload("bien-nhan.png", PNG),) if upload else (),
        )
        return tickets.create_ticket(users["requester"], draft, now=now)

    ticket = file("Không đăng nhập được Cổng dịch vụ công", upload=True)
    tickets.add_message(users["agent"], ticket, "Đã mở khóa, vui lòng thử lại.", now=filed_at)
    tickets.add_message(
        users["admin"], ticket, "Bên phần mềm đang kiểm tra lại.", internal=True, now=filed_at
    )
    file("Hồ sơ nộp lệ phí chưa cập nhật", now=utcnow())  # a fresh one, its clocks running
    files = list(db.session.scalars(select(Attachment.id).where(Attachment.ticket_id == ticket.id)))
    membership_id = db.session.scalar(
        select(Membership.id).where(Membership.user_id == users["agent"].id)
    )
    canned = save_canned(users["admin"], CannedDraft("Mở khóa tài khoản", "Đã mở khóa."))
    extra = [
        ("tickets.canned_edit", f"/tickets/canned/{canned.id}"),
        ("tickets.queue", "/tickets/queue?status=all&sla=warning"),
        ("tickets.new", "/tickets/new?system=moj"),
        ("none", "/no-such-page"),
    ]
    return Desk(users, queue, ticket, ticket, files, membership_id, canned.id, extra)


def walk(desk: Desk, db):
    """(endpoint, url) of every GET page, filled for the desk."""
    for endpoint, urls in sorted(ROUTES.items()):
        for url in urls(desk, db):
            yield endpoint, url
    yield from desk.extra


@pytest.mark.parametrize("role", ROLES)
def test_vietnamese_pages_show_no_english_and_no_codes(db, client, login, desk, role):
    if role != "anonymous":
        assert login(desk.users[role], PASSWORD).status_code == 302
    codes = bare_codes(db)
    found: dict[str, list[str]] = {}
    read = 0
    for _endpoint, url in walk(desk, db):
        response = client.get(url)
        response.close()  # a file sent from disk (an attachment) is not read here
        if 300 <= response.status_code < 400 or not response.content_type.startswith("text/html"):
            continue
        html = response.get_data(as_text=True)
        assert '<html lang="vi">' in html, url
        read += 1
        if said := problems(html, codes):
            found[f"{response.status_code} {url}"] = said
    assert read > (5 if role == "anonymous" else 20)
    assert found == {}


def test_the_checks_catch_english_and_codes(db):
    """The walk's eyes: each kind of fault is seen, attributes read aloud too."""
    codes = bare_codes(db)
    page = (
        "<html><body><p>Hệ thống moj</p><span title='Please log in.'>x</span>"
        "<ul class='errors'><li>This field is required.</li></ul><td>breached</td>"
        "<p>unit_admin</p><input type='submit' value='Save'>"
        "<script>var ok = 'breached';</script><a href='/tickets/queue?sla=ok'>Quá hạn</a>"
        "<p>moj-it, user@moj.gov.vn</p></body></html>"
    )
    found = problems(page, codes)
    assert "code: 'moj'" in found
    assert "code: 'breached'" in found
    assert "code: 'unit_admin'" in found
    assert "WTForms: 'This field is required.'" in found
    assert "English: 'Please log in.'" in found
    assert "English: 'Save'" in found
    assert "code: 'ok'" not in found  # only in a script and a link
    assert len([f for f in found if f.startswith("code")]) == 3
    english_page = visible_text("<p>Page not found.</p><a href='/'>Về trang chủ</a>")
    assert vietnamese_of_catalogue().findall(english_page) == ["Về trang chủ"]


# ---------------------------------------------------------------- forms posted wrong


class Forms(HTMLParser):
    """The POST forms of a page: their action and the fields a person types into."""

    TYPED = {"text", "email", "tel", "search", "number", "url", None}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            if (attributes.get("method") or "").lower() == "post":
                action = attributes.get("action") or ""
                self.forms.append({"action": action, "typed": [], "passwords": []})
            return
        if not self.forms or not attributes.get("name"):
            return
        if tag == "textarea" or (tag == "input" and attributes.get("type") in self.TYPED):
            self.forms[-1]["typed"].append(attributes["name"])
        elif tag == "input" and attributes.get("type") == "password":
            self.forms[-1]["passwords"].append(attributes["name"])


def main_form(html: str, url: str) -> dict:
    """The page's own form: posted to the page itself, the one with most fields typed into."""
    parser = Forms()
    parser.feed(html)
    own = [f for f in parser.forms if f["action"] in ("", url.split("?")[0])]
    assert own, f"no form posted to {url}"
    return max(own, key=lambda f: len(f["typed"]))


# The main forms, by who fills them: each posted empty, then with words where they do not fit
# (what was typed is shown again, passwords never).
FORMS = {
    "anonymous": ["/auth/login", "/auth/register", "/auth/reset"],
    "requester": ["/tickets/new", "/auth/profile", "/auth/password"],
    "admin": [
        "/accounts/new",
        "/accounts/import",
        "/admin/routing/queues/new",
        "/admin/routing/rules/new",
        "/admin/routing/rules/import",
        "/admin/routing/tester",
        "/admin/routing/queues/{queue}/members",
        "/sla/policies/new",
        "/sla/calendars/{calendar}",
        "/tickets/canned/new",
    ],
}
# A reset asked for a login name that does not exist is answered as one that does.
ANSWERED_ALIKE = {"/auth/reset"}
TYPED = "Chữ gõ vào 7"
SECRET = "Mật-khẩu-không-bao-giờ-hiện-lại"  # noqa: S105 - typed, never shown again  # fits no e-mail, number, CCCD or code: an error, and kept


@pytest.mark.parametrize("role", sorted(FORMS))
def test_forms_posted_wrong_answer_in_vietnamese_and_keep_what_was_typed(
    db, client, login, desk, role
):
    if role != "anonymous":
        login(desk.users[role], PASSWORD)
    calendar = db.session.scalar(select(Calendar.id).order_by(Calendar.id))
    codes = bare_codes(db)
    found: dict[str, list[str]] = {}
    lost: dict[str, list[str]] = {}
    for pattern in FORMS[role]:
        url = pattern.format(queue=desk.queue.id, calendar=calendar)
        page = client.get(url).get_data(as_text=True)
        form = main_form(page, url)
        token = csrf_token(page)
        empty = client.post(url, data={"csrf_token": token, **dict.fromkeys(form["typed"], "")})
        typed = client.post(
            url,
            data={
                "csrf_token": token,
                **dict.fromkeys(form["typed"], TYPED),
                **dict.fromkeys(form["passwords"], SECRET),
            },
        )
        for name, response in (("empty", empty), ("typed", typed)):
            if name == "typed" and url in ANSWERED_ALIKE:
                assert response.status_code == 302, url
                continue
            html = response.get_data(as_text=True)
            assert response.status_code in (200, 400, 422), (url, name, response.status_code)
            assert '<html lang="vi">' in html, (url, name)
            assert "is-invalid" in html or "alert-danger" in html, (url, name)
            if said := problems(html, codes):
                found[f"{name} {url}"] = said
        if url in ANSWERED_ALIKE:
            continue
        kept = typed.get_data(as_text=True)
        assert SECRET not in kept, f"{url} shows a password again"
        if missing := [field for field in form["typed"] if f'value="{TYPED}"' not in kept]:
            if TYPED not in kept:  # a text area keeps it as its text
                lost[url] = missing
    assert found == {}
    assert lost == {}


@pytest.mark.parametrize("role", ["anonymous", "requester", "agent", "admin"])
def test_english_pages_show_no_vietnamese_of_the_catalogue(db, english, login, desk, role):
    if role != "anonymous":
        login(desk.users[role], PASSWORD)
    found: dict[str, list[str]] = {}
    for _endpoint, url in walk(desk, db):
        response = english.get(url)
        response.close()
        if 300 <= response.status_code < 400 or not response.content_type.startswith("text/html"):
            continue
        html = response.get_data(as_text=True)
        assert '<html lang="en">' in html, url
        if said := sorted(set(vietnamese_of_catalogue().findall(visible_text(html)))):
            found[f"{response.status_code} {url}"] = said
    assert found == {}
