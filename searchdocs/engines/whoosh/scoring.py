"""Scoring a query over every passage at once, with numpy arrays.

Results are grouped per document and counted, so every matching passage is scored. Whoosh
scores a posting at a time through a stack of Python matcher calls, which at tens of thousands
of passages is most of a query's time. Here a term's postings are read a block at a time into
arrays and scored with the same BM25F formula, operation for operation, so the scores are the
same floats Whoosh computes; a query tree becomes a few array operations over all passages.
Phrases are matched here too, decoding positions only where every word is present; any other
query type (ranges, Every) goes through Whoosh's matcher and its scores are taken over.
"""
from __future__ import annotations

import io
import pickle
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from math import log

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader, W3TermInfo, W3TermsReader, _lenfield
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from searchdocs.analysis import fold_token, pairable
from searchdocs.search import query as weights

def weighting() -> BM25F:
    """The BM25F every search scores with (the array scorer reads its parameters from the searcher)."""
    return BM25F(B=weights.BM25_B, K1=weights.BM25_K1)

# A field length byte to the length Whoosh decodes it to (0: no such field in the document).
_LENGTHS = np.array([0] + [byte_to_length(b) for b in range(1, 256)], dtype=np.float64)


@dataclass
class Scores:
    """A score for every internal document number, and which of them match."""

    hit: np.ndarray  # bool
    score: np.ndarray  # float64

    def boosted(self, boost: float) -> Scores:
        return self if boost == 1.0 else Scores(self.hit, self.score * boost)


@dataclass
class Ranking:
    """The matching documents of a query, in internal number order, with their scores."""

    ids: np.ndarray  # int64, ascending
    scores: np.ndarray  # float64

    def best_first(self, first: int = 256) -> Iterator[tuple[int, float]]:
        """(number, score) by score, best first, then by number (Whoosh's order).

        Only the best ``first`` are sorted at the start, then eight times as many when more are
        asked for: showing ten documents rarely needs more than a few dozen passages."""
        negated = -self.scores
        done, k = 0, first
        while done < len(self.ids):
            if k >= len(self.ids):
                top = np.arange(len(self.ids))
            else:  # every score at least the k-th best, ties included, so the order is exact
                top = np.flatnonzero(negated <= np.partition(negated, k - 1)[k - 1])
            order = top[np.lexsort((self.ids[top], negated[top]))]
            for i in order[done:].tolist():
                yield int(self.ids[i]), float(self.scores[i])
            done, k = len(order), k * 8


class TermMemo(dict):
    """Scored terms, (field, text) -> (internal numbers, scores), kept for the rest of a query or
    of a batch; emptied when it would hold more than ``budget`` postings (16 bytes each)."""

    def __init__(self, budget: int = 8_000_000) -> None:
        super().__init__()
        self.budget = budget
        self.postings = 0

    def __setitem__(self, key: tuple[str, str], value: tuple[np.ndarray, np.ndarray]) -> None:
        self.postings += len(value[0])
        if self.postings > self.budget:
            self.clear()
            self.postings = len(value[0])
        super().__setitem__(key, value)


