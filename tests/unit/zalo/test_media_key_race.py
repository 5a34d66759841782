"""The media signing key file: instances starting at once on one data directory agree."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

from publisher.prepare import media_secret
from settings import Settings

STARTS = 12
ROUNDS = 15


def _first_start(data_dir: str, barrier: object, out: object) -> None:
    settings = Settings(data_dir=Path(data_dir), _env_file=None)  # type: ignore[call-arg]
    barrier.wait()  # type: ignore[attr-defined]
    out.put(media_secret(settings))  # type: ignore[attr-defined]


def test_parallel_first_starts_end_with_one_key(tmp_path: Path) -> None:
    """GIVEN an empty data directory WHEN 12 processes start at the same moment, 15 times
    over THEN every process of a round reads the same key, and no temporary file is left."""
    context = multiprocessing.get_context("fork")
    for round_no in range(ROUNDS):
        data_dir = tmp_path / f"r{round_no}"
        barrier, out = context.Barrier(STARTS), context.Queue()
        processes = [
            context.Process(target=_first_start, args=(str(data_dir), barrier, out))
            for _ in range(STARTS)
        ]
        for process in processes:
            process.start()
        keys = {out.get(timeout=30) for _ in processes}
        for process in processes:
            process.join(timeout=30)
            assert process.exitcode == 0
        assert len(keys) == 1, f"round {round_no}: {len(keys)} different keys"
        assert (data_dir / "media-secret").read_bytes().strip() == keys.pop()
        assert os.listdir(data_dir) == ["media-secret"]
        assert (data_dir / "media-secret").stat().st_mode & 0o777 == 0o600
