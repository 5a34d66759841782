"""`units`: the registry of units that must send products every month."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from sqlalchemy.exc import IntegrityError

from cli.common import fail, get_settings, import_csv, print_rows, run_db
from domain.kinds import UNIT_KIND_LABELS, UnitKind
from domain.presets import (
    PresetError,
    PresetPlan,
    build_preset,
    find_province,
    parse_departments,
    plan_preset,
)
from storage.db import Database
from storage.registry import addresses_by_unit, list_units
from storage.registry_import import import_units
from storage.succession import Handover

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
            addresses = await addresses_by_unit(session=session)
            return [
                {
                    "code": u.code,
                    "name": u.name,
                    "kind": u.kind,
                    "counted": u.counted,
                    "valid_from": u.valid_from,
                    "valid_to": u.valid_to,
                    "successor": u.successor_code,
                    "addresses": addresses.get(u.id or 0, []),
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
    successor: list[str] | None = typer.Option(
        None, "--successor", help="Mã đơn vị kế thừa (lặp lại; đơn vị đầu tiên nhận hồ sơ)"
    ),
    officers_to: str = typer.Option(
        "", "--officers-to", help="Chuyển cán bộ đang phụ trách sang đơn vị kế thừa này"
    ),
    addresses_to: str = typer.Option(
        "", "--addresses-to", help="Chuyển các địa chỉ email đã biết sang đơn vị kế thừa này"
    ),
) -> None:
    """Đóng một đơn vị (sáp nhập, sắp xếp lại): lịch sử được giữ và chuyển cho đơn vị kế thừa."""
    from domain.registry_rows import CsvRowError, SuccessionRow
    from storage.registry import get_unit_by_code
    from storage.succession import apply_succession

    last_day = _day(on, "--on")
    successors = list(dict.fromkeys(s.strip().lower() for s in successor or [] if s.strip()))
    for option, value in (("--officers-to", officers_to), ("--addresses-to", addresses_to)):
        if value and value.strip().lower() not in successors:
            fail(f"{option} {value!r} phải là một trong các đơn vị --successor")

    async def work(db: Database) -> None:
        if successors:
            rows = [
                SuccessionRow(
                    line=0,
                    code=code.strip().lower(),
                    successor=s,
                    valid_to=last_day,
                    officers=s == officers_to.strip().lower(),
                    addresses=s == addresses_to.strip().lower(),
                )
                for s in successors
            ]
            try:
                await apply_succession(db, rows, write=True)
            except CsvRowError as exc:
                fail("\n".join(p.removeprefix("dòng 0: ") for p in exc.problems))
            return
        async with db.session() as session:
            unit = await get_unit_by_code(session=session, code=code)
            if unit is None:
                fail(f"Không có đơn vị mã {code!r}")
            unit.valid_to = last_day
            unit.successor_code = None
            session.add(unit)
            await session.commit()

    run_db(get_settings(ctx), work)
    typer.echo(
        f"Đơn vị {code} ngừng hoạt động sau {last_day:%d/%m/%Y}"
        + (f"; hồ sơ chuyển cho {successors[0]}." if successors else ".")
    )


def _describe(handover: Handover) -> str:
    """One ending unit's handover in a line of Vietnamese."""
    shown = handover.successors[:6]
    more = len(handover.successors) - len(shown)
    parts = [
        f"{handover.code} ({handover.name}): ngừng sau {handover.last_day:%d/%m/%Y}; "
        f"hồ sơ cho {handover.successors[0]}; kế thừa: {', '.join(shown)}"
        + (f" và {more} đơn vị khác" if more else "")
    ]
    if handover.officers_moved:
        parts.append(f"{handover.officers_moved} cán bộ chuyển sang {handover.officers_to}")
    if handover.officers_ended:
        parts.append(f"{handover.officers_ended} cán bộ thôi phụ trách")
    if handover.addresses_moved:
        parts.append(f"{handover.addresses_moved} địa chỉ chuyển sang {handover.addresses_to}")
    if handover.submissions_moved:
        parts.append(
            f"{handover.submissions_moved} sản phẩm nhận sau ngày đổi chuyển sang "
            f"{handover.officers_to}"
        )
    if len(handover.starts_moved) == 1:
        start_code, first = handover.starts_moved[0]
        parts.append(f"{start_code} hoạt động từ {first:%d/%m/%Y}")
    elif handover.starts_moved:
        first = handover.starts_moved[0][1]
        count = len(handover.starts_moved)
        parts.append(f"{count} đơn vị kế thừa hoạt động từ {first:%d/%m/%Y}")
    if not handover.changed:
        parts.append("đã áp dụng trước đó, không đổi")
    return "; ".join(parts)


