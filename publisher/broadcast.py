"""The broadcast end of a publication: verified -> [broadcasting -> broadcast] -> published.

A broadcast whose outcome is unknown is never sent again automatically: a double broadcast
spends every follower's monthly quota. An editor can resend with `publish retry`.
"""

from __future__ import annotations

from domain.states import PublicationStatus as P
from publisher import policy, texts
from publisher.service import Deps
from publisher.step_common import (
    broadcast_hours,
    client_of,
    finish_with_link,
    finishing,
    on_error,
    save_step,
)
from publisher.zalo.errors import ZaloError, ZaloOutcomeUnknown, ZaloRejected
from storage.models import Publication


async def verified(deps: Deps, pub: Publication) -> bool:
    """Broadcast when wanted and allowed now; otherwise finish (or wait for the hours)."""
    zalo, now = deps.settings.zalo, deps.clock.now()
    if finishing(pub):  # broadcast done or decided against: only the link is missing
        await finish_with_link(deps, pub)
        return False
    visible = (pub.payload.get("article") or {}).get("status") == "show"
    if not (pub.broadcast and visible):
        await finish_with_link(deps, pub)
        return False
    hours = broadcast_hours(zalo)
    if not policy.in_window(now, *hours):
        await save_step(deps, pub, next_attempt_at=policy.next_window_start(now, *hours))
        return False
    await save_step(deps, pub, to=P.BROADCASTING)
    try:
        message_id = await client_of(deps).broadcast([str(pub.article_id)])
    except ZaloOutcomeUnknown:
        await _broadcast_unknown(deps, pub)
        return False
    except ZaloRejected as exc:
        await finish_with_link(
            deps,
            pub,
            note=texts.BROADCAST_FAILED.format(
                code=exc.code, message=exc.message, publication_id=pub.id
            ),
        )
        return False
    except ZaloError as exc:
        await on_error(deps, pub, exc, resume=P.VERIFIED)
        return False
    await save_step(deps, pub, to=P.BROADCAST, broadcast_message_id=message_id)
    return True


async def _broadcast_unknown(deps: Deps, pub: Publication) -> None:
    """Never resent automatically: a double broadcast spends every follower's monthly quota."""
    title = (pub.payload.get("article") or {}).get("title", "")
    code = pub.payload.get("code", pub.submission_id)
    await finish_with_link(
        deps,
        pub,
        note=texts.BROADCAST_UNKNOWN.format(code=code, title=title, publication_id=pub.id),
    )


async def broadcasting(deps: Deps, pub: Publication) -> bool:
    """Found in this state after a restart: the broadcast may or may not have been sent."""
    await _broadcast_unknown(deps, pub)
    return False


async def broadcast(deps: Deps, pub: Publication) -> bool:
    """Sent and acknowledged: finish."""
    await finish_with_link(deps, pub)
    return False
