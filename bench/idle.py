"""Idle service memory: `python -m bench.idle [--settle 30]`.

Starts a private Dovecot (IMAP), an aiosmtpd server (SMTP), the fake Bot API and the fake
Zalo OA, then `python main.py serve` with every component on (the Telegram bot, IMAP intake,
the scheduler, the outbox, the publisher with a stored Zalo token, the web server). Once
the service has been idle for `--settle` seconds, it prints the resident memory (VmRSS) of
the service and of every process it started, and their sum, beside a bare Python
interpreter's measured in the same run. The aim: all the service's processes together at
most 150 MiB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AIM_MIB = 150.0


def rss_kib(pid: int) -> int:
    """A live process's resident memory (VmRSS), KiB; 0 when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((ln for ln in status.splitlines() if ln.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1])


def descendants(pid: int) -> list[int]:
    """Every process started by `pid`, its children's children included."""
    found: list[int] = []
    tasks = Path(f"/proc/{pid}/task")
    if not tasks.exists():
        return found
    for task in tasks.iterdir():
        try:
            children = [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


def bare_python_kib() -> int:
    """The resident memory of a bare interpreter (the floor any Python service starts on)."""
    probe = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        time.sleep(1.0)
        return rss_kib(probe.pid)
    finally:
        probe.kill()
        probe.wait()


async def run(settle: float) -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    from tests.fakes.dovecot import start_dovecot
    from tests.fakes.telegram_api import FakeTelegram
    from tests.fakes.zalo_api import FakeZalo
    from tests.support.ports import free_port
    from tests.support.serve import service_env

    dovecot = start_dovecot()
    smtp = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        async with FakeTelegram() as telegram, FakeZalo() as zalo:
            with tempfile.TemporaryDirectory(prefix="bench-idle-") as tmp:
                port = free_port()
                env = service_env(
                    NEWSDESK_DATA_DIR=str(Path(tmp) / "var"),
                    NEWSDESK_WEB__PORT=str(port),
                    NEWSDESK_WEB__PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
                    NEWSDESK_IMAP__HOST=dovecot.host,
                    NEWSDESK_IMAP__PORT=str(dovecot.port),
                    NEWSDESK_IMAP__SSL="false",
                    NEWSDESK_IMAP__USERNAME="alice",
                    NEWSDESK_IMAP__PASSWORD=dovecot.users["alice"],
                    NEWSDESK_SMTP__HOST="127.0.0.1",
                    NEWSDESK_SMTP__PORT=str(smtp.port),
                    NEWSDESK_TELEGRAM__TOKEN=telegram.token,
                    NEWSDESK_TELEGRAM__BASE_URL=telegram.base_url,
                    NEWSDESK_TELEGRAM__BASE_FILE_URL=telegram.base_file_url,
                    NEWSDESK_TELEGRAM__EDITORS_CHAT_ID="-100900",
                    NEWSDESK_ZALO__APP_ID=zalo.app_id,
                    NEWSDESK_ZALO__APP_SECRET=zalo.app_secret,
                    NEWSDESK_ZALO__OAUTH_BASE=zalo.url,
                    NEWSDESK_ZALO__API_BASE=zalo.url,
                )
                await _store_zalo_login(env, zalo)
                await _measure(env, settle)
    finally:
        smtp.stop()
        dovecot.stop()


async def _store_zalo_login(env: dict[str, str], zalo: object) -> None:
    """Migrations, then a stored Zalo token, so the publisher runs live, not as a dry run."""
    import httpx

    from domain.clock import SystemClock
    from publisher.tokens import TokenKeeper
    from publisher.zalo.oauth import TokenPair
    from settings import Settings

    upgrade = await asyncio.to_thread(
        subprocess.run, [sys.executable, str(ROOT / "main.py"), "db", "upgrade"],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if upgrade.returncode != 0:
        raise RuntimeError(upgrade.stdout + upgrade.stderr)
    settings = Settings(
        data_dir=Path(env["NEWSDESK_DATA_DIR"]),
        zalo={  # type: ignore[arg-type]
            "app_id": env["NEWSDESK_ZALO__APP_ID"],
            "app_secret": env["NEWSDESK_ZALO__APP_SECRET"],
            "oauth_base": env["NEWSDESK_ZALO__OAUTH_BASE"],
            "api_base": env["NEWSDESK_ZALO__API_BASE"],
        },
        _env_file=None,  # type: ignore[call-arg]
    )
    from storage.db import Database

    pair = zalo.seed_tokens()  # type: ignore[attr-defined]
    async with Database(settings.database_url) as db, httpx.AsyncClient() as http:
        keeper = TokenKeeper(db, http, settings, clock=SystemClock())
        await keeper.store_login(
            TokenPair(pair["access_token"], pair["refresh_token"], int(pair["expires_in"]))
        )


async def _measure(env: dict[str, str], settle: float) -> None:
    log = Path(env["NEWSDESK_DATA_DIR"]) / "serve.log"
    with log.open("w", encoding="utf-8") as output:
        process = await asyncio.to_thread(
            subprocess.Popen, [sys.executable, str(ROOT / "main.py"), "serve"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            await asyncio.sleep(settle)  # the fakes answer meanwhile (this event loop)
            if process.poll() is not None:
                raise RuntimeError(f"serve ended:\n{log.read_text()[-3000:]}")
            service = rss_kib(process.pid)
            children = {pid: rss_kib(pid) for pid in descendants(process.pid)}
        finally:
            process.terminate()
            await asyncio.to_thread(process.wait, 60)
    bare = bare_python_kib()
    print(f"idle service after {settle:.0f} s, every component on, IMAP on Dovecot:")
    print(f"  service process        {service / 1024:7.1f} MiB")
    for pid, kib in sorted(children.items()):
        print(f"  child {pid:<16} {kib / 1024:7.1f} MiB")
    total = (service + sum(children.values())) / 1024
    print(f"  all processes          {total:7.1f} MiB (aim <= {AIM_MIB:.0f} MiB)")
    print(f"  baseline: a bare Python interpreter {bare / 1024:.1f} MiB")
    started = [ln for ln in log.read_text().splitlines() if "[on]" in ln or "[off]" in ln]
    print("  components:", "; ".join(ln.strip() for ln in started) or "(none reported)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settle", type=float, default=30.0, help="seconds idle before sampling")
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    asyncio.run(run(args.settle))


if __name__ == "__main__":
    main()