@app.command(
    help="Cho các đơn vị ngừng hoạt động từ một ngày, kèm đơn vị kế thừa, theo tệp CSV "
    "code,successor,valid_to[,officers,addresses] (mỗi đơn vị kế thừa một dòng): xem trước, "
    "rồi ghi với --yes."
)
def succession(
    ctx: typer.Context,
    file: Path,
    yes: bool = typer.Option(False, "--yes", help="Ghi thay đổi (không có: chỉ xem trước)"),
) -> None:
    """End units at a date with their successors, from a CSV of
    code,successor,valid_to[,officers,addresses] (one row per successor): preview, then --yes."""
    from domain.registry_rows import CsvRowError, decode_csv, parse_succession_csv
    from storage.succession import apply_succession

    settings = get_settings(ctx)
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"Không đọc được tệp {file}: {exc.strerror or exc}")
    try:
        rows = parse_succession_csv(decode_csv(data).text)
    except CsvRowError as exc:
        fail("Không áp dụng được (chưa thay đổi gì):\n" + "\n".join(exc.problems))
    try:
        handovers = run_db(settings, lambda db: apply_succession(db, rows, write=yes))
    except CsvRowError as exc:
        fail("Không áp dụng được (chưa thay đổi gì):\n" + "\n".join(exc.problems))
    for handover in handovers:
        typer.echo(("  " if handover.changed else "  = ") + _describe(handover))
    changed = sum(1 for h in handovers if h.changed)
    if not changed:
        typer.echo("\nKhông có gì thay đổi.")
    elif yes:
        typer.echo(f"\nĐã ghi: {changed} đơn vị ngừng hoạt động và bàn giao.")
    else:
        typer.echo(f"\n{changed} đơn vị sẽ thay đổi. Chưa ghi gì. Chạy lại với --yes để ghi.")


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        fail(f"{option}: ngày không hợp lệ {value!r} (cần YYYY-MM-DD)")


def _preview_preset(plan: PresetPlan, province: str) -> list[str]:
    """What `units preset` will do, in Vietnamese, one line per unit added, ended or changed."""
    from collections import Counter

    on, last = f"{plan.on:%d/%m/%Y}", f"{plan.last_day:%d/%m/%Y}"
    kinds = Counter(UNIT_KIND_LABELS[u.kind] for u in [*plan.added, *plan.kept])
    lines = [
        f"Danh sách đơn vị của {province} từ {on}: "
        + ", ".join(f"{n} {label.lower()}" for label, n in kinds.items())
        + f" ({len(plan.added) + len(plan.kept)} đơn vị)."
    ]
    lines.append(f"Thêm mới ({len(plan.added)}), hoạt động từ {on}:")
    lines += [f"  + {u.code}  {u.name}  [{UNIT_KIND_LABELS[u.kind]}]" for u in plan.added]
    lines.append(f"Ngừng hoạt động ({len(plan.ended)}), ngày cuối {last}:")
    lines += [f"  - {u.code}  {u.name}" for u in plan.ended]
    if plan.removed:
        lines.append(f"Xóa khỏi danh sách, chưa có lịch sử nào ({len(plan.removed)}):")
        lines += [f"  x {u.code}  {u.name}" for u in plan.removed]
    lines.append(f"Giữ nguyên ({len(plan.kept)}), trong đó thay đổi ({len(plan.changed)}):")
    for old, new in plan.changed:
        what = []
        if old.name != new.name:
            what.append(f"tên {old.name!r} -> {new.name!r}")
        if old.kind != new.kind.value:
            what.append(f"loại {old.kind} -> {new.kind.value}")
        if old.valid_to is not None and old.valid_to < plan.on:
            what.append(f"hoạt động lại (đã ngừng sau {old.valid_to:%d/%m/%Y})")
        lines.append(f"  ~ {new.code}  " + "; ".join(what))
    return lines


