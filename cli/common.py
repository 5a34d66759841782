"""Shared CLI plumbing: the settings from the Typer context, async running, tables, and how
an error ends a command (a Vietnamese message on stderr, exit status 1, never a traceback)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from typer.core import TyperGroup

from domain.errors import NewsdeskError
from settings import Settings
from storage.db import Database

T = TypeVar("T")


def get_settings(ctx: typer.Context) -> Settings:
    """The Settings built once by main.py's callback."""
    root = ctx.find_root()
    settings = root.obj
    if not isinstance(settings, Settings):
        settings = Settings()
        root.obj = settings
    return settings


def run_db(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Open the database, run `work`, close it."""

    async def _main() -> T:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        async with Database(settings.database_url) as db:
            return await work(db)

    return asyncio.run(_main())


def import_csv(
    settings: Settings,
    file: Path,
    importer: Callable[[Database, str], Awaitable[tuple[int, int]]],
    noun: str,
) -> None:
    """Read a CSV (UTF-8, UTF-16 or windows-1258; comma, semicolon or tab), import it
    all-or-nothing, and report (or list every problem with its line)."""
    from domain.registry_rows import CsvRowError, decode_csv

    try:
        data = file.read_bytes()
    except FileNotFoundError:
        fail(f"Không có tệp {file}.")
    except IsADirectoryError:
        fail(f"{file} là một thư mục, không phải tệp CSV.")
    except OSError as exc:
        fail(f"Không đọc được tệp {file} (mã lỗi {exc.errno}).")
    try:
        decoded = decode_csv(data)
        created, updated = run_db(settings, lambda db: importer(db, decoded.text))
    except CsvRowError as exc:
        fail("Không nhập được (chưa thay đổi gì):\n" + "\n".join(exc.problems))
    if decoded.encoding != "UTF-8":
        typer.echo(f"Tệp được đọc theo bảng mã {decoded.encoding}.")
    typer.echo(f"Đã nhập: {created} {noun} mới, {updated} {noun} cập nhật.")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain aligned table (Vietnamese NFC letters are one column wide)."""
    text_rows = [["" if c is None else str(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    line = "  ".join(h.ljust(widths[i]) for i, h in enumerate(headers))
    typer.echo(line.rstrip())
    typer.echo("  ".join("-" * w for w in widths))
    for row in text_rows:
        typer.echo("  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip())


def print_rows(
    rows: Sequence[dict[str, Any]],
    *,
    as_json: bool,
    headers: Sequence[str],
    cells: Callable[[dict[str, Any]], Sequence[Any]],
    footer: str = "",
) -> None:
    """Rows as JSON for scripts, or as a table (with an optional count line) for people."""
    if as_json:
        print_json(list(rows))
        return
    print_table(headers, [cells(r) for r in rows])
    if footer:
        typer.echo(f"\n{footer}")


def print_json(data: Any) -> None:
    """`data` as indented JSON with Vietnamese letters kept (dates and ids as strings)."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a message to stderr and exit with `code`."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def explain(exc: NewsdeskError) -> str:
    """What a person is told of an error: its message, then what its kind advises doing."""
    message = str(exc).strip() or "Không thực hiện được."
    return f"{message}\n{exc.advice}" if exc.advice else message


class Commands(TyperGroup):
    """The root command group: a NewsdeskError that no command handled itself ends the
    command with `explain()` and exit status 1 instead of a traceback. Any other exception is
    a fault of the code and keeps its traceback."""

    # `ctx` is the Context class of the Click that Typer bundles (typer.Context derives from
    # it); typer does not export that class, hence Any.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except NewsdeskError as exc:
            fail(explain(exc))
