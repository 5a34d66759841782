"""The quick start's commands (`main.py db upgrade`, then `main.py serve`) as real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def service_env(**settings: str) -> dict[str, str]:
    """This process's environment without any NEWSDESK_* setting, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    return env | settings


def command(
    env: dict[str, str], *args: str, cwd: Path = ROOT, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `main.py ARGS` as the quick start's user would, from `cwd`."""
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextmanager
def serving(
    env: dict[str, str], *, cwd: Path = ROOT, log: Path | None = None
) -> Iterator[subprocess.Popen[str]]:
    """Upgrade the database, start `serve` (stdout and stderr merged, as text, into a pipe or
    into the file `log` for a long run nobody reads along), both from `cwd` (a relative data
    dir is found there); killed on the way out if the test did not stop it."""
    upgrade = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "db", "upgrade"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
    output = log.open("w", encoding="utf-8") if log is not None else subprocess.PIPE
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "serve"],
        cwd=cwd,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
        if log is not None:
            output.close()  # type: ignore[union-attr]


def terminate(process: subprocess.Popen[str]) -> str:
    """SIGTERM, as a service manager stops it; its whole output."""
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    return output
