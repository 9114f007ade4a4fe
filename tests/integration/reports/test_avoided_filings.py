"""Filings avoided thanks to a help article on the reports page and in its export: per
article, in the period, within the reader's reach (an observer's systems, a coordinator's
province), in one statement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from integration.help.suggestion_helpers import add_article
from integration.reports.test_reader_scope import csv_rows, section

from helpdesk.help.models import Deflection
from helpdesk.timeutil import utcnow


@pytest.fixture
def avoided(db, make_user):
    """Article A avoided 3 filings (moj/79, moj/79, moha/01), B 1 (moj/01), C 1 (no codes);
    one more of A two years ago, out of the period."""
    official = make_user("requester")
    first = add_article(db, "Tài khoản thụ hưởng ZETA", slug="bai-a")
    second = add_article(db, "Đối chiếu giao dịch ZETA", slug="bai-b")
    third = add_article(db, "Câu hỏi chung ZETA", slug="bai-c")
    now = utcnow() - timedelta(hours=1)
    for article, system, province, at in (
        (first, "moj", "79", now),
        (first, "moj", "79", now - timedelta(days=1)),
        (first, "moha", "01", now),
        (second, "moj", "01", now),
        (third, None, None, now),
        (first, "moj", "79", now - timedelta(days=800)),
    ):
        db.session.add(
            Deflection(
                article_id=article.id,
                user_id=official.id,
                system_code=system,
                category_code="payment" if system else None,
                province_code=province,
                created_at=at,
            )
        )
    db.session.commit()


def rows(html: str) -> dict[str, str]:
    """Each article's slug and count in the dashboard's table."""
    table = section(html, "report-avoided")
    found = {}
    for row in table.split("<tr data-article=")[1:]:
        slug = row.split('"')[1]
        found[slug] = row.split('class="text-end">')[1].split("<")[0]
    return found


def test_an_admin_reads_every_article_most_avoided_first(db, browser, make_user, avoided):
    html = browser(make_user("admin"), "vi").get("/reports/").get_data(as_text=True)

    assert "Yêu cầu được tránh nhờ bài hướng dẫn" in html
    assert rows(html) == {"bai-a": "3", "bai-b": "1", "bai-c": "1"}
    assert list(rows(html)) == ["bai-a", "bai-c", "bai-b"]  # ties by title


def test_an_observer_bound_to_a_system_reads_that_system_s_only(db, browser, make_user, avoided):
    reader = browser(make_user("observer", systems=("moj",)))

    assert rows(reader.get("/reports/").get_data(as_text=True)) == {"bai-a": "2", "bai-b": "1"}


def test_a_coordinator_reads_its_province_s_only(db, browser, make_user, avoided):
    reader = browser(make_user("coordinator", province_code="79"))

    for url in ("/reports/", "/reports/?province=01"):
        assert rows(reader.get(url).get_data(as_text=True)) == {"bai-a": "2"}


def test_the_export_lists_them_with_the_total(db, browser, make_user, avoided):
    reader = browser(make_user("observer", systems=("moj",)), "vi")

    found = [row for row in csv_rows(reader, "/reports/export.csv") if row[0] == "avoided"]

    assert found == [
        ["avoided", "", "Yêu cầu được tránh nhờ bài hướng dẫn", "3"],
        ["avoided", "bai-a", "Tài khoản thụ hưởng ZETA", "2"],
        ["avoided", "bai-b", "Đối chiếu giao dịch ZETA", "1"],
    ]


def test_no_deflection_says_so(db, browser, make_user):
    html = browser(make_user("admin"), "vi").get("/reports/").get_data(as_text=True)

    assert "Không có yêu cầu nào được tránh trong kỳ này." in section(html, "report-avoided")


def test_the_table_costs_one_statement(db, make_user, avoided, count_queries, app):
    from helpdesk.reports import deflections, queries
    from helpdesk.reports.scope import reach_of

    scope = queries.ReportScope(
        start=(utcnow() - timedelta(days=30)).date(),
        end=(utcnow() + timedelta(days=2)).date(),
        reach=reach_of(make_user("coordinator", province_code="79")),
    )
    with count_queries() as statements:
        found = deflections.by_article(scope, timezone=app.config["HELPDESK_TIMEZONE"])

    assert len(statements) == 1
    assert [(row.slug, row.avoided) for row in found.articles] == [("bai-a", 2)]
    assert found.total == 2
