"""The routing admin pages: access, queues, members and coverage, rules, CSV, the tester."""

import csv
import io
import re

import pytest
from sqlalchemy import delete, func, select
from support import csrf_token, post_form

from helpdesk.routing.models import Membership, Queue, Rule

pytestmark = pytest.mark.usefixtures("english")  # assertions read English text

PAGES = [
    "/admin/routing/queues",
    "/admin/routing/queues/new",
    "/admin/routing/rules",
    "/admin/routing/rules/new",
    "/admin/routing/rules/import",
    "/admin/routing/rules/export.csv",
    "/admin/routing/tester",
]


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["agent", "supervisor", "requester"])
def test_other_roles_get_not_found(client, login, make_user, role):
    login(make_user(role))
    for url in PAGES:
        assert client.get(url).status_code == 404, url


def test_admin_menu_links_to_routing(admin_client):
    assert 'href="/admin/routing/queues"' in page(admin_client, "/")


# ---------------------------------------------------------------- queues


def test_queue_list_shows_queues_in_a_constant_number_of_queries(
    admin_client, db, queue, make_user, member, count_queries
):
    with count_queries() as before:
        html = page(admin_client, "/admin/routing/queues")
    assert "moj-fpt" in html and "province-96" in html
    for code in ("moj-fpt", "moj-it", "moha-vnpt", "province-01"):
        agent = make_user("agent")
        member(queue(code), agent, "01")
        queue(code).supervisor_id = agent.id
    db.session.commit()
    page(admin_client, "/admin/routing/queues")  # what is cached is read again after a change
    with count_queries() as after:
        page(admin_client, "/admin/routing/queues")
    assert len(after) == len(before)


def test_admin_creates_a_queue(admin_client, db, make_user):
    lead = make_user("supervisor")
    response = post_form(
        admin_client,
        "/admin/routing/queues/new",
        {
            "code": "moj-viettel",
            "name": "Viettel (Bộ Tư pháp)",
            "kind": "vendor",
            "system": "moj",
            "province": "",
            "email": "hotro@viettel.example.vn",
            "supervisor": lead.username,
            "escalation_queue": "",
            "auto_assign": "y",
            "active": "y",
        },
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Queue).where(Queue.code == "moj-viettel"))
    assert (created.kind, created.system_code, created.supervisor_id) == ("vendor", "moj", lead.id)
    assert created.auto_assign and created.active and not created.notify_members


def test_queue_escalating_in_a_loop_is_refused_beside_the_field(admin_client, db, queue):
    it = queue("moj-it")  # moj-fpt already escalates to moj-it
    url = f"/admin/routing/queues/{it.id}"
    response = post_form(
        admin_client,
        url,
        {
            "code": "moj-it",
            "name": it.name,
            "kind": "ministry_it",
            "system": "moj",
            "escalation_queue": str(queue("moj-fpt").id),
            "active": "y",
        },
    )
    assert response.status_code == 200
    assert "loop" in response.get_data(as_text=True)
    db.session.refresh(it)
    assert it.escalation_queue_id == queue("national").id


def test_queue_code_taken_by_another_is_refused(admin_client, queue):
    fpt = queue("moj-fpt")
    response = post_form(
        admin_client,
        f"/admin/routing/queues/{fpt.id}",
        {
            "code": "moj-it",
            "name": fpt.name,
            "kind": "vendor",
            "active": "y",
        },
    )
    assert response.status_code == 200
    assert "Another queue has this code." in response.get_data(as_text=True)


def test_unknown_supervisor_login_is_refused(admin_client, queue):
    fpt = queue("moj-fpt")
    response = post_form(
        admin_client,
        f"/admin/routing/queues/{fpt.id}",
        {
            "code": "moj-fpt",
            "name": fpt.name,
            "kind": "vendor",
            "supervisor": "079912345678@ht.com",
        },
    )
    assert response.status_code == 200
    assert "No active agent, supervisor or admin account" in response.get_data(as_text=True)


# ---------------------------------------------------------------- members


def test_admin_adds_a_member_covering_two_provinces(admin_client, db, queue, make_user):
    fpt, agent = queue("moj-fpt"), make_user("agent")
    url = f"/admin/routing/queues/{fpt.id}/members"
    response = post_form(
        admin_client,
        url,
        {
            "username": agent.username,
            "provinces": ["01", "79"],
            "available": "y",
        },
    )
    assert response.status_code == 302
    membership = db.session.scalar(select(Membership).where(Membership.user_id == agent.id))
    assert (membership.queue_id, membership.province_codes) == (fpt.id, {"01", "79"})
    assert membership.available


