"""One step of a publication: each commits its state before the next call to Zalo.

queued -> creating -> created -> verified -> [broadcasting -> broadcast] -> published.
A step returns True when the next step may run at once, False when it set a later attempt.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from domain.errors import StaleTransitionError
from domain.states import SubmissionStatus as S
from publisher import policy, texts
from publisher.media import MediaError
from publisher.prepare import build_article
from publisher.preview import write_preview
from publisher.publications import PubStatus
from publisher.reconcile import find_created
from publisher.service import Deps, LostLease, fail, finish, move, save_or_lose
from publisher.zalo.client import ZaloClient
from publisher.zalo.errors import (
    ZaloArticleProcessing,
    ZaloError,
    ZaloOutcomeUnknown,
    ZaloRateLimited,
    ZaloRejected,
    ZaloTransientError,
    ZaloWaitError,
)
from storage.models import Publication
from storage.submissions import get_submission

log = logging.getLogger(__name__)
UNKNOWN_RECHECK = timedelta(seconds=30)
AUTH_WAIT = timedelta(minutes=15)
QUOTA_WAIT = timedelta(hours=1)


async def _save(deps: Deps, pub: Publication, **changes: Any) -> None:
    async with deps.db.session() as session:
        await save_or_lose(session, pub, deps.clock.now(), **changes)
        await session.commit()


def _client(deps: Deps) -> ZaloClient:
    assert deps.client is not None, "live steps need a Zalo client"
    return deps.client


async def step(deps: Deps, pub: Publication) -> bool:
    """Run the handler for the publication's state; Zalo errors become waits or failures."""
    handler = HANDLERS.get(PubStatus(pub.status))
    if handler is None:
        return False
    resume = pub.status
    try:
        return await handler(deps, pub)
    except StaleTransitionError as exc:
        raise LostLease(pub.id) from exc
    except MediaError as exc:
        await fail(deps, pub, texts.REASON_MEDIA.format(message=exc), resume=resume)
    except ZaloError as exc:
        await on_error(deps, pub, exc, resume=resume)
    return False


async def on_error(deps: Deps, pub: Publication, exc: ZaloError, *, resume: str) -> None:
    """Definitive errors: nothing happened on Zalo's side, so the state is resumed later."""
    now = deps.clock.now()
    error = f"{exc.operation}: {exc.code} {exc.message}"
    if isinstance(exc, ZaloRejected):
        template = texts.REASON_NEEDS_PERSON if exc.needs_person else texts.REASON_REJECTED
        await fail(deps, pub, template.format(code=exc.code, message=exc.message), resume=resume)
        return
    if isinstance(exc, ZaloRateLimited):
        later = deps.paused_until = policy.next_minute(now)
    elif isinstance(exc, ZaloWaitError) and exc.code == -234:
        zalo = deps.settings.zalo
        later = policy.next_window_start(now + timedelta(minutes=1), *_hours(zalo))
    elif isinstance(exc, ZaloWaitError):
        later = now + QUOTA_WAIT
    elif isinstance(exc, ZaloTransientError):
        later = now + policy.backoff(pub.attempts + 1)
    else:  # auth: the keeper has alerted the editors; try again after a while
        later = now + AUTH_WAIT
    level = logging.INFO if isinstance(exc, ZaloRateLimited) else logging.WARNING
    log.log(level, "publication %s: %s; next attempt %s", pub.id, error, later.isoformat())
    await _save(
        deps,
        pub,
        status=resume,
        attempts=pub.attempts + 1,
        next_attempt_at=later,
        last_error=error,
    )


def _hours(zalo: Any) -> tuple[Any, Any]:
    return zalo.broadcast_start, zalo.broadcast_end


