"""`units preset` and `units succession` through the CLI, on SQLite and PostgreSQL.

A Thái Bình installation from 2024 moves onto the map of 1/7/2025 (Hưng Yên's communes and
wards, Decree 45/2025 departments) and the shipped succession file hands its history over.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from domain.periods import TZ
from main import app
from settings import DEFAULT_UNITS_CSV
from storage.audit import list_audit
from storage.db import Database
from storage.models import AuditEvent, Officer, Submission, Unit
from tests.support.paths import ROOT
from tests.support.seed import add_officer, add_submission, local

pytestmark = pytest.mark.integration
DATA = ROOT / "data"
PRESS = "bao-ptth-hung-yen=Báo và Phát thanh, Truyền hình Hưng Yên"


@pytest.fixture
def cli(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    env = {"NEWSDESK_DATABASE__URL": database_url, "NEWSDESK_DATA_DIR": str(tmp_path / "data")}

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, list(args), env=env)
        return result.exit_code, result.output

    return invoke


def units(cli) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    code, out = cli("units", "list", "--json")
    assert code == 0, out
    return {u["code"]: u for u in json.loads(out)}


def test_preset_previews_writes_with_yes_and_is_idempotent(cli) -> None:  # type: ignore[no-untyped-def]
    """GIVEN an empty registry WHEN the Hưng Yên preset runs THEN it previews without writing,
    writes 117 units with --yes (each of its kind), and a second run changes nothing."""
    code, out = cli("units", "preset", "--province", "hung yen", "--on", "2026-01-01",
                    "--press", PRESS)  # fmt: skip
    assert code == 0, out
    assert "Danh sách đơn vị của Hưng Yên từ 01/01/2026: 12 sở, ban, ngành, 93 xã, 11 phường, " \
        "1 cơ quan báo chí (117 đơn vị)." in out  # fmt: skip
    assert "+ xa-than-khe  Xã Thần Khê  [Xã]" in out and "Chưa ghi gì" in out
    assert units(cli) == {}
    code, out = cli("units", "preset", "--province", "Hưng Yên", "--on", "2026-01-01",
                    "--press", PRESS, "--yes")  # fmt: skip
    assert code == 0 and "Đã ghi: 117 thêm, 0 ngừng, 0 cập nhật." in out, out
    registry = units(cli)
    assert Counter(str(u["kind"]) for u in registry.values()) == {
        "department": 12, "commune": 93, "ward": 11, "press": 1,
    }  # fmt: skip
    assert all(u["valid_from"] == "2026-01-01" for u in registry.values())
    code, out = cli("units", "preset", "--province", "HUNG YEN", "--on", "2026-01-01",
                    "--press", PRESS, "--yes")  # fmt: skip
    assert code == 0 and "Không có gì thay đổi." in out and "Giữ nguyên (117)" in out
    assert units(cli) == registry


def test_unknown_province_lists_close_names_and_changes_nothing(cli) -> None:  # type: ignore[no-untyped-def]
    code, out = cli("units", "preset", "--province", "hung yn", "--yes")
    assert code == 1
    assert "Không có tỉnh, thành phố tên 'hung yn'. Có phải: Hưng Yên?" in out
    assert units(cli) == {}


T = TypeVar("T")


def on_db(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` on its own connection (the CLI runs its own event loop between calls)."""

    async def main() -> T:
        async with Database(url) as db:
            return await work(db)

    return asyncio.run(main())


