"""The desk's search key (domain.text.search_key) folds as domain.text.ascii_fold does (one
translate call); spaces are collapsed by clean() first, as for the query."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.text import ascii_fold, clean, search_key

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
