"""Who reads which figures: a reader's reach (the systems, the province and the queues its
figures may come from), decided once from the account and applied by every report query, page,
chart, export, digest and the home page's key figures."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false

from helpdesk.auth.models import Role, User
from helpdesk.auth.services import observer_systems
from helpdesk.routing.services.visibility import visible_queue_ids


@dataclass(frozen=True)
class Reach:
    """The tickets a reader's figures may count: those of `systems` (None: every system), of
    `province` (None: every province) and of `queues` (ids; None: every queue)."""

    systems: tuple[str, ...] | None = None
    province: str | None = None
    queues: tuple[int, ...] | None = None

    def conditions(self, system_column, province_column, queue_column=None) -> list:
        """The WHERE clauses that keep a query over tickets or report cells within the reach
        (the same statement for every reader of a kind: the systems are one bound list). A
        source without a queue column counts nothing for a reach of some queues."""
        where = []
        if self.systems is not None:
            where.append(system_column.in_(self.systems))
        if self.province is not None:
            where.append(province_column == self.province)
        if self.queues is not None:
            where.append(false() if queue_column is None else queue_column.in_(self.queues))
        return where

    @property
    def by_queue(self) -> bool:
        """Limited to some queues: its figures come from the tickets, not the report cells."""
        return self.queues is not None

    def allows_queue(self, queue_id: int) -> bool:
        return self.queues is None or queue_id in self.queues

    def allows_system(self, code: str) -> bool:
        return self.systems is None or code in self.systems

    def allows_province(self, code: str) -> bool:
        return self.province is None or code == self.province

    def province_for(self, asked: str | None) -> str | None:
        """The province a report of this reader is narrowed to: its own when it has one,
        whatever was asked; else the one asked (None: every province)."""
        return self.province if self.province is not None else asked


EVERYTHING = Reach()
NOTHING = Reach(systems=())


def reach_of(user: User) -> Reach:
    """A coordinator reads its province only (nothing without one); an observer bound to
    systems reads those only, a national observer (none) everything; a supervisor the queues
    it supervises or belongs to (the whole queues); an admin everything."""
    if user.role == Role.COORDINATOR:
        return Reach(province=user.province_code) if user.province_code else NOTHING
    if user.role == Role.OBSERVER:
        return Reach(systems=observer_systems(user.id) or None)
    if user.role == Role.SUPERVISOR:
        return Reach(queues=tuple(sorted(visible_queue_ids(user) or ())))
    return EVERYTHING
