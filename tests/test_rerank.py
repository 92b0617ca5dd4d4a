"""The reranker: its shipped model, its features, and the invariants a reranked list keeps."""
from __future__ import annotations

import json
import unicodedata

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from searchdocs.search import rerank
from searchdocs.interface.cli import cli
from searchdocs.documents.normalize import fold

QUESTION = "đảng viên đi làm ăn xa thì chuyển sinh hoạt đảng như thế nào"


def test_the_shipped_model_loads_with_one_finite_weight_per_feature():
    model = rerank.Model.from_json(json.loads(rerank.MODEL_FILE.read_text(encoding="utf-8")))
    assert model.names == rerank.FEATURES
    assert model.weights.shape == (len(rerank.FEATURES),) and np.isfinite(model.weights).all()
    assert (model.std > 0).all()
    assert np.abs(model.weights).sum() > 0


def test_a_model_for_other_features_is_refused():
    data = json.loads(rerank.MODEL_FILE.read_text(encoding="utf-8"))
    with pytest.raises(ValueError, match="features"):
        rerank.Model.from_json({**data, "features": data["features"][::-1]})
    with pytest.raises(ValueError, match="finite"):
        rerank.Model.from_json({**data, "weights": [float("nan")] * len(data["weights"])})


def test_question_phrases_weigh_a_fifth():
    q = rerank.question("chuyển sinh hoạt như thế nào".split(), lambda field, term: 0, 100)
    assert q.weight["nao"] == pytest.approx(q.weight["chuyen"] * rerank.QUESTION_WEIGHT)
    assert q.weight["sinh"] == pytest.approx(q.weight["chuyen"])


def _rows(q, *candidates):
    return [dict(zip(rerank.FEATURES, row)) for row in rerank.features(q, [rerank.Candidate(*c) for c in candidates])]


def test_features_measure_coverage_accents_pairs_and_the_heading():
    words = "chuyển sinh hoạt đảng".split()
    df = {"dang": 50, "chuyen": 5, "sinh": 10, "hoat": 10}
    q = rerank.question(words, lambda field, term: df.get(term, 1), 100)
    full, folded, scattered = _rows(
        q, ("Điều 5. Chuyển sinh hoạt đảng chính thức", 10.0, 2, 20.0), ("Dieu 5. Chuyen sinh hoat dang", 8.0, 0, 8.0),
        ("Hoạt động " + "của " * 30 + "đảng bộ " + "và " * 30 + "sinh viên chuyển", 5.0, 0, 5.0))
    assert full["cover"] == folded["cover"] == pytest.approx(1.0)
    assert full["accent_cover"] == pytest.approx(1.0) and folded["accent_cover"] == 0.0
    assert full["pair_cover"] == pytest.approx(1.0) and scattered["pair_cover"] == 0.0
    assert full["window_cover"] == pytest.approx(1.0)
    assert scattered["window_cover"] < scattered["cover"] == pytest.approx(1.0)
    assert full["head_cover"] == pytest.approx(1.0) and scattered["head_cover"] < 0.5
    assert (full["first_stage"], folded["first_stage"], folded["first_rank"]) == (1.0, 0.8, 0.5)
    assert full["other_passages"] == pytest.approx(np.log1p(2))
    # plain BM25 over the list's best: folded, the unaccented passage matches as well; typed, less
    assert folded["bm25_folded"] > scattered["bm25_folded"] and full["bm25_exact"] == 1.0
    assert folded["bm25_exact"] < 0.5 < folded["bm25_folded"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from("đảng viên chuyển sinh hoạt chi bộ nghị quyết kỷ luật thế nào".split()),
                min_size=1, max_size=8),
       st.lists(st.lists(st.sampled_from("Đảng viên chuyển sinh hoạt tạm thời chi bộ của và Điều 5".split()),
                         max_size=60), min_size=1, max_size=5))
