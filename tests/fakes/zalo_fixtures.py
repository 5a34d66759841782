"""Fixtures for the fake Zalo server: import them into a conftest with `from ... import *`."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from PIL import Image

from publisher.zalo.client import ZaloClient
from tests.fakes.static_files import StaticFiles
from tests.fakes.zalo_api import FakeZalo

__all__ = ["fake_zalo", "http", "static_files", "zalo_client"]


def jpeg_bytes(size: tuple[int, int] = (64, 48), colour: str = "red") -> bytes:
    """A small valid JPEG."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG")
    return out.getvalue()


@pytest_asyncio.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    """A fresh fake Zalo (OAuth + OpenAPI on one loopback port)."""
    async with FakeZalo() as fake:
        yield fake


@pytest_asyncio.fixture
async def static_files() -> AsyncIterator[StaticFiles]:
    """A loopback server for public image URLs."""
    async with StaticFiles() as files:
        yield files


@pytest_asyncio.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """The shared HTTP client the app would pass in."""
    async with httpx.AsyncClient(timeout=5.0) as client:
        yield client


@pytest_asyncio.fixture
async def zalo_client(fake_zalo: FakeZalo, http: httpx.AsyncClient) -> ZaloClient:
    """A real client against the fake, holding a seeded token pair (refreshed on -216/-220)."""
    tokens = fake_zalo.seed_tokens()

    async def get_token() -> str:
        return tokens["access_token"]

    async def rejected(_token: str) -> None:
        tokens.update(fake_zalo.seed_tokens())

    return ZaloClient(
        http,
        get_token=get_token,
        on_token_rejected=rejected,
        api_base=fake_zalo.url,
        timeout=0.5,
    )
