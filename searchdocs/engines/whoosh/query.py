"""A parsed query as a Whoosh query: ranked terms over ``body``, ``heading`` and ``bigrams``, the
document number over ``docnum``, required phrases and exclusions. The weights are the query's own
(:mod:`searchdocs.search.query`, whose ``ranked_terms`` both engines look up), read at each call so
that a benchmark can vary them."""
from __future__ import annotations

from collections.abc import Callable

from whoosh import query as wq

from searchdocs.search import query as weights
from searchdocs.search.query import ParsedQuery, ranked_terms


class _AndNot(wq.AndNot):
    """``AndNot`` that also excludes the first candidate passage.

    Whoosh's ``AndNotMatcher`` only compares the first ids of both sides: when the excluded side
    starts at an earlier document, the first positive document is kept even if it holds an
    excluded word. Moving the excluded side up to the positive one first avoids that.
    """

    def matcher(self, searcher, context=None):
        from whoosh.matching import AndNotMatcher

        pos = self.a.matcher(searcher, context)
        neg = self.b.matcher(searcher, searcher.boolean_context())
        if pos.is_active() and neg.is_active() and neg.id() < pos.id():
            neg.skip_to(pos.id())
        return AndNotMatcher(pos, neg)


def _phrase(tokens: list[str]) -> wq.Query:
    return wq.Term("body", tokens[0]) if len(tokens) == 1 else wq.Phrase("body", tokens)


def _scored_or(terms: list[wq.Query]) -> wq.Or:
    """The ranked disjunction, as Whoosh's array union: a passage's score is its terms' scores
    added in query order. ``scoring.Scorer`` adds them in that order, and Whoosh evaluating this
    query (the reference the ranking tests compare with) does too; its default binary tree of
    unions would add them in another order, and the last bits would differ."""
    union = wq.Or(terms)
    union.matcher_type = wq.Or.ARRAY_MATCHER
    return union


def to_whoosh(parsed: ParsedQuery, share: Callable[[str, str], float] | None = None) -> wq.Query:
    """The Whoosh query for a parsed query (filters are applied separately).

    ``share(field, term)`` is the fraction of passages holding a term; with it, common terms of
    long queries are pruned.
    """
    should: list[wq.Query] = [wq.Term(f, t, boost=b) for f, t, b in ranked_terms(parsed, share)]
    for key in parsed.number_keys:
        should.append(wq.Term("docnum", key, boost=weights.NUMBER_BOOST))
        # A citation counts in other documents; in the numbered document itself the number only
        # marks the header, which must not outrank the passage the query's words ask for.
        should.append(_AndNot(wq.Term("body", key, boost=weights.MENTION_BOOST), wq.Term("docnum", key)))
    for key in parsed.short_keys:
        should.append(wq.Term("docnum", key, boost=weights.NUMBER_BOOST))
    for terms in parsed.expansions:
        should.append(wq.Term("body", terms[0], boost=weights.EXPANSION_BOOST) if len(terms) == 1
                      else wq.Phrase("body", list(terms), boost=weights.EXPANSION_BOOST))
    ranked: wq.Query = _scored_or(should) if should else wq.Every()
    if parsed.phrases:
        required = wq.And([wq.Or([_phrase(p) for p in group]) for group in parsed.phrases])
        ranked = wq.AndMaybe(required, ranked)
    if parsed.excluded:
        ranked = _AndNot(ranked, wq.Or([_phrase(t) for t in parsed.excluded]))
    return ranked
