"""Train tab helpers for language fit: a warning label and a picker of encoders suggested by language.

The measurement (core.language_fit.check_project: load a tokenizer, tokenize up to 2,000 documents,
about a second) runs off the GUI thread; results are cached per (project, encoder, document count),
so switching tabs or editing other settings does not measure again.
"""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from mtl_studio.core.language_fit import SUGGESTED_ENCODERS, project_warning

from .background import BackgroundTasks

_Key = tuple[str, str, int]


class LanguageFitLabel(QLabel):
    """Shows the language-fit warning of the current project and encoder; hidden when the text fits."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("languageFitLabel")
        self.setWordWrap(True)
        self.setStyleSheet("color: #b35c00;")
        self.hide()
        self.tasks = BackgroundTasks(self)
        self._cache: dict[_Key, str | None] = {}
        self._wanted: _Key | None = None

    def check(self, project: str | None, encoder: str, documents: int) -> None:
        """Measure (in the background, once per key) and show the warning for this project and encoder."""
        if not project or not encoder or documents == 0:
            self._wanted = None
            self._show(None)
            return
        key = (project, encoder, documents)
        self._wanted = key
        if key in self._cache:
            self._show(self._cache[key])
            return
        self.tasks.run(lambda: project_warning(project, encoder), lambda w: self._done(key, w),
                       lambda _e: self._done(key, None))

    def settled(self) -> bool:
        """The last check has its answer (shown or, for text that fits, hidden)."""
        return self._wanted is None or self._wanted in self._cache

    def _done(self, key: _Key, warning: str | None) -> None:
        self._cache[key] = warning
        if key == self._wanted:  # a later check (another encoder) wins over a slow earlier one
            self._show(warning)

    def _show(self, warning: str | None) -> None:
        self.setText(self.tr("Warning: {}").format(warning) if warning else "")
        self.setVisible(bool(warning))


def suggested_encoder_combo(prompt: str, parent: QWidget | None = None) -> QComboBox:
    """A combo listing SUGGESTED_ENCODERS by language after `prompt`; item data is the hub name (None
    for the prompt). Language names stay English: they are also the names in the CLI warning."""
    combo = QComboBox(parent, objectName="suggestedEncoders")
    # Entries such as "Chinese: hfl/chinese-roberta-wwm-ext" must not widen the settings form past a
    # laptop screen: the closed combo shows a few characters, its popup the whole names.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(12)
    combo.addItem(prompt, None)
    for language, names in SUGGESTED_ENCODERS.items():
        for name in names:
            combo.addItem(f"{language}: {name}", name)
    return combo
