"""Inference speed: mtl_studio.inference (one pass, both heads) vs two Hugging Face pipelines, and ONNX vs PyTorch.

    python bench/inference_speed.py                          # offline MiniLM, random heads, 512 texts
    python bench/inference_speed.py --texts 128 --repeats 1  # smoke run
    python bench/inference_speed.py --model exported/ --device cuda --json out.json

The baseline is what a user would do without MTL Studio: one `pipeline("token-classification")` for the
entities and one `pipeline("text-classification")` for the sentiment, each running the encoder over
every text. Both pipelines use THE SAME encoder weights as the MTL model (copied from the model folder)
and heads of the same size (the token head's weights; the sequence classifier gets the sentiment head's
weights on BERT's pooled [CLS] output), so the compute per pass is the same and only the number of
passes and the pre/post-processing differ. Entity grouping: aggregation_strategy="first" (first
sub-word, like MTL Studio); sentiment: all class scores (top_k=None), like MTL Studio's probabilities.

Every method is timed on the same texts in the same process after a warm-up; the table gives texts/s
(median of --repeats runs) and the ratio to the baseline measured in this run. Texts: CoNLL-2003 test
sentences and Financial PhraseBank test sentences alternating when ../shared/data is present, else
generated sentences of similar length (the output says which).
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without install

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
ENTITY_TYPES = ["PER", "ORG", "LOC", "MISC"]
CLASSES = ["negative", "neutral", "positive"]


# ---- data ----------------------------------------------------------------------------------------

def load_texts(n: int, seed: int = 0) -> tuple[list[str], str]:
    conll, fpb = SHARED / "conll2003" / "test.txt", SHARED / "financial_phrasebank" / "fpb_test.csv"
    if conll.is_file() and fpb.is_file():
        import csv

        sentences, words = [], []
        for line in conll.read_text(encoding="utf-8").splitlines() + [""]:
            parts = line.split()
            if not parts:
                if words:
                    sentences.append(" ".join(words))
                words = []
            elif parts[0] != "-DOCSTART-":
                words.append(parts[0])
        with open(fpb, encoding="utf-8", newline="") as f:
            fin = [r["text"] for r in csv.DictReader(f)]
        texts = [t for pair in zip(sentences, fin) for t in pair][:n]
        return texts, f"CoNLL-2003 test + FPB test, alternating ({len(texts)} texts)"
    rng = random.Random(seed)
    vocab = ("the company said shares rose fell in Berlin London Paris after results quarter profit sales "
             "net loss Apple Nokia Siemens John Smith expects growth market analysts percent million").split()
    texts = [" ".join(rng.choice(vocab) for _ in range(rng.randint(8, 30))) + " ." for _ in range(n)]
    return texts, f"generated sentences of 8-30 words ({n} texts; shared data not found)"


# ---- models --------------------------------------------------------------------------------------

def build_model_folder(encoder: str | None, out: Path, onnx: bool) -> Path:
    """A model folder with the encoder's real weights and random heads (speed does not depend on them)."""
    from mtl_studio.core.artifacts import bio_tags, save_model_folder
    from mtl_studio.core.model import MultiTaskModel, load_encoder

    enc, tok = load_encoder(encoder)
    torch.manual_seed(0)
    model = MultiTaskModel(enc, len(bio_tags(ENTITY_TYPES)), len(CLASSES)).eval()
    labels = {"entity_types": ENTITY_TYPES, "sentiment_classes": CLASSES}
    config = {"encoder": encoder or "offline", "tasks": ["ner", "sentiment"], "max_length": 256}
    folder = save_model_folder(out, model, tok, labels, config)
    if onnx:
        add_onnx(folder)
    return folder


def add_onnx(folder: Path) -> None:
    from mtl_studio.core.artifacts import load_model_folder
    from mtl_studio.core.export import check_onnx, export_onnx

    loaded = load_model_folder(folder)
    export_onnx(loaded.model, loaded.tokenizer, folder / "model.onnx")
    check = check_onnx(loaded.model, loaded.tokenizer, folder / "model.onnx")
    print(f"ONNX export checked against PyTorch: max abs diff {check.max_abs_diff:.2e}", file=sys.stderr)


