"""A small hand-made set of every dashboard input, with the exact contract columns.

Two campaigns (CMP1 ended, CMP2 running), four creators (CR1..CR4), two platforms, ten days.
Upstream tables that other pipelines write (creator_scores, forecast_daily, alerts, ...) follow
the data contracts of the BRIEF column for column.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

PROJECT = Path(__file__).resolve().parents[2]
CREATORS = ["CR1", "CR2", "CR3", "CR4"]
HOSTILE_CAPTION = '=HYPERLINK("http://evil") <script>alert(1)</script> & "quotes"'


def s(values) -> pd.Series:
    return pd.Series(values, dtype="str")


def reporting_params() -> dict:
    return copy.deepcopy(yaml.safe_load((PROJECT / "conf/base/parameters_reporting.yml").read_text())["reporting"])


def kpi_targets() -> dict:
    return copy.deepcopy(yaml.safe_load((PROJECT / "conf/base/parameters_kpis.yml").read_text())["kpis"]["targets"])


def daily(days: int = 10) -> pd.DataFrame:
    dates = pd.date_range("2026-03-01", periods=days, freq="D")
    i = np.arange(days, dtype=float)
    return pd.DataFrame({
        "date": dates,
        "engagements": 100.0 + 10 * i, "reach": 1000.0 + 0 * i,
        "engagement_rate_by_reach": (100.0 + 10 * i) / 1000.0,
        "link_clicks": 20.0 + 0 * i, "link_sessions": 18 + 0 * i.astype(int),
        "click_conversions": 1 + (i.astype(int) % 2), "impressions": 2000 + 0 * i.astype(int),
        "attributed_revenue_usd": 100.0 + 20 * i, "cost_usd": 50.0 + 0 * i,
        "new_customers": 1 + (i.astype(int) % 2), "comments_positive": 8 + 0 * i.astype(int),
        "comments_labelled": 10 + 0 * i.astype(int),
    })


def make_inputs() -> dict[str, pd.DataFrame]:
    campaigns = pd.DataFrame({
        "campaign_id": s(["CMP1", "CMP2"]), "campaign_name": s(["Spring", "Summer"]),
        "objective": s(["conversion", "awareness"]),
        "start_date": pd.to_datetime(["2026-01-01", "2026-03-01"]),
        "end_date": pd.to_datetime(["2026-02-01", "2026-04-01"]),
        "planned_budget_usd": [1000.0, 2000.0],
    })
    kpi_campaign = campaigns.assign(
        campaign_state=s(["ended", "running"]), planned_spend_to_date_usd=[1000.0, 600.0],
        cost_usd=[900.0, 700.0], attributed_revenue_usd=[4500.0, 700.0],
        engagements=[500.0, 300.0], reach=[10000.0, 2000.0],
        comments_positive=[7, 3], comments_labelled=[10, 10],
        brand_sentiment_shift=[0.2, np.nan], roas=[5.0, 1.0], roas_status=s(["on_target", "not_applicable"]),
        engagement_rate_by_reach=[0.05, 0.15], budget_pacing=[0.9, 700 / 600],
        budget_pacing_status=s(["below_target", "above_target"]), n_creators=[3, 2], n_posts=[4, 3],
    )
    kcc = pd.DataFrame({
        "creator_id": s(["CR1", "CR2", "CR3", "CR1", "CR4"]),
        "campaign_id": s(["CMP1", "CMP1", "CMP1", "CMP2", "CMP2"]),
        "cost_usd": [300.0, 300.0, 300.0, 350.0, 350.0],
        "attributed_revenue_usd": [3000.0, 1000.0, 500.0, 600.0, 100.0],
    })
    kcc["roi"] = (kcc["attributed_revenue_usd"] - kcc["cost_usd"]) / kcc["cost_usd"]
    kpi_creator = kcc.groupby("creator_id", as_index=False)[["cost_usd", "attributed_revenue_usd"]].sum()
    kpi_creator["creator_id"] = kpi_creator["creator_id"].astype("str")
    kpi_creator["roi"] = (kpi_creator["attributed_revenue_usd"] - kpi_creator["cost_usd"]) / kpi_creator["cost_usd"]
    kpi_creator = kpi_creator.assign(tier=s(["micro", "mid", "nano", "macro"]),
                                     niche=s(["beauty"] * 4), primary_platform=s(["instagram", "tiktok"] * 2))
    kpi_post = pd.DataFrame({
        "post_id": s([f"P{i}" for i in range(1, 8)]),
        "creator_id": s(["CR1", "CR1", "CR2", "CR3", "CR1", "CR4", "CR4"]),
        "campaign_id": s(["CMP1"] * 4 + ["CMP2"] * 3),
        "platform": s(["instagram", "tiktok", "instagram", "tiktok", "instagram", "tiktok", "tiktok"]),
        "format": s(["video", "video", "carousel", "video", "carousel", "video", "video"]),
        "engagements": [100.0, 200.0, 50.0, 150.0, 100.0, 100.0, 100.0],
        "reach": [1000.0, 2000.0, 1000.0, 3000.0, 1000.0, 500.0, 1500.0],
        "attributed_revenue_usd": [1000.0, 2000.0, 1000.0, 500.0, 600.0, 50.0, 50.0],
    })
    kd = daily()
    kcd = pd.concat([kd.assign(campaign_id="CMP1"), kd.assign(campaign_id="CMP2")], ignore_index=True)
    kcd["campaign_id"] = kcd["campaign_id"].astype("str")
    auth = pd.DataFrame({
        "creator_id": s(CREATORS), "authenticity_score": [98.0, 95.0, 31.0, 88.0],
        "is_flagged": [False, False, True, False],
        "reasons": s(["no signal out of line with peers", "no signal out of line with peers",
                      "follower jump of 40 % in a day with flat engagement", "like:comment ratio high"]),
    })
    ncp = pd.DataFrame({
        "post_id": s(["P3"]), "creator_id": s(["CR2"]), "campaign_id": s(["CMP1"]),
        "platform": s(["instagram"]), "published_at": pd.to_datetime(["2026-01-05"], utc=True),
        "caption": s([HOSTILE_CAPTION]), "reason": s([f"no disclosure found in: {HOSTILE_CAPTION}"]),
    })
    models = ["last_touch", "time_decay", "data_driven"]
    ca = pd.DataFrame([(c, m) for m in models for c in CREATORS], columns=["creator_id", "model"]).astype("str")
    ca["model_used"] = ca["model"]
    ca["attributed_conversions"] = [10.0, 5.0, 2.0, 1.0] * 3
    ca["attributed_revenue"] = [1000.0, 500.0, 200.0, 100.0, 900.0, 600.0, 200.0, 100.0,
                                950.0, 550.0, 250.0, 50.0]
    ca["conversions_ci_low"] = pd.array([pd.NA] * 8 + [8, 3, 1, 0], dtype="Float64")
    ca["conversions_ci_high"] = pd.array([pd.NA] * 8 + [12, 7, 3, 2], dtype="Float64")
    ca["revenue_ci_low"] = [np.nan] * 8 + [800.0, 400.0, 150.0, 0.0]
    ca["revenue_ci_high"] = [np.nan] * 8 + [1100.0, 700.0, 350.0, 150.0]
    comp = pd.DataFrame([(m, m, lvl) for lvl in ("creator", "channel") for m in models],
                        columns=["model", "model_used", "level"]).astype("str")
    comp["entities"] = 4
    comp["entities_credited"] = 4
    comp["attributed_conversions"] = [18.0, 18.0, 18.0, 30.0, 30.0, 30.0]
    comp["attributed_revenue"] = [1800.0, 1800.0, 1800.0, 3000.0, 3000.0, 3000.0]
    comp["share_of_conversions"] = [0.6, 0.6, 0.6, 1.0, 1.0, 1.0]
    comp["share_of_revenue"] = [0.6, 0.6, 0.6, 1.0, 1.0, 1.0]
    comp["top_entities"] = s(["CR1 55%"] * 6)
    comp["top_n_share"] = 1.0
    comp["tvd_to_reference"] = [0.0, 0.05, 0.03, 0.0, 0.1, 0.08]
    comp["reference_model"] = s(["last_touch"] * 6)
    ccr = pd.DataFrame({
        "creator_id": s(["CR1", "CR2", "CR3", "CR1", "CR4"]),
        "campaign_id": s(["CMP1", "CMP1", "CMP1", "CMP2", "CMP2"]),
        "campaign_seq": [1, 1, 1, 2, 1], "campaign_start": pd.to_datetime(["2026-01-01"] * 3 + ["2026-03-01"] * 2),
        "investment_usd": [300.0, 300.0, 300.0, 350.0, 350.0],
        "attributed_conversions": [20.0, 8.0, 4.0, 5.0, 1.0],
        "attributed_revenue": [3000.0, 1000.0, 500.0, 600.0, 100.0],
        "attributed_revenue_low": [2500.0, 700.0, 300.0, 400.0, 0.0],
        "attributed_revenue_high": [3500.0, 1300.0, 700.0, 800.0, 300.0],
    })
    for c, src in (("roi", "attributed_revenue"), ("roi_low", "attributed_revenue_low"),
                   ("roi_high", "attributed_revenue_high")):
        ccr[c] = (ccr[src] - ccr["investment_usd"]) / ccr["investment_usd"]
    ccr["roas"] = ccr["attributed_revenue"] / ccr["investment_usd"]
    ccr["cpa_usd"] = ccr["investment_usd"] / ccr["attributed_conversions"]
    ccr["cost_per_engagement_usd"] = 1.5
    ccr["model_used"] = s(["data_driven"] * 5)
    scores = pd.DataFrame({
        "creator_id": s(CREATORS), "tier": s(["micro", "mid", "nano", "macro"]),
        "primary_platform": s(["instagram", "tiktok"] * 2), "niche": s(["beauty"] * 4),
        "n_campaigns": [2, 1, 1, 1], "performance_score": [91.0, 72.0, 40.0, 55.0],
        "engagement_score": [80.0, 70.0, 30.0, 60.0], "conversion_score": [90.0, 60.0, 20.0, 40.0],
        "brand_fit_score": [85.0, 75.0, 50.0, 60.0], "investment_usd": [650.0, 300.0, 300.0, 350.0],
        "attributed_revenue": [3600.0, 1000.0, 500.0, 100.0],
    })
    scores["roi"] = (scores["attributed_revenue"] - scores["investment_usd"]) / scores["investment_usd"]
    scores["roi_low"] = scores["roi"] - 0.5
    scores["roi_high"] = scores["roi"] + 0.5
    scores["roas"] = scores["attributed_revenue"] / scores["investment_usd"]
    scores["cpa_usd"] = [26.0, 37.5, 75.0, 350.0]
    scores["roi_trend"] = s(["improving", "single_campaign", "single_campaign", "single_campaign"])
    scores["predicted_next_roi"] = scores["roi"]
    scores["predicted_next_roi_low"] = scores["roi_low"]
    scores["predicted_next_roi_high"] = scores["roi_high"]
    scores["top_drivers"] = s(["conversion rate; engagement"] * 4)
    scores["model_used"] = s(["data_driven"] * 4)
    fdates = pd.date_range("2026-03-01", periods=14, freq="D")
    rows = []
    for series in ("total", "campaign:CMP2"):
        for metric in ("conversions", "revenue"):
            for j, d in enumerate(fdates):
                fut = j >= 10
                rows.append((series, metric, d, 10.0 + j, 8.0 + j, 12.0 + j, np.nan if fut else 10.0 + j % 3,
                             fut, "prophet"))
    fc = pd.DataFrame(rows, columns=["series", "metric", "date", "yhat", "yhat_lower", "yhat_upper",
                                     "actual", "is_forecast", "model_used"])
    for c in ("series", "metric", "model_used"):
        fc[c] = fc[c].astype("str")
    pacing = pd.DataFrame({
        "campaign_id": s(["CMP1", "CMP2"]), "planned_budget_usd": [1000.0, 2000.0],
        "spend_to_date_usd": [900.0, 700.0], "projected_spend_usd": [900.0, 2400.0],
        "projected_spend_low_usd": [900.0, 2200.0], "projected_spend_high_usd": [900.0, 2600.0],
        "pacing_ratio": [0.9, 1.2], "campaign_state": s(["ended", "running"]),
    })
    spend = np.linspace(0, 1000, 11)
    points = pd.concat([pd.DataFrame({"creator_id": c, "spend_usd": spend,
                                      "expected_conversions": k * np.sqrt(spend),
                                      "expected_revenue": 40 * k * np.sqrt(spend),
                                      "expected_revenue_low": 30 * k * np.sqrt(spend),
                                      "expected_revenue_high": 50 * k * np.sqrt(spend)})
                        for c, k in zip(CREATORS, (3.0, 2.0, 1.0, 0.5), strict=True)], ignore_index=True)
    points["creator_id"] = points["creator_id"].astype("str")
    alloc = pd.DataFrame({
        "creator_id": s(CREATORS), "current_budget": [400.0, 400.0, 400.0, 400.0],
        "min_budget": [200.0] * 4, "max_budget": [800.0] * 4,
        "recommended_budget": [800.0, 500.0, 200.0, 100.0],
    })
    k = np.array([3.0, 2.0, 1.0, 0.5])
    alloc["expected_revenue_current"] = 40 * k * np.sqrt(alloc["current_budget"])
    alloc["expected_revenue_recommended"] = 40 * k * np.sqrt(alloc["recommended_budget"])
    alloc["expected_revenue_low"] = alloc["expected_revenue_recommended"] * 0.8
    alloc["expected_revenue_high"] = alloc["expected_revenue_recommended"] * 1.2
    alloc["marginal_roi"] = [0.2, 0.4, 0.9, 1.3]
    alloc["binding_constraint"] = s(["max_budget", "none", "min_budget", "min_budget"])
    alerts = pd.DataFrame({
        "alert_id": s(["a1", "a2", "a3"]), "severity": s(["warning", "critical", "success"]),
        "rule": s(["roas_below", "missing_disclosure", "post_impressions_1m"]),
        "entity_type": s(["campaign", "post", "post"]), "entity_id": s(["CMP2", "P3", "P2"]),
        "metric": s(["roas", "has_disclosure", "impressions"]), "value": [1.0, 0.0, 1.2e6],
        "threshold": [3.0, 1.0, 1e6],
        "message": s(["ROAS 1.0:1 is below 3:1", f"post P3 has no disclosure: {HOSTILE_CAPTION}",
                      "post P2 reached 1.2M impressions"]),
        "detected_at": pd.to_datetime(["2026-03-10"] * 3),
    })
    decisions = pd.DataFrame({
        "creator_id": s(CREATORS), "decision": s(["expand", "renew", "conclude", "watch"]),
        "confidence": s(["high", "medium", "high", "low"]),
        "reasons": s(["ROI 4.5 (3.9–5.1), improving", "ROI 2.3", "flagged inauthentic", "one campaign"]),
    })
    suggestions = pd.DataFrame({
        "rank": [1, 2], "creator_id": s(["CR1", "CR2"]),
        "suggestion": s(["CR1's audience converts most on tiktok video (2.1 per 1k reach vs 1.2)",
                         "CR2 posts best on Tuesdays 18-21h"]),
        "findings": s(["format", "window"]), "figures_cited": s(["2.1; 1.2", "lift 1.4"]),
        "expected_extra_conversions_per_post": [0.9, 0.3], "confidence": s(["high", "low"]),
        "model_used": s(["data_driven"] * 2)})
    reallocation = pd.DataFrame({
        "rank": [1], "from_creator_id": s(["CR4"]), "to_creator_id": s(["CR1"]), "move_usd": [300.0],
        "expected_revenue_change": [900.0], "expected_revenue_change_low": [500.0],
        "expected_revenue_change_high": [1300.0], "from_marginal_roi": [1.3], "to_marginal_roi": [0.2],
        "from_binding_constraint": s(["min_budget"]), "to_binding_constraint": s(["max_budget"]),
        "confidence": s(["medium"]), "recommendation": s(["move $300 from CR4 to CR1"])})
    signals = pd.DataFrame({
        "rank": [1], "creator_id": s(["CR4"]), "campaign_id": s(["CMP2"]), "cpa_usd": [350.0],
        "benchmark_cpa_usd": [60.0], "q_value": [0.01], "excess_cost_usd": [290.0],
        "confidence": s(["high"]), "recommendation": s(["review CR4's fee"])})
    formats = pd.DataFrame({
        "rank": [1, 2], "platform": s(["tiktok", "instagram"]), "niche": s(["beauty"] * 2),
        "format": s(["video", "carousel"]), "n_posts": [4, 2], "conversion_lift": [1.4, 0.9],
        "conversion_lift_low": [1.1, 0.6], "conversion_lift_high": [1.8, 1.2],
        "example_caption": s([HOSTILE_CAPTION, "ok"]), "confidence": s(["medium", "low"])})
    windows = pd.DataFrame({
        "rank": [1], "creator_id": s(["CR1"]), "platform": s(["tiktok"]), "day_name": s(["Tuesday"]),
        "hour_start": [18], "hour_end": [21], "timezone": s(["UTC"]), "lift": [1.3], "lift_low": [1.0],
        "lift_high": [1.7], "n_posts_window": [3], "confidence": s(["low"])})
    return {
        "creator_suggestions": suggestions, "budget_reallocation": reallocation, "budget_signals": signals,
        "content_formats": formats, "posting_windows": windows,
        "kpi_campaign": kpi_campaign, "kpi_creator": kpi_creator, "kpi_creator_campaign": kcc,
        "kpi_post": kpi_post, "kpi_daily": kd, "kpi_campaign_daily": kcd, "creator_authenticity": auth,
        "non_compliant_posts": ncp, "campaigns": campaigns, "creator_attribution": ca,
        "attribution_model_comparison": comp, "creator_scores": scores, "creator_campaign_roi": ccr,
        "forecast_daily": fc, "budget_pacing": pacing, "response_curve_points": points,
        "budget_allocation": alloc, "alerts": alerts, "partnership_decisions": decisions,
    }
