"""export-model: a self-contained folder (safetensors, tokenizer, labels, card), no pickles, loads alone."""
from __future__ import annotations

import json

import pytest
import torch

import mtl_studio.inference as inf
from mtl_studio.core.artifacts import load_model_folder
from mtl_studio.core.export import ExportError, export_model
from project_helpers import add_fake_run, make_project

torch.set_num_threads(1)
METRICS = {"dev": {"ner": {"micro": {"precision": 0.5, "recall": 0.25, "f1": 0.3333, "support": 4},
                           "per_type": {"ORG": {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}}},
                   "sentiment": {"macro": {"precision": 0.4, "recall": 0.5, "f1": 0.4444, "support": 3},
                                 "accuracy": 0.6667,
                                 "confusion_matrix": {"labels": ["negative", "positive"], "matrix": [[2, 0], [1, 0]]}}}}


def test_export_folder_is_complete_and_loads_without_project(tiny_encoder, tmp_path):
    store = make_project(tmp_path / "p.mtl")
    run_id = add_fake_run(store, tiny_encoder, metrics=METRICS, seed=4, mlm_head=True)
    out = export_model(store, run_id, tmp_path / "export")
    names = {p.name for p in out.iterdir()}
    assert {"model.safetensors", "config.json", "labels.json", "mtl_config.json", "README.md"} <= names
    assert not [n for n in names if n.endswith((".bin", ".pt", ".pkl", ".pth"))]
    cfg = json.loads((out / "mtl_config.json").read_text())
    assert cfg["run_id"] == run_id and cfg["metrics"] == METRICS and cfg["model"]["mlm_head"] is False
    card = (out / "README.md").read_text()
    for needle in (run_id, "ORG, LOC", "negative, neutral, positive", "| dev | ner | micro avg | 0.5000 | 0.2500 | "
                   "0.3333", "| dev | sentiment | macro avg", "0.6667", "| train | 4 | 2 | 4 | 2 |",
                   "mtl_studio.inference", "## Limitations", "## Intended use",
                   "| gold \\ predicted | negative | positive |", "| negative | 2 | 0 |"):
        assert needle in card, needle
    # Same predictions from the checkpoint and the export (the MLM head left out changes nothing).
    texts = ["Apple rose in Berlin 😀", "华为在深圳"]
    run_folder = store.path.with_name("p.mtl.runs") / run_id / "best"
    a = [p.to_dict() for p in inf.load(run_folder).predict(texts)]
    b = [p.to_dict() for p in inf.load(out).predict(texts)]
    assert a == b
    store.close()
    # the project can go away: the export still loads
    (tmp_path / "p.mtl").unlink()
    assert load_model_folder(out).labels["entity_types"] == ["ORG", "LOC"]


def test_export_latest_run_flat_layout_and_overwrite(tiny_encoder, tmp_path):
    store = make_project(tmp_path / "p.mtl")
    add_fake_run(store, tiny_encoder, tasks=("ner",))
    second = add_fake_run(store, tiny_encoder, tasks=("sentiment",), layout="flat")
    out = export_model(str(tmp_path / "p.mtl"), None, tmp_path / "export")
    assert json.loads((out / "mtl_config.json").read_text())["run_id"] == second
    assert "Tasks trained: sentiment" in (out / "README.md").read_text()
    out = export_model(store, None, tmp_path / "export")  # a second export replaces the first
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_export_refuses_unrelated_folder_and_missing_checkpoint(tiny_encoder, tmp_path):
    store = make_project(tmp_path / "p.mtl")
    run_id = add_fake_run(store, tiny_encoder)
    other = tmp_path / "photos"
    other.mkdir()
    (other / "holiday.jpg").write_bytes(b"x")
    with pytest.raises(FileExistsError, match="not an MTL Studio model folder"):
        export_model(store, run_id, other)
    assert (other / "holiday.jpg").exists()
    failed = store.create_run({"tasks": ["ner"]})
    store.update_run(failed, status="failed")
    with pytest.raises(ExportError, match="no saved model"):
        export_model(store, failed, tmp_path / "x")
    with pytest.raises(KeyError):
        export_model(store, "no-such-run", tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_exported_files_share_one_mode_that_honours_the_umask(tiny_encoder, tmp_path):
    import os
    import stat

    store = make_project(tmp_path / "p.mtl")
    run_id = add_fake_run(store, tiny_encoder, metrics=METRICS, seed=4)
    old = os.umask(0o022)
    try:
        out = export_model(store, run_id, tmp_path / "export")
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir() if p.is_file()}
    assert modes["model.safetensors"] == 0o644, oct(modes["model.safetensors"])  # safetensors alone wrote 0600
    assert set(modes.values()) == {0o644}, {k: oct(v) for k, v in modes.items()}
    store.close()
