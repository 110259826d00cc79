"""Budget pacing: hand-computed projections, intervals and states."""

import numpy as np
import pandas as pd
import pytest

from roi_ml.forecasting.pacing import PACING_COLUMNS, campaign_state, pace_campaigns

AS_OF = pd.Timestamp("2026-06-30")


def _world():
    """Three completed campaigns, their contracts (fee, deliverables committed → delivered,
    signing day relative to the campaign's start):
      A (budget 1000, starts 01-01): kA1 800, 4 → 4, day −12; kA2 200, 2 → 1, day +10
      B (budget 1250, starts 02-01): kB 1000, 4 → 4, day −12
      C (budget 1000, starts 03-01): kC 600, 2 → 2, day −14
    so the delivery ratios ρ are [1, 0.5, 1, 1]; contracted share c = [1.0, 0.8, 0.6]; spent
    share of contracted d = [900/1000, 1, 1]; A signed 0.2 of its budget after day 5 of its run.
    Live L (budget 2000, started 06-25, as of day 5): kL fee 1000 + fixed 100, 2 of 4 posted.
    Planned P (budget 1000, starts 08-01): no contract. Planned Q (budget 1000, starts 08-01):
    kQ fee 300, nothing posted."""
    campaigns = pd.DataFrame({
        "campaign_id": ["A", "B", "C", "L", "P", "Q"],
        "start_date": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01", "2026-06-25",
                                      "2026-08-01", "2026-08-01"]),
        "end_date": pd.to_datetime(["2026-01-31", "2026-02-28", "2026-03-31", "2026-07-20",
                                    "2026-08-31", "2026-08-31"]),
        "planned_budget_usd": [1000.0, 1250.0, 1000.0, 2000.0, 1000.0, 1000.0]})
    contracts = pd.DataFrame({
        "contract_id": ["kA1", "kA2", "kB", "kC", "kL", "kQ"],
        "campaign_id": ["A", "A", "B", "C", "L", "Q"],
        "fee_usd": [800.0, 200.0, 1000.0, 600.0, 1000.0, 300.0],
        "product_cost_usd": [0.0, 0.0, 0.0, 0.0, 60.0, 0.0],
        "management_overhead_usd": [0.0, 0.0, 0.0, 0.0, 40.0, 0.0],
        "deliverables_committed": [4, 2, 4, 2, 4, 3], "deliverables_delivered": [4, 1, 4, 2, 2, 0],
        "signed_date": pd.to_datetime(["2025-12-20", "2026-01-11", "2026-01-20", "2026-02-15",
                                       "2026-06-01", "2026-06-20"])})
    posts = pd.DataFrame({"contract_id": ["kL", "kL"],
                          "published_at": pd.to_datetime(["2026-06-26", "2026-06-28"]).tz_localize("UTC")})
    return campaigns, contracts, posts


def test_pacing_by_hand():
    out = pace_campaigns(*_world(), as_of=AS_OF, interval_width=0.8, min_completed_campaigns=3,
                         n_draws=4000, seed=1)
    assert out.columns.tolist() == PACING_COLUMNS
    row = out.set_index("campaign_id")
    # completed A: 800 + 200 x 1/2 = 900 spent; the projection is the spend, no interval
    assert row.loc["A", ["projected_spend_usd", "projected_spend_low_usd",
                         "projected_spend_high_usd"]].tolist() == [900.0, 900.0, 900.0]
    assert row.loc["A", "campaign_state"] == "completed"

    # live L: to date 100 + 1000 x 2/4 = 600. Signed: 100 + max(500, 1000 ρ) over ρ ∈
    # [1, 0.5, 1, 1] (all delivered at least 2 of 4) = 100 + [1000, 500, 1000, 1000]: mean 975.
    # Unsigned: min(c B − S, late(5) B) = min([2000, 1600, 1200] − 1100, [400, 0, 0]) =
    # [400, 0, 0], × d = [360, 0, 0]: mean 120. Projection 1095.
    L = row.loc["L"]
    assert L["campaign_state"] == "live"
    assert L["spend_to_date_usd"] == pytest.approx(600.0)
    assert L["projected_spend_usd"] == pytest.approx(1095.0)
    assert L["pacing_ratio"] == pytest.approx(1095.0 / 2000.0)
    # the sum's distribution: 600 (1/4 x 2/3 = 1/6), 960 (1/12), 1100 (1/2), 1460 (1/4):
    # 10 % quantile 600 (the large contract under-delivering), 90 % quantile 1460
    assert L["projected_spend_low_usd"] == pytest.approx(600.0)
    assert L["projected_spend_high_usd"] == pytest.approx(1460.0)

    # planned P, no contract: c B d = [900, 800, 600], mean 766.67, 10 % / 90 %: 600 / 900;
    # nothing spent yet
    P = row.loc["P"]
    assert (P["campaign_state"], P["spend_to_date_usd"]) == ("planned", 0.0)
    assert P["projected_spend_usd"] == pytest.approx(2300 / 3, abs=0.01)
    assert (P["projected_spend_low_usd"], P["projected_spend_high_usd"]) == (600.0, 900.0)

    # planned Q, 300 signed: signed 300 ρ: mean 262.5; the budget not signed yet, before the
    # start uncapped: (c B − 300) d = [630, 500, 300]: mean 476.67. Not just its one contract.
    assert row.loc["Q", "projected_spend_usd"] == pytest.approx(262.5 + 1430 / 3, abs=0.01)


