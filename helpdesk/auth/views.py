"""Login, logout, registration, links from mail, password and profile pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import SelectChoice

from helpdesk import errors
from helpdesk.auth import permissions, services
from helpdesk.auth.forms import (
    ROLE_LABELS,
    STATUS_LABELS,
    ChangePasswordForm,
    ConfirmForm,
    LoginForm,
    PasswordResetRequestForm,
    ProfileForm,
    RegistrationForm,
    SetPasswordForm,
)
from helpdesk.auth.models import Role
from helpdesk.auth.permissions import me
from helpdesk.catalogue import services as catalogue
from helpdesk.extensions import limiter, login_manager
from helpdesk.i18n import select_locale
from helpdesk.site.views import local_path

bp = Blueprint("auth", __name__, url_prefix="/auth")

# What a user who must change their password may still reach.
OPEN_WHILE_PASSWORD_CHANGE = {
    "auth.change_password",
    "auth.logout",
    "static",
    "site.language",
    "site.healthz",
}


@login_manager.user_loader
def load_user(session_id: str):
    return services.load_session_user(session_id)


@bp.before_app_request
def require_own_password():
    """A provisioned account sets its own password before it can do anything else."""
    user = current_user._get_current_object()  # loads the session's user, once per request
    if not user.is_authenticated or not user.must_change_password:
        return None
    if request.endpoint in OPEN_WHILE_PASSWORD_CHANGE:
        return None
    if request.path.startswith("/api/"):
        raise errors.Forbidden(_("Change your password on the web before using the API."))
    return redirect(url_for("auth.change_password"))


@bp.app_context_processor
def account_flags():
    """Menu flags and the masking helper for every template."""
    user = permissions.signed_in_user()  # each check below reads several of its attributes
    return {
        "can_manage_accounts": permissions.can(user, "accounts.manage"),
        "can_approve_accounts": permissions.can(user, "accounts.approve"),
        "can_import_accounts": permissions.can(user, "accounts.import"),
        "can_unthrottle_accounts": permissions.can(user, "accounts.unthrottle"),
        "can_read_reports": permissions.can(user, "reports.read"),
        "can_supervise": permissions.can(user, "tickets.supervise"),
        "can_configure": permissions.can(user, "admin.configure"),
        "shown_username": lambda account: permissions.shown_username(user, account),
        "role_label": lambda role: ROLE_LABELS.get(role, role),
        "status_label": lambda status: STATUS_LABELS.get(status, status),
    }


def account_key() -> str:
    """The rate limiter's key for one account: the normalised login name of the form."""
    return "account:" + services.normalised_username(request.form.get("username", ""))


def log_in(user, *, remember: bool) -> None:
    session.permanent = True  # PERMANENT_SESSION_LIFETIME bounds it
    login_user(user, remember=remember)


def remembered() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


# ---------------------------------------------------------------- login, logout


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10/minute;100/hour", methods=["POST"])
@limiter.limit("10/minute;50/hour", methods=["POST"], key_func=account_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("site.home"))
    form = LoginForm()
    if form.validate_on_submit():
        result = services.authenticate(form.username.data, form.password.data)
        if result.ok:
            log_in(result.user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=result.user.full_name), "success")
            if result.user.must_change_password:
                return redirect(url_for(".change_password"))
            return redirect(local_path(request.args.get("next")) or url_for("site.home"))
        form.form_errors.append(login_failure_message(result.outcome))
    return render_template("auth/login.html", form=form)


def login_failure_message(outcome: services.Outcome) -> str:
    if outcome is services.Outcome.PENDING_VERIFICATION:
        return _("Confirm your e-mail address first: follow the link we sent you.")
    if outcome is services.Outcome.PENDING_APPROVAL:
        return _("Your registration is waiting for approval. We will tell you by e-mail.")
    if outcome is services.Outcome.INACTIVE:
        return _("This account cannot log in. Contact your unit's account administrator.")
    # One message for every other cause, throttling included: nothing tells whether the
    # account exists or is being held back.
    return _(
        "Wrong login name or password. After several failed attempts, logging in to an "
        "account is paused for a few minutes: try again later or reset your password."
    )


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.log_out(me())  # ends the user's sessions on every device
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("site.home"))


# ---------------------------------------------------------------- registration


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("5/minute;30/hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("site.home"))
    form = RegistrationForm()
    form.domain.choices = [SelectChoice(d) for d in services.login_domains()]
    form.province.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(p.code, p.name) for p in catalogue.provinces()
    ]
    if form.validate_on_submit():
        try:
            user = services.register(form.to_draft(language=select_locale()))
        except errors.HelpdeskError as error:
            errors.attach_to_form(form, error)
        else:
            return render_template("auth/registered.html", email=user.email)
    return render_template("auth/register.html", form=form)


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    """The link from the confirmation mail: a page whose button (POST) confirms."""
    form = ConfirmForm()
    try:
        if form.validate_on_submit():
            services.confirm_email(token)
            flash(
                _(
                    "Thank you: your e-mail address is confirmed. An approver will now review "
                    "your registration; we will tell you by e-mail."
                ),
                "success",
            )
            return redirect(url_for(".login"))
        user = services.check_verification_link(token)
    except (services.LinkExpired, services.LinkInvalid) as error:
        return render_template("auth/link_invalid.html", message=error.message), 400
    return render_template(
        "auth/confirm.html",
        form=form,
        title=_("Confirm your e-mail address"),
        text=_(
            "Press the button to confirm the address %(email)s for the account %(username)s.",
            email=user.email,
            username=user.masked_username,
        ),
        button=_("Confirm my e-mail address"),
    )


