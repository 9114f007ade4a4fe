"""Province scope fails closed, everywhere: staff whose membership covers province 01 of a queue
(or covers nothing), and the coordinator of province 01 (or of province 48), walk every page and
API endpoint of the product and find nothing of that queue's province-79 ticket: not its
number, subject, description, messages, internal notes or files, in no list, count, search,
export or mail; asking for it directly answers 404.

The walk reads `app.url_map`: a GET route it does not know how to fill fails the test, so a new
page is walked from the day it is added (add it to ROUTES below).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select
from support import csrf_token

from helpdesk import storage
from helpdesk.auth.models import Unit, User
from helpdesk.auth.services import AccountDraft, create_token
from helpdesk.channels.models import InboundMail
from helpdesk.directory.models import DirectoryEntry
from helpdesk.help.models import Article
from helpdesk.notifications.models import Outbox
from helpdesk.requests.models import InfoRequest
from helpdesk.requests.services import RequestDraft, send_request
from helpdesk.routing import services as routing
from helpdesk.routing.models import Membership, MembershipProvince, Queue, Rule
from helpdesk.sla.models import Calendar, Policy
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Attachment, Ticket
from helpdesk.timeutil import utcnow

PASSWORD = "Mật-khẩu-dài-2026"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
# Words that appear nowhere else: a page that shows any of them shows the ticket.
SECRET = {
    "subject": "ZEBRA79 payment never reached the treasury",
    "description": "DESCZEBRA79 dossier 000.00.79 was paid twice",
    "reply": "REPLYZEBRA79 the receipt is attached again",
    "note": "NOTEZEBRA79 vendor is reconciling the ledger",
    "file": "zebra79-receipt.png",
    "note_file": "zebra79-ledger.png",
    "answer": "ANSWERZEBRA79 the province's list of administrators",
    "answer_file": "zebra79-administrators.png",
}
SHOWN = {
    "subject": "LION01 cannot sign in to the one-stop portal",
    "description": "DESCLION01 the account is locked",
    "note": "NOTELION01 password reset sent",
}
NO_ROUTE_ARGUMENTS = "static"  # files of the product, no ticket in them


@dataclass
class Scope:
    """The walker, the queue, and the tickets of both provinces in it."""

    user: object
    queue: Queue
    secret: Ticket  # province 79: never seen
    shown: Ticket  # province 01: seen when the membership covers 01
    secret_files: list[int]
    shown_files: list[int]
    membership_id: int

    def forbidden(self, *, covers_01: bool) -> list[str]:
        """What no response may contain."""
        hidden = [self.secret.number, *SECRET.values()]
        if not covers_01:
            hidden += [self.shown.number, *SHOWN.values()]
        return hidden


@pytest.fixture(params=["01", "none"])
def coverage(request) -> str:
    """The walker's membership: province 01 listed, or neither a province nor all provinces."""
    return request.param


def make_coordinator(number: int, province: str, **fields):
    """A coordinator as the accounts pages make one: a member of its province's queue."""
    draft = AccountDraft(
        username=f"0011{77:02d}{number:06d}@ht.com",
        role="coordinator",
        password=PASSWORD,
        full_name=f"Đầu mối {number}",
        province_code=province,
        **fields,
    )
    return routing.provision_account(draft)


