"""Reranking the first candidates with a small linear model over lexical features.

BM25 sums each query term's evidence on its own; what it misses is whether a passage answers the
*whole* question: how much of the question's weight it covers, in exact accents, in the
question's word pairs, close together, in the article's heading. ``features`` measures that for
one candidate from its text and the terms' document frequencies; ``Model`` weighs the features
(standardized) with weights learned on the judged questions of the benchmark sets by
``benchmarks/train_reranker.py``, and is shipped as ``rerank.json`` beside this module.

Question phrases ("là gì", "như thế nào", "có được không", "bao nhiêu") ask, they do not name the
subject, so their syllables count a fifth as much in every coverage feature.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from searchdocs.analysis import fold_token

MODEL_FILE = Path(__file__).with_name("rerank.json")
DEPTH = 20  # candidates (documents, by their best passage) the model reorders
MIN_WORDS = 5  # distinct syllables from which a query is a question worth reranking
# A query of one to four syllables is a topic: BM25F ranks it well and the features would
# only restate its terms, at 20 ms a query on the bulk index.
WINDOW = 16  # syllables: how close the question's terms must be for the proximity feature
HEAD = 24  # syllables at a passage's start: the article number and heading
QUESTION_WEIGHT = 0.2
# Folded, as typed without marks too; matched as whole phrases in the question.
QUESTION_PHRASES = [
    "nhu the nao", "la gi", "la bao nhieu", "bao nhieu", "co duoc khong", "duoc khong", "co phai",
    "hay khong", "phai khong", "co khong", "la ai", "o dau", "khi nao", "bao lau", "tai sao",
    "vi sao", "ra sao", "the nao", "nhung gi", "gom nhung", "bao gom nhung", "co the",
]
FEATURES = (
    "first_stage",  # the first-stage score over the best candidate's
    "first_rank",  # 1 / first-stage rank
    "cover",  # share of the question's weight (idf) whose syllables the passage holds
    "accent_cover",  # the same, for the question's accented syllables found with their exact marks
    "pair_cover",  # share of the question's adjacent pairs the passage holds as pairs
    "window_cover",  # the best WINDOW-syllable span's share of the question's weight
    "head_cover",  # the share found in the passage's first HEAD syllables
    "tf",  # idf-weighted log term frequency over the question's weight
    "length",  # log of the passage's syllables
    "other_passages",  # log(1 + the document's other matching passages)
    "bm25_folded",  # plain BM25 of the passage alone, folded syllables and pairs, over the best candidate's
    "bm25_exact",  # the same with the question's syllables and pairs as typed (accents kept where given)
    "document",  # the document's best TOP_PASSAGES first-stage scores added, over the list's best
)
TOP_PASSAGES = 3  # a document's evidence: its best few passages, so a long handbook does not win by bulk
BM25_K1 = 1.2  # the plain BM25 features' parameters (Lucene's), lengths relative to the candidates'
BM25_B = 0.75
_WORD = re.compile(r"\w+")
_MARKS = re.compile("[\u0300-\u036f]")
_D = str.maketrans({"đ": "d"})


def _fold_text(lower: str) -> str:
    """``normalize.fold`` of lower-case text at C speed: the Vietnamese marks are all in U+0300–036F."""
    return _MARKS.sub("", unicodedata.normalize("NFD", lower.translate(_D)))


@dataclass
class Question:
    """A question's syllables, ready to score candidates: lower-case, folded, each with a weight."""

    words: list[str]  # lower-case as typed (accents kept where given)
    folded: list[str]
    weight: dict[str, float]  # folded syllable -> idf x question-phrase weight
    accented: dict[str, float]  # accented syllable (as typed) -> its weight
    pairs: dict[tuple[str, str], float]  # folded pair -> weight (both syllables')
    lucene: dict[str, dict]  # "folded" / "exact": term (syllable or pair) -> Lucene idf x phrase weight

    @property
    def total(self) -> float:
        return sum(self.weight.values()) or 1.0


Frequency = Callable[[str, str], int]  # (field, term) -> passages holding it


