"""Logging set-up: readable or JSON lines, and secrets scrubbed from every record."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import TextIO

from domain.periods import TZ
from domain.redact import known_secrets

# Telegram bot tokens look like 123456:ABC-...; they appear in Bot API URLs.
_BOT_TOKEN = re.compile(r"\d{6,}:[A-Za-z0-9_-]{20,}")


class RedactingFilter(logging.Filter):
    """Replaces known secrets and anything shaped like a bot token with ***."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)
        self._learnt: frozenset[str] = frozenset()
        self._all = list(self.secrets)

    def scrub(self, text: str) -> str:
        """`text` with every known secret and every bot-token-shaped string replaced."""
        learnt = known_secrets()  # the Zalo access and refresh tokens seen so far
        if learnt != self._learnt:
            self._learnt = learnt
            self._all = sorted(set(self.secrets) | learnt, key=len, reverse=True)
        for secret in self._all:
            text = text.replace(secret, "***")
        return _BOT_TOKEN.sub("***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the message and the traceback in place; never drops a record."""
        message = record.getMessage()
        cleaned = self.scrub(message)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


def local_time(record: logging.LogRecord) -> str:
    """The record's time in Vietnam's zone with its offset: 2026-12-06T13:05:00.123+07:00."""
    return datetime.fromtimestamp(record.created, TZ).isoformat(timespec="milliseconds")


class LocalFormatter(logging.Formatter):
    """Readable lines whose time says its zone (the service runs on UTC machines)."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return local_time(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line (time in Vietnam's zone, level, logger, message, traceback),
    for a log collector (NEWSDESK_LOG__JSON_FORMAT)."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": local_time(record),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_text:
            payload["exc"] = record.exc_text
        return json.dumps(payload, ensure_ascii=False)


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever sys.stderr is now (test runners swap it), not the one at set-up."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def setup_logging(*, level: str, json_format: bool, secrets: Iterable[str]) -> None:
    """Configure the root logger once; quiet libraries that log URLs with tokens."""
    handler = StderrHandler()
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(
        JsonFormatter()
        if json_format
        else LocalFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO, and Telegram URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
