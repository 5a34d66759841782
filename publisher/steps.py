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
from domain.states import PublicationStatus as P
from domain.states import SubmissionStatus as S
from publisher import broadcast, policy, texts
from publisher.media import MediaError
from publisher.prepare import build_article
from publisher.preview import write_preview
from publisher.reconcile import ListingIncomplete, find_created
from publisher.service import Deps, LostLease, fail, finish, move, save_or_lose
from publisher.step_common import client_of, link_of, on_error, save_step
from publisher.zalo.client import ZaloClient
from publisher.zalo.errors import (
    ZaloArticleProcessing,
    ZaloError,
    ZaloOutcomeUnknown,
)
from storage.models import Publication
from storage.publications import get_publication
from storage.submissions import get_submission

log = logging.getLogger(__name__)
UNKNOWN_RECHECK = timedelta(seconds=30)
BUILD_LEASE = timedelta(minutes=15)


async def step(deps: Deps, pub: Publication) -> bool:
    """Run the handler for the publication's state; Zalo errors become waits or failures."""
    handler = HANDLERS.get(P(pub.status))
    if handler is None:
        return False
    resume = P(pub.status)
    try:
        return await handler(deps, pub)
    except StaleTransitionError as exc:
        raise LostLease(pub.id) from exc
    except MediaError as exc:
        await fail(deps, pub, texts.REASON_MEDIA.format(message=exc), resume=resume)
    except ZaloError as exc:
        await on_error(deps, pub, exc, resume=resume)
    except LostLease:
        raise  # another worker has it: nothing of ours to record
    except Exception as exc:  # a fault of ours or of this machine: this publication only
        log.exception("publication %s: unexpected error in state %s", pub.id, resume)
        # As stored: a change made in the transaction the error rolled back is not there.
        async with deps.db.session() as session:
            current = await get_publication(session=session, publication_id=pub.id or 0)
        if current is None or current.status != resume:
            raise LostLease(pub.id) from exc
        reason = texts.REASON_UNEXPECTED.format(error=describe(exc))
        await fail(deps, current, reason, resume=resume)
    return False


def describe(exc: BaseException) -> str:
    """An unexpected error for the editors and `publish list`: its type and first line."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"


async def _queued(deps: Deps, pub: Publication) -> bool:
    now, zalo = deps.clock.now(), deps.settings.zalo
    if not pub.dry_run and not policy.in_window(now, zalo.publish_start, zalo.publish_end):
        later = policy.next_window_start(now, zalo.publish_start, zalo.publish_end)
        await save_step(deps, pub, next_attempt_at=later)
        return False
    if not pub.dry_run:
        # A video upload waits for Zalo's conversion: hold the claim longer than a normal step.
        await save_step(deps, pub, next_attempt_at=now + BUILD_LEASE)
    async with deps.db.session() as session:
        submission = await get_submission(session=session, submission_id=pub.submission_id)
        assert submission is not None
        if submission.status not in (S.SCHEDULED, S.PUBLISHING):
            # Withdrawn (or otherwise moved) before anything reached Zalo: nothing to publish.
            await save_or_lose(
                session,
                pub,
                now,
                to=P.REMOVED,
                reason=f"submission is {submission.status}",
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
            to=P.CREATING,
            payload={"article": article, "code": submission.code, "create_attempts": 0},
            next_attempt_at=deps.clock.now() + policy.LEASE,
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
        note=texts.DRY_RUN_NOTE,
    )
    await finish(deps, pub, url=html.as_uri(), payload={"article": article, "code": code})


def _iso(at: datetime) -> str:
    return at.isoformat()


async def _creating(deps: Deps, pub: Publication) -> bool:
    article = deps.media.rebase(pub.payload["article"])
    if article != pub.payload["article"]:
        # Resumed by another instance, or after the public address or key changed: the
        # stored URLs are rebuilt under this instance's settings before Zalo sees them.
        await save_step(deps, pub, payload={**pub.payload, "article": article})
    if pub.payload.get("create_attempts", 0) > 0:
        # An earlier create may have worked: look for it before creating anything again.
        settled = await _reconcile(deps, pub)
        if settled is not None:
            return settled
    return await _create(deps, pub)


async def _reconcile(deps: Deps, pub: Publication) -> bool | None:
    """True: found and adopted; False: too early to tell, wait; None: not there, create."""
    client, now, payload = client_of(deps), deps.clock.now(), pub.payload
    since = datetime.fromisoformat(payload["first_create_at"]) - timedelta(minutes=10)
    try:
        found = await find_created(
            client, payload["article"], since_ms=int(since.timestamp() * 1000)
        )
    except ListingIncomplete as exc:
        # The earlier create's outcome is still unknown: never create on top of it.
        await save_step(
            deps, pub, next_attempt_at=now + UNKNOWN_RECHECK, last_error=f"reconcile: {exc}"
        )
        return False
    if found is not None:
        return await _verified(deps, pub, client, found)
    last = datetime.fromisoformat(payload["last_create_at"])
    if now - last < policy.RECONCILE_GRACE:
        await save_step(deps, pub, next_attempt_at=last + policy.RECONCILE_GRACE)
        return False
    return None


async def _create(deps: Deps, pub: Publication) -> bool:
    """Record the attempt, then create; only a definite answer from Zalo undoes the record."""
    client, now, payload = client_of(deps), deps.clock.now(), dict(pub.payload)
    marked = {
        **payload,
        "create_attempts": payload.get("create_attempts", 0) + 1,
        "last_create_at": _iso(now),
        "first_create_at": payload.get("first_create_at") or _iso(now),
    }
    await save_step(deps, pub, payload=marked)
    try:
        token = await client.create_article(payload["article"])
    except ZaloOutcomeUnknown as exc:
        await save_step(
            deps,
            pub,
            next_attempt_at=now + UNKNOWN_RECHECK,
            last_error=f"create: outcome unknown ({exc.message}); reconciling",
        )
        return False
    except ZaloError:
        await save_step(deps, pub, payload=payload)  # Zalo answered: nothing was created
        raise
    await save_step(deps, pub, to=P.CREATED, zalo_token=token, attempts=0, last_error=None)
    return True


async def _verified(deps: Deps, pub: Publication, client: ZaloClient, article_id: str) -> bool:
    """The article exists on Zalo: store its id and link before anything else happens."""
    url = await link_of(client, article_id)
    await save_step(
        deps,
        pub,
        to=P.VERIFIED,
        article_id=article_id,
        url=url,
        attempts=0,
        last_error=None,
    )
    return True


async def _created(deps: Deps, pub: Publication) -> bool:
    client, now = client_of(deps), deps.clock.now()
    assert pub.zalo_token is not None
    try:
        article_id = await client.verify_article(pub.zalo_token)
    except ZaloArticleProcessing:
        started = pub.payload.get("verify_started_at") or _iso(now)
        if now - datetime.fromisoformat(started) > policy.VERIFY_MAX_WAIT:
            await fail(deps, pub, texts.REASON_STILL_PROCESSING, resume=P.CREATED)
            return False
        await save_step(
            deps,
            pub,
            attempts=pub.attempts + 1,
            next_attempt_at=now + policy.verify_delay(pub.attempts + 1),
            payload={**pub.payload, "verify_started_at": started},
        )
        return False
    return await _verified(deps, pub, client, article_id)


HANDLERS = {
    P.QUEUED: _queued,
    P.CREATING: _creating,
    P.CREATED: _created,
    P.VERIFIED: broadcast.verified,
    P.BROADCASTING: broadcast.broadcasting,
    P.BROADCAST: broadcast.broadcast,
}
