"""Configuration: one pydantic-settings class, built once in main.py and passed down.

Environment variables use the prefix ``NEWSDESK_`` and ``__`` between a group and its field,
for example ``NEWSDESK_SMTP__HOST=mail.example.vn``. A ``.env`` file in the working directory is
read too. ``.env.example`` documents every field with its default.
"""

from __future__ import annotations

import socket
from datetime import date, time
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.states import SubmissionStatus

ROOT = Path(__file__).resolve().parent
# Shipped with the domain package (package data), so an installed newsdesk finds them too.
DEFAULT_UNITS_CSV = ROOT / "domain" / "data" / "units-default.csv"
DEFAULT_DEPARTMENTS_CSV = ROOT / "domain" / "data" / "departments-nd45-2025.csv"


def _secret_set(value: SecretStr | None) -> bool:
    return value is not None and bool(value.get_secret_value())


# The 2024 defaults (the seed letter of Thái Bình, July 2024). Texts never write these names:
# they take them from settings, so an installation sets today's names once (README).
DEFAULT_DEPARTMENT = "Sở Thông tin và Truyền thông"
DEFAULT_OA_NAME = "Công dân số Thái Bình"
DEFAULT_DOCUMENT_REF = (
    "Công văn của Sở Thông tin và Truyền thông tỉnh Thái Bình (tháng 7/2024) về truyền thông "
    "chính sách trên địa bàn tỉnh"
)


class DatabaseSettings(BaseModel):
    """Where the store lives."""

    url: str = Field(
        default="",
        description="SQLAlchemy URL; empty = SQLite file newsdesk.db in the data directory. "
        "PostgreSQL: postgresql+psycopg://user:pass@host:5432/newsdesk",
    )
    echo: bool = Field(default=False, description="Log every SQL statement (debugging only).")
    idle_transaction_seconds: float = Field(
        default=60.0,
        ge=0,
        description="PostgreSQL ends a session left this long inside a transaction (an "
        "instance frozen or cut off mid-write), so its row locks do not stop the instance "
        "that takes over; 0 = never.",
    )


class ImapSettings(BaseModel):
    """The officers' submission mailbox."""

    host: str = Field(default="", description="IMAP server; empty = read the drop folder instead.")
    port: int = Field(default=993, description="IMAP port (993 with TLS, 143 without).")
    ssl: bool = Field(default=True, description="Connect with TLS.")
    username: str = Field(default="", description="Mailbox login.")
    password: SecretStr = Field(default=SecretStr(""), description="Mailbox password.")
    mailbox: str = Field(default="INBOX", description="Folder read for new submissions.")
    processed_folder: str = Field(
        default="Processed", description="Folder mail is moved to after it is stored."
    )
    poll_seconds: float = Field(default=60.0, description="Polling interval when IDLE is absent.")
    idle_seconds: float = Field(
        default=300.0, description="IDLE is renewed (and the mailbox re-checked) this often."
    )
    timeout_seconds: float = Field(default=60.0, description="Socket timeout for IMAP commands.")

    @property
    def enabled(self) -> bool:
        return bool(self.host and self.username and _secret_set(self.password))


class SmtpSettings(BaseModel):
    """Outgoing mail: receipts, decisions, reminders, reports."""

    host: str = Field(default="", description="SMTP server; empty = email sending is off.")
    port: int = Field(default=587, description="SMTP port.")
    username: str = Field(default="", description="SMTP login (empty = no AUTH).")
    password: SecretStr = Field(default=SecretStr(""), description="SMTP password.")
    use_tls: bool = Field(default=False, description="Implicit TLS (port 465).")
    start_tls: bool | None = Field(
        default=None, description="STARTTLS: true, false, or empty = when the server offers it."
    )
    from_address: str = Field(
        default="newsdesk@localhost", description="Sender address of every mail we send."
    )
    from_name: str = Field(default="Ban biên tập Công dân số", description="Sender display name.")
    timeout_seconds: float = Field(default=30.0, description="Timeout of one SMTP session.")

    @property
    def enabled(self) -> bool:
        return bool(self.host)


