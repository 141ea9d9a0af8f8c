"""The inference benchmark wraps the predictor's backends (bf16 autocast around the torch backend): a
change of the backend protocol broke it once (`run` replaced `__call__`) with no test noticing."""
from __future__ import annotations

import pytest
from bench_modules import bench_module

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_every_backend_of_the_inference_bench_predicts(tiny_encoder, tmp_path):
    from model_folders import make_model_folder

    inference_speed = bench_module("inference_speed")
    folder = make_model_folder(tiny_encoder, tmp_path / "model")
    predictors = inference_speed.backend_predictors(folder, "cpu", 1, onnx=False)
    assert set(predictors) == {"PyTorch fp32", "PyTorch bf16 autocast"}
    texts = ["Apple shares rose in Berlin .", "Nokia cut jobs ."]
    fp32 = predictors["PyTorch fp32"].predict(texts)
    bf16 = predictors["PyTorch bf16 autocast"].predict(texts)
    assert len(bf16) == len(fp32) == 2
    assert [p.text for p in bf16] == texts
