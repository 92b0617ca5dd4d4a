"""Metadata read from a document's own text: number, type, issuer, date, subject, signature, recipients.

The header is read as a person reads it. PDF text interleaves the two header columns
("Số 294-QĐ/TW Hà Nội, ngày 26 tháng 5 năm 2025" on one line) and DOCX extraction joins table
cells with " | ", so header lines are split into their columns and read piece by piece. The type
comes from the title line in capitals (QĐ in a symbol may mean Quyết định or Quy định), and a
blank number ("Số      -HD/BTCTU" on a draft) is reported as missing, never guessed.
"""
from __future__ import annotations

import re

from searchdocs.models import DocMeta
from searchdocs.documents.numbers import find_numbers, number_key
from searchdocs.documents.relations import parse_relations

HEAD_LINES = 45  # the header, title and subject sit in the first lines of the first page
DATE_LINES = 15  # the place and date line is in the header, above or just under the subject

# Document types by their title line, longest first so that "NGHỊ ĐỊNH THƯ" wins over "NGHỊ ĐỊNH".
_TYPES = {
    "NGHỊ QUYẾT LIÊN TỊCH": "Nghị quyết liên tịch", "THÔNG TƯ LIÊN TỊCH": "Thông tư liên tịch",
    "NGHỊ ĐỊNH THƯ": "Nghị định thư", "GIẤY CHỨNG NHẬN": "Giấy chứng nhận", "NGHỊ QUYẾT": "Nghị quyết",
    "NGHỊ ĐỊNH": "Nghị định", "QUYẾT ĐỊNH": "Quyết định", "QUY ĐỊNH": "Quy định", "QUY CHẾ": "Quy chế",
    "QUY TRÌNH": "Quy trình", "HƯỚNG DẪN": "Hướng dẫn", "CHỈ THỊ": "Chỉ thị", "KẾT LUẬN": "Kết luận",
    "THÔNG BÁO": "Thông báo", "THÔNG TRI": "Thông tri", "THÔNG TƯ": "Thông tư", "BÁO CÁO": "Báo cáo",
    "TỜ TRÌNH": "Tờ trình", "KẾ HOẠCH": "Kế hoạch", "CHƯƠNG TRÌNH": "Chương trình", "CÔNG VĂN": "Công văn",
    "CÔNG ĐIỆN": "Công điện", "PHÁP LỆNH": "Pháp lệnh", "HIẾN PHÁP": "Hiến pháp", "LUẬT": "Luật",
    "BIÊN BẢN": "Biên bản", "ĐỀ ÁN": "Đề án", "QUY CHUẨN": "Quy chuẩn", "TIÊU CHUẨN": "Tiêu chuẩn",
}
_TYPE_LINE = re.compile(r"\s*(?P<type>" + "|".join(sorted(_TYPES, key=len, reverse=True)) + r")(?![\wÀ-ỹ])\s*(?P<rest>.*)$")
# A title line typed in lower case, as legacy documents whose fonts showed capitals have it: the type
# alone, or followed by its issuer ("Nghị định của Chính phủ số 114/2003/NĐ-CP …", "Thông tư liên tịch").
_TYPED_TITLE = re.compile(r"\s*(?:bản\s+)?(?P<type>" + "|".join(sorted(_TYPES, key=len, reverse=True))
                          + r")(?P<rest>(?:\s+(?:của|liên tịch)\b.*)?)\s*$", re.I)
_OF_BODY = re.compile(r"\bcủa\s+(?:(?:bộ trưởng|chủ tịch)\s+)?(?P<body>.+?)(?=\s+(?:số|ngày|về)\b|\s*$)", re.I)
_NUMBER_WORD = re.compile(r"\b(?:số|SỐ|Số)\s*:?\s*")
_ISSUED = re.compile(r"\W*(?:Chứng nhận|Cấp) lần đầu\s*:\s*", re.I)  # the date of a certificate
# Fallback when a document has no title line: the type abbreviation of its symbol, where unambiguous.
_SYMBOL_TYPES = {
    "NQ": "Nghị quyết", "CT": "Chỉ thị", "KL": "Kết luận", "HD": "Hướng dẫn", "TB": "Thông báo",
    "BC": "Báo cáo", "TTr": "Tờ trình", "KH": "Kế hoạch", "CTr": "Chương trình", "QĐi": "Quy định",
    "NĐ": "Nghị định", "QC": "Quy chế", "CV": "Công văn", "BB": "Biên bản",
}
DOC_TYPES = tuple(dict.fromkeys([*_TYPES.values(), *_SYMBOL_TYPES.values()]))  # every type a document can get

