"""The import wizard's split choice: it offers every rule and a fixed split, the dry run gives the
splits the real import will give (the scratch project knows the real one's training documents), and
the import follows the choice."""
from __future__ import annotations

from collections import Counter

from mtl_studio.gui.import_wizard import ImportWizard

LINES = "".join(f"Sentence {i} about shares.\n" for i in range(60))


def choose(wizard: ImportWizard, rule_or_split: str) -> None:
    combo = wizard.file_page.split_combo
    index = next(i for i in range(combo.count()) if rule_or_split in str(combo.itemData(i)).split("|"))
    combo.setCurrentIndex(index)


def check(qtbot, wizard: ImportWizard):
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.result is not None, timeout=20_000)
    result = wizard.check_page.result
    wizard.back()
    wizard.check_page.result = None
    return result


def test_split_choice_reaches_the_dry_run_and_the_import(qtbot, project, tmp_path):
    folder = tmp_path / "lone"
    folder.mkdir()
    src = folder / "valid.txt"
    src.write_text(LINES, encoding="utf-8")
    wizard = ImportWizard(project.path)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.set_file(src)
    qtbot.waitUntil(lambda: wizard.file_page.isComplete(), timeout=10_000)
    combo = wizard.file_page.split_combo
    assert [str(combo.itemData(i)) for i in range(combo.count())] == [
        "auto|", "file-field|", "file-name|", "random|", "all-train|", "auto|dev", "auto|test"]
    options = wizard.file_page.options()
    assert (options.split_rule, options.split) == ("auto", None)

    # The project has training documents, so a dev file is one of a set: auto puts it in dev, in the
    # dry run as in the real import (the scratch project of the check has no documents of its own).
    assert check(qtbot, wizard).report.splits == {"dev": 60}
    choose(wizard, "random")
    splits = check(qtbot, wizard).report.splits
    assert splits["train"] > 30 and sum(splits.values()) == 60
    choose(wizard, "test")
    assert wizard.file_page.options().split == "test"
    choose(wizard, "all-train")
    assert check(qtbot, wizard).report.splits == {"train": 60}

    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.result is not None, timeout=20_000)
    with qtbot.waitSignal(wizard.imported, timeout=20_000):
        wizard.next()  # import with the chosen rule
    assert Counter(d.split for d in project.iter_documents() if d.source == "valid.txt") == {"train": 60}
    wizard.accept()
    wizard.tasks.wait()
