"""Model folders are validated before anything is allocated (issue 11): damaged weights, wrong JSON
types, counts and sizes that disagree with the weights are a ModelFolderError naming the file."""
from __future__ import annotations

import json
import shutil

import pytest

import mtl_studio.core.model_folder as model_folder
import mtl_studio.inference as inference
from mtl_studio.cli import main
from mtl_studio.core.artifacts import ModelFolderError
from mtl_studio.core.model_folder import validate_model_folder
from model_folders import make_model_folder


@pytest.fixture(scope="module")
def valid(tiny_encoder, tmp_path_factory):
    return make_model_folder(tiny_encoder, tmp_path_factory.mktemp("m") / "valid", tasks=("ner", "sentiment"))


@pytest.fixture
def folder(valid, tmp_path):
    return shutil.copytree(valid, tmp_path / "model")


@pytest.fixture
def nothing_built(monkeypatch):
    """Fail the test if a model is built (on the meta device or for real) for the folder."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("a model was built for a folder that validation should have refused first")

    monkeypatch.setattr(model_folder, "build_model", refuse)


def _edit(path, change) -> None:
    value = json.loads(path.read_text())
    change(value)
    path.write_text(json.dumps(value))


@pytest.mark.parametrize("damage", [
    lambda raw: raw[:len(raw) // 2], lambda raw: b"", lambda raw: b"\x00" * 64, lambda raw: raw[:7],
    lambda raw: (10 ** 12).to_bytes(8, "little") + raw[8:],
])
def test_damaged_weights(folder, damage, nothing_built):
    weights = folder / "model.safetensors"
    weights.write_bytes(damage(weights.read_bytes()))
    with pytest.raises(ModelFolderError, match="model.safetensors is damaged"):
        inference.load(folder)


@pytest.mark.parametrize("name, value, words", [
    ("labels.json", [1, 2], "expected a JSON object, found list"),
    ("labels.json", {"entity_types": "ORG"}, "entity_types must be a list of names"),
    ("labels.json", {"entity_types": [["ORG"]]}, "entity_types must be a list of names"),
    ("mtl_config.json", "x", "expected a JSON object, found str"),
    ("config.json", 5, "expected a JSON object, found int"),
])
def test_json_of_the_wrong_type(folder, name, value, words, nothing_built):
    (folder / name).write_text(json.dumps(value))
    with pytest.raises(ModelFolderError, match=words) as failure:
        inference.load(folder)
    assert str(folder / name) in str(failure.value)


@pytest.mark.parametrize("change, words", [
    (lambda c: c["model"].update(num_tags=1e9), "model.num_tags must be a whole number, not 1000000000.0"),
    (lambda c: c["model"].update(num_tags=10 ** 9), "model.num_tags is 1000000000 but token_head.weight"),
    (lambda c: c["model"].update(num_classes=2), "model.num_classes is 2 but sequence_head.weight"),
    (lambda c: c.update(model=[1]), '"model" must be an object'),
    (lambda c: c["model"].update(pooling=["mean"]), "model.pooling"),
    (lambda c: c.update(tasks="ner"), '"tasks" must be a JSON list'),
])
def test_mtl_config_that_disagrees_with_the_weights(folder, change, words, nothing_built):
    _edit(folder / "mtl_config.json", change)
    with pytest.raises(ModelFolderError, match=words):
        inference.load(folder)


@pytest.mark.parametrize("count", [4, 10 ** 6])
def test_label_counts_that_disagree_with_the_heads(folder, count, nothing_built):
    _edit(folder / "labels.json", lambda labels: labels.update(sentiment_classes=[f"c{i}" for i in range(count)]))
    with pytest.raises(ModelFolderError, match=r"labels.json: (.*sentiment.classes|.*far too large)"):
        inference.load(folder)


@pytest.mark.parametrize("key, value", [("hidden_size", 10 ** 6), ("hidden_size", 64), ("vocab_size", 10 ** 9),
                                        ("num_hidden_layers", 10 ** 5), ("intermediate_size", 1.5)])
def test_encoder_config_sizes_are_checked_before_building(folder, key, value, nothing_built):
    _edit(folder / "config.json", lambda c: c.update({key: value}))
    with pytest.raises(ModelFolderError, match=key):
        inference.load(folder)


@pytest.mark.parametrize("key, value", [("num_hidden_layers", 3), ("vocab_size", 500), ("intermediate_size", 96)])
def test_encoder_config_within_limits_but_not_the_weights_shape(folder, key, value):
    """A plausible config that describes another model than the weights: refused by comparing the
    described model's shapes (built on the meta device) with the file's header."""
    _edit(folder / "config.json", lambda c: c.update({key: value}))
    with pytest.raises(ModelFolderError, match="tensor"):
        validate_model_folder(folder)


def test_valid_folder_validates_and_loads(valid):
    info = validate_model_folder(valid)
    assert info.hyper["num_tags"] == len(info.labels["ner_tags"]) == info.weight_shapes["token_head.weight"][0]
    assert inference.load(valid).predict(["Apple rose in Berlin."])[0].entities is not None


def test_predict_and_export_model_print_the_error(folder, tmp_path, capsys):
    (folder / "model.safetensors").write_bytes(b"not weights")
    texts = tmp_path / "in.txt"
    texts.write_text("Apple rose.\n")
    assert main(["predict", str(folder), str(texts)]) == 1
    err = capsys.readouterr().err
    assert "model.safetensors is damaged" in err and "Traceback" not in err
    from mtl_studio.core.export import export_model_folder

    with pytest.raises(ModelFolderError, match="damaged"):
        export_model_folder(folder, tmp_path / "out")
    assert not (tmp_path / "out").exists()
