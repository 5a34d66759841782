"""Content-addressed file store: files live under their sha256, never under a given name."""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

_HEX = frozenset("0123456789abcdef")
MAX_NAME = 180


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

    def path(self, sha256: str) -> Path:
        """Where a file with this digest lives (a digest is the only way in)."""
        digest = sha256.lower()
        if len(digest) != 64 or not set(digest) <= _HEX:
            raise ValueError("not a sha256 hex digest")
        return self.root / digest[:2] / digest[2:4] / digest

    def put(
        self, data: bytes, filename: str | None = None, *, sha256: str | None = None
    ) -> StoredFile:
        """Store bytes atomically (write, fsync, rename) and return their identity.

        `sha256` is the digest of `data` when the caller already computed it (the e-mail
        parser hashes every part once; hashing a multi-MB file again costs milliseconds).
        """
        digest = sha256 or hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return StoredFile(sha256=digest, size=len(data), filename=safe_filename(filename))

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()
