"""Approvers are told of the registrations addressed to them (the unit's admins, else the
province's coordinators, else the admins): at most one mail an hour each, kept in the database,
and only when a registration came since their last mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from helpdesk.auth import jobs, services
from helpdesk.auth.models import RegistrationDigest, Status
from helpdesk.auth.services import approvals
from helpdesk.notifications import rendering
from helpdesk.periodic import heartbeat  # noqa: F401 - registers the periodic jobs
from helpdesk.timeutil import utcnow
from helpdesk.worker import PERIODIC

BEN_NGHE = "UBND phường Bến Nghé"
DA_KAO = "UBND phường Đa Kao"
# Units of province 79 without a unit admin: with no coordinator either, the admins decide.
SAI_GON = "UBND phường Sài Gòn"
TAN_DINH = "UBND phường Tân Định"


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
    wait(SAI_GON, "Phạm Sài Gòn", at=now - timedelta(minutes=4))

    assert approvals.mail_waiting_registrations(now=now) == 2

    [to_admin] = digests(mails, "admin@bo.gov.vn")
    [to_unit] = digests(mails, "bn@hcm.vn")
    assert digests(mails, "dk@hcm.vn") == []
    # Bến Nghé has its unit admin: the admins are not asked.
    assert [r["full_name"] for r in to_admin.context["registrations"]] == ["Phạm Sài Gòn"]
    assert [r["full_name"] for r in to_unit.context["registrations"]] == ["Lê Bến Nghé"]
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
    wait(SAI_GON, "Phạm Sài Gòn", at=start - timedelta(minutes=5))
    approvals.mail_waiting_registrations(now=start)
    wait(DA_KAO, "Trần Đa Kao", at=start + timedelta(minutes=10))
    wait(TAN_DINH, "Võ Tân Định", at=start + timedelta(minutes=10))

    # The admin was mailed 30 minutes ago: not again yet. Đa Kao's unit admin never was: at once.
    assert approvals.mail_waiting_registrations(now=start + timedelta(minutes=30)) == 1
    assert len(digests(mails, "admin@bo.gov.vn")) == 1
    assert len(digests(mails, "dk@hcm.vn")) == 1

    later = start + timedelta(hours=1, minutes=1)
    assert approvals.mail_waiting_registrations(now=later) == 1
    admin_mails = digests(mails, "admin@bo.gov.vn")
    assert len(admin_mails) == 2
    assert {r["full_name"] for r in admin_mails[-1].context["registrations"]} == {
        "Phạm Sài Gòn",
        "Võ Tân Định",
    }
    assert len(digests(mails, "dk@hcm.vn")) == 1  # mailed 31 minutes ago
    assert digests(mails, "bn@hcm.vn") == []  # nothing for Bến Nghé

    # Hours later with nothing new: nobody is mailed again.
    assert approvals.mail_waiting_registrations(now=later + timedelta(hours=3)) == 0


def test_the_last_mail_is_kept_in_the_database(db, approvers, wait):
    now = utcnow()
    wait(SAI_GON, "Phạm Sài Gòn", at=now - timedelta(minutes=5))
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
    wait(SAI_GON, "Phạm Sài Gòn", at=utcnow() - timedelta(minutes=5))
    assert jobs.mail_waiting_registrations() == 2
    assert jobs.mail_waiting_registrations() == 0


# ---------------------------------------------------------------- who is asked


def test_the_coordinator_is_mailed_where_the_unit_has_no_unit_admin(
    db, approvers, wait, make_user, mails
):
    make_user("coordinator", province_code="79", email="sotuphap@hcm.vn")
    make_user("coordinator", province_code="01", email="sotuphap@hanoi.vn")
    now = utcnow()
    wait(BEN_NGHE, "Lê Bến Nghé", at=now - timedelta(minutes=5))
    wait(SAI_GON, "Phạm Sài Gòn", at=now - timedelta(minutes=4))

    assert approvals.mail_waiting_registrations(now=now) == 2

    [to_coordinator] = digests(mails, "sotuphap@hcm.vn")
    assert [r["full_name"] for r in to_coordinator.context["registrations"]] == ["Phạm Sài Gòn"]
    assert [r["full_name"] for r in digests(mails, "bn@hcm.vn")[0].context["registrations"]] == [
        "Lê Bến Nghé"
    ]
    assert digests(mails, "admin@bo.gov.vn") == []
    assert digests(mails, "sotuphap@hanoi.vn") == []


def test_a_disabled_unit_admin_or_coordinator_is_passed_over(db, approvers, wait, make_user, mails):
    coordinator = make_user("coordinator", province_code="79", email="sotuphap@hcm.vn")
    approvers["ben_nghe"].status = Status.DISABLED
    db.session.commit()
    now = utcnow()
    wait(BEN_NGHE, "Lê Bến Nghé", at=now - timedelta(minutes=5))

    assert approvals.mail_waiting_registrations(now=now) == 1
    assert len(digests(mails, "sotuphap@hcm.vn")) == 1
    assert digests(mails, "bn@hcm.vn") == []

    coordinator.status = Status.DISABLED
    db.session.commit()
    assert approvals.mail_waiting_registrations(now=now + timedelta(minutes=1)) == 1
    assert len(digests(mails, "admin@bo.gov.vn")) == 1


def test_the_mail_job_costs_the_same_statements_for_few_or_many(
    db, approvers, wait, make_user, count_queries
):
    make_user("coordinator", province_code="79", email="sotuphap@hcm.vn")
    now = utcnow()
    wait(SAI_GON, "Phạm Sài Gòn", at=now - timedelta(minutes=5))
    with count_queries() as few:
        approvals.mail_waiting_registrations(now=now)
    db.session.execute(delete(RegistrationDigest))
    db.session.commit()
    for unit in (BEN_NGHE, DA_KAO, TAN_DINH):
        wait(unit, f"Đăng ký {unit}", at=now - timedelta(minutes=3))
    make_user("coordinator", province_code="79", email="sotuphap2@hcm.vn")
    with count_queries() as many:
        approvals.mail_waiting_registrations(now=now + timedelta(minutes=1))
    reads = [s for s in many if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == len([s for s in few if s.lstrip().upper().startswith("SELECT")])
