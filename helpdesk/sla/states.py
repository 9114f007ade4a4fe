"""The states of a ticket's SLA clocks, as badges, list filters and the API's `sla_state` name
them. Pure: the API's OpenAPI document reads its enum from here."""

from __future__ import annotations

import enum


class SlaState(enum.StrEnum):
    """docs/contract.md's `sla_state`, in the order the OpenAPI document lists them."""

    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"
