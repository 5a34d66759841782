"""The publishing page: state, attempts, last error and slot; retry and remove as on the CLI;
the Zalo token's state without the token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from domain.states import SubmissionStatus as S
from storage.db import Database
from storage.logins import Role
from storage.models import Publication, Submission, ZaloToken
from tests.integration.web.console.harness import NOW, ConsoleFactory, csrf_of
from tests.support.seed import add_submission, add_unit, local

pytestmark = pytest.mark.integration


async def test_publishing_page_retry_remove_and_token_state(
    database: Database, make_console: ConsoleFactory
) -> None:
    unit = await add_unit(database, "so-yte", "Sở Y tế")
    failed_code = await add_submission(
        database, unit, local(2026, 7, 2, 9), status=S.PUBLISH_FAILED, title="Tin lỗi"
    )
    done_code = await add_submission(
        database, unit, local(2026, 7, 3, 9), status=S.PUBLISHED, title="Tin đã đăng"
    )
    async with database.session() as session:
        subs = {s.code: s for s in (await session.exec(select(Submission))).all()}
        failed = Publication(
            submission_id=subs[failed_code].id or 0, status="failed", attempts=5,
            last_error="Zalo trả lỗi -216: ảnh bìa không hợp lệ", due_at=local(2026, 7, 20, 8),
            payload={"resume": "queued"},
        )  # fmt: skip
        done = Publication(
            submission_id=subs[done_code].id or 0, status="published", dry_run=True,
            article_id="dry-1", url="https://oa.example/a/1", due_at=local(2026, 7, 4, 8),
        )  # fmt: skip
        session.add_all([failed, done])
        session.add(
            ZaloToken(
                access_token="ACCESS-SECRET-123",
                refresh_token="REFRESH-SECRET-456",
                access_expires_at=NOW + timedelta(hours=20),
                refresh_issued_at=NOW - timedelta(days=2),
            )
        )
        await session.commit()
    console = await make_console(database)
    editor = await console.client(Role.EDITOR)
    page = await (await editor.get("/dang-tin")).text()
    assert "Tin lỗi" in page and "ảnh bìa không hợp lệ" in page and "08:00 ngày 20/07/2026" in page
    assert "ACCESS-SECRET-123" not in page and "REFRESH-SECRET-456" not in page
    assert "hết hạn lúc 06:00 ngày 21/07/2026" in page and "10:00 ngày 18/07/2026" in page

    retried = await editor.post(f"/dang-tin/{failed.id}/thu-lai", data={"csrf": csrf_of(editor)})
    assert retried.status == 200 and "sẽ chạy lại" in await retried.text()
    again = await editor.post(f"/dang-tin/{failed.id}/thu-lai", data={"csrf": csrf_of(editor)})
    assert again.status == 409 and "Không thử lại được" in await again.text()
    removed = await editor.post(f"/dang-tin/{done.id}/go", data={"csrf": csrf_of(editor)})
    assert removed.status == 200 and f"Đã gỡ lượt đăng #{done.id}" in await removed.text()
    async with database.session() as session:
        pubs = {p.id: p for p in (await session.exec(select(Publication))).all()}
        sub = await session.get(Submission, subs[failed_code].id)
    assert pubs[failed.id].status == "queued" and pubs[failed.id].attempts == 0
    assert pubs[done.id].status == "removed"
    assert sub is not None and sub.status == S.SCHEDULED
    assert "publisher" in console.wakes
