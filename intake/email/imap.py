"""A blocking IMAP session (IMAPClient) used from a worker thread by the reader."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

FETCH_BODY = b"BODY[]"
FETCH_SIZE = b"RFC822.SIZE"


@dataclass(frozen=True)
class ImapConfig:
    """Where and how to read mail."""

    host: str
    port: int
    username: str
    password: str = ""  # never logged
    ssl: bool = True
    mailbox: str = "INBOX"
    processed_folder: str = "Processed"
    batch_size: int = 50
    timeout: float = 60.0

    def __repr__(self) -> str:
        return f"ImapConfig(host={self.host!r}, port={self.port}, username={self.username!r})"


def _utc(value: object) -> datetime | None:
    # IMAPClient returns INTERNALDATE as a naive local-time datetime by default.
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.astimezone()  # naive means the machine's local time here
    return value.astimezone(UTC)


class ImapSession:
    """One logged-in connection with the mailbox selected."""

    def __init__(self, config: ImapConfig) -> None:
        self.config = config
        self.client = IMAPClient(
            config.host, port=config.port, ssl=config.ssl, timeout=config.timeout
        )
        # IMAPClient formats every received byte for a debug logger, which slows every
        # fetch several times over; this is the documented switch that turns it off.
        self.client._imap.debug = 0
        self.client.login(config.username, config.password)
        self.capabilities = set(self.client.capabilities())
        self._ensure_folder(config.processed_folder)
        selected = self.client.select_folder(config.mailbox)
        self.uidvalidity = int(selected[b"UIDVALIDITY"])

    def _ensure_folder(self, folder: str) -> None:
        if not self.client.folder_exists(folder):
            self.client.create_folder(folder)

    def refresh(self) -> int:
        """Re-select the mailbox (a NOOP for new mail) and return its UIDVALIDITY."""
        selected = self.client.select_folder(self.config.mailbox)
        self.uidvalidity = int(selected[b"UIDVALIDITY"])
        return self.uidvalidity

    def all_uids(self) -> list[int]:
        """Every message still in the mailbox: everything not yet moved is looked at."""
        return sorted(int(u) for u in self.client.search(["ALL"]))

    def sizes(self, uids: list[int]) -> dict[int, tuple[int, datetime | None]]:
        """Size and INTERNALDATE (UTC) per UID, 1,000 UIDs per FETCH (oversize mail is never
        downloaded whole); UIDs gone meanwhile are absent."""
        found: dict[int, tuple[int, datetime | None]] = {}
        for start in range(0, len(uids), 1000):
            chunk = uids[start : start + 1000]
            data = self.client.fetch(chunk, ["RFC822.SIZE", "INTERNALDATE"])
            asked = set(chunk)
            found.update(
                (int(uid), (int(item[FETCH_SIZE]), _utc(item.get(b"INTERNALDATE"))))
                for uid, item in data.items()
                # an unsolicited FETCH (flags changed by another client) answers nothing
                if int(uid) in asked and FETCH_SIZE in item
            )
        return found

    def bodies(self, uids: list[int]) -> dict[int, bytes]:
        """Raw messages by UID, fetched with BODY.PEEK[] so \\Seen is not set."""
        if not uids:
            return {}
        data = self.client.fetch(uids, ["BODY.PEEK[]"])
        return {int(uid): bytes(item[FETCH_BODY]) for uid, item in data.items()}

    def headers(self, uids: list[int]) -> dict[int, bytes]:
        """Only the header blocks (for oversize mail)."""
        if not uids:
            return {}
        data = self.client.fetch(uids, ["BODY.PEEK[HEADER]"])
        return {int(uid): bytes(item[b"BODY[HEADER]"]) for uid, item in data.items()}

    def move_processed(self, uids: list[int]) -> None:
        """Move to the processed folder (MOVE, or COPY + \\Deleted + UID EXPUNGE)."""
        if not uids:
            return
        try:
            self._move(uids)
        except IMAPClientError as exc:
            # Another instance moved some of them first ([EXPUNGEISSUED]): move the rest.
            if b"EXPUNGEISSUED" not in str(exc).encode() and "no longer exist" not in str(exc):
                raise
            remaining = sorted(set(self.all_uids()) & set(uids))
            if remaining:
                self._move(remaining)

    def _move(self, uids: list[int]) -> None:
        if b"MOVE" in self.capabilities:
            self.client.move(uids, self.config.processed_folder)
            return
        self.client.copy(uids, self.config.processed_folder)
        self.client.add_flags(uids, [b"\\Deleted"])
        if b"UIDPLUS" in self.capabilities:
            self.client.uid_expunge(uids)
        else:
            self.client.expunge()

    def wait_for_mail(self, idle: float, poll: float, stop: threading.Event) -> None:
        """Block until the server reports a change (IDLE, up to `idle` s), `poll` s pass
        when the server has no IDLE, or `stop` is set."""
        deadline = time.monotonic() + idle
        if b"IDLE" not in self.capabilities:
            stop.wait(poll)  # polling fallback
            return
        self.client.idle()
        try:
            while not stop.is_set() and time.monotonic() < deadline:
                if self.client.idle_check(timeout=1):
                    return
        finally:
            self.client.idle_done()

    def close(self) -> None:
        """Log out, ignoring a connection that is already gone."""
        try:
            self.client.logout()
        except Exception:  # the socket may be dead already; nothing to save
            with contextlib.suppress(Exception):
                self.client.shutdown()
