"""`flask route explain`: the queue, the rule and the reason, or a clear refusal."""

import pytest


def explain(runner, *args: str):
    return runner.invoke(args=["route", "explain", *args])


def test_explain_prints_queue_rule_and_reason(runner, queue):
    result = explain(runner, "--system", "moj", "--category", "payment", "--province", "01")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"queue: moj-fpt – {queue('moj-fpt').name}"
    assert lines[1].startswith("rule: ") and "Bộ Tư pháp: Thanh toán trực tuyến" in lines[1]
    assert lines[2].startswith("reason: rule ") and "category=payment" in lines[2]
    assert "escalates to: moj-it" in lines


def test_explain_without_matching_rule_names_the_default_queue(runner):
    result = explain(runner, "--system", "mps", "--category", "portal_sync", "--province", "79")
    assert result.exit_code == 0, result.output
    assert "queue: mps-it" in result.output
    assert "rule: none (default queue of the system)" in result.output
    assert "reason: no rule matched; default queue of the system" in result.output


def test_explain_shows_the_priority_override_and_the_agent_chosen(
    runner, db, queue, make_user, member
):
    from helpdesk.routing.models import Rule

    fpt = queue("moj-fpt")
    db.session.add(
        Rule(
            queue_id=fpt.id,
            system_code="moj",
            category_code="system_error",
            priority=2,
            priority_override=1,
        )
    )
    db.session.commit()
    agent = make_user("agent", full_name="Nguyễn Văn An")
    member(fpt, agent, "48")
    result = explain(
        runner,
        "--system",
        "moj",
        "--category",
        "system_error",
        "--province",
        "48",
        "--priority",
        "2",
    )
    assert result.exit_code == 0, result.output
    assert "priority: 1" in result.output
    assert "assignee: Nguyễn Văn An" in result.output
    assert "also matched: rule" in result.output  # the seeded system_error rule, beaten


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--system", "xyz", "--category", "payment", "--province", "01"], "--system"),
        (["--system", "moj", "--category", "xyz", "--province", "01"], "--category"),
        (["--system", "moj", "--category", "payment", "--province", "99"], "--province"),
        (
            ["--system", "moj", "--category", "payment", "--province", "01", "--priority", "7"],
            "--priority",
        ),
    ],
)
def test_explain_refuses_unknown_codes_with_exit_1(runner, args, message):
    result = explain(runner, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
