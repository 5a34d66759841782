"""An editor's edit of the article: a new revision by that editor, audited, shown on the
card, and what gets published (the same service behind «Sửa nội dung», «Chọn ảnh bìa» and
`review edit`).

The edited body is stored as the new revision's text (compose.blocks' text form); the title
and summary on the submission; the cover as `cover_attachment_id`. sources.stored reads them
back as the draft's `Edit`. Callers commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from compose import Draft, body_text
from domain.errors import NewsdeskError, StaleTransitionError
from domain.states import SubmissionStatus
from domain.text import clean, nfc
from review import texts
from review.cards import excerpt, when
from review.changes import change_lines
from sources.stored import EDIT_PREFIX, is_edit, list_revisions, media_attachments
from storage.audit import add_audit, list_audit
from storage.models import Attachment, Submission, SubmissionRevision, utcnow
from storage.submissions import get_submission

EDIT_ACTION = "review.edit_article"
EDITABLE_STATUSES = (SubmissionStatus.PENDING_REVIEW,)


class EditError(NewsdeskError):
    """The edit cannot be made (the message is Vietnamese, for the editor)."""


class CoverNumberError(EditError):
    """The cover's number is not one of the article's images (the editor may answer again)."""


@dataclass(frozen=True)
class ArticleEdit:
    """What the editor changes; None keeps the current value."""

    title: str | None = None
    summary: str | None = None
    body: str | None = None
    cover: int | None = None  # 1-based number among the submission's images

    def empty(self) -> bool:
        return all(v is None for v in (self.title, self.summary, self.body, self.cover))


async def images_of(*, session: AsyncSession, submission: Submission) -> list[Attachment]:
    """The images an editor can choose the cover among, in the order the card shows."""
    assert submission.id is not None
    revisions = await list_revisions(session=session, submission_id=submission.id)
    files = await media_attachments(session=session, submission=submission, revisions=revisions)
    return [a for a in files if a.media == "image"]


async def edit_article(
    *,
    session: AsyncSession,
    submission_id: int,
    expected_version: int,
    edit: ArticleEdit,
    editor_name: str,
    actor: str,
    now: datetime,
) -> Submission:
    """Store the edit as revision n+1 (compare-and-set on the version, audited)."""
    current = await get_submission(session=session, submission_id=submission_id)
    if current is None or current.id is None:
        raise EditError("Không tìm thấy bài.")
    if edit.empty():
        raise EditError("Chưa có gì để sửa: cho biết tiêu đề, tóm tắt, nội dung hoặc ảnh bìa.")
    if current.status not in EDITABLE_STATUSES:
        raise StaleTransitionError(
            submission_id,
            current_status=current.status,
            current_version=current.version,
            decided_by=current.decided_by,
        )
    values: dict[str, object] = {}
    changed: list[str] = []
    if edit.title is not None:
        if not clean(edit.title):
            raise EditError("Tiêu đề không được để trống.")
        values["title"] = clean(edit.title)
        changed.append("title")
    if edit.summary is not None:
        values["summary"] = clean(edit.summary)
        changed.append("summary")
    cover_name = None
    if edit.cover is not None:
        images = await images_of(session=session, submission=current)
        if not 1 <= edit.cover <= len(images):
            raise CoverNumberError(
                f"Bài có {len(images)} ảnh: chọn ảnh bìa từ 1 đến {len(images)}."
            )
        chosen = images[edit.cover - 1]
        values["cover_attachment_id"] = chosen.id
        cover_name = chosen.filename
        changed.append("cover")
    body = nfc(edit.body).strip() if edit.body is not None else None
    if body is not None:
        if not body:
            raise EditError("Nội dung không được để trống.")
        changed.append("body")
    revision = current.revision + 1
    revisions = await list_revisions(session=session, submission_id=current.id)
    previous_body = next((r.text for r in reversed(revisions) if is_edit(r) and r.text), "")
    session.add(
        SubmissionRevision(
            submission_id=current.id,
            revision=revision,
            source_key=f"{EDIT_PREFIX}{current.id}:{revision}",
            title=str(values.get("title", current.title)),
            # An edit that leaves the body keeps the last edited one (sources.stored).
            text=body if body is not None else "",
            received_at=now,
        )
    )
    values.update(
        {
            "revision": revision,
            "version": col(Submission.version) + 1,
            "updated_at": utcnow(),
        }
    )
    result = await session.exec(
        update(Submission)
        .where(col(Submission.id) == current.id)
        .where(col(Submission.status) == current.status)
        .where(col(Submission.version) == expected_version)
        .values(values)
    )
    if result.rowcount != 1:
        raise StaleTransitionError(
            submission_id,
            current_status=current.status,
            current_version=current.version,
            decided_by=current.decided_by,
        )
    add_audit(
        session=session,
        actor=actor,
        action=EDIT_ACTION,
        submission_id=current.id,
        details={
            "editor": editor_name,
            "revision": revision,
            "changed": changed,
            "old_title": current.title if "title" in changed else None,
            "old_summary": current.summary if "summary" in changed else None,
            "cover": cover_name,
            "body_changed": body is not None and body != previous_body,
        },
        at=now,
    )
    await session.flush()
    updated = await get_submission(session=session, submission_id=current.id)
    assert updated is not None
    return updated


@dataclass(frozen=True)
class Compared:
    """Two composed drafts to compare on the card: the one of an earlier version (what the
    officer sent then, composed) and the current one."""

    revision: int
    before: Draft
    now: Draft


def _draft_parts(draft: Draft) -> tuple[str, str, set[str]]:
    text = body_text([i for i in draft.body if i.type != "image"])
    images = {i.name for i in draft.body if i.type == "image"} | {draft.cover or ""}
    return draft.title, text, images - {""}


async def history_lines(
    *, session: AsyncSession, submission: Submission, compared: Compared | None = None
) -> list[str]:
    """The card's lines about this version: the editor's edit it carries, and for version 2
    or later the change request it answers and what changed since the version before (the
    composed drafts when given, else the stored texts)."""
    assert submission.id is not None
    revisions = await list_revisions(session=session, submission_id=submission.id)
    events = await list_audit(session=session, submission_id=submission.id)
    lines: list[str] = []
    sent = [r for r in revisions if not is_edit(r)]
    base = sent[-1] if sent else None
    edits = [
        e
        for e in events
        if e.action == EDIT_ACTION
        and (base is None or int(e.details.get("revision", 0)) > base.revision)
    ]
    if edits:
        fields = [str(f) for e in edits for f in e.details.get("changed", [])]
        names = ", ".join(texts.EDIT_FIELDS.get(f, f) for f in dict.fromkeys(fields))
        who = str(edits[-1].details.get("editor") or edits[-1].actor)
        lines.append(texts.CARD_EDITED.format(who=who, at=when(edits[-1].at), fields=names))
    if len(revisions) < 2:
        return lines
    if base is not None and base.revision > 1:
        asked = [
            e
            for e in events
            if e.action == f"review.{SubmissionStatus.CHANGES_REQUESTED.value}"
            and e.at <= base.received_at
        ]
        if asked:
            reason = excerpt(asked[-1].reason or "", 300)
            lines.append(texts.CARD_ANSWERS.format(who=asked[-1].actor, reason=reason))
    if compared is not None:
        old_title, old_text, old_names = _draft_parts(compared.before)
        new_title, new_text, new_names = _draft_parts(compared.now)
        lines.append(texts.CARD_CHANGES.format(revision=compared.revision))
        lines += change_lines(
            old_title=old_title,
            new_title=new_title,
            old_text=old_text,
            new_text=new_text,
            old_images=old_names,
            new_images=new_names,
        )
        return lines
    old, new = revisions[-2], revisions[-1]
    old_images, new_images = await _image_sets(session, submission.id, revisions, old, new)
    lines.append(texts.CARD_CHANGES.format(revision=old.revision))
    lines += change_lines(
        old_title=old.title,
        new_title=new.title,
        old_text=_text_at(revisions, old),
        new_text=_text_at(revisions, new),
        old_images=old_images,
        new_images=new_images,
    )
    return lines


def _text_at(revisions: list[SubmissionRevision], revision: SubmissionRevision) -> str:
    """A revision's text; an edit that left the body has the last text before it."""
    if revision.text or not is_edit(revision):
        return revision.text
    earlier = [r for r in revisions if r.revision < revision.revision and r.text]
    return earlier[-1].text if earlier else ""


async def _image_sets(
    session: AsyncSession,
    submission_id: int,
    revisions: list[SubmissionRevision],
    old: SubmissionRevision,
    new: SubmissionRevision,
) -> tuple[set[str], set[str]]:
    result = await session.exec(
        select(Attachment).where(col(Attachment.submission_id) == submission_id)
    )
    images = [a for a in result.all() if a.media == "image"]

    def at(revision: SubmissionRevision) -> set[str]:
        sent = [
            r.revision for r in revisions if not is_edit(r) and r.revision <= revision.revision
        ]
        own = {a.sha256 for a in images if sent and a.revision == sent[-1]}
        return own or {a.sha256 for a in images if not sent or a.revision <= sent[-1]}

    return at(old), at(new)