_NUMBER_LINE = re.compile(r"^\W*(?P<so>(?:(?:Luật|LUẬT|Pháp lệnh|Nghị quyết)\s+)?(?:Số|SỐ|số))\b\s*[:.]?\s*")
# "SỞ Y TẾ Số: 1178/SYT-NVY": the number after the body's name when a cell's lines were joined.
_NUMBER_AFTER = re.compile(r"(?<=\s)(?P<so>Số|SỐ)\s*:\s*")
_BLANK_SYMBOL = re.compile(r"[\s._…]*(?:[-–/]\s*)?(?P<symbol>[A-ZĐ][\wĐđ]*(?:\s*[-–/]\s*[A-ZĐ][\wĐđ.]*)+)")
_DATE = re.compile(
    r",?\s*ngày\s*(?P<d>\d{1,2})?[\s.…_]*(?:tháng\s*(?P<m>\d{1,2})?[\s.…_]*năm\s*(?P<y>(?:19|20)\d\d)"
    r"|[/.\-]\s*(?P<m2>\d{1,2})\s*[/.\-]\s*(?P<y2>(?:19|20)\d\d))"
)
_NATIONAL = re.compile(r"CỘNG HÒA XÃ HỘI|ĐẢNG CỘNG SẢN VIỆT NAM|Độc lập\s*[-–]\s*Tự do|-{3,}|–{3,}|_{3,}", re.I)
# A file that opens with an appendix's or a table of contents' heading has no header of its own.
_NO_HEADER = re.compile(r"\W*(?:PHỤ LỤC|Phụ lục|MỤC LỤC|Mục lục)\b")
_BODY_START = re.compile(r"\s*[-–+•]?\s*(?:Căn cứ|CĂN CỨ|Kính gửi|Theo đề nghị|Trả lời|Điều 1\b)")
_VV = re.compile(r"\bV/v\b\.?\s*")
_MARKS = {"MẬT": ("secrecy", "Mật"), "TỐI MẬT": ("secrecy", "Tối mật"), "TUYỆT MẬT": ("secrecy", "Tuyệt mật"),
          "KHẨN": ("urgency", "Khẩn"), "THƯỢNG KHẨN": ("urgency", "Thượng khẩn"),
          "HỎA TỐC": ("urgency", "Hỏa tốc"), "HỎA TỐC HẸN GIỜ": ("urgency", "Hỏa tốc hẹn giờ")}

_AUTHORITY_KIND = re.compile(r"(?<![\w/])(T/M|K/T|T/L|TM\.|KT\.|TL\.|TUQ\.|Q\.)\s*")
_AUTHORITY = re.compile(_AUTHORITY_KIND.pattern + r"[^\W\d_].*$")
_SIGNER_TITLES = re.compile(r"(?<!\S)(?:PHÓ\s+)?(?:TỔNG BÍ THƯ|BÍ THƯ|CHỦ TỊCH|THỦ TƯỚNG|BỘ TRƯỞNG|THỨ TRƯỞNG|TRƯỞNG BAN|"
                            r"GIÁM ĐỐC|CỤC TRƯỞNG|VỤ TRƯỞNG|VIỆN TRƯỞNG|CHÁNH VĂN PHÒNG|CHỦ NHIỆM|TỔNG THANH TRA)\b")
_LAST_COLUMN = re.compile(r".*\S\s{2,}(?P<column>\S.*?)\s*$")  # text after the last wide gap of a line
_RECIPIENTS = re.compile(r"\s*Nơi nhận\s*:?")
_ITEM_SPLIT = re.compile(r"(?<=[,;])\s+[-+•]\s*(?=[^\W\d_])")  # "- Các vụ, cục, - Lưu VP": items run together
_BODY_WORDS = {"Bộ", "Ban", "Sở", "Cục", "Vụ", "Ủy", "Chính", "Quốc", "Văn"}  # a place does not start so
_NOT_NAMES = {"Bộ", "Ban", "Sở", "Cục", "Vụ", "Ủy", "Văn", "Nơi", "Kính", "Lưu", "Các", "Chính", "Quốc", "Thủ",
              "Tòa", "Viện", "Kiểm", "Ngân", "Cơ", "Hội", "Công", "Như", "Trung", "Đảng", "Tài", "Việt", "Thành"}

# Title case of names in capitals: fixed phrases, words after which a proper name starts, places.
_PHRASES = {
    "ban chấp hành trung ương": "Ban Chấp hành Trung ương", "ban chấp hành": "Ban Chấp hành",
    "ban thường vụ": "Ban Thường vụ", "ban bí thư": "Ban Bí thư", "bộ chính trị": "Bộ Chính trị",
    "tổng bí thư": "Tổng Bí thư", "bí thư": "Bí thư", "ủy ban nhân dân": "Ủy ban nhân dân",
    "hội đồng nhân dân": "Hội đồng nhân dân", "ủy ban kiểm tra": "Ủy ban Kiểm tra", "trung ương": "Trung ương",
    "quốc hội": "Quốc hội", "chính phủ": "Chính phủ", "thủ tướng": "Thủ tướng", "việt nam": "Việt Nam",
    "công thương": "Công Thương", "bộ trưởng": "Bộ trưởng", "thứ trưởng": "Thứ trưởng",
    "cục trưởng": "Cục trưởng", "vụ trưởng": "Vụ trưởng", "viện trưởng": "Viện trưởng",
    "trưởng ban": "Trưởng ban", "chủ tịch": "Chủ tịch", "giám đốc": "Giám đốc", "chủ nhiệm": "Chủ nhiệm",
    "chánh văn phòng": "Chánh Văn phòng", "tổng thanh tra": "Tổng Thanh tra",
    "ngân hàng nhà nước": "Ngân hàng Nhà nước", "thống đốc": "Thống đốc",
}
_STARTERS = {"ban": "Ban", "bộ": "Bộ", "cục": "Cục", "tổng cục": "Tổng cục", "chi cục": "Chi cục", "sở": "Sở",
             "vụ": "Vụ", "văn phòng": "Văn phòng", "viện": "Viện", "trung tâm": "Trung tâm", "đảng ủy": "Đảng ủy",
             "đảng bộ": "Đảng bộ", "tòa án": "Tòa án", "phó": "Phó"}
