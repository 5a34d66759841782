"""The console's handlers: read the request, call a service, render a template. No rules here."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web

from domain.errors import NewsdeskError
from domain.kinds import KIND_LABELS, UNIT_KIND_LABELS, Channel, SubmissionKind, UnitKind
from domain.periods import parse_period, period_of, to_local
from domain.states import STATUS_LABELS, SubmissionStatus
from publisher.deps import make_deps
from publisher.service import remove_publication, retry_publication
from reports import render, xlsx
from reports.compliance import month_report, year_report
from scheduler.config import config_from_settings
from storage.logins import (
    ROLE_LABELS,
    LoginRefusedError,
    Role,
    list_sessions,
    redeem_link,
    revoke_session,
)
from storage.models import Attachment, OutboxMessage, Reminder, Unit
from storage.registry import get_unit_by_code, list_officers, list_unit_addresses
from storage.submissions import list_submissions
from web.console.board import CELL_LABELS, CSS, Cell, build_board
from web.console.deps import deps_of
from web.console.desk import (
    QUEUE,
    DeskFilter,
    Outcome,
    act,
    detail,
    editable,
    preview_html,
    queue,
)
from web.console.guard import requires
from web.console.publishing import STATUS_LABELS as PUB_LABELS
from web.console.publishing import publications, token_state
from web.console.render import LOGIN_HELP, TOO_MANY_ATTEMPTS, page, see_other
from web.console.security import (
    SESSION_COOKIE,
    identity,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SAFE_IMAGES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
# The dry-run preview carries its own inline style; it may only be framed by our own pages.
PREVIEW_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)


# --- login ----------------------------------------------------------------------------------


@requires(None)
async def login_help(request: web.Request) -> web.StreamResponse:
    return page(request, "login_help.html", logged_out=request.query.get("ra") == "1")


@requires(None)
async def login_confirm(request: web.Request) -> web.StreamResponse:
    """A link preview (Telegram fetches links) must not use the link up: a button does."""
    return page(request, "login_confirm.html", token=request.match_info["token"])


@requires(None)
async def login_redeem(request: web.Request) -> web.StreamResponse:
    deps = deps_of(request)
    client = request.remote or "?"
    if not deps.login_limiter.allow(client):
        return page(request, "message.html", status=429, title="Tạm khoá", text=TOO_MANY_ATTEMPTS)
    try:
        async with deps.db.session() as session:
            token, _who = await redeem_link(
                session=session,
                token=request.match_info["token"],
                now=deps.clock.now(),
                client=client,
            )
            await session.commit()
    except LoginRefusedError as exc:
        return page(
            request, "message.html", status=400, title="Không đăng nhập được", text=exc.message
        )
    response = see_other("/")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=12 * 3600,
        httponly=True,
        samesite="Lax",
        secure=deps.secure_cookies,
        path="/",
    )
    return response


@requires(Role.LEADER)
async def logout(request: web.Request) -> web.StreamResponse:
    deps, who = deps_of(request), identity(request)
    assert who is not None
    async with deps.db.session() as session:
        await revoke_session(session=session, session_id=who.session_id, now=deps.clock.now())
        await session.commit()
    response = see_other(LOGIN_HELP + "?ra=1")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


# --- board, units, reports ------------------------------------------------------------------


def _year(request: web.Request, default: int) -> int:
    try:
        year = int(request.query.get("nam", default))
    except ValueError:
        raise web.HTTPBadRequest(text="Năm không hợp lệ.") from None
    if not 2000 <= year <= 2100:
        raise web.HTTPBadRequest(text="Năm không hợp lệ.")
    return year


def _page_number(request: web.Request) -> int:
    try:
        return max(1, int(request.query.get("trang", "1")))
    except ValueError:
        raise web.HTTPBadRequest(text="Số trang không hợp lệ.") from None


@requires(Role.LEADER)
async def board(request: web.Request) -> web.StreamResponse:
    deps = deps_of(request)
    now = deps.clock.now()
    year = _year(request, to_local(now).year)
    rules = config_from_settings(deps.settings).rules
    number = _page_number(request)
    async with deps.db.session() as session:
        built = await build_board(session=session, year=year, rules=rules, now=now, page=number)
    return page(
        request,
        "board.html",
        board=built,
        Cell=Cell,
        cell_labels=CELL_LABELS,
        css=CSS,
        current=period_of(now),
    )


@requires(Role.LEADER)
async def report_file(request: web.Request) -> web.StreamResponse:
    """The existing CSV and XLSX renderings of the year grid or of one month."""
    deps = deps_of(request)
    now = deps.clock.now()
    fmt = request.query.get("dang", "csv")
    if fmt not in ("csv", "xlsx"):
        raise web.HTTPBadRequest(text="Định dạng phải là csv hoặc xlsx.")
    rules = config_from_settings(deps.settings).rules
    month = request.query.get("thang", "")
    async with deps.db.session() as session:
        if month:
            try:
                parse_period(month)
            except ValueError:
                raise web.HTTPBadRequest(text="Tháng không hợp lệ (YYYY-MM).") from None
            report = await month_report(session=session, period=month, rules=rules, now=now)
            data = xlsx.month_xlsx(report) if fmt == "xlsx" else render.month_csv(report)
            name = f"bao-cao-{month}.{fmt}"
        else:
            year = _year(request, to_local(now).year)
            yearly = await year_report(session=session, year=year, rules=rules, now=now)
            data = xlsx.year_xlsx(yearly) if fmt == "xlsx" else render.year_csv(yearly)
            name = f"bao-cao-{year}.{fmt}"
    ctype = XLSX_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
    return web.Response(
        body=data,
        headers={
            "Content-Type": ctype,
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )


def _int(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except ValueError:
        raise web.HTTPNotFound() from None


@requires(Role.LEADER)
async def unit_page(request: web.Request) -> web.StreamResponse:
    deps, who = deps_of(request), identity(request)
    assert who is not None
    now = deps.clock.now()
    unit_id = _int(request, "unit_id")
    async with deps.db.session() as session:
        unit = await session.get(Unit, unit_id)
        if unit is None:
            raise web.HTTPNotFound(text="Không có đơn vị này.")
        officers = await list_officers(session=session, unit_id=unit_id)
        addresses = await list_unit_addresses(session=session, unit_id=unit_id)
        submissions = await list_submissions(session=session, unit_id=unit_id, limit=100)
        reminders = await _reminders(session, unit_id)
    return page(
        request,
        "unit.html",
        unit=unit,
        kind_label=UNIT_KIND_LABELS.get(UnitKind(unit.kind), unit.kind),
        officers=officers,
        addresses=addresses,
        submissions=submissions,
        reminders=reminders,
        status_labels=STATUS_LABELS,
        Status=SubmissionStatus,
        show_phones=who.may(Role.ADMIN),
        unit_kinds=[(k.value, UNIT_KIND_LABELS.get(k, k.value)) for k in UnitKind],
        now=now,
    )


async def _reminders(session: Any, unit_id: int) -> list[tuple[Reminder, OutboxMessage | None]]:
    from sqlmodel import col, select

    query = (
        select(Reminder, OutboxMessage)
        .join(OutboxMessage, col(OutboxMessage.id) == col(Reminder.outbox_id), isouter=True)
        .where(col(Reminder.unit_id) == unit_id)
        .order_by(col(Reminder.created_at).desc())
        .limit(100)
    )
    return [(r, o) for r, o in (await session.exec(query)).all()]


# --- sessions (admin) -----------------------------------------------------------------------


@requires(Role.ADMIN)
async def sessions_page(request: web.Request) -> web.StreamResponse:
    deps = deps_of(request)
    async with deps.db.session() as session:
        rows = await list_sessions(session=session, now=deps.clock.now())
    return page(request, "sessions.html", sessions=rows, role_labels=ROLE_LABELS, Role=Role)


@requires(Role.ADMIN)
async def session_revoke(request: web.Request) -> web.StreamResponse:
    deps = deps_of(request)
    async with deps.db.session() as session:
        await revoke_session(
            session=session, session_id=_int(request, "session_id"), now=deps.clock.now()
        )
        await session.commit()
    raise web.HTTPSeeOther("/phien")


# --- review desk (editors) ------------------------------------------------------------------


def _desk_filter(request: web.Request) -> DeskFilter:
    q = request.query
    try:
        unit_id = int(q["don_vi"]) if q.get("don_vi") else None
        status = q.get("trang_thai", "")
        if status not in ("", "all"):
            SubmissionStatus(status)
        kind = q.get("loai", "")
        if kind:
            SubmissionKind(kind)
        period = q.get("thang", "")
        if period:
            parse_period(period)
    except ValueError:
        raise web.HTTPBadRequest(text="Bộ lọc không hợp lệ.") from None
    channel = q.get("kenh", "")
    if channel and channel not in {c.value for c in Channel}:
        raise web.HTTPBadRequest(text="Bộ lọc không hợp lệ.")
    return DeskFilter(
        status=status, unit_id=unit_id, channel=channel, kind=kind, period=period, q=q.get("q", "")
    )


@requires(Role.EDITOR)
async def desk(request: web.Request) -> web.StreamResponse:
    deps = deps_of(request)
    f = _desk_filter(request)
    code = request.query.get("ma_don_vi", "").strip()
    async with deps.db.session() as session:
        if code:  # a code, not a list of thousands of units: the page stays small
            unit = await get_unit_by_code(session=session, code=code)
            f = replace(f, unit_id=unit.id if unit and unit.id else -1)
        found = await queue(session=session, f=f, page=_page_number(request))
    template = "desk_rows.html" if "HX-Request" in request.headers else "desk.html"
    return page(
        request,
        template,
        queue=found,
        f=f,
        unit_code=code,
        paging=urlencode([(k, v) for k, v in request.query.items() if k != "trang"]),
        status_labels=STATUS_LABELS,
        Status=SubmissionStatus,
        queue_statuses=QUEUE,
        kind_labels=KIND_LABELS,
        Kind=SubmissionKind,
        channels=[c.value for c in Channel],
    )


async def _detail_page(
    request: web.Request, submission_id: int, *, outcome: Outcome | None = None
) -> web.Response:
    deps = deps_of(request)
    edit = None
    async with deps.db.session() as session:
        found = await detail(session=session, submission_id=submission_id)
        if found is not None and found.decidable and deps.files is not None:
            edit = await editable(
                session=session,
                files=deps.files,
                submission=found.submission,
                settings=deps.settings,
            )
    if found is None:
        raise web.HTTPNotFound(text="Không có bài này.")
    status = 200 if outcome is None or outcome.ok else 409
    return page(
        request,
        "submission.html",
        status=status,
        d=found,
        edit=edit,
        outcome=outcome,
        kind_labels=KIND_LABELS,
        Kind=SubmissionKind,
        status_labels=STATUS_LABELS,
        Status=SubmissionStatus,
    )


@requires(Role.EDITOR)
async def submission_page(request: web.Request) -> web.StreamResponse:
    return await _detail_page(request, _int(request, "submission_id"))


@requires(Role.EDITOR)
async def submission_action(request: web.Request) -> web.StreamResponse:
    """One of the card's actions; a stale page is told who acted first and shown the state."""
    deps, who = deps_of(request), identity(request)
    assert who is not None
    submission_id = _int(request, "submission_id")
    form = await request.post()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}
    try:
        expected = int(values.pop("version", ""))
    except ValueError:
        raise web.HTTPBadRequest(text="Thiếu phiên bản của trang.") from None
    async with deps.db.session() as session:
        outcome = await act(
            session=session,
            submission_id=submission_id,
            expected_version=expected,
            action=values.pop("action", ""),
            values=values,
            editor_name=who.name,
            actor=who.actor,
            now=deps.clock.now(),
        )
    if outcome.ok:
        deps.wake_cards()  # the Telegram card follows the web
        deps.wake_outbox()
        deps.wake_publisher()
    return await _detail_page(request, submission_id, outcome=outcome)


