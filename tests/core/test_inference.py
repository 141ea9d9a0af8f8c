"""mtl_studio.inference: character offsets on emoji/CJK text, scores, sentiment probabilities, tasks."""
from __future__ import annotations

import math

import pytest
import torch

import mtl_studio.inference as inf
from mtl_studio.core.tokenize import tokenize
from model_folders import make_model_folder

torch.set_num_threads(1)
TEXTS = ["Apple 😀 rose in 深圳 today!", "𠀋 华为 shares 🚀 fell", "", "the bank"]


def _softmax(xs):
    m = max(xs)
    e = [math.exp(x - m) for x in xs]
    return [v / sum(e) for v in e]


def test_every_word_an_entity_with_code_point_offsets(tiny_encoder, tmp_path):
    folder = make_model_folder(tiny_encoder, tmp_path / "m", tag="B-ORG", sentiment="positive")
    preds = inf.load(folder).predict((t for t in TEXTS), batch_size=2)  # any iterable of texts
    assert [p.text for p in preds] == TEXTS
    expected_score = _softmax([0.0, 4.0, 0.0, 0.0, 0.0])[1]
    for text, p in zip(TEXTS, preds):
        words = tokenize(text)
        assert [(e["start"], e["end"]) for e in p.entities] == words
        for e in p.entities:
            assert e["text"] == text[e["start"]:e["end"]] and e["label"] == "ORG"
            assert e["score"] == pytest.approx(expected_score, abs=1e-5)
        assert p.sentiment["label"] == "positive"
        assert list(p.sentiment["probabilities"].values()) == pytest.approx(_softmax([0, 0, 2.0]), abs=1e-5)
    # the astral-plane characters count as one code point each
    assert preds[1].entities[0] == {"start": 0, "end": 1, "label": "ORG", "text": "𠀋",
                                    "score": pytest.approx(expected_score, abs=1e-5)}
    assert [e["text"] for e in preds[1].entities] == ["𠀋", "华", "为", "shares", "🚀", "fell"]


def test_inside_tags_are_repaired_into_one_entity(tiny_encoder, tmp_path):
    folder = make_model_folder(tiny_encoder, tmp_path / "m", tag="I-LOC")
    (p,) = inf.load(folder).predict(["  华为 in Berlin 😀 "])
    assert [(e["start"], e["end"], e["label"], e["text"]) for e in p.entities] == [(2, 16, "LOC", "华为 in Berlin 😀")]


def test_batching_and_padding_do_not_change_results(tiny_encoder, tmp_path):
    folder = make_model_folder(tiny_encoder, tmp_path / "m", seed=5)  # random heads: real variation
    model = inf.load(folder)
    texts = TEXTS + ["Nokia cut 300 jobs in Finland and the shares fell sharply after the results"]
    one = [p.to_dict() for p in model.predict(texts, batch_size=1)]
    many = [p.to_dict() for p in model.predict(texts, batch_size=32)]
    assert [[(e["start"], e["end"], e["label"]) for e in d["entities"]] for d in one] == \
           [[(e["start"], e["end"], e["label"]) for e in d["entities"]] for d in many]
    for a, b in zip(one, many):
        assert a["sentiment"]["label"] == b["sentiment"]["label"]
        for c in a["sentiment"]["probabilities"]:
            assert a["sentiment"]["probabilities"][c] == pytest.approx(b["sentiment"]["probabilities"][c], abs=1e-4)


def test_tasks_not_trained_are_left_out(tiny_encoder, tmp_path):
    ner_only = inf.load(make_model_folder(tiny_encoder, tmp_path / "n", tasks=["ner"], tag="B-LOC"))
    d = ner_only.predict(["Berlin"])[0].to_dict()
    assert "sentiment" not in d and d["entities"][0]["label"] == "LOC"
    sent_only = inf.load(make_model_folder(tiny_encoder, tmp_path / "s", tasks=["sentiment"], sentiment="neutral"))
    p = sent_only.predict(["Berlin"])[0]
    assert p.entities is None and "entities" not in p.to_dict() and p.sentiment["label"] == "neutral"


def test_long_text_is_read_in_windows_and_says_so(tiny_encoder, tmp_path):
    folder = make_model_folder(tiny_encoder, tmp_path / "m", tag="B-ORG", max_length=8, sentiment="neutral")
    long_text = " ".join(["shares"] * 20) + " 华为"
    short, long = inf.load(folder).predict(["shares rose", long_text])
    assert not short.truncated and len(short.entities) == 2 and "truncated" not in short.to_dict()
    # every word gets its entity (windows of 6 words + [CLS]/[SEP]); sentiment from the first window
    assert long.truncated and long.to_dict()["truncated"] is True
    assert [(e["start"], e["end"]) for e in long.entities] == tokenize(long_text)
    assert long.sentiment["label"] == "neutral"


def test_bad_arguments(tiny_encoder, tmp_path):
    model = inf.load(make_model_folder(tiny_encoder, tmp_path / "m"))
    with pytest.raises(TypeError):
        model.predict("one string")
    with pytest.raises(ValueError):
        inf.load(tmp_path / "m", backend="tensorflow")
    with pytest.raises(FileNotFoundError, match="--onnx"):
        inf.load(tmp_path / "m", backend="onnx")
