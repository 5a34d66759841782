"""`units`: the registry of units that must send products every month."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.common import fail, get_settings, import_csv, print_rows, run_db
from domain.kinds import UNIT_KIND_LABELS, UnitKind
from storage.db import Database
from storage.registry import list_unit_addresses, list_units
from storage.registry_import import import_units

app = typer.Typer(help="Đơn vị: nhập và xem danh sách.", no_args_is_help=True)


@app.command("import")
def import_(ctx: typer.Context, file: Path) -> None:
    """Nhập hoặc cập nhật đơn vị từ tệp CSV (code,name_vi,kind[,counted,...,emails]); lỗi một dòng
    thì không nhập dòng nào."""
    import_csv(get_settings(ctx), file, import_units, "đơn vị")


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """Danh sách đơn vị theo thứ tự chữ cái tiếng Việt."""

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
    print_rows(
        rows,
        as_json=as_json,
        headers=["Mã", "Tên đơn vị", "Loại", "Tính tuân thủ", "Hiệu lực đến"],
        cells=lambda r: (
            r["code"],
            r["name"],
            UNIT_KIND_LABELS[UnitKind(str(r["kind"]))],
            "có" if r["counted"] else "không",
            r["valid_to"] or "",
        ),
        footer=f"{len(rows)} đơn vị",
    )


@app.command("set")
def set_(
    ctx: typer.Context,
    code: str,
    name: str | None = typer.Option(None, "--name", help="Tên tiếng Việt"),
    kind: UnitKind | None = typer.Option(None, "--kind"),
    counted: bool | None = typer.Option(
        None, "--counted/--not-counted", help="Có tính vào báo cáo tuân thủ hằng tháng"
    ),
    address: list[str] | None = typer.Option(
        None, "--address", help="Email hoặc @tên-miền của đơn vị (lặp lại; thay danh sách cũ)"
    ),
) -> None:
    """Sửa tên, loại, việc tính vào báo cáo hoặc các địa chỉ thư của một đơn vị."""
    from storage.registry import get_unit_by_code, set_unit_addresses, upsert_unit

    async def work(db: Database) -> None:
        async with db.session() as session:
            unit = await get_unit_by_code(session=session, code=code)
            if unit is None or unit.id is None:
                fail(f"Không có đơn vị mã {code!r}")
                raise AssertionError
            await upsert_unit(
                session=session,
                code=unit.code,
                name=name or unit.name,
                kind=kind or unit.kind,
                counted=unit.counted if counted is None else counted,
                valid_from=unit.valid_from,
                valid_to=unit.valid_to,
                successor_code=unit.successor_code,
            )
            if address is not None:
                await set_unit_addresses(session=session, unit_id=unit.id, addresses=address)
            await session.commit()

    run_db(get_settings(ctx), work)
    typer.echo(f"Đã cập nhật đơn vị {code}.")


@app.command()
def close(
    ctx: typer.Context,
    code: str,
    on: str = typer.Option(..., "--on", help="Ngày cuối cùng đơn vị tồn tại (YYYY-MM-DD)"),
    successor: str = typer.Option("", "--successor", help="Mã đơn vị kế thừa hồ sơ"),
) -> None:
    """Đóng một đơn vị (sáp nhập, sắp xếp lại): lịch sử được giữ và chuyển cho đơn vị kế thừa."""
    from datetime import date

    from storage.registry import get_unit_by_code

    try:
        last_day = date.fromisoformat(on)
    except ValueError:
        fail(f"Ngày không hợp lệ: {on!r} (cần YYYY-MM-DD)")
        raise AssertionError from None

    async def work(db: Database) -> None:
        async with db.session() as session:
            unit = await get_unit_by_code(session=session, code=code)
            if unit is None:
                fail(f"Không có đơn vị mã {code!r}")
                raise AssertionError
            if successor and await get_unit_by_code(session=session, code=successor) is None:
                fail(f"Không có đơn vị kế thừa mã {successor!r}")
            unit.valid_to = last_day
            unit.successor_code = successor.lower() or None
            session.add(unit)
            await session.commit()

    run_db(get_settings(ctx), work)
    typer.echo(
        f"Đơn vị {code} ngừng hoạt động sau {last_day:%d/%m/%Y}"
        + (f"; hồ sơ chuyển cho {successor}." if successor else ".")
    )
