"""The allocator on curves whose optimum is worked out by hand (roi_ml.budget.allocator)."""

from __future__ import annotations

import numpy as np
import pytest

from roi_ml.budget.allocator import (
    BudgetError,
    HillSet,
    allocate,
    binding_constraints,
    equal_marginal_start,
    project_to_budget,
)


def two_creators() -> HillSet:
    # f1(s) = 100 s / (s + 100), f2(s) = 400 s / (s + 100)   (slope 1)
    return HillSet(vmax=[100.0, 400.0], ec50=[100.0, 100.0], slope=1.0)


def test_two_creators_equal_marginal_returns_by_hand():
    """Interior optimum: f1'(s1) = f2'(s2) with f'(s) = V·K / (s + K)².
    100·100/(s1+100)² = 400·100/(s2+100)²  →  s2 + 100 = 2 (s1 + 100)  →  s2 = 2 s1 + 100.
    With s1 + s2 = 500: 3 s1 + 100 = 500 → s1 = 133.33, s2 = 366.67; marginal return
    1e4 / 233.33² = 0.18367 for both."""
    res = allocate(two_creators(), lower=[0.0, 0.0], upper=[1000.0, 1000.0], total=500.0,
                   current=[250.0, 250.0])
    np.testing.assert_allclose(res.spend, [400 / 3, 1100 / 3], rtol=1e-4)
    assert res.multiplier == pytest.approx(1e4 / (400 / 3 + 100) ** 2, rel=1e-3)
    # f1 + f2 at the optimum: 100·133.33/233.33 + 400·366.67/466.67 = 57.143 + 314.286
    assert res.objective_value == pytest.approx(57.142857 + 314.285714, rel=1e-6)


def test_upper_bound_binds_and_is_reported():
    """Creator 2 capped at 300: s2 = 300, s1 = 200 (f2'(300) = 0.25 > f1'(200) = 0.111,
    so the cap holds); creator 1 is interior."""
    lower, upper = np.array([0.0, 0.0]), np.array([1000.0, 300.0])
    res = allocate(two_creators(), lower, upper, total=500.0, current=[250.0, 250.0])
    np.testing.assert_allclose(res.spend, [200.0, 300.0], rtol=1e-6)
    labels = binding_constraints(res.spend, lower, upper, ["contract_minimum"] * 2,
                                 ["max_increase", "capacity"])
    assert labels.tolist() == ["none", "capacity"]


def test_lower_bound_binds_and_fixed_creators():
    # creator 1 held at >= 300 by its minimum: s1 = 300, s2 = 200; creator 2 interior.
    lower, upper = np.array([300.0, 0.0]), np.array([1000.0, 1000.0])
    res = allocate(two_creators(), lower, upper, total=500.0)
    np.testing.assert_allclose(res.spend, [300.0, 200.0], rtol=1e-6)
    labels = binding_constraints(res.spend, lower, upper, ["max_decrease", "contract_minimum"],
                                 ["capacity", "capacity"])
    assert labels.tolist() == ["max_decrease", "none"]
    # lower = upper: fixed
    assert binding_constraints([50.0], [50.0], [50.0], ["max_decrease"], ["capacity"]).tolist() == ["fixed"]


def test_total_below_the_minimums_names_the_shortfall_and_the_conf_key():
    with pytest.raises(BudgetError, match=r"shortfall 150\.00 USD.*budget\.total"):
        allocate(two_creators(), lower=[300.0, 250.0], upper=[1000.0, 1000.0], total=400.0)


def test_total_above_the_maximums_is_refused():
    with pytest.raises(BudgetError, match=r"excess 100\.00 USD"):
        allocate(two_creators(), lower=[0.0, 0.0], upper=[200.0, 200.0], total=500.0)


def test_unknown_objective_is_refused():
    with pytest.raises(BudgetError, match="budget.objective"):
        allocate(two_creators(), [0.0, 0.0], [1000.0, 1000.0], 500.0, objective="profit")


