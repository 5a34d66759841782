"""Image conversion (<= 1 MB, sharp posters, no EXIF), signed paths, video routing."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageDraw

from publisher.media import (
    MAX_IMAGE_BYTES,
    MediaError,
    check_media_path,
    media_path,
    prepare_image,
    video_goes_by_upload,
)


def noisy_photo(size: tuple[int, int]) -> bytes:
    """A photo-like JPEG that does not compress well (random noise over a gradient)."""
    rng = random.Random(7)
    image = Image.effect_noise(size, 80).convert("RGB")
    pixels = image.load()
    assert pixels is not None
    for x in range(0, size[0], 7):
        for y in range(0, size[1], 7):
            pixels[x, y] = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=98)
    return out.getvalue()


def poster_png(size: tuple[int, int] = (1600, 2200)) -> bytes:
    """A flat-colour poster with text lines."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0], 300), fill=(200, 16, 46))
    for row in range(40):
        draw.text((80, 400 + row * 40), "Thông báo tuyển dụng công chức năm 2026", fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_large_photo_becomes_a_jpeg_under_one_megabyte() -> None:
    source = noisy_photo((3000, 2000))
    assert len(source) > MAX_IMAGE_BYTES
    prepared = prepare_image(source)
    assert prepared.mime == "image/jpeg"
    assert len(prepared.data) <= MAX_IMAGE_BYTES
    assert max(prepared.width, prepared.height) <= 2560
    with Image.open(io.BytesIO(prepared.data)) as result:
        assert result.format == "JPEG"
        assert result.size == (prepared.width, prepared.height)


def test_one_megabyte_means_1_000_000_bytes() -> None:
    """GIVEN a photo whose first JPEG encoding is 1,018,399 bytes (under 1 MiB, over
    1,000,000) WHEN prepared THEN it comes out at most 1,000,000 bytes (a 1,038,649-byte
    image was sent while the limit was read as 1 MiB)."""
    side = 1020
    raw = bytes(96 + (b & 63) for b in random.Random(side).randbytes(side * side * 3))
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), raw).save(out, format="PNG")
    prepared = prepare_image(out.getvalue())
    assert MAX_IMAGE_BYTES == 1_000_000
    assert prepared.mime == "image/jpeg" and len(prepared.data) <= 1_000_000


def test_poster_stays_png_at_full_size() -> None:
    prepared = prepare_image(poster_png())
    assert (prepared.mime, prepared.ext) == ("image/png", "png")
    assert (prepared.width, prepared.height) == (1600, 2200)
    assert len(prepared.data) <= MAX_IMAGE_BYTES


def test_transparent_png_too_big_for_png_is_flattened_to_jpeg() -> None:
    image = Image.effect_noise((1400, 1400), 100).convert("RGBA")
    out = io.BytesIO()
    image.save(out, format="PNG")
    prepared = prepare_image(out.getvalue(), max_bytes=300_000)
    assert prepared.mime == "image/jpeg"
    assert len(prepared.data) <= 300_000


def test_exif_is_stripped_and_orientation_applied() -> None:
    image = Image.new("RGB", (200, 100), "blue")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    prepared = prepare_image(out.getvalue())
    assert (prepared.width, prepared.height) == (100, 200)
    with Image.open(io.BytesIO(prepared.data)) as result:
        assert dict(result.getexif()) == {}


def test_unreadable_file_is_a_media_error() -> None:
    with pytest.raises(MediaError):
        prepare_image(b"%PDF-1.7 not an image")


def test_media_path_is_signed() -> None:
    sha = "a" * 64
    path = media_path(sha, "jpg", secret=b"k1")
    _, _, token, name = path.split("/")
    assert name == f"{sha}.jpg"
    assert check_media_path(token, sha, secret=b"k1")
    assert not check_media_path(token, sha, secret=b"k2")
    assert not check_media_path(token, "b" * 64, secret=b"k1")


@pytest.mark.parametrize(
    ("size", "name", "expected"),
    [
        (10_000_000, "clip.mp4", True),
        (50 * 1024 * 1024, "clip.MP4", True),
        (50 * 1024 * 1024 + 1, "clip.mp4", False),
        (10_000_000, "clip.mov", False),
        (0, "clip.mp4", False),
    ],
)
def test_video_upload_or_link(size: int, name: str, expected: bool) -> None:
    assert video_goes_by_upload(size=size, filename=name) is expected


def test_pure_noise_photo_is_prepared_not_refused() -> None:
    """GIVEN a photo of pure noise (its optimised JPEG is larger than one byte per pixel, which
    made Pillow's one-piece save fail with "broken data stream") WHEN prepared THEN it comes
    out as a JPEG within the limit."""
    side = 1600
    raw = random.Random(7).randbytes(side * side * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), raw).save(out, format="PNG")
    prepared = prepare_image(out.getvalue())
    assert prepared.mime == "image/jpeg" and len(prepared.data) <= MAX_IMAGE_BYTES
