"""The parser on every corpus document with a gold outline: the figures ``python -m
bench.parsing`` prints (matching defined in its docstring) must not fall below these floors."""

from __future__ import annotations

import pytest

from bench.parsing import CORPUS, corpus_documents, score_corpus

# What the parser reaches on corpus/ at the time of writing, less a small margin; raise them as
# the parser improves, never lower them to make a change pass.
HEADING_RECALL = 0.97
ITEM_RECALL = 0.95
NODE_PRECISION = 0.95
OWNER_ACCURACY = 0.90

pytestmark = pytest.mark.skipif(not corpus_documents(CORPUS), reason="no corpus with gold")


@pytest.fixture(scope="module")
def scores():
    return score_corpus(CORPUS)


def test_headings_found(scores) -> None:
    total, per_document = scores
    assert total.heading_recall >= HEADING_RECALL, [
        (s.slug, round(s.heading_recall, 3)) for s in per_document
    ]


def test_items_found(scores) -> None:
    total, per_document = scores
    assert total.item_recall >= ITEM_RECALL, [
        (s.slug, round(s.item_recall, 3)) for s in per_document
    ]


def test_output_nodes_right(scores) -> None:
    total, per_document = scores
    assert total.precision >= NODE_PRECISION, [
        (s.slug, round(s.precision, 3)) for s in per_document
    ]


def test_named_lead_units_right(scores) -> None:
    total, per_document = scores
    assert total.owner_accuracy >= OWNER_ACCURACY, [
        (s.slug, round(s.owner_accuracy, 3)) for s in per_document
    ]


def test_the_reference_speech_matches_its_gold_exactly(scores) -> None:
    _, per_document = scores
    speech = next(s for s in per_document if s.slug == "2025-q1-kaimenhong-speech")
    assert speech.misses == []
    assert speech.output_matched == speech.output_nodes