def hf_pipelines(folder: Path, device: str, batch_size: int) -> tuple[Callable, Callable]:
    """token-classification and text-classification pipelines with the model folder's encoder weights."""
    from transformers import (AutoConfig, AutoModelForSequenceClassification, AutoModelForTokenClassification,
                              pipeline)

    from mtl_studio.core.artifacts import load_model_folder

    loaded = load_model_folder(folder)
    enc_state = loaded.model.encoder.state_dict()
    tags, classes = loaded.labels["ner_tags"], loaded.labels["sentiment_classes"]

    def make(cls: Any, labels: list[str], head: torch.nn.Linear) -> Any:
        cfg = AutoConfig.from_pretrained(str(folder), num_labels=len(labels),
                                         id2label=dict(enumerate(labels)), label2id={x: i for i, x in enumerate(labels)})
        model = cls.from_config(cfg)
        missing, _ = model.base_model.load_state_dict(enc_state, strict=False)
        if [k for k in missing if "pooler" not in k]:
            raise RuntimeError(f"encoder weights do not fit {cls.__name__}: missing {missing[:5]}")
        with torch.no_grad():
            model.classifier.weight.copy_(head.weight)
            model.classifier.bias.copy_(head.bias)
        return model.eval()

    dev = 0 if device.startswith("cuda") else -1
    tc = pipeline("token-classification", model=make(AutoModelForTokenClassification, tags, loaded.model.token_head),
                  tokenizer=loaded.tokenizer, aggregation_strategy="first", device=dev)
    sc = pipeline("text-classification",
                  model=make(AutoModelForSequenceClassification, classes, loaded.model.sequence_head),
                  tokenizer=loaded.tokenizer, top_k=None, device=dev)
    return (lambda texts: tc(texts, batch_size=batch_size),
            lambda texts: sc(texts, batch_size=batch_size, truncation=True))


# ---- timing --------------------------------------------------------------------------------------

def texts_per_second(fn: Callable[[list[str]], Any], texts: list[str], repeats: int) -> tuple[float, list[float]]:
    fn(texts[:16])  # warm-up: first-call allocations, lazy initialisation
    secs = []
    for _ in range(repeats):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        t = time.perf_counter()
        fn(texts)
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        secs.append(time.perf_counter() - t)
    return len(texts) / statistics.median(secs), secs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, help="model folder (default: offline encoder with random heads)")
    ap.add_argument("--encoder", default=None, help="encoder when no --model is given (default: offline)")
    ap.add_argument("--texts", type=int, default=512)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None, help="CPU threads for torch and onnxruntime")
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--no-onnx", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)

    import mtl_studio.inference as inf

    if args.threads:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    texts, source = load_texts(args.texts)
    tmp = tempfile.TemporaryDirectory()
    folder = args.model or build_model_folder(args.encoder, Path(tmp.name) / "model", onnx=not args.no_onnx)
    if not args.no_onnx and not (folder / "model.onnx").is_file():
        raise SystemExit(f"{folder} has no model.onnx: export with --onnx or pass --no-onnx")

    methods: dict[str, Callable[[list[str]], Any]] = {}
    token_pipe, text_pipe = hf_pipelines(folder, args.device, args.batch_size)
    methods["HF token-classification pipeline (NER only)"] = token_pipe
    methods["HF text-classification pipeline (sentiment only)"] = text_pipe
    torch_model = inf.load(folder, device=args.device)
    methods["mtl_studio.inference, PyTorch (both tasks)"] = lambda t: torch_model.predict(t, batch_size=args.batch_size)
    if not args.no_onnx:
        onnx_model = inf.load(folder, backend="onnx", device=args.device, threads=threads)
        methods["mtl_studio.inference, ONNX Runtime (both tasks)"] = \
            lambda t: onnx_model.predict(t, batch_size=args.batch_size)

    results: dict[str, float] = {}
    for name, fn in methods.items():
        results[name], secs = texts_per_second(fn, texts, args.repeats)
        print(f"{name}: {results[name]:.1f} texts/s (runs: {', '.join(f'{s:.2f}s' for s in secs)})", file=sys.stderr)
    # Baseline: both pipelines, one after the other, over the same texts (times add up).
    tok_s, seq_s = (1 / results["HF token-classification pipeline (NER only)"],
                    1 / results["HF text-classification pipeline (sentiment only)"])
    baseline_name = "HF pipelines, NER + sentiment (baseline)"
    rows = [(baseline_name, 1 / (tok_s + seq_s))] + list(results.items())
    base = rows[0][1]
    torch_tps = results["mtl_studio.inference, PyTorch (both tasks)"]

    print(f"\nInference speed: {source}; batch {args.batch_size}; device {args.device}; {threads} CPU threads; "
          f"model {folder if args.model else (args.encoder or 'offline') + ' encoder, random heads'}; "
          f"median of {args.repeats} run(s); torch {torch.__version__}")
    print("\n| method | texts/s | vs baseline | vs mtl_studio PyTorch |")
    print("|---|---:|---:|---:|")
    for name, tps in rows:
        print(f"| {name} | {tps:.1f} | {tps / base:.2f}x | {tps / torch_tps:.2f}x |")
    if args.json:
        args.json.write_text(json.dumps({"source": source, "batch_size": args.batch_size, "device": args.device,
                                         "threads": threads, "repeats": args.repeats,
                                         "texts_per_second": dict(rows)}, indent=2))
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