class TelegramSettings(BaseModel):
    """The Telegram bot: officers submit, editors review."""

    token: SecretStr = Field(default=SecretStr(""), description="Bot token from @BotFather.")
    editors_chat_id: int | None = Field(
        default=None, description="Chat id of the editors' group where review cards go."
    )
    bot_username: str = Field(default="", description="Bot username (for t.me links).")
    base_url: str = Field(
        default="https://api.telegram.org/bot",
        description="Bot API base URL (a local Bot API server, or a test fake).",
    )
    base_file_url: str = Field(
        default="https://api.telegram.org/file/bot", description="Bot API file download base URL."
    )
    mode: Literal["polling", "webhook"] = Field(
        default="polling", description="Receive updates by long polling or by webhook."
    )
    webhook_secret: SecretStr = Field(
        default=SecretStr(""), description="Secret token Telegram sends with webhook calls."
    )
    max_download_mb: int = Field(
        default=20, description="Largest file the bot can download (20 for the cloud Bot API)."
    )
    webhook_url: str = Field(
        default="",
        description="Public HTTPS URL Telegram posts updates to in webhook mode "
        "(it must reach webhook_path on our HTTP server).",
    )
    webhook_path: str = Field(
        default="/telegram/webhook", description="Path of the webhook on our HTTP server."
    )
    poll_timeout_seconds: int = Field(
        default=30, description="Long-polling timeout of one getUpdates call."
    )
    edit_interval_seconds: float = Field(
        default=1.0,
        description="Least time between two bot calls to the editors' chat (flood control).",
    )
    draft_quiet_seconds: float = Field(
        default=1.5,
        description="Quiet time after an officer's last message before the draft summary "
        "is shown (albums arrive as several messages).",
    )
    invite_valid_days: int = Field(default=7, description="How long an officer invite code works.")

    @property
    def enabled(self) -> bool:
        return _secret_set(self.token)


class ZaloSettings(BaseModel):
    """The Zalo Official Account."""

    app_id: str = Field(default="", description="Zalo app id (developers.zalo.me).")
    app_secret: SecretStr = Field(default=SecretStr(""), description="Zalo app secret key.")
    oa_id: str = Field(default="", description="Official Account id.")
    oa_name: str = Field(default=DEFAULT_OA_NAME, description="OA display name.")
    follow_url: str = Field(
        default="https://zalo.me/", description="The OA's follow link (for the QR code)."
    )
    redirect_uri: str = Field(default="", description="OAuth callback URL registered for the app.")
    oauth_base: str = Field(
        default="https://oauth.zaloapp.com", description="OAuth server base URL."
    )
    api_base: str = Field(default="https://openapi.zalo.me", description="OA Open API base URL.")
    article_status: Literal["show", "hide"] = Field(
        default="show", description="Publish articles visible (show) or as hidden drafts (hide)."
    )
    broadcast: bool = Field(default=False, description="Broadcast each article to followers.")
    broadcast_start: time = Field(default=time(7, 0), description="Earliest broadcast time.")
    broadcast_end: time = Field(default=time(19, 30), description="Latest broadcast time.")
    daily_max: int = Field(default=10, description="Most articles published per day.")
    publish_start: time = Field(default=time(7, 0), description="Publish window start (local).")
    publish_end: time = Field(default=time(21, 0), description="Publish window end (local).")
    media_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Key signing public media URLs; empty = a random key kept in the data dir "
        "(created once; instances sharing the data dir share it).",
    )
    timeout_seconds: float = Field(default=30.0, description="Timeout of one Zalo API call.")
    refresh_timeout_seconds: float = Field(
        default=120.0,
        gt=0,
        description="Timeout of the token refresh call (the refresh token is single-use: a lost "
        "answer strands it, so this one call waits long).",
    )
    rate_limit_per_minute: int = Field(
        default=3000,
        description="Most Zalo API calls per minute from this instance (Zalo allows 4000 per "
        "app); 0 = no pacing.",
    )
    appsecret_proof: bool = Field(
        default=False, description="Send appsecret_proof (HMAC of the token) with every call."
    )
    quota_user_id: str = Field(
        default="", description="A follower's user id, to read the broadcast quota in status."
    )
    stats_time: time = Field(
        default=time(22, 30),
        description="Local time of the daily reach sync (article views and shares, followers).",
    )
    stats_page_size: int = Field(
        default=10, ge=1, le=50, description="Articles per article/getslice page in the sync."
    )
    stats_calls_per_minute: int = Field(
        default=600,
        ge=1,
        description="Most Zalo calls per minute the reach sync makes (kept apart from the "
        "publisher's rate_limit_per_minute; together under Zalo's 4000).",
    )
    stats_track_days: int = Field(
        default=365, ge=1, description="Days after publishing an article's views are still read."
    )

    @property
    def enabled(self) -> bool:
        return bool(self.app_id and _secret_set(self.app_secret))


