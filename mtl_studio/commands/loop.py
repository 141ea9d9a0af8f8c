"""Model-in-the-loop subcommands: suggest, queue, train-curve.

    mtl-studio suggest project.mtl [--run RUN | --model DIR] [--split train] [--limit N]
    mtl-studio queue project.mtl --strategy joint --top 20 [--json]
    mtl-studio train-curve project.mtl [--fractions 0.25,0.5,0.75,1] [--json]

suggest stores a model's predictions as suggestions (shown in the studio's editor, accepted or rejected
there); queue prints the documents most useful to label next, scoring the unlabelled pool first when the
model has no stored scores (progress on stderr); train-curve trains on growing shares of the labelled
training documents and prints the dev score per task.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from mtl_studio.core.active_learning import NER_MEASURES, SENTIMENT_MEASURES, STRATEGIES

SPLIT_CHOICES = ("train", "dev", "test")


def register(sub: "argparse._SubParsersAction") -> None:
    p = sub.add_parser("suggest", help="store a trained model's suggestions for documents lacking gold labels",
                       description="Predict the documents that lack gold labels for a task and store the predictions "
                                   "as suggestions (provenance 'predicted', with the run and confidence). The studio "
                                   "shows them in the editor to accept or reject; they are never gold until "
                                   "accepted. A later run's suggestions replace them.")
    p.add_argument("project", help="project file")
    _model_options(p)
    p.add_argument("--split", action="append", choices=SPLIT_CHOICES,
                   help="only documents of this split (repeatable; default all)")
    p.add_argument("--limit", type=int, help="at most N documents (the first ones in id order)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_suggest)

    p = sub.add_parser("queue", help="the documents most useful to label next (active learning)",
                       description="Order the documents lacking gold labels by an active-learning strategy and print "
                                   "the top ones with their scores. Model strategies use the run's stored scores, "
                                   "scoring the pool first when there are none (or with --rescore).")
    p.add_argument("project", help="project file")
    p.add_argument("--strategy", choices=STRATEGIES, default="joint", help="default joint")
    p.add_argument("--top", type=int, default=20, help="how many documents to print (default 20)")
    _model_options(p)
    p.add_argument("--split", action="append", choices=SPLIT_CHOICES,
                   help="pool: documents of this split (repeatable; default train)")
    p.add_argument("--ner-measure", choices=NER_MEASURES, default="mnlp",
                   help="NER uncertainty: mnlp (length-normalised sequence confidence, default) or entropy")
    p.add_argument("--sentiment-measure", choices=SENTIMENT_MEASURES, default="entropy",
                   help="sentiment uncertainty: entropy (default) or margin")
    p.add_argument("--rescore", action="store_true", help="score the pool again even when scores are stored")
    p.add_argument("--seed", type=int, default=13, help="seed of the random strategy (default 13)")
    p.add_argument("--json", action="store_true", help="print a JSON list of {id, score, needs, preview}")
    p.set_defaults(func=cmd_queue)

    from mtl_studio.commands.engine import add_config_options

    p = sub.add_parser("train-curve", help="train on 25/50/75/100%% of the labelled documents: will more labels help?",
                       description="Train one run per fraction of the labelled training documents (nested, seeded "
                                   "subsets; the same settings) on scratch copies of the project and print the dev "
                                   "score per task against the number of labelled documents. The project's own "
                                   "runs are not touched.")
    p.add_argument("project", help="project file")
    p.add_argument("--fractions", default="0.25,0.5,0.75,1", help="comma-separated fractions in (0, 1]")
    p.add_argument("--json", action="store_true", help="print the curve as JSON")
    add_config_options(p)
    p.set_defaults(func=cmd_train_curve)


def _model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--run", help="run id (default: the latest run with a saved model)")
    p.add_argument("--model", help="an exported model folder instead of a run of this project")
    p.add_argument("--batch-size", type=int, default=32, help="documents per forward pass (default 32)")
    p.add_argument("--device", default="cpu", help="cpu (default), cuda, cuda:N, mps or auto")


def _which_model(args: argparse.Namespace) -> str | None:
    if args.run and args.model:
        raise ValueError("give --run or --model, not both")
    if args.model:
        from mtl_studio.core.artifacts import read_folder_metadata

        read_folder_metadata(args.model)  # a missing folder is named as such, not looked up as a run id
    return args.model or args.run


# ---- suggest -------------------------------------------------------------------------------------

def cmd_suggest(args: argparse.Namespace) -> int:
    from mtl_studio.commands.progress import ProgressLine
    from mtl_studio.core.store import ProjectStore
    from mtl_studio.core.suggestions import suggest

    which = _which_model(args)
    progress = ProgressLine("suggest", None, "documents")
    with ProjectStore.open(args.project) as store:
        try:
            report = suggest(store, which, splits=args.split, limit=args.limit, device=args.device,
                             batch_size=args.batch_size,
                             progress=lambda done, total: progress.update(done, total=total))
        finally:
            progress.finish()
    if args.json:
        print(json.dumps(report.__dict__, indent=2, ensure_ascii=False))
    else:
        print(report.describe())
    return 0


# ---- queue ---------------------------------------------------------------------------------------

def cmd_queue(args: argparse.Namespace) -> int:
    from mtl_studio.core import active_learning as al
    from mtl_studio.core.store import ProjectStore

    if args.top < 1:
        raise ValueError("--top must be at least 1")
    which = _which_model(args)
    splits = args.split or ["train"]
    with ProjectStore.open(args.project) as store:
        run_id = _scored_run(store, args, which, splits)
        entries = al.queue(store, args.strategy, run_id=run_id, top=args.top, splits=splits, seed=args.seed)
    if args.json:
        print(json.dumps([{"id": e.id, "score": e.score, "needs": list(e.needs), "preview": e.preview}
                          for e in entries], indent=2, ensure_ascii=False))
        return 0
    source = f"run {run_id}" if run_id else "no model (random order)"
    print(f"{args.strategy}: the next {len(entries)} document(s) to label ({source})", file=sys.stderr)
    for rank, e in enumerate(entries, 1):
        preview = e.preview.replace("\n", " ")
        print(f"{rank:>4}  #{e.id:<7} {e.score:.4f}  {'+'.join(e.needs):<13} {preview[:80]}")
    return 0


def _scored_run(store: Any, args: argparse.Namespace, which: str | None, splits: list[str]) -> str | None:
    """The run whose stored scores the queue reads; scores the pool first when they are missing.
    None: random order without a model (the project has no trained model yet)."""
    from mtl_studio.commands.progress import ProgressLine
    from mtl_studio.core import active_learning as al
    from mtl_studio.core.document_predictions import load_model

    try:
        model = load_model(store, which, device=args.device)
    except KeyError:
        if which is None and args.strategy == al.RANDOM:
            return None  # no model at all: random needs none
        raise
    if not args.rescore and model.run_id in store.scored_run_ids():
        return model.run_id
    options = al.ScoringOptions(ner_measure=args.ner_measure, sentiment_measure=args.sentiment_measure,
                                seed=args.seed)
    progress = ProgressLine("score", None, "documents")
    try:
        for event in al.score_pool(store, model, splits=splits, options=options, batch_size=args.batch_size):
            if isinstance(event, al.ScoringProgress):
                progress.update(event.done, total=event.total)
    finally:
        progress.finish()
    return model.run_id


# ---- train-curve ---------------------------------------------------------------------------------

def cmd_train_curve(args: argparse.Namespace) -> int:
    import os

    from mtl_studio.commands.engine import _quiet_transformers, build_config
    from mtl_studio.commands.progress import ProgressLine
    from mtl_studio.core.events import StepProgress
    from mtl_studio.core.learning_curve import CurveFinished, CurvePointDone, CurveTraining, learning_curve, \
        parse_fractions

    if not os.path.exists(args.project):
        raise FileNotFoundError(f"no project at {args.project}")
    fractions = parse_fractions(args.fractions)
    config = build_config(args)
    _quiet_transformers()
    progress: ProgressLine | None = None
    curve = None
    try:
        for event in learning_curve(args.project, config, fractions):
            if isinstance(event, CurveTraining) and isinstance(event.event, StepProgress):
                if progress is None:
                    progress = ProgressLine(f"train-curve {event.fraction:.0%} ({event.documents} documents)",
                                            event.event.total_steps, "steps")
                progress.update(event.event.step, total=event.event.total_steps)
            elif isinstance(event, CurvePointDone):
                if progress is not None:
                    progress.finish()
                    progress = None
                scores = ", ".join(f"{t} {v:.4f}" if v is not None else f"{t} –" for t, v in event.point.dev.items())
                print(f"{event.point.fraction:.0%} ({event.point.documents} documents): dev {scores}", file=sys.stderr)
            elif isinstance(event, CurveFinished):
                curve = event.curve
    finally:
        if progress is not None:
            progress.finish()
    assert curve is not None
    if args.json:
        print(json.dumps(curve.to_dict(), indent=2, ensure_ascii=False))
    else:
        print("\n".join(curve.table()))
    return 130 if curve.cancelled else 0