def test_target_roas_by_hand():
    """One creator, f(s) = 1000 s / (s + 100); ROAS f(s)/s = 1000/(s + 100) ≥ 5 ⇔ s ≤ 100.
    Revenue grows with s, so the best spend under the target is 100 (budget ceiling 500)."""
    curve = HillSet(vmax=[1000.0], ec50=[100.0], slope=1.0)
    res = allocate(curve, lower=[10.0], upper=[500.0], total=500.0, objective="target_roas",
                   target_roas=5.0)
    assert res.spend[0] == pytest.approx(100.0, rel=1e-4)
    # unattainable target: even at the minimum spend ROAS is 1000/110 = 9.1 < 20
    with pytest.raises(BudgetError, match="target ROAS 20"):
        allocate(curve, lower=[10.0], upper=[500.0], total=500.0, objective="target_roas",
                 target_roas=20.0)


def test_conversions_objective_uses_the_curves_it_is_given():
    # conversions: creator 1 converts 4x more per dollar → with slope-1 curves mirrored the
    # optimum mirrors the revenue case: s1 = 366.67, s2 = 133.33
    conv = HillSet(vmax=[400.0, 100.0], ec50=[100.0, 100.0], slope=1.0)
    res = allocate(conv, [0.0, 0.0], [1000.0, 1000.0], 500.0, objective="conversions")
    np.testing.assert_allclose(res.spend, [1100 / 3, 400 / 3], rtol=1e-4)


def test_s_shaped_curves_reach_the_global_optimum():
    """Slope 4, ec50 100 each, budget 200, bounds 0–200. Splitting 100/100 gives
    2 · 0.5 · V = V; putting everything on one gives V · 200⁴/(200⁴+100⁴) = 0.941 V; so the
    even split is optimal even though a start at (200, 0) is a local optimum."""
    c = HillSet(vmax=[10.0, 10.0], ec50=[100.0, 100.0], slope=4.0)
    res = allocate(c, [0.0, 0.0], [200.0, 200.0], 200.0, current=[199.0, 1.0])
    np.testing.assert_allclose(res.spend, [100.0, 100.0], rtol=1e-3)
    start = equal_marginal_start(c, np.zeros(2), np.full(2, 200.0), 200.0)
    assert start.sum() == pytest.approx(200.0)


def test_project_to_budget_scales_then_clips():
    # start (100, 300), bounds [0, 200] each, total 300: t·100 + min(t·300, 200) = 300 → t = 1
    out = project_to_budget(np.array([100.0, 300.0]), np.zeros(2), np.full(2, 200.0), 300.0)
    np.testing.assert_allclose(out, [100.0, 200.0], atol=1e-6)


def test_free_set_solve_matches_the_full_solve():
    # 60 creators with mixed shapes; bounds 0.5x-2x: the free-set path (SLSQP on the creators
    # not held at a bound by the Lagrangian start, KKT-checked) lands on the full SLSQP optimum
    rng = np.random.default_rng(3)
    n = 60
    cur = rng.uniform(200, 2000, n)
    curves = HillSet(rng.uniform(2000, 20000, n), cur * rng.uniform(0.5, 2.5, n),
                     rng.uniform(0.8, 1.8, n))
    lower, upper = 0.5 * cur, 2.0 * cur
    full = allocate(curves, lower, upper, cur.sum(), current=cur)
    fast = allocate(curves, lower, upper, cur.sum(), current=cur, free_set_above=10)
    assert "free set" in fast.message and "free set" not in full.message
    assert fast.spend.sum() == pytest.approx(cur.sum())
    assert fast.objective_value == pytest.approx(full.objective_value, rel=1e-6)
    np.testing.assert_allclose(fast.spend, full.spend, rtol=1e-3, atol=1.0)


def test_free_set_path_keeps_the_hand_computed_two_creator_optimum():
    # the two-creator case above, forced through the free-set path (free_set_above=0)
    a = HillSet(vmax=[100.0, 100.0], ec50=[50.0, 100.0], slope=[1.0, 1.0])
    res = allocate(a, np.array([0.0, 0.0]), np.array([300.0, 300.0]), 150.0, free_set_above=0)
    # f' equal: 100·50/(s1+50)² = 100·100/(s2+100)², s1 + s2 = 150 → (s2+100) = √2 (s1+50)
    # → s1 = (250 − 50√2) / (1 + √2) ≈ 74.26, s2 ≈ 75.74
    s1 = (250 - 50 * np.sqrt(2)) / (1 + np.sqrt(2))
    np.testing.assert_allclose(res.spend, [s1, 150 - s1], atol=0.05)
