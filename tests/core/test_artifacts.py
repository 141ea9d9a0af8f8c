"""Model folder round trip: save -> load gives the same outputs; the folder is safetensors-only and atomic."""
from __future__ import annotations

import json

import pytest
import torch

from mtl_studio.core.artifacts import (
    FORMAT_NAME, ModelFolderError, bio_tags, load_model_folder, save_model_folder,
)
from mtl_studio.core.model import MultiTaskModel, load_encoder

torch.set_num_threads(1)
LABELS = {"entity_types": ["ORG", "LOC"], "sentiment_classes": ["negative", "neutral", "positive"]}


def _model(tiny_encoder, *, mlm: bool = False, pooling: str = "mean"):
    torch.manual_seed(1)
    encoder, tokenizer = load_encoder(str(tiny_encoder))
    model = MultiTaskModel(encoder, len(bio_tags(LABELS["entity_types"])), 3, pooling=pooling, mlm_head=mlm)
    # Heads are random; make them non-trivial so a wrong load would show.
    with torch.no_grad():
        model.token_head.weight.normal_()
        model.sequence_head.bias.normal_()
    return model.eval(), tokenizer


def _outputs(model, tokenizer, texts):
    enc = tokenizer(texts, return_tensors="pt", padding=True)
    with torch.no_grad():
        return model(enc["input_ids"], enc["attention_mask"], enc.get("token_type_ids"), with_mlm=True)


@pytest.mark.parametrize("mlm,pooling", [(False, "mean"), (True, "cls")])
def test_round_trip_gives_identical_outputs(tiny_encoder, tmp_path, mlm, pooling):
    model, tokenizer = _model(tiny_encoder, mlm=mlm, pooling=pooling)
    folder = save_model_folder(tmp_path / "m", model, tokenizer, LABELS, {"tasks": ["ner", "sentiment"], "seed": 3},
                               extra={"run_id": "r1"})
    loaded = load_model_folder(folder)
    texts = ["Apple shares rose in Berlin.", "华为在深圳 😀"]
    a, b = _outputs(model, tokenizer, texts), _outputs(loaded.model, loaded.tokenizer, texts)
    assert torch.equal(a.token_logits, b.token_logits)
    assert torch.equal(a.sequence_logits, b.sequence_logits)
    if mlm:
        assert torch.equal(a.mlm_logits, b.mlm_logits)
        # The tie survives the round trip: the decoder is the embedding matrix, not a copy.
        assert loaded.model.mlm.decoder_weight is loaded.model.encoder.get_input_embeddings().weight
    assert loaded.labels["ner_tags"] == ["O", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
    assert loaded.config["format"] == FORMAT_NAME and loaded.config["run_id"] == "r1"
    assert loaded.config["model"]["pooling"] == pooling and loaded.config["model"]["mlm_head"] is mlm
    assert loaded.tasks == ("ner", "sentiment") and loaded.run_config["seed"] == 3
    names = {p.name for p in folder.iterdir()}
    assert {"model.safetensors", "config.json", "labels.json", "mtl_config.json"} <= names
    assert not [n for n in names if n.endswith((".bin", ".pt", ".pkl"))]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary folders left behind"


def test_overwrite_replaces_folder_atomically(tiny_encoder, tmp_path):
    model, tokenizer = _model(tiny_encoder)
    target = tmp_path / "m"
    save_model_folder(target, model, tokenizer, LABELS, {"tasks": ["ner"]})
    (target / "stale.txt").write_text("from the old folder")
    save_model_folder(target, model, tokenizer, LABELS, {"tasks": ["sentiment"]})
    assert not (target / "stale.txt").exists()
    assert json.loads((target / "mtl_config.json").read_text())["tasks"] == ["sentiment"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_failed_save_keeps_previous_folder(tiny_encoder, tmp_path):
    model, tokenizer = _model(tiny_encoder)
    target = tmp_path / "m"
    save_model_folder(target, model, tokenizer, LABELS, {"tasks": ["ner"]})
    with pytest.raises(ModelFolderError):  # 4 classes for a 3-output head: refused before anything is replaced
        save_model_folder(target, model, tokenizer, {**LABELS, "sentiment_classes": list("abcd")}, {})
    assert json.loads((target / "mtl_config.json").read_text())["tasks"] == ["ner"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_refuses_pickles_and_foreign_folders(tiny_encoder, tmp_path):
    model, tokenizer = _model(tiny_encoder)
    folder = save_model_folder(tmp_path / "m", model, tokenizer, LABELS, {})
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    with pytest.raises(ModelFolderError, match="pickled weights are never loaded"):
        load_model_folder(folder)
    with pytest.raises(ModelFolderError, match="mtl_config.json is missing"):
        load_model_folder(tiny_encoder)
    folder = save_model_folder(tmp_path / "n", model, tokenizer, LABELS, {})
    cfg = json.loads((folder / "mtl_config.json").read_text())
    cfg["schema_version"] = 99
    (folder / "mtl_config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelFolderError, match="newer MTL Studio"):
        load_model_folder(folder)


class _Boom:
    """Unpickling this writes a marker file: proof that a pickle was loaded."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_loading_never_unpickles_nor_runs_remote_code(tiny_encoder, tmp_path):
    import pickle

    model, tokenizer = _model(tiny_encoder)
    folder = save_model_folder(tmp_path / "m", model, tokenizer, LABELS, {})
    marker = tmp_path / "executed"
    # A pickle beside the safetensors file, under the names transformers would look for.
    for name in ("pytorch_model.bin", "training_args.bin", "model.pt"):
        (folder / name).write_bytes(pickle.dumps(_Boom(str(marker))))
    # Remote code advertised by the config: a module that leaves a marker when imported.
    (folder / "evil.py").write_text(f"open({str(marker)!r}, 'w').write('remote code ran')\n")
    cfg = json.loads((folder / "config.json").read_text())
    cfg["auto_map"] = {"AutoConfig": "evil.EvilConfig", "AutoModel": "evil.EvilModel"}
    (folder / "config.json").write_text(json.dumps(cfg))
    try:
        loaded = load_model_folder(folder)
    except Exception:  # refusing is fine too; executing is not
        loaded = None
    assert not marker.exists()
    if loaded is not None:
        assert type(loaded.model.encoder).__name__ == "BertModel"
