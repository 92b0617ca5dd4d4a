"""Word 97–2003 (.doc) text, read from the binary format itself, with the font of every run.

Route: ``olefile`` opens the OLE2 container and this module reads the Word structures (FIB, piece
table, character and paragraph property pages, stylesheet, font table). That gives the stored
characters exactly (8-bit pieces as Windows-1252, so TCVN3/VNI bytes arrive intact; Unicode pieces
as UTF-16) plus the font of each run, which :func:`searchdocs.documents.legacy.convert_runs` takes as a hint
while it decides the encoding of each paragraph from its characters. Field instructions (PAGE,
EMBED …) are dropped and their results kept, as Word displays them.

Why this route: on the 36 legacy .doc files of shared/documents/legacy, with the same legacy
conversion applied to every tool's output, the character error rate against the hand-checked
transcripts was 0.09 % here, 8.1 % with antiword 0.37 (which gives up on fast-saved files) and 7.1 %
with catdoc 0.95 (which loses text of several files); the 6 Unicode .doc files of
shared/documents/state come out complete, with no Debian package to install.
"""
from __future__ import annotations

import bisect
import re
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Generic, TypeVar

import olefile

from searchdocs.errors import N_, ExtractionError
from searchdocs.documents.legacy import convert_runs
from searchdocs.models import Extracted, Page

from searchdocs.extract.lines import clean

_CP1252 = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))

# FIB: indexes of the FcLcb pairs used here, and of the character counts in FibRgLw97.
_STSHF, _PLCF_BTE_CHPX, _PLCF_BTE_PAPX, _STTBF_FFN, _CLX = 1, 12, 13, 15, 33
_CCP_FIELDS = (3, 4, 5, 7, 8, 9, 10)  # main text, footnotes, headers, comments, endnotes, text boxes
# Property modifiers (sprm) read: the run's ASCII font and its character style.
_SPRM_FONT, _SPRM_CHAR_STYLE = 0x4A4F, 0x4A30

_T = TypeVar("_T")

_FIELD_CODE = re.compile("\x13[^\x13\x14\x15]*[\x14\x15]")  # field instructions; the result stays
_CONTROL = str.maketrans({
    "\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x07": "\n", "\x1e": "-",
    "\x01": None, "\x02": None, "\x05": None, "\x08": None, "\x13": None, "\x14": None, "\x15": None,
    "\x1f": None, "\x00": None,
})


def _u16(data: bytes, offset: int) -> int:
    return struct.unpack_from("<H", data, offset)[0]


def _u32(data: bytes, offset: int) -> int:
    return struct.unpack_from("<I", data, offset)[0]


def _sprms(grpprl: bytes) -> Iterator[tuple[int, bytes]]:
    """(sprm, operand) pairs of a property list; the operand size comes from the sprm's spra bits."""
    i = 0
    while i + 2 <= len(grpprl):
        sprm = _u16(grpprl, i)
        i += 2
        spra = sprm >> 13
        if spra == 6:  # variable length: a size byte (two bytes for sprmTDefTable)
            if sprm == 0xD608 and i + 2 <= len(grpprl):
                size, i = _u16(grpprl, i) - 1, i + 2
            elif i < len(grpprl):
                size, i = grpprl[i], i + 1
            else:
                return
        else:
            size = (1, 1, 2, 4, 2, 2, 0, 3)[spra]
        yield sprm, grpprl[i : i + size]
        i += size


def _plc(data: bytes, offset: int, size: int, item: int) -> tuple[list[int], list[bytes]]:
    """A PLC: n+1 positions followed by n items of ``item`` bytes."""
    n = (size - 4) // (4 + item)
    positions = list(struct.unpack_from(f"<{n + 1}I", data, offset))
    base = offset + 4 * (n + 1)
    return positions, [data[base + item * k : base + item * (k + 1)] for k in range(n)]


