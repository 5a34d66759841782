"""`article` commands: the article a message or a stored submission would become."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import fail, get_settings, run_db
from compose import Contacts, Draft, body_text, compose
from mime.parse import parse_message
from sources.stored import load_draft, protected_contacts, source_of_message
from storage.db import Database
from storage.files import FileStore
from storage.submissions import get_submission_by_code

app = typer.Typer(
    help="Bài viết người dân đọc: soạn bài từ nội dung gửi đến.", no_args_is_help=True
)


@app.callback()
def article() -> None:
    """Article composition commands."""


@app.command("compose")
def compose_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    as_json: Annotated[  # noqa: FBT002 (Typer options are parameters with defaults)
        bool, typer.Option("--json", help="In một đối tượng JSON.")
    ] = False,
    registry: Annotated[  # noqa: FBT002
        bool,
        typer.Option(
            "--registry", help="Xoá cả số điện thoại, thư điện tử của cán bộ đã đăng ký."
        ),
    ] = False,
) -> None:
    """Đọc và soạn bài từ một tệp .eml, in bản nháp (không lưu gì)."""
    parsed = parse_message(file.read_bytes())
    protected = Contacts()
    if registry:

        async def work(db: Database) -> Contacts:
            async with db.session() as session:
                return await protected_contacts(session)

        protected = run_db(get_settings(ctx), work)
    draft = compose(source_of_message(parsed, protected=protected))
    if as_json:
        typer.echo(json.dumps(draft.to_json(), ensure_ascii=False, indent=2))
        return
    typer.echo(readable(draft))


@app.command("show")
def show_command(
    ctx: typer.Context,
    code: str,
    as_json: Annotated[  # noqa: FBT002
        bool, typer.Option("--json", help="In một đối tượng JSON.")
    ] = False,
) -> None:
    """Bản nháp hiện tại của một tin, bài đã tiếp nhận: nội dung sẽ được đăng."""
    settings = get_settings(ctx)

    async def work(db: Database) -> Draft | None:
        async with db.session() as session:
            submission = await get_submission_by_code(session=session, code=code.strip())
            if submission is None:
                return None
            draft, _ = await load_draft(
                session=session,
                files=FileStore(settings.files_dir),
                submission=submission,
                default_author=settings.org.department_name,
            )
            return draft

    draft = run_db(settings, work)
    if draft is None:
        fail(f"Không có bài mã {code}.")
    if as_json:
        typer.echo(json.dumps(draft.to_json(), ensure_ascii=False, indent=2))
        return
    typer.echo(readable(draft))


def readable(draft: Draft) -> str:
    """The draft as people read it; the body in the form `review edit --body-file` takes."""
    lines = [
        f"Tiêu đề:  {draft.title}",
        f"Tác giả:  {draft.author}",
        f"Ảnh bìa:  {draft.cover or '(mặc định)'}",
        f"Tóm tắt:  {draft.description}",
        "",
        body_text(draft.body),
    ]
    if draft.letter:
        lines += ["", "Thư gửi kèm (không đăng):", draft.letter]
    lines += ["", *[f"Lưu ý: {w}" for w in draft.warnings]]
    return "\n".join(lines).rstrip()
