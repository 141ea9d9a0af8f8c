"""The Results tab's verdict sentence is composed in the GUI from the verdict's fields: in English it is
the core's sentence word for word (the one `evaluate --json` and the model card print), and every piece
goes through the translator, so a translation can reorder it and names the tasks in its own words."""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator

from mtl_studio.core.verdict import TaskDifference, Verdict, task_metric, verdict_sentence
from mtl_studio.gui import verdict_label
from mtl_studio.gui.app import install_translations
from mtl_studio.gui.verdict_label import VerdictLabel, verdict_text


def _d(task: str, difference: float, low: float, high: float, multi_label: bool = False) -> TaskDifference:
    return TaskDifference(task, task_metric(task, multi_label), f"base-{task}", 80.0 + difference, 80.0,
                          difference, low, high, 120)


CASES = {
    "raised and unclear": [_d("sentiment", 2.7, 1.1, 4.2), _d("ner", -0.3, -0.9, 0.4)],
    "lowered": [_d("ner", -1.26, -2.04, -0.51), _d("sentiment", -3.0, -4.4, -1.5)],
    "no clear difference": [_d("ner", 0.04, -0.8, 0.9), _d("sentiment", -0.04, -1.0, 1.0)],
    "one baseline missing": [_d("sentiment", 1.0, 0.2, 1.9)],
    "no baseline": [],
    "four tasks": [_d("ner", 0.5, 0.1, 0.9), _d("sentiment", -0.2, -1.1, 0.6),
                   _d("entity_sentiment", -2.25, -3.5, -1.05), _d("aspects", 1.35, -0.05, 2.8, multi_label=True)],
    "a single-label set": [_d("ner", 3.0, 2.0, 4.0), _d("topic", 0.0, -0.5, 0.5)],
}

# A translation that puts the verb before the metric and the interval after the number (as Chinese does).
ZH = {
    "Joint training {clauses}.": "联合训练{clauses}。",
    "{clauses} and {last}": "{clauses}，并{last}",
    ", ": "，",
    "raised {metric} by {difference} points ({ci})": "使{metric}提高 {difference} 个百分点（{ci}）",
    "lowered {metric} by {difference} points ({ci})": "使{metric}降低 {difference} 个百分点（{ci}）",
    "changed {metric} by {difference} ({ci}, not distinguishable from 0)": "使{metric}变化 {difference}（{ci}，与 0 无法区分）",
    "95% CI {low} to {high}": "95% 置信区间 {low} 至 {high}",
    "CI {low} to {high}": "置信区间 {low} 至 {high}",
    "{task} F1": "{task} F1",
    "{task} macro-F1": "{task} 宏平均 F1",
    "{task} micro-F1": "{task} 微平均 F1",
    "No single-task baseline to compare with.": "没有可比较的单任务基线。",
}


class VerdictTranslator(QTranslator):
    """The VerdictLabel strings of ZH (the new strings are not in the shipped .qm yet); it records what
    was asked so the test sees that every piece of the sentence went through the translator."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: D401 - Qt override
        if context != "VerdictLabel":
            return None  # the shipped translation answers (task names, the rest of the label)
        self.asked.add(source)
        return ZH.get(source)

    def isEmpty(self) -> bool:  # noqa: N802 (Qt name)
        return False


@pytest.fixture
def zh(qapp):
    shipped = install_translations(qapp, "zh_CN")
    assert shipped
    ours = VerdictTranslator()
    qapp.installTranslator(ours)  # installed last: asked first
    yield ours
    for t in [ours, *shipped]:
        qapp.removeTranslator(t)


@pytest.mark.parametrize("case", sorted(CASES))
def test_in_english_the_sentence_is_the_cores(case):
    assert verdict_text(CASES[case]) == verdict_sentence(CASES[case])


def test_the_label_shows_the_composed_sentence(qtbot):
    label = VerdictLabel()
    qtbot.addWidget(label)
    verdict = Verdict("joint", "test", CASES["four tasks"], 1000, 13)
    label._wanted = ("joint", "test")
    label._done(("joint", "test"), verdict)
    assert label.text() == f"{verdict.sentence} Paired bootstrap over 120 test documents."
    assert "entity sentiment macro-F1: joint 77.8 vs baseline 80.0 (run base-entity_sentiment)" in label.toolTip()


def test_in_chinese_the_sentence_is_translated_and_reordered(zh):
    text = verdict_text(CASES["raised and unclear"])
    assert text == ("联合训练使情感 宏平均 F1提高 2.7 个百分点（95% 置信区间 1.1 至 4.2），"
                    "并使NER F1变化 -0.3（置信区间 -0.9 至 0.4，与 0 无法区分）。")
    four = verdict_text(CASES["four tasks"])
    assert "实体情感 宏平均 F1降低 2.2 个百分点" in four and "aspects 微平均 F1变化 +1.4" in four
    assert four.count("，并") == 1 and four.count("，使") == 2
    assert verdict_text([]) == "没有可比较的单任务基线。"
    assert zh.asked == set(ZH)  # every piece of every kind of sentence was asked for


def test_chinese_label_text(qtbot, zh):
    label = VerdictLabel()
    qtbot.addWidget(label)
    label._wanted = ("joint", "test")
    label._done(("joint", "test"), Verdict("joint", "test", CASES["lowered"], 1000, 13))
    assert label.text().startswith("联合训练使NER F1降低 1.3 个百分点（95% 置信区间 -2.0 至 -0.5），")
    assert "测试集" in label.text()  # the split in the interface language too


def test_lupdate_finds_every_piece_in_the_verdict_label_context(tmp_path):
    """The strings the sentence asks for are the ones lupdate extracts (context and text), so the
    coordinator's regenerated .ts carries them."""
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    scratch = tmp_path / "verdict.ts"
    subprocess.run([str(lupdate) if lupdate.exists() else "pyside6-lupdate", verdict_label.__file__,
                    "-ts", str(scratch)], check=True, capture_output=True)
    found = {m.findtext("source") for c in ET.parse(scratch).getroot().iter("context")
             if c.findtext("name") == "VerdictLabel" for m in c.iter("message")}
    assert set(ZH) <= found, sorted(set(ZH) - found)
