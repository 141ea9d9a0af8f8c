"""Engine subcommands: train, evaluate, runs (here) and export-model, predict, pseudo-label (model_io.py).

`train` prints progress (commands/progress.py: in place on a terminal, a line every few seconds in a
log) and epoch scores on stderr, a summary and then the run id as the LAST line
of stdout (so `RUN=$(mtl-studio train P | tail -n 1)` works). Under torchrun only rank 0 prints.
Heavy imports (torch, transformers) happen inside the commands so `mtl-studio --help` stays fast.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported inside the commands at run time (see above)
    from mtl_studio.core.evaluate import EvalReport
    from mtl_studio.core.run_record import RunRecord

# Torch-free tables: the options are built from them, so `--help` stays fast.
from mtl_studio.core.budget import AUTO, MAX_EPOCHS, MAX_STEPS, MIN_STEPS
from mtl_studio.core.config import DEFAULT_PRESET, PRESET_TABLE, PRESETS, TrainConfig
from mtl_studio.core.strategies import STRATEGIES, hyper_parameters

# TrainConfig fields set by `train` options; every option's dest is the field name, so build_config
# can lay them over --config FILE (which the torchrun launcher writes with every field).
_FLOAT_OPTIONS = [
    ("--ner-weight", "ner_weight", "weight of the NER loss (alias of --weight ner=W)"),
    ("--sentiment-weight", "sentiment_weight", "weight of the sentiment loss (alias of --weight sentiment=W)"),
    ("--mlm-weight", "mlm_weight", "weight of the masked-token auxiliary loss (0 = off)"),
    ("--mlm-probability", "mlm_probability", "fraction of tokens masked for the auxiliary loss"),
    ("--silver-weight", "silver_weight", "weight of silver (pseudo) labels in training (0 = left out)"),
    ("--l2sp-weight", "l2sp_weight", "L2-SP pull toward the pretrained encoder weights (0 = off)"),
    ("--weight-decay", "weight_decay", "AdamW weight decay"),
    ("--warmup-ratio", "warmup_ratio", "fraction of steps with linear warm-up"),
    ("--max-grad-norm", "max_grad_norm", "gradient clipping norm"),
    ("--dropout", "dropout", "dropout of the heads"),
    ("--strategy-lr", "strategy_lr", "learning rate of learned task weights (uncertainty, gradnorm)"),
]
_INT_OPTIONS = [
    ("--batch-size", "batch_size", "documents per optimizer step (over all processes)"),
    ("--max-steps", "max_steps", "cap the run's optimizer steps (default: none for fixed --epochs, "
                                 f"{MAX_STEPS} for auto)"),
    ("--max-length", "max_length", "sub-word tokens per window (longer documents are windowed for NER)"),
    ("--seed", "seed", "random seed"),
    ("--patience", "early_stopping_patience", "early stopping: dev evaluations (one per epoch) without "
                                            "improvement (0 = off)"),
    ("--stalled-task-patience", "stalled_task_patience", "a joint run's task whose dev score has not improved "
                                                       "for N epochs while another still learns trains toward "
                                                       "its own best epoch's predictions (default "
                                                       f"{TrainConfig.stalled_task_patience}; 0 = off)"),
    ("--max-steps-per-epoch", "max_steps_per_epoch", "cap optimizer steps per epoch (0 = no cap)"),
    ("--conflict-every", "conflict_every", "gradient-conflict meter: the tasks' gradient cosine on the shared "
                                           f"encoder every N steps (default {TrainConfig.conflict_every}; 0 = off)"),
]


def register(sub: "argparse._SubParsersAction") -> None:
    register_engine(sub)
    register_export(sub)


def register_engine(sub: "argparse._SubParsersAction") -> None:
    """train, evaluate, runs."""
    p = sub.add_parser("train", help="train the shared encoder with a head per task on a project",
                       description="Train one shared encoder with a head per task the project declares (NER, "
                                   "entity sentiment, sentiment, further label sets) on its labelled documents. "
                                   "Prints the new run id as the last line.")
    p.add_argument("project", help="project file (.mtl)")
    add_config_options(p)
    p.add_argument("--resume", metavar="RUN_ID", help="continue a stopped or crashed run from its last checkpoint "
                                                      "(its own configuration is used)")
    p.add_argument("--export", metavar="OUT", help="also export the best model to folder OUT when the run ends")
    p.add_argument("--tensorboard", metavar="DIR", help="also log to TensorBoard (needs the tensorboard extra)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="scores of a run on a split (NER entity F1, sentiment P/R/F1)")
    p.add_argument("project")
    p.add_argument("--run", metavar="ID", help="run id (default: the latest run)")
    p.add_argument("--split", choices=["train", "dev", "test"], default="test")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--recompute", action="store_true",
                   help="always run the model (default: reuse the run's stored scores when the data is unchanged)")
    p.add_argument("--device", default="auto")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("runs", help="list the training runs of a project")
    p.add_argument("project")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_runs)


def add_config_options(p: argparse.ArgumentParser) -> None:
    """The TrainConfig options of `train` (also taken by `train-curve`); build_config reads them."""
    p.add_argument("--config", metavar="FILE", help="JSON run configuration (TrainConfig fields); options "
                                                     "given on the command line override it")
    p.add_argument("--preset", choices=list(PRESETS),
                   help="; ".join(f"{p.name}: {p.summary()}" + (" (default)" if p.name == DEFAULT_PRESET else "")
                                  for p in PRESET_TABLE))
    p.add_argument("--encoder", help="'offline' (bundled MiniLM), a Hugging Face model name, or a folder")
    p.add_argument("--tasks", type=_tasks, help="comma-separated task names to train (ner, entity_sentiment, "
                                              "sentiment, a label set's name); default every task the project "
                                              "declares; one name is a single-task baseline")
    p.add_argument("--weight", dest="weights", action="append", type=_task_weight, metavar="TASK=W",
                   help="weight of a task's loss (fixed strategy; initial weight otherwise); repeatable, e.g. "
                        "--weight ner=1 --weight topic=0.5 (a task without one: 0.5)")
    p.add_argument("--strategy", choices=list(STRATEGIES),
                   help=f"task weighting strategy (default {TrainConfig.strategy})")
    for flag, dest, text in _FLOAT_OPTIONS:
        p.add_argument(flag, dest=dest, type=float, help=text)
    for hp in hyper_parameters():
        p.add_argument(hp.option, dest=hp.field, type=float, help=f"{hp.help} (default {hp.default:g})")
    p.add_argument("--epochs", dest="epochs", type=auto_or(int), metavar="N|auto",
                   help=f"training epochs; auto (default): at least {MIN_STEPS} optimizer steps and the preset's "
                        f"epochs, at most {MAX_EPOCHS} epochs, with early stopping on dev (README 'Training budget')")
    p.add_argument("--lr", dest="learning_rate", type=auto_or(float), metavar="LR|auto",
                   help="learning rate; auto (default): by the encoder's width (MiniLM-size encoders higher, "
                        "BERT-base 3e-5)")
    for flag, dest, text in _INT_OPTIONS:
        p.add_argument(flag, dest=dest, type=int, help=text)
    p.add_argument("--pooling", choices=["mean", "cls"], help="sentence pooling for the sentiment head")
    p.add_argument("--device", help="auto (CUDA, then MPS, then CPU), cpu, cuda, cuda:N or mps")
    p.add_argument("--precision", choices=["auto", "fp32", "bf16", "fp16"], help="mixed precision (auto: bf16 "
                                                                                 "on a GPU that has it)")
    p.add_argument("--eval-each-epoch", dest="eval_each_epoch", action=argparse.BooleanOptionalAction,
                   default=None, help="evaluate on dev after each epoch (default on)")
    p.add_argument("--moments-per-kind", dest="moments_per_kind", action=argparse.BooleanOptionalAction,
                   default=None, help="on a partially labelled project, keep Adam's moments per label kind, so "
                                      "one task's gradients do not scale the other's steps (default on)")
    p.add_argument("--weight-soup", dest="weight_soup", action=argparse.BooleanOptionalAction, default=None,
                   help="at the end of a joint run, use the average of its best epochs' weights when it scores "
                        "higher on dev than the best epoch (default off)")
    p.add_argument("--trust-remote-code", dest="trust_remote_code", action=argparse.BooleanOptionalAction,
                   default=None, help="allow an encoder's own Python code from the hub (default off)")


def register_export(sub: "argparse._SubParsersAction") -> None:
    """export-model, predict, pseudo-label (implemented in commands/model_io.py)."""
    from mtl_studio.commands import model_io

    model_io.register(sub)


def auto_or(number: type):
    """An argparse type: 'auto' or a number of `number`'s type (also the benchmarks' --epochs / --lr)."""
    def parse(value: str):
        if value.strip().lower() == AUTO:
            return AUTO
        try:
            return number(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {AUTO} or a number, not {value!r}") from None
    parse.__name__ = f"{AUTO} or {number.__name__}"
    return parse


def _tasks(value: str) -> tuple[str, ...]:
    """Task names; whether the project declares them is checked against it (check_project_tasks)."""
    tasks = tuple(dict.fromkeys(t.strip() for t in value.split(",") if t.strip()))
    if not tasks:
        raise argparse.ArgumentTypeError(f"--tasks needs one or more comma-separated task names, not {value!r}")
    return tasks


def _task_weight(value: str) -> tuple[str, float]:
    task, sep, weight = value.partition("=")
    task = task.strip()
    try:
        w = float(weight)
    except ValueError:
        w = float("nan")
    if not sep or not task or not (w >= 0):
        raise argparse.ArgumentTypeError(f"expected TASK=W with a weight of 0 or more (e.g. ner=0.5), not {value!r}")
    return task, w


def check_project_tasks(project: str, config: Any) -> None:
    """ValueError naming the project's tasks when --tasks or --weight names a task it does not declare."""
    from mtl_studio.core.features import LabelMaps
    from mtl_studio.core.store import ProjectStore

    with ProjectStore.open(project) as store:
        declared = LabelMaps.from_store(store).task_names
    named = list(config.tasks) + list(config.task_weights)
    unknown = [t for t in dict.fromkeys(named) if t not in declared]
    if unknown:
        raise ValueError(f"unknown task(s) {', '.join(map(repr, unknown))}: the tasks of {project} are "
                         f"{', '.join(declared)}")


