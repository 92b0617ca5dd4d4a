"""Legacy encodings: how close extraction of the TCVN3/VNI files comes to their transcripts, and
whether the conversion leaves Unicode documents alone.

1. Every file of shared/documents/legacy/ with a transcript in ground-truth/ (``tcvn3__NAME.doc`` ↔
   ``ground-truth/NAME.txt``) is extracted through ``searchdocs.extract`` and compared with the
   transcript: character error rate (CER) and word error rate (WER), per file, per kind (format and
   encoding) and overall (edits summed over all files / reference length summed). Both sides are
   compared as content, not layout: ``clean_text`` (NFC, one tone placement), whitespace runs as one
   space, blank lines dropped.
2. Every .docx/.doc/.pdf of shared/documents/state/ (all Unicode) is extracted with the legacy
   conversion watching: a file counts as altered when any conversion call returned text different
   from what it was given.

Edit distances are exact Levenshtein distances computed with the bit-parallel algorithm of Myers
(1999, in Hyyrö's formulation) on Python integers, between the parts of the two texts that lie
between anchor lines (lines found exactly once in each text, kept in order), so a whole corpus
takes seconds without a C extension.

    python benchmarks/legacy.py                  # table; JSON to benchmarks/out/legacy.json
    python benchmarks/legacy.py --json --shared ../shared
"""
from __future__ import annotations

import argparse
import bisect
import json
import re
import sys
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import OUT, ROOT, shared_path, write_json  # noqa: E402

sys.path.insert(0, str(ROOT))

from searchdocs.documents import legacy  # noqa: E402
from searchdocs.errors import ExtractionError  # noqa: E402
from searchdocs.extract import extract  # noqa: E402
from searchdocs.documents.normalize import clean_text  # noqa: E402

_PREFIX = re.compile(r"^(tcvn3|vni)__")
_STATE_SUFFIXES = (".docx", ".doc", ".pdf")
_COUNTS = ("char_edits", "chars", "word_edits", "words")
# Where the extractors call the conversion: (module, name) pairs watched for changes.
_CONVERSION_CALLS = (
    ("searchdocs.extract.doc", "convert_runs"),
    ("searchdocs.extract.rtf", "convert_text"),
    ("searchdocs.extract.pdf", "convert_text"),
    ("searchdocs.extract.docx", "convert_text"),
)


