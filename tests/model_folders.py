"""Build MTL Studio model folders from the tiny encoder for tests (no training needed).

Heads can be forced: `tag` makes every word predict that BIO tag (token head weights zero, a large bias),
`sentiment` does the same for the sequence head, so the expected entities and probabilities are known
exactly and tests check offsets and decoding rather than random outputs.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from mtl_studio.core.artifacts import bio_tags, save_model_folder
from mtl_studio.core.model import MultiTaskModel, load_encoder

ENTITY_TYPES = ("ORG", "LOC")
CLASSES = ("negative", "neutral", "positive")


def build_model(encoder_dir: Path, *, entity_types=ENTITY_TYPES, classes=CLASSES, seed: int = 0,
                tag: str | None = None, sentiment: str | None = None, tag_logit: float = 4.0,
                mlm_head: bool = False, pooling: str = "mean") -> tuple[MultiTaskModel, Any]:
    torch.manual_seed(seed)
    encoder, tokenizer = load_encoder(str(encoder_dir))
    tags = bio_tags(list(entity_types))
    model = MultiTaskModel(encoder, len(tags), len(classes), pooling=pooling, mlm_head=mlm_head)
    with torch.no_grad():
        if tag is not None:
            model.token_head.weight.zero_()
            model.token_head.bias.zero_()
            model.token_head.bias[tags.index(tag)] = tag_logit
        if sentiment is not None:
            model.sequence_head.weight.zero_()
            model.sequence_head.bias.zero_()
            model.sequence_head.bias[list(classes).index(sentiment)] = 2.0
    return model.eval(), tokenizer


def make_model_folder(encoder_dir: Path, folder: Path, *, tasks=("ner", "sentiment"), max_length: int = 64,
                      extra: dict[str, Any] | None = None, **kwargs: Any) -> Path:
    entity_types = kwargs.get("entity_types", ENTITY_TYPES)
    classes = kwargs.get("classes", CLASSES)
    model, tokenizer = build_model(encoder_dir, **kwargs)
    labels = {"entity_types": list(entity_types), "sentiment_classes": list(classes)}
    config = {"encoder": str(encoder_dir), "tasks": list(tasks), "max_length": max_length, "seed": 0}
    return save_model_folder(folder, model, tokenizer, labels, config, extra=extra)
