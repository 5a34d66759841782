"""The quick start's first command (scripts/start.sh: `main.py db upgrade`, then
`main.py serve`), as real processes."""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import subprocess
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import httpx
from PIL import Image

from tests.support.ports import free_port
from tests.support.serve import command, service_env, serving, terminate

T = TypeVar("T")


def test_serve_command_starts_on_embedded_defaults_and_stops_on_sigterm(tmp_path: Path) -> None:
    """GIVEN no settings at all WHEN `db upgrade` then `serve` run THEN serve says what is on,
    answers /healthz, and exits 0 on SIGTERM (heap settled, components stopped cleanly)."""
    port = free_port()
    env = service_env(NEWSDESK_DATA_DIR=str(tmp_path / "var"), NEWSDESK_WEB__PORT=str(port))
    with serving(env) as process:
        health = None
        deadline = time.monotonic() + 60
        while health is None and time.monotonic() < deadline and process.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            except httpx.TransportError:
                time.sleep(0.1)
        assert health is not None and health.json() == {"status": "ok", "database": "ok"}
        output = terminate(process)
    assert process.returncode == 0, output
    assert "Newsdesk" in output and "[on]" in output and "[off]" in output
    assert (tmp_path / "var").is_dir()


def _store(site: Path, query: str) -> list[tuple[object, ...]]:
    """Read the quick start's SQLite store directly (the test's view, not the service's)."""
    with contextlib.closing(sqlite3.connect(site / "var" / "newsdesk.db")) as conn:
        return list(conn.execute(query))


def _wait(what: str, check: Callable[[], T | None], process: subprocess.Popen[str]) -> T:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    output = terminate(process) if process.poll() is None else process.communicate()[0]
    raise AssertionError(f"{what} did not happen; serve said:\n{output}")


def _photo_mail(sender: str) -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (640, 480), "navy").save(picture, format="JPEG", quality=90)
    message = EmailMessage()
    message["From"] = f"Văn phòng <{sender}>"
    message["To"] = "tinbai@stttt.example.vn"
    message["Subject"] = "Hội nghị tổng kết công tác y tế năm 2026"
    message["Message-ID"] = "<quickstart-1@syt.example.vn>"
    message["Date"] = "Thu, 03 Dec 2026 09:00:00 +0700"
    message.set_content("Sáng 3/12, Sở Y tế tổ chức hội nghị tổng kết.\n\nĐoạn hai của bài.")
    message.add_attachment(
        picture.getvalue(), maintype="image", subtype="jpeg", filename="hoi-nghi.jpg"
    )
    return message.as_bytes()


def test_quick_start_dry_run_previews_an_approved_photo_item(tmp_path: Path) -> None:
    """GIVEN the quick start run from a fresh folder with no settings at all (data dir `var`,
    relative) WHEN an officer's mail with a photo is dropped into var/inbox and approved on
    the CLI THEN the publisher's dry run writes the preview under var/previews, the photo
    shown from the file store by an absolute file URI, and `publish list` says so."""
    site = tmp_path / "site"
    site.mkdir()
    port = free_port()
    env = service_env(NEWSDESK_WEB__PORT=str(port))
    with serving(env, cwd=site) as process:
        _wait("the health check", lambda: _healthy(port), process)
        added = command(
            env,
            "officers", "add", "--unit", "so-y-te", "--name", "Nguyễn Văn An",
            "--position", "Chánh Văn phòng", "--email", "vanphong@syt.example.vn",
            cwd=site,
        )  # fmt: skip
        assert added.returncode == 0, added.stdout + added.stderr
        inbox = site / "var" / "inbox"
        (inbox / "thu.part").write_bytes(_photo_mail("vanphong@syt.example.vn"))
        (inbox / "thu.part").rename(inbox / "thu.eml")
        [(code,)] = _wait(
            "the submission",
            lambda: _store(site, "SELECT code FROM submission WHERE status = 'pending_review'"),
            process,
        )
        approved = command(env, "review", "approve", str(code), cwd=site)
        assert approved.returncode == 0, approved.stdout + approved.stderr
        [(status, url, attempts, error)] = _wait(
            "the dry run",
            lambda: _store(
                site,
                "SELECT status, url, attempts, last_error FROM publication "
                "WHERE status IN ('published', 'failed')",
            ),
            process,
        )
        listed = command(env, "publish", "list", "--json", cwd=site)
        output = terminate(process)
    assert (status, attempts, error) == ("published", 0, None), output
    assert "Traceback" not in output and "ValueError" not in output, output
    preview = Path(urlsplit(str(url)).path)
    assert preview.parent == (site / "var" / "previews").resolve()
    html = preview.read_text(encoding="utf-8")
    assert "Hội nghị tổng kết công tác y tế năm 2026" in html
    assert f"src='{(site / 'var' / 'files').resolve().as_uri()}/" in html
    [row] = json.loads(listed.stdout)
    assert (row["code"], row["status"], row["dry_run"]) == (code, "published", True)


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False
