"""The local engine: a Whoosh index in a folder, read with numpy (``scoring.py``).

Everything above is :class:`searchdocs.search.base.SearchIndex`; this supplies the records and
passages from stored fields and a query's first stage from the postings.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from searchdocs.documents.graph import OVERRIDES_FILE
from searchdocs.engines.whoosh.filters import whoosh_filter
from searchdocs.engines.whoosh.query import to_whoosh
from searchdocs.engines.whoosh.scoring import Ranking, Scorer, TermMemo, weighting
from searchdocs.engines.whoosh.store import open_index
from searchdocs.errors import N_, EmptyIndexError
from searchdocs.models import DocRecord
from searchdocs.search import rerank
from searchdocs.search.base import Candidates, SearchIndex
from searchdocs.search.filters import Filters
from searchdocs.search.query import ParsedQuery

VERSIONS_FILE = "versions.json"  # in the index directory: SearchIndex.save_versions


class Index(SearchIndex):
    """An open local index. ``overrides``: a status override file; by default
    ``<directory>/status-overrides.json`` when it exists."""

    def __init__(self, directory: str | Path, overrides: str | Path | None = None) -> None:
        super().__init__(overrides)
        self.directory = Path(directory)
        self._ix = open_index(self.directory)
        self._searcher: Searcher = self._ix.searcher(weighting=weighting())
        self._scorer = Scorer(self._searcher)
        self._passage_count = max(1, self._searcher.doc_count())
        self._document_codes: tuple[np.ndarray, list[str]] | None = None
        self._passage_mask: np.ndarray | None = None

    def close(self) -> None:
        self._searcher.close()

    # -- documents -------------------------------------------------------------------------

    def record(self, doc_id: str) -> DocRecord | None:
        fields = self._searcher.document(pid=f"d:{doc_id}")
        if fields is None:
            return None
        return DocRecord(fields["doc_id"], fields["path"], fields["sha"], json.loads(fields["meta"]))

    def records(self) -> Iterator[DocRecord]:
        for fields in self._searcher.documents(kind="d"):
            yield DocRecord(fields["doc_id"], fields["path"], fields["sha"], json.loads(fields["meta"]))

    def passages(self, doc_id: str) -> list[dict]:
        found = [dict(f) for f in self._searcher.documents(doc_id=doc_id) if "ordinal" in f]
        return sorted(found, key=lambda f: f["ordinal"])

    def passage_count(self) -> int:
        return int(self._passages().sum())

    def size_bytes(self) -> int:
        size = 0
        for root, _, files in os.walk(self.directory):
            for name in files:
                try:
                    size += os.path.getsize(os.path.join(root, name))
                except OSError:
                    pass
        return size

    def _default_overrides(self) -> Path:
        return self.directory / OVERRIDES_FILE

    def _load_versions(self) -> dict | None:
        try:
            return json.loads((self.directory / VERSIONS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _store_versions(self, data: dict) -> None:
        path = self.directory / VERSIONS_FILE
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

    def require_documents(self) -> None:
        """Raise EmptyIndexError, saying why, when the index holds no document yet: a first run still
        at work, or nothing indexed. (A search of an empty index just finds nothing.)"""
        if self._searcher.doc_count() == 0:
            raise self._empty_error()

    def _empty_error(self) -> EmptyIndexError:
        from searchdocs.engines.whoosh.lock import is_locked, read_info

        if is_locked(self.directory):
            info = read_info(self.directory)
            return EmptyIndexError(N_("the index is being built ({run}) and holds no document yet: "
                                      "search again when that run has finished"),
                                   run=info.describe() if info else "another process")
        return EmptyIndexError(N_("the index at {directory} holds no document: index files with "
                                  "`searchdocs index PATH`"), directory=str(self.directory))

    # -- search ----------------------------------------------------------------------------

    def _memo(self) -> TermMemo:
        return TermMemo()

    def _passages(self) -> np.ndarray:
        """Which internal numbers are passages (not document records, not deleted): a mask made
        once per open index."""
        if self._passage_mask is None:
            self._passage_mask = self._matching(wq.Term("kind", "p"))
        return self._passage_mask

    def _matching(self, q: wq.Query) -> np.ndarray:
        """The documents ``q`` matches, deleted ones left out, as a mask."""
        return self._scorer.scores(q, TermMemo()).hit & self._scorer.live()

    def _codes(self) -> tuple[np.ndarray, list[str]]:
        """Each internal number's document as a code (-1: none), and the doc_id of each code; made
        once per open index."""
        if self._document_codes is None:
            names: list[str] = []
            codes: dict[str, int] = {}
            table = np.full(self._scorer.size, -1, dtype=np.int64)
            for name, numbers in self._scorer.field_ids("doc_id"):
                table[numbers] = codes.setdefault(name, len(codes))
                if len(names) < len(codes):
                    names.append(name)
            self._document_codes = table, names
        return self._document_codes

    def ranking(self, parsed: ParsedQuery, memo: TermMemo | None = None) -> tuple[Ranking, dict[str, int]]:
        """Every passage a parsed query matches with its score, and how many each document has;
        ``memo`` keeps scored terms for the queries after this one."""
        q = to_whoosh(parsed, self._share)
        # Passages only: a document record carries the docnum field too, and must count neither as
        # a hit (it has no body) nor as one of the document's other passages.
        allowed = self._allowed(parsed.filters, "p")
        ranking = self._scorer.rank(q, self._passages() if allowed is None else allowed,
                                    TermMemo() if memo is None else memo)
        codes, names = self._codes()
        per_code = np.bincount(codes[ranking.ids], minlength=len(names)) if len(ranking.ids) else []
        return ranking, {names[c]: int(n) for c, n in enumerate(per_code) if n}

    def _share(self, field: str, term: str) -> float:
        return self._scorer.frequency(field, term) / self._passage_count

    def _allowed(self, filters: Filters, kind: str) -> np.ndarray | None:
        """The passages (kind "p") or records ("d") the filters allow, as a mask; None: all."""
        if filters.is_empty:
            return None
        fq = whoosh_filter(filters, self.all_records(), lambda doc_id: self.graph().in_force(doc_id))
        return self._matching(wq.And([wq.Term("kind", kind), fq]))

    def _allowed_documents(self, filters: Filters) -> set[str]:
        allowed = self._allowed(filters, "d")
        if allowed is None:
            return {r.doc_id for r in self.all_records()}
        codes, names = self._codes()
        return {names[c] for c in set(codes[np.flatnonzero(allowed)].tolist()) if c >= 0}

    def _has_number(self, key: str) -> bool:
        return bool(self._matching(wq.Term("docnum", key)).any())

    def _candidates(self, parsed: ParsedQuery, depth: int, group: Callable[[str], str],
                    memo: TermMemo) -> Candidates:
        ranking, counts = self.ranking(parsed, memo)
        codes, names = self._codes()
        chosen: list[tuple[int, float, str]] = []  # (internal number, score, doc_id), best first
        seen: set[str] = set()
        for docnum, score in ranking.best_first():  # stored fields read for the candidates only
            doc_id = names[codes[docnum]]
            if group(doc_id) not in seen:
                seen.add(group(doc_id))
                chosen.append((docnum, score, doc_id))
                if len(chosen) >= depth:
                    break
        keys = [docnum for docnum, _, _ in chosen]
        return Candidates(
            keys=keys, scores=[s for _, s, _ in chosen], doc_ids=[d for _, _, d in chosen],
            stored=[self._searcher.stored_fields(docnum) for docnum in keys], counts=counts,
            named=lambda: self._numbered(parsed),
            document_scores=lambda n: self._document_scores(ranking, keys[:n]),
            frequency=self._scorer.frequency, size=self._passage_count)

    def _document_scores(self, ranking: Ranking, passages: list[int]) -> list[float]:
        """For the document of each of ``passages``, its best ``rerank.TOP_PASSAGES`` passage
        scores added (only the passages of these documents are looked at)."""
        codes = self._codes()[0]
        wanted = codes[np.asarray(passages, dtype=np.int64)]
        keep = np.isin(codes[ranking.ids], wanted)
        owner, scores = codes[ranking.ids[keep]], ranking.scores[keep]
        order = np.lexsort((-scores, owner))
        owner, scores = owner[order], scores[order]
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        within = np.arange(len(owner)) - np.repeat(starts, np.diff(np.r_[starts, len(owner)]))
        top = within < rerank.TOP_PASSAGES
        totals: dict[int, float] = {}
        for code, score in zip(owner[top].tolist(), scores[top].tolist()):
            totals[code] = totals.get(code, 0.0) + score
        return [totals.get(code, 0.0) for code in wanted.tolist()]

    def _numbered(self, parsed: ParsedQuery) -> set[int]:
        """Internal numbers of the passages of documents whose number the query names."""
        keys = parsed.number_keys + parsed.short_keys
        if not keys:
            return set()
        return set(np.flatnonzero(self._matching(wq.Or([wq.Term("docnum", k) for k in keys]))).tolist())
