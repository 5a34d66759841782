"""Parsing registry CSV files into validated rows (pure; errors name the line)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from domain.kinds import UnitKind
from domain.phones import PhoneError, normalise_phone
from domain.text import clean

_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE = {"1", "true", "yes", "có", "co", "x", "y"}
_FALSE = {"0", "false", "no", "không", "khong", "n"}


class CsvRowError(ValueError):
    """All problems found in a file, each naming its line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class UnitRow:
    line: int
    code: str
    name: str
    kind: UnitKind
    counted: bool = True
    valid_from: date | None = None
    valid_to: date | None = None
    successor_code: str | None = None
    addresses: tuple[str, ...] | None = None


@dataclass(frozen=True)
class OfficerRow:
    line: int
    unit_code: str
    full_name: str
    position: str
    phone: str | None
    email: str | None
    telegram_user_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _read(text: str) -> list[tuple[int, dict[str, str]]]:
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        raise CsvRowError(["tệp trống: không có dòng tiêu đề"])
    reader.fieldnames = [clean(f).lower() for f in reader.fieldnames]
    rows = []
    for record in reader:
        cells = {k: clean(v) for k, v in record.items() if k is not None and isinstance(v, str)}
        if any(cells.values()):
            rows.append((reader.line_num, cells))
    return rows


def _date(value: str, line: int, column: str, problems: list[str]) -> date | None:
    if not value:
        return None
    for fmt_value in (value, "-".join(reversed(value.split("/")))):
        try:
            return date.fromisoformat(fmt_value)
        except ValueError:
            continue
    problems.append(f"dòng {line}: cột {column} không phải ngày hợp lệ: {value!r}")
    return None


def _flag(value: str, line: int, column: str, problems: list[str]) -> bool:
    if not value or value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    problems.append(f"dòng {line}: cột {column} phải là có/không (1/0): {value!r}")
    return True


def parse_unit_csv(text: str) -> list[UnitRow]:
    """Rows of code,name_vi,kind[,counted,valid_from,valid_to,successor,emails]."""
    problems: list[str] = []
    rows: list[UnitRow] = []
    seen: dict[str, int] = {}
    for line, cells in _read(text):
        code = cells.get("code", "").lower()
        name = cells.get("name_vi") or cells.get("name", "")
        kind_text = cells.get("kind", "other").lower() or "other"
        if not _CODE.match(code):
            problems.append(f"dòng {line}: mã đơn vị không hợp lệ: {code!r}")
        if code in seen:
            problems.append(f"dòng {line}: mã {code!r} trùng với dòng {seen[code]}")
        seen[code] = line
        if not name:
            problems.append(f"dòng {line}: thiếu tên đơn vị (cột name_vi)")
        if kind_text not in {k.value for k in UnitKind}:
            problems.append(f"dòng {line}: loại đơn vị không hợp lệ: {kind_text!r}")
            kind_text = "other"
        emails = cells.get("emails")
        addresses = None
        if emails is not None and "emails" in cells:
            addresses = tuple(a.strip().lower() for a in re.split(r"[;, ]+", emails) if a.strip())
            for address in addresses:
                if not (address.startswith("@") or _EMAIL.match(address)):
                    problems.append(f"dòng {line}: địa chỉ email không hợp lệ: {address!r}")
        rows.append(
            UnitRow(
                line=line,
                code=code,
                name=name,
                kind=UnitKind(kind_text),
                counted=_flag(cells.get("counted", ""), line, "counted", problems),
                valid_from=_date(cells.get("valid_from", ""), line, "valid_from", problems),
                valid_to=_date(cells.get("valid_to", ""), line, "valid_to", problems),
                successor_code=cells.get("successor", "").lower() or None,
                addresses=addresses,
            )
        )
    if problems:
        raise CsvRowError(problems)
    return rows