@pytest.fixture(params=["agent", "supervisor", "coordinator"])
def scope(request, db, make_user, coverage) -> Scope:
    """Two tickets of the seeded `moj-it` queue filed ten days ago (breached, unanswered, past
    every warning), one in province 01, one in province 79 with a reply, an internal note and
    files; a request about `moh` to provinces 79 and 01, answered by 79 with a file; the
    walker (an agent or a supervisor, not the queue's supervisor) is a member of the queue
    with the coverage given, and so is a colleague of the same role. A coordinator walker is
    no member of the queue: it coordinates province 01 (coverage "01") or province 48
    ("none"), as does its colleague."""
    queue = db.session.scalar(select(Queue).where(Queue.code == "moj-it"))
    queue.notify_members = True
    if request.param == "coordinator":
        province = "01" if coverage == "01" else "48"
        walker = make_coordinator(1, province, email="walker@example.vn", language="en")
        make_coordinator(2, province, email="colleague@example.vn")
    else:
        walker = make_user(request.param, email="walker@example.vn", language="en")
        colleague = make_user(request.param, email="colleague@example.vn")
        for user in (walker, colleague):
            listed = [MembershipProvince(province_code="01")] if coverage == "01" else []
            db.session.add(Membership(queue_id=queue.id, user_id=user.id, coverage=listed))
    db.session.commit()
    admin = make_user("admin")
    filed_at = utcnow() - timedelta(days=10)

    def file(province: str, words: dict, upload: str | None):
        requester = make_user("requester", province_code=province)
        draft = tickets.TicketDraft(
            system="moj",
            category="account",
            province=province,
            subject=words["subject"],
            description=words["description"],
            unit="UBND phường 1",
            priority=1,
            attachments=(storage.Upload(upload, PNG),) if upload else (),
        )
        ticket = tickets.create_ticket(requester, draft, now=filed_at)
        assert ticket.queue_id == queue.id
        return requester, ticket

    requester79, secret = file("79", SECRET, SECRET["file"])
    tickets.add_message(requester79, secret, SECRET["reply"], now=filed_at + timedelta(hours=1))
    tickets.add_message(
        admin,
        secret,
        SECRET["note"],
        internal=True,
        uploads=(storage.Upload(SECRET["note_file"], PNG),),
        now=filed_at + timedelta(hours=2),
    )
    sent = send_request(
        admin,
        RequestDraft(
            "Số liệu", "Gửi số liệu.", utcnow().date() + timedelta(days=30), ["79", "01"], "moh"
        ),
    )
    asked79 = db.session.scalar(
        select(Ticket).where(Ticket.request_id == sent.request_id, Ticket.province_code == "79")
    )
    tickets.add_message(
        make_user("admin"),
        asked79,
        SECRET["answer"],
        uploads=(storage.Upload(SECRET["answer_file"], PNG),),
    )
    _requester01, shown = file("01", SHOWN, None)
    tickets.add_message(admin, shown, SHOWN["note"], internal=True, now=filed_at)

    def files(ticket: Ticket) -> list[int]:
        query = select(Attachment.id).where(Attachment.ticket_id == ticket.id)
        return list(db.session.scalars(query.order_by(Attachment.id)))

    membership_id = db.session.scalar(select(Membership.id).where(Membership.user_id == walker.id))
    return Scope(walker, queue, secret, shown, files(secret), files(shown), membership_id)


# ---------------------------------------------------------------- the routes and how to fill them


def _first_id(db, column) -> int:
    return db.session.scalar(select(column).order_by(column)) or 1


def _first_observer(db) -> int:
    return db.session.scalar(select(User.id).where(User.role == "observer").order_by(User.id)) or 1


def _first_article(db) -> str:
    return db.session.scalar(select(Article.slug).order_by(Article.id)) or "no-article"


def _first_request(db) -> str:
    """The number of the walk's request (to provinces 79 and 01), else one that does not
    exist."""
    return (
        db.session.scalar(select(InfoRequest.number).order_by(InfoRequest.id)) or "YC-2026-000000"
    )


def _request_files(db) -> list[int]:
    """The files of the answers to the walk's request (province 79's)."""
    query = select(Attachment.id).join(Ticket).where(Ticket.request_id.is_not(None))
    return list(db.session.scalars(query.order_by(Attachment.id)))


def _request_routes(path: str):
    """A request's page of that path, for the first request and for none."""
    return lambda s, db: [
        f"/requests/{number}{path}" for number in (_first_request(db), "YC-2026-999999")
    ]


def _first_unlisted_id(db) -> int:
    """A unit as an official wrote it (the walk's users make some), else any id."""
    return db.session.scalar(select(Unit.id).where(Unit.code.is_(None)).order_by(Unit.id)) or 1


