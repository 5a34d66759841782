"""Each stage of the reader's work measured alone, one after the other, on one core.

Run by `python -m bench.intake` (mode "stages"): the messages are fetched from the same
Dovecot, then parsed, then written to a file store in batches of 50 (made durable as the
reader does), then stored by the real EmailIntake in batches of 50. The CPU seconds of
all stages together bound what any arrangement of this work can reach on the machine's
cores (perfect parallelism, nothing else running), which is what the reader's figure is
compared with.
"""

from __future__ import annotations

import asyncio
import hashlib
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bench.intake_modes import quiet_client

T = TypeVar("T")
BATCH = 50


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process
    return usage.ru_utime + usage.ru_stime


def _timed(figures: dict[str, dict[str, float]], name: str, work: Callable[[], T]) -> T:
    wall, cpu = time.perf_counter(), _cpu()
    out = work()
    figures[name] = {"wall": time.perf_counter() - wall, "cpu": _cpu() - cpu}
    return out


def stages(port: int, workdir: Path, database_url: str = "") -> dict[str, Any]:
    """Stage figures for the whole mailbox: {"count": n, "stages": {name: {wall, cpu}}}."""
    from intake.email.batch import split_files
    from mime.parse import parse_message
    from storage.files import FileStore

    figures: dict[str, dict[str, float]] = {}
    raws = _timed(figures, "fetch", lambda: _fetch_all(port))
    parse_message(raws[0])  # imports and first-call set-up are not the stage's cost
    prepared = _timed(
        figures,
        "parse",
        lambda: [(parse_message(raw), hashlib.sha256(raw).hexdigest()) for raw in raws],
    )
    files = FileStore(workdir / "files")

    def write() -> None:  # as the reader does: one put_many() per batch
        for start in range(0, len(raws), BATCH):
            blobs: list[tuple[bytes, str | None]] = []
            for raw, (parsed, digest) in zip(
                raws[start : start + BATCH], prepared[start : start + BATCH], strict=True
            ):
                blobs.append((raw, digest))
                blobs += [(kept.data, kept.sha256) for kept in split_files(parsed, ())[0]]
            files.put_many(blobs)

    _timed(figures, "files", write)
    figures["store"] = asyncio.run(_store(raws, prepared, files, workdir, database_url))
    return {"count": len(raws), "stages": figures}


def _fetch_all(port: int) -> list[bytes]:
    """Every message, 100 UIDs per FETCH, as the bare mode fetches them."""
    client = quiet_client(port)
    uids = client.search(["ALL"])
    raws: list[bytes] = []
    for start in range(0, len(uids), 100):
        data = client.fetch(uids[start : start + 100], ["BODY.PEEK[]"])
        raws += [data[uid][b"BODY[]"] for uid in uids[start : start + 100] if uid in data]
    client.logout()
    return raws


async def _store(
    raws: list[bytes], prepared: list[Any], files: Any, workdir: Path, database_url: str
) -> dict[str, float]:
    from domain.clock import SystemClock
    from intake.email.model import FetchedMail, ReadMail
    from intake.email.store import EmailIntake
    from storage import migrate
    from storage.db import Database
    from tests.integration.intake.email.helpers import seed_officer

    url = database_url or f"sqlite:///{workdir / 'stages.db'}"
    migrate.upgrade(url)
    async with Database(url) as db:
        await seed_officer(db)
        intake = EmailIntake(db=db, files=files, clock=SystemClock())
        mails = [
            ReadMail(FetchedMail("INBOX", 1, n + 1, raw, len(raw)), parsed, digest)
            for n, (raw, (parsed, digest)) in enumerate(zip(raws, prepared, strict=True))
        ]
        wall, cpu = time.perf_counter(), _cpu()
        for start in range(0, len(mails), BATCH):
            # store() writes the files again: already there, they cost only a look-up
            await intake.store(mails[start : start + BATCH])
        return {"wall": time.perf_counter() - wall, "cpu": _cpu() - cpu}
