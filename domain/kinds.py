"""What a submission is: the kinds of communication product the letter names."""

from __future__ import annotations

from enum import StrEnum


class SubmissionKind(StrEnum):
    """The kinds of communication product (tin, bài, hình ảnh, poster, video)."""

    NEWS = "news"
    ARTICLE = "article"
    IMAGE = "image"
    POSTER = "poster"
    VIDEO = "video"
    OTHER = "other"


class Channel(StrEnum):
    """How a submission reached us."""

    EMAIL = "email"
    TELEGRAM = "telegram"
    CLI = "cli"


class UnitKind(StrEnum):
    """Kinds of unit in the registry."""

    DEPARTMENT = "department"
    DISTRICT = "district"
    COMMUNE = "commune"
    PRESS = "press"
    OTHER = "other"


KIND_LABELS: dict[SubmissionKind, str] = {
    SubmissionKind.NEWS: "Tin",
    SubmissionKind.ARTICLE: "Bài viết",
    SubmissionKind.IMAGE: "Hình ảnh",
    SubmissionKind.POSTER: "Poster",
    SubmissionKind.VIDEO: "Video",
    SubmissionKind.OTHER: "Khác",
}

UNIT_KIND_LABELS: dict[UnitKind, str] = {
    UnitKind.DEPARTMENT: "Sở, ban, ngành",
    UnitKind.DISTRICT: "Huyện, thành phố",
    UnitKind.COMMUNE: "Xã, phường",
    UnitKind.PRESS: "Cơ quan báo chí",
    UnitKind.OTHER: "Khác",
}
