"""Reach figures in plain data: "—" for what Zalo never said, Vietnamese numbers, the PNG."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image

from reports import render, texts
from reports.chart import followers_png
from reports.figures import MonthReach, OaReach, UnitReach
from scheduler.texts import HowToSubmit, reach_body


def test_numbers_in_vietnamese_and_dashes_for_missing_figures() -> None:
    assert texts.fmt_count(1234567) == "1.234.567"
    assert texts.fmt_count(None) == "—"
    assert texts.fmt_growth(300) == "+300" and texts.fmt_growth(-1200) == "-1.200"
    assert texts.fmt_growth(None) == "—"


def test_unit_and_oa_figures() -> None:
    assert UnitReach(2, 1353).views_per_article == 676.5
    assert UnitReach(0, 0).views_per_article is None
    assert UnitReach(3, None).views_per_article is None
    assert OaReach(1000, 1300).growth == 300
    assert OaReach(None, 1300).growth is None
    assert render.reach_cells(UnitReach(2, 1353, 4)) == [2, 1353, 676.5]
    assert render.reach_cells(UnitReach()) == [0, "—", "—"]


def test_a_unit_without_articles_shows_zero_only_when_zalo_gave_figures() -> None:
    known = MonthReach("2026-11", date(2026, 12, 3), {"a": UnitReach(1, 10, 0)})
    unknown = MonthReach("2026-11", None)
    assert known.of("b") == UnitReach(0, 0, 0) and unknown.of("b") == UnitReach()
    assert known.total == UnitReach(1, 10, 0) and unknown.total == UnitReach(0, None, None)
    assert texts.reach_summary(unknown) == [texts.SUMMARY_NO_REACH]
    assert texts.reach_summary(known)[0] == (
        "Lượt xem các tin, bài đăng trên Trang Zalo OA trong tháng: 10 (1 tin, bài)."
    )
    assert render.reach_note(known).endswith("tính đến 03/12/2026; «—»: chưa có số liệu.")


def test_the_officer_hears_the_units_own_figure() -> None:
    how = HowToSubmit(oa_name="Công dân số Thái Bình")
    body = reach_body(unit_name="Sở Y tế", period="2026-11", articles=3, views=12500, how=how)
    assert body.startswith("Kính gửi: Sở Y tế,\n\n")
    assert "Trong tháng 11/2026, 3 tin, bài của đơn vị đăng trên Trang Zalo OA " \
        "“Công dân số Thái Bình” đã có 12.500 lượt xem." in body  # fmt: skip
    assert body.endswith(how.sign_off) and "Newsdesk" not in body
    named = reach_body(unit_name="Sở Y tế", period="2026-11", articles=3, views=1, how=how,
                       officer="Nguyễn Văn A")  # fmt: skip
    assert named.startswith("Kính gửi đồng chí Nguyễn Văn A (Sở Y tế),")


def test_the_mail_chart_is_a_small_png_and_absent_without_figures() -> None:
    assert followers_png([("10/2026", None), ("11/2026", None)], title="x") is None
    trend = [(f"{m:02d}/2026", None if m < 4 else 1000 + 10 * m) for m in range(1, 13)]
    png = followers_png(trend, title=texts.CHART_FOLLOWERS_TITLE)
    assert png is not None and len(png) < 40_000
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (640, 300))
    # The last month's bar is drawn in the darker colour, the missing months are blank.
    assert image.getpixel((595, 250)) == (46, 117, 182)
    assert image.getpixel((45, 250)) == (255, 255, 255)


def test_html_mail_escapes_and_places_the_chart() -> None:
    html = texts.report_mail_html(
        month="11/2026", summary="A < B & C", chart=True, department="Sở", oa="OA"
    )
    assert "A &lt; B &amp; C" in html and 'src="cid:bieu-do-nguoi-quan-tam"' in html
    assert "cid:" not in texts.report_mail_html(
        month="11/2026", summary="x", chart=False, department="Sở", oa="OA"
    )