async def _queued(deps: Deps, pub: Publication) -> bool:
    now, zalo = deps.clock.now(), deps.settings.zalo
    if not pub.dry_run and not policy.in_window(now, zalo.publish_start, zalo.publish_end):
        later = policy.next_window_start(now, zalo.publish_start, zalo.publish_end)
        await _save(deps, pub, next_attempt_at=later)
        return False
    async with deps.db.session() as session:
        submission = await get_submission(session=session, submission_id=pub.submission_id)
        assert submission is not None
        if submission.status not in (S.SCHEDULED, S.PUBLISHING):
            # Withdrawn (or otherwise moved) before anything reached Zalo: nothing to publish.
            await save_or_lose(
                session,
                pub,
                now,
                status=PubStatus.REMOVED.value,
                last_error=f"submission is {submission.status}",
            )
            await session.commit()
            return False
        article = await build_article(
            session=session,
            submission=submission,
            settings=deps.settings,
            media=deps.media,
            client=deps.client,
        )
        if pub.dry_run:
            code = submission.code
            await session.rollback()  # nothing written: finish() has its own transaction
            await _dry_run(deps, pub, article, code)
            return False
        await save_or_lose(
            session,
            pub,
            now,
            status=PubStatus.CREATING.value,
            payload={"article": article, "code": submission.code, "create_attempts": 0},
        )
        await move(session, submission, S.PUBLISHING)
        await session.commit()
    return True


async def _dry_run(deps: Deps, pub: Publication, article: dict[str, Any], code: str) -> None:
    out = Path(deps.settings.data_dir) / "previews"
    _, html = write_preview(
        out,
        f"{code}-{pub.id}",
        article,
        oa_name=deps.settings.zalo.oa_name,
        note="Bản xem trước (chạy thử, chưa gửi tới Zalo)",
    )
    await finish(deps, pub, url=html.as_uri(), payload={"article": article, "code": code})


def _iso(at: datetime) -> str:
    return at.isoformat()


async def _creating(deps: Deps, pub: Publication) -> bool:
    if pub.payload.get("create_attempts", 0) > 0:
        # An earlier create may have worked: look for it before creating anything again.
        settled = await _reconcile(deps, pub)
        if settled is not None:
            return settled
    return await _create(deps, pub)


async def _reconcile(deps: Deps, pub: Publication) -> bool | None:
    """True: found and adopted; False: too early to tell, wait; None: not there, create."""
    client, now, payload = _client(deps), deps.clock.now(), pub.payload
    since = datetime.fromisoformat(payload["first_create_at"]) - timedelta(minutes=10)
    found = await find_created(client, payload["article"], since_ms=int(since.timestamp() * 1000))
    if found is not None:
        url = await _link(client, found)
        await _save(
            deps,
            pub,
            status=PubStatus.VERIFIED.value,
            article_id=found,
            url=url,
            attempts=0,
            last_error=None,
        )
        return True
    last = datetime.fromisoformat(payload["last_create_at"])
    if now - last < policy.RECONCILE_GRACE:
        await _save(deps, pub, next_attempt_at=last + policy.RECONCILE_GRACE)
        return False
    return None


async def _create(deps: Deps, pub: Publication) -> bool:
    """Record the attempt, then create; only a definite answer from Zalo undoes the record."""
    client, now, payload = _client(deps), deps.clock.now(), dict(pub.payload)
    marked = {
        **payload,
        "create_attempts": payload.get("create_attempts", 0) + 1,
        "last_create_at": _iso(now),
        "first_create_at": payload.get("first_create_at") or _iso(now),
    }
    await _save(deps, pub, payload=marked)
    try:
        token = await client.create_article(payload["article"])
    except ZaloOutcomeUnknown as exc:
        await _save(
            deps,
            pub,
            next_attempt_at=now + UNKNOWN_RECHECK,
            last_error=f"create: outcome unknown ({exc.message}); reconciling",
        )
        return False
    except ZaloError:
        await _save(deps, pub, payload=payload)  # Zalo answered: nothing was created
        raise
    await _save(
        deps, pub, status=PubStatus.CREATED.value, zalo_token=token, attempts=0, last_error=None
    )
    return True


