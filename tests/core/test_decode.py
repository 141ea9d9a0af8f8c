"""First-sub-word positions, BIO repair and span decoding with scores."""
from mtl_studio.core.decode import DecodedEntity, decode_token_predictions, first_subword_positions, repair_bio

TAGS = ["O", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]


def test_first_subword_positions():
    # [CLS] w0 w0 w1 [SEP] pad; word 2 produced no sub-word
    assert first_subword_positions([None, 0, 0, 1, None, None], 3) == [1, 3, None]


def test_repair_bio():
    assert repair_bio(["I-ORG", "I-ORG", "O", "I-LOC", "B-ORG", "I-LOC"]) == [
        "B-ORG", "I-ORG", "O", "B-LOC", "B-ORG", "B-LOC"]
    assert repair_bio(["B-ORG", "I-ORG", "B-ORG"]) == ["B-ORG", "I-ORG", "B-ORG"]


def test_decode_offsets_scores_and_repair():
    offsets = [(0, 5), (6, 11), (12, 14), (15, 21), (22, 23)]
    # I-ORG I-ORG (repaired to one ORG), O, B-LOC, then a word with no prediction (O)
    ents = decode_token_predictions([2, 2, 0, 3, None], [0.9, 0.7, 0.99, 0.6, None], TAGS, offsets)
    assert ents == [DecodedEntity(0, 11, "ORG", 0.8), DecodedEntity(15, 21, "LOC", 0.6)]
    # an I- of another type starts a new entity
    ents = decode_token_predictions([1, 4], [0.5, 0.5], TAGS, offsets[:2])
    assert [(e.start, e.end, e.label) for e in ents] == [(0, 5, "ORG"), (6, 11, "LOC")]
