"""Check a model folder completely before anything is allocated for it.

`validate_model_folder` reads only small files and the safetensors header (tensor names and shapes,
never tensor data) and refuses, with a ModelFolderError naming the file, a folder whose files are
missing, damaged or of the wrong type, whose label counts disagree with the heads, or whose configs
describe a model of another shape than its weights (or of an absurd size). The loader builds the
model only from what this returns, so a tampered `"num_tags": 1e9` or a 10^6-label labels.json is a
message, not a 128 GB allocation or a hang.

The encoder's shapes are compared exactly: the model the configs describe is built on PyTorch's
"meta" device (shapes without storage) and its state dict is matched against the file's header.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .hf_imports import transformers_names
from .artifacts import (
    ENCODER_CONFIG_FILE, FORMAT_NAME, LABELS_FILE, MTL_CONFIG_FILE, PICKLE_SUFFIXES, SCHEMA_VERSION, WEIGHTS_FILE,
    ModelFolderError, normalize_labels,
)

MAX_JSON_BYTES = 10 * 1024 * 1024  # labels.json, mtl_config.json and config.json are a few KB
MAX_ENTITY_TYPES = 1_000
MAX_SENTIMENT_CLASSES = 1_000
MAX_LABEL_SETS = 100
# Encoder config values beyond these are not a text encoder this studio trains (BERT-large has
# hidden 1024, 24 layers; the largest multilingual vocabularies have about 250k entries).
ENCODER_LIMITS = {
    "hidden_size": 16_384, "num_hidden_layers": 256, "num_attention_heads": 1_024, "intermediate_size": 65_536,
    "vocab_size": 2_000_000, "max_position_embeddings": 1_000_000, "type_vocab_size": 1_024,
}
HEADS = ("token_head", "sequence_head")


@dataclass(frozen=True)
class ModelFolderInfo:
    """What a checked model folder holds: enough to build its model without reading anything again."""

    folder: Path
    labels: dict[str, Any]
    config: dict[str, Any]  # the whole mtl_config.json
    encoder_config: dict[str, Any]  # config.json
    weight_shapes: dict[str, tuple[int, ...]]

    @property
    def hyper(self) -> dict[str, Any]:
        return self.config["model"]


def validate_model_folder(folder: str | os.PathLike[str], *, check_encoder: bool = True) -> ModelFolderInfo:
    """Everything about `folder` that can be checked without loading weights; raises ModelFolderError
    (FileNotFoundError when there is no folder at all). `check_encoder=False` skips the comparison of
    config.json with the encoder's weights (it imports transformers), for metadata-only readers."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no model folder at {folder}")
    for name in (MTL_CONFIG_FILE, WEIGHTS_FILE, ENCODER_CONFIG_FILE, LABELS_FILE):
        if not (folder / name).is_file():
            hint = ""
            if name == WEIGHTS_FILE and any(p.suffix in PICKLE_SUFFIXES for p in folder.iterdir()):
                hint = " (pickled weights are never loaded; re-export the model as safetensors)"
            raise ModelFolderError(f"{folder} is not an MTL Studio model folder: {name} is missing{hint}")
    mtl_config = _json_object(folder / MTL_CONFIG_FILE)
    _check_format(folder / MTL_CONFIG_FILE, mtl_config)
    labels = _labels(folder / LABELS_FILE)
    encoder_config = _json_object(folder / ENCODER_CONFIG_FILE)
    _check_encoder_sizes(folder / ENCODER_CONFIG_FILE, encoder_config)
    shapes = read_weight_shapes(folder / WEIGHTS_FILE)
    info = ModelFolderInfo(folder, labels, mtl_config, encoder_config, shapes)
    _check_heads(info)
    if check_encoder:
        _check_encoder_shapes(info)
    return info


