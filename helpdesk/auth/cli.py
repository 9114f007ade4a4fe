"""`flask user ...` and `flask token ...`: accounts and API tokens from the command line."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from helpdesk import errors
from helpdesk.auth import services
from helpdesk.auth.models import STAFF_ROLES, Role
from helpdesk.catalogue import services as catalogue
from helpdesk.config import is_embedded
from helpdesk.routing import services as routing
from helpdesk.tickets.services import demo
from helpdesk.tickets.services.demo import DEMO_ADMIN

user_cli = AppGroup("user", help="Create and import accounts.")
token_cli = AppGroup("token", help="API tokens.")


@user_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.REQUESTER.value)
@click.option(
    "--password",
    default=None,
    help="A first password, to be changed at first login. Omit to mail an activation link "
    "(then --email is required).",
)
@click.option("--email", default="")
@click.option("--name", "full_name", default="")
@click.option("--phone", default="")
@click.option(
    "--province",
    default=None,
    help="2-digit province code of the account (required for a coordinator, who joins its "
    "province's queue province-CODE); with --queue, the one province it covers there.",
)
@click.option(
    "--unit",
    default="",
    help="Unit name (needs --province): the province's listed unit it matches (case, diacritics "
    'and "UBND xã/phường" aside), else kept as written.',
)
@click.option("--unit-code", default="", help="Code of a listed unit of --province, exactly.")
@click.option("--queue", "queues", multiple=True, help="Queue the agent belongs to.")
@click.option(
    "--all-provinces",
    is_flag=True,
    help="With --queue: cover every province of the queue (instead of --province).",
)
@click.option(
    "--system",
    "systems",
    multiple=True,
    help="Observers: a system whose figures it reads (repeat for several); none: every system.",
)
@click.option(
    "--editor",
    is_flag=True,
    help="Staff: edits and publishes help articles (/help); admins publish anyway.",
)
def create_user(  # noqa: PLR0913 - one parameter per option
    username,
    role,
    password,
    email,
    full_name,
    phone,
    province,
    unit,
    unit_code,
    queues,
    all_provinces,
    systems,
    editor,
) -> None:
    """Create an active account; USERNAME is CCCD@domain (a bare CCCD gets the default domain).

    Without --password the account has no password: an activation link (valid 7 days) is
    mailed so that its owner sets one. With --password the owner must change it at first login.

    Staff given --queue cover, in each queue, the province of --province or, with
    --all-provinces, every province: one of the two, never implied. A coordinator needs
    --province and joins that province's queue (province-CODE), covering it.

    An observer given --system reads only those systems' figures; without it, every system's.

    Staff given --editor publish help articles (every staff account writes drafts).
    """
    if role == Role.COORDINATOR and not province:
        raise click.ClickException(
            "a coordinator works one province: give --province CODE (2 digits)"
        )
    if editor and role not in STAFF_ROLES:
        raise click.ClickException(
            "--editor is for staff: coordinators, agents, supervisors and admins"
        )
    if systems and role != Role.OBSERVER:
        raise click.ClickException("--system is for observers")
    unknown_systems = [code for code in systems if catalogue.find_system(code) is None]
    if unknown_systems:
        raise click.ClickException(
            f"unknown system: {', '.join(unknown_systems)} (use the system code, e.g. moj)"
        )
    found = [(reference, routing.find_queue(reference)) for reference in queues]
    unknown = [reference for reference, queue in found if queue is None]
    if unknown:
        raise click.ClickException(f"unknown queue: {', '.join(unknown)} (use the queue code)")
    if queues and role not in STAFF_ROLES:
        raise click.ClickException("--queue is for coordinators, agents, supervisors and admins")
    if all_provinces and not queues:
        raise click.ClickException("--all-provinces is for --queue")
    if all_provinces and province:
        raise click.ClickException("give --province or --all-provinces, not both")
    if queues and not (province or all_provinces):
        raise click.ClickException(
            "say which provinces the account covers in its queues: "
            "--province CODE, or --all-provinces"
        )
    covered = [province] if queues and province else []
    if queues:
        try:
            routing.check_coverage(covered, all_provinces=all_provinces)
        except errors.HelpdeskError as error:
            raise click.ClickException(f"--province: {error.message}") from error
    draft = services.AccountDraft(
        username=username,
        role=role,
        password=password,
        email=email,
        full_name=full_name,
        phone=phone,
        province_code=province,
        unit=unit,
        unit_code=unit_code,
        must_change_password=bool(password),
        systems=tuple(systems),
        edits_articles=editor,
    )
    enrolled = [queue for _reference, queue in found]
    try:
        user = routing.provision_account(
            draft, enrolled, provinces=covered, all_provinces=all_provinces
        )
    except errors.HelpdeskError as error:
        raise click.ClickException(error.message) from error
    how = "must change the password at first login" if password else "activation link mailed"
    click.echo(f"created {user.masked_username} ({user.role}); {how}")
    coverage = "every province" if all_provinces else f"province {province}"
    for queue in enrolled:
        click.echo(f"member of {queue.code}, covering {coverage}")
    if systems:
        click.echo(f"reads the figures of {', '.join(sorted(set(systems)))} only")
    provincial = routing.provincial_queue_code(province)
    if role == Role.COORDINATOR and provincial not in {q.code for q in enrolled}:
        click.echo(f"member of {provincial}, covering province {province}")


@user_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_users(file: Path) -> None:
    """Create accounts from a CSV (UTF-8) or XLSX FILE.

    Columns: cccd, full_name, email, phone, province, unit, role (empty role: requester), and
    optionally unit_code (a listed unit's code; else `unit` is matched to the province's list
    by name, or kept as written).
    Each new account is mailed an activation link to set its own password. Each bad row is
    reported as "line N: reason" and creates nothing; the good rows are created together.
    Exits with status 1 when any row was bad (the good rows are still created).
    """
    try:
        rows = services.read_rows(file.name, file.read_bytes())
        report = services.import_accounts(rows)
    except errors.HelpdeskError as error:
        raise click.ClickException(error.message) from error
    for result in report.rejected:
        click.echo(f"line {result.line}: {result.message}", err=True)
    click.echo(f"{len(report.created)} created, {len(report.rejected)} rejected")
    if report.rejected:
        raise click.exceptions.Exit(1)


@token_cli.command("create")
@click.argument("username")
@click.option("--name", default="cli", help="A label to recognise the token by.")
def create_token(username: str, name: str) -> None:
    """Print a new API token for USERNAME (the token alone on the last line)."""
    user = services.find_user(username)
    if user is None or not user.is_active:
        raise click.ClickException("no active account with that login name")
    click.echo(services.create_token(user, name=name))


@user_cli.command("demo")
def create_demo() -> None:
    """Create the demo admin of `make run` once and print its login; on the embedded default
    also the demo desk (agents, a supervisor, tickets in every state; once), whose logins
    `flask serve` prints after its start-up lines."""
    stored = Path(current_app.instance_path) / demo.ADMIN_FILE
    user = services.find_user(DEMO_ADMIN)
    if user is None:
        password = services.generate_password()
        services.create_account(
            services.AccountDraft(
                username=DEMO_ADMIN,
                role=Role.ADMIN,
                password=password,
                full_name="Quản trị hệ thống (demo)",
                must_change_password=False,
            )
        )
        stored.write_text(password + "\n")
        stored.chmod(0o600)
    password = stored.read_text().strip() if stored.exists() else "(unchanged, set by you)"
    click.echo(f"Demo admin: {DEMO_ADMIN}  password: {password}")
    if not is_embedded(current_app.config):
        click.echo(
            "No demo desk: this is not the embedded default (DATABASE_URL or MAIL_SERVER set)."
        )
        return
    # Quietly: a line per ticket filed would bury the logins, and Redis is not running yet
    # under `make run` (the jobs wait for the sweep of `flask serve`: a warning per job).
    quiet = {"helpdesk": logging.WARNING, "helpdesk.worker": logging.ERROR}
    levels = {name: logging.getLogger(name).level for name in quiet}
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)
    try:
        logins = demo.create_demo()
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    if logins is None:
        click.echo("Demo desk: already there (nothing made).")
        return
    path = demo.write_logins(current_app.instance_path, logins)
    click.echo(f"Demo desk made; its logins are kept in {path}:")
    for login in logins:
        click.echo(f"  {login.line()}")
