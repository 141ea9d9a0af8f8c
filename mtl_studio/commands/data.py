"""Data subcommands: new, import, export, stats.

    mtl-studio new project.mtl
    mtl-studio import project.mtl conll2003/valid.txt          # format detected; dev: train.txt lies beside it
    mtl-studio import project.mtl fpb_dev.csv --split-rule random   # a lone file: seeded 80/10/10
    mtl-studio import project.mtl reviews.csv --text-column body --label-column stars --split train
    mtl-studio export project.mtl out.conll --format conll
    mtl-studio stats project.mtl --json

Import errors are printed one per line as FILE:LINE: what is wrong, and nothing is imported.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mtl_studio.core.formats import EXPORT_EXTENSIONS, EXPORT_FORMATS, READERS
from mtl_studio.core.splits import SPLIT_RULES

SPLIT_CHOICES = ("train", "dev", "test")


def register(sub: "argparse._SubParsersAction") -> None:
    p = sub.add_parser("new", help="create an empty project file",
                       description="Create an empty project (one SQLite file). Labels are added by imports "
                                   "or in the studio.")
    p.add_argument("project", help="path of the new project file, e.g. news.mtl")
    p.add_argument("--entity-types", default="", metavar="A,B", help="entity types to start with, e.g. PER,ORG,LOC")
    p.add_argument("--sentiment-classes", default="", metavar="A,B",
                   help="sentiment classes to start with, e.g. negative,neutral,positive")
    p.add_argument("--split-seed", type=int, default=None, help="seed of the train/dev/test assignment (default 13)")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser(
        "import", help="import documents and annotations from a file or a folder of .txt files",
        description="Import a file into a project: CoNLL/column files (IOB1, IOB2, BIOES/BMES; "
                    "character-per-line Chinese too), JSONL/JSON (own format, doccano, Label Studio, SEntFiN), "
                    "CSV/TSV/Excel, plain text (one document per line) or a folder of .txt files. The format is "
                    "detected from the content and the extension. All or nothing: a file with any error imports "
                    "nothing and every problem is printed as FILE:LINE: what.\n\n"
                    "Splits (--split-rule; the report names the rule it used):\n"
                    "  auto        the file's split field; else the file name (train*, dev*/valid*, test*) when\n"
                    "              the file is one of a set (a train* file beside it, or training documents in\n"
                    "              the project); else seeded random 80/10/10. A lone valid.txt is split 80/10/10.\n"
                    "  file-field  the file's split field; seeded random 80/10/10 where a document has none\n"
                    "  file-name   the split the file name names, for every document\n"
                    "  random      seeded random 80/10/10 (seed: the project's split seed)\n"
                    "  all-train   every document in train\n"
                    "--split NAME puts every document in NAME. `mtl-studio split` re-splits later.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("project", help="project file (create it with `mtl-studio new`)")
    p.add_argument("file", help="file to import, or a folder of .txt files")
    p.add_argument("--format", help=", ".join(READERS) + " (default: detected; a file in no known format is refused)")
    p.add_argument("--split", choices=SPLIT_CHOICES, help="put every document of the file in this split")
    p.add_argument("--split-rule", choices=SPLIT_RULES, default="auto",
                   help="how documents get their split when --split is not given (default auto; see above)")
    p.add_argument("--text-column", help="CSV/TSV/Excel column holding the text (default: text, sentence, "
                                         "content, review, text_a, ...)")
    p.add_argument("--label-column", help="CSV/TSV/Excel column holding the sentiment label (default: sentiment, "
                                          "label, polarity, ...)")
    p.add_argument("--tag-column", type=int, metavar="N",
                   help="CoNLL column holding the tag, counted from 1 (negative counts from the end; "
                        "default: the last column)")
    p.add_argument("--scheme", choices=("iob1", "iob2", "bioes"),
                   help="CoNLL tag scheme (default: detected; BMES and BILOU count as bioes)")
    p.add_argument("--add-labels", dest="add_labels", action="store_true", default=True,
                   help="add unknown entity types and sentiment classes to the project (default)")
    p.add_argument("--no-add-labels", dest="add_labels", action="store_false",
                   help="treat a label the project does not know as an error")
    p.add_argument("--skip-duplicates", action="store_true",
                   help="leave out texts already in the project or earlier in the file (default: import and warn)")
    p.add_argument("--encoding", default="utf-8", help="text encoding of the file (default utf-8; e.g. latin-1, gbk)")
    p.add_argument("--json", action="store_true", help="print the import report as JSON")
    p.add_argument("--quiet", "-q", action="store_true", help="print warnings only as counts")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="write documents and annotations to CoNLL, JSONL, CSV, Label Studio, "
                                      "FinEntity or ABSA XML",
                       description="Export gold annotations (add model annotations with --include). CoNLL: IOB2, "
                                   "`token tag` lines, a blank line between documents, only documents labelled for "
                                   "NER, with their stored tokens. JSONL: MTL Studio's own format (imports back "
                                   "losslessly). CSV: text, sentiment, split, entities as JSON, a column per label set. "
                                   "label-studio / finentity / absa (SemEval-2014 XML): entities with their "
                                   "polarity (docs/formats.md).")
    p.add_argument("project", help="project file")
    p.add_argument("out", help="output file")
    p.add_argument("--format", choices=EXPORT_FORMATS, default=None,
                   help="output format (default: from the extension of OUT: " +
                        ", ".join(f"{ext} {fmt}" for ext, fmt in EXPORT_EXTENSIONS.items()) + ")")
    p.add_argument("--include", default="", metavar="silver,predicted",
                   help="also export model annotations of these sources")
    p.add_argument("--split", choices=SPLIT_CHOICES, help="export only this split")
    p.add_argument("--force", action="store_true", help="overwrite OUT when it exists")
    p.add_argument("--raw-cells", action="store_true",
                   help="CSV: write cells as they are; by default a cell beginning with =, +, -, @, tab or "
                        "carriage return is prefixed with ' so that spreadsheets show it as text, not run it")
    p.add_argument("--json", action="store_true", help="print the export summary as JSON")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("stats", help="count documents, entities and sentiment labels per split and task",
                       description="Counts per split and task: documents, NER-labelled documents, entities per "
                                   "type, sentiment labels per class, entity sentiment per class, labels per "
                                   "document label set, documents per source file.")
    p.add_argument("project", help="project file")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_stats)


def _open(path: str):  # type: ignore[no-untyped-def]
    from mtl_studio.core.store import ProjectStore

    store = ProjectStore.open(path)
    if store.read_only:
        print(f"note: {store.read_only_notice}", file=sys.stderr)
    store.on_wait = _say_waiting  # a write held up by another writer says so every second
    return store


def _say_waiting(seconds: float) -> None:
    print(f"waiting for another writer (an import, the studio) to finish... {seconds:.0f} s", file=sys.stderr)


def cmd_new(args: argparse.Namespace) -> int:
    from mtl_studio.core.store import ProjectStore
    from mtl_studio.core.store_files import remove_project_files

    store = ProjectStore.create(args.project)  # a name too long or a full disk: an error, no file left
    try:
        with store.bulk():
            if args.split_seed is not None:
                store.set_meta("split_seed", str(args.split_seed))
            for name in filter(None, (n.strip() for n in args.entity_types.split(","))):
                store.add_entity_type(name)
            for name in filter(None, (n.strip() for n in args.sentiment_classes.split(","))):
                store.add_sentiment_class(name)
    except BaseException:
        # A bad label name: leave no half-made project behind, so the corrected command can run.
        store.close()
        remove_project_files(args.project)
        raise
    store.close()
    print(f"created {args.project}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from mtl_studio.core.formats import ImportFailed, ImportOptions, import_file

    options = ImportOptions(format=args.format, split=args.split, split_rule=args.split_rule,
                            text_column=args.text_column,
                            label_column=args.label_column, tag_column=args.tag_column, scheme=args.scheme,
                            add_labels=args.add_labels, encoding=args.encoding,
                            skip_duplicates=args.skip_duplicates)
    if args.tag_column == 0:
        raise ValueError("--tag-column counts from 1 (or from the end with -1, -2, ...)")
    from mtl_studio.commands.progress import ProgressLine

    store = _open(args.project)
    progress = ProgressLine("import", None, "documents")  # a big file: a line every few seconds
    try:
        report = import_file(store, args.file, options, progress=progress.update)
    except ImportFailed as e:
        r = e.report
        if args.json:
            print(json.dumps(r.to_dict(), ensure_ascii=False, indent=2))
        for p in r.errors:
            print(f"{p}", file=sys.stderr)
        if r.unlisted("error"):
            print(f"... and {r.unlisted('error')} more errors", file=sys.stderr)
        print(f"mtl-studio import: error: {r.error_count} error{'s' if r.error_count != 1 else ''} in {r.file}; "
              f"nothing was imported", file=sys.stderr)
        return 1
    finally:
        progress.finish()
        store.close()
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.summary())
    _print_warnings(report, quiet=args.quiet)
    _print_language_fit(args.project)
    return 0


def _print_language_fit(project: str) -> None:
    """Whether the default encoder reads the project's text (its tokenizer loads offline in about a second)."""
    from mtl_studio.core.config import TrainConfig
    from mtl_studio.core.language_fit import project_warning

    warning = project_warning(project, TrainConfig().encoder)
    if warning:
        print(f"warning: {warning}; choose the encoder when training (--encoder)", file=sys.stderr)


