"""`intake parse` prints the issue's JSON shape and a readable summary."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.intake import app
from tests.support.paths import GOLDEN

MAIL = GOLDEN / "mail"


def test_parse_json_fields() -> None:
    result = CliRunner().invoke(app, ["parse", str(MAIL / "10-outlook-winmail.eml"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {
        "message_id",
        "sender",
        "title",
        "text",
        "kind",
        "attachments",
        "warnings",
    }
    assert data["message_id"] == "SGOL0004@SG2PR01MB1234.apcprd01.prod.outlook.com"
    assert data["sender"] == {"address": "bao.pq@skhcn.hungyen.gov.vn", "name": "Phạm Quốc Bảo"}
    names = [a["filename"] for a in data["attachments"]]
    assert names == ["anh-tiem-chung.jpg", "ke-hoach.pdf"]
    assert all(len(a["sha256"]) == 64 and a["size"] > 0 for a in data["attachments"])


def test_parse_null_message_id_and_summary() -> None:
    path = MAIL / "40-no-id-no-subject.eml"
    data = json.loads(CliRunner().invoke(app, ["parse", str(path), "--json"]).output)
    assert data["message_id"] is None
    summary = CliRunner().invoke(app, ["parse", str(path)])
    assert summary.exit_code == 0
    assert "Tiêu đề:    Hội thi tìm hiểu pháp luật năm 2025" in summary.output
    assert "Loại:       " in summary.output and "article" not in summary.output


def test_golden_mail_is_all_mail() -> None:
    """Real mail, however broken, is never refused as "not an e-mail"."""
    from intake.email.sniff import not_mail_reason

    refused = [p.name for p in sorted(MAIL.glob("*.eml")) if not_mail_reason(p.read_bytes())]
    assert refused == []
    assert not_mail_reason("Subject: chỉ có tiêu đề\n\n".encode()) is None
    assert not_mail_reason(b"From MAILER-DAEMON Fri Jul  5 10:00:00 2024\nFrom: a@b.vn\n") is None


def test_parse_refuses_what_is_not_mail(tmp_path: Path) -> None:
    """`intake parse` of a program, an empty or a random file exits non-zero and says why."""
    cases = {
        "true": b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4,
        "empty.eml": b"",
        "notes.txt": "Ghi chú họp giao ban\nkhông phải thư\n".encode(),
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = CliRunner().invoke(app, ["parse", str(path)])
        assert result.exit_code == 1, (name, result.output)
        assert "không phải thư điện tử" in result.output
        assert "Tiêu đề" not in result.output  # nothing printed as an "article"
