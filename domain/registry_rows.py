"""Parsing registry CSV files into validated rows (pure; errors name the line)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from domain.errors import NewsdeskError
from domain.kinds import UnitKind
from domain.phones import PhoneError, display_phone, normalise_phone
from domain.text import clean, nfc

_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE = {"1", "true", "yes", "có", "co", "x", "y"}
_FALSE = {"0", "false", "no", "không", "khong", "n"}


class CsvRowError(NewsdeskError, ValueError):
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


@dataclass(frozen=True)
class CsvText:
    """A registry file decoded: its text (NFC) and the encoding it was read in."""

    text: str
    encoding: str


_DELIMITERS = {",": "dấu phẩy", ";": "dấu chấm phẩy", "\t": "dấu tab"}


def decode_csv(data: bytes) -> CsvText:
    """Bytes as Excel and other tools write them: UTF-8 with or without BOM, UTF-16 (Excel's
    "Unicode text"), windows-1258 (Excel's CSV on a Vietnamese Windows). Raises CsvRowError."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = [("utf-8-sig", "UTF-8")]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = [("utf-16", "UTF-16")]
    elif len(data) >= 2 and data[1::2].count(0) > len(data) // 4:
        candidates = [("utf-16-le", "UTF-16")]
    elif len(data) >= 2 and data[0::2].count(0) > len(data) // 4:
        candidates = [("utf-16-be", "UTF-16")]
    else:
        candidates = [("utf-8", "UTF-8"), ("cp1258", "windows-1258")]
    for codec, name in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        return CsvText(nfc(text.lstrip("\ufeff")), name)
    raise CsvRowError(
        [
            "không đọc được bảng mã của tệp (chỉ nhận UTF-8, UTF-16 hoặc windows-1258): "
            "trong Excel chọn Lưu thành > CSV UTF-8"
        ]
    )


def _split_header(line: str, delimiter: str) -> list[str]:
    return [clean(f).lower() for f in next(csv.reader([line], delimiter=delimiter), [])]


def _delimiter(header: str, known: set[str]) -> str:
    """The delimiter that makes the most known column names out of the header line."""

    def score(delimiter: str) -> tuple[int, int]:
        names = _split_header(header, delimiter)
        return sum(name in known for name in names), len(names)

    return max(_DELIMITERS, key=score)


def _read(
    text: str, *, required: tuple[tuple[str, ...], ...], known: set[str]
) -> list[tuple[int, dict[str, str]]]:
    """Rows with their line numbers, after the file's structure is checked: the delimiter
    (comma, semicolon or tab) found from the header, quotes balanced, every row as many
    cells as the header, the `required` columns present (each a tuple of accepted names,
    the first one shown). Raises CsvRowError naming the lines."""
    text = nfc(text.lstrip("\ufeff"))
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), None)
    if header_line is None:
        raise CsvRowError(["tệp trống: không có dòng tiêu đề"])
    delimiter = _delimiter(header_line, known)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    header_at = 0
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[str] = []
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error:
            if reader.line_num > start:  # an opened quote never closed before the end
                problems.append(
                    f'dòng {start}: dấu ngoặc kép (") mở ở dòng này chưa đóng (ô kéo dài tới '
                    "cuối tệp)"
                )
            else:  # text right after a closing quote
                problems.append(f'dòng {start}: dấu ngoặc kép (") không cân đối')
            raise CsvRowError(problems) from None
        line, end = start, reader.line_num
        start = end + 1
        if not any(cell.strip() for cell in record):
            continue
        if end > line:
            problems.append(
                f'dòng {line}: dấu ngoặc kép (") mở ở dòng này chưa đóng (ô kéo dài tới '
                f"dòng {end})"
            )
            raise CsvRowError(problems)
        if header is None:
            header, header_at = [clean(f).lower() for f in record], line
            missing = [names[0] for names in required if not any(n in header for n in names)]
            if missing:
                raise CsvRowError(
                    [
                        f"dòng {line}: dòng tiêu đề thiếu cột {', '.join(missing)} (đọc được: "
                        f"{', '.join(h for h in header if h) or 'không có cột nào'}; "
                        f"phân cách bằng {_DELIMITERS[delimiter]})"
                    ]
                )
            continue
        if len(record) != len(header):
            problems.append(
                f"dòng {line}: có {len(record)} cột, dòng tiêu đề (dòng {header_at}) có "
                f"{len(header)} cột"
            )
            continue
        cells = {name: clean(value) for name, value in zip(header, record, strict=True) if name}
        rows.append((line, cells))
    if problems:
        raise CsvRowError(problems)
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


UNIT_COLUMNS = {
    "code", "name_vi", "name", "kind", "counted", "valid_from", "valid_to", "successor", "emails"
}  # fmt: skip
OFFICER_COLUMNS = {"unit_code", "full_name", "position", "phone", "email", "telegram_user_id"}
CLI_OPTIONS = {"unit_code": "--unit", "full_name": "--name", "position": "--position"}


def parse_unit_csv(text: str) -> list[UnitRow]:
    """Rows of code,name_vi,kind[,counted,valid_from,valid_to,successor,emails]."""
    problems: list[str] = []
    rows: list[UnitRow] = []
    seen: dict[str, int] = {}
    required = (("code",), ("name_vi", "name"), ("kind",))
    for line, cells in _read(text, required=required, known=UNIT_COLUMNS):
        rows.append(_unit_row(line, cells, problems, seen))
    if problems:
        raise CsvRowError(problems)
    return rows