@requires(Role.EDITOR)
async def submission_preview(request: web.Request) -> web.StreamResponse:
    """The publisher's dry-run rendering, framed by the submission page only."""
    deps = deps_of(request)
    if deps.files is None:
        raise web.HTTPServiceUnavailable(text="Kho tệp chưa sẵn sàng.")
    async with deps.db.session() as session:
        found = await detail(session=session, submission_id=_int(request, "submission_id"))
        if found is None:
            raise web.HTTPNotFound(text="Không có bài này.")
        body = await preview_html(
            session=session, files=deps.files, submission=found.submission, settings=deps.settings
        )
    return web.Response(
        text=body,
        content_type="text/html",
        headers={"Content-Security-Policy": PREVIEW_CSP},
    )


@requires(Role.EDITOR)
async def attachment_download(request: web.Request) -> web.StreamResponse:
    deps = deps_of(request)
    submission_id, attachment_id = _int(request, "submission_id"), _int(request, "attachment_id")
    async with deps.db.session() as session:
        item = await session.get(Attachment, attachment_id)
    if item is None or item.submission_id != submission_id or deps.files is None:
        raise web.HTTPNotFound(text="Không có tệp này.")
    try:
        data = await asyncio.to_thread(deps.files.read, item.sha256)
    except OSError:
        raise web.HTTPNotFound(text="Tệp không còn trong kho lưu trữ.") from None
    image = item.content_type in SAFE_IMAGES
    disposition = "inline" if image else "attachment"
    return web.Response(
        body=data,
        headers={
            "Content-Type": item.content_type if image else "application/octet-stream",
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(item.filename)}",
        },
    )


