"""Language fit: the share of text the encoder's tokenizer maps to [UNK], the warning and its suggestions."""
from __future__ import annotations

import pytest

from mtl_studio.cli import main
from mtl_studio.core import language_fit as lf
from mtl_studio.core.paths import offline_encoder_path

needs_offline = pytest.mark.skipif(offline_encoder_path() is None, reason="offline encoder not installed")

# Chinese résumé-style sentences: the bundled English MiniLM knows some frequent CJK characters only.
CHINESE = [
    "张伟，男，三十二岁，毕业于复旦大学计算机系，曾在阿里巴巴担任高级工程师。",
    "熟悉机器学习与自然语言处理，负责过推荐系统和搜索排序的研发工作。",
    "二零一八年加入腾讯，带领团队完成了智能客服平台的设计与上线。",
    "擅长沟通协调，具有良好的团队合作精神和较强的抗压能力。",
]
ENGLISH = [
    "Apple shares rose 5% after the results in Berlin.",
    "Nokia cut 300 jobs in Finland, the company said on Tuesday.",
    "Operating profit totalled EUR 9.4 mn, down from EUR 11.7 mn in 2004.",
]


@pytest.fixture(scope="module")
def minilm_tokenizer():
    if offline_encoder_path() is None:
        pytest.skip("offline encoder not installed")
    return lf.load_tokenizer(None)


def test_chinese_text_with_the_bundled_encoder_warns_and_suggests_chinese_encoders(minilm_tokenizer):
    fit = lf.measure_texts(minilm_tokenizer, CHINESE, encoder="offline")
    assert fit.documents == 4
    assert 0.3 < fit.char_share < 0.8  # about half the characters
    assert fit.word_share == pytest.approx(fit.char_share)  # one character per word in Chinese
    assert fit.poor and fit.language == "Chinese"
    assert fit.suggestions == ("bert-base-chinese", "hfl/chinese-roberta-wwm-ext")
    assert fit.examples and all(lf.script_of(w[0]) == "Chinese" for w in fit.examples)
    warning = fit.warning()
    assert warning is not None and "bert-base-chinese" in warning and f"{fit.char_share:.0%}" in warning
    assert fit.examples[0] in warning


def test_english_text_gives_no_warning(minilm_tokenizer):
    fit = lf.measure_texts(minilm_tokenizer, ENGLISH * 10)
    assert fit.words > 100 and fit.unknown_characters == 0
    assert not fit.poor and fit.warning() is None and fit.suggestions == ()


def test_mixed_unknown_scripts_suggest_a_multilingual_encoder(minilm_tokenizer):
    chinese_korean = ["擅长沟通协调，具有良好的团队合作精神", "회의가 열렸다 올랐다 회의가 열렸다 올랐다"]
    fit = lf.measure_texts(minilm_tokenizer, chinese_korean)
    assert set(fit.scripts) == {"Chinese", "Korean"}  # neither holds 80% of the unknown characters
    assert fit.poor and fit.language == lf.MIXED
    assert "xlm-roberta-base" in fit.suggestions


def test_the_sample_is_limited(minilm_tokenizer):
    fit = lf.measure_texts(minilm_tokenizer, iter(ENGLISH * 1000), limit=50)
    assert fit.documents == 50


def test_tiny_encoder_reads_the_cjk_it_knows(tiny_encoder):
    """The threshold depends on the tokenizer, not on the script: a vocabulary with these characters fits."""
    tokenizer = lf.load_tokenizer(str(tiny_encoder))
    assert not lf.measure_texts(tokenizer, ["华为在深圳", "中国公司股票上涨"]).poor
    assert lf.measure_texts(tokenizer, ["Москва и Санкт-Петербург"]).language == "Cyrillic (Russian, Ukrainian, ...)"


def test_every_script_has_suggestions():
    scripts = {s for s, _ in lf._SCRIPT_PREFIXES}
    assert scripts | {lf.MIXED} <= set(lf.SUGGESTED_ENCODERS)
    assert all(lf.SUGGESTED_ENCODERS[s] for s in lf.SUGGESTED_ENCODERS)


def _import(tmp_path, capsys, texts: list[str]) -> tuple[str, str]:
    """(project path, stderr) after `new` and `import` of texts as a txt file."""
    project, path = tmp_path / "p.mtl", tmp_path / "texts.txt"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    assert main(["new", str(project), "--sentiment-classes", "neg,pos"]) == 0
    assert main(["import", str(project), str(path)]) == 0
    return str(project), capsys.readouterr().err


@needs_offline
def test_cli_import_reports_poor_fit(tmp_path, capsys):
    project, err = _import(tmp_path, capsys, CHINESE)
    assert "warning: encoder offline maps" in err and "bert-base-chinese" in err
    assert lf.project_warning(project, "offline") is not None
    # An encoder whose tokenizer is not available offline is not checked (training reports that itself).
    assert lf.project_warning(project, str(tmp_path / "no-such-encoder")) is None


@needs_offline
def test_cli_import_of_english_text_has_no_language_warning(tmp_path, capsys):
    _, err = _import(tmp_path, capsys, ENGLISH)
    assert "unknown token" not in err


@needs_offline
def test_cli_train_warns_before_training_starts(tmp_path, capsys):
    project, _ = _import(tmp_path, capsys, CHINESE)
    main(["train", project, "--epochs", "1"])  # nothing is labelled: the run itself fails at once
    err = capsys.readouterr().err
    warning = next(line for line in err.splitlines() if "unknown token" in line)
    assert warning.startswith("warning: encoder offline maps") and "bert-base-chinese" in warning
    assert err.index(warning) < err.index("error")  # before the run's own outcome
