"""The provincial coordinator runs the accounts of its province: it approves its applicants,
creates and imports officials and unit admins of every unit of the province and appoints unit
admins there; nothing of another province, no staff role. A registration is addressed to the
unit's admins, else the province's coordinators, else the admins: the home page counts and lists
only what is addressed to each; the accounts page lists all an approver may decide."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select
from support import post_form

from helpdesk import errors
from helpdesk.auth import services
from helpdesk.auth.models import Role, Status, User
from helpdesk.auth.services import approvals

BEN_NGHE = "UBND phường Bến Nghé"
SAI_GON = "UBND phường Sài Gòn"
HOAN_KIEM = "UBND phường Hoàn Kiếm"


def waiting(db, make_user, province: str, unit: str, full_name: str) -> User:
    user = make_user("requester", province_code=province, unit=unit, full_name=full_name)
    user.status = Status.PENDING_APPROVAL
    db.session.commit()
    return user


def home_count(client) -> int:
    html = client.get("/").get_data(as_text=True)
    found = re.search(r'data-count="registrations">(\d+)<', html)
    assert found, "no registrations block on the home page"
    return int(found.group(1))


def home_block(client) -> str:
    html = client.get("/").get_data(as_text=True)
    return html.split('data-testid="home-registrations"', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def coordinator(make_user):
    return make_user(
        "coordinator", province_code="79", full_name="Sở Tư pháp TP.HCM", email="stp@hcm.vn"
    )


# ---------------------------------------------------------------- approvals


def test_a_coordinator_sees_and_approves_its_provinces_applicant_and_not_anothers(
    db, browser, make_user, coordinator, mails
):
    ours = waiting(db, make_user, "79", SAI_GON, "Phạm Sài Gòn")
    theirs = waiting(db, make_user, "01", HOAN_KIEM, "Đỗ Hoàn Kiếm")
    client = browser(coordinator, "en")

    block = home_block(client)
    assert "Phạm Sài Gòn" in block and "Đỗ Hoàn Kiếm" not in block
    pending = client.get("/accounts/pending").get_data(as_text=True)
    assert f'data-user-id="{ours.id}"' in pending
    assert f'data-user-id="{theirs.id}"' not in pending

    for path in (
        f"/accounts/pending/{theirs.id}/approve",
        f"/accounts/pending/{theirs.id}/reject",
    ):
        assert post_form(client, path, {"reason": ""}, page="/accounts/pending").status_code == 404
    db.session.refresh(theirs)
    assert theirs.status == Status.PENDING_APPROVAL

    # Approved from the home page's own button, back on the home page.
    response = post_form(client, f"/accounts/pending/{ours.id}/approve", {"next": "/"}, page="/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    db.session.refresh(ours)
    assert (ours.status, ours.approved_by_id) == (Status.ACTIVE, coordinator.id)
    assert mails("account_approved", to=ours.email)


def test_a_coordinator_gets_404_for_the_account_pages_of_another_province_and_of_staff(
    db, browser, make_user, coordinator
):
    hanoi = make_user("requester", province_code="01", unit=HOAN_KIEM)
    agent = make_user("agent", province_code="79")
    other = make_user("coordinator", province_code="79")
    client = browser(coordinator)
    for target in (hanoi, agent, other, coordinator):
        for action, data in (
            ("disable", {}),
            ("enable", {}),
            ("activation", {}),
            ("role", {"role": "unit_admin"}),
        ):
            response = post_form(client, f"/accounts/{target.id}/{action}", data, page="/")
            assert response.status_code == 404, (target.role, action)
    for target in (hanoi, agent, other):
        db.session.refresh(target)
        assert target.status == Status.ACTIVE
    assert hanoi.role == Role.REQUESTER

    listed = client.get("/accounts/").get_data(as_text=True)
    assert f'data-user-id="{hanoi.id}"' not in listed
    assert f'data-user-id="{agent.id}"' not in listed


def test_the_coordinator_manages_the_accounts_of_every_unit_of_its_province(
    db, browser, make_user, coordinator
):
    official = make_user("requester", province_code="79", unit=SAI_GON)
    unit_admin = make_user("unit_admin", province_code="79", unit=BEN_NGHE)
    client = browser(coordinator)
    listed = client.get("/accounts/").get_data(as_text=True)
    assert f'data-user-id="{official.id}"' in listed and f'data-user-id="{unit_admin.id}"' in listed
    for target in (official, unit_admin):
        assert post_form(client, f"/accounts/{target.id}/disable", {}, page="/").status_code == 302
        db.session.refresh(target)
        assert target.status == Status.DISABLED


# ---------------------------------------------------------------- who is asked


def test_a_unit_with_its_admin_is_not_counted_for_the_coordinator_but_listed_to_decide(
    db, browser, make_user, coordinator
):
    make_user("unit_admin", province_code="79", unit=BEN_NGHE, full_name="Lý Quản Trị")
    applicant = waiting(db, make_user, "79", BEN_NGHE, "Lê Bến Nghé")
    client = browser(coordinator, "en")

    assert home_count(client) == 0
    assert "Lê Bến Nghé" not in home_block(client)
    assert approvals.count_waiting(coordinator) == 0
    # Still the coordinator's to decide, saying who was asked.
    pending = client.get("/accounts/pending").get_data(as_text=True)
    row = pending.split(f'data-user-id="{applicant.id}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-addressed="unit_admin"' in row and "Lý Quản Trị" in row
    services.approve_account(coordinator, applicant.id)


def test_a_unit_without_its_admin_is_counted_for_the_coordinator_not_the_admins(
    db, browser, make_user, coordinator
):
    admin = make_user("admin")
    applicant = waiting(db, make_user, "79", SAI_GON, "Phạm Sài Gòn")

    assert home_count(browser(coordinator)) == 1
    assert home_count(browser(admin)) == 0
    pending = browser(admin, "en").get("/accounts/pending").get_data(as_text=True)
    row = pending.split(f'data-user-id="{applicant.id}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-addressed="coordinator"' in row and "Sở Tư pháp TP.HCM" in row
    # What is addressed to the coordinator itself says nothing of who is asked.
    mine = browser(coordinator).get("/accounts/pending").get_data(as_text=True)
    assert "data-addressed" not in mine


def test_a_province_without_a_coordinator_goes_to_the_admins(db, browser, make_user, coordinator):
    admin = make_user("admin")
    waiting(db, make_user, "01", HOAN_KIEM, "Đỗ Hoàn Kiếm")
    assert home_count(browser(admin)) == 1
    assert "Đỗ Hoàn Kiếm" in home_block(browser(admin))
    assert home_count(browser(coordinator)) == 0


def test_a_disabled_coordinator_is_passed_over(db, browser, make_user, coordinator):
    admin = make_user("admin")
    waiting(db, make_user, "79", SAI_GON, "Phạm Sài Gòn")
    assert approvals.count_waiting(admin) == 0
    coordinator.status = Status.DISABLED
    db.session.commit()
    assert approvals.count_waiting(admin) == 1


def test_the_coordinators_count_is_one_statement(
    db, browser, make_user, coordinator, count_queries
):
    waiting(db, make_user, "79", SAI_GON, "Phạm Sài Gòn")
    client = browser(coordinator)
    client.get("/auth/profile")
    with count_queries() as statements:
        html = client.get("/auth/profile").get_data(as_text=True)
    assert len([s for s in statements if "count(users.id)" in s.lower()]) == 1
    assert re.search(r'data-testid="waiting-registrations">1<', html)


def test_the_pending_page_costs_the_same_for_one_row_or_many(db, browser, make_user, count_queries):
    admin = make_user("admin")
    make_user("coordinator", province_code="79")
    make_user("unit_admin", province_code="79", unit=BEN_NGHE)
    waiting(db, make_user, "79", BEN_NGHE, "Một")
    client = browser(admin)
    client.get("/accounts/pending")
    with count_queries() as few:
        client.get("/accounts/pending")
    for number in range(5):
        make_user("unit_admin", province_code="79", unit=f"Phường {number}")
        waiting(db, make_user, "79", f"Phường {number}", f"Người {number}")
        waiting(db, make_user, "01", f"Phường {number}", f"Hà Nội {number}")
    with count_queries() as many:
        html = client.get("/accounts/pending").get_data(as_text=True)
    assert html.count("data-user-id=") == 11
    assert len(many) == len(few)


# ---------------------------------------------------------------- creating and importing

HEADER = ["cccd", "full_name", "email", "phone", "province", "unit", "role"]


def csv_file(rows) -> io.BytesIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return io.BytesIO(buffer.getvalue().encode("utf-8-sig"))


def user_with(db, cccd: str) -> User | None:
    return db.session.scalar(select(User).where(User.cccd == cccd))


def test_a_coordinators_import_is_of_its_province_only(db, browser, coordinator):
    rows = [
        ["079090111001", "Nguyễn Văn An", "an@example.vn", "", "79", SAI_GON, "requester"],
        ["079090111002", "Trần Thị Bình", "binh@example.vn", "", "", BEN_NGHE, "unit_admin"],
        ["001090111003", "Lê Hà Nội", "hn@example.vn", "", "01", HOAN_KIEM, "requester"],
        ["079090111004", "Phạm Cán Bộ", "cb@example.vn", "", "79", SAI_GON, "agent"],
        ["079090111005", "Võ Điều Phối", "dp@example.vn", "", "79", SAI_GON, "coordinator"],
    ]
    client = browser(coordinator, "en")
    response = post_form(
        client,
        "/accounts/import",
        {"file": (csv_file(rows), "accounts.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for line in (4, 5, 6):
        assert re.search(rf'class="table-danger" data-line="{line}"', html), line
    assert "province: You can create accounts only for the units of your province." in html

    an, binh = user_with(db, "079090111001"), user_with(db, "079090111002")
    assert (an.province_code, an.role, an.unit.province_code) == ("79", "requester", "79")
    assert (binh.province_code, binh.role) == ("79", "unit_admin")
    assert an.created_by_id == coordinator.id
    for cccd in ("001090111003", "079090111004", "079090111005"):
        assert user_with(db, cccd) is None


def test_a_coordinator_creates_an_account_in_its_province_whatever_the_browser_sends(
    db, browser, coordinator
):
    client = browser(coordinator, "en")
    page = client.get("/accounts/new").get_data(as_text=True)
    assert 'value="01"' not in page and 'value="agent"' not in page
    response = post_form(
        client,
        "/accounts/new",
        {
            "cccd": "079090111006",
            "domain": "ht.com",
            "full_name": "Hồ Quản Trị",
            "email": "qt@example.vn",
            "phone": "",
            "province": "01",
            "unit": SAI_GON,
            "role": "unit_admin",
        },
    )
    assert response.status_code == 302
    made = user_with(db, "079090111006")
    assert (made.province_code, made.role, made.unit.province_code) == ("79", "unit_admin", "79")


def test_the_service_refuses_a_coordinator_another_province_or_a_staff_role(db, coordinator):
    def draft(**fields):
        return services.AccountDraft(
            username="079090111007@ht.com",
            full_name="Ngô Thử",
            email="thu@example.vn",
            unit=SAI_GON,
            **fields,
        )

    with pytest.raises(errors.Invalid) as refused:
        services.create_account(draft(province_code="01"), actor=coordinator, require_unit=True)
    assert refused.value.fields == {"province": refused.value.message}
    for role in ("agent", "coordinator", "admin", "observer", "supervisor"):
        with pytest.raises(errors.Invalid):
            services.create_account(
                draft(province_code="79", role=role), actor=coordinator, require_unit=True
            )
    assert user_with(db, "079090111007") is None


# ---------------------------------------------------------------- appointing unit admins


def test_a_coordinator_appoints_a_unit_admin_who_is_then_asked_first(
    db, browser, make_user, coordinator
):
    official = make_user("requester", province_code="79", unit=SAI_GON, full_name="Mai Sài Gòn")
    waiting(db, make_user, "79", SAI_GON, "Phạm Sài Gòn")
    client = browser(coordinator, "en")
    assert home_count(client) == 1
    listed = client.get("/accounts/").get_data(as_text=True)
    row = listed.split(f'data-user-id="{official.id}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-appoint="unit_admin"' in row

    response = post_form(
        client, f"/accounts/{official.id}/appoint", {"role": "unit_admin"}, page="/accounts/"
    )
    assert response.status_code == 302
    db.session.refresh(official)
    assert official.role == Role.UNIT_ADMIN
    assert home_count(client) == 0
    assert home_count(browser(official)) == 1

    post_form(client, f"/accounts/{official.id}/appoint", {"role": "requester"}, page="/accounts/")
    db.session.refresh(official)
    assert official.role == Role.REQUESTER
    assert home_count(client) == 1


def test_only_admins_and_the_provinces_coordinator_appoint(db, browser, make_user, coordinator):
    hanoi = make_user("requester", province_code="01", unit=HOAN_KIEM)
    official = make_user("requester", province_code="79", unit=SAI_GON)
    unit_admin = make_user("unit_admin", province_code="79", unit=SAI_GON)

    assert (
        post_form(
            browser(coordinator), f"/accounts/{hanoi.id}/appoint", {"role": "unit_admin"}, page="/"
        ).status_code
        == 404
    )
    assert (
        post_form(
            browser(unit_admin),
            f"/accounts/{official.id}/appoint",
            {"role": "unit_admin"},
            page="/",
        ).status_code
        == 404
    )
    with pytest.raises(errors.Invalid):
        services.appoint(coordinator, official.id, role="agent")
    admin = make_user("admin")
    services.appoint(admin, hanoi.id, role="unit_admin")
    db.session.refresh(official)
    db.session.refresh(hanoi)
    assert (official.role, hanoi.role) == (Role.REQUESTER, Role.UNIT_ADMIN)