# --- publishing (editors) ------------------------------------------------------------------


@requires(Role.EDITOR)
async def publishing(request: web.Request) -> web.StreamResponse:
    return await _publishing_page(request)


async def _publishing_page(
    request: web.Request, *, notice: str = "", ok: bool = True
) -> web.Response:
    deps = deps_of(request)
    async with deps.db.session() as session:
        rows = await publications(session=session)
        token = await token_state(session=session)
    return page(
        request,
        "publishing.html",
        status=200 if ok else 409,
        rows=rows,
        token=token,
        labels=PUB_LABELS,
        notice=notice,
        ok=ok,
        zalo_enabled=deps.settings.zalo.enabled,
    )


@requires(Role.EDITOR)
async def publication_retry(request: web.Request) -> web.StreamResponse:
    deps, who = deps_of(request), identity(request)
    assert who is not None
    publication_id = _int(request, "publication_id")
    try:
        async with deps.db.session() as session:
            await retry_publication(
                session=session,
                publication_id=publication_id,
                actor=who.actor,
                now=deps.clock.now(),
            )
            await session.commit()
    except NewsdeskError as exc:
        return await _publishing_page(request, notice=f"Không thử lại được: {exc}", ok=False)
    deps.wake_publisher()
    return await _publishing_page(request, notice=f"Lượt đăng #{publication_id} sẽ chạy lại.")


