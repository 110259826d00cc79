"""The data_driven slot in the default run on tiny data (shared e2e fixture)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd


def test_data_driven_rows_for_every_creator_with_model_used(e2e_run: Path):
    out = e2e_run / "data" / "07_model_output"
    roster = pd.read_csv(e2e_run / "data" / "01_raw" / "creator_roster.csv")
    creators = pd.read_parquet(out / "creator_attribution.parquet")
    dd = creators[creators["model"] == "data_driven"]
    assert set(dd["creator_id"]) == set(roster["creator_id"])
    used = set(dd["model_used"])
    assert used in ({"data_driven"}, {"linear"})
    if used == {"data_driven"}:  # intervals bracket the credit
        assert dd[["conversions_ci_low", "conversions_ci_high", "revenue_ci_low",
                   "revenue_ci_high"]].notna().all().all()
        assert (dd["conversions_ci_low"] <= dd["attributed_conversions"] + 1e-6).all()
    channel = pd.read_parquet(out / "channel_attribution.parquet")
    totals = channel.groupby("model")["attributed_conversions"].sum()
    assert abs(totals["data_driven"] - totals["linear"]) < 1e-6  # same conversions credited
    ev = json.loads((e2e_run / "data" / "08_reporting" / "evaluation.json").read_text())
    assert ev["attribution"]["data_driven"]["model_used"] in ("data_driven", "linear")


def test_data_driven_metrics_and_model_reach_mlflow(e2e_run: Path):
    con = sqlite3.connect(e2e_run / "mlflow.db")
    metrics = {k for (k,) in con.execute("select distinct key from metrics")}
    assert "attribution.data_driven.fallback_to_linear" in metrics
    assert (e2e_run / "data" / "06_models" / "attribution_conversion_model.pkl").exists()
    fallback = con.execute("select value from metrics where key = "
                           "'attribution.data_driven.fallback_to_linear'").fetchone()[0]
    if fallback == 0.0:  # a fitted model is registered under its name
        names = {n for (n,) in con.execute("select name from registered_models")}
        assert "roi_ml_attribution_conversion" in names
