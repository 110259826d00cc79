"""Forecasting outputs of the default run on the tiny simulated world (90 days of history:
too short for the CV, so every Prophet series runs on the fixed settings and says so)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.e2e

FORECAST_COLUMNS = ["series", "metric", "date", "yhat", "yhat_lower", "yhat_upper", "actual",
                    "is_forecast", "model_used"]
PACING_COLUMNS = ["campaign_id", "planned_budget_usd", "spend_to_date_usd", "projected_spend_usd",
                  "projected_spend_low_usd", "projected_spend_high_usd", "pacing_ratio",
                  "campaign_state"]


def test_forecast_daily_contract(e2e_run: Path):
    f = pd.read_parquet(e2e_run / "data" / "07_model_output" / "forecast_daily.parquet")
    assert f.columns.tolist() == FORECAST_COLUMNS
    assert str(f["series"].dtype) == "str" and f["is_forecast"].dtype == bool
    assert {"total", *(s for s in f["series"] if s.startswith("platform:"))} <= set(f["series"])
    assert any(s.startswith("platform:") for s in f["series"])
    assert set(f["metric"]) == {"conversions", "revenue"}
    total = f[(f["series"] == "total") & (f["metric"] == "conversions")]
    future = total[total["is_forecast"]]
    assert len(future) == 56 and future["actual"].isna().all()
    assert total.loc[~total["is_forecast"], "actual"].notna().all()
    assert (f["yhat_lower"] <= f["yhat"] + 1e-9).all() and (f["yhat"] <= f["yhat_upper"] + 1e-9).all()
    assert (f[["yhat", "yhat_lower", "yhat_upper"]] >= 0).all().all()
    # the CV needs more than the tiny world's 90 days: the fallback is named
    assert future["model_used"].iloc[0] == "prophet_fixed"


def test_budget_pacing_contract(e2e_run: Path):
    p = pd.read_parquet(e2e_run / "data" / "07_model_output" / "budget_pacing.parquet")
    assert p.columns.tolist() == PACING_COLUMNS
    campaigns = pd.read_parquet(e2e_run / "data" / "02_intermediate" / "campaigns.parquet")
    assert set(p["campaign_id"]) == set(campaigns["campaign_id"])
    assert (p["projected_spend_low_usd"] <= p["projected_spend_usd"]).all()
    assert (p["projected_spend_usd"] <= p["projected_spend_high_usd"]).all()
    assert set(p["campaign_state"]) <= {"planned", "live", "completed"}


def test_forecast_scored_and_model_registered(e2e_run: Path):
    ev = json.loads((e2e_run / "data" / "08_reporting" / "evaluation.json").read_text())
    sec = ev["forecasting"]
    for metric in ("total_conversions", "total_revenue"):
        assert sec[metric]["n_days"] >= 55
        assert 0 <= sec[metric]["coverage"] <= 1 and sec[metric]["mase"] > 0
    with sqlite3.connect(e2e_run / "mlflow.db") as db:
        names = {r[0] for r in db.execute("select name from registered_models")}
    assert "roi_ml_conversion_forecast" in names


def test_post_response_feeds_the_total_regressor(e2e_run: Path):
    """forecast_post_response: each post's last-touch conversions and revenue by conversion
    day (the creator_response regressor's input), only for posts the brand published."""
    r = pd.read_parquet(e2e_run / "data" / "04_feature" / "forecast_post_response.parquet")
    assert r.columns.tolist() == ["post_id", "date", "conversions", "revenue"]
    assert len(r) > 0 and r["conversions"].sum() > 0 and (r["conversions"] >= 0).all()
    posts = pd.read_parquet(e2e_run / "data" / "02_intermediate" / "posts.parquet")
    assert set(r["post_id"].astype("str")) <= set(posts["post_id"].astype("str"))