def parse_officer_csv(text: str) -> list[OfficerRow]:
    """Rows of unit_code,full_name,position,phone,email[,telegram_user_id]."""
    problems: list[str] = []
    rows: list[OfficerRow] = []
    for line, cells in _read(text):
        unit_code = cells.get("unit_code", "").lower()
        name = cells.get("full_name", "")
        if not unit_code:
            problems.append(f"dòng {line}: thiếu mã đơn vị (cột unit_code)")
        if not name:
            problems.append(f"dòng {line}: thiếu họ tên (cột full_name)")
        phone = None
        if cells.get("phone"):
            try:
                phone = normalise_phone(cells["phone"])
            except PhoneError as exc:
                problems.append(f"dòng {line}: {exc}")
        email = cells.get("email", "").lower() or None
        if email and not _EMAIL.match(email):
            problems.append(f"dòng {line}: địa chỉ email không hợp lệ: {email!r}")
        telegram_id = None
        if cells.get("telegram_user_id"):
            if cells["telegram_user_id"].isdigit():
                telegram_id = int(cells["telegram_user_id"])
            else:
                problems.append(f"dòng {line}: telegram_user_id phải là số")
        rows.append(
            OfficerRow(
                line=line,
                unit_code=unit_code,
                full_name=name,
                position=cells.get("position", ""),
                phone=phone,
                email=email,
                telegram_user_id=telegram_id,
            )
        )
    if problems:
        raise CsvRowError(problems)
    return rows


@dataclass(frozen=True)
class SuccessionRow:
    """One successor of a unit that ends: code ends after valid_to, successor takes over.

    `officers` / `addresses`: the unit's active officers / known addresses move to this
    successor (at most one successor per unit for each).
    """

    line: int
    code: str
    successor: str
    valid_to: date
    officers: bool = False
    addresses: bool = False


def parse_succession_csv(text: str) -> list[SuccessionRow]:
    """Rows of code,successor,valid_to[,officers,addresses]; a unit's rows share one date."""
    problems: list[str] = []
    rows: list[SuccessionRow] = []
    dates: dict[str, tuple[date, int]] = {}
    carried: dict[tuple[str, str], int] = {}
    seen: set[tuple[str, str]] = set()
    for line, cells in _read(text):
        code = cells.get("code", "").lower()
        successor = cells.get("successor", "").lower()
        for column, value in (("code", code), ("successor", successor)):
            if not _CODE.match(value):
                problems.append(f"dòng {line}: cột {column}: mã đơn vị không hợp lệ: {value!r}")
        if code and code == successor:
            problems.append(f"dòng {line}: đơn vị {code!r} không thể tự kế thừa chính mình")
        if (code, successor) in seen:
            problems.append(f"dòng {line}: cặp {code} -> {successor} bị lặp")
        seen.add((code, successor))
        last_day = _date(cells.get("valid_to", ""), line, "valid_to", problems)
        if last_day is None and not cells.get("valid_to"):
            problems.append(f"dòng {line}: thiếu ngày cuối cùng đơn vị tồn tại (cột valid_to)")
        if last_day is not None:
            first = dates.setdefault(code, (last_day, line))
            if first[0] != last_day:
                problems.append(
                    f"dòng {line}: đơn vị {code} đã có ngày kết thúc khác ở dòng {first[1]}"
                )
        officers = _flag(cells.get("officers", "0") or "0", line, "officers", problems)
        addresses = _flag(cells.get("addresses", "0") or "0", line, "addresses", problems)
        for what, flag in (("officers", officers), ("addresses", addresses)):
            if flag and (code, what) in carried:
                problems.append(
                    f"dòng {line}: {what} của {code} đã chuyển cho đơn vị khác ở dòng "
                    f"{carried[(code, what)]} (chỉ một đơn vị nhận)"
                )
            elif flag:
                carried[(code, what)] = line
        if last_day is not None:
            rows.append(SuccessionRow(line, code, successor, last_day, officers, addresses))
    if not rows and not problems:
        problems.append("tệp không có dòng nào (cần code,successor,valid_to)")
    if problems:
        raise CsvRowError(problems)
    return rows
