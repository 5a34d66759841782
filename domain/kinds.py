"""What a submission is: the kinds of communication product the letter names."""

from __future__ import annotations

from enum import StrEnum

from domain import glossary
from domain.text import vi_order_text


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
    COMMUNE = "commune"  # xã
    WARD = "ward"  # phường
    SPECIAL_ZONE = "special_zone"  # đặc khu (island special zones since 1/7/2025)
    PRESS = "press"
    OTHER = "other"


class UnitGroup(StrEnum):
    """How reports group units: departments, districts, communes and wards, press, others."""

    DEPARTMENTS = "departments"
    DISTRICTS = "districts"
    COMMUNES = "communes"
    PRESS = "press"
    OTHER = "other"


# The glossary's labels: the card, the receipt and the CLI say the same.
KIND_LABELS: dict[SubmissionKind, str] = {k: glossary.KIND_LABELS[k.value] for k in SubmissionKind}

UNIT_KIND_LABELS: dict[UnitKind, str] = {
    UnitKind.DEPARTMENT: "Sở, ban, ngành",
    UnitKind.DISTRICT: "Huyện, thành phố",
    UnitKind.COMMUNE: "Xã",
    UnitKind.WARD: "Phường",
    UnitKind.SPECIAL_ZONE: "Đặc khu",
    UnitKind.PRESS: "Cơ quan báo chí",
    UnitKind.OTHER: "Khác",
}

UNIT_GROUPS: dict[UnitKind, UnitGroup] = {
    UnitKind.DEPARTMENT: UnitGroup.DEPARTMENTS,
    UnitKind.DISTRICT: UnitGroup.DISTRICTS,
    UnitKind.COMMUNE: UnitGroup.COMMUNES,
    UnitKind.WARD: UnitGroup.COMMUNES,
    UnitKind.SPECIAL_ZONE: UnitGroup.COMMUNES,
    UnitKind.PRESS: UnitGroup.PRESS,
    UnitKind.OTHER: UnitGroup.OTHER,
}

UNIT_GROUP_LABELS: dict[UnitGroup, str] = {
    UnitGroup.DEPARTMENTS: "Sở, ban, ngành",
    UnitGroup.DISTRICTS: "Huyện, thành phố",
    UnitGroup.COMMUNES: "Xã, phường, đặc khu",
    UnitGroup.PRESS: "Cơ quan báo chí",
    UnitGroup.OTHER: "Khác",
}


def unit_group(kind: str) -> UnitGroup:
    """The report group of a unit kind (an unknown kind counts as other)."""
    try:
        return UNIT_GROUPS[UnitKind(kind)]
    except ValueError:
        return UnitGroup.OTHER


def unit_order_key(kind: str, name: str) -> str:
    """The order of the reports and the board as one string: by kind (departments, districts,
    ...), then Vietnamese alphabetical order of the name (stored as `Unit.order_key`)."""
    rank = next((i for i, k in enumerate(UnitKind) if k.value == str(kind)), 99)
    return f"{rank:02d}{vi_order_text(name)}"