@requires(Role.EDITOR)
async def publication_remove(request: web.Request) -> web.StreamResponse:
    deps, who = deps_of(request), identity(request)
    assert who is not None
    publication_id = _int(request, "publication_id")
    client = None
    if deps.http is not None and deps.files is not None:
        client = make_deps(
            settings=deps.settings, db=deps.db, files=deps.files, http=deps.http, clock=deps.clock
        ).client
    try:
        await remove_publication(
            db=deps.db,
            client=client,
            publication_id=publication_id,
            now=deps.clock.now(),
            actor=who.actor,
        )
    except NewsdeskError as exc:
        return await _publishing_page(request, notice=f"Không gỡ được: {exc}", ok=False)
    return await _publishing_page(request, notice=f"Đã gỡ lượt đăng #{publication_id}.")


ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/dang-nhap", login_help),
    ("GET", "/dang-nhap/{token}", login_confirm),
    ("POST", "/dang-nhap/{token}", login_redeem),
    ("POST", "/dang-xuat", logout),
    ("GET", "/", board),
    ("GET", "/bao-cao", report_file),
    ("GET", "/don-vi/{unit_id}", unit_page),
    ("GET", "/phien", sessions_page),
    ("POST", "/phien/{session_id}/thu-hoi", session_revoke),
    ("GET", "/duyet", desk),
    ("GET", "/duyet/{submission_id}", submission_page),
    ("POST", "/duyet/{submission_id}", submission_action),
    ("GET", "/duyet/{submission_id}/xem-truoc", submission_preview),
    ("GET", "/duyet/{submission_id}/tep/{attachment_id}", attachment_download),
    ("GET", "/dang-tin", publishing),
    ("POST", "/dang-tin/{publication_id}/thu-lai", publication_retry),
    ("POST", "/dang-tin/{publication_id}/go", publication_remove),
]
