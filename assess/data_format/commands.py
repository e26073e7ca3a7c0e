"""``assess export`` and ``assess import``: the whole instance or one organisation, as one JSON
file in the published format (docs/formats/)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from assess.data_format.export_file import ExportInvalid
from assess.services import data_transfer
from assess.services.data_transfer import FileRefused, Scope


@click.command("export")
@click.option("--organisation", "organisation_id", type=int, help="Export this organisation.")
@click.option("--all", "everything", is_flag=True, help="Export the whole instance.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (- for standard output).",
)
@click.option(
    "--with-credentials",
    is_flag=True,
    help="Include password hashes, so that people sign in with their passwords after a move. "
    "Without it they set a new password with 'Forgotten your password?'.",
)
@with_appcontext
def export_command(
    organisation_id: int | None, everything: bool, output: Path, with_credentials: bool
) -> None:
    """Write an export file: one organisation (--organisation ID) or everything (--all).

    The file is checked against the format's JSON Schema as it is written; it is written to a
    temporary name and renamed when complete, so a failure never leaves half a file.
    """
    if everything == (organisation_id is not None):
        raise click.UsageError("Give exactly one of --organisation ID and --all.")
    if organisation_id is not None and not data_transfer.organisation_exists(organisation_id):
        raise click.ClickException(f"There is no organisation {organisation_id}.")
    scope = Scope(organisation_id=organisation_id)
    data_transfer.record_export(scope, None, with_credentials=with_credentials, where="cli")
    to_stdout = str(output) == "-"
    partial = output.with_name(output.name + ".part")
    size = 0
    try:
        with click.open_file("-", "wb") if to_stdout else partial.open("wb") as stream:  # type: ignore[attr-defined]
            for chunk in data_transfer.export_chunks(scope, with_credentials=with_credentials):
                stream.write(chunk)
                size += len(chunk)
    except ExportInvalid as error:
        if not to_stdout:
            partial.unlink(missing_ok=True)
        raise click.ClickException(f"The export stopped: {error}") from None
    if not to_stdout:
        partial.replace(output)
        what = "the whole instance" if everything else f"organisation {organisation_id}"
        click.echo(f"Wrote {output} ({size:,} bytes): {what}.", err=True)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--max-bytes",
    type=int,
    default=None,
    help="The largest file to read (default: the IMPORT_MAX_BYTES setting, 1 GB).",
)
@with_appcontext
def import_command(file: Path, max_bytes: int | None) -> None:
    """Import an export FILE: all or nothing, in one transaction.

    Ids are kept, so the records must not exist here yet (import into a new, empty database
    when moving an instance). Run it as the database's owner (the role that runs
    'assess db upgrade'): the import writes finished history past the protecting triggers.
    """
    from assess.data_format.import_file import read_capped

    limit = max_bytes or current_app.config["IMPORT_MAX_BYTES"]
    try:
        with file.open("rb") as stream:
            content = read_capped(stream, limit)
        result = data_transfer.import_bytes(content, file_name=file.name)
    except FileRefused as error:
        raise click.ClickException(f"Nothing was imported. {error}") from None
    scope = result.scope
    what = (
        "the whole instance"
        if scope["kind"] == "instance"
        else f"organisation {scope['organisation_id']}"
    )
    click.echo(f"Imported {what} from {file}: {result.total:,} records.")
    for key, count in result.counts.items():
        if count:
            click.echo(f"  {key}: {count:,}")
    for key, count in result.reused.items():
        click.echo(f"  {key} already here (the same), kept as they were: {count:,}")
    if scope["kind"] == "organisation" and not result.events_in_trail:
        click.echo(
            "  The organisation's earlier audit events stay in the file (keep it): they are part "
            "of the old instance's chain. This trail records the import with the file's checksum."
        )
