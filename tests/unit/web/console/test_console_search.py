"""The desk's search key (domain.text.search_key) folds as domain.text.ascii_fold does (one
translate call); spaces are collapsed by clean() first, as for the query. The units' stored
order key sorts as the reports' Python sort does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.kinds import unit_order_key
from domain.text import ascii_fold, clean, search_key, vi_order_text, vi_sort_key

VIETNAMESE = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)


def test_examples() -> None:
    assert search_key("Hà Nội") == "ha noi"
    assert search_key("ĐOÀN CÔNG TÁC Đà Nẵng") == "doan cong tac da nang"
    assert search_key("Thừa Thiên Huế") == "thua thien hue"


@given(st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " ,.", max_size=40))
def test_same_as_ascii_fold(text: str) -> None:
    assert search_key(clean(text)) == ascii_fold(text).casefold()


@given(st.lists(st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " ", max_size=12), max_size=8))
def test_order_text_sorts_as_the_sort_key(names: list[str]) -> None:
    """The stored order (digits, for SQL's ORDER BY) is the Python sort order."""
    assert sorted(names, key=vi_order_text) == sorted(names, key=vi_sort_key)


def test_unit_order_key_puts_kinds_first() -> None:
    names = [("commune", "Xã An"), ("department", "Sở Y tế"), ("department", "Sở Giáo dục")]
    ordered = sorted(names, key=lambda n: unit_order_key(*n))
    assert ordered == [names[2], names[1], names[0]]
    assert set(unit_order_key("department", "Sở Ánh")) <= set("0123456789")
