"""Budget section of the evaluation: capture of the true-optimal gain, by hand."""

from __future__ import annotations

import numpy as np
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


def test_true_optimum_of_two_s_shaped_curves_by_hand():
    """f_A(s) = s²/(s² + 100²), f_B = 1.1·f_A (slope 2: S-shaped, marginal revenue peaks at
    100/√3 = 57.7), bounds 0–300.

    Total 60: splitting is worse than a corner — (30, 30): 0.0826 + 0.0908 = 0.1734, while
    (0, 60): 1.1·3600/13600 = 0.291176 — so the whole budget goes to B.
    Total 200: both on their concave parts with equal marginal revenue; the symmetric
    (100, 100) gives 0.5 + 0.55 = 1.05 but B's marginal there is 10 % higher, so the optimum
    moves toward B: a grid search over a ∈ [0, 200] (step 1e-4) finds (95.2272, 104.7728),
    1.0511918, where the price-only (Lagrangian) answer would leave A out (1.1·0.8 = 0.88)."""
    from roi_ml.budget.allocator import HillSet
    from roi_ml.pipelines.evaluation.budget import true_optimum

    curves = HillSet(np.array([1.0, 1.1]), np.array([100.0, 100.0]), np.array([2.0, 2.0]))
    lower, upper = np.zeros(2), np.full(2, 300.0)
    corner = true_optimum(curves, lower, upper, 60.0)
    np.testing.assert_allclose(corner, [0.0, 60.0], atol=1e-6)
    assert curves.value(corner).sum() == pytest.approx(1.1 * 3600 / 13600, rel=1e-9)
    inner = true_optimum(curves, lower, upper, 200.0)
    np.testing.assert_allclose(inner, [95.2272, 104.7728], atol=1e-3)
    assert inner.sum() == pytest.approx(200.0, rel=1e-12)
    g = curves.gradient(inner)
    assert g[0] == pytest.approx(g[1], rel=1e-6)  # equal marginal revenue
    assert curves.value(inner).sum() == pytest.approx(1.0511918, rel=1e-7)


def test_true_optimum_warns_when_switching_creators_exceed_the_cap(caplog):
    """The total-200 case above has a creator switching in/out at the price; with the cap at 0
    only the Lagrangian mix is tried: it cannot beat the optimum and the run says so."""
    import logging

    from roi_ml.budget.allocator import HillSet
    from roi_ml.pipelines.evaluation.budget import true_optimum

    curves = HillSet(np.array([1.0, 1.1]), np.array([100.0, 100.0]), np.array([2.0, 2.0]))
    with caplog.at_level(logging.WARNING):
        capped = true_optimum(curves, np.zeros(2), np.full(2, 300.0), 200.0, max_switching=0)
    assert "may be understated" in caplog.text
    assert capped.sum() == pytest.approx(200.0, rel=1e-12)
    assert curves.value(capped).sum() < 1.0511918 - 5e-4  # the mix found 1.05019 (90.8, 109.2)


def test_true_optimum_is_never_below_the_allocators_slsqp():
    """On random mixes of concave and S-shaped curves the exact solver reaches at least the
    value SLSQP (roi_ml.budget.allocator.allocate) reaches, with the same total and bounds."""
    from roi_ml.budget.allocator import HillSet, allocate
    from roi_ml.pipelines.evaluation.budget import true_optimum

    rng = np.random.default_rng(5)
    for _ in range(5):
        n = 25
        curves = HillSet(rng.uniform(50, 500, n), rng.uniform(100, 2000, n), rng.uniform(0.6, 2.5, n))
        lower = rng.uniform(0, 300, n)
        upper = lower + rng.uniform(100, 3000, n)
        total = float(lower.sum() + 0.4 * (upper - lower).sum())
        mine = true_optimum(curves, lower, upper, total)
        assert mine.sum() == pytest.approx(total, rel=1e-12)
        assert np.all(mine >= lower - 1e-9) and np.all(mine <= upper + 1e-9)
        slsqp = allocate(curves, lower, upper, total, current=lower, objective="revenue").spend
        assert curves.value(mine).sum() >= curves.value(slsqp).sum() * (1 - 1e-9)
