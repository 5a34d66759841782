"""The quick start's first command (scripts/start.sh: `main.py db upgrade`, then
`main.py serve`), as real processes."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from support.ports import free_port
from support.serve import service_env, serving, terminate


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
