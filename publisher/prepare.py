"""From an approved submission to the article body: media converted, stored, given URLs."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from compose import Draft
from publisher import texts
from publisher.article import ImageRef, VideoRef, preview_text, zalo_article
from publisher.cover import default_cover
from publisher.media import (
    MediaError,
    prepare_image,
    public_url,
    video_goes_by_upload,
)
from publisher.zalo.client import ZaloClient
from publisher.zalo.errors import ZaloRejected
from settings import Settings
from sources.stored import load_draft
from storage.files import FileStore
from storage.models import Attachment, Submission

VIDEO_POLLS = 60
VIDEO_POLL_SECONDS = 5.0


def media_secret(settings: Settings) -> bytes:
    """The key that signs public media paths: the setting, else a per-install file.

    Every instance sharing the data directory must end with the same key, however many start
    at once: a new key is written to a temporary file and linked into place, which fails when
    another instance got there first; then everybody reads the winner.
    """
    configured = settings.zalo.media_secret.get_secret_value()
    if configured:
        return configured.encode()
    path = Path(settings.data_dir) / "media-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _create_once(path, secrets.token_hex(32).encode("ascii"))
    return path.read_text(encoding="ascii").strip().encode()


def _create_once(path: Path, content: bytes) -> None:
    """Put `content` at `path` unless a file is already there (never a half-written file)."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, content)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temp, path)  # atomic, and refuses to replace: the first link wins
    except FileExistsError:
        pass
    finally:
        temp.unlink()
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@dataclass
class MediaContext:
    """What turning files into public URLs needs."""

    files: FileStore
    base_url: str
    secret: bytes
    video_poll_seconds: float = VIDEO_POLL_SECONDS

    def url(self, sha256: str, ext: str) -> str:
        if self.base_url:
            return public_url(self.base_url, sha256, ext, secret=self.secret)
        # Dry run without a public server: the preview shows local files.
        return self.files.path(sha256).as_uri()

    def rebase(self, value: Any) -> Any:
        """`value` (an article body) with every media URL we signed, under whatever base URL
        and key, rebuilt under this instance's base URL and key (a resumed payload may hold
        another instance's, or an old, address)."""
        if isinstance(value, str):
            return _SIGNED.sub(lambda m: self.url(m.group(2), m.group(3)), value)
        if isinstance(value, list):
            return [self.rebase(item) for item in value]
        if isinstance(value, dict):
            return {key: self.rebase(item) for key, item in value.items()}
        return value


# A media URL as MediaContext.url() builds it: <base>/media/<token>/<sha256>.<ext>
_SIGNED = re.compile(r"https?://[^\s\"'<>]*?/media/([0-9a-f]{32})/([0-9a-f]{64})\.([A-Za-z0-9]+)")


async def _read(files: FileStore, item: Attachment) -> bytes:
    try:
        return await asyncio.to_thread(files.read, item.sha256)
    except OSError as exc:
        raise MediaError(
            texts.FILE_MISSING.format(filename=item.filename, error=exc.strerror)
        ) from None


def _kind(attachment: Attachment) -> str:
    if attachment.media in ("image", "video"):
        return attachment.media
    return attachment.content_type.split("/", 1)[0]


