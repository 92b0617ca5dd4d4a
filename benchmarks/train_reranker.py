"""Train the reranker (searchdocs/search/rerank.json) on the judged questions of the BEIR sets, and
report it cross-validated: by set (train on the others, test on one) and by query folds.

    python benchmarks/train_reranker.py            # every set in ../shared/bench, writes the model
    python benchmarks/train_reranker.py --no-write # only the cross-validation report

Each set is indexed through the project's pipeline and its questions run, as written and
without diacritics, through ``Index.search_many`` with the reranker off and explanations on: the
candidates and features are exactly those a search computes. The model is linear, trained with a
pairwise logistic loss (each relevant candidate against each other one of its question), every
set weighted alike so the largest does not decide alone. MRR@10 of the first stage, the reranked
list and bm25s-bigram (the strongest plain-BM25 peer, same run) go to
benchmarks/out/rerank.json and stdout.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import peers  # noqa: E402
from benchmarks.retrieval import DEPTH as PEER_DEPTH  # noqa: E402
from benchmarks.retrieval import OUT, bench_sets, load_set, metrics  # noqa: E402
from searchdocs import index_paths, open_index  # noqa: E402
from searchdocs.search import rerank  # noqa: E402
from searchdocs.documents.normalize import fold  # noqa: E402

FOLDS = 5
L2 = 1e-3
STEPS = 400


@dataclass
class Group:
    """One question's candidates: ids in first-stage order, features, relevance."""

    set: str
    qid: str
    form: str  # accented | no diacritics
    ids: list[str]
    rows: np.ndarray | None  # None: not reranked (fewer than rerank.MIN_WORDS syllables)
    relevant: np.ndarray  # bool


def collect(directory: Path) -> tuple[list[Group], dict, dict]:
    """The candidate groups of a set's questions, its qrels, and the peer's MRR@10 per form."""
    corpus, queries, qrels = load_set(directory)
    forms = {"accented": queries, "no diacritics": [(q, fold(t)) for q, t in queries]}
    groups: list[Group] = []
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "feed.jsonl"
        with feed.open("w", encoding="utf-8") as f:
            for rec in corpus:
                f.write(json.dumps({"_id": rec["_id"], "title": rec.get("title", ""), "text": rec["text"]},
                                   ensure_ascii=False) + "\n")
        index_paths(Path(tmp) / "ix", [feed], jobs=2)
        with open_index(str(Path(tmp) / "ix")) as ix:
            for form, qs in forms.items():
                for qid, result in ix.search_many(qs, rerank.DEPTH, rerank=False, explain=True):
                    if qid not in qrels or not result.hits:
                        continue
                    hits = [h for h in result.hits if h.explain is not None]
                    ids = [h.record_id or h.doc_id for h in (hits or result.hits)]
                    # a query too short to rerank keeps its first-stage list (rows None)
                    rows = np.array([[h.explain.features[n] for n in rerank.FEATURES] for h in hits]) if hits else None
                    groups.append(Group(directory.name, qid, form, ids, rows,
                                        np.array([d in qrels[qid] for d in ids])))
    peer = {}
    func = peers.available().get("bm25s syllables+bigrams")
    for form, qs in forms.items() if func else ():
        run, _ = func(corpus, qs, PEER_DEPTH)
        peer[form] = metrics({q: [d for d, _ in r] for q, r in run.items()}, qrels)["mrr@10"]
    return groups, qrels, peer


def train(groups: list[Group]) -> rerank.Model:
    """Pairwise logistic regression (L2), full-batch gradient descent on standardized features."""
    groups = [g for g in groups if g.rows is not None]
    rows = np.concatenate([g.rows for g in groups])
    mean, std = rows.mean(axis=0), rows.std(axis=0)
    std = np.where(std > 1e-9, std, 1.0)
    per_set: dict[str, int] = {}
    for g in groups:
        per_set[g.set] = per_set.get(g.set, 0) + 1
    diffs, weights = [], []
    for g in groups:
        pos, neg = np.flatnonzero(g.relevant), np.flatnonzero(~g.relevant)
        if not len(pos) or not len(neg):
            continue
        z = (g.rows - mean) / std
        d = (z[pos][:, None, :] - z[neg][None, :, :]).reshape(-1, z.shape[1])
        diffs.append(d)
        weights.append(np.full(len(d), 1.0 / (len(d) * per_set[g.set])))
    x, w = np.concatenate(diffs), np.concatenate(weights)
    w /= w.sum()
    theta = np.zeros(x.shape[1])
    theta[rerank.FEATURES.index("first_stage")] = 1.0  # start from the first stage's order
    rate = 1.0
    for _ in range(STEPS):
        margin = x @ theta
        grad = -(x * (w / (1 + np.exp(margin)))[:, None]).sum(axis=0) + L2 * theta
        theta -= rate * grad
    return rerank.Model(rerank.FEATURES, theta, mean, std)


