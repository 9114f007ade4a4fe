"""Staff accounts provisioned with their queue memberships (`flask user create --queue`): the
account and its memberships are one transaction, so that no account is left without the
queues it was made for."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from helpdesk.auth import services as accounts
from helpdesk.auth.models import User
from helpdesk.extensions import db
from helpdesk.notifications.outbox import dispatch
from helpdesk.routing.models import Queue
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
    now: datetime | None = None,
) -> User:
    """Create an active account (as auth's create_account does, for the command line) that
    joins each queue, covering those provinces or every province with `all_provinces`, and is
    offered each queue's waiting tickets (offers.stage_offers). Commits once; the activation
    mail and the offers go after the commit.

    Raises errors.Invalid for a bad field or coverage (before anything is written),
    errors.Conflict for a taken CCCD.
    """
    now = now or utcnow()
    codes = check_coverage(provinces, all_provinces=all_provinces) if queues else set()
    user, outbox = accounts.stage_account(draft, now=now)
    memberships = [
        stage_enrolment(user, queue, provinces=codes, all_provinces=all_provinces)
        for queue in queues
    ]
    if memberships:
        db.session.flush()
        outbox += stage_offers(memberships)
    db.session.commit()
    dispatch(outbox)
    log.info(
        "account %s created with role %s by the command line, member of %s queues",
        user.id,
        user.role,
        len(queues),
    )
    return user
