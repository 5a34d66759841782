"""Quarantine: submissions from unknown senders wait until an editor names their unit."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.errors import RejectedError
from domain.glossary import NO_TITLE, sign_off
from domain.kinds import Channel
from domain.states import SubmissionStatus
from domain.text import clean
from outbox.notify import Voice, notify_submitter
from review import texts
from review.service import ReasonRequiredError
from storage.models import Submission, Unit, UnitAddress, utcnow
from storage.registry import find_units
from storage.submissions import get_submission_by_code, transition

S = SubmissionStatus


async def list_quarantined(*, session: AsyncSession, limit: int = 200) -> list[Submission]:
    """Quarantined submissions, oldest first."""
    query = (
        select(Submission)
        .where(Submission.status == S.QUARANTINED.value)
        .order_by(col(Submission.received_at), col(Submission.id))
        .limit(limit)
    )
    return list((await session.exec(query)).all())


class AmbiguousUnitError(RejectedError):
    """Several units match what the editor typed: they choose (Telegram buttons, CLI code)."""

    def __init__(self, text: str, units: list[Unit]) -> None:
        choices = ", ".join(f"{u.name} ({u.code})" for u in units[:AMBIGUOUS_SHOWN])
        super().__init__(texts.QUARANTINE_AMBIGUOUS.format(unit=text, choices=choices))
        self.units = units[:AMBIGUOUS_SHOWN]


AMBIGUOUS_SHOWN = 8


class UnknownUnitError(RejectedError):
    """No unit matches what the editor typed (they may name it again)."""


async def resolve_unit(*, session: AsyncSession, text: str) -> Unit:
    """The one unit an editor means by a code or a name (any case, with or without
    diacritics); RejectedError when none, AmbiguousUnitError when several match."""
    units = await find_units(session=session, text=text, today=utcnow().date())
    if not units:
        raise UnknownUnitError(texts.QUARANTINE_NO_UNIT.format(unit=clean(text)))
    if len(units) > 1:
        raise AmbiguousUnitError(clean(text), units)
    return units[0]


async def assign_unit(
    *,
    session: AsyncSession,
    code: str,
    unit_code: str,
    actor: str,
    remember_sender: bool = False,
    voice: Voice | None = None,
) -> Submission:
    """Attribute a quarantined submission to a unit and send it to review (caller commits).

    `unit_code` is the unit's code or its name, with or without diacritics ("Tiền Hải",
    "tien hai"); AmbiguousUnitError lists the candidates when several match.
    With `remember_sender`, the sender's address becomes one of the unit's known addresses, so
    their next mail goes straight to review.
    """
    sub = await get_submission_by_code(session=session, code=code)
    if sub is None or sub.id is None:
        raise RejectedError(texts.CLI_NOT_FOUND.format(code=code))
    if sub.status != S.QUARANTINED:
        raise RejectedError(texts.QUARANTINE_NOT_QUARANTINED.format(code=code))
    unit = await resolve_unit(session=session, text=unit_code)
    assert unit.id is not None
    sub = await transition(
        session=session,
        submission_id=sub.id,
        expected_status=S.QUARANTINED,
        expected_version=sub.version,
        new_status=S.PENDING_REVIEW,
        actor=actor,
        action="quarantine.assigned",
        reason=texts.QUARANTINE_REASON.format(unit=unit.name),
        changes={"unit_id": unit.id},
        details={"unit": unit.code, "remember_sender": remember_sender},
    )
    sender = sub.sender.lower()
    if remember_sender and sub.channel == Channel.EMAIL and "@" in sender:
        known = await session.exec(select(UnitAddress).where(UnitAddress.value == sender))
        if known.first() is None:
            session.add(UnitAddress(unit_id=unit.id, value=sender))
    voice = voice or Voice()
    await _tell_sender(session=session, submission=sub, unit_name=unit.name, voice=voice)
    return sub


async def dismiss(
    *,
    session: AsyncSession,
    code: str,
    reason: str,
    editor_name: str,
    actor: str,
    now: datetime,
    expected_version: int | None = None,
) -> Submission:
    """Take a quarantined item that is not a submission (a bounce, an auto-reply, spam) out
    of the queue: it becomes rejected, with who and why, and its raw message stays on file.
    Nobody is told: the sender is unknown (they had the one registration reply already) or
    automated (never answered). `expected_version` guards a button press; the caller commits.
    """
    reason = clean(reason)
    if not reason:
        raise ReasonRequiredError(S.REJECTED.value)
    sub = await get_submission_by_code(session=session, code=code)
    if sub is None or sub.id is None:
        raise RejectedError(texts.CLI_NOT_FOUND.format(code=code))
    if sub.status != S.QUARANTINED:
        raise RejectedError(texts.QUARANTINE_NOT_QUARANTINED.format(code=code))
    return await transition(
        session=session,
        submission_id=sub.id,
        expected_status=S.QUARANTINED,
        expected_version=sub.version if expected_version is None else expected_version,
        new_status=S.REJECTED,
        actor=actor,
        action="quarantine.dismissed",
        reason=reason,
        changes={"decided_by": editor_name, "decided_at": now, "decision_reason": reason},
    )


async def _tell_sender(
    *, session: AsyncSession, submission: Submission, unit_name: str, voice: Voice
) -> None:
    values = {
        "code": submission.code,
        "title": submission.title or NO_TITLE,
        "unit": unit_name,
        "sign_off": sign_off(oa=voice.oa_name, department=voice.department),
    }
    await notify_submitter(
        session=session,
        submission=submission,
        key=f"quarantine:{submission.id}:accepted",
        text=texts.QUARANTINE_ACCEPTED_BODY.format(**values),
        subject=texts.QUARANTINE_ACCEPTED_SUBJECT.format(**values),
        voice=voice,
        now=utcnow(),
        as_letter=False,  # the text is a whole letter to a unit not yet known by name
    )
