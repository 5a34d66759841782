"""`review`: the editors' fallback without Telegram (same service as the buttons)."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer
from sqlmodel.ext.asyncio.session import AsyncSession

from cli.common import fail, get_settings, print_table, run_db
from domain.errors import StaleTransitionError
from domain.kinds import KIND_LABELS, SubmissionKind
from domain.periods import time_examples
from domain.states import STATUS_LABELS, SubmissionStatus
from outbox.notify import voice_from
from review import texts
from review.cards import card_text, when
from review.service import ReasonRequiredError, card_view, decide, list_pending
from storage.audit import list_audit
from storage.db import Database
from storage.files import FileStore
from storage.models import Submission, Unit, utcnow
from storage.submissions import get_submission_by_code

app = typer.Typer(help="Duyệt bài từ dòng lệnh.", no_args_is_help=True)
S = SubmissionStatus


async def _find(session: AsyncSession, code: str) -> tuple[Submission, int]:
    """The submission with this public code and its id, or exit with a Vietnamese message."""
    sub = await get_submission_by_code(session=session, code=code)
    if sub is None or sub.id is None:
        fail(texts.CLI_NOT_FOUND.format(code=code))
    return sub, sub.id


def _table(rows: list[tuple[str, ...]], headers: list[str], empty: str) -> None:
    if not rows:
        typer.echo(empty)
        return
    print_table(headers, rows)


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Các tin, bài chờ duyệt, cũ nhất trước."""

    async def work(db: Database) -> list[tuple[str, ...]]:
        async with db.session() as session:
            rows: list[tuple[str, ...]] = []
            for sub in await list_pending(session=session):
                view = await card_view(session=session, submission=sub)
                kind = KIND_LABELS[SubmissionKind(sub.kind)]
                rows.append(
                    (sub.code, view.unit_name or "?", kind, sub.title[:60], when(sub.received_at))
                )
            return rows

    rows = run_db(get_settings(ctx), work)
    _table(rows, ["Mã", "Đơn vị", "Loại", "Tiêu đề", "Tiếp nhận"], texts.CLI_NO_PENDING)


@app.command()
def show(ctx: typer.Context, code: str) -> None:
    """Phiếu duyệt của một tin, bài và lịch sử xử lý."""
    settings = get_settings(ctx)

    async def work(db: Database) -> str:
        async with db.session() as session:
            sub, sub_id = await _find(session, code)
            view = await card_view(
                session=session,
                submission=sub,
                files=FileStore(settings.files_dir),
                default_author=settings.org.department_name,
            )
            lines = [card_text(view), ""]
            for event in await list_audit(session=session, submission_id=sub_id):
                reason = f" ({event.reason})" if event.reason else ""
                action = texts.AUDIT_ACTIONS.get(event.action) or _label(event.action)
                lines.append(f"{when(event.at)}  {event.actor}  {action}{reason}")
            return "\n".join(lines)

    typer.echo(run_db(settings, work))


def _label(status: str) -> str:
    try:
        return STATUS_LABELS[S(status)]
    except ValueError:
        return status


def _decide(
    ctx: typer.Context, code: str, decision: SubmissionStatus, reason: str, by: str
) -> None:
    editor = by or getpass.getuser()

    async def work(db: Database) -> str:
        async with db.session() as session:
            sub, sub_id = await _find(session, code)
            try:
                done = await decide(
                    session=session,
                    submission_id=sub_id,
                    expected_version=sub.version,
                    decision=decision,
                    editor_name=editor,
                    actor=f"cli:{editor}",
                    now=utcnow(),
                    reason=reason or None,
                    voice=voice_from(get_settings(ctx)),
                )
            except StaleTransitionError as exc:
                status = _label(exc.current_status)
                fail(texts.CLI_STALE.format(code=code, who=exc.decided_by or "?", status=status))
            except ReasonRequiredError:
                fail(texts.CLI_REASON_REQUIRED)
            await session.commit()
            return texts.CLI_DONE.format(
                code=code, status=STATUS_LABELS[S(done.status)], version=done.version
            )

    typer.echo(run_db(get_settings(ctx), work))


