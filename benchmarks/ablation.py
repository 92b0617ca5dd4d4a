"""Ablation of BM25F's parameters (B, K1) on every BEIR set of ../shared/bench, beside plain Whoosh.

    python benchmarks/ablation.py                       # the default grid, every set
    python benchmarks/ablation.py --grid 0.75,1.2 0.6,0.8 path/to/set

Each set is indexed once through the project's pipeline; for each (B, K1) the questions run as
written and without diacritics, through the same code path as ``searchdocs search --batch``
(retrieval.py's), and MRR@10 / nDCG@10 / Recall@10 are printed side by side with the plain-Whoosh
baseline (StandardAnalyzer, BM25F defaults) of the same run. JSON to benchmarks/out/ablation.json.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.retrieval import (OUT, ROOT, build_baseline, load_set, metrics, run_baseline,  # noqa: E402
                                  run_searchdocs)
from searchdocs import index_paths, scoring  # noqa: E402
from searchdocs.normalize import fold  # noqa: E402

GRID = [(0.75, 1.2), (0.75, 0.9), (0.5, 1.2), (0.6, 0.8), (0.5, 0.7), (0.5, 0.9), (0.4, 0.9), (0.6, 1.0)]


def scores(run: dict, qrels: dict) -> dict:
    m = metrics({q: [d for d, _ in r] for q, r in run.items()}, qrels)
    return {k: round(v, 4) for k, v in m.items() if k in ("mrr@10", "ndcg@10", "recall@10")}


def ablate(directory: Path, grid: list[tuple[float, float]]) -> dict:
    corpus, queries, qrels = load_set(directory)
    variants = {"accented": queries, "no diacritics": [(q, fold(t)) for q, t in queries]}
    rows: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        feed = tmp_path / "feed.jsonl"
        with feed.open("w", encoding="utf-8") as f:
            for rec in corpus:
                f.write(json.dumps({"_id": rec["_id"], "title": rec.get("title", ""), "text": rec["text"]},
                                   ensure_ascii=False) + "\n")
        index_paths(tmp_path / "ix", [feed], jobs=2)
        saved = scoring.BM25_B, scoring.BM25_K1
        try:
            for b, k1 in grid:
                scoring.BM25_B, scoring.BM25_K1 = b, k1
                rows[f"searchdocs B={b} K1={k1}"] = {
                    name: scores(run_searchdocs(tmp_path / "ix", qs)[0], qrels) for name, qs in variants.items()}
        finally:
            scoring.BM25_B, scoring.BM25_K1 = saved
        (tmp_path / "base").mkdir()
        build_baseline(corpus, tmp_path / "base")
        rows["plain Whoosh (StandardAnalyzer, BM25F defaults)"] = {
            name: scores(run_baseline(tmp_path / "base", qs)[0], qrels) for name, qs in variants.items()}
    return {"set": directory.name, "queries": len(queries), "documents": len(corpus), "rows": rows}


def render(results: list[dict]) -> str:
    lines = []
    for res in results:
        lines += [f"\n{res['set']} ({res['documents']} documents, {res['queries']} questions): "
                  "MRR@10 / nDCG@10, accented | without diacritics",
                  f"{'system':52} {'MRR':>6} {'nDCG':>6} | {'MRR':>6} {'nDCG':>6}"]
        for label, row in res["rows"].items():
            a, f = row["accented"], row["no diacritics"]
            lines.append(f"{label:52} {a['mrr@10']:6.3f} {a['ndcg@10']:6.3f} | {f['mrr@10']:6.3f} {f['ndcg@10']:6.3f}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sets", nargs="*", type=Path, help="BEIR directories (default: ../shared/bench/*)")
    ap.add_argument("--grid", nargs="+", metavar="B,K1", help="the (B, K1) points to measure")
    args = ap.parse_args()
    grid = [tuple(float(x) for x in point.split(",")) for point in args.grid] if args.grid else GRID
    sets = args.sets or sorted(p for p in (ROOT.parent / "shared" / "bench").iterdir() if p.is_dir())
    results = [ablate(d, grid) for d in sets]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ablation.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(render(results))


if __name__ == "__main__":
    main()
