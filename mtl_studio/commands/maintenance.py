"""Project maintenance subcommands: split (re-split train/dev/test) and delete (documents by id).

    mtl-studio split project.mtl                        # seeded, stratified 80/10/10 of every document
    mtl-studio split project.mtl --ratios 90/10/0 --seed 7
    mtl-studio split project.mtl --only-unassigned      # only documents whose split no file or person chose
    mtl-studio delete project.mtl --ids 3,5,10-20       # documents with all their annotations

Both change the project in one transaction and print what they did.
"""
from __future__ import annotations

import argparse
import json
import sys

from mtl_studio.core.schema import ValidationError


def register(sub: "argparse._SubParsersAction") -> None:
    p = sub.add_parser(
        "split", help="give the documents a new seeded train/dev/test split",
        description="Re-split the project's documents: a seeded shuffle, stratified by sentiment class and by "
                    "whether a document is labelled for NER, cut in the given ratios (exact to one document). "
                    "The same project and seed always give the same split. Runs trained before keep their "
                    "stored scores, which no longer describe the new dev/test.")
    p.add_argument("project", help="project file")
    p.add_argument("--ratios", default="80/10/10", metavar="TRAIN/DEV/TEST",
                   help="shares of train, dev and test (default 80/10/10; 90/10/0 leaves test empty)")
    p.add_argument("--seed", type=int, help="shuffle seed (default: the project's split seed)")
    p.add_argument("--only-unassigned", action="store_true",
                   help="move only documents whose split came from the seeded hash (no split field, file name, "
                        "--split or hand-made choice); keeps dev/test of earlier rounds stable")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_split)

    p = sub.add_parser(
        "delete", help="delete documents (with all their annotations) by id",
        description="Delete documents and every span and sentiment label on them (gold, silver, predicted) in "
                    "one transaction. Ids are those `mtl-studio export --format jsonl` and the studio show.")
    p.add_argument("project", help="project file")
    p.add_argument("--ids", required=True, metavar="LIST",
                   help="document ids: a comma-separated list of ids and ranges, e.g. 3,5,10-20")
    p.add_argument("--json", action="store_true", help="print what was deleted as JSON")
    p.set_defaults(func=cmd_delete)


def parse_id_list(text: str) -> list[int]:
    """'3,5,10-12' -> [3, 5, 10, 11, 12] (sorted, without repeats)."""
    ids: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        first, sep, last = part.partition("-")
        try:
            start, end = int(first), int(last) if sep else int(first)
        except ValueError:
            raise ValidationError(f"--ids: {part!r} is not an id or a range like 10-20") from None
        if start < 1 or end < start:
            raise ValidationError(f"--ids: {part!r} is not an id or a range like 10-20 (ids count from 1)")
        ids.update(range(start, end + 1))
    if not ids:
        raise ValidationError("--ids: no ids given")
    return sorted(ids)


def describe_ids(ids: list[int]) -> str:
    """[3, 5, 10, 11, 12] -> '3, 5, 10-12' (what the user typed, compacted back)."""
    from mtl_studio.core.store import id_ranges

    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in id_ranges(ids))


def cmd_split(args: argparse.Namespace) -> int:
    from mtl_studio.core.splits import parse_ratios, resplit
    from mtl_studio.core.store import ProjectStore

    ratios = parse_ratios(args.ratios)
    with ProjectStore.open(args.project) as store:
        report = resplit(store, ratios, args.seed, only_unassigned=args.only_unassigned)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report.summary())
        if args.only_unassigned and not report.considered:
            print("no unassigned documents: every split was chosen by a file, a flag or a person "
                  "(drop --only-unassigned to re-split them all)", file=sys.stderr)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from mtl_studio.core.store import ProjectStore

    wanted = parse_id_list(args.ids)
    with ProjectStore.open(args.project) as store:
        result = store.delete_documents(wanted)
        left = store.count_documents()
    if args.json:
        print(json.dumps({"deleted": result.ids, "missing": result.missing, "spans": result.spans,
                          "sentiments": result.sentiments, "documents_left": left}, indent=2))
    elif result.ids:
        print(f"deleted {len(result.ids)} document{'s' if len(result.ids) != 1 else ''} "
              f"({describe_ids(result.ids)}) with {result.spans} span{'s' if result.spans != 1 else ''} and "
              f"{result.sentiments} sentiment label{'s' if result.sentiments != 1 else ''}; {left} documents left")
    if result.missing:
        print(f"not in the project (nothing to delete): {describe_ids(result.missing)}", file=sys.stderr)
    if not result.ids:
        print("mtl-studio delete: error: none of the ids is in the project; nothing was deleted", file=sys.stderr)
        return 1
    return 0