def test_a_contract_that_posted_most_of_its_deliverables_draws_only_ratios_above():
    campaigns, contracts, posts = _world()
    posts = pd.DataFrame({"contract_id": ["kL"] * 3, "published_at": pd.to_datetime(
        ["2026-06-26", "2026-06-27", "2026-06-28"]).tz_localize("UTC")})
    row = pace_campaigns(campaigns, contracts, posts, AS_OF, 0.8, n_draws=4000).set_index("campaign_id")
    # 3 of 4 posted: ρ ≥ 0.75 leaves [1, 1, 1]: signed 100 + 1000; unsigned still 120
    assert row.loc["L", "projected_spend_usd"] == pytest.approx(1220.0)
    assert row.loc["L", "projected_spend_low_usd"] == pytest.approx(1100.0)


def test_late_campaign_gets_no_budget_the_history_signs_before_that_day():
    campaigns, contracts, posts = _world()
    # 20 days into L's run no completed campaign signed anything later: only the signed contract
    as_of = pd.Timestamp("2026-07-15")
    row = pace_campaigns(campaigns, contracts, posts, as_of, 0.8, n_draws=4000).set_index("campaign_id")
    assert row.loc["L", "projected_spend_usd"] == pytest.approx(975.0)


def test_few_completed_campaigns_widen_the_interval():
    campaigns, contracts, posts = _world()
    out = pace_campaigns(campaigns, contracts, posts, AS_OF, 0.8, min_completed_campaigns=4)
    row = out.set_index("campaign_id")
    # nothing learnt: all 4 of kL's deliverables delivered and the whole budget contracted:
    # 1100 + (2000 − 1100) = 2000; the interval runs down to the spend to date, 600
    assert row.loc["L", ["projected_spend_usd", "projected_spend_low_usd",
                         "projected_spend_high_usd"]].tolist() == [2000.0, 600.0, 2000.0]
    assert row.loc["P", ["projected_spend_usd", "projected_spend_low_usd",
                         "projected_spend_high_usd"]].tolist() == [1000.0, 0.0, 1000.0]


def test_same_seed_same_interval_and_each_campaign_its_own_draws():
    a = pace_campaigns(*_world(), as_of=AS_OF, n_draws=5, seed=3)
    b = pace_campaigns(*_world(), as_of=AS_OF, n_draws=5, seed=3)
    pd.testing.assert_frame_equal(a, b)
    # five draws: the interval moves with the seed
    others = [pace_campaigns(*_world(), as_of=AS_OF, n_draws=5, seed=s) for s in range(4, 12)]
    cols = ["projected_spend_low_usd", "projected_spend_high_usd"]
    assert any(not o[cols].equals(a[cols]) for o in others)
    # a campaign's draws do not depend on the campaigns listed before it
    campaigns, contracts, posts = _world()
    reordered = pace_campaigns(campaigns.iloc[::-1], contracts, posts, AS_OF, n_draws=5, seed=3)
    pd.testing.assert_frame_equal(reordered.set_index("campaign_id").loc[a["campaign_id"]].reset_index(), a)


def test_the_cap_counts_contracts_signed_more_than_t_days_after_the_start():
    campaigns, contracts, posts = _world()
    # kA2 was signed on day 10 of A's run: on day 9 of L's run it is still to come (1095),
    # on day 10 it is not (975)
    day9 = pace_campaigns(campaigns, contracts, posts, pd.Timestamp("2026-07-04"), n_draws=500)
    day10 = pace_campaigns(campaigns, contracts, posts, pd.Timestamp("2026-07-05"), n_draws=500)
    assert day9.set_index("campaign_id").loc["L", "projected_spend_usd"] == pytest.approx(1095.0)
    assert day10.set_index("campaign_id").loc["L", "projected_spend_usd"] == pytest.approx(975.0)