# Every GET route of the product, by endpoint: the URLs to ask for, filled with the province-79
# ticket wherever a route names a ticket, with filters and searches that would find it in lists.
# A route added to the product without an entry here fails test_the_walk_knows_every_route.
ROUTES = {
    "site.home": lambda s, db: ["/"],
    "site.healthz": lambda s, db: ["/healthz"],
    "auth.login": lambda s, db: ["/auth/login"],
    "auth.register": lambda s, db: ["/auth/register"],
    "auth.request_reset": lambda s, db: ["/auth/reset"],
    "auth.reset_password": lambda s, db: ["/auth/reset/not-a-token"],
    "auth.activate": lambda s, db: ["/auth/activate/not-a-token"],
    "auth.verify_email": lambda s, db: ["/auth/verify/not-a-token"],
    "auth.confirm_email_change": lambda s, db: ["/auth/email/not-a-token"],
    "auth.undo_email_change": lambda s, db: ["/auth/email/undo/not-a-token"],
    "auth.stop_digests": lambda s, db: ["/auth/digests/stop/not-a-token"],
    "auth.change_password": lambda s, db: ["/auth/password"],
    "auth.profile": lambda s, db: ["/auth/profile"],
    "auth.tokens": lambda s, db: ["/auth/tokens"],
    "tokens.index": lambda s, db: ["/account/tokens/"],
    "accounts.index": lambda s, db: ["/accounts/", "/accounts/?q=79"],
    "accounts.import_file": lambda s, db: ["/accounts/import"],
    "accounts.new": lambda s, db: ["/accounts/new"],
    "accounts.pending": lambda s, db: ["/accounts/pending"],
    "accounts.role": lambda s, db: [f"/accounts/{s.secret.requester_id}/role"],
    "accounts.throttled": lambda s, db: ["/accounts/throttled"],
    "accounts.observer_systems": lambda s, db: [f"/accounts/{_first_observer(db)}/systems"],
    "units.index": lambda s, db: [
        "/admin/units/",
        "/admin/units/?province=79",
        "/admin/units/?province=01&kind=ward&state=active&q=phuc",
    ],
    "units.new": lambda s, db: ["/admin/units/new", "/admin/units/new?province=79"],
    "units.edit": lambda s, db: [f"/admin/units/{_first_id(db, Unit.id)}"],
    "units.unlisted": lambda s, db: ["/admin/units/unlisted", "/admin/units/unlisted?province=79"],
    "units.match": lambda s, db: [f"/admin/units/unlisted/{_first_unlisted_id(db)}"],
    "outbox.index": lambda s, db: ["/admin/outbox/", "/admin/outbox/?status=pending"],
    "channels.index": lambda s, db: ["/admin/mail/", "/admin/mail/?page=2"],
    "channels.download": lambda s, db: [f"/admin/mail/{_first_id(db, InboundMail.id)}/message.eml"],
    "announcements.index": lambda s, db: ["/admin/announcements/"],
    "routing.index": lambda s, db: ["/admin/routing/"],
    "routing.queues": lambda s, db: ["/admin/routing/queues"],
    "routing.new_queue": lambda s, db: ["/admin/routing/queues/new"],
    "routing.edit_queue": lambda s, db: [f"/admin/routing/queues/{s.queue.id}"],
    "routing.members": lambda s, db: [f"/admin/routing/queues/{s.queue.id}/members"],
    "routing.edit_membership": lambda s, db: [f"/admin/routing/memberships/{s.membership_id}"],
    "routing.rules": lambda s, db: ["/admin/routing/rules", "/admin/routing/rules?province=79"],
    "routing.new_rule": lambda s, db: ["/admin/routing/rules/new"],
    "routing.edit_rule": lambda s, db: [f"/admin/routing/rules/{_first_id(db, Rule.id)}"],
    "routing.export_rules": lambda s, db: ["/admin/routing/rules/export.csv"],
    "routing.import_rules": lambda s, db: ["/admin/routing/rules/import"],
    "routing.tester": lambda s, db: ["/admin/routing/tester"],
    "sla.index": lambda s, db: ["/sla/"],
    "sla.unanswered": lambda s, db: ["/sla/unanswered"],
    "sla.breached": lambda s, db: ["/sla/breached"],
    "sla.breached_queue": lambda s, db: [f"/sla/breached/{s.queue.id}"],
    "sla.policies": lambda s, db: ["/sla/policies"],
    "sla.new_policy": lambda s, db: ["/sla/policies/new"],
    "sla.edit_policy": lambda s, db: [f"/sla/policies/{_first_id(db, Policy.id)}"],
    "sla.calendars": lambda s, db: ["/sla/calendars"],
    "sla.calendar": lambda s, db: [f"/sla/calendars/{_first_id(db, Calendar.id)}"],
    "reports.dashboard": lambda s, db: [
        "/reports/",
        "/reports/?province=79",
        "/reports/?system=moj&province=79",
    ],
    "reports.export": lambda s, db: [
        "/reports/export.csv?province=79",
        "/reports/export.xlsx?province=79",
        "/reports/export.csv",
        "/reports/export.xlsx",
    ],
    "reports.compliance": lambda s, db: [
        "/reports/compliance",
        "/reports/compliance?province=79",
        "/reports/compliance?system=moj&province=79&queue=moj-it&category=payment",
    ],
    "reports.compliance_export": lambda s, db: [
        "/reports/compliance.csv?province=79",
        "/reports/compliance.xlsx?province=79",
        "/reports/compliance.csv",
    ],
    "reports.issue_list": lambda s, db: [
        "/reports/issues",
        "/reports/issues?province=79",
        "/reports/issues?system=moj&province=79&queue=moj-it&status=open&sla=missed",
        "/reports/issues?from=2000-01-01&category=account",
        f"/reports/issues?after={s.shown.id}&from=2000-01-01",
    ],
    "reports.issue_export": lambda s, db: [
        "/reports/issues.csv?province=79",
        "/reports/issues.xlsx?province=79",
        "/reports/issues.csv?from=2000-01-01",
        "/reports/issues.xlsx?from=2000-01-01&queue=moj-it",
    ],
    "tickets.new": lambda s, db: ["/tickets/new"],
    "tickets.index": lambda s, db: ["/tickets/", "/tickets/?status=all"],
    "tickets.queue": lambda s, db: [
        "/tickets/queue",
        "/tickets/queue?q=ZEBRA79",
        "/tickets/queue?q=NOTEZEBRA79",
        f"/tickets/queue?q={s.secret.number}",
        "/tickets/queue?province=79&status=all",
        f"/tickets/queue?queue={s.queue.id}&province=79&status=all",
        "/tickets/queue?status=all&sla=breached",
        "/tickets/queue?status=all&assignee=unassigned",
        "/tickets/queue?status=all&page=2",
    ],
    "tickets.show": lambda s, db: [f"/tickets/{s.secret.number}"],
    "tickets.phone": lambda s, db: [
        "/tickets/phone",
        "/tickets/phone?q=ZEBRA79",
        f"/tickets/phone?q={s.secret.number}",
        f"/tickets/phone?q={s.secret.requester.cccd}",
        "/tickets/phone?q=C%C3%A1n+b%E1%BB%99",
    ],
    "tickets.phone_file": lambda s, db: [
        f"/tickets/phone/{s.secret.requester_id}",
        f"/tickets/phone/{s.shown.requester_id}",
    ],
    "tickets.phone_account": lambda s, db: [
        "/tickets/phone/account",
        f"/tickets/phone/account?q={s.secret.number}",
    ],
    "tickets.attachment": lambda s, db: [
        f"/tickets/{number}/attachments/{file_id}"
        for number in (s.secret.number, s.shown.number)
        for file_id in s.secret_files
    ],
    "tickets.canned_list": lambda s, db: ["/tickets/canned"],
    "tickets.canned_new": lambda s, db: ["/tickets/canned/new"],
    "tickets.canned_edit": lambda s, db: ["/tickets/canned/1"],
    "requests.index": lambda s, db: ["/requests/"],
    "requests.new": lambda s, db: ["/requests/new"],
    "requests.show": _request_routes(""),
    "requests.answers_xlsx": _request_routes("/answers.xlsx"),
    "requests.files_zip": _request_routes("/files.zip"),
    "requests.template": _request_routes("/template"),
    "requests.file": lambda s, db: [
        f"/requests/{_first_request(db)}/files/{file_id}"
        for file_id in [*s.secret_files, *_request_files(db)]
    ],
    "api.get_request": lambda s, db: [f"/api/v1/requests/{_first_request(db)}"],
    "api.openapi_document": lambda s, db: ["/api/v1/openapi.json"],
    "api.me": lambda s, db: ["/api/v1/me"],
    "api.list_units": lambda s, db: [
        "/api/v1/units?province=79",
        "/api/v1/units?province=79&q=tan",
    ],
    "api.list_suggestions": lambda s, db: [
        "/api/v1/suggestions?system=moj&category=payment&subject=tien+phi+chua+ve",
    ],
    "api.list_tickets": lambda s, db: [
        "/api/v1/tickets",
        "/api/v1/tickets?q=ZEBRA79",
        "/api/v1/tickets?q=NOTEZEBRA79",
        f"/api/v1/tickets?q={s.secret.number}",
        "/api/v1/tickets?province=79",
        "/api/v1/tickets?queue=moj-it&province=79&status=open",
        "/api/v1/tickets?system=moj&category=account",
        "/api/v1/tickets?page=2&per_page=1",
    ],
    "api.get_ticket": lambda s, db: [f"/api/v1/tickets/{s.secret.number}"],
    "api.list_directory": lambda s, db: [
        "/api/v1/directory",
        "/api/v1/directory?system=moj&province=79",
    ],
    "directory.index": lambda s, db: [
        "/directory",
        "/directory?system=moj&province=79",
        "/directory?q=ZEBRA79",
    ],
    "directory.new": lambda s, db: ["/directory/new"],
    "directory.edit": lambda s, db: [f"/directory/{_first_id(db, DirectoryEntry.id)}/edit"],
    "directory.import_file": lambda s, db: ["/directory/import"],
    "directory.export": lambda s, db: ["/directory/export.csv", "/directory/export.xlsx"],
    "api.list_articles": lambda s, db: ["/api/v1/articles", "/api/v1/articles?q=ZEBRA79"],
    "help.index": lambda s, db: ["/help", "/help?q=ZEBRA79", "/help?status=draft&system=moj"],
    "help.new": lambda s, db: ["/help/new"],
    "help.show": lambda s, db: [f"/help/{_first_article(db)}", "/help/bai-viet-khong-co"],
    "help.edit": lambda s, db: [f"/help/{_first_article(db)}/edit"],
    "help.download": lambda s, db: [f"/help/{_first_article(db)}/files/1"],
}
# Routes that name a ticket: asked for the province-79 ticket, each answers 404.
TICKET_ROUTES = {"tickets.show", "tickets.attachment", "api.get_ticket"}


