"""After a create with an unknown outcome: look for the article on Zalo before creating again.

The listing is paged back, newest first, until it passes the attempt's time or ends, however
many articles were published since: an article missed here would be created a second time.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from domain.errors import NewsdeskError
from publisher.zalo.client import ArticleSummary, ZaloClient

PAGE = 10  # some sources say getslice returns at most 10 per call
# Our media paths, under whichever public base URL signed them: /media/<token>/<sha256>.<ext>
_MEDIA = re.compile(r"/media/[0-9a-f]{32}/([0-9a-f]{64})\.[A-Za-z0-9]+$")


class ListingIncomplete(NewsdeskError):
    """Zalo's listing ended before the attempt's time although it says more exist: the
    outcome of the earlier create is still unknown, so nothing may be created."""


def _same(a: Any, b: Any) -> bool:
    return unicodedata.normalize("NFC", str(a or "")) == unicodedata.normalize("NFC", str(b or ""))


def _media_key(url: str) -> str:
    """The stored file behind one of our media URLs (the same whatever base URL or key signed
    it), else the URL itself."""
    found = _MEDIA.search(url)
    return found.group(1) if found else url


def matches(article: dict[str, Any], item: ArticleSummary, detail: dict[str, Any]) -> bool:
    """Same title, and the same cover; if Zalo re-hosted the cover (our URL appears nowhere),
    the same description and author instead."""
    if not _same(item.title, article["title"]):
        return False
    ours = (article.get("cover") or {}).get("photo_url", "")
    theirs = {item.thumb, (detail.get("cover") or {}).get("photo_url", "")}
    if ours and _media_key(ours) in {_media_key(t) for t in theirs if t}:
        return True
    return _same(detail.get("description"), article.get("description")) and _same(
        detail.get("author"), article.get("author")
    )


async def find_created(
    client: ZaloClient, article: dict[str, Any], /, *, since_ms: int
) -> str | None:
    """The id of an article matching `article` created at or after `since_ms`; None once the
    listing has passed `since_ms` (or ended) without one. Raises ListingIncomplete when the
    listing stops short, and Zalo errors as they come: both mean "still unknown"."""
    offset = 0
    while True:
        items, total = await client.list_articles(offset=offset, limit=PAGE)
        for item in items:
            if item.create_date and item.create_date < since_ms:
                return None  # newest first: everything further is older than our attempt
            if _same(item.title, article["title"]):
                detail = await client.get_article(item.id)
                if matches(article, item, detail):
                    return item.id
        offset += len(items)
        if offset >= total:
            return None  # the whole listing was read
        if not items:
            raise ListingIncomplete(f"getslice returned nothing at {offset} of {total}")
