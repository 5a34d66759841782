"""`intake parse` prints the issue's JSON shape and a readable summary."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.intake import app

MAIL = Path(__file__).parents[2] / "golden" / "mail"


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
