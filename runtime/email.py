"""The e-mail intake's `serve` factory: the IMAP reader when configured, else the drop folder.

It lives in runtime/ because it wires intake to the rest of the service: the drop folder's
notice about a file that is not mail goes to the editors through the publisher's notify, which
intake/email itself does not import.
"""

from __future__ import annotations

from intake.email import texts
from intake.email.dropfolder import DropFolderReader, OnRejected, RejectedFile
from intake.email.imap import ImapConfig
from intake.email.parsing import ParseWorkers
from intake.email.reader import ImapReader
from intake.email.store import EmailIntake, IntakePolicy
from outbox.notify import notify_editors
from runtime.context import AppContext, Component
from settings import Settings
from storage.leases import holder_name


def lock_retry_seconds(settings: Settings) -> float:
    """While another instance reads the mailbox, try to take it over this often."""
    return settings.intake.lock_seconds / 3


def intake_for(ctx: AppContext) -> EmailIntake:
    """The storage sink every e-mail path (IMAP, drop folder) writes submissions through."""
    return EmailIntake(
        db=ctx.db,
        files=ctx.files,
        clock=ctx.clock,
        policy=policy_from(ctx.settings),
        wake_outbox=ctx.wake_outbox,
        holder=holder_name(ctx.settings.instance),
    )


def policy_from(settings: Settings) -> IntakePolicy:
    """The intake limits and reply wording, from IntakeSettings and the organisation's names."""
    s = settings.intake
    return IntakePolicy(
        max_message_bytes=s.max_message_mb * 1_048_576,
        allowed_extensions=tuple(s.allowed_extensions),
        unknown_sender_reply_hours=s.unknown_sender_reply_hours,
        oa_name=settings.zalo.oa_name,
        department=settings.org.department_name,
        lock_seconds=s.lock_seconds,
    )


def tell_editors_not_mail(ctx: AppContext) -> OnRejected:
    """The drop folder's notice for a file that is not mail: one outbox row per content."""

    async def tell(file: RejectedFile) -> None:
        async with ctx.db.session() as session:
            await notify_editors(
                session=session,
                settings=ctx.settings,
                key=f"not-mail:{file.sha256}",
                subject=texts.NOT_MAIL_SUBJECT.format(name=file.name),
                text=texts.NOT_MAIL_BODY.format(
                    name=file.name, size=file.size, reason=file.reason
                ),
                now=ctx.clock.now(),
            )
            await session.commit()
        ctx.wake_outbox()

    return tell


async def build_email_intake(ctx: AppContext) -> tuple[Component | None, str]:
    """IMAP when NEWSDESK_IMAP__HOST/USERNAME/PASSWORD are set; otherwise the drop folder."""
    settings = ctx.settings
    sink = intake_for(ctx)
    await sink.release_stale(settings.instance)
    limit = sink.policy.max_message_bytes
    if settings.imap.enabled:
        s = settings.imap
        config = ImapConfig(
            host=s.host,
            port=s.port,
            username=s.username,
            password=s.password.get_secret_value(),
            ssl=s.ssl,
            mailbox=s.mailbox,
            processed_folder=s.processed_folder,
            timeout=s.timeout_seconds,
        )
        processes = settings.intake.parse_processes
        parser = None
        if processes > 0:
            budget = settings.intake.parse_budget_seconds
            parser = ParseWorkers(processes=processes, budget_seconds=budget)
        reader = ImapReader(
            config=config,
            sink=sink,
            max_message_bytes=limit,
            idle_seconds=s.idle_seconds,
            poll_seconds=s.poll_seconds,
            parser=parser,
            busy_retry_seconds=lock_retry_seconds(settings),
        )
        parsing = f"up to {processes} parse processes" if parser else "parsed in-process"
        return reader, (
            f"email intake: IMAP {s.username}@{s.host}:{s.port}/{s.mailbox} "
            f"-> {s.processed_folder} ({parsing})"
        )
    folder = settings.drop_dir
    drop = DropFolderReader(
        folder=folder,
        sink=sink,
        max_message_bytes=limit,
        poll_seconds=settings.intake.drop_poll_seconds,
        on_rejected=tell_editors_not_mail(ctx),
    )
    return drop, (
        f"email intake: drop folder {folder} (.eml files or a Maildir); "
        "set NEWSDESK_IMAP__HOST, __USERNAME, __PASSWORD to read a mailbox"
    )
