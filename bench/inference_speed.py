"""Inference speed: mtl_studio.inference (one pass, both heads) vs two Hugging Face pipelines, and the
backends against each other: PyTorch fp32, PyTorch bf16 autocast, ONNX fp32, ONNX int8.

    python bench/inference_speed.py                          # offline MiniLM, random heads, 512 texts
    python bench/inference_speed.py --texts 128 --repeats 1  # smoke run
    python bench/inference_speed.py --model exported/ --score # a trained export: also F1 per backend
    python bench/inference_speed.py --model exported/ --device cuda --json out.json

Backends table: texts/s of each backend on the same texts (timed rounds interleave the backends, so a
change of machine load hits them all alike) and the ratio to PyTorch fp32 measured in the same run.
With --score (needs a trained model, --model), each backend also predicts CoNLL-2003 test (entity
micro-F1, seqeval strict) and FPB test (sentiment macro-F1) with the training scorer. ONNX int8 is
quantized here from model.onnx when the folder has no model.int8.onnx (core/onnx_quant.py).

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
if not SHARED.is_dir():  # a git worktree under /work/wt/NAME: the shared data is two levels further up
    SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
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


class _Bf16Autocast:
    """A torch backend run under CPU/GPU bf16 autocast (what precision=bf16 does in training)."""

    def __init__(self, inner: Any, device: str) -> None:
        self.inner = inner
        self.device_type = "cuda" if device.startswith("cuda") else "cpu"
        self.input_names = inner.input_names
        self.has_entity_sentiment = inner.has_entity_sentiment

    def run(self, inputs: Any) -> Any:
        with torch.autocast(self.device_type, dtype=torch.bfloat16):
            return self.inner.run(inputs)

    def span_sentiment(self, state: Any, entity_spans: Any) -> Any:
        with torch.autocast(self.device_type, dtype=torch.bfloat16):
            return self.inner.span_sentiment(state, entity_spans)


def backend_predictors(folder: Path, device: str, threads: int, onnx: bool) -> dict[str, Any]:
    """name -> Predictor for every backend measured; int8 is quantized here when the folder lacks it."""
    import mtl_studio.inference as inf

    predictors = {"PyTorch fp32": inf.load(folder, device=device)}
    bf16 = inf.load(folder, device=device)
    bf16.backend, bf16.backend_name = _Bf16Autocast(bf16.backend, device), "torch-bf16"
    predictors["PyTorch bf16 autocast"] = bf16
    if onnx:
        from mtl_studio.core.onnx_quant import ONNX_INT8_FILE, quantize_int8

        predictors["ONNX fp32"] = inf.load(folder, backend="onnx", device=device, threads=threads)
        if not (folder / ONNX_INT8_FILE).is_file():
            quantize_int8(folder / "model.onnx", folder / ONNX_INT8_FILE)
        predictors["ONNX int8"] = inf.load(folder, backend="onnx-int8", device=device, threads=threads)
    return predictors


def interleaved_texts_per_second(fns: dict[str, Callable[[list[str]], Any]], texts: list[str],
                                 repeats: int) -> dict[str, tuple[float, float]]:
    """(texts per wall second, texts per CPU second) per method, medians; each round runs every method
    once, so load changes hit all alike. CPU seconds (this process, all its threads) stay meaningful on
    a machine shared with other jobs, where wall time also measures the neighbours."""
    for fn in fns.values():
        fn(texts[:16])  # warm-up
    wall: dict[str, list[float]] = {name: [] for name in fns}
    cpu: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            c, t = time.process_time(), time.perf_counter()
            fn(texts)
            wall[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
    for name in fns:
        print(f"{name}: wall {', '.join(f'{x:.2f}s' for x in wall[name])}; "
              f"CPU {', '.join(f'{x:.2f}s' for x in cpu[name])}", file=sys.stderr)
    return {name: (len(texts) / statistics.median(wall[name]), len(texts) / statistics.median(cpu[name]))
            for name in fns}


def test_scores(predictors: dict[str, Any], conll_limit: int | None) -> dict[str, dict[str, float | None]]:
    """CoNLL-2003 test entity F1 and FPB test sentiment macro-F1 of each backend."""
    from bench_data import conll_documents, fpb_documents

    from mtl_studio.core.predictor_eval import score_predictor

    conll = conll_documents(SHARED / "conll2003" / "test.txt", "test", conll_limit)
    fpb = fpb_documents(SHARED / "financial_phrasebank" / "fpb_test.csv", "test", None)
    scores = {}
    for name, predictor in predictors.items():
        ner, _ = score_predictor(predictor, conll)
        sent, _ = score_predictor(predictor, fpb)
        scores[name] = {"conll_test_f1": ner.ner_f1, "fpb_test_macro_f1": sent.sentiment_f1}
        print(f"{name}: CoNLL test F1 {ner.ner_f1:.4f}, FPB test macro-F1 {sent.sentiment_f1:.4f}", file=sys.stderr)
    return scores


def backends_table(speed: dict[str, tuple[float, float]], scores: dict[str, dict[str, float | None]]) -> list[str]:
    base, base_cpu = speed["PyTorch fp32"]
    ref = scores.get("PyTorch fp32", {})
    lines = ["| backend | texts/s | vs PyTorch fp32 | texts per CPU-s | vs PyTorch fp32 (CPU) | CoNLL test F1 "
             "| FPB test macro-F1 | F1 change (points, CoNLL / FPB) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, (tps, cpu_tps) in speed.items():
        s = scores.get(name, {})
        f1 = [s.get("conll_test_f1"), s.get("fpb_test_macro_f1")]
        cells = [f"{x:.4f}" if x is not None else "-" for x in f1]
        change = "-"
        if s and ref:
            change = " / ".join(f"{100 * (s[k] - ref[k]):+.2f}" for k in ("conll_test_f1", "fpb_test_macro_f1"))
        lines.append(f"| {name} | {tps:.1f} | {tps / base:.2f}x | {cpu_tps:.1f} | {cpu_tps / base_cpu:.2f}x | "
                     f"{cells[0]} | {cells[1]} | {change} |")
    return lines


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
    ap.add_argument("--no-pipelines", action="store_true", help="skip the Hugging Face pipeline baseline")
    ap.add_argument("--score", action="store_true", help="also F1 per backend on CoNLL test and FPB test "
                                                         "(for a trained --model)")
    ap.add_argument("--conll-limit", type=int, default=None, help="CoNLL test sentences scored (default all)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)

    if args.threads:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    texts, source = load_texts(args.texts)
    tmp = tempfile.TemporaryDirectory()
    folder = args.model or build_model_folder(args.encoder, Path(tmp.name) / "model", onnx=not args.no_onnx)
    if not args.no_onnx and not (folder / "model.onnx").is_file():
        raise SystemExit(f"{folder} has no model.onnx: export with --onnx or pass --no-onnx")

    predictors = backend_predictors(folder, args.device, threads, onnx=not args.no_onnx)
    speed = interleaved_texts_per_second(
        {name: (lambda t, p=p: p.predict(t, batch_size=args.batch_size)) for name, p in predictors.items()},
        texts, args.repeats)
    scores = test_scores(predictors, args.conll_limit) if args.score else {}
    model_name = folder if args.model else (args.encoder or "offline") + " encoder, random heads"
    print(f"\nBackends: {source}; batch {args.batch_size}; device {args.device}; {threads} CPU threads; "
          f"model {model_name}; median of {args.repeats} interleaved run(s); torch {torch.__version__}")
    print("\n".join([""] + backends_table(speed, scores)))
    if args.no_pipelines:
        if args.json:
            args.json.write_text(json.dumps({"source": source, "batch_size": args.batch_size, "device": args.device,
                                             "threads": threads, "repeats": args.repeats,
                                             "backends_texts_per_second": speed, "scores": scores}, indent=2))
        tmp.cleanup()
        return 0

    methods: dict[str, Callable[[list[str]], Any]] = {}
    token_pipe, text_pipe = hf_pipelines(folder, args.device, args.batch_size)
    methods["HF token-classification pipeline (NER only)"] = token_pipe
    methods["HF text-classification pipeline (sentiment only)"] = text_pipe
    torch_model = predictors["PyTorch fp32"]
    methods["mtl_studio.inference, PyTorch (both tasks)"] = lambda t: torch_model.predict(t, batch_size=args.batch_size)
    if not args.no_onnx:
        onnx_model = predictors["ONNX int8"]
        methods["mtl_studio.inference, ONNX Runtime int8 (both tasks)"] = \
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
                                         "texts_per_second": dict(rows), "backends_texts_per_second": speed,
                                         "scores": scores}, indent=2))
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
