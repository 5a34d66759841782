"""After a create with an unknown outcome: look for the article on Zalo before creating again."""

from __future__ import annotations

import unicodedata
from typing import Any

from publisher.zalo.client import ArticleSummary, ZaloClient

PAGE = 10  # some sources say getslice returns at most 10 per call
MAX_PAGES = 10


def _same(a: Any, b: Any) -> bool:
    return unicodedata.normalize("NFC", str(a or "")) == unicodedata.normalize("NFC", str(b or ""))


def matches(article: dict[str, Any], item: ArticleSummary, detail: dict[str, Any]) -> bool:
    """Same title, and the same cover; if Zalo re-hosted the cover (our URL appears nowhere),
    the same description and author instead."""
    if not _same(item.title, article["title"]):
        return False
    ours = (article.get("cover") or {}).get("photo_url", "")
    theirs = {item.thumb, (detail.get("cover") or {}).get("photo_url", "")}
    if ours and ours in theirs:
        return True
    return _same(detail.get("description"), article.get("description")) and _same(
        detail.get("author"), article.get("author")
    )


async def find_created(
    client: ZaloClient, article: dict[str, Any], /, *, since_ms: int
) -> str | None:
    """The id of an article matching `article` created at or after `since_ms`, else None."""
    for page in range(MAX_PAGES):
        items, total = await client.list_articles(offset=page * PAGE, limit=PAGE)
        for item in items:
            if item.create_date and item.create_date < since_ms:
                return None  # newest first: everything further is older than our attempt
            if _same(item.title, article["title"]):
                detail = await client.get_article(item.id)
                if matches(article, item, detail):
                    return item.id
        if (page + 1) * PAGE >= total:
            return None
    return None