_PLACES = {"tỉnh": "tỉnh", "thành phố": "thành phố", "huyện": "huyện", "quận": "quận", "xã": "xã",
           "phường": "phường", "thị xã": "thị xã", "thành ủy": "Thành ủy", "tỉnh ủy": "Tỉnh ủy",
           "huyện ủy": "Huyện ủy", "quận ủy": "Quận ủy", "thị ủy": "Thị ủy"}
_ABBREVIATIONS = {"UBND": "ỦY BAN NHÂN DÂN", "HĐND": "HỘI ĐỒNG NHÂN DÂN", "BQL": "BAN QUẢN LÝ",
                  "NN&PTNT": "NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN", "PTNT": "PHÁT TRIỂN NÔNG THÔN"}
_PARTY_COMMITTEES = ("thành ủy", "tỉnh ủy", "huyện ủy", "quận ủy", "thị ủy", "đảng ủy")
# Words that open a new body in a run of header capitals ("BỘ CÔNG THƯƠNG CỤC HÓA CHẤT").
_UNIT_STARTS = ["thủ tướng chính phủ", "ban chấp hành", "ban thường vụ", "ban bí thư", "bộ chính trị", "ủy ban nhân dân",
                "hội đồng nhân dân", "ủy ban", "tổng cục", "chi cục", "văn phòng", "thành ủy", "tỉnh ủy",
                "huyện ủy", "quận ủy", "đảng ủy", "đảng bộ", "ngân hàng", "ban", "bộ", "cục", "sở", "vụ", "chính phủ",
                "quốc hội"]
# A header line typed in lower case (legacy fonts showed it in capitals) that names a body.
_UNIT_LINE = re.compile(r"\W*(?:" + "|".join(_UNIT_STARTS + ["ubnd", "hđnd", "bql"]) + r")\b", re.I)
# A line in capitals under the subject that names the authority issuing the text ("BỘ TRƯỞNG BỘ XÂY DỰNG").
_AUTHORITY_LINE = re.compile(r"(?:ỦY BAN NHÂN DÂN|UBND|HỘI ĐỒNG NHÂN DÂN|BAN CHẤP HÀNH|BAN THƯỜNG VỤ|BỘ CHÍNH TRỊ|"
                             r"BAN BÍ THƯ|CHÍNH PHỦ|QUỐC HỘI|(?:THÀNH|TỈNH|HUYỆN|QUẬN|ĐẢNG) ỦY)\b")

# Sentence case of subjects in capitals: proper names that keep their capitals.
_PROPER = [
    ("điều lệ đảng", "Điều lệ Đảng"), ("đảng cộng sản việt nam", "Đảng Cộng sản Việt Nam"),
    ("huy hiệu đảng", "Huy hiệu Đảng"), ("ban chấp hành trung ương", "Ban Chấp hành Trung ương"),
    ("bộ chính trị", "Bộ Chính trị"), ("ban bí thư", "Ban Bí thư"), ("việt nam", "Việt Nam"),
    ("trung ương", "Trung ương"), ("quốc hội", "Quốc hội"), ("chính phủ", "Chính phủ"),
    ("hồ chí minh", "Hồ Chí Minh"), ("mặt trận tổ quốc", "Mặt trận Tổ quốc"), ("hiến pháp", "Hiến pháp"),
    ("ủy ban nhân dân", "Ủy ban nhân dân"), ("hội đồng nhân dân", "Hội đồng nhân dân"), ("bộ trưởng", "Bộ trưởng"),
    ("thủ tướng", "Thủ tướng"),
] + [(m.lower(), m) for m in (
    "Bộ Công Thương", "Bộ Xây dựng", "Bộ Tài chính", "Bộ Nội vụ", "Bộ Tư pháp", "Bộ Y tế", "Bộ Quốc phòng",
    "Bộ Công an", "Bộ Ngoại giao", "Bộ Nông nghiệp và Môi trường", "Bộ Giáo dục và Đào tạo",
    "Bộ Khoa học và Công nghệ", "Bộ Tài nguyên và Môi trường", "Bộ Giao thông vận tải", "Bộ Kế hoạch và Đầu tư")]