REASON = typer.Option("", "--reason", help="Lý do (bắt buộc khi từ chối / đề nghị chỉnh sửa)")
BY = typer.Option("", "--by", help="Tên biên tập viên (mặc định: tài khoản máy)")


@app.command()
def approve(ctx: typer.Context, code: str, reason: str = REASON, by: str = BY) -> None:
    """Duyệt một tin, bài."""
    _decide(ctx, code, S.APPROVED, reason, by)


@app.command()
def reject(ctx: typer.Context, code: str, reason: str = REASON, by: str = BY) -> None:
    """Từ chối một tin, bài (cần ghi lý do)."""
    _decide(ctx, code, S.REJECTED, reason, by)


@app.command("request-changes")
def request_changes(ctx: typer.Context, code: str, reason: str = REASON, by: str = BY) -> None:
    """Đề nghị cán bộ chỉnh sửa (cần ghi nội dung); bản sửa gửi lại là bản mới của cùng mã."""
    _decide(ctx, code, S.CHANGES_REQUESTED, reason, by)


@app.command()
def quarantine(ctx: typer.Context) -> None:
    """Các tin, bài từ người gửi chưa đăng ký, chờ biên tập viên xác định đơn vị."""
    from review.quarantine import list_quarantined

    async def work(db: Database) -> list[tuple[str, ...]]:
        async with db.session() as session:
            return [
                (s.code, s.sender, s.sender_name, s.title[:60], when(s.received_at))
                for s in await list_quarantined(session=session)
            ]

    rows = run_db(get_settings(ctx), work)
    _table(rows, ["Mã", "Người gửi", "Tên", "Tiêu đề", "Tiếp nhận"], texts.CLI_NO_QUARANTINED)


@app.command()
def assign(
    ctx: typer.Context,
    code: str,
    unit: str = typer.Option(
        ..., "--unit", help="Tên đơn vị (có dấu hay không đều được) hoặc mã đơn vị gửi bài"
    ),
    remember: bool = typer.Option(
        False, "--remember", help="Ghi nhớ địa chỉ người gửi là địa chỉ của đơn vị"
    ),
    by: str = typer.Option("", "--by", help="Tên biên tập viên (mặc định: người dùng máy)"),
) -> None:
    """Xác định đơn vị gửi (tên hoặc mã) cho tin, bài chờ xác minh và chuyển sang chờ duyệt."""
    from review.quarantine import assign_unit

    async def work(db: Database) -> tuple[str, str]:
        async with db.session() as session:
            # A RejectedError (no such code or unit, not quarantined) reaches main's handler.
            sub = await assign_unit(
                session=session,
                code=code,
                unit_code=unit,
                actor=f"cli:{by or getpass.getuser()}",
                remember_sender=remember,
                voice=voice_from(get_settings(ctx)),
            )
            chosen = await session.get(Unit, sub.unit_id)
            await session.commit()
            return sub.code, chosen.name if chosen else unit

    done, name = run_db(get_settings(ctx), work)
    typer.echo(texts.CLI_ASSIGNED.format(code=done, unit=name))


@app.command()
def dismiss(ctx: typer.Context, code: str, reason: str = REASON, by: str = BY) -> None:
    """Loại bỏ khỏi hàng chờ xác minh một thư không phải tin, bài (thư báo lỗi, trả lời tự động,
    thư rác); thư được giữ ở trạng thái từ chối kèm lý do, không báo cho ai."""
    from review.quarantine import dismiss as dismiss_item

    async def work(db: Database) -> str:
        editor = by or getpass.getuser()
        async with db.session() as session:
            try:
                sub = await dismiss_item(
                    session=session,
                    code=code,
                    reason=reason,
                    editor_name=editor,
                    actor=f"cli:{editor}",
                    now=utcnow(),
                )
            except ReasonRequiredError:
                fail(texts.CLI_REASON_REQUIRED)
            await session.commit()
            return sub.code

    done = run_db(get_settings(ctx), work)
    typer.echo(texts.QUARANTINE_DISMISSED.format(code=done))


