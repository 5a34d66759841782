"""Registry pages (admins): units (edit; CSV import with a preview), officers (add, end, bot
invite with QR; CSV import with a preview), editors and leaders (add), CSV export; the QR
poster (everyone logged in)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web
from markupsafe import Markup
from PIL import Image, ImageDraw
from sqlalchemy.exc import IntegrityError

from domain.kinds import UNIT_KIND_LABELS, UnitKind
from domain.registry_rows import (
    CsvRowError,
    check_officer,
    check_unit,
    decode_csv,
    looks_like_email,
)
from domain.text import clean
from intake.telegram.invites import create_invite, invite_link
from publisher.qr import load_font, qr_matrix, render_png
from reports.render import to_csv
from storage.leaders import create_leader, end_leader, list_leaders
from storage.logins import Role
from storage.models import Unit
from storage.registry import (
    create_editor,
    editor_conflict,
    end_officer,
    get_officer,
    list_editors,
    list_officers,
    list_units,
)
from storage.registry_import import Change, add_officer, edit_unit, import_officers, import_units
from web.console.deps import deps_of
from web.console.guard import requires
from web.console.pages import _int
from web.console.render import page, see_other
from web.console.security import identity

MAX_UPLOAD = 2 * 1024 * 1024
ACTIONS = {"create": "Thêm mới", "update": "Cập nhật", "same": "Không đổi"}


def qr_svg(url: str) -> Markup:
    """A plain QR code as inline SVG (our own markup: only rectangles)."""
    matrix = qr_matrix(url)
    side = len(matrix)
    cells = "".join(
        f'<rect x="{x}" y="{y}" width="1" height="1"/>'
        for y, row in enumerate(matrix)
        for x, on in enumerate(row)
        if on
    )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" class="qr" '
        f'role="img" aria-label="Mã QR"><rect width="{side}" height="{side}" fill="#fff"/>'
        f"{cells}</svg>"
    )


@requires(Role.ADMIN)
async def registry(request: web.Request) -> web.StreamResponse:
    deps = deps_of(request)
    now = deps.clock.now()
    async with deps.db.session() as session:
        units = await list_units(session=session)
        editors = await list_editors(session=session, active_only=False)
        leaders = await list_leaders(session=session, active_at=now)
    return page(
        request,
        "registry.html",
        units=units,
        editors=editors,
        leaders=leaders,
        kind_label=lambda k: UNIT_KIND_LABELS.get(UnitKind(k), k),
    )


def _form_text(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


@requires(Role.ADMIN)
async def officer_add(request: web.Request) -> web.StreamResponse:
    deps = deps_of(request)
    unit_id = _int(request, "unit_id")
    form = await request.post()
    async with deps.db.session() as session:
        unit = await session.get(Unit, unit_id)
        if unit is None:
            raise web.HTTPNotFound(text="Không có đơn vị này.")
        row, problems = check_officer(
            unit_code=unit.code,
            full_name=_form_text(form, "full_name"),
            position=_form_text(form, "position"),
            phone=_form_text(form, "phone"),
            email=_form_text(form, "email"),
        )
        if not problems:
            try:
                await add_officer(session, row)
                await session.commit()
            except CsvRowError as exc:
                problems = exc.problems
    if problems:
        return not_saved(request, "thêm", "cán bộ", problems)
    return see_other(f"/don-vi/{unit_id}")


@requires(Role.ADMIN)
async def officer_end(request: web.Request) -> web.StreamResponse:
    deps = deps_of(request)
    officer_id = _int(request, "officer_id")
    async with deps.db.session() as session:
        officer = await get_officer(session=session, officer_id=officer_id)
        if officer is None:
            raise web.HTTPNotFound(text="Không có cán bộ này.")
        await end_officer(session=session, officer_id=officer_id, at=deps.clock.now())
        await session.commit()
    return see_other(f"/don-vi/{officer.unit_id}")


@requires(Role.ADMIN)
async def invite(request: web.Request) -> web.StreamResponse:
    """A single-use bot invite for the unit's officer, as a link and a QR code."""
    deps = deps_of(request)
    unit_id = _int(request, "unit_id")
    async with deps.db.session() as session:
        unit = await session.get(Unit, unit_id)
        if unit is None:
            raise web.HTTPNotFound(text="Không có đơn vị này.")
        created = await create_invite(
            session=session,
            unit_id=unit_id,
            now=deps.clock.now(),
            valid_days=deps.settings.telegram.invite_valid_days,
        )
        await session.commit()
    link = invite_link(deps.settings.telegram.bot_username, created.code)
    return page(
        request,
        "invite.html",
        unit=unit,
        code=created.code,
        link=link,
        qr=qr_svg(link) if link.startswith("https://") else None,
        expires_at=created.expires_at,
    )


