"""Model subcommands: export-model, predict, pseudo-label (registered by commands/engine.py).

    mtl-studio export-model project.mtl RUN_ID out/ [--onnx]
    mtl-studio predict out/ texts.txt > predictions.jsonl          # txt, JSONL or CSV input
    mtl-studio pseudo-label project.mtl --run RUN_ID --threshold 0.9

predict needs only the model folder (no project); it prints one JSON object per input text. It streams
(constant memory on any input size), takes the fastest backend the folder has, continues an interrupted
`-o OUT`, reports progress on stderr and, under torchrun, splits the input over the ranks
(core/predict_stream.py).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from mtl_studio.core.inference import BACKENDS

INPUT_FORMATS = ("txt", "jsonl", "csv", "tsv")
CSV_CHUNK = 1024  # rows pandas reads at a time


def register(sub: "argparse._SubParsersAction") -> None:
    p = sub.add_parser(
        "export-model", help="export a run's best model as a folder usable without the studio",
        description="Write the best checkpoint of a run to OUT: safetensors weights, encoder config, tokenizer, "
                    "labels.json, mtl_config.json and a model card (README.md with data counts, config and "
                    "metrics). Load it with mtl_studio.inference or `mtl-studio predict`. OUT must be new, empty "
                    "or an earlier export (which is replaced).")
    p.add_argument("project", help="project file")
    p.add_argument("run_id", help="run id (see `mtl-studio runs`), or 'latest'")
    p.add_argument("out", help="output folder")
    p.add_argument("--onnx", action="store_true",
                   help="also write model.onnx (every head; with entity sentiment also model.entity_sentiment.onnx) "
                        "and check it matches PyTorch (needs onnxruntime)")
    p.add_argument("--int8", action="store_true",
                   help="also write model.int8.onnx (dynamic int8 quantization, implies --onnx) and score it "
                        "against the fp32 model on the project's dev split; the difference goes in the model card")
    p.set_defaults(func=cmd_export_model)

    p = sub.add_parser(
        "predict", help="predict entities and sentiment for texts with an exported model",
        description="Read texts (txt: one per line; JSONL: a \"text\" field or --text-column, or a JSON string per "
                    "line; CSV/TSV: the text column) and print one JSON object per text: entities with "
                    "character offsets, label, text and score (with entity sentiment: each entity's \"sentiment\" label and "
                    "probabilities); sentiment with class probabilities; \"label_sets\": per further document label "
                    "set its \"labels\" and \"probabilities\" (docs/cli.md).")
    p.add_argument("model", help="model folder (from export-model, or a run's checkpoint folder)")
    p.add_argument("input", help="input file, or - for standard input (txt or jsonl)")
    p.add_argument("--format", choices=INPUT_FORMATS, help="input format (default: from the extension; txt)")
    p.add_argument("--text-column", help="JSONL field / CSV column holding the text (default: text, sentence, ...)")
    p.add_argument("--output", "-o", help="write predictions here instead of standard output; an earlier "
                                          "interrupted prediction output there is continued (its lines are skipped)")
    p.add_argument("--no-resume", dest="resume", action="store_false",
                   help="start --output over instead of continuing an earlier prediction output")
    p.add_argument("--force", action="store_true",
                   help="overwrite the --output file even when it is not an earlier prediction output")
    p.add_argument("--batch-size", type=int, default=32, help="texts per forward pass (default 32)")
    p.add_argument("--backend", choices=BACKENDS, default="auto",
                   help="auto (default: the fastest the folder has: int8 ONNX, ONNX, PyTorch), torch, onnx "
                        "(model.onnx) or onnx-int8 (model.int8.onnx)")
    p.add_argument("--device", default="cpu", help="cpu (default), cuda, cuda:N, mps or auto")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser(
        "pseudo-label", help="add silver labels from a trained model where gold labels are missing",
        description="For each document without gold labels for a task, predict it with a trained model and "
                    "store the prediction as a silver label when the model is confident (sentiment: class "
                    "probability >= threshold; NER: every word's tag probability >= threshold). Silver labels "
                    "record the run and confidence; training uses them only with --silver-weight > 0 and "
                    "evaluation never does.")
    p.add_argument("project", help="project file")
    p.add_argument("--run", help="run id (default: the latest run with a saved model)")
    p.add_argument("--model", help="a model folder instead of a run of this project")
    p.add_argument("--tasks", default="ner,sentiment", help="tasks to label, comma-separated (default ner,sentiment)")
    p.add_argument("--threshold", type=float, default=0.9, help="confidence threshold in [0, 1] (default 0.9)")
    p.add_argument("--split", action="append", choices=("train", "dev", "test"),
                   help="only documents of this split (repeatable; default all)")
    p.add_argument("--keep-previous", action="store_true",
                   help="keep earlier silver labels and skip those documents (default: replace them)")
    p.add_argument("--batch-size", type=int, default=32, help="documents per forward pass (default 32)")
    p.add_argument("--device", default="cpu", help="cpu (default), cuda, cuda:N, mps or auto")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_pseudo_label)


# ---- export-model --------------------------------------------------------------------------------

def cmd_export_model(args: argparse.Namespace) -> int:
    from mtl_studio.core.export import export_model

    run_id = None if args.run_id == "latest" else args.run_id
    out = export_model(args.project, run_id, args.out, onnx=args.onnx, int8=args.int8)  # ExportError: cli.main
    print(f"exported model to {out}" + (" (with model.onnx, checked against PyTorch)" if args.onnx or args.int8
                                        else ""))
    if args.int8:
        _print_int8_check(out)
    return 0


def _print_int8_check(folder: Path) -> None:
    from mtl_studio.core.artifacts import read_folder_metadata

    check = read_folder_metadata(folder)[1].get("onnx_int8") or {}
    diff = check.get("difference_points") or {}
    if not check.get("dev_documents"):
        print("model.int8.onnx written; not checked (the project has no labelled dev documents)")
        return
    names = {"ner_f1": "NER F1", "sentiment_f1": "sentiment macro-F1"}
    # The further tasks are stored as "<task>_f1" (entity_sentiment_f1, one per label set).
    parts = [f"{names.get(key, key[:-3] + ' F1')} {check['fp32'][key]:.4f} -> {check['int8'][key]:.4f} "
             f"({diff[key]:+.2f} points)" for key in diff]
    print(f"model.int8.onnx checked on {check['dev_documents']} dev documents: " + "; ".join(parts))


# ---- predict -------------------------------------------------------------------------------------

def _detect_format(path: str, given: str | None) -> str:
    if given:
        return given
    suffix = Path(path).suffix.lower()
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "tsv"}.get(suffix, "txt")


def _open_input(path: str) -> TextIO:
    if path == "-":
        return sys.stdin
    if not Path(path).is_file():
        raise FileNotFoundError(f"no input file {path}")
    return open(path, encoding="utf-8-sig", newline="")


def _text_field(record: dict[str, Any], column: str | None, where: str) -> str:
    from mtl_studio.core.formats.tabular import TEXT_NAMES

    names = [column] if column else list(TEXT_NAMES)
    for name in names:
        if name in record:
            value = record[name]
            if not isinstance(value, str):
                raise ValueError(f"{where}: field {name!r} is not a string")
            return value
    raise ValueError(f"{where}: no text field (looked for {', '.join(names)}); name it with --text-column")


def iter_texts(path: str, fmt: str, text_column: str | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(text, fields to copy into the output) per input record, streamed."""
    name = "<stdin>" if path == "-" else path
    if fmt == "txt":
        f = _open_input(path)
        try:
            for line in f:
                yield line.rstrip("\r\n"), {}
        finally:
            if f is not sys.stdin:
                f.close()
    elif fmt == "jsonl":
        f = _open_input(path)
        try:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as e:
                    raise ValueError(f"{name}:{lineno}: invalid JSON: {e.msg}") from None
                if isinstance(record, str):
                    yield record, {}
                elif isinstance(record, dict):
                    extra = {"id": record["id"]} if "id" in record else {}
                    yield _text_field(record, text_column, f"{name}:{lineno}"), extra
                else:
                    raise ValueError(f"{name}:{lineno}: expected an object or a string")
        finally:
            if f is not sys.stdin:
                f.close()
    elif fmt in ("csv", "tsv"):
        import pandas as pd

        from mtl_studio.core.formats.tabular import TEXT_NAMES, find_column

        if path == "-":
            raise ValueError("CSV input must be a file")
        _open_input(path).close()
        frames = pd.read_csv(path, sep="," if fmt == "csv" else "\t", dtype=str, keep_default_na=False,
                             na_values=[], encoding="utf-8-sig", chunksize=CSV_CHUNK)
        column: str | None = None
        for frame in frames:
            if column is None:
                cols = [str(c) for c in frame.columns]
                column = find_column(cols, text_column, TEXT_NAMES)
                if column is None and not text_column and len(cols) == 1:
                    column = cols[0]
                if column is None:
                    raise ValueError(f"{name}: no text column (columns: {', '.join(map(str, cols))}); "
                                     "name it with --text-column")
            id_col = next((c for c in frame.columns if str(c).lower() == "id"), None)
            for i, text in enumerate(frame[column].tolist()):
                yield text, ({"id": frame[id_col].iloc[i]} if id_col is not None else {})
    else:
        raise ValueError(f"unknown input format {fmt!r}")


