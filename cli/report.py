"""`python main.py report --month 2024-07 | --year 2024`: the compliance report on demand."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from cli.common import fail, get_settings, run_db
from domain.clock import SystemClock
from domain.periods import period_from_text, period_of, previous_period
from reports import render, xlsx
from reports.compliance import month_report, year_report
from reports.figures import MonthReport, YearReport
from reports.reach import with_reach, with_year_reach
from scheduler.config import config_from_settings
from settings import Settings
from storage.db import Database

app = typer.Typer(help="Báo cáo tình hình gửi tin, bài của các đơn vị.")


class Format(StrEnum):
    """What `--format` takes: a table on the terminal, or a file for the office's spreadsheet."""

    TABLE = "table"
    CSV = "csv"
    XLSX = "xlsx"


async def _build(
    db: Database, *, month: str, year: int | None, internal: bool, settings: Settings
) -> MonthReport | YearReport:
    rules = config_from_settings(settings).rules
    now = SystemClock().now()
    async with db.session() as session:
        if year is not None:
            grid = await year_report(session=session, year=year, rules=rules, now=now)
            return await with_year_reach(session=session, report=grid)
        report = await month_report(
            session=session, period=month, rules=rules, now=now, internal=internal
        )
        return await with_reach(session=session, report=report)


def _render(report: MonthReport | YearReport, fmt: Format) -> bytes:
    if isinstance(report, YearReport):
        if fmt is Format.XLSX:
            return xlsx.year_xlsx(report)
        return render.year_csv(report) if fmt is Format.CSV else render.year_table(report).encode()
    if fmt is Format.XLSX:
        return xlsx.month_xlsx(report)
    return render.month_csv(report) if fmt is Format.CSV else render.month_table(report).encode()


@app.callback(invoke_without_command=True)
def report(
    ctx: typer.Context,
    month: str = typer.Option(
        "", "--month", help="Tháng, dạng 12/2026 hoặc 2026-12; mặc định tháng trước."
    ),
    year: int | None = typer.Option(None, "--year", help="Cả năm: bảng đơn vị x tháng."),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table, csv hoặc xlsx."),
    out: Path | None = typer.Option(None, "--out", help="Ghi ra tệp thay vì màn hình."),
    internal: bool = typer.Option(False, "--internal", help="Bản nội bộ: kèm số điện thoại."),
) -> None:
    """In hoặc ghi báo cáo tình hình gửi tin, bài của một tháng hay cả năm."""
    settings = get_settings(ctx)
    if month and year is not None:
        fail("Chọn --month hoặc --year, không dùng cả hai.")
    try:
        period = (
            period_from_text(month)
            if month.strip()
            else previous_period(period_of(SystemClock().now()))
        )
    except ValueError as exc:
        fail(str(exc))
    built = run_db(
        settings,
        lambda db: _build(db, month=period, year=year, internal=internal, settings=settings),
    )
    data = _render(built, fmt)
    if out is None and fmt is Format.XLSX:
        name = f"bao-cao-{year}.xlsx" if year is not None else f"bao-cao-{period}.xlsx"
        out = Path(name)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    out.write_bytes(data)
    typer.echo(f"Đã ghi {out} ({len(data)} byte).")
