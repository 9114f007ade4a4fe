"""Generated junk to every route, as every role: no answer is ever a 5xx.

The routes are read from the app's URL map: every rule with every method it takes. Each role
signs in through the real login page (the API: a bearer token of the role's account). A world
of tickets, messages, files, queues and rules gives path parameters real values to mix with
junk ones; the form fields and the values they offer are read from the role's own pages, so a
request is a real form with a valid CSRF token (forms are processed, services run) with some
fields turned into junk. Each route, as each role, gets:

- its real form (or query, or JSON body) once: what a browser sends;
- where the role gets past the route's access check: the same with numbers past every integer
  type in the path, url_for()'s own names in the query string and a body nested 10 000 deep;
  then, one field at a time, a number past every integer type, a NUL with a text-direction
  override, a file named with an override;
- and generated requests mixing real values and junk (hypothesis): numbers, controls, markup,
  long texts, hostile spreadsheets, JSON with lone surrogates, bodies of every shape.

Derandomized with a fixed number of examples: CI sends the same requests every run, and prints
how many. It runs once per suite, on PostgreSQL when TEST_DATABASE_URL is set (production's
database, the stricter one: NUL bytes, 32-bit integers), else on SQLite: on both it would
double its minute.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from hostile_files import HOSTILE_XLSX
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from integration.tickets.page_helpers import GOOD_FORM, PNG
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from support import post_form

from helpdesk.extensions import limiter

# The admin last: its junk may disable the other accounts.
ROLES = ("anonymous", "requester", "unit_admin", "observer", "agent", "supervisor", "admin")
GENERATED_PER_ROUTE = 1  # on average, on top of the two fixed requests, where the role reaches
PASSWORD = "Mật-khẩu-dài-2026"
SIGN_OUT = {"auth.logout"}  # sent once per role, last: nothing to generate, and it ends the run
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SETTINGS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.generate,),  # a failure is reported as found, not shrunk
    suppress_health_check=list(HealthCheck),
)
HUGE = "9" * 25
NUMBERS = ("0", "-1", "2147483648", "9223372036854775808", HUGE, "²", "٣", "1.5", "")
TEXTS = (
    "",
    "\x00",
    "a\x00b",
    "\u202egnp.exe",
    "\u2066x\u2069",
    "\x1b[31m",
    "\r\nX-Injected: 1",
    "/a\r\nX-Injected: 1",
    "x" * 3000,
    "' OR 1=1 --",
    "%_\\",
    "<script>alert(1)</script>",
    "//evil.example",
    "/\\evil.example",
    "../../etc/passwd",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "\ufeff\uffff",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "HT-2026-000001",
)
# Names a query string may carry: the app's filters and paging, and url_for()'s own arguments.
QUERY_NAMES = (
    "page",
    "per_page",
    "q",
    "next",
    "status",
    "queue",
    "province",
    "category",
    "system",
    "sla",
    "assignee",
    "kind",
    "start",
    "end",
    "from",
    "to",
    "endpoint",
    "_external",
    "_anchor",
    "_method",
    "values",
)
API_VALUES = {
    "system": ["moj"],
    "category": ["account"],
    "province": ["75", "01"],
    "unit": ["UBND phường Trấn Biên"],
    "subject": ["Không đăng nhập được"],
    "description": ["Từ sáng nay.\nĐã thử lại."],
    "dossier_code": ["000.00.12.H01-260301-0001"],
    "procedure_code": ["1.001234"],
    "priority": [3, 1, 4],
    "submission_key": ["key-0001"],
    "body": ["Đã kiểm tra."],
    "internal": [False, True],
    "status": ["open", "new", "waiting_requester", "resolved", "closed"],
    "queue": ["moj-it", "national"],
    "assignee": [None],
    "reason": ["Chuyển đúng nhóm."],
    "version": [1, 2],
    "title": ["Sự cố cổng thanh toán"],
    "provinces": [["75"], []],
    "tickets": [["HT-2026-000001"], []],
    "resolve": [False, True],
    "expected_at": ["2026-03-02T15:00:00+07:00"],
}
API_EXAMPLES = {  # the body a client would send, per operation
    ("POST", "/api/v1/tickets"): {**GOOD_FORM, "priority": 3},
    ("POST", "/api/v1/tickets/<number>/messages"): {"body": "Đã kiểm tra."},
    ("PATCH", "/api/v1/tickets/<number>"): {"status": "open", "reason": "Đã nhận."},
    ("POST", "/api/v1/incidents"): {"title": "Sự cố cổng thanh toán", "system": "moj"},
    ("POST", "/api/v1/incidents/<number>/tickets"): {"tickets": ["HT-2026-000001"]},
    ("POST", "/api/v1/incidents/<number>/updates"): {"body": "Đã khắc phục.", "resolve": True},
}
RAW_BODIES = (
    b"[" * 10000 + b"]" * 10000,
    b'{"a":' * 5000 + b"1" + b"}" * 5000,
    b'{"subject": "\\ud800", "body": "\\udfff", "reason": "\\ud800", "assignee": "\\ud800"}',
    b'{"\\ud800": 1}',
    b'{"subject": "a\\u0000b", "body": "a\\u0000b", "reason": "a\\u0000b", "queue": "\\u0000"}',
    b"\xff\xfe\x00",
    b"",
    b"null",
    b"1e99999",
    b'{"priority": 1e99999, "version": 99999999999999999999999}',
    b'{"subject": "' + b"x" * 300_000 + b'"}',
)
FILE_BODIES = (PNG, b"", b"\x00" * 10, b"%PDF-1.4 junk", *HOSTILE_XLSX.values())
FILENAMES = (
    "a.png",
    "",
    "\u202egnp.exe",
    "a\x00b.png",
    "../../x.txt",
    "x" * 300 + ".txt",
    "accounts.xlsx",
    "rules.csv",
)
PLAIN = "Nội dung thử"  # what a field that offers no value gets in a real form
PLAUSIBLE = {"email": "nguoi.dung@example.vn", "phone": "0912345678", "cccd": "079090123456"}
TYPED = {"text", "email", "tel", "password", "search", "date", "number", "url"}
TRICKY = "\u202ea\x00b"  # a text-direction override and a NUL
NEWLINE_PATH = "/a\r\nX-Injected: 1"  # a local path that would split the Location header
MAX_FIELD_EDGES = 6  # fields turned into junk one at a time, per route

# ---------------------------------------------------------------- strategies (built once)

JUNK_TEXT = st.one_of(
    st.sampled_from(TEXTS + NUMBERS),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),  # UTF-8 cannot carry Cs
)
JUNK_NUMBER = st.one_of(
    st.sampled_from(NUMBERS), st.integers(min_value=-(2**80), max_value=2**80).map(str)
)
JUNK_JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**80), max_value=2**80),
        st.floats(),
        st.sampled_from(TEXTS + NUMBERS),
        st.text(max_size=20),  # lone surrogates included: JSON escapes them
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
API_BODY = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            name: st.one_of(st.sampled_from(values), JUNK_JSON)
            for name, values in API_VALUES.items()
        },
    ).map(lambda data: json.dumps(data).encode()),
    st.sampled_from(RAW_BODIES),
    JUNK_JSON.map(lambda data: json.dumps(data).encode()),
)
UPLOAD = st.tuples(st.sampled_from(FILE_BODIES), st.sampled_from(FILENAMES))
CONTENT_TYPES = st.sampled_from(["application/json", "text/plain", "application/json; x=1"])


class FileInput:
    """Marks a file input among a field's offered values."""