_PARTY_WORD = re.compile(r"(?<!tổ chức )(?<!cấp ủy )\bđảng\b(?! (?:viên|bộ|ủy|phí|vụ|tịch|đoàn|kỳ|uỷ))")
# A law's name starts with a capital ("Luật Địa chất và khoáng sản"), as does a document type
# followed by its number ("Nghị định số …").
_LAW_NAME = re.compile(r"\b(luật|bộ luật) (\w)")
_NUMBERED = re.compile(r"\b(nghị định|thông tư|quyết định|nghị quyết|chỉ thị|quy định|hướng dẫn)(?= số\b)")
_CAPS_TOKEN = re.compile(r"\S*\d\S*|\b(?:qcvn|tcvn)\b")  # tokens with digits: "05A:2020/BCT", "1:2024"


def parse_metadata(text: str) -> DocMeta:
    """Metadata of one document from its text (pages joined by newlines)."""
    meta = DocMeta()
    head = _head(text)
    headless = bool(head) and _NO_HEADER.match(head[0]) is not None  # an appendix: type and issuer are another's
    found = [_read_number(head, meta), _read_date(head, meta), None if headless else _read_type(head, meta)]
    first = min((at for at in found if at is not None), default=0)
    header = head[:first]
    if found[0] == first and (said := _NUMBER_AFTER.search(head[first])):  # "SỞ Y TẾ Số: 1178/…"
        header.append(head[first][:said.start()])
    if not headless:
        _read_issuer(header, meta)
    _read_marks(head[:found[2]] if found[2] is not None else header, meta)
    lines = [column for line in text.split("\n") for column in line.split(" | ")]
    _read_signature(lines, meta)
    if meta.signer is None:
        _read_typed_signature(lines, meta)
    meta.recipients = _recipients(lines)
    _issuer_from_signature(meta)
    own = number_key(meta.number) if meta.number else None
    meta.relations = parse_relations(text, own)
    return meta


def identity(meta: DocMeta) -> str | None:
    """"294-qd/tw@2025-05-26": number key and date, which together identify a document (numbers
    restart every term). None when either is missing, as on drafts."""
    key = number_key(meta.number) if meta.number else None
    return f"{key}@{meta.date}" if key and meta.date else None


def _head(text: str) -> list[str]:
    """The first lines, each column of a " | "-joined table row as a line of its own, up to the body."""
    head: list[str] = []
    for line in text.split("\n")[:HEAD_LINES]:
        if _BODY_START.match(line):
            break
        head.extend(part.strip() for part in line.split(" | "))
    return head


def _read_number(head: list[str], meta: DocMeta) -> int | None:
    """"Số 294-QĐ/TW" → number, raw and symbol; "Số      -HD/BTCTU" → number missing, symbol kept.

    Returns the index of the number line in ``head``.
    """
    for at, line in enumerate(head):
        m = _NUMBER_LINE.match(line) or _NUMBER_AFTER.search(line)
        if not m:
            continue
        rest = line[m.end():]
        numbers = find_numbers(rest)
        if numbers and not rest[:numbers[0].start].strip():
            n = numbers[0]
            meta.number = n.display
            meta.number_raw = " ".join(line[m.start("so"):m.end() + n.end].split())
            party = "/" not in n.display.split("-")[0]  # 294-QĐ/TW, not 15/2020/NĐ-CP
            meta.symbol = f"{n.type_abbr}/{n.issuer}" if party else n.type_abbr + (f"-{n.issuer}" if n.issuer else "")
            meta.issuer_code = _issuer_code(n.type_abbr, n.issuer)
            return at
        blank = _BLANK_SYMBOL.match(rest)
        if blank:
            meta.number_missing = True
            meta.number_raw = " ".join(line[m.start("so"):m.end() + blank.end()].split())
            meta.symbol = re.sub(r"\s+", "", blank.group("symbol")).replace("–", "-")
            meta.issuer_code = _issuer_code(*re.split(r"[/-]", meta.symbol, maxsplit=1))
            return at
    return None


def _issuer_code(type_abbr: str, issuer: str = "") -> str | None:
    """The issuer's part of a symbol: after the type ("QĐ/TW" → TW, "QĐ-UBND" → UBND), or first when
    the symbol has no type, as in letters ("UBND-XD" → UBND, "HC-QLHC" → HC) and laws ("QH14")."""
    if type_abbr in _SYMBOL_TYPES or type_abbr in ("QĐ", "TT", "TTLT", "NQLT"):
        return issuer or None
    return type_abbr or None


