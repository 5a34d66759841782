"""Content-addressed file store: files live under their sha256, never under a given name."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import logging
import mmap
import os
import re
import secrets
import sys
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

_HEX = frozenset("0123456789abcdef")
MAX_NAME = 180
DURABLE_MEMORY = 4096  # digests a store remembers having made durable (~0.6 MB)
TEMPORARY = ".tmp"  # where files are written before they are renamed into place
STALE_AFTER = 3600.0  # seconds after which a temporary file is a crashed write's leftover


@dataclass(frozen=True)
class StoredFile:
    """What the store knows about a file it holds."""

    sha256: str
    size: int
    filename: str


@lru_cache(maxsize=4096)  # a pure function of its arguments; mail brings the same names again
def safe_filename(name: str | None, *, default: str = "tep-dinh-kem") -> str:
    """A display filename that is harmless anywhere: no path, no control bytes, bounded, NFC."""
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\x00", "").replace("\\", "/").split("/")[-1]
    text = "".join(ch for ch in text if ch.isprintable()).strip().strip(".")
    if not text:
        return default
    if len(text) > MAX_NAME:
        stem, dot, ext = text.rpartition(".")
        ext = ext[:16] if dot and len(ext) <= 16 else ""
        text = (stem if dot else text)[: MAX_NAME - len(ext) - 1] + ("." + ext if ext else "")
    return text


class FileStore:
    """Files under `root/ab/<sha256>` (ab: the digest's first two hex digits); the same
    bytes are stored once.

    A file is first written under `root/.tmp/`, made durable, then renamed into place and
    the rename made durable: a file found under its digest always holds those bytes, and a
    crash leaves at most a temporary file, which sweep_temporary() removes later.

    Versions before 2026-11-27 stored files one folder deeper, under `root/ab/cd/<sha256>`:
    a folder created for nearly every new file (65,536 of them in the end, each an inode
    and a 4 KiB block), which cost the e-mail fetch workers a third of their file-store CPU
    (files stage of the intake benchmark, 10 alternating runs: 0.27 -> 0.17 CPU-s per 500
    mails). Such files are still found where they are; relayout() (run by `db upgrade`)
    moves them.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._root = os.fspath(self.root)
        self._tmp = f"{self._root}/{TEMPORARY}"
        # Digests whose file and directory entries this store has made durable: the same
        # logo, poster or photo arriving again needs no fsync at all (a signature logo comes
        # with every mail its officer sends). Bounded, least recently used first out.
        self._durable: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._owner_fd: int | None = None  # our shared flock on the .tmp folder, once we write

    def path(self, sha256: str) -> Path:
        """Where a file with this digest lives (a digest is the only way in); where it
        would be written when it is not stored."""
        where = self._where(sha256)
        if not os.path.exists(where):
            legacy = _legacy_where(where)
            if os.path.exists(legacy):
                return Path(legacy)
        return Path(where)

    def _where(self, sha256: str) -> str:
        digest = sha256.lower()
        if len(digest) != 64 or not set(digest) <= _HEX:
            raise ValueError("not a sha256 hex digest")
        return f"{self._root}/{digest[:2]}/{digest}"

    def relayout(self) -> int:
        """Move files stored by earlier versions under `ab/cd/<sha256>` to `ab/<sha256>`,
        remove their emptied folders and the temporary files those versions left there (an
        hour old), and make it all durable; returns how many files moved. Idempotent, and
        safe to interrupt: a file is always in one place or the other, and path() finds
        both. Run by `python main.py db upgrade`, before the new version starts."""
        moved = 0
        changed: set[str] = set()
        cutoff = time.time() - STALE_AFTER
        for top in _hex_pairs(self._root):
            for sub in _hex_pairs(top):
                prefix = os.path.basename(top) + os.path.basename(sub)
                with os.scandir(sub) as entries:
                    found = list(entries)
                for entry in found:
                    name = entry.name
                    if len(name) == 64 and name.startswith(prefix) and set(name) <= _HEX:
                        target = f"{top}/{name}"
                        if os.path.exists(target):  # stored again meanwhile: same bytes
                            _fsync_path(target)
                            os.unlink(entry.path)
                        else:
                            os.rename(entry.path, target)
                            moved += 1
                        changed.update((top, sub))
                    elif name.startswith(".tmp-") and entry.stat().st_mtime < cutoff:
                        os.unlink(entry.path)  # a crashed write of an older version
                        changed.add(sub)
                with contextlib.suppress(OSError):  # kept if anything else is in it
                    os.rmdir(sub)
                    changed.add(top)
        for folder in sorted(changed, key=len, reverse=True):
            with contextlib.suppress(FileNotFoundError):  # a removed leaf folder
                _fsync_path(folder, directory=True)
        if moved:
            log.info("moved %d file(s) to the one-level layout of %s", moved, self._root)
        return moved

    def put(
        self, data: bytes, filename: str | None = None, *, sha256: str | None = None
    ) -> StoredFile:
        """Store bytes durably: written to a temporary file, fsync'd, renamed into place, and
        the directories fsync'd (and the parent of any directory created), so a crash after
        the caller commits a row naming the file cannot lose it, even when the database is
        on another machine.

        `sha256` is the digest of `data` when the caller already computed it (the e-mail
        parser hashes every part once; hashing a multi-MB file again costs milliseconds).
        """
        digest = sha256 or hashlib.sha256(data).hexdigest()
        plan = _Plan()
        try:
            self._add(plan, data, digest)
        except BaseException:
            plan.discard()
            raise
        self._flush_data(plan, barrier=None)
        self._finish(plan, barrier=None)
        return StoredFile(sha256=digest, size=len(data), filename=safe_filename(filename))

    def begin(self) -> FileBatch:
        """A batch of files written one by one as they come (add()) and made durable
        together (commit()), as put_many() does: the writes overlap whatever the caller
        does meanwhile (parsing the next mail)."""
        return FileBatch(self)

    def put_many(self, files: Iterable[tuple[bytes, str | None]]) -> list[StoredFile]:
        """Store several files, (bytes, sha256 or None) each, as durably as put(), for a
        fixed cost: all are written, one barrier makes their bytes durable, all are renamed
        into place, and a second barrier makes the renames durable. On Linux the barrier is
        one syncfs() of the store's filesystem (which also flushes whatever else is waiting
        to be written there); elsewhere, an fsync of every file and directory concerned.

        A batch of 50 e-mails (raw mail and attachments, ~75 files) then costs 2 flushes of
        the disk instead of ~150.
        """
        batch = self.begin()
        try:
            stored = [batch.add(data, sha256=sha256) for data, sha256 in files]
            batch.commit()
        except BaseException:
            batch.discard()
            raise
        return stored

    def _add(self, plan: _Plan, data: bytes, digest: str) -> None:
        """Write `data` to a temporary file unless it is stored already; note in `plan` what
        must then be made durable."""
        target = self._where(digest)
        if digest in plan.digests:
            return
        plan.digests.append(digest)
        stored = next((p for p in (target, _legacy_where(target)) if os.path.exists(p)), None)
        if stored is not None:
            if not self._known_durable(digest):
                # Stored before, but perhaps by a call that crashed between its rename
                # and its directory fsyncs: sync the entries again.
                folder = os.path.dirname(stored)
                plan.folders.update((folder, os.path.dirname(folder), self._root))
            return
        folder = os.path.dirname(target)
        plan.folders.update([folder, *_make_dirs(folder)])
        if not plan.moves:
            plan.folders.update(_make_dirs(self._tmp))
            self._hold_owner_lock()
        tmp = f"{self._tmp}/.tmp-{secrets.token_hex(8)}"
        _write(tmp, data)
        plan.moves.append((tmp, target))

    def _flush_data(self, plan: _Plan, barrier: str | None) -> None:
        """Make the written bytes durable (syncfs of `barrier`'s filesystem when given)."""
        try:
            if plan.moves and not (barrier is not None and _syncfs(barrier)):
                for tmp, _ in plan.moves:
                    _fsync_path(tmp)
        except BaseException:
            plan.discard()
            raise

    def _finish(self, plan: _Plan, barrier: str | None) -> None:
        """Rename the written files into place and make every entry concerned durable."""
        try:
            for tmp, target in plan.moves:
                os.replace(tmp, target)
        except BaseException:
            plan.discard()
            raise
        if plan.folders and not (barrier is not None and _syncfs(barrier)):
            for directory in sorted(plan.folders, key=len, reverse=True):
                _fsync_path(directory, directory=True)
        for digest in plan.digests:
            self._remember_durable(digest)

    def _hold_owner_lock(self) -> None:
        """Take (once) a shared flock on the `.tmp` folder, held while this store lives: a
        process starting up can tell whether any other process may own temporary files."""
        if self._owner_fd is not None:
            return
        with self._lock:
            if self._owner_fd is None:
                fd = os.open(self._tmp, os.O_RDONLY | os.O_CLOEXEC)
                fcntl.flock(fd, fcntl.LOCK_SH)
                self._owner_fd = fd

    def __del__(self) -> None:
        fd, self._owner_fd = getattr(self, "_owner_fd", None), None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)  # releases the flock

    def sweep_at_start(self) -> int:
        """At start-up: when no other process holds the store's owner lock, every temporary
        file is a killed run's leftover and is removed whatever its age; otherwise only
        those older than an hour (another process may be writing them). How many removed."""
        _make_dirs(self._tmp)
        self._hold_owner_lock()
        assert self._owner_fd is not None
        try:
            fcntl.flock(self._owner_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fcntl.flock(self._owner_fd, fcntl.LOCK_SH)  # a failed upgrade drops the lock
            return self.sweep_temporary()
        try:
            return self.sweep_temporary(older_than=-1.0)  # alone: nobody else is writing
        finally:
            fcntl.flock(self._owner_fd, fcntl.LOCK_SH)

    def sweep_temporary(self, older_than: float = STALE_AFTER) -> int:
        """Remove temporary files left by writes that crashed (older than `older_than`
        seconds, so a write in progress in another process is left alone); how many."""
        removed = 0
        cutoff = time.time() - older_than
        try:
            entries = list(os.scandir(self._tmp))
        except FileNotFoundError:
            return 0
        for entry in entries:
            with contextlib.suppress(FileNotFoundError):
                if entry.name.startswith(".tmp-") and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed += 1
        if removed:
            log.info("removed %d temporary file(s) left by interrupted writes", removed)
        return removed

    def _known_durable(self, digest: str) -> bool:
        with self._lock:
            if digest not in self._durable:
                return False
            self._durable.move_to_end(digest)
            return True

    def _remember_durable(self, digest: str) -> None:
        with self._lock:
            self._durable[digest] = None
            self._durable.move_to_end(digest)
            while len(self._durable) > DURABLE_MEMORY:
                self._durable.popitem(last=False)

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()


class FileBatch:
    """Files of one batch (FileStore.begin()): add() writes each to a temporary file at
    once, commit() makes them all durable and renames them into place (two barriers),
    discard() removes what was written when the batch is given up. Thread-safe."""

    def __init__(self, store: FileStore) -> None:
        self._store = store
        self._plan = _Plan()
        self._lock = threading.Lock()

    def add(self, data: bytes, sha256: str | None = None) -> StoredFile:
        digest = sha256 or hashlib.sha256(data).hexdigest()
        with self._lock:
            self._store._add(self._plan, data, digest)
        return StoredFile(sha256=digest, size=len(data), filename=safe_filename(None))

    def commit(self) -> None:
        with self._lock:
            plan, self._plan = self._plan, _Plan()
        self._store._flush_data(plan, barrier=self._store._tmp)
        self._store._finish(plan, barrier=self._store._root)

    def discard(self) -> None:
        with self._lock:
            plan, self._plan = self._plan, _Plan()
        plan.discard()


@dataclass
class _Plan:
    """A write in progress: digests concerned, temporary files to rename, folders to sync."""

    digests: list[str] = field(default_factory=list)
    moves: list[tuple[str, str]] = field(default_factory=list)
    folders: set[str] = field(default_factory=set)

    def discard(self) -> None:
        for tmp, _ in self.moves:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def _legacy_where(where: str) -> str:
    """The `ab/cd/<sha256>` path of earlier versions for a file's `ab/<sha256>` path."""
    folder, digest = where.rsplit("/", 1)
    return f"{folder}/{digest[2:4]}/{digest}"


def _hex_pairs(folder: str) -> list[str]:
    """The two-hex-digit folders directly in `folder` (no symbolic links)."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    return sorted(
        entry.path
        for entry in entries
        if len(entry.name) == 2 and set(entry.name) <= _HEX and entry.is_dir(follow_symlinks=False)
    )


def _make_dirs(folder: str) -> list[str]:
    """Create `folder` and missing parents; the parents whose entries changed (to fsync)."""
    if os.path.isdir(folder):
        return []
    parent = os.path.dirname(folder) or "."  # a relative root such as the default var/files
    changed = _make_dirs(parent) if parent != folder else []
    with contextlib.suppress(FileExistsError):  # another writer made it meanwhile
        os.mkdir(folder)
    return [*changed, parent]


def _write(path: str, data: bytes) -> None:
    """Write a new file (no fsync: the caller's barrier makes it durable); on failure,
    nothing is left behind."""
    try:
        if len(data) >= DIRECT_MIN and _direct_write(path, data):
            return
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        raise


DIRECT_MIN = 1 << 20  # files this large bypass the page cache (O_DIRECT)
_ALIGN = 4096
_CHUNK = 1 << 20
_direct_ok = hasattr(os, "O_DIRECT")
_buffers = threading.local()


def _direct_write(path: str, data: bytes) -> bool:
    """Write a large file with O_DIRECT: the device reads it from an aligned buffer, so the
    kernel neither copies it into the page cache nor writes it back later (a 2 MB photo
    costs a third of the CPU). The durability barrier still follows, as for any write.
    False (nothing written) where the filesystem refuses O_DIRECT (tmpfs, some network
    filesystems): buffered writes from then on."""
    global _direct_ok
    if not _direct_ok:
        return False
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_DIRECT
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if exc.errno != errno.EINVAL:
            raise
        _direct_ok = False
        return False
    try:
        buffer = getattr(_buffers, "buffer", None)
        if buffer is None:
            buffer = _buffers.buffer = mmap.mmap(-1, _CHUNK)  # page-aligned
        view = memoryview(data)
        for start in range(0, len(data), _CHUNK):
            piece = view[start : start + _CHUNK]
            size = len(piece)
            padded = -(-size // _ALIGN) * _ALIGN
            buffer[:size] = piece
            buffer[size:padded] = bytes(padded - size)
            with memoryview(buffer) as out:
                if os.write(fd, out[:padded]) != padded:
                    raise OSError(errno.EIO, "short direct write", path)
        if len(data) % _ALIGN:
            os.ftruncate(fd, len(data))  # the zeros of the last block's padding are cut
    except OSError as exc:
        if exc.errno != errno.EINVAL:
            raise
        _direct_ok = False  # a filesystem that opens but will not write O_DIRECT
        os.unlink(path)
        return False
    finally:
        os.close(fd)
    return True


def _fsync_path(path: str, *, directory: bool = False) -> None:
    flags = os.O_RDONLY | os.O_CLOEXEC | (os.O_DIRECTORY if directory else 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _load_syncfs() -> Callable[[int], int] | None:
    """libc's syncfs(), on Linux 5.8 or later only: before 5.8 it did not report writeback
    errors (a failed write would have looked durable)."""
    if not _kernel_at_least(5, 8):
        return None
    try:  # the C library's symbols, without a search (find_library runs ldconfig)
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError, TypeError):  # not Linux, or a libc without syncfs
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return function


def _kernel_at_least(major: int, minor: int) -> bool:
    if sys.platform != "linux":
        return False
    found = re.match(r"(\d+)\.(\d+)", os.uname().release)
    return found is not None and (int(found[1]), int(found[2])) >= (major, minor)


_SYNCFS = _load_syncfs()


def _syncfs(path: str) -> bool:
    """Flush the filesystem holding `path` to disk (data and metadata), as one barrier;
    False when syncfs() is unavailable here (the caller then fsyncs file by file)."""
    global _SYNCFS
    if _SYNCFS is None:
        return False
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if _SYNCFS(fd) == 0:
            return True
        code = ctypes.get_errno()
    finally:
        os.close(fd)
    if code in (errno.ENOSYS, errno.EPERM):  # a sandbox that refuses it: fsync from now on
        _SYNCFS = None
        return False
    raise OSError(code, os.strerror(code), path)
