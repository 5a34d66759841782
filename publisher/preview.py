"""Dry run output: the JSON that would be sent and an HTML page that looks like the article."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from publisher.zalo.client import dumps

STYLE = (
    "body{font-family:Arial,sans-serif;max-width:720px;margin:2em auto;color:#222;"
    "line-height:1.5}img{max-width:100%}figure{margin:1em 0}figcaption{color:#666;"
    "font-size:.9em;text-align:center}.meta{color:#666}.note{background:#fff3cd;padding:.5em}"
)


def render_html(article: dict[str, Any], /, *, oa_name: str, note: str = "") -> str:
    """A self-contained HTML preview of an `article/create` body."""
    parts = [
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'>",
        f"<title>{escape(article['title'])}</title><style>{STYLE}</style></head><body>",
    ]
    if note:
        parts.append(f"<p class='note'>{escape(note)}</p>")
    cover = article.get("cover") or {}
    if cover.get("photo_url"):
        parts.append(f"<img src='{escape(cover['photo_url'])}' alt=''>")
    parts += [
        f"<h1>{escape(article['title'])}</h1>",
        f"<p class='meta'>{escape(oa_name)} · {escape(article.get('author', ''))}</p>",
        f"<p><strong>{escape(article.get('description', ''))}</strong></p>",
    ]
    parts += [_item(item) for item in article.get("body", [])]
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _item(item: dict[str, Any]) -> str:
    if item["type"] == "text":
        return f"<p>{escape(item['content'])}</p>"
    if item["type"] == "image":
        caption = item.get("caption", "")
        figcaption = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
        return f"<figure><img src='{escape(item['url'])}' alt=''>{figcaption}</figure>"
    if item["type"] == "video":
        return f"<p>[Video {escape(item.get('video_id') or item.get('url', ''))}]</p>"
    return ""


def write_preview(
    out_dir: Path, stem: str, article: dict[str, Any], /, *, oa_name: str, note: str = ""
) -> tuple[Path, Path]:
    """Write `<stem>.json` and `<stem>.html`; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out_dir / f"{stem}.json", out_dir / f"{stem}.html"
    json_path.write_text(dumps(article) + "\n", encoding="utf-8")
    html_path.write_text(render_html(article, oa_name=oa_name, note=note), encoding="utf-8")
    return json_path, html_path
