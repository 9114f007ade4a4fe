"""What the home page shows a signed-in account: a block for each thing its role does (filing
and following tickets, working queues, overseeing them, approving registrations, reading
reports) and the current announcements. Each block is a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from helpdesk.announcements import services as announcements
from helpdesk.announcements.models import Announcement
from helpdesk.announcements.posters import posting_for
from helpdesk.auth import permissions
from helpdesk.auth.models import Role, User, is_staff
from helpdesk.auth.services import approvals
from helpdesk.reports import figures
from helpdesk.reports.scope import reach_of
from helpdesk.routing import services as routing
from helpdesk.tickets.services import home as tickets_home
from helpdesk.tickets.services import sla_state


@dataclass
class Home:
    files_tickets: bool = False
    my_tickets: list[tickets_home.DueTicket] = field(default_factory=list)
    works_queues: bool = False
    queues: list[tickets_home.QueueCounts] = field(default_factory=list)
    quiet_queues: int = 0  # admins: queues left out of the list, having no open ticket to count
    assigned: list = field(default_factory=list)  # (row, badge) of the user's tickets
    province: tickets_home.ProvinceCounts | None = None  # a coordinator's whole province
    oversight: tickets_home.Oversight | None = None
    unstaffed: list = field(default_factory=list)  # admins: queues nobody staffs
    approves: bool = False
    waiting_count: int = 0
    waiting: list[approvals.Waiting] = field(default_factory=list)
    reads_reports: bool = False
    figures: figures.KeyFigures | None = None
    announcements: list[Announcement] = field(default_factory=list)
    posts_announcements: bool = False  # the ministry's IT staff (admins have the menu)


def home_of(user: User, now: datetime) -> Home:
    """The blocks that apply to the account (a person may have several)."""
    home = Home(announcements=announcements.current_for(user, now=now))
    if permissions.can(user, "tickets.file") and not is_staff(user):
        home.files_tickets = True
        home.my_tickets = tickets_home.requester_open_tickets(user)
    if routing.is_active_staff(user):
        home.works_queues = True
        home.queues = tickets_home.queue_counts(user, now)
        if user.role == Role.ADMIN:  # every queue: those with nothing to count are left out
            busy = [q for q in home.queues if q.new or q.unassigned or q.warning or q.breached]
            home.quiet_queues = len(home.queues) - len(busy)
            home.queues = busy
            home.unstaffed = routing.unstaffed_queues()
        home.assigned = [
            (row, sla_state.badge(row, now)) for row in tickets_home.assigned_tickets(user)
        ]
        home.province = tickets_home.province_counts(user, now)
        if user.role != Role.ADMIN:
            home.posts_announcements = posting_for(user).may_post
    if permissions.can(user, "tickets.supervise"):
        home.oversight = tickets_home.oversight_counts(user, now)
    if permissions.can(user, "accounts.approve"):
        home.approves = True
        home.waiting_count = approvals.count_waiting(user)
        home.waiting = approvals.waiting_for(user) if home.waiting_count else []
    if permissions.can(user, "reports.read"):
        home.reads_reports = True
        home.figures = figures.key_figures(now, reach_of(user))
    return home
