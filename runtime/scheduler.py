"""The scheduler's `serve` factory: the jobs from the settings, plus the daily reach sync when
Zalo credentials are set (it lives here so that scheduler/ needs nothing from publisher/)."""

from __future__ import annotations

from domain.periods import to_local
from publisher.reach import SyncOptions, stats_client, sync_reach
from runtime.context import AppContext, Component
from scheduler.config import config_from_settings
from scheduler.jobs import DailyJob, SchedulerComponent, describe


async def build_scheduler(ctx: AppContext) -> tuple[Component | None, str]:
    """The `serve` component, or why it is off."""
    if not ctx.settings.schedule.enabled:
        return None, "scheduler OFF (set NEWSDESK_SCHEDULE__ENABLED=true)"
    config = config_from_settings(ctx.settings)
    daily = reach_jobs(ctx)
    component = SchedulerComponent(
        db=ctx.db,
        files=ctx.files,
        config=config,
        clock=ctx.clock,
        wake=ctx.wake_outbox,
        daily=daily,
        instance=ctx.settings.instance,
    )
    line = describe(config)
    for job in daily:
        line += f"; {job.id} {job.at:%H:%M}"
    return component, line


def reach_jobs(ctx: AppContext) -> tuple[DailyJob, ...]:
    """The daily reach sync, when Zalo credentials are set (a dry run reads nothing).

    A day's reading is taken at `STATS_TIME`; the start-up run catches up only a reading
    missed today (the service was down at that time), so every day's figures are as of about
    the same hour and a month's last reading is close to its end.
    """
    settings = ctx.settings
    client = stats_client(settings, ctx.http, ctx.db, ctx.clock)
    if client is None:
        return ()
    zalo = settings.zalo
    options = SyncOptions(page_size=zalo.stats_page_size, track_days=zalo.stats_track_days)

    async def run() -> object:
        now = ctx.clock.now()
        if to_local(now).time() < zalo.stats_time:
            return None  # today's reading is taken at STATS_TIME (or later, catching up)
        return await sync_reach(db=ctx.db, client=client, now=now, options=options)

    return (DailyJob("reach-sync", zalo.stats_time, run),)
