"""getUpdates made durable: updates are in the database before Telegram can forget them.

PTB confirms a batch of updates to Telegram with its *next* getUpdates call, which it makes as
soon as the batch is queued, not once it is handled. A crash in between would lose the batch
(Telegram does not resend confirmed updates). Recording each fetched update (outcome "") before
PTB even sees the response closes that window: after a restart the bot replays every recorded
update that has no outcome yet (design invariant 2: acknowledge only after a durable write).
"""

from __future__ import annotations

import json
from typing import Any

from telegram.request import HTTPXRequest, RequestData

from storage.db import Database
from tgbot.updates import record_all, valid_update_id


class DurableUpdatesRequest(HTTPXRequest):
    """The getUpdates transport: stores every update of a successful answer, then returns it."""

    def __init__(self, db: Database, **kwargs: Any) -> None:
        super().__init__(connection_pool_size=1, **kwargs)
        self.db = db

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        write_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        connect_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        pool_timeout: Any = HTTPXRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        code, payload = await super().do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if code == 200 and url.endswith("/getUpdates"):
            await self._store(payload)
        return code, payload

    async def _store(self, payload: bytes) -> None:
        try:
            updates = json.loads(payload).get("result") or []
        except (ValueError, AttributeError):
            return  # PTB reports the malformed answer itself
        if not updates:
            return
        raws = [raw for raw in updates if valid_update_id(raw) is not None]
        async with self.db.session() as session:  # one statement, one commit per batch
            await record_all(session=session, raws=raws)
            await session.commit()