def looks_like_email(value: str) -> bool:
    """An address a mail can be sent to, as the imports accept it."""
    return bool(_EMAIL.match(value))


def check_unit(cells: dict[str, str]) -> tuple[UnitRow, list[str]]:
    """One unit as a form gives it (the CSV's column names and rules): the row and its
    problems (empty when valid)."""
    problems: list[str] = []
    row = _unit_row(0, {k: clean(v) for k, v in cells.items()}, problems, {})
    return row, [p.removeprefix("dòng 0: ") for p in problems]


def _unit_row(
    line: int, cells: dict[str, str], problems: list[str], seen: dict[str, int]
) -> UnitRow:
    code = cells.get("code", "").lower()
    name = cells.get("name_vi") or cells.get("name", "")
    kind_text = cells.get("kind", "").lower()
    if not code:
        problems.append(f"dòng {line}: thiếu mã đơn vị (cột code)")
    elif not _CODE.match(code):
        problems.append(f"dòng {line}: mã đơn vị không hợp lệ: {code!r}")
    if code and code in seen:
        problems.append(f"dòng {line}: mã {code!r} trùng với dòng {seen[code]}")
    seen[code] = line
    if not name:
        problems.append(f"dòng {line}: thiếu tên đơn vị (cột name_vi)")
    kinds = ", ".join(k.value for k in UnitKind)
    if not kind_text:
        problems.append(f"dòng {line}: thiếu loại đơn vị (cột kind: {kinds})")
        kind_text = "other"
    elif kind_text not in {k.value for k in UnitKind}:
        problems.append(f"dòng {line}: loại đơn vị không hợp lệ: {kind_text!r} ({kinds})")
        kind_text = "other"
    emails = cells.get("emails")
    addresses = None
    if emails is not None and "emails" in cells:
        addresses = tuple(a.strip().lower() for a in re.split(r"[;, ]+", emails) if a.strip())
        for address in addresses:
            if not (address.startswith("@") or _EMAIL.match(address)):
                problems.append(f"dòng {line}: địa chỉ email không hợp lệ: {address!r}")
    return UnitRow(
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


def check_officer(
    *,
    unit_code: str,
    full_name: str,
    position: str,
    phone: str = "",
    email: str = "",
    telegram_user_id: str = "",
    line: int = 0,
    options: bool = False,
) -> tuple[OfficerRow, list[str]]:
    """One officer's fields, validated the same way for `officers add` and `officers import`:
    the row (normalised) and the problems found (empty when it is usable). `options`: name
    the command's options instead of the CSV's columns."""

    def where(column: str) -> str:
        return CLI_OPTIONS[column] if options else f"cột {column}"

    problems: list[str] = []
    unit_code, full_name, position = clean(unit_code).lower(), clean(full_name), clean(position)
    if not unit_code:
        problems.append(f"thiếu mã đơn vị ({where('unit_code')})")
    if not full_name:
        problems.append(f"thiếu họ tên ({where('full_name')})")
    if not position:
        problems.append(f"thiếu chức vụ ({where('position')})")
    e164 = None
    if clean(phone):
        try:
            e164 = normalise_phone(clean(phone))
        except PhoneError as exc:
            problems.append(str(exc))
    address = clean(email).lower() or None
    if address and not _EMAIL.match(address):
        problems.append(f"địa chỉ email không hợp lệ: {address!r}")
    telegram_id = None
    if clean(telegram_user_id):
        if clean(telegram_user_id).isdigit():
            telegram_id = int(clean(telegram_user_id))
        else:
            problems.append(f"mã Telegram phải là số: {clean(telegram_user_id)!r}")
    row = OfficerRow(
        line=line,
        unit_code=unit_code,
        full_name=full_name,
        position=position,
        phone=e164,
        email=address,
        telegram_user_id=telegram_id,
    )
    return row, problems


def parse_officer_csv(text: str) -> list[OfficerRow]:
    """Rows of unit_code,full_name,position,phone,email[,telegram_user_id]."""
    problems: list[str] = []
    rows: list[OfficerRow] = []
    seen_phones: dict[str, int] = {}
    required = (("unit_code",), ("full_name",), ("position",))
    for line, cells in _read(text, required=required, known=OFFICER_COLUMNS):
        row, found = check_officer(
            unit_code=cells.get("unit_code", ""),
            full_name=cells.get("full_name", ""),
            position=cells.get("position", ""),
            phone=cells.get("phone", ""),
            email=cells.get("email", ""),
            telegram_user_id=cells.get("telegram_user_id", ""),
            line=line,
        )
        problems += [f"dòng {line}: {problem}" for problem in found]
        if row.phone and row.phone in seen_phones:
            problems.append(
                f"dòng {line}: số điện thoại {display_phone(row.phone)} trùng với dòng "
                f"{seen_phones[row.phone]}"
            )
        if row.phone:
            seen_phones.setdefault(row.phone, line)
        rows.append(row)
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


SUCCESSION_COLUMNS = {"code", "successor", "valid_to", "officers", "addresses"}
SUCCESSION_REQUIRED = (("code",), ("successor",), ("valid_to",))


def parse_succession_csv(text: str) -> list[SuccessionRow]:
    """Rows of code,successor,valid_to[,officers,addresses]; a unit's rows share one date."""
    problems: list[str] = []
    rows: list[SuccessionRow] = []
    dates: dict[str, tuple[date, int]] = {}
    carried: dict[tuple[str, str], int] = {}
    seen: set[tuple[str, str]] = set()
    for line, cells in _read(text, required=SUCCESSION_REQUIRED, known=SUCCESSION_COLUMNS):
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