def distance(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Levenshtein distance of two sequences (characters or words), bit-parallel over ``b``."""
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if not m:
        return len(a)
    peq: dict[Hashable, int] = {}
    for i, item in enumerate(b):
        peq[item] = peq.get(item, 0) | (1 << i)
    full, top = (1 << m) - 1, 1 << (m - 1)
    pv, mv, score = full, 0, m
    for item in a:
        eq = peq.get(item, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (full & ~(xh | pv))
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = mh | (full & ~(xv | ph))
        mv = ph & xv
    return score


def _anchors(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    """Pairs of line numbers of lines unique in both texts, longest run in the same order."""
    count_a: dict[str, int] = {}
    count_b: dict[str, int] = {}
    for line in a:
        count_a[line] = count_a.get(line, 0) + 1
    for line in b:
        count_b[line] = count_b.get(line, 0) + 1
    where_b = {line: j for j, line in enumerate(b) if count_b[line] == 1}
    pairs = [(i, where_b[line]) for i, line in enumerate(a) if count_a[line] == 1 and line in where_b]
    # longest increasing subsequence of the b positions (patience sorting)
    tails: list[int] = []
    tail_at: list[int] = []
    previous = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        at = bisect.bisect_left(tails, j)
        if at == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[at], tail_at[at] = j, k
        previous[k] = tail_at[at - 1] if at else -1
    chain: list[tuple[int, int]] = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        chain.append(pairs[k])
        k = previous[k]
    return chain[::-1]


def _gaps(a: list[str], b: list[str]) -> Iterator[tuple[list[str], list[str]]]:
    """The unmatched stretches of lines between consecutive anchors."""
    i = j = 0
    for ai, bj in [*_anchors(a, b), (len(a), len(b))]:
        if a[i:ai] or b[j:bj]:
            yield a[i:ai], b[j:bj]
        i, j = ai + 1, bj + 1


def content(text: str) -> list[str]:
    """Text as compared: clean_text, each line's whitespace runs as one space, no blank lines."""
    lines = (" ".join(line.split()) for line in clean_text(text).splitlines())
    return [line for line in lines if line]


def error_rates(hypothesis: str, reference: str) -> dict[str, int]:
    """Character and word edits of ``hypothesis`` against ``reference``, with the reference sizes."""
    ours, theirs = content(hypothesis), content(reference)
    char_edits = word_edits = 0
    for a, b in _gaps(ours, theirs):
        char_edits += distance("\n".join(a), "\n".join(b))
        word_edits += distance(" ".join(a).split(), " ".join(b).split())
    return {
        "char_edits": char_edits,
        "chars": len("\n".join(theirs)),
        "word_edits": word_edits,
        "words": sum(len(line.split()) for line in theirs),
    }


def legacy_files(shared: Path) -> Iterator[tuple[Path, Path]]:
    """(document, transcript) pairs of shared/documents/legacy."""
    folder = shared / "documents" / "legacy"
    for path in sorted(folder.iterdir()):
        transcript = folder / "ground-truth" / (_PREFIX.sub("", path.stem) + ".txt")
        if path.is_file() and _PREFIX.match(path.name) and transcript.is_file():
            yield path, transcript


def _rate(edits: int, size: int) -> float:
    return edits / size if size else 0.0


def measure_legacy(shared: Path) -> list[dict]:
    """One row per legacy file: format, encoding, what extraction detected, edits and rates."""
    rows = []
    for path, transcript in legacy_files(shared):
        started = time.perf_counter()
        try:
            extracted = extract(path)
            text = "\n".join(e.text for e in extracted)
            detected = next((e.converted_from for e in extracted if e.converted_from), None)
        except ExtractionError as exc:
            text, detected = "", f"error: {exc}"
        seconds = time.perf_counter() - started
        counts = error_rates(text, transcript.read_text(encoding="utf-8"))
        rows.append({
            "file": path.name,
            "format": path.suffix.lower().lstrip("."),
            "encoding": _PREFIX.match(path.name).group(1),
            "detected": detected,
            **counts,
            "cer": _rate(counts["char_edits"], counts["chars"]),
            "wer": _rate(counts["word_edits"], counts["words"]),
            "seconds": round(seconds, 3),
        })
    return rows


def summarize(rows: list[dict], key: Callable[[dict], str]) -> dict[str, dict]:
    """Rows grouped by ``key``: edits and sizes summed, rates of the sums."""
    groups: dict[str, dict] = {}
    for row in rows:
        group = groups.setdefault(key(row), dict.fromkeys(("files", *_COUNTS), 0))
        group["files"] += 1
        for field in _COUNTS:
            group[field] += row[field]
    for group in groups.values():
        group["cer"] = _rate(group["char_edits"], group["chars"])
        group["wer"] = _rate(group["word_edits"], group["words"])
    return groups


@contextmanager
def _watch_conversion(changes: list[str]) -> Iterator[None]:
    """Record in ``changes`` every call of the legacy conversion that changed its input."""

    def watched(original: Callable, joined: Callable) -> Callable:
        def call(argument: object) -> tuple[str, str | None]:
            text, encoding = original(argument)
            if text != joined(argument):
                changes.append(encoding or "?")
            return text, encoding

        return call

    originals = {"convert_text": (legacy.convert_text, lambda text: text),
                 "convert_runs": (legacy.convert_runs, lambda runs: "".join(t for t, _ in runs))}
    with ExitStack() as stack:
        for module, name in _CONVERSION_CALLS:
            stack.enter_context(mock.patch(f"{module}.{name}", watched(*originals[name])))
        yield


def measure_unicode(shared: Path) -> dict:
    """Unicode documents of shared/documents/state whose text the legacy conversion changed."""
    checked, altered, failed = 0, [], []
    for path in sorted((shared / "documents" / "state").iterdir()):
        if path.suffix.lower() not in _STATE_SUFFIXES:
            continue
        changes: list[str] = []
        with _watch_conversion(changes):
            try:
                extract(path)
            except ExtractionError as exc:
                failed.append(f"{path.name}: {exc}")
                continue
        checked += 1
        if changes:
            altered.append({"file": path.name, "converted_from": sorted(set(changes))})
    return {"checked": checked, "altered": altered, "failed": failed}


def print_table(result: dict) -> None:
    print(f"{'file':<58} {'fmt':<4} {'enc':<6} {'detected':<8} {'chars':>7} {'CER %':>7} {'WER %':>7}")
    for row in result["files"]:
        print(f"{row['file'][:58]:<58} {row['format']:<4} {row['encoding']:<6} {str(row['detected']):<8} "
              f"{row['chars']:>7} {100 * row['cer']:>7.3f} {100 * row['wer']:>7.3f}")
    print()
    print(f"{'kind':<20} {'files':>5} {'chars':>9} {'CER %':>7} {'WER %':>7}")
    groups = [*result["by_format"].items(), *result["by_encoding"].items(), ("overall", result["overall"])]
    for name, group in groups:
        print(f"{name:<20} {group['files']:>5} {group['chars']:>9} "
              f"{100 * group['cer']:>7.3f} {100 * group['wer']:>7.3f}")
    unicode = result["unicode"]
    print()
    print(f"Unicode documents in state/ (.docx/.doc/.pdf): {unicode['checked']} checked, "
          f"{len(unicode['altered'])} altered by legacy conversion, {len(unicode['failed'])} not extractable")
    for row in unicode["altered"]:
        print(f"  altered: {row['file']} ({', '.join(row['converted_from'])})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", help="the shared folder (default: ../shared next to the project)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args()
    shared = shared_path(args.shared)
    started = time.perf_counter()
    rows = measure_legacy(shared)
    if not rows:
        sys.exit(f"no legacy file with a transcript under {shared / 'documents' / 'legacy'}")
    result = {
        "files": rows,
        "by_format": summarize(rows, lambda row: row["format"]),
        "by_encoding": summarize(rows, lambda row: row["encoding"]),
        "overall": summarize(rows, lambda row: "overall").get("overall", {}),
        "unicode": measure_unicode(shared),
    }
    result["seconds"] = round(time.perf_counter() - started, 1)
    write_json(OUT / "legacy.json", result)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
