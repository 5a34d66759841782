"""`publish`: list, show, retry and remove Zalo publications."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import typer

from cli.common import fail, get_settings, print_json, print_table, run_db
from domain.clock import SystemClock
from domain.errors import NewsdeskError
from domain.glossary import fmt_time
from publisher.article import preview_text
from publisher.deps import make_deps
from publisher.service import remove_publication, retry_publication
from publisher.texts import PUB_STATUS_LABELS, SHOW_LABELS
from settings import Settings
from storage.db import Database
from storage.files import FileStore
from storage.models import Publication, Submission
from storage.publications import get_publication, list_publications

app = typer.Typer(help="Đăng bài lên Zalo OA.", no_args_is_help=True)


def _when(value: Any) -> str:
    return fmt_time(value) if value else ""


async def _row(db: Database, pub: Publication) -> dict[str, Any]:
    async with db.session() as session:
        submission = await session.get(Submission, pub.submission_id)
    return {
        "id": pub.id,
        "code": submission.code if submission else "",
        "status": pub.status,
        "dry_run": pub.dry_run,
        "due_at": _when(pub.due_at),
        "published_at": _when(pub.published_at),
        "article_id": pub.article_id or "",
        "url": pub.url or "",
        "broadcast_message_id": pub.broadcast_message_id or "",
        "attempts": pub.attempts,
        "last_error": pub.last_error or "",
    }


@app.command("list")
def list_(
    ctx: typer.Context,
    status: list[str] = typer.Option([], "--status", help="Chỉ các trạng thái này"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Các lượt đăng bài, mới nhất trước."""

    async def work(db: Database) -> list[dict[str, Any]]:
        async with db.session() as session:
            pubs = await list_publications(session=session, statuses=status or None)
        return [await _row(db, p) for p in pubs]

    rows = run_db(get_settings(ctx), work)
    if as_json:
        print_json(rows)
        return
    print_table(
        ["#", "Mã", "Trạng thái", "Hẹn đăng", "Đã đăng", "Lần thử", "Liên kết / lỗi"],
        [
            (
                r["id"],
                r["code"],
                _status(r["status"]) + (" (chạy thử)" if r["dry_run"] else ""),
                r["due_at"],
                r["published_at"],
                r["attempts"],
                r["url"] or r["last_error"],
            )
            for r in rows
        ],
    )


def _status(value: str) -> str:
    """A publication status in Vietnamese (the raw value stays in --json and --status)."""
    return PUB_STATUS_LABELS.get(value, value)


@app.command()
def show(
    ctx: typer.Context, publication_id: int, as_json: bool = typer.Option(False, "--json")
) -> None:
    """Một lượt đăng bài và bài viết như sẽ đăng."""

    async def work(db: Database) -> tuple[dict[str, Any], dict[str, Any]] | None:
        async with db.session() as session:
            pub = await get_publication(session=session, publication_id=publication_id)
        if pub is None:
            return None
        return await _row(db, pub), pub.payload.get("article") or {}

    found = run_db(get_settings(ctx), work)
    if found is None:
        fail(f"Không có lượt đăng #{publication_id}.")
    row, article = found
    if as_json:
        print_json({**row, "article": article})
        return
    for key, value in row.items():
        shown = _status(value) if key == "status" else value
        if key == "dry_run":
            shown = "có" if value else "không"
        typer.echo(f"{SHOW_LABELS.get(key, key)}: {shown}")
    if article:
        typer.echo("")
        typer.echo(preview_text(article))


@app.command()
def retry(ctx: typer.Context, publication_id: int) -> None:
    """Đăng lại một lượt đăng không thành công từ bước bị dừng (hoặc gửi lại tin tới người quan
    tâm)."""

    async def work(db: Database) -> str:
        async with db.session() as session:
            pub = await retry_publication(
                session=session,
                publication_id=publication_id,
                actor="cli",
                now=SystemClock().now(),
            )
            await session.commit()
            return pub.status

    try:
        status = run_db(get_settings(ctx), work)
    except NewsdeskError as exc:
        fail(f"Không thử lại được: {exc}")
    typer.echo(f"Lượt đăng #{publication_id} sẽ chạy lại từ bước «{_status(status)}».")


@app.command()
def remove(
    ctx: typer.Context,
    publication_id: int,
    yes: bool = typer.Option(False, "--yes", help="Không hỏi lại"),
) -> None:
    """Gỡ bài khỏi Trang Zalo OA và đánh dấu lượt đăng là đã gỡ."""
    if not yes:
        typer.confirm(f"Gỡ bài của lượt đăng #{publication_id} khỏi Trang Zalo OA?", abort=True)
    settings = get_settings(ctx)
    try:
        article_id = asyncio.run(_remove(settings, publication_id))
    except NewsdeskError as exc:
        fail(f"Không gỡ được: {exc}")
    typer.echo(
        f"Đã gỡ lượt đăng #{publication_id}" + (f" (bài {article_id})." if article_id else ".")
    )


async def _remove(settings: Settings, publication_id: int) -> str | None:
    clock = SystemClock()
    async with Database(settings.database_url) as db, httpx.AsyncClient(timeout=30) as http:
        deps = make_deps(
            settings=settings, db=db, files=FileStore(settings.files_dir), http=http, clock=clock
        )
        return await remove_publication(
            db=db,
            client=deps.client,
            publication_id=publication_id,
            now=clock.now(),
            actor="cli",
        )
