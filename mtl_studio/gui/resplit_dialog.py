"""Data › Re-split…: the ratios, the seed and whether only documents whose split nobody chose move.

The dialog only collects the choice; the window applies it as an undoable command (core.splits.resplit).
"""
from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget,
)

from mtl_studio.core.schema import ValidationError
from mtl_studio.core.splits import parse_ratios


class ResplitDialog(QDialog):
    """Ratios train/dev/test (80/10/10), a seed, and "only unassigned documents"."""

    def __init__(self, seed: int, unassigned: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resplitDialog")
        self.setWindowTitle(self.tr("Re-split documents"))
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Give the documents a new seeded train/dev/test split, balanced over the sentiment "
                               "classes and NER labelling. Ctrl+Z moves them back."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.ratios = QLineEdit("80/10/10", objectName="resplitRatios")
        self.ratios.setToolTip(self.tr("Shares of train/dev/test, e.g. 80/10/10 or 90/10/0"))
        form.addRow(self.tr("Ratios (train/dev/test)"), self.ratios)
        self.seed = QSpinBox(objectName="resplitSeed")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(seed)
        form.addRow(self.tr("Seed"), self.seed)
        layout.addLayout(form)
        self.only_unassigned = QCheckBox(
            self.tr("Only documents whose split no file or person chose ({n})").format(n=f"{unassigned:,}"),
            objectName="resplitOnlyUnassigned")
        layout.addWidget(self.only_unassigned)
        self.error = QLabel(objectName="resplitError")
        self.error.setStyleSheet("color: #b42318;")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Re-split"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)

    def chosen_ratios(self) -> tuple[float, float, float]:
        return parse_ratios(self.ratios.text())

    def accept(self) -> None:
        try:
            self.chosen_ratios()
        except ValidationError as e:  # stay open and say what is wrong
            self.error.setText(str(e))
            self.error.show()
            return
        super().accept()
