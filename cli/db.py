"""`db`: migrations are an explicit step."""

from __future__ import annotations

import typer

from cli.common import get_settings
from storage import migrate
from storage.db import safe_url

app = typer.Typer(help="Cơ sở dữ liệu: nâng cấp lược đồ (Alembic).", no_args_is_help=True)


@app.command()
def upgrade(ctx: typer.Context, revision: str = typer.Argument("head")) -> None:
    """Nâng cấp cơ sở dữ liệu đến REVISION (mặc định: bản mới nhất)."""
    settings = get_settings(ctx)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url, revision)
    typer.echo(f"Cơ sở dữ liệu {safe_url(settings.database_url)}: đã nâng cấp đến {revision}")


@app.command()
def downgrade(ctx: typer.Context, revision: str = typer.Argument(...)) -> None:
    """Hạ cơ sở dữ liệu về REVISION ("base" xóa mọi bảng)."""
    settings = get_settings(ctx)
    migrate.downgrade(settings.database_url, revision)
    typer.echo(f"Cơ sở dữ liệu {safe_url(settings.database_url)}: đã hạ về {revision}")


@app.command()
def current(ctx: typer.Context) -> None:
    """Cho biết bản nâng cấp đang áp dụng."""
    migrate.current(get_settings(ctx).database_url)


@app.command()
def check(ctx: typer.Context) -> None:
    """Báo lỗi nếu mô hình dữ liệu và các bản nâng cấp không khớp nhau."""
    migrate.check(get_settings(ctx).database_url)
    typer.echo("Lược đồ cơ sở dữ liệu khớp với mô hình dữ liệu.")
