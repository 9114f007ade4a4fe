"""The national day's people, for Locust (headless, started by bench/day.py).

Each simulated person signs in through the login page with a generated account of their role
(bench/people.py), then works as that role does, reading each form from the page it is on as
a browser would (its hidden fields, its choices) before sending it. The mix, per 100 people:
60 requesters (home, my tickets, read a ticket, file with an attachment, reply), 28 agents
(queue, search, ticket, reply with a status, transfer), 6 supervisors (unanswered, breached,
a ticket), 6 observers (dashboard, issue list, its CSV export of a week).

Every answer is classified: 2xx/3xx pass; the answers a busy desk expects pass under a name
of their own (409: someone changed the ticket meanwhile; 404: a ticket moved out of reach by
another agent's transfer); anything else fails. The counts by page and status are written to
DAY_COUNTS when the run ends.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import secrets
import threading
from collections import Counter, defaultdict
from datetime import date, timedelta
from html.parser import HTMLParser

from locust import FastHttpUser, between, events, task

PEOPLE = json.loads(open(os.environ["DAY_PEOPLE"], encoding="utf-8").read())  # noqa: SIM115
PASSWORD = PEOPLE["password"]
THINK = [float(seconds) for seconds in os.environ.get("DAY_THINK", "2,8").split(",")]
COUNTS: Counter[str] = Counter()
COUNTERS: defaultdict[str, itertools.count] = defaultdict(itertools.count)
LOCK = threading.Lock()
NUMBER = re.compile(r"/tickets/([A-Z]{2}-\d{4}-\d{6})")
# A 1×1 PNG: the screenshot an official attaches.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


class Forms(HTMLParser):
    """The forms of a page: action → {field: value} of its inputs, and each select's values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict] = {}
        self.current: dict | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = {"fields": {}, "options": {}}
            self.forms[attrs.get("action") or ""] = self.current
        elif self.current is None:
            return
        elif tag in ("input", "textarea") and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind != "file":
                self.current["fields"][attrs["name"]] = attrs.get("value") or ""
        elif tag == "select" and attrs.get("name"):
            self.select = attrs["name"]
            self.current["options"][self.select] = []
        elif tag == "option" and self.select:
            self.current["options"][self.select].append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.current = None


def forms_of(html: str) -> dict[str, dict]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes, str]]):
    boundary = "bench" + secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    body = "".join(parts).encode()
    for name, filename, content, kind in files:
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@events.request.add_listener
def count(name, response, exception, **kwargs):  # noqa: ARG001 - Locust's signature
    status = getattr(response, "status_code", 0) if response is not None else 0
    with LOCK:
        COUNTS[f"{name}|{status or 'error'}"] += 1


@events.quitting.add_listener
def write_counts(environment, **kwargs):  # noqa: ARG001
    with open(os.environ["DAY_COUNTS"], "w", encoding="utf-8") as out:
        json.dump(dict(COUNTS), out)


