"""Write searchdocs/extract/syllables.txt: the Vietnamese syllables that letter-spaced PDF text is
joined back into (searchdocs.extract.spacing), each with how often it occurs (a tab between).

    python tools/make_syllables.py ../shared/bulk/phapdien.jsonl.gz

A syllable is kept when it occurs at least MIN_COUNT times in the bulk corpus of legal texts, has
two letters or more, and has the shape of a Vietnamese syllable (initial, vowels, final; at most
one tone mark), so that legacy-encoding debris and foreign words stay out.
"""
from __future__ import annotations

import gzip
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

MIN_COUNT = 10
OUT = Path(__file__).resolve().parent.parent / "searchdocs" / "extract" / "syllables.txt"
_WORD = re.compile(r"[^\W\d_]+")
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_SHAPE = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?[aăâeêioôơuưy]{1,3}(ch|ng|nh|[cmnpt])?")


def is_syllable(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word)
    if sum(ch in _TONES for ch in decomposed) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    return _SHAPE.fullmatch(base) is not None


def main(source: str) -> None:
    counts: Counter[str] = Counter()
    with gzip.open(source, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            text = unicodedata.normalize("NFC", f"{rec.get('title', '')} {rec.get('text', '')}").lower()
            counts.update(_WORD.findall(text))
    kept = sorted(w for w, n in counts.items() if n >= MIN_COUNT and len(w) >= 2 and is_syllable(w))
    OUT.write_text("".join(f"{w}\t{counts[w]}\n" for w in kept), encoding="utf-8")
    print(f"{len(kept)} syllables -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
