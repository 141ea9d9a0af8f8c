"""Property-based fuzzing of model folders: a damaged or inconsistent folder is a ModelFolderError
naming the file, found before anything is allocated; a folder that passes validation loads.

Mutations of a tiny valid exported folder: model.safetensors truncated, emptied, garbled or random;
labels.json / mtl_config.json / config.json replaced by other JSON types, with values swapped, deleted
or wrapped in lists, nested 100,000 levels deep, or with absurd sizes and counts that disagree with
the weights. Case counts come from the hypothesis profile (tests/conftest.py).
"""
from __future__ import annotations

import copy
import json
import shutil
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from import_fuzz import DEEP, DEEP_JSON, _parent, _paths, junk
from mtl_studio.core.artifacts import ModelFolderError, load_model_folder
from mtl_studio.core.model_folder import describe_model_shapes, validate_model_folder
from model_folders import make_model_folder

JSON_FILES = ("labels.json", "mtl_config.json", "config.json")
WEIGHTS = "model.safetensors"


@pytest.fixture(scope="module")
def valid_folder(tiny_encoder, tmp_path_factory) -> Path:
    return make_model_folder(tiny_encoder, tmp_path_factory.mktemp("models") / "valid")


def _copy(valid_folder: Path) -> Path:
    target = valid_folder.parent / f"case-{uuid.uuid4().hex[:10]}"
    shutil.copytree(valid_folder, target)
    return target


def check_folder(folder: Path) -> str:
    """The property: refused with the file named, or validated to the file's own sizes and loadable."""
    try:
        info = validate_model_folder(folder)
    except ModelFolderError as e:
        assert str(folder) in str(e), f"the message does not name the folder or file: {e}"
        return "refused"
    # What the loader will allocate is the model the configs describe, which validation matched
    # tensor by tensor against the file: never more than the file holds (tied weights aside).
    described = sum(_numel(s) for s in describe_model_shapes(info).values())
    stored = sum(_numel(s) for s in info.weight_shapes.values())
    assert described <= 2 * stored, f"validation passed a model of {described} values for a file of {stored}"
    try:
        load_model_folder(folder)
    except ModelFolderError as e:
        assert str(folder) in str(e), str(e)
        return "refused on load"
    return "loaded"


def _numel(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def _write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value).replace(f'"{DEEP}"', DEEP_JSON), encoding="utf-8", errors="surrogatepass")


@given(data=st.data())
def test_weights_damaged(valid_folder, data):
    folder = _copy(valid_folder)
    path = folder / WEIGHTS
    raw = path.read_bytes()
    how = data.draw(st.sampled_from(["truncate", "garble", "random", "empty", "header"]))
    if how == "truncate":
        raw = raw[:data.draw(st.integers(0, len(raw) - 1))]
    elif how == "garble":
        at = data.draw(st.integers(0, len(raw) - 1))
        patch = data.draw(st.binary(min_size=1, max_size=64))
        raw = raw[:at] + patch + raw[at + len(patch):]
    elif how == "random":
        raw = data.draw(st.binary(max_size=2048))
    elif how == "empty":
        raw = b""
    else:  # a header that claims other sizes: a different length prefix
        raw = data.draw(st.integers(0, 2 ** 64 - 1)).to_bytes(8, "little") + raw[8:]
    path.write_bytes(raw)
    outcome = check_folder(folder)
    if how in ("truncate", "empty"):
        assert outcome == "refused"
    shutil.rmtree(folder)


@given(name=st.sampled_from(JSON_FILES), data=st.data())
def test_json_files_mutated(valid_folder, name, data):
    folder = _copy(valid_folder)
    path = folder / name
    value = json.loads(path.read_text(encoding="utf-8"))
    how = data.draw(st.sampled_from(["tree", "tree", "tree", "whole", "text"]))
    if how == "whole":
        _write_json(path, data.draw(junk))
    elif how == "text":
        path.write_bytes(data.draw(st.binary(max_size=200)))
    else:
        value = copy.deepcopy(value)
        for _ in range(data.draw(st.integers(1, 3))):
            paths = _paths(value)[1:]
            if not paths:
                break
            where = data.draw(st.sampled_from(paths))
            parent, key = _parent(value, where), where[-1]
            action = data.draw(st.sampled_from(["replace", "delete", "wrap"]))
            if action == "replace":
                parent[key] = data.draw(junk)
            elif action == "delete":
                del parent[key]
            else:
                parent[key] = [parent[key]]
        _write_json(path, value)
    check_folder(folder)
    shutil.rmtree(folder)


SIZES = st.sampled_from([0, 1, 2, 3, 4, 7, 10 ** 3, 10 ** 6, 10 ** 9]) | st.floats(0, 1e12)


@given(data=st.data())
def test_sizes_and_counts_disagree(valid_folder, data):
    """Counts and sizes set to other values than the weights have (absurd ones included)."""
    folder = _copy(valid_folder)
    target = data.draw(st.sampled_from(["num_tags", "num_classes", "hidden_size", "num_hidden_layers", "vocab_size",
                                        "intermediate_size", "max_position_embeddings", "entity_types",
                                        "sentiment_classes"]))
    size = data.draw(SIZES)
    # A count of labels is made from the size; any other value is written as drawn (floats included).
    absurd = isinstance(size, float) or size >= 10 ** 3
    if target in ("num_tags", "num_classes"):
        config = json.loads((folder / "mtl_config.json").read_text())
        config["model"][target] = size
        _write_json(folder / "mtl_config.json", config)
    elif target in ("entity_types", "sentiment_classes"):
        count = min(int(size), 10 ** 5)
        absurd = count >= 10 ** 3
        labels = json.loads((folder / "labels.json").read_text())
        labels[target] = [f"L{i}" for i in range(count)]
        labels.pop("ner_tags")
        _write_json(folder / "labels.json", labels)
    else:
        config = json.loads((folder / "config.json").read_text())
        config[target] = size
        _write_json(folder / "config.json", config)
    outcome = check_folder(folder)
    if absurd:
        assert outcome == "refused"
    shutil.rmtree(folder)
