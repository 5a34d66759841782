"""Content-addressed file store: files live under their sha256, never under a given name."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

_HEX = frozenset("0123456789abcdef")
MAX_NAME = 180
DURABLE_MEMORY = 4096  # digests a store remembers having made durable (~0.6 MB)


@dataclass(frozen=True)
class StoredFile:
    """What the store knows about a file it holds."""

    sha256: str
    size: int
    filename: str


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
    """Files under `root/ab/cd/<sha256>`; the same bytes are stored once."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._root = os.fspath(self.root)
        # Digests whose file and directory entries this store has fsync'd: the same logo,
        # poster or photo arriving again needs no fsync at all (a signature logo comes with
        # every mail its officer sends). Bounded, least recently used first out.
        self._durable: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def path(self, sha256: str) -> Path:
        """Where a file with this digest lives (a digest is the only way in)."""
        return Path(self._where(sha256))

    def _where(self, sha256: str) -> str:
        digest = sha256.lower()
        if len(digest) != 64 or not set(digest) <= _HEX:
            raise ValueError("not a sha256 hex digest")
        return f"{self._root}/{digest[:2]}/{digest[2:4]}/{digest}"

    def put(
        self, data: bytes, filename: str | None = None, *, sha256: str | None = None
    ) -> StoredFile:
        """Store bytes durably: written to a temporary file, fsync'd, renamed into place, and
        the directory fsync'd (and the parent of any directory created), so a crash after
        the caller commits a row naming the file cannot lose it, even when the database is
        on another machine.

        `sha256` is the digest of `data` when the caller already computed it (the e-mail
        parser hashes every part once; hashing a multi-MB file again costs milliseconds).
        """
        digest = sha256 or hashlib.sha256(data).hexdigest()
        target = self._where(digest)
        folder = os.path.dirname(target)
        if os.path.exists(target):
            if not self._known_durable(digest):
                # Stored before, but perhaps by a call that crashed between its rename and
                # its directory fsyncs: sync the entries again.
                for directory in (folder, os.path.dirname(folder), self._root):
                    _fsync_dir(directory)
        else:
            synced = [folder, *_make_dirs(folder)]
            tmp = f"{folder}/.tmp-{secrets.token_hex(8)}"
            try:
                _write(tmp, data)
                os.replace(tmp, target)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
                raise
            for directory in synced:
                _fsync_dir(directory)
        self._remember_durable(digest)
        return StoredFile(sha256=digest, size=len(data), filename=safe_filename(filename))

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
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
