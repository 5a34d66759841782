"""The publish worker: schedules approved submissions and advances their publications."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from domain.errors import StaleTransitionError
from domain.states import SubmissionStatus as S
from publisher import policy
from publisher.service import ACTOR, Deps, LostLease
from publisher.steps import step
from storage.models import Publication
from storage.publications import (
    add_publication,
    claim_due,
    count_due_between,
    resume_claimed_by,
    save,
)
from storage.submissions import get_submission, list_submissions, transition

log = logging.getLogger(__name__)
MAINTAIN_EVERY = timedelta(minutes=10)
MAX_STEPS = 12


class PublishWorker:
    """A `serve` component; also driven step by step by tests and the benchmark."""

    name = "publisher"

    def __init__(self, deps: Deps, *, poll_seconds: float = 10.0, batch: int = 5) -> None:
        self.deps = deps
        self.poll_seconds = poll_seconds
        self.batch = batch
        self._wake = asyncio.Event()
        self._last_maintain: datetime | None = None

    def wake(self) -> None:
        """Look for work now (after an approval or a retry)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        try:
            await self.resume_own()
        except Exception:  # then they wait out their lease, as another instance would
            log.exception("could not resume this instance's publications")
        while not stop.is_set():
            try:
                await self.maintain_tokens()
                await self.run_once()
            except Exception:  # one bad pass must not stop publishing for good
                log.exception("publish pass failed")
            self._wake.clear()
            waiters = [
                asyncio.ensure_future(stop.wait()),
                asyncio.ensure_future(self._wake.wait()),
            ]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED), self.poll_seconds
                )
            for waiter in waiters:
                waiter.cancel()

    async def resume_own(self) -> int:
        """At start: what this instance was publishing when it stopped is due at once."""
        if not self.deps.instance:
            return 0
        async with self.deps.db.session() as session:
            count = await resume_claimed_by(
                session=session, instance=self.deps.instance, now=self.deps.clock.now()
            )
            await session.commit()
        if count:
            log.info("resuming %d publication(s) this instance left unfinished", count)
        return count

    async def maintain_tokens(self) -> None:
        """Refresh early and warn about an ageing refresh token (every ten minutes)."""
        keeper, now = self.deps.keeper, self.deps.clock.now()
        if keeper is None:
            return
        if self._last_maintain and now - self._last_maintain < MAINTAIN_EVERY:
            return
        self._last_maintain = now
        try:
            await keeper.maintain()
        except Exception as exc:  # the keeper has stored the error and alerted editors
            log.warning("zalo token maintenance: %s", type(exc).__name__)

    async def run_once(self) -> int:
        """Schedule approved submissions, then advance every due publication as far as it goes."""
        await self.schedule_approved()
        done = 0
        while not self.paused() and (claimed := await self.claim()):
            for pub in claimed:
                if self.paused():
                    await self._release(pub)
                    continue
                await self.advance(pub)
                done += 1
        return done

    async def _release(self, pub: Publication) -> None:
        """Hand back a claimed publication until the pause ends (not the whole lease)."""
        async with self.deps.db.session() as session:
            until = self.deps.paused_until
            await save(
                session=session,
                publication=pub,
                now=self.deps.clock.now(),
                next_attempt_at=until,
                claimed_by=None,
            )
            await session.commit()

    def paused(self) -> bool:
        """True while the per-minute limit is spent (after -32 or our own budget)."""
        until = self.deps.paused_until
        return until is not None and self.deps.clock.now() < until

    async def schedule_approved(self) -> int:
        """Approved submissions get a publication and move to scheduled (one commit each)."""
        async with self.deps.db.session() as session:
            approved = await list_submissions(session=session, statuses=[S.APPROVED], limit=50)
        count = 0
        for submission in approved:
            try:
                count += await self._schedule(submission.id or 0)
            except StaleTransitionError:
                continue  # someone else scheduled it (or it was withdrawn) meanwhile
            except Exception:  # this submission stays approved; the others go on
                log.exception("could not schedule submission %s", submission.id)
        return count

    async def _schedule(self, submission_id: int) -> int:
        deps, now = self.deps, self.deps.clock.now()
        zalo = deps.settings.zalo
        dry_run = deps.client is None
        async with deps.db.session() as session:
            submission = await get_submission(session=session, submission_id=submission_id)
            if submission is None or submission.status != S.APPROVED:
                return 0
            due = max(now, submission.publish_at or now)
            if not dry_run:
                due = policy.next_window_start(due, zalo.publish_start, zalo.publish_end)
                for _ in range(366):
                    if zalo.daily_max <= 0:
                        break
                    day = policy.local_day(due)
                    start, end = policy.day_bounds(day)
                    if await count_due_between(session=session, start=start, end=end) < (
                        zalo.daily_max
                    ):
                        break
                    due = policy.next_window_start(
                        policy.day_bounds(day)[1], zalo.publish_start, zalo.publish_end
                    )
            pub = await add_publication(
                session=session,
                submission_id=submission_id,
                revision=submission.revision,
                due_at=due,
                dry_run=dry_run,
                broadcast=zalo.broadcast,
                now=now,
            )
            await transition(
                session=session,
                submission_id=submission_id,
                expected_status=S.APPROVED,
                expected_version=submission.version,
                new_status=S.SCHEDULED,
                actor=ACTOR,
                details={"publication_id": pub.id, "due_at": due.isoformat()},
            )
            await session.commit()
        return 1

    async def claim(self) -> list[Publication]:
        """Lease a batch of due publications."""
        async with self.deps.db.session() as session:
            rows = await claim_due(
                session=session,
                now=self.deps.clock.now(),
                lease=policy.LEASE,
                limit=self.batch,
                instance=self.deps.instance or None,
            )
            await session.commit()
        return rows

    async def advance(self, pub: Publication) -> None:
        """Run steps until the publication waits, finishes or fails."""
        try:
            for _ in range(MAX_STEPS):
                if not await step(self.deps, pub):
                    break
            await self._let_go(pub)
        except LostLease:
            log.info("publication %s was advanced by another worker", pub.id)
        except Exception:  # not even the failure could be recorded: its lease runs out,
            # then it is tried again; the other publications go on meanwhile
            log.exception("publication %s: error while recording its outcome", pub.id)

    async def _let_go(self, pub: Publication) -> None:
        """The steps stopped (finished, failed or waiting): the publication is no longer being
        worked on, so a restart of this instance leaves its next attempt where it is."""
        if pub.claimed_by is None:
            return
        async with self.deps.db.session() as session:
            if await save(
                session=session, publication=pub, now=self.deps.clock.now(), claimed_by=None
            ):
                await session.commit()
