"""`flask directory import FILE` and `flask directory export FILE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from helpdesk import errors
from helpdesk.directory import files

directory_cli = AppGroup("directory", help="The support directory as CSV or XLSX.")


@directory_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_directory(file: Path) -> None:
    """Add or update directory entries from a CSV (UTF-8) or XLSX FILE.

    Columns: system, province, kind, organisation, name, phone, email, hours, handles, note
    (empty system: every system; empty province: the whole country). A row with the system,
    province, kind, organisation and name of an entry updates it; other rows add entries.
    All or nothing: when any row is bad, each is printed as "line N: reason", nothing is
    saved and the command exits with status 1.
    """
    try:
        result = files.import_entries(None, files.read_rows(file.name, file.read_bytes()))
    except errors.HelpdeskError as error:
        raise click.ClickException(error.message) from error
    for problem in result.problems:
        click.echo(f"line {problem.line}: {'; '.join(problem.messages)}", err=True)
    if not result.ok:
        click.echo(f"{len(result.problems)} bad rows: nothing imported", err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged")


@directory_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_directory(file: Path) -> None:
    """Write every directory entry to FILE, CSV or XLSX by its suffix (formula-safe cells)."""
    suffix = file.suffix.lower()
    if suffix == ".csv":
        file.write_text(files.export_csv(), encoding="utf-8", newline="")
    elif suffix == ".xlsx":
        file.write_bytes(files.export_xlsx())
    else:
        raise click.ClickException("the file must end in .csv or .xlsx")
    click.echo(f"written: {file}")