class ScheduleSettings(BaseModel):
    """Deadlines, reminders and reports (local time, Asia/Ho_Chi_Minh)."""

    deadline_day: int | Literal["last"] = Field(
        default=25, description="Day of the month products are due, or 'last'."
    )
    deadline_time: time = Field(default=time(17, 0), description="Time of day of the deadline.")
    reminder_days: list[int] = Field(
        default=[7, 3, 1], description="Days before the deadline a reminder goes out."
    )
    reminder_time: time = Field(default=time(8, 30), description="Time reminders go out.")
    overdue_reminder: bool = Field(default=True, description="Send an overdue notice.")
    overdue_days: int = Field(default=1, description="Days after the deadline for that notice.")
    skip_weekends: bool = Field(default=True, description="Move reminders off weekends.")
    skip_holidays: bool = Field(default=True, description="Move reminders off public holidays.")
    registration_deadline: str = Field(
        default="", description="Officer-registration deadline (YYYY-MM-DD); empty = none."
    )
    report_day: int = Field(default=3, description="Day of the month the report is sent.")
    report_time: time = Field(default=time(8, 0), description="Time the report is sent.")
    digest_time: time = Field(default=time(8, 0), description="Time of the editors' digest.")
    leadership_emails: list[str] = Field(
        default=[],
        description="Who receives the monthly report by email (besides the leaders registered "
        "with `leaders add`).",
    )
    enabled: bool = Field(default=True, description="Run scheduled jobs in `serve`.")
    reminder_steps: str = Field(
        default="",
        description="Ladder with a time per step, e.g. '7@08:30,3@08:30,1@15:00' "
        "(days before@HH:MM); empty = reminder_days at reminder_time.",
    )
    overdue_time: time | None = Field(
        default=None, description="Time of the overdue notice; empty = reminder_time."
    )
    extra_days_off: list[date] = Field(
        default=[], description="Extra local days off announced by the province (YYYY-MM-DD)."
    )
    extra_working_days: list[date] = Field(
        default=[], description="Make-up working days (e.g. a Saturday) reminders may use."
    )
    not_qualifying: list[str] = Field(
        default=["rejected", "withdrawn"],
        description="Submission statuses that do not count towards a unit's monthly compliance.",
    )
    registration_days: list[int] = Field(
        default=[7, 3, 1], description="Days before the registration deadline a request goes out."
    )
    registration_time: time | None = Field(
        default=None, description="Time registration requests go out; empty = reminder_time."
    )
    report_internal: bool = Field(
        default=False,
        description="Include officers' phone numbers in the emailed report (internal copy).",
    )
    digest_weekdays_only: bool = Field(
        default=True, description="Send the editors' digest Monday to Friday only."
    )
    misfire_grace_seconds: int = Field(
        default=3600, description="How late a scheduled run may still start (then coalesced)."
    )
    officer_reach: bool = Field(
        default=True,
        description="On the report day, tell each unit's officers how often their unit's "
        "articles of last month were read on the OA (only when Zalo gave figures).",
    )

    counts_as: Literal["sent", "approved", "published"] = Field(
        default="sent",
        description="What makes a unit compliant for a month: an item sent (not rejected or "
        "withdrawn; also while it waits for review or changes), approved, or published.",
    )
    go_live: str = Field(
        default="",
        description="First day Newsdesk is in use (YYYY-MM-DD): months whose deadline came "
        "before it are not tracked (no report, no reminder); empty = the first start of serve.",
    )

    @field_validator("go_live")
    @classmethod
    def _go_live_date(cls, value: str) -> str:
        if value.strip():
            date.fromisoformat(value.strip())
        return value.strip()

    @field_validator("not_qualifying")
    @classmethod
    def _known_statuses(cls, value: list[str]) -> list[str]:
        known = {s.value for s in SubmissionStatus}
        unknown = [v for v in value if v not in known]
        if unknown:
            raise ValueError(f"unknown submission statuses {unknown}; known: {sorted(known)}")
        return value

    @field_validator("deadline_day")
    @classmethod
    def _day_in_month(cls, value: int | str) -> int | str:
        if isinstance(value, int) and not 1 <= value <= 31:
            raise ValueError("deadline_day must be 1-31 or 'last'")
        return value


