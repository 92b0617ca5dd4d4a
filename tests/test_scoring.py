"""Array scoring: the order of a ranking however much of it is sorted at a time.

That the scores themselves are Whoosh's, to the last bit, is tested end to end in
test_search.py (``test_ranking_is_whoosh_bm25f_...``); that postings read into arrays are the
matcher's, in test_codec.py.
"""
from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from searchdocs.engines.whoosh.scoring import Ranking

# Few distinct scores, so ties (broken by document number) are common.
_rows = st.dictionaries(st.integers(0, 10_000), st.sampled_from([0.5, 1.0, 1.25, 2.0, 7.0]), max_size=300)


@given(_rows, st.integers(1, 50))
def test_best_first_is_by_score_then_number(rows, first):
    ids = np.array(sorted(rows), dtype=np.int64)
    ranking = Ranking(ids, np.array([rows[i] for i in sorted(rows)], dtype=np.float64))
    assert list(ranking.best_first(first)) == sorted(rows.items(), key=lambda kv: (-kv[1], kv[0]))


def test_best_first_goes_on_past_the_first_sorted_batch():
    ranking = Ranking(np.arange(100_000, dtype=np.int64), np.arange(100_000, dtype=np.float64))
    best = ranking.best_first(4)
    assert [next(best) for _ in range(5)] == [(99_999 - k, 99_999.0 - k) for k in range(5)]


def test_scores_skip_deleted_passages_and_count_them_as_whoosh_does(tmp_path, monkeypatch):
    """Deleted passages still hold postings (and count in each term's document frequency, as in
    Whoosh's idf); the ranking leaves them out and otherwise equals Whoosh's to the last bit."""
    import shutil
    from pathlib import Path

    from searchdocs.engines.whoosh.scoring import weighting

    import searchdocs.engines.whoosh.segments
    from searchdocs import index_paths
    from searchdocs.engines.whoosh.query import to_whoosh
    from searchdocs.search.query import parse
    from searchdocs.engines.whoosh.index import Index

    monkeypatch.setattr(searchdocs.engines.whoosh.segments, "SMALL_SEGMENT_DOCS", 0)  # keep the deletions unmerged
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("hc-sct-vn__ND-26-2026-quan-ly-hoat-dong-hoa-chat.docx", "ragluat_LUATANNINHMANG.docx",
                 "hc-sct-vn__CV-597-HC-QLHC-CucHoaChat.docx"):
        shutil.copy(corpus / name, docs / name)
    index_paths(tmp_path / "ix", [docs], jobs=1)
    (docs / "ragluat_LUATANNINHMANG.docx").unlink()
    index_paths(tmp_path / "ix", [docs], jobs=1, prune=True)
    with Index(tmp_path / "ix") as index:
        assert index._searcher.reader().has_deletions()
        for text in ("an ninh mạng", "hoa chat nguy hiem", '"hóa chất" -"an ninh"'):
            parsed = parse(text)
            passages = set(np.flatnonzero(index._passages()).tolist())
            with index._ix.searcher(weighting=weighting()) as plain:
                expected = [(h.docnum, h.score) for h in plain.search(to_whoosh(parsed, index._share),
                                                                        limit=None, filter=passages)]
            ranking, _ = index.ranking(parsed)
            assert list(ranking.best_first()) == expected
            assert expected


def test_term_memo_empties_itself_past_its_budget():
    from searchdocs.engines.whoosh.scoring import TermMemo

    memo = TermMemo(budget=10)
    memo[("body", "a")] = (np.arange(6), np.ones(6))
    memo[("body", "b")] = (np.arange(3), np.ones(3))
    assert set(memo) == {("body", "a"), ("body", "b")}
    memo[("body", "c")] = (np.arange(4), np.ones(4))  # 13 > 10: the others go
    assert set(memo) == {("body", "c")} and memo.postings == 4


def test_a_batch_answers_as_single_searches_do(search_index):
    """Terms shared across a batch are scored once; every answer is the one alone would get."""
    queries = [("1", "chuyển sinh hoạt đảng"), ("2", "chuyen sinh hoat dang chinh thuc"), ("3", "đảng viên"),
               ("4", "sinh hoạt đảng tạm thời")]
    batch = dict(search_index.search_many(queries, 5))
    assert batch == {qid: search_index.search(text, 5) for qid, text in queries}
    assert all(result.hits for result in batch.values())


@given(st.lists(st.integers(0, 5000), min_size=1, max_size=40, unique=True))
def test_positions_decode_as_whoosh_decodes_them(positions):
    from whoosh.formats import Positions

    from searchdocs.engines.whoosh.scoring import decode_positions

    value = Positions().encode(sorted(positions))
    assert decode_positions(value) == Positions().decode_positions(value) == sorted(positions)
