"""Ablation of the ranking's settings on every BEIR set of ../shared/bench, beside the peers.

    python benchmarks/ablation.py                       # every variant, every set
    python benchmarks/ablation.py --variants shipped "B=0.75 K1=1.2" path/to/set

Each set is indexed once through the project's pipeline; for each variant (a set of the
ranking's module settings, see ``VARIANTS``) the questions run as written and without
diacritics, through the same code path as ``searchdocs search --batch`` (retrieval.py's), and
MRR@10 / nDCG@10 / Recall@10 are printed side by side with plain Whoosh (StandardAnalyzer, BM25F
defaults) and the plain-BM25 peers of ``peers.py`` in the same run. JSON to
benchmarks/out/ablation.json.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import peers  # noqa: E402
from benchmarks.retrieval import (DEPTH, OUT, bench_sets, build_baseline, load_set, metrics,  # noqa: E402
                                  run_baseline, run_searchdocs)
from searchdocs import index_paths  # noqa: E402
from searchdocs.search import query
from searchdocs.documents.normalize import fold  # noqa: E402

# Each variant overrides some of the ranking's module settings, and reranks or not; "shipped" is
# what main ships. Index-time choices (which forms and pairs are indexed) need another build: the
# table in RESULTS.md gives them from runs of the commits that had them, peers in the same run.
VARIANTS: dict[str, tuple[dict[tuple[object, str], float], bool]] = {
    "shipped": ({}, True),
    "first stage only (--no-rerank)": ({}, False),
    "B=0.75 K1=1.2 (Whoosh defaults)": ({(query, "BM25_B"): 0.75, (query, "BM25_K1"): 1.2}, True),
    "B=0.6 K1=0.8 (before)": ({(query, "BM25_B"): 0.6, (query, "BM25_K1"): 0.8}, True),
    "no bigrams": ({(query, "BIGRAM_BOOST"): 0.0}, True),
    "no heading field": ({(query, "HEADING_BOOST"): 0.0}, True),
    "no heading field, first stage": ({(query, "HEADING_BOOST"): 0.0}, False),
    "heading 0.7, first stage": ({(query, "HEADING_BOOST"): 0.7}, False),
    "heading 1.0, first stage": ({(query, "HEADING_BOOST"): 1.0}, False),
    "accent boost 1.5 (before)": ({(query, "ACCENT_BOOST"): 1.5}, True),
    "no pruning": ({(query, "COMMON_SHARE"): 1.0}, True),
    "folded 0.5 beside accented": ({(query, "FOLDED_BOOST"): 0.5}, True),
}


def scores(run: dict, qrels: dict) -> dict:
    m = metrics({q: [d for d, _ in r] for q, r in run.items()}, qrels)
    return {k: round(v, 4) for k, v in m.items() if k in ("mrr@10", "ndcg@10", "recall@10")}


def ablate(directory: Path, variants: list[str]) -> dict:
    corpus, queries, qrels = load_set(directory)
    forms = {"accented": queries, "no diacritics": [(q, fold(t)) for q, t in queries]}
    rows: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        feed = tmp_path / "feed.jsonl"
        with feed.open("w", encoding="utf-8") as f:
            for rec in corpus:
                f.write(json.dumps({"_id": rec["_id"], "title": rec.get("title", ""), "text": rec["text"]},
                                   ensure_ascii=False) + "\n")
        index_paths(tmp_path / "ix", [feed], jobs=2)
        for variant in variants:
            settings, reranked = VARIANTS[variant]
            saved = {key: getattr(*key) for key in settings}
            try:
                for (module, attr), value in settings.items():
                    setattr(module, attr, value)
                rows[f"searchdocs {variant}"] = {
                    name: scores(run_searchdocs(tmp_path / "ix", qs, rerank=reranked)[0], qrels)
                    for name, qs in forms.items()}
            finally:
                for (module, attr), value in saved.items():
                    setattr(module, attr, value)
        (tmp_path / "base").mkdir()
        build_baseline(corpus, tmp_path / "base")
        rows["plain Whoosh (StandardAnalyzer, BM25F defaults)"] = {
            name: scores(run_baseline(tmp_path / "base", qs)[0], qrels) for name, qs in forms.items()}
        for peer, func in peers.available().items():
            rows[peer] = {name: scores(func(corpus, qs, DEPTH)[0], qrels) for name, qs in forms.items()}
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
    ap.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS),
                    help="the variants to measure (default: all)")
    args = ap.parse_args()
    sets = bench_sets(args.sets)
    results = [ablate(d, args.variants) for d in sets]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ablation.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(render(results))


if __name__ == "__main__":
    main()
