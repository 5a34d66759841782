"""`intake` commands: parse a message without storing it; import messages from files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from intake.email.model import ParsedMessage
from intake.email.parse import parse_message

app = typer.Typer(help="E-mail intake: parse or import messages.", no_args_is_help=True)


@app.callback()
def intake() -> None:
    """E-mail intake commands."""


@app.command("parse")
def parse_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    as_json: Annotated[  # noqa: FBT002 (Typer options are parameters with defaults)
        bool, typer.Option("--json", help="Print one JSON object.")
    ] = False,
) -> None:
    """Parse one .eml file and print the normalised result (nothing is stored)."""
    parsed = parse_message(file.read_bytes())
    if as_json:
        typer.echo(json.dumps(parsed.to_json_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(summary(parsed))


def summary(parsed: ParsedMessage) -> str:
    """A readable multi-line summary of a parsed message."""
    sender = parsed.sender.address or "(không rõ)"
    if parsed.sender.name:
        sender = f"{parsed.sender.name} <{sender}>"
    lines = [
        f"Message-ID: {parsed.message_id or '(không có)'}",
        f"Người gửi:  {sender}",
        f"Tiêu đề:    {parsed.title}",
        f"Loại:       {parsed.kind}",
        f"Tệp đính kèm: {len(parsed.attachments)}",
    ]
    lines += [f"  - {a.filename} ({a.content_type}, {a.size} bytes)" for a in parsed.attachments]
    lines += [f"Cảnh báo: {w}" for w in parsed.warnings]
    lines += ["", parsed.text]
    return "\n".join(lines)
