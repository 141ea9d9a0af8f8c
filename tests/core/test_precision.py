"""precision=auto on a CPU: bf16 only with native bf16 instructions and an encoder of MiniLM size or more."""
from __future__ import annotations

import pytest
import torch

from mtl_studio.core import precision
from mtl_studio.core.train import autocast_dtype

CPU = torch.device("cpu")


@pytest.mark.parametrize("native", [True, False])
def test_auto_takes_bf16_only_for_measured_sizes_on_native_bf16_cpus(monkeypatch, native):
    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: native)
    assert precision.cpu_auto_precision(None) == "fp32"  # unknown encoder: the safe choice
    assert precision.cpu_auto_precision(32) == "fp32"  # tiny encoders: overhead-bound
    assert precision.cpu_auto_precision(384) == ("bf16" if native else "fp32")
    assert autocast_dtype(CPU, "auto", hidden_size=768) == ((torch.bfloat16, "bf16") if native else (None, "fp32"))
    # An explicit choice is never overridden.
    assert autocast_dtype(CPU, "fp32", hidden_size=768) == (None, "fp32")
    assert autocast_dtype(CPU, "bf16", hidden_size=32) == (torch.bfloat16, "bf16")


def test_native_bf16_detection_answers_a_bool():
    assert isinstance(precision.cpu_has_native_bf16(), bool)


def test_encoder_hidden_size_reads_the_config_only(tiny_encoder, tmp_path):
    assert precision.encoder_hidden_size(str(tiny_encoder)) == 32
    assert precision.encoder_hidden_size(str(tmp_path / "missing")) is None