Importer = Callable[..., Awaitable[tuple[int, int]]]
IMPORTS: dict[str, tuple[str, Importer]] = {
    "can-bo": ("cán bộ", import_officers),
    "don-vi": ("đơn vị", import_units),
}
FIELD_LABELS = {
    "name_vi": "tên",
    "kind": "loại",
    "counted": "tính vào báo cáo",
    "valid_from": "hiệu lực từ",
    "valid_to": "hiệu lực đến",
    "successor": "đơn vị kế thừa",
    "emails": "địa chỉ email",
}


@requires(Role.ADMIN)
async def officers_import(request: web.Request) -> web.StreamResponse:
    return await _import(request, "can-bo")


@requires(Role.ADMIN)
async def units_import(request: web.Request) -> web.StreamResponse:
    return await _import(request, "don-vi")


async def _import(request: web.Request, what: str) -> web.Response:
    """Step 1 (a file): show what would change and every row error; step 2 (confirm): write."""
    deps = deps_of(request)
    noun, importer = IMPORTS[what]
    form = await request.post()
    upload = form.get("file")
    problems: list[str] = []
    text = _form_text(form, "csv")
    encoding = "UTF-8"
    if isinstance(upload, web.FileField):
        data = upload.file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            problems = ["tệp quá lớn (tối đa 2 MB)"]
        else:
            try:
                decoded = decode_csv(data)
                text, encoding = decoded.text, decoded.encoding
            except CsvRowError as exc:
                problems = exc.problems
    confirm = _form_text(form, "confirm") == "1"
    plan: list[Change] = []
    created = updated = 0
    if not problems:
        try:
            created, updated = await importer(deps.db, text, dry_run=not confirm, plan=plan)
        except CsvRowError as exc:
            problems = exc.problems
    return page(
        request,
        "import.html",
        status=400 if problems else 200,
        what=what,
        noun=noun,
        problems=problems,
        plan=plan,
        actions=ACTIONS,
        field_labels=FIELD_LABELS,
        created=created,
        updated=updated,
        csv=text,
        encoding=encoding,
        done=confirm and not problems,
    )


@requires(Role.ADMIN)
async def unit_edit(request: web.Request) -> web.StreamResponse:
    """A unit's name, kind, validity, successor and addresses, checked as an import row is."""
    deps = deps_of(request)
    unit_id = _int(request, "unit_id")
    form = await request.post()
    async with deps.db.session() as session:
        unit = await session.get(Unit, unit_id)
        if unit is None:
            raise web.HTTPNotFound(text="Không có đơn vị này.")
        row, problems = check_unit(
            {
                "code": unit.code,
                "name_vi": _form_text(form, "name"),
                "kind": _form_text(form, "kind"),
                "counted": "1" if _form_text(form, "counted") else "0",
                "valid_from": _form_text(form, "valid_from"),
                "valid_to": _form_text(form, "valid_to"),
                "successor": _form_text(form, "successor"),
                "emails": _form_text(form, "emails"),
            }
        )
        if not problems:
            try:
                await edit_unit(session, row)
                await session.commit()
            except CsvRowError as exc:
                problems = exc.problems
    if problems:
        return not_saved(request, "lưu", "đơn vị", problems)
    return see_other(f"/don-vi/{unit_id}")