def test_requester_cannot_be_made_a_member(admin_client, db, queue, make_user):
    fpt, requester = queue("moj-fpt"), make_user("requester")
    response = post_form(
        admin_client, f"/admin/routing/queues/{fpt.id}/members", {"username": requester.username}
    )
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(Membership.id))) == 0


def test_admin_changes_coverage_and_availability_then_removes_the_member(
    admin_client, db, queue, make_user, member
):
    agent = make_user("agent")
    membership = member(queue("moj-fpt"), agent, "01")
    url = f"/admin/routing/memberships/{membership.id}"
    assert post_form(admin_client, url, {"provinces": ["31", "33"]}).status_code == 302
    db.session.refresh(membership)
    assert (membership.province_codes, membership.available) == ({"31", "33"}, False)
    assert post_form(admin_client, url, {"available": "y", "all_provinces": "y"}).status_code == 302
    db.session.refresh(membership)
    assert (membership.province_codes, membership.available) == (set(), True)
    assert membership.all_provinces
    response = post_form(admin_client, f"{url}/delete", {}, page=url)
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Membership.id))) == 0


def test_a_member_without_provinces_or_all_provinces_is_refused(admin_client, db, queue, make_user):
    fpt, agent = queue("moj-fpt"), make_user("agent")
    response = post_form(
        admin_client, f"/admin/routing/queues/{fpt.id}/members", {"username": agent.username}
    )
    assert response.status_code == 200
    assert "Choose the provinces this member covers, or all provinces." in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count(Membership.id))) == 0


def test_a_member_covering_all_provinces_says_so_on_the_members_page(
    admin_client, db, queue, make_user
):
    fpt, agent = queue("moj-fpt"), make_user("agent")
    url = f"/admin/routing/queues/{fpt.id}/members"
    form = {"username": agent.username, "all_provinces": "y", "available": "y"}
    assert post_form(admin_client, url, form).status_code == 302
    membership = db.session.scalar(select(Membership).where(Membership.user_id == agent.id))
    assert (membership.all_provinces, membership.province_codes) == (True, set())
    assert 'data-coverage="all"' in page(admin_client, url)
    edit = page(admin_client, f"/admin/routing/memberships/{membership.id}")
    assert "checked" in re.search(r'<input [^>]*name="all_provinces"[^>]*>', edit).group()


def test_coverage_is_some_provinces_or_all_never_both_never_none(
    admin_client, db, queue, make_user, member
):
    membership = member(queue("moj-fpt"), make_user("agent"), "01")
    url = f"/admin/routing/memberships/{membership.id}"
    both = post_form(admin_client, url, {"provinces": ["79"], "all_provinces": "y"})
    neither = post_form(admin_client, url, {"available": "y"})
    assert (both.status_code, neither.status_code) == (200, 200)
    assert "Choose some provinces or all provinces, not both." in both.get_data(as_text=True)
    assert "Choose the provinces this member covers, or all provinces." in neither.get_data(
        as_text=True
    )
    db.session.refresh(membership)
    assert (membership.province_codes, membership.all_provinces) == ({"01"}, False)


def test_members_page_costs_the_same_queries_for_more_members(
    admin_client, queue, make_user, member, count_queries
):
    fpt = queue("moj-fpt")
    url = f"/admin/routing/queues/{fpt.id}/members"
    member(fpt, make_user("agent"), "01")
    with count_queries() as before:
        page(admin_client, url)
    for provinces in (("79",), ("01", "31"), ()):
        member(fpt, make_user("agent"), *provinces)
    with count_queries() as after:
        html = page(admin_client, url)
    assert len(after) == len(before)
    assert "01, 31" in html and 'data-coverage="all"' in html


# ---------------------------------------------------------------- rules


def rule_form(queue_id: int, **values) -> dict:
    return {
        "name": "",
        "system": "",
        "category": "",
        "province": "",
        "priority": "",
        "queue": str(queue_id),
        "rank": "100",
        "priority_override": "",
        "escalation_queue": "",
        "active": "y",
        **values,
    }


