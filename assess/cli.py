"""The ``assess`` command: Flask's CLI with the application's own command groups."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy.exc import IntegrityError

from assess import demo, migrate
from assess.questionnaire import loader
from assess.services import ServiceError, accounts, maintenance, outbox
from assess.services import questionnaires as questionnaire_service


def _create_app() -> Flask:
    from assess import create_app

    # A broken questionnaire must not stop the command that reports it (see create_app).
    return create_app(strict_questionnaires=False)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """assess: stakeholder-management maturity for public bodies."""


def init_app(app: Flask) -> None:
    """Add assess's command groups to ``app.cli`` (and so to the ``assess`` command)."""
    app.cli.add_command(db_group)
    app.cli.add_command(questionnaires_group)
    app.cli.add_command(users_group)
    app.cli.add_command(report_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(maintenance_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(mail_group)
    app.cli.add_command(worker_command)
    from assess.data_format.commands import export_command, import_command

    app.cli.add_command(export_command)
    app.cli.add_command(import_command)


@click.group("db", cls=AppGroup)
def db_group() -> None:
    """Create and migrate the database."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Bring the database schema up to REVISION (default: the newest)."""
    migrate.upgrade(current_app, revision)
    click.echo(f"Database is at revision {revision}.")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Take the database schema back to REVISION."""
    migrate.downgrade(current_app, revision)


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does.")
@with_appcontext
def db_revision(message: str) -> None:
    """Write a migration for the difference between the models and the database."""
    migrate.revision(current_app, message)


@db_group.command("check")
@with_appcontext
def db_check() -> None:
    """Exit 1 if the models and the migrations disagree."""
    diffs = migrate.differences(current_app)
    for diff in diffs:
        click.echo(repr(diff))
    if diffs:
        raise SystemExit(1)
    click.echo("Models and migrations agree.")


@db_group.command("grant-app-role")
@click.argument("role")
@with_appcontext
def db_grant_app_role(role: str) -> None:
    """Give ROLE the privileges the application needs (PostgreSQL; run as the owner role).

    Run it after every `assess db upgrade`, with ASSESS_DATABASE_URL naming the owner role;
    the application then connects as ROLE. See docs/security.md.
    """
    from assess import db, db_roles

    engine = db.engine(current_app)
    if engine.dialect.name != "postgresql":
        raise click.ClickException("Only PostgreSQL has roles; SQLite needs no grants.")
    try:
        with engine.begin() as connection:
            statements = db_roles.grant_app_role(connection, role)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    for statement in statements:
        click.echo(f"{statement};")
    click.echo(f"{role} can now run the application.")


@click.group("questionnaires", cls=AppGroup)
def questionnaires_group() -> None:
    """Check the questionnaire files."""


@questionnaires_group.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@with_appcontext
def questionnaires_validate(paths: tuple[Path, ...]) -> None:
    """Check questionnaire files (default: the app's questionnaires folder).

    Prints each problem as ``file: path: message`` and exits 1, or one line per good file. When
    the database has been set up, the files are also compared with the versions already used.
    """
    targets = list(paths) or [questionnaire_service.questionnaires_dir(current_app)]
    loaded, problems = loader.load_paths(targets)
    good = [(path, q) for path, q in loaded if not any(p.file == path.name for p in problems)]
    sources = {q.id: path for path, q in good}
    stored = questionnaire_service.stored_problems(current_app, [q for _path, q in good], sources)
    if stored is None:
        click.echo(
            "(Not compared with stored versions: the database is not set up or not reachable.)",
            err=True,
        )
    else:
        problems += stored
    for problem in problems:
        click.echo(str(problem))
    for path, questionnaire in good:
        if any(p.file in {path.name, f"{path.parent.name}/{path.name}"} for p in problems):
            continue
        questions = sum(1 for _ in questionnaire.questions())
        click.echo(
            f"{path.name}: {questionnaire.kind} v{questionnaire.version}, "
            f"{len(questionnaire.sections)} sections, {questions} questions \N{EN DASH} OK"
        )
    if problems:
        raise SystemExit(1)


@questionnaires_group.command("install")
@click.argument("pack", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--organisation",
    "organisation_ids",
    type=int,
    multiple=True,
    help="An organisation (id) whose new assessments use the pack; repeat for more.",
)
@click.option("--yes", is_flag=True, help="Install without asking to confirm.")
@with_appcontext
def questionnaires_install(pack: Path, organisation_ids: tuple[int, ...], yes: bool) -> None:
    """Check a questionnaire pack (a zip), show what it changes, and install it.

    The pack's files pass the checks of ``validate``; each problem is printed as
    ``file: path: message`` and nothing is installed (exit 1). Otherwise the changes against the
    installed version are printed and, once confirmed, the pack is installed and the organisations
    named with --organisation use it for their new assessments.
    """
    from assess.services import pack_diff, packs

    limit = int(current_app.config["PACK_MAX_BYTES"])
    with pack.open("rb") as stream:
        data = stream.read(limit + 1)
    unknown = packs.unknown_organisations(organisation_ids)
    if unknown:
        click.echo(f"No organisation has the id {', '.join(map(str, unknown))}.", err=True)
        raise SystemExit(1)
    result = packs.check(data, pack.name)
    if not result.ok:
        for problem in result.problems:
            click.echo(str(problem))
        raise SystemExit(1)
    assert result.manifest is not None and result.qset is not None
    changes = pack_diff.diff(result.qset, result.manifest.id)
    click.echo(pack_diff.describe(result, changes))
    if not yes and not click.confirm("Install this pack?", default=False):
        click.echo("Nothing was installed.")
        raise SystemExit(1)
    try:
        row, _checked = packs.stage(data, pack.name, None)
        assert row is not None
        packs.install(row, None)
        if organisation_ids:
            packs.set_users(row, organisation_ids, None)
    except packs.PackRefused as refusal:
        for problem in refusal.problems:
            click.echo(str(problem))
        raise SystemExit(1) from None
    except ServiceError as refusal:
        click.echo(str(refusal.message), err=True)
        raise SystemExit(1) from None
    click.echo(
        f"Installed {row.pack_id} {row.version}; "
        f"{len(organisation_ids)} organisation(s) use it for new assessments."
    )


@click.group("users", cls=AppGroup)
def users_group() -> None:
    """Manage accounts from the command line."""


def _ask(value: str | None, option: str, label: str, *, secret: bool = False) -> str:
    """``value`` when the option was given; otherwise asked for at a terminal. Without a terminal
    (a script, a container's entrypoint, cron) nothing is asked: a missing option is an error that
    names it, never a prompt that waits or aborts."""
    if value is not None:
        return value
    try:
        return str(click.prompt(label, hide_input=secret, confirmation_prompt=secret))
    except click.Abort:
        if sys.stdin.isatty():
            raise  # the person pressed Ctrl-C or Ctrl-D at the prompt
        raise click.UsageError(f"Give {option}: there is no terminal to ask for it.") from None


@users_group.command("create-operator")
@click.option("--email", help="The operator's sign-in address (asked for at a terminal).")
@click.option(
    "--name",
    help='Their name (asked for at a terminal; without one, "Operator").',
)
@click.option(
    "--password",
    envvar="ASSESS_OPERATOR_PASSWORD",
    help="At least 12 characters; or set ASSESS_OPERATOR_PASSWORD, which keeps it out of the "
    "process list (asked for, unseen, at a terminal).",
)
@with_appcontext
def create_operator(email: str | None, name: str | None, password: str | None) -> None:
    """Create an instance operator, who approves and suspends organisations.

    An existing account with EMAIL is made an operator instead (its password is kept). With
    --email and --password (or ASSESS_OPERATOR_PASSWORD) given it asks nothing, so it runs in a
    script.
    """
    email = _ask(email, "--email", "Email address")
    if name is None:
        name = str(click.prompt("Name", default="Operator")) if sys.stdin.isatty() else "Operator"
    password = _ask(password, "--password", "Password", secret=True)
    try:
        user = accounts.create_operator(name, email, password)
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(f"{user.email} is an instance operator.")


class _ReportGroup(AppGroup):
    """``assess report ID -o FILE`` renders; ``assess report verify FILE`` and other subcommands
    work as usual. An argument that names no subcommand is taken as ``render``'s."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["render", *args]
        return super().parse_args(ctx, args)


@click.group("report", cls=_ReportGroup)
def report_group() -> None:
    """Render and verify gap reports: assess report ASSESSMENT_ID -o FILE.pdf, assess report
    verify FILE.pdf"""


@report_group.command("render")
@click.argument("assessment_id", type=int)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="Where to write the PDF.",
)
@with_appcontext
def report_render(assessment_id: int, output: Path) -> None:
    """Write the gap report of ASSESSMENT_ID as a PDF file."""
    from assess.services import assessments, finalising, reports

    assessment = assessments.get(assessment_id)
    if assessment is None:
        raise click.ClickException(f"No assessment {assessment_id} in this database.")
    # A finalised report is the stored file, as every download is; a draft is rendered now.
    stored = None if assessment.is_draft else finalising.stored_report(assessment)
    if stored is not None:
        pdf, report_id = stored.pdf, stored.report_id
    else:
        rendered = reports.render(assessment)
        pdf, report_id = rendered.pdf, rendered.report_id
    # Write to a temporary name first, so a failure never leaves half a file.
    partial = output.with_name(output.name + ".part")
    partial.write_bytes(pdf)
    partial.replace(output)
    click.echo(f"Wrote {output} ({len(pdf):,} bytes, report {report_id}).")


@report_group.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def report_verify(file: Path) -> None:
    """Check that FILE is an unaltered finalised report of this instance.

    Prints the verdict: the organisation, assessment and version, and whether it is current or
    superseded. Exits 0 when the file is verified (current or superseded), 1 when it is not.
    """
    from assess.services import finalising
    from assess.templating import local_time

    max_bytes = current_app.config["REPORT_VERIFY_MAX_BYTES"]
    if file.stat().st_size > max_bytes:
        click.echo(f"Not verified: {file} is larger than any report ({max_bytes:,} bytes).")
        raise SystemExit(1)
    result = finalising.verify(file.read_bytes())
    click.echo(result.summary())
    if result.verified:
        zone = result.time_zone
        click.echo(f"  organisation: {result.organisation}")
        click.echo(
            f"  assessment:   {result.assessment_title}"
            f"{': progress review' if result.progress_review else ''} "
            f"(assessment {result.assessment_id}, version {result.version})"
        )
        click.echo(f"  finalised:    {local_time(result.finalised_at, zone)}")
        if result.outcome == "superseded":
            click.echo(
                f"  superseded:   by report {result.superseded_by}, "
                f"{local_time(result.superseded_at, zone)}"
            )
        click.echo(f"  data fingerprint: {result.data_sha256}")
    click.echo(f"  file SHA-256:     {result.sha256}")
    raise SystemExit(0 if result.verified else 1)


#: Where ``make run`` serves the app, printed with the demo's sign-in details.
DEMO_URL = "http://127.0.0.1:5000/"


def _echo_sign_in(data: demo.DemoData, url: str) -> None:
    click.echo(f"Open {url} and sign in to {data.details.name} as one of:")
    for person in data.people:
        click.echo(f"  {person.email:<26} {person.role:<11} {person.name}, {person.job}")
    click.echo(f"Every demo account has the password: {data.password}")


@click.command("demo")
@click.option(
    "--reset",
    is_flag=True,
    help="Delete the demo organisation and the demo accounts first, then create them again.",
)
@click.option("--url", default=DEMO_URL, show_default=True, help="The address to print.")
@click.option(
    "--quick",
    is_flag=True,
    help="Only this year's assessment: without last year's finalised assessment and its action "
    "plan (no report to render, so it loads in a second or two).",
)
@with_appcontext
def demo_command(reset: bool, url: str, quick: bool) -> None:
    """Load the demo organisation, Demo Borough Council, with a fully answered assessment and
    last year's finalised one with its action plan (--quick: this year's only).

    Running it again changes nothing (use --reset to recreate the demo). See docs/demo.md.
    """
    data = demo.load()
    if reset:
        try:
            demo.remove(data)
        except IntegrityError:
            raise click.ClickException(
                "The demo organisation has finalised reports, which are never deleted, so it "
                "cannot be recreated. Use a fresh database (ASSESS_DATABASE_URL) instead."
            ) from None
    elif demo.existing(data) is not None:
        click.echo(
            f"The demo organisation already exists: {data.details.name} "
            "(assess demo --reset recreates it)."
        )
        _echo_sign_in(data, url)
        return
    try:
        created = demo.create(
            data, questionnaire_service.current_questionnaires(), history=not quick
        )
    except ServiceError as error:
        raise click.ClickException(
            f"{error.message} (assess demo --reset deletes the demo and creates it again)"
        ) from None
    counts = ", ".join(
        f"{len(data.answers_of(q))} {q}"
        for q in dict.fromkeys(a.questionnaire_id for a in data.answers)
    )
    click.echo(
        f"Created {created.organisation.name} with the assessment "
        f"\N{LEFT DOUBLE QUOTATION MARK}{created.assessment.title}\N{RIGHT DOUBLE QUOTATION MARK}: "
        f"{len(data.answers)} answers ({counts})."
    )
    if created.last_year is not None and data.last_year is not None:
        click.echo(
            f"And last year's \N{LEFT DOUBLE QUOTATION MARK}{created.last_year.title}"
            f"\N{RIGHT DOUBLE QUOTATION MARK}, finalised, with an action plan of "
            f"{len(data.last_year.plan)} actions."
        )
    _echo_sign_in(data, url)


@click.group("maintenance", cls=AppGroup)
def maintenance_group() -> None:
    """Housekeeping to run from cron."""


@maintenance_group.command("purge")
@with_appcontext
def maintenance_purge() -> None:
    """Delete what has outlived its retention period (run daily).

    Organisations past their deletion grace period, and each step other features register (see
    assess.services.maintenance). Prints one line per step.
    """
    for name, count in maintenance.purge().items():
        click.echo(f"{name}: {count}")


@click.group("audit", cls=AppGroup)
def audit_group() -> None:
    """The audit trail."""


def _anchor(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> tuple[int, str] | None:
    if value is None:
        return None
    event_id, _, digest = value.partition(":")
    if not (
        event_id.isdigit()
        and len(digest) == 64
        and all(c in "0123456789abcdefABCDEF" for c in digest)
    ):
        raise click.BadParameter("give it as EVENT_ID:SHA256, as a previous check printed it.")
    return int(event_id), digest.lower()


@audit_group.command("verify")
@click.option(
    "--anchor",
    callback=_anchor,
    metavar="EVENT_ID:SHA256",
    help="An event and its hash noted from an earlier check: the chain must still pass through it.",
)
@with_appcontext
def audit_verify(anchor: tuple[int, str] | None) -> None:
    """Check the audit trail's hash chain, from its first event to its last.

    Exits 0 when every event is intact, 1 at the first broken link, which it names.
    """
    from assess.services import audit_verification

    result = audit_verification.verify(anchor)
    when = "{:%Y-%m-%d %H:%M:%S} UTC".format
    if result.ok:
        if result.intact == 0:
            click.echo("The audit trail is empty, and its chain is intact.")
            return
        click.echo(
            f"The audit trail is intact: {result.intact:,} events, "
            f"from {when(result.first_at)} to {when(result.last_at)}."
        )
        click.echo(f"  last event: {result.last_event_id}:{result.last_hash}")
        click.echo(
            "  Note it off this server; passing it later as --anchor shows that the chain was "
            "not computed again since."
        )
        return
    broken = result.broken
    assert broken is not None
    if broken.event_id is None:
        click.echo(f"The audit trail is broken at its end: {broken.explanation}.")
    else:
        click.echo(
            f"The audit trail is broken at event {broken.event_id} "
            f"({when(broken.occurred_at)}, {broken.action}): {broken.explanation}."
        )
    if result.intact:
        click.echo(
            f"  The {result.intact:,} events before it are intact, up to event "
            f"{result.last_event_id}:{result.last_hash}."
        )
    else:
        click.echo("  No event before it could be checked.")
    raise SystemExit(1)


@click.group("mail", cls=AppGroup)
def mail_group() -> None:
    """The outbox of email waiting to be sent."""


@mail_group.command("send")
@with_appcontext
def mail_send() -> None:
    """Send every queued email that is due now, retrying failures (run from cron every few
    minutes if the app's own sender cannot be relied on). Exits non-zero if any failed."""
    sent, failed = outbox.send_due()
    click.echo(f"sent: {sent}, failed: {failed}")
    if failed:
        raise SystemExit(1)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Prepare reports, finalise assessments and send email queued by the web servers (needs
    ASSESS_REDIS_URL; run one or more next to the app servers, see docs/deploy.md)."""
    from assess import jobs

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not jobs.enabled(app):
        click.echo(
            "assess worker needs ASSESS_REDIS_URL: without it the web servers do this work "
            "themselves, and no worker is needed.",
            err=True,
        )
        raise SystemExit(2)
    jobs.run_worker(app, burst=burst)
