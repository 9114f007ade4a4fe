"""Fixtures for the knowledge base: articles made through the services, editors."""

from __future__ import annotations

import pytest
import support

from helpdesk.help import services

fresh_limiter = pytest.fixture(autouse=True)(support.fresh_limiter)


@pytest.fixture
def admin(make_user):
    return make_user("admin", language="en")


@pytest.fixture
def make_article(db, admin):
    """An article written (and, unless `published` is False, published) by an admin."""

    def make(title: str = "Tài khoản thụ hưởng", *, published: bool = True, **fields):
        article = services.create_draft(admin, services.ArticleDraft(title=title, **fields))
        if published:
            services.publish(admin, article)
        return article

    return make