class WebSettings(BaseModel):
    """The HTTP server: health, metrics, public media, webhooks, OAuth callback."""

    enabled: bool = Field(default=True, description="Run the HTTP server in `serve`.")
    host: str = Field(default="127.0.0.1", description="Listen address.")
    port: int = Field(default=8080, description="Listen port.")
    public_base_url: str = Field(
        default="",
        description="Public URL of the service (media for Zalo, webhooks, OAuth callback); "
        "with several instances one address that reaches all of them (a reverse proxy).",
    )


class IntakeSettings(BaseModel):
    """Limits for incoming submissions."""

    max_message_mb: int = Field(default=25, description="Largest email accepted, in MB.")
    allowed_extensions: list[str] = Field(
        default=[
            "jpg", "jpeg", "png", "gif", "webp", "heic", "bmp", "tif", "tiff",
            "mp4", "mov", "avi", "mkv", "3gp", "webm",
            "pdf", "doc", "docx", "odt", "rtf", "txt", "ppt", "pptx", "xls", "xlsx",
        ],
        description="Attachment types kept; others are recorded and explained to the sender.",
    )  # fmt: skip
    drop_dir: str = Field(
        default="", description="Folder of .eml files read when IMAP is off; empty = data/inbox."
    )
    mailbox_address: str = Field(
        default="", description="Address officers send to (shown in reminders and help)."
    )
    unknown_sender_reply_hours: int = Field(
        default=24,
        description="An unregistered sender gets at most one reply per this many hours.",
    )
    drop_poll_seconds: float = Field(
        default=5.0, description="How often the drop folder is checked when IMAP is off."
    )
    lock_seconds: float = Field(
        default=30.0,
        description="Lease on the mailbox (or drop folder) that one instance at a time reads: "
        "renewed every third of it; an instance that stops renewing (frozen, dead) is replaced "
        "after this.",
    )
    parse_budget_seconds: float = Field(
        default=10.0,
        gt=0,
        description="CPU seconds a parse worker may spend parsing one mail; past it the mail "
        "is stored raw, flagged to the editors, and the mailbox moves on.",
    )
    parse_processes: int = Field(
        default=2,
        ge=0,
        description="Worker processes that parse IMAP mail, started while a sweep has mail "
        "and stopped after it; 0 = parsed in the service process, without the CPU budget.",
    )


class OrgSettings(BaseModel):
    """Who runs this instance."""

    department_name: str = Field(
        default=DEFAULT_DEPARTMENT, description="The department that runs the OA."
    )
    document_ref: str = Field(
        default=DEFAULT_DOCUMENT_REF,
        description="The document that obliges units to submit monthly (reminders cite it).",
    )
    province_name: str = Field(default="Thái Bình", description="Province or organisation.")
    units_csv: Path = Field(
        default=DEFAULT_UNITS_CSV, description="Unit list imported on first run if empty."
    )
    departments_csv: Path = Field(
        default=DEFAULT_DEPARTMENTS_CSV,
        description="Standard provincial departments for `units preset` (code,name_vi,optional; "
        "Decree 45/2025 by default).",
    )
    optional_departments: list[str] = Field(
        default=[],
        description="Codes of optional departments `units preset` adds (so-ngoai-vu, "
        "so-dan-toc-ton-giao, so-du-lich, so-quy-hoach-kien-truc); none by default.",
    )