def question(words: Sequence[str], frequency: Frequency, size: int) -> Question:
    """``words``: the query's lower-case syllables; ``frequency(field, term)``: passages holding a
    term ("body": syllables, "bigrams": folded pairs "a_b"); ``size``: passages in the index. The
    coverage weights use BM25F's idf, log(N / (df + 1)) + 1; the plain BM25 features Lucene's."""
    folded = [fold_token(w) for w in words]
    scale = _question_scale(folded)
    weight: dict[str, float] = {}
    accented: dict[str, float] = {}
    lucene: dict[str, dict] = {"folded": {}, "exact": {}}
    for w, f, s in zip(words, folded, scale):
        df = frequency("body", f)
        idf = math.log(size / (df + 1)) + 1
        weight[f] = max(weight.get(f, 0.0), max(idf, 0.0) * s)
        lucene["folded"][f] = max(lucene["folded"].get(f, 0.0), _lucene_idf(df, size) * s)
        exact_df = df if w == f else frequency("body", w)
        lucene["exact"][w] = max(lucene["exact"].get(w, 0.0), _lucene_idf(exact_df, size) * s)
        if w != f:
            accented[w] = weight[f]
    pairs = {(a, b): weight[a] + weight[b] for a, b in zip(folded, folded[1:])}
    for (a, b), (wa, wb), (sa, sb) in zip(zip(folded, folded[1:]), zip(words, words[1:]), zip(scale, scale[1:])):
        idf = _lucene_idf(frequency("bigrams", f"{a}_{b}"), size) * min(sa, sb)
        lucene["folded"][(a, b)] = idf
        lucene["exact"][(wa, wb)] = idf  # an accented pair counts as often as its folded pair
    return Question(list(words), folded, weight, accented, pairs, lucene)


def _lucene_idf(df: int, size: int) -> float:
    return math.log(1 + (size - df + 0.5) / (df + 0.5))


def _question_scale(folded: list[str]) -> list[float]:
    """Per syllable, QUESTION_WEIGHT inside a question phrase, else 1."""
    scale = [1.0] * len(folded)
    text = " ".join(folded)
    for phrase in QUESTION_PHRASES:
        for m in re.finditer(rf"(?<!\w){phrase}(?!\w)", text):
            first = text[:m.start()].count(" ")
            for k in range(first, first + phrase.count(" ") + 1):
                scale[k] = QUESTION_WEIGHT
    return scale


@dataclass
class Candidate:
    """A document in the first stage's list: its best passage's text and score, how many of its
    other passages match, and its document-level score."""

    text: str
    score: float
    others: int
    document: float  # the first-stage scores of the document's best TOP_PASSAGES passages, added


def features(q: Question, candidates: Sequence[Candidate]) -> np.ndarray:
    """The FEATURES of each candidate, in first-stage order (one row each). Scores are taken
    relative to the list's best, BM25 lengths to the list's mean.

    A passage is read once, keeping only the syllables the question has (with their positions):
    everything else is computed from those few."""
    if not candidates:
        return np.zeros((0, len(FEATURES)))
    rows, parts = [], []
    weight, total = q.weight, q.total
    accent_total = sum(q.accented.values())
    pair_total = sum(q.pairs.values())
    best = candidates[0].score
    for rank, c in enumerate(candidates):
        text = c.text.lower()
        words = _WORD.findall(text)
        folded_words = _WORD.findall(_fold_text(text))
        if len(folded_words) == len(words):  # folding the whole text kept every syllable apart
            hits = [(i, f, words[i]) for i, f in enumerate(folded_words) if f in weight]
        else:
            hits = [(i, fold_token(w), w) for i, w in enumerate(words) if fold_token(w) in weight]
        present = {f for _, f, _ in hits}
        counts = Counter(f for _, f, _ in hits)
        adjacent = [(a, b) for a, b in zip(hits, hits[1:]) if b[0] == a[0] + 1]
        typed = {i: (low if low in q.accented else f) for i, f, low in hits}  # as the question wrote each
        exact = {low for _, _, low in hits}
        pairs = {(a[1], b[1]) for a, b in adjacent}
        rows.append([
            c.score / best if best > 0 else 0.0,
            1.0 / (rank + 1),
            sum(weight[f] for f in present) / total,
            sum(w for a, w in q.accented.items() if a in exact) / accent_total if accent_total else 0.0,
            sum(w for p, w in q.pairs.items() if p in pairs) / pair_total if pair_total else 0.0,
            _window(weight, hits) / total,
            sum(weight[f] for f in {f for i, f, _ in hits if i < HEAD}) / total,
            sum(weight[f] * math.log1p(n) for f, n in counts.items()) / total,
            math.log1p(len(words)),
            math.log1p(c.others),
        ])
        folded_terms = counts + Counter((a[1], b[1]) for a, b in adjacent)
        typed_terms = Counter(typed.values()) + Counter((typed[a[0]], typed[b[0]]) for a, b in adjacent)
        parts.append((_found(q.lucene["folded"], folded_terms), _found(q.lucene["exact"], typed_terms), len(words)))
    mean = sum(p[2] for p in parts) / len(parts) or 1.0
    bm25 = np.array([[_bm25(found, p[2], mean) for found in p[:2]] for p in parts], dtype=np.float64)
    top = bm25.max(axis=0)
    bm25 = np.divide(bm25, top, out=np.zeros_like(bm25), where=top > 0)
    document = np.array([[c.document] for c in candidates])
    document = document / document.max() if document.max() > 0 else document
    return np.hstack([np.array(rows), bm25, document])


