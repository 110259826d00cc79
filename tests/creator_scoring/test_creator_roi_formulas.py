"""Creator ROI per campaign and overall, its interval and trend: hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from roi_ml.creators import roi
from roi_ml.creators.errors import CreatorScoringInputError

AS_OF = pd.Timestamp("2025-12-31")


def _contracts(rows):
    return pd.DataFrame(rows, columns=["creator_id", "campaign_id", "fee_usd", "product_cost_usd",
                                       "management_overhead_usd"])


CAMPAIGNS = pd.DataFrame({"campaign_id": ["C1", "C2", "C3"],
                          "start_date": pd.to_datetime(["2025-01-01", "2025-03-01", "2026-02-01"]),
                          "end_date": pd.to_datetime(["2025-01-31", "2025-03-31", "2026-03-01"])})


def _credit(rows):
    return pd.DataFrame(rows, columns=["creator_id", "campaign_id", "attributed_conversions",
                                       "attributed_revenue"])


def _table():
    contracts = _contracts([
        ("A", "C1", 100.0, 20.0, 30.0),   # investment 150
        ("A", "C2", 200.0, 0.0, 50.0),    # investment 250
        ("G", "C1", 0.0, 0.0, 0.0),       # gifted, nothing paid: investment 0
        ("Z", "C2", 80.0, 10.0, 10.0),    # investment 100, no credited post
        ("A", "C3", 100.0, 0.0, 0.0),     # campaign starts after AS_OF: no ROI row
    ])
    credit = _credit([("A", "C1", 1.0, 100.0), ("A", "C1", 2.0, 200.0),   # 3 conv, $300
                      ("A", "C2", 0.0, 0.0), ("G", "C1", 1.0, 40.0)])
    engagements = pd.DataFrame({"creator_id": ["A", "A"], "campaign_id": ["C1", "C2"],
                                "engagements": [60.0, 0.0]})
    return roi.campaign_roi(contracts, CAMPAIGNS, credit, engagements, "time_decay", AS_OF, 0.9)


def test_campaign_roi_hand_computed():
    t = _table().set_index(["creator_id", "campaign_id"])
    assert list(_table().columns) == roi.CAMPAIGN_ROI_COLUMNS
    a1 = t.loc[("A", "C1")]
    # investment 100 + 20 + 30 = 150; revenue 300 -> ROAS 2, ROI (300 - 150) / 150 = 1
    assert a1["investment_usd"] == 150.0
    assert a1["roas"] == pytest.approx(2.0) and a1["roi"] == pytest.approx(1.0)
    assert a1["cpa_usd"] == pytest.approx(50.0)                  # 150 / 3
    assert a1["cost_per_engagement_usd"] == pytest.approx(2.5)  # 150 / 60
    assert a1["campaign_seq"] == 1 and t.loc[("A", "C2"), "campaign_seq"] == 2
    assert ("A", "C3") not in t.index                              # not started by AS_OF
    assert (t["model_used"] == "time_decay").all()


def test_zero_attributed_revenue_gives_roi_minus_one_and_no_cpa():
    t = _table().set_index(["creator_id", "campaign_id"])
    z = t.loc[("Z", "C2")]  # no credited post: revenue 0 of investment 100
    assert z["attributed_revenue"] == 0.0 and z["roi"] == pytest.approx(-1.0) and z["roas"] == 0.0
    assert math.isnan(z["cpa_usd"])                     # no conversion: no cost per conversion
    # zero engagements: no cost per engagement rather than infinity
    assert math.isnan(t.loc[("A", "C2"), "cost_per_engagement_usd"])
    # the interval still has an upper end: 0 conversions -> Poisson high -ln(0.05) = 2.9957
    # conversions at the table's revenue per conversion (340 / 4 = 85) = 254.6
    assert z["attributed_revenue_low"] == 0.0
    assert z["attributed_revenue_high"] == pytest.approx(-math.log(0.05) * 85.0, rel=1e-4)


def test_zero_investment_gifted_product_has_null_ratios_not_inf():
    g = _table().set_index(["creator_id", "campaign_id"]).loc[("G", "C1")]
    assert g["investment_usd"] == 0.0 and g["attributed_revenue"] == 40.0
    for col in ("roi", "roi_low", "roi_high", "roas", "cpa_usd", "cost_per_engagement_usd"):
        assert math.isnan(g[col]), col
    assert np.isfinite(_table().select_dtypes("number").fillna(0).to_numpy()).all()


def test_poisson_interval_matches_garwood_table():
    # Garwood 90 % limits: n = 0 -> (0, 2.996); n = 3 -> (0.818, 7.754)
    low, high = roi.poisson_interval([0.0, 3.0], 0.9)
    assert low[0] == 0.0 and high[0] == pytest.approx(2.9957, abs=1e-4)
    assert low[1] == pytest.approx(0.8177, abs=1e-4) and high[1] == pytest.approx(7.7537, abs=1e-4)


def test_revenue_interval_uses_model_bounds_when_given():
    # A1 above: 3 conversions, $300 -> $100 per conversion -> Poisson (81.77, 775.37)
    low, high = roi.revenue_interval([3.0], [300.0], 0.9, 50.0)
    assert low[0] == pytest.approx(81.77, abs=0.01) and high[0] == pytest.approx(775.37, abs=0.01)
    # the attribution model's own conversion bounds (2, 5) win: (200, 500)
    low, high = roi.revenue_interval([3.0], [300.0], 0.9, 50.0, [2.0], [5.0])
    assert (low[0], high[0]) == (pytest.approx(200.0), pytest.approx(500.0))


def test_creator_roi_sums_campaigns():
    c = roi.creator_roi(_table(), 0.9).set_index("creator_id")
    # A: investment 150 + 250 = 400, revenue 300 -> ROI (300 - 400) / 400 = -0.25, CPA 400 / 3
    assert c.loc["A", "investment_usd"] == 400.0 and c.loc["A", "n_campaigns"] == 2
    assert c.loc["A", "roi"] == pytest.approx(-0.25) and c.loc["A", "cpa_usd"] == pytest.approx(400 / 3)
    assert math.isnan(c.loc["G", "roi"])


def test_creator_roi_takes_the_models_own_interval():
    # data_driven gives A a revenue interval (250, 420): ROI low 250/400 - 1 = -0.375,
    # high 420/400 - 1 = 0.05; Z's null interval keeps the Poisson one
    ci = pd.DataFrame({"creator_id": ["A", "Z"], "revenue_ci_low": [250.0, None],
                       "revenue_ci_high": [420.0, None]})
    c = roi.creator_roi(_table(), 0.9, ci).set_index("creator_id")
    assert c.loc["A", "roi_low"] == pytest.approx(-0.375) and c.loc["A", "roi_high"] == pytest.approx(0.05)
    assert c.loc["Z", "attributed_revenue_high"] == pytest.approx(-math.log(0.05) * 85.0, rel=1e-4)


def _trend_rows(roas_by_creator):
    rows = [(c, f"K{i}", i + 1, r) for c, rs in roas_by_creator.items() for i, r in enumerate(rs)]
    return pd.DataFrame(rows, columns=["creator_id", "campaign_id", "campaign_seq", "roas"])


def test_roi_trend_classes():
    # ln ROAS slopes with offset 0: up: ln 1.2 = 0.182 > ln 1.1 = 0.095 -> improving;
    # down: -0.182 -> declining; flat (1, 1.05, 1): slope 0 -> stable
    rows = _trend_rows({"up": [1.0, 1.2, 1.44], "down": [1.44, 1.2, 1.0], "flat": [1.0, 1.05, 1.0],
                        "one": [2.0], "gift": [np.nan, np.nan]})
    t = roi.roi_trend(rows, threshold=0.1, roas_offset=0.0, min_campaigns=2)
    assert t.to_dict() == {"up": "improving", "down": "declining", "flat": "stable",
                           "one": "single_campaign", "gift": "single_campaign"}


def test_roi_trend_zero_revenue_campaign_stays_finite():
    # ROAS 0 then 1 with offset 0.05: slope ln(1.05) - ln(0.05) = 3.04 -> improving, no -inf
    t = roi.roi_trend(_trend_rows({"a": [0.0, 1.0]}), 0.1, 0.05, 2)
    assert t["a"] == "improving"


def test_attribution_model_fallback_and_error(caplog):
    credit = _credit([("A", "C1", 1.0, 10.0)]).assign(model="time_decay")
    rows, used = roi.select_attribution_model(credit, "data_driven", "time_decay", "post_attribution")
    assert used == "time_decay" and len(rows) == 1
    assert "creator_scoring.attribution.fallback_model" in caplog.text
    with pytest.raises(CreatorScoringInputError, match="creator_scoring.attribution.model"):
        roi.select_attribution_model(credit, "data_driven", "markov", "post_attribution")


def test_structural_problems_stop_with_one_clear_message():
    bad = _contracts([("A", "C1", 1.0, 0.0, 0.0)]).drop(columns=["fee_usd"])
    with pytest.raises(CreatorScoringInputError, match=r"input 'contracts': missing column\(s\) \['fee_usd'\]"):
        roi.campaign_roi(bad, CAMPAIGNS, _credit([]), pd.DataFrame(columns=["creator_id", "campaign_id",
                                                                          "engagements"]), "m", AS_OF, 0.9)
    unknown = _contracts([("A", "C9", 1.0, 0.0, 0.0)])
    with pytest.raises(CreatorScoringInputError, match="C9"):
        roi.campaign_roi(unknown, CAMPAIGNS, _credit([]), pd.DataFrame(columns=["creator_id", "campaign_id",
                                                                              "engagements"]), "m", AS_OF, 0.9)


def test_campaign_roi_sums_the_data_driven_post_bounds():
    # data_driven post credit carries per-post conversion bounds; a campaign's bounds are their
    # sums, unless a post has none (then the campaign falls back to Poisson on its count)
    contracts = _contracts([("A", "C1", 100.0, 20.0, 30.0), ("Z", "C2", 80.0, 10.0, 10.0)])
    credit = pd.DataFrame({
        "creator_id": ["A", "A", "Z", "Z"], "campaign_id": ["C1", "C1", "C2", "C2"],
        "attributed_conversions": [1.0, 2.0, 1.0, 1.0],
        "attributed_revenue": [100.0, 200.0, 50.0, 50.0],
        "conversions_ci_low": [0.5, 1.5, 0.5, None], "conversions_ci_high": [2.0, 4.0, 1.5, 1.5]})
    eng = pd.DataFrame({"creator_id": ["A"], "campaign_id": ["C1"], "engagements": [10.0]})
    t = roi.campaign_roi(contracts, CAMPAIGNS, credit, eng, "data_driven", AS_OF, 0.9) \
        .set_index(["creator_id", "campaign_id"])
    a = t.loc[("A", "C1")]
    # bounds 0.5 + 1.5 = 2 and 2 + 4 = 6 conversions at $300 / 3 = $100 each -> (200, 600)
    assert (a["attributed_revenue_low"], a["attributed_revenue_high"]) == (200.0, 600.0)
    # ROI over investment 150: 200/150 - 1 = 0.3333, 600/150 - 1 = 3
    assert a["roi_low"] == pytest.approx(1 / 3) and a["roi_high"] == pytest.approx(3.0)
    z = t.loc[("Z", "C2")]
    # one post without bounds: Garwood 90 % on 2 conversions (0.3554, 6.2958) × $50
    assert z["attributed_revenue_low"] == pytest.approx(0.35536 * 50, abs=0.01)
    assert z["attributed_revenue_high"] == pytest.approx(6.29579 * 50, abs=0.01)
    assert (t["model_used"] == "data_driven").all()
