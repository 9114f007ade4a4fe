"""Routing services, split by subject; callers use this package (`routing.services.decide`).

For tickets.services: decide, explain, choose_assignee, mark_assigned, escalation_target,
covered_provinces, visible_queue_ids, ticket_visibility_clause, queues_for_user.
"""

from helpdesk.routing.services.assignment import (
    choose_assignee,
    escalation_target,
    mark_assigned,
)
from helpdesk.routing.services.decisions import (
    Explanation,
    candidate_rules,
    check_facts,
    decide,
    default_queue_id,
    explain,
    explain_route,
    rule_set,
    rules_for,
)
from helpdesk.routing.services.provisioning import provision_account
from helpdesk.routing.services.queues import (
    CachedQueue,
    QueueDraft,
    QueueRow,
    add_member,
    all_queues,
    check_coverage,
    enrol,
    find_queue,
    find_staff,
    get_membership,
    get_queue,
    list_members,
    list_queues,
    queue_names,
    queues_by_id,
    remove_membership,
    save_queue,
    update_membership,
)
from helpdesk.routing.services.rules import (
    RuleDraft,
    RuleFilter,
    delete_rule,
    get_rule,
    rules_query,
    save_rule,
)
from helpdesk.routing.services.rules_csv import ImportResult, RowProblem, export_rules, import_rules
from helpdesk.routing.services.seeding import VENDOR_CATEGORIES, seed_defaults
from helpdesk.routing.services.visibility import (
    covered_provinces,
    queues_for_user,
    ticket_visibility_clause,
    visible_queue_ids,
)

__all__ = [
    "CachedQueue",
    "Explanation",
    "ImportResult",
    "QueueDraft",
    "QueueRow",
    "RowProblem",
    "RuleDraft",
    "RuleFilter",
    "VENDOR_CATEGORIES",
    "add_member",
    "check_coverage",
    "enrol",
    "find_queue",
    "all_queues",
    "candidate_rules",
    "check_facts",
    "choose_assignee",
    "covered_provinces",
    "decide",
    "default_queue_id",
    "delete_rule",
    "escalation_target",
    "explain",
    "explain_route",
    "export_rules",
    "find_staff",
    "get_membership",
    "get_queue",
    "get_rule",
    "import_rules",
    "list_members",
    "list_queues",
    "mark_assigned",
    "provision_account",
    "queue_names",
    "queues_by_id",
    "queues_for_user",
    "remove_membership",
    "rule_set",
    "rules_for",
    "rules_query",
    "save_queue",
    "save_rule",
    "seed_defaults",
    "ticket_visibility_clause",
    "update_membership",
    "visible_queue_ids",
]