def test_a_contract_without_a_signing_date_counts_as_late():
    campaigns, contracts, posts = _world()
    contracts.loc[contracts["contract_id"] == "kC", "signed_date"] = pd.NaT
    # C's 600 of 1000 now counts as signed after any day: late(5) = [0.2, 0, 0.6], the cap
    # min([900, 500, 100], [400, 0, 600]) = [400, 0, 100], × d = [360, 0, 100]: mean 153.33
    row = pace_campaigns(campaigns, contracts, posts, AS_OF, n_draws=500).set_index("campaign_id")
    assert row.loc["L", "projected_spend_usd"] == pytest.approx(975.0 + 460 / 3, abs=0.01)


def test_no_completed_contract_delivered_as_much_as_posted_uses_the_posted_share():
    campaigns, contracts, posts = _world()
    # every completed contract delivered half: ρ = 0.5 for all; L has posted 3 of 4 (0.75), so
    # no ratio qualifies and its fee stays at what it has earned: 100 + 750
    contracts.loc[contracts["campaign_id"].isin(["A", "B", "C"]), "deliverables_delivered"] = [2, 1, 2, 1]
    posts = pd.DataFrame({"contract_id": ["kL"] * 3, "published_at": pd.to_datetime(
        ["2026-06-26", "2026-06-27", "2026-06-28"]).tz_localize("UTC")})
    contracts.loc[contracts["contract_id"] == "kL", "deliverables_delivered"] = 3
    row = pace_campaigns(campaigns, contracts, posts, AS_OF, n_draws=500).set_index("campaign_id")
    # unsigned: d = [500/1000, 500/1000, 300/600] = 0.5 each, gap [400, 0, 0] -> mean 66.67
    assert row.loc["L", "projected_spend_usd"] == pytest.approx(850.0 + 200 / 3, abs=0.01)


def test_live_campaign_without_a_budget_is_its_signed_contracts():
    campaigns, contracts, posts = _world()
    campaigns.loc[campaigns["campaign_id"] == "L", "planned_budget_usd"] = np.nan
    row = pace_campaigns(campaigns, contracts, posts, AS_OF, n_draws=500).set_index("campaign_id")
    assert row.loc["L", "projected_spend_usd"] == pytest.approx(975.0)
    assert np.isnan(row.loc["L", "planned_budget_usd"]) and np.isnan(row.loc["L", "pacing_ratio"])
    # with a planned daily spend the budget is that × its days, as in the forecast plan:
    # 50 × 26 days (25 June – 20 July) = 1300; on day 5 min(c B − S, late B) = min([1300, 1040,
    # 780] − 1100, [260, 0, 0]) -> [200, 0, 0], × d -> [180, 0, 0]: 975 + 60
    campaigns["planned_daily_spend_usd"] = np.where(campaigns["campaign_id"] == "L", 50.0, np.nan)
    row = pace_campaigns(campaigns, contracts, posts, AS_OF, n_draws=500).set_index("campaign_id")
    assert row.loc["L", "planned_budget_usd"] == pytest.approx(1300.0)
    assert row.loc["L", "projected_spend_usd"] == pytest.approx(1035.0)


def test_a_contract_with_nothing_committed_earns_no_fee():
    campaigns, contracts, posts = _world()
    extra = pd.DataFrame({"contract_id": ["kL0"], "campaign_id": ["L"], "fee_usd": [5000.0],
                          "product_cost_usd": [0.0], "management_overhead_usd": [0.0],
                          "deliverables_committed": [0], "deliverables_delivered": [0],
                          "signed_date": pd.to_datetime(["2026-06-01"])})
    row = pace_campaigns(campaigns, pd.concat([contracts, extra], ignore_index=True), posts, AS_OF,
                         n_draws=500).set_index("campaign_id")
    assert row.loc["L", "projected_spend_usd"] == pytest.approx(1095.0)


def test_a_campaign_listed_twice_stops_with_the_table_named():
    campaigns, contracts, posts = _world()
    with pytest.raises(ValueError, match=r"\['A'\].*campaigns table"):
        pace_campaigns(pd.concat([campaigns, campaigns.iloc[:1]]), contracts, posts, AS_OF)


def test_time_zone_aware_campaign_dates():
    campaigns, contracts, posts = _world()
    campaigns["start_date"] = campaigns["start_date"].dt.tz_localize("UTC")
    campaigns["end_date"] = campaigns["end_date"].dt.tz_localize("UTC")
    row = pace_campaigns(campaigns, contracts, posts, AS_OF, n_draws=500).set_index("campaign_id")
    assert row.loc["L", "projected_spend_usd"] == pytest.approx(1095.0)


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


def test_no_draws_names_the_conf_key():
    with pytest.raises(ValueError, match="forecasting.pacing.n_draws"):
        pace_campaigns(*_world(), as_of=AS_OF, n_draws=0)


def test_zero_plan_gives_nan_ratio():
    campaigns, contracts, posts = _world()
    campaigns["planned_budget_usd"] = 0.0
    out = pace_campaigns(campaigns, contracts, posts, AS_OF)
    assert np.isnan(out["pacing_ratio"]).all()