def count_texts(path: str, fmt: str) -> int | None:
    """How many texts a txt or JSONL file holds (one per line; JSONL skips blank lines), for the
    progress total; None where a cheap count is impossible (standard input, CSV with quoted newlines)."""
    if path == "-" or fmt not in ("txt", "jsonl") or not Path(path).is_file():
        return None
    with open(path, "rb") as f:
        if fmt == "txt":
            return sum(1 for _ in f)
        return sum(1 for line in f if line.strip())


class _PredictProgress:
    """core.predict_stream reports (written, skipped); the CLI draws it as every command's progress line
    (commands.progress: in place on a terminal, a line every few seconds in a log)."""

    def __init__(self, total: int | None) -> None:
        self.label = "predict"  # predict_stream names the rank here under torchrun
        self._total = total
        self._line: Any = None

    def update(self, written: int, skipped: int) -> None:
        if self._line is None:
            from mtl_studio.commands.progress import ProgressLine

            self._line = ProgressLine(self.label, self._total, "texts")
        self._line.update(written + skipped)

    def finish(self) -> None:
        if self._line is not None:
            self._line.finish()


def cmd_predict(args: argparse.Namespace) -> int:
    import itertools

    import mtl_studio.inference as inference
    from mtl_studio.core import predict_stream as stream

    if args.batch_size < 1:
        raise ValueError("--batch-size must be at least 1")
    if args.output:  # before the model is loaded: never through a link, onto a device or over a foreign file
        stream.check_prediction_output(args.output, force=args.force)
    resume = args.resume and not args.force  # --force: start over (args stay as the user gave them)
    world = int(os.environ.get("WORLD_SIZE", "1") or 1)
    if world > 1 and not args.output:
        raise ValueError("under torchrun, give --output: each rank writes a part and rank 0 merges them")
    fmt = _detect_format(args.input, args.format)
    records = iter_texts(args.input, fmt, args.text_column)
    first = next(records, None)  # input errors show before the model is loaded
    records = itertools.chain([first] if first is not None else [], records)
    progress = _PredictProgress(count_texts(args.input, fmt) if world == 1 else None)
    if world > 1:
        from mtl_studio.core.distributed import init_distributed

        ctx = init_distributed(args.device)
        try:
            model = inference.load(args.model, device=str(ctx.device), backend=args.backend)
            progress.label = f"predict rank {ctx.rank}/{world}"
            result = stream.predict_distributed(model, records, args.output, ctx, resume=resume,
                                                batch_size=args.batch_size, progress=progress)
        finally:
            ctx.close()
    else:
        model = inference.load(args.model, device=args.device, backend=args.backend)
        if args.output:
            result = stream.predict_to_file(model, records, args.output, resume=resume,
                                            batch_size=args.batch_size, progress=progress)
        else:
            result = stream.predict_records(model, records, sys.stdout, batch_size=args.batch_size,
                                            progress=progress)
    progress.finish()
    if args.output:
        resumed = f" after {result.skipped} already there" if result.skipped else ""
        print(f"wrote {result.written} predictions to {args.output}{resumed} ({model.backend_name}, "
              f"{result.texts_per_second:.0f} texts/s)", file=sys.stderr)
    return 0


# ---- pseudo-label --------------------------------------------------------------------------------

def cmd_pseudo_label(args: argparse.Namespace) -> int:
    from mtl_studio.commands.progress import ProgressLine
    from mtl_studio.core.pseudo_label import pseudo_label
    from mtl_studio.core.store import ProjectStore

    if args.run and args.model:
        raise ValueError("give --run or --model, not both")
    if args.model:
        from mtl_studio.core.artifacts import read_folder_metadata

        # A folder that is missing or not a model is named as such, not looked up as a run id.
        read_folder_metadata(args.model)
    tasks = tuple(t.strip() for t in args.tasks.split(",") if t.strip())
    progress = ProgressLine("pseudo-label", None, "documents")
    with ProjectStore.open(args.project) as store:
        try:
            report = pseudo_label(store, args.model or args.run, tasks=tasks, threshold=args.threshold,
                                  replace=not args.keep_previous, splits=args.split, batch_size=args.batch_size,
                                  device=args.device, progress=lambda done, total: progress.update(done, total=total))
        finally:
            progress.finish()
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print("\n".join(report.describe()))
    return 0
