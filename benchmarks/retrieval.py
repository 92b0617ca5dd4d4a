"""Ranking quality on BEIR-layout sets: searchdocs vs a plain-Whoosh baseline, in one process.

For each set (a directory with corpus.jsonl, queries.jsonl, qrels.tsv) the corpus is indexed
through the project's own pipeline (``index_paths``), the queries run through the same code path
as ``searchdocs search --batch``, once as written and once with diacritics removed, and a plain
Whoosh index (StandardAnalyzer, BM25F, OR query) and the plain-BM25 peers of ``peers.py``
(bm25s, tantivy) are built and queried beside it. TREC run files
go to benchmarks/out/; the metrics are printed as a table and, with --json, as JSON.

    python benchmarks/retrieval.py                 # every set in ../shared/bench
    python benchmarks/retrieval.py path/to/set --json
    python benchmarks/retrieval.py ../shared/bench/alqac2022 --opensearch http://127.0.0.1:9200

With ``--opensearch BASE_URL`` each set is also indexed into ``BASE_URL/bench-<set>`` and searched
there (the "searchdocs on OpenSearch" rows): the engines' parity, measured.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import peers  # noqa: E402
from searchdocs import index_paths, open_index  # noqa: E402
from searchdocs.documents.normalize import fold  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
DEPTH = 100


def bench_sets(given: list[Path]) -> list[Path]:
    """The BEIR directories given, or every set in ../shared/bench."""
    return given or sorted(p for p in (ROOT.parent / "shared" / "bench").iterdir() if p.is_dir())


def load_set(directory: Path) -> tuple[list[dict], list[tuple[str, str]], dict[str, dict[str, int]]]:
    corpus = [json.loads(line) for line in (directory / "corpus.jsonl").open(encoding="utf-8")]
    queries = [(q["_id"], q["text"]) for q in map(json.loads, (directory / "queries.jsonl").open(encoding="utf-8"))]
    qrels: dict[str, dict[str, int]] = {}
    for n, line in enumerate((directory / "qrels.tsv").open(encoding="utf-8")):
        parts = line.split("\t")
        if n == 0 and not parts[-1].strip().isdigit():
            continue
        qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return corpus, queries, qrels


def metrics(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Recall@10, Recall@100, MRR@10, nDCG@10 averaged over the judged queries."""
    r10 = r100 = mrr = ndcg = 0.0
    judged = list(qrels)
    for qid in judged:
        rel = qrels[qid]
        ranked = run.get(qid, [])
        r10 += len(set(ranked[:10]) & rel.keys()) / len(rel)
        r100 += len(set(ranked[:100]) & rel.keys()) / len(rel)
        mrr += next((1 / (i + 1) for i, d in enumerate(ranked[:10]) if d in rel), 0.0)
        dcg = sum(rel.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
        ideal = sum(g / math.log2(i + 2) for i, g in enumerate(sorted(rel.values(), reverse=True)[:10]))
        ndcg += dcg / ideal if ideal else 0.0
    n = len(judged) or 1
    return {"recall@10": r10 / n, "recall@100": r100 / n, "mrr@10": mrr / n, "ndcg@10": ndcg / n}


def write_trec(path: Path, run: dict[str, list[tuple[str, float]]], tag: str) -> None:
    with path.open("w", encoding="utf-8") as f:
        for qid, ranked in run.items():
            for rank, (doc, score) in enumerate(ranked, 1):
                f.write(f"{qid} Q0 {doc} {rank} {score:.4f} {tag}\n")


def run_searchdocs(index_dir: Path | str, queries: list[tuple[str, str]], rerank: bool = True) -> tuple[dict, float]:
    start = time.perf_counter()
    run: dict[str, list[tuple[str, float]]] = {}
    with open_index(str(index_dir)) as ix:
        for qid, result in ix.search_many(queries, DEPTH, rerank=rerank):
            run[qid] = [(h.record_id or h.doc_id, h.score) for h in result.hits]
    return run, time.perf_counter() - start


def build_baseline(corpus: list[dict], directory: Path) -> None:
    """Plain Whoosh: StandardAnalyzer on title and text."""
    from whoosh import index as wi
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    schema = Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=StandardAnalyzer()),
                    text=TEXT(analyzer=StandardAnalyzer()))
    ix = wi.create_in(str(directory), schema)
    with ix.writer(limitmb=256) as w:
        for rec in corpus:
            w.add_document(id=rec["_id"], title=rec.get("title", ""), text=rec["text"])


