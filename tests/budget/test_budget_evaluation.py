"""Budget section of the evaluation: capture of the true-optimal gain, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from roi_ml.ground_truth import GroundTruth
from roi_ml.pipelines.evaluation.budget import naive_roas_allocation, score_budget


def _truth(tmp_path):
    """Two creators with true curves vmax·hill(s; 100, 1), vmax 1 and 4, no familiarity growth,
    and 30 caused conversions of 100 USD each: revenue per conversion
    (3,000 + 30·100) / (30 + 30) = 100, so the true revenue curves are
    R1(s) = 100 s/(s + 100) and R2(s) = 400 s/(s + 100)."""
    pd.DataFrame({"creator_id": ["A", "B"], "hill_vmax": [1.0, 4.0], "hill_ec50_usd": [100.0, 100.0],
                  "hill_slope": [1.0, 1.0], "familiarity_growth": [0.0, 0.0]}).to_csv(
        tmp_path / "creator_truth.csv", index=False)
    pd.DataFrame({"creator_id": ["A", "B"], "campaign_start": ["2025-01-01"] * 2}).to_csv(
        tmp_path / "contract_truth.csv", index=False)
    pd.DataFrame({"cause": ["creator"] * 60, "cause_creator_id": ["A"] * 30 + ["B"] * 30,
                  "revenue_usd": [100.0] * 60}).to_csv(tmp_path / "conversions_truth.csv", index=False)
    return GroundTruth(tmp_path)


def test_capture_by_hand(tmp_path):
    """Bounds 100–400 each, total 500, current (250, 250), recommended (200, 300).
    R(current) = 500·250/350 = 357.1429; the optimum (equal marginals, see the allocator test)
    is (133.33, 366.67): 100·4/7 + 400·11/14 = 371.4286; gain 14.2857.
    R(recommended) = 100·200/300 + 400·300/400 = 366.6667 → capture 9.5238 / 14.2857 = 2/3.
    Naive: both at 100, the rest (300) to B (higher observed ROAS) → (100, 400):
    50 + 320 = 370 → naive capture 12.8571 / 14.2857 = 0.9."""
    alloc = pd.DataFrame({"creator_id": ["A", "B"], "current_budget": [250.0, 250.0],
                          "min_budget": [100.0, 100.0], "max_budget": [400.0, 400.0],
                          "recommended_budget": [200.0, 300.0]})
    curves = pd.DataFrame({"creator_id": ["A", "B"], "observed_roas": [0.5, 2.0],
                           "vmax_revenue_usd": [100.0, 400.0], "ec50_usd": [100.0, 100.0],
                           "hill_slope": [1.0, 1.0], "model_used": ["time_decay"] * 2})
    out = score_budget(_truth(tmp_path), alloc, curves)
    assert out["true_revenue_current"] == pytest.approx(357.142857, rel=1e-6)
    assert out["true_revenue_optimal"] == pytest.approx(371.428571, rel=1e-5)
    assert out["capture"] == pytest.approx(2 / 3, rel=1e-3)
    assert out["naive_capture"] == pytest.approx(0.9, rel=1e-3)


def test_naive_rule_fills_best_roas_first():
    # mins (10, 10, 10), maxes (50, 50, 50), total 100: 70 left → best (index 2) +40, next
    # (index 0) +30
    s = naive_roas_allocation(pd.Series([2.0, 1.0, 3.0]).to_numpy(), pd.Series([10.0] * 3).to_numpy(),
                              pd.Series([50.0] * 3).to_numpy(), 100.0)
    assert s.tolist() == [40.0, 10.0, 50.0]


def test_skips_without_truth(tmp_path):
    out = score_budget(GroundTruth(tmp_path / "none"), pd.DataFrame(), pd.DataFrame())
    assert "skipped" in out
