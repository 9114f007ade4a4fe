"""The default queues and rules `flask seed` loads (README, "Routing defaults")."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.catalogue.models import Category, Province, System
from helpdesk.extensions import db
from helpdesk.routing.models import Queue, QueueKind, Rule, SystemDefault
from helpdesk.routing.services.coordinators import provincial_queue_code

# Who acts on each category (reference/README.md): the vendor, with the ministry IT unit,
# resolves the technical ones; the ministry IT unit accounts, rights, processes, the catalogue.
VENDOR_CATEGORIES = ("payment", "sms", "e_receipt", "postal", "doc_integration", "system_error")
MINISTRY_IT_CATEGORIES = ("account", "permission", "process", "catalogue")
# What the province's coordinator handles first, whatever the system (reference/README.md):
# its units' dossiers and their training; it escalates the rest to the system's IT queue.
PROVINCIAL_CATEGORIES = ("dossier", "training")
NATIONAL_QUEUE = "national"
NATIONAL_NAME = "Cục Chuyển đổi số quốc gia (Bộ Khoa học và Công nghệ)"


def default_rule_name(system_code: str, category_code: str, queue_code: str) -> str:
    """The name earlier versions of `flask seed` gave their rules: codes, which pages replace by
    the conditions (a database seeded then keeps them: the seed never overwrites)."""
    return f"{system_code}: {category_code} → {queue_code}"


def stage_defaults(report) -> None:
    """Default queues, system defaults and rules; idempotent; does not commit.

    Creates only what is missing (a rule counts as present when one has the same conditions,
    whatever its queue), so nothing an admin changed is overwritten; escalation links are set
    only on queues it creates. A deleted default rule comes back: deactivate it instead.

    - `national`: the national digital-transformation agency, the last tier.
    - every system: `<system>-it`, the ministry IT unit, the system's default queue;
      rules send account, permission, process and catalogue there; escalates to `national`.
    - systems with a known vendor: `<system>-<vendor>` receiving the technical categories
      (payment, sms, e_receipt, postal, doc_integration, system_error); escalates to the IT
      queue, which coordinates the vendor.
    - every province: `province-<code>`, the provincial coordinator; rules (any system) send
      it the province's dossier and training tickets; it escalates to the ticket's system's
      default queue (routing.escalation_target), so an admin changes a province's path by
      editing or deactivating that province's rules.
    """
    queues = {queue.code: queue for queue in db.session.scalars(select(Queue))}
    defaults = set(db.session.scalars(select(SystemDefault.system_code)))
    category_names = dict(db.session.execute(select(Category.code, Category.name_vi)).all())
    rule_keys = {
        (rule.system_code, rule.category_code, rule.province_code, rule.priority)
        for rule in db.session.scalars(select(Rule))
    }

    def ensure_queue(code: str, **values) -> Queue:
        queue = queues.get(code)
        if queue is None:
            queue = queues[code] = Queue(code=code, **values)
            db.session.add(queue)
            report.count("queues", created=True)
        return queue

    def ensure_rule(
        system: System | None, category: str, queue: Queue, *, province: Province | None = None
    ) -> None:
        key = (system.code if system else None, category, province.code if province else None)
        if (*key, None) in rule_keys:
            return
        rule_keys.add((*key, None))
        # In words: the admin reads it in the rules list (the queue has its column).
        words = category_names.get(category, category)
        if province is None:
            name = f"{system.ministry}: {words}"
        else:  # the category's first words: 34 provinces' rules read at a glance
            name = f"{words.split(',')[0]} — {province.name} → đầu mối tỉnh"
        db.session.add(
            Rule(
                name=name[:200],
                system_code=key[0],
                category_code=category,
                province_code=key[2],
                queue=queue,
            )
        )
        report.count("rules", created=True)

    national = ensure_queue(NATIONAL_QUEUE, name=NATIONAL_NAME, kind=QueueKind.NATIONAL)
    for system in db.session.scalars(select(System).order_by(System.position)):
        it_code = f"{system.code}-it"
        it_is_new = it_code not in queues
        it_queue = ensure_queue(
            it_code,
            name=f"{system.it_unit} ({system.ministry})",
            kind=QueueKind.MINISTRY_IT,
            system_code=system.code,
        )
        if it_is_new:
            it_queue.escalation_queue = national
        if system.code not in defaults:
            db.session.add(SystemDefault(system_code=system.code, queue=it_queue))
            report.count("system defaults", created=True)
        for category in MINISTRY_IT_CATEGORIES:
            ensure_rule(system, category, it_queue)
        if not system.vendor:
            continue
        vendor_code = f"{system.code}-{system.vendor.lower()}"
        vendor_is_new = vendor_code not in queues
        vendor_queue = ensure_queue(
            vendor_code,
            name=f"{system.vendor} ({system.ministry})",
            kind=QueueKind.VENDOR,
            system_code=system.code,
        )
        if vendor_is_new:
            vendor_queue.escalation_queue = it_queue
        for category in VENDOR_CATEGORIES:
            ensure_rule(system, category, vendor_queue)
    for province in db.session.scalars(select(Province).order_by(Province.code)):
        provincial = ensure_queue(
            provincial_queue_code(province.code),
            name=f"Đầu mối {province.name}",
            kind=QueueKind.PROVINCIAL,
            province_code=province.code,
        )
        for category in PROVINCIAL_CATEGORIES:
            ensure_rule(None, category, provincial, province=province)
    db.session.flush()
