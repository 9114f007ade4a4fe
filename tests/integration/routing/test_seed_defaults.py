"""The default queues and rules of `flask seed` (README, "Routing defaults")."""

from sqlalchemy import select

from helpdesk.catalogue.models import System
from helpdesk.routing.models import Queue, QueueKind, Rule, SystemDefault


def test_every_system_has_its_ministry_it_queue_as_default(db):
    defaults = dict(
        db.session.execute(
            select(SystemDefault.system_code, Queue.code).join(SystemDefault.queue)
        ).all()
    )
    systems = set(db.session.scalars(select(System.code)))
    assert defaults == {code: f"{code}-it" for code in systems}


def test_only_systems_with_a_known_vendor_get_a_vendor_queue(db):
    vendors = set(db.session.scalars(select(Queue.code).where(Queue.kind == QueueKind.VENDOR)))
    assert vendors == {"moj-fpt", "moha-vnpt"}


def test_one_coordinator_queue_per_province_with_its_dossier_and_training_rules(db):
    provincial = db.session.scalars(select(Queue).where(Queue.kind == QueueKind.PROVINCIAL)).all()
    assert len(provincial) == 34
    for queue in provincial:
        rules = db.session.execute(
            select(Rule.system_code, Rule.category_code, Rule.province_code).where(
                Rule.queue_id == queue.id
            )
        ).all()
        assert sorted(rules) == [
            (None, "dossier", queue.province_code),
            (None, "training", queue.province_code),
        ], queue.code


def test_seeded_escalation_paths_end_without_loops(db):
    links = dict(db.session.execute(select(Queue.id, Queue.escalation_queue_id)).all())
    for start in links:
        seen, current = set(), start
        while current is not None:
            assert current not in seen, f"loop through queue {current}"
            seen.add(current)
            current = links[current]


def test_seed_keeps_what_an_admin_changed(runner, db, queue):
    fpt = queue("moj-fpt")
    fpt.name, fpt.escalation_queue_id = "FPT – hỗ trợ Bộ Tư pháp", None
    rule = db.session.scalar(
        select(Rule).where(Rule.system_code == "moj", Rule.category_code == "payment")
    )
    rule.queue_id = queue("moj-it").id
    db.session.commit()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "nothing to change" in result.output
    db.session.refresh(fpt)
    db.session.refresh(rule)
    assert (fpt.name, fpt.escalation_queue_id) == ("FPT – hỗ trợ Bộ Tư pháp", None)
    assert rule.queue_id == queue("moj-it").id
