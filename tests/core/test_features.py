"""Documents -> features: first-sub-word labels, partial and silver labels, windows, batching, decoding."""
from __future__ import annotations

import pytest

from mtl_studio.core.features import (IGNORE, LabelMaps, collate, decode_token_predictions, encode_documents,
                                      length_grouped_batches)
from mtl_studio.core.schema import Document, SentimentLabel, Span
from mtl_studio.core.tokenize import tokenize

LABELS = LabelMaps(("ORG", "LOC"), ("negative", "positive"))


@pytest.fixture(scope="module")
def tokenizer(tiny_encoder):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(tiny_encoder))


def doc(text, spans=None, sentiment=None, **kw) -> Document:
    return Document(text=text, tokens=tokenize(text), spans=[Span(*s) for s in spans or []],
                    sentiment=SentimentLabel(sentiment) if sentiment else None, ner_labelled=spans is not None, **kw)


def test_label_maps_round_trip():
    assert LABELS.ner_tags == ["O", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
    assert LabelMaps.from_dict(LABELS.to_dict()) == LABELS


def test_only_the_first_subword_of_a_word_is_labelled(tokenizer):
    # "shares" is in the vocabulary; "xyzzy" splits into several pieces.
    d = doc("Apple xyzzy shares", [(0, 5, "ORG"), (6, 11, "LOC")], "positive")
    ex = encode_documents([d], tokenizer, LABELS).examples[0]
    pieces_of_xyzzy = [p for p, w in enumerate(ex.word_ids) if w == 1]
    assert len(pieces_of_xyzzy) > 1
    assert ex.ner_labels[pieces_of_xyzzy[0]] == LABELS.tag_to_id["B-LOC"]
    assert all(ex.ner_labels[p] == IGNORE for p in pieces_of_xyzzy[1:])
    assert ex.ner_labels[0] == IGNORE and ex.ner_labels[-1] == IGNORE  # [CLS], [SEP]
    labelled = [lab for lab in ex.ner_labels if lab != IGNORE]
    assert labelled == [LABELS.tag_to_id[t] for t in ("B-ORG", "B-LOC", "O")]
    assert ex.sentiment == 1 and ex.ner_example_weight == 1.0 and ex.sentiment_example_weight == 1.0


def test_partial_labels(tokenizer):
    ner_only = doc("Apple rose", [(0, 5, "ORG")])
    sent_only = doc("profit fell", None, "negative")
    nothing = doc("the bank")
    data = encode_documents([ner_only, sent_only, nothing], tokenizer, LABELS)
    assert len(data.examples) == 2  # a document labelled for no task adds nothing to training
    a, b = data.examples
    assert a.has_ner and not a.has_sentiment and a.sentiment == IGNORE
    assert not b.has_ner and b.has_sentiment and all(x == IGNORE for x in b.ner_labels)
    assert data.task_documents() == {"ner": 1, "sentiment": 1}
    # Prediction keeps every document; a single task ignores the other task's labels.
    assert len(encode_documents([ner_only, sent_only, nothing], tokenizer, LABELS, for_training=False).examples) == 3
    only_sent = encode_documents([ner_only, sent_only], tokenizer, LABELS, tasks=("sentiment",))
    assert [e.has_sentiment for e in only_sent.examples] == [True]


def test_an_ner_labelled_document_without_entities_is_all_o(tokenizer):
    ex = encode_documents([doc("shares rose", [])], tokenizer, LABELS).examples[0]
    assert ex.has_ner and [x for x in ex.ner_labels if x != IGNORE] == [0, 0]


def test_silver_labels_only_with_a_weight_and_never_over_gold(tokenizer):
    d = doc("Apple rose", None)
    d.other_spans = [Span(0, 5, "ORG", source="silver", run_id="r1")]
    d.other_sentiments = [SentimentLabel("positive", source="silver", run_id="r1")]
    assert encode_documents([d], tokenizer, LABELS).examples == []
    ex = encode_documents([d], tokenizer, LABELS, silver_weight=0.3).examples[0]
    assert ex.ner_example_weight == 0.3 and ex.sentiment_example_weight == 0.3 and ex.sentiment == 1
    assert LABELS.tag_to_id["B-ORG"] in ex.ner_labels
    gold = doc("Apple rose", [], "negative")
    gold.other_spans = d.other_spans
    gold.other_sentiments = d.other_sentiments
    ex = encode_documents([gold], tokenizer, LABELS, silver_weight=0.3).examples[0]
    assert ex.ner_example_weight == 1.0 and ex.sentiment == 0 and LABELS.tag_to_id["B-ORG"] not in ex.ner_labels


def test_long_documents_are_windowed_for_ner(tokenizer):
    words = ["apple", "rose", "in", "berlin"] * 10  # 40 words, one piece each
    text = " ".join(words)
    offsets = tokenize(text)
    spans = [(s, e, "ORG") for (s, e), w in zip(offsets, words) if w == "apple"]
    d = doc(text, spans, "positive")
    data = encode_documents([d], tokenizer, LABELS, max_length=12)
    assert data.stats.long_documents == 1
    assert len(data.examples) == 4  # 10 words per window of 12 - 2 special tokens
    assert all(e.length <= 12 for e in data.examples)
    seen = [w for e in data.examples for w, lab in zip(e.word_ids, e.ner_labels) if lab != IGNORE]
    assert seen == list(range(40))  # every word labelled exactly once, in order
    assert [e.sentiment for e in data.examples] == [1, IGNORE, IGNORE, IGNORE]
    assert any("windows" in note.text for note in data.stats.describe(12))
    # A sentiment-only long document keeps just its first window for training.
    s_only = encode_documents([doc(text, None, "positive")], tokenizer, LABELS, max_length=12)
    assert len(s_only.examples) == 1


def test_length_grouped_batches_are_seeded_complete_and_grouped():
    lengths = [(i * 37) % 101 + 3 for i in range(400)]
    a = length_grouped_batches(lengths, 8, seed=1, epoch=0, group_batches=5)
    assert a == length_grouped_batches(lengths, 8, seed=1, epoch=0, group_batches=5)
    assert a != length_grouped_batches(lengths, 8, seed=1, epoch=1, group_batches=5)
    assert sorted(i for b in a for i in b) == list(range(400))
    padded = sum(len(b) * max(lengths[i] for i in b) for b in a)
    naive = sum(len(b) * max(lengths[i] for i in b) for b in [list(range(k, k + 8)) for k in range(0, 400, 8)])
    real = sum(lengths)
    assert padded - real < 0.3 * (naive - real)  # sorting inside groups removes most of the padding


def test_collate_pads_dynamically(tokenizer):
    data = encode_documents([doc("Apple rose", [(0, 5, "ORG")]), doc("profit fell in berlin", None, "negative")],
                            tokenizer, LABELS)
    batch = collate(data.examples, tokenizer.pad_token_id)
    width = max(e.length for e in data.examples)
    assert tuple(batch.input_ids.shape) == (2, width)
    short = data.examples[0].length
    assert batch.attention_mask[0].tolist() == [1] * short + [0] * (width - short)
    assert batch.ner_labels[0, short:].tolist() == [IGNORE] * (width - short)
    assert batch.special_mask[0, 0] and not batch.special_mask[0, 1]
    assert batch.sentiment_labels.tolist() == [IGNORE, 0]
    assert batch.ner_example_weights.tolist() == [1.0, 0.0]


def test_decode_token_predictions_to_tags_and_spans():
    words = [(0, 5), (6, 10), (11, 13), (14, 20)]  # "Apple rose in Berlin"
    tags = ["O", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
    word_ids = [None, 0, 1, 1, 2, 3, None]
    def row(i, p=0.9):
        r = [(1 - p) / 4] * 5
        r[i] = p
        return r
    probs = [row(0), row(1, 0.8), row(0), row(2), row(0), row(4, 0.6), row(0)]
    # word 3's first piece says I-LOC after O: repaired to B-LOC; word 1's second piece is ignored.
    out_tags, spans = decode_token_predictions(probs, word_ids, words, tags)
    assert out_tags == ["B-ORG", "O", "O", "B-LOC"]
    assert [(s.start, s.end, s.label) for s in spans] == [(0, 5, "ORG"), (14, 20, "LOC")]
    assert spans[0].confidence == pytest.approx(0.8) and spans[1].confidence == pytest.approx(0.6)
    assert spans[0].source == "predicted"
    # A word without sub-words reads as O.
    out_tags, _ = decode_token_predictions(probs[:3], word_ids[:3], words, tags)
    assert out_tags == ["B-ORG", "O", "O", "O"]


def test_batches_keep_one_label_kind():
    lengths = [5 + i % 7 for i in range(100)]
    kinds = [("ner",) if i % 3 else ("sentiment",) for i in range(100)]
    batches = length_grouped_batches(lengths, 8, seed=0, epoch=0, kinds=kinds)
    assert sorted(i for b in batches for i in b) == list(range(100))
    assert all(len({kinds[i] for i in b}) == 1 for b in batches)
    assert {kinds[b[0]] for b in batches[:6]} == {("ner",), ("sentiment",)}  # the kinds are interleaved
