"""The file store cannot be escaped; registry CSV errors name their line."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import Path

import pytest

from domain.kinds import UnitKind
from domain.registry_rows import CsvRowError, parse_officer_csv, parse_unit_csv
from storage.files import FileStore, safe_filename


@pytest.mark.parametrize(
    "hostile",
    [
        "../../etc/passwd",
        "..\\..\\windows\\system32",
        "a\x00b.jpg",
        "x" * 500 + ".jpg",
        unicodedata.normalize("NFD", "Ảnh hội nghị.png"),
        "/absolute/path.txt",
        "..",
        "",
        "\u202etxt.exe",
    ],
)
def test_hostile_filenames_never_escape_the_store(tmp_path: Path, hostile: str) -> None:
    store = FileStore(tmp_path / "files")
    stored = store.put(b"data-" + hostile.encode("utf-8", "surrogatepass"), hostile)
    path = store.path(stored.sha256)
    assert path.resolve().is_relative_to((tmp_path / "files").resolve())
    assert path.read_bytes().startswith(b"data-")
    assert "/" not in stored.filename and "\x00" not in stored.filename
    assert 0 < len(stored.filename) <= 180
    assert stored.filename == unicodedata.normalize("NFC", stored.filename)
    assert list((tmp_path).glob("etc")) == []


def test_same_bytes_are_stored_once(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    first = store.put(b"poster", "a.png")
    second = store.put(b"poster", "b.png")
    assert first.sha256 == second.sha256 == hashlib.sha256(b"poster").hexdigest()
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1


def test_a_stored_file_and_every_directory_entry_it_needed_are_fsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rename into place is durable too: the row naming a file may be committed on a
    PostgreSQL server elsewhere, whose fsync does nothing for this machine's directories."""
    synced: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    root = tmp_path / "files"
    store = FileStore(root)
    first = store.put(b"poster")
    folder = store.path(first.sha256).parent
    assert synced[0].startswith(f"{folder}/.tmp-")  # the data, before the rename
    assert set(synced[1:]) == {str(folder), str(folder.parent), str(root), str(tmp_path)}
    synced.clear()
    # Made durable by this store: the same bytes again need no write and no fsync.
    store.put(b"poster")
    assert synced == []
    # Found there by a new store (a restarted service): nothing written, but its directory
    # entries are synced again (an earlier put may have crashed between its rename and its
    # directory fsyncs); from then on it is known durable.
    store = FileStore(root)
    store.put(b"poster")
    assert synced == [str(folder), str(folder.parent), str(root)]
    synced.clear()
    store.put(b"poster")
    assert synced == []
    second = store.put(b"video")
    second_folder = store.path(second.sha256).parent
    assert synced[0].startswith(f"{second_folder}/.tmp-")
    assert str(second_folder) in synced[1:] and str(tmp_path) not in synced
    assert not list(root.rglob(".tmp-*"))


def test_a_file_removed_behind_the_store_is_written_again(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    stored = store.put(b"logo")
    store.path(stored.sha256).unlink()  # an operator restoring a backup, say
    store.put(b"logo")
    assert store.read(stored.sha256) == b"logo"


def test_the_memory_of_durable_files_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.files.DURABLE_MEMORY", 3)
    store = FileStore(tmp_path)
    digests = [store.put(f"anh {i}".encode()).sha256 for i in range(5)]
    store.put(b"anh 2")  # used again: the most recent now
    assert list(store._durable) == [digests[3], digests[4], digests[2]]


def test_a_relative_root_that_does_not_exist_yet_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = FileStore(Path("var") / "files")  # the default data_dir is the relative "var"
    stored = store.put(b"bai viet")
    assert (tmp_path / store.path(stored.sha256)).read_bytes() == b"bai viet"


def test_path_accepts_only_digests(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sha256"):
        FileStore(tmp_path).path("../../etc/passwd")


def test_safe_filename_keeps_the_extension_when_cutting() -> None:
    name = safe_filename("Báo cáo " * 60 + ".docx")
    assert name.endswith(".docx") and len(name) <= 180


def test_unit_csv_parses_the_bundled_default() -> None:
    text = (Path(__file__).parents[3] / "data" / "units-default.csv").read_text("utf-8")
    rows = parse_unit_csv(text)
    assert len(rows) == 30
    assert rows[0].code == "so-noi-vu" and rows[0].name == "Sở Nội vụ"
    assert {r.kind for r in rows} == {UnitKind.DEPARTMENT, UnitKind.DISTRICT, UnitKind.PRESS}


def test_unit_csv_errors_name_every_bad_line() -> None:
    text = (
        "code,name_vi,kind,emails\n"
        "so-y-te,Sở Y tế,department,vp@syt.gov.vn;@syt.gov.vn\n"
        "BAD CODE,Tên,department,\n"
        "so-y-te,Trùng mã,department,\n"
        "h-x,,district,\n"
        "h-y,Huyện Y,planet,not-an-email\n"
    )
    with pytest.raises(CsvRowError) as info:
        parse_unit_csv(text)
    problems = "\n".join(info.value.problems)
    assert "dòng 3: mã đơn vị không hợp lệ" in problems
    assert "dòng 4: mã 'so-y-te' trùng với dòng 2" in problems
    assert "dòng 5: thiếu tên đơn vị" in problems
    assert "dòng 6: loại đơn vị không hợp lệ" in problems
    assert "dòng 6: địa chỉ email không hợp lệ" in problems


def test_officer_csv_normalises_phone_and_reports_bad_ones() -> None:
    good = (
        "unit_code,full_name,position,phone,email\n"
        "so-y-te,Trần Thị Bình,Phó CVP,01234567890,B@X.VN\n"
    )
    rows = parse_officer_csv(good)
    assert rows[0].phone == "+84834567890" and rows[0].email == "b@x.vn"
    bad = "unit_code,full_name,position,phone,email\nso-y-te,Lê Văn C,,12,\n"
    with pytest.raises(CsvRowError, match="dòng 2"):
        parse_officer_csv(bad)
