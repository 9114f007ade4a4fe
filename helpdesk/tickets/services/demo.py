"""The living demo of the embedded default: `flask user demo` (which `make run` runs) gives a
newcomer a working desk, made once, through the real services.

What it makes: a supervisor and three agents in two queues of the Ministry of Justice's system
(`moj-it`, the ministry's IT unit, and `moj-fpt`, its vendor), two commune officials, and a few
dozen tickets in every state (new, unassigned, answered, waiting on the requester, resolved,
closed and rated, one whose first-response deadline was missed), each filed, answered and moved
by the same services the pages call, so that routing, SLA deadlines, history and the outbox are
as real use leaves them; the payment tickets attached to one open incident with an update; and
three published help articles (help/demo.py), the supervisor
their editor. Every account and ticket it makes is marked (`demo`): the home page
shows a banner while any demo ticket exists (templates/_demo_banner.html) and the ticket page
and the queue a "dữ liệu minh hoạ" badge on each demo ticket (tickets/_demo.html).

Where: only on the embedded default (config.is_embedded: SQLite and mail written as files under
instance/outbox/, so no mail to a demo address leaves the machine); the command refuses
elsewhere, and `flask seed` never calls it. Once: a second run finds the demo tickets and makes
nothing. The logins (random passwords) are kept in instance/demo-logins.txt (mode 0600), which
`flask serve` prints after its start-up lines (`console_lines`).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import exists, select, update

from helpdesk.auth import services as accounts
from helpdesk.auth.models import Role, User
from helpdesk.extensions import db
from helpdesk.help import demo as help_demo
from helpdesk.routing import services as routing
from helpdesk.routing.models import Queue
from helpdesk.tickets.models import Status, Ticket
from helpdesk.tickets.services import (
    assignment,
    escalation,
    incident_updates,
    incidents,
    messages,
    resolution,
    status,
)
from helpdesk.tickets.services.filing import TicketDraft, create_ticket
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

DEMO_ADMIN = "001166668888@ht.com"  # the example login of the ministry's own instructions
ADMIN_FILE = "demo-admin.txt"
LOGINS_FILE = "demo-logins.txt"
QUEUES = ("moj-it", "moj-fpt")
ROLE_NAMES = {
    Role.ADMIN: "admin",
    Role.COORDINATOR: "coordinator",
    Role.SUPERVISOR: "supervisor",
    Role.AGENT: "agent",
    Role.REQUESTER: "requester",
}


@dataclass(frozen=True)
class Person:
    cccd: str
    name: str
    role: str
    province: str | None = None
    unit: str = ""
    queues: tuple[str, ...] = ()


# Valid CCCDs (place of birth, century and sex, year of birth) that belong to nobody real.
PEOPLE = (
    Person("001185000101", "Lê Minh Tuấn", Role.SUPERVISOR, queues=QUEUES),
    Person("001186000102", "Nguyễn Thu Hà", Role.AGENT, queues=("moj-it",)),
    Person("079190000103", "Trần Quốc Bảo", Role.AGENT, queues=("moj-fpt",)),
    Person("001191000104", "Phạm Văn Long", Role.AGENT, queues=QUEUES),
    # The provinces' coordinators: each joins its province's queue (dossiers, training).
    Person("079189000107", "Đặng Thị Thu", Role.COORDINATOR, "79"),
    Person("001189000108", "Bùi Văn Nam", Role.COORDINATOR, "01"),
    Person("001187000105", "Hoàng Thị Mai", Role.REQUESTER, "01", "UBND phường Hoàn Kiếm"),
    Person("079188000106", "Võ Thanh Tâm", Role.REQUESTER, "79", "UBND phường Sài Gòn"),
)

# (category, subject, description): moj-fpt takes the vendor's categories, the province's queue
# dossiers and training, moj-it the others.
PROBLEMS = (
    ("payment", "Tiền lệ phí nộp trực tuyến chưa về tài khoản thụ hưởng",
     "Hồ sơ nộp trực tuyến đã thanh toán thành công nhưng sau 3 ngày tiền chưa về tài khoản."),
    ("account", "Không đăng nhập được bằng tài khoản VNeID",
     "Cán bộ một cửa đăng nhập bằng VNeID thì Hệ thống báo tài khoản không tồn tại."),
    ("permission", "Tài khoản tiếp nhận thiếu quyền cấu hình quy trình",
     "Tài khoản quản trị của phường chỉ xem được báo cáo, không sửa được quy trình điện tử."),
    ("dossier", "Hồ sơ quá hạn do chưa phân công người xử lý",
     "Có 4 hồ sơ đăng ký khai sinh đã quá hạn vì chưa được phân công cán bộ tiếp nhận."),
    ("sms", "Tin nhắn SMS báo trạng thái hồ sơ không được gửi",
     "Từ đầu tuần công dân không nhận được tin nhắn khi hồ sơ chuyển trạng thái."),
    ("process", "Quy trình điện tử chưa khớp thời hạn giải quyết",
     "Thời hạn giải quyết trên quy trình là 5 ngày, theo quy định là 3 ngày làm việc."),
    ("e_receipt", "Không phát hành được biên lai điện tử",
     "Khi thu lệ phí, Hệ thống báo lỗi kết nối dịch vụ biên lai điện tử."),
    ("portal_sync", "Hồ sơ nộp trên Cổng DVC quốc gia không về Hệ thống",
     "Hồ sơ nộp trên Cổng Dịch vụ công quốc gia từ hôm qua chưa thấy trên Hệ thống."),
    ("training", "Đề nghị hướng dẫn cấu hình tài khoản cán bộ mới",
     "Phường vừa tiếp nhận 2 công chức mới, đề nghị hướng dẫn tạo và phân quyền tài khoản."),
    ("system_error", "Hệ thống chậm, không tải được danh sách hồ sơ",
     "Trang danh sách hồ sơ quay rất lâu rồi báo lỗi, từ 8 giờ sáng nay."),
)  # fmt: skip

# What happens to each ticket after it is filed, and how long ago it was filed.
STORIES = (
    ("new", timedelta(minutes=20)),
    ("unassigned", timedelta(hours=1)),
    ("answered", timedelta(hours=3)),
    ("waiting", timedelta(days=1)),
    ("replied", timedelta(days=2)),
    ("resolved", timedelta(days=2, hours=4)),
    ("closed", timedelta(days=6)),
    ("noted", timedelta(hours=5)),
)
BREACHED = 1  # PROBLEMS[1], filed long ago and never answered: its first response is missed


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    name: str
    queues: tuple[str, ...] = ()

    def line(self) -> str:
        queues = f"  queues: {', '.join(self.queues)}" if self.queues else ""
        role = ROLE_NAMES.get(self.role, self.role)
        return f"{role:<10} {self.username}  password: {self.password}  ({self.name}){queues}"


def demo_exists() -> bool:
    """Whether any demo ticket exists (one query)."""
    return bool(db.session.scalar(select(exists().where(Ticket.demo))))


def create_demo(*, now: datetime | None = None) -> list[DemoLogin] | None:
    """Make the demo desk (accounts, memberships, tickets) through the services; None when the
    demo tickets exist already (nothing is made). Each service commits on its own. Returns the
    logins of the accounts it made (those that existed keep their passwords: not listed)."""
    if demo_exists():
        return None
    now = now or utcnow()
    logins, people = [], {}
    for person in PEOPLE:
        user, login = _account(person)
        people[person.cccd] = user
        if login is not None:
            logins.append(login)
    supervisor = people[PEOPLE[0].cccd]
    supervisor.edits_articles = True  # the demo's editor of help articles
    for code in QUEUES:
        routing.find_queue(code).supervisor_id = supervisor.id
    db.session.commit()
    help_demo.create_articles(supervisor, now=now)
    requesters = [(people[p.cccd], p.unit) for p in PEOPLE if p.role == Role.REQUESTER]
    number, played = 0, []
    for round_ in range(3):
        for index, (category, subject, description) in enumerate(PROBLEMS):
            story, age = STORIES[(index + round_) % len(STORIES)]
            if index == BREACHED and round_ == 0:
                story, age = "breached", timedelta(days=8)
            requester, unit = requesters[(index + round_) % len(requesters)]
            draft = TicketDraft(
                system="moj",
                category=category,
                province=requester.province_code,
                subject=subject if round_ == 0 else f"{subject} ({round_ + 1})",
                description=description,
                unit=unit,
                priority=2 if index % 4 == 0 else 3,
            )
            filed = now - age - timedelta(minutes=7 * number)
            played.append(_play(story, requester, supervisor, draft, filed, now))
            number += 1
    _incident(supervisor, [t for t in played if t.category_code == "payment" and t.is_open], now)
    # Re-stated in one statement on the queues, a reference table: the stamp moves, and every
    # process reads again whether demo tickets exist (the banner; reference_cache).
    db.session.execute(
        update(Queue).where(Queue.code.in_(QUEUES)).values(supervisor_id=supervisor.id)
    )
    db.session.commit()
    log.info("demo desk made: %s accounts, %s tickets", len(logins), number)
    return logins


def _account(person: Person) -> tuple[User, DemoLogin | None]:
    username = f"{person.cccd}@ht.com"
    user = accounts.find_user(username)
    if user is not None:
        return user, None
    password = accounts.generate_password()
    draft = accounts.AccountDraft(
        username=username,
        role=person.role,
        password=password,
        email=f"{person.cccd}@demo.example.com",
        full_name=person.name,
        province_code=person.province,
        unit=person.unit,
        must_change_password=False,
    )
    queues = [routing.find_queue(code) for code in person.queues]
    user = routing.provision_account(draft, queues, all_provinces=bool(queues))
    user.demo = True
    db.session.commit()
    names = tuple(queue.name for queue in routing.queues_for_user(user))
    return user, DemoLogin(username, password, person.role, person.name, names)


def _incident(supervisor, tickets: list[Ticket], now: datetime) -> None:
    """The payment tickets are one fault: an open incident with an update and an expected time
    (its banner shows on the home page, the filing form and the directory)."""
    incident = incidents.declare(
        supervisor,
        title=PROBLEMS[0][1],
        system="moj",
        numbers=[ticket.number for ticket in tickets],
        now=now - timedelta(minutes=30),
    )
    incident.demo = True
    db.session.commit()
    incident_updates.post_update(
        supervisor, incident, INCIDENT_UPDATE, expected_at=now + timedelta(hours=4), now=now
    )


def _play(story: str, requester, supervisor, draft: TicketDraft, filed: datetime, now) -> Ticket:
    """File the ticket at `filed`, then act it out with the services, a step every few hours."""
    ticket = create_ticket(requester, draft, now=filed)
    ticket.demo = True
    db.session.commit()
    _act(story, ticket, requester, supervisor, filed, now)
    return ticket


def _act(story: str, ticket: Ticket, requester, supervisor, filed: datetime, now) -> None:
    step = min((now - filed) / 4, timedelta(hours=2))
    agent = ticket.assignee or supervisor
    at = filed + step
    if story == "breached":
        assignment.assign(supervisor, ticket, None, now=at)
        due = ticket.first_response_due
        escalation.fire_timer(ticket.id, "first_response", "breach", due, now=max(due, at))
        return
    if story == "unassigned":
        assignment.assign(supervisor, ticket, None, now=at)
        return
    if story == "new":
        return
    if story == "noted":
        messages.add_message(agent, ticket, NOTE, internal=True, now=at)
        return
    messages.add_message(agent, ticket, ANSWER, now=at)
    if story == "answered":
        return
    at += step
    if story in ("waiting", "replied"):
        status.change_status(agent, ticket, Status.WAITING_REQUESTER, now=at)
        if story == "replied":
            messages.add_message(requester, ticket, REQUESTER_REPLY, now=at + step)
        return
    status.change_status(agent, ticket, Status.RESOLVED, resolution=OUTCOME, now=at)
    if story == "closed":
        resolution.confirm_resolution(requester, ticket, now=at + step)
        resolution.rate(requester, ticket, rating=5, comment="Xử lý nhanh, cảm ơn.", now=now)


ANSWER = (
    "Chào anh/chị, bộ phận hỗ trợ đã tiếp nhận và đang kiểm tra. Anh/chị vui lòng gửi thêm mã "
    "hồ sơ và ảnh chụp màn hình báo lỗi (nếu có)."
)
OUTCOME = (
    "Đã kiểm tra và khắc phục trên hệ thống; anh/chị vui lòng thử lại. Nếu vẫn gặp lỗi, anh/chị "
    "bấm “Chưa giải quyết” trên trang yêu cầu để mở lại."
)
NOTE = "Đã hỏi nhà cung cấp; chờ kết quả đối soát trong ngày."
INCIDENT_UPDATE = (
    "Cổng thanh toán đang đối soát chậm với ngân hàng; nhà cung cấp đang khắc phục. Các khoản đã "
    "nộp không bị mất và sẽ về tài khoản thụ hưởng sau khi đối soát xong."
)
REQUESTER_REPLY = "Mã hồ sơ: 000.00.01.H29-261207-0001. Ảnh chụp màn hình gửi kèm sau."


# ---------------------------------------------------------------- the logins on the console


def write_logins(instance_path: str, logins: list[DemoLogin]) -> Path:
    """Keep the demo logins under instance/ (mode 0600), one line each, for `flask serve`."""
    path = Path(instance_path) / LOGINS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.writelines(login.line() + "\n" for login in logins)
    return path


def console_lines(instance_path: str) -> list[str]:
    """What `flask serve` prints last: the demo admin's login and every demo login kept under
    instance/ (none when `flask user demo` never ran there)."""
    instance = Path(instance_path)
    lines = []
    admin = instance / ADMIN_FILE
    if admin.exists():
        lines.append(f"{'admin':<10} {DEMO_ADMIN}  password: {admin.read_text().strip()}")
    logins = instance / LOGINS_FILE
    if logins.exists():
        lines += [line for line in logins.read_text(encoding="utf-8").splitlines() if line]
    return ["Demo logins:", *(f"  {line}" for line in lines)] if lines else []
