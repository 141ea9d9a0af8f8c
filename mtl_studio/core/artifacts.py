"""The model folder: what a checkpoint and an exported model are on disk.

A folder holds
    model.safetensors   all weights of the MultiTaskModel (safetensors.torch.save_model: the masked-token
                        head ties its decoder to the input embeddings, so shared tensors are de-duplicated)
    config.json         the encoder's transformers config (AutoConfig reads it; the encoder is rebuilt
                        with AutoModel.from_config, so loading downloads nothing)
    tokenizer files     tokenizer.save_pretrained (a fast tokenizer)
    labels.json         {"ner_tags": [...], "entity_types": [...], "sentiment_classes": [...]}, and for a model
                        with the further tasks "entity_sentiment_classes": [...] and "label_sets":
                        [{"name", "classes", "multi_label", "threshold"}] (older folders have neither)
    mtl_config.json     format name, schema version, head hyper-parameters, tasks and the run config

Loading never unpickles (only safetensors is read) and never enables remote code. Writing is atomic: the
folder is built beside the target, every file is fsynced, then it is renamed into place; an existing
target is swapped out only after the new folder is complete.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .hf_imports import transformers_names
from .errors import MtlStudioError

FORMAT_NAME = "mtl_studio.model.v1"
SCHEMA_VERSION = 1
WEIGHTS_FILE = "model.safetensors"
LABELS_FILE = "labels.json"
MTL_CONFIG_FILE = "mtl_config.json"
ENCODER_CONFIG_FILE = "config.json"
# Files that would mean pickled weights: never read, and an export must not contain them.
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")


class ModelFolderError(MtlStudioError, ValueError):
    """A folder is not a readable MTL Studio model (missing file, wrong format, inconsistent labels)."""


@dataclass
class LoadedModel:
    model: Any  # MultiTaskModel, in eval mode
    tokenizer: Any  # a transformers fast tokenizer
    labels: dict[str, Any]  # normalize_labels' form (features.LabelMaps.from_dict reads it)
    config: dict[str, Any]  # the whole mtl_config.json

    @property
    def tasks(self) -> tuple[str, ...]:
        return tuple(self.config.get("tasks") or ("ner", "sentiment"))

    @property
    def run_config(self) -> dict[str, Any]:
        return dict(self.config.get("config") or {})


def bio_tags(entity_types: list[str]) -> list[str]:
    """The tag list a token head predicts over: O, then B-/I- per entity type in schema order."""
    tags = ["O"]
    for t in entity_types:
        tags += [f"B-{t}", f"I-{t}"]
    return tags


def normalize_labels(labels: dict[str, Any]) -> dict[str, Any]:
    """Check and complete a labels dict (ner_tags may be derived from entity_types)."""
    entity_types = [str(x) for x in labels.get("entity_types") or []]
    ner_tags = [str(x) for x in labels.get("ner_tags") or bio_tags(entity_types)]
    sentiment_classes = [str(x) for x in labels.get("sentiment_classes") or []]
    if ner_tags and ner_tags[0] != "O":
        raise ModelFolderError(f"ner_tags must start with 'O', not {ner_tags[0]!r}")
    for tag in ner_tags[1:]:
        prefix, _, typ = tag.partition("-")
        if prefix not in ("B", "I") or not typ:
            raise ModelFolderError(f"ner tag {tag!r} is not B-TYPE or I-TYPE")
        if entity_types and typ not in entity_types:
            raise ModelFolderError(f"ner tag {tag!r} names a type missing from entity_types")
    if not entity_types:
        entity_types = list(dict.fromkeys(t[2:] for t in ner_tags[1:]))
    out: dict[str, Any] = {"ner_tags": ner_tags, "entity_types": entity_types, "sentiment_classes": sentiment_classes}
    polarities = [str(x) for x in labels.get("entity_sentiment_classes") or []]
    if polarities:
        out["entity_sentiment_classes"] = polarities
    sets = []
    for raw in labels.get("label_sets") or []:
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
            raise ModelFolderError(f"a label set must be an object with a name, not {str(raw)[:60]}")
        classes = raw.get("classes") or []
        if not isinstance(classes, list) or not classes or not all(isinstance(c, str) and c for c in classes):
            raise ModelFolderError(f"label set {raw['name']!r}: classes must be a non-empty list of names")
        if len(set(classes)) != len(classes):
            raise ModelFolderError(f"label set {raw['name']!r} names a class twice")
        threshold = raw.get("threshold", 0.5)
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold < 1:
            raise ModelFolderError(f"label set {raw['name']!r}: threshold must be a number between 0 and 1")
        if not isinstance(raw.get("multi_label", False), bool):
            raise ModelFolderError(f"label set {raw['name']!r}: multi_label must be true or false")
        sets.append({"name": raw["name"], "classes": list(classes), "multi_label": bool(raw.get("multi_label", False)),
                     "threshold": float(threshold)})
    if len({x["name"] for x in sets}) != len(sets):
        raise ModelFolderError("labels name a label set twice")
    if sets:
        out["label_sets"] = sets
    return out


def model_hyperparameters(model: Any) -> dict[str, Any]:
    """What it takes to rebuild the heads of `model` around a fresh encoder."""
    hyper = {
        "pooling": model.pooling,
        "num_tags": int(model.token_head.out_features),
        "num_classes": int(model.sequence_head.out_features),
        "mlm_head": model.mlm is not None,
        "dropout": float(model.dropout.p),
        "hidden_size": int(model.encoder.config.hidden_size),
        "encoder_model_type": getattr(model.encoder.config, "model_type", None),
    }
    # The further heads only when the model has them: a two-task model's config is what it always was.
    head = getattr(model, "entity_sentiment_head", None)
    if head is not None:
        hyper["num_entity_sentiment_classes"] = int(head.classifier.out_features)
    names = tuple(getattr(model, "label_set_names", ()))
    if names:
        from .model import label_head_key

        hyper["label_sets"] = [{"name": n, "num_classes": int(model.label_heads[label_head_key(i)].out_features)}
                               for i, n in enumerate(names)]
    return hyper


# ---- writing -----------------------------------------------------------------------------------

def _fsync_file(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    # Directory fsync makes the renames durable; not supported on every platform (Windows).
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_folder_atomically(folder: str | os.PathLike[str], fill: Any) -> Path:
    """Build a folder with `fill(tmp_path)` beside `folder`, fsync it, and rename it into place.

    When `folder` exists it is moved aside first and removed only after the new one is in place, so a
    crash leaves either the old or the new folder under the name (plus a hidden leftover at worst).
    """
    target = Path(folder).absolute()
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:8]
    tmp = parent / f".{target.name}.tmp-{tag}"
    old = parent / f".{target.name}.old-{tag}"
    tmp.mkdir()
    try:
        fill(tmp)
        for p in tmp.rglob("*"):
            if p.is_file():
                _fsync_file(p)
        _fsync_dir(tmp)
        if target.exists():
            if not target.is_dir():
                raise FileExistsError(f"{target} exists and is not a folder")
            os.replace(target, old)
        try:
            os.replace(tmp, target)
        except BaseException:
            if old.exists() and not target.exists():
                os.replace(old, target)  # put the previous folder back
            raise
        _fsync_dir(parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return target


def save_model_folder(folder: str | os.PathLike[str], model: Any, tokenizer: Any, labels: dict[str, Any],
                      config: dict[str, Any], *, extra: dict[str, Any] | None = None) -> Path:
    """Write `model` (a MultiTaskModel), its tokenizer, labels and run config to `folder`, atomically.

    `config` is the run configuration (TrainConfig.to_dict() or any JSON-able dict); its "tasks" say which
    heads were trained. `extra` adds top-level entries to mtl_config.json (run id, epoch, encoder name).
    """
    check_labels_fit(model, normalize_labels(labels))  # fail before touching the disk
    return write_folder_atomically(folder, lambda tmp: write_model_files(tmp, model, tokenizer, labels, config,
                                                                         extra=extra))


def check_labels_fit(model: Any, labels: dict[str, Any]) -> None:
    hyper = model_hyperparameters(model)
    if labels["ner_tags"] and len(labels["ner_tags"]) != hyper["num_tags"]:
        raise ModelFolderError(f"{len(labels['ner_tags'])} ner tags but the token head has {hyper['num_tags']} outputs")
    if labels["sentiment_classes"] and len(labels["sentiment_classes"]) != hyper["num_classes"]:
        raise ModelFolderError(f"{len(labels['sentiment_classes'])} sentiment classes but the sequence head has "
                               f"{hyper['num_classes']} outputs")
    polarities = labels.get("entity_sentiment_classes") or []
    if len(polarities) != hyper.get("num_entity_sentiment_classes", 0):
        raise ModelFolderError(f"{len(polarities)} entity sentiment classes but the entity-sentiment head has "
                               f"{hyper.get('num_entity_sentiment_classes', 0)} outputs")
    heads = [(x["name"], x["num_classes"]) for x in hyper.get("label_sets", [])]
    sets = [(x["name"], len(x["classes"])) for x in labels.get("label_sets") or []]
    if heads != sets:
        raise ModelFolderError(f"the label sets {sets} do not match the model's label heads {heads}")


def write_model_files(folder: Path, model: Any, tokenizer: Any, labels: dict[str, Any], config: dict[str, Any],
                      *, extra: dict[str, Any] | None = None) -> None:
    """The model files into an existing (temporary) folder; save_model_folder and export wrap it atomically."""
    from safetensors.torch import save_model

    labels = normalize_labels(labels)
    check_labels_fit(model, labels)
    tasks = list(config.get("tasks") or ("ner", "sentiment"))
    mtl_config = {"format": FORMAT_NAME, "schema_version": SCHEMA_VERSION, "model": model_hyperparameters(model),
                  "tasks": tasks, "config": config, **(extra or {})}
    was_training = model.training
    model.eval()
    try:
        # save_model de-duplicates tied tensors (the MLM decoder shares the word embeddings).
        save_model(model, str(folder / WEIGHTS_FILE), metadata={"format": "pt", "mtl_format": FORMAT_NAME})
    finally:
        model.train(was_training)
    model.encoder.config.to_json_file(str(folder / ENCODER_CONFIG_FILE))
    tokenizer.save_pretrained(str(folder))
    _write_json(folder / LABELS_FILE, labels)
    _write_json(folder / MTL_CONFIG_FILE, mtl_config)
    # safetensors creates its file 0600 whatever the umask; give it the mode every other file got
    # (0644 under the usual umask 022), so an exported model is readable where its README is.
    os.chmod(folder / WEIGHTS_FILE, stat.S_IMODE(os.stat(folder / LABELS_FILE).st_mode))


# ---- reading -----------------------------------------------------------------------------------

def read_folder_metadata(folder: str | os.PathLike[str]) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """(labels, mtl_config) of a model folder, checked (model_folder.validate_model_folder: files, types,
    label counts against the weight shapes), without loading any weights."""
    from .model_folder import validate_model_folder

    info = validate_model_folder(folder, check_encoder=False)
    return info.labels, info.config


def load_model_folder(folder: str | os.PathLike[str], device: str = "cpu") -> "LoadedModel":
    """Rebuild the MultiTaskModel of a folder (eval mode, on `device`) with its tokenizer and labels.

    The folder is validated first, the encoder's shapes included, so nothing is allocated for a folder
    whose files are damaged or whose configs do not describe its weights.
    """
    import torch
    from safetensors.torch import load_model
    AutoConfig, AutoTokenizer = transformers_names("AutoConfig", "AutoTokenizer")

    from .model_folder import build_model, validate_model_folder

    info = validate_model_folder(folder)
    folder = info.folder
    enc_config = AutoConfig.from_pretrained(str(folder), trust_remote_code=False)
    model = build_model(enc_config, info.hyper)
    try:
        # strict: a missing or unexpected tensor means the folder and its config disagree.
        load_model(model, str(folder / WEIGHTS_FILE), strict=True, device="cpu")
    except (RuntimeError, OSError) as e:
        raise ModelFolderError(f"{folder / WEIGHTS_FILE}: weights do not fit the model described in "
                               f"{MTL_CONFIG_FILE}: {e}") from e
    model.to(torch.device(device))
    model.eval()
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(folder), use_fast=True, trust_remote_code=False)
    except Exception as e:  # noqa: BLE001 - tokenizers and transformers raise many kinds for damaged files
        raise ModelFolderError(f"{folder}: the tokenizer files are damaged ({type(e).__name__}: {e})") from None
    if not getattr(tokenizer, "is_fast", False):
        raise ModelFolderError(f"{folder}: the tokenizer is not a fast tokenizer (word alignment needs one)")
    return LoadedModel(model=model, tokenizer=tokenizer, labels=info.labels, config=info.config)


def is_model_folder(folder: str | os.PathLike[str]) -> bool:
    """Whether `folder` holds an MTL Studio model (by its mtl_config.json format name)."""
    path = Path(folder) / MTL_CONFIG_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("format") == FORMAT_NAME
    except (OSError, ValueError, AttributeError):
        return False
