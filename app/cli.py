"""`flask --app run complaints …`: the operators' commands (API.md)."""

import click
from flask import current_app
from flask.cli import AppGroup

complaints = AppGroup("complaints", help="Complaint handling: set-up and periodic work.")


@complaints.command("setup")
def setup_command() -> None:
    """Migrate the schema and sync roles and permissions (run once per deploy)."""
    from app.setup import sync_permissions, upgrade_schema

    upgrade_schema()
    sync_permissions()
    click.echo("Schema migrated; roles and permissions synced.")


@complaints.command("demo")
@click.option("--force", is_flag=True, help="Seed even under the production configuration.")
def demo_command(force: bool) -> None:
    """Seed the demo organisation, users, teams, categories and refund types (idempotent)."""
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


def register(app) -> None:
    app.cli.add_command(complaints)