def test_admin_creates_edits_and_deletes_a_rule(admin_client, db, queue):
    coordinator = queue("province-79")
    response = post_form(
        admin_client,
        "/admin/routing/rules/new",
        rule_form(
            coordinator.id,
            name="Hồ sơ TP.HCM",
            system="moj",
            category="dossier",
            province="79",
            escalation_queue=str(queue("moj-it").id),
        ),
    )
    assert response.status_code == 302
    rule = db.session.scalar(
        select(Rule).where(Rule.queue_id == coordinator.id, Rule.system_code == "moj")
    )
    assert (rule.system_code, rule.category_code, rule.province_code) == ("moj", "dossier", "79")
    assert rule.escalation_queue_id == queue("moj-it").id
    rule_id = rule.id
    url = f"/admin/routing/rules/{rule_id}"
    response = post_form(
        admin_client,
        url,
        rule_form(
            coordinator.id,
            system="moj",
            category="dossier",
            province="79",
            rank="5",
            priority_override="2",
        ),
    )
    assert response.status_code == 302
    db.session.refresh(rule)
    assert (rule.rank, rule.priority_override, rule.escalation_queue_id) == (5, 2, None)
    response = post_form(admin_client, f"{url}/delete", {}, page="/admin/routing/rules")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Rule.id)).where(Rule.id == rule_id)) == 0


def test_rule_with_the_same_conditions_as_another_is_refused(admin_client, db, queue):
    before = db.session.scalar(select(func.count(Rule.id)))
    response = post_form(
        admin_client,
        "/admin/routing/rules/new",
        rule_form(queue("moj-it").id, system="moj", category="payment"),
    )
    assert response.status_code == 200
    assert "already has exactly these conditions" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Rule.id))) == before


def test_rules_list_filters_by_system_and_category(admin_client):
    html = page(admin_client, "/admin/routing/rules?system=moha&category=sms")
    assert "Bộ Nội vụ: Tin nhắn SMS Brandname" in html
    assert "Bộ Tư pháp: Tin nhắn SMS" not in html and "Bộ Nội vụ: Thanh toán" not in html


def test_rules_list_costs_the_same_queries_for_more_rules(admin_client, db, queue, count_queries):
    with count_queries() as before:
        page(admin_client, "/admin/routing/rules")
    for province in ("01", "79", "31", "48"):
        db.session.add(
            Rule(
                queue_id=queue(f"province-{province}").id,
                system_code="moj",
                category_code="dossier",
                province_code=province,
                escalation_queue_id=queue("moj-it").id,
            )
        )
    db.session.commit()
    page(admin_client, "/admin/routing/rules?page=2")  # the change is read again, once
    with count_queries() as after:
        page(admin_client, "/admin/routing/rules?page=2")
    assert len(after) == len(before)


# ---------------------------------------------------------------- CSV


HEADER = (
    "name,system,category,province,priority,queue,rank,priority_override,escalation_queue,active\n"
)


def upload(client, content: str | bytes):
    data = content.encode("utf-8") if isinstance(content, str) else content
    html = page(client, "/admin/routing/rules/import")
    return client.post(
        "/admin/routing/rules/import",
        data={"csrf_token": csrf_token(html), "file": (io.BytesIO(data), "rules.csv")},
        content_type="multipart/form-data",
    )


def test_export_lists_every_rule_with_queue_codes(admin_client, db):
    response = admin_client.get("/admin/routing/rules/export.csv")
    assert response.mimetype == "text/csv"
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert lines[0] + "\n" == HEADER
    assert len(lines) - 1 == db.session.scalar(select(func.count(Rule.id)))
    seeded = (
        '"Bộ Tư pháp: Thanh toán trực tuyến, tài khoản thụ hưởng",moj,payment,,,moj-fpt,100,,,1'
    )
    assert seeded in lines


def test_exported_file_imports_back_unchanged(admin_client, db):
    exported = admin_client.get("/admin/routing/rules/export.csv").get_data()
    total = db.session.scalar(select(func.count(Rule.id)))
    response = upload(admin_client, exported)
    assert response.status_code == 302
    follow = page(admin_client, "/admin/routing/rules")
    assert f"0 created, 0 updated, {total} unchanged" in follow


FORMULA = '=HYPERLINK("http://x","y")'


