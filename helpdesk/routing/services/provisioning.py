"""Staff accounts provisioned with their queue memberships (`flask user create --queue`, a
coordinator made on the accounts pages): the account and its memberships are one transaction,
so that no account is left without the queues it was made for."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from helpdesk.auth import services as accounts
from helpdesk.auth.models import Role, User
from helpdesk.extensions import db
from helpdesk.notifications.outbox import dispatch
from helpdesk.routing.models import Queue
from helpdesk.routing.services.coordinators import provincial_queue, stage_coordinator_queue
from helpdesk.routing.services.offers import stage_offers
from helpdesk.routing.services.queues import check_coverage, stage_enrolment
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)


def provision_account(
    draft: accounts.AccountDraft,
    queues: Sequence[Queue] = (),
    *,
    provinces: Iterable[str] = (),
    all_provinces: bool = False,
    actor: User | None = None,
    require_unit: bool = False,
    now: datetime | None = None,
) -> User:
    """Create an active account (as auth's create_account does, for the command line and the
    accounts pages; `actor` None: the command line) that joins each queue, covering those
    provinces or every province with `all_provinces`, and is offered each queue's waiting
    tickets (offers.stage_offers). A provincial coordinator also joins its province's queue,
    covering its province. Commits once; the activation mail and the offers go after the
    commit.

    Raises errors.Invalid for a bad field or coverage (before anything is written), or when a
    coordinator's province has no coordinators' queue; errors.Conflict for a taken CCCD.
    """
    now = now or utcnow()
    codes = check_coverage(provinces, all_provinces=all_provinces) if queues else set()
    if draft.role == Role.COORDINATOR and draft.province_code:
        provincial_queue(draft.province_code)  # before anything is written
    user, outbox = accounts.stage_account(draft, actor=actor, require_unit=require_unit, now=now)
    memberships = [
        stage_enrolment(user, queue, provinces=codes, all_provinces=all_provinces)
        for queue in queues
    ]
    memberships += stage_coordinator_queue(user)
    if memberships:
        db.session.flush()
        outbox += stage_offers(memberships)
    db.session.commit()
    dispatch(outbox)
    log.info(
        "account %s created with role %s by %s, member of %s queues",
        user.id,
        user.role,
        "the command line" if actor is None else f"user {actor.id}",
        len(memberships),
    )
    return user
