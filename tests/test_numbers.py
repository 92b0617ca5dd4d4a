"""Document numbers: every spelling of one number gives one key; dates and ratios give none."""
from __future__ import annotations

import re

import pytest

from searchdocs.documents import numbers
from searchdocs.documents.numbers import find_numbers, number_key


@pytest.mark.parametrize("key,spellings", [
    ("294-qd/tw", ["294-QĐ/TW", "Số: 294 - QĐ/TW", "294 – QĐ/TƯ", "0294-qđ/tw", "294-QĐ/T.Ư", "294-qd/tw"]),
    ("6-hd/tw", ["06-HD/TW", "Số 06-HD/TW Hà Nội", "6 - HD/TW"]),
    ("38-hd/btctw", ["Số  38 - HD/BTCTW", "38-HD/BTCTW", "38–HD/BTCTW"]),
    ("8-hd/btctu", ["Hướng dẫn số 08 –HD/BTCTU ngày", "8-HD/BTCTU"]),
    ("8-qdi/tw", ["08-QĐi/TW", "08-qđi/tw"]),
    ("1836-qd/twdtn", ["1836 QĐ/TWĐTN"]),
    ("367-qd/twdtn-vpdoan", ["367 - QĐ/TWĐTN-VPĐOÀN"]),
    ("15/2020/nd-cp", ["15/2020/NĐ-CP", "Số: 15/2020/NĐ-CP", "15 / 2020 / NĐ-CP", "15/2020/nđ-cp", "15/2020/nd-cp"]),
    ("105/2025/nd-cp", ["Nghị định số 105/2025/NĐ-\nCP của Chính phủ"]),
    ("24/2018/qh14", ["Luật số: 24/2018/QH14"]),
    ("235/qd-ttg", ["235/QĐ-TTg", "235/qđ-ttg"]),
    ("66.19/2026/nq-cp", ["Số: 66.19/2026/NQ-CP"]),
    ("24/2026/nq-cp", ["Số: 24/2026//NQ-CP", "24/2026/NQ-CP"]),
])
def test_spellings_share_one_key(key: str, spellings: list[str]) -> None:
    assert [number_key(s) for s in spellings] == [key] * len(spellings)


def test_display_is_canonical() -> None:
    assert [n.display for n in find_numbers("294 - QĐ/TƯ, 15/2020/nđ-cp, 235/qđ-ttg, 08-qđi/tw")] == [
        "294-QĐ/TW", "15/2020/NĐ-CP", "235/QĐ-TTg", "08-QĐi/TW"]


def test_parts_and_positions() -> None:
    text = "Căn cứ Quy định số 294-QĐ/TW và Nghị định số 15/2020/NĐ-CP;"
    first, second = find_numbers(text)
    assert (first.numeral, first.type_abbr, first.issuer, first.year) == ("294", "QĐ", "TW", None)
    assert (second.numeral, second.type_abbr, second.issuer, second.year) == ("15", "NĐ", "CP", "2020")
    assert text[first.start:first.end] == first.raw == "294-QĐ/TW"
    assert (first.short_key, second.short_key) == ("294-qd", "15-nd")


@pytest.mark.parametrize("text", [
    "ngày 26/5/2025", "ngày 26-5-2025", "tỷ lệ 3/4", "5 lần/năm", "2 - 3 lần/tuần", "Số           - HD/BTCTU",
    "Số:     /QĐ-UBND", "Quy định 294", "1.1- Xây dựng kế hoạch", "QCVN 05A:2020/BCT", "Điều 5. Phạm vi",
])
def test_no_number_in_dates_ratios_blanks_and_headings(text: str) -> None:
    assert find_numbers(text) == []


def test_several_numbers_in_order() -> None:
    keys = [n.key for n in find_numbers("Nghị định số 68/2017/NĐ-CP và Nghị định số 66/2020/NĐ-CP hết hiệu lực; "
                                        "Kết luận số 269- KL/TU; Văn bản số 1591-CV/ĐU")]
    assert keys == ["68/2017/nd-cp", "66/2020/nd-cp", "269-kl/tu", "1591-cv/du"]


def test_module_docstring_examples_hold() -> None:
    """The spellings the module documents map to the keys it documents."""
    examples = re.findall(r"^\s+(.+?)\s+->\s+key ([^\s,]+)", numbers.__doc__, re.M)
    assert len(examples) >= 2
    for spellings, key in examples:
        for spelling in re.split(r",\s*(?=\d|Số)", spellings):
            assert number_key(spelling) == key, spelling
