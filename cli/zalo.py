"""`zalo`: token status, the one-off login (consent with PKCE), and the follow QR code."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import httpx
import typer

from cli.common import fail, get_settings, run_db
from domain.clock import SystemClock
from domain.errors import AuthError, NewsdeskError
from domain.glossary import fmt_time
from publisher.deps import make_deps
from publisher.login import complete_login, parse_pasted, start_login, state_of, still_pending
from publisher.qr import write_qr
from publisher.reach import SyncOptions, SyncResult, stats_client, sync_reach
from publisher.service import Deps
from publisher.tokens import TokenStatus
from publisher.zalo.errors import ZaloError
from reports.texts import fmt_count
from settings import Settings
from storage.db import Database
from storage.files import FileStore
from storage.models import OaStat
from storage.reach import last_followers

app = typer.Typer(
    help="Zalo Official Account: mã truy cập, cấp quyền, mã QR.", no_args_is_help=True
)
WAIT_SECONDS = 600
T = TypeVar("T")


def _when(value: datetime | None) -> str:
    return fmt_time(value) if value else "-"


async def _with_keeper(
    settings: Settings, work: Callable[[Deps, httpx.AsyncClient], Awaitable[T]]
) -> T:
    async with Database(settings.database_url) as db, httpx.AsyncClient(timeout=30) as http:
        deps = make_deps(
            settings=settings,
            db=db,
            files=FileStore(settings.files_dir),
            http=http,
            clock=SystemClock(),
        )
        return await work(deps, http)


@app.command()
def status(ctx: typer.Context) -> None:
    """Thời hạn mã truy cập Zalo, và hạn mức gửi tin tới người quan tâm khi đã cấu hình."""
    settings = get_settings(ctx)
    if not settings.zalo.enabled:
        typer.echo("Zalo: CHẠY THỬ (chưa đặt NEWSDESK_ZALO__APP_ID và NEWSDESK_ZALO__APP_SECRET).")
        return

    async def work(
        deps: Deps, http: httpx.AsyncClient
    ) -> tuple[TokenStatus, dict[str, object] | None, OaStat | None]:
        assert deps.keeper is not None and deps.client is not None
        token = await deps.keeper.status()
        async with deps.db.session() as session:
            reach = await last_followers(session=session)
        quota: dict[str, object] | None = None
        if token.present and settings.zalo.quota_user_id:
            try:
                quota = await deps.client.quota(settings.zalo.quota_user_id)
            except ZaloError as exc:
                quota = {"error": f"{exc.code} {exc.message}"}
        return token, quota, reach

    token, quota, reach = asyncio.run(_with_keeper(settings, work))
    _print_status(token, quota)
    if reach is None:
        typer.echo("Số liệu OA:              — (chưa đồng bộ: `python main.py zalo stats sync`)")
    else:
        typer.echo(
            f"Số liệu OA gần nhất:     ngày {reach.day:%d/%m/%Y}, "
            f"{fmt_count(reach.followers)} người quan tâm"
        )


def _print_status(token: TokenStatus, quota: dict[str, object] | None) -> None:
    if not token.present:
        typer.echo("Chưa có mã truy cập: chạy `python main.py zalo login`.")
        return
    age = (SystemClock().now() - token.refresh_issued_at).days if token.refresh_issued_at else 0
    typer.echo(f"Mã truy cập hết hạn lúc: {_when(token.access_expires_at)}")
    typer.echo(f"Lần làm mới gần nhất:    {_when(token.updated_at)}")
    typer.echo(f"Cấp quyền lần cuối:      {_when(token.refresh_issued_at)} ({age} ngày trước)")
    typer.echo(f"Cần cấp quyền lại trước: khoảng {_when(token.refresh_expires_about)}")
    if token.refresh_started_at:
        typer.echo(f"Đang làm mới từ:         {_when(token.refresh_started_at)}")
    if token.refresh_unknown_at:
        typer.echo(
            f"⚠️ Không rõ kết quả lần làm mới lúc {_when(token.refresh_unknown_at)}: nếu việc "
            "đăng bài dừng, chạy `python main.py zalo login`."
        )
    if token.last_error:
        typer.echo(f"Lỗi gần nhất:            {token.last_error}")
    if quota is not None:
        typer.echo(f"Hạn mức gửi tin:         {quota.get('promotion', quota)}")


@app.command()
def login(
    ctx: typer.Context,
    code: str = typer.Option("", "--code", help="Mã (code) hoặc cả địa chỉ Zalo trả về"),
) -> None:
    """In đường liên kết cấp quyền, rồi nhận mã (dán vào đây hoặc do máy chủ nhận qua callback)."""
    settings = get_settings(ctx)
    if not settings.zalo.enabled:
        fail("Cần đặt NEWSDESK_ZALO__APP_ID và NEWSDESK_ZALO__APP_SECRET trước.")
    state = ""
    if not code:
        try:
            url = start_login(settings, now=SystemClock().now())
            state = state_of(url)
        except NewsdeskError as exc:
            fail(str(exc))
        typer.echo("Quản trị viên OA mở địa chỉ sau, đăng nhập Zalo và bấm «Cho phép»:\n")
        typer.echo(url + "\n")
        code = typer.prompt(
            "Dán mã (code) hoặc cả địa chỉ trình duyệt được chuyển tới; để trống nếu máy chủ "
            "đang chạy và nhận mã qua /zalo/callback",
            default="",
            show_default=False,
        )
    try:
        asyncio.run(_finish_login(settings, code, state))
    except NewsdeskError as exc:
        fail(f"Không cấp quyền được: {exc}")
    typer.echo("Đã lưu mã truy cập Zalo OA.")


async def _finish_login(settings: Settings, pasted: str, state: str) -> None:
    async def work(deps: Deps, http: httpx.AsyncClient) -> None:
        keeper = deps.keeper
        assert keeper is not None
        if pasted.strip():
            code, pasted_state = parse_pasted(pasted)
            await complete_login(
                settings=settings,
                http=http,
                keeper=keeper,
                code=code,
                state=pasted_state,
                now=SystemClock().now(),
                require_state=False,  # a bare code pasted into the session that started it
            )
            return
        # The callback may have come before Enter was pressed, or may still come: either
        # way the consent printed above is no longer pending once its token pair is stored.
        for _ in range(WAIT_SECONDS):
            if not still_pending(settings, state) and (await keeper.status()).present:
                return
            await asyncio.sleep(1)
        raise NewsdeskError("hết thời gian chờ mã qua /zalo/callback")

    await _with_keeper(settings, work)


@app.command()
def qr(
    ctx: typer.Context,
    out: Path = typer.Option(
        None,
        "--out",
        help="Tệp .png hoặc .svg, hoặc thư mục nhận cả hai (mặc định: thư mục <data>/qr)",
    ),
    url: str = typer.Option("", "--url", help="Liên kết quan tâm OA (mặc định: cấu hình)"),
    name: str = typer.Option("", "--name", help="Tên OA in dưới mã (mặc định: cấu hình)"),
) -> None:
    """Ghi mã QR quan tâm Trang Zalo OA (PNG, SVG hoặc cả hai), có tên OA bên dưới."""
    settings = get_settings(ctx)
    link = url or settings.zalo.follow_url
    if link.rstrip("/") in ("https://zalo.me", ""):
        fail("Chưa có liên kết OA: đặt NEWSDESK_ZALO__FOLLOW_URL (ví dụ https://zalo.me/<oa id>).")
    target = out or settings.data_dir / "qr"
    if target.suffix and target.suffix.lower() not in (".png", ".svg") and not target.is_dir():
        fail(f"Không ghi được mã QR vào {target}: chỉ tệp .png, .svg hoặc một thư mục.")
    if target.suffix.lower() in (".png", ".svg"):
        from publisher.qr import write_qr_to

        written = write_qr_to(link, name or settings.zalo.oa_name, target)
    else:
        written = list(write_qr(link, name or settings.zalo.oa_name, target))
    typer.echo(f"Đã ghi {' và '.join(str(p) for p in written)} ({link}).")


stats_app = typer.Typer(
    help="Số liệu OA: lượt xem, lượt chia sẻ từng bài và số người quan tâm.", no_args_is_help=True
)
app.add_typer(stats_app, name="stats")


@stats_app.command("sync")
def stats_sync(
    ctx: typer.Context,
    force: bool = typer.Option(False, "--force", help="Đọc lại dù hôm nay đã đồng bộ xong."),
) -> None:
    """Đọc lượt xem, lượt chia sẻ hôm nay của mọi tin, bài đã đăng lên OA và số người quan tâm."""
    settings = get_settings(ctx)
    zalo = settings.zalo
    options = SyncOptions(page_size=zalo.stats_page_size, track_days=zalo.stats_track_days,
                          force=force)  # fmt: skip

    async def work(db: Database) -> SyncResult:
        async with httpx.AsyncClient(timeout=30) as http:
            clock = SystemClock()
            client = stats_client(settings, http, db, clock)
            return await sync_reach(db=db, client=client, now=clock.now(), options=options)

    try:
        result = run_db(settings, work)
    except AuthError:
        fail("Chưa có mã truy cập Zalo hợp lệ: chạy `python main.py zalo login` rồi thử lại.")
    except NewsdeskError as exc:
        fail(f"Chưa đồng bộ xong (lần chạy sau sẽ tiếp tục từ chỗ dừng): {exc}")
    typer.echo(describe_sync(result))


def describe_sync(result: SyncResult) -> str:
    """The CLI's answer, in Vietnamese."""
    day = result.day.strftime("%d/%m/%Y")
    if result.dry_run:
        return (
            "Zalo: CHẠY THỬ (chưa đặt NEWSDESK_ZALO__APP_ID và NEWSDESK_ZALO__APP_SECRET): "
            "không đọc số liệu nào; báo cáo hiển thị «—»."
        )
    followers = "—" if result.followers is None else f"{result.followers:,}".replace(",", ".")
    if result.already_done:
        return (
            f"Ngày {day} đã đồng bộ xong; không gọi Zalo. Người quan tâm: {followers}. "
            "Dùng --force để đọc lại."
        )
    lines = [
        f"Đồng bộ ngày {day}: đọc {result.stored}/{result.tracked} bài, "
        f"người quan tâm: {followers}, {result.calls} lần gọi Zalo.",
    ]
    if result.unseen:
        lines.append(
            f"{result.unseen} bài không còn trong danh sách bài viết của OA (đã gỡ trên Zalo?)."
        )
    return "\n".join(lines)
