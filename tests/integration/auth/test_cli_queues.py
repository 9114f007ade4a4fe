"""`flask user create --queue CODE` makes the new agent a member of that queue."""

from sqlalchemy import select

from helpdesk.auth.models import User
from helpdesk.routing.models import Membership, Queue


def test_user_create_with_queue_enrols_the_agent(runner, db):
    result = runner.invoke(
        args=[
            "user",
            "create",
            "079090123456@ht.com",
            "--role",
            "agent",
            "--password",
            "Mot-mat-khau-dai-2026",
            "--queue",
            "moj-fpt",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.cccd == "079090123456"))
    queue_codes = db.session.scalars(
        select(Queue.code)
        .join(Membership, Membership.queue_id == Queue.id)
        .where(Membership.user_id == user.id)
    ).all()
    assert queue_codes == ["moj-fpt"]


def test_an_unknown_queue_creates_nothing(runner, db):
    result = runner.invoke(
        args=["user", "create", "079090123456", "--role", "agent", "--queue", "no-such-queue"]
    )
    assert result.exit_code == 1
    assert "unknown queue" in result.output
    assert db.session.scalar(select(User).where(User.cccd == "079090123456")) is None
