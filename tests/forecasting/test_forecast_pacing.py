"""Budget pacing: hand-computed projections and states."""

import numpy as np
import pandas as pd
import pytest

from roi_ml.forecasting.pacing import PACING_COLUMNS, campaign_state, pace_campaigns

AS_OF = pd.Timestamp("2026-06-30")


def _world():
    # three completed campaigns with fee-weighted delivery rates 1.0, 0.8, 0.9; one live
    # campaign L (fee 1000 over 4 deliverables, 2 posted by as_of, fixed costs 100); one
    # planned campaign P without contracts (plan 1000)
    campaigns = pd.DataFrame({
        "campaign_id": ["A", "B", "C", "L", "P"],
        "start_date": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01", "2026-06-01", "2026-08-01"]),
        "end_date": pd.to_datetime(["2026-01-31", "2026-02-28", "2026-03-31", "2026-07-20", "2026-08-31"]),
        "planned_budget_usd": [1000.0, 1000.0, 1000.0, 1500.0, 1000.0]})
    contracts = pd.DataFrame({
        "contract_id": ["kA", "kB", "kC", "kL"], "campaign_id": ["A", "B", "C", "L"],
        "fee_usd": [1000.0, 1000.0, 1000.0, 1000.0], "product_cost_usd": [0.0, 0.0, 0.0, 60.0],
        "management_overhead_usd": [0.0, 0.0, 0.0, 40.0],
        "deliverables_committed": [10, 10, 10, 4], "deliverables_delivered": [10, 8, 9, 2],
        "signed_date": pd.to_datetime(["2025-12-20"] * 3 + ["2026-05-20"])})
    posts = pd.DataFrame({"contract_id": ["kL", "kL"],
                          "published_at": pd.to_datetime(["2026-06-05", "2026-06-20"]).tz_localize("UTC")})
    return campaigns, contracts, posts


def test_pacing_by_hand():
    out = pace_campaigns(*_world(), as_of=AS_OF, interval_width=0.5, min_completed_campaigns=3)
    assert out.columns.tolist() == PACING_COLUMNS
    row = out.set_index("campaign_id")
    # completed B: 8 of 10 delivered -> 800 spent, projection = spend
    assert row.loc["B", "projected_spend_usd"] == pytest.approx(800.0)
    assert row.loc["B", "campaign_state"] == "completed"
    # live L: to date 100 fixed + 1000 x 2/4 = 600. rates [1.0, 0.8, 0.9]: mean 0.9,
    # 25 % / 75 % quantiles 0.85 / 0.95 -> projected 100 + max(500, 900) = 1000,
    # low 100 + 850 = 950, high 100 + 950 = 1050; pacing 1000 / 1500
    L = row.loc["L"]
    assert L["campaign_state"] == "live"
    assert L["spend_to_date_usd"] == pytest.approx(600.0)
    assert L["projected_spend_usd"] == pytest.approx(1000.0)
    assert L["projected_spend_low_usd"] == pytest.approx(950.0)
    assert L["projected_spend_high_usd"] == pytest.approx(1050.0)
    assert L["pacing_ratio"] == pytest.approx(1000 / 1500)
    # planned P: plan 1000 x completed campaigns' spend / plan (1.0, 0.8, 0.9): mean 0.9
    P = row.loc["P"]
    assert (P["campaign_state"], P["spend_to_date_usd"]) == ("planned", 0.0)
    assert P["projected_spend_usd"] == pytest.approx(900.0)


def test_few_completed_campaigns_widen_the_interval():
    campaigns, contracts, posts = _world()
    out = pace_campaigns(campaigns, contracts, posts, AS_OF, 0.8, min_completed_campaigns=5)
    L = out.set_index("campaign_id").loc["L"]
    # rate 1 (all 4 deliverables): 100 + 1000; interval: 100 + max(500, 0) .. 100 + 1000
    assert L["projected_spend_usd"] == pytest.approx(1100.0)
    assert L["projected_spend_low_usd"] == pytest.approx(600.0)
    assert L["projected_spend_high_usd"] == pytest.approx(1100.0)


def test_overspending_campaign_paces_above_one():
    campaigns, contracts, posts = _world()
    campaigns.loc[campaigns["campaign_id"] == "L", "planned_budget_usd"] = 800.0
    out = pace_campaigns(campaigns, contracts, posts, AS_OF, 0.8)
    assert out.set_index("campaign_id").loc["L", "pacing_ratio"] > 1.1


def test_states():
    assert campaign_state(pd.Timestamp("2026-07-01"), pd.Timestamp("2026-07-10"), AS_OF) == "planned"
    assert campaign_state(pd.Timestamp("2026-06-01"), AS_OF, AS_OF) == "completed"
    assert campaign_state(pd.Timestamp("2026-06-01"), pd.Timestamp("2026-07-01"), AS_OF) == "live"


def test_interval_width_outside_unit_interval_names_the_conf_key():
    with pytest.raises(ValueError, match="forecasting.pacing.interval_width"):
        pace_campaigns(*_world(), as_of=AS_OF, interval_width=80)


def test_zero_plan_gives_nan_ratio():
    campaigns, contracts, posts = _world()
    campaigns["planned_budget_usd"] = 0.0
    out = pace_campaigns(campaigns, contracts, posts, AS_OF)
    assert np.isnan(out["pacing_ratio"]).all()
