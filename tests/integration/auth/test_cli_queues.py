"""`flask user create --queue CODE` makes the new staff account a member of that queue, covering
the province of `--province` or, with `--all-provinces`, every province: never implied."""

import pytest
from sqlalchemy import select

from helpdesk.auth.models import User
from helpdesk.auth.services import create_token
from helpdesk.routing.models import Membership, Queue
from helpdesk.tickets import services as tickets

CCCD = "079090123456"
PASSWORD = "Mot-mat-khau-dai-2026"


def create(runner, *options: str):
    return runner.invoke(
        args=["user", "create", f"{CCCD}@ht.com", "--password", PASSWORD, *options]
    )


def memberships(db) -> list[tuple[str, bool, set[str]]]:
    """(queue code, all provinces, provinces listed) of the created account's memberships."""
    user = db.session.scalar(select(User).where(User.cccd == CCCD))
    rows = db.session.execute(
        select(Queue.code, Membership)
        .join(Membership, Membership.queue_id == Queue.id)
        .where(Membership.user_id == user.id)
        .order_by(Queue.code)
    ).all()
    return [(code, m.all_provinces, m.province_codes) for code, m in rows]


def test_province_with_queue_is_the_coverage_of_the_membership(runner, db):
    result = create(runner, "--role", "agent", "--province", "79", "--queue", "moj-fpt")

    assert result.exit_code == 0, result.output
    assert memberships(db) == [("moj-fpt", False, {"79"})]
    assert "member of moj-fpt, covering province 79" in result.output


def test_all_provinces_is_a_stated_choice(runner, db):
    result = create(runner, "--role", "supervisor", "--queue", "moj-fpt", "--all-provinces")

    assert result.exit_code == 0, result.output
    assert memberships(db) == [("moj-fpt", True, set())]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--role", "agent", "--queue", "moj-fpt"), "--province CODE, or --all-provinces"),
        (("--role", "admin", "--queue", "moj-it"), "--province CODE, or --all-provinces"),
        (
            ("--role", "agent", "--queue", "moj-fpt", "--province", "79", "--all-provinces"),
            "not both",
        ),
        (("--role", "agent", "--all-provinces"), "--all-provinces is for --queue"),
        (("--role", "agent", "--queue", "moj-fpt", "--province", "00"), "--province"),
    ],
)
def test_staff_in_a_queue_without_a_stated_coverage_are_not_created(runner, db, options, message):
    result = create(runner, *options)

    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(User).where(User.cccd == CCCD)) is None


def test_an_unknown_queue_creates_nothing(runner, db):
    result = runner.invoke(
        args=["user", "create", CCCD, "--role", "agent", "--queue", "no-such-queue"]
    )
    assert result.exit_code == 1
    assert "unknown queue" in result.output
    assert db.session.scalar(select(User).where(User.cccd == CCCD)) is None


def test_an_agent_enrolled_for_province_79_reads_nothing_of_province_01(
    runner, db, client, make_user
):
    """The finding: `--role agent --province 79 --queue moj-it` read province 01's tickets and
    internal notes through the API."""
    result = create(runner, "--role", "agent", "--province", "79", "--queue", "moj-it")
    assert result.exit_code == 0, result.output
    agent = db.session.scalar(select(User).where(User.cccd == CCCD))
    agent.must_change_password = False
    db.session.commit()
    requester = make_user("requester", province_code="01")
    draft = tickets.TicketDraft(
        system="moj",
        category="account",
        province="01",
        subject="Hà Nội: không đăng nhập được",
        description="Tài khoản bị khoá.",
        unit="UBND phường Ba Đình",
    )
    hanoi = tickets.create_ticket(requester, draft)
    assert hanoi.queue.code == "moj-it"
    tickets.add_message(make_user("admin"), hanoi, "Ghi chú nội bộ Hà Nội", internal=True)
    headers = {"Authorization": f"Bearer {create_token(agent)}"}

    one = client.get(f"/api/v1/tickets/{hanoi.number}", headers=headers)
    listed = client.get("/api/v1/tickets", headers=headers)

    assert one.status_code == 404
    assert listed.status_code == 200
    assert hanoi.number not in listed.get_data(as_text=True)
