"""The publisher's retry button, pressed in the editors' chat through the real bot."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from domain.kinds import Channel
from domain.states import PublicationStatus
from domain.states import SubmissionStatus as S
from intake.accept import Incoming, accept
from storage.db import Database
from storage.files import FileStore
from storage.models import AuditEvent, Publication, Submission
from storage.submissions import transition
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram  # noqa: F401
from tests.support.bot import EDITORS_CHAT, running_bot, seed

pytestmark = pytest.mark.integration


async def _failed_publication(db: Database, files: FileStore, unit_id: int) -> tuple[int, int]:
    """A submission whose publication failed for good (as the worker leaves it)."""
    async with db.session() as session:
        sub = (
            await accept(
                Incoming(
                    channel=Channel.EMAIL,
                    source_key="email:retry-test",
                    received_at=datetime(2024, 7, 3, 2, tzinfo=UTC),
                    sender="vp@syt.vn",
                    title="Tiêm chủng",
                    text="Nội dung",
                    unit_id=unit_id,
                ),
                session=session,
                files=files,
            )
        ).submission
        for old, new in [
            (S.PENDING_REVIEW, S.APPROVED),
            (S.APPROVED, S.SCHEDULED),
            (S.SCHEDULED, S.PUBLISHING),
            (S.PUBLISHING, S.PUBLISH_FAILED),
        ]:
            sub = await transition(
                session=session,
                submission_id=sub.id or 0,
                expected_status=old,
                expected_version=sub.version,
                new_status=new,
                actor="system",
            )
        pub = Publication(
            submission_id=sub.id or 0,
            status=PublicationStatus.FAILED.value,
            payload={"resume": PublicationStatus.QUEUED.value},
            last_error="-201 title is invalid!",
        )
        session.add(pub)
        await session.commit()
        return sub.id or 0, pub.id or 0


async def test_editor_retry_resumes_and_stranger_is_refused(
    database: Database,
    files: FileStore,
    fake_telegram: FakeTelegram,  # noqa: F811
) -> None:
    """GIVEN a failed publication WHEN a stranger then an editor press retry THEN only the
    editor's press requeues it, the submission is scheduled again and the message says who."""
    seeded = await seed(database)
    sub_id, pub_id = await _failed_publication(database, files, seeded[0])
    async with running_bot(fake_telegram, database, files, seeded=seeded) as h:
        failure = fake_telegram.store_message(
            EDITORS_CHAT,
            fake_telegram.bot,
            {
                "text": "Đăng bài lỗi: -201 title is invalid!",
                "reply_markup": {
                    "inline_keyboard": [
                        [{"text": "Đăng lại", "callback_data": f"pub:retry:{pub_id}"}]
                    ]
                },
            },
        )
        refused = await h.answer(fake_telegram.press(h.stranger, failure, f"pub:retry:{pub_id}"))
        assert refused["show_alert"] is True
        accepted = await h.answer(fake_telegram.press(h.an, failure, f"pub:retry:{pub_id}"))
        assert accepted["text"] == "Đã đưa tin, bài vào hàng đợi đăng lại."
        edited = await fake_telegram.wait_for_call("editMessageText")
        assert "Trần Văn An đã yêu cầu đăng lại" in edited[-1].params["text"]
    async with database.session() as session:
        pub = await session.get(Publication, pub_id)
        sub = await session.get(Submission, sub_id)
        actions = (await session.exec(select(AuditEvent.action))).all()
    assert pub is not None and pub.status == PublicationStatus.QUEUED and pub.last_error is None
    assert sub is not None and sub.status == S.SCHEDULED
    assert "publish.retry" in actions and "publish.retry_refused_not_editor" in actions
