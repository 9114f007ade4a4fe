"""The deployment's IMAP mailbox as a source of inbound mail (HELPDESK_IMAP_URL): the folder's
messages by UID, oldest first, as the exact bytes received; each moved to "processed" or
"rejected" once taken in. `imaps://` is TLS (port 993); `imap://` is plain (port 143), upgraded
with STARTTLS when the server offers it."""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from imap_tools import BaseMailBox, MailBox, MailBoxUnencrypted
from imap_tools.errors import ImapToolsError, MailboxLoginError

from helpdesk.channels.models import Outcome
from helpdesk.channels.sources import Waiting, folder_for

log = logging.getLogger(__name__)

BATCH = 50  # messages per FETCH: a mailbox of any size is read in bounded memory
BATCH_BYTES = 8 * 1024 * 1024  # ... and about this many bytes (a bigger message comes alone)
TIMEOUT = 30  # seconds a connection or a read may take before the server counts as gone
IDLE_LIMIT = 29 * 60  # RFC 2177: IDLE is re-issued at least every 29 minutes
PORTS = {"imap": 143, "imaps": 993}

UID = re.compile(rb"\bUID (\d+)")
SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
EXISTS = re.compile(rb"^\* \d+ EXISTS")
FAILURES = (OSError, imaplib.IMAP4.error, ImapToolsError)  # ssl.SSLError is an OSError


class ImapError(Exception):
    """The mailbox cannot be read or changed now (unreachable, login refused, a command
    refused, the connection lost). Its message names the mailbox, never the password."""


@dataclass(frozen=True)
class ImapAddress:
    tls: bool  # imaps://: TLS from the first byte
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    folder: str

    def __str__(self) -> str:
        scheme = "imaps" if self.tls else "imap"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{quote(self.user, safe='')}:***@{host}:{self.port}/{self.folder}"


def parse_url(url: str) -> ImapAddress:
    """`imap[s]://user:password@host[:port][/folder]`, user and password percent-encoded; the
    folder is INBOX unless given. Raises ValueError (without the password) when malformed."""
    parts = urlsplit(url)
    masked = f"{parts.scheme}://…@{parts.hostname or ''}"
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"HELPDESK_IMAP_URL {masked}: the port is not a number") from None
    if parts.scheme not in PORTS:
        raise ValueError(f"HELPDESK_IMAP_URL {masked}: the scheme must be imap:// or imaps://")
    if not parts.hostname or not parts.username or parts.password is None:
        raise ValueError(f"HELPDESK_IMAP_URL {masked}: a user, a password and a host are needed")
    return ImapAddress(
        tls=parts.scheme == "imaps",
        host=parts.hostname,
        port=port or PORTS[parts.scheme],
        user=unquote(parts.username),
        password=unquote(parts.password),
        folder=unquote(parts.path.strip("/")) or "INBOX",
    )


