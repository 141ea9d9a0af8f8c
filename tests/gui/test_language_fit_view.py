"""The Train tab's language-fit warning (measured off the GUI thread) and the encoders-by-language picker."""
from __future__ import annotations

import pytest

from mtl_studio.core.paths import offline_encoder_path
from mtl_studio.core.schema import Document
from mtl_studio.core.store import ProjectStore
from mtl_studio.core.tokenize import tokenize
from mtl_studio.gui.training import TrainingPanel
from mtl_studio.gui.worker import running_threads

pytestmark = pytest.mark.skipif(offline_encoder_path() is None, reason="offline encoder not installed")


def _project(path, texts):
    store = ProjectStore.create(path)
    store.add_sentiment_class("pos")
    for t in texts:
        store.add_document(Document(text=t, tokens=tokenize(t)))
    return store


@pytest.fixture
def panel(qtbot):
    p = TrainingPanel()
    qtbot.addWidget(p)
    yield p
    assert p.shutdown(60_000)
    qtbot.waitUntil(lambda: not running_threads(), timeout=60_000)


def test_chinese_project_shows_the_warning_and_a_suggestion_fills_the_encoder(panel, qtbot, tmp_path):
    store = _project(tmp_path / "zh.mtl", ["熟悉机器学习与自然语言处理，负责过推荐系统和搜索排序的研发工作。"])
    try:
        panel.set_project(store)
        label = panel.languageFitLabel
        qtbot.waitUntil(lambda: label.isVisibleTo(panel), timeout=30_000)
        assert "bert-base-chinese" in label.text() and "unknown token" in label.text()
        combo = panel.suggestedEncoders
        index = combo.findData("bert-base-chinese")
        assert index > 0 and combo.itemText(index).startswith("Chinese")
        combo.setCurrentIndex(index)
        combo.activated.emit(index)
        assert panel.config().encoder == "bert-base-chinese"
        assert combo.currentIndex() == 0  # back to the prompt: the picker is not a setting itself
    finally:
        panel.languageFitLabel.tasks.wait()
        store.close()


def test_english_project_shows_no_warning(panel, qtbot, tmp_path):
    store = _project(tmp_path / "en.mtl", ["Apple shares rose 5% after the results in Berlin."])
    try:
        panel.set_project(store)
        label = panel.languageFitLabel
        qtbot.waitUntil(lambda: ("/en.mtl" in str(label._wanted) and label._wanted in label._cache), timeout=30_000)
        assert not label.isVisibleTo(panel)
    finally:
        panel.languageFitLabel.tasks.wait()
        store.close()