class Scorer:
    """Evaluates Whoosh queries into ``Scores`` over one open searcher (weighted by BM25F)."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.size = searcher.doc_count_all()
        self._segments: list[tuple[Searcher, int]] = (
            list(searcher.subsearchers) if searcher.subsearchers else [(searcher, 0)])
        self._lengths: dict[str, np.ndarray] = {}
        self._live: np.ndarray | None = None
        self._info_cache: dict[tuple[str, str], list[tuple[SegmentReader, int, W3TermInfo]]] = {}

    def rank(self, q: wq.Query, allowed: np.ndarray, terms: TermMemo) -> Ranking:
        """The documents ``q`` matches among those ``allowed`` (a bool mask), with their scores."""
        scores = self.scores(q, terms)
        ids = np.flatnonzero(scores.hit & allowed)
        return Ranking(ids, scores.score[ids])

    def scores(self, q: wq.Query, terms: TermMemo) -> Scores:
        """Which documents ``q`` matches and their Whoosh scores; ``terms`` keeps each term's
        scored postings for the rest of the query ("hợp đồng lao động" reads "dong" once)."""
        if isinstance(q, wq.Term):
            ids, values = self.term(q, terms)
            return self._dense(ids, values)
        if isinstance(q, wq.Or) and q.subqueries:
            hit = np.zeros(self.size, dtype=bool)
            score = np.zeros(self.size)
            for sub in q.subqueries:  # in order: Whoosh's array union adds the scores this way
                if isinstance(sub, wq.Term):  # sparse: add the postings only
                    ids, values = self.term(sub, terms)
                    score[ids] += values
                    hit[ids] = True
                else:
                    part = self.scores(sub, terms)
                    score[part.hit] += part.score[part.hit]
                    hit |= part.hit
            return Scores(hit, score).boosted(q.boost)
        if isinstance(q, wq.And) and q.subqueries:
            parts = [self.scores(sub, terms) for sub in q.subqueries]
            hit = np.logical_and.reduce([p.hit for p in parts])
            score = np.zeros(self.size)
            for p in parts:
                score += np.where(hit, p.score, 0.0)
            return Scores(hit, score).boosted(q.boost)
        if isinstance(q, wq.AndMaybe):
            a, b = self.scores(q.a, terms), self.scores(q.b, terms)
            score = np.where(a.hit, a.score + np.where(b.hit, b.score, 0.0), 0.0)
            return Scores(a.hit, score).boosted(q.boost)
        if isinstance(q, wq.AndNot):
            a, b = self.scores(q.a, terms), self.scores(q.b, terms)
            hit = a.hit & ~b.hit
            return Scores(hit, np.where(hit, a.score, 0.0)).boosted(q.boost)
        if isinstance(q, wq.Phrase) and q.slop == 1 and q.words:
            return self._phrase(q, terms).boosted(q.boost)
        return self._matched(q)

    def _phrase(self, q: wq.Phrase, terms: TermMemo) -> Scores:
        """A phrase as Whoosh matches and scores it (``SpanNear2`` over a binary tree of term
        intersections: the words' term scores added in that tree's order), with the passages
        holding every word found as arrays and positions decoded for those passages only."""
        scored = [self.term(wq.Term(q.fieldname, word), terms) for word in q.words]
        hit = np.zeros(self.size, dtype=bool)
        if any(not len(ids) for ids, _ in scored):
            return Scores(hit, np.zeros(self.size))
        candidates = scored[0][0]
        for ids, _ in scored[1:]:
            candidates = np.intersect1d(candidates, ids, assume_unique=True)
        pairs = PAIR_FIELDS.get(q.fieldname)
        for a, b in zip(q.words, q.words[1:]) if pairs else ():
            # Wherever the phrase occurs, its folded pairs are indexed (analysis.bigram_postings
            # pairs every two adjacent pairable syllables): fewer passages to decode positions for.
            fa, fb = fold_token(a), fold_token(b)
            if not (pairable(fa) and pairable(fb)):
                continue
            pair = self._postings(pairs, f"{fa}_{fb}")[0]
            candidates = np.intersect1d(candidates, pair, assume_unique=True)
        # Where the phrase may start in each candidate, narrowed word by word: positions are
        # decoded only for the passages where the words before still line up.
        starts = {doc: set(found) for doc, found in self.positions(q.fieldname, q.words[0], candidates).items()}
        for k, word in enumerate(q.words[1:], 1):
            if not starts:
                break
            found = self.positions(q.fieldname, word, np.fromiter(sorted(starts), dtype=np.int64))
            narrowed: dict[int, set[int]] = {}
            for doc, begin in starts.items():
                at = set(found.get(doc, ()))
                if kept := {p for p in begin if p + k in at}:
                    narrowed[doc] = kept
            starts = narrowed
        matched = np.fromiter(sorted(starts), dtype=np.int64)
        hit[matched] = True
        dense = []
        for ids, values in scored:
            column = np.zeros(self.size)
            column[ids] = values
            dense.append(column)
        return Scores(hit, np.where(hit, _tree_sum(dense), 0.0))

    def positions(self, fieldname: str, text: str, wanted: np.ndarray) -> dict[int, list[int]]:
        """A term's positions in each of the ``wanted`` internal numbers that hold it."""
        out: dict[int, list[int]] = {}
        for reader, offset, info in self._infos(fieldname, text):
            local = wanted[(wanted >= offset) & (wanted < offset + reader.doc_count_all())] - offset
            if len(local):
                for docnum, value in read_values(reader, info, local):
                    out[docnum + offset] = decode_positions(value)
        return out

    def term(self, q: wq.Term, terms: TermMemo) -> tuple[np.ndarray, np.ndarray]:
        """Internal numbers of the documents holding a term, and its (boosted) score in each."""
        key = (q.fieldname, q.text)
        if key not in terms:
            terms[key] = self._term(q.fieldname, q.text)
        ids, values = terms[key]
        return ids, values * q.boost if q.boost != 1.0 else values

    def field_ids(self, fieldname: str) -> Iterator[tuple[str, np.ndarray]]:
        """Each term of a field (segment by segment, so a term may come more than once) with the
        internal numbers of the documents holding it, deleted ones included. Reads the term table
        in order instead of looking every term up."""
        field = self.searcher.schema[fieldname]
        for sub, offset in self._segments:
            reader = sub.reader()
            if isinstance(reader, SegmentReader):
                for btext, info in reader.iter_field(fieldname):
                    yield field.from_bytes(btext), read_postings(reader, info)[0] + offset

    def live(self) -> np.ndarray:
        """Which internal numbers are documents not deleted, as a mask."""
        if self._live is None:
            self._live = np.ones(self.size, dtype=bool)
            for sub, offset in self._segments:
                reader = sub.reader()
                if isinstance(reader, SegmentReader) and reader.has_deletions():
                    self._live[np.fromiter(reader.deleted_docs_set, dtype=np.int64) + offset] = False
        return self._live

    def frequency(self, fieldname: str, text: str) -> int:
        """How many documents hold a term (deleted ones included, as Whoosh counts)."""
        return sum(info.doc_frequency() for _, _, info in self._infos(fieldname, text))

    def _infos(self, fieldname: str, text: str) -> list[tuple[SegmentReader, int, W3TermInfo]]:
        """A term's info in each segment that has it, with the segment's first internal number.

        Looked up once per open index (a question's terms are looked up to prune the common ones,
        then read, and the terms of a batch repeat); the table is emptied when it grows large."""
        key = (fieldname, text)
        found = self._info_cache.get(key)
        if found is None:
            found = []
            schema = self.searcher.schema
            try:
                btext = schema[fieldname].to_bytes(text) if fieldname in schema else None
            except ValueError:
                btext = None
            for sub, offset in self._segments if btext is not None else ():
                reader = sub.reader()
                if isinstance(reader, SegmentReader):  # not an index without segments
                    try:
                        found.append((reader, offset, reader.term_info(fieldname, btext)))
                    except TermNotFound:
                        pass
            if len(self._info_cache) >= _INFO_CACHE:
                self._info_cache.clear()
            self._info_cache[key] = found
        return found

    def _postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """A term's postings over all segments: internal numbers and weights."""
        parts = [(read_postings(reader, info), offset) for reader, offset, info in self._infos(fieldname, text)]
        if not parts:
            return _EMPTY_IDS, _EMPTY_SCORES
        return (np.concatenate([ids + offset for (ids, _), offset in parts]),
                np.concatenate([weights for (_, weights), _ in parts]))

    def _term(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        ids, weights = self._postings(fieldname, text)
        if not len(ids) or not self.searcher.schema[fieldname].scorable:
            return ids, weights  # BM25F scores a field without lengths by the weight alone
        # whoosh.scoring: BM25F's idf (the postings count is the document frequency, deleted
        # documents included, as Whoosh counts it) and bm25(), operation for operation.
        weighting = self.searcher.weighting
        b, k1 = weighting._field_B.get(fieldname, weighting.B), weighting.K1
        idf = log(self.size / (len(ids) + 1)) + 1
        avgfl = self.searcher.avg_field_length(fieldname) or 1
        fl = self.lengths(fieldname)[ids]
        return ids, idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * fl / avgfl)))

    def lengths(self, fieldname: str) -> np.ndarray:
        """Every document's length of a field, as Whoosh stores it (one byte, decoded)."""
        if fieldname not in self._lengths:
            parts = [field_length_bytes(sub.reader(), fieldname) for sub, _ in self._segments]
            self._lengths[fieldname] = _LENGTHS[np.concatenate(parts)] if parts else np.zeros(0)
        return self._lengths[fieldname]

    def _dense(self, ids: np.ndarray, values: np.ndarray) -> Scores:
        hit = np.zeros(self.size, dtype=bool)
        score = np.zeros(self.size)
        hit[ids] = True
        score[ids] = values
        return Scores(hit, score)

    def _matched(self, q: wq.Query) -> Scores:
        """Any other query (phrases, Every): Whoosh's own matcher, its matches and scores."""
        hit = np.zeros(self.size, dtype=bool)
        score = np.zeros(self.size)
        for sub, offset in self._segments:
            m = q.matcher(sub)
            ids, values = [], []
            while m.is_active():
                ids.append(m.id())
                values.append(m.score())
                m.next()
            if ids:
                where = np.asarray(ids, dtype=np.int64) + offset
                hit[where] = True
                score[where] = values
        return Scores(hit, score)