def _print_warnings(report, quiet: bool) -> None:  # type: ignore[no-untyped-def]
    if not report.warning_count:
        return
    kinds = {k.split(":", 1)[1]: n for k, n in report.counts_by_kind.items() if k.startswith("warning:")}
    print(f"{report.warning_count} warning{'s' if report.warning_count != 1 else ''}: "
          + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())), file=sys.stderr)
    for p in report.warnings:
        # A file stranded in dev/test (training would fail) is shown even with --quiet.
        if not quiet or p.kind == "split":
            print(f"warning: {p}", file=sys.stderr)
    if quiet:
        return
    if report.unlisted("warning"):
        print(f"... and {report.unlisted('warning')} more warnings of these kinds", file=sys.stderr)


def cmd_export(args: argparse.Namespace) -> int:
    from mtl_studio.core.formats import export_project

    fmt = args.format or EXPORT_EXTENSIONS.get(Path(args.out).suffix.lower())
    if fmt is None:
        raise ValueError(f"cannot tell the format from {args.out!r}; pass --format, one of "
                         f"{', '.join(EXPORT_FORMATS)}")
    include = tuple(s.strip() for s in args.include.split(",") if s.strip())
    store = _open(args.project)
    try:
        report = export_project(store, args.out, fmt, include=include, split=args.split, force=args.force,
                                raw_cells=args.raw_cells)
    finally:
        store.close()
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if args.json else report.summary())
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    store = _open(args.project)
    try:
        stats = store.stats()
    finally:
        store.close()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return 0
    print(format_stats(args.project, stats))
    return 0


