"""Extraction speed: PDF pages/s, DOCX and legacy .doc/.rtf documents/s, and where the time goes.

Each file goes through what indexing runs in a worker process for it: ``searchdocs.extract.extract``
(reading and cleaning), ``structure.split_passages`` and ``metadata.parse_metadata``. Each kind is
run on its own through a ``multiprocessing`` pool over files, with 1 and with 2 worker processes,
so pages/s and documents/s are per kind.

Where the time goes is measured in one process, file by file, in phases:
  - PDF: pypdf alone (``PdfReader`` + ``extract_text`` of every page, called directly), then the
    project's extraction (pypdf again + cleaning), structure and metadata; the project's own
    extraction time is the difference.
  - DOCX: python-docx alone (``docx.Document``: unzip and parse the XML), then the same phases.
  - every kind: a cProfile pass whose self time is grouped by package (time in the standard library
    and builtins is charged to the package that called it).

    python benchmarks/extract.py              # party/, state/ and legacy/ of ../shared/documents
    python benchmarks/extract.py --quick      # 3 small files of each kind (CI)

Results: a table on stdout (or JSON with --json), always written to benchmarks/out/extract.json
(extract-quick.json for --quick).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (OUT, ROOT, loadavg, machine, now, package_shares, profile_call, shared_path,  # noqa: E402
                     top_functions, write_json)

sys.path.insert(0, str(ROOT))

from searchdocs.errors import ExtractionError  # noqa: E402
from searchdocs.extract import extract  # noqa: E402
from searchdocs.documents.metadata import parse_metadata  # noqa: E402
from searchdocs.documents.structure import split_passages  # noqa: E402

KINDS = {".pdf": "pdf", ".docx": "docx", ".doc": "doc/rtf", ".rtf": "doc/rtf"}
QUICK_FILES = 2  # per kind, the smallest
WORKERS = (1, 2)


def kind_of(path: Path) -> str | None:
    return KINDS.get(path.suffix.lower())


def collect(documents: Path, folders: list[str], quick: bool) -> dict[str, list[Path]]:
    files: dict[str, list[Path]] = {}
    for folder in folders:
        for p in sorted((documents / folder).rglob("*")):
            k = kind_of(p)
            if k and p.is_file() and "ground-truth" not in p.parts:
                files.setdefault(k, []).append(p)
    if quick:
        files = {k: sorted(v, key=lambda p: p.stat().st_size)[:QUICK_FILES] for k, v in files.items()}
    return {k: files[k] for k in ("pdf", "docx", "doc/rtf") if k in files}


def process(path_str: str) -> dict:
    """Extract, split and parse one file, timing each phase (runs in a worker)."""
    path = Path(path_str)
    row = {"path": path_str, "ok": True, "error": None, "pages": 0, "pages_with_text": 0,
           "chars": 0, "passages": 0, "extract_s": 0.0, "structure_s": 0.0, "metadata_s": 0.0}
    t = time.perf_counter()
    try:
        docs = extract(path)
    except ExtractionError as e:
        row.update(ok=False, error=str(e), extract_s=time.perf_counter() - t)
        return row
    row["extract_s"] = time.perf_counter() - t
    for ex in docs:
        row["pages"] += len(ex.pages)
        row["pages_with_text"] += len(ex.pages) - ex.pages_without_text
        row["chars"] += sum(len(p.text) for p in ex.pages)
        t = time.perf_counter()
        row["passages"] += len(split_passages(ex.pages))
        row["structure_s"] += time.perf_counter() - t
        t = time.perf_counter()
        parse_metadata(ex.text)
        row["metadata_s"] += time.perf_counter() - t
    return row


def library_only(path: Path, kind: str) -> float | None:
    """Seconds the third-party parser alone takes on ``path``: pypdf for PDF, python-docx for DOCX."""
    t = time.perf_counter()
    try:
        if kind == "pdf":
            from pypdf import PdfReader

            with path.open("rb") as f:
                reader = PdfReader(f)
                if reader.is_encrypted:
                    reader.decrypt("")
                for page in reader.pages:
                    try:
                        page.extract_text()
                    except Exception:  # noqa: BLE001 - as the extractor does
                        pass
        elif kind == "docx":
            import docx

            docx.Document(str(path))
        else:
            return None
    except Exception:  # noqa: BLE001 - a file pypdf cannot open fails in both passes
        pass
    return time.perf_counter() - t


def pool_run(files: list[Path], workers: int) -> tuple[float, list[dict]]:
    """Wall time to process ``files`` with a pool of ``workers`` processes, largest files first."""
    order = [str(p) for p in sorted(files, key=lambda p: -p.stat().st_size)]
    t = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        rows = list(pool.imap_unordered(process, order, chunksize=1))
    return time.perf_counter() - t, rows


def phases(files: list[Path], kind: str) -> dict:
    """Single-process phase timing: the third-party library alone vs the project's steps."""
    lib = ext = struct = meta = 0.0
    if files:  # warm-up, not counted: lazy imports and module caches of the parsers and of searchdocs
        smallest = min(files, key=lambda p: p.stat().st_size)
        library_only(smallest, kind)
        process(str(smallest))
    for p in files:
        lib_s = library_only(p, kind)
        row = process(str(p))
        lib += lib_s or 0.0
        ext += row["extract_s"]
        struct += row["structure_s"]
        meta += row["metadata_s"]
    total = ext + struct + meta
    out = {"pipeline_s": round(total, 3), "extract_s": round(ext, 3), "structure_s": round(struct, 3),
           "metadata_s": round(meta, 3)}
    if kind in ("pdf", "docx"):
        label = "pypdf" if kind == "pdf" else "python_docx"
        own_extract = max(0.0, ext - lib)
        # The library pass and the pipeline pass are timed separately, so on a busy machine (or for
        # a file the pipeline refuses early) the library alone can take longer than the pipeline:
        # shares are taken of the larger of the two, so they stay within 0..1.
        whole = max(total, lib + struct + meta)
        out.update({f"{label}_s": round(lib, 3), "own_extract_s": round(own_extract, 3),
                    f"{label}_share": round(lib / whole, 3) if whole else None,
                    "own_share": round((own_extract + struct + meta) / whole, 3) if whole else None})
    return out