def run_baseline(directory: Path, queries: list[tuple[str, str]]) -> tuple[dict, float]:
    """BM25F, OR of the query's terms over title and text."""
    from whoosh import index as wi
    from whoosh.qparser import MultifieldParser, OrGroup

    ix = wi.open_dir(str(directory))
    parser = MultifieldParser(["title", "text"], ix.schema, group=OrGroup)
    start = time.perf_counter()
    run = {}
    with ix.searcher() as s:
        for qid, text in queries:
            run[qid] = [(h["id"], h.score) for h in s.search(parser.parse(text.replace(":", " ")), limit=DEPTH)]
    return run, time.perf_counter() - start


def evaluate(directory: Path, opensearch: str | None = None) -> dict:
    corpus, queries, qrels = load_set(directory)
    name = directory.name
    OUT.mkdir(parents=True, exist_ok=True)
    rows: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        feed = tmp_path / f"{name}.jsonl"
        with feed.open("w", encoding="utf-8") as f:
            for rec in corpus:
                f.write(json.dumps({"_id": rec["_id"], "title": rec.get("title", ""), "text": rec["text"]},
                                   ensure_ascii=False) + "\n")
        t = time.perf_counter()
        index_paths(tmp_path / "ix", [feed], jobs=1)
        index_seconds = time.perf_counter() - t
        folded = [(q, fold(text)) for q, text in queries]
        variants = {
            "searchdocs": (queries, True),
            "searchdocs, no diacritics": (folded, True),
            "searchdocs --no-rerank": (queries, False),
            "searchdocs --no-rerank, no diacritics": (folded, False),
        }
        locations = {label: tmp_path / "ix" for label in variants}
        if opensearch:
            url = f"{opensearch.rstrip('/')}/bench-{name.lower()}"
            t = time.perf_counter()
            index_paths(url, [feed], jobs=1, rebuild=True)
            cluster_seconds = time.perf_counter() - t
            for label, form in (("searchdocs on OpenSearch", queries), ("searchdocs on OpenSearch, no diacritics", folded)):
                variants[label] = (form, True)
                locations[label] = url
        for label, (qs, reranked) in variants.items():
            run, seconds = run_searchdocs(locations[label], qs, rerank=reranked)
            write_trec(OUT / f"{name}.{label.replace(', ', '-').replace(' ', '_')}.trec", run, "searchdocs")
            rows[label] = {**metrics({q: [d for d, _ in r] for q, r in run.items()}, qrels),
                           "ms_per_query": 1000 * seconds / len(qs)}
        (tmp_path / "base").mkdir()
        build_baseline(corpus, tmp_path / "base")
        for label, qs in {"whoosh baseline": queries,
                          "whoosh baseline, no diacritics": [(q, fold(t)) for q, t in queries]}.items():
            run, seconds = run_baseline(tmp_path / "base", qs)
            write_trec(OUT / f"{name}.{label.replace(', ', '-').replace(' ', '_')}.trec", run, "whoosh")
            rows[label] = {**metrics({q: [d for d, _ in r] for q, r in run.items()}, qrels),
                           "ms_per_query": 1000 * seconds / len(qs)}
        for peer, func in peers.available().items():
            for label, qs in {peer: queries, f"{peer}, no diacritics": [(q, fold(t)) for q, t in queries]}.items():
                run, seconds = func(corpus, qs, DEPTH)
                write_trec(OUT / f"{name}.{label.replace(', ', '-').replace(' ', '_')}.trec", run, peer.split()[0])
                rows[label] = {**metrics({q: [d for d, _ in r] for q, r in run.items()}, qrels),
                               "ms_per_query": 1000 * seconds / len(qs)}
    result = {"set": name, "documents": len(corpus), "queries": len(queries),
              "index_seconds": round(index_seconds, 1), "systems": rows}
    if opensearch:
        result["opensearch_index_seconds"] = round(cluster_seconds, 1)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sets", nargs="*", type=Path, help="BEIR directories (default: ../shared/bench/*)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--opensearch", metavar="BASE_URL", help="also index and search each set on this cluster")
    args = ap.parse_args()
    results = [evaluate(d, args.opensearch) for d in bench_sets(args.sets)]
    (OUT / "retrieval.json").write_text(json.dumps(results, indent=2))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for res in results:
        print(f"\n{res['set']}: {res['documents']} documents, {res['queries']} queries, "
              f"indexed in {res['index_seconds']} s")
        print(f"{'system':40} {'R@10':>6} {'R@100':>6} {'MRR@10':>7} {'nDCG@10':>8} {'ms/q':>7}")
        for label, m in res["systems"].items():
            print(f"{label:40} {m['recall@10']:6.3f} {m['recall@100']:6.3f} {m['mrr@10']:7.3f} "
                  f"{m['ndcg@10']:8.3f} {m['ms_per_query']:7.1f}")


if __name__ == "__main__":
    main()
