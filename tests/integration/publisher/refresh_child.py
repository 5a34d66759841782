"""A process that starts a token refresh and is killed during the call (test_token_stranding).

python -m tests.integration.publisher.refresh_child DB_URL ZALO_URL DATA_DIR ISO_TIME
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path

import httpx

from domain.clock import FixedClock
from publisher.tokens import TokenKeeper
from settings import Settings
from storage.db import Database


async def main(db_url: str, zalo_url: str, data_dir: str, at: str) -> None:
    settings = Settings(
        data_dir=Path(data_dir),
        database={"url": db_url},  # type: ignore[arg-type]
        zalo={  # type: ignore[arg-type]
            "oauth_base": zalo_url,
            "api_base": zalo_url,
            "app_id": "fake-app",
            "app_secret": "fake-secret",
            "refresh_timeout_seconds": 120,
        },
        _env_file=None,  # type: ignore[call-arg]
    )
    async with Database(db_url) as db, httpx.AsyncClient() as http:
        keeper = TokenKeeper(db, http, settings, clock=FixedClock(datetime.fromisoformat(at)))
        await keeper.maintain()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