def get_routes(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint != NO_ROUTE_ARGUMENTS
    }


def text_of(response) -> str:
    """Everything a response says: headers and body, an XLSX's XML unzipped."""
    headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    body = response.get_data()
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as workbook:
            body = b"".join(workbook.read(name) for name in workbook.namelist())
    return headers + "\n" + body.decode("utf-8", errors="replace")


def leaks(url: str, response, forbidden: list[str]) -> list[str]:
    """The forbidden words the response shows (a word the URL itself carries may be echoed,
    as a search box shows what was searched)."""
    said = text_of(response)
    return [word for word in forbidden if word not in url and word in said]


# ---------------------------------------------------------------- the walk


def test_the_walk_knows_every_route(app):
    unknown = get_routes(app) - set(ROUTES)
    assert not unknown, f"GET routes the scope walk does not fill: add them to ROUTES: {unknown}"
    gone = set(ROUTES) - get_routes(app)
    assert not gone, f"ROUTES names routes that no longer exist: {gone}"


def test_staff_find_nothing_outside_their_coverage_on_any_page(
    app, db, client, login, scope, coverage
):
    assert login(scope.user, PASSWORD).status_code == 302
    forbidden = scope.forbidden(covers_01=coverage == "01")
    token = create_token(scope.user)
    api = {"Authorization": f"Bearer {token}"}
    found: dict[str, list[str]] = {}
    statuses: dict[str, int] = {}
    seen = ""
    for endpoint, urls in sorted(ROUTES.items()):
        for url in urls(scope, db):
            headers = api if url.startswith("/api/") else {}
            response = client.get(url, headers=headers)
            statuses[url] = response.status_code
            assert response.status_code < 500, url
            if endpoint in TICKET_ROUTES:
                assert response.status_code == 404, url
            if shown := leaks(url, response, forbidden):
                found[url] = shown
            seen += text_of(response)
    assert found == {}
    if coverage == "01":  # the walk reads what it should: province 01's ticket is on the lists
        assert scope.shown.number in seen
        if scope.user.role == "coordinator":  # and the request to province 01, its line alone
            tracker = statuses[f"/requests/{_first_request(db)}"]
            assert tracker == statuses[f"/requests/{_first_request(db)}/files.zip"] == 200
        assert statuses["/tickets/queue"] == statuses["/api/v1/tickets"] == 200
        if scope.user.role == "supervisor":
            assert statuses["/sla/unanswered"] == statuses[f"/sla/breached/{scope.queue.id}"]
            for url in ("/sla/unanswered", f"/sla/breached/{scope.queue.id}"):
                assert scope.shown.number in client.get(url).get_data(as_text=True), url