@app.command(
    help="Lập danh sách đơn vị của một tỉnh theo bản đồ hành chính chính thức (xã, phường, "
    "các sở theo quy định, các cơ quan báo chí được nêu): xem trước, rồi ghi với --yes."
)
def preset(
    ctx: typer.Context,
    province: str = typer.Option(..., "--province", help="Tỉnh, thành phố (không dấu cũng được)"),
    on: str = typer.Option("", "--on", help="Ngày danh sách mới có hiệu lực (mặc định hôm nay)"),
    press: list[str] | None = typer.Option(
        None, "--press", help="Cơ quan báo chí: 'Tên' hoặc 'mã=Tên' (lặp lại)"
    ),
    department: list[str] | None = typer.Option(
        None, "--department", help="Thêm sở tùy chọn theo mã, ví dụ so-ngoai-vu (lặp lại)"
    ),
    keep: list[str] | None = typer.Option(
        None, "--keep", help="Mã đơn vị ngoài danh sách vẫn giữ hoạt động (lặp lại)"
    ),
    remove_unused: bool = typer.Option(
        False,
        "--remove-unused",
        help="Xóa (thay vì cho ngừng) các đơn vị ngoài danh sách chưa có lịch sử nào: không sản "
        "phẩm, cán bộ, nhắc nhở (ví dụ danh sách mặc định nhập khi cài mới)",
    ),
    yes: bool = typer.Option(False, "--yes", help="Ghi thay đổi (không có: chỉ xem trước)"),
) -> None:
    """Build the unit list of a province from the official map (communes and wards, the
    standard departments, the press units named): preview, then write with --yes."""
    from domain.clock import SystemClock
    from domain.periods import TZ
    from storage.registry_preset import apply_preset, existing_units

    settings = get_settings(ctx)
    day = _day(on, "--on") if on.strip() else SystemClock().now().astimezone(TZ).date()
    try:
        found = find_province(province)
        departments = parse_departments(settings.org.departments_csv.read_text(encoding="utf-8"))
        wanted = build_preset(
            found,
            departments,
            optional=[*settings.org.optional_departments, *(department or [])],
            press=press or [],
        )
    except PresetError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"Không đọc được danh sách sở, ban, ngành {settings.org.departments_csv}: {exc}")

    async def work(db: Database) -> PresetPlan:
        async with db.session() as session:
            current = await existing_units(session=session)
        plan = plan_preset(current, wanted, on=day, keep=keep or [], remove_unused=remove_unused)
        if yes:
            await apply_preset(db, plan)
        return plan

    try:
        plan = run_db(settings, work)
    except IntegrityError:  # a table this version does not know still refers to a unit
        fail(
            "Không ghi được (chưa thay đổi gì): còn dữ liệu tham chiếu tới đơn vị định xóa. "
            "Chạy lại không có --remove-unused để các đơn vị đó ngừng hoạt động thay vì bị xóa."
        )
    typer.echo("\n".join(_preview_preset(plan, found.name)))
    if not plan.has_changes:
        typer.echo("\nKhông có gì thay đổi.")
    elif yes:
        removed = f", {len(plan.removed)} xóa" if plan.removed else ""
        typer.echo(
            f"\nĐã ghi: {len(plan.added)} thêm, {len(plan.ended)} ngừng, "
            f"{len(plan.changed)} cập nhật{removed}."
        )
    else:
        typer.echo("\nChưa ghi gì. Chạy lại với --yes để ghi.")
