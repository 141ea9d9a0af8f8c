"""Use an exported MTL Studio model outside the studio: no Qt, no project.

    import mtl_studio.inference as inf
    model = inf.load("path/to/exported-model")          # or backend="onnx" when model.onnx is there
    for p in model.predict(["Apple shares rose 5% in Berlin."]):
        print(p.entities, p.sentiment)                   # or p.to_dict()

The public name the model card and the README cite. The code lives in mtl_studio.core.inference, so the
core (pseudo-labelling) uses it without importing upward.
"""
from __future__ import annotations

from mtl_studio.core.inference import (DEFAULT_MAX_LENGTH, ONNX_FILE, ONNX_SPAN_HEAD_FILE, Prediction, Predictor,
                                       load)

__all__ = ["DEFAULT_MAX_LENGTH", "ONNX_FILE", "ONNX_SPAN_HEAD_FILE", "Prediction", "Predictor", "load"]
