"""The review desk: the queue with filters and diacritic-insensitive search, a submission's
record, and the editor's actions through review.service (the same compare-and-set as the
Telegram card and the CLI)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from compose import body_text
from domain.errors import StaleTransitionError
from domain.glossary import fmt_time
from domain.kinds import SubmissionKind
from domain.periods import parse_local_time
from domain.states import STATUS_LABELS, SubmissionStatus
from publisher.article import ImageRef, zalo_article
from publisher.preview import render_html
from review import service
from review.edits import ArticleEdit, EditError, edit_article, images_of
from settings import Settings
from sources.stored import load_draft
from storage import search
from storage.audit import list_audit
from storage.files import FileStore
from storage.models import (
    Attachment,
    AuditEvent,
    Officer,
    Publication,
    Submission,
    SubmissionRevision,
    SubmissionSearch,
    Unit,
)
from storage.submissions import get_submission, list_attachments

S = SubmissionStatus
QUEUE = (S.PENDING_REVIEW, S.CHANGES_REQUESTED, S.QUARANTINED)
PAGE_SIZE = 50
ALREADY = (
    "Bài {code} đã được {who} xử lý ({status}) lúc {at}. Trang dưới đây là trạng thái hiện tại."
)
CHANGED = "Tin, bài {code} vừa được thay đổi ở nơi khác; trang dưới đây là phiên bản mới nhất."


@dataclass(frozen=True)
class DeskFilter:
    """The queue's filters; status "" is the open queue, "all" every status."""

    status: str = ""
    unit_id: int | None = None
    channel: str = ""
    kind: str = ""
    period: str = ""
    q: str = ""


@dataclass(frozen=True)
class QueueRow:
    submission: Submission
    unit_name: str


@dataclass(frozen=True)
class Queue:
    rows: tuple[QueueRow, ...]
    total: int
    page: int = 1
    per_page: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filtered(f: DeskFilter) -> list[Any]:
    conditions: list[Any] = []
    if f.status == "all":
        pass
    elif f.status:
        conditions.append(col(Submission.status) == SubmissionStatus(f.status).value)
    else:
        conditions.append(col(Submission.status).in_([s.value for s in QUEUE]))
    if f.unit_id is not None:
        conditions.append(col(Submission.unit_id) == f.unit_id)
    if f.channel:
        conditions.append(col(Submission.channel) == f.channel)
    if f.kind:
        conditions.append(col(Submission.kind) == SubmissionKind(f.kind).value)
    if f.period:
        conditions.append(col(Submission.period) == f.period)
    return conditions


async def queue(
    *, session: AsyncSession, f: DeskFilter, limit: int = PAGE_SIZE, page: int = 1
) -> Queue:
    """One page of the matching submissions, oldest first, with their unit's name (two
    queries; a search first brings the search index up to date, one more)."""
    conditions = _filtered(f)
    counted = select(func.count()).select_from(Submission)
    query = select(Submission, col(Unit.name)).join(
        Unit, col(Unit.id) == col(Submission.unit_id), isouter=True
    )
    if f.q.strip():
        await search.refresh(session=session, where=conditions)
        joined = col(SubmissionSearch.submission_id) == col(Submission.id)
        counted = counted.join(SubmissionSearch, joined)
        query = query.join(SubmissionSearch, joined)
        conditions.append(search.matches(f.q))
    total = int((await session.exec(counted.where(*conditions))).one())
    rows = (
        await session.exec(
            query.where(*conditions)
            .order_by(col(Submission.received_at), col(Submission.id))
            .offset((max(1, page) - 1) * limit)
            .limit(limit)
        )
    ).all()
    return Queue(tuple(QueueRow(s, name or "") for s, name in rows), total, max(1, page), limit)


# --- one submission -------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    revision: int
    received_at: datetime
    title: str
    changes: tuple[str, ...]  # unified diff lines against the previous version


@dataclass(frozen=True)
class Detail:
    submission: Submission
    unit: Unit | None
    officer: Officer | None
    letter: str
    versions: tuple[Version, ...]
    attachments: tuple[Attachment, ...]
    audit: tuple[AuditEvent, ...]
    publications: tuple[Publication, ...]
    status_label: str
    units: tuple[Unit, ...] = field(default_factory=tuple)

    @property
    def decidable(self) -> bool:
        return self.submission.status == S.PENDING_REVIEW


