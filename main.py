"""Newsdesk command line: `python main.py --help`."""

from __future__ import annotations

import asyncio

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError

from cli import article as article_cli
from cli import db as db_cli
from cli import editors as editors_cli
from cli import intake as intake_cli
from cli import leaders as leaders_cli
from cli import officers as officers_cli
from cli import publish as publish_cli
from cli import remind as remind_cli
from cli import report as report_cli
from cli import review as review_cli
from cli import units as units_cli
from cli import web as web_cli
from cli import zalo as zalo_cli
from cli.common import Commands, fail, get_settings
from runtime.logs import setup_logging
from settings import Settings, describe_errors

app = typer.Typer(
    cls=Commands,  # a NewsdeskError ends a command with its Vietnamese message, exit 1
    help="Newsdesk: tiếp nhận, biên tập và đăng tin truyền thông chính sách lên Zalo OA.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,  # its options' help is English-only; the CLI speaks Vietnamese
)
app.add_typer(db_cli.app, name="db")
app.add_typer(units_cli.app, name="units")
app.add_typer(officers_cli.app, name="officers")
app.add_typer(editors_cli.app, name="editors")
app.add_typer(leaders_cli.app, name="leaders")
app.add_typer(intake_cli.app, name="intake")
app.add_typer(article_cli.app, name="article")
app.add_typer(review_cli.app, name="review")
app.add_typer(publish_cli.app, name="publish")
app.add_typer(zalo_cli.app, name="zalo")
app.add_typer(remind_cli.app, name="remind")
app.add_typer(report_cli.app, name="report")
app.add_typer(web_cli.app, name="web")


def _secrets(settings: Settings) -> list[str]:
    return [
        settings.imap.password.get_secret_value(),
        settings.smtp.password.get_secret_value(),
        settings.telegram.token.get_secret_value(),
        settings.telegram.webhook_secret.get_secret_value(),
        settings.zalo.app_secret.get_secret_value(),
    ]


@app.callback()
def main(ctx: typer.Context) -> None:
    """Newsdesk: tiếp nhận, biên tập và đăng tin truyền thông chính sách lên Zalo OA."""
    try:
        settings = Settings()
    except ValidationError as exc:
        fail(f"Cấu hình không hợp lệ:\n{describe_errors(exc)}")
    except SettingsError as exc:  # a value that is not valid JSON; its text names the field
        fail(f"Cấu hình không hợp lệ: {exc}")
    setup_logging(
        level=settings.log.level, json_format=settings.log.json_format, secrets=_secrets(settings)
    )
    ctx.obj = settings


@app.command()
def serve(ctx: typer.Context) -> None:
    """Chạy mọi thành phần đã bật cho đến khi nhận SIGINT/SIGTERM."""
    from runtime.serve import serve as run_serve

    asyncio.run(run_serve(get_settings(ctx), settle_heap=True))


if __name__ == "__main__":
    app()
