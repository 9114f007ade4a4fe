"""The IMAP source against a real Dovecot: what waits, moving it away, the fetch loop across an
outage, a refused login, big messages, TLS, servers without MOVE or IDLE."""

from __future__ import annotations

import logging
import ssl
import threading
import time

import pytest

from helpdesk.channels import fetching, imap
from helpdesk.channels.fetching import Counts, fetch
from helpdesk.channels.imap import ImapError, ImapSource, parse_url
from helpdesk.channels.models import Outcome
from helpdesk.channels.sources import MaildirSource

# Dovecot's capabilities after login, less MOVE (a server that copies, deletes, expunges).
WITHOUT_MOVE = "IMAP4rev1 SASL-IR LITERAL+ UIDPLUS IDLE NAMESPACE UNSELECT CHILDREN"
WITHOUT_IDLE = "IMAP4rev1 SASL-IR LITERAL+ UIDPLUS MOVE NAMESPACE UNSELECT CHILDREN"


@pytest.fixture
def source(dovecot):
    opened = ImapSource(dovecot.url)
    yield opened
    opened.close()


def keys(*numbers: int) -> list[str]:
    return [f"<{number}@example.vn>" for number in numbers]


# ---------------------------------------------------------------- the address


@pytest.mark.parametrize(
    ("url", "tls", "host", "port", "user", "password", "folder"),
    [
        ("imaps://hotro:secret@imap.example.gov.vn/INBOX", True, "imap.example.gov.vn", 993,
         "hotro", "secret", "INBOX"),
        ("imap://hotro:secret@imap.example.gov.vn", False, "imap.example.gov.vn", 143,
         "hotro", "secret", "INBOX"),
        ("imaps://hotro%40bo.gov.vn:p%40ss%2Fw%25rd%3A1@10.0.0.5:1993/H%E1%BB%99p%20th%C6%B0/",
         True, "10.0.0.5", 1993, "hotro@bo.gov.vn", "p@ss/w%rd:1", "Hộp thư"),
    ],
)  # fmt: skip
def test_url_is_read_with_defaults_and_percent_decoding(
    url, tls, host, port, user, password, folder
):
    address = parse_url(url)
    assert (address.tls, address.host, address.port) == (tls, host, port)
    assert (address.user, address.password, address.folder) == (user, password, folder)


@pytest.mark.parametrize(
    "url",
    [
        "pop3://hotro:secret@mail.example.vn/",
        "imaps://hotro@mail.example.vn/",
        "imaps://:secret@mail.example.vn/",
        "imaps://hotro:secret@mail.example.vn:port/",
    ],
)
def test_malformed_url_is_refused_without_the_password(url):
    with pytest.raises(ValueError, match="HELPDESK_IMAP_URL") as error:
        parse_url(url)
    assert "secret" not in str(error.value)


def test_password_is_masked_in_repr_and_logs(dovecot, make_mail, take_in, caplog):
    dovecot.append(make_mail(1))
    source = ImapSource(dovecot.url)
    assert "***" in repr(source)
    assert dovecot.password not in repr(source) and "p%40ss" not in repr(source)
    with caplog.at_level(logging.DEBUG, logger="helpdesk.channels"):
        fetch(source, take_in)
    assert caplog.records, "the fetch logs what it does"
    assert not [r for r in caplog.records if "p@ss" in r.getMessage() or "p%40" in r.getMessage()]


# ---------------------------------------------------------------- waiting and done


def test_messages_waiting_are_yielded_whole_oldest_first_and_left_unseen(
    dovecot, source, make_mail
):
    sent = [make_mail(1), make_mail(2, body="Dòng một\r\n\r\n> trích dẫn\r\n"), make_mail(3)]
    for raw in sent:
        dovecot.append(raw)

    waiting = list(source.waiting())

    assert [item.raw for item in waiting] == sent
    assert [int(item.ref) for item in waiting] == sorted(int(item.ref) for item in waiting)
    with dovecot.client() as box:
        box.folder.set("INBOX")
        assert [message.flags for message in box.fetch(mark_seen=False)] == [()] * 3