# ---- train -----------------------------------------------------------------------------------------

def build_config(args: argparse.Namespace) -> Any:
    """TrainConfig from defaults < --preset < --config FILE < explicit options."""
    values: dict[str, Any] = TrainConfig().to_dict()
    if args.preset:
        values.update(PRESETS[args.preset])
    if args.config:
        try:
            with open(args.config, encoding="utf-8") as f:
                loaded = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f"{args.config}: line {e.lineno}: invalid JSON: {e.msg}") from None
        if not isinstance(loaded, dict):
            raise ValueError(f"{args.config}: expected a JSON object of training options")
        values.update(loaded)
    fields = set(values)
    for name, value in vars(args).items():
        if name in fields and value is not None:
            values[name] = value
    weights = dict(values.get("task_weights") or {})
    for task, weight in getattr(args, "weights", None) or []:
        weights[task] = weight  # ner / sentiment move into ner_weight / sentiment_weight (TrainConfig)
    values["task_weights"] = weights
    config = TrainConfig.from_dict(values)
    config.validate()
    return config


def _resumed_config(project: str, run_id: str) -> Any:
    """The stored config of the run to resume: the engine picks its device before it reads the run, so
    the command line's options (device included) must not reach it."""
    from mtl_studio.core.store import ProjectStore

    with ProjectStore.open(project) as store:
        return TrainConfig.from_dict(store.get_run(run_id)["config"])  # KeyError names an unknown run


