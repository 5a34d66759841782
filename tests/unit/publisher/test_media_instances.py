"""Media across instances: one signing key for parallel first starts on one data directory,
and URLs of a resumed payload rebuilt under this instance's address and key."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

from publisher.prepare import MediaContext, media_secret
from settings import Settings
from storage.files import FileStore

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


def test_rebase_rebuilds_every_signed_url_and_nothing_else(tmp_path: Path) -> None:
    """A payload signed under another address and key: cover, images and a video link in a
    text item get this instance's address and key; other text and URLs stay as they were."""
    files = FileStore(tmp_path / "files")
    sha = "ab" * 32
    old = MediaContext(files, "http://10.0.0.7:8080", b"old-key")
    new = MediaContext(files, "https://newsdesk.example.vn/pub", b"new-key")
    article = {
        "cover": {"photo_url": old.url(sha, "jpg")},
        "body": [
            {"type": "image", "url": old.url(sha, "png")},
            {"type": "text", "content": f"Xem video: {old.url(sha, 'mp4')} (tệp lớn)"},
            {"type": "text", "content": "Liên kết khác: https://example.vn/media/x"},
        ],
        "status": "show",
    }
    rebuilt = new.rebase(article)
    assert rebuilt["cover"]["photo_url"] == new.url(sha, "jpg")
    assert rebuilt["body"][0]["url"] == new.url(sha, "png")
    assert rebuilt["body"][1]["content"] == f"Xem video: {new.url(sha, 'mp4')} (tệp lớn)"
    assert rebuilt["body"][2] == article["body"][2] and rebuilt["status"] == "show"
    assert new.rebase(rebuilt) == rebuilt