class Person(FastHttpUser):
    abstract = True
    wait_time = between(*THINK)  # reading, typing, a phone call between two clicks
    role = ""

    def on_start(self) -> None:
        people = PEOPLE[self.role]
        self.index = next(COUNTERS[self.role])  # each person of a role a different account
        self.person = people[self.index % len(people)]
        self.tickets: list[str] = list(self.person.get("tickets") or [])
        page = self.get("/auth/login", "login page")
        found = [f["fields"] for f in forms_of(page).values() if "username" in f["fields"]]
        form = found[0] if found else {}
        form.update(username=self.person["username"], password=PASSWORD)
        self.post("/auth/login", "login", form)

    def get(self, path: str, name: str, *, expect: tuple[int, ...] = ()) -> str:
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            return self.judge(response, expect)

    def post(
        self, path: str, name: str, fields: dict, files=None, *, expect: tuple[int, ...] = ()
    ) -> str:
        body, kind = multipart(fields, files or [])
        with self.client.post(
            path,
            name=name,
            data=body,
            headers={"Content-Type": kind},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self.judge(response, expect)
            moved = response.status_code in (302, 303)
            return response.headers.get("Location", "") if moved else ""

    def judge(self, response, expect: tuple[int, ...]) -> str:
        status = response.status_code  # 0: no answer (refused, cut, timed out)
        if 0 < status < 400 or status in expect:
            response.success()
            return response.text or "" if status == 200 else ""
        response.failure(f"HTTP {status}")
        return ""

    def remember(self, page: str) -> None:
        found = list(dict.fromkeys(NUMBER.findall(page)))
        if found:
            self.tickets = found[:20]

    def some_ticket(self) -> str | None:
        return random.choice(self.tickets) if self.tickets else None


class Requester(Person):
    weight = 60
    role = "requesters"

    def on_start(self) -> None:
        super().on_start()
        if self.index % 3 == 0:  # signed in to report a problem
            self.file()

    @task(3)
    def home(self):
        self.get("/", "home (requester)")

    @task(2)
    def my_tickets(self):
        self.remember(self.get("/tickets/", "my tickets"))

    @task(3)
    def read(self):
        number = self.some_ticket()
        if number:
            self.get(f"/tickets/{number}", "ticket (requester)")

    @task(1)
    def file(self):
        page = self.get("/tickets/new", "filing form")
        form = forms_of(page).get("/tickets/new") or next(iter(forms_of(page).values()), None)
        if form is None:
            return
        fields = dict(form["fields"])
        fields.update(
            system="moj",
            category="payment",
            province=self.person["province"],
            unit=self.person["unit"],
            subject="Thanh toán trực tuyến thành công nhưng tiền chưa về tài khoản",
            description="Công dân đã nộp lệ phí qua cổng thanh toán ngày hôm qua nhưng tiền "
            "chưa về tài khoản thụ hưởng của đơn vị. Đề nghị kiểm tra giao dịch.",
            dossier_code=f"000.00.01.H01-{secrets.randbelow(10**6):06d}",
            priority="3",
        )
        location = self.post(
            "/tickets/new",
            "file a ticket (with attachment)",
            fields,
            [("attachments", "bien-lai.png", PNG, "image/png")],
        )
        found = NUMBER.search(location)
        if found:
            self.tickets.insert(0, found.group(1))

    @task(1)
    def reply(self):
        number = self.some_ticket()
        if not number:
            return
        page = self.get(f"/tickets/{number}", "ticket (requester)")
        form = forms_of(page).get(f"/tickets/{number}/reply")
        if form is None:  # closed: no reply form
            return
        fields = {**form["fields"], "body": "Đơn vị đã kiểm tra lại, vẫn chưa nhận được tiền."}
        self.post(f"/tickets/{number}/reply", "reply (requester)", fields, expect=(409,))


class Staff(Person):
    abstract = True

    def ticket_page(self, name: str) -> tuple[str, str]:
        number = self.some_ticket()
        if not number:
            return "", ""
        page = self.get(f"/tickets/{number}", name, expect=(404,))
        if not page:
            self.tickets.remove(number)
        return number, page


class Agent(Staff):
    weight = 28
    role = "agents"

    @task(3)
    def queue(self):
        self.remember(self.get("/tickets/queue?status=open", "queue"))

    @task(1)
    def search(self):
        words = random.choice(("thanh toan", "tài khoản", "hồ sơ quá hạn", "biên lai"))
        self.get(f"/tickets/queue?q={words.replace(' ', '+')}", "search")

    @task(3)
    def ticket(self):
        self.ticket_page("ticket (agent)")

    @task(1)
    def reply_with_status(self):
        number, page = self.ticket_page("ticket (agent)")
        form = forms_of(page).get(f"/tickets/{number}/reply") if page else None
        if form is None:
            return
        offered = form["options"].get("status", [])
        statuses = [s for s in offered if s.startswith(("open", "waiting"))]
        fields = {
            **form["fields"],
            "body": "Đã tiếp nhận, bộ phận kỹ thuật đang đối soát giao dịch với ngân hàng.",
            "visibility": "public",
            "status": random.choice(statuses) if statuses else "",
        }
        self.post(f"/tickets/{number}/reply", "reply with status", fields, expect=(409, 404))

    @task(1)
    def transfer(self):
        if random.random() > 0.3:  # a transfer is rarer than a reply
            return
        number, page = self.ticket_page("ticket (agent)")
        form = forms_of(page).get(f"/tickets/{number}/transfer") if page else None
        if form is None:
            return
        queues = [q for q in form["options"].get("queue", []) if q]
        if not queues:
            return
        fields = {
            **form["fields"],
            "queue": random.choice(queues),
            "transfer_reason": "Thuộc phạm vi xử lý của đơn vị khác.",
        }
        self.post(f"/tickets/{number}/transfer", "transfer", fields, expect=(409, 404))
        self.tickets.remove(number)


class Supervisor(Staff):
    weight = 6
    role = "supervisors"

    @task(2)
    def unanswered(self):
        self.remember(self.get("/tickets/queue?status=new&assignee=unassigned", "unanswered"))

    @task(2)
    def breached(self):
        self.remember(self.get("/tickets/queue?sla=breached", "breached"))

    @task(1)
    def ticket(self):
        self.ticket_page("ticket (supervisor)")


class Observer(Person):
    weight = 6
    role = "observers"

    @task(3)
    def dashboard(self):
        self.get("/reports/", "dashboard")

    @task(2)
    def issues(self):
        self.get("/reports/issues", "issue list")

    @task(1)
    def export(self):
        since = (date.today() - timedelta(days=7)).isoformat()
        self.get(f"/reports/issues.csv?from={since}", "issue list export (CSV, a week)")