def _read_date(head: list[str], meta: DocMeta) -> int | None:
    """"Hà Nội, ngày 26 tháng 5 năm 2025" or "…, ngày 09/6/2025" near the top → place and ISO date.

    A date whose day (or month) is left blank on a draft gives only ``date_partial``.
    Returns the index of the date line in ``head``.
    """
    for at, line in enumerate(head[:DATE_LINES]):
        issued = _ISSUED.match(line)
        if issued and (m := _DATE.match(line, issued.end())) and m.group("d") and (m.group("m") or m.group("m2")):
            meta.date = _iso(m)
            return at
        for m in _DATE.finditer(line):
            place = _place(line[:m.start()])
            if not place or "," not in m.group():
                continue
            year = m.group("y") or m.group("y2")
            month = m.group("m") or m.group("m2")
            day = m.group("d")
            meta.place = place
            if day and month:
                meta.date = _iso(m)
            else:
                meta.date_partial = f"{year}-{int(month):02d}" if month else year
            return at
    for at, line in enumerate(head[:DATE_LINES]):  # "Số 120/2000/TTLT-BTC ngày 25 tháng 12 năm 2000": no place
        said = _NUMBER_LINE.match(line)
        numbers = find_numbers(line[said.end():]) if said else []
        date = _DATE.match(line, said.end() + numbers[0].end) if numbers else None
        if date and date.group("d") and (date.group("m") or date.group("m2")):
            meta.date = _iso(date)
            return at
    return None


def _iso(m: re.Match) -> str:
    """The ISO date of a full ``_DATE`` match."""
    return f"{m.group('y') or m.group('y2')}-{int(m.group('m') or m.group('m2')):02d}-{int(m.group('d')):02d}"


def _place(before: str) -> str | None:
    """The place name ending ``before``: its trailing title-case words ("Hà Nội", "TP. Hồ Chí Minh")."""
    words = before.split()
    taken: list[str] = []
    for word in reversed(words):
        letters = word.rstrip(".,")
        titled = letters[:1].isupper() and (letters[1:].islower() or word.endswith(".") and letters.isalpha())
        if titled or (word == "phố" and taken):
            taken.append(word)
        else:
            break
    place = " ".join(reversed(taken)).strip(" ,")
    if not place:  # typed in lower case or hyphenated ("Hà nội", "Hà-Nội"): the last column before the comma
        place = re.split(r"\s{2,}|\t|\|", before.rstrip(" ,"))[-1].strip(" ,")
        if not (1 <= len(place.split()) <= 4 and place[:1].isupper() and not any(c.isdigit() for c in place)):
            return None
    return place if place and place.split()[0] not in _BODY_WORDS else None


def _read_type(head: list[str], meta: DocMeta) -> int | None:
    """Type and subject from the title line in capitals; for letters (V/v …), "Công văn" and its subject.

    Returns the index of the title line in ``head`` (the issuer is read above it).
    """
    for i, line in enumerate(head):
        m = _TYPE_LINE.match(line)
        if not m or not _is_caps(m.group("type")) or _NUMBER_LINE.match(line):
            continue
        rest = m.group("rest").strip()
        if rest and not _is_caps(rest[:12]):
            continue  # "Quyết định này …" is a sentence, not a title line
        meta.doc_type = _TYPES[m.group("type")]
        meta.title = _subject([rest] if rest else [], head[i + 1:])
        return i
    for i, line in enumerate(head):
        m = _TYPED_TITLE.match(line)
        if m and not line.rstrip().endswith(":"):
            _read_typed_title(m, head[i + 1:], meta)
            return i
    for i, line in enumerate(head):
        m = _VV.search(line)
        if m:
            meta.doc_type = "Công văn"
            meta.title = _subject([line[m.end():]], head[i + 1:], letter=True)
            return i
    if meta.symbol:
        abbr = re.split(r"[/-]", re.sub(r"^\d{4}/", "", meta.symbol))[0]
        meta.doc_type = _SYMBOL_TYPES.get(abbr)
    return None


def _read_typed_title(m: re.Match, following: list[str], meta: DocMeta) -> None:
    """Type and subject of a title typed in lower case, and what its running text says: "của Chính phủ
    số 114/2003/NĐ-CP ngày 10/10/2003" gives the issuer, number and date the header may not show."""
    doc_type = _TYPES[m.group("type").upper()]
    rest = m.group("rest").strip()
    if not rest and following and following[0].lower().startswith(("của ", "liên tịch")):
        rest, following = following[0], following[1:]
    if doc_type == "Thông tư" and rest.lower().startswith("liên tịch"):
        doc_type = "Thông tư liên tịch"
    meta.doc_type = doc_type
    meta.title = _subject([], following)
    running = " ".join([rest] + following[:2])
    body = _OF_BODY.search(running)
    if body and " - " not in body.group("body"):  # a joint issue ("Bộ Tài chính - Công nghiệp") has no one issuer
        meta.issuer = _name_case(body.group("body").strip(" ,-").upper())
    said = _NUMBER_WORD.search(running)
    numbers = find_numbers(running[said.end():]) if said else []
    if meta.number is None and numbers and not running[said.end():said.end() + numbers[0].start].strip():
        meta.number = numbers[0].display
        date = _DATE.match(running, said.end() + numbers[0].end)
        if meta.date is None and date and date.group("d") and (date.group("m") or date.group("m2")):
            meta.date = _iso(date)


