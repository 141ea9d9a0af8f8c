"""bench/small_data.py's verdict: the defaults against the best grid cell, averaged over the seeds both
ran with (a single seed's test score on a few hundred documents moves by a point or more)."""
from __future__ import annotations

from bench_modules import bench_module


def _cell(cell: str, seed: int | None, score: float, seconds: float = 100.0) -> dict:
    row = {"subset": "fpb-300", "cell": cell, "test_score": score, "train_seconds": seconds}
    if seed is not None:
        row["seed"] = seed
    return row


def test_the_verdict_averages_each_cell_over_the_seeds_it_shares_with_the_defaults():
    sd = bench_module('small_data')
    results = [
        _cell("default", 13, 0.70, 60), _cell("default", 14, 0.74, 80),
        _cell("e10-lr1e-4", 13, 0.72, 50), _cell("e10-lr1e-4", 14, 0.71, 50),  # mean 0.715
        _cell("e20-lr1e-4", 13, 0.73, 90), _cell("e20-lr1e-4", 14, 0.72, 90),  # mean 0.725: best
        _cell("e3-lr1e-4", 15, 0.99),  # no default with seed 15: left out
    ]
    (v,) = sd.verdicts(results)
    assert v["best_cell"] == "e20-lr1e-4" and v["seeds"] == [13, 14] and v["grid_cells"] == 2
    assert v["gap_points"] == round(100 * (0.725 - 0.72), 2)
    assert v["time_ratio"] == round(70 / 90, 2) and v["default_spread_points"] == 4.0 and v["meets"]


def test_a_file_from_before_seeds_reads_as_one_seed_and_a_wide_gap_misses():
    sd = bench_module('small_data')
    (v,) = sd.verdicts([_cell("default", None, 0.6518), _cell("e10-lr1e-4", None, 0.7209)])
    assert v["seeds"] == [13] and v["default_spread_points"] is None
    assert v["gap_points"] == 6.91 and not v["meets"]
