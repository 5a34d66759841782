"""`intake` commands: parse a message without storing it; import messages from files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import fail, get_settings, run_db
from domain.clock import SystemClock
from domain.kinds import KIND_LABELS, SubmissionKind
from domain.mail import MailOutcome
from domain.warnings import warning_text
from intake.email.dropfolder import import_files
from intake.email.sniff import not_mail_reason
from intake.email.store import EmailIntake
from mime.model import ParsedMessage
from mime.parse import parse_message
from runtime.email import policy_from
from storage.db import Database
from storage.files import FileStore

app = typer.Typer(help="Tiếp nhận thư điện tử: đọc thử hoặc nhập thư.", no_args_is_help=True)


@app.callback()
def intake() -> None:
    """Tiếp nhận thư điện tử."""


@app.command("parse")
def parse_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    as_json: Annotated[  # noqa: FBT002 (Typer options are parameters with defaults)
        bool, typer.Option("--json", help="In một đối tượng JSON.")
    ] = False,
) -> None:
    """Đọc một tệp .eml và in kết quả đã chuẩn hóa (không lưu gì)."""
    raw = file.read_bytes()
    reason = not_mail_reason(raw)
    if reason is not None:
        fail(NOT_MAIL.format(path=file, reason=reason))
    parsed = parse_message(raw)
    if as_json:
        typer.echo(json.dumps(parsed.to_json_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(summary(parsed))


@app.command("import")
def import_command(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Tiếp nhận các thư xuất từ chương trình thư khác (.eml) như thư đến qua IMAP.

    Mỗi thư chỉ được lưu một lần (chạy lại lệnh không thay đổi gì). Thư báo nhận và thư trả
    lời được xếp hàng gửi như với thư đọc từ hộp thư."""
    settings = get_settings(ctx)
    refused = {path: reason for path in files if (reason := not_mail_reason(_head(path)))}
    for path, reason in refused.items():
        typer.echo(NOT_MAIL.format(path=path, reason=reason), err=True)
    files = [path for path in files if path not in refused]

    async def work(db: Database) -> list[MailOutcome]:
        sink = EmailIntake(
            db=db,
            files=FileStore(settings.files_dir),
            clock=SystemClock(),
            policy=policy_from(settings),
        )
        return await import_files(files, sink=sink, max_bytes=sink.policy.max_message_bytes)

    outcomes = run_db(settings, work) if files else []
    for path, outcome in zip(files, outcomes, strict=True):
        typer.echo(f"{path}: {OUTCOME_LABELS[outcome]}")
    if refused:
        raise typer.Exit(1)


NOT_MAIL = "{path}: không phải thư điện tử ({reason}); không tiếp nhận."


def _head(path: Path) -> bytes:
    """The start of a file, enough to tell whether it is mail."""
    with path.open("rb") as handle:
        return handle.read(256 * 1024)


OUTCOME_LABELS: dict[MailOutcome, str] = {
    MailOutcome.STORED: "đã tiếp nhận, chờ duyệt",
    MailOutcome.QUARANTINED: "người gửi chưa đăng ký, chờ biên tập viên kiểm tra",
    MailOutcome.DUPLICATE: "đã có từ trước, bỏ qua",
    MailOutcome.REFUSED: "quá dung lượng cho phép, đã ghi nhận và báo lại người gửi",
    MailOutcome.REVISED: "đã nhận bản chỉnh sửa theo yêu cầu, chờ duyệt lại",
    MailOutcome.ERROR: "không lưu được (đã ghi lỗi, thư gốc vẫn được giữ)",
}


def _kind(value: str) -> str:
    try:
        return KIND_LABELS[SubmissionKind(value)]
    except ValueError:
        return value


def summary(parsed: ParsedMessage) -> str:
    """A readable multi-line summary of a parsed message."""
    sender = parsed.sender.address or "(không rõ)"
    if parsed.sender.name:
        sender = f"{parsed.sender.name} <{sender}>"
    lines = [
        f"Message-ID: {parsed.message_id or '(không có)'}",
        f"Người gửi:  {sender}",
        f"Tiêu đề:    {parsed.title}",
        f"Loại:       {_kind(parsed.kind)}",
        f"Tệp đính kèm: {len(parsed.attachments)}",
    ]
    lines += [f"  - {a.filename} ({a.content_type}, {a.size} byte)" for a in parsed.attachments]
    lines += [f"Cảnh báo: {warning_text(w)} [{w}]" for w in parsed.warnings]
    lines += ["", parsed.text]
    return "\n".join(lines)
