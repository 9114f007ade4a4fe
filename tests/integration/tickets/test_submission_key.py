"""The one-time key of a filing is checked by the service, whatever door it came through."""

import pytest

from helpdesk import errors
from helpdesk.notifications.models import Outbox
from helpdesk.sla.models import Timer
from helpdesk.tickets import services
from helpdesk.tickets.models import Event, Ticket


def draft(**changes):
    values = dict(
        system="moj",
        category="payment",
        province="75",
        subject="Tiền lệ phí chưa về",
        description="Giao dịch thành công nhưng tiền chưa về tài khoản thụ hưởng.",
    )
    return services.TicketDraft(**{**values, **changes})


@pytest.mark.parametrize("key", ["bad\x00key", "x" * 65, "", "line\nbreak"])
def test_a_malformed_submission_key_is_refused_and_nothing_is_saved(db, make_user, key):
    requester = make_user("requester")
    with pytest.raises(errors.Invalid) as raised:
        services.create_ticket(requester, draft(submission_key=key))
    assert "submission_key" in raised.value.fields
    assert db.session.query(Ticket).count() == 0


def test_the_same_key_files_one_ticket(db, make_user):
    requester = make_user("requester")
    first = services.create_ticket(requester, draft(submission_key="form-key-0001"))
    again = services.create_ticket(requester, draft(submission_key="form-key-0001"))
    assert again.id == first.id
    assert db.session.query(Ticket).count() == 1


def test_a_resubmission_writes_nothing_and_takes_no_number(db, make_user):
    """The second filing with a key goes as far as the ticket's INSERT, which the key refuses:
    its events, timers, mail and number are rolled back with it."""
    requester = make_user("requester")
    first = services.create_ticket(requester, draft(submission_key="form-key-0002"))
    counts = {model: db.session.query(model).count() for model in (Ticket, Event, Timer, Outbox)}
    again = services.create_ticket(requester, draft(submission_key="form-key-0002"))
    assert again.id == first.id
    assert {model: db.session.query(model).count() for model in counts} == counts
    other = services.create_ticket(requester, draft(submission_key="form-key-0003"))
    assert int(other.number.rsplit("-", 1)[1]) == int(first.number.rsplit("-", 1)[1]) + 1