def test_done_moves_each_to_its_folder_and_it_waits_no_more(dovecot, source, make_mail):
    for number in (1, 2, 3):
        dovecot.append(make_mail(number))
    outcomes = [Outcome.ADDED, Outcome.SET_ASIDE, Outcome.REFUSED]
    assert "MOVE" in source.mailbox().client.capabilities  # as announced once logged in

    for item, outcome in zip(source.waiting(), outcomes, strict=True):
        source.done(item, outcome)

    assert dovecot.messages("INBOX") == []
    assert dovecot.messages("processed") == [make_mail(1), make_mail(3)]
    assert dovecot.messages("rejected") == [make_mail(2)]
    assert list(source.waiting()) == []


def test_a_big_mailbox_is_fetched_in_batches(dovecot, source, make_mail, monkeypatch):
    for number in range(1, 8):
        dovecot.append(make_mail(number, size=3000 if number == 4 else 0))
    monkeypatch.setattr(imap, "BATCH", 3)
    monkeypatch.setattr(imap, "BATCH_BYTES", 2500)  # message 4 alone; the others in threes
    fetched = []
    bodies = ImapSource.bodies
    monkeypatch.setattr(
        ImapSource, "bodies", lambda self, uids: fetched.append(len(uids)) or bodies(self, uids)
    )

    waiting = [item.raw for item in source.waiting()]

    assert waiting == [make_mail(n, size=3000 if n == 4 else 0) for n in range(1, 8)]
    assert fetched == [3, 1, 2, 1]  # 1-3 | 4 | 5-6 (the second batch of three) | 7


def test_a_10_mb_message_comes_through_whole(dovecot, source, make_mail, take_in):
    big = make_mail(1, size=10 * 1024 * 1024)
    dovecot.append(big)

    assert [item.raw for item in source.waiting()] == [big]
    assert fetch(source, take_in) == Counts(added=1)
    assert dovecot.messages("processed") == [big]


# ---------------------------------------------------------------- the fetch loop


def test_fetching_twice_takes_each_message_in_once(dovecot, make_mail, take_in):
    for number in (1, 2, 3):
        dovecot.append(make_mail(number))

    assert fetch(ImapSource(dovecot.url), take_in) == Counts(added=3)
    assert fetch(ImapSource(dovecot.url), take_in) == Counts()

    assert take_in.taken == keys(1, 2, 3)
    assert dovecot.messages("processed") == [make_mail(n) for n in (1, 2, 3)]


def test_an_outage_mid_fetch_loses_nothing_and_doubles_nothing(dovecot, make_mail, take_in):
    sent = [make_mail(number) for number in range(1, 6)]
    for raw in sent:
        dovecot.append(raw)

    def server_dies(raw, calls):
        if calls == 2:  # the 2nd message is being taken in: the server goes before its move
            dovecot.kill()

    take_in.before = server_dies
    with pytest.raises(ImapError):
        fetch(ImapSource(dovecot.url), take_in)
    assert take_in.taken == keys(1, 2)  # the 2nd was committed, not moved

    dovecot.start()
    take_in.before = None
    assert fetch(ImapSource(dovecot.url), take_in) == Counts(added=3, again=1)

    assert take_in.taken == keys(1, 2, 3, 4, 5)  # each taken in once
    assert take_in.handed == dict.fromkeys(keys(1, 3, 4, 5), 1) | dict.fromkeys(keys(2), 2)
    assert dovecot.messages("processed") == sent
    assert dovecot.messages("INBOX") == []


def test_close_is_quiet_when_the_server_is_gone(dovecot, source, make_mail):
    dovecot.append(make_mail(1))
    assert len(list(source.waiting())) == 1
    dovecot.kill()

    source.close()  # no error

    with pytest.raises(ImapError, match="refused|reset|EOF|closed"):
        list(ImapSource(dovecot.url).waiting())


