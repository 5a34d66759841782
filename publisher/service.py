"""Publication outcomes: finish (published), fail (editors get a retry button), retry, remove."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from domain.clock import Clock
from domain.errors import NewsdeskError, RejectedError
from domain.states import PublicationStatus as P
from domain.states import SubmissionStatus as S
from outbox.notify import notify_editors, notify_submitter, retry_markup, voice_from
from publisher import texts
from publisher.prepare import MediaContext
from publisher.tokens import TokenKeeper
from publisher.zalo.client import ZaloClient
from settings import Settings
from storage.db import Database
from storage.models import Publication, Submission
from storage.publications import get_publication, save
from storage.publications import transition as move_publication
from storage.submissions import get_submission, transition

ACTOR = "publisher"


@dataclass
class Deps:
    """What the publish steps need; `client` and `keeper` are None in a dry run."""

    db: Database
    settings: Settings
    clock: Clock
    media: MediaContext
    client: ZaloClient | None = None
    keeper: TokenKeeper | None = None
    # Set after -32 (or our own budget running out): no new work until the next minute.
    paused_until: datetime | None = None
    # This instance's name (settings.instance): claims are made in it.
    instance: str = ""


class LostLease(NewsdeskError):
    """Another worker advanced this publication first; stop touching it."""


async def move(
    session: AsyncSession,
    submission: Submission,
    target: S,
    *,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> Submission:
    """Move a submission along scheduled -> publishing -> published/publish_failed."""
    submission_id = submission.id
    assert submission_id is not None
    if submission.status == S.SCHEDULED and target in (S.PUBLISHED, S.PUBLISH_FAILED):
        submission = await move(session, submission, S.PUBLISHING)
    return await transition(
        session=session,
        submission_id=submission_id,
        expected_status=submission.status,
        expected_version=submission.version,
        new_status=target,
        actor=ACTOR,
        reason=reason,
        details=details,
    )


async def save_or_lose(
    session: AsyncSession,
    pub: Publication,
    now: datetime,
    *,
    to: P | str | None = None,
    reason: str | None = None,
    **changes: Any,
) -> None:
    """Save `changes`, moving the publication to `to` when that is another status (a
    transition with its audit row); raise LostLease when another worker got there first."""
    if to is None or P(to) == pub.status:
        kept = await save(session=session, publication=pub, now=now, **changes)
    else:
        kept = await move_publication(
            session=session, publication=pub, target=to, now=now, actor=ACTOR, reason=reason,
            **changes,
        )  # fmt: skip
    if not kept:
        await session.rollback()
        raise LostLease(pub.id)


async def finish(deps: Deps, pub: Publication, *, note: str | None = None, **changes: Any) -> None:
    """Mark published, move the submission, tell editors and the submitter (one transaction)."""
    now = deps.clock.now()
    async with deps.db.session() as session:
        submission = await get_submission(session=session, submission_id=pub.submission_id)
        assert submission is not None
        if submission.status in (S.SCHEDULED, S.PUBLISHING):
            details = {"publication_id": pub.id, "url": changes.get("url", pub.url)}
            submission = await move(session, submission, S.PUBLISHED, details=details)
        await save_or_lose(
            session,
            pub,
            now,
            to=P.PUBLISHED,
            published_at=now,
            last_error=note,
            **changes,
        )
        await _tell_published(deps, session, submission, pub, now)
        if note:
            await _alert_with_retry(deps, session, submission, pub, "note", note, now)
        await session.commit()


async def _alert_with_retry(
    deps: Deps,
    session: AsyncSession,
    submission: Submission,
    pub: Publication,
    what: str,
    text: str,
    now: datetime,
) -> None:
    """Tell the editors (once per publication version) with a «retry» button."""
    await notify_editors(
        session=session,
        settings=deps.settings,
        key=f"pub:{pub.id}:{what}:{pub.version}",
        text=text,
        subject=texts.FAILED_SUBJECT.format(code=submission.code, oa=deps.settings.zalo.oa_name),
        now=now,
        reply_markup=retry_markup(pub.id or 0, texts.RETRY_BUTTON),
        submission_id=submission.id,
    )


async def _tell_published(
    deps: Deps, session: AsyncSession, submission: Submission, pub: Publication, now: datetime
) -> None:
    title = (pub.payload.get("article") or {}).get("title", submission.title)
    values = {
        "code": submission.code,
        "title": title,
        "link": pub.url or "",
        "path": pub.url,
        "oa": deps.settings.zalo.oa_name,
    }
    template = texts.PUBLISHED_DRY_RUN if pub.dry_run else texts.PUBLISHED_EDITORS
    subject = texts.PUBLISHED_SUBJECT.format(code=submission.code, oa=deps.settings.zalo.oa_name)
    await notify_editors(
        session=session,
        settings=deps.settings,
        key=f"pub:{pub.id}:published",
        text=template.format(**values),
        subject=subject,
        now=now,
        submission_id=submission.id,
    )
    if not pub.dry_run:
        await notify_submitter(
            session=session,
            submission=submission,
            voice=voice_from(deps.settings),
            key=f"pub:{pub.id}:published:submitter",
            text=texts.PUBLISHED_SUBMITTER.format(**values),
            subject=texts.PUBLISHED_SUBMITTER_SUBJECT.format(
                code=submission.code, oa=deps.settings.zalo.oa_name
            ),
            now=now,
        )


async def fail(deps: Deps, pub: Publication, reason: str, *, resume: P) -> None:
    """Mark failed (remembering where to resume, counting the attempt), move the submission,
    alert the editors."""
    now = deps.clock.now()
    async with deps.db.session() as session:
        submission = await get_submission(session=session, submission_id=pub.submission_id)
        assert submission is not None
        if submission.status in (S.SCHEDULED, S.PUBLISHING):
            submission = await move(session, submission, S.PUBLISH_FAILED, reason=reason)
        payload = {**pub.payload, "resume": P(resume).value}
        await save_or_lose(
            session,
            pub,
            now,
            to=P.FAILED,
            reason=reason,
            attempts=pub.attempts + 1,
            last_error=reason,
            payload=payload,
        )
        title = (pub.payload.get("article") or {}).get("title", submission.title)
        text = texts.PUBLISH_FAILED.format(
            code=submission.code, title=title, reason=reason, publication_id=pub.id
        )
        await _alert_with_retry(deps, session, submission, pub, "failed", text, now)
        await session.commit()


async def retry_publication(
    *, session: AsyncSession, publication_id: int, actor: str, now: datetime | None = None
) -> Publication:
    """An editor's retry: a failed publication resumes where it stopped; a published one whose
    broadcast failed or is unknown is broadcast again (a person decided). The caller commits."""
    pub = await get_publication(session=session, publication_id=publication_id)
    if pub is None:
        raise RejectedError(texts.RETRY_UNKNOWN.format(publication_id=publication_id))
    now = now or datetime.now(UTC)
    if pub.status == P.FAILED:
        target = P(pub.payload.get("resume", P.QUEUED.value))
        submission = await get_submission(session=session, submission_id=pub.submission_id)
        if submission is not None and submission.status == S.PUBLISH_FAILED:
            await transition(
                session=session,
                submission_id=pub.submission_id,
                expected_status=S.PUBLISH_FAILED,
                expected_version=submission.version,
                new_status=S.SCHEDULED,
                actor=actor,
                reason="retry",
                details={"publication_id": publication_id},
            )
    elif pub.status == P.PUBLISHED and pub.broadcast and not pub.broadcast_message_id:
        target = P.VERIFIED
    else:
        raise RejectedError(
            texts.RETRY_WRONG_STATE.format(
                publication_id=publication_id,
                status=texts.PUB_STATUS_LABELS.get(pub.status, pub.status),
            )
        )
    moved = await move_publication(
        session=session, publication=pub, target=target, now=now, actor=actor, reason="retry",
        next_attempt_at=now, attempts=0, last_error=None,
    )  # fmt: skip
    if not moved:
        raise RejectedError(texts.RETRY_RACED.format(publication_id=publication_id))
    return pub


async def remove_publication(
    *, db: Database, client: ZaloClient | None, publication_id: int, now: datetime, actor: str
) -> str | None:
    """Delete the article from the OA (unless a dry run) and mark the publication removed;
    the article id, if there was one. Raises NewsdeskError in Vietnamese when it cannot."""
    async with db.session() as session:
        pub = await get_publication(session=session, publication_id=publication_id)
    if pub is None:
        raise NewsdeskError(f"lượt đăng #{publication_id} không tồn tại")
    if pub.status == P.REMOVED:
        raise NewsdeskError(f"lượt đăng #{publication_id} đã được gỡ trước đó")
    if pub.article_id and not pub.dry_run:
        if client is None:
            raise NewsdeskError(f"lượt đăng #{publication_id} chưa cấu hình Zalo")
        await client.remove_article(pub.article_id)
    async with db.session() as session:
        removed = await move_publication(
            session=session, publication=pub, target=P.REMOVED, now=now, actor=actor,
            reason="remove", next_attempt_at=now,
        )  # fmt: skip
        if not removed:
            raise NewsdeskError(f"lượt đăng #{publication_id} vừa bị thay đổi, hãy thử lại")
        await session.commit()
    return pub.article_id
