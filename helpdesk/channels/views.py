"""The admins' page of inbound mail set aside: who sent what and why it was kept, the message as
received, and a button that marks it reviewed."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from helpdesk import storage
from helpdesk.auth.models import Role
from helpdesk.auth.permissions import me, role_required
from helpdesk.channels import review
from helpdesk.channels.destinations import Reason
from helpdesk.channels.models import InboundMail
from helpdesk.extensions import db
from helpdesk.inputs import ButtonForm, int_arg
from helpdesk.tickets.services.mail import redact

bp = Blueprint("channels", __name__, url_prefix="/admin/mail")

PER_PAGE = 50
REASONS = {
    Reason.FORGED_ADDRESS: _l("Its reply address is forged: the signature does not match."),
    Reason.SENDER_MISMATCH: _l("Sent to someone else's reply address, from another address."),
    Reason.NOT_ALLOWED: _l("The sender may not write on that ticket, or file tickets by mail."),
    Reason.AMBIGUOUS_SENDER: _l("Several accounts that file tickets have the sender's address."),
    Reason.NO_DESTINATION: _l("No reply address, ticket number or queue address to go to."),
    Reason.FAILED: _l("Taking it in failed (the error is in the log); sent again, it is retried."),
}


@dataclass(frozen=True)
class Row:
    """A message set aside as the list shows it: no whole CCCD in its address or subject."""

    mail: InboundMail
    sender: str
    subject: str
    reason: str


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    page = db.paginate(review.set_aside(), page=int_arg("page"), per_page=PER_PAGE, error_out=False)
    rows = [
        Row(
            mail,
            sender=redact(mail.sender),
            subject=redact(mail.subject),
            reason=str(REASONS.get(mail.reason, mail.reason)),
        )
        for mail in page.items
    ]
    return render_template("channels/index.html", page=page, rows=rows, form=ButtonForm())


@bp.route("/<int:mail_id>/message.eml")
@role_required(Role.ADMIN)
def download(mail_id: int):
    return storage.download(*review.raw_of(mail_id))


@bp.route("/<int:mail_id>/reviewed", methods=["POST"])
@role_required(Role.ADMIN)
def reviewed(mail_id: int):
    if ButtonForm().validate_on_submit():
        review.mark_reviewed(me(), mail_id)
        flash(_("Marked as reviewed."), "success")
    return redirect(url_for(".index", page=int_arg("page")))