def _quiet_transformers() -> None:
    """Our own progress bar is enough: no per-file "Loading weights" bars from transformers."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:
        pass


def _is_main_process() -> bool:
    return int(os.environ.get("RANK", "0") or 0) == 0


def _fmt_losses(d: dict[str, float]) -> str:
    return " ".join(f"{k}={v:.3f}" for k, v in d.items())


def _epoch_line(ev: Any) -> str:
    from mtl_studio.core.evaluate import EvalReport

    parts = [f"epoch {ev.epoch} {ev.split}:"]
    report = EvalReport.from_dict(ev.metrics)
    if report.ner is not None:
        micro = report.ner.micro
        parts.append(f"NER F1 {micro.f1:.4f} (P {micro.precision:.4f} R {micro.recall:.4f})")
    if report.sentiment is not None:
        parts.append(f"sentiment macro-F1 {report.sentiment.macro.f1:.4f} acc {report.sentiment.accuracy:.4f}")
    entity = ev.metrics.get("entity_sentiment") or {}
    gold, e2e = _number(entity, "gold_spans", "accuracy"), _number(entity, "end_to_end", "micro", "f1")
    if gold is not None or e2e is not None:
        parts.append("entity sentiment" + (f" acc {gold:.4f}" if gold is not None else "")
                     + (f" end-to-end F1 {e2e:.4f}" if e2e is not None else ""))
    for name, scores in (ev.metrics.get("label_sets") or {}).items():
        value = _number(scores, "macro", "f1") or _number(scores, "micro", "f1")
        if value is not None:
            parts.append(f"{name} F1 {value:.4f}")
    if ev.is_best:
        parts.append("[best]")
    return " ".join(parts)


def _number(d: Any, *keys: str) -> float | None:
    """d[k1][k2]... when it is a number (a report dict's nested score), else None."""
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return float(d) if isinstance(d, (int, float)) and not isinstance(d, bool) else None


class _SigintStop:
    """First Ctrl-C: stop after the current step (checkpoint kept); second: abort at once."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.previous: Any = None

    def __enter__(self) -> "_SigintStop":
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if self.stop.is_set():
            raise KeyboardInterrupt
        self.stop.set()
        print("\nstopping after the current step (Ctrl-C again to abort)...", file=sys.stderr)

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _budget_line(project: str, config: Any) -> str | None:
    """The planned budget, said before the run starts (the engine plans it again from the encoded data);
    None when the encoder cannot be read or nothing can be trained: the engine then says why."""
    from mtl_studio.core.budget_preview import preview_budget
    from mtl_studio.core.errors import MtlStudioError
    from mtl_studio.core.store import ProjectStore

    try:
        with ProjectStore.open(project) as store:
            preview = preview_budget(store, config)
    except (MtlStudioError, OSError, ValueError):
        return None
    if not preview.train_documents:
        return None  # the engine's error says where the labelled documents are
    return f"{preview.describe()}; override with --epochs/--max-steps/--lr"


def _warn_language_fit(project: str, encoder: str | None) -> None:
    from mtl_studio.core.language_fit import project_warning

    warning = project_warning(project, encoder)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)


def cmd_train(args: argparse.Namespace) -> int:
    from mtl_studio.commands.progress import ProgressLine
    from mtl_studio.core.events import (EpochEvaluated, GradientConflict, LogMessage, RunFinished, RunStarted,
                                        StepProgress)
    from mtl_studio.core.event_channel import EventSender
    from mtl_studio.core.evaluate import format_report
    from mtl_studio.core.train import train

    if not os.path.exists(args.project):
        raise FileNotFoundError(f"no project at {args.project}")
    config = _resumed_config(args.project, args.resume) if args.resume else build_config(args)
    if not args.resume:
        check_project_tasks(args.project, config)
    _quiet_transformers()
    main = _is_main_process()
    if main and not args.resume:  # a resumed run keeps its encoder: nothing to choose any more
        _warn_language_fit(args.project, config.encoder)
    budget = _budget_line(args.project, config) if main and not args.resume else None
    if budget:
        print(budget, file=sys.stderr)
    sender = EventSender.from_env()  # progress to a parent GUI when started by it (rank 0 only)
    stop = sender.stop_event
    events = sender.forward(train(args.project, config, stop=stop, resume_run_id=args.resume))
    if args.tensorboard and main:
        from mtl_studio.core.tb_logging import TensorBoardWriter

        events = TensorBoardWriter(args.tensorboard).forward(events)
    progress: ProgressLine | None = None
    finished: RunFinished | None = None
    conflict = ""  # the meter's latest cosine on the progress line

    def say(text: str) -> None:
        if progress is not None:
            progress.write(text)
        else:
            print(text, file=sys.stderr)
    try:
        with _SigintStop(stop):
            for ev in events:
                if not main:
                    if isinstance(ev, RunFinished):
                        finished = ev
                    continue
                if isinstance(ev, RunStarted):
                    print(f"run {ev.run_id}: {ev.total_steps} steps on {ev.device} ({ev.precision}); training "
                          f"documents {ev.train_documents}", file=sys.stderr)
                    progress = ProgressLine("train", ev.total_steps, "steps")
                elif isinstance(ev, StepProgress):
                    if progress is not None:
                        progress.update(ev.step, total=ev.total_steps, eta_seconds=ev.eta_seconds,
                                        extra=f"epoch {ev.epoch} {_fmt_losses(ev.losses)} "
                                              f"w[{_fmt_losses(ev.weights)}] {ev.samples_per_second:.1f} doc/s"
                                              f"{conflict}")
                elif isinstance(ev, GradientConflict):
                    conflict = f" cos {ev.cosine:+.2f}"
                elif isinstance(ev, EpochEvaluated):
                    say(_epoch_line(ev))
                elif isinstance(ev, LogMessage):
                    say(f"{ev.level}: {ev.text}")
                elif isinstance(ev, RunFinished):
                    finished = ev
    finally:
        if progress is not None:
            progress.finish()
    if finished is None:
        raise RuntimeError("training ended without a result")
    if not main:
        return 0 if finished.status in ("completed", "early_stopped") else 1
    if finished.status == "failed":
        print(f"mtl-studio train: error: {finished.message}", file=sys.stderr)
        print(finished.run_id)
        return 1
    if finished.status == "stopped":
        print(finished.message, file=sys.stderr)
        print(finished.run_id)
        return 130
    for split in ("dev", "test"):
        if finished.metrics.get(split):
            print(format_report(finished.metrics[split]))
            print()
    if args.export:
        from mtl_studio.core.export import export_model

        out = export_model(args.project, finished.run_id, args.export)
        print(f"exported the best model to {out}", file=sys.stderr)
    soup = finished.metrics.get("soup_epochs")
    averaged = f" (weights of epochs {', '.join(map(str, soup))} averaged)" if soup else ""
    print(f"best epoch {finished.best_epoch}{averaged}; artefacts in {finished.artefact_dir}", file=sys.stderr)
    print(finished.run_id)
    return 0


# ---- evaluate ----------------------------------------------------------------------------------------

EVALUATE_CHUNK = 256  # documents predicted between two progress updates

def evaluate_run(project: str, run_id: str | None, split: str, *, recompute: bool = False,
                 device: str = "auto") -> tuple[RunRecord, EvalReport, str]:
    """(run record, report, source) for a run on a split; source is 'stored' or 'recomputed'.

    Stored scores are reused only when the project's data hash equals the run's (same gold labels)."""
    from mtl_studio.core.store import ProjectStore

    with ProjectStore.open(project) as store:
        run = store.run_record(run_id)
        stored = run.report(split)
        if stored is not None and not recompute and run.dataset_hash == store.dataset_hash():
            return run, stored, "stored"
        docs = list(store.iter_documents(split))
        report = _recompute(store, run, docs, split, device)
        return run, report, "recomputed"


def _recompute(store: Any, run: RunRecord, docs: list, split: str, device: str) -> EvalReport:
    from mtl_studio.core.artifacts import load_model_folder
    from mtl_studio.core.distributed import resolve_device
    from mtl_studio.commands.progress import ProgressLine
    from mtl_studio.core.evaluate import evaluate_predictions, predict_documents
    from mtl_studio.core.export import ExportError, run_model_folder
    from mtl_studio.core.features import LabelMaps
    from mtl_studio.core.training_data import trained_labels

    _quiet_transformers()
    try:
        folder = run_model_folder(run, store.path)
    except ExportError as e:  # a user-facing condition (run stopped early, folder moved): one line
        raise ExportError(f"cannot score run {run.id} on {split}: {e}") from None
    dev = resolve_device(device)
    loaded = load_model_folder(folder, device=str(dev))
    labels = LabelMaps.from_dict(loaded.labels)
    current = (list(store.entity_type_names()), list(store.sentiment_class_names()))
    project = trained_labels(LabelMaps.from_store(store), loaded.tasks)
    if (project.entity_sentiment_classes, project.label_sets) != (labels.entity_sentiment_classes, labels.label_sets):
        raise ValueError(f"the project's entity sentiment classes or label sets changed since run {run.id}; its "
                         "stored scores are the last valid ones (evaluate without --recompute)")
    if current != (list(labels.entity_types), list(labels.sentiment_classes)):
        raise ValueError(f"the project's labels changed since run {run.id} (model: {list(labels.entity_types)} / "
                         f"{list(labels.sentiment_classes)}, project: {current[0]} / {current[1]}); "
                         "its stored scores are the last valid ones (evaluate without --recompute)")
    if hasattr(store, "tasks"):  # the further tasks: the classes the model's heads were trained on
        project = LabelMaps.from_store(store)
        changed = [t for t in loaded.tasks if t not in ("ner", "sentiment") and
                   (project.entity_sentiment_classes != labels.entity_sentiment_classes if t == "entity_sentiment"
                    else t not in project.label_set_names or project.label_set(t).classes != labels.label_set(t).classes)]
        if changed:
            raise ValueError(f"the project's {', '.join(changed)} classes changed since run {run.id}; its stored "
                             "scores are the last valid ones (evaluate without --recompute)")
    max_length = int((loaded.run_config or {}).get("max_length") or 256)
    # Predicted a chunk at a time so that a long evaluation shows progress; scored once at the end.
    progress = ProgressLine("evaluate", len(docs), "documents")
    preds: list[Any] = []
    for start in range(0, len(docs), EVALUATE_CHUNK):
        chunk = predict_documents(loaded.model, loaded.tokenizer, labels, docs[start:start + EVALUATE_CHUNK],
                                  tasks=loaded.tasks, device=dev, max_length=max_length)
        assert chunk is not None  # no stop event: never None
        preds += chunk
        progress.update(len(preds))
    progress.finish()
    return evaluate_predictions(docs, preds, split=split, tasks=loaded.tasks, labels=labels)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from mtl_studio.core.evaluate import format_report

    run, report, source = evaluate_run(args.project, args.run, args.split, recompute=args.recompute,
                                       device=args.device)
    verdict = _verdict(args.project, run.id, args.split)
    if args.json:
        scores = report.to_dict()
        out = {"run": run.id, "split": args.split, "source": source, "ner": scores.get("ner"),
               "sentiment": scores.get("sentiment"), "entity_sentiment": scores.get("entity_sentiment"),
               "label_sets": scores.get("label_sets") or {}, "task_f1": report.task_f1(), "score": scores["score"]}
        if verdict is not None:
            out["verdict"] = verdict.to_dict()
        print(json.dumps(out, indent=2))
        return 0
    print(f"run {run.id} ({run.status}), split {args.split}, {source} scores")
    print(format_report(report))
    if verdict is not None:
        print()
        print(verdict.sentence)
    return 0


def _verdict(project: str, run_id: str, split: str) -> Any:
    """The joint run against its single-task baselines (core/verdict.py), or None without baselines."""
    from mtl_studio.core.store import ProjectStore
    from mtl_studio.core.verdict import verdict_for_run

    with ProjectStore.open(project) as store:
        return verdict_for_run(store, run_id, split=split)


# ---- runs ----------------------------------------------------------------------------------------------

def _run_summary(run: RunRecord) -> dict[str, Any]:
    cfg = run.config
    conflict = run.gradient_conflict
    scored = run.scored_report()  # the best model's scores: test when there are some
    return {
        "id": run.id, "created_at": run.created_at, "status": run.status,
        "tasks": run.metrics.get("tasks") or cfg.get("tasks"), "strategy": cfg.get("strategy"),
        "encoder": cfg.get("encoder"), "epochs": cfg.get("epochs"), "best_epoch": run.best_epoch,
        "soup_epochs": run.soup_epochs,
        "ner_f1": scored.ner.f1 if scored is not None and scored.ner is not None else None,
        "sentiment_macro_f1": scored.sentiment.f1 if scored is not None and scored.sentiment is not None else None,
        # every scored task's figure, the further tasks included (EvalReport.task_f1)
        "task_f1": scored.task_f1() if scored is not None else {},
        "scored_on": scored.split if scored is not None else None, "dataset_hash": run.dataset_hash,
        "artefact_dir": run.artefact_dir, "message": run.message,
        "conflict_mean_cosine": conflict.mean_cosine if conflict is not None else None,
        "conflict_negative_share": conflict.negative_share if conflict is not None else None,
    }


def cmd_runs(args: argparse.Namespace) -> int:
    from mtl_studio.core.store import ProjectStore

    with ProjectStore.open(args.project) as store:
        runs = store.run_records()
    if args.json:
        print(json.dumps([{**_run_summary(r), "config": r.config, "metrics": r.metrics} for r in runs],
                         indent=2))
        return 0
    if not runs:
        print("no runs yet: mtl-studio train " + args.project)
        return 0
    import pandas as pd

    rows = [_run_summary(r) for r in runs]
    df = pd.DataFrame(rows, columns=["id", "status", "tasks", "strategy", "epochs", "best_epoch", "ner_f1",
                                     "sentiment_macro_f1", "scored_on", "conflict_mean_cosine",
                                     "conflict_negative_share"])
    df = df.rename(columns={"conflict_mean_cosine": "grad_cos", "conflict_negative_share": "cos<0"})
    df["tasks"] = df["tasks"].map(lambda t: ",".join(t) if isinstance(t, (list, tuple)) else t)
    for col in ("epochs", "best_epoch"):
        df[col] = df[col].map(lambda x: "-" if x is None or pd.isna(x) else int(x))  # no 1.0 / <NA>
    print(df.to_string(index=False, na_rep="-", float_format=lambda x: f"{x:.4f}"))
    return 0