def mrr(groups: list[Group], model: rerank.Model | None) -> float:
    """MRR@10 over ``groups`` (a question without candidates counts 0 in ``total``)."""
    total = 0.0
    for g in groups:
        order = (np.arange(len(g.ids)) if model is None or g.rows is None
                 else np.argsort(-model.scores(g.rows), kind="stable"))
        total += next((1 / (k + 1) for k, i in enumerate(order[:10]) if g.relevant[i]), 0.0)
    return total


def report(groups: list[Group], judged: dict[tuple[str, str], int], peer: dict) -> dict:
    sets = sorted({g.set for g in groups})
    out: dict = {"by_set": {}, "by_fold": {}}
    for held in sets:  # train on the other sets
        model = train([g for g in groups if g.set != held])
        out["by_set"][held] = _scores([g for g in groups if g.set == held], model, judged, held, peer)
    fold_of = {(g.set, g.qid): zlib.crc32(f"{g.set}/{g.qid}".encode()) % FOLDS for g in groups}
    tested: dict[int, rerank.Model] = {k: train([g for g in groups if fold_of[g.set, g.qid] != k]) for k in range(FOLDS)}
    for name in sets:
        first = {form: 0.0 for form in ("accented", "no diacritics")}
        ranked = dict(first)
        for g in (g for g in groups if g.set == name):
            first[g.form] += mrr([g], None)
            ranked[g.form] += mrr([g], tested[fold_of[g.set, g.qid]])
        out["by_fold"][name] = {form: {"first_stage": round(first[form] / judged[name, form], 4),
                                       "reranked": round(ranked[form] / judged[name, form], 4),
                                       "bm25s_bigram": round(peer[name].get(form, 0.0), 4)}
                                for form in first}
    return out


def _scores(groups: list[Group], model: rerank.Model, judged: dict, name: str, peer: dict) -> dict:
    out = {}
    for form in ("accented", "no diacritics"):
        part = [g for g in groups if g.form == form]
        out[form] = {"first_stage": round(mrr(part, None) / judged[name, form], 4),
                     "reranked": round(mrr(part, model) / judged[name, form], 4),
                     "bm25s_bigram": round(peer[name].get(form, 0.0), 4)}
    return out


def render(results: dict) -> str:
    lines = []
    for kind, title in (("by_set", "trained on the other sets"), ("by_fold", f"{FOLDS} query folds")):
        lines += [f"\nMRR@10, {title}: first stage / reranked / bm25s-bigram, accented | without diacritics"]
        for name, row in results[kind].items():
            a, f = row["accented"], row["no diacritics"]
            lines.append(f"{name:18} {a['first_stage']:.3f} {a['reranked']:.3f} {a['bm25s_bigram']:.3f} | "
                         f"{f['first_stage']:.3f} {f['reranked']:.3f} {f['bm25s_bigram']:.3f}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sets", nargs="*", type=Path, help="BEIR directories (default: ../shared/bench/*)")
    ap.add_argument("--no-write", action="store_true", help="report only; leave searchdocs/search/rerank.json as it is")
    args = ap.parse_args()
    sets = bench_sets(args.sets)
    groups: list[Group] = []
    judged: dict[tuple[str, str], int] = {}
    peer: dict[str, dict] = {}
    for d in sets:
        found, qrels, peer[d.name] = collect(d)
        groups += found
        for form in ("accented", "no diacritics"):
            judged[d.name, form] = len(qrels)
        print(f"{d.name}: {len(found)} questions with candidates", file=sys.stderr)
    results = report(groups, judged, peer)
    model = train(groups)
    results["model"] = model.to_json()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "rerank.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    if not args.no_write:
        data = model.to_json()
        data = {k: [round(v, 6) for v in vals] if k != "features" else vals for k, vals in data.items()}
        rerank.MODEL_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(render(results))
    print("\nweights:", ", ".join(f"{n} {w:+.3f}" for n, w in zip(model.names, model.weights)))


if __name__ == "__main__":
    main()
