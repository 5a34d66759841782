"""Content-addressed file store: files live under their sha256, never under a given name."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import secrets
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable
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

    A file is written to a temporary file under `root/.tmp/` (the same filesystem, so the
    rename is atomic) and fsync'd, then renamed into place and its directory fsync'd: a
    file found under its digest always holds those bytes, and once put() or a batch's
    commit() returns, a crash cannot lose it, so the caller may then commit the rows that
    name it (even to a database on another machine). A crash leaves at most a temporary
    file, which the sweeps remove.
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
        return Path(self._where(sha256))

    def _where(self, sha256: str) -> str:
        digest = sha256.lower()
        if len(digest) != 64 or not set(digest) <= _HEX:
            raise ValueError("not a sha256 hex digest")
        return f"{self._root}/{digest[:2]}/{digest}"

    def put(
        self, data: bytes, filename: str | None = None, *, sha256: str | None = None
    ) -> StoredFile:
        """Store bytes durably (see the class); `filename` is only cleaned for display.

        `sha256` is the digest of `data` when the caller already computed it (the e-mail
        parser hashes every part once).
        """
        [stored] = self.put_many([(data, sha256)])
        return StoredFile(sha256=stored.sha256, size=stored.size, filename=safe_filename(filename))

    def begin(self) -> FileBatch:
        """A batch of files written one by one as they come (add()) and put in place
        together (commit()): the writes overlap whatever the caller does meanwhile
        (parsing the next mail)."""
        return FileBatch(self)

    def put_many(self, files: Iterable[tuple[bytes, str | None]]) -> list[StoredFile]:
        """Store several files, (bytes, sha256 or None) each, as durably as put(); on
        failure none of them is left half-written."""
        batch = self.begin()
        try:
            stored = [batch.add(data, sha256=sha256) for data, sha256 in files]
            batch.commit()
        except BaseException:
            batch.discard()
            raise
        return stored

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

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

    def _known_durable(self, digest: str) -> bool:
        with self._lock:
            if digest not in self._durable:
                return False
            self._durable.move_to_end(digest)
            return True

    def _remember_durable(self, digests: Iterable[str]) -> None:
        with self._lock:
            for digest in digests:
                self._durable[digest] = None
                self._durable.move_to_end(digest)
            while len(self._durable) > DURABLE_MEMORY:
                self._durable.popitem(last=False)


class FileBatch:
    """Files of one batch (FileStore.begin()): add() writes each to a temporary file and
    fsyncs it at once, commit() renames them all into place and fsyncs the directories
    concerned, discard() removes what was written when the batch is given up.
    Thread-safe."""

    def __init__(self, store: FileStore) -> None:
        self._store = store
        self._plan = _Plan()
        self._lock = threading.Lock()

    def add(self, data: bytes, sha256: str | None = None) -> StoredFile:
        digest = sha256 or hashlib.sha256(data).hexdigest()
        with self._lock:
            self._add(data, digest)
        return StoredFile(sha256=digest, size=len(data), filename=safe_filename(None))

    def _add(self, data: bytes, digest: str) -> None:
        """Write `data` durably to a temporary file unless it is stored already; note what
        commit() must rename and which directories it must then fsync."""
        store, plan = self._store, self._plan
        target = store._where(digest)
        if digest in plan.digests:
            return
        plan.digests.append(digest)
        folder = os.path.dirname(target)
        if os.path.exists(target):
            if not store._known_durable(digest):
                # Stored before, perhaps by a call that crashed between its rename and
                # its directory fsync: fsync the entries again.
                plan.folders.update((folder, store._root))
            return
        plan.folders.update([folder, *_make_dirs(folder)])
        if not plan.moves:
            plan.folders.update(_make_dirs(store._tmp))
            store._hold_owner_lock()
        tmp = f"{store._tmp}/.tmp-{secrets.token_hex(8)}"
        _write(tmp, data)
        plan.moves.append((tmp, target))

    def commit(self) -> None:
        """Rename every written file into place and fsync the directories concerned
        (deepest first); from then on the files survive a crash."""
        with self._lock:
            plan, self._plan = self._plan, _Plan()
        try:
            for tmp, target in plan.moves:
                os.replace(tmp, target)
        except BaseException:
            plan.discard()
            raise
        for directory in sorted(plan.folders, key=len, reverse=True):
            _fsync_path(directory)
        self._store._remember_durable(plan.digests)

    def discard(self) -> None:
        with self._lock:
            plan, self._plan = self._plan, _Plan()
        plan.discard()


@dataclass
class _Plan:
    """A batch in progress: digests concerned, temporary files to rename, folders to fsync."""

    digests: list[str] = field(default_factory=list)
    moves: list[tuple[str, str]] = field(default_factory=list)
    folders: set[str] = field(default_factory=set)

    def discard(self) -> None:
        for tmp, _ in self.moves:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


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
    """Write a new file and fsync it; on failure, nothing is left behind."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        raise


def _fsync_path(path: str) -> None:
    """fsync a file or directory by name (a directory opened read-only, as Linux allows)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