def format_stats(name: str, stats: dict) -> str:
    """A readable table of store.stats()."""
    t = stats["totals"]
    lines = [f"{name}: {stats['documents']} documents, {t['ner_documents']} labelled for NER "
             f"({t['entities']} entities), {t['sentiment_documents']} with a sentiment label"]
    header = f"  {'split':<6} {'docs':>7} {'NER docs':>9} {'entities':>9} {'sentiment':>10} {'both':>6} {'none':>6}"
    lines.append(header)
    for split, s in stats["splits"].items():
        lines.append(f"  {split:<6} {s['documents']:>7} {s['ner']['documents']:>9} {s['ner']['entities']:>9} "
                     f"{s['sentiment']['documents']:>10} {s['both_tasks']:>6} {s['unlabelled']:>6}")
    if t["entities_per_type"]:
        lines.append("  entities per type: " + ", ".join(f"{k} {v}" for k, v in t["entities_per_type"].items()))
    if t["sentiment_per_class"]:
        lines.append("  sentiment per class: " + ", ".join(f"{k} {v}" for k, v in t["sentiment_per_class"].items()))
    if stats.get("entity_sentiment"):
        lines.append("  entity sentiment per class: " +
                     ", ".join(f"{k} {v}" for k, v in stats["entity_sentiment"].items()))
    for name, ls in (stats.get("label_sets") or {}).items():
        kind = "multi-label" if ls["multi_label"] else "single-label"
        labels = ", ".join(f"{k} {v}" for k, v in ls["labels"].items()) or "no classes"
        lines.append(f"  label set {name} ({kind}, {ls['documents']} documents): {labels}")
    silver = {k: v for k, v in (t.get("silver") or {}).items() if v}
    if silver:
        lines.append("  silver: " + ", ".join(f"{k} {v}" for k, v in silver.items()))
    if stats.get("sources"):
        lines.append("  sources: " + ", ".join(f"{k or '(none)'} {v}" for k, v in stats["sources"].items()))
    return "\n".join(lines)
