"""A request's answers to take away: one XLSX (a row per province: its state, when it answered,
the answer's text and the names of its files; formula-safe) and one ZIP of the answers' files,
a folder per province, streamed: the files are read and sent a piece at a time, never held
whole."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from helpdesk import spreadsheets, storage
from helpdesk.requests.tracker import State, Tracker, answers
from helpdesk.timeutil import to_local

CHUNK = 256 * 1024  # bytes read from a stored file at a time

STATE_WORDS = {
    State.NOT_OPENED: lambda: _("Not opened"),
    State.IN_PROGRESS: lambda: _("In progress"),
    State.ANSWERED: lambda: _("Answered"),
    State.LATE: lambda: _("Late"),
}


def state_word(state: State, *, late: bool = False) -> str:
    word = STATE_WORDS[state]()
    if state == State.ANSWERED and late:
        return _("%(state)s (late)", state=word)
    return word


def local(instant: datetime | None) -> str:
    if instant is None:
        return ""
    return to_local(instant, current_app.config["HELPDESK_TIMEZONE"]).strftime("%d/%m/%Y %H:%M")


def answer_rows(tracker: Tracker) -> Iterator[list]:
    """The XLSX's rows: a heading, then a row per province of the tracker (one query for the
    answers' texts)."""
    texts = answers(tracker)
    yield [_("Province"), _("State"), _("Answered at"), _("Answer"), _("Files")]
    for row in tracker.rows:
        said = [answer.body for answer in texts.get(row.ticket_id, [])]
        if row.resolution and row.resolution not in said:
            said.append(row.resolution)
        yield [
            row.name,
            state_word(row.state, late=row.late),
            local(row.answered_at),
            "\n\n".join(said),
            "\n".join(file.filename for file in row.files),
        ]


def answers_xlsx(tracker: Tracker) -> bytes:
    return spreadsheets.xlsx_bytes(answer_rows(tracker), sheet=tracker.request.number)


@dataclass(frozen=True)
class Entry:
    """A file of the ZIP: its name there and where the store keeps it."""

    name: str
    path: Path


def zip_entries(tracker: Tracker) -> list[Entry]:
    """The answers' files, each in its province's folder under a name unique there (the store
    is read here, in the request: the stream that follows needs no app)."""
    entries: list[Entry] = []
    for row in tracker.rows:
        folder = storage.safe_filename(f"{row.province} {row.name}")
        taken: set[str] = set()
        for file in row.files:
            name = unique_name(file.filename, taken)
            entries.append(Entry(f"{folder}/{name}", storage.path_for(file.sha256)))
    return entries


def unique_name(filename: str, taken: set[str]) -> str:
    """The name, or `name (2).ext` and on, so that two files of one folder keep their names."""
    name, count = filename, 1
    stem, dot, suffix = filename.rpartition(".")
    while name.lower() in taken:
        count += 1
        name = f"{stem} ({count}).{suffix}" if dot and stem else f"{filename} ({count})"
    taken.add(name.lower())
    return name


class Pipe:
    """A write-only stream whose bytes are taken away as they come (zipfile writes to it)."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []
        self.position = 0

    def write(self, data: bytes) -> int:
        self.pieces.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        data, self.pieces = b"".join(self.pieces), []
        return data


def zip_stream(entries: list[Entry]) -> Iterator[bytes]:
    """The ZIP of these files, a piece at a time: a file missing from the store is left out."""
    pipe = Pipe()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in entries:
            if not entry.path.is_file():
                continue
            with entry.path.open("rb") as source, archive.open(entry.name, "w") as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield pipe.take()
            yield pipe.take()
    yield pipe.take()
