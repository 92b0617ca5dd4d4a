"""Passages split at a document's own structure: real Party PDFs and laws, and the traps in between.

Expected headings, pages and article counts come from reading the documents (golden files in
``tests/golden/passages/``) or from the page texts themselves, never from the splitter's output.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from searchdocs.models import Page, Passage
from searchdocs.documents.structure import CONTINUED, HEADING_WORDS, MAX_WORDS, heading, split_passages

GOLDEN = Path(__file__).parent / "golden" / "passages"
WORD = re.compile(r"\w+")


def _squash(text: str) -> str:
    return "".join(text.split())


def _assert_lossless(pages: list[Page], passages: list[Passage]) -> None:
    assert _squash("".join(p.text for p in passages)) == _squash("\n".join(p.text for p in pages))
    assert [p.ordinal for p in passages] == list(range(len(passages)))
    assert all(p.text == p.text.strip() and p.text for p in passages)


def _containing(passages: list[Passage], needle: str) -> Passage:
    """The passage where ``needle`` (a heading line) starts, whitespace ignored."""
    want = _squash(needle)
    found = [p for p in passages if want in _squash(p.text)]
    assert found, f"no passage contains {needle!r}"
    return found[0]


def _words(text: str) -> int:
    return len(WORD.findall(text))


def _top(label: str) -> tuple[int, int]:
    """The range of top-level section numbers a label covers: "3.2–3.4 (Điều 4)" → (3, 3)."""
    core = label.split(" (")[0].split(", ")[-1]
    first, _, last = core.partition("–")
    return int(first.split(".")[0]), int((last or first).split(".")[0])


# --- Real documents ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def qd294(shared_document) -> tuple[list[Page], list[Passage]]:
    pages = list(shared_document("party/sotay_quydinh294.pdf"))
    return pages, split_passages(pages)


def test_294_sections_are_labelled_with_the_articles_they_implement(qd294) -> None:
    pages, passages = qd294
    headings = [(page.number, int(m.group(1)), m.group(2), m.group(0)) for page in pages
                for m in re.finditer(r"^(\d{1,2})\. Điều (\d+)\b[^\n]*", page.text, re.M)]
    assert len(headings) >= 25  # "1. Điều 1 (Khoản 2): …" … "31. Điều 46: …"
    for page, number, article, line in headings:
        passage = _containing(passages, line)
        first, last = _top(passage.label)
        assert first <= number <= last, (line, passage.label)
        assert re.search(rf"\(Điều [\d, ]*\b{article}\b", passage.label), (line, passage.label)
        assert passage.page in (page, page - 1), (line, passage.page)


def test_294_headings_are_the_section_lines(qd294) -> None:
    """Each "N. Điều K …" heading line read from the pages is the heading of the passage it opens."""
    pages, passages = qd294
    lines = [m.group(0).strip() for page in pages for m in re.finditer(r"^\d{1,2}\. Điều \d+\b[^\n]*", page.text, re.M)]
    opened = {p.text.partition("\n")[0].strip(): p for p in passages}
    found = [line for line in lines if line in opened]
    assert len(found) >= 10
    for line in found:
        if len(WORD.findall(line)) <= HEADING_WORDS:
            assert heading(opened[line].text, opened[line].label) == line


def test_294_first_section_is_on_page_1(qd294) -> None:
    _, passages = qd294
    assert passages[0].label == "" and passages[0].text.startswith("BAN CHẤP HÀNH TRUNG ƯƠNG")
    first = _containing(passages, "1.1.1. Tại thời điểm chi bộ xét kết nạp")
    assert first.label == "1 (Điều 1)" and first.page == 1
    rights = _containing(passages, "2.1. (Khoản 1): Quyền được thông tin của đảng viên")
    assert rights.label.startswith("2.1") and "(Điều 3)" in rights.label and rights.page == 1


def test_294_is_lossless_and_of_citable_size(qd294) -> None:
    pages, passages = qd294
    _assert_lossless(pages, passages)
    sizes = [_words(p.text) for p in passages]
    assert max(sizes) <= MAX_WORDS + 50
    assert sum(size < 30 for size in sizes) <= 2
    assert [p.page for p in passages] == sorted(p.page for p in passages)


def test_06_top_level_sections_and_pages(shared_document) -> None:
    golden = json.loads((GOLDEN / "sotay_huongdan06_v1.json").read_text(encoding="utf-8"))
    pages = list(shared_document(golden["file"]))
    passages = split_passages(pages)
    _assert_lossless(pages, passages)
    for number, heading, page in golden["sections"]:
        passage = _containing(passages, f"{number}. {heading}")
        first, last = _top(passage.label)
        assert first <= number <= last, (number, passage.label)
        assert passage.page == page or (first < number and passage.page < page), (number, passage.page)


LAWS = json.loads((GOLDEN / "laws.json").read_text(encoding="utf-8"))["laws"]


@pytest.mark.parametrize("law", LAWS, ids=lambda law: Path(law["file"]).stem)
def test_law_is_cut_at_every_article(shared_document, law: dict) -> None:
    pages = list(shared_document(law["file"]))
    passages = split_passages(pages)
    _assert_lossless(pages, passages)
    labels = [p.label for p in passages]
    articles = list(dict.fromkeys(label.removesuffix(" (tiếp)") for label in labels if label))
    assert articles == [f"Điều {n}" for n in range(1, law["articles"] + 1)]
    assert labels[0] == "" and all(p.page is None for p in passages)
    chapters = [p for p in passages if re.search(r"^Chương [IVX]+\b", p.text, re.M)]
    assert len(chapters) == law["chapters"]  # chapter headings stay, inside the article that follows
    assert all(_words(p.text) <= MAX_WORDS + 100 for p in passages)


# --- Synthetic documents: markers, traps and sizes -----------------------------------------------

def _filler(words: int, seed: str = "nội dung") -> str:
    """Lines of about 12 words, ``words`` words in all."""
    tokens = (seed.split() * words)[:words]
    return "\n".join(" ".join(tokens[i:i + 12]) for i in range(0, len(tokens), 12))


def _split(text: str) -> list[Passage]:
    pages = [Page(1, text)]
    passages = split_passages(pages)
    _assert_lossless(pages, passages)
    return passages


LAW = f"""QUỐC HỘI
LUẬT
THỬ NGHIỆM
Căn cứ Hiến pháp;
Chương I
NHỮNG QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
{_filler(60)}
1. Khoản một của điều này.
2. Khoản hai của điều này.
Điều 2. Giải thích từ ngữ
Trong Luật này, các từ ngữ dưới đây được hiểu như sau:
1. Từ một là nghĩa một.
a) điểm a.
Chương II
QUY ĐỊNH CỤ THỂ
Điều 3. Trách nhiệm
Thực hiện theo quy định tại
Điều 12 của Luật này và
Điều 13. Nội dung trích dẫn không theo thứ tự
{_filler(40)}
Điều 4: Hiệu lực thi hành
Luật này có hiệu lực từ ngày 01 tháng 01 năm 2026.
"""


def test_articles_keep_their_clauses_and_chapter_headings() -> None:
    passages = _split(LAW)
    assert [p.label for p in passages] == ["", "Điều 1", "Điều 2", "Điều 3", "Điều 4"]
    assert "2. Khoản hai" in passages[1].text and "a) điểm a." in passages[2].text
    assert passages[3].text.startswith("Chương II")  # the chapter heading opens its first article
    assert "Điều 12 của Luật này" in passages[3].text and "Điều 13. Nội dung" in passages[3].text


def test_an_oversized_article_becomes_windows() -> None:
    passages = _split(f"Điều 1. Dài\n{_filler(1000)}\nĐiều 2. Ngắn\nMột câu.\n")
    labels = [p.label for p in passages]
    assert labels[0] == "Điều 1" and labels[-1] == "Điều 2"
    assert set(labels[1:-1]) == {"Điều 1 (tiếp)"} and len(labels) >= 4
    assert all(_words(p.text) <= MAX_WORDS for p in passages)


GUIDE = f"""BAN TỔ CHỨC TRUNG ƯƠNG
HƯỚNG DẪN
nghiệp vụ
Căn cứ Điều lệ Đảng,
PHẦN THỨ NHẤT
VỀ TỔ CHỨC ĐẢNG
I. KẾT NẠP ĐẢNG VIÊN
1. Quy trình
1.1. Bước một
{_filler(250)}
1. mục liệt kê một
2. mục liệt kê hai
3. mục liệt kê ba
1.2- Bước hai
{_filler(250)}
26.5.2025 là ngày ký.
2. Hồ sơ
{_filler(250)}
Mục 10 (thành phần gia đình): ghi như lý lịch.
II. QUẢN LÝ
1. Phát thẻ
{_filler(250)}
2. Thẻ đảng viên
{_filler(250)}
Nơi nhận:
- Lưu.
K/T TRƯỞNG BAN
1. Một dòng ký
"""


def test_sections_nest_under_parts_and_roman_numerals() -> None:
    passages = _split(GUIDE)
    labels = [p.label for p in passages]
    assert labels == ["", "Phần I, I.1.1", "Phần I, I.1.2", "Phần I, I.2", "Phần I, II.1", "Phần I, II.2"]
    assert passages[1].text.startswith("PHẦN THỨ NHẤT")  # headings without text of their own lead in
    assert "3. mục liệt kê ba" in passages[1].text  # a numbered list is not a run of sections
    assert "26.5.2025" in passages[2].text and "Mục 10 (thành phần" in passages[3].text
    assert passages[-1].text.endswith("1. Một dòng ký")  # nor is a "1." in the signature block


def test_small_sections_merge_into_their_parent_or_siblings() -> None:
    small = "\n".join(f"1.{i}. Ý {i}\n{_filler(15)}" for i in range(1, 5))
    passages = _split(f"1. Một\n{small}\n2. Hai\n{_filler(300)}\n3. Ba\n{_filler(10)}\n4. Bốn\n{_filler(10)}\n"
                      f"5. Năm\n{_filler(390)}\n")
    assert [p.label for p in passages] == ["1", "2–4", "5"]  # 1.1–1.4 inside 1; 3 and 4 too small alone
    assert "1.4. Ý 4" in passages[0].text


def test_quy_dinh_style_headings_name_their_articles() -> None:
    text = (f"1. Điều 1 (Khoản 2): Tuổi đời\n1.1. Về tuổi đời.\n{_filler(250)}\n1.2. Về học vấn.\n{_filler(250)}\n"
            f"2. Điều 3: Về quyền\n2.1. (Khoản 1): Quyền được thông tin.\n{_filler(250)}\n"
            f"2.2. (Khoản 2, Điều 21): Thí điểm.\n{_filler(250)}\n")
    assert [p.label for p in _split(text)] == ["1.1 (Điều 1)", "1.2 (Điều 1)", "2.1 (Điều 3)", "2.2 (Điều 21)"]


ARTICLE = f"""Hạn chế năng lực hành vi dân sự

