"""content_formats: per platform and audience niche, the content formats ranked by conversion
rate and authentic engagement, with intervals.

Inputs: `kpi_post` (format, reach, authentic engagements), `creators` (niche), `posts`
(caption, for an example post) and the post-level attributed conversions of the chosen model.
Per platform × niche × format (docs/metrics.md, "content_formats"):
- conversion_lift = mean over the format's posts of rᵢ = conversionsᵢ / the mean conversions of
  the same creator's posts in the same campaign (`baseline_group`, as in posting_windows): how
  the format converts against the creator's other posts, so big creators or big campaigns do not
  make their formats look good; interval mean ± z·sd/√n; posts whose group has fewer than
  `min_group_posts` posts or no conversion are left out of it (n_posts_lift);
- conversions_per_1k_reach = 1000 · Σ attributed conversions / Σ reach and
  authentic_engagement_rate = Σ authentic engagements / Σ reach, each with a delta-method
  interval over the posts (common.ratio_interval) — evidence; reach differs by format (stories
  reach fewer people), so a per-reach rate alone would favour low-reach formats;
- rank_in_group: by conversion_lift, then authentic_engagement_rate;
- expected_extra_conversions_per_post = (conversion_lift − 1) × the group's mean attributed
  conversions per post: what switching one post of the group to this format is expected to add;
- confidence: high when the lift interval lies wholly above (or below) 1 and there are ≥
  `high_min_posts` posts in it, medium when it excludes 1 with ≥ `min_posts`, else low.
Rows are ranked overall by expected_extra_conversions_per_post.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi_ml.recommendations.common import (
    as_text,
    rank_by_impact,
    ratio_interval,
    require_columns,
    z_value,
)
from roi_ml.recommendations.posting_windows import relative_outcomes

OUTPUT_COLUMNS = [
    "rank", "platform", "niche", "format", "rank_in_group", "n_posts", "n_creators",
    "conversion_lift", "conversion_lift_low", "conversion_lift_high", "n_posts_lift",
    "conversions_per_post", "conversions_per_1k_reach", "conversions_per_1k_reach_low", "conversions_per_1k_reach_high",
    "authentic_engagement_rate",
    "authentic_engagement_rate_low", "authentic_engagement_rate_high",
    "expected_extra_conversions_per_post", "confidence", "example_post_id", "example_caption",
    "model_used",
]
KEYS = ["platform", "niche", "format"]


def content_formats(kpi_post: pd.DataFrame, creators: pd.DataFrame, posts: pd.DataFrame,
                    post_conversions: pd.DataFrame, params: dict) -> pd.DataFrame:
    """→ one row per platform × niche × format, ranked by expected extra conversions per post.
    Params: interval_level, min_posts, high_min_posts, baseline_group, min_group_posts."""
    require_columns(kpi_post, ["post_id", "creator_id", "platform", "format", "reach",
                               "engagements_authentic"], "kpi_post", "kpis")
    require_columns(creators, ["creator_id", "niche"], "creators", "ingestion")
    require_columns(posts, ["post_id", "caption"], "posts", "ingestion")
    require_columns(post_conversions, ["post_id", "attributed_conversions", "model_used"],
                    "post_attribution", "attribution")
    level = float(params.get("interval_level", 0.9))
    min_posts = int(params.get("min_posts", 3))
    high_min = int(params.get("high_min_posts", 10))
    model_used = str(post_conversions["model_used"].iloc[0]) if len(post_conversions) else "none"

    base = list(params.get("baseline_group", ["creator_id", "campaign_id"]))
    min_group = int(params.get("min_group_posts", 2))
    cols = list(dict.fromkeys(["post_id", "creator_id", "platform", "format", "reach",
                               "engagements_authentic", *base]))
    require_columns(kpi_post, cols, "kpi_post", "kpis")
    p = kpi_post[cols]
    p = p.merge(creators[["creator_id", "niche"]], on="creator_id", how="left")
    p = p.merge(post_conversions[["post_id", "attributed_conversions"]], on="post_id", how="left")
    p["attributed_conversions"] = p["attributed_conversions"].fillna(0.0).astype("float64")
    p["engagements_authentic"] = p["engagements_authentic"].fillna(0.0).astype("float64")
    p["niche"] = p["niche"].fillna("unknown")
    p = p[p["reach"].fillna(0) > 0].reset_index(drop=True)
    if p.empty:
        return as_text(pd.DataFrame(columns=OUTPUT_COLUMNS), ["platform", "niche", "format"])

    groups = [p[k] for k in KEYS]
    conv = ratio_interval(p["attributed_conversions"] * 1000, p["reach"], groups, level)
    conv.columns = [*KEYS, "_num", "_den", "n_posts", "conversions_per_1k_reach",
                    "conversions_per_1k_reach_low", "conversions_per_1k_reach_high"]
    eng = ratio_interval(p["engagements_authentic"], p["reach"], groups, level)
    eng.columns = [*KEYS, "_n2", "_d2", "_n3", "authentic_engagement_rate",
                   "authentic_engagement_rate_low", "authentic_engagement_rate_high"]
    t = conv.merge(eng.drop(columns=["_n2", "_d2", "_n3"]), on=KEYS)
    t = t.merge(p.groupby(KEYS)["creator_id"].nunique().rename("n_creators").reset_index(), on=KEYS)

    rel = relative_outcomes(p, "attributed_conversions", base, min_group)
    lift = rel.groupby(KEYS)["r"].agg(conversion_lift="mean", sd="std", n_posts_lift="size")
    se = lift["sd"].fillna(0.0) / np.sqrt(lift["n_posts_lift"])
    z = z_value(level)
    lift["conversion_lift_low"] = (lift["conversion_lift"] - z * se).clip(lower=0)
    lift["conversion_lift_high"] = lift["conversion_lift"] + z * se
    t = t.join(lift.drop(columns="sd"), on=KEYS)
    t["n_posts_lift"] = t["n_posts_lift"].fillna(0).astype("int64")
    t["conversions_per_post"] = t["_num"] / 1000 / t["n_posts"]
    grp = p.groupby(["platform", "niche"])["attributed_conversions"].mean().rename("group_mean")
    t = t.join(grp, on=["platform", "niche"])
    t["expected_extra_conversions_per_post"] = (t["conversion_lift"] - 1) * t["group_mean"]
    t = t.sort_values(["platform", "niche", "conversion_lift", "authentic_engagement_rate"],
                      ascending=[True, True, False, False], na_position="last", kind="stable")
    t["rank_in_group"] = t.groupby(["platform", "niche"]).cumcount().astype("int64") + 1
    excludes = (t["conversion_lift_low"] > 1) | (t["conversion_lift_high"] < 1)
    t["confidence"] = np.where(excludes & (t["n_posts_lift"] >= high_min), "high",
                               np.where(excludes & (t["n_posts_lift"] >= min_posts), "medium", "low"))

    ex = p.merge(posts[["post_id", "caption"]], on="post_id", how="left")
    ex = ex.sort_values([*KEYS, "attributed_conversions", "engagements_authentic", "post_id"],
                        ascending=[True, True, True, False, False, True], kind="stable")
    ex = ex.groupby(KEYS, sort=False).head(1)[[*KEYS, "post_id", "caption"]]
    t = t.merge(ex.rename(columns={"post_id": "example_post_id", "caption": "example_caption"}),
                on=KEYS, how="left")
    t["model_used"] = model_used
    t["n_posts"] = t["n_posts"].astype("int64")
    out = rank_by_impact(t[[c for c in OUTPUT_COLUMNS if c != "rank"]],
                         "expected_extra_conversions_per_post", KEYS)
    return as_text(out, ["platform", "niche", "format", "confidence", "example_post_id",
                         "example_caption", "model_used"])
