"""`units`: the registry of units that must send products every month."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.common import fail, get_settings, print_json, print_table, run_db
from domain.kinds import UNIT_KIND_LABELS, UnitKind
from domain.registry_rows import CsvRowError
from storage.db import Database
from storage.registry import list_unit_addresses, list_units
from storage.registry_import import import_units

app = typer.Typer(help="Đơn vị: nhập và xem danh sách.", no_args_is_help=True)


@app.command("import")
def import_(ctx: typer.Context, file: Path) -> None:
    """Import or update units from a CSV (code,name_vi,kind[,counted,...,emails]); all or none."""
    settings = get_settings(ctx)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"Không đọc được tệp {file}: {exc}")
    try:
        created, updated = run_db(settings, lambda db: import_units(db, text))
    except CsvRowError as exc:
        fail("Không nhập được (chưa thay đổi gì):\n" + "\n".join(exc.problems))
    typer.echo(f"Đã nhập: {created} đơn vị mới, {updated} đơn vị cập nhật.")


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """List units in Vietnamese alphabetical order."""

    async def work(db: Database) -> list[dict[str, object]]:
        async with db.session() as session:
            units = await list_units(session=session)
            return [
                {
                    "code": u.code,
                    "name": u.name,
                    "kind": u.kind,
                    "counted": u.counted,
                    "valid_from": u.valid_from,
                    "valid_to": u.valid_to,
                    "successor": u.successor_code,
                    "addresses": await list_unit_addresses(session=session, unit_id=u.id or 0),
                }
                for u in units
            ]

    rows = run_db(get_settings(ctx), work)
    if as_json:
        print_json(rows)
        return
    print_table(
        ["Mã", "Tên đơn vị", "Loại", "Tính tuân thủ", "Hiệu lực đến"],
        [
            (
                r["code"],
                r["name"],
                UNIT_KIND_LABELS[UnitKind(str(r["kind"]))],
                "có" if r["counted"] else "không",
                r["valid_to"] or "",
            )
            for r in rows
        ],
    )
    typer.echo(f"\n{len(rows)} đơn vị")
