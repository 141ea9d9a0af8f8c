"""Probe (issue 15, "joint must not cost a task"): how the NER and sentiment losses share the encoder on
SEntFiN headlines, where every headline is labelled for both tasks.

For a few batches of the fresh model (pretrained encoder, new heads) it prints, per task, the norm of the
encoder gradient of the task's mean loss, the cosine between the two, and the norm of the fixed 0.5/0.5
gradient, which is what gradient clipping (max norm 1.0) sees. No training: a minute on one CPU core.

    python bench/gradient_share.py --batches 4
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import SENTFIN_CLASSES, SENTFIN_TYPES, data_dir, sentfin_documents  # noqa: E402

from mtl_studio.core import losses as L  # noqa: E402
from mtl_studio.core.features import LabelMaps, collate, encode_documents  # noqa: E402
from mtl_studio.core.model import MultiTaskModel, load_encoder  # noqa: E402


@dataclass
class GradientShare:
    ner_norm: float
    sentiment_norm: float
    cosine: float
    joint_norm: float  # of 0.5 * g_ner + 0.5 * g_sentiment


def measure(model, batch, encoder_params) -> GradientShare:
    import torch

    out = model(batch.input_ids, batch.attention_mask)
    ner_sum, _ = L.ner_loss_sum(out.token_logits, batch.ner_labels, batch.ner_example_weights)
    sent_sum, _ = L.sentiment_loss_sum(out.sequence_logits, batch.sentiment_labels, batch.sentiment_example_weights)
    ner = ner_sum / max(float((batch.ner_labels != L.IGNORE).sum()), 1.0)
    sentiment = sent_sum / max(float((batch.sentiment_labels != L.IGNORE).sum()), 1.0)

    def flat(loss) -> torch.Tensor:
        grads = torch.autograd.grad(loss, encoder_params, retain_graph=True, allow_unused=True)
        return torch.cat([g.flatten() for g in grads if g is not None])

    g_ner, g_sent = flat(ner), flat(sentiment)
    return GradientShare(float(g_ner.norm()), float(g_sent.norm()),
                         float(torch.nn.functional.cosine_similarity(g_ner, g_sent, dim=0)),
                         float((0.5 * g_ner + 0.5 * g_sent).norm()))


def main(argv: list[str] | None = None) -> int:
    import torch

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--batches", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--data", help="shared data folder (default ../shared/data)")
    args = p.parse_args(argv)

    torch.manual_seed(0)
    path = data_dir(args.data) / "sentfin" / "sentfin_train.jsonl"
    docs = sentfin_documents(path, "train", args.batches * args.batch_size, seed=args.seed)
    encoder, tokenizer = load_encoder("offline")
    labels = LabelMaps(tuple(SENTFIN_TYPES), tuple(SENTFIN_CLASSES))
    data = encode_documents(docs, tokenizer, labels, max_length=64, tasks=["ner", "sentiment"], for_training=True)
    model = MultiTaskModel(encoder, len(labels.ner_tags), len(labels.sentiment_classes))
    encoder_params = list(model.encoder.parameters())
    rows = []
    for b in range(args.batches):
        examples = data.examples[b * args.batch_size:(b + 1) * args.batch_size]
        rows.append(measure(model, collate(examples, tokenizer.pad_token_id), encoder_params))
    mean = {k: sum(getattr(r, k) for r in rows) / len(rows) for k in GradientShare.__dataclass_fields__}
    print(f"{len(docs)} SEntFiN headlines, fresh heads: encoder gradient norm NER {mean['ner_norm']:.3f}, "
          f"sentiment {mean['sentiment_norm']:.3f} (ratio {mean['sentiment_norm'] / mean['ner_norm']:.2f}); "
          f"cosine {mean['cosine']:+.3f}; fixed 0.5/0.5 gradient norm {mean['joint_norm']:.3f} (clipping at 1.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