def test_thai_binh_2024_moves_onto_the_2025_map(cli, database_url: str) -> None:  # type: ignore[no-untyped-def]
    """GIVEN Thái Bình's 30 units of 2024 with officers, addresses and submissions
    WHEN the Hưng Yên preset (1/7/2025) and the shipped succession file are applied
    THEN districts end into their communes, TT&TT into KH&CN with its officer, address and
    later submissions, history stays, and applying the file again changes nothing."""
    assert cli("units", "import", str(DEFAULT_UNITS_CSV))[0] == 0
    assert (
        cli("units", "set", "so-thong-tin-truyen-thong", "--address", "@stttt.example.vn")[0] == 0
    )

    async def seed(db: Database) -> tuple[dict[str, int], str, str, str]:
        async with db.session() as session:
            ids = {str(c): int(i or 0) for c, i in await session.exec(select(Unit.code, Unit.id))}
        tttt = ids["so-thong-tin-truyen-thong"]
        await add_officer(db, tttt, "Nguyễn Thị Hoà", email="hoa@stttt.example.vn",
                          telegram_user_id=777, phone="+84912345678")  # fmt: skip
        await add_officer(db, ids["h-hung-ha"], "Trần Văn Bình", email="binh@hungha.example.vn")
        before = await add_submission(db, tttt, local(2025, 2, 10, 9))
        after = await add_submission(db, tttt, local(2025, 3, 5, 9))
        june = await add_submission(db, ids["h-hung-ha"], local(2025, 6, 20, 9))
        return ids, before, after, june

    ids, before, after, june = on_db(database_url, seed)
    tttt = ids["so-thong-tin-truyen-thong"]

    code, out = cli("units", "preset", "--province", "hung yen", "--on", "2025-07-01",
                    "--press", PRESS, "--keep", "cong-ttdt-tinh", "--yes")  # fmt: skip
    assert code == 0 and "Đã ghi: 106 thêm, 18 ngừng, 0 cập nhật." in out, out
    succession = str(DATA / "succession-thai-binh-2025.csv")
    code, out = cli("units", "succession", succession)
    assert code == 0 and "16 đơn vị sẽ thay đổi. Chưa ghi gì." in out, out
    assert units(cli)["h-hung-ha"]["successor"] is None  # the preview wrote nothing
    code, out = cli("units", "succession", succession, "--yes")
    assert code == 0 and "Đã ghi: 16 đơn vị ngừng hoạt động và bàn giao." in out, out
    assert "so-thong-tin-truyen-thong (Sở Thông tin và Truyền thông): ngừng sau 28/02/2025; " \
        "hồ sơ cho so-khoa-hoc-cong-nghe" in out  # fmt: skip
    assert "1 cán bộ chuyển sang so-khoa-hoc-cong-nghe; 1 địa chỉ chuyển sang " \
        "so-khoa-hoc-cong-nghe; 1 sản phẩm nhận sau ngày đổi" in out  # fmt: skip
    assert "h-hung-ha (Ủy ban nhân dân huyện Hưng Hà): ngừng sau 30/06/2025; hồ sơ cho " \
        "xa-hung-ha" in out and "1 cán bộ thôi phụ trách" in out  # fmt: skip

    registry = units(cli)
    assert (registry["h-hung-ha"]["valid_to"], registry["h-hung-ha"]["successor"]) == (
        "2025-06-30", "xa-hung-ha",
    )  # fmt: skip
    assert registry["so-thong-tin-truyen-thong"]["valid_to"] == "2025-02-28"
    assert registry["so-nong-nghiep-moi-truong"]["valid_from"] == "2025-03-01"
    assert registry["so-khoa-hoc-cong-nghe"]["addresses"] == ["@stttt.example.vn"]
    assert registry["so-thong-tin-truyen-thong"]["addresses"] == []
    assert registry["cong-ttdt-tinh"]["valid_to"] is None  # kept with --keep

    changeover = datetime(2025, 3, 1, tzinfo=TZ).astimezone(UTC)

    async def read(db: Database) -> tuple[list[Officer], list[Submission], list[AuditEvent]]:
        async with db.session() as session:
            officers = (await session.exec(select(Officer).order_by(col(Officer.id)))).all()
            subs = (await session.exec(select(Submission))).all()
            [moved] = [s for s in subs if s.code == after]
            trail = await list_audit(session=session, submission_id=moved.id or 0)
        return list(officers), list(subs), trail

    officers, submissions, trail = on_db(database_url, read)
    subs = {s.code: s.unit_id for s in submissions}
    hoa = [(o.unit_id, o.active_from, o.active_to, o.telegram_user_id) for o in officers
           if o.full_name == "Nguyễn Thị Hoà"]  # fmt: skip
    assert [(u, t) for u, _f, _t, t in hoa] == [(tttt, 777), (ids["so-khoa-hoc-cong-nghe"], 777)]
    assert hoa[0][2] == changeover and hoa[1][1] == changeover and hoa[1][2] is None
    [binh] = [o for o in officers if o.full_name == "Trần Văn Bình"]
    assert binh.active_to == datetime(2025, 7, 1, tzinfo=TZ).astimezone(UTC)
    assert subs[before] == tttt and subs[after] == ids["so-khoa-hoc-cong-nghe"]
    assert subs[june] == ids["h-hung-ha"]  # June stays with the district
    assert [(e.action, e.details) for e in trail] == [
        ("unit_succession", {"from_unit": "so-thong-tin-truyen-thong",
                             "to_unit": "so-khoa-hoc-cong-nghe"}),
    ]  # fmt: skip

    code, out = cli("units", "succession", succession, "--yes")
    assert code == 0 and "Không có gì thay đổi." in out, out
    code, out = cli("units", "preset", "--province", "hung yen", "--on", "2025-07-01",
                    "--press", PRESS, "--keep", "cong-ttdt-tinh")  # fmt: skip
    assert code == 0 and "Không có gì thay đổi." in out, out
    assert units(cli) == registry


