"""Unit presets from the official map: a province's communes and wards, the standard provincial
departments and the press units an operator names, and the plan that compares them with the
registry (what is added, ended, kept). Pure: the caller reads the registry and writes the plan.

The communes and wards come from the `vietnam-provinces` package, which ships the two-tier
administrative divisions in force since 1/7/2025 (no network access at run time).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from vietnam_provinces import Province, VietNamDivisionType, Ward

from domain.errors import NewsdeskError
from domain.kinds import UnitKind
from domain.text import ascii_fold, clean, vi_sort_key

_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_PREFIXES = ("tinh ", "thanh pho ", "tp. ", "tp ")
_WARD_KINDS = {
    VietNamDivisionType.XA: UnitKind.COMMUNE,
    VietNamDivisionType.PHUONG: UnitKind.WARD,
    VietNamDivisionType.DAC_KHU: UnitKind.SPECIAL_ZONE,
}
_TRUE = {"1", "true", "yes", "có", "co", "x", "y"}
_KIND_ORDER = {kind.value: rank for rank, kind in enumerate(UnitKind)}


class PresetError(NewsdeskError, ValueError):
    """A preset that cannot be built; the message is for the operator (Vietnamese)."""


@dataclass(frozen=True)
class PresetUnit:
    """A unit the preset wants to exist from its date on."""

    code: str
    name: str
    kind: UnitKind


@dataclass(frozen=True)
class Department:
    """A provincial body of the standard list; optional ones are added only when chosen."""

    code: str
    name: str
    optional: bool = False


@dataclass(frozen=True)
class ExistingUnit:
    """What the plan needs to know of a unit already in the registry."""

    code: str
    name: str
    kind: str
    valid_from: date | None = None
    valid_to: date | None = None
    # Has history: submissions, officers, reminders, invite codes, successions. A unit without
    # any (the default list imported on a new installation's first run) can be removed.
    used: bool = True

    def exists_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )


@dataclass(frozen=True)
class PresetPlan:
    """Units added (from `on`), ended (the day before `on`), kept (changed or not)."""

    on: date
    added: tuple[PresetUnit, ...] = ()
    ended: tuple[ExistingUnit, ...] = ()
    kept: tuple[PresetUnit, ...] = ()
    # Kept units whose name or kind changes, or that were ended and open again: (old, new).
    changed: tuple[tuple[ExistingUnit, PresetUnit], ...] = field(default_factory=tuple)
    # Units not in the preset and without any history, removed instead of ended (on request).
    removed: tuple[ExistingUnit, ...] = ()

    @property
    def last_day(self) -> date:
        """The last day of the units the plan ends."""
        return self.on - timedelta(days=1)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.ended or self.changed or self.removed)


# --- provinces ------------------------------------------------------------------------------

# Provinces merged into another on 1/7/2025 (Resolution 202/2025/QH15), so that their old
# name gets a useful answer: folded former name -> the province it is part of now.
MERGED_INTO = {
    "ha giang": "Tuyên Quang",
    "yen bai": "Lào Cai",
    "bac kan": "Thái Nguyên",
    "vinh phuc": "Phú Thọ",
    "hoa binh": "Phú Thọ",
    "bac giang": "Bắc Ninh",
    "thai binh": "Hưng Yên",
    "hai duong": "Thành phố Hải Phòng",
    "ha nam": "Ninh Bình",
    "nam dinh": "Ninh Bình",
    "quang binh": "Quảng Trị",
    "quang nam": "Thành phố Đà Nẵng",
    "kon tum": "Quảng Ngãi",
    "binh dinh": "Gia Lai",
    "ninh thuan": "Khánh Hòa",
    "dak nong": "Lâm Đồng",
    "binh thuan": "Lâm Đồng",
    "phu yen": "Đắk Lắk",
    "binh duong": "Thành phố Hồ Chí Minh",
    "ba ria vung tau": "Thành phố Hồ Chí Minh",
    "binh phuoc": "Đồng Nai",
    "long an": "Tây Ninh",
    "soc trang": "Thành phố Cần Thơ",
    "hau giang": "Thành phố Cần Thơ",
    "ben tre": "Vĩnh Long",
    "tra vinh": "Vĩnh Long",
    "tien giang": "Đồng Tháp",
    "bac lieu": "Cà Mau",
    "kien giang": "An Giang",
}


def _province_key(name: str) -> str:
    key = ascii_fold(name).lower().replace("-", " ")
    key = " ".join(key.split())
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix) :]
    return key


def find_province(name: str) -> Province:
    """The province (or centrally-run city) called `name`, matched without diacritics or case.

    "hung yen", "Hưng Yên", "tỉnh Hưng Yên" all work; an unknown name raises PresetError that
    lists the close names.
    """
    wanted = _province_key(name)
    provinces = {_province_key(p.name): p for p in Province.iter_all()}
    if wanted in provinces:
        return provinces[wanted]
    close = difflib.get_close_matches(wanted, list(provinces), n=5, cutoff=0.6)
    names = [provinces[k].name for k in close]
    if not names:  # also offer names that merely contain what was typed ("ha" -> Hà Nội, ...)
        names = [p.name for k, p in provinces.items() if wanted and wanted in k][:5]
    message = f"Không có tỉnh, thành phố tên {clean(name)!r}."
    if wanted in MERGED_INTO:
        current = MERGED_INTO[wanted]
        raise PresetError(
            f"{message} {clean(name)} đã hợp nhất vào {current} từ 01/07/2025 "
            f"(Nghị quyết 202/2025/QH15): dùng --province {current!r}."
        )
    if names:
        message += " Có phải: " + ", ".join(names) + "?"
    raise PresetError(message)


def is_city(province: Province) -> bool:
    """A centrally-run city (thành phố trực thuộc trung ương) rather than a province."""
    return province.division_type is VietNamDivisionType.THANH_PHO_TRUNG_UONG


def commune_units(province: Province) -> list[PresetUnit]:
    """The province's communes, wards and special zones, each as a unit of its own kind."""
    units = []
    for ward in Ward.iter_by_province(province.code):
        units.append(
            PresetUnit(
                code=ward.codename.replace("_", "-"),
                name=clean(ward.name),
                kind=_WARD_KINDS.get(ward.division_type, UnitKind.COMMUNE),
            )
        )
    return sorted(units, key=lambda u: u.code)


