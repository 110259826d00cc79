"""Budget nodes: contract spend and credit, bounds, the allocation table, and the pipeline on a
catalog (SequentialRunner)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from roi_ml.budget.allocator import BudgetError
from roi_ml.pipelines.forecasting import budget_nodes as nodes
from roi_ml.pipelines.forecasting.budget_pipeline import create_budget_pipeline


def _contracts(brand, params):
    return nodes.build_budget_contracts(brand["contracts"], brand["campaigns"], brand["posts"],
                                        brand["post_attribution"], params)


def test_contract_spend_credit_and_flags_by_hand(brand, budget_params):
    c = brand["contracts"].copy()
    # first contract: fee 600 for 3 deliverables, 2 delivered, product 40 →
    # spend = 600 · 2/3 + 40 = 440; contracted = 640; fee per deliverable 200
    first = c.index[0]
    c.loc[first, ["fee_usd", "product_cost_usd"]] = [600.0, 40.0]
    c.loc[first, "deliverables_committed"] = 3
    c.loc[first, "deliverables_delivered"] = 2
    out = nodes.build_budget_contracts(c, brand["campaigns"], brand["posts"], brand["post_attribution"],
                                       budget_params)
    row = out.set_index("contract_id").loc[c.loc[first, "contract_id"]]
    assert row["spend_usd"] == pytest.approx(440.0)
    assert row["contracted_spend_usd"] == pytest.approx(640.0)
    assert row["fee_per_deliverable_usd"] == pytest.approx(200.0)
    # credit = the sum of the contract's posts' credit
    pa = brand["post_attribution"]
    key = (row["creator_id"], row["campaign_id"])
    expected = pa[(pa["creator_id"] == key[0]) & (pa["campaign_id"] == key[1])]["attributed_conversions"].sum()
    assert row["attributed_conversions"] == pytest.approx(expected)
    # as of the last post (2025-06-05): campaign 5 (ends 05-21, +14 days = 06-04) is settled,
    # campaign 6 (ends 06-20) is not; the last 91 days hold campaigns 4–6 (from 04-01)
    settled = out.groupby("campaign_id")["is_settled"].all()
    assert settled["CMP05"] and not settled["CMP06"]
    recent = out.groupby("campaign_id")["in_last_period"].all()
    assert recent[["CMP04", "CMP05", "CMP06"]].all() and not recent["CMP03"]
    # campaign_seq counts each creator's contracts in campaign order
    one = out[out["creator_id"] == out["creator_id"].iloc[0]].sort_values("campaign_start")
    assert one["campaign_seq"].tolist() == list(range(1, len(one) + 1))
    assert str(out["creator_id"].dtype) == "str"


def test_attribution_falls_back_and_says_so(brand, budget_params, caplog):
    out = _contracts(brand, budget_params)  # the brand only has time_decay rows
    assert set(out["model_used"]) == {"time_decay"}
    assert "no rows for attribution model 'data_driven'" in caplog.text
    budget_params["attribution"] = {"model": "data_driven", "fallback_model": "markov"}
    with pytest.raises(ValueError, match="budget.attribution.model"):
        _contracts(brand, budget_params)


def test_bounds_by_hand(budget_params):
    """A: current (contracted) 1000, fee per deliverable 200, product 50: contract minimum 1·200 + 50 = 250 < 1000·0.5 = 500 → min 500 (max_decrease);
    capacity 6·200 + 50 = 1250 < 1000·2 = 2000 → max 1250 (capacity)."""
    bc = pd.DataFrame({
        "contract_id": ["CT1", "CT2"], "creator_id": ["A", "B"], "campaign_start": pd.to_datetime(["2025-01-01"] * 2),
        "fee_per_deliverable_usd": [200.0, 1000.0], "product_cost_usd": [50.0, 0.0],
        "contracted_spend_usd": [1000.0, 1200.0], "in_last_period": [True, True]})
    b = nodes.allocation_bounds(bc, ["A", "B"], budget_params).set_index("creator_id")
    assert b.loc["A", "min_budget"] == pytest.approx(500.0)
    assert b.loc["A", "lower_reason"] == "max_decrease"
    assert b.loc["A", "max_budget"] == pytest.approx(1250.0)
    assert b.loc["A", "upper_reason"] == "capacity"
    # B: minimum 1·1000 = 1000 > 1200·0.5 = 600 → 1000 (contract_minimum); max 2400 (max_increase)
    assert b.loc["B", "min_budget"] == pytest.approx(1000.0)
    assert b.loc["B", "lower_reason"] == "contract_minimum"
    assert b.loc["B", "max_budget"] == pytest.approx(2400.0)
    assert b.loc["B", "upper_reason"] == "max_increase"
    budget_params["fixed_creators"] = ["B"]
    b = nodes.allocation_bounds(bc, ["A", "B"], budget_params).set_index("creator_id")
    assert b.loc["B", "min_budget"] == b.loc["B", "max_budget"] == 1200.0


def test_fit_and_allocate(brand, budget_params):
    bc = _contracts(brand, budget_params)
    curves, points, model = nodes.fit_response_curves(bc, brand["creators"], brand["kpi_creator"], budget_params)
    assert set(curves["creator_id"]) == set(bc["creator_id"])
    assert points.columns.tolist() == nodes.POINT_COLUMNS
    assert (points["expected_revenue_low"] <= points["expected_revenue_high"] + 1e-9).all()
    assert len(points) == len(curves) * budget_params["points"]["n"]
    alloc, summary, metrics = nodes.allocate_budget(model, bc, budget_params)
    assert alloc.columns.tolist() == nodes.ALLOCATION_COLUMNS
    # the allocation spends last period's total, within every bound
    assert alloc["recommended_budget"].sum() == pytest.approx(alloc["current_budget"].sum(), rel=1e-6)
    assert (alloc["recommended_budget"] >= alloc["min_budget"] - 1e-6).all()
    assert (alloc["recommended_budget"] <= alloc["max_budget"] + 1e-6).all()
    # the optimum cannot be worse than today's allocation on the fitted curves
    assert summary["expected_revenue_recommended"] >= summary["expected_revenue_current"] - 1e-6
    # interior creators share one marginal ROI (equal marginal returns)
    free = alloc[alloc["binding_constraint"] == "none"]
    if len(free) > 1:
        assert free["marginal_roi"].std() < 0.02 * (1 + free["marginal_roi"].abs().mean())
    # bootstrap draws are recentred on the point estimate: the interval holds it
    assert summary["expected_revenue_low"] <= summary["expected_revenue_recommended"] <= summary["expected_revenue_high"]
    assert (alloc["expected_revenue_low"] <= alloc["expected_revenue_recommended"] + 1e-9).all()
    assert (alloc["expected_revenue_recommended"] <= alloc["expected_revenue_high"] + 1e-9).all()
    assert metrics["expected_revenue_recommended"]["value"] == pytest.approx(summary["expected_revenue_recommended"])
    assert summary["model_used"] == "time_decay"   # the brand's credit (conftest), carried through


def test_scenario_total_and_too_small_total(brand, budget_params):
    bc = _contracts(brand, budget_params)
    _, _, model = nodes.fit_response_curves(bc, brand["creators"], brand["kpi_creator"], budget_params)
    base, _, _ = nodes.allocate_budget(model, bc, budget_params)
    budget_params["total"] = float(base["current_budget"].sum() * 1.3)
    more, _, _ = nodes.allocate_budget(model, bc, budget_params)
    assert more["recommended_budget"].sum() == pytest.approx(budget_params["total"], rel=1e-6)
    # more than the roster can absorb: everyone at its maximum, the rest reported unallocated
    budget_params["total"] = float(base["max_budget"].sum() + 500.0)
    full, summary, _ = nodes.allocate_budget(model, bc, budget_params)
    np.testing.assert_allclose(full["recommended_budget"], full["max_budget"], rtol=1e-9)
    assert summary["unallocated_usd"] == pytest.approx(500.0)
    budget_params["total"] = float(base["min_budget"].sum() - 100.0)
    with pytest.raises(BudgetError, match=r"shortfall 100\.00 USD.*budget\.total"):
        nodes.allocate_budget(model, bc, budget_params)


def test_creator_without_settled_history_gets_the_prior(brand, budget_params):
    """A creator whose only contract is in the running campaign has no settled contract: it is
    allocated on its tier × platform prior curve."""
    b = {k: v.copy() for k, v in brand.items()}
    new = pd.DataFrame({"creator_id": ["CRNEW"], "tier": ["micro"], "primary_platform": ["tiktok"],
                        "max_followers": [50_000]}).astype({"creator_id": "str", "tier": "str",
                                                            "primary_platform": "str",
                                                            "max_followers": "Int64"})
    b["creators"] = pd.concat([b["creators"], new], ignore_index=True)
    ct = pd.DataFrame({"contract_id": ["CTNEW"], "creator_id": ["CRNEW"], "campaign_id": ["CMP06"],
                       "fee_usd": [1600.0], "product_cost_usd": [40.0], "management_overhead_usd": [50.0],
                       "deliverables_committed": [2], "deliverables_delivered": [1]})
    b["contracts"] = pd.concat([b["contracts"], ct.astype(b["contracts"].dtypes.to_dict())], ignore_index=True)
    bc = _contracts(b, budget_params)
    curves, _, model = nodes.fit_response_curves(bc, b["creators"], b["kpi_creator"], budget_params)
    row = curves.set_index("creator_id").loc["CRNEW"]
    assert row["curve_basis"] == "prior" and row["n_contracts_fitted"] == 0
    assert np.isnan(row["observed_roas"])
    alloc, _, _ = nodes.allocate_budget(model, bc, budget_params)
    assert "CRNEW" in set(alloc["creator_id"])
    assert alloc.set_index("creator_id").loc["CRNEW", "current_budget"] == pytest.approx(1640.0)


def test_pipeline_runs_on_a_catalog(brand, budget_params):
    catalog = DataCatalog()
    for name, frame in brand.items():
        catalog[name] = frame
    catalog["params:budget"] = budget_params
    for name in ("budget_contracts", "response_curves", "response_curve_points", "response_curve_model",
                 "budget_allocation", "budget_allocation_summary", "budget_metrics"):
        catalog[name] = MemoryDataset()
    SequentialRunner().run(create_budget_pipeline(), catalog)
    alloc = catalog.load("budget_allocation")
    assert alloc.columns.tolist() == nodes.ALLOCATION_COLUMNS
    assert str(alloc["binding_constraint"].dtype) == "str"
    assert catalog.load("budget_allocation_summary")["n_creators"] == len(alloc)


def test_bootstrap_interval_is_recentred_on_the_estimate():
    # draws 4, 5, 6 (median 5), point 10, quantiles 0 and 1:
    # multiplicative: 10 · 4/5 = 8, 10 · 6/5 = 12; additive: 10 + (4 − 5) = 9, 10 + (6 − 5) = 11
    draws = np.array([[4.0], [5.0], [6.0]])
    low, high = nodes.bootstrap_interval(np.array([10.0]), draws, (0.0, 1.0))
    assert (low[0], high[0]) == pytest.approx((8.0, 12.0))
    low, high = nodes.bootstrap_interval(np.array([10.0]), draws, (0.0, 1.0), additive=True)
    assert (low[0], high[0]) == pytest.approx((9.0, 11.0))


def test_creator_exposure_is_per_post_and_names_missing_columns():
    # A: 4 posts, reach 2,000, impressions 2,600, 40 clicks, 100 authentic engagements
    #    → per post 500, 650, 10, 25.  B: no post → nulls (the fit then uses the median).
    kpi = pd.DataFrame({"creator_id": pd.array(["A", "B"], dtype="str"), "n_posts": [4, 0],
                        "reach": [2000.0, 0.0], "impressions": [2600, 0], "link_clicks": [40, 0],
                        "engagements_authentic": [100.0, 0.0]})
    e = nodes.creator_exposure(kpi).set_index("creator_id")
    assert e.loc["A"].tolist() == pytest.approx([500.0, 650.0, 10.0, 25.0])
    assert e.loc["B"].isna().all()
    with pytest.raises(ValueError, match=r"kpi_creator.*link_clicks.*level_covariates"):
        nodes.creator_exposure(kpi.drop(columns=["link_clicks"]))


def test_curve_inputs_carry_exposure(brand, budget_params):
    bc = _contracts(brand, budget_params)
    _, cr = nodes.curve_inputs(bc, brand["creators"], brand["kpi_creator"])
    cr = cr.set_index("creator_id")
    # conftest: micro creators reach 6,000 a post, clicks 1 % of it → 60 clicks a post
    micro = brand["creators"].loc[brand["creators"]["tier"] == "micro", "creator_id"]
    micro = [c for c in micro if c in cr.index]
    assert cr.loc[micro, "reach_per_post"].tolist() == pytest.approx([6000.0] * len(micro))
    assert cr.loc[micro, "clicks_per_post"].tolist() == pytest.approx([60.0] * len(micro))


def test_fallback_spend_scale_conf_equals_the_code_default_and_is_used(brand, budget_params):
    # conf/base/parameters_budget.yml carries the code's default …
    assert budget_params["fallback_spend_scale_usd"] == nodes.FALLBACK_SPEND_SCALE_USD
    # … and a roster where nobody has a positive fee gets it (or the value passed)
    bc = _contracts(brand, budget_params).assign(fee_per_deliverable_usd=0.0)
    _, cr = nodes.curve_inputs(bc, brand["creators"])
    assert (cr["spend_scale_usd"] == nodes.FALLBACK_SPEND_SCALE_USD).all()
    _, cr = nodes.curve_inputs(bc, brand["creators"], None, 250.0)
    assert (cr["spend_scale_usd"] == 250.0).all()
    # with some positive fees, the others get their median instead (fees 100, 300 → 200)
    some = bc.copy()
    first, second = some["creator_id"].unique()[:2]
    some.loc[some["creator_id"] == first, "fee_per_deliverable_usd"] = 100.0
    some.loc[some["creator_id"] == second, "fee_per_deliverable_usd"] = 300.0
    _, cr = nodes.curve_inputs(some, brand["creators"], None, 250.0)
    cr = cr.set_index("creator_id")
    others = [c for c in cr.index if c not in (first, second)]
    assert (cr.loc[others, "spend_scale_usd"] == 200.0).all()
