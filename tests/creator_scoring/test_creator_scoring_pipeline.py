"""The creator_scoring pipeline on a small synthetic world (SequentialRunner, in-memory
catalog), with the issue's bad inputs: a creator with one campaign, one with zero attributed
revenue, a gifted-product contract with zero investment, a creator without any sentiment."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from roi_ml.creators.roi import CAMPAIGN_ROI_COLUMNS
from roi_ml.pipelines.creator_scoring import create_pipeline
from roi_ml.pipelines.creator_scoring.nodes import SCORE_COLUMNS
from roi_ml.registry import ModelBundle

N_CREATORS, N_CAMPAIGNS = 24, 6
TIERS = ["nano", "micro", "mid"]
PLATFORMS = ["tiktok", "instagram"]


def _params():
    conf = Path(__file__).resolve().parents[2] / "conf" / "base" / "parameters_creator_scoring.yml"
    with open(conf) as fh:
        p = yaml.safe_load(fh)["creator_scoring"]
    p["model"]["min_train_rows"] = 10
    p["model"]["xgboost"]["n_estimators"] = 20
    return p


def _world(seed: int = 3) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"CR{i:02d}" for i in range(N_CREATORS)]
    creators = pd.DataFrame({
        "creator_id": ids, "tier": [TIERS[i % 3] for i in range(N_CREATORS)],
        "primary_platform": [PLATFORMS[i % 2] for i in range(N_CREATORS)],
        "niche": ["beauty", "tech", "food", "travel"] * (N_CREATORS // 4),
        "max_followers": pd.array([5000 * (1 + i % 3) ** 3 for i in range(N_CREATORS)], dtype="Int64")})
    platforms = creators[["creator_id", "primary_platform"]].rename(columns={"primary_platform": "platform"})
    starts = pd.date_range("2025-01-01", periods=N_CAMPAIGNS, freq="45D")
    campaigns = pd.DataFrame({"campaign_id": [f"CMP{k}" for k in range(N_CAMPAIGNS)],
                              "objective": ["conversion", "awareness"] * (N_CAMPAIGNS // 2),
                              "start_date": starts, "end_date": starts + pd.Timedelta(days=30)})
    rows, posts, credit = [], [], []
    for i, c in enumerate(ids):
        n = 1 if c == "CR00" else 2 + i % 4          # CR00: a single campaign
        for k in sorted(rng.choice(N_CAMPAIGNS, size=min(n, N_CAMPAIGNS), replace=False)):
            fee = 0.0 if (c == "CR01" and k == 0) else 100.0 * (1 + i % 3)
            gifted = fee == 0.0
            rows.append({"contract_id": f"{c}{k}", "creator_id": c, "campaign_id": f"CMP{k}",
                         "fee_usd": fee, "product_cost_usd": 0.0 if gifted else 30.0,
                         "management_overhead_usd": 0.0 if gifted else 20.0,
                         "deliverables_committed": 2, "deliverables_delivered": 2 - (i % 5 == 0),
                         "content_quality_rating": 1 + i % 5})
            for j in range(2):
                pid = f"P{c}{k}{j}"
                labelled = 0 if c == "CR03" else 5         # CR03: no sentiment at all
                posts.append({"post_id": pid, "creator_id": c, "campaign_id": f"CMP{k}",
                              "engagement_rate_by_reach_authentic": 0.02 + 0.01 * rng.random(),
                              "comments_positive": labelled * 0.6, "comments_labelled": labelled,
                              "has_disclosure": j == 0 or i % 2 == 0})
                revenue = 0.0 if c == "CR02" else float(rng.gamma(2.0, 60.0 * (1 + i % 4)))
                credit.append({"post_id": pid, "creator_id": c, "campaign_id": f"CMP{k}",
                               "platform": "tiktok", "model": "time_decay", "model_used": "time_decay",
                               "attributed_conversions": 0.0 if c == "CR02" else revenue / 80.0,
                               "attributed_revenue": revenue})
    contracts = pd.DataFrame(rows)
    kcc = pd.DataFrame(posts).groupby(["creator_id", "campaign_id"], as_index=False).size() \
        .rename(columns={"size": "n_posts"})
    for col, v in {"reach": 2000.0, "engagements": 120.0, "engagements_authentic": 100.0,
                   "link_clicks": 20.0, "likes": 90.0, "comments": 10.0, "comments_positive": 3.0,
                   "comments_labelled": 5.0}.items():
        kcc[col] = v
    pdm = pd.DataFrame({"date": pd.to_datetime(["2025-01-02", "2025-09-30"])})
    credit_df = pd.DataFrame(credit)
    creator_att = credit_df.groupby(["creator_id", "model"], as_index=False)[
        ["attributed_conversions", "attributed_revenue"]].sum()
    creator_att["revenue_ci_low"] = np.nan                    # non-data-driven models: null
    creator_att["revenue_ci_high"] = np.nan
    return {"creators": creators, "creator_platforms": platforms, "campaigns": campaigns,
            "contracts": contracts, "kpi_post": pd.DataFrame(posts),
            "post_attribution": credit_df, "kpi_creator_campaign": kcc,
            "creator_attribution": creator_att,
            "post_daily_metrics": pdm}


OUTPUTS = ("creator_campaign_roi", "creator_scores", "creator_roi_backtest", "creator_roi_model",
           "creator_next_roi", "creator_scoring_metrics")


class _Kept(MemoryDataset):  # the runner releases intermediate data; the tests read it
    def _release(self) -> None:
        pass


@pytest.fixture(scope="module")
def outputs():
    catalog = DataCatalog({name: _Kept() for name in OUTPUTS})
    for name, frame in _world().items():
        catalog[name] = frame
    catalog["params:creator_scoring"] = _params()
    SequentialRunner().run(create_pipeline(), catalog)
    return {name: catalog[name].load() for name in OUTPUTS}


def test_contract_columns_and_types(outputs):
    roi = outputs["creator_campaign_roi"]
    scores = outputs["creator_scores"]
    assert list(roi.columns) == CAMPAIGN_ROI_COLUMNS and list(scores.columns) == SCORE_COLUMNS
    assert str(scores["top_drivers"].dtype) == "str" and str(roi["model_used"].dtype) == "str"
    assert (roi["model_used"] == "time_decay").all()      # data_driven absent: the fallback
    assert scores["creator_id"].is_unique and len(scores) == N_CREATORS
    assert scores["performance_score"].between(0, 100).all()
    assert set(scores["roi_trend"]) <= {"improving", "stable", "declining", "single_campaign"}
    num = scores.select_dtypes("number").to_numpy(dtype="float64")
    assert not np.isinf(num).any()                            # no division by zero anywhere


def test_bad_inputs_have_defined_results(outputs):
    s = outputs["creator_scores"].set_index("creator_id")
    r = outputs["creator_campaign_roi"]
    # one campaign: single_campaign trend, still scored and predicted
    assert s.loc["CR00", "n_campaigns"] == 1 and s.loc["CR00", "roi_trend"] == "single_campaign"
    assert np.isfinite(s.loc["CR00", "predicted_next_roi"]) and s.loc["CR00", "top_drivers"]
    # zero attributed revenue: ROI -1, ROAS 0, no CPA, lowest conversion score of its group
    assert s.loc["CR02", "roi"] == pytest.approx(-1.0) and np.isnan(s.loc["CR02", "cpa_usd"])
    # gifted product: that contract's ROI is null, the creator's other campaigns still count
    gift = r[(r["creator_id"] == "CR01") & (r["investment_usd"] == 0)]
    assert len(gift) == 1 and gift[["roi", "roas", "cpa_usd"]].isna().all(axis=None)
    assert np.isfinite(s.loc["CR01", "roi"])
    # no sentiment: brand fit from the group's sentiment, no NaN score
    assert np.isfinite(s.loc["CR03", "brand_fit_score"]) and np.isfinite(s.loc["CR03", "performance_score"])


def test_backtest_and_model(outputs):
    bt = outputs["creator_roi_backtest"]
    assert {"creator_id", "campaign_id", "predicted_roi", "naive_roi", "tier_avg_roi", "is_last"} <= set(bt.columns)
    assert bt.groupby("creator_id")["is_last"].sum().eq(1).all()
    assert (bt["predicted_by"] == "xgboost").any()
    bundle = outputs["creator_roi_model"]
    assert isinstance(bundle, ModelBundle) and list(bundle.input_example.columns) == bundle.metadata["features"]
    nxt = outputs["creator_next_roi"]
    assert (nxt["predicted_next_roi_low"] <= nxt["predicted_next_roi"]).all()
    assert (nxt["predicted_next_roi"] <= nxt["predicted_next_roi_high"]).all()
    assert nxt["top_drivers"].str.count("; ").eq(2).all()      # three drivers each
    metrics = outputs["creator_scoring_metrics"]
    assert all(set(v) == {"value", "step"} for v in metrics.values())
    assert "last_spearman_predicted" in metrics