class ImapSource:
    """An IMAP folder, read through one connection opened on first use: `waiting()` yields its
    messages (not deleted ones, oldest first, left unseen) in batches of at most BATCH messages
    and about BATCH_BYTES; `done()` moves one to its folder (created when missing), with MOVE
    where the server has it, else COPY, then STORE \\Deleted and EXPUNGE. Every failure is an
    ImapError; the caller stops, and what was not moved waits for the next fetch."""

    def __init__(
        self, url: str, *, ssl_context: ssl.SSLContext | None = None, timeout: float = TIMEOUT
    ) -> None:
        self.address = parse_url(url)
        self.ssl_context = ssl_context  # None: the system's trusted authorities
        self.timeout = timeout
        self.box: BaseMailBox | None = None
        self.folders: set[str] = set()  # destination folders known to exist

    def __repr__(self) -> str:
        return f"ImapSource({self.address})"

    def waiting(self) -> Iterator[Waiting]:
        with self.talking("search"):
            uids = sorted(int(uid) for uid in self.mailbox().uids("UNDELETED", charset=None))
        log.info("%s: %d messages waiting", self.address, len(uids))
        for start in range(0, len(uids), BATCH):
            with self.talking("fetch"):
                batches = self.by_size(uids[start : start + BATCH])
            for batch in batches:
                with self.talking("fetch"):
                    found = self.bodies(batch)
                for uid in batch:
                    if uid in found:  # not moved by another fetch meanwhile
                        yield Waiting(str(uid), found.pop(uid))

    def done(self, item: Waiting, outcome: Outcome) -> None:
        folder = folder_for(outcome)
        with self.talking(f"move to {folder}"):
            box = self.mailbox()
            if folder not in self.folders:
                if not box.folder.exists(folder):
                    box.folder.create(folder)
                self.folders.add(folder)
            box.move(item.ref, folder)

    def wait_for_new(self, seconds: float) -> bool:
        """Wait, with IDLE, until a message arrives in the folder or `seconds` pass (at most 29
        minutes): True when one arrived. False at once when the server has no IDLE (the next
        periodic fetch finds what came)."""
        with self.talking("idle"):
            box = self.mailbox()
            if "IDLE" not in box.client.capabilities:
                return False
            responses = box.idle.wait(timeout=min(seconds, IDLE_LIMIT))
        return any(EXISTS.match(line) for line in responses)

    def close(self) -> None:
        """Log out; quietly when the connection is already gone."""
        box, self.box = self.box, None
        if box is None:
            return
        try:
            box.client.logout()
        except FAILURES as error:
            log.debug("%s: logout failed (%s)", self.address, type(error).__name__)
            drop(box)

    # ------------------------------------------------------------------ the connection

    def mailbox(self) -> BaseMailBox:
        if self.box is None:
            self.box = self.connect()
        return self.box

    def connect(self) -> BaseMailBox:
        address = self.address
        context = self.ssl_context or ssl.create_default_context()
        if address.tls:
            box = MailBox(address.host, address.port, timeout=self.timeout, ssl_context=context)
        else:
            box = MailBoxUnencrypted(address.host, address.port, timeout=self.timeout)
        try:
            if not address.tls and "STARTTLS" in box.client.capabilities:
                box.client.starttls(context)
            elif not address.tls:
                log.warning("%s: no STARTTLS offered, logging in without TLS", address)
            try:
                if (address.user + address.password).isascii():
                    box.login(address.user, address.password, initial_folder=None)
                else:
                    box.login_utf8(address.user, address.password, initial_folder=None)
            except MailboxLoginError as error:
                raise ImapError(f"{address}: login refused: {server_text(error)}") from None
            # imaplib keeps the capabilities announced before login; a server announces more
            # (MOVE, IDLE...) once logged in.
            kind, data = box.client.capability()
            if kind == "OK" and data and data[-1]:
                box.client.capabilities = tuple(data[-1].decode().upper().split())
            box.folder.set(address.folder)
        except BaseException:
            drop(box)
            raise
        log.info("%s: connected", address)
        return box

    @contextmanager
    def talking(self, doing: str) -> Iterator[None]:
        """Turns the failures of what the block asks the server into an ImapError; the
        connection is then dropped (the next use opens another)."""
        try:
            yield
        except ImapError:
            self.forget()
            raise
        except FAILURES as error:
            self.forget()
            raise ImapError(f"{self.address}: {doing} failed: {error}") from error

    def forget(self) -> None:
        box, self.box = self.box, None
        if box is not None:
            drop(box)

    # ------------------------------------------------------------------ fetching

    def by_size(self, uids: list[int]) -> list[list[int]]:
        """The messages among `uids` still there, in batches of about BATCH_BYTES."""
        sizes = {
            uid: size for uid, size, _ in self.fetched(uids, "(UID RFC822.SIZE)") if uid in uids
        }
        batches: list[list[int]] = [[]]
        total = 0
        for uid in uids:
            if uid not in sizes:
                continue
            if batches[-1] and total + sizes[uid] > BATCH_BYTES:
                batches.append([])
                total = 0
            batches[-1].append(uid)
            total += sizes[uid]
        return [batch for batch in batches if batch]

    def bodies(self, uids: list[int]) -> dict[int, bytes]:
        """The messages' exact bytes (BODY.PEEK[]: not marked seen), by UID."""
        return {uid: raw for uid, _, raw in self.fetched(uids, "(UID BODY.PEEK[])") if raw}

    def fetched(self, uids: list[int], parts: str) -> Iterator[tuple[int, int, bytes]]:
        """(uid, RFC822.SIZE or 0, literal or b"") per message of a UID FETCH's answer."""
        client = self.mailbox().client
        kind, data = client.uid("FETCH", ",".join(map(str, uids)), parts)
        if kind != "OK":
            raise ImapError(f"{self.address}: fetch refused: {kind} {data!r:.200}")
        for index, item in enumerate(data):
            if isinstance(item, tuple):  # (b'1 (UID 7 BODY[] {123}', literal) then b')'
                after = data[index + 1] if index + 1 < len(data) else b""
                meta = item[0] + (after if isinstance(after, bytes) else b"")
                raw = item[1]
            elif isinstance(item, bytes) and (index == 0 or not isinstance(data[index - 1], tuple)):
                meta, raw = item, b""  # b'1 (UID 7 RFC822.SIZE 95)'
            else:
                continue  # the closing b')' of a literal, or None (nothing matched)
            uid, size = UID.search(meta), SIZE.search(meta)
            if uid:
                yield int(uid.group(1)), int(size.group(1)) if size else 0, raw


def drop(box: BaseMailBox) -> None:
    """Close the connection's socket without a word to the server."""
    try:
        box.client.shutdown()
    except OSError:
        pass


def server_text(error: MailboxLoginError) -> str:
    data = error.command_result[1] if len(error.command_result) > 1 else ""
    lines = data if isinstance(data, list) else [data]
    return " ".join(
        line.decode(errors="replace") if isinstance(line, bytes) else str(line) for line in lines
    )