class TextInput:
    """Marks a field one types into (text, e-mail, password, text area...)."""


class DateInput:
    """Marks a date field."""


def is_number_field(offered: list) -> bool:
    values = [value for value in offered if isinstance(value, str)]
    return bool(values) and all(value.isdigit() for value in values)


def field_value(offered: list) -> st.SearchStrategy:
    """An offered value (a plain text where none is offered), or junk of the field's kind."""
    if FileInput in offered:
        return UPLOAD
    junk = JUNK_NUMBER if is_number_field(offered) else JUNK_TEXT
    values = [value for value in offered if isinstance(value, str)]
    single = st.one_of(st.sampled_from(values or [PLAIN]), junk)
    return st.one_of(single, st.lists(single, min_size=2, max_size=3))


def with_junk(fields: dict[str, list]) -> st.SearchStrategy[dict]:
    """The fields as a page offers them (each offered value or junk), and up to two other
    names with junk."""
    names = sorted(fields)
    whole = st.fixed_dictionaries({name: field_value(fields[name]) for name in names})
    extra = st.lists(st.tuples(st.sampled_from(QUERY_NAMES), JUNK_TEXT), max_size=2)
    return st.tuples(whole, extra).map(lambda pair: {**dict(pair[1]), **pair[0]})


def request_strategy(rule, method: str, values: dict, fields: dict) -> st.SearchStrategy:
    path = st.fixed_dictionaries(
        {
            name: st.one_of(st.sampled_from(values[name]), JUNK_NUMBER, JUNK_TEXT)
            if values.get(name)
            else st.one_of(JUNK_NUMBER, JUNK_TEXT)
            for name in rule.arguments
        }
    )
    api = rule.rule.startswith("/api/")
    if method == "GET" and fields:
        query = with_junk(fields).map(lambda data: list(data.items()))
    else:
        query = st.lists(st.tuples(st.sampled_from(QUERY_NAMES), JUNK_TEXT), max_size=3)
    has_form = method != "GET" and not api
    return st.fixed_dictionaries(
        {
            "path": path,
            "query": query,
            "form": with_junk(fields) if has_form else st.just({}),
            "csrf": st.sampled_from([True, True, False]) if has_form else st.just(False),
            "body": API_BODY if api and method != "GET" else st.just(None),
            "content_type": CONTENT_TYPES,
        }
    )


