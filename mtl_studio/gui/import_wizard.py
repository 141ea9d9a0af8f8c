"""Import wizard: choose a file and how to read it, check it (preview + problems with line numbers),
then import all or nothing.

Parsing runs on a worker thread (io_tasks over the core importers); only paths, options and report
dataclasses cross between threads. The check is a dry run into a scratch project with the same label
schema, so the preview and the problem list are exactly what the real import would meet.
"""
from __future__ import annotations

import html
import threading
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar,
    QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget, QWizard,
    QWizardPage,
)

from mtl_studio.core.formats import ImportOptions, format_names

from . import io_tasks
from .background import BackgroundTasks
from .editor import text_colour_for
from .engine_text import import_note_label, with_gui_controls

AUTO = ""


def page_intro(text: str) -> QLabel:
    """A page's explanation, in the page rather than as the wizard's subtitle: QWizard sizes its header
    for one line of subtitle, so a longer (or Chinese) subtitle was cut off; a wrapped label in the
    page's layout gets the height it needs."""
    label = QLabel(text)
    label.setObjectName("pageIntro")
    label.setWordWrap(True)
    return label


class FilePage(QWizardPage):
    """Which file, which format, which columns, which split."""

    def __init__(self, wizard: "ImportWizard") -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(self.tr("Choose a file"))
        page = QVBoxLayout(self)  # a box layout gives the wrapped intro its height for the width (a form does not)
        page.addWidget(page_intro(self.tr("CoNLL / BIO / BMES (token or character per line), JSONL (own, doccano, "
                                          "Label Studio, SEntFiN), CSV / TSV / Excel, or plain text (one document "
                                          "per line). The format is detected; change it if the guess is wrong.")))
        form = self.form = QFormLayout()
        page.addLayout(form)
        page.addStretch(1)
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("importPath")
        self.path_edit.setPlaceholderText(self.tr("File to import"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form.addRow(self.tr("File:"), row)

        self.format_combo = QComboBox()
        self.format_combo.setObjectName("importFormat")
        self.format_combo.addItem(self.tr("Detect automatically"), AUTO)
        for name in format_names():
            self.format_combo.addItem(name, name)
        form.addRow(self.tr("Format:"), self.format_combo)
        self.detected = QLabel()
        self.detected.setStyleSheet("color: #666;")
        form.addRow("", self.detected)

        self.text_column = QComboBox()
        self.text_column.setObjectName("textColumn")
        self.label_column = QComboBox()
        self.label_column.setObjectName("labelColumn")
        form.addRow(self.tr("Text column:"), self.text_column)
        form.addRow(self.tr("Sentiment column:"), self.label_column)
        self._column_rows = (self.text_column, self.label_column)

        self.scheme_combo = QComboBox()
        self.scheme_combo.setObjectName("tagScheme")
        for text, value in ((self.tr("Detect automatically"), AUTO), ("IOB2 (BIO)", "iob2"), ("IOB1", "iob1"),
                            ("BIOES / BMES", "bioes")):
            self.scheme_combo.addItem(text, value)
        form.addRow(self.tr("Tag scheme:"), self.scheme_combo)

        # One choice of how documents get their split: a rule (core/splits.py) or one split for all.
        self.split_combo = QComboBox()
        self.split_combo.setObjectName("importSplit")
        for label, rule, fixed in (
                (self.tr("Automatic: the file's split field, else its name if it is one of a set, "
                         "else a seeded 80/10/10"), "auto", None),
                (self.tr("The file's split field (seeded 80/10/10 where missing)"), "file-field", None),
                (self.tr("By file name (train*, dev*/valid*, test*)"), "file-name", None),
                (self.tr("Seeded random 80/10/10"), "random", None),
                (self.tr("All in train"), "all-train", None),
                (self.tr("All in dev"), "auto", "dev"),
                (self.tr("All in test"), "auto", "test")):
            self.split_combo.addItem(label, f"{rule}|{fixed or ''}")
        form.addRow(self.tr("Split:"), self.split_combo)

        self.add_labels = QCheckBox(self.tr("Add unknown entity types and sentiment classes to the schema"))
        self.add_labels.setChecked(True)
        form.addRow("", self.add_labels)
        self.skip_duplicates = QCheckBox(self.tr("Skip documents whose text is already in the project"))
        form.addRow("", self.skip_duplicates)

        self.path_edit.textChanged.connect(self._path_changed)
        self.format_combo.currentIndexChanged.connect(lambda _i: self._update_rows())
        self._info: io_tasks.FileInfo | None = None
        self._inspecting = False
        self._update_rows()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import file"), str(Path.home()),
                                              self.tr("Data files (*.conll *.txt *.bio *.bmes *.tsv *.csv *.jsonl "
                                                      "*.json *.xlsx);;All files (*)"))
        if path:
            self.path_edit.setText(path)

    def _path_changed(self, text: str) -> None:
        self._info = None
        path = text.strip()
        if path and Path(path).exists():
            self._inspecting = True
            self.detected.setText(self.tr("Reading the file…"))
            self.w.tasks.run(lambda: io_tasks.inspect_file(path), self._inspected, self._inspect_failed)
        else:
            self.detected.setText(self.tr("No such file.") if path else "")
        self._update_rows()
        self.completeChanged.emit()

    def _inspected(self, info: io_tasks.FileInfo) -> None:
        if info.path != self.path_edit.text().strip():
            return  # an older request
        self._inspecting = False
        self._info = info
        self.detected.setText(self.tr("Detected format: {fmt}").format(fmt=info.format))
        for combo, guess, optional in ((self.text_column, info.text_column, False),
                                       (self.label_column, info.label_column, True)):
            combo.clear()
            combo.addItem(self.tr("(detect)") if not optional else self.tr("(detect / none)"), AUTO)
            for c in info.columns:
                combo.addItem(c, c)
            if guess:
                combo.setCurrentIndex(combo.findData(guess))
        self._update_rows()
        self.completeChanged.emit()

    def _inspect_failed(self, exc: BaseException) -> None:
        self._inspecting = False
        self.detected.setText(self.tr("Cannot read the file: {error}").format(error=exc))
        self.completeChanged.emit()

    def effective_format(self) -> str:
        chosen = self.format_combo.currentData()
        if chosen:
            return chosen
        return self._info.format if self._info else ""

    def _update_rows(self) -> None:
        fmt = self.effective_format()
        tabular = fmt in io_tasks.TABULAR
        form = self.form
        for w in self._column_rows:
            form.setRowVisible(w, tabular)
        form.setRowVisible(self.scheme_combo, fmt == "conll")

    def isComplete(self) -> bool:
        path = self.path_edit.text().strip()
        return bool(path) and Path(path).exists() and not self._inspecting

    def options(self) -> ImportOptions:
        fmt = self.format_combo.currentData() or None
        tabular = self.effective_format() in io_tasks.TABULAR
        rule, _, fixed = str(self.split_combo.currentData()).partition("|")
        return ImportOptions(
            format=fmt,
            split=fixed or None,
            split_rule=rule,
            text_column=(self.text_column.currentData() or None) if tabular else None,
            label_column=(self.label_column.currentData() or None) if tabular else None,
            scheme=self.scheme_combo.currentData() or None,
            add_labels=self.add_labels.isChecked(),
            skip_duplicates=self.skip_duplicates.isChecked(),
        )


class CheckPage(QWizardPage):
    """Dry run: the first documents with their spans and labels, the counts, and every problem found."""

    def __init__(self, wizard: "ImportWizard") -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(self.tr("Check before importing"))
        layout = QVBoxLayout(self)
        layout.addWidget(page_intro(self.tr("Nothing has been written yet. Errors must be fixed in the file; "
                                            "warnings are imported as they are.")))
        self.status = QLabel()
        self.status.setObjectName("importStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        layout.addWidget(self.busy)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.preview = QTextBrowser()
        self.preview.setObjectName("importPreview")
        splitter.addWidget(self.preview)
        self.problems = QTableWidget(0, 3)
        self.problems.setObjectName("importProblems")
        self.problems.setHorizontalHeaderLabels([self.tr("Severity"), self.tr("Where"), self.tr("Problem")])
        self.problems.verticalHeader().setVisible(False)
        self.problems.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.problems.setWordWrap(True)
        header = self.problems.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        splitter.addWidget(self.problems)
        splitter.setSizes([320, 160])
        layout.addWidget(splitter, 1)
        self.result: io_tasks.CheckResult | None = None
        self._running = False
        self._generation = 0

    def initializePage(self) -> None:
        self.result = None
        self._running = True
        self._generation += 1
        generation = self._generation
        self.busy.show()
        self.preview.clear()
        self.problems.setRowCount(0)
        self.status.setText(self.tr("Reading and checking {name}…").format(name=Path(self.w.path()).name))
        project, path, options = str(self.w.project), self.w.path(), self.w.file_page.options()
        self.w.tasks.run(lambda: io_tasks.check_import(project, path, options),
                         lambda r: self._checked(r, generation), lambda e: self._failed(e, generation))
        self.completeChanged.emit()

    def cleanupPage(self) -> None:
        self._generation += 1  # a check still running belongs to the old choices: ignore its result
        self._running = False

    def isComplete(self) -> bool:
        return not self._running and self.result is not None and not self.result.failed

    def is_running(self) -> bool:
        return self._running

    def _failed(self, exc: BaseException, generation: int) -> None:
        if generation != self._generation:
            return
        self._running = False
        self.busy.hide()
        self.status.setText(self.tr("The file could not be read: {error}").format(error=exc))
        self.completeChanged.emit()

    def _checked(self, result: io_tasks.CheckResult, generation: int) -> None:
        if generation != self._generation:
            return
        self._running = False
        self.busy.hide()
        self.result = result
        r = result.report
        ents = sum(r.entities.values())
        sents = sum(r.sentiments.values())
        if result.failed:
            self.status.setText(self.tr("<b style='color:#b00020'>{n} errors: nothing can be imported.</b> "
                                        "Fix the lines listed below and check again.").format(n=r.error_count))
        else:
            text = self.tr("Ready to import <b>{docs}</b> documents ({fmt}): {ner} labelled for NER with {ents} "
                           "entities, {sents} with a sentiment label.").format(
                docs=r.documents, fmt=html.escape(r.format), ner=r.ner_documents, ents=ents, sents=sents)
            if r.warning_count:
                text += " " + self.tr("{n} warnings.").format(n=r.warning_count)
            if r.added_entity_types or r.added_sentiment_classes:
                text += " " + self.tr("New labels: {labels}.").format(labels=html.escape(
                    ", ".join(r.added_entity_types + r.added_sentiment_classes)))
            self.status.setText(text)
        self._fill_preview(result)
        self._fill_problems(result)
        self.completeChanged.emit()

    def _fill_preview(self, result: io_tasks.CheckResult) -> None:
        parts = []
        for n, d in enumerate(result.preview, start=1):
            parts.append(f"<p style='margin:6px 0'><span style='color:#888'>{n}.</span> "
                         f"{render_spans_html(d.text, d.spans, result.colours)}")
            tags = []
            if d.sentiment:
                tags.append(self.tr("sentiment: {label}").format(label=html.escape(d.sentiment)))
            if not d.ner_labelled:
                tags.append(self.tr("not labelled for NER"))
            if d.split:
                tags.append(html.escape(d.split))
            if tags:
                parts.append(f" <span style='color:#666; font-size:small'>[{' · '.join(tags)}]</span>")
            parts.append("</p>")
        if not parts:
            parts.append(f"<p style='color:#888'>{html.escape(self.tr('No documents to preview.'))}</p>")
        self.preview.setHtml("".join(parts))

    def _fill_problems(self, result: io_tasks.CheckResult) -> None:
        r = result.report
        problems = sorted(r.problems, key=lambda p: (p.severity != "error", p.line or p.row or 0))
        extra = [(sev, r.unlisted(sev)) for sev in ("error", "warning") if r.unlisted(sev)]
        self.problems.setRowCount(len(problems) + len(extra) + len(r.notes))
        row = 0
        for p in problems:
            where = (self.tr("line {n}").format(n=p.line) if p.line is not None
                     else self.tr("row {n}").format(n=p.row) if p.row is not None else "")
            sev = self.tr("error") if p.severity == "error" else self.tr("warning")
            items = [QTableWidgetItem(sev), QTableWidgetItem(where), QTableWidgetItem(with_gui_controls(p.message))]
            if p.severity == "error":
                items[0].setForeground(QColor("#b00020"))
            for col, item in enumerate(items):
                self.problems.setItem(row, col, item)
            row += 1
        for sev, count in extra:
            self.problems.setItem(row, 0, QTableWidgetItem(self.tr("error") if sev == "error" else self.tr("warning")))
            self.problems.setItem(row, 2, QTableWidgetItem(self.tr("… and {n} more of the same kinds").format(n=count)))
            row += 1
        for note in r.notes:
            self.problems.setItem(row, 0, QTableWidgetItem(self.tr("note")))
            self.problems.setItem(row, 2, QTableWidgetItem(import_note_label(note)))
            row += 1
        self.problems.resizeRowsToContents()


class ResultPage(QWizardPage):
    """Runs the real import and shows its summary."""

    def __init__(self, wizard: "ImportWizard") -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(self.tr("Import"))
        layout = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setObjectName("importResult")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        layout.addWidget(self.busy)
        self.cancel_button = QPushButton(self.tr("Cancel import"))
        self.cancel_button.clicked.connect(self._cancel)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self._cancel_event = threading.Event()
        self._running = False
        self.report = None

    def initializePage(self) -> None:
        self._cancel_event = threading.Event()
        self._running = True
        self.report = None
        self.busy.show()
        self.cancel_button.show()
        self.status.setText(self.tr("Importing {name}…").format(name=Path(self.w.path()).name))
        project, path, options = str(self.w.project), self.w.path(), self.w.file_page.options()
        cancel = self._cancel_event
        self.w.tasks.run(lambda: io_tasks.run_import(project, path, options, cancel), self._done, self._failed)
        self.completeChanged.emit()

    def _cancel(self) -> None:
        self._cancel_event.set()

    def is_running(self) -> bool:
        return self._running

    def isComplete(self) -> bool:
        # Finished either way: after a failure "Close" must work too (nothing was written).
        return not self._running

    def _done(self, report) -> None:  # noqa: ANN001 - ImportReport
        self._running = False
        self.report = report
        self.busy.hide()
        self.cancel_button.hide()
        self.status.setText(self.tr("Imported {docs} documents ({ner} labelled for NER, {ents} entities, {sents} "
                                    "sentiment labels).").format(docs=report.documents, ner=report.ner_documents,
                                                                 ents=sum(report.entities.values()),
                                                                 sents=sum(report.sentiments.values()))
                            + "\n\n" + report.summary())
        self.completeChanged.emit()
        self.w.imported.emit(self.tr("Imported {docs} documents from {name}").format(
            docs=report.documents, name=Path(report.file).name))

    def _failed(self, exc: BaseException) -> None:
        self._running = False
        self.busy.hide()
        self.cancel_button.hide()
        self.status.setText(self.tr("Nothing was imported: {error}").format(error=exc))
        self.completeChanged.emit()


class ImportWizard(QWizard):
    """File -> check -> import. `imported` carries a one-line summary after a committed import."""

    imported = Signal(str)

    def __init__(self, project: str | Path, parent: QWidget | None = None, tasks: BackgroundTasks | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.setWindowTitle(self.tr("Import documents"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.project = Path(project)
        self.tasks = tasks or BackgroundTasks(self)
        self.file_page = FilePage(self)
        self.check_page = CheckPage(self)
        self.result_page = ResultPage(self)
        self.addPage(self.file_page)
        self.addPage(self.check_page)
        self.addPage(self.result_page)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("Next >"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< Back"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("Cancel"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Close"))
        self.currentIdChanged.connect(self._page_changed)
        self.resize(860, 640)

    def _page_changed(self, _id: int) -> None:
        if self.currentPage() is self.check_page:
            self.setButtonText(QWizard.WizardButton.NextButton, self.tr("Import"))
        else:
            self.setButtonText(QWizard.WizardButton.NextButton, self.tr("Next >"))

    def set_file(self, path: str | Path) -> None:
        self.file_page.path_edit.setText(str(path))

    def path(self) -> str:
        return self.file_page.path_edit.text().strip()

    def busy(self) -> bool:
        return self.file_page._inspecting or self.check_page.is_running() or self.result_page.is_running()

    def reject(self) -> None:
        if self.result_page.is_running():
            self.result_page._cancel()  # the import stops at its next progress check and writes nothing
        super().reject()


def render_spans_html(text: str, spans: list[tuple[int, int, str]], colours: dict[str, str]) -> str:
    """Text with its entity spans highlighted, for previews (code point offsets: Python slicing)."""
    out, pos = [], 0
    for start, end, label in sorted(spans):
        if start < pos:
            continue
        out.append(html.escape(text[pos:start]))
        bg = QColor(colours.get(label, "#dddddd"))
        tag_bg = bg.darker(135)
        out.append(f"<span style='background:{bg.name()}'>&nbsp;{html.escape(text[start:end])}&nbsp;"
                   f"<sub style='background:{tag_bg.name()}; color:{text_colour_for(tag_bg).name()}'>"
                   f"&nbsp;{html.escape(label)}&nbsp;</sub></span>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)
