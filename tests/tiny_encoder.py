"""A tiny random-init BERT encoder and fast tokenizer, built offline in a folder (tests and smoke runs).

The vocabulary holds the words of the test fixtures, common English words, digits, punctuation, CJK
characters used by the tests and a few emoji, so tokenization is realistic without any download.
"""
from __future__ import annotations

import json
from pathlib import Path

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = """the a an of to in on for and or but is are was were be been has have had it its this that with as
by at from up down rose fell shares stock profit loss sales net revenue quarter year company bank group inc
ltd corp plc said says will would could new after before more less than million billion percent eur usd
apple nokia google amazon microsoft tesla siemens volkswagen deutsche finland berlin london paris new york
germany china japan france peter john mary smith chief executive officer analyst market markets price
prices good bad great poor strong weak growth decline increase decrease cut cuts jobs job results
positive negative neutral eu rejects german call boycott british lamb blackburn brussels commission
tokyo beijing shanghai shenzhen huawei alibaba tencent ceo cfo investors expects expected report reported
""".split()
CJK = list("华为在深圳北京上海中国公司股票上涨下跌利润亏损市场银行美元人民币张三李四王五我们他们的了是不很好坏")
SYMBOLS = list(".,;:!?'\"()-%$€&/") + ["😀", "🚀", "𠀋", "，", "。", "！", "？"]
DIGITS = list("0123456789")


def vocabulary() -> list[str]:
    words = SPECIAL + WORDS + CJK + SYMBOLS + DIGITS
    # WordPiece continuation pieces so unseen words split into known pieces instead of [UNK].
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    words += letters + ["##" + c for c in letters + DIGITS] + ["##s", "##ed", "##ing", "##er", "##ly"]
    seen, out = set(), []
    for w in words:
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


def build_tiny_encoder(folder: str | Path, *, hidden: int = 32, layers: int = 2, heads: int = 2,
                       seed: int = 0) -> Path:
    """Write config.json, model.safetensors and a fast tokenizer to `folder`; returns the folder."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vocab = vocabulary()
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    # transformers 5 takes the vocabulary as a dict; older releases as a vocab_file path.
    try:
        tokenizer = BertTokenizerFast(vocab={w: i for i, w in enumerate(vocab)}, do_lower_case=True,
                                      tokenize_chinese_chars=True)
    except TypeError:
        tokenizer = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=True,
                                      tokenize_chinese_chars=True)
    tokenizer.save_pretrained(folder)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(vocab), hidden_size=hidden, num_hidden_layers=layers,
                        num_attention_heads=heads, intermediate_size=hidden * 2, max_position_embeddings=512)
    BertModel(config).save_pretrained(folder, safe_serialization=True)
    (folder / "TINY_ENCODER.json").write_text(json.dumps({"purpose": "tests"}), encoding="utf-8")
    return folder


if __name__ == "__main__":
    import sys

    print(build_tiny_encoder(sys.argv[1] if len(sys.argv) > 1 else "tiny-encoder"))