class _Document:
    """The parts of a Word binary file needed to list its text runs with their fonts."""

    def __init__(self, word: bytes, table: bytes) -> None:
        self.word, self.table = word, table
        if _u16(word, 0) != 0xA5EC:
            raise ExtractionError(N_("not a Word 97-2003 document (unknown FIB signature)"))
        if _u16(word, 2) < 0xC0:  # nFib of Word 97 and later
            raise ExtractionError(N_("Word 6/95 or older .doc is not supported: save it as .docx and index again"))
        csw = _u16(word, 32)
        rg_lw = 34 + 2 * csw + 2
        cslw = _u16(word, 34 + 2 * csw)
        self._fc_lcb = rg_lw + 4 * cslw + 2
        self.ccp = sum(_u32(word, rg_lw + 4 * k) for k in _CCP_FIELDS)
        self.fonts = self._read_fonts()
        self.styles, self.default_font = self._read_styles()
        self.chpx = self._read_fkps(_PLCF_BTE_CHPX, self._chpx_run)
        self.papx = self._read_fkps(_PLCF_BTE_PAPX, self._papx_style)

    def _fclcb(self, index: int) -> tuple[int, int]:
        offset = self._fc_lcb + 8 * index
        return _u32(self.word, offset), _u32(self.word, offset + 4)

    def _read_fonts(self) -> list[str]:
        offset, size = self._fclcb(_STTBF_FFN)
        if not size:
            return []
        count, p, fonts = _u16(self.table, offset), offset + 4, []
        for _ in range(count):
            length = self.table[p]
            ffn = self.table[p + 1 : p + 1 + length]
            fonts.append(ffn[39:].decode("utf-16-le", errors="replace").split("\0")[0])
            p += 1 + length
        return fonts

    def _read_styles(self) -> tuple[list[tuple[int, int | None]], int]:
        """Per style: (base style, font or None), and the document's default font."""
        offset, size = self._fclcb(_STSHF)
        if not size:
            return [], 0
        table = self.table
        cb_stshi = _u16(table, offset)
        stshi = table[offset + 2 : offset + 2 + cb_stshi]
        count, cb_base, default_font = _u16(stshi, 0), _u16(stshi, 2), _u16(stshi, 12)
        p, styles = offset + 2 + cb_stshi, []
        for _ in range(count):
            cb = _u16(table, p)
            std = table[p + 2 : p + 2 + cb]
            p += 2 + cb
            if not cb:
                styles.append((0xFFF, None))
                continue
            kind, base, upx_count = _u16(std, 2) & 0xF, _u16(std, 2) >> 4, _u16(std, 4) & 0xF
            q = cb_base + 2 + 2 * _u16(std, cb_base) + 2  # skip the name (length, UTF-16, NUL)
            upxs = []
            for _ in range(upx_count):
                q += q % 2
                cb_upx = _u16(std, q) if q + 2 <= len(std) else 0
                upxs.append(std[q + 2 : q + 2 + cb_upx])
                q += 2 + cb_upx
            # paragraph styles: (PAPX, CHPX); character styles: (CHPX,)
            chpx = upxs[1] if kind == 1 and len(upxs) > 1 else upxs[0] if kind == 2 and upxs else b""
            font = next((_u16(arg, 0) for s, arg in _sprms(chpx) if s == _SPRM_FONT and len(arg) == 2), None)
            styles.append((base, font))
        return styles, default_font

    def style_font(self, istd: int) -> int:
        for _ in range(16):  # base chains are short; the bound guards against cycles
            if istd >= len(self.styles):
                break
            base, font = self.styles[istd]
            if font is not None:
                return font
            if base == 0xFFF:
                break
            istd = base
        return self.default_font

    def _read_fkps(self, index: int, read: Callable[[bytes, int, int], _T]) -> _Runs[_T]:
        """Formatted-disk-page runs of the WordDocument stream, by file offset."""
        offset, size = self._fclcb(index)
        runs: list[tuple[int, int, _T]] = []
        if size:
            for entry in _plc(self.table, offset, size, 4)[1]:
                pn = _u32(entry, 0) & 0x3FFFFF
                page = self.word[pn * 512 : pn * 512 + 512]
                if len(page) < 512:
                    continue
                crun = page[511]
                for k in range(crun):
                    runs.append((_u32(page, 4 * k), _u32(page, 4 * k + 4), read(page, crun, k)))
        return _Runs(sorted(runs, key=lambda run: run[0]))

    @staticmethod
    def _chpx_run(page: bytes, crun: int, k: int) -> tuple[int | None, int | None]:
        """(font, character style) a CHPX sets, None where it keeps the style's."""
        at = page[4 * (crun + 1) + k] * 2
        font = style = None
        if at:
            for sprm, arg in _sprms(page[at + 1 : at + 1 + page[at]]):
                if sprm == _SPRM_FONT and len(arg) == 2:
                    font = _u16(arg, 0)
                elif sprm == _SPRM_CHAR_STYLE and len(arg) == 2:
                    style = _u16(arg, 0)
        return font, style

    @staticmethod
    def _papx_style(page: bytes, crun: int, k: int) -> int:
        """The paragraph style a PAPX names (its first two bytes after the size)."""
        at = page[4 * (crun + 1) + 13 * k] * 2
        if not at:
            return 0
        start = at + 2 if page[at] == 0 else at + 1
        return _u16(page, start) if start + 2 <= 511 else 0

    def pieces(self) -> Iterator[tuple[str, int, int]]:
        """(text, file offset, bytes per character) of each piece of the document's text."""
        offset, size = self._fclcb(_CLX)
        p, end = offset, offset + size
        while p < end and self.table[p] == 1:  # skip Prc blocks
            p += 3 + _u16(self.table, p + 1)
        if p >= end or self.table[p] != 2:
            raise ExtractionError(N_("damaged .doc: no piece table"))
        cps, pcds = _plc(self.table, p + 5, _u32(self.table, p + 1), 8)
        for k, pcd in enumerate(pcds):
            start, stop = cps[k], min(cps[k + 1], self.ccp + 1)
            if start >= stop:
                continue
            fc = _u32(pcd, 2)
            if fc & 0x40000000:
                fc = (fc & 0x3FFFFFFF) // 2
                raw = self.word[fc : fc + stop - start]
                yield "".join(_CP1252[b] for b in raw), fc, 1
            else:
                raw = self.word[fc : fc + 2 * (stop - start)]
                yield raw.decode("utf-16-le", errors="replace"), fc, 2

    def runs(self) -> Iterator[tuple[str, str | None]]:
        """(text, font name) runs in document order, split wherever the font may change."""
        cuts = sorted({*self.chpx.cuts, *self.papx.cuts})
        for text, fc, width in self.pieces():
            end = fc + len(text) * width
            inner = cuts[bisect.bisect_right(cuts, fc) : bisect.bisect_left(cuts, end)]
            for start, stop in zip([fc, *inner], [*inner, end]):
                first, last = (start - fc) // width, (stop - fc) // width
                if last <= first:
                    continue
                font, style = self.chpx.at(start, (None, None))
                if font is None:
                    font = self.style_font(style if style is not None else self.papx.at(start, 0))
                yield text[first:last], self.fonts[font] if font < len(self.fonts) else None


