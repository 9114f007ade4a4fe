"""The one hook from routing up to the tickets package for a new membership: a member who joins
a queue is offered its waiting unassigned tickets at once (one mail).

Routing writes the membership; listing the queue's tickets and mailing them is the tickets
package's work, which sits above this one. So the tickets package registers its entry point
here when the app is created (`helpdesk.create_app` calls
`helpdesk.tickets.services.offers.init_app`), and every path that creates a membership (the
members page, `flask user create --queue`) calls `stage_offers` before its commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Flask, current_app

from helpdesk.routing.models import Membership

EXTENSION = "helpdesk.routing.offer"


def register(app: Flask, offer: Callable[[Sequence[Membership]], list]) -> None:
    """Who offers a new member the queue's waiting tickets (once, at the app's creation)."""
    app.extensions[EXTENSION] = offer


def stage_offers(memberships: Sequence[Membership]) -> list:
    """The outbox rows offering each new membership's queue tickets (no commit)."""
    offer = current_app.extensions.get(EXTENSION)
    if offer is None:
        raise RuntimeError(
            "no one offers a new member its tickets: create the app with create_app()"
        )
    return offer(memberships) if memberships else []
