"""`flask user ...` and `flask token ...`: accounts and API tokens from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from helpdesk import errors
from helpdesk.auth import services
from helpdesk.auth.models import Role

user_cli = AppGroup("user", help="Create and import accounts.")
token_cli = AppGroup("token", help="API tokens.")


@user_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.REQUESTER.value)
@click.option("--password", default=None, help="Omit to send an activation link instead.")
@click.option("--email", default="")
@click.option("--name", "full_name", default="")
@click.option("--province", default=None, help="2-digit province code.")
@click.option("--queue", "queues", multiple=True, help="Queue the agent belongs to.")
def create_user(username, role, password, email, full_name, province, queues) -> None:
    """Create an account; USERNAME is CCCD@domain (a bare CCCD gets the default domain)."""
    draft = services.AccountDraft(
        username=username, role=role, password=password, email=email,
        full_name=full_name, province_code=province,
    )
    try:
        user = services.create_account(draft)
    except errors.HelpdeskError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"created {user.masked_username} ({user.role})")


@token_cli.command("create")
@click.argument("username")
@click.option("--name", default="cli", help="A label to recognise the token by.")
def create_token(username: str, name: str) -> None:
    """Print a new API token for USERNAME (the token alone on the last line)."""
    user = services.find_user(username)
    if user is None or not user.is_active:
        raise click.ClickException("no active account with that login name")
    click.echo(services.create_token(user, name=name))


DEMO_ADMIN = "001166668888@ht.com"  # the example login of the ministry's own instructions


@user_cli.command("demo")
def create_demo_admin() -> None:
    """Create the demo admin of `make run` once; print its login."""
    from pathlib import Path

    from flask import current_app

    stored = Path(current_app.instance_path) / "demo-admin.txt"
    user = services.find_user(DEMO_ADMIN)
    if user is None:
        password = services.generate_password()
        services.create_account(
            services.AccountDraft(
                username=DEMO_ADMIN, role=Role.ADMIN, password=password,
                full_name="Quản trị hệ thống (demo)",
            )
        )
        stored.write_text(password + "\n")
        stored.chmod(0o600)
    password = stored.read_text().strip() if stored.exists() else "(unchanged, set by you)"
    click.echo(f"Demo admin: {DEMO_ADMIN}  password: {password}")