def _subject(first: list[str], following: list[str], letter: bool = False) -> str | None:
    """The subject: title lines after the type line (or after "V/v"), up to the body, a rule line,
    a note in brackets or the issuing authority's line in capitals."""
    parts = [p for p in first if p.strip()]
    for line in following[:6]:
        text = line.strip()
        if not text:
            if parts:
                break
            continue
        if _NATIONAL.search(text) or text.startswith("(") or set(text) <= set("-–_*=. "):
            break
        if letter and (_DATE.search(text) or text.startswith("Kính gửi")):
            break
        caps = _is_caps(text)
        if parts and (caps != _is_caps(" ".join(parts)) or caps and (_SIGNER_TITLES.match(text)
                                                                     or _AUTHORITY_LINE.match(text))):
            break
        parts.append(text)
    subject = " ".join(" ".join(parts).split()).rstrip(" .")
    if not subject:
        return None
    return _sentence_case(subject) if _is_caps(subject) else subject[0].upper() + subject[1:]


def _read_issuer(header: list[str], meta: DocMeta) -> None:
    """Issuing body from the header lines in capitals above the title: the lowest unit, named with
    its parent where that is how it is called ("Ban Tổ chức Trung ương", "Ban Tổ chức Thành ủy Hà Nội")."""
    caps: list[str] = []
    typed: list[str] = []  # lines typed in lower case for capital fonts: a body's name, then its place
    for line in header:
        text = _NATIONAL.split(line)[0].strip(" *-–|=&")
        if (not text or _NUMBER_LINE.match(text) or _DATE.search(text) or text in _MARKS or ":" in text
                or any(c.isdigit() for c in text) or _NO_HEADER.match(text)):
            continue  # a body's name has no digits or colons ("SỬA ĐỔI 1:2024 QCVN 05A", "MỤC LỤC:")
        if _is_caps(text):
            caps.append(text)
        elif _UNIT_LINE.match(text) or (typed and len(text.split()) <= 4):
            typed.append(text.upper())
    units = _units(" ".join(caps or typed))
    if not units:
        return
    child = _name_case(units[-1])
    if len(units) == 1:
        meta.issuer = child
        return
    parent = _name_case(units[-2])
    place = parent.split(" tỉnh ", 1)[-1] if " tỉnh " in parent else None
    if place and child.lower().endswith(" " + place.lower()):  # "BQL các KCN … Bà Rịa – Vũng Tàu" names its place
        meta.issuer = child[:-len(place)] + place
        return
    lower_parent = parent.lower()
    if lower_parent == "ban chấp hành trung ương":
        meta.issuer = f"{child} Trung ương"
    elif lower_parent.startswith(_PARTY_COMMITTEES):
        meta.issuer = f"{child} {parent}"
    elif lower_parent.startswith(("ủy ban nhân dân ", "hội đồng nhân dân ")):
        meta.issuer = f"{child} {parent.split(' nhân dân ', 1)[1]}"  # "Sở … tỉnh Lào Cai"
    else:
        meta.issuer = f"{child}, {parent}"


def _units(caps: str) -> list[str]:
    """Split a run of header capitals into the bodies it names, outermost first:
    "BỘ CÔNG THƯƠNG CỤC HÓA CHẤT" → ["BỘ CÔNG THƯƠNG", "CỤC HÓA CHẤT"]."""
    units: list[list[str]] = []
    words = _expand(caps).split()
    i = 0
    while i < len(words):
        rest = " ".join(words[i:]).lower()
        start = next((u for u in _UNIT_STARTS if rest == u or rest.startswith(u + " ")), None)
        if start or not units:
            units.append([])
        size = len(start.split()) if start else 1
        units[-1] += words[i:i + size]
        i += size
    names = [" ".join(u) for u in units]
    return [n for k, n in enumerate(names) if k == 0 or n != names[k - 1]]  # a header printed twice names one body


def _expand(text: str) -> str:
    for short, full in _ABBREVIATIONS.items():
        text = re.sub(rf"(?<!\w){re.escape(short)}(?!\w)", full, text)
    return text


def _name_case(caps: str) -> str:
    """Official casing of a body or title written in capitals: "BAN TỔ CHỨC" → "Ban Tổ chức",
    "ỦY BAN NHÂN DÂN TỈNH LÀO CAI" → "Ủy ban nhân dân tỉnh Lào Cai", "PHÓ TRƯỞNG BAN" → "Phó Trưởng ban"."""
    words = _expand(caps).lower().split()
    out: list[str] = []
    capital_next = False  # a name starts after "Ban", "Bộ", "Sở", "Phó" …, and after "và" inside one
    in_name = False
    i = 0
    while i < len(words):
        rest = " ".join(words[i:])
        phrase = _first_prefix(rest, _PHRASES)
        place = _first_prefix(rest, _PLACES, whole=False)
        starter = _first_prefix(rest, _STARTERS, whole=False)
        if phrase:
            out.append(_PHRASES[phrase])
            i += len(phrase.split())
            capital_next = False
        elif place:  # "tỉnh Lào Cai", "Thành ủy Hà Nội": every word of the place name is capitalised
            out.append(_PLACES[place])
            out.extend(w.capitalize() for w in words[i + len(place.split()):])
            break
        elif starter:
            out.append(_STARTERS[starter])
            i += len(starter.split())
            in_name = capital_next = True
        else:
            out.append(words[i].capitalize() if capital_next else words[i])
            capital_next = in_name and words[i] == "và"
            i += 1
    name = " ".join(out)
    return name[:1].upper() + name[1:]