def test_export_writes_formulas_as_text_and_imports_them_back(admin_client, db, queue):
    names = {"79": FORMULA, "01": "-", "48": "'quoted", "31": "+84 24 1234"}
    for province, name in names.items():
        db.session.add(
            Rule(queue_id=queue("moj-it").id, system_code="mof", province_code=province, name=name)
        )
    db.session.commit()
    exported = admin_client.get("/admin/routing/rules/export.csv").get_data()
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert ["'" + FORMULA, "mof", "", "79"] in [row[:4] for row in rows]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    mine = (Rule.system_code == "mof") & Rule.province_code.in_(names)
    db.session.execute(delete(Rule).where(mine))
    db.session.commit()

    assert upload(admin_client, exported).status_code == 302
    imported = db.session.execute(select(Rule.province_code, Rule.name).where(mine)).all()
    assert dict(imported) == names


def test_import_creates_and_updates_rules_by_their_conditions(admin_client, db, queue):
    content = HEADER + (
        "HCM dossiers,moj,dossier,79,,province-79,10,,moj-it,1\n"
        "Payment to IT,moj,payment,,,moj-it,100,1,,yes\n"
    )
    assert upload(admin_client, content).status_code == 302
    created = db.session.scalar(
        select(Rule).where(Rule.province_code == "79", Rule.system_code == "moj")
    )
    assert (created.queue_id, created.rank, created.escalation_queue_id) == (
        queue("province-79").id,
        10,
        queue("moj-it").id,
    )
    updated = db.session.scalar(
        select(Rule).where(Rule.system_code == "moj", Rule.category_code == "payment")
    )
    assert (updated.queue_id, updated.priority_override) == (queue("moj-it").id, 1)


def test_import_reads_excel_semicolons_and_restores_leading_zeros(admin_client, db, queue):
    content = "\ufeffqueue;system;category;province\nprovince-01;moj;dossier;1\n"
    assert upload(admin_client, content).status_code == 302
    rule = db.session.scalar(
        select(Rule).where(Rule.category_code == "dossier", Rule.system_code == "moj")
    )
    assert (rule.province_code, rule.queue_id) == ("01", queue("province-01").id)


def test_import_with_bad_rows_reports_each_line_and_changes_nothing(admin_client, db):
    before = db.session.scalar(select(func.count(Rule.id)))
    content = HEADER + (
        "good,moj,dossier,79,,province-79,,,,\n"
        "bad system,xyz,dossier,01,,province-01,,,,\n"
        "bad queue,moj,dossier,31,,no-such-queue,,,,\n"
        "bad priority,moj,dossier,48,9,province-48,,,,\n"
        "twin,moj,dossier,79,,province-01,,,,\n"
    )
    response = upload(admin_client, content)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was imported" in html
    for line, text in [
        (3, "system: unknown code"),
        (4, "no queue has the code"),
        (5, "priority"),
        (6, "Same conditions as line 2"),
    ]:
        assert f"Line {line}:" in html and text in html
    assert "Line 2:" not in html
    assert db.session.scalar(select(func.count(Rule.id))) == before


def test_import_without_a_queue_column_is_refused(admin_client):
    response = upload(admin_client, "system,category\nmoj,payment\n")
    assert response.status_code == 200
    assert "Line 1 must name the columns" in response.get_data(as_text=True)


# ---------------------------------------------------------------- tester


def test_tester_shows_the_decision_the_reason_and_the_rules_in_winning_order(
    admin_client, db, queue
):
    narrow = Rule(
        queue_id=queue("province-79").id,
        system_code="moj",
        category_code="payment",
        province_code="79",
        name="Thanh toán TP.HCM",
    )
    db.session.add(narrow)
    db.session.commit()
    response = post_form(
        admin_client,
        "/admin/routing/tester",
        {"system": "moj", "category": "payment", "province": "79", "priority": "3"},
    )
    html = response.get_data(as_text=True)
    assert '<span data-testid="decision-queue">province-79</span>' in html
    reason = f"rule {narrow.id} (system=moj, category=payment, province=79, priority=any)"
    assert f'<code data-testid="decision-reason">{reason}</code>' in html
    matching = html.split('data-testid="matching-rules"')[1]
    assert matching.index(f">{narrow.id}</a>") < matching.index("moj-fpt")
    assert "no available member covers this province" in html


def test_tester_refuses_an_unknown_code(admin_client):
    response = post_form(
        admin_client,
        "/admin/routing/tester",
        {"system": "xyz", "category": "payment", "province": "79", "priority": "3"},
    )
    assert response.status_code == 200
    assert 'data-testid="decision"' not in response.get_data(as_text=True)