async def _link(client: ZaloClient, article_id: str) -> str:
    try:
        detail = await client.get_article(article_id)
    except ZaloError:
        return ""
    return str(detail.get("link_view") or detail.get("link") or "")


async def _created(deps: Deps, pub: Publication) -> bool:
    client, now = _client(deps), deps.clock.now()
    assert pub.zalo_token is not None
    try:
        article_id = await client.verify_article(pub.zalo_token)
    except ZaloArticleProcessing:
        started = pub.payload.get("verify_started_at") or _iso(now)
        if now - datetime.fromisoformat(started) > policy.VERIFY_MAX_WAIT:
            await fail(deps, pub, texts.REASON_STILL_PROCESSING, resume=PubStatus.CREATED.value)
            return False
        await _save(
            deps,
            pub,
            attempts=pub.attempts + 1,
            next_attempt_at=now + policy.verify_delay(pub.attempts + 1),
            payload={**pub.payload, "verify_started_at": started},
        )
        return False
    url = await _link(client, article_id)
    await _save(
        deps,
        pub,
        status=PubStatus.VERIFIED.value,
        article_id=article_id,
        url=url,
        attempts=0,
        last_error=None,
    )
    return True


async def _verified(deps: Deps, pub: Publication) -> bool:
    zalo, now = deps.settings.zalo, deps.clock.now()
    visible = (pub.payload.get("article") or {}).get("status") == "show"
    if not (pub.broadcast and visible):
        await _finish(deps, pub)
        return False
    if not policy.in_window(now, *_hours(zalo)):
        await _save(deps, pub, next_attempt_at=policy.next_window_start(now, *_hours(zalo)))
        return False
    await _save(deps, pub, status=PubStatus.BROADCASTING.value)
    try:
        message_id = await _client(deps).broadcast([str(pub.article_id)])
    except ZaloOutcomeUnknown:
        await _broadcast_unknown(deps, pub)
        return False
    except ZaloRejected as exc:
        await _finish(
            deps,
            pub,
            note=texts.BROADCAST_FAILED.format(
                code=exc.code, message=exc.message, publication_id=pub.id
            ),
        )
        return False
    except ZaloError as exc:
        await on_error(deps, pub, exc, resume=PubStatus.VERIFIED.value)
        return False
    await _save(deps, pub, status=PubStatus.BROADCAST.value, broadcast_message_id=message_id)
    return True


async def _finish(deps: Deps, pub: Publication, *, note: str | None = None) -> None:
    """Finish, fetching the article's link first if verify's lookup missed it."""
    changes: dict[str, Any] = {}
    if not pub.url and pub.article_id and deps.client is not None:
        changes["url"] = await _link(deps.client, pub.article_id)
    await finish(deps, pub, note=note, **changes)


async def _broadcast_unknown(deps: Deps, pub: Publication) -> None:
    """Never resent automatically: a double broadcast spends every follower's monthly quota."""
    title = (pub.payload.get("article") or {}).get("title", "")
    code = pub.payload.get("code", pub.submission_id)
    await _finish(
        deps,
        pub,
        note=texts.BROADCAST_UNKNOWN.format(code=code, title=title, publication_id=pub.id),
    )


async def _broadcasting(deps: Deps, pub: Publication) -> bool:
    # Found in this state after a restart: the broadcast may or may not have been sent.
    await _broadcast_unknown(deps, pub)
    return False


async def _broadcast(deps: Deps, pub: Publication) -> bool:
    await _finish(deps, pub)
    return False


HANDLERS = {
    PubStatus.QUEUED: _queued,
    PubStatus.CREATING: _creating,
    PubStatus.CREATED: _created,
    PubStatus.VERIFIED: _verified,
    PubStatus.BROADCASTING: _broadcasting,
    PubStatus.BROADCAST: _broadcast,
}
