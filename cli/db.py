"""`db`: migrations are an explicit step."""

from __future__ import annotations

import typer

from cli.common import get_settings
from storage import migrate
from storage.db import safe_url
from storage.files import FileStore

app = typer.Typer(help="Cơ sở dữ liệu: nâng cấp lược đồ (Alembic).", no_args_is_help=True)


@app.command()
def upgrade(ctx: typer.Context, revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: the newest), and move files stored by
    earlier versions to the file store's current layout."""
    settings = get_settings(ctx)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url, revision)
    typer.echo(f"database {safe_url(settings.database_url)} at {revision}")
    moved = FileStore(settings.files_dir).relayout()
    typer.echo(f"file store {settings.files_dir}: {moved} file(s) moved to the current layout")


@app.command()
def downgrade(ctx: typer.Context, revision: str = typer.Argument(...)) -> None:
    """Revert migrations down to REVISION ("base" removes every table)."""
    settings = get_settings(ctx)
    migrate.downgrade(settings.database_url, revision)
    typer.echo(f"database {safe_url(settings.database_url)} at {revision}")


@app.command()
def current(ctx: typer.Context) -> None:
    """Show the applied revision."""
    migrate.current(get_settings(ctx).database_url)


@app.command()
def check(ctx: typer.Context) -> None:
    """Fail if the models and the migrations disagree."""
    migrate.check(get_settings(ctx).database_url)
    typer.echo("schema matches the models")
