"""The article end to end: an officer's mail with a covering letter and a signature, through
the real intake, composed (`article show`), edited by an editor (`review edit`), approved,
and published on the fake Zalo: what Zalo receives is the edited article, never the letter
or the officer's phone."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from domain.kinds import UnitKind
from domain.states import SubmissionStatus as S
from intake.email.dropfolder import import_files
from intake.email.store import EmailIntake
from main import app
from runtime.email import policy_from
from storage.db import Database
from storage.models import AuditEvent, Submission
from storage.registry import create_officer, upsert_unit
from tests.golden.articles.cases import BHXH_1, BHXH_2, SIG_AN, TITLE_BHXH, jpeg, mail, para
from tests.integration.publisher.world import START, make_world, photo

pytestmark = pytest.mark.integration

LETTER = "Kính gửi Ban Biên tập,\nSở Y tế gửi tin hoạt động, đề nghị Ban Biên tập đăng tải."


async def cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    """The real CLI (its own event loop, in a thread)."""
    result = await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)
    return result.exit_code, result.output


async def test_edited_article_is_what_zalo_receives(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        async with world.db.session() as session:
            unit, _ = await upsert_unit(
                session=session, code="so-y-te", name="Sở Y tế", kind=UnitKind.DEPARTMENT
            )
            assert unit.id is not None
            await create_officer(
                session=session,
                unit_id=unit.id,
                full_name="Nguyễn Văn An",
                phone="+84912345678",
                email="an.nv@syt.thaibinh.gov.vn",
                active_from=START - timedelta(days=30),
            )
            await session.commit()
        files = (
            ("hoi-nghi-1.jpg", "image/jpeg", photo("navy")),
            ("hoi-nghi-2.jpg", "image/jpeg", photo("darkred")),
            ("hoi-nghi-3.jpg", "image/jpeg", jpeg(3)),
        )
        eml = tmp_path / "tin.eml"
        eml.write_bytes(
            mail(
                "V/v gửi tin bài tháng 12",
                para(LETTER, TITLE_BHXH, BHXH_1, BHXH_2, SIG_AN),
                files=files,
            )
        )
        sink = EmailIntake(
            db=world.db, files=world.files, clock=world.clock, policy=policy_from(world.settings)
        )
        assert await import_files([eml], sink=sink, max_bytes=10_000_000) == ["stored"]
        async with world.db.session() as session:
            [sub] = (await session.exec(select(Submission))).all()
        env = {
            "NEWSDESK_DATABASE__URL": world.db.url,
            "NEWSDESK_DATA_DIR": str(world.settings.data_dir),
        }

        code, out = await cli(env, "article", "show", sub.code, "--json")
        assert code == 0, out
        draft = json.loads(out)
        assert draft["title"] == TITLE_BHXH  # not the letter's subject
        assert draft["description"] == BHXH_1
        assert draft["cover"] == "hoi-nghi-1.jpg"
        assert [b["name"] for b in draft["body"] if b["type"] == "image"] == [
            "hoi-nghi-2.jpg",
            "hoi-nghi-3.jpg",
        ]
        assert "ĐT: 0912 345 678" in draft["letter"] and "Kính gửi" in draft["letter"]
        assert "0912" not in json.dumps(draft["body"], ensure_ascii=False)

        code, out = await cli(env, "review", "show", sub.code)
        assert "Thư gửi kèm (không đăng): Kính gửi Ban Biên tập," in out
        assert "Đã tách thư gửi kèm" in out

        body = tmp_path / "body.txt"
        body.write_text(
            f"{BHXH_1}\n\n# Ý kiến người dân\n\n[Ảnh: hoi-nghi-1.jpg | Quang cảnh hội nghị]\n\n"
            "Nhiều hộ gia đình đăng ký tham gia ngay tại hội nghị.",
            encoding="utf-8",
        )
        code, out = await cli(
            env,
            "review", "edit", sub.code,
            "--title", "Thần Khê: hơn 200 hộ tìm hiểu bảo hiểm xã hội tự nguyện",
            "--summary", "Hội nghị giải đáp mức đóng và quyền lợi.",
            "--body-file", str(body),
            "--cover", "2",
            "--by", "Phạm Thu Hà",
        )  # fmt: skip
        assert code == 0, out
        assert "đã lưu bản sửa của Phạm Thu Hà (bản 2)" in out
        code, out = await cli(env, "review", "edit", sub.code, "--cover", "9")
        assert code == 1 and "Bài có 3 ảnh: chọn ảnh bìa từ 1 đến 3." in out

        code, out = await cli(env, "review", "show", sub.code)
        assert "✏️ Bản sửa của biên tập viên Phạm Thu Hà" in out
        assert "(tiêu đề, tóm tắt, ảnh bìa, nội dung)" in out
        assert "⚠️ Tiêu đề do biên tập viên đặt" in out
        assert "Thay đổi so với bản 1:" in out and "+ # Ý kiến người dân" in out
        # composed drafts are compared: the letter was never part of the article
        assert "− Kính gửi" not in out and f"− {BHXH_2[:40]}" in out
        assert f"• Tiêu đề: «{TITLE_BHXH}» → «Thần Khê:" in out
        assert "• Ảnh: thêm 0, bớt 1" in out  # the edited body places image 1 only: 3 is out
        assert "review.edit_article" in out

        code, out = await cli(env, "review", "approve", sub.code, "--by", "Phạm Thu Hà")
        assert code == 0, out
        assert await world.fresh().run_once() == 1
        [article] = world.fake.live_articles()
        assert article["title"] == "Thần Khê: hơn 200 hộ tìm hiểu bảo hiểm xã hội tự nguyện"
        assert article["description"] == "Hội nghị giải đáp mức đóng và quyền lợi."
        texts = [b["content"] for b in article["body"] if b["type"] == "text"]
        assert texts == [
            BHXH_1,
            "Ý kiến người dân",
            "Nhiều hộ gia đình đăng ký tham gia ngay tại hội nghị.",
            "Nguồn: Sở Y tế",
        ]
        images = [b for b in article["body"] if b["type"] == "image"]
        assert len(images) == 1 and images[0]["caption"] == "Quang cảnh hội nghị"
        assert article["cover"]["photo_url"] != images[0]["url"]  # the cover is image 2
        sent = json.dumps(article, ensure_ascii=False)
        assert "0912" not in sent and "Kính gửi" not in sent and "Trân trọng" not in sent

        async with world.db.session() as session:
            done = await session.get(Submission, sub.id)
            assert done is not None and done.status == S.PUBLISHED and done.revision == 2
            audit = (
                await session.exec(
                    select(AuditEvent).where(AuditEvent.action == "review.edit_article")
                )
            ).all()
        assert [a.actor for a in audit] == ["cli:Phạm Thu Hà"]
        assert audit[0].details["changed"] == ["title", "summary", "cover", "body"]
