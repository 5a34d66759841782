"""Email delivery with aiosmtplib: one SMTP session per message, errors sorted by kind."""

from __future__ import annotations

import logging
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import aiosmtplib

from domain.errors import RejectedError, TransientError
from settings import SmtpSettings
from storage.files import FileStore
from storage.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)
_POLICY = policy.default.clone(max_line_length=998)


def _domain(address: str) -> str:
    return address.rpartition("@")[2] or "localhost"


def _msg_ids(value: str) -> str:
    """Message-IDs in their angle brackets (stored ids may be bare: "abc@host")."""
    ids = [v if v.startswith("<") else f"<{v.strip('<>')}>" for v in value.split()]
    return " ".join(ids)


def build_email(
    message: OutboxMessage, *, settings: SmtpSettings, files: FileStore | None
) -> EmailMessage:
    """The MIME message for an outbox row: UTF-8, threaded when it answers a mail."""
    # Long Vietnamese subjects folded at 78 columns lose spaces between encoded words (a
    # CPython folding bug: "cán bộ phụ" arrives as "cán bộphụ"); 998 is RFC 5322's hard limit.
    mail = EmailMessage(policy=_POLICY)
    mail["From"] = Address(display_name=settings.from_name, addr_spec=settings.from_address)
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(utcnow())
    mail["Message-ID"] = make_msgid(
        idstring=f"outbox-{message.id}", domain=_domain(settings.from_address)
    )
    mail["Auto-Submitted"] = "auto-generated"
    if message.in_reply_to:
        # Threading: mail clients ignore In-Reply-To values without angle brackets.
        mail["In-Reply-To"] = _msg_ids(message.in_reply_to)
        mail["References"] = _msg_ids(message.references or message.in_reply_to)
    mail.set_content(message.body, charset="utf-8", cte="base64")
    attachments = list(message.attachments)
    if message.html:
        mail.add_alternative(message.html, subtype="html", charset="utf-8", cte="base64")
        # An item with a "cid" is a picture the HTML shows (<img src="cid:...">): it goes
        # beside the HTML in a multipart/related part, not among the attachments.
        html = mail.get_body(preferencelist=("html",))
        for item in [a for a in attachments if a.get("cid")]:
            data, maintype, subtype = _file(item, files)
            assert html is not None
            cid, name = f"<{item['cid']}>", str(item.get("filename", ""))
            html.add_related(data, maintype=maintype, subtype=subtype, cid=cid, filename=name)
        attachments = [a for a in attachments if not a.get("cid")]
    for item in attachments:
        data, maintype, subtype = _file(item, files)
        mail.add_attachment(
            data,
            maintype=maintype,
            subtype=subtype,
            filename=str(item.get("filename", "tep-dinh-kem")),
        )
    return mail


def _file(item: dict[str, object], files: FileStore | None) -> tuple[bytes, str, str]:
    """An attachment's bytes and MIME type from the file store."""
    if files is None:
        raise RejectedError("attachments need a file store")
    maintype, _, subtype = str(item.get("content_type", "application/octet-stream")).partition("/")
    return files.read(str(item["sha256"])), maintype, subtype or "octet-stream"


class EmailSender:
    """Sends outbox rows of channel `email` through the configured SMTP server."""

    channel = "email"

    def __init__(self, settings: SmtpSettings, *, files: FileStore | None = None) -> None:
        self.settings = settings
        self.files = files

    async def send(self, message: OutboxMessage) -> dict[str, str]:
        mail = build_email(message, settings=self.settings, files=self.files)
        s = self.settings
        # aiosmtplib flattens EmailMessage objects with its own 78-column policy, which brings
        # the folding bug back; hand it the bytes we flattened ourselves.
        raw = mail.as_bytes(policy=_POLICY.clone(linesep="\r\n"))
        try:
            await aiosmtplib.send(
                raw,
                sender=s.from_address,
                recipients=[message.recipient],
                hostname=s.host,
                port=s.port,
                username=s.username or None,
                password=s.password.get_secret_value() or None,
                use_tls=s.use_tls,
                start_tls=s.start_tls,
                timeout=s.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise RejectedError(f"recipient refused: {exc.recipients}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            if 500 <= exc.code < 600:
                raise RejectedError(f"SMTP {exc.code}: {exc.message}") from exc
            raise TransientError(f"SMTP {exc.code}: {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TransientError(f"SMTP unavailable: {type(exc).__name__}: {exc}") from exc
        return {"message_id": str(mail["Message-ID"])}
