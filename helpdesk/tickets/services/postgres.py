"""The search of the ticket lists as PostgreSQL runs it: full-text indexes, `@@` matches and
`MATERIALIZED` CTEs, SQL that only PostgreSQL speaks.

Kept here, apart, because the rest of the package is SQL both databases run: SQLite (tests,
small installs) searches through LIKE (`listing.search_clause`), and only a PostgreSQL session
asks this module (`full_text` returns None elsewhere). The words are matched through the
full-text indexes of migration b4f1c2d3e5a6: the folded text as a 'simple' vector, hyphens
split so that HT-2026-000123 is also found by 000123. The message expression is spelled
exactly as its index is, constants inline, for the planner to match it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select, func, literal_column, or_, select, union_all

from helpdesk import text
from helpdesk.auth.models import User, is_staff
from helpdesk.extensions import db
from helpdesk.tickets.models import Message, Ticket

# A search reads this many of a branch's tickets in list order before it asks the full-text
# index instead; its count reads a branch of fewer than SEARCH_SCAN tickets in list order (see
# first_found and search_count).
SEARCH_HEAD = 1000
NUMBER_DIGITS = 6  # HT-<year>-<6 digits>
SEARCH_SCAN = 5000

TICKET_VECTOR = literal_column("tickets.search_tsv")
MESSAGE_VECTOR = literal_column(
    "strip(to_tsvector('simple'::regconfig, translate(messages.search_text, '-', ' ')))"
)

# The order of a list over a set of columns (Ticket, a subquery's or a CTE's columns).
OrderOf = Callable[[object], tuple]


@dataclass(frozen=True)
class FullText:
    """A search's words as PostgreSQL matches them: every word, whole, without diacritics, in
    the ticket (number, subject, description, unit, codes) or in one message the user may read;
    internal notes count only for staff."""

    words: str
    staff: bool
    # The words with each number shorter than a ticket number's digits written as those
    # digits (`123` -> `000123`): a ticket is also found by its number without the zeros.
    padded: str = ""

    def query(self):
        found = func.plainto_tsquery(literal_column("'simple'::regconfig"), self.words)
        if not self.padded:
            return found
        padded = func.plainto_tsquery(literal_column("'simple'::regconfig"), self.padded)
        return found.op("||")(padded)

    def in_ticket(self, vector=TICKET_VECTOR):
        return vector.op("@@", is_comparison=True)(self.query())

    def clause(self):
        """The match as one condition, to check tickets read otherwise (no index use)."""
        return or_(self.in_ticket(), Ticket.id.in_(self.tickets_by_message()))

    def tickets_by_message(self) -> Select:
        found = select(Message.ticket_id).where(
            MESSAGE_VECTOR.op("@@", is_comparison=True)(self.query())
        )
        if not self.staff:
            found = found.where(Message.internal.is_(False))
        return found


def full_text(user: User, query: str) -> FullText | None:
    """The query's words for the full-text indexes; None on SQLite or when it has no word."""
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    words = [term for term in text.search_terms(query) if text.is_word(term)]
    if not words:
        return None
    padded = [padded_number(word) for word in words]
    return FullText(
        " ".join(words).replace("-", " "),
        staff=is_staff(user),
        padded=" ".join(padded).replace("-", " ") if padded != words else "",
    )


def padded_number(word: str) -> str:
    """A number shorter than a ticket number's digits written as those digits (`123` ->
    `000123`), any other word as it is. SQLite's substring match needs no such help."""
    if word.isdigit() and len(word) < NUMBER_DIGITS:
        return word.zfill(NUMBER_DIGITS)
    return word


def matching(search: FullText, keys: tuple, where: list):
    """The tickets passing `where` that the search finds, through the full-text indexes."""
    in_ticket = select(*keys).where(*where, search.in_ticket())
    by_message = select(*keys).where(
        *where, Ticket.id.in_(search.tickets_by_message()), ~search.in_ticket()
    )
    return union_all(in_ticket, by_message)


