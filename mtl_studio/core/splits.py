"""Which split each document is in: the rule an import follows, a seeded re-split, and where the
labelled documents are when training finds none in train.

Import rules (`mtl-studio import --split-rule`, the import wizard's "Split" box):
    auto        the file's own split field where a document has one; else the split the file name
                names (train*, dev*/valid*, test*) when the file is part of a set (a train* file lies
                beside it or the project already has training documents); else seeded random 80/10/10.
                A lone `valid.txt` imported into an empty project is therefore split 80/10/10 (and the
                report says why), so that Train has documents; import it with --split-rule file-name to
                put it all in dev.
    file-field  the file's own split field; documents without one get the seeded random split
    file-name   the split the file name names, for every document (an error when the name names none)
    random      seeded random 80/10/10 from a hash of the text and the project's split seed
    all-train   every document in train
`--split NAME` puts every document in NAME (a fixed split, the rule "fixed").

Whatever the rule, an import that leaves the project without training documents while putting the
whole file into dev or test gets a warning that says how to fix it.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import TrainingError
from .formats.common import split_from_filename
from .schema import SPLITS, ValidationError
from .store import ProjectStore, SplitKey, assign_split

SPLIT_RULES: tuple[str, ...] = ("auto", "file-field", "file-name", "random", "all-train")
DEFAULT_RATIOS: tuple[float, float, float] = (0.8, 0.1, 0.1)

# How each document's split was decided, for the import report.
_HOW = {"fixed": "--split", "file": "the file's split field", "name": "the file name",
        "hash": "seeded random 80/10/10", "train": "all train"}


def part_of_a_set(path: str | Path, training_documents: int) -> bool:
    """True when a file's split name is one of a train/dev/test set: a train* file lies beside it, or
    the project already has training documents (the set's train file was imported before)."""
    path = Path(path).absolute()
    if training_documents > 0:
        return True
    try:
        siblings = [p for p in path.parent.iterdir() if p != path]
    except OSError:
        return False
    return any(split_from_filename(p) == "train" for p in siblings)


class ImportSplitter:
    """Chooses the split of each document of one import by one rule; counts how each was chosen."""

    def __init__(self, store: ProjectStore, path: str | Path, rule: str = "auto", *, fixed: str | None = None,
                 use_file_name: bool = True, training_documents: int | None = None) -> None:
        """`training_documents`: how many the project has before the import (None: count them in
        `store`; a dry run into a scratch project passes the real project's count)."""
        if rule not in SPLIT_RULES:
            raise ValidationError(f"split rule {rule!r} is not one of {', '.join(SPLIT_RULES)}")
        if fixed is not None and fixed not in SPLITS:
            raise ValidationError(f"--split must be one of {', '.join(SPLITS)}, not {fixed!r}")
        if fixed is not None and rule != "auto":
            raise ValidationError(f"give --split {fixed} or --split-rule {rule}, not both")
        self.rule = "fixed" if fixed is not None else rule
        self.fixed, self.path, self.seed = fixed, Path(path), store.split_seed
        self.training_documents = store.count_documents("train") if training_documents is None \
            else training_documents
        self.name_split = split_from_filename(path) if use_file_name or rule == "file-name" else None
        if rule == "file-name" and self.name_split is None:
            raise ValidationError(f"--split-rule file-name: the name {self.path.name!r} names no split (train*, "
                                  "dev*/valid*, test*); choose another rule")
        # auto follows the file name only for a set of files (see the module docstring).
        self.name_ignored = rule == "auto" and self.name_split is not None and self.name_split != "train" \
            and not part_of_a_set(path, self.training_documents)
        self.how: Counter[str] = Counter()
        self.last_how = ""
        self.hashed_ids: list[int] = []  # stored as "unassigned" (see ProjectStore.split_keys)

    def choose(self, text: str, file_split: str | None) -> str:
        """The split of one document; `file_split` is what the file itself says (or None)."""
        self.last_how, split = self._decide(text, file_split)
        return split

    def stored(self, doc_id: int) -> None:
        """Count the document of the last choose() as stored; remember it when only the hash chose."""
        self.how[self.last_how] += 1
        if self.last_how == "hash":
            self.hashed_ids.append(doc_id)

    def _decide(self, text: str, file_split: str | None) -> tuple[str, str]:
        if self.rule == "fixed":
            return "fixed", str(self.fixed)
        if self.rule == "all-train":
            return "train", "train"
        if self.rule == "file-name":
            return "name", str(self.name_split)
        if self.rule in ("auto", "file-field") and file_split:
            return "file", file_split
        if self.rule == "auto" and self.name_split and not self.name_ignored:
            return "name", self.name_split
        return "hash", assign_split(text, self.seed)

    def notes(self) -> list[str]:
        """What the report says about splits: the rule, and how many documents each way went."""
        parts = [f"{n} by {_HOW[how]}" for how, n in sorted(self.how.items()) if n]
        notes = [f"split rule {self.rule}: " + (", ".join(parts) or "no documents")]
        if self.how["hash"]:
            notes.append(f"the seeded random split uses the project's split seed {self.seed} (`mtl-studio split "
                         f"--seed N` re-splits with another)")
        if self.name_ignored and self.how["hash"]:
            notes.append(f"the file name says {self.name_split!r}, but no train* file lies beside it and the project "
                         f"had no training documents, so it was split 80/10/10 instead; --split-rule file-name puts "
                         f"it all in {self.name_split}")
        return notes

    def stranded_warning(self, splits: Counter, project: str) -> str | None:
        """A warning when the whole file went into one split other than train and the project has no
        training documents: Train would fail with nothing to learn from."""
        filled = [s for s, n in splits.items() if n]
        if self.training_documents or len(filled) != 1 or filled[0] == "train":
            return None
        return (f"all {splits[filled[0]]:,} documents went to {filled[0]} and the project has no training "
                f"documents, so training will fail: import with --split-rule random (seeded 80/10/10) or run "
                f"`mtl-studio split {project}`")


# ---- re-split ----------------------------------------------------------------------------------------

@dataclass
class ResplitReport:
    """What a re-split did: how many documents it considered and moved, the counts before and after."""

    seed: int
    ratios: tuple[float, float, float]
    considered: int
    moved: int
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    only_unassigned: bool = False

    def summary(self) -> str:
        what = "unassigned documents" if self.only_unassigned else "documents"
        ratio = "/".join(f"{r * 100:g}" for r in self.ratios)
        return (f"re-split {self.considered:,} {what} {ratio} (seed {self.seed}, stratified by sentiment class and "
                f"NER labelling): moved {self.moved:,}\n  before: {_per_split(self.before)}\n  after:  "
                f"{_per_split(self.after)}")

    def to_dict(self) -> dict[str, Any]:
        return {"seed": self.seed, "ratios": list(self.ratios), "considered": self.considered, "moved": self.moved,
                "before": self.before, "after": self.after, "only_unassigned": self.only_unassigned}


def _per_split(counts: dict[str, int]) -> str:
    return ", ".join(f"{split} {counts.get(split, 0):,}" for split in SPLITS)


def parse_ratios(text: str) -> tuple[float, float, float]:
    """'80/10/10' (or '8/1/1', '0.8/0.1/0.1', '90/10/0') -> fractions of train, dev, test."""
    try:
        parts = [float(p) for p in text.replace(",", "/").replace(":", "/").split("/")]
    except ValueError:
        parts = []
    if len(parts) != 3 or any(p < 0 for p in parts) or sum(parts) <= 0:
        raise ValidationError(f"ratios must be three non-negative numbers train/dev/test such as 80/10/10, "
                              f"not {text!r}")
    total = sum(parts)
    return (parts[0] / total, parts[1] / total, parts[2] / total)


def plan_split(keys: list[SplitKey], ratios: tuple[float, float, float], seed: int) -> dict[int, str]:
    """A new split for each document, the same for the same documents and seed.

    Documents are grouped by what they are labelled with (sentiment class, NER or not), shuffled
    within each group by the seed, and the groups laid end to end; walking that order, each document
    goes to the split furthest below its share so far. The totals then match the ratios to within
    one document and every label group is spread over the splits in the same proportions.
    """
    groups: dict[tuple[str, bool], list[int]] = {}
    for k in keys:
        groups.setdefault((k.sentiment or "", k.ner_labelled), []).append(k.id)
    rng = random.Random(seed)
    order: list[int] = []
    for group in sorted(groups):
        ids = sorted(groups[group])
        rng.shuffle(ids)
        order += ids
    given = [0, 0, 0]
    plan: dict[int, str] = {}
    for n, doc_id in enumerate(order, 1):
        behind = [ratio * n - count for ratio, count in zip(ratios, given)]
        j = max(range(3), key=lambda i: (behind[i], -i))  # ties go to train, then dev
        given[j] += 1
        plan[doc_id] = SPLITS[j]
    return plan


def resplit(store: ProjectStore, ratios: tuple[float, float, float] = DEFAULT_RATIOS, seed: int | None = None,
            *, only_unassigned: bool = False) -> ResplitReport:
    """Give documents a new seeded, stratified train/dev/test split (all of them, or only those whose
    split no file, flag or person chose) in one transaction."""
    seed = store.split_seed if seed is None else int(seed)
    with store.bulk():
        keys = store.split_keys(store.unassigned_split_ids() if only_unassigned else None)
        plan = plan_split(keys, ratios, seed)
        store.set_splits(plan)
    return ResplitReport(seed=seed, ratios=ratios, considered=len(keys),
                         moved=sum(1 for k in keys if plan[k.id] != k.split),
                         before=dict(Counter(k.split for k in keys)), after=dict(Counter(plan.values())),
                         only_unassigned=only_unassigned)


# ---- training without training documents -------------------------------------------------------------

class NoTrainingDocuments(TrainingError):
    """Training found no labelled document in train. `labelled_per_split` says where the labelled ones
    are, so a caller can offer a re-split (`can_resplit`) instead of only showing the message."""

    def __init__(self, tasks: tuple[str, ...] | list[str], labelled_per_split: dict[str, int],
                 project: str = "PROJECT") -> None:
        self.tasks = tuple(tasks)
        self.labelled_per_split = dict(labelled_per_split)
        super().__init__(no_training_documents_message(self.tasks, self.labelled_per_split, project))

    @property
    def can_resplit(self) -> bool:
        """True when labelled documents exist outside train: a re-split gives training something."""
        return sum(self.labelled_per_split.values()) > 0


def no_training_documents_message(tasks: tuple[str, ...], labelled_per_split: dict[str, int],
                                  project: str = "PROJECT") -> str:
    what = " or ".join(tasks)
    elsewhere = {s: n for s, n in labelled_per_split.items() if n and s != "train"}
    total = sum(elsewhere.values())
    if not total:
        return (f"no training documents are labelled for {what}: annotate some documents in the train split or "
                f"import labelled data")
    if len(elsewhere) == 1:
        (split, n), = elsewhere.items()
        where = f"all {n:,} labelled documents are in {split}"
    else:
        where = (f"the {total:,} labelled documents are in " +
                 " and ".join(f"{s} ({n:,})" for s, n in elsewhere.items()))
    return (f"no training documents are labelled for {what}; {where}: re-split them "
            f"(mtl-studio split {project}, or Data › Re-split in the studio)")


def check_training_documents(store: ProjectStore, tasks: tuple[str, ...] | list[str], project: str) -> None:
    """Raise NoTrainingDocuments (with the counts per split) when train holds no labelled document."""
    counts = store.labelled_counts_per_split(tasks)
    if not counts.get("train"):
        raise NoTrainingDocuments(tasks, counts, project)


# ---- undoing a re-split --------------------------------------------------------------------------------

@dataclass
class ResplitChange:
    """What a re-split changed, so that it can be undone and redone: the old and new split of every
    document it considered, and which documents had an unassigned split before."""

    before: dict[int, str]
    after: dict[int, str]
    unassigned_before: list[int]


def resplit_undoably(store: ProjectStore, ratios: tuple[float, float, float] = DEFAULT_RATIOS,
                     seed: int | None = None, *, only_unassigned: bool = False) -> tuple[ResplitReport, ResplitChange]:
    """resplit(), also returning the change (one transaction)."""
    with store.bulk():
        unassigned = store.unassigned_split_ids()
        before = {k.id: k.split for k in store.split_keys(unassigned if only_unassigned else None)}
        report = resplit(store, ratios, seed, only_unassigned=only_unassigned)
        after = {k.id: k.split for k in store.split_keys(list(before))}
    return report, ResplitChange(before, after, unassigned)


def undo_resplit(store: ProjectStore, change: ResplitChange) -> None:
    """Every document back in its old split; those that were unassigned are unassigned again."""
    with store.bulk():
        store.set_splits(change.before)
        if change.unassigned_before:
            store.mark_split_unassigned(change.unassigned_before)


def redo_resplit(store: ProjectStore, change: ResplitChange) -> None:
    store.set_splits(change.after)  # the moved documents count as assigned, as after resplit()
