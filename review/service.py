"""Editor decisions: the one service behind the Telegram buttons and the CLI.

Every change goes through ``storage.submissions.transition()`` (compare-and-set on status and
version plus an audit row) or, for edits that keep the status, the same kind of guarded UPDATE
here. The submitter's notification is enqueued in the outbox in the same transaction, so a
decision and its message are committed together. Callers commit.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.errors import NewsdeskError, StaleTransitionError
from domain.glossary import NO_TITLE
from domain.kinds import Channel, SubmissionKind
from domain.states import SubmissionStatus
from domain.text import clean
from outbox.notify import Voice, notify_submitter
from review import texts
from review.cards import CardView, excerpt, when
from review.edits import Compared, history_lines
from sources.stored import is_edit, list_revisions, load_draft, load_source, media_attachments
from storage.audit import add_audit
from storage.files import FileStore
from storage.models import Attachment, Officer, Submission, Unit, utcnow
from storage.submissions import get_submission, transition
from tgbot.callbacks import ReviseSubmission
from tgbot.keyboards import bot_api_markup, button

S = SubmissionStatus
DECISIONS = (S.APPROVED, S.REJECTED, S.CHANGES_REQUESTED)
NEEDS_REASON = (S.REJECTED, S.CHANGES_REQUESTED)
EDITABLE = ("title", "summary", "kind")


class ReasonRequiredError(NewsdeskError, ValueError):
    """Rejecting or requesting changes needs a reason the submitter can act on."""


async def decide(
    *,
    session: AsyncSession,
    submission_id: int,
    expected_version: int,
    decision: SubmissionStatus,
    editor_name: str,
    actor: str,
    now: datetime,
    reason: str | None = None,
    notify: bool = True,
    voice: Voice | None = None,
) -> Submission:
    """Approve, reject or request changes; raises StaleTransitionError if someone was first.

    With ``notify=False`` the caller enqueues the submitter's message itself (the buttons answer
    the editor as soon as the compare-and-set has resolved, then notify, then commit).
    """
    if decision not in DECISIONS:
        raise ValueError(f"not a review decision: {decision}")
    reason = clean(reason) or None
    if decision in NEEDS_REASON and not reason:
        raise ReasonRequiredError(decision.value)
    submission = await transition(
        session=session,
        submission_id=submission_id,
        expected_status=S.PENDING_REVIEW,
        expected_version=expected_version,
        new_status=decision,
        actor=actor,
        reason=reason,
        action=f"review.{decision.value}",
        changes={"decided_by": editor_name, "decided_at": now, "decision_reason": reason},
    )
    if notify:
        await notify_decision(session=session, submission=submission, voice=voice)
    return submission


async def edit_field(
    *,
    session: AsyncSession,
    submission_id: int,
    expected_version: int,
    field: str,
    value: str,
    actor: str,
) -> Submission:
    """Change title, summary or kind of a submission waiting for review (guarded by version)."""
    if field not in EDITABLE:
        raise ValueError(f"field {field!r} cannot be edited")
    new_value: str = SubmissionKind(value).value if field == "kind" else clean(value)
    return await _guarded_edit(
        session=session,
        submission_id=submission_id,
        expected_version=expected_version,
        field=field,
        value=new_value,
        actor=actor,
    )


async def set_publish_time(
    *,
    session: AsyncSession,
    submission_id: int,
    expected_version: int,
    publish_at: datetime | None,
    actor: str,
) -> Submission:
    """The editor's publish slot (None: as soon as the publish window allows)."""
    return await _guarded_edit(
        session=session,
        submission_id=submission_id,
        expected_version=expected_version,
        field="publish_at",
        value=publish_at,
        actor=actor,
    )


async def _guarded_edit(
    *,
    session: AsyncSession,
    submission_id: int,
    expected_version: int,
    field: str,
    value: Any,
    actor: str,
) -> Submission:
    """One field of a pending submission, compare-and-set on the version, with an audit row."""
    current = await get_submission(session=session, submission_id=submission_id)
    old = getattr(current, field, None) if current else None
    result = await session.exec(
        update(Submission)
        .where(col(Submission.id) == submission_id)
        .where(col(Submission.status) == S.PENDING_REVIEW.value)
        .where(col(Submission.version) == expected_version)
        .values({field: value, "version": col(Submission.version) + 1, "updated_at": utcnow()})
    )
    if result.rowcount != 1:
        raise StaleTransitionError(
            submission_id,
            current_status=current.status if current else "missing",
            current_version=current.version if current else 0,
            decided_by=current.decided_by if current else None,
        )
    add_audit(
        session=session,
        actor=actor,
        action=f"review.edit_{field}",
        submission_id=submission_id,
        details={
            "old": str(old) if old is not None else None,
            "new": str(value) if value is not None else None,
        },
    )
    await session.flush()
    updated = await get_submission(session=session, submission_id=submission_id)
    assert updated is not None
    return updated


def _when(submission: Submission, voice: Voice) -> str:
    if submission.publish_at is not None:
        return texts.WHEN_AT.format(oa=voice.oa_name, at=when(submission.publish_at))
    start, end = voice.publish_start.strftime("%H:%M"), voice.publish_end.strftime("%H:%M")
    return texts.WHEN_SOON.format(oa=voice.oa_name, start=start, end=end)