# ---------------------------------------------------------------- passwords


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10/minute", methods=["POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = services.change_password(me(), form.current_password.data, form.password.data)
        except errors.HelpdeskError as error:
            errors.attach_to_form(form, error)
        else:
            log_in(user, remember=remembered())  # this session goes on; the others ended
            flash(
                _(
                    "Your password is changed. Your other sessions have ended and your API "
                    "tokens, if you had any, were revoked."
                ),
                "success",
            )
            return redirect(url_for("site.home"))
    return render_template(
        "auth/change_password.html", form=form, forced=current_user.must_change_password
    )


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5/minute;20/hour", methods=["POST"])
def request_reset():
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.username.data)
        # The same answer whether or not the account exists.
        flash(
            _(
                "If an active account has this login name, we have sent a link to its e-mail "
                "address. The link is valid for one hour."
            ),
            "info",
        )
        return redirect(url_for(".login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return password_link_page("reset", token)


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate(token: str):
    return password_link_page("activate", token)


def password_link_page(purpose: str, token: str):
    """Set a password from a mailed link (GET shows the form, so a scanner's visit is harmless)."""
    form = SetPasswordForm()
    try:
        user = services.check_password_link(purpose, token)
        if form.validate_on_submit():
            try:
                services.set_password_by_link(purpose, token, form.password.data)
            except (services.LinkExpired, services.LinkInvalid):
                raise
            except errors.HelpdeskError as error:
                errors.attach_to_form(form, error)
            else:
                if current_user.is_authenticated:
                    logout_user()
                flash(_("Your password is set. You can log in now."), "success")
                return redirect(url_for(".login"))
    except (services.LinkExpired, services.LinkInvalid) as error:
        return render_template("auth/link_invalid.html", message=error.message), 400
    title = _("Activate your account") if purpose == "activate" else _("Choose a new password")
    return render_template(
        "auth/set_password.html", form=form, title=title, username=user.masked_username
    )


# ---------------------------------------------------------------- profile


def own_account_key() -> str:
    """The rate limiter's key for the signed-in account: guesses of the current password (a
    new e-mail address needs it) are limited per account, as logins are."""
    return f"profile:{getattr(current_user, 'id', '')}"


@bp.route("/profile", methods=["GET", "POST"])
@login_required
@limiter.limit("10/minute;50/hour", methods=["POST"], key_func=own_account_key)
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            mailed = services.update_profile(me(), form.to_change())
        except errors.HelpdeskError as error:
            errors.attach_to_form(form, error)
        else:
            flash(_("Your profile is saved."), "success")
            if mailed:
                flash(
                    _(
                        "We sent a link to %(email)s: the new address is used once you follow it.",
                        email=current_user.pending_email,
                    ),
                    "info",
                )
            return redirect(url_for(".profile"))
    return render_template(
        "auth/profile.html",
        form=form,
        user=me(),
        is_admin=current_user.role == Role.ADMIN,
    )


@bp.route("/email/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str):
    form = ConfirmForm()
    try:
        if form.validate_on_submit():
            services.confirm_email_change(token)
            flash(_("Your new e-mail address is confirmed."), "success")
            return redirect(
                url_for(".profile") if current_user.is_authenticated else url_for(".login")
            )
        user = services.check_email_change_link(token)
    except (services.LinkExpired, services.LinkInvalid) as error:
        return render_template("auth/link_invalid.html", message=error.message), 400
    return render_template(
        "auth/confirm.html",
        form=form,
        title=_("Confirm your new e-mail address"),
        text=_(
            "Press the button to use %(email)s for the account %(username)s.",
            email=user.pending_email,
            username=user.masked_username,
        ),
        button=_("Confirm the new address"),
    )


@bp.route("/email/undo/<token>", methods=["GET", "POST"])
def undo_email_change(token: str):
    """The link mailed to the old address: a page whose button (POST) restores it."""
    form = ConfirmForm()
    try:
        if form.validate_on_submit():
            reset_token = services.undo_email_change(token)
            if current_user.is_authenticated:
                logout_user()
            flash(
                _(
                    "Your e-mail address is restored. Every session of the account has ended "
                    "and its API tokens were revoked. The password that was used no longer "
                    "works: choose a new one."
                ),
                "success",
            )
            if reset_token is None:
                return redirect(url_for(".login"))
            return redirect(url_for(".reset_password", token=reset_token))
        change = services.check_email_undo_link(token)
    except (services.LinkExpired, services.LinkInvalid) as error:
        return render_template("auth/link_invalid.html", message=error.message), 400
    return render_template(
        "auth/confirm.html",
        form=form,
        title=_("Undo the change of e-mail address"),
        text=_(
            "Press the button to give the account %(username)s back its address %(email)s. "
            "This also ends every session of the account, revokes its API tokens and makes "
            "its password stop working: you then choose a new one.",
            username=change.user.masked_username,
            email=change.old_email,
        ),
        button=_("Restore my address"),
    )


@bp.route("/tokens")
@login_required
def tokens():
    """The API tokens page lives with the API; old links land there."""
    return redirect(url_for("tokens.index"))