def test_close_with_several_successors(cli) -> None:  # type: ignore[no-untyped-def]
    cli("units", "import", str(DEFAULT_UNITS_CSV))
    code, out = cli("units", "close", "h-vu-thu", "--on", "2025-06-30", "--successor", "so-y-te",
                    "--successor", "so-tu-phap", "--officers-to", "so-y-te")  # fmt: skip
    assert code == 0 and "hồ sơ chuyển cho so-y-te" in out, out
    assert units(cli)["h-vu-thu"]["successor"] == "so-y-te"
    code, out = cli("units", "close", "h-vu-thu", "--on", "2025-06-30", "--successor", "khong-co")
    assert code == 1 and "không có đơn vị kế thừa mã 'khong-co'" in out
    code, out = cli("units", "close", "h-vu-thu", "--on", "2025-06-30", "--successor", "so-y-te",
                    "--officers-to", "so-tu-phap")  # fmt: skip
    assert code == 1 and "--officers-to 'so-tu-phap' phải là một trong" in out


def test_new_installation_removes_the_unused_default_units(cli, database_url: str) -> None:  # type: ignore[no-untyped-def]
    """GIVEN the default list imported on a new installation's first run, one district with an
    officer WHEN the Hưng Yên preset runs with --remove-unused THEN the default units with no
    history are removed (with their addresses), the one with an officer ends, and a second run
    changes nothing."""
    assert cli("units", "import", str(DEFAULT_UNITS_CSV))[0] == 0
    assert cli("units", "set", "bql-kkt-kcn", "--address", "@bqlkkt.example.vn")[0] == 0
    code, out = cli(
        "officers", "add", "--unit", "h-hung-ha", "--name", "Lê Hà", "--position", "Chuyên viên"
    )
    assert code == 0, out
    args = ("units", "preset", "--province", "hung yen", "--on", "2026-01-01", "--press", PRESS,
            "--remove-unused")  # fmt: skip
    code, out = cli(*args)
    assert code == 0 and "Xóa khỏi danh sách, chưa có lịch sử nào (18):" in out, out
    assert "  x bql-kkt-kcn  Ban Quản lý" in out and "  - h-hung-ha  Ủy ban nhân dân" in out
    code, out = cli(*args, "--yes")
    assert code == 0 and "Đã ghi: 106 thêm, 1 ngừng, 0 cập nhật, 18 xóa." in out, out
    registry = units(cli)
    assert len(registry) == 117 + 1 and registry["h-hung-ha"]["valid_to"] == "2025-12-31"
    assert "bql-kkt-kcn" not in registry and "so-thong-tin-truyen-thong" not in registry
    code, out = cli(*args, "--yes")
    assert code == 0 and "Không có gì thay đổi." in out, out


def test_remove_unused_refused_when_an_unknown_table_refers_to_a_unit(  # type: ignore[no-untyped-def]
    cli, database_url: str
) -> None:
    """GIVEN a table this version does not know referring to a default unit WHEN the preset
    would remove it THEN nothing is written and the operator is told to end it instead."""
    assert cli("units", "import", str(DEFAULT_UNITS_CSV))[0] == 0

    async def extra(db: Database) -> None:
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql(
                "CREATE TABLE later_feature (id INTEGER PRIMARY KEY, "
                "unit_id INTEGER NOT NULL REFERENCES unit(id))"
            )
            await conn.exec_driver_sql(
                "INSERT INTO later_feature (id, unit_id) SELECT 1, id FROM unit "
                "WHERE code = 'bql-kkt-kcn'"
            )

    on_db(database_url, extra)
    before = units(cli)
    code, out = cli("units", "preset", "--province", "hung yen", "--remove-unused", "--yes")
    assert code == 1 and "Không ghi được (chưa thay đổi gì)" in out, out
    assert units(cli) == before
    code, out = cli("units", "preset", "--province", "hung yen", "--yes")
    assert code == 0 and "Đã ghi: 105 thêm, 19 ngừng, 0 cập nhật." in out, out