async def notify_decision(
    *, session: AsyncSession, submission: Submission, voice: Voice | None = None
) -> bool:
    """Enqueue the decision for the submitter on their channel (once per version); an
    approval says when it goes out, a change request carries «Gửi bản sửa» in Telegram."""
    voice = voice or Voice()
    status = SubmissionStatus(submission.status).value
    values = {
        "code": submission.code,
        "title": submission.title or NO_TITLE,
        "reason": submission.decision_reason or "",
        "when": _when(submission, voice),
    }
    how = texts.HOW_TELEGRAM
    if submission.channel != Channel.TELEGRAM:
        how = texts.HOW_EMAIL.format(code=submission.code)
    return await notify_submitter(
        session=session,
        submission=submission,
        key=f"review:{submission.id}:{submission.version}:{status}",
        text=texts.NOTIFY_BODY[status].format(how=how, **values),
        subject=texts.NOTIFY_SUBJECT[status].format(**values),
        voice=voice,
        telegram_markup=_revision_markup(submission),
    )


def _revision_markup(submission: Submission) -> dict[str, object] | None:
    """A «Gửi bản sửa» button under a change request (the officer's draft answers it)."""
    if submission.status != S.CHANGES_REQUESTED or submission.id is None:
        return None
    return bot_api_markup([[button(texts.BTN_SEND_REVISION, ReviseSubmission(submission.id))]])


async def card_view(
    *,
    session: AsyncSession,
    submission: Submission,
    files: FileStore | None = None,
    default_author: str = "",
) -> CardView:
    """Everything a review card shows, read from the database; with the file store, the
    article as composed (sources.stored), its letter and composition's warnings."""
    assert submission.id is not None
    unit = await session.get(Unit, submission.unit_id) if submission.unit_id else None
    officer = await session.get(Officer, submission.officer_id) if submission.officer_id else None
    sender = submission.sender_name or submission.sender
    if officer is not None:
        sender = officer.full_name + (f" ({officer.position})" if officer.position else "")
    revisions = await list_revisions(session=session, submission_id=submission.id)
    media: list[Attachment] = await media_attachments(
        session=session, submission=submission, revisions=revisions
    )
    title, summary, text = submission.title, submission.summary, submission.text
    warnings = list(submission.warnings or [])
    extra: list[str] = []
    compared: Compared | None = None
    if files is not None:
        draft, _ = await load_draft(
            session=session, files=files, submission=submission, default_author=default_author
        )
        title, summary = draft.title, draft.description
        text = "\n\n".join(item.content for item in draft.body if item.type != "image")
        warnings += draft.warnings
        if draft.letter:
            letter = excerpt(draft.letter.replace("\n", " / "), 300)
            extra.append(texts.CARD_LETTER.format(letter=letter))
        if submission.revision > 1:
            earlier = await load_source(
                session=session,
                files=files,
                submission=submission,
                default_author=default_author,
                upto=submission.revision - 1,
            )
            sent = [r.revision for r in earlier.revisions if not is_edit(r)]
            compared = Compared(sent[-1] if sent else 1, earlier.draft(), draft)
    extra += await history_lines(session=session, submission=submission, compared=compared)
    return CardView(
        submission_id=submission.id,
        code=submission.code,
        version=submission.version,
        revision=submission.revision,
        status=SubmissionStatus(submission.status),
        channel=str(submission.channel),
        kind=SubmissionKind(submission.kind),
        title=title,
        summary=summary,
        text=text,
        unit_name=unit.name if unit else None,
        sender_name=sender,
        received_at=submission.received_at,
        media=[f.media for f in media],
        warnings=warnings,
        decided_by=submission.decided_by,
        decided_at=submission.decided_at,
        reason=submission.decision_reason,
        publish_at=submission.publish_at,
        extra=extra,
    )


async def list_pending(*, session: AsyncSession, limit: int = 200) -> list[Submission]:
    """Submissions waiting for an editor, oldest first."""
    query = (
        select(Submission)
        .where(Submission.status == S.PENDING_REVIEW.value)
        .order_by(col(Submission.received_at), col(Submission.id))
        .limit(limit)
    )
    return list((await session.exec(query)).all())


async def cards_to_sync(
    *, session: AsyncSession, limit: int = 50, among: Collection[int] | None = None
) -> list[Submission]:
    """Submissions whose card is missing (pending review, quarantined) or is out of date
    (the oldest first; with ``among``, only those submissions)."""
    needs_card = col(Submission.status).in_([S.PENDING_REVIEW.value, S.QUARANTINED.value]) & col(
        Submission.card_message_id
    ).is_(None)
    outdated = col(Submission.card_message_id).is_not(None) & (
        col(Submission.card_version).is_(None)
        | (col(Submission.card_version) != col(Submission.version))
    )
    query = select(Submission).where(needs_card | outdated).order_by(col(Submission.id))
    if among is not None:
        query = query.where(col(Submission.id).in_(list(among)))
    return list((await session.exec(query.limit(limit))).all())


async def record_card(
    *, session: AsyncSession, submission_id: int, chat_id: int, message_id: int, version: int
) -> None:
    """Remember which message shows the card and which version it shows (no CAS bump)."""
    await session.exec(
        update(Submission)
        .where(col(Submission.id) == submission_id)
        .values(card_chat_id=chat_id, card_message_id=message_id, card_version=version)
    )