# ---------------------------------------------------------------- the two fixed requests


def real_request(rule, method: str, values: dict, fields: dict) -> dict:
    """What a browser (or a client of the API) sends: real values everywhere."""
    api = rule.rule.startswith("/api/")
    chosen = {name: first_offered(name, offered) for name, offered in fields.items()}
    body = API_EXAMPLES.get((method, rule.rule), {})
    return {
        "path": {name: (values.get(name) or ["1"])[0] for name in rule.arguments},
        "query": list(chosen.items()) if method == "GET" else [],
        "form": chosen if method != "GET" and not api else {},
        "csrf": method != "GET" and not api,
        "body": json.dumps(body).encode() if api and method != "GET" else None,
        "content_type": "application/json",
    }


def edge_requests(rule, method: str, values: dict, fields: dict) -> list[dict]:
    """The real request with numbers past every integer type in the path and url_for()'s own
    names in the query string; then, one field at a time (the others staying valid), a number
    past every integer type in a field that takes numbers, a NUL and a text-direction override
    in a field one types into, an override in a file's name; dates at the calendar's ends."""
    real = real_request(rule, method, values, fields)
    reserved = [("page", HUGE), ("per_page", HUGE), ("endpoint", "x"), ("_external", "1")]
    reserved.append(("next", NEWLINE_PATH))
    edges = [
        {
            **real,
            "path": {
                name: HUGE if is_number_field(values.get(name, [])) else "a\x00\u202e"
                for name in rule.arguments
            },
            "query": [*real["query"], *reserved],
            "body": RAW_BODIES[0] if real["body"] is not None else None,
        }
    ]
    changes = [{name: NEWLINE_PATH} for name in fields if name == "next"]
    changes += [{name: HUGE} for name, offered in fields.items() if is_number_field(offered)]
    changes += [{name: TRICKY} for name, offered in fields.items() if TextInput in offered]
    changes += [{name: (PNG, "\u202egnp.exe")} for name, o in fields.items() if FileInput in o]
    changes = changes[:MAX_FIELD_EDGES]
    dates = [name for name, offered in fields.items() if DateInput in offered]
    if dates:  # the calendar's ends, as a range in the form's order
        changes += [
            {name: f"{first}{n + 1}" for n, name in enumerate(dates[:9])}
            for first in ("9999-12-2", "0001-01-0")
        ]
    for changed in changes:
        if method == "GET":
            query = [(name, value) for name, value in real["query"] if name not in changed]
            edges.append({**real, "query": [*query, *changed.items()]})
        else:
            edges.append({**real, "form": {**real["form"], **changed}})
    return edges


