"""creator_scoring in the default run on the tiny world: contract outputs, the registered
model, its MLflow metrics and SHAP plot, and the evaluation section."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from roi_ml.creators.roi import CAMPAIGN_ROI_COLUMNS
from roi_ml.pipelines.creator_scoring.nodes import SCORE_COLUMNS

pytestmark = pytest.mark.e2e


def test_creator_outputs_follow_the_contract(e2e_run: Path):
    out = e2e_run / "data" / "07_model_output"
    roi = pd.read_parquet(out / "creator_campaign_roi.parquet")
    scores = pd.read_parquet(out / "creator_scores.parquet")
    assert list(roi.columns) == CAMPAIGN_ROI_COLUMNS and len(roi) > 0
    assert list(scores.columns) == SCORE_COLUMNS
    contracts = pd.read_parquet(e2e_run / "data" / "02_intermediate" / "contracts.parquet")
    assert set(scores["creator_id"]) == set(roi["creator_id"]) <= set(contracts["creator_id"].astype(str))
    assert scores["performance_score"].between(0, 100).all()
    assert scores["predicted_next_roi"].notna().all() and (scores["top_drivers"].str.len() > 0).all()
    assert not np.isinf(scores.select_dtypes("number").to_numpy(dtype="float64")).any()
    bt = pd.read_parquet(out / "creator_roi_backtest.parquet")
    assert {"predicted_roi", "naive_roi", "tier_avg_roi", "is_last"} <= set(bt.columns)


def test_model_registered_with_metrics_and_shap_plot(e2e_run: Path):
    assert (e2e_run / "data" / "06_models" / "creator_roi_model.pkl").exists()
    assert (e2e_run / "data" / "08_reporting" / "creator_roi_shap_summary.png").exists()
    con = sqlite3.connect(e2e_run / "mlflow.db")
    names = {n for (n,) in con.execute("select name from registered_models")}
    assert "roi_ml_creator_roi" in names
    metrics = {k for (k,) in con.execute("select distinct key from metrics")}
    assert "creator_scoring.train_rows" in metrics
    assert "eval.creator_scoring.next_roi_last_campaign.n" in metrics or \
        any(k.startswith("eval.creator_scoring") for k in metrics)


def test_evaluation_has_creator_scoring_section(e2e_run: Path):
    ev = json.loads((e2e_run / "data" / "08_reporting" / "evaluation.json").read_text())
    sec = ev["creator_scoring"]
    assert "next_roi_last_campaign" in sec and "performance_score" in sec
    assert sec["campaign_roi"]["n"] > 0