class _Runs(Generic[_T]):
    """Property runs over file offsets: the value in force at an offset, and where runs change."""

    def __init__(self, runs: list[tuple[int, int, _T]]) -> None:
        self.starts = [start for start, _, _ in runs]
        self.runs = runs
        self.cuts = [offset for start, end, _ in runs for offset in (start, end)]

    def at(self, offset: int, default: _T) -> _T:
        k = bisect.bisect_right(self.starts, offset) - 1
        if k >= 0 and self.runs[k][1] > offset:
            return self.runs[k][2]
        return default


def read_runs(path: Path) -> list[tuple[str, str | None]]:
    """The text runs of a .doc with their font names, Word's control characters still in place."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if not ole.exists("WordDocument"):
                raise ExtractionError(N_("not a Word document: the OLE2 file has no WordDocument stream"))
            word = ole.openstream("WordDocument").read()
            flags = _u16(word, 0xA)
            if flags & 0x0100:
                raise ExtractionError(N_("encrypted .doc: remove the password and index again"))
            name = "1Table" if flags & 0x0200 else "0Table"
            if not ole.exists(name):
                raise ExtractionError(N_("damaged .doc: no {name} stream"), name=name)
            table = ole.openstream(name).read()
        return list(_Document(word, table).runs())
    except ExtractionError:
        raise
    except Exception as exc:  # noqa: BLE001 - olefile and the Word structures fail in many ways on damage
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0][:200 - len("damaged .doc: ")]
        raise ExtractionError(N_("damaged .doc: {error}"), error=detail) from exc


def word_text(text: str) -> str:
    """Plain text from Word's stored characters: field codes dropped, marks turned into newlines."""
    count = 1
    while count:  # nested fields: innermost first
        text, count = _FIELD_CODE.subn("", text)
    return text.translate(_CONTROL)


def extract_doc(path: Path) -> list[Extracted]:
    """Extract a .doc: runs converted from TCVN3/VNI where their characters show it, then cleaned."""
    text, encoding = convert_runs(read_runs(path))
    return [Extracted(pages=[Page(None, clean(word_text(text)))], converted_from=encoding)]