def _first_prefix(rest: str, table: dict[str, str], whole: bool = True) -> str | None:
    """The longest key of ``table`` that ``rest`` starts with as whole words (followed by more
    words unless ``whole``)."""
    for key in sorted(table, key=len, reverse=True):
        if rest.startswith(key + " ") or (whole and rest == key):
            return key
    return None


def _sentence_case(caps: str) -> str:
    """A subject written in capitals, in sentence case with proper names and symbols restored:
    "SỬA ĐỔI … THÔNG TƯ SỐ 38/2025/TT-BCT CỦA BỘ TRƯỞNG BỘ CÔNG THƯƠNG" →
    "Sửa đổi … Thông tư số 38/2025/TT-BCT của Bộ trưởng Bộ Công Thương"."""
    text = caps.lower()
    for lower, proper in _PROPER:
        text = re.sub(rf"\b{lower}\b", proper, text)
    text = _PARTY_WORD.sub("Đảng", text)
    text = _LAW_NAME.sub(lambda m: f"{m.group(1).capitalize()} {m.group(2).upper()}", text)
    text = _NUMBERED.sub(lambda m: m.group(1).capitalize(), text)
    text = _CAPS_TOKEN.sub(lambda m: caps[m.start():m.end()], text)  # symbols and codes as written
    return text[:1].upper() + text[1:]


def _read_marks(header: list[str], meta: DocMeta) -> None:
    """Secrecy and urgency marks standing alone on a header line ("MẬT", "HỎA TỐC")."""
    for line in header:
        mark = _MARKS.get(" ".join(line.split()))
        if mark:
            setattr(meta, mark[0], mark[1])


def _read_signature(lines: list[str], meta: DocMeta) -> None:
    """Signing authority (T/M, K/T, T/L; TM., KT., TL.), signer's title and name: the first
    authority or title line from just above "Nơi nhận" on that a name follows."""
    at = _recipients_at(lines)
    for i in range(max(0, at - 20) if at is not None else 0, len(lines)):
        caps, _ = _split_name(lines[i].strip())
        if _authorities(caps)[0] or _is_caps(caps) and _SIGNER_TITLES.match(caps):
            found = _signature_from(lines, i)
            if found:
                authorities, meta.signer_title, meta.signer = found
                meta.signing_authority = ", ".join(authorities) or None
                return


def _signature_from(lines: list[str], i: int) -> tuple[list[str], str | None, str] | None:
    """Authorities, title and name of a signature block starting at line ``i``, if a name follows.

    The title may be broken over lines and pushed to the end of recipient lines by PDF extraction
    ("- Ban Bí thư (để báo cáo),  PHÓ" / "TRƯỞNG BAN"), or share a line with the name when table
    cells are joined ("CHỦ TỊCH QUỐC HỘI Trần Thanh Mẫn"); the pieces are put together.
    """
    authorities: list[str] = []
    title: list[str] = []
    for line in lines[i:i + 25]:
        caps, name = _split_name(line.strip())
        found, run_on = _authorities(caps)
        if found:
            authorities += found
            title += [run_on] if run_on else []
        elif len(caps.split()) > 25:
            return None  # running text: this was not a signature block
        elif _is_caps(caps) and not _NATIONAL.search(caps):
            title.append(caps)
        elif authorities and (column := _caps_column(line)):
            title.append(column)
        if name:
            return authorities, _name_case(" ".join(title)) if title else None, name
    return None


# A signature typed in lower case: the authority ("KT.Bộ trưởng bộ tài chính", "kt/bộ trưởng", "tm . ubnd …")
# or the title alone ("Thứ trưởng", "thủ tướng chính phủ"), a cell of its own line.
_TYPED_AUTHORITY = re.compile(r"\W*(?:t/?m|k/?t|t/?l|tuq)\s*(?:[./]|\s)\s*\w", re.I)
_TYPED_SIGNER_TITLE = re.compile(r"(?:phó\s+)?(?:thủ tướng|bộ trưởng|thứ trưởng|chủ tịch|thống đốc|giám đốc|"
                                 r"trưởng ban|chánh văn phòng|cục trưởng|tổng bí thư|bí thư)\b", re.I)
_SIGNED = re.compile(r"\(?\s*đã\s+ký\s*\)?", re.I)
_CELL_GAP = re.compile(r"\s{2,}|\t|\|")
SIGNATURE_LINES = 15  # from the authority or title to the name, recipients' lines in between


