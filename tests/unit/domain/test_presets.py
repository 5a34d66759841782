"""Unit presets and successions on the real `vietnam-provinces` data (no network)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from vietnam_provinces import ProvinceCode, Ward

from domain.kinds import UnitKind
from domain.presets import (
    MERGED_INTO,
    ExistingUnit,
    PresetError,
    PresetUnit,
    build_preset,
    find_province,
    parse_departments,
    plan_preset,
    press_unit,
)
from domain.registry_rows import CsvRowError, parse_succession_csv, parse_unit_csv
from settings import DEFAULT_DEPARTMENTS_CSV, DEFAULT_UNITS_CSV
from tests.support.paths import ROOT

DATA = ROOT / "data"
DEPARTMENTS = parse_departments(DEFAULT_DEPARTMENTS_CSV.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "typed", ["Hưng Yên", "hung yen", "HƯNG YÊN", "tỉnh Hưng Yên", " hưng  yên"]
)
def test_province_matched_without_diacritics(typed: str) -> None:
    assert find_province(typed).code is ProvinceCode.P_33


def test_unknown_province_lists_the_close_ones() -> None:
    with pytest.raises(PresetError) as typo:
        find_province("hung yn")
    assert "Có phải: Hưng Yên?" in str(typo.value)
    with pytest.raises(PresetError) as merged:
        find_province("thai binh")  # merged into Hưng Yên on 1/7/2025
    assert str(merged.value) == (
        "Không có tỉnh, thành phố tên 'thai binh'. thai binh đã hợp nhất vào Hưng Yên từ "
        "01/07/2025 (Nghị quyết 202/2025/QH15): dùng --province 'Hưng Yên'."
    )


def test_every_former_province_points_at_a_current_one() -> None:
    assert len(MERGED_INTO) == 63 - 34
    assert {find_province(name).name for name in MERGED_INTO.values()} == set(MERGED_INTO.values())
    for former in MERGED_INTO:
        with pytest.raises(PresetError, match="đã hợp nhất vào"):
            find_province(former)


def test_hung_yen_preset_counts_by_kind() -> None:
    units = build_preset(find_province("hung yen"), DEPARTMENTS, press=["Báo Hưng Yên"])
    kinds = Counter(u.kind for u in units)
    assert kinds == {
        UnitKind.DEPARTMENT: 12,  # Decree 45/2025's uniform bodies; optional ones are off
        UnitKind.COMMUNE: 93,
        UnitKind.WARD: 11,  # 104 commune-level units (NQ 1666/NQ-UBTVQH15)
        UnitKind.PRESS: 1,
    }
    by_code = {u.code: u for u in units}
    assert by_code["xa-than-khe"] == PresetUnit("xa-than-khe", "Xã Thần Khê", UnitKind.COMMUNE)
    assert by_code["phuong-pho-hien"].kind is UnitKind.WARD
    assert by_code["xa-bac-dong-quan"].name == "Xã Bắc Đông Quan"  # the data's double space
    assert by_code["bao-hung-yen"].kind is UnitKind.PRESS
    assert by_code["van-phong-ubnd-tinh"].name == "Văn phòng Ủy ban nhân dân tỉnh"
    assert "so-ngoai-vu" not in by_code and "so-thong-tin-truyen-thong" not in by_code


def test_optional_departments_and_city_names() -> None:
    hanoi = build_preset(find_province("ha noi"), DEPARTMENTS, optional=["so-quy-hoach-kien-truc"])
    names = {u.code: u.name for u in hanoi}
    assert names["thanh-tra-tinh"] == "Thanh tra thành phố"
    assert names["van-phong-ubnd-tinh"] == "Văn phòng Ủy ban nhân dân thành phố"
    assert names["so-quy-hoach-kien-truc"] == "Sở Quy hoạch - Kiến trúc"
    with pytest.raises(PresetError, match="so-ngoai-vu, so-dan-toc-ton-giao"):
        build_preset(find_province("hung yen"), DEPARTMENTS, optional=["so-mat-trang"])


def test_special_zones_are_their_own_kind() -> None:
    quang_ninh = build_preset(find_province("quang ninh"), DEPARTMENTS)
    zones = {u.name for u in quang_ninh if u.kind is UnitKind.SPECIAL_ZONE}
    assert zones == {"Đặc khu Vân Đồn", "Đặc khu Cô Tô"}


def test_press_unit_code_given_or_made_from_the_name() -> None:
    assert press_unit("Báo và Phát thanh, Truyền hình Hưng Yên").code == (
        "bao-va-phat-thanh-truyen-hinh-hung-yen"
    )
    assert press_unit("bao-hy=Báo Hưng Yên") == PresetUnit(
        "bao-hy", "Báo Hưng Yên", UnitKind.PRESS
    )
    with pytest.raises(PresetError):
        press_unit("=Báo")


def test_plan_adds_ends_keeps_and_is_idempotent() -> None:
    wanted = build_preset(find_province("hung yen"), DEPARTMENTS)
    thai_binh = parse_unit_csv(DEFAULT_UNITS_CSV.read_text(encoding="utf-8"))
    existing = [ExistingUnit(r.code, r.name, r.kind.value) for r in thai_binh]
    plan = plan_preset(existing, wanted, on=date(2025, 7, 1), keep=["cong-ttdt-tinh"])
    assert len(plan.added) == 105 and len(plan.kept) == 11 and plan.changed == ()
    ended = {u.code for u in plan.ended}
    assert {"h-hung-ha", "tp-thai-binh", "so-thong-tin-truyen-thong", "bao-thai-binh"} <= ended
    assert "cong-ttdt-tinh" not in ended and "so-y-te" not in ended
    assert len(ended) == 30 - 11 - 1 and plan.last_day == date(2025, 6, 30)
    # The registry after the plan: nothing left to do.
    after = [
        *(ExistingUnit(u.code, u.name, u.kind.value, valid_from=plan.on) for u in plan.added),
        *(ExistingUnit(u.code, u.name, u.kind, valid_to=plan.last_day) for u in plan.ended),
        *(u for u in existing if u.code not in ended),
    ]
    again = plan_preset(after, wanted, on=date(2025, 7, 1), keep=["cong-ttdt-tinh"])
    assert not again.has_changes and len(again.kept) == 116


def test_plan_reopens_and_renames_kept_units() -> None:
    wanted = [PresetUnit("so-y-te", "Sở Y tế", UnitKind.DEPARTMENT)]
    existing = [ExistingUnit("so-y-te", "Sở Y Tế cũ", "department", valid_to=date(2024, 1, 1))]
    plan = plan_preset(existing, wanted, on=date(2025, 7, 1))
    assert plan.changed == ((existing[0], wanted[0]),) and plan.ended == ()


def test_shipped_thai_binh_succession_covers_the_former_districts() -> None:
    rows = parse_succession_csv(
        (DATA / "succession-thai-binh-2025.csv").read_text(encoding="utf-8")
    )
    hung_yen = {w.codename.replace("_", "-") for w in Ward.iter_by_province(ProvinceCode.P_33)}
    districts = {r.code for r in rows if r.code.startswith(("h-", "tp-"))}
    assert len(districts) == 8
    communes = [r.successor for r in rows if r.code in districts]
    assert set(communes) <= hung_yen and len(communes) == len(set(communes)) == 65
    assert all(r.valid_to == date(2025, 6, 30) for r in rows if r.code in districts)
    assert ("h-hung-ha", "xa-than-khe") in {(r.code, r.successor) for r in rows}
    first = {}
    for row in rows:
        first.setdefault(row.code, row.successor)
    assert first["h-hung-ha"] == "xa-hung-ha" and first["tp-thai-binh"] == "phuong-thai-binh"
    tttt = [r for r in rows if r.code == "so-thong-tin-truyen-thong"]
    assert [(r.successor, r.valid_to, r.officers) for r in tttt] == [
        ("so-khoa-hoc-cong-nghe", date(2025, 2, 28), True)
    ]


def test_succession_csv_errors_name_their_lines() -> None:
    text = (
        "code,successor,valid_to,officers\n"
        "h-a,xa-b,2025-06-30,1\n"
        "h-a,xa-c,2025-07-30,1\n"
        "h-b,h-b,30/06/2025,0\n"
        "h-c,xa-d,,0\n"
    )
    with pytest.raises(CsvRowError) as caught:
        parse_succession_csv(text)
    problems = "\n".join(caught.value.problems)
    assert "dòng 3: đơn vị h-a đã có ngày kết thúc khác ở dòng 2" in problems
    assert "dòng 3: officers của h-a đã chuyển cho đơn vị khác ở dòng 2" in problems
    assert "dòng 4: đơn vị 'h-b' không thể tự kế thừa chính mình" in problems
    assert "dòng 5: thiếu ngày cuối cùng" in problems


def test_plan_removes_only_unused_units_when_asked() -> None:
    wanted = [PresetUnit("so-y-te", "Sở Y tế", UnitKind.DEPARTMENT)]
    existing = [
        ExistingUnit("so-y-te", "Sở Y tế", "department", used=False),
        ExistingUnit("h-a", "Huyện A", "district", used=False),
        ExistingUnit("h-b", "Huyện B", "district", used=True),
    ]
    plain = plan_preset(existing, wanted, on=date(2026, 1, 1))
    assert [u.code for u in plain.ended] == ["h-a", "h-b"] and plain.removed == ()
    plan = plan_preset(existing, wanted, on=date(2026, 1, 1), remove_unused=True)
    assert [u.code for u in plan.ended] == ["h-b"]
    assert [u.code for u in plan.removed] == ["h-a"] and plan.has_changes
