"""The file store cannot be escaped; registry CSV errors name their line."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.kinds import UnitKind
from domain.registry_rows import CsvRowError, decode_csv, parse_officer_csv, parse_unit_csv
from settings import DEFAULT_UNITS_CSV
from storage import files as files_module
from storage.files import FileStore, safe_filename
from tests.support.paths import ROOT


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
    assert synced[0].startswith(f"{root}/.tmp/.tmp-")  # the data, before the rename
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
    assert folder.parent == root  # root/ab/<sha256>
    assert synced == [str(folder), str(root)]
    synced.clear()
    store.put(b"poster")
    assert synced == []
    second = store.put(b"video")
    second_folder = store.path(second.sha256).parent
    assert synced[0].startswith(f"{root}/.tmp/.tmp-")
    assert str(second_folder) in synced[1:] and str(tmp_path) not in synced
    assert not list(root.rglob(".tmp-*"))


def _recorder(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record the file store's fsyncs and renames, in order, (call, path)."""
    calls: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        calls.append(("rename", dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return calls


def test_put_many_fsyncs_every_file_before_any_rename_and_the_directories_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All bytes fsynced before any rename (a file under its digest always holds those
    bytes), all renames made durable before put_many returns (and the caller commits rows
    naming them)."""
    calls = _recorder(monkeypatch)
    root = tmp_path / "files"
    store = FileStore(root)
    blobs = [f"ảnh {i}".encode() * 1000 for i in range(20)]
    stored = store.put_many([(b, None) for b in blobs] + [(blobs[0], None)])
    assert [s.sha256 for s in stored[:20]] == [hashlib.sha256(b).hexdigest() for b in blobs]
    assert stored[20] == stored[0] and stored[3].size == len(blobs[3])
    assert [store.read(s.sha256) for s in stored[:20]] == blobs
    kinds = [c[0] for c in calls]
    assert kinds[:40] == ["fsync"] * 20 + ["rename"] * 20
    assert all(path.startswith(f"{root}/.tmp/.tmp-") for _, path in calls[:20])
    folders = {str(store.path(s.sha256).parent) for s in stored}
    synced_after = [path for kind, path in calls[40:] if kind == "fsync"]
    assert set(kinds[40:]) == {"fsync"} and folders <= set(synced_after)
    assert str(root) in synced_after and len(synced_after) == len(set(synced_after))
    assert os.listdir(root / ".tmp") == []
    calls.clear()
    # Known durable: no write, no fsync. One new file among them: its own fsyncs only.
    store.put_many([(b, None) for b in blobs])
    assert calls == []
    [_, video] = store.put_many([(blobs[1], None), (b"video", None)])
    assert [c[0] for c in calls[:2]] == ["fsync", "rename"]
    assert str(store.path(video.sha256).parent) in [path for _, path in calls[2:]]
    calls.clear()
    # Found on disk by a new store (a restart): its entries are fsynced once, nothing written.
    digest = hashlib.sha256(blobs[2]).hexdigest()
    FileStore(root).put_many([(blobs[2], None)])
    assert calls == [("fsync", str(root / digest[:2])), ("fsync", str(root))]


def test_a_failed_fsync_stores_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk that reports a write error on fsync: the call fails, no file appears under its
    digest and no temporary file is left; once the disk is well, the same bytes store."""
    real_fsync = os.fsync

    def failing(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    store = FileStore(tmp_path / "files")
    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(OSError, match="Input/output error"):
        store.put_many([(b"bai viet", None), (b"anh", None)])
    assert not store.exists(hashlib.sha256(b"bai viet").hexdigest())
    assert os.listdir(tmp_path / "files" / ".tmp") == []
    monkeypatch.setattr(os, "fsync", real_fsync)
    [stored] = store.put_many([(b"bai viet", None)])
    assert store.read(stored.sha256) == b"bai viet"


def test_a_write_that_fails_midway_leaves_no_file_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = files_module._write
    written: list[str] = []

    def write(path: str, data: bytes) -> None:
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(path)
        real_write(path, data)

    monkeypatch.setattr(files_module, "_write", write)
    store = FileStore(tmp_path)
    with pytest.raises(OSError, match="No space"):
        store.put_many([(b"one", None), (b"two", None)])
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_sweep_removes_only_old_temporary_files(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    assert store.sweep_temporary() == 0  # nothing was ever written
    store.put(b"poster")
    old, fresh = tmp_path / ".tmp" / ".tmp-0ld", tmp_path / ".tmp" / ".tmp-fresh"
    old.write_bytes(b"a crashed write")
    fresh.write_bytes(b"a write in progress in another process")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    assert store.sweep_temporary() == 1
    assert not old.exists() and fresh.exists()
    assert store.exists(hashlib.sha256(b"poster").hexdigest())


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
    text = DEFAULT_UNITS_CSV.read_text("utf-8")
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
    bad = "unit_code,full_name,position,phone,email\nso-y-te,Lê Văn C,Chuyên viên,12,\n"
    with pytest.raises(CsvRowError, match="dòng 2"):
        parse_officer_csv(bad)


# Issue 17, item 2: what Excel and people really produce.
ISSUE_UNITS = (
    'code,name_vi,kind\nso-moi,Sở Mới,department\nxa-abc,"Xã ABC,district\nbad row only\n'
)


def _problems(text: str, parse: Callable[[str], object] = parse_unit_csv) -> str:
    with pytest.raises(CsvRowError) as info:
        parse(text)
    return "\n".join(info.value.problems)


def test_unbalanced_quote_is_refused_with_its_line() -> None:
    """GIVEN the file from the issue (an opened quote on line 3 swallowing line 4) THEN it is
    refused naming line 3, not read as a unit "Xã ABC,district bad row only"."""
    assert 'dòng 3: dấu ngoặc kép (") mở ở dòng này chưa đóng (ô kéo dài tới cuối tệp)' in (
        _problems(ISSUE_UNITS)
    )
    closed_later = ISSUE_UNITS + 'so-c,Sở C",department\n'
    assert 'dòng 3: dấu ngoặc kép (") mở ở dòng này chưa đóng (ô kéo dài tới dòng 5)' in (
        _problems(closed_later)
    )
    assert 'dòng 2: dấu ngoặc kép (") không cân đối' in _problems(
        'code,name_vi,kind\nso-a,"Sở A"x,department\n'
    )


def test_wrong_field_counts_are_refused_with_their_lines() -> None:
    problems = _problems(
        "code,name_vi,kind\nso-a,Sở A,department\nbad row only\nso-b,Sở B,department,x\n"
    )
    assert "dòng 3: có 1 cột, dòng tiêu đề (dòng 1) có 3 cột" in problems
    assert "dòng 4: có 4 cột, dòng tiêu đề (dòng 1) có 3 cột" in problems


def test_missing_required_values_and_columns_are_refused() -> None:
    """A row without `kind` no longer becomes `other`; a header without it is refused."""
    assert "dòng 3: thiếu loại đơn vị (cột kind" in _problems(
        "code,name_vi,kind\nso-a,Sở A,department\nso-b,Sở B,\n"
    )
    assert "dòng 1: dòng tiêu đề thiếu cột kind (đọc được: code, name_vi" in _problems(
        "code,name_vi\nso-a,Sở A\n"
    )
    officer = _problems(
        "unit_code,full_name,position,phone\nso-a,,,\nso-b,Lê Văn C,Chuyên viên,\n",
        parse_officer_csv,
    )
    assert "dòng 2: thiếu họ tên (cột full_name)" in officer
    assert "dòng 2: thiếu chức vụ (cột position)" in officer
    assert "dòng 3" not in officer


def test_semicolon_and_tab_files_are_read() -> None:
    rows = parse_unit_csv("code;name_vi;kind\r\nso-a;Sở A, B;department\r\n")
    assert [(r.code, r.name) for r in rows] == [("so-a", "Sở A, B")]
    rows = parse_unit_csv("code\tname_vi\tkind\nso-a\tSở A\tdepartment\n")
    assert [(r.code, r.kind) for r in rows] == [("so-a", UnitKind.DEPARTMENT)]


def _windows_1258(text: str) -> bytes:
    """As Windows writes Vietnamese in code page 1258: tone marks as combining characters."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        (lambda t: t.encode("utf-8"), "UTF-8"),
        (lambda t: t.encode("utf-8-sig"), "UTF-8"),
        (lambda t: t.replace(",", "\t").encode("utf-16"), "UTF-16"),  # Excel "Unicode text"
        (lambda t: t.replace(",", "\t").encode("utf-16-le"), "UTF-16"),
        (lambda t: _windows_1258(t.replace(",", ";")), "windows-1258"),
    ],
)
def test_encodings_excel_writes_are_detected(
    encode: Callable[[str], bytes], encoding: str
) -> None:
    text = (
        "code,name_vi,kind\r\nso-y-te,Sở Y tế,department\r\nh-tien-hai,Huyện Tiền Hải,district\r\n"
    )
    decoded = decode_csv(encode(text))
    assert decoded.encoding == encoding
    rows = parse_unit_csv(decoded.text)
    assert [r.name for r in rows] == ["Sở Y tế", "Huyện Tiền Hải"]
    assert all(unicodedata.is_normalized("NFC", r.name) for r in rows)


def test_undecodable_bytes_get_a_vietnamese_answer() -> None:
    with pytest.raises(CsvRowError) as info:
        decode_csv(b"code,name_vi,kind\nso-a,S\x81\x8d A,department\n")
    assert "không đọc được bảng mã của tệp" in info.value.problems[0]


def test_officer_phone_twice_in_one_file_is_refused() -> None:
    problems = _problems(
        "unit_code,full_name,position,phone\n"
        "so-a,Lê Văn C,Chuyên viên,0912345678\n"
        "so-b,Trần Thị D,Chuyên viên,+84 912 345 678\n",
        parse_officer_csv,
    )
    assert "dòng 3: số điện thoại 0912 345 678 trùng với dòng 2" in problems


@pytest.mark.parametrize("size", [1 << 20, (1 << 20) + 1, 3 * (1 << 20) - 5, 2 * (1 << 20)])
def test_large_files_read_back_exactly(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    store = FileStore(tmp_path)
    stored = store.put_many([(data, None)])[0]
    assert store.path(stored.sha256).stat().st_size == size
    assert store.read(stored.sha256) == data
    assert store.read(store.put(data[::-1]).sha256) == data[::-1]  # put() takes it too


def test_files_go_one_folder_deep(tmp_path: Path) -> None:
    """The layout installations have: root/ab/<sha256>, ab the digest's first two hex
    digits; stored bytes are found by every way in, and an unstored digest names where it
    would go."""
    root = tmp_path / "files"
    store = FileStore(root)
    new = store.put(b"poster 2026")
    assert store.path(new.sha256) == root / new.sha256[:2] / new.sha256
    assert store.exists(new.sha256) and store.read(new.sha256) == b"poster 2026"
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == [
        f"{new.sha256[:2]}/{new.sha256}"
    ]
    assert store.path("0" * 64) == root / "00" / ("0" * 64)  # not stored: where it would go
    assert not store.exists("0" * 64)


def test_sweep_at_start_removes_a_killed_runs_fresh_leftovers_when_alone(tmp_path: Path) -> None:
    """No other process writes to the store: a temporary file of any age is a leftover."""
    writer = FileStore(tmp_path)
    writer.put(b"poster")
    leftover = tmp_path / ".tmp" / ".tmp-killed"
    leftover.write_bytes(b"x" * 1024)  # written a moment ago by a run killed mid-write
    del writer  # that run is gone (its lock with it)
    assert FileStore(tmp_path).sweep_at_start() == 1
    assert not leftover.exists()
    assert FileStore(tmp_path).exists(hashlib.sha256(b"poster").hexdigest())


def test_sweep_at_start_leaves_fresh_files_another_process_may_own(tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from storage.files import FileStore\n"
        "store = FileStore(sys.argv[1])\n"
        "store.put(b'another process writes here')\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    root = ROOT
    other = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)], cwd=root, stdout=subprocess.PIPE, text=True
    )
    try:
        assert other.stdout is not None and other.stdout.readline() == "ready\n"
        fresh, old = tmp_path / ".tmp" / ".tmp-fresh", tmp_path / ".tmp" / ".tmp-0ld"
        fresh.write_bytes(b"a write in progress in the other process")
        old.write_bytes(b"a crashed write")
        two_hours_ago = time.time() - 7200
        os.utime(old, (two_hours_ago, two_hours_ago))
        assert FileStore(tmp_path).sweep_at_start() == 1
        assert fresh.exists() and not old.exists()
    finally:
        other.kill()
        other.wait()
    assert FileStore(tmp_path).sweep_at_start() == 1  # the other process is gone
    assert not fresh.exists()
