"""ONNX export: both heads, dynamic axes, equal to PyTorch (< 1e-4), and usable by mtl_studio.inference."""
from __future__ import annotations

import numpy as np
import pytest
import torch

pytest.importorskip("onnxruntime")

import mtl_studio.inference as inf  # noqa: E402
from mtl_studio.core.artifacts import load_model_folder  # noqa: E402
from mtl_studio.core.export import ONNX_TOLERANCE, check_onnx, export_model  # noqa: E402
from project_helpers import add_fake_run, make_project  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def onnx_export(tiny_encoder, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("onnx")
    store = make_project(tmp / "p.mtl")
    run_id = add_fake_run(store, tiny_encoder, seed=7)
    out = export_model(store, run_id, tmp / "export", onnx=True)
    store.close()
    return out


def test_onnx_graph_inputs_outputs(onnx_export):
    import onnx
    import onnxruntime as ort

    onnx.checker.check_model(str(onnx_export / "model.onnx"))
    s = ort.InferenceSession(str(onnx_export / "model.onnx"), providers=["CPUExecutionProvider"])
    assert [i.name for i in s.get_inputs()] == ["input_ids", "attention_mask", "token_type_ids"]
    assert [o.name for o in s.get_outputs()] == ["token_logits", "sequence_logits"]
    assert s.get_inputs()[0].shape == ["batch", "sequence"]
    assert s.get_outputs()[0].shape[:2] == ["batch", "sequence"] and s.get_outputs()[0].shape[2] == 5
    assert s.get_outputs()[1].shape == ["batch", 3]


def test_onnx_matches_pytorch_on_new_shapes(onnx_export):
    import onnxruntime as ort

    loaded = load_model_folder(onnx_export)
    texts = ["the bank", "Apple shares rose 5% after the results in Berlin and London , said the analyst .",
             "华为 🚀", "x " * 40]
    enc = loaded.tokenizer(texts, padding=True, return_tensors="np")
    s = ort.InferenceSession(str(onnx_export / "model.onnx"), providers=["CPUExecutionProvider"])
    tok, seq = s.run(None, {k: enc[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")})
    with torch.no_grad():
        ref = loaded.model(*(torch.from_numpy(enc[k]) for k in ("input_ids", "attention_mask", "token_type_ids")))
    mask = enc["attention_mask"].astype(bool)
    assert np.abs(tok - ref.token_logits.numpy())[mask].max() < ONNX_TOLERANCE
    assert np.abs(seq - ref.sequence_logits.numpy()).max() < ONNX_TOLERANCE
    # and the check export runs says the same, on its own texts
    check = check_onnx(loaded.model, loaded.tokenizer, onnx_export / "model.onnx")
    assert check.ok and check.max_abs_diff < ONNX_TOLERANCE


def test_check_detects_a_different_model(onnx_export, tiny_encoder, tmp_path):
    loaded = load_model_folder(onnx_export)
    with torch.no_grad():
        loaded.model.sequence_head.bias += 0.01  # the ONNX graph no longer matches these weights
    check = check_onnx(loaded.model, loaded.tokenizer, onnx_export / "model.onnx")
    assert not check.ok and check.max_abs_diff_sequence == pytest.approx(0.01, abs=1e-4)


def test_inference_onnx_backend_equals_torch(onnx_export):
    texts = ["Apple rose in Berlin 😀", "华为在深圳", "", "Nokia cut jobs"]
    a = [p.to_dict() for p in inf.load(onnx_export).predict(texts, batch_size=3)]
    m = inf.load(onnx_export, backend="onnx")
    assert m.backend_name == "onnx"
    b = [p.to_dict() for p in m.predict(texts, batch_size=3)]
    assert sum(len(x["entities"]) for x in a) >= 2  # random heads of seed 7 do predict entities
    for x, y in zip(a, b):
        assert [(e["start"], e["end"], e["label"]) for e in x["entities"]] == \
               [(e["start"], e["end"], e["label"]) for e in y["entities"]]
        assert [e["score"] for e in x["entities"]] == pytest.approx([e["score"] for e in y["entities"]], abs=1e-4)
        assert x["sentiment"]["label"] == y["sentiment"]["label"]
