"""A hand-computed case for every formula of docs/metrics.md (roi_ml.kpis.formulas)."""

import math

import numpy as np
import pandas as pd
import pytest

from roi_ml.kpis import formulas as f


def test_safe_ratio_is_missing_never_inf():
    assert f.safe_ratio(1, 4) == 0.25
    assert math.isnan(f.safe_ratio(1, 0))
    assert math.isnan(f.safe_ratio(1, -2))
    assert math.isnan(f.safe_ratio(None, 2))
    s = f.safe_ratio(pd.Series([3, 1, 5], dtype="Int64"), pd.Series([6, 0, pd.NA], dtype="Int64"))
    assert s.dtype == "float64"
    assert s.iloc[0] == 0.5 and s.iloc[1:].isna().all()
    assert not np.isinf(s.fillna(0)).any()


def test_engagements_and_engagement_rates():
    # 120 likes + 10 comments + 6 shares + 4 saves = 140 engagements
    e = f.engagements(120, 10, 6, 4)
    assert e == 140
    assert f.engagements(pd.Series([1.0]), pd.Series([np.nan]), 2, 0).iloc[0] == 3.0  # missing counts 0
    assert f.engagement_rate_by_reach(140, 2000) == pytest.approx(0.07)        # 140 / 2,000
    assert f.engagement_rate_by_followers(140, 5600) == pytest.approx(0.025)   # 140 / 5,600
    assert f.engagement_rate_by_impressions(140, 2800) == pytest.approx(0.05)  # 140 / 2,800
    assert f.average_engagements_per_post(42_000, 3) == 14_000                  # 42,000 / 3 posts


def test_frequency_ctr_conversion_rate():
    assert f.frequency(3000, 2000) == 1.5                        # 3,000 impressions / 2,000 reached
    assert f.click_through_rate(50, 2000) == pytest.approx(0.025)  # 50 clicks / 2,000 reached
    assert f.conversion_rate(3, 75) == pytest.approx(0.04)       # 3 conversions / 75 link sessions


def test_order_value_and_leads():
    assert f.average_order_value(1270.0, 10) == 127.0            # $1,270 / 10 orders
    assert f.aov_index(127.0, 110.0) == pytest.approx(1.154545, rel=1e-5)  # 127 / 110 → +15.5 %
    assert f.cost_per_lead(500.0, 20) == 25.0                    # $500 / 20 qualified leads
    assert f.sales_qualified_rate(13, 20) == pytest.approx(0.65)  # 13 SQL / 20 leads


def test_money_kpis():
    cost = 1000.0 + 200.0 + 100.0  # fee + product + overhead = $1,300
    assert f.cost_per_acquisition(cost, 40) == 32.5              # 1,300 / 40 new customers
    assert f.roas(6500.0, cost) == 5.0                           # 6,500 / 1,300 = 5:1
    assert f.roi(6500.0, cost) == 4.0                            # (6,500 − 1,300) / 1,300
    assert f.roi(pd.Series([650.0]), pd.Series([cost])).iloc[0] == -0.5
    assert f.cpm(cost, 200_000) == pytest.approx(6.5)            # 1,300 / 200,000 × 1,000
    assert f.cpe(cost, 2600) == 0.5                              # 1,300 / 2,600 engagements
    # CLV: first orders average $100; 0.5 repeat orders a year over 3 years → 100 × 2.5
    clv = f.customer_lifetime_value(100.0, 0.5, 3)
    assert clv == 250.0
    assert f.clv_to_cpa(clv, 32.5) == pytest.approx(7.6923, rel=1e-4)  # 250 / 32.5
    assert f.budget_pacing(9800.0, 10000.0) == pytest.approx(0.98)


def test_earned_media_value_from_a_rate_card():
    rates = {"likes": 0.30, "comments": 0.50, "impressions_per_1000": 0.05}
    # 1,000 × 0.30 + 40 × 0.50 + 20,000 / 1,000 × 0.05 = 300 + 20 + 1 = 321
    assert f.earned_media_value({"likes": 1000, "comments": 40, "impressions": 20_000,
                                 "shares": 7}, rates) == pytest.approx(321.0)
    s = f.earned_media_value({"likes": pd.Series([10.0, np.nan])}, {"likes": 0.3})
    assert s.tolist() == [pytest.approx(3.0), 0.0]


def test_sentiment_and_response_shares():
    assert f.positive_comment_share(75, 100) == 0.75             # 75 positive / 100 labelled
    assert f.response_rate_24h(17, 20) == pytest.approx(0.85)    # 17 replied in 24 h / 20


def test_audience_brand_and_operations():
    assert f.growth_rate(10_000, 10_700) == pytest.approx(0.07)  # (10,700 − 10,000) / 10,000
    # aware 20 % before, 26.4 % after: (0.264 − 0.20) / 0.20 = +32 %
    assert f.relative_lift(0.20, 0.264) == pytest.approx(0.32)
    assert f.share_of(180, 1000) == 0.18                         # own 180 / all brands 1,000
    assert f.rate(49, 50) == 0.98                                # delivered on time 49 / 50


@pytest.mark.parametrize("value,target,expected", [
    (0.06, {"min": 0.05, "max": 0.08}, "on_target"),
    (0.05, {"min": 0.05, "max": 0.08}, "on_target"),   # bounds inclusive
    (0.25 * (1 - 1e-15), {"min": 0.25}, "on_target"),  # float noise is not below a bound
    (0.04, {"min": 0.05, "max": 0.08}, "below_target"),
    (0.09, {"min": 0.05, "max": 0.08}, "above_target"),
    (30.0, {"max": 25}, "above_target"),
    (20.0, {"max": 25}, "on_target"),
    (float("nan"), {"min": 1}, "no_data"),
    (1.0, None, "not_applicable"),
    # the spec's strict bounds: CPL "< $25", sentiment "> 70 %" — the bound itself misses
    (25.0, {"max": 25, "strict": True}, "above_target"),
    (24.99, {"max": 25, "strict": True}, "on_target"),
    (25.0 * (1 - 1e-15), {"max": 25, "strict": True}, "above_target"),  # noise is still the bound
    (0.70, {"min": 0.70, "strict": True}, "below_target"),
    (0.7001, {"min": 0.70, "strict": True}, "on_target"),
])
def test_target_status(value, target, expected):
    assert f.target_status(value, target) == expected
    assert f.target_status(pd.Series([value]), target).iloc[0] == expected


def test_the_spec_strict_targets_are_strict_in_conf(base_kpi_params):
    t = base_kpi_params["targets"]
    for name in ("cost_per_lead_usd", "cost_per_acquisition_usd", "cpm_usd", "asset_approval_hours",
                 "positive_comment_share"):
        assert t[name].get("strict") is True, name
    assert f.target_status(23.5, t["asset_approval_hours"]) == "on_target"
    assert f.target_status(24.0, t["asset_approval_hours"]) == "above_target"  # "< 24 h"
