"""Legacy Vietnamese encodings (TCVN3/ABC and VNI) found in text, and their conversion to Unicode.

Before Unicode was mandatory, Vietnamese was typed in 8-bit fonts: TCVN 5712:1993 "VN3" (ABC, the
.VnTime family) puts each accented letter on one byte ("®¶ng" = "đảng"); VNI (VNI-Times …) writes
a base letter followed by one mark byte ("Ñaûng" = "Đảng"). Read as Windows-1252 (what Word, RTF
and PDF text layers give back) both look like Latin-1 mojibake.

A font name is a hint, never proof: many Unicode documents still declare .VnTime. So the decision
is made from the characters themselves, per line (paragraph) or per run: each word is read as
Unicode and as each legacy encoding, and a reading counts for an encoding when it yields a valid
Vietnamese syllable where the Unicode reading does not ("®¶ng" → "đảng"), against it when it
yields garbage. Words holding letters no legacy byte decodes to (ạ, ơ, ư, đ, combining tones) count
for Unicode. A line is converted on strong evidence (two words, or one word with two characters
Vietnamese never uses); weaker evidence counts once another line of the document proved the same
encoding; lines without evidence follow their nearest decided neighbour. So a TCVN3 table inside
a Unicode document is converted, a lone "µm" or "s·m" in Unicode text is not, and Unicode text
comes back byte for byte.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter

_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_TONE_MARKS = frozenset((_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT))


def _compose(base: str, tone: str = "") -> str:
    return unicodedata.normalize("NFC", base + tone)


# TCVN 5712:1993 VN3, per vowel: (byte of the toneless letter, bytes for huyền, sắc, hỏi, ngã, nặng),
# written as the Windows-1252 characters those bytes decode to.
_TCVN3_ROWS = {
    "a": ("", "µ¸¶·¹"),
    "ă": ("¨", "»¾¼½Æ"),
    "â": ("©", "ÇÊÈÉË"),
    "e": ("", "ÌÐÎÏÑ"),
    "ê": ("ª", "ÒÕÓÔÖ"),
    "i": ("", "×ÝØÜÞ"),
    "o": ("", "ßãáâä"),
    "ô": ("«", "åèæçé"),
    "ơ": ("¬", "êíëìî"),
    "u": ("", "ïóñòô"),
    "ư": ("\u00ad", "õøö÷ù"),
    "y": ("", "úýûüþ"),
}
_TONE_ORDER = (_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT)


def _tcvn3_table() -> dict[str, str]:
    table = {"®": "đ", "¡": "Ă", "¢": "Â", "§": "Đ", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư"}
    for vowel, (plain, toned) in _TCVN3_ROWS.items():
        if plain:
            table[plain] = vowel
        for code, tone in zip(toned, _TONE_ORDER):
            table[code] = _compose(vowel, tone)
    # Some PDF producers put look-alike code points in the text layer for two TCVN3 bytes.
    table["\u2212"] = "ư"  # minus sign for 0xAD
    table["\u2219"] = "ã"  # bullet operator for 0xB7
    return table


TCVN3 = _tcvn3_table()
_TCVN3_TRANS = str.maketrans(TCVN3)

# VNI for Windows: a vowel followed by one mark byte. Lower-case marks, upper-case marks.
_VNI_TONES = {"ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}
_VNI_HAT = {"â": "", "á": _ACUTE, "à": _GRAVE, "å": _HOOK, "ã": _TILDE, "ä": _DOT}  # circumflex
_VNI_BREVE = {"ê": "", "é": _ACUTE, "è": _GRAVE, "ú": _HOOK, "ü": _TILDE, "ë": _DOT}
_VNI_SINGLE = {
    "ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ",
}


def _vni_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for lower in (False, True):
        def case(s: str) -> str:
            return s if lower else s.upper()

        for mark, tone in _VNI_TONES.items():
            for base in "aeiouy":
                table[case(base) + mark] = case(_compose(base, tone))
                table[case(base) + mark.upper()] = case(_compose(base, tone))
            for vni, vowel in (("ô", "ơ"), ("ö", "ư")):
                table[case(vni) + mark] = case(_compose(vowel, tone))
                table[case(vni) + mark.upper()] = case(_compose(vowel, tone))
        for marks, modifier, bases in ((_VNI_HAT, "\u0302", "aeo"), (_VNI_BREVE, "\u0306", "a")):
            for mark, tone in marks.items():
                for base in bases:
                    letter = case(_compose(base + modifier, tone))
                    table[case(base) + mark] = letter
                    table[case(base) + mark.upper()] = letter
        for vni, letter in _VNI_SINGLE.items():
            table[case(vni)] = case(letter)
    return table


VNI = _vni_table()
_VNI_RE = re.compile("|".join(sorted(map(re.escape, VNI), key=len, reverse=True)))

# Characters a legacy text can contain when read as Windows-1252, plus the PDF look-alikes.
_CP1252 = frozenset(bytes(range(256)).decode("cp1252", errors="ignore")) | {"\u2212", "\u2219"}
_VIET_UNICODE = frozenset("àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ")
_VIET_UNICODE |= frozenset(c.upper() for c in _VIET_UNICODE)
_VIET_LETTERS = _VIET_UNICODE | frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Vietnamese letters no legacy byte decodes to (ạ, ơ, ư, đ …): proof of Unicode.
_GENUINE = re.compile("[" + "".join(sorted(_VIET_UNICODE - _CP1252)) + "]")
# Legacy characters that are not letters of Vietnamese Unicode text: signs of mojibake.
_LEGACY_ONLY = frozenset(c for c in {*TCVN3, *"".join(VNI)} if c not in _VIET_UNICODE and not c.isascii())

# A token: letters, combining marks (text with tones apart: "vâ\u0301n"), and the TCVN3 symbol
# characters that stand for letters.
_SYMBOLS = re.escape("".join(c for c in TCVN3 if not c.isalpha())) + "\u0300-\u036f"
_LETTER = f"(?:[^\\W\\d_]|[{_SYMBOLS}])"
_TOKEN = re.compile(f"{_LETTER}+")
# Words with a genuine Unicode letter or a combining mark (counted once each, from the first one);
# words a legacy encoding could have produced (letters of Windows-1252 only, one beyond ASCII).
# Character classes and possessive loops only: these two run over every line of every document.
_GENUINE_WORD = re.compile(f"[{_GENUINE.pattern[1:-1]}\u0300-\u036f][\\w{_SYMBOLS}]*+")
_CP1252_LETTERS = "".join(sorted(c for c in _CP1252 if re.fullmatch(_LETTER, c)))
_CANDIDATE = re.compile(
    f"(?<![^\\W\\d_])(?<![{_SYMBOLS}])"
    f"(?=[A-Za-z]*+[{re.escape(''.join(c for c in _CP1252_LETTERS if not c.isascii()))}])"
    f"[{re.escape(_CP1252_LETTERS)}]++(?![^\\W\\d_])(?![{_SYMBOLS}])"
)
# pypdf puts a space before the look-alikes of ư and ã when their glyphs overlap: "t −íng".
_PDF_SPLIT = re.compile(f"({_LETTER}+) ([\u2212\u2219]{_LETTER}*)")
# A word of capitals (two or more, no ASCII lower case) holding a lower-case accented letter.
_MIXED_CAPS = re.compile(r"\b(?=\w*[A-ZĂÂĐÊÔƠƯ]\w*[A-ZĂÂĐÊÔƠƯ])(?=\w*[^\W\d_a-zA-Z])[^\Wa-z]+\b")
_ASCII_LOWER, _ASCII_UPPER = re.compile("[a-z]"), re.compile("[A-Z]")
_LINE = re.compile(r"[^\r\n\x07\x0b\x0c]*[\r\n\x07\x0b\x0c]*")

# Vietnamese syllable (lower case, tone removed): onset, then a rhyme. Codas p, t, c, ch take only
# the sắc or nặng tone.
_OPEN_RHYMES = (
    "a e ê i o ô ơ u ư y ia ua ưa oa oe uê uy uơ uya ai ay ao au âu ây eo êu iu oi ôi ơi ui ưi ưu "
    "iêu yêu uôi ươi ươu oai oay oao oeo uây uyu"
).split()
_CLOSED_NUCLEI = "a ă â e ê i o ô ơ u ư y iê yê uô ươ oa oă oe uâ uê uy uyê".split()
_PALATAL_NUCLEI = "a ê i y oa uê uy".split()


def _alternation(items: list[str]) -> str:
    return "|".join(sorted(items, key=len, reverse=True))


_SYLLABLE = re.compile(
    "(?:ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|[bcdđghklmnpqrstvx])?"
    f"(?:(?:{_alternation(_PALATAL_NUCLEI)})(?P<pal>ch|nh)"
    f"|(?:{_alternation(_CLOSED_NUCLEI)})(?P<coda>ng|[cmnpt])"
    f"|(?:{_alternation(_OPEN_RHYMES)}))"
)


def is_syllable(word: str) -> bool:
    """Whether ``word`` is a well-formed Vietnamese syllable (any case, at most one tone)."""
    word = unicodedata.normalize("NFC", word)
    if not all(c in _VIET_LETTERS for c in word):
        return False
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in decomposed if c in _TONE_MARKS]
    if len(tones) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    match = _SYLLABLE.fullmatch(base)
    if match is None:
        return False
    stop = match.group("pal") == "ch" or match.group("coda") in ("c", "p", "t")
    return not stop or tones in ([_ACUTE], [_DOT])


def _capitals(text: str) -> str:
    """Capitalize accented letters that came out lower case in text typed in capitals ("THủ" → "THỦ").

    Upper-case fonts (.VnTimeH …) show the lower-case accented letters as capitals, so typists mixed
    the two: a line whose ASCII letters are all capitals is upper-cased whole, elsewhere each word
    of capitals is.
    """
    if not _ASCII_LOWER.search(text) and len(_ASCII_UPPER.findall(text)) >= 3:
        return text.upper()
    return _MIXED_CAPS.sub(lambda m: m.group().upper(), text)


def _plausible(word: str) -> bool:
    """A Vietnamese syllable or an abbreviation in capitals (NĐ, QĐ, UBND)."""
    return is_syllable(word) or word.isupper()


def _tcvn3(text: str) -> str:
    return text.translate(_TCVN3_TRANS)


def _vni(text: str) -> str:
    return _VNI_RE.sub(lambda m: VNI[m.group()], text)


_CONVERTERS = {"tcvn3": _tcvn3, "vni": _vni}


def font_encoding(font: str | None) -> str | None:
    """The legacy encoding a font name suggests: .VnTime, VnTimeH(Ds), VNSTCVN3 → tcvn3; VNI-Times → vni."""
    if not font:
        return None
    name = font.strip().lower()
    if name.startswith(("vni", "vnsvni")):
        return "vni"
    if name.startswith((".vn", "vn")) or "tcvn3" in name:
        return "tcvn3"
    return None


@functools.lru_cache(maxsize=1 << 16)
def _word_evidence(token: str) -> tuple[tuple[int, bool], tuple[int, bool]]:
    """For TCVN3 and VNI: (+1 for, -1 against, 0), and whether the word alone is strong proof.

    A reading counts for an encoding when it is a Vietnamese syllable and the Unicode reading is
    not, against it when it is neither a syllable nor an abbreviation in capitals. Proof is strong
    when the word holds two or more characters that Vietnamese text never has ("®¶ng"); one alone
    may be a symbol between letters ("s·m", "µm").
    """
    as_unicode = is_syllable(token)
    strong = sum(c in _LEGACY_ONLY for c in token) >= 2
    result = []
    for convert in (_tcvn3, _vni):
        converted = convert(token)
        if converted == token or (is_syllable(converted) and as_unicode):
            result.append((0, False))
        elif is_syllable(converted):
            result.append((1, strong))
        else:
            result.append((0 if converted.isupper() else -1, False))
    return result[0], result[1]


class _Evidence:
    """Word-level evidence in one piece of text for each legacy reading and for Unicode."""

    __slots__ = ("unicode", "net", "strong")

    def __init__(self, text: str) -> None:
        self.net = {"tcvn3": 0, "vni": 0}
        self.strong = {"tcvn3": False, "vni": False}
        self.unicode = len(_GENUINE_WORD.findall(text))
        candidates = {word for word in _CANDIDATE.findall(text) if len(word) > 1}  # distinct: "5 µm, 2 µm"
        if len(candidates) <= self.unicode:
            return  # Unicode wins whatever the candidate words say
        for token in candidates:
            for name, (vote, strong) in zip(("tcvn3", "vni"), _word_evidence(token)):
                self.net[name] += vote
                self.strong[name] = self.strong[name] or strong

    def verdict(self, hint: str | None) -> tuple[str | None, bool] | None:
        """(legacy encoding or None for Unicode, whether the evidence is strong); None if no evidence.

        A legacy reading must beat Unicode and the other legacy reading; a tie between the two
        legacy readings goes to the font's, or stays undecided.
        """
        ranked = sorted(self.net, key=lambda name: (self.net[name], name == hint), reverse=True)
        best, other = ranked
        score = self.net[best] - self.unicode
        if score >= 1 and (self.net[best] > self.net[other] or best == hint):
            return best, score >= 2 or self.strong[best]
        if self.unicode or all(net < 0 for net in self.net.values()):
            return None, True
        return None


def _join_split(match: re.Match[str]) -> str:
    """Rejoin "t −íng" to "t−íng" when only the joined word is Vietnamese ("tướng")."""
    left, right = match.groups()
    if not _plausible(_tcvn3(left)) and is_syllable(_tcvn3(left + right)):
        return left + right
    return match.group()


def _convert_line(text: str, encoding: str) -> str:
    """Convert a line from ``encoding``; a word that only the other legacy encoding reads as
    Vietnamese is converted from that one (lines typed partly in each)."""
    other = "vni" if encoding == "tcvn3" else "tcvn3"

    def word(match: re.Match[str]) -> str:
        token = match.group()
        converted = _CONVERTERS[encoding](token)
        if len(token) < 2 or converted == token or _plausible(converted) or is_syllable(token):
            return converted
        alternative = _CONVERTERS[other](token)
        return alternative if _plausible(alternative) else converted

    if encoding == "tcvn3" and ("\u2212" in text or "\u2219" in text):
        text = _PDF_SPLIT.sub(_join_split, text)
    return _capitals(_TOKEN.sub(word, text))


def _nearest(decisions: list[str | None | bool]) -> list[str | None]:
    """Each line's decision, undecided lines (False) taking that of the nearest decided line."""
    n = len(decisions)
    before: list[tuple[int, str | None] | None] = [None] * n
    after: list[tuple[int, str | None] | None] = [None] * n
    last: tuple[int, str | None] | None = None
    for i, d in enumerate(decisions):
        if d is not False:
            last = (i, d)
        before[i] = last
    last = None
    for i in range(n - 1, -1, -1):
        if decisions[i] is not False:
            last = (i, decisions[i])
        after[i] = last
    result: list[str | None] = []
    for i in range(n):
        near = [c for c in (before[i], after[i]) if c is not None]
        result.append(min(near, key=lambda c: abs(c[0] - i))[1] if near else None)
    return result