def _ext(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"


async def image_refs(attachments: list[Attachment], media: MediaContext) -> dict[int, ImageRef]:
    """Each image converted to JPEG/PNG <= 1 MB, stored, and given a public URL."""
    refs: dict[int, ImageRef] = {}
    for item in attachments:
        if _kind(item) != "image" or item.id is None:
            continue
        data = await _read(media.files, item)
        try:
            prepared = await asyncio.to_thread(prepare_image, data)
        except MediaError:
            continue  # an unreadable "image" is left out; the editor saw it on the card
        stored = await asyncio.to_thread(media.files.put, prepared.data, f"anh.{prepared.ext}")
        refs[item.id] = ImageRef(media.url(stored.sha256, prepared.ext), item.caption)
    return refs


async def upload_video(
    client: ZaloClient, data: bytes, filename: str, *, poll_seconds: float = VIDEO_POLL_SECONDS
) -> str:
    """Zalo's video flow: upload, then poll until converted; returns the video id."""
    token = await client.prepare_video(data, filename)
    for _ in range(VIDEO_POLLS):
        status = await client.video_status(token)
        if status.get("status") == 1 and status.get("video_id"):
            return str(status["video_id"])
        if status.get("status") in (2, 4, 5):
            message = str(status.get("status_message") or "video conversion failed")
            raise ZaloRejected(None, message, operation="video verify")
        await asyncio.sleep(poll_seconds)
    raise ZaloRejected(None, "video conversion did not finish", operation="video verify")


async def video_refs(
    attachments: list[Attachment], media: MediaContext, client: ZaloClient | None, thumb: str
) -> list[VideoRef]:
    """MP4 <= 50 MB through Zalo's video flow (live runs); anything else as a link."""
    refs: list[VideoRef] = []
    for item in attachments:
        if _kind(item) != "video":
            continue
        url = media.url(item.sha256, _ext(item.filename))
        if client is not None and video_goes_by_upload(
            size=item.size, filename=item.filename, mime=item.content_type
        ):
            data = await _read(media.files, item)
            video_id = await upload_video(
                client, data, item.filename, poll_seconds=media.video_poll_seconds
            )
            refs.append(VideoRef(video_id=video_id, thumb=thumb, name=item.filename))
        else:
            refs.append(VideoRef(url=url, name=item.filename))
    return refs


async def build_article(
    *,
    session: AsyncSession,
    submission: Submission,
    settings: Settings,
    media: MediaContext,
    client: ZaloClient | None,
) -> dict[str, Any]:
    """The `article/create` body for a submission's current draft (sources.stored +
    compose): its images prepared and given URLs, the cover the draft names."""
    draft, loaded = await load_draft(
        session=session,
        files=media.files,
        submission=submission,
        default_author=settings.org.department_name,
    )
    attachments = list(loaded.attachments.values())
    prepared = await image_refs(attachments, media)
    images = {
        name: prepared[a.id]
        for name, a in loaded.attachments.items()
        if a.id is not None and a.id in prepared
    }
    cover = images.get(draft.cover or "")
    author = draft.author or settings.org.department_name
    cover_url = cover.url if cover else await _default_cover_url(settings, media, author)
    videos = await video_refs(attachments, media, client, cover_url)
    return zalo_article(
        draft,
        images=images,
        cover_url=cover_url,
        videos=videos,
        fallback_title=submission.code,
        status=settings.zalo.article_status,
        comment="show",
    )


async def _default_cover_url(settings: Settings, media: MediaContext, unit_name: str) -> str:
    data = await asyncio.to_thread(default_cover, settings.zalo.oa_name, unit_name)
    stored = await asyncio.to_thread(media.files.put, data, "anh-bia.png")
    return media.url(stored.sha256, "png")


async def card_article(
    *, session: AsyncSession, files: FileStore, submission: Submission, settings: Settings
) -> tuple[dict[str, Any], Draft]:
    """The `article/create` body as build_article() lays it out, with each image named by
    its attachment's filename instead of a URL (no media work), and the draft."""
    draft, loaded = await load_draft(
        session=session,
        files=files,
        submission=submission,
        default_author=settings.org.department_name,
    )
    images = {
        name: ImageRef(name) for name, a in loaded.attachments.items() if _kind(a) == "image"
    }
    videos = [
        VideoRef(video_id="card", name=a.filename)
        for a in loaded.attachments.values()
        if _kind(a) == "video"
    ]
    article = zalo_article(
        draft,
        images=images,
        cover_url=draft.cover or "",
        videos=videos,
        fallback_title=submission.code,
        status=settings.zalo.article_status,
    )
    return article, draft


async def card_preview(
    *, session: AsyncSession, files: FileStore, submission: Submission, settings: Settings
) -> str:
    """The article as it would be published, as plain text for the review card."""
    article, _ = await card_article(
        session=session, files=files, submission=submission, settings=settings
    )
    return preview_text(article)
