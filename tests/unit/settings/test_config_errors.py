"""A configuration error names the fields and what is wrong, never the values (secrets)."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from domain.redact import remember_secret
from main import app
from runtime.logs import RedactingFilter
from settings import Settings

PASSWORD = "Mật-khẩu-SMTP-rất-bí-mật-42"
APP_SECRET = "zalo-app-secret-ABCDEF0123456789"


def run(env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["units", "list"], env=env)
    return result.exit_code, result.output


def test_production_refusal_does_not_print_the_password_or_the_app_secret() -> None:
    code, out = run(
        {
            "NEWSDESK_ENV": "production",
            "NEWSDESK_DATABASE__URL": "",
            "NEWSDESK_SMTP__PASSWORD": PASSWORD,
            "NEWSDESK_ZALO__APP_SECRET": APP_SECRET,
        }
    )
    assert code == 1
    assert "Cấu hình không hợp lệ" in out and "PostgreSQL" in out
    assert PASSWORD not in out and APP_SECRET not in out
    assert "input_value" not in out


def test_a_bad_field_is_named_with_its_message_only() -> None:
    code, out = run(
        {
            "NEWSDESK_WEB__PORT": "not-a-port",
            "NEWSDESK_SMTP__PASSWORD": PASSWORD,
            "NEWSDESK_SMTP__TIMEOUT_SECONDS": PASSWORD,
        }
    )
    assert code == 1
    assert "NEWSDESK_WEB__PORT" in out and "NEWSDESK_SMTP__TIMEOUT_SECONDS" in out
    assert "valid integer" in out
    assert PASSWORD not in out and "not-a-port" not in out


def test_a_value_that_is_not_json_is_reported_without_a_traceback() -> None:
    code, out = run({"NEWSDESK_COMPONENTS_OFF": "[web"})
    assert code == 1 and "components_off" in out and "Traceback" not in out


def test_zalo_tokens_seen_at_run_time_are_scrubbed_from_logs() -> None:
    access, refresh = "ATzaloAccessToken_" + "x" * 40, "RTzaloRefreshToken_" + "y" * 40
    remember_secret(access, refresh)
    record = logging.LogRecord(
        "httpx", logging.WARNING, __file__, 1, "call with %s then %s", (access, refresh), None
    )
    RedactingFilter(["s3cr3t-password"]).filter(record)
    assert record.getMessage() == "call with *** then ***"


def production(**telegram: object) -> dict[str, object]:
    return {
        "env": "production",
        "database": {"url": "postgresql+psycopg://newsdesk@db:5432/newsdesk"},
        "telegram": {"token": "123456:" + "A" * 30, "mode": "webhook", **telegram},
        "_env_file": None,
    }


def test_production_refuses_a_webhook_bot_without_its_secret() -> None:
    with pytest.raises(ValidationError, match="WEBHOOK_SECRET"):
        Settings(**production(webhook_url="https://tin.example.vn/telegram/webhook"))
    with pytest.raises(ValidationError, match="WEBHOOK_SECRET"):
        Settings(**production(webhook_secret="s3cret"))


def test_production_refuses_a_webhook_nothing_serves() -> None:
    ok = production(webhook_url="https://tin.example.vn/telegram/webhook", webhook_secret="s3")
    assert Settings(**ok).webhook_bot_runs
    with pytest.raises(ValidationError, match="HTTP server"):
        Settings(**{**ok, "web": {"enabled": False}})
    with pytest.raises(ValidationError, match="HTTP server"):
        Settings(**{**ok, "components_off": ["web"]})
    # another process runs the bot: this one needs no webhook
    assert not Settings(**{**ok, "components_off": ["web", "telegram"]}).webhook_bot_runs
    # polling needs neither
    Settings(**{**ok, "telegram": {"token": "123456:" + "A" * 30}})
