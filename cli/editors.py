"""`editors`: who may approve, reject or request changes."""

from __future__ import annotations

import typer

from cli.common import get_settings, print_rows, run_db
from storage.db import Database
from storage.registry import create_editor, list_editors

app = typer.Typer(help="Biên tập viên.", no_args_is_help=True)


@app.command()
def add(
    ctx: typer.Context,
    name: str = typer.Option(..., "--name", help="Họ và tên"),
    email: str = typer.Option("", "--email"),
    telegram_id: int | None = typer.Option(None, "--telegram-id", help="Mã người dùng Telegram"),
) -> None:
    """Đăng ký một biên tập viên."""

    async def work(db: Database) -> int:
        async with db.session() as session:
            editor = await create_editor(
                session=session, full_name=name, email=email or None, telegram_user_id=telegram_id
            )
            await session.commit()
            return editor.id or 0

    editor_id = run_db(get_settings(ctx), work)
    typer.echo(f"Đã thêm biên tập viên #{editor_id}: {name}")


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """Danh sách biên tập viên đang làm việc."""

    async def work(db: Database) -> list[dict[str, object]]:
        async with db.session() as session:
            return [
                {
                    "id": e.id,
                    "full_name": e.full_name,
                    "email": e.email,
                    "telegram_user_id": e.telegram_user_id,
                }
                for e in await list_editors(session=session)
            ]

    rows = run_db(get_settings(ctx), work)
    print_rows(
        rows,
        as_json=as_json,
        headers=["#", "Họ và tên", "Email", "Telegram"],
        cells=lambda r: (r["id"], r["full_name"], r["email"] or "", r["telegram_user_id"] or ""),
    )