def _found(idf: dict, counts: Counter) -> list[tuple[float, int]]:
    """(idf, frequency) of each question term (syllable or pair) among ``counts``."""
    return [(idf[t], n) for t, n in counts.items() if t in idf]


def _bm25(found: list[tuple[float, int]], length: int, mean: float) -> float:
    norm = BM25_K1 * (1 - BM25_B + BM25_B * length / mean)
    return sum(idf * n * (BM25_K1 + 1) / (n + norm) for idf, n in found)


def _window(weight: dict[str, float], hits: list[tuple[int, str, str]]) -> float:
    """The largest question weight held by the distinct syllables of any WINDOW-syllable span
    (one ending at a hit is the best of its neighbours)."""
    inside: Counter[str] = Counter()
    held = best = 0.0
    first = 0
    for pos, f, _ in hits:
        while hits[first][0] <= pos - WINDOW:
            old = hits[first][1]
            inside[old] -= 1
            if not inside[old]:
                held -= weight[old]
            first += 1
        if not inside[f]:
            held += weight[f]
        inside[f] += 1
        best = max(best, held)
    return best


@dataclass
class Model:
    """A linear model over standardized features: score = sum(w * (x - mean) / std)."""

    names: tuple[str, ...]
    weights: np.ndarray
    mean: np.ndarray
    std: np.ndarray

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return self.standardize(rows) @ self.weights

    def standardize(self, rows: np.ndarray) -> np.ndarray:
        return (rows - self.mean) / self.std

    def contributions(self, row: Sequence[float]) -> dict[str, float]:
        """Each feature's share of one candidate's score."""
        parts = self.standardize(np.asarray(row, dtype=np.float64)) * self.weights
        return {name: float(v) for name, v in zip(self.names, parts)}

    def to_json(self) -> dict:
        return {"features": list(self.names), "weights": self.weights.tolist(), "mean": self.mean.tolist(),
                "std": self.std.tolist()}

    @classmethod
    def from_json(cls, data: dict) -> Model:
        names = tuple(data["features"])
        if names != FEATURES:
            raise ValueError(f"the model's features {names} are not this version's {FEATURES}")
        arrays = [np.asarray(data[k], dtype=np.float64) for k in ("weights", "mean", "std")]
        if any(a.shape != (len(names),) for a in arrays) or not all(np.isfinite(a).all() for a in arrays):
            raise ValueError("the model's weights, mean and std must be finite, one per feature")
        weights, mean, std = arrays
        return cls(names, weights, mean, np.where(std > 0, std, 1.0))


@lru_cache(maxsize=1)
def shipped() -> Model:
    """The model shipped with the package (``rerank.json``)."""
    return Model.from_json(json.loads(MODEL_FILE.read_text(encoding="utf-8")))