1. Người nghiện ma túy {_filler(80)}

2. Việc xác lập giao dịch {_filler(60)}

3. Khi không còn căn cứ {_filler(60)}"""


def test_a_section_document_of_one_passage_stays_whole() -> None:
    """An article given without its "Điều" line is not cut at its clauses "1.", "2.", "3." while
    it fits in one passage; past that size its sections are passages of their own again."""
    passages = _split(ARTICLE)
    assert [p.label for p in passages] == [""] and passages[0].text.startswith("Hạn chế năng lực")
    longer = _split(ARTICLE + f"\n\n4. Người giám hộ {_filler(250)}")
    assert [p.label for p in longer] == ["", "1", "2", "3", "4"]
    assert _split(f"Điều 1. Một\n{_filler(60)}\nĐiều 2. Hai\n{_filler(60)}")[-1].label == "Điều 2"  # articles still


@pytest.mark.parametrize(("text", "label", "expected"), [
    ("Điều 5. Chuyển sinh hoạt đảng\n1. Đảng viên chuyển sinh hoạt.", "Điều 5", "Điều 5. Chuyển sinh hoạt đảng"),
    (ARTICLE, "", "Hạn chế năng lực hành vi dân sự"),
    ("Một dòng duy nhất, không có gì theo sau", "", ""),
    ("Điều 5. Chuyển sinh hoạt đảng\n   \n", "Điều 5", ""),
    (" ".join(["chữ"] * (HEADING_WORDS + 1)) + "\nrồi văn bản", "", ""),
    ("dòng giữa một đoạn dài\nrồi văn bản", "Điều 5" + CONTINUED, ""),
])
def test_heading_is_a_short_first_line(text: str, label: str, expected: str) -> None:
    assert heading(text, label) == expected


def test_passage_page_is_where_it_starts() -> None:
    pages = [Page(1, f"Căn cứ.\nĐiều 1. Một\n{_filler(100)}"), Page(2, f"{_filler(100)}\nĐiều 2. Hai\n{_filler(50)}"),
             Page(3, f"Điều 3. Ba\n{_filler(50)}")]
    passages = split_passages(pages)
    _assert_lossless(pages, passages)
    assert [(p.label, p.page) for p in passages] == [("", 1), ("Điều 1", 1), ("Điều 2", 2), ("Điều 3", 3)]


def test_text_without_structure_becomes_numbered_windows() -> None:
    passages = _split(_filler(700, "một hai ba bốn"))
    assert [p.label for p in passages] == ["đoạn 1", "đoạn 2", "đoạn 3"]
    assert all(150 <= _words(p.text) <= MAX_WORDS for p in passages)


def test_a_long_line_is_cut_between_sentences() -> None:
    sentence = " ".join(["chữ"] * 29) + "."
    passages = _split(" ".join([sentence] * 30))  # one paragraph of 900 words, no line breaks
    assert len(passages) >= 3 and all(p.text.endswith(".") for p in passages[:-1])


def test_empty_and_blank_documents() -> None:
    assert split_passages([]) == []
    assert split_passages([Page(None, "  \n ")]) == []
