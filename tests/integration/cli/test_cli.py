"""The registry CLI against SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from main import app
from settings import DEFAULT_UNITS_CSV

pytestmark = pytest.mark.integration
DEFAULT_UNITS = DEFAULT_UNITS_CSV


@pytest.fixture
def cli(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    env = {"NEWSDESK_DATABASE__URL": database_url, "NEWSDESK_DATA_DIR": str(tmp_path / "data")}

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, list(args), env=env)
        return result.exit_code, result.output

    return invoke


def test_units_import_is_idempotent_and_listed_in_vietnamese_order(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("units", "import", str(DEFAULT_UNITS))[1].strip() == (
        "Đã nhập: 30 đơn vị mới, 0 đơn vị cập nhật."
    )
    assert "0 đơn vị mới, 30 đơn vị cập nhật" in cli("units", "import", str(DEFAULT_UNITS))[1]
    code, out = cli("units", "list", "--json")
    units = json.loads(out)
    assert code == 0 and len(units) == 30
    names = [u["name"] for u in units]
    assert names.index("Báo Thái Bình") < names.index("Cổng Thông tin điện tử tỉnh")
    assert names.index("Cổng Thông tin điện tử tỉnh") < names.index(
        "Đài Phát thanh và Truyền hình Thái Bình"
    )
    assert names[-1].startswith("Văn phòng")


def test_bad_csv_names_the_line_and_imports_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "units.csv"
    bad.write_text(
        "code,name_vi,kind\nso-a,Sở A,department\nso-b,,department\nso-c,Sở C,moon\n",
        encoding="utf-8",
    )
    code, out = cli("units", "import", str(bad))
    assert code == 1
    assert "dòng 3: thiếu tên đơn vị" in out and "dòng 4: loại đơn vị không hợp lệ" in out
    assert json.loads(cli("units", "list", "--json")[1]) == []


def test_officers_add_import_list(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("units", "import", str(DEFAULT_UNITS))
    code, out = cli(
        "officers", "add", "--unit", "so-y-te", "--name", "Nguyễn Văn An",
        "--position", "Chánh Văn phòng", "--phone", "01689 123 456", "--email", "An@SYT.vn",
    )  # fmt: skip
    assert code == 0, out
    csv_file = tmp_path / "officers.csv"
    csv_file.write_text(
        "unit_code,full_name,position,phone,email\n"
        "h-vu-thu,Trần Thị Bích,Phó Chánh VP,0912.345.678,bich@vuthu.vn\n"
        "so-y-te,Nguyễn Văn An,Chánh Văn phòng,0389123456,an@syt.vn\n",
        encoding="utf-8",
    )
    code, out = cli("officers", "import", str(csv_file))
    assert code == 0 and "1 cán bộ mới, 1 cán bộ cập nhật" in out
    officers = json.loads(cli("officers", "list", "--json")[1])
    assert [(o["full_name"], o["phone"], o["email"]) for o in officers] == [
        ("Nguyễn Văn An", "+84389123456", "an@syt.vn"),
        ("Trần Thị Bích", "+84912345678", "bich@vuthu.vn"),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "unit_code,full_name,position,phone,email\nkhong-co,Ai Đó,Chuyên viên,0912345678,\n"
    )
    code, out = cli("officers", "import", str(bad))
    assert code == 1 and "dòng 2: không có đơn vị mã 'khong-co'" in out
    assert len(json.loads(cli("officers", "list", "--json")[1])) == 2


def test_officer_with_bad_phone_is_refused(cli) -> None:  # type: ignore[no-untyped-def]
    cli("units", "import", str(DEFAULT_UNITS))
    code, out = cli("officers", "add", "--unit", "so-y-te", "--name", "A", "--phone", "12")
    assert code == 1 and "số điện thoại không hợp lệ: '12'" in out


def test_issue_units_file_is_refused_and_creates_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """GIVEN the file from issue 17 (an unclosed quote, a one-cell row) WHEN imported THEN
    nothing is created and the line is named (it used to report 2 new units)."""
    bad = tmp_path / "units.csv"
    bad.write_text(
        'code,name_vi,kind\nso-moi,Sở Mới,department\nxa-abc,"Xã ABC,district\nbad row only\n',
        encoding="utf-8",
    )
    code, out = cli("units", "import", str(bad))
    assert code == 1 and "chưa thay đổi gì" in out and "dòng 3: dấu ngoặc kép" in out
    assert json.loads(cli("units", "list", "--json")[1]) == []
    no_kind = tmp_path / "no-kind.csv"
    no_kind.write_text("code,name_vi,kind\nso-moi,Sở Mới,department\nxa-abc,Xã ABC,\n")
    code, out = cli("units", "import", str(no_kind))
    assert code == 1 and "dòng 3: thiếu loại đơn vị" in out
    assert json.loads(cli("units", "list", "--json")[1]) == []


def test_excel_files_in_a_vietnamese_locale_are_imported(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """GIVEN a semicolon-separated windows-1258 file (Excel's CSV on a Vietnamese Windows)
    and a UTF-16 tab-separated one (Excel's "Unicode text") THEN both import, names in NFC."""
    cp1258 = tmp_path / "units-1258.csv"
    # "Sở Y tế" as Windows writes it: ơ precomposed (0xF5), the tone marks combining.
    cp1258.write_bytes(b"code;name_vi;kind\r\nso-y-te;S\xf5\xd2 Y t\xea\xec;department\r\n")
    code, out = cli("units", "import", str(cp1258))
    assert code == 0 and "windows-1258" in out and "1 đơn vị mới" in out, out
    utf16 = tmp_path / "officers.txt"
    utf16.write_text(
        "unit_code\tfull_name\tposition\tphone\temail\r\n"
        "so-y-te\tNguyễn Văn An\tChánh Văn phòng\t0912345678\tan@syt.vn\r\n",
        encoding="utf-16",
    )
    code, out = cli("officers", "import", str(utf16))
    assert code == 0 and "1 cán bộ mới" in out, out
    [unit] = json.loads(cli("units", "list", "--json")[1])
    assert unit["name"] == "Sở Y tế"
    [officer] = json.loads(cli("officers", "list", "--json")[1])
    assert (officer["full_name"], officer["phone"]) == ("Nguyễn Văn An", "+84912345678")


def test_officers_add_validates_as_import_does(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`officers add` refuses what `officers import` refuses: a bad e-mail, an empty name or
    position, a phone held by another active officer (import refuses that too)."""
    cli("units", "import", str(DEFAULT_UNITS))
    base = ["officers", "add", "--unit", "so-y-te"]
    code, out = cli(
        *base, "--name", "Nguyễn Văn An", "--position", "CVP", "--email", "not-an-email"
    )
    assert code == 1 and "địa chỉ email không hợp lệ: 'not-an-email'" in out
    code, out = cli(*base, "--name", " ", "--position", "")
    assert code == 1 and "thiếu họ tên (--name)" in out and "thiếu chức vụ (--position)" in out
    code, out = cli(*base, "--name", "Nguyễn Văn An", "--position", "CVP", "--phone", "0912345678")
    assert code == 0, out
    [first] = json.loads(cli("officers", "list", "--json")[1])
    code, out = cli(
        "officers", "add", "--unit", "h-vu-thu", "--name", "Trần Thị Bích",
        "--position", "Phó CVP", "--phone", "+84 912 345 678",
    )  # fmt: skip
    assert code == 1 and "số điện thoại 0912 345 678 đã thuộc cán bộ Nguyễn Văn An" in out
    assert f"officers end {first['id']}" in out
    taken = tmp_path / "officers.csv"
    taken.write_text(
        "unit_code,full_name,position,phone\nh-vu-thu,Trần Thị Bích,Phó CVP,0912345678\n"
    )
    code, out = cli("officers", "import", str(taken))
    assert code == 1 and "dòng 2: số điện thoại 0912 345 678 đã thuộc cán bộ Nguyễn Văn An" in out
    assert [o["id"] for o in json.loads(cli("officers", "list", "--json")[1])] == [first["id"]]
    own = tmp_path / "own.csv"  # the holder's own row keeps the number
    own.write_text(
        "unit_code,full_name,position,phone\nso-y-te,Nguyễn Văn An,Chánh VP,0912345678\n"
    )
    code, out = cli("officers", "import", str(own))
    assert code == 0 and "1 cán bộ cập nhật" in out, out
    assert cli("officers", "end", str(first["id"]))[0] == 0
    code, out = cli("officers", "import", str(taken))
    assert code == 0 and "1 cán bộ mới" in out, out


def test_editors_add_and_list(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("editors", "add", "--name", "Phạm Thu Hà", "--telegram-id", "4242")[0] == 0
    editors = json.loads(cli("editors", "list", "--json")[1])
    assert [(e["full_name"], e["telegram_user_id"]) for e in editors] == [("Phạm Thu Hà", 4242)]


def test_unit_set_close_and_officer_end(cli) -> None:  # type: ignore[no-untyped-def]
    cli("units", "import", str(DEFAULT_UNITS))
    code, out = cli(
        "units", "set", "so-y-te", "--not-counted",
        "--address", "VP@SYT.example.vn", "--address", "@syt.example.vn",
    )  # fmt: skip
    assert code == 0, out
    code, out = cli("units", "close", "h-hung-ha", "--on", "2025-06-30", "--successor", "so-y-te")
    assert code == 0 and "30/06/2025" in out
    units = {u["code"]: u for u in json.loads(cli("units", "list", "--json")[1])}
    assert units["so-y-te"]["counted"] is False
    assert units["so-y-te"]["addresses"] == ["@syt.example.vn", "vp@syt.example.vn"]
    assert (units["h-hung-ha"]["valid_to"], units["h-hung-ha"]["successor"]) == (
        "2025-06-30",
        "so-y-te",
    )
    assert cli("units", "close", "h-hung-ha", "--on", "30-06-2025")[0] == 1
    cli(
        "officers",
        "add",
        "--unit",
        "so-y-te",
        "--name",
        "Lê Văn Dũng",
        "--position",
        "Chuyên viên",
    )
    [officer] = json.loads(cli("officers", "list", "--json")[1])
    table = cli("officers", "list")[1]  # the table shows the id `officers end` needs
    assert table.splitlines()[0].startswith("ID") and f"\n{officer['id']} " in table
    assert cli("officers", "end", str(officer["id"]))[0] == 0
    assert json.loads(cli("officers", "list", "--json")[1]) == []


def test_every_help_text_is_vietnamese() -> None:
    """Every command's --help (its docstring) is written in Vietnamese; names stay as they are."""
    import typer.main

    vietnamese = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")
    group = typer.main.get_command(app)
    english: list[str] = []

    def walk(command: object, path: str) -> None:
        help_text = getattr(command, "help", None) or ""
        if path and not vietnamese & set(help_text.lower()):
            english.append(f"{path}: {help_text[:60]!r}")
        for param in getattr(command, "params", []):
            text = getattr(param, "help", None)
            if text and not vietnamese & set(text.lower()) and param.name != "help":
                english.append(f"{path} {param.name}: {text!r}")
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(group, "")
    assert english == []


def test_a_deliberate_error_ends_the_command_in_vietnamese(
    database_url: str, tmp_path: Path
) -> None:
    """GIVEN commands whose service refuses (a code that does not exist) and leaves the
    NewsdeskError to the CLI WHEN they run THEN the root handler prints its Vietnamese message
    and exits 1: no traceback, the error does not escape; a kind with advice adds it."""
    from cli.common import explain
    from domain.errors import RejectedError, TransientError

    runner = CliRunner()
    env = {"NEWSDESK_DATABASE__URL": database_url, "NEWSDESK_DATA_DIR": str(tmp_path / "data")}
    for args in (
        ["review", "assign", "2026-12-9999", "--unit", "so-y-te"],
        ["review", "dismiss", "2026-12-9999", "--reason", "thư rác"],
        ["review", "edit", "2026-12-9999", "--title", "Tiêu đề mới"],
    ):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 1, result.output
        assert result.output.strip() == "Không tìm thấy tin, bài có mã 2026-12-9999."
        assert isinstance(result.exception, SystemExit)  # typer's Exit, not the error itself
    assert explain(RejectedError("Tiêu đề không được để trống.")) == "Tiêu đề không được để trống."
    assert explain(TransientError("SMTP 451: try again")) == (
        "SMTP 451: try again\nDịch vụ bên ngoài tạm thời không trả lời: hãy thử lại sau ít phút."
    )
