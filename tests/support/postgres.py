"""A PostgreSQL the suite can use: TEST_DATABASE_URL, or a throwaway cluster it starts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.support.ports import free_port


def _newest_bin() -> Path | None:
    found = []
    for initdb in Path("/usr/lib/postgresql").glob("*/bin/initdb"):
        version = initdb.parent.parent.name
        if re.fullmatch(r"\d+", version):
            found.append((int(version), initdb.parent))
    return max(found)[1] if found else None


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a private cluster (trust auth, fsync off); yield its admin URL; remove it."""
    bindir = _newest_bin()
    if bindir is None:
        raise RuntimeError(
            "PostgreSQL server binaries not found: apt-get install postgresql "
            "(or set TEST_DATABASE_URL)"
        )
    root = Path(tempfile.mkdtemp(prefix="newsdesk-pg-", dir="/tmp"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = free_port()
    data = root / "data"
    try:
        subprocess.run(
            _as_postgres(
                [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                 "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"]
            ),
            check=True, capture_output=True,
        )  # fmt: skip
        options = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            _as_postgres(
                [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"),
                 "-w", "-t", "30", "-o", options, "start"]
            ),
            check=True, capture_output=True,
        )  # fmt: skip
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                          "stop"]),
            capture_output=True, check=False,
        )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL as a libpq conninfo URL for psycopg.connect."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def admin_execute(admin_url: str, *statements: str) -> None:
    with psycopg.connect(libpq_url(admin_url), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]
