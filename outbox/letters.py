"""Mail to an officer is official mail: salutation, body, sign-off (domain.glossary).

The salutation names the registered officer (and their unit) when the item has one, never the
mail's display name ("phongvh", names without diacritics); otherwise it greets the unit as a body.
The sign-off is the office's: the OA's and the Department's names from settings.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from domain import glossary
from storage.models import Officer, Submission, Unit

LETTER = "{salutation}\n\n{body}\n\n{sign_off}"


def letter(*, salutation: str, body: str, oa: str, department: str) -> str:
    """The body of an official mail."""
    return LETTER.format(
        salutation=salutation,
        body=body.strip(),
        sign_off=glossary.sign_off(oa=oa, department=department),
    )


async def salutation_for(session: AsyncSession, submission: Submission) -> str:
    """ "Kính gửi đồng chí {officer} ({unit})," or "Kính gửi Quý cơ quan, đơn vị,"."""
    officer = await session.get(Officer, submission.officer_id) if submission.officer_id else None
    unit = await session.get(Unit, submission.unit_id) if submission.unit_id else None
    return glossary.salutation(
        officer=officer.full_name if officer is not None else None,
        unit=unit.name if unit is not None else None,
    )


async def letter_about(
    session: AsyncSession, submission: Submission, *, body: str, oa: str, department: str
) -> str:
    """Official mail about one submission, to whoever sent it."""
    salutation = await salutation_for(session, submission)
    return letter(salutation=salutation, body=body, oa=oa, department=department)