class LogSettings(BaseModel):
    """Logging."""

    level: str = Field(default="INFO", description="Log level.")
    json_format: bool = Field(default=False, description="One JSON object per line.")


class Settings(BaseSettings):
    """All of Newsdesk's configuration."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSDESK_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    env: Literal["development", "production"] = Field(
        default="development", description="production refuses unsafe defaults."
    )
    data_dir: Path = Field(
        default=Path("var"),
        validate_default=True,
        description="Database, files and previews (a relative path is taken from the "
        "directory the command starts in).",
    )
    instance_name: str = Field(
        default="",
        description="This instance's name, different for every instance sharing the database; "
        "empty = the host name. A restarted instance resumes its own unfinished publications "
        "at once.",
    )
    components_off: list[str] = Field(
        default=[],
        description="Components this process does not run (outbox, email, telegram, publisher, "
        "scheduler, web), so several processes can split the roles; only one may run telegram.",
    )
    database: DatabaseSettings = DatabaseSettings()
    imap: ImapSettings = ImapSettings()
    smtp: SmtpSettings = SmtpSettings()
    telegram: TelegramSettings = TelegramSettings()
    zalo: ZaloSettings = ZaloSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    web: WebSettings = WebSettings()
    intake: IntakeSettings = IntakeSettings()
    org: OrgSettings = OrgSettings()
    log: LogSettings = LogSettings()

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        # Resolved once, here: file URIs (dry-run previews), worker processes and every
        # later path join need an absolute path, whatever the working directory becomes.
        return value.expanduser().resolve()

    @field_validator("components_off")
    @classmethod
    def _known_components(cls, value: list[str]) -> list[str]:
        known = {"outbox", "email", "telegram", "publisher", "scheduler", "web"}
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"unknown components {unknown}; known: {sorted(known)}")
        return value

    @model_validator(mode="after")
    def _production_needs_postgres(self) -> Settings:
        if self.env == "production" and not self.database.url.startswith("postgresql"):
            raise ValueError("env=production needs NEWSDESK_DATABASE__URL set to PostgreSQL")
        return self

    @model_validator(mode="after")
    def _production_webhook_is_served(self) -> Settings:
        """In production a webhook-mode bot that would be silently off refuses to start."""
        if self.env != "production" or not self.webhook_bot_runs:
            return self
        telegram = self.telegram
        if not (telegram.webhook_url and _secret_set(telegram.webhook_secret)):
            raise ValueError(
                "env=production with NEWSDESK_TELEGRAM__MODE=webhook needs "
                "NEWSDESK_TELEGRAM__WEBHOOK_URL and NEWSDESK_TELEGRAM__WEBHOOK_SECRET"
            )
        if not self.web_runs:
            raise ValueError(
                "NEWSDESK_TELEGRAM__MODE=webhook needs the HTTP server in the same process "
                "(NEWSDESK_WEB__ENABLED=true, web not in NEWSDESK_COMPONENTS_OFF)"
            )
        return self

    @property
    def webhook_bot_runs(self) -> bool:
        """This process runs the Telegram bot in webhook mode."""
        return (
            self.telegram.enabled
            and self.telegram.mode == "webhook"
            and "telegram" not in self.components_off
        )

    @property
    def web_runs(self) -> bool:
        """This process runs the HTTP server."""
        return self.web.enabled and "web" not in self.components_off

    @property
    def database_url(self) -> str:
        """The configured URL, or the embedded SQLite file under the data directory."""
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.data_dir / 'newsdesk.db').resolve()}"

    @property
    def instance(self) -> str:
        """This instance's name among those sharing the database."""
        return self.instance_name or socket.gethostname()

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def drop_dir(self) -> Path:
        return Path(self.intake.drop_dir) if self.intake.drop_dir else self.data_dir / "inbox"


def describe_errors(exc: ValidationError) -> str:
    """A configuration error for people: each field and what is wrong, never the value given
    (pydantic's own text repeats the input, which may be a password or an app secret)."""
    lines = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        field = "__".join(str(part) for part in error["loc"])
        where = f"NEWSDESK_{field.upper()}: " if field else ""
        lines.append(f"- {where}{error['msg']}")
    return "\n".join(lines)
