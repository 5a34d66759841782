"""A reply to a change request becomes the next version of the same submission.

The decision mail is threaded to the officer's original message, so the officer's answer
carries that Message-ID in In-Reply-To/References. It is a new version only when the
submission waits for changes and the sender belongs to the same unit; otherwise the mail is a
new submission as usual.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.errors import StaleTransitionError
from domain.states import SubmissionStatus
from intake.accept import Accepted, Incoming, accept_revision
from mime.model import ParsedMessage
from storage.files import FileStore
from storage.models import Submission

_WAITING = (  # built once, values bound at execution (see intake/email/senders.py)
    select(Submission)
    .where(col(Submission.reply_to_message_id).in_(bindparam("ids", expanding=True)))
    .where(col(Submission.status) == SubmissionStatus.CHANGES_REQUESTED.value)
)


async def revisions(
    session: AsyncSession,
    incomings: Sequence[Incoming],
    parsed: Sequence[ParsedMessage],
    files: FileStore,
) -> dict[int, Accepted]:
    """New versions stored for the items that answer a change request, by item index."""
    threads = [_thread_ids(p) for p in parsed]
    wanted = {ident for ids in threads for ident in ids}
    if not wanted:
        return {}
    result = await session.exec(_WAITING, params={"ids": sorted(wanted)})
    waiting = {s.reply_to_message_id: s for s in result.all()}
    done: dict[int, Accepted] = {}
    for index, (incoming, ids) in enumerate(zip(incomings, threads, strict=True)):
        match = next((waiting[i] for i in ids if i in waiting), None)
        if match is None or match.id is None or incoming.unit_id != match.unit_id:
            continue
        try:
            done[index] = await accept_revision(
                incoming, session=session, files=files, submission_id=match.id, actor="email"
            )
        except StaleTransitionError:
            continue  # an editor acted meanwhile: store the mail as a new submission
        waiting = {k: v for k, v in waiting.items() if v.id != match.id}
    return done


def _thread_ids(parsed: ParsedMessage) -> list[str]:
    ids = [parsed.in_reply_to, *reversed(parsed.references)]
    return [i for i in dict.fromkeys(ids) if i]
