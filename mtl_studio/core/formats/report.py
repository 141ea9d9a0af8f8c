"""What an import did and what was wrong with the file: counts, problems with file and line, notes.

Errors make the import fail as a whole (nothing is written); warnings are reported and the data is
imported. Problems of one kind beyond `EXAMPLES_PER_KIND` are counted, not listed, so a file with
100,000 duplicate lines gives a short report.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from ..schema import ValidationError

Severity = Literal["error", "warning"]
EXAMPLES_PER_KIND = 20


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with the input, located by line (text formats) or row (spreadsheets)."""

    file: str
    message: str
    severity: Severity = "error"
    kind: str = "other"
    line: int | None = None
    row: int | None = None  # spreadsheet row number: the header is row 1

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}: {self.message}"
        if self.row is not None:
            return f"{self.file}: row {self.row}: {self.message}"
        return f"{self.file}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "row": self.row, "severity": self.severity,
                "kind": self.kind, "message": self.message}


@dataclass
class ImportReport:
    """Counts and problems of one import; `ok` is False when any error was found."""

    file: str
    format: str = ""
    documents: int = 0
    ner_documents: int = 0
    entities: Counter = field(default_factory=Counter)
    sentiments: Counter = field(default_factory=Counter)
    splits: Counter = field(default_factory=Counter)
    skipped: int = 0
    duplicates: int = 0
    scheme: str | None = None
    split_rule: str = ""  # the rule that chose the splits (core/splits.py)
    notes: list[str] = field(default_factory=list)
    added_entity_types: list[str] = field(default_factory=list)
    added_sentiment_classes: list[str] = field(default_factory=list)
    # Entity sentiment and the further document label sets.
    span_sentiments: Counter = field(default_factory=Counter)  # polarity -> spans
    label_counts: dict[str, Counter] = field(default_factory=dict)  # label set -> class -> documents
    entity_sentiment_enabled: bool = False  # the import switched the task on
    added_polarities: list[str] = field(default_factory=list)
    added_label_sets: list[str] = field(default_factory=list)
    added_label_set_classes: list[str] = field(default_factory=list)  # "set:class"
    problems: list[ImportProblem] = field(default_factory=list)
    counts_by_kind: Counter = field(default_factory=Counter)
    error_count: int = 0
    warning_count: int = 0
    committed: bool = False

    # ---- recording -------------------------------------------------------------------------------

    def error(self, message: str, *, kind: str = "other", line: int | None = None, row: int | None = None) -> None:
        self._add(ImportProblem(self.file, message, "error", kind, line, row))

    def warn(self, message: str, *, kind: str = "other", line: int | None = None, row: int | None = None) -> None:
        self._add(ImportProblem(self.file, message, "warning", kind, line, row))

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def add(self, problem: ImportProblem) -> None:
        """Record a problem found in another file (a file inside an imported folder)."""
        self._add(problem)

    def _add(self, problem: ImportProblem) -> None:
        key = f"{problem.severity}:{problem.kind}"
        self.counts_by_kind[key] += 1
        if problem.severity == "error":
            self.error_count += 1
        else:
            self.warning_count += 1
        if self.counts_by_kind[key] <= EXAMPLES_PER_KIND:
            self.problems.append(problem)

    # ---- reading ---------------------------------------------------------------------------------

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def errors(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity == "warning"]

    def unlisted(self, severity: Severity) -> int:
        """How many problems of this severity were counted but not kept as examples."""
        total = self.error_count if severity == "error" else self.warning_count
        return total - sum(1 for p in self.problems if p.severity == severity)

    def summary(self) -> str:
        """One paragraph for people: what was imported, with counts per type and class."""
        ents = ", ".join(f"{k} {v}" for k, v in sorted(self.entities.items())) or "none"
        sents = ", ".join(f"{k} {v}" for k, v in sorted(self.sentiments.items())) or "none"
        splits = ", ".join(f"{k} {v}" for k, v in sorted(self.splits.items())) or "none"
        scheme = f", tags {self.scheme.upper()}" if self.scheme else ""
        lines = [
            f"{self.file} ({self.format}{scheme}): {self.documents} documents "
            f"({self.ner_documents} labelled for NER, {sum(self.sentiments.values())} with a sentiment label)",
            f"  entities: {sum(self.entities.values())} ({ents})",
            f"  sentiment: {sents}",
        ]
        if self.span_sentiments:
            pols = ", ".join(f"{k} {v}" for k, v in sorted(self.span_sentiments.items()))
            lines.append(f"  entity sentiment: {sum(self.span_sentiments.values())} ({pols})")
        for name, counts in self.label_counts.items():
            lines.append(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        lines += [
            f"  splits: {splits}" + (f" (rule {self.split_rule})" if self.split_rule else ""),
        ]
        if self.skipped:
            lines.append(f"  skipped: {self.skipped}")
        if self.duplicates:
            lines.append(f"  duplicates: {self.duplicates} (imported; see warnings)")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "format": self.format, "scheme": self.scheme, "committed": self.committed,
            "documents": self.documents, "ner_documents": self.ner_documents,
            "entities": sum(self.entities.values()), "entities_per_type": dict(sorted(self.entities.items())),
            "sentiment_per_class": dict(sorted(self.sentiments.items())), "splits": dict(sorted(self.splits.items())),
            "split_rule": self.split_rule,
            "skipped": self.skipped, "duplicates": self.duplicates, "notes": list(self.notes),
            "added_entity_types": self.added_entity_types, "added_sentiment_classes": self.added_sentiment_classes,
            "entity_sentiment_per_class": dict(sorted(self.span_sentiments.items())),
            "labels_per_set": {k: dict(sorted(v.items())) for k, v in self.label_counts.items()},
            "entity_sentiment_enabled": self.entity_sentiment_enabled, "added_polarities": self.added_polarities,
            "added_label_sets": self.added_label_sets, "added_label_set_classes": self.added_label_set_classes,
            "errors": self.error_count, "warnings": self.warning_count,
            "problem_counts": dict(self.counts_by_kind), "problems": [p.to_dict() for p in self.problems],
        }


class ImportFailed(ValidationError):
    """The file had errors; nothing was imported. `report` lists them with file and line."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        first = report.errors[0] if report.errors else None
        more = report.error_count - 1
        msg = str(first) if first else f"{report.file}: import failed"
        if more > 0:
            msg += f" (and {more} more error{'s' if more > 1 else ''})"
        super().__init__(msg)
