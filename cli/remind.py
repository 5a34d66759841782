"""`python main.py remind preview|run`: deadline reminders on demand."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import typer

from cli.common import fail, get_settings, print_table, run_db
from domain.clock import SystemClock
from domain.periods import TZ
from outbox.email import EmailSender
from outbox.worker import OutboxWorker, Sender
from scheduler.config import SchedulerConfig, config_from_settings
from scheduler.service import PreviewLine, SweepResult, dry_run_day, preview_day, remind_due
from settings import Settings
from storage.db import Database
from storage.files import FileStore
from storage.leases import holder_name
from storage.registry import list_units

app = typer.Typer(help="Nhắc hạn gửi tin, bài hằng tháng và đăng ký cán bộ.", no_args_is_help=True)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_day(text: str) -> date:
    """A local day from "19/07/2024", "19/7/2024" or "2024-07-19" (day first, never month)."""
    value = text.strip()
    match = _DMY.match(value)
    try:
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"ngày không hợp lệ: {text!r} (dạng dd/mm/yyyy)") from None


async def _preview(
    db: Database, config: SchedulerConfig, day: date
) -> tuple[list[PreviewLine], dict[int, str]]:
    lines = await preview_day(db=db, config=config, day=day)
    async with db.session() as session:
        units = await list_units(session=session)
    return lines, {u.id: u.name for u in units if u.id is not None}


def _print_lines(lines: list[PreviewLine], names: dict[int, str], day: date) -> None:
    """The messages as a table, then how many units they reach (and which cannot be)."""
    if not lines:
        typer.echo(f"Không có nhắc nhở nào vào ngày {day:%d/%m/%Y}.")
        return
    rows = [
        [
            line.at.astimezone(TZ).strftime("%H:%M"),
            line.message.period,
            line.message.step,
            names.get(line.message.unit_id, ""),
            CHANNEL_LABELS.get(line.message.channel, line.message.channel) or "-",
            line.message.recipient or "(không có địa chỉ liên lạc)",
            line.message.subject,
        ]
        for line in lines
    ]
    print_table(["Giờ", "Kỳ", "Bước", "Đơn vị", "Kênh", "Người nhận", "Tiêu đề"], rows)
    sent = [line for line in lines if line.message.channel]
    reached = len({line.message.unit_id for line in sent})
    unreachable = len({line.message.unit_id for line in lines}) - reached
    summary = f"\n{len(sent)} tin nhắn tới {reached} đơn vị vào ngày {day:%d/%m/%Y}"
    if unreachable:
        summary += f"; {unreachable} đơn vị chưa có địa chỉ liên lạc (không nhận được nhắc nhở)"
    typer.echo(summary + ".")


CHANNEL_LABELS = {"email": "thư điện tử", "telegram": "Telegram", "": ""}


@app.command()
def preview(
    ctx: typer.Context,
    day: str = typer.Option("", "--date", help="Ngày xem trước (dd/mm/yyyy); mặc định hôm nay."),
) -> None:
    """Xem trước ai sẽ được nhắc gì vào một ngày (theo từng mốc giờ nhắc), không gửi gì."""
    settings = get_settings(ctx)
    target = parse_day(day) if day else datetime.now(TZ).date()
    config = config_from_settings(settings)
    lines, names = run_db(settings, lambda db: _preview(db, config, target))
    _print_lines(lines, names, target)


async def _dry_run(
    db: Database, config: SchedulerConfig, day: date
) -> tuple[list[PreviewLine], dict[int, str]]:
    lines = await dry_run_day(db=db, config=config, day=day)
    async with db.session() as session:
        units = await list_units(session=session)
    return lines, {u.id: u.name for u in units if u.id is not None}


def _senders(settings: Settings, files: FileStore, bot: Any) -> list[Sender]:
    senders: list[Sender] = []
    if settings.smtp.enabled:
        senders.append(EmailSender(settings.smtp, files=files))
    if bot is not None:
        from outbox.telegram import TelegramSender

        senders.append(TelegramSender(bot, files=files))
    return senders


async def _run(settings: Settings, db: Database, *, send: bool) -> tuple[SweepResult, int]:
    clock = SystemClock()
    config = config_from_settings(settings)
    holder = holder_name(settings.instance)
    result = await remind_due(db=db, config=config, now=clock.now(), holder=holder)
    if not send or not result.new:
        return result, 0
    files = FileStore(settings.files_dir)
    bot = None
    if settings.telegram.enabled:
        from telegram import Bot

        bot = Bot(settings.telegram.token.get_secret_value(), base_url=settings.telegram.base_url)
    if bot is None:
        return result, await OutboxWorker(db, _senders(settings, files, None), clock=clock).drain()
    async with bot:
        worker = OutboxWorker(db, _senders(settings, files, bot), clock=clock)
        return result, await worker.drain()


@app.command()
def run(
    ctx: typer.Context,
    send: bool = typer.Option(True, "--send/--queue-only", help="Gửi ngay sau khi xếp hàng."),
    day: str = typer.Option(
        "",
        "--date",
        help="Chạy thử cho một ngày đã qua hoặc sắp tới (dd/mm/yyyy): chỉ liệt kê những gì "
        "sẽ được xếp hàng vào cuối ngày đó, không ghi nhận, không gửi.",
    ),
) -> None:
    """Xếp hàng các nhắc nhở đến hạn (mỗi nhắc nhở một lần) rồi gửi; --date: chạy thử."""
    settings = get_settings(ctx)
    if day:
        target = parse_day(day)
        config = config_from_settings(settings)
        lines, names = run_db(settings, lambda db: _dry_run(db, config, target))
        typer.echo(f"Chạy thử ngày {target:%d/%m/%Y} (không ghi nhận, không gửi):")
        _print_lines(lines, names, target)
        return
    result, sent = run_db(settings, lambda db: _run(settings, db, send=send))
    queued = len(result.new)
    if not result.ran:
        typer.echo(
            "Không xếp hàng nhắc nhở nào: một phiên bản khác của dịch vụ đang chạy đợt nhắc "
            "nhở (đang giữ khoá). Những nhắc nhở đến hạn do phiên bản đó gửi."
        )
        return
    if not result.planned:
        typer.echo("Hiện không có nhắc nhở nào đến hạn.")
    elif not queued:
        typer.echo(f"{result.planned} nhắc nhở đến hạn đều đã được xếp hàng từ trước.")
    units = len({m.unit_id for m in result.new})
    typer.echo(
        f"Đã xếp hàng {queued} nhắc nhở mới tới {units} đơn vị; đã gửi {sent} tin từ hàng đợi."
    )
    if send and queued and not (settings.smtp.enabled or settings.telegram.enabled):
        fail("Chưa cấu hình SMTP hay Telegram: tin nhắn đang chờ trong hàng đợi.", code=2)
