"""What a submission is: the kinds of communication product the letter names."""

from __future__ import annotations

from enum import StrEnum

from domain import glossary


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


# The glossary's labels: the card, the receipt and the CLI say the same.
KIND_LABELS: dict[SubmissionKind, str] = {k: glossary.KIND_LABELS[k.value] for k in SubmissionKind}

UNIT_KIND_LABELS: dict[UnitKind, str] = {
    UnitKind.DEPARTMENT: "Sở, ban, ngành",
    UnitKind.DISTRICT: "Huyện, thành phố",
    UnitKind.COMMUNE: "Xã, phường",
    UnitKind.PRESS: "Cơ quan báo chí",
    UnitKind.OTHER: "Khác",
}
