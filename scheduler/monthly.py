"""The monthly compliance report job: XLSX + CSV to leadership, a summary to the editors' chat.

Runs at most once per month (a JobRun row keyed by the month), from the configured report day
until the end of that month, so a late start still sends it and a rerun never repeats it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from domain.events import event_line
from domain.periods import period_of, previous_period
from outbox.store import EMAIL, TELEGRAM, enqueue
from reports import render, texts, xlsx
from reports.chart import followers_png
from reports.compliance import month_report
from reports.figures import MonthReport
from reports.reach import with_reach
from scheduler.config import SchedulerConfig, report_due_at
from scheduler.locks import job_lock
from scheduler.store import claim_job_run, finish_job_run
from storage.db import Database
from storage.files import FileStore
from storage.leaders import leader_emails

log = logging.getLogger(__name__)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"
PNG_TYPE = "image/png"


def report_files(files: FileStore, report: MonthReport) -> list[dict[str, str]]:
    """Store the XLSX and CSV renderings; outbox attachment descriptors for them."""
    suffix = "-noi-bo" if report.internal else ""
    stem = f"bao-cao-{report.period}{suffix}"
    out = []
    for data, ext, ctype in (
        (xlsx.month_xlsx(report), "xlsx", XLSX_TYPE),
        (render.month_csv(report), "csv", CSV_TYPE),
    ):
        stored = files.put(data, f"{stem}.{ext}")
        out.append({"sha256": stored.sha256, "filename": f"{stem}.{ext}", "content_type": ctype})
    return out


def chart_file(files: FileStore, report: MonthReport) -> dict[str, str] | None:
    """The follower chart shown inside the mail (no chart without a follower reading)."""
    if report.reach is None:
        return None
    trend = [(texts.fmt_month(p), f) for p, f in report.reach.followers_trend]
    png = followers_png(trend, title=texts.CHART_FOLLOWERS_TITLE)
    if png is None:
        return None
    name = f"bieu-do-{report.period}.png"
    stored = files.put(png, name)
    return {"sha256": stored.sha256, "filename": name, "content_type": PNG_TYPE,
            "cid": texts.CHART_CID}  # fmt: skip


async def _enqueue_report(
    session: AsyncSession, config: SchedulerConfig, report: MonthReport, files: FileStore,
    now: datetime, recipients: list[str],
) -> int:  # fmt: skip
    summary = texts.summary(report)
    month = texts.fmt_month(report.period)
    attachments = report_files(files, report) if recipients else []
    chart = chart_file(files, report) if recipients else None
    html = texts.report_mail_html(
        month=month, summary=summary, chart=chart is not None, department=config.department,
        oa=config.oa_name,
    )  # fmt: skip
    if chart is not None:
        attachments.append(chart)
    count = 0
    for address in recipients:
        await enqueue(
            session=session, key=f"report:{report.period}:email:{address}", channel=EMAIL,
            recipient=address, subject=texts.REPORT_MAIL_SUBJECT.format(month=month),
            body=texts.REPORT_MAIL_BODY.format(
                month=month, summary=summary, department=config.department, oa=config.oa_name
            ),
            html=html,
            attachments=attachments, meta={"kind": "report"}, now=now,
        )  # fmt: skip
        count += 1
    if config.editors_chat_id is not None:
        chat = str(config.editors_chat_id)
        await enqueue(
            session=session, key=f"report:{report.period}:telegram:{chat}", channel=TELEGRAM,
            recipient=chat, body=f"📊 {summary}", meta={"kind": "report"}, now=now,
        )  # fmt: skip
        count += 1
    return count


async def report_recipients(
    *, session: AsyncSession, config: SchedulerConfig, now: datetime
) -> list[str]:
    """The leadership_emails setting and the leaders in office, each address once."""
    addresses = [*config.leadership_emails, *await leader_emails(session=session, at=now)]
    seen: set[str] = set()
    out = []
    for address in (a.strip() for a in addresses):
        if address and address.lower() not in seen:
            seen.add(address.lower())
            out.append(address)
    return out


async def send_monthly_report(
    *, db: Database, files: FileStore, config: SchedulerConfig, now: datetime,
    wake: Callable[[], None] = lambda: None, holder: str = "",
) -> str | None:  # fmt: skip
    """Send last month's report once, when its day has come; the period sent, or None."""
    current = period_of(now)
    period = previous_period(current)
    if now < report_due_at(config, current):
        return None
    async with db.session() as session:
        recipients = await report_recipients(session=session, config=config, now=now)
    if not recipients and config.editors_chat_id is None:
        return None  # nobody to send to: leave the month unclaimed until someone is configured
    async with job_lock(db, "monthly-report", holder=holder) as held, db.session() as session:
        if not held:
            return None
        run_id = await claim_job_run(session=session, key=f"report:{period}", now=now)
        if run_id is None:
            return None
        report = await month_report(
            session=session, period=period, rules=config.rules, now=now,
            internal=config.report_internal,
        )  # fmt: skip
        if not report.tracked:  # before the go-live: nothing to report, now or later
            await finish_job_run(session=session, run_id=run_id, now=now, outcome="not tracked")
            await session.commit()
            log.info(event_line("report.not_tracked", period=period, outcome="before go-live"))
            return None
        report = await with_reach(session=session, report=report)
        count = await _enqueue_report(session, config, report, files, now, recipients)
        await finish_job_run(session=session, run_id=run_id, now=now, outcome=f"queued {count}")
        await session.commit()
    wake()
    log.info(event_line("report.queued", period=period, recipients=count))
    return period
