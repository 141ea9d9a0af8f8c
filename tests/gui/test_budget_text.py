"""The Train tab's budget line is put together in the GUI from the plan's numbers and reasons: in English
it is the engine's line word for word (the CLI's `budget:` line), in Chinese it has no English words."""
from __future__ import annotations

import re

import pytest

from mtl_studio.core.budget import MAX_STEPS, EncoderInfo, TaskPasses, plan_budget
from mtl_studio.core.budget_preview import BudgetPreview
from mtl_studio.core.config import preset
from mtl_studio.gui.budget_text import budget_text
from mtl_studio.gui.engine_text import task_label

MINILM = EncoderInfo("minilm", 384, 22_000_000)
PASSES = TaskPasses(10, {"ner": 5, "sentiment": 10}, {("ner",): 63, ("sentiment",): 63})


def _preview(n_docs: int, seconds: float | None = 240.0, measured: bool = True, **kw) -> BudgetPreview:
    return BudgetPreview(plan_budget(n_docs, 16, MINILM, preset("minilm"), **kw), seconds, measured, n_docs)


CASES = {
    "automatic, measured here": _preview(776),
    "automatic, a first guess": _preview(776, 30.0, measured=False),
    "one epoch, capped, hours": _preview(1_000_000, 7_300.0),
    "fixed settings, no time known": _preview(776, None, epochs=1, learning_rate=3e-5),
    "fixed epochs, a step cap": _preview(776, 95.0, epochs=4, max_steps=100),
    "per-task epochs": _preview(3000, 600.0, passes=PASSES),
    "nothing to train on": BudgetPreview(plan_budget(0, 16, MINILM, preset("minilm")), None, False, 0),
}


@pytest.mark.parametrize("name", CASES)
def test_in_english_the_line_is_the_engines(qapp, name):
    """Word for word, but for the task names: the GUI's, as its controls name the tasks."""
    preview = CASES[name]
    expected = preview.describe()
    for task, epochs in preview.plan.task_epochs:
        expected = expected.replace(f"{task} {epochs}", f"{task_label(task)} {epochs}")
    assert budget_text(preview) == expected


def test_the_cases_cover_every_reason(qapp):
    lines = " ".join(p.describe() for p in CASES.values())
    for words in ("about ", " 1 epoch,", "epochs per task ner 5, sentiment 10", f"capped at {MAX_STEPS} steps",
                  "capped at 100 steps", "fixed by the settings", "lr for a 384-wide encoder",
                  "on this machine", "by a first guess", " h on", " min on", " s by", "none yet"):
        assert words in lines, words


@pytest.mark.parametrize("name", CASES)
def test_in_chinese_the_line_has_no_english_words(zh_translators, name):
    text = budget_text(CASES[name])
    assert re.search(r"[\u4e00-\u9fff]", text), text
    # Left in Latin letters: the learning rate's exponent and the task names the interface keeps (NER).
    words = set(re.findall(r"[A-Za-z]{2,}", text)) - {"NER"}
    assert not words, (text, words)
    plan = CASES[name].plan
    if CASES[name].train_documents:
        assert str(plan.steps) in text and str(plan.epochs) in text
