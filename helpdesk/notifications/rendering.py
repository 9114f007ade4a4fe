"""What a mail says: its links, its Message-ID, and its text and HTML rendered from the templates
in the recipient's language."""

from __future__ import annotations

import functools
import hashlib
from email.utils import parseaddr
from urllib.parse import quote, urlsplit

from flask import current_app
from flask_babel import force_locale, get_translations
from jinja2 import Environment, select_autoescape
from werkzeug.routing import MapAdapter

from helpdesk import storage
from helpdesk.notifications import transport


class MissingAttachment(LookupError):
    """A file a row names is not in the store (a rendering failure: the row fails)."""


def link(endpoint: str, **values) -> str:
    """An absolute URL for mail, on HELPDESK_BASE_URL: never the request's Host or forwarded
    headers (a link to a reset token on an attacker's host), the same in a request or a job."""
    anchor = values.pop("_anchor", None)
    url = mail_urls(current_app.config["HELPDESK_BASE_URL"]).build(
        endpoint, values, force_external=True
    )
    return f"{url}#{quote(anchor)}" if anchor else url


def mail_urls(base: str) -> MapAdapter:
    """The app's URL map bound to the base address, made once per app and address (mail for
    a thousand tickets builds a thousand links)."""
    adapters = current_app.extensions.setdefault("mail_urls", {})
    if base not in adapters:
        parts = urlsplit(base)
        adapters[base] = current_app.url_map.bind(
            parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http"
        )
    return adapters[base]


def message_id(row) -> str:
    """Stable per row (id and key) and unique per deployment (the sender's domain): a resend
    after a lost acknowledgement is recognisably the same message."""
    if row.message_id:
        return row.message_id
    digest = hashlib.sha256(row.key.encode()).hexdigest()[:16]
    return f"<outbox-{row.id}-{digest}@{message_id_domain()}>"


def message_id_domain() -> str:
    """The domain of MAIL_DEFAULT_SENDER, a domain the deployment answers for."""
    return domain_of(current_app.config.get("MAIL_DEFAULT_SENDER") or "")


@functools.lru_cache(maxsize=8)
def domain_of(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2].strip().strip(".").lower() or "helpdesk"


def render(row) -> transport.Message:
    """The message of a row (an Outbox or a sending.Claim), in the recipient's language.

    `email/<template>.txt` and `.html` give the two parts; the subject is the text template's
    `subject` block, on one line. The templates see the row's context, `language`, `_()` and
    the app's filters (see mail_templates).
    """
    env = mail_templates(row.language)
    context = {**row.context, "language": row.language}
    with force_locale(row.language):
        text_template = env.get_template(f"email/{row.template}.txt")
        text = text_template.render(context)
        html = env.get_template(f"email/{row.template}.html").render(context)
        subject_block = text_template.blocks["subject"]
        subject = " ".join("".join(subject_block(text_template.new_context(context))).split())
    message = transport.Message(
        subject=subject,
        recipients=[row.to],
        body=text,
        html=html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers={
            "Auto-Submitted": "auto-generated",
            "Content-Language": row.language,
            "X-Helpdesk-Outbox": str(row.id),
            **({"Reply-To": row.context["reply_to"]} if row.context.get("reply_to") else {}),
        },
        message_id=message_id(row),
        attachments=attachments_of(row.context),
    )
    return message


def attachments_of(context: dict) -> list[transport.Attachment]:
    """The files a row's context names, with their bytes from the store."""
    files = []
    for named in context.get("attachments") or ():
        data = storage.read(named["sha256"])
        if data is None:
            raise MissingAttachment(f"attachment {named['sha256']} is not in the store")
        files.append(
            transport.Attachment(
                filename=storage.safe_filename(named["filename"]),
                content_type=named["content_type"],
                data=data,
            )
        )
    return files


def mail_templates(language: str) -> Environment:
    """The app's templates with the language's translations built in, made once per app and
    language: a mail has a score of phrases, and Flask-Babel would otherwise find the locale,
    the domain and the catalogue again for each of them.

    Mail is not a page: the page's globals and context processors (the signed-in user's menu
    flags, url_for, the request) are not there. Links come in the row's context.
    """
    environments = current_app.extensions.setdefault("mail_templates", {})
    if language not in environments:
        app_env = current_app.jinja_env
        env = Environment(
            loader=app_env.loader,
            autoescape=select_autoescape(["html"]),  # as the app's: .html escaped, .txt not
            auto_reload=app_env.auto_reload,
            extensions=["jinja2.ext.i18n"],
        )
        env.filters.update(app_env.filters)
        with force_locale(language):
            env.install_gettext_translations(get_translations(), newstyle=True)
        environments[language] = env
    return environments[language]


def file_name(row) -> str:
    """The .eml file a row is written to when mail goes to files (no MAIL_SERVER)."""
    return f"{row.id:08d}-{row.template}.eml"
