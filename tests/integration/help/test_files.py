"""An article's files: added and removed by writers, downloaded by its readers only, always
as a download the browser may not interpret."""

from __future__ import annotations

import io

from integration.tickets.page_helpers import PNG, download
from support import csrf_token

from helpdesk.help.models import ArticleFile


def upload(client, article, *files):
    page = client.get(f"/help/{article.slug}/edit").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "files": [(io.BytesIO(d), n) for n, d in files]}
    return client.post(f"/help/{article.slug}/files", data=data, content_type="multipart/form-data")


def test_a_file_is_added_downloaded_as_an_attachment_and_removed(
    db, client, browser, make_user, make_article
):
    article = make_article()
    agent = browser(make_user("agent"))
    assert (
        upload(agent, article, ("huong-dan.png", PNG), ("ghi-chu.txt", b"xin chao")).status_code
        == 302
    )
    db.session.expire_all()
    files = (
        db.session.query(ArticleFile)
        .filter_by(article_id=article.id)
        .order_by(ArticleFile.id)
        .all()
    )
    assert [f.filename for f in files] == ["huong-dan.png", "ghi-chu.txt"]
    url = f"/help/{article.slug}/files/{files[0].id}"
    assert url in client.get(f"/help/{article.slug}").get_data(as_text=True)
    response = download(client, url)
    assert response.status_code == 200 and response.data == PNG
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    page = agent.get(f"/help/{article.slug}/edit").get_data(as_text=True)
    removed = agent.post(f"{url}/remove", data={"csrf_token": csrf_token(page)})
    assert removed.status_code == 302
    assert download(client, url).status_code == 404


def test_a_file_of_another_type_is_refused(db, browser, make_user, make_article):
    article = make_article()
    agent = browser(make_user("agent"), "en")
    response = upload(agent, article, ("script.html", b"<script>alert(1)</script>"))
    assert response.status_code == 422
    assert "not an accepted type" in response.get_data(as_text=True)
    assert db.session.query(ArticleFile).count() == 0


def test_a_draft_s_files_are_not_for_officials_or_visitors(
    db, client, browser, make_user, make_article
):
    article = make_article(published=False)
    agent = browser(make_user("agent"))
    upload(agent, article, ("huong-dan.png", PNG))
    file_id = db.session.query(ArticleFile.id).filter_by(article_id=article.id).scalar()
    url = f"/help/{article.slug}/files/{file_id}"
    assert download(agent, url).status_code == 200
    assert download(client, url).status_code == 404
    assert download(browser(make_user("requester")), url).status_code == 404
    other = make_article("Bài khác")
    assert download(client, f"/help/{other.slug}/files/{file_id}").status_code == 404
