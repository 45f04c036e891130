"""`flask --app run complaints …`: the operators' commands (API.md)."""

import click
from flask import current_app
from flask.cli import AppGroup

complaints = AppGroup("complaints", help="Complaint handling: set-up and periodic work.")


@complaints.command("setup")
def setup_command() -> None:
    """Migrate the schema, sync roles and permissions, add missing email templates (once per deploy)."""
    from app.extensions import db
    from app.notices import seed_templates
    from app.setup import sync_permissions, upgrade_schema

    upgrade_schema()
    sync_permissions()
    seed_templates()
    db.session.commit()
    click.echo("Schema migrated; roles, permissions and email templates ready.")


@complaints.command("demo")
@click.option("--force", is_flag=True, help="Seed even under the production configuration.")
def demo_command(force: bool) -> None:
    """Seed the demo organisation, users, teams, categories, refund types and email templates (idempotent)."""
    from app import demo
    from app.setup import sync_permissions, upgrade_schema

    if current_app.config["APP_ENV"] == "production" and not force:
        raise click.ClickException(
            "This is the production configuration: demo users with a known password "
            "do not belong there. Use --force if you really mean it."
        )
    upgrade_schema()
    sync_permissions()
    demo.seed()
    password = current_app.config["DEMO_PASSWORD"]
    click.echo(f"Demo data ready: log in as agent1, room1, center1, leader1 or admin (password {password!r}).")


@complaints.command("scan")
@click.option("--now", "now_text", metavar="ISO8601", help="As of this time (default: now); no offset: APP_TIMEZONE.")
def scan_command(now_text: str | None) -> None:
    """Run every periodic check once as of NOW and enqueue the notices that wait."""
    from redis import RedisError

    from app import clock, scan

    try:
        now = clock.parse_time(now_text) if now_text else clock.now()
    except ValueError:
        message = "give a time in ISO 8601, such as 2026-11-28T09:30:00+08:00"
        raise click.BadParameter(message, param_hint="--now") from None
    try:
        done = scan.run(now)
    except RedisError as error:
        raise click.ClickException(f"Redis is unreachable ({error}): queued notices wait for the next scan.") from error
    click.echo(f"Scan as of {clock.to_local(now).isoformat()}:")
    for name, count in done.items():
        click.echo(f"  {name}: {count}")


@complaints.command("bulletin")
@click.option("--month", "month_text", required=True, metavar="YYYY-MM", help="The month of the bulletin.")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), help="Write the Excel workbook here.")
@click.option("--send", is_flag=True, help="Email it to every department mailbox (once per department and month).")
def bulletin_command(month_text: str, out: str | None, send: bool) -> None:
    """Build the monthly bulletin (SPEC.md §6); write its workbook, email it."""
    from app import bulletin, clock
    from app.notices import in_notice_language

    try:
        month = clock.parse_month(month_text)
    except ValueError:
        raise click.BadParameter("give a month as YYYY-MM, such as 2026-10", param_hint="--month") from None
    with in_notice_language():
        built = bulletin.build(month)
        if out:
            with open(out, "wb") as file:
                file.write(bulletin.workbook(built))
        lines = built.summary_lines()
    click.echo(f"Monthly bulletin {built.label}:")
    for line in lines:
        click.echo(f"  {line}")
    if out:
        click.echo(f"Workbook written to {out}.")
    if send:
        sent = bulletin.send(month)
        click.echo(f"{sent} notice(s) to department mailboxes queued.")


@complaints.command("import")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "username", required=True, help="Who receives the complaints (room manager or above).")
@click.option("--dry-run", is_flag=True, help="Check every row; import nothing.")
def import_command(path: str, username: str, dry_run: bool) -> None:
    """Import complaints from the 10086 system's CSV or Excel export, all or nothing."""
    from pathlib import Path

    from app import imports
    from app.extensions import appbuilder
    from app.policy import PolicyError
    from app.policy.imports import may_import

    user = appbuilder.sm.find_user(username=username)
    if user is None:
        raise click.BadParameter(f"no user {username!r}", param_hint="--user")
    if not may_import(role.name for role in user.roles):
        raise click.ClickException(f"{username} may not import complaints: room managers and above may.")
    file = Path(path)
    try:
        rows, ignored = imports.load(file.read_bytes(), file.name)
    except PolicyError as error:
        raise click.ClickException(str(error)) from None
    if ignored:
        click.echo(f"Columns left out: {'、'.join(ignored)}")
    bad = [row for row in rows if row.errors]
    if not bad and not dry_run:
        with click.progressbar(length=len(rows), label="Importing") as bar:
            try:
                ids = imports.run(rows, user, progress=lambda done: bar.update(done - bar.pos))
            except imports.RowsInvalid as error:
                bad = [imports.Row(line, errors=errors) for line, errors in error.rows.items()]
            except PolicyError as error:
                raise click.ClickException(str(error)) from None
    if bad:
        for row in bad:
            click.echo(f"row {row.line}: {imports.describe(row.errors)}", err=True)
        raise click.ClickException(f"{len(bad)} of {len(rows)} rows are invalid: nothing was imported.")
    if dry_run:
        click.echo(f"{len(rows)} rows are valid; nothing imported (--dry-run).")
    else:
        click.echo(f"Imported {len(ids)} complaints.")


@complaints.command("generate")
@click.option("--count", type=click.IntRange(min=1), required=True, help="How many complaints to write.")
@click.option("--seed", type=int, default=8, show_default=True, help="Random seed: the same seed, the same rows.")
@click.option(
    "--open-share",
    type=click.FloatRange(0, 1),
    default=0.1,
    show_default=True,
    help="Share of the complaints still open.",
)
def generate_command(count: int, seed: int, open_share: float) -> None:
    """Write COUNT realistic complaints (with dispatches, refunds, waves) in bulk, for trials and benchmarks."""
    from app.generate import generate

    with click.progressbar(length=count, label="Complaints", show_pos=True) as bar:
        made = generate(count, seed=seed, open_share=open_share, progress=bar.update)
    click.echo(", ".join(f"{value} {name}" for name, value in made.items()) + " written.")


def register(app) -> None:
    app.cli.add_command(complaints)
