"""`officers`: each unit's communications officer (name, position, phone)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import NoReturn

import typer

from cli.common import fail, get_settings, import_csv, print_rows, run_db
from domain.glossary import fmt_at
from domain.phones import display_phone
from domain.registry_rows import CsvRowError, check_officer
from storage.db import Database
from storage.models import utcnow
from storage.registry import get_unit_by_code, list_officers, list_units
from storage.registry_import import add_officer, import_officers

app = typer.Typer(help="Cán bộ đầu mối truyền thông của đơn vị.", no_args_is_help=True)


@app.command(help="Đăng ký cán bộ đầu mối cho một đơn vị.")
def add(
    ctx: typer.Context,
    unit: str = typer.Option(..., "--unit", help="Mã đơn vị"),
    name: str = typer.Option(..., "--name", help="Họ và tên"),
    position: str = typer.Option("", "--position", help="Chức vụ (bắt buộc)"),
    phone: str = typer.Option("", "--phone", help="Số điện thoại"),
    email: str = typer.Option("", "--email"),
    telegram_id: int | None = typer.Option(None, "--telegram-id"),
) -> None:
    """Register an officer for a unit (checked as `officers import` checks a row)."""
    row, problems = check_officer(
        unit_code=unit,
        full_name=name,
        position=position,
        phone=phone,
        email=email,
        telegram_user_id="" if telegram_id is None else str(telegram_id),
        options=True,
    )
    if problems:
        _refuse(problems)

    async def work(db: Database) -> int:
        async with db.session() as session:
            try:
                officer = await add_officer(session, row, consent_at=utcnow())
            except CsvRowError as exc:
                _refuse(exc.problems)
            await session.commit()
            return officer.id or 0

    officer_id = run_db(get_settings(ctx), work)
    typer.echo(f"Đã đăng ký cán bộ #{officer_id} cho đơn vị {row.unit_code}.")


def _refuse(problems: list[str]) -> NoReturn:
    fail("Không đăng ký được cán bộ (chưa thay đổi gì):\n" + "\n".join(f"- {p}" for p in problems))


@app.command("import")
def import_(ctx: typer.Context, file: Path) -> None:
    """Nhập cán bộ từ tệp CSV (unit_code,full_name,position,phone,email); lỗi một dòng thì không
    nhập dòng nào."""
    import_csv(get_settings(ctx), file, import_officers, "cán bộ")


@app.command("list")
def list_(
    ctx: typer.Context,
    unit: str = typer.Option("", "--unit", help="Chỉ một đơn vị"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Danh sách cán bộ đầu mối đang làm việc, kèm ID dùng cho `officers end` (số điện thoại là dữ
    liệu cá nhân: chỉ dùng nội bộ)."""

    async def work(db: Database) -> list[dict[str, object]]:
        async with db.session() as session:
            units = {u.id: u for u in await list_units(session=session)}
            unit_id = None
            if unit:
                found = await get_unit_by_code(session=session, code=unit)
                if found is None:
                    fail(f"Không có đơn vị mã {unit!r}")
                unit_id = found.id
            officers = await list_officers(session=session, unit_id=unit_id, active_at=utcnow())
            return [
                {
                    "id": o.id,
                    "unit": units[o.unit_id].code if o.unit_id in units else None,
                    "unit_name": units[o.unit_id].name if o.unit_id in units else None,
                    "full_name": o.full_name,
                    "position": o.position,
                    "phone": o.phone,
                    "email": o.email,
                    "telegram_user_id": o.telegram_user_id,
                    "consent_at": o.consent_at,
                }
                for o in officers
            ]

    rows = run_db(get_settings(ctx), work)
    print_rows(
        rows,
        as_json=as_json,
        headers=["ID", "Họ và tên", "Chức vụ", "Điện thoại", "Email", "Đơn vị"],
        cells=lambda r: (
            r["id"],  # what `officers end ID` needs
            r["full_name"],
            r["position"],
            display_phone(str(r["phone"])) if r["phone"] else "",
            r["email"] or "",
            r["unit_name"],
        ),
        footer=f"{len(rows)} cán bộ",
    )


@app.command()
def end(ctx: typer.Context, officer_id: int) -> None:
    """Kết thúc nhiệm vụ của cán bộ có ID (lịch sử được giữ; đơn vị cần cán bộ đầu mối mới)."""
    from storage.registry import end_officer, get_officer

    async def work(db: Database) -> str:
        async with db.session() as session:
            officer = await get_officer(session=session, officer_id=officer_id)
            if officer is None:
                fail(f"Không có cán bộ #{officer_id}")
            await end_officer(session=session, officer_id=officer_id, at=utcnow())
            await session.commit()
            return officer.full_name

    name = run_db(get_settings(ctx), work)
    typer.echo(f"Đã kết thúc phân công của cán bộ #{officer_id} ({name}).")


@app.command()
def invite(
    ctx: typer.Context,
    unit: str = typer.Argument(..., help="Mã đơn vị"),
    days: int | None = typer.Option(
        None, "--days", help="Số ngày hiệu lực (mặc định theo cấu hình)"
    ),
) -> None:
    """Tạo mã mời Telegram dùng một lần cho cán bộ đầu mối của đơn vị (in mã và đường liên kết)."""
    from domain.periods import to_local
    from intake.telegram.invites import create_invite, invite_link

    settings = get_settings(ctx)
    valid_days = days if days is not None else settings.telegram.invite_valid_days

    async def work(db: Database) -> tuple[str, datetime]:
        async with db.session() as session:
            found = await get_unit_by_code(session=session, code=unit)
            if found is None or found.id is None:
                fail(f"Không có đơn vị mã {unit!r} (xem: python main.py units list)")
            created = await create_invite(
                session=session, unit_id=found.id, now=utcnow(), valid_days=valid_days
            )
            await session.commit()
            return created.code, created.expires_at

    code, expires = run_db(settings, work)
    until = to_local(expires)  # people read local time, never UTC
    typer.echo(f"Mã mời: {code} (dùng một lần, hết hạn {fmt_at(until)})")
    typer.echo(f"Liên kết: {invite_link(settings.telegram.bot_username, code)}")