# --- departments and press ------------------------------------------------------------------


def parse_departments(text: str) -> list[Department]:
    """The standard departments from CSV rows of code,name_vi[,optional]."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    departments, problems = [], []
    for record in reader:
        cells = {clean(k).lower(): clean(v) for k, v in record.items() if k and v is not None}
        code, name = cells.get("code", "").lower(), cells.get("name_vi", "")
        if not _CODE.match(code) or not name:
            problems.append(f"dòng {reader.line_num}: cần mã hợp lệ và tên (code,name_vi)")
            continue
        optional = cells.get("optional", "").lower() in _TRUE
        departments.append(Department(code, name, optional))
    if problems:
        raise PresetError("Danh sách sở, ban, ngành không hợp lệ:\n" + "\n".join(problems))
    return departments


def department_units(
    departments: Sequence[Department], *, optional: Iterable[str], city: bool
) -> list[PresetUnit]:
    """The mandatory departments plus the chosen optional ones (unknown codes are an error)."""
    chosen = {c.strip().lower() for c in optional if c.strip()}
    known = {d.code for d in departments}
    unknown = sorted(chosen - known)
    if unknown:
        choices = ", ".join(d.code for d in departments if d.optional)
        raise PresetError(f"Không có sở mã {', '.join(unknown)}. Các sở tùy chọn: {choices}.")
    units = []
    for dept in departments:
        if dept.optional and dept.code not in chosen:
            continue
        name = dept.name
        if city:  # "Thanh tra tỉnh" -> "Thanh tra thành phố" in a centrally-run city
            name = re.sub(r"\btỉnh$", "thành phố", name)
        units.append(PresetUnit(dept.code, name, UnitKind.DEPARTMENT))
    return units


def slug(text: str) -> str:
    """A unit code from a name: ASCII letters and digits joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-")[:64]


def press_unit(value: str) -> PresetUnit:
    """A press unit from "Name" (its code made from the name) or "code=Name"."""
    code, sep, name = clean(value).partition("=")
    if not sep:
        code, name = slug(value), clean(value)
    code, name = code.strip().lower(), name.strip()
    if not name or not _CODE.match(code):
        raise PresetError(f"Cơ quan báo chí không hợp lệ: {value!r} (dùng 'Tên' hoặc 'mã=Tên').")
    return PresetUnit(code, name, UnitKind.PRESS)


def build_preset(
    province: Province,
    departments: Sequence[Department],
    *,
    optional: Iterable[str] = (),
    press: Iterable[str] = (),
) -> list[PresetUnit]:
    """Departments, then press units, then communes and wards; codes must not repeat."""
    units = [
        *department_units(departments, optional=optional, city=is_city(province)),
        *(press_unit(p) for p in press),
        *commune_units(province),
    ]
    seen: dict[str, str] = {}
    for unit in units:
        if unit.code in seen:
            raise PresetError(f"Mã {unit.code!r} dùng cho cả {seen[unit.code]} và {unit.name}.")
        seen[unit.code] = unit.name
    return units


# --- the plan -------------------------------------------------------------------------------


def plan_preset(
    existing: Sequence[ExistingUnit],
    wanted: Sequence[PresetUnit],
    *,
    on: date,
    keep: Iterable[str] = (),
    remove_unused: bool = False,
) -> PresetPlan:
    """Compare the registry with the preset as of `on`.

    Added: preset units not in the registry. Kept: preset units already there (changed when
    the name or kind differs, or when the unit had ended and opens again). Ended: units that
    exist on `on`, are not in the preset and are not in `keep`; they end the day before `on`.
    Units that ended earlier stay as they are, so running the same preset again changes nothing.
    With `remove_unused`, units that would end but have no history at all are removed instead
    (a new installation's default list, imported on first run, leaves no trace in reports).
    """
    by_code = {u.code: u for u in existing}
    keep_codes = {c.strip().lower() for c in keep}
    added, kept, changed = [], [], []
    for unit in wanted:
        old = by_code.get(unit.code)
        if old is None:
            added.append(unit)
            continue
        kept.append(unit)
        reopened = old.valid_to is not None and old.valid_to < on
        if old.name != unit.name or old.kind != unit.kind.value or reopened:
            changed.append((old, unit))
    wanted_codes = {u.code for u in wanted}
    ended = [
        u
        for u in existing
        if u.code not in wanted_codes
        and u.code not in keep_codes
        and u.exists_on(on)
        and (u.valid_from is None or u.valid_from < on)
    ]
    removed = [u for u in ended if remove_unused and not u.used]
    ended = [u for u in ended if not (remove_unused and not u.used)]
    added.sort(key=lambda u: (_KIND_ORDER.get(u.kind.value, 99), vi_sort_key(u.name)))
    ended.sort(key=lambda u: (_KIND_ORDER.get(u.kind, 99), vi_sort_key(u.name)))
    removed.sort(key=lambda u: (_KIND_ORDER.get(u.kind, 99), vi_sort_key(u.name)))
    return PresetPlan(on, tuple(added), tuple(ended), tuple(kept), tuple(changed), tuple(removed))
