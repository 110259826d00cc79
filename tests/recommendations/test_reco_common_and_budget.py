"""Hand-computed cases: shared statistics, budget_reallocation and budget_signals."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import nbinom

from roi_ml.recommendations.budget_reallocation import UNALLOCATED, budget_reallocation
from roi_ml.recommendations.budget_signals import (
    CHI2_1_MEDIAN,
    budget_signals,
    creator_campaign_conversions,
    score_cost_per_conversion,
)
from roi_ml.recommendations.common import (
    RecommendationInputError,
    benjamini_hochberg,
    poisson_interval,
    ratio_interval,
    select_attribution,
)


def test_poisson_interval_zero_and_known_values():
    low, high = poisson_interval(np.array([0.0, 10.0]), 0.9)
    # x = 0: low 0, high = chi2(0.95; 2)/2 = -ln(0.05) = 2.9957
    assert low[0] == 0 and high[0] == pytest.approx(-math.log(0.05), rel=1e-6)
    # x = 10: Garwood 90 % interval (5.43, 17.0) from the published tables
    assert low[1] == pytest.approx(5.4254, abs=1e-3) and high[1] == pytest.approx(16.9622, abs=1e-3)


def test_benjamini_hochberg_by_hand():
    # sorted .01,.03,.04,.2 -> .04,.06,.0533,.2 -> running min from the end -> .04,.0533,.0533,.2
    q = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.2, np.nan]))
    assert q[:4] == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])
    assert np.isnan(q[4])


def test_ratio_interval_by_hand():
    # R = (2 + 4) / (10 + 10) = 0.3; residuals -1, +1; se = sqrt(2/1 * 2) / 20 = 0.1
    out = ratio_interval(pd.Series([2.0, 4.0, 5.0]), pd.Series([10.0, 10.0, 10.0]),
                         pd.Series(["a", "a", "b"]), 0.9)
    a = out[out["_g0"] == "a"].iloc[0]
    assert a["ratio"] == pytest.approx(0.3)
    assert a["low"] == pytest.approx(0.3 - 1.644854 * 0.1, rel=1e-5)
    assert np.isnan(out[out["_g0"] == "b"].iloc[0]["low"])  # one post: no spread


def test_select_attribution_falls_back_and_says_so(caplog):
    f = pd.DataFrame({"model": ["time_decay", "last_touch"], "attributed_conversions": [1.0, 2.0],
                      "attributed_revenue": [10.0, 20.0]})
    with caplog.at_level(logging.INFO):
        out = select_attribution(f, "data_driven", "time_decay", "post_attribution")
    assert out["model_used"].tolist() == ["time_decay"] and "using 'time_decay'" in caplog.text
    assert select_attribution(f, "last_touch", "time_decay", "x")["attributed_conversions"].tolist() == [2.0]
    with pytest.raises(RecommendationInputError, match="fallback_model"):
        select_attribution(f, "data_driven", "markov", "post_attribution")


def allocation() -> pd.DataFrame:
    # A: 1000 -> 600 (cut 400), revenue 3000 -> 2200: slope 2 $/$, interval ratio 0.9 / 1.1
    # B: 1000 -> 1300 (+300), revenue 2000 -> 2900: slope 3;  C: 500 -> 600 (+100), 1000 -> 1400: slope 4
    # D unchanged
    return pd.DataFrame({
        "creator_id": ["A", "B", "C", "D"], "current_budget": [1000.0, 1000.0, 500.0, 700.0],
        "min_budget": [500.0] * 4, "max_budget": [2000.0] * 4,
        "recommended_budget": [600.0, 1300.0, 600.0, 700.0],
        "expected_revenue_current": [3000.0, 2000.0, 1000.0, 900.0],
        "expected_revenue_recommended": [2200.0, 2900.0, 1400.0, 900.0],
        "expected_revenue_low": [1980.0, 2610.0, 1260.0, 800.0],
        "expected_revenue_high": [2420.0, 3190.0, 1540.0, 1000.0],
        "marginal_roi": [2.5, 2.8, 3.5, 1.0],
        "binding_constraint": ["min_budget", "none", "max_budget", "none"]})


def test_budget_moves_by_hand():
    out = budget_reallocation(allocation(), {"min_move_usd": 1})
    # greedy: A's 400 go to the largest raise first: 300 to B, then 100 to C
    assert out[["from_creator_id", "to_creator_id", "move_usd"]].values.tolist() == [
        ["A", "B", 300.0], ["A", "C", 100.0]]
    ab = out.iloc[0]
    # A->B: gain 300*3 = 900 in [810, 990]; loss 300*2 = 600 in [540, 660]
    # change 300, low 810 - 660 = 150, high 990 - 540 = 450
    assert (ab["expected_revenue_change"], ab["expected_revenue_change_low"],
            ab["expected_revenue_change_high"]) == pytest.approx((300.0, 150.0, 450.0))
    ac = out.iloc[1]  # A->C: gain 400 [360, 440], loss 200 [180, 220] -> 200 [140, 260]
    assert (ac["expected_revenue_change"], ac["expected_revenue_change_low"],
            ac["expected_revenue_change_high"]) == pytest.approx((200.0, 140.0, 260.0))
    assert out["rank"].tolist() == [1, 2] and set(out["confidence"]) == {"high"}
    assert ab["from_binding_constraint"] == "min_budget" and ab["to_marginal_roi"] == 2.8
    assert ab["recommendation"] == "Move $300 from A to B: expected revenue +$300 (interval $150 to $450)."


def test_budget_moves_unmatched_small_and_uncertain():
    a = allocation()
    a.loc[a["creator_id"] == "C", ["recommended_budget", "expected_revenue_recommended"]] = [500.0, 1000.0]
    a.loc[a["creator_id"] == "B", ["expected_revenue_low", "expected_revenue_high"]] = [1450.0, 4350.0]
    out = budget_reallocation(a, {"min_move_usd": 50})
    # A cuts 400 but B takes only 300: 100 is left unallocated
    assert out[["from_creator_id", "to_creator_id"]].values.tolist() == [["A", "B"], ["A", UNALLOCATED]]
    # A->B now: gain 900 in [900*0.5, 900*1.5] = [450, 1350]; low 450 - 660 < 0
    # width (1350 - 540) - (450 - 660) = 1020 > 2 x 300 -> low confidence
    assert out.iloc[0]["confidence"] == "low"
    assert out.iloc[1]["expected_revenue_change"] == pytest.approx(-200.0)  # 100 x slope 2 lost
    assert budget_reallocation(a, {"min_move_usd": 150})["to_creator_id"].tolist() == ["B"]


def test_budget_reallocation_missing_column():
    with pytest.raises(RecommendationInputError, match=r"budget_allocation: missing column\(s\) \['marginal_roi'\]"):
        budget_reallocation(allocation().drop(columns="marginal_roi"), {})


def cost_table() -> pd.DataFrame:
    return pd.DataFrame({"creator_id": ["A", "B", "C"], "campaign_id": ["K"] * 3,
                         "cost_usd": [1000.0, 1000.0, 1000.0], "attributed_conversions": [2.0, 20.0, 20.0]})


def test_poisson_budget_signal_by_hand():
    s = score_cost_per_conversion(cost_table(), {"test": "poisson", "min_spend_usd": 100})
    a = s.iloc[0]
    # A: benchmark from B and C = 2000 / 40 = $50; lambda = 1000 / 50 = 20
    assert a["benchmark_cpa_usd"] == pytest.approx(50.0) and a["expected_conversions_at_benchmark"] == pytest.approx(20.0)
    # P(X <= 2 | 20) = e^-20 (1 + 20 + 200) = 221 e^-20
    assert a["p_value"] == pytest.approx(221 * math.exp(-20), rel=1e-9)
    assert a["q_value"] == pytest.approx(3 * 221 * math.exp(-20), rel=1e-9)  # smallest of m = 3
    assert a["excess_cost_usd"] == pytest.approx(1000 - 2 * 50)
    assert s.iloc[1]["p_value"] > 0.9  # B: 20 conversions where 1000 / (2000/22) = 11 expected


def test_negative_binomial_allows_for_creators_differing():
    s = score_cost_per_conversion(cost_table(), {"test": "negative_binomial"})
    # pooled lambda 1000 * 42 / 3000 = 14 each; Pearson (2-14)^2/14 = 10.29, (20-14)^2/14 = 2.571 twice
    # dispersion = median 2.571 / 0.4549 = 5.652
    phi = (36 / 14) / CHI2_1_MEDIAN
    assert s["dispersion"].iloc[0] == pytest.approx(phi)
    # NB with mean 20 and variance 20 * phi: size r = 20 / (phi - 1), p = 1 / phi
    r = 20 / (phi - 1)
    assert r * (1 - 1 / phi) / (1 / phi) == pytest.approx(20)  # its mean is lambda
    assert s["p_value"].iloc[0] == pytest.approx(nbinom.cdf(2, r, 1 / phi))
    assert s["p_value"].iloc[0] > 221 * math.exp(-20)  # more cautious than Poisson


def test_budget_signals_table_ranks_signals_only_and_shows_previous_cpa():
    t = pd.concat([cost_table(), pd.DataFrame({"creator_id": ["A"], "campaign_id": ["K0"],
                                               "cost_usd": [500.0], "attributed_conversions": [10.0]})])
    kcc = t[["creator_id", "campaign_id", "cost_usd"]]
    posts = t.rename(columns={"cost_usd": "_"}).drop(columns="_").assign(model_used="time_decay")
    camps = pd.DataFrame({"campaign_id": ["K0", "K"], "start_date": pd.to_datetime(["2024-01-01", "2024-06-01"])})
    out = budget_signals(kcc, posts, camps, {"test": "poisson", "fdr_alpha": 0.05})
    assert out["creator_id"].tolist() == ["A"] and out["campaign_id"].tolist() == ["K"]
    assert out["previous_cpa_usd"].iloc[0] == pytest.approx(50.0)  # 500 / 10 in K0
    assert out["confidence"].iloc[0] == "high" and "q = " in out["recommendation"].iloc[0]
    with pytest.raises(RecommendationInputError, match="budget_signals.test"):
        score_cost_per_conversion(cost_table(), {"test": "chi_square"})


def test_creator_campaign_conversions_sums_posts_and_keeps_creators_without():
    kcc = pd.DataFrame({"creator_id": ["A", "B"], "campaign_id": ["K", "K"], "cost_usd": [10.0, 20.0]})
    posts = pd.DataFrame({"creator_id": ["A", "A"], "campaign_id": ["K", "K"], "attributed_conversions": [1.5, 2.0]})
    out = creator_campaign_conversions(kcc, posts)
    assert out["attributed_conversions"].tolist() == [3.5, 0.0]
