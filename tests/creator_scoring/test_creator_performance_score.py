"""Empirical-Bayes shrinkage, within-group percentiles and the composite score: hand-computed."""

from __future__ import annotations

import pandas as pd
import pytest

from roi_ml.creators import performance


def _units(pairs):
    return pd.DataFrame(pairs, columns=["creator_id", "value"])


GROUPS = pd.Series({"a": "g", "b": "g", "c": "g", "d": "g"})
UNITS = _units([("a", 1.0), ("a", 3.0), ("b", 5.0), ("b", 7.0), ("c", 4.0)])


def test_eb_shrink_hand_computed():
    s = performance.eb_shrink(UNITS, GROUPS)
    # means a 2, b 6, c 4; sigma2 = (1 + 1 + 1 + 1 + 0) / (1 + 1 + 0) = 2
    # mu_g = (2 + 6 + 4) / 3 = 4; K = 3 creators, G = 1 group: between = (4 + 4 + 0) / 2 = 4
    # noise = mean(2/2, 2/2, 2/1) = 4/3 -> tau2 = 4 - 4/3 = 8/3
    assert s.attrs["sigma2"] == pytest.approx(2.0) and s.attrs["tau2"] == pytest.approx(8 / 3)
    # w_a = (8/3) / (8/3 + 2/2) = 8/11 -> 8/11 * 2 + 3/11 * 4 = 28/11
    assert s.loc["a", "weight"] == pytest.approx(8 / 11)
    assert s.loc["a", "shrunk"] == pytest.approx(28 / 11)
    assert s.loc["b", "shrunk"] == pytest.approx(8 / 11 * 6 + 3 / 11 * 4)  # 60/11
    # c has one unit: w = (8/3) / (8/3 + 2) = 4/7, and sits at the mean anyway
    assert s.loc["c", "weight"] == pytest.approx(4 / 7) and s.loc["c", "shrunk"] == pytest.approx(4.0)
    # d has no unit (e.g. no labelled comment): the group mean, weight 0 - scored, not rewarded
    assert s.loc["d", "n_units"] == 0 and s.loc["d", "shrunk"] == pytest.approx(4.0)
    assert s.loc["d", "weight"] == 0.0


def test_fewer_units_shrink_more():
    # same raw mean 6 for b (2 units) and e (1 unit): e is pulled harder toward the mean
    groups = pd.Series({"a": "g", "b": "g", "e": "g"})
    s = performance.eb_shrink(_units([("a", 1.0), ("a", 3.0), ("b", 5.0), ("b", 7.0), ("e", 6.0)]), groups)
    assert s.loc["e", "raw_mean"] == s.loc["b", "raw_mean"] == 6.0
    assert s.loc["e", "shrunk"] < s.loc["b", "shrunk"] < 6.0


def test_group_percentile_mid_rank():
    values = pd.Series({"a": 1.0, "b": 3.0, "c": 2.0, "solo": 9.0})
    groups = pd.Series({"a": "g", "b": "g", "c": "g", "solo": "h"})
    p = performance.group_percentile(values, groups)
    # ranks 1, 3, 2 of 3 -> (r - 0.5) / 3; alone in its group -> 0.5
    assert p.to_dict() == pytest.approx({"a": 1 / 6, "b": 5 / 6, "c": 0.5, "solo": 0.5})


def test_peer_groups_pool_small_cells():
    creators = pd.DataFrame({
        "creator_id": [f"n{i}" for i in range(3)] + ["m0", "m1", "x0"],
        "tier": ["nano"] * 3 + ["micro", "micro", "mega"],
        "primary_platform": ["tiktok"] * 3 + ["tiktok", "youtube", "x"]})
    g = performance.peer_groups(creators, min_group_size=2)
    # nano|tiktok has 3 -> own cell; micro cells have 1 each -> tier "micro" (2); mega alone -> all
    assert g.to_dict() == {"n0": "nano|tiktok", "n1": "nano|tiktok", "n2": "nano|tiktok",
                           "m0": "micro", "m1": "micro", "x0": "all"}


def test_performance_score_composite_and_missing_sentiment():
    groups = pd.Series({"a": "g", "b": "g", "c": "g"})
    units = {
        "engagement": _units([("a", 0.01), ("b", 0.02), ("c", 0.03)]),       # pct 1/6, 1/2, 5/6
        "conversion": _units([("a", 3.0), ("b", 2.0), ("c", 1.0)]),          # pct 5/6, 1/2, 1/6
        "sentiment": _units([("a", 0.9), ("b", 0.5)]),                       # c: missing
        "delivery": _units([("a", 1.0), ("b", 1.0), ("c", 1.0)]),            # all tied: 1/2
    }
    s = performance.performance_scores(units, groups, {"engagement": 1, "conversion": 1, "brand_fit": 2},
                                       {"sentiment": 1, "delivery": 1})
    # one unit each: no within-creator variance, sigma2 = 0 -> no shrinkage, raw ranks
    assert s["engagement_score"].to_dict() == pytest.approx({"a": 100 / 6, "b": 50, "c": 500 / 6})
    assert s["conversion_score"].to_dict() == pytest.approx({"a": 500 / 6, "b": 50, "c": 100 / 6})
    # sentiment: c has none -> group mean (0.9 + 0.5) / 2 = 0.7, ranked between a and b: 1/2
    assert s.loc["c", "sentiment_units"] == 0 and s.loc["c", "sentiment_shrunk"] == pytest.approx(0.7)
    # brand fit a = 100 * (5/6 + 1/2) / 2 = 66.67; composite a = (16.67 + 83.33 + 2 * 66.67) / 4
    assert s.loc["a", "brand_fit_score"] == pytest.approx(200 / 3)
    assert s.loc["a", "performance_score"] == pytest.approx((100 / 6 + 500 / 6 + 2 * 200 / 3) / 4)
    assert s["performance_score"].between(0, 100).all()
