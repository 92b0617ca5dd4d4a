"""Plain-BM25 peers for the ranking benchmarks, each built and queried in this process.

- ``bm25s-bigram``: bm25s defaults (Lucene BM25, k1 1.5, b 0.75) over one bag of tokens per record:
  NFC-lower-cased syllables of title + text, plus every adjacent-syllable pair; queries the same.
- ``bm25s``: the same without the pairs.
- ``tantivy``: tantivy's default tokenizer and BM25 on title and text, the query's words ORed.

None of them folds diacritics: they show what a user typing without marks gets elsewhere.
Install with ``pip install -r benchmarks/requirements.txt``; a peer whose library is missing is
skipped with a note.
"""
from __future__ import annotations

import re
import tempfile
import time
import unicodedata
from collections.abc import Callable

Run = dict[str, list[tuple[str, float]]]
_WORD = re.compile(r"\w+")


def syllables(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def with_pairs(text: str) -> list[str]:
    s = syllables(text)
    return s + [f"{a}_{b}" for a, b in zip(s, s[1:])]


def _bm25s(corpus: list[dict], queries: list[tuple[str, str]], depth: int,
           tokens: Callable[[str], list[str]]) -> tuple[Run, float]:
    import bm25s
    import numpy as np

    vocab: dict[str, int] = {}
    docs = [[vocab.setdefault(t, len(vocab)) for t in tokens(f"{r.get('title', '')} {r['text']}")] for r in corpus]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenization.Tokenized(ids=docs, vocab=vocab), show_progress=False)
    ids = [r["_id"] for r in corpus]
    start = time.perf_counter()
    run: Run = {}
    for qid, text in queries:
        q = [vocab[t] for t in tokens(text) if t in vocab]
        if not q:
            run[qid] = []
            continue
        scores = retriever.get_scores(q)
        top = np.argsort(-scores, kind="stable")[:depth]
        run[qid] = [(ids[i], float(scores[i])) for i in top if scores[i] > 0]
    return run, time.perf_counter() - start


def bm25s_bigram(corpus: list[dict], queries: list[tuple[str, str]], depth: int) -> tuple[Run, float]:
    return _bm25s(corpus, queries, depth, with_pairs)


def bm25s_syllables(corpus: list[dict], queries: list[tuple[str, str]], depth: int) -> tuple[Run, float]:
    return _bm25s(corpus, queries, depth, syllables)


def tantivy_default(corpus: list[dict], queries: list[tuple[str, str]], depth: int) -> tuple[Run, float]:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title")
    builder.add_text_field("text")
    schema = builder.build()
    with tempfile.TemporaryDirectory() as tmp:
        index = tantivy.Index(schema, path=tmp)
        writer = index.writer(heap_size=256_000_000, num_threads=1)
        for rec in corpus:
            writer.add_document(tantivy.Document(id=rec["_id"], title=rec.get("title", ""), text=rec["text"]))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        searcher = index.searcher()
        start = time.perf_counter()
        run: Run = {}
        for qid, text in queries:
            words = " ".join(_WORD.findall(text))
            if not words:
                run[qid] = []
                continue
            hits = searcher.search(index.parse_query(words, ["title", "text"]), depth).hits
            run[qid] = [(searcher.doc(addr)["id"][0], score) for score, addr in hits]
        return run, time.perf_counter() - start


PEERS: dict[str, Callable[[list[dict], list[tuple[str, str]], int], tuple[Run, float]]] = {
    "bm25s syllables+bigrams": bm25s_bigram,
    "bm25s syllables": bm25s_syllables,
    "tantivy default": tantivy_default,
}


def available() -> dict[str, Callable[[list[dict], list[tuple[str, str]], int], tuple[Run, float]]]:
    """The peers whose library is installed; a note on stderr for each that is not."""
    import importlib.util
    import sys

    found = {}
    for name, func in PEERS.items():
        module = "bm25s" if name.startswith("bm25s") else "tantivy"
        if importlib.util.find_spec(module) is None:
            print(f"note: {module} is not installed, skipping the peer {name!r} "
                  "(pip install -r benchmarks/requirements.txt)", file=sys.stderr)
        else:
            found[name] = func
    return found