def _convert_lines(lines: list[tuple[str, str | None]]) -> tuple[str, str | None]:
    """Decide each (text, font hint) line, let undecided lines follow the nearest decided one, convert."""
    verdicts = [_Evidence(text).verdict(hint) for text, hint in lines]
    proven = {v[0] for v in verdicts if v is not None and v[1]}
    decisions: list[str | None | bool] = []
    for verdict, (_text, hint) in zip(verdicts, lines):
        if verdict is None:
            decisions.append(False)
        else:  # weak evidence counts where another line of the document proves that encoding
            encoding, strong = verdict
            decisions.append(encoding if strong or encoding in proven else False)
    encodings = _nearest(decisions)
    out: list[str] = []
    converted: Counter[str] = Counter()
    for (text, _hint), encoding in zip(lines, encodings):
        if encoding:
            new = _convert_line(text, encoding)
            if new != text:
                converted[encoding] += 1
            text = new
        out.append(text)
    return "".join(out), (converted.most_common(1)[0][0] if converted else None)


def convert_text(text: str) -> tuple[str, str | None]:
    """Convert the TCVN3 or VNI lines of ``text`` to Unicode; return (text, encoding or None).

    The encoding is the one most lines were converted from; Unicode text comes back identical.
    """
    return _convert_lines([(line, None) for line in _LINE.findall(text) if line])