def first_offered(name: str, offered: list):
    if FileInput in offered:
        return (PNG, "anh.png")
    chosen = [value for value in offered if isinstance(value, str)]
    return chosen[0] if chosen else PLAUSIBLE.get(name, PLAIN)


# ---------------------------------------------------------------- reading the role's pages


class FormReader(HTMLParser):
    """Every form of a page: its action, method, field names, and the values it offers."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[dict] = []
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urlsplit(attrs.get("action") or self.page).path or self.page
            method = (attrs.get("method") or "get").upper()
            self.forms.append({"action": action, "method": method, "fields": defaultdict(list)})
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = attrs.get("name")
        if tag in ("input", "textarea", "select", "button") and name and name != "csrf_token":
            offered = fields[name]
            kind = attrs.get("type") or "text"
            if kind == "file":
                offered.append(FileInput)
            elif (tag == "textarea" or kind in TYPED) and TextInput not in offered:
                offered.append(TextInput)
            if kind == "date" and DateInput not in offered:
                offered.append(DateInput)
            if kind != "file" and attrs.get("value") and attrs["value"] not in offered:
                offered.append(attrs["value"])
            self.select = name if tag == "select" else None
        elif tag == "option" and self.select and attrs.get("value"):
            if attrs["value"] not in fields[self.select]:
                fields[self.select].append(attrs["value"])


def path_of(rule, values: dict[str, str]) -> str:
    """The rule's path with the given text in each parameter, percent-encoded."""

    def fill(match: re.Match) -> str:
        name = match.group(1).rpartition(":")[2]
        return quote(str(values[name]), safe="/" if name == "filename" else "")

    return re.sub(r"<([^>]+)>", fill, rule.rule)


def endpoints(app) -> list[tuple]:
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))
    return [(rule, method) for rule in rules for method in METHODS if method in rule.methods]


def csrf_for(client, app) -> str:
    """A valid CSRF token for the client's session, signed as Flask-WTF signs it."""
    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", "f" * 40)
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


# ---------------------------------------------------------------- the world


