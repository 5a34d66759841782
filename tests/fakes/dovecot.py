"""A real Dovecot IMAP server for tests and benchmarks (Debian's dovecot-imapd, started on a
free loopback port)."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.ports import free_port

_USERS = {"alice": "alicepw", "bob": "bobpw"}


class DovecotMissing(RuntimeError):
    """The dovecot binary is not installed."""


@dataclass
class Dovecot:
    """One running Dovecot instance owned by this process."""

    root: Path
    port: int
    users: dict[str, str]
    proc: subprocess.Popen[bytes]
    host: str = "127.0.0.1"
    greeting: str = field(default="")

    def maildir(self, user: str) -> Path:
        """The user's Maildir root (INBOX lives here)."""
        return self.root / "mail" / user

    def stop(self) -> None:
        """Terminate the master (its children follow) and remove the root."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def find_dovecot() -> str:
    """Path of the dovecot binary, or DovecotMissing with the apt hint."""
    found = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None
    )
    if not found:
        raise DovecotMissing("dovecot not found: apt-get install -y dovecot-imapd")
    return found


def _check_traversable(path: Path) -> None:
    # The auth process runs as `dovecot` and must reach the users file.
    for parent in [path, *path.parents]:
        if not parent.stat().st_mode & stat.S_IXOTH:
            raise RuntimeError(f"{parent} is not world-traversable (o+x); Dovecot auth would fail")


def _config(root: Path, port: int, greeting: str, uid: int, gid: int, *, as_root: bool) -> str:
    nonroot = ""
    if not as_root:
        user = pwd.getpwuid(os.getuid()).pw_name
        nonroot = (
            f"default_login_user = {user}\ndefault_internal_user = {user}\n"
            f"default_internal_group = {pwd.getpwuid(os.getuid()).pw_gid}\n"
        )
    chroot = "" if as_root else "  chroot =\n"
    return f"""instance_name = test-dovecot-{port}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
debug_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
first_valid_uid = 1
login_greeting = {greeting}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{root}/mail/%n
mailbox_idle_check_interval = 1 secs
imap_idle_notify_interval = 1 mins
{nonroot}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%n
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
{chroot}}}
service anvil {{
{chroot}}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Processed {{
    auto = create
  }}
  mailbox Archive {{
    auto = create
  }}
}}
"""


def start_dovecot(users: dict[str, str] | None = None, *, timeout: float = 10.0) -> Dovecot:
    """Start a private Dovecot on a free loopback port and wait for its own greeting."""
    binary = find_dovecot()
    users = dict(users or _USERS)
    root = Path(tempfile.mkdtemp(prefix="dovecot-", dir="/tmp"))
    root.chmod(0o755)
    try:
        return _start(binary, root, users, timeout)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _start(binary: str, root: Path, users: dict[str, str], timeout: float) -> Dovecot:
    _check_traversable(root)
    as_root = os.geteuid() == 0
    owner = pwd.getpwnam("dovecot") if as_root else pwd.getpwuid(os.getuid())
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
        (root / sub).chmod(0o755)
    os.chown(root / "mail", owner.pw_uid, owner.pw_gid)
    (root / "users").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in users.items()))
    (root / "users").chmod(0o644)
    port, greeting = free_port(), f"test-dovecot-{secrets.token_hex(6)}"
    conf = root / "dovecot.conf"
    conf.write_text(_config(root, port, greeting, owner.pw_uid, owner.pw_gid, as_root=as_root))
    with (root / "startup.log").open("wb") as log:
        proc = subprocess.Popen([binary, "-F", "-c", str(conf)], stdout=log, stderr=log)
    server = Dovecot(root=root, port=port, users=users, proc=proc, greeting=greeting)
    try:
        _wait_ready(server, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_ready(server: Dovecot, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"dovecot exited at start:\n{_logs(server.root)}")
        if server.greeting in _banner(server.port):
            return
        time.sleep(0.05)
    raise RuntimeError(f"dovecot not ready after {timeout}s:\n{_logs(server.root)}")


def _banner(port: int) -> str:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            return sock.recv(512).decode("ascii", "replace")
    except OSError:
        return ""


def _logs(root: Path) -> str:
    parts = []
    for name in ("startup.log", "dovecot.log"):
        path = root / name
        if path.exists():
            parts.append(f"--- {name}\n{path.read_text(errors='replace')[-4000:]}")
    return "\n".join(parts)