def _read_typed_signature(lines: list[str], meta: DocMeta) -> None:
    """The signer of a signature typed in lower case, whose lines may be a second column beside the
    recipients ("- UBND, Sở tài chính, Cục thuế các        Phạm Văn Trọng"): the first name after an
    authority or title cell. Only the name is read: such titles carry no reliable casing."""
    for i, line in enumerate(lines):
        cells = [c.strip() for c in _CELL_GAP.split(line) if c.strip()]
        if not any(_TYPED_AUTHORITY.match(c) or (_TYPED_SIGNER_TITLE.match(c) and len(c.split()) <= 6)
                   for c in cells):
            continue
        for later in lines[i + 1:i + 1 + SIGNATURE_LINES]:
            for cell in _CELL_GAP.split(later):
                name = " ".join(_SIGNED.sub(" ", cell).split())
                if _is_name(name):
                    meta.signer = name
                    return


def _split_name(text: str) -> tuple[str, str | None]:
    """("CHỦ TỊCH QUỐC HỘI", "Trần Thanh Mẫn") from a line ending in a person's name after capitals
    or nothing; (text, None) when the line does not end so."""
    words = text.split()
    for size in range(min(5, len(words)), 1, -1):
        head, tail = " ".join(words[:-size]), " ".join(words[-size:])
        if _is_name(tail) and (not head or _is_caps(head)):
            return head, tail
    return text, None


def _authorities(line: str) -> tuple[list[str], str | None]:
    """Authorities at the end of a line, and a signer's title run on after the last of them:
    "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH" → (["TM. Ủy ban nhân dân", "KT. Chủ tịch"], None),
    "KT. CỤC TRƯỞNG PHÓ CỤC TRƯỞNG" → (["KT. Cục trưởng"], "PHÓ CỤC TRƯỞNG")."""
    m = _AUTHORITY.search(line)
    if not m:
        return [], None
    parts = _AUTHORITY_KIND.split(line[m.start():].strip())[1:]  # kind, body, kind, body …
    if not all(_is_caps(body) for body in parts[1::2]):
        return [], None
    body, title = _split_title(parts[-1])
    parts[-1] = body
    return [f"{kind} {_name_case(body)}" for kind, body in zip(parts[::2], parts[1::2])], title


def _split_title(body: str) -> tuple[str, str | None]:
    """("TRƯỞNG BAN", "PHÓ TRƯỞNG BAN") from "TRƯỞNG BAN PHÓ TRƯỞNG BAN": a title after a body of two
    or more words ("BAN BÍ THƯ" stays whole)."""
    for m in _SIGNER_TITLES.finditer(body):
        if m.start() and len(body[:m.start()].split()) >= 2:
            return body[:m.start()].strip(), body[m.start():].strip()
    return body, None


def _caps_column(line: str) -> str | None:
    """Capitals after a wide gap at the end of a line: the signature column beside a recipient."""
    m = _LAST_COLUMN.match(line)
    return m.group("column") if m and _is_caps(m.group("column")) else None


def _is_name(text: str) -> bool:
    """A person's name on its own line: two to five title-case words ("Trần Cẩm Tú")."""
    words = text.split()
    return 2 <= len(words) <= 5 and words[0] not in _NOT_NAMES and all(
        w.isalpha() and len(w) > 1 and w[0].isupper() and w[1:].islower() for w in words)


def _recipients_at(lines: list[str]) -> int | None:
    return next((i for i, line in enumerate(lines) if _RECIPIENTS.match(line)), None)


def _recipients(lines: list[str]) -> list[str]:
    """Items of the first "Nơi nhận:" list, wrapped lines joined, signature lines left out."""
    at = _recipients_at(lines)
    if at is None:
        return []
    items: list[str] = []
    for line in [lines[at][_RECIPIENTS.match(lines[at]).end():]] + lines[at + 1:at + 60]:
        column = _caps_column(line)
        text = (line[:line.rindex(column)] if column else line).strip()
        if not text:
            if items:
                break
            continue
        bullet = text[0] in "-+•"
        if not bullet and _split_name(text)[1]:
            break
        if not bullet and (_authorities(text)[0] or _is_caps(text) or text.isdigit()):
            continue  # signature lines and page numbers between the items
        parts = _ITEM_SPLIT.split(text.lstrip("-+• "))
        if bullet:
            items.extend(parts)
        elif items:
            items[-1] += " " + parts[0]
            items.extend(parts[1:])
    return [" ".join(item.split()).strip(" ,;.") for item in items if item.strip(" ,;.")]


def _issuer_from_signature(meta: DocMeta) -> None:
    """Bộ Chính trị and Ban Bí thư issue under the "Ban Chấp hành Trung ương" header; T/M names them."""
    authority = (meta.signing_authority or "").split(",")[0]
    body = authority.split(" ", 1)[1] if authority.startswith(("T/M ", "TM. ")) else None
    if body and (meta.issuer is None or meta.issuer == "Ban Chấp hành Trung ương"):
        meta.issuer = body


def _is_caps(text: str) -> bool:
    """Whether text has letters and all of them are capitals."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)
