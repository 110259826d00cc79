"""A small synthetic brand for the budget nodes: canonical tables shaped like ingestion's."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import yaml

from roi_ml.budget.curves import hill_curve

PARAMS_FILE = "conf/base/parameters_budget.yml"


@pytest.fixture
def budget_params(request) -> dict:
    root = request.config.rootpath
    params = yaml.safe_load((root / PARAMS_FILE).read_text())["budget"]
    params = copy.deepcopy(params)
    params["curves"]["n_bootstrap"] = 8
    return params


def make_brand(seed: int = 0, n_creators: int = 16, n_campaigns: int = 6,
               model: str = "time_decay") -> dict[str, pd.DataFrame]:
    """Campaigns every 30 days from 2025-01-01 (each 21 days long); each campaign contracts
    about half the creators; attributed conversions follow a Hill curve of the spend."""
    rng = np.random.default_rng(seed)
    ids = [f"CR{i:04d}" for i in range(n_creators)]
    tiers = np.where(np.arange(n_creators) % 3 == 0, "micro", "nano")
    fee = np.where(tiers == "micro", 800.0, 200.0)
    vmax = np.where(tiers == "micro", 120.0, 30.0) * np.exp(rng.normal(0, 0.3, n_creators))
    creators = pd.DataFrame({
        "creator_id": pd.array(ids, dtype="str"),
        "tier": pd.array(tiers, dtype="str"),
        "primary_platform": pd.array(np.where(np.arange(n_creators) % 2 == 0, "instagram", "tiktok"),
                                     dtype="str"),
        "max_followers": pd.array(np.where(tiers == "micro", 60_000, 6_000), dtype="Int64"),
    })
    starts = pd.Timestamp("2025-01-01") + pd.to_timedelta(30 * np.arange(n_campaigns), unit="D")
    campaigns = pd.DataFrame({
        "campaign_id": pd.array([f"CMP{i + 1:02d}" for i in range(n_campaigns)], dtype="str"),
        "objective": pd.array(["conversion"] * n_campaigns, dtype="str"),
        "start_date": starts.astype("datetime64[us]"),
        "end_date": (starts + pd.Timedelta(days=20)).astype("datetime64[us]"),
    })
    c_rows, p_rows, a_rows = [], [], []
    n = 0
    for _, camp in campaigns.iterrows():
        chosen = rng.choice(n_creators, size=n_creators // 2, replace=False)
        for i in chosen:
            committed = int(rng.integers(1, 5))
            cid = f"CT{n:05d}"
            spend = committed * fee[i] + 40.0
            conv = float(rng.poisson(hill_curve(spend, vmax[i], 2 * fee[i], 1.3)))
            c_rows.append({"contract_id": cid, "creator_id": ids[i], "campaign_id": camp["campaign_id"],
                           "fee_usd": committed * fee[i], "product_cost_usd": 40.0,
                           "management_overhead_usd": 50.0, "deliverables_committed": committed,
                           "deliverables_delivered": committed})
            for d in range(committed):
                pid = f"P{n:05d}{d}"
                p_rows.append({"post_id": pid, "contract_id": cid, "creator_id": ids[i],
                               "campaign_id": camp["campaign_id"],
                               "published_at": camp["start_date"] + pd.Timedelta(days=2 + d)})
                a_rows.append({"post_id": pid, "creator_id": ids[i], "campaign_id": camp["campaign_id"],
                               "platform": "instagram", "model": model, "model_used": model,
                               "attributed_conversions": conv / committed,
                               "attributed_revenue": 90.0 * conv / committed})
            n += 1
    contracts = pd.DataFrame(c_rows).astype({"deliverables_committed": "Int64",
                                             "deliverables_delivered": "Int64"})
    for col in ("contract_id", "creator_id", "campaign_id"):
        contracts[col] = contracts[col].astype("str")
    posts = pd.DataFrame(p_rows)
    posts["published_at"] = pd.to_datetime(posts["published_at"]).dt.tz_localize("UTC")
    attribution = pd.DataFrame(a_rows)
    # kpi_creator's exposure totals: reach ∝ followers, clicks 1 % of reach, per post
    n_posts = posts.groupby("creator_id").size().reindex(ids).fillna(0).astype("int64").to_numpy()
    reach = n_posts * np.where(tiers == "micro", 6_000.0, 900.0)
    kpi_creator = pd.DataFrame({
        "creator_id": pd.array(ids, dtype="str"), "n_posts": n_posts, "reach": reach,
        "impressions": (1.3 * reach).round().astype("int64"),
        "link_clicks": (0.01 * reach).round().astype("int64"),
        "engagements_authentic": 0.05 * reach})
    return {"creators": creators, "campaigns": campaigns, "contracts": contracts, "posts": posts,
            "post_attribution": attribution, "kpi_creator": kpi_creator}


@pytest.fixture
def brand() -> dict[str, pd.DataFrame]:
    return make_brand()
