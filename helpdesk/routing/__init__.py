"""Routing: queues, memberships and province coverage, rules, the routing engine."""