def versions_of(revisions: list[SubmissionRevision]) -> tuple[Version, ...]:
    """Each version with what changed from the one before (pure)."""
    out = []
    before: SubmissionRevision | None = None
    for rev in sorted(revisions, key=lambda r: r.revision):
        changes: tuple[str, ...] = ()
        if before is not None:
            old = [f"Tiêu đề: {before.title}", *before.text.splitlines()]
            new = [f"Tiêu đề: {rev.title}", *rev.text.splitlines()]
            diff = difflib.unified_diff(old, new, lineterm="", n=1)
            changes = tuple(line for line in diff if not line.startswith(("---", "+++")))
        out.append(Version(rev.revision, rev.received_at, rev.title, changes))
        before = rev
    return tuple(out)


async def detail(*, session: AsyncSession, submission_id: int) -> Detail | None:
    """Everything the submission page shows."""
    sub = await get_submission(session=session, submission_id=submission_id)
    if sub is None:
        return None
    unit = await session.get(Unit, sub.unit_id) if sub.unit_id else None
    officer = await session.get(Officer, sub.officer_id) if sub.officer_id else None
    revisions = list(
        (
            await session.exec(
                select(SubmissionRevision).where(
                    col(SubmissionRevision.submission_id) == submission_id
                )
            )
        ).all()
    )
    current = next((r for r in revisions if r.revision == sub.revision), None)
    publications = (
        await session.exec(
            select(Publication)
            .where(col(Publication.submission_id) == submission_id)
            .order_by(col(Publication.id))
        )
    ).all()
    return Detail(
        submission=sub,
        unit=unit,
        officer=officer,
        letter=current.text if current else sub.text,
        versions=versions_of(revisions),
        attachments=tuple(await list_attachments(session=session, submission_id=submission_id)),
        audit=tuple(await list_audit(session=session, submission_id=submission_id)),
        publications=tuple(publications),
        status_label=STATUS_LABELS[S(sub.status)],
    )


@dataclass(frozen=True)
class Editable:
    """What the article edit form starts from: the composed body as editable text (the form
    `article show` prints and `review edit --body-file` takes), the images numbered as on the
    card, and the current cover's number."""

    body: str
    images: tuple[tuple[int, Attachment], ...]
    cover: int | None


async def editable(
    *, session: AsyncSession, files: FileStore, submission: Submission, settings: Settings
) -> Editable:
    draft, loaded = await load_draft(
        session=session,
        files=files,
        submission=submission,
        default_author=settings.org.department_name,
    )
    images = await images_of(session=session, submission=submission)
    chosen = loaded.attachments.get(draft.cover or "")
    cover = next(
        (n for n, a in enumerate(images, 1) if chosen is not None and a.id == chosen.id), None
    )
    return Editable(body_text(draft.body), tuple(enumerate(images, 1)), cover)


def attachment_url(submission_id: int, attachment_id: int | None) -> str:
    return f"/duyet/{submission_id}/tep/{attachment_id}"


async def preview_html(
    *, session: AsyncSession, files: FileStore, submission: Submission, settings: Settings
) -> str:
    """The article as it would be published: the composed draft laid out by the same
    zalo_article() the publisher sends, rendered by the dry run's HTML, with the images
    served by the console."""
    assert submission.id is not None
    draft, loaded = await load_draft(
        session=session,
        files=files,
        submission=submission,
        default_author=settings.org.department_name,
    )
    images = {
        name: ImageRef(attachment_url(submission.id, a.id))
        for name, a in loaded.attachments.items()
        if a.media == "image" or a.content_type.startswith("image/")
    }
    cover = images.get(draft.cover or "")
    article = zalo_article(
        draft,
        images=images,
        cover_url=cover.url if cover else "",
        fallback_title=submission.code,
        status=settings.zalo.article_status,
    )
    note = "Bản xem trước: bài sẽ hiện như thế này trên Trang Zalo OA (chưa đăng)."
    return render_html(article, oa_name=settings.zalo.oa_name, note=note)


