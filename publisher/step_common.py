"""What every publication step shares: saving with the lease check, the error policy."""

from __future__ import annotations

import logging
from datetime import time, timedelta
from typing import Any

from domain.states import PublicationStatus
from publisher import policy, texts
from publisher.service import Deps, fail, finish, save_or_lose
from publisher.zalo.client import ZaloClient
from publisher.zalo.errors import (
    ZaloError,
    ZaloRateLimited,
    ZaloRejected,
    ZaloTransientError,
    ZaloWaitError,
)
from storage.models import Publication

log = logging.getLogger("publisher.steps")
AUTH_WAIT = timedelta(minutes=15)
QUOTA_WAIT = timedelta(hours=1)
LINK_WAIT_CAP = 1800.0


async def save_step(
    deps: Deps, pub: Publication, *, to: PublicationStatus | str | None = None, **changes: Any
) -> None:
    """Commit `changes` (and the move to `to`, if any) on their own, or raise LostLease if
    another worker moved the row."""
    async with deps.db.session() as session:
        await save_or_lose(session, pub, deps.clock.now(), to=to, **changes)
        await session.commit()


def client_of(deps: Deps) -> ZaloClient:
    """The live client (dry-run publications never reach the live steps)."""
    assert deps.client is not None, "live steps need a Zalo client"
    return deps.client


async def on_error(
    deps: Deps, pub: Publication, exc: ZaloError, *, resume: PublicationStatus
) -> None:
    """Definitive errors: nothing happened on Zalo's side, so the publication goes back to
    `resume` (the state it was in, or the one before a call that was refused) for later."""
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
        later = policy.next_window_start(now + timedelta(minutes=1), *broadcast_hours(zalo))
    elif isinstance(exc, ZaloWaitError):
        later = now + QUOTA_WAIT
    elif isinstance(exc, ZaloTransientError):
        later = now + policy.backoff(pub.attempts + 1)
    else:  # auth: the keeper has alerted the editors; try again after a while
        later = now + AUTH_WAIT
    level = logging.INFO if isinstance(exc, ZaloRateLimited) else logging.WARNING
    log.log(level, "publication %s: %s; next attempt %s", pub.id, error, later.isoformat())
    await save_step(
        deps,
        pub,
        to=resume,
        attempts=pub.attempts + 1,
        next_attempt_at=later,
        last_error=error,
    )


def broadcast_hours(zalo: Any) -> tuple[time, time]:
    """The local hours broadcasts are allowed."""
    return zalo.broadcast_start, zalo.broadcast_end


async def link_of(client: ZaloClient, article_id: str) -> str:
    """The article's public link, or "" when Zalo cannot say right now."""
    try:
        detail = await client.get_article(article_id)
    except ZaloError:
        return ""
    return str(detail.get("link_view") or detail.get("link") or "")


async def finish_with_link(deps: Deps, pub: Publication, *, note: str | None = None) -> None:
    """Finish, fetching the article's link first if verify's lookup missed it.

    A publication never ends "published" without its link (editors and the submitter would
    get an empty one): while Zalo cannot say, the lookup is retried with backoff (2 s doubling
    to 30 minutes), the publication keeping its state; `finishing` in the payload remembers
    that only the finish is left (and its note), so nothing before it runs again.
    """
    note = note if note is not None else (pub.payload.get("finishing") or {}).get("note")
    url = pub.url
    if not url and pub.article_id and deps.client is not None:
        url = await link_of(deps.client, pub.article_id)
        if not url:
            attempts = int(pub.payload.get("link_attempts", 0)) + 1
            later = deps.clock.now() + policy.backoff(attempts, cap=LINK_WAIT_CAP)
            log.warning(
                "publication %s: no link for article %s yet; next lookup %s",
                pub.id,
                pub.article_id,
                later.isoformat(),
            )
            payload = {**pub.payload, "finishing": {"note": note}, "link_attempts": attempts}
            await save_step(
                deps,
                pub,
                payload=payload,
                next_attempt_at=later,
                last_error=f"link: not available yet (attempt {attempts})",
            )
            return
    changes: dict[str, Any] = {"url": url} if url != pub.url else {}
    await finish(deps, pub, note=note, **changes)


def finishing(pub: Publication) -> bool:
    """Only the finish (the link lookup) is left: no earlier step may run again."""
    return "finishing" in pub.payload