@requires(Role.ADMIN)
async def editor_add(request: web.Request) -> web.StreamResponse:
    """An editor, as `editors add` registers one (name, e-mail, Telegram user id)."""
    deps = deps_of(request)
    form = await request.post()
    name, email = clean(_form_text(form, "full_name")), clean(_form_text(form, "email"))
    telegram = clean(_form_text(form, "telegram_user_id"))
    problems = []
    if not name:
        problems.append("thiếu họ và tên")
    if telegram and not (telegram.isascii() and telegram.isdigit() and len(telegram) <= 15):
        problems.append(f"mã người dùng Telegram phải là một số: {telegram!r}")
    if email and not looks_like_email(email):
        problems.append(f"địa chỉ email không hợp lệ: {email!r}")
    telegram_id = int(telegram) if telegram and not problems else None
    async with deps.db.session() as session:
        if not problems:
            taken = await editor_conflict(
                session=session, email=email, telegram_user_id=telegram_id
            )
            problems += [taken] if taken else []
        if not problems:
            try:
                await create_editor(
                    session=session,
                    full_name=name,
                    email=email or None,
                    telegram_user_id=telegram_id,
                )
                await session.commit()
            except IntegrityError:  # the same Telegram id added a moment ago elsewhere
                await session.rollback()
                problems.append(f"mã Telegram {telegram_id} vừa được dùng cho người khác")
    if problems:
        return not_saved(request, "thêm", "biên tập viên", problems)
    return see_other("/danh-muc")


@requires(Role.ADMIN)
async def export_units(request: web.Request) -> web.StreamResponse:
    deps = deps_of(request)
    async with deps.db.session() as session:
        units = await list_units(session=session)
    rows: list[list[str | int | datetime]] = [
        [
            u.code,
            u.name,
            str(u.kind),
            "1" if u.counted else "0",
            u.valid_from.isoformat() if u.valid_from else "",
            u.valid_to.isoformat() if u.valid_to else "",
            u.successor_code or "",
        ]
        for u in units
    ]
    headers = ["code", "name_vi", "kind", "counted", "valid_from", "valid_to", "successor_code"]
    return _csv(to_csv(headers, rows), "don-vi.csv")


@requires(Role.ADMIN)
async def export_officers(request: web.Request) -> web.StreamResponse:
    deps = deps_of(request)
    now = deps.clock.now()
    async with deps.db.session() as session:
        units = {u.id: u.code for u in await list_units(session=session)}
        officers = [
            o
            for o in await list_officers(session=session)
            if o.active_to is None or o.active_to > now
        ]
    rows: list[list[str | int | datetime]] = [
        [units.get(o.unit_id, ""), o.full_name, o.position, o.phone or "", o.email or ""]
        for o in officers
    ]
    headers = ["unit_code", "full_name", "position", "phone", "email"]
    return _csv(to_csv(headers, rows), "can-bo.csv")


def _csv(data: bytes, name: str) -> web.Response:
    return web.Response(
        body=data,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )


@requires(Role.ADMIN)
async def leader_add(request: web.Request) -> web.StreamResponse:
    deps = deps_of(request)
    form = await request.post()
    try:
        async with deps.db.session() as session:
            await create_leader(
                session=session,
                full_name=_form_text(form, "full_name"),
                position=_form_text(form, "position"),
                email=_form_text(form, "email") or None,
                now=deps.clock.now(),
            )
            await session.commit()
    except ValueError as exc:
        return page(request, "message.html", status=400, title="Không thêm được", text=str(exc))
    return see_other("/danh-muc")