def profile_kind(files: list[Path]) -> dict:
    def all_files() -> None:
        for p in files:
            process(str(p))

    _, stats = profile_call(all_files)
    return {"by_package": package_shares(stats), "top_cumulative": top_functions(stats, 15)}


def run(args: argparse.Namespace) -> dict:
    documents = shared_path(args.shared) / "documents"
    files = collect(documents, args.folders, args.quick)
    log = (lambda m: print(m, file=sys.stderr, flush=True)) if not args.silent else (lambda m: None)
    res: dict = {"benchmark": "extract", "quick": args.quick, "when": now(), "machine": machine(),
                 "folders": args.folders, "kinds": {}, "runs": [], "phases": {}, "profile": {}}
    for workers in WORKERS:
        run_row: dict = {"workers": workers, "kinds": {}}
        for kind, paths in files.items():
            log(f"{kind}: {len(paths)} files with {workers} worker(s)…")
            wall, rows = pool_run(paths, workers)
            good = [r for r in rows if r["ok"]]
            pages = sum(r["pages"] for r in good)
            chars = sum(r["chars"] for r in good)
            res["kinds"].setdefault(kind, {
                "files": len(paths), "extracted": len(good), "failed": len(rows) - len(good),
                "failures": sorted(f"{Path(r['path']).name}: {r['error']}" for r in rows if not r["ok"]),
                "pages": pages, "pages_with_text": sum(r["pages_with_text"] for r in good),
                "chars": chars, "passages": sum(r["passages"] for r in good),
                "mb": round(sum(Path(r["path"]).stat().st_size for r in rows) / 1e6, 2)})
            entry = {"seconds": round(wall, 3), "files_per_s": round(len(rows) / wall, 2),
                     "chars_per_s": round(chars / wall)}
            if kind == "pdf":
                entry["pages_per_s"] = round(pages / wall, 2)
            else:
                entry["documents_per_s"] = round(len(rows) / wall, 2)
            run_row["kinds"][kind] = entry
        run_row["seconds"] = round(sum(k["seconds"] for k in run_row["kinds"].values()), 3)
        res["runs"].append(run_row)
    for kind, paths in files.items():
        log(f"{kind}: phases in one process…")
        res["phases"][kind] = phases(paths, kind)
        if not args.no_profile:
            log(f"{kind}: cProfile…")
            res["profile"][kind] = profile_kind(paths)
    res["machine"]["load_avg_end"] = loadavg()
    return res


