"""The publishing page's reads: publications with their submission, and the Zalo token's state
(expiry, last rotation, last error), never the token itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from publisher.texts import PUB_STATUS_LABELS
from storage.models import Publication, Submission, ZaloToken

# A publication's status as the CLI shows it (one vocabulary).
STATUS_LABELS = PUB_STATUS_LABELS


@dataclass(frozen=True)
class TokenState:
    connected: bool
    access_expires_at: datetime | None = None
    last_rotation: datetime | None = None
    last_error: str | None = None


async def publications(
    *, session: AsyncSession, limit: int = 200
) -> list[tuple[Publication, Submission]]:
    """Newest first, each with its submission (one query)."""
    query = (
        select(Publication, Submission)
        .join(Submission, col(Submission.id) == col(Publication.submission_id))
        .order_by(col(Publication.id).desc())
        .limit(limit)
    )
    return [(p, s) for p, s in (await session.exec(query)).all()]


async def token_state(*, session: AsyncSession) -> TokenState:
    row = (await session.exec(select(ZaloToken).where(col(ZaloToken.id) == 1))).first()
    if row is None:
        return TokenState(connected=False)
    return TokenState(
        connected=True,
        access_expires_at=row.access_expires_at,
        last_rotation=row.refresh_issued_at,
        last_error=row.last_error,
    )