@requires(Role.ADMIN)
async def leader_end(request: web.Request) -> web.StreamResponse:
    deps = deps_of(request)
    async with deps.db.session() as session:
        await end_leader(
            session=session, leader_id=_int(request, "leader_id"), at=deps.clock.now()
        )
        await session.commit()
    return see_other("/danh-muc")


# --- QR poster --------------------------------------------------------------------------------


async def _poster_unit(request: web.Request) -> Unit:
    deps = deps_of(request)
    async with deps.db.session() as session:
        unit = await session.get(Unit, _int(request, "unit_id"))
    if unit is None:
        raise web.HTTPNotFound(text="Không có đơn vị này.")
    return unit


@requires(Role.LEADER)
async def poster(request: web.Request) -> web.StreamResponse:
    """A printable A4 page: the OA's follow QR code, the OA's name and the unit's name."""
    deps = deps_of(request)
    unit = await _poster_unit(request)
    zalo = deps.settings.zalo
    svg = await asyncio.to_thread(qr_svg, zalo.follow_url)  # the page prints the names
    return page(
        request,
        "poster.html",
        unit=unit,
        oa_name=zalo.oa_name,
        follow_url=zalo.follow_url,
        qr=svg,
        who=identity(request),
    )


@requires(Role.LEADER)
async def poster_png(request: web.Request) -> web.StreamResponse:
    deps = deps_of(request)
    unit = await _poster_unit(request)
    zalo = deps.settings.zalo
    data = await asyncio.to_thread(_poster_png, zalo.follow_url, zalo.oa_name, unit.name)
    return web.Response(
        body=data,
        headers={
            "Content-Type": "image/png",
            "Content-Disposition": f'attachment; filename="ma-qr-{unit.code}.png"',
        },
    )


def _poster_png(url: str, oa_name: str, unit_name: str) -> bytes:
    """The OA's QR image with the unit's name added under it."""
    qr = Image.open(io.BytesIO(render_png(url, oa_name))).convert("RGB")
    font = load_font(max(24, qr.width // 22))
    band = font.size * 2 if hasattr(font, "size") else 60
    out = Image.new("RGB", (qr.width, qr.height + int(band)), "white")
    out.paste(qr, (0, 0))
    draw = ImageDraw.Draw(out)
    width = draw.textlength(unit_name, font=font)
    draw.text(((qr.width - width) / 2, qr.height), unit_name, fill="black", font=font)
    buffer = io.BytesIO()
    out.save(buffer, format="PNG")
    return buffer.getvalue()


ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/danh-muc", registry),
    ("POST", "/danh-muc/don-vi/{unit_id}/can-bo", officer_add),
    ("POST", "/danh-muc/can-bo/{officer_id}/ket-thuc", officer_end),
    ("POST", "/danh-muc/don-vi/{unit_id}/moi", invite),
    ("POST", "/danh-muc/nhap-can-bo", officers_import),
    ("POST", "/danh-muc/nhap-don-vi", units_import),
    ("POST", "/danh-muc/don-vi/{unit_id}", unit_edit),
    ("POST", "/danh-muc/bien-tap-vien", editor_add),
    ("GET", "/danh-muc/don-vi.csv", export_units),
    ("GET", "/danh-muc/can-bo.csv", export_officers),
    ("POST", "/danh-muc/lanh-dao", leader_add),
    ("POST", "/danh-muc/lanh-dao/{leader_id}/ket-thuc", leader_end),
    ("GET", "/don-vi/{unit_id}/ap-phich", poster),
    ("GET", "/don-vi/{unit_id}/ap-phich.png", poster_png),
]


def not_saved(request: web.Request, verb: str, what: str, problems: list[str]) -> web.Response:
    """The page for a form that changed nothing: what was refused and every reason."""
    text = f"Không {verb} được {what} (chưa thay đổi gì): " + "; ".join(problems)
    return page(request, "message.html", status=400, title=f"Không {verb} được", text=text)