@pytest.fixture
def world(db, make_user):
    """Accounts of every role, tickets with replies, notes and files, a canned reply, a token
    per account. Passwords are hashed at TestConfig's cost: the junk signs in often."""
    from helpdesk import storage
    from helpdesk.api.services import issue_token
    from helpdesk.routing.models import Membership, MembershipProvince, Queue
    from helpdesk.tickets import services as tickets
    from helpdesk.tickets.services.canned import CannedDraft, save_canned

    unit = {"province_code": "75", "unit": "UBND phường Trấn Biên"}
    users = {
        "requester": make_user("requester", **unit),
        "agent": make_user("agent"),
        "supervisor": make_user("supervisor"),
        "admin": make_user("admin"),
        "observer": make_user("observer"),
        "unit_admin": make_user("unit_admin", **unit),
    }
    queues = db.session.scalars(select(Queue).where(Queue.code.in_(("moj-it", "national"))))
    for queue in queues:
        for role in ("agent", "supervisor"):
            membership = Membership(queue_id=queue.id, user_id=users[role].id)
            membership.coverage = [MembershipProvince(province_code="75")]
            db.session.add(membership)
    db.session.commit()
    filed = [
        tickets.create_ticket(
            users["requester"],
            tickets.TicketDraft(
                **{**GOOD_FORM, "priority": 3, "subject": subject},
                attachments=(storage.Upload("anh.png", PNG),),
            ),
        )
        for subject in ("Không đăng nhập được", "Lỗi thanh toán")
    ]
    agent = users["agent"]
    note = (storage.Upload("n.png", PNG),)
    tickets.add_message(agent, filed[0], "Ghi chú nội bộ", internal=True, uploads=note)
    tickets.add_message(agent, filed[0], "Đã nhận.", internal=False)
    tickets.change_status(
        agent, filed[1], "resolved", reason="Đã xử lý", resolution="Đã xử lý xong."
    )
    save_canned(users["supervisor"], CannedDraft(title="Chào", body="Xin chào.", queue_id=None))
    tokens = {role: issue_token(user, name="junk") for role, user in users.items()}
    return {"users": users, "tokens": tokens, "numbers": [t.number for t in filed]}


def path_values(db, world) -> dict[str, list[str]]:
    """Real values of each path parameter (ids that exist, ticket numbers), read afresh."""
    from helpdesk.auth.models import ApiToken, User
    from helpdesk.notifications.models import Outbox
    from helpdesk.routing.models import Membership, Queue, Rule
    from helpdesk.sla.models import Calendar, Policy
    from helpdesk.tickets.canned_models import CannedReply
    from helpdesk.tickets.models import Attachment

    def ids(model) -> list[str]:
        query = select(model.id).order_by(model.id).limit(5)
        return [str(value) for value in db.session.scalars(query)]

    return {
        "number": world["numbers"],
        "attachment_id": ids(Attachment),
        "token_id": ids(ApiToken),
        "user_id": ids(User),
        "outbox_id": ids(Outbox),
        "membership_id": ids(Membership),
        "queue_id": ids(Queue),
        "rule_id": ids(Rule),
        "canned_id": ids(CannedReply),
        "calendar_id": ids(Calendar),
        "policy_id": ids(Policy),
        "day": ["2026-01-01"],
        "kind": ["csv", "xlsx"],
        "filename": ["css/app.css"],
        "token": ["x"],
    }


# ---------------------------------------------------------------- the test


def test_no_route_answers_a_server_error_to_junk(
    app, db, client, backend, world, monkeypatch, capsys
):
    if backend == "sqlite" and os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("runs once, on PostgreSQL (production's database)")
    monkeypatch.setitem(app.config, "HELPDESK_API_RATE_LIMIT", "100000/minute")
    routes = endpoints(app)
    started = time.monotonic()
    total = 0
    for role in ROLES:
        fuzzer = RoleFuzzer(app, role, world, path_values(db, world))
        # Pages first (their forms give the fields of the others), signing out last.
        for rule, method in sorted(
            routes, key=lambda r: (r[1] != "GET", r[0].endpoint in SIGN_OUT)
        ):
            fuzzer.run_fixed(rule, method)
        fuzzer.run_generated()
        total += fuzzer.sent
        with capsys.disabled():
            print(
                f"\n[junk requests] {role}: {fuzzer.sent} requests, "
                f"{len(fuzzer.reached)} of {len(routes)} routes reached, no 5xx",
                end="",
            )
    with capsys.disabled():
        print(
            f"\n[junk requests] {total} requests to {len(routes)} routes as {len(ROLES)} roles "
            f"on {backend} in {time.monotonic() - started:.0f} s: no 5xx"
        )


