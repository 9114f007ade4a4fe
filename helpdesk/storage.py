"""Attachment files: sniffed by content, stored content-addressed outside static/."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import Response, current_app, send_file
from flask_babel import gettext as _

from helpdesk import errors, text

MAX_FILES = 10
# What officials attach: screenshots, scans, PDFs, Office documents, plain text and logs.
ALLOWED = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/bmp",
    "image/tiff",
    "application/pdf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/x-ole-storage",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "text/plain",
}
TEXT_SUFFIXES = {".txt", ".log", ".csv", ".xml", ".json"}
SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Upload:
    """A file as received: its name as the user gave it and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class StoredFile:
    filename: str
    content_type: str
    size: int
    sha256: str


def safe_filename(name: str) -> str:
    """A display and download name: no path, no control characters, no text-direction
    overrides (U+202E then `gnp.exe` reads `exe.png`), at most 120 characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = re.sub(f'[\\x00-\\x1f{text.TRICKS}"<>:|?*]', "_", name).strip(" .")
    if not name:
        name = "file"
    stem, dot, suffix = name.rpartition(".")
    if dot and len(suffix) <= 10 and stem:
        return f"{stem[: 120 - len(suffix) - 1]}.{suffix}"
    return name[:120]


def sniff(upload: Upload) -> str | None:
    """The content type read from the bytes (never from the name); None if not allowed."""
    kind = filetype.guess(upload.data[:8192])
    if kind is not None:
        return kind.mime if kind.mime in ALLOWED else None
    suffix = Path(upload.filename).suffix.lower()
    if suffix in TEXT_SUFFIXES and b"\x00" not in upload.data:
        try:
            upload.data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain"
    return None


def check(uploads: tuple[Upload, ...], field: str = "attachments") -> list[tuple[Upload, str]]:
    """Each upload with its sniffed type; raises errors.Invalid naming the first bad file."""
    if len(uploads) > MAX_FILES:
        raise errors.Invalid(_("At most %(n)d files per message.", n=MAX_FILES), field)
    checked = []
    for upload in uploads:
        if not upload.data:
            raise errors.Invalid(
                _("The file %(name)s is empty.", name=safe_filename(upload.filename)), field
            )
        content_type = sniff(upload)
        if content_type is None:
            raise errors.Invalid(
                _(
                    "The file %(name)s is not an accepted type "
                    "(images, PDF, Office documents, text).",
                    name=safe_filename(upload.filename),
                ),
                field,
            )
        checked.append((upload, content_type))
    return checked


def folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def path_for(sha256: str) -> Path:
    return folder() / sha256[:2] / sha256[2:4] / sha256


def store(upload: Upload, content_type: str) -> StoredFile:
    """Write the bytes once under their SHA-256 (atomically; the same file twice is one file)."""
    digest = hashlib.sha256(upload.data).hexdigest()
    target = path_for(digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(handle, "wb") as stream:
            stream.write(upload.data)
        os.replace(temporary, target)
    return StoredFile(safe_filename(upload.filename), content_type, len(upload.data), digest)


def read(sha256: str) -> bytes | None:
    """The bytes stored under a SHA-256 (a mail's attachment); None when they are not there,
    or when `sha256` is not one (no path is made of anything else)."""
    if not SHA256.fullmatch(sha256 or ""):
        return None
    try:
        return path_for(sha256).read_bytes()
    except FileNotFoundError:
        return None


def download(sha256: str, filename: str) -> Response:
    """A stored file as a download that the browser may not interpret, never cached by others;
    errors.NotFound when the file is missing from the store."""
    path = path_for(sha256)
    if not path.is_file():
        raise errors.NotFound(_("The file is no longer available."))
    response = send_file(
        path,
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    response.cache_control.private = True
    return response
