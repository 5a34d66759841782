"""The audit trail: append-only rows of who did what, when and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEvent, utcnow


def add_audit(
    *,
    session: AsyncSession,
    actor: str,
    action: str,
    submission_id: int | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Add an audit row to the session (committed with the caller's transaction)."""
    event = AuditEvent(
        submission_id=submission_id,
        at=at or utcnow(),
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        details=details or {},
    )
    session.add(event)
    return event


async def list_audit(*, session: AsyncSession, submission_id: int) -> list[AuditEvent]:
    """A submission's audit trail, oldest first."""
    result = await session.exec(
        select(AuditEvent)
        .where(AuditEvent.submission_id == submission_id)
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    return list(result.all())