class RoleFuzzer:
    """One role's signed-in browser (and bearer token) sending the requests of each route."""

    def __init__(self, app, role: str, world, values: dict[str, list[str]]) -> None:
        self.app = app
        self.role = role
        self.world = world
        self.values = values
        limiter.reset()  # the previous role's junk logins counted against this address
        self.client = app.test_client()
        self.sign_in()
        self.token = world["tokens"].get(role)
        self.forms: dict[tuple[str, str], dict[str, list]] = defaultdict(dict)
        self.adapter = app.url_map.bind("localhost")
        self.sent = 0
        self.reached: list[tuple] = []

    def read_forms(self, page: str, html: bytes) -> None:
        """Note each form of the page under the route it sends to: its fields and the values
        it offers (a route's fields, from every page that has its form)."""
        reader = FormReader(page)
        reader.feed(html.decode())
        for form in reader.forms:
            try:
                endpoint, _args = self.adapter.match(form["action"], method=form["method"])
            except Exception:  # noqa: BLE001, S112 - not a route of ours with that method
                continue
            fields = self.forms[(endpoint, form["method"])]
            for name, offered in form["fields"].items():
                fields.setdefault(name, [])
                fields[name] += [value for value in offered if value not in fields[name]]

    def sign_in(self) -> None:
        if self.role == "anonymous":
            return
        user = self.world["users"][self.role]
        response = post_form(
            self.client, "/auth/login", {"username": user.username, "password": PASSWORD}
        )
        assert response.status_code == 302, f"{self.role} cannot sign in"

    def run_fixed(self, rule, method: str) -> None:
        """The route's real request; where the role reaches the route, its edge request too."""
        fields = self.forms.get((rule.endpoint, method), {})
        response = self.send(rule, method, real_request(rule, method, self.values, fields))
        if not reaches(response):
            return
        if response.html is not None:  # its forms: the fields of the routes they post to
            self.read_forms(response.request.path, response.html)
            fields = self.forms.get((rule.endpoint, method), {})
        self.reached.append((rule, method))
        for request in edge_requests(rule, method, self.values, fields):
            self.send(rule, method, request)

    def run_generated(self) -> None:
        """Generated requests to the routes the role reached, GENERATED_PER_ROUTE a route on
        average."""
        routes = [route for route in self.reached if route[0].endpoint not in SIGN_OUT]
        strategies = [
            request_strategy(rule, method, self.values, self.forms.get((rule.endpoint, method), {}))
            for rule, method in routes
        ]

        @settings(SETTINGS, max_examples=GENERATED_PER_ROUTE * len(routes))
        @given(data=st.data())
        def generated(data):
            index = data.draw(st.integers(0, len(routes) - 1), label="route")
            rule, method = routes[index]
            self.send(rule, method, data.draw(strategies[index], label=f"{method} {rule.rule}"))

        generated()

    def send(self, rule, method: str, request: dict):
        path = path_of(rule, request["path"])
        query = urlencode(request["query"], doseq=True)
        options: dict = {"query_string": query}
        if path.startswith("/api/"):
            headers = {"Content-Type": request["content_type"]}
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            options.update(headers=headers, data=request["body"])
        elif request["form"] or request["csrf"]:
            data = {
                name: (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
                for name, value in request["form"].items()
            }
            if request["csrf"]:
                data["csrf_token"] = csrf_for(self.client, self.app)
            options["data"] = data
        response = self.client.open(path, method=method, **options)
        response.html = response.get_data() if response.mimetype == "text/html" else None
        response.close()
        self.sent += 1
        assert response.status_code < 500, (
            f"{self.role}: {method} {path}?{query} {request} -> {response.status}"
        )
        if self.role != "anonymous" and response.status_code in (302, 401):
            with self.client.session_transaction() as session:
                signed_in = "_user_id" in session
            if not signed_in:  # the junk signed the role out (logout, password): sign in again
                limiter.reset()
                self.sign_in()
        return response


def reaches(response) -> bool:
    """Whether the role got past the route's access check."""
    if response.status_code in (401, 403, 404, 405):
        return False
    return not (response.status_code == 302 and response.location.startswith("/auth/login"))