@app.command()
def schedule(
    ctx: typer.Context,
    code: str,
    at: str = typer.Option(
        ...,
        "--at",
        help=f"Thời điểm đăng (giờ Việt Nam), ví dụ {time_examples(utcnow())}, hoặc 'ngay'",
    ),
    by: str = typer.Option("", "--by", help="Tên biên tập viên (mặc định: người dùng máy)"),
) -> None:
    """Hẹn giờ đăng cho một tin, bài đang chờ duyệt (đăng sau khi được duyệt)."""
    from domain.periods import parse_local_time
    from review.service import set_publish_time

    try:
        publish_at = parse_local_time(at, now=utcnow())
    except ValueError as exc:
        fail(texts.CLI_BAD_TIME.format(error=exc))

    async def work(db: Database) -> str:
        async with db.session() as session:
            sub, sub_id = await _find(session, code)
            if sub.status != S.PENDING_REVIEW:
                fail(texts.CLI_SCHEDULE_NOT_PENDING.format(code=code, status=_label(sub.status)))
            try:
                await set_publish_time(
                    session=session,
                    submission_id=sub_id,
                    expected_version=sub.version,
                    publish_at=publish_at,
                    actor=f"cli:{by or getpass.getuser()}",
                )
            except StaleTransitionError:
                fail(texts.ANSWER_STALE)
            await session.commit()
            if publish_at is None:
                return texts.REPLY_PUBLISH_ASAP.format(code=sub.code)
            return texts.REPLY_PUBLISH_AT.format(code=sub.code, at=when(publish_at))

    typer.echo(run_db(get_settings(ctx), work))


@app.command()
def edit(
    ctx: typer.Context,
    code: str,
    title: str | None = typer.Option(None, "--title", help="Tiêu đề mới"),
    summary: str | None = typer.Option(None, "--summary", help="Tóm tắt mới"),
    body_file: Path | None = typer.Option(
        None,
        "--body-file",
        exists=True,
        dir_okay=False,
        readable=True,
        help="Tệp văn bản UTF-8: nội dung mới (các đoạn cách nhau một dòng trống)",
    ),
    cover: int | None = typer.Option(None, "--cover", help="Số thứ tự ảnh làm ảnh bìa (từ 1)"),
    by: str = BY,
) -> None:
    """Sửa bài trước khi đăng: một bản sửa mới của biên tập viên, có ghi lịch sử.

    `python main.py article show CODE` in nội dung bài theo đúng dạng --body-file nhận.
    """
    from review.edits import ArticleEdit, edit_article

    editor = by or getpass.getuser()
    body = None
    if body_file is not None:
        try:
            body = body_file.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            fail(
                f"Tệp {body_file.name} không phải văn bản UTF-8: lưu lại tệp với mã UTF-8 "
                "(trong Notepad: Lưu thành… > Mã hoá UTF-8) rồi chạy lại. Chưa sửa gì."
            )
    change = ArticleEdit(title=title, summary=summary, body=body, cover=cover)

    async def work(db: Database) -> str:
        async with db.session() as session:
            sub, sub_id = await _find(session, code)
            try:
                done = await edit_article(
                    session=session,
                    submission_id=sub_id,
                    expected_version=sub.version,
                    edit=change,
                    editor_name=editor,
                    actor=f"cli:{editor}",
                    now=utcnow(),
                )
            except StaleTransitionError:  # an EditError reaches main's handler
                fail(texts.CLI_EDIT_NOT_PENDING.format(code=code, status=_label(sub.status)))
            await session.commit()
            return texts.CLI_EDITED.format(code=code, revision=done.revision, who=editor)

    typer.echo(run_db(get_settings(ctx), work))
