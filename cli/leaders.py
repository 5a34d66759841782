"""`leaders`: the Department's leadership (reads the console, receives the monthly report)."""

from __future__ import annotations

import typer

from cli.common import fail, get_settings, print_rows, run_db
from domain.clock import SystemClock
from storage.db import Database
from storage.leaders import create_leader, end_leader, list_leaders

app = typer.Typer(help="Lãnh đạo Sở.", no_args_is_help=True)


@app.command()
def add(
    ctx: typer.Context,
    name: str = typer.Option(..., "--name", help="Họ và tên"),
    position: str = typer.Option("", "--position", help="Chức vụ"),
    email: str = typer.Option("", "--email", help="Nhận báo cáo hằng tháng"),
    telegram_id: int | None = typer.Option(None, "--telegram-id", help="Mã người dùng Telegram"),
) -> None:
    """Đăng ký một lãnh đạo (nhận báo cáo tháng, đăng nhập trang quản trị)."""

    async def work(db: Database) -> tuple[int, str]:
        async with db.session() as session:
            leader = await create_leader(
                session=session,
                full_name=name,
                position=position,
                email=email or None,
                telegram_user_id=telegram_id,
                now=SystemClock().now(),
            )
            await session.commit()
            return leader.id or 0, leader.full_name

    try:
        leader_id, stored = run_db(get_settings(ctx), work)
    except ValueError as exc:
        fail(str(exc))
    typer.echo(f"Đã thêm lãnh đạo #{leader_id}: {stored}")


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json"),
    all_: bool = typer.Option(False, "--all", help="Kể cả người đã thôi nhiệm vụ."),
) -> None:
    """Danh sách lãnh đạo đương nhiệm (hoặc tất cả với --all)."""

    async def work(db: Database) -> list[dict[str, object]]:
        async with db.session() as session:
            leaders = await list_leaders(
                session=session, active_at=None if all_ else SystemClock().now()
            )
            return [
                {
                    "id": x.id,
                    "full_name": x.full_name,
                    "position": x.position,
                    "email": x.email,
                    "telegram_user_id": x.telegram_user_id,
                    "active_to": x.active_to.isoformat() if x.active_to else None,
                }
                for x in leaders
            ]

    rows = run_db(get_settings(ctx), work)
    print_rows(
        rows,
        as_json=as_json,
        headers=["#", "Họ và tên", "Chức vụ", "Email", "Telegram", "Đến"],
        cells=lambda r: (
            r["id"],
            r["full_name"],
            r["position"],
            r["email"] or "",
            r["telegram_user_id"] or "",
            r["active_to"] or "",
        ),
    )


@app.command()
def end(ctx: typer.Context, leader_id: int = typer.Argument(..., help="Mã lãnh đạo")) -> None:
    """Lãnh đạo thôi nhiệm vụ: không còn đường liên kết đăng nhập hay báo cáo tháng."""

    async def work(db: Database) -> bool:
        async with db.session() as session:
            ended = await end_leader(session=session, leader_id=leader_id, at=SystemClock().now())
            await session.commit()
            return ended is not None

    if not run_db(get_settings(ctx), work):
        fail(f"Không có lãnh đạo đang đương nhiệm với mã #{leader_id}.")
    typer.echo(f"Lãnh đạo #{leader_id} đã thôi nhận báo cáo và không đăng nhập được nữa.")
