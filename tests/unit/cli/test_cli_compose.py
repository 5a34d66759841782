"""`article compose FILE.eml --json` prints the draft as one JSON object (nothing stored)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.article import app
from tests.golden.articles.cases import BHXH_1, BHXH_2, SIG_AN, TITLE_BHXH, jpeg, mail, para


def test_compose_json_shape_and_letter(tmp_path: Path) -> None:
    eml = tmp_path / "tin.eml"
    body = para("Kính gửi Ban Biên tập,\nXin gửi tin bài tháng 12.", TITLE_BHXH, BHXH_1, BHXH_2)
    files = (("anh-1.jpg", "image/jpeg", jpeg(1)), ("anh-2.jpg", "image/jpeg", jpeg(2)))
    eml.write_bytes(mail("V/v gửi tin bài tháng 12/2026", body + "\n\n" + SIG_AN, files=files))
    result = CliRunner().invoke(app, ["compose", str(eml), "--json"])
    assert result.exit_code == 0, result.output
    draft = json.loads(result.output)
    assert list(draft) == [
        "title", "author", "description", "body", "cover", "letter", "warnings",
    ]  # fmt: skip
    assert draft["title"] == TITLE_BHXH
    assert draft["description"] == BHXH_1
    assert draft["body"] == [
        {"type": "text", "content": BHXH_1},
        {"type": "image", "name": "anh-2.jpg"},
        {"type": "text", "content": BHXH_2},
    ]
    assert draft["cover"] == "anh-1.jpg"
    assert draft["letter"].startswith("Kính gửi Ban Biên tập,\nXin gửi tin bài tháng 12.")
    assert "ĐT: 0912 345 678" in draft["letter"]
    assert "Đã tách thư gửi kèm (6 dòng), không đăng" in draft["warnings"]


def test_compose_readable(tmp_path: Path) -> None:
    eml = tmp_path / "tin.eml"
    eml.write_bytes(mail(TITLE_BHXH, para(BHXH_1, "# không phải tiêu đề", BHXH_2, SIG_AN)))
    result = CliRunner().invoke(app, ["compose", str(eml)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Tiêu đề:  {TITLE_BHXH}\n")
    assert "Thư gửi kèm (không đăng):\nTrân trọng," in result.output
    assert "Lưu ý: Đã tách thư gửi kèm (4 dòng), không đăng" in result.output