def render(res: dict) -> str:
    lines = [f"searchdocs extraction benchmark{' (quick)' if res['quick'] else ''} — {res['when']}, "
             f"{res['machine']['cpus']} CPUs, load average {res['machine'].get('load_avg_start')} → "
             f"{res['machine'].get('load_avg_end')}; folders: {', '.join(res['folders'])}",
             "", f"{'kind':<8} {'files':>6} {'failed':>6} {'pages':>6} {'M chars':>8} {'MB':>7}"]
    for kind, k in res["kinds"].items():
        pages = k["pages"] if kind == "pdf" else "—"
        lines.append(f"{kind:<8} {k['files']:6d} {k['failed']:6d} {pages:>6} {k['chars'] / 1e6:8.2f} {k['mb']:7.1f}")
    lines += ["", f"{'kind':<8} {'workers':>7} {'seconds':>8} {'rate':>18} {'files/s':>8}"]
    for run in res["runs"]:
        for kind, e in run["kinds"].items():
            rate = f"{e['pages_per_s']:.1f} pages/s" if "pages_per_s" in e else f"{e['documents_per_s']:.1f} docs/s"
            lines.append(f"{kind:<8} {run['workers']:7d} {e['seconds']:8.2f} {rate:>18} {e['files_per_s']:8.2f}")
    lines += ["", "where the time goes (one process, all files of a kind):",
              f"{'kind':<8} {'total s':>8} {'library':>9} {'own extract':>12} {'structure':>10} {'metadata':>9}"]
    for kind, ph in res["phases"].items():
        lib = ph.get("pypdf_s", ph.get("python_docx_s"))
        own = ph.get("own_extract_s", ph["extract_s"])
        tot = ph["pipeline_s"] or 1
        libs = f"{lib / tot:9.0%}" if lib is not None else f"{'—':>9}"
        lines.append(f"{kind:<8} {ph['pipeline_s']:8.2f} {libs} {own / tot:12.0%} {ph['structure_s'] / tot:10.0%} "
                     f"{ph['metadata_s'] / tot:9.0%}")
    if res["profile"]:
        lines += ["", "cProfile self time by package:"]
        for kind, pr in res["profile"].items():
            shares = ", ".join(f"{k} {v:.0%}" for k, v in pr["by_package"].items() if v >= 0.01)
            lines.append(f"  {kind:<8} {shares}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--quick", action="store_true", help=f"the {QUICK_FILES} smallest files of each kind (CI)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--shared", help="the shared folder (default: ../shared next to the project)")
    ap.add_argument("--folders", nargs="+", default=["party", "state", "legacy"],
                    help="folders of shared/documents to read (default: party state legacy)")
    ap.add_argument("--no-profile", action="store_true", help="skip the cProfile pass")
    ap.add_argument("--out", type=Path, help="JSON file to write (default benchmarks/out/extract.json, "
                                             "extract-quick.json with --quick)")
    ap.add_argument("--silent", action="store_true", help="no progress lines on stderr")
    args = ap.parse_args()
    res = run(args)
    write_json(args.out or OUT / ("extract-quick.json" if args.quick else "extract.json"), res)
    print(json.dumps(res, indent=2, ensure_ascii=False) if args.json else render(res))


if __name__ == "__main__":
    main()
