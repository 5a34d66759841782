"""A real SMTP server (aiosmtpd) that records what it receives."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from pydantic import SecretStr

from settings import SmtpSettings


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class RecordingHandler:
    received: list[ReceivedMail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    refusals: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.refusals:
                return self.refusals.pop(0)
            data = envelope.original_content or envelope.content
            self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), data))
        return "250 Message accepted for delivery"


class SmtpSink:
    """aiosmtpd on 127.0.0.1 in its own thread; `messages` lists what arrived."""

    def __init__(self, port: int) -> None:
        self.handler = RecordingHandler()
        self.port = port
        self.host = "127.0.0.1"
        self.controller = Controller(self.handler, hostname=self.host, port=port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[ReceivedMail]:
        with self.handler.lock:
            return list(self.handler.received)

    def refuse_next(self, response: str = "451 4.3.0 Try again later") -> None:
        """Answer the next DATA with `response` (e.g. "550 5.7.1 Rejected")."""
        with self.handler.lock:
            self.handler.refusals.append(response)

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.received.clear()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.02)
        raise AssertionError(f"expected {count} mails, got {len(self.messages)}")


def smtp_settings_for(sink: SmtpSink, **overrides: object) -> SmtpSettings:
    """SmtpSettings pointing at a sink."""
    values: dict[str, object] = {
        "host": sink.host,
        "port": sink.port,
        "start_tls": False,
        "from_address": "newsdesk@stttt.example.vn",
        "password": SecretStr(""),
    }
    values.update(overrides)
    return SmtpSettings(**values)  # type: ignore[arg-type]
