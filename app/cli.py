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