def test_a_wrong_password_is_a_clear_error_and_nothing_moves(dovecot, make_mail, take_in):
    dovecot.append(make_mail(1))
    wrong = dovecot.url.replace("p%40ss", "wrong")

    with pytest.raises(ImapError, match="login refused.*Authentication failed") as error:
        fetch(ImapSource(wrong), take_in)

    assert "wrong" not in str(error.value) and "***" in str(error.value)
    assert take_in.taken == []
    assert dovecot.messages("INBOX") == [make_mail(1)]
    assert dovecot.messages("processed") == []


def test_a_non_ascii_password_logs_in(make_dovecot, make_mail, take_in):
    server = make_dovecot(password="Mật khẩu hộp thư")
    server.append(make_mail(1))

    assert fetch(ImapSource(server.url), take_in) == Counts(added=1)


def test_a_server_without_move_gets_copy_delete_and_expunge(make_dovecot, make_mail, take_in):
    server = make_dovecot(capability=WITHOUT_MOVE)
    for number in (1, 2):
        server.append(make_mail(number))
    source = ImapSource(server.url)
    assert "MOVE" not in source.mailbox().client.capabilities

    assert fetch(source, take_in) == Counts(added=2)

    assert server.messages("processed") == [make_mail(1), make_mail(2)]
    assert server.messages("INBOX") == []  # expunged, not only marked deleted


def test_open_source_is_the_imap_mailbox_when_configured(
    app, dovecot, make_mail, take_in, tmp_path, monkeypatch
):
    dovecot.append(make_mail(1))
    monkeypatch.setitem(app.config, "HELPDESK_INBOX_FOLDER", str(tmp_path / "inbox"))
    with app.app_context():
        maildir = fetching.open_source()
        maildir.close()
        monkeypatch.setitem(app.config, "HELPDESK_IMAP_URL", dovecot.url)
        source = fetching.open_source()

    assert isinstance(maildir, MaildirSource)
    assert isinstance(source, ImapSource)
    assert fetch(source, take_in) == Counts(added=1)
    assert dovecot.messages("processed") == [make_mail(1)]


# ---------------------------------------------------------------- TLS


def test_imaps_and_starttls_with_a_trusted_certificate(make_dovecot, make_mail, take_in):
    server = make_dovecot(tls=True)
    server.append(make_mail(1))
    server.append(make_mail(2))

    for url in (server.tls_url, server.url):  # imaps://, then imap:// upgraded by STARTTLS
        source = ImapSource(url, ssl_context=server.ssl_context())
        first = next(source.waiting())
        assert isinstance(source.mailbox().client.sock, ssl.SSLSocket)
        source.done(first, Outcome.ADDED)
        source.close()

    assert server.messages("processed") == [make_mail(1), make_mail(2)]


def test_an_untrusted_certificate_is_refused(make_dovecot, make_mail, take_in):
    server = make_dovecot(tls=True)
    server.append(make_mail(1))

    for url in (server.tls_url, server.url):
        with pytest.raises(ImapError, match="CERTIFICATE_VERIFY_FAILED"):
            fetch(ImapSource(url), take_in)
    assert take_in.taken == []


# ---------------------------------------------------------------- IDLE


def test_wait_for_new_returns_when_a_message_arrives(dovecot, source, make_mail):
    assert source.wait_for_new(0.2) is False  # nothing came
    delivery = threading.Timer(0.3, dovecot.append, [make_mail(1)])
    started = time.monotonic()
    delivery.start()
    try:
        assert source.wait_for_new(20) is True
    finally:
        delivery.join()
    assert time.monotonic() - started < 10
    assert [item.raw for item in source.waiting()] == [make_mail(1)]


def test_wait_for_new_without_idle_returns_at_once(make_dovecot):
    source = ImapSource(make_dovecot(capability=WITHOUT_IDLE).url)
    started = time.monotonic()
    try:
        assert source.wait_for_new(30) is False
    finally:
        source.close()
    assert time.monotonic() - started < 5