def decode_positions(value: bytes) -> list[int]:
    """``whoosh.formats.Positions.decode_positions``: a count, then the pickled deltas between
    positions (the pickle's stop byte may be missing), summed up in C."""
    return list(accumulate(pickle.loads(value[4:] if value.endswith(b".") else value[4:] + b".")))


def _tree_sum(parts: list[np.ndarray]) -> np.ndarray:
    """Parts added as Whoosh's ``make_binary_tree`` adds matcher scores: halves, recursively."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _tree_sum(parts[:half]) + _tree_sum(parts[half:])


_INFO_CACHE = 100_000  # term infos kept per open index
PAIR_FIELDS = {"body": "bigrams"}  # a field's adjacent syllable pairs, folded, are in this field
_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_SCORES = np.zeros(0)


def _blocks(reader: SegmentReader, info: W3TermInfo) -> Iterator[tuple[int, int, Callable[[], tuple]]]:
    """The blocks of a term's postings in one segment, as (count, last id, load). ``load()``
    unpickles the block's (ids, weights, values); a block not loaded is skipped unread.

    The W3 postings format: a header tag, then blocks of ``length`` (int, negative for the last),
    a pickled info tuple (count, last id, max weight, compression, ...) and the (maybe
    zlib-compressed) pickled ids (delta-encoded, from 0 again in each block), weights (None: all
    1.0; a float: all that value) and values (``packed.PackedValues``: left packed).
    """
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length as struct.unpack's 1-tuple
        length = length[0]
    terms: W3TermsReader = reader._terms
    data = io.BytesIO(terms._postfile.get(offset, length))
    data.seek(4)  # the header tag
    while True:
        size = int.from_bytes(data.read(4), "big", signed=True)
        end = data.tell() + abs(size)
        count, last, _, compression, _, _ = pickle.load(data)
        if compression:  # a block as Whoosh writes it
            yield count, last, lambda: pickle.loads(zlib.decompress(data.read(end - data.tell())))
        else:
            yield count, last, lambda: pickle.load(data)
        if size < 0:
            return
        data.seek(end)


def read_postings(reader: SegmentReader, info: W3TermInfo) -> tuple[np.ndarray, np.ndarray]:
    """The postings of a term in one segment as (document numbers, weights), read a block at a
    time into arrays."""
    if info.is_inlined():
        ids, weights, _ = info.inlined_postings()
        return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)
    deltas: list = []  # each block's
    weights: list = []
    lasts: list[int] = []  # each block's last id
    for count, last, load in _blocks(reader, info):
        block = load()
        deltas.append(block[0])
        weight = block[1]
        weights.append(np.ones(count) if weight is None else np.full(count, weight) if isinstance(weight, float)
                       else weight)
        lasts.append(last)
    # One cumulative sum for all blocks: each block's first id becomes a delta from the last id
    # of the block before.
    ids = np.concatenate(deltas, dtype=np.int64)
    if len(deltas) > 1:
        ids[np.cumsum([len(d) for d in deltas[:-1]])] -= lasts[:-1]
    return np.cumsum(ids), np.concatenate(weights, dtype=np.float64)


def read_values(reader: SegmentReader, info: W3TermInfo, wanted: np.ndarray) -> Iterator[tuple[int, bytes]]:
    """(document number, value) of a term's postings in one segment, for the ``wanted`` document
    numbers (sorted) that have one; blocks holding none of them are skipped unread."""
    if info.is_inlined():
        ids, _, values = info.inlined_postings()
        keep = set(wanted.tolist())
        yield from ((docnum, value) for docnum, value in zip(ids, values) if docnum in keep)
        return
    first = 0  # the smallest id the next block can hold
    for _, last, load in _blocks(reader, info):
        i, j = np.searchsorted(wanted, [first, last + 1])
        if i < j:
            deltas, _, values = load()
            ids = np.cumsum(np.asarray(deltas, dtype=np.int64))
            here = wanted[i:j]
            at = np.minimum(np.searchsorted(ids, here), len(ids) - 1)
            for docnum, k in zip(here[ids[at] == here].tolist(), at[ids[at] == here].tolist()):
                yield docnum, values[k]
        first = last + 1


def field_length_bytes(reader: SegmentReader, fieldname: str) -> np.ndarray:
    """The stored length byte of a field for every document of one segment (0: none)."""
    size = reader.doc_count_all()
    out = np.zeros(size, dtype=np.uint8)
    if not isinstance(reader, SegmentReader):  # an index without segments
        return out
    perdoc: W3PerDocReader = reader._perdoc
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is not None:
        count = min(column._count, size)
        out[:count] = np.frombuffer(column._dbfile.get(column._basepos, count), dtype=np.uint8)
    return out
