"""A small synthetic world with exactly the columns the recommendations pipeline reads,
including the creator_scoring and forecasting contracts of the BRIEF (creator_scores,
budget_allocation, budget_pacing)."""

from __future__ import annotations

import numpy as np
import pandas as pd

PLATFORMS = ["tiktok", "instagram"]
FORMATS = {"tiktok": ["short", "story"], "instagram": ["carousel", "post"]}
HOSTILE_CAPTION = '=HYPERLINK("http://evil.example/x","click") Unboxing the drop'


def make_world(seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    creators = [f"CR{i:02d}" for i in range(1, 7)]
    campaigns = ["CMP01", "CMP02"]
    posts = []
    pid = 0
    for c_i, cr in enumerate(creators):
        for k_i, k in enumerate(campaigns):
            for j in range(4):
                pid += 1
                plat = PLATFORMS[(c_i + j) % 2]
                posts.append({"post_id": f"P{pid:04d}", "creator_id": cr, "campaign_id": k, "platform": plat,
                              "format": FORMATS[plat][j % 2],
                              # Mondays and Tuesdays at 13:00 or 19:00 New York: windows shared
                              "published_at": pd.Timestamp("2025-03-03 18:00", tz="UTC")
                              + pd.Timedelta(days=int(7 * k_i + j % 2), hours=int(6 * (j // 2)))})
    post = pd.DataFrame(posts)
    n = len(post)
    post["reach"] = rng.integers(1_000, 50_000, n).astype("float64")
    post["impressions"] = (post["reach"] * 1.4).round().astype("int64")
    post.loc[0, "impressions"] = 1_200_000  # one viral post
    post["engagements_authentic"] = post["reach"] * rng.uniform(0.02, 0.08, n)
    conv = rng.poisson(3, n).astype("float64") + (post["format"] == "short") * 3
    post_attr = pd.concat([
        post[["post_id", "creator_id", "campaign_id", "platform"]].assign(
            model=m, model_used=m, attributed_conversions=conv * f, attributed_revenue=conv * f * 80.0,
            conversions_ci_low=pd.NA, conversions_ci_high=pd.NA)
        for m, f in (("time_decay", 1.0), ("last_touch", 0.5))], ignore_index=True)
    creator_attr = post_attr.groupby(["creator_id", "model", "model_used"], as_index=False)[
        ["attributed_conversions", "attributed_revenue"]].sum()
    creator_attr.loc[(creator_attr["creator_id"] == "CR01") & (creator_attr["model"] == "time_decay"),
                     "attributed_revenue"] = 150_000.0
    canonical_posts = post[["post_id", "creator_id", "campaign_id", "platform", "format"]].assign(
        caption=["Obsessed with my new routine #ad"] * n)
    canonical_posts.loc[canonical_posts["format"] == "short", "caption"] = HOSTILE_CAPTION
    kcc = post.groupby(["creator_id", "campaign_id"], as_index=False).size().rename(columns={"size": "n_posts"})
    kcc["cost_usd"] = 400.0 * kcc["n_posts"]
    kcc.loc[kcc["creator_id"] == "CR06", "cost_usd"] = 20_000.0  # far above the benchmark
    camp = pd.DataFrame({"campaign_id": campaigns, "start_date": pd.to_datetime(["2025-03-01", "2025-03-10"])})
    kpi_campaign = pd.DataFrame({"campaign_id": campaigns, "objective": ["conversion", "awareness"],
                                 "engagement_rate_by_reach": [0.02, 0.06], "conversion_rate": [0.015, 0.04],
                                 "link_sessions": [1000, 1000], "roas": [2.0, 9.0]})
    ncp = post.loc[[1], ["post_id", "creator_id", "campaign_id", "platform", "published_at"]].assign(
        caption=HOSTILE_CAPTION, reason="no disclosure found in the caption")
    auth = pd.DataFrame({"creator_id": creators, "is_flagged": [False] * 5 + [True],
                         "authenticity_score": [95.0] * 5 + [30.0],
                         "reasons": ["no signal out of line with peers"] * 5 + ["like:comment ratio 12x peers"]})
    scores = pd.DataFrame({
        "creator_id": creators, "tier": "micro", "primary_platform": "tiktok", "niche": "beauty",
        "n_campaigns": 2, "performance_score": [85.0, 75.0, 65.0, 72.0, 40.0, 55.0],
        "engagement_score": 70.0, "conversion_score": 70.0, "brand_fit_score": 70.0,
        "investment_usd": [20_000.0, 8_000.0, 3_000.0, 3_000.0, 3_000.0, 40_000.0],
        "attributed_revenue": [60_000.0, 12_000.0, 3_200.0, 2_000.0, 1_000.0, 10_000.0],
        "roi": [2.0, 0.5, 0.07, -0.33, -0.67, -0.75], "roi_low": [1.2, 0.1, -0.4, -0.8, -0.9, -0.9],
        "roi_high": [2.8, 0.9, 0.5, 0.1, -0.3, -0.5], "roas": [3.0, 1.5, 1.07, 0.67, 0.33, 0.25],
        "cpa_usd": 50.0, "roi_trend": ["improving", "stable", "stable", "stable", "declining", "declining"],
        "predicted_next_roi": [1.8, 0.4, 0.0, -0.3, -0.7, -0.7],
        "predicted_next_roi_low": [1.0, 0.05, -0.5, -0.8, -1.0, -1.0],
        "predicted_next_roi_high": [2.6, 0.8, 0.5, 0.2, -0.3, -0.4],
        "top_drivers": "conversion rate", "model_used": "time_decay"})
    alloc = pd.DataFrame({
        "creator_id": creators, "current_budget": [10_000.0, 4_000.0, 1_500.0, 1_500.0, 1_500.0, 20_000.0],
        "min_budget": 0.0, "max_budget": 40_000.0,
        "recommended_budget": [16_000.0, 6_000.0, 1_500.0, 1_500.0, 500.0, 12_000.0],
        "expected_revenue_current": [30_000.0, 6_000.0, 1_600.0, 1_000.0, 500.0, 5_000.0],
        "expected_revenue_recommended": [42_000.0, 8_000.0, 1_600.0, 1_000.0, 300.0, 4_000.0],
        "expected_revenue_low": [36_000.0, 6_500.0, 1_200.0, 800.0, 200.0, 3_000.0],
        "expected_revenue_high": [48_000.0, 9_500.0, 2_000.0, 1_200.0, 400.0, 5_000.0],
        "marginal_roi": [1.5, 0.8, 0.1, 0.0, -0.5, -0.7],
        "binding_constraint": ["none", "none", "none", "none", "min_budget", "none"]})
    pacing = pd.DataFrame({"campaign_id": campaigns, "planned_budget_usd": [50_000.0, 30_000.0],
                           "spend_to_date_usd": [40_000.0, 10_000.0],
                           "projected_spend_usd": [60_000.0, 29_000.0],
                           "projected_spend_low_usd": [55_000.0, 25_000.0],
                           "projected_spend_high_usd": [65_000.0, 33_000.0],
                           "pacing_ratio": [1.2, 29 / 30], "campaign_state": ["live", "live"]})
    day = pd.Timestamp("2025-03-31")
    return {
        "post_attribution": post_attr, "creator_attribution": creator_attr,
        "kpi_post": post, "creators": pd.DataFrame({"creator_id": creators, "niche": ["beauty"] * 3 + ["tech"] * 3}),
        "posts": canonical_posts, "kpi_creator_campaign": kcc, "campaigns": camp, "kpi_campaign": kpi_campaign,
        "non_compliant_posts": ncp, "creator_authenticity": auth,
        "post_daily_metrics": pd.DataFrame({"date": [day]}),
        "orders": pd.DataFrame({"created_at": [day.tz_localize("UTC")]}),
        "leads": pd.DataFrame({"created_at": [(day - pd.Timedelta(days=20)).tz_localize("UTC")]}),
        "comments": pd.DataFrame({"created_at": [day.tz_localize("UTC")]}),
        "mentions": pd.DataFrame({"date": [day]}),
        "creator_scores": scores, "budget_allocation": alloc, "budget_pacing": pacing,
    }
