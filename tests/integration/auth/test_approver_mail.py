"""Approvers are told of the registrations waiting for them: at most one mail an hour each, kept
in the database, and only when a registration came since their last mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk.auth import jobs, services
from helpdesk.auth.models import RegistrationDigest, Status
from helpdesk.auth.services import approvals
from helpdesk.notifications import rendering
from helpdesk.periodic import heartbeat  # noqa: F401 - registers the periodic jobs
from helpdesk.timeutil import utcnow
from helpdesk.worker import PERIODIC

BEN_NGHE = "UBND phường Bến Nghé"
DA_KAO = "UBND phường Đa Kao"


@pytest.fixture
def wait(db, make_user):
    """A registration of that unit (province 79) whose address was confirmed at `at`."""

    def make(unit: str, full_name: str, *, at):
        user = make_user("requester", province_code="79", unit=unit, full_name=full_name)
        user.status = Status.PENDING_APPROVAL
        user.email_verified_at = at
        db.session.commit()
        return user

    return make


@pytest.fixture
def approvers(make_user):
    return {
        "admin": make_user("admin", email="admin@bo.gov.vn", language="en"),
        "ben_nghe": make_user("unit_admin", province_code="79", unit=BEN_NGHE, email="bn@hcm.vn"),
        "da_kao": make_user("unit_admin", province_code="79", unit=DA_KAO, email="dk@hcm.vn"),
    }


def digests(mails, to: str):
    return mails("registrations_waiting", to=to)


def test_nothing_is_mailed_when_no_registration_waits(db, approvers, mails):
    assert approvals.mail_waiting_registrations() == 0
    assert mails("registrations_waiting") == []


def test_each_approver_gets_one_mail_listing_what_waits_for_them(db, approvers, wait, mails):
    now = utcnow()
    wait(BEN_NGHE, "Lê Bến Nghé", at=now - timedelta(minutes=5))

    assert approvals.mail_waiting_registrations(now=now) == 2

    [to_admin] = digests(mails, "admin@bo.gov.vn")
    [to_unit] = digests(mails, "bn@hcm.vn")
    assert digests(mails, "dk@hcm.vn") == []
    assert [r["full_name"] for r in to_admin.context["registrations"]] == ["Lê Bến Nghé"]
    assert to_unit.context["url"].endswith("/accounts/pending")
    english = rendering.render(to_admin)
    assert "1 registration waits for your approval" in english.subject
    vietnamese = rendering.render(to_unit)
    assert "1 đăng ký đang chờ bạn phê duyệt" in vietnamese.subject
    assert "Lê Bến Nghé" in vietnamese.body and "Lê Bến Nghé" in vietnamese.html


def test_no_second_mail_within_the_hour_and_one_after_it_for_new_registrations(
    db, approvers, wait, mails
):
    start = utcnow()
    wait(BEN_NGHE, "Lê Bến Nghé", at=start - timedelta(minutes=5))
    approvals.mail_waiting_registrations(now=start)
    wait(DA_KAO, "Trần Đa Kao", at=start + timedelta(minutes=10))

    # The admin was mailed 30 minutes ago: not again yet. Đa Kao's unit admin never was: at once.
    assert approvals.mail_waiting_registrations(now=start + timedelta(minutes=30)) == 1
    assert len(digests(mails, "admin@bo.gov.vn")) == 1
    assert len(digests(mails, "dk@hcm.vn")) == 1

    later = start + timedelta(hours=1, minutes=1)
    assert approvals.mail_waiting_registrations(now=later) == 1
    admin_mails = digests(mails, "admin@bo.gov.vn")
    assert len(admin_mails) == 2
    assert {r["full_name"] for r in admin_mails[-1].context["registrations"]} == {
        "Lê Bến Nghé",
        "Trần Đa Kao",
    }
    assert len(digests(mails, "dk@hcm.vn")) == 1  # mailed 31 minutes ago
    assert len(digests(mails, "bn@hcm.vn")) == 1  # nothing new for Bến Nghé

    # Hours later with nothing new: nobody is mailed again.
    assert approvals.mail_waiting_registrations(now=later + timedelta(hours=3)) == 0


def test_the_last_mail_is_kept_in_the_database(db, approvers, wait):
    now = utcnow()
    wait(BEN_NGHE, "Lê Bến Nghé", at=now - timedelta(minutes=5))
    approvals.mail_waiting_registrations(now=now)
    kept = db.session.scalar(
        select(RegistrationDigest).where(RegistrationDigest.user_id == approvers["admin"].id)
    )
    assert kept is not None and kept.sent_at == now


def test_an_approved_registration_no_longer_waits(db, approvers, wait, mails):
    now = utcnow()
    user = wait(BEN_NGHE, "Lê Bến Nghé", at=now - timedelta(minutes=5))
    assert approvals.count_waiting(approvers["ben_nghe"]) == 1
    services.approve_account(approvers["admin"], user.id)
    assert approvals.count_waiting(approvers["ben_nghe"]) == 0
    assert approvals.count_waiting(approvers["admin"]) == 0
    assert approvals.mail_waiting_registrations(now=now) == 0


def test_the_cron_runs_the_mail_job_often_enough(app):
    intervals = {func: interval for func, interval in PERIODIC}
    assert intervals[jobs.mail_waiting_registrations] <= 3600


def test_the_job_mails_through_the_outbox(db, approvers, wait, mails):
    wait(BEN_NGHE, "Lê Bến Nghé", at=utcnow() - timedelta(minutes=5))
    assert jobs.mail_waiting_registrations() == 2
    assert jobs.mail_waiting_registrations() == 0