# --- actions --------------------------------------------------------------------------------


def _lines(text: str) -> str:
    """A textarea's text with the line ends a browser sends (CRLF) made plain."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


@dataclass(frozen=True)
class Outcome:
    """What an action did: ``ok`` with a message, or refused with the reason."""

    ok: bool
    message: str


def already_text(sub: Submission) -> str:
    at = fmt_time(sub.decided_at) if sub.decided_at else "?"
    if sub.status == S.PENDING_REVIEW:
        return CHANGED.format(code=sub.code)
    return ALREADY.format(
        code=sub.code, who=sub.decided_by or "?", status=STATUS_LABELS[S(sub.status)], at=at
    )


DONE = {
    S.APPROVED: "Đã duyệt tin, bài {code}.",
    S.REJECTED: "Đã từ chối tin, bài {code}.",
    S.CHANGES_REQUESTED: "Đã gửi đề nghị chỉnh sửa tin, bài {code}.",
}
REASON_NEEDED = "Cần ghi lý do để đơn vị biết cần làm gì."
EDITED = "Đã lưu thay đổi của tin, bài {code}."


async def act(
    *,
    session: AsyncSession,
    submission_id: int,
    expected_version: int,
    action: str,
    values: dict[str, str],
    editor_name: str,
    actor: str,
    now: datetime,
) -> Outcome:
    """Carry out one of the card's actions and commit; a stale page is refused, not replayed."""
    try:
        if action in ("approve", "reject", "changes"):
            decision = {
                "approve": S.APPROVED,
                "reject": S.REJECTED,
                "changes": S.CHANGES_REQUESTED,
            }[action]
            sub = await service.decide(
                session=session,
                submission_id=submission_id,
                expected_version=expected_version,
                decision=decision,
                editor_name=editor_name,
                actor=actor,
                now=now,
                reason=values.get("reason"),
            )
            message = DONE[decision].format(code=sub.code)
        elif action == "edit":
            version = expected_version
            sub = None
            for name in ("title", "summary", "kind"):
                if name not in values:
                    continue
                current = await get_submission(session=session, submission_id=submission_id)
                if current is not None and str(getattr(current, name)) == values[name]:
                    continue
                sub = await service.edit_field(
                    session=session,
                    submission_id=submission_id,
                    expected_version=version,
                    field=name,
                    value=values[name],
                    actor=actor,
                )
                version = sub.version
            sub = sub or await get_submission(session=session, submission_id=submission_id)
            assert sub is not None
            message = EDITED.format(code=sub.code)
        elif action == "article":
            body = _lines(values.get("body", ""))
            cover = values.get("cover", "")
            sub = await edit_article(
                session=session,
                submission_id=submission_id,
                expected_version=expected_version,
                edit=ArticleEdit(
                    body=body if body != _lines(values.get("body_before", "")) else None,
                    cover=int(cover) if cover and cover != values.get("cover_before") else None,
                ),
                editor_name=editor_name,
                actor=actor,
                now=now,
            )
            message = EDITED.format(code=sub.code)
        elif action == "schedule":
            at = parse_local_time(values.get("publish_at", ""), now=now)
            sub = await service.set_publish_time(
                session=session,
                submission_id=submission_id,
                expected_version=expected_version,
                publish_at=at,
                actor=actor,
            )
            message = EDITED.format(code=sub.code)
        else:
            return Outcome(False, "Thao tác không hợp lệ.")
    except service.ReasonRequiredError:
        await session.rollback()
        return Outcome(False, REASON_NEEDED)
    except EditError as exc:
        await session.rollback()
        return Outcome(False, f"{exc} Chưa lưu gì.")
    except StaleTransitionError:
        await session.rollback()
        current = await get_submission(session=session, submission_id=submission_id)
        return Outcome(False, already_text(current) if current else "Không có bài này.")
    except ValueError as exc:
        await session.rollback()
        return Outcome(False, f"Giá trị không hợp lệ: {exc}")
    await session.commit()
    return Outcome(True, message)
