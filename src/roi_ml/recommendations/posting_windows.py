"""posting_windows: per creator and platform, the best day-of-week × hour windows to publish,
with the lift against the creator's own average and an interval, shrunk toward the platform
norm when the creator's own posts are few.

Inputs: `kpi_post` (publish time, authentic engagements) and the post-level attributed
conversions of the chosen attribution model. Steps (docs/metrics.md, "posting_windows"):
1. each post's window: day of week × block of `window_hours` hours, in `timezone` (the audience's
   time zone; publish times are stored in UTC);
2. each post's relative outcome rᵢ = yᵢ / ȳ_g, its outcome over the mean of its baseline group g
   (`baseline_group`, default the creator's posts in the same campaign: a lift "against the
   creator's average" that a campaign's budget or season cannot fake); groups with fewer than
   `min_group_posts` posts or a zero mean carry no timing information and are left out;
3. platform norm per window: L_pw = (Σ rᵢ + k₀) / (n_pw + k₀), k₀ = `platform_prior_posts`
   pseudo-posts at lift 1;
4. creator lift per window: lift = (Σ rᵢ + k·L_pw) / (n + k), k = `creator_prior_posts`; its
   standard error s_p / √(n + k), s_p the spread of rᵢ on the platform; interval lift ± z·se;
   shrinkage_weight = k / (n + k) is the share of the platform norm in it;
5. per creator × platform, the `top_n` windows by lift (windows the creator has not used count
   with their platform norm, basis "platform norm"); expected_extra_conversions_per_post =
   (lift − 1) × the creator's mean attributed conversions per post on that platform;
   confidence high when the interval is above 1 and the creator has ≥ `high_min_posts` posts in
   the window, medium when the interval is above 1, else low.
The same lift of authentic engagements is reported beside it as evidence (engagement_lift).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi_ml.recommendations.common import (
    as_text,
    rank_by_impact,
    require_columns,
    z_value,
)

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
POST_COLUMNS = ["post_id", "creator_id", "campaign_id", "platform", "published_at",
                "engagements_authentic"]
OUTPUT_COLUMNS = [
    "rank", "creator_id", "platform", "window", "day_of_week", "day_name", "hour_start",
    "hour_end", "timezone", "lift", "lift_low", "lift_high", "raw_lift", "platform_norm_lift",
    "n_posts_window", "n_posts_creator", "shrinkage_weight", "engagement_lift",
    "avg_conversions_per_post", "expected_extra_conversions_per_post", "confidence", "basis",
    "model_used",
]
NORM_COLUMNS = ["platform", "window", "day_of_week", "hour_start", "hour_end", "timezone",
                "lift", "lift_low", "lift_high", "n_posts", "outcome"]


def assign_windows(published_at: pd.Series, timezone: str, window_hours: int) -> pd.DataFrame:
    """day_of_week (0 = Monday), hour_start, hour_end and a label per publish time, in `timezone`."""
    ts = pd.to_datetime(published_at, utc=True).dt.tz_convert(timezone)
    start = (ts.dt.hour // window_hours) * window_hours
    out = pd.DataFrame({"day_of_week": ts.dt.day_of_week.astype("int64"),
                        "hour_start": start.astype("int64")}, index=published_at.index)
    out["hour_end"] = (out["hour_start"] + window_hours).clip(upper=24)
    out["window"] = [f"{DAY_NAMES[d]} {h:02d}:00-{e:02d}:00" for d, h, e in
                     zip(out["day_of_week"], out["hour_start"], out["hour_end"], strict=True)]
    return out


def relative_outcomes(posts: pd.DataFrame, outcome: str, baseline_group: list[str],
                      min_group_posts: int) -> pd.DataFrame:
    """Posts with r = outcome / mean outcome of their baseline group; posts of groups that are
    too small or have a zero mean are dropped."""
    g = posts.groupby(baseline_group, sort=False)[outcome]
    mean, size = g.transform("mean"), g.transform("size")
    keep = (size >= min_group_posts) & (mean > 0)
    out = posts[keep].copy()
    out["r"] = out[outcome] / mean[keep]
    return out


def window_norms(rel: pd.DataFrame, prior_posts: float, level: float) -> pd.DataFrame:
    """Platform × window norm L_pw = (Σr + k₀)/(n + k₀) with a normal interval."""
    keys = ["platform", "day_of_week", "hour_start"]
    agg = rel.groupby(keys, sort=True)["r"].agg(sum_r="sum", n_posts="size").reset_index()
    sd = rel.groupby("platform")["r"].std(ddof=1).rename("sd_r")
    agg = agg.join(sd, on="platform")
    agg["lift"] = (agg["sum_r"] + prior_posts) / (agg["n_posts"] + prior_posts)
    se = agg["sd_r"].fillna(0.0) / np.sqrt(agg["n_posts"] + prior_posts)
    z = z_value(level)
    agg["lift_low"] = (agg["lift"] - z * se).clip(lower=0)
    agg["lift_high"] = agg["lift"] + z * se
    return agg


def creator_window_lifts(rel: pd.DataFrame, norms: pd.DataFrame, prior_posts: float,
                         level: float) -> pd.DataFrame:
    """Every (creator, platform) with posts × every window with a platform norm: the shrunk lift
    (Σr + k·L_pw)/(n + k) with interval ±z·s_p/√(n + k)."""
    cp = rel.groupby(["creator_id", "platform"], sort=True).size().rename("n_posts_creator").reset_index()
    grid = cp.merge(norms[["platform", "day_of_week", "hour_start", "lift", "sd_r"]]
                    .rename(columns={"lift": "platform_norm_lift"}), on="platform")
    own = rel.groupby(["creator_id", "platform", "day_of_week", "hour_start"])["r"].agg(
        sum_r="sum", n_posts_window="size").reset_index()
    grid = grid.merge(own, on=["creator_id", "platform", "day_of_week", "hour_start"], how="left")
    grid["n_posts_window"] = grid["n_posts_window"].fillna(0).astype("int64")
    grid["sum_r"] = grid["sum_r"].fillna(0.0)
    n = grid["n_posts_window"]
    grid["lift"] = (grid["sum_r"] + prior_posts * grid["platform_norm_lift"]) / (n + prior_posts)
    grid["raw_lift"] = (grid["sum_r"] / n.where(n > 0)).astype("float64")
    grid["shrinkage_weight"] = prior_posts / (n + prior_posts)
    se = grid["sd_r"].fillna(0.0) / np.sqrt(n + prior_posts)
    z = z_value(level)
    grid["lift_low"] = (grid["lift"] - z * se).clip(lower=0)
    grid["lift_high"] = grid["lift"] + z * se
    return grid


def _posts_with_outcomes(kpi_post: pd.DataFrame, post_conversions: pd.DataFrame) -> pd.DataFrame:
    require_columns(kpi_post, POST_COLUMNS, "kpi_post", "kpis")
    require_columns(post_conversions, ["post_id", "attributed_conversions", "model_used"],
                    "post_attribution", "attribution")
    posts = kpi_post[POST_COLUMNS].merge(
        post_conversions[["post_id", "attributed_conversions"]], on="post_id", how="left")
    posts["attributed_conversions"] = posts["attributed_conversions"].fillna(0.0).astype("float64")
    posts["engagements_authentic"] = posts["engagements_authentic"].fillna(0.0).astype("float64")
    return posts[posts["published_at"].notna()].reset_index(drop=True)


def posting_windows(kpi_post: pd.DataFrame, post_conversions: pd.DataFrame, params: dict
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """kpi_post + post-level attributed conversions (one model) → (posting_windows, the platform
    × window norms). Params: timezone, window_hours, baseline_group, min_group_posts,
    platform_prior_posts, creator_prior_posts, interval_level, top_n, high_min_posts,
    min_platform_posts."""
    tz = params.get("timezone", "UTC")
    hours = int(params.get("window_hours", 3))
    base = list(params.get("baseline_group", ["creator_id", "campaign_id"]))
    min_group = int(params.get("min_group_posts", 2))
    k0 = float(params.get("platform_prior_posts", 10))
    k = float(params.get("creator_prior_posts", 5))
    level = float(params.get("interval_level", 0.9))
    top_n = int(params.get("top_n", 3))
    high_min = int(params.get("high_min_posts", 3))
    min_platform = int(params.get("min_platform_posts", 5))
    model_used = (str(post_conversions["model_used"].iloc[0]) if len(post_conversions)
                  else "none")

    posts = _posts_with_outcomes(kpi_post, post_conversions)
    posts = posts.join(assign_windows(posts["published_at"], tz, hours))
    results = {}
    norms_out = []
    for name, outcome in (("conv", "attributed_conversions"), ("eng", "engagements_authentic")):
        rel = relative_outcomes(posts, outcome, base, min_group)
        norms = window_norms(rel, k0, level)
        norms = norms[norms["n_posts"] >= min_platform]
        results[name] = creator_window_lifts(rel, norms, k, level)
        n = norms.assign(outcome=outcome, timezone=tz)
        norms_out.append(n)
    conv = results["conv"]
    eng = results["eng"][["creator_id", "platform", "day_of_week", "hour_start", "lift"]]
    conv = conv.merge(eng.rename(columns={"lift": "engagement_lift"}),
                      on=["creator_id", "platform", "day_of_week", "hour_start"], how="left")
    avg = posts.groupby(["creator_id", "platform"])["attributed_conversions"].mean() \
        .rename("avg_conversions_per_post").reset_index()
    conv = conv.merge(avg, on=["creator_id", "platform"], how="left")
    conv["expected_extra_conversions_per_post"] = (conv["lift"] - 1) * conv["avg_conversions_per_post"]
    conv = conv.sort_values(["creator_id", "platform", "lift", "day_of_week", "hour_start"],
                            ascending=[True, True, False, True, True], kind="stable")
    best = conv.groupby(["creator_id", "platform"], sort=False).head(top_n).copy()
    best["hour_end"] = (best["hour_start"] + hours).clip(upper=24)
    best["day_name"] = best["day_of_week"].map(dict(enumerate(DAY_NAMES)))
    best["window"] = [f"{DAY_NAMES[d]} {h:02d}:00-{e:02d}:00" for d, h, e in
                      zip(best["day_of_week"], best["hour_start"], best["hour_end"], strict=True)]
    best["timezone"] = tz
    best["basis"] = np.where(best["n_posts_window"] > 0, "creator", "platform norm")
    above = best["lift_low"] > 1
    best["confidence"] = np.where(above & (best["n_posts_window"] >= high_min), "high",
                                  np.where(above, "medium", "low"))
    best["model_used"] = model_used
    out = rank_by_impact(best[[c for c in OUTPUT_COLUMNS if c != "rank"]],
                         "expected_extra_conversions_per_post", ["creator_id", "platform", "window"])
    out = as_text(out, ["creator_id", "platform", "window", "day_name", "timezone",
                        "confidence", "basis", "model_used"])
    norms = pd.concat(norms_out, ignore_index=True) if norms_out else pd.DataFrame()
    norms["hour_end"] = (norms["hour_start"] + hours).clip(upper=24)
    norms["window"] = [f"{DAY_NAMES[d]} {h:02d}:00-{e:02d}:00" for d, h, e in
                       zip(norms["day_of_week"], norms["hour_start"], norms["hour_end"], strict=True)]
    norms = as_text(norms[NORM_COLUMNS].reset_index(drop=True),
                    ["platform", "window", "timezone", "outcome"])
    return out, norms