def search_count(
    search: FullText,
    conditions: list,
    branches: list,
    *,
    order_of: OrderOf,
    limit: int | None,
    ordered: bool = True,
):
    """The search's count, one (disjoint) branch after the other, stopped past `limit`.

    A branch is read in list order, each ticket checked, when the words are common in it (a
    fifth of its first SEARCH_HEAD tickets match) or when it is small (fewer than SEARCH_SCAN
    tickets): the read stops where the count does. Otherwise reading it would cost as
    much however few match: its matches come from the full-text indexes (a materialized CTE is
    planned for all its rows, so through the index, and read only as far as the count goes).
    Which way a branch goes is decided once, before either runs.

    Not `ordered` (no index reads the branch in list order: a search in every status), the
    matches always come from the full-text indexes: reading a branch in order would sort it.
    """
    order = order_of(Ticket)
    parts = []
    for index, branch in enumerate(branches):
        where = [*conditions, *([] if branch is None else [branch])]
        if not ordered:
            parts.append(select(matching(search, (Ticket.id,), where).subquery()))
            continue
        read = or_(
            hits_ahead(search, where, order, name=f"ahead_{index}") >= SEARCH_HEAD // 5,
            has_fewer(where, SEARCH_SCAN, name=f"size_{index}"),
        )
        in_order = select(Ticket.id).where(*where, search.clause(), read).order_by(*order)
        if limit is not None:
            in_order = in_order.limit(limit + 1)
        found = (
            matching(search, (Ticket.id,), where).cte(f"found_{index}").prefix_with("MATERIALIZED")
        )
        parts += [select(in_order.subquery()), select(found.c.id).where(~read)]
    found = union_all(*parts)
    if limit is not None:
        found = found.limit(limit + 1)
    return select(func.count()).select_from(found.subquery())


def hits_ahead(search: FullText, where: list, order: tuple, *, name: str):
    """How many of the first SEARCH_HEAD tickets passing `where` in `order` match (a CTE:
    counted once however often it is used)."""
    head = (
        select(Ticket.id, TICKET_VECTOR.label("search_tsv"))
        .where(*where)
        .order_by(*order)
        .limit(SEARCH_HEAD)
        .subquery()
    )
    counted = (
        select(func.count().label("n"))
        .select_from(head)
        .where(or_(search.in_ticket(head.c.search_tsv), head.c.id.in_(search.tickets_by_message())))
        .cte(name)
    )
    return select(counted.c.n).scalar_subquery()


def has_fewer(where: list, size: int, *, name: str):
    """Whether fewer than `size` tickets pass `where` (read from an index, stopped at `size`);
    a CTE, so that the count is made once however often the condition is used."""
    some = select(Ticket.id).where(*where).limit(size).subquery()
    counted = select(func.count().label("n")).select_from(some).cte(name)
    return select(counted.c.n).scalar_subquery() < size


def first_found(
    search: FullText,
    keys: tuple,
    where: list,
    *,
    order_of: OrderOf,
    limit: int,
    name: str,
    ordered: bool = True,
) -> list:
    """Two selects whose union is the first `limit` matches of one branch in list order.

    When the words are common in the branch, its first SEARCH_HEAD tickets in list order hold
    the page: reading them costs little. When they are rare there, reading on in list order
    would read the whole branch: the matches then come from the full-text indexes and are
    sorted. Which one runs is decided by conditions that depend on no row (PostgreSQL
    evaluates them once, before either), so the other costs nothing.

    Not `ordered` (no index reads the tickets passing `where` in list order), the matches
    always come from the full-text indexes, sorted: reading in order would sort every ticket.
    """
    if not ordered:
        found = matching(search, keys, where).subquery(f"found_{name}")
        return [select(found).order_by(*order_of(found.c)).limit(limit)]
    head = (
        select(*keys, TICKET_VECTOR.label("search_tsv"))
        .where(*where)
        .order_by(*order_of(Ticket))
        .limit(SEARCH_HEAD)
        .subquery()
    )
    hits = (
        select(*(head.c[key.key] for key in keys))
        .where(or_(search.in_ticket(head.c.search_tsv), head.c.id.in_(search.tickets_by_message())))
        .order_by(*order_of(head.c))
        .limit(limit)
        .cte(f"hits_{name}")
        .prefix_with("MATERIALIZED")
    )
    settled = or_(
        select(func.count()).select_from(hits).scalar_subquery() >= limit,
        has_fewer(where, SEARCH_HEAD, name=f"size_{name}"),
    )
    found = matching(search, keys, where).cte(f"found_{name}").prefix_with("MATERIALIZED")
    sorted_found = select(found).order_by(*order_of(found.c)).limit(limit).subquery()
    return [select(hits).where(settled), select(sorted_found).where(~settled)]