def read_weight_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    """Tensor name -> shape from a safetensors header (the data is not read)."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            return {name: tuple(f.get_slice(name).get_shape()) for name in f.keys()}
    except (SafetensorError, OSError, ValueError, RuntimeError) as e:
        raise ModelFolderError(f"{path}: {path.name} is damaged (not a complete safetensors file: {e})") from None


# ---- the JSON files ---------------------------------------------------------------------------------

def _json_object(path: Path) -> dict[str, Any]:
    if path.stat().st_size > MAX_JSON_BYTES:
        raise ModelFolderError(f"{path}: {path.stat().st_size:,} bytes is far too large for {path.name}")
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise ModelFolderError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    except RecursionError:
        raise ModelFolderError(f"{path}: invalid JSON: nested too deeply") from None
    except ValueError as e:  # json.JSONDecodeError, and integers of more digits than Python reads
        raise ModelFolderError(f"{path}: invalid JSON: {e}") from None
    if not isinstance(value, dict):
        raise ModelFolderError(f"{path}: expected a JSON object, found {type(value).__name__}")
    return value


def _check_format(path: Path, mtl_config: dict[str, Any]) -> None:
    if mtl_config.get("format") != FORMAT_NAME:
        raise ModelFolderError(f"{path}: format {_short(mtl_config.get('format'))} is not {FORMAT_NAME!r}")
    version = mtl_config.get("schema_version", 0)
    if not _is_int(version):
        raise ModelFolderError(f"{path}: schema_version must be an integer, not {_short(version)}")
    if version > SCHEMA_VERSION:
        raise ModelFolderError(f"{path.parent} was written by a newer MTL Studio (model schema {version} > "
                               f"{SCHEMA_VERSION})")
    hyper = mtl_config.get("model")
    if not isinstance(hyper, dict):
        raise ModelFolderError(f"{path}: \"model\" must be an object with the head sizes")
    for key in ("pooling", "num_tags", "num_classes"):
        if key not in hyper:
            raise ModelFolderError(f"{path}: model.{key} is missing")
    if hyper["pooling"] not in ("mean", "cls"):
        raise ModelFolderError(f"{path}: model.pooling must be \"mean\" or \"cls\", not {_short(hyper['pooling'])}")
    for key in ("num_tags", "num_classes"):
        if not _is_int(hyper[key]) or hyper[key] < 0:
            raise ModelFolderError(f"{path}: model.{key} must be a whole number, not {_short(hyper[key])}")
    for key, kind in (("mlm_head", bool), ("dropout", (int, float))):
        if key in hyper and not isinstance(hyper[key], kind):
            raise ModelFolderError(f"{path}: model.{key} has the wrong type: {_short(hyper[key])}")
    if isinstance(hyper.get("dropout"), (int, float)) and not 0 <= hyper["dropout"] < 1:
        raise ModelFolderError(f"{path}: model.dropout must be in [0, 1), not {hyper['dropout']}")
    for key, kind in (("tasks", list), ("config", dict)):
        if mtl_config.get(key) is not None and not isinstance(mtl_config[key], kind):
            raise ModelFolderError(f"{path}: \"{key}\" must be a JSON {kind.__name__}, not {_short(mtl_config[key])}")
    tasks = mtl_config.get("tasks") or []
    if any(not isinstance(t, str) or not t for t in tasks) or len(set(tasks)) != len(tasks):
        raise ModelFolderError(f"{path}: tasks must be distinct task names, not {_short(tasks)}")
    n = hyper.get("num_entity_sentiment_classes", 0)
    if not _is_int(n) or not 0 <= n <= MAX_SENTIMENT_CLASSES:
        raise ModelFolderError(f"{path}: model.num_entity_sentiment_classes must be a whole number, not {_short(n)}")
    sets = hyper.get("label_sets", [])
    if not isinstance(sets, list) or len(sets) > MAX_LABEL_SETS or not all(
            isinstance(x, dict) and isinstance(x.get("name"), str) and _is_int(x.get("num_classes"))
            and 1 <= x["num_classes"] <= MAX_SENTIMENT_CLASSES for x in sets):
        raise ModelFolderError(f"{path}: model.label_sets must be a list of {{name, num_classes}}, not {_short(sets)}")
    max_length = (mtl_config.get("config") or {}).get("max_length")
    if max_length is not None and not (_is_int(max_length) and 1 <= max_length <= 1_000_000):
        raise ModelFolderError(f"{path}: config.max_length must be a positive whole number, not {_short(max_length)}")


def _labels(path: Path) -> dict[str, Any]:
    raw = _json_object(path)
    sets = raw.get("label_sets")
    if sets is not None and (not isinstance(sets, list) or len(sets) > MAX_LABEL_SETS):
        raise ModelFolderError(f"{path}: label_sets must be a list of at most {MAX_LABEL_SETS} label sets")
    for x in sets or []:
        classes = x.get("classes") if isinstance(x, dict) else None
        if isinstance(classes, list) and len(classes) > MAX_SENTIMENT_CLASSES:
            raise ModelFolderError(f"{path}: {len(classes):,} classes in a label set (at most "
                                   f"{MAX_SENTIMENT_CLASSES:,} are supported)")
    for key, limit in (("entity_types", MAX_ENTITY_TYPES), ("ner_tags", 2 * MAX_ENTITY_TYPES + 1),
                       ("sentiment_classes", MAX_SENTIMENT_CLASSES),
                       ("entity_sentiment_classes", MAX_SENTIMENT_CLASSES)):
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(x, str) and x for x in value):
            raise ModelFolderError(f"{path}: {key} must be a list of names, not {_short(value)}")
        if len(value) > limit:
            raise ModelFolderError(f"{path}: {len(value):,} {key} (at most {limit:,} are supported)")
        if len(set(value)) != len(value):
            raise ModelFolderError(f"{path}: {key} names a label twice")
    try:
        return normalize_labels(raw)
    except ModelFolderError as e:
        raise ModelFolderError(f"{path}: {e}") from None


def _check_encoder_sizes(path: Path, encoder_config: dict[str, Any]) -> None:
    if not isinstance(encoder_config.get("model_type"), str):
        raise ModelFolderError(f"{path}: model_type must be the encoder's architecture name")
    for key, limit in ENCODER_LIMITS.items():
        if key not in encoder_config:
            continue
        value = encoder_config[key]
        if not _is_int(value) or not 1 <= value <= limit:
            raise ModelFolderError(f"{path}: {key} {_short(value)} is not a whole number from 1 to {limit:,}")


# ---- shapes --------------------------------------------------------------------------------------

def _check_heads(info: ModelFolderInfo) -> None:
    """The heads in the file, the sizes in mtl_config.json and the label counts must agree."""
    weights = info.folder / WEIGHTS_FILE
    hyper, labels = info.hyper, info.labels
    shape = info.weight_shapes
    for head, key in zip(HEADS, ("num_tags", "num_classes")):
        name = f"{head}.weight"
        if name not in shape or len(shape[name]) != 2:
            raise ModelFolderError(f"{weights}: no {name} matrix: not the weights of an MTL Studio model")
        outputs = shape[name][0]
        if max(hyper[key], 1) != outputs:
            raise ModelFolderError(f"{info.folder / MTL_CONFIG_FILE}: model.{key} is {hyper[key]} but {name} in "
                                   f"{WEIGHTS_FILE} has {outputs} outputs")
    hidden = info.encoder_config.get("hidden_size")
    if hidden is not None and shape["token_head.weight"][1] != hidden:
        raise ModelFolderError(f"{info.folder / ENCODER_CONFIG_FILE}: hidden_size {hidden} but the heads in "
                               f"{WEIGHTS_FILE} read {shape['token_head.weight'][1]} features")
    for what, names, key in (("ner tags", labels["ner_tags"], "num_tags"),
                             ("sentiment classes", labels["sentiment_classes"], "num_classes")):
        if names and len(names) != hyper[key]:
            raise ModelFolderError(f"{info.folder / LABELS_FILE}: {len(names)} {what} but model.{key} in "
                                   f"{MTL_CONFIG_FILE} is {hyper[key]}")
    # The further heads: labels.json, mtl_config.json and the weights must describe the same ones.
    polarities = labels.get("entity_sentiment_classes") or []
    n_polarities = hyper.get("num_entity_sentiment_classes", 0)
    if len(polarities) != n_polarities:
        raise ModelFolderError(f"{info.folder / LABELS_FILE}: {len(polarities)} entity sentiment classes but "
                               f"model.num_entity_sentiment_classes in {MTL_CONFIG_FILE} is {n_polarities}")
    if n_polarities and shape.get("entity_sentiment_head.classifier.weight", (None,))[0] != n_polarities:
        raise ModelFolderError(f"{weights}: the entity-sentiment head does not have {n_polarities} outputs")
    heads = [(x["name"], x["num_classes"]) for x in hyper.get("label_sets", [])]
    sets = [(x["name"], len(x["classes"])) for x in labels.get("label_sets") or []]
    if heads != sets:
        raise ModelFolderError(f"{info.folder / LABELS_FILE}: label sets {sets} but model.label_sets in "
                               f"{MTL_CONFIG_FILE} describe {heads}")
    from .model import label_head_key

    for i, (name, n) in enumerate(heads):
        found = shape.get(f"label_heads.{label_head_key(i)}.weight", (None,))[0]
        if found != n:
            raise ModelFolderError(f"{weights}: the head of label set {name!r} has {found} outputs, not {n}")


def _check_encoder_shapes(info: ModelFolderInfo) -> None:
    """Build the described model on the meta device and match its tensors against the file."""
    expected, aliases = _described_tensors(info)
    found = info.weight_shapes
    weights = info.folder / WEIGHTS_FILE
    for group in aliases:  # a tied tensor is stored under one of its names (save_model de-duplicates)
        if not any(name in found for name in group):
            raise ModelFolderError(f"{weights}: tensor {group[0]!r} is missing: the configs describe a larger "
                                   f"model than the file holds")
    for name, shape in found.items():
        if name not in expected:
            raise ModelFolderError(f"{weights}: tensor {name!r} is not part of the model the configs describe")
        if expected[name] != shape:
            raise ModelFolderError(f"{weights}: tensor {name!r} has shape {list(shape)} but {ENCODER_CONFIG_FILE} and "
                                   f"{MTL_CONFIG_FILE} describe {list(expected[name])}")


def describe_model_shapes(info: ModelFolderInfo) -> dict[str, tuple[int, ...]]:
    """name -> shape of every tensor of the model the folder's configs describe (built on the meta
    device: no memory is allocated for it)."""
    return _described_tensors(info)[0]


def _described_tensors(info: ModelFolderInfo) -> tuple[dict[str, tuple[int, ...]], list[list[str]]]:
    """(name -> shape, names grouped by the tensor they share) of the described model."""
    import torch
    (AutoConfig,) = transformers_names("AutoConfig")

    from .model import MultiTaskModel

    config_path = info.folder / ENCODER_CONFIG_FILE
    try:
        # As the loader reads it, so that the shapes compared are the shapes it will build.
        enc_config = AutoConfig.from_pretrained(str(info.folder), trust_remote_code=False)
    except Exception as e:  # noqa: BLE001 - transformers raises many kinds for a config it cannot read
        raise ModelFolderError(f"{config_path}: not an encoder configuration transformers can read: {e}") from None
    hyper = info.hyper
    try:
        with torch.device("meta"):
            model = build_model(enc_config, hyper)
    except ModelFolderError:
        raise
    except Exception as e:  # noqa: BLE001 - an inconsistent config (heads not dividing hidden size, ...)
        raise ModelFolderError(f"{config_path}: the encoder it describes cannot be built: {e}") from None
    assert isinstance(model, MultiTaskModel)
    tensors = model.state_dict(keep_vars=True)
    groups: dict[int, list[str]] = {}
    for name, t in tensors.items():
        groups.setdefault(id(t), []).append(name)
    return {name: tuple(t.shape) for name, t in tensors.items()}, list(groups.values())


def build_model(enc_config: Any, hyper: dict[str, Any]) -> Any:
    """The MultiTaskModel of a checked folder, with fresh weights (on the current default device)."""
    (AutoModel,) = transformers_names("AutoModel")

    from .model import MultiTaskModel

    encoder = AutoModel.from_config(enc_config, trust_remote_code=False)
    return MultiTaskModel(encoder, hyper["num_tags"], hyper["num_classes"], dropout=float(hyper.get("dropout", 0.1)),
                          pooling=hyper["pooling"], mlm_head=bool(hyper.get("mlm_head", False)),
                          num_entity_sentiment_classes=int(hyper.get("num_entity_sentiment_classes", 0)),
                          label_sets=[(x["name"], int(x["num_classes"])) for x in hyper.get("label_sets", [])])


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."