def convert_run(text: str, font: str | None) -> tuple[str, str | None]:
    """Convert one run whose font is known, on its own: a legacy font makes conversion possible.

    Strong evidence converts whatever the font; weak evidence (one word such as "Chieác") only
    in a font of that encoding; a run without evidence, Unicode in .VnTime included, comes back
    unchanged.
    """
    hint = font_encoding(font)
    verdict = _Evidence(text).verdict(hint)
    if verdict is None or verdict[0] is None or not (verdict[1] or verdict[0] == hint):
        return text, None
    return _convert_line(text, verdict[0]), verdict[0]


def convert_runs(runs: list[tuple[str, str | None]]) -> tuple[str, str | None]:
    """Convert a document given as (text, font name) runs, as :func:`convert_text` does per line.

    A line's fonts (the one covering most of its characters) only break ties between TCVN3 and
    VNI: fonts are often wrong (a VNI paragraph in .VnTime after a copy between documents).
    """
    lines: list[tuple[str, str | None]] = []
    parts: list[str] = []
    fonts: Counter[str | None] = Counter()
    for run, font in runs:
        for piece in _LINE.findall(run):
            if not piece:
                continue
            parts.append(piece)
            fonts[font_encoding(font)] += len(piece.strip())
            if piece[-1] in "\r\n\x07\x0b\x0c":
                lines.append(("".join(parts), fonts.most_common(1)[0][0]))
                parts, fonts = [], Counter()
    if parts:
        lines.append(("".join(parts), fonts.most_common(1)[0][0]))
    return _convert_lines(lines)