def test_features_are_deterministic_and_bounded(words, texts):
    q = rerank.question(words, lambda field, term: len(term), 1000)
    candidates = [(" ".join(t), 4.0 - k / 2, k, 4.0 + k) for k, t in enumerate(texts)]
    first = _rows(q, *candidates)
    assert first == _rows(q, *candidates)
    for row in first:
        for name in ("cover", "accent_cover", "pair_cover", "window_cover", "head_cover", "bm25_folded",
                     "bm25_exact", "first_stage", "document"):
            assert 0.0 <= row[name] <= 1.0 + 1e-9
        assert row["window_cover"] <= row["cover"] + 1e-9 and row["head_cover"] <= row["cover"] + 1e-9


def test_reranked_and_first_stage_lists_are_both_complete_and_valid(search_index):
    on = search_index.search(QUESTION, limit=rerank.DEPTH)
    off = search_index.search(QUESTION, limit=rerank.DEPTH, rerank=False)
    assert on.total == off.total and len(on.hits) == len(off.hits) > 3
    assert {h.doc_id for h in on.hits} == {h.doc_id for h in off.hits}  # the same candidates, reordered
    for result in (on, off):
        assert [h.rank for h in result.hits] == list(range(1, len(result.hits) + 1))
        scores = [h.score for h in result.hits]
        assert scores == sorted(scores, reverse=True)  # a TREC run keeps the order
    assert [h.score for h in off.hits] == sorted((h.score for h in off.hits), reverse=True)


def test_explain_gives_each_hit_its_features_and_contributions(search_index):
    hits = search_index.search(QUESTION, limit=5, explain=True).hits
    model = rerank.shipped()
    for hit in hits:
        e = hit.explain
        assert set(e.features) == set(e.contributions) == set(rerank.FEATURES)
        assert sum(e.contributions.values()) == pytest.approx(e.rerank_score)
        assert e.contributions == model.contributions([e.features[n] for n in rerank.FEATURES])
        assert e.reranked
    assert all(h.explain is None for h in search_index.search(QUESTION, limit=5).hits)


def test_tone_variants_and_folded_questions_rerank_identically(search_index):
    question = "đảng viên bị xử lý kỷ luật thì chuyển sinh hoạt hoà giải thế nào"
    expected = [h.doc_id for h in search_index.search(question, limit=10).hits]
    assert len(expected) >= 2
    for variant in (unicodedata.normalize("NFD", question), question.replace("hoà", "hòa")):
        assert [h.doc_id for h in search_index.search(variant, limit=10).hits] == expected
    folded = search_index.search(fold(question), limit=10).hits
    assert {h.doc_id for h in folded} == set(expected)


def test_a_named_number_stays_first_after_reranking(search_index):
    hits = search_index.search("Quy định 294 đảng viên đi làm ăn xa chuyển sinh hoạt như thế nào", limit=5).hits
    assert hits[0].number == "294-QĐ/TW"


def test_cli_explain_json_and_no_rerank(search_index_dir):
    runner = CliRunner()
    base = ["--index", str(search_index_dir), "search", QUESTION, "-n", "3"]
    explained = runner.invoke(cli, base + ["--json", "--explain"])
    assert explained.exit_code == 0, explained.output
    first = json.loads(explained.output)["results"][0]["explain"]
    assert set(first["features"]) == set(rerank.FEATURES) and first["reranked"] is True
    plain = runner.invoke(cli, base + ["--json"])
    assert "explain" not in json.loads(plain.output)["results"][0]  # JSON unchanged without --explain
    off = runner.invoke(cli, base + ["--json", "--explain", "--no-rerank"])
    data = json.loads(off.output)["results"]
    assert [h["explain"]["reranked"] for h in data] == [False] * len(data)
    assert [h["score"] for h in data] == [h["explain"]["first_stage"] for h in data]
    text = runner.invoke(cli, base + ["--explain"])
    assert text.exit_code == 0 and "cover=" in text.output


def test_an_accented_question_tops_with_its_exact_words_and_the_folded_one_finds_it(search_index):
    question = "thủ tục chuyển sinh hoạt đảng chính thức như thế nào"
    top = search_index.search(question, limit=3).hits
    labelled = [p["body"].lower() for p in search_index.passages(top[0].doc_id) if p["section"] == top[0].section]
    assert any("chuyển sinh hoạt đảng" in body for body in labelled)
    assert top[0].doc_id in {h.doc_id for h in search_index.search(fold(question), limit=3).hits}
