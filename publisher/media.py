"""Media for articles: images converted to JPEG/PNG of at most 1 MB, signed public paths, videos.

Zalo's article API takes images only as public URLs, each at most 1 MB; videos up to 50 MB (MP4)
go through the upload flow, larger ones become a link.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from domain.errors import NewsdeskError

# Zalo says "1 MB": 1,000,000 bytes is the reading that cannot be refused (1 MiB can).
MAX_IMAGE_BYTES = 1_000_000
MAX_VIDEO_BYTES = 50 * 1024 * 1024
# A poster's small print stays readable at this size on a phone and on Zalo's web view.
MAX_SIDE = 2560
MIN_SIDE = 1024
JPEG_QUALITIES = (92, 88, 84, 80)
JPEG_FLOOR_QUALITIES = (75, 70, 60)


class MediaError(NewsdeskError, ValueError):
    """The file is not a usable image or video."""


@dataclass(frozen=True)
class PreparedImage:
    """An image ready for Zalo: bytes, MIME type, extension and size."""

    data: bytes
    mime: str
    ext: str
    width: int
    height: int


def prepare_image(data: bytes, /, *, max_bytes: int = MAX_IMAGE_BYTES) -> PreparedImage:
    """Convert any readable image to a JPEG or PNG of at most `max_bytes`, metadata stripped.

    Re-encoding always drops EXIF (GPS positions of officers' phones must not go public).
    Flat-colour images (posters, screenshots, PNG sources) try PNG first; photos go to JPEG
    with 4:4:4 chroma so red-on-white text stays crisp; the image shrinks before quality drops.
    """
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.load()
            fmt = source.format or ""
            image = ImageOps.exif_transpose(source)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise MediaError(f"not a readable image: {exc}") from None
    image = _fit(image, MAX_SIDE)
    if fmt in ("PNG", "GIF", "BMP") or image.mode in ("P", "LA", "RGBA", "1"):
        png = _png(image)
        if len(png) <= max_bytes:
            return PreparedImage(png, "image/png", "png", image.width, image.height)
    return _jpeg_within(_flatten(image), max_bytes)


def _fit(image: Image.Image, side: int) -> Image.Image:
    if max(image.size) <= side:
        return image
    scale = side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _png(image: Image.Image) -> bytes:
    if image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
        image = image.convert("RGBA")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


def _jpeg(image: Image.Image, quality: int, *, subsampling: int) -> bytes:
    out = io.BytesIO()
    try:
        image.save(
            out,
            format="JPEG",
            quality=quality,
            subsampling=subsampling,
            optimize=True,
            progressive=True,
        )
    except OSError:
        # An optimised or progressive JPEG is written in one piece into a buffer Pillow sizes
        # at about one byte per pixel; very noisy pictures need more and the save fails
        # ("broken data stream"). A baseline JPEG is written in pieces and always succeeds.
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=quality, subsampling=subsampling)
    return out.getvalue()


def _jpeg_within(image: Image.Image, max_bytes: int) -> PreparedImage:
    current = image
    while True:
        for quality in JPEG_QUALITIES:
            data = _jpeg(current, quality, subsampling=0)
            if len(data) <= max_bytes:
                return PreparedImage(data, "image/jpeg", "jpg", current.width, current.height)
        if max(current.size) <= MIN_SIDE:
            break
        current = _fit(image, max(MIN_SIDE, int(max(current.size) * 0.8)))
    for quality in JPEG_FLOOR_QUALITIES:
        data = _jpeg(current, quality, subsampling=2)
        if len(data) <= max_bytes:
            return PreparedImage(data, "image/jpeg", "jpg", current.width, current.height)
    # Pathological noise: keep shrinking at the floor quality until it fits.
    while max(current.size) > 64:
        current = _fit(current, int(max(current.size) * 0.7))
        data = _jpeg(current, 60, subsampling=2)
        if len(data) <= max_bytes:
            return PreparedImage(data, "image/jpeg", "jpg", current.width, current.height)
    raise MediaError("image cannot be brought under the size limit")


# --- public paths ------------------------------------------------------------------------------


def media_token(sha256: str, /, *, secret: bytes) -> str:
    """An unguessable token for a stored file: only the publisher can mint it."""
    return hmac.new(secret, sha256.encode("ascii"), hashlib.sha256).hexdigest()[:32]


def media_path(sha256: str, ext: str, /, *, secret: bytes) -> str:
    """The public path of a stored file, e.g. `/media/<token>/<sha256>.jpg`."""
    return f"/media/{media_token(sha256, secret=secret)}/{sha256}.{ext}"


def check_media_path(token: str, sha256: str, /, *, secret: bytes) -> bool:
    """True when `token` was minted for `sha256` with our secret."""
    expected = media_token(sha256, secret=secret)
    return len(sha256) == 64 and hmac.compare_digest(expected, token)


def public_url(base_url: str, sha256: str, ext: str, /, *, secret: bytes) -> str:
    """The full public URL under the configured base URL."""
    return base_url.rstrip("/") + media_path(sha256, ext, secret=secret)


# --- video -------------------------------------------------------------------------------------


def video_goes_by_upload(*, size: int, filename: str, mime: str = "") -> bool:
    """MP4 of at most 50 MB goes through Zalo's video flow; anything else becomes a link."""
    is_mp4 = filename.lower().endswith(".mp4") or mime == "video/mp4"
    return is_mp4 and 0 < size <= MAX_VIDEO_BYTES