def test_the_sla_overview_counts_only_covered_tickets(db, client, login, scope, coverage):
    if scope.user.role != "supervisor":
        pytest.skip("the SLA pages are the supervisors'")
    login(scope.user, PASSWORD)

    html = client.get("/sla/breached").get_data(as_text=True)

    row = re.search(r'data-queue="moj-it".*?</tr>', html, re.S)
    if coverage == "01":
        counted = re.search(r'<span class="badge[^"]*">(\d+)</span>', row.group())
        assert counted.group(1) == "1"  # province 01's ticket, not province 79's
    else:
        assert row is None  # a queue showing them nothing is not theirs to oversee


def test_staff_cannot_act_on_a_ticket_outside_their_coverage(db, client, login, scope, coverage):
    """Every POST route of a ticket, the API's writes and the bulk actions: 404 or nothing
    done, and the ticket unchanged."""
    login(scope.user, PASSWORD)
    forbidden = scope.forbidden(covers_01=coverage == "01")
    before = (scope.secret.version, scope.secret.status, scope.secret.assignee_id)
    token = csrf_token(client.get("/auth/profile").get_data(as_text=True))
    posted = {}
    for rule in client.application.url_map.iter_rules():
        if "POST" not in rule.methods or "number" not in rule.arguments:
            continue
        if rule.endpoint.startswith("api."):
            continue  # the API's writes, with a token, below
        url = rule.rule.replace("<number>", scope.secret.number)
        form = {
            "csrf_token": token,
            "version": str(scope.secret.version),
            "note": "x",
            "body": "x",
            "status": "resolved",
            "status_reason": "x",
            "resolution": "x",
            "priority": "1",
        }
        response = client.post(url, data=form)
        posted[url] = response.status_code
        assert not leaks(url, response, forbidden), url
    assert len(posted) >= 10
    assert set(posted.values()) == {404}, posted
    api = {"Authorization": f"Bearer {create_token(scope.user)}"}
    url = f"/api/v1/tickets/{scope.secret.number}"
    patched = client.patch(url, json={"status": "resolved", "resolution": "x"}, headers=api)
    noted = client.post(f"{url}/messages", json={"body": "x", "internal": True}, headers=api)
    assert (patched.status_code, noted.status_code) == (404, 404)
    resolve = {"action": "status", "status": "resolved", "resolution": "x"}
    for action in ({"action": "claim"}, resolve):
        queue_page = client.get("/tickets/queue").get_data(as_text=True)
        client.post(
            "/tickets/queue/bulk",
            data={"csrf_token": csrf_token(queue_page), "numbers": [scope.secret.number], **action},
        )
    # Named from a ticket they work: as if there were no such ticket (a coordinator reads
    # province 01's ticket of moj-it, it does not work it: its merge and links answer 404).
    if coverage == "01" and scope.user.role != "coordinator":
        page = f"/tickets/{scope.shown.number}"
        for name, field in (("merge", "target"), ("incident/attach", "incident")):
            form = {
                "csrf_token": csrf_token(client.get(page).get_data(as_text=True)),
                "version": str(db.session.get(Ticket, scope.shown.id).version),
                field: scope.secret.number,
            }
            response = client.post(f"{page}/{name}", data=form)
            assert response.status_code == 422, name
            assert not leaks(scope.secret.number, response, forbidden), name
    db.session.expire_all()
    secret = db.session.get(Ticket, scope.secret.id)
    assert (secret.version, secret.status, secret.assignee_id) == before
    assert db.session.scalar(select(Ticket.id).where(Ticket.parent_id == secret.id)) is None


def test_no_mail_about_a_ticket_goes_to_staff_who_do_not_cover_it(db, scope):
    told = db.session.scalars(select(Outbox).where(Outbox.user_id == scope.user.id)).all()
    assert [row for row in told if row.context.get("number") == scope.secret.number] == []
