"""Budget outputs of the default run on the tiny simulated world (two campaigns in 90 days:
few settled contracts, so most curves lean on their tier × platform priors)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.e2e

ALLOCATION_COLUMNS = ["creator_id", "current_budget", "min_budget", "max_budget", "recommended_budget",
                      "expected_revenue_current", "expected_revenue_recommended", "expected_revenue_low",
                      "expected_revenue_high", "marginal_roi", "binding_constraint"]
POINT_COLUMNS = ["creator_id", "spend_usd", "expected_conversions", "expected_revenue",
                 "expected_revenue_low", "expected_revenue_high"]


def test_response_curves_contract(e2e_run: Path):
    out = e2e_run / "data" / "07_model_output"
    curves = pd.read_parquet(out / "response_curves.parquet")
    points = pd.read_parquet(out / "response_curve_points.parquet")
    contracts = pd.read_parquet(e2e_run / "data" / "02_intermediate" / "contracts.parquet")
    assert set(curves["creator_id"]) == set(contracts["creator_id"].astype("str"))
    assert {"vmax_conversions", "ec50_usd", "hill_slope", "revenue_per_conversion_usd",
            "vmax_revenue_usd", "curve_basis", "model_used"} <= set(curves.columns)
    assert (curves[["vmax_conversions", "ec50_usd", "hill_slope"]] >= 0).all().all()
    assert points.columns.tolist() == POINT_COLUMNS
    assert str(points["creator_id"].dtype) == "str"
    assert set(points["creator_id"]) == set(curves["creator_id"])
    assert (points["expected_revenue_low"] <= points["expected_revenue_high"] + 1e-9).all()


def test_budget_allocation_contract(e2e_run: Path):
    a = pd.read_parquet(e2e_run / "data" / "07_model_output" / "budget_allocation.parquet")
    assert a.columns.tolist() == ALLOCATION_COLUMNS
    assert len(a) > 0 and str(a["binding_constraint"].dtype) == "str"
    # default total = last period's total, spent in full within every bound
    assert a["recommended_budget"].sum() == pytest.approx(a["current_budget"].sum(), rel=1e-6)
    assert (a["recommended_budget"] >= a["min_budget"] - 1e-6).all()
    assert (a["recommended_budget"] <= a["max_budget"] + 1e-6).all()
    summary = json.loads((e2e_run / "data" / "08_reporting" / "budget_allocation_summary.json").read_text())
    assert summary["n_creators"] == len(a)
    assert summary["expected_revenue_low"] <= summary["expected_revenue_high"]


def test_budget_is_scored(e2e_run: Path):
    report = json.loads((e2e_run / "data" / "08_reporting" / "evaluation.json").read_text())
    section = report["budget"]
    assert section["n_creators"] > 0
    assert section["true_revenue_optimal"] >= section["true_revenue_current"] - 1e-6
