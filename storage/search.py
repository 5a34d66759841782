"""The desk's search index: each submission's title and text folded (domain.text.search_key),
so a diacritic-insensitive search is one SQL LIKE instead of folding every text per request.

The index is derived data, kept current by `refresh()` before each search: a submission whose
`version` or `revision` differs from its indexed row (every change of content goes through a
compare-and-set that moves `version`) is folded again, one query when nothing changed. Intake,
edits and decisions need not know about it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.text import clean, search_key
from storage.models import Submission, SubmissionSearch

CHUNK = 500  # ids per DELETE ... IN (...)


async def refresh(*, session: AsyncSession, where: Sequence[Any] = ()) -> int:
    """Fold the submissions that are new or changed since they were indexed (of those matching
    the conditions `where`: the ones a search is about to read), and commit; returns how many.
    A concurrent refresh that indexed them first is not an error."""
    connection = await session.connection()
    stale = (
        await connection.execute(
            select(
                col(Submission.id),
                col(Submission.version),
                col(Submission.revision),
                col(Submission.title),
                col(Submission.text),
            )
            .outerjoin(
                SubmissionSearch,
                col(SubmissionSearch.submission_id) == col(Submission.id),
            )
            .where(*where)
            .where(
                or_(
                    col(SubmissionSearch.submission_id).is_(None),
                    col(SubmissionSearch.version) != col(Submission.version),
                    col(SubmissionSearch.revision) != col(Submission.revision),
                )
            )
        )
    ).all()
    if not stale:
        return 0
    rows = [
        {
            "submission_id": i,
            "version": version,
            "revision": revision,
            "folded": search_key(f"{title}\n{text}"),
        }
        for i, version, revision, title, text in stale
    ]
    try:
        for start in range(0, len(rows), CHUNK):
            ids = [r["submission_id"] for r in rows[start : start + CHUNK]]
            await session.exec(
                delete(SubmissionSearch).where(col(SubmissionSearch.submission_id).in_(ids))
            )
        await session.exec(insert(SubmissionSearch), params=rows)
        await session.commit()
    except IntegrityError:  # another request indexed the same rows first
        await session.rollback()
    return len(rows)


def matches(query: str) -> Any:
    """The SQL condition "title or text contains `query`", diacritics and case ignored (to be
    used with a join on SubmissionSearch)."""
    return col(SubmissionSearch.folded).contains(search_key(clean(query)), autoescape=True)
