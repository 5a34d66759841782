"""`web`: one-time login links for the web console and its open sessions."""

from __future__ import annotations

from datetime import datetime

import typer

from cli.common import fail, get_settings, print_rows, run_db
from domain.clock import SystemClock
from domain.glossary import fmt_time
from settings import Settings
from storage.db import Database
from storage.logins import (
    LoginRefusedError,
    Role,
    issue_link,
    list_sessions,
    login_url,
    revoke_session,
)

app = typer.Typer(help="Trang quản trị trên web.", no_args_is_help=True)
sessions_app = typer.Typer(help="Phiên đăng nhập trên web.", no_args_is_help=True)
app.add_typer(sessions_app, name="sessions")


@app.command("login-link")
def login_link(
    ctx: typer.Context,
    editor: int | None = typer.Option(None, "--editor", help="Mã biên tập viên"),
    leader: int | None = typer.Option(None, "--leader", help="Mã lãnh đạo"),
    admin: bool = typer.Option(False, "--admin", help="Biên tập viên có quyền quản trị"),
) -> None:
    """In một đường liên kết đăng nhập dùng một lần (hiệu lực 15 phút)."""
    if (editor is None) == (leader is None) or (admin and editor is None):
        fail("Chọn đúng một: --editor ID (có thể kèm --admin) hoặc --leader ID.")
    role = Role.LEADER if leader is not None else (Role.ADMIN if admin else Role.EDITOR)
    settings = get_settings(ctx)

    async def work(db: Database) -> str:
        async with db.session() as session:
            token = await issue_link(
                session=session,
                role=role,
                now=SystemClock().now(),
                via="cli",
                editor_id=editor,
                leader_id=leader,
            )
            await session.commit()
            return token

    try:
        token = run_db(settings, work)
    except LoginRefusedError as exc:
        fail(exc.message)
    url = login_url(settings.web.public_base_url or _local(settings), token)
    typer.echo(url)
    typer.echo("Liên kết dùng được một lần, trong 15 phút.", err=True)


def _local(settings: Settings) -> str:
    return f"http://{settings.web.host}:{settings.web.port}"


@sessions_app.command("list")
def sessions_list(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """Các phiên đăng nhập đang mở (không bao giờ hiện mã phiên)."""

    async def work(db: Database) -> list[dict[str, object]]:
        async with db.session() as session:
            return [
                {
                    "id": s.id,
                    "role": s.role,
                    "name": s.display_name,
                    "created_at": s.created_at.isoformat(),
                    "expires_at": s.expires_at.isoformat(),
                    "client": s.client,
                }
                for s in await list_sessions(session=session, now=SystemClock().now())
            ]

    rows = run_db(get_settings(ctx), work)
    print_rows(
        rows,
        as_json=as_json,
        headers=["#", "Vai trò", "Người dùng", "Mở lúc", "Hết hạn", "Từ"],
        cells=lambda r: (
            r["id"],
            r["role"],
            r["name"],
            fmt_time(datetime.fromisoformat(str(r["created_at"]))),
            fmt_time(datetime.fromisoformat(str(r["expires_at"]))),
            r["client"],
        ),
    )


@sessions_app.command("revoke")
def sessions_revoke(ctx: typer.Context, session_id: int = typer.Argument(...)) -> None:
    """Kết thúc ngay một phiên đăng nhập."""

    async def work(db: Database) -> bool:
        async with db.session() as session:
            done = await revoke_session(
                session=session, session_id=session_id, now=SystemClock().now()
            )
            await session.commit()
            return done

    if not run_db(get_settings(ctx), work):
        fail(f"Không có phiên đang mở với mã #{session_id}.")
    typer.echo(f"Đã đóng phiên #{session_id}.")
