"""How the SLA reaches what sits above it without importing it: a timer's job by its dotted
name, a reached deadline through the announcer the tickets package registers."""

import importlib

import pytest
from flask import Flask

from helpdesk.api import openapi_components
from helpdesk.sla import jobs
from helpdesk.sla.services import announcer
from helpdesk.sla.services.timers import FIRE_DEADLINE_JOB
from helpdesk.sla.states import SlaState


def test_the_timer_job_name_is_the_job():
    module, _, name = FIRE_DEADLINE_JOB.rpartition(".")

    assert getattr(importlib.import_module(module), name) is jobs.fire_deadline


def test_an_app_without_an_announcer_refuses_to_let_a_deadline_pass_untold():
    with Flask(__name__).app_context(), pytest.raises(RuntimeError, match="no one tells"):
        announcer.announce_pending()


def test_the_api_document_lists_the_sla_states():
    assert openapi_components.SLA_STATES == ["ok", "warning", "breached", "paused", "met"]
    assert openapi_components.SLA_STATES == list(SlaState)
