"""Post lifetime totals from the daily platform metrics, with the bad input made explicit.

- Counters are daily increments (ingestion differences cumulative exports); a counter that went
  down between days arrives as 0 with `counter_corrected` — and any negative value that still
  slips through is clipped to 0 here, so nothing negative flows into a KPI.
- X exports have no reach (and any other post may lack it): such a post's reach is estimated as
  impressions / frequency, the frequency being the median impressions / reach of the posts that
  do report reach (`reach_is_estimated`), with an interquartile range for the interval.
- Followers at publication come from the export's daily follower count on the first day; a
  creator missing from the roster on that platform is fine (the export has the count), and a
  post with neither has `followers_at_publish` missing.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from roi_ml.kpis.formulas import engagements

COUNTERS = ["impressions", "reach", "views", "likes", "comments", "shares", "saves", "link_clicks"]


def clean_daily_metrics(post_daily_metrics: pd.DataFrame) -> pd.DataFrame:
    """Daily metrics with every counter as float64 ≥ 0 (negatives → 0, missing stays missing)
    and `day_index` = days since the post's first metric day (0 = publication day)."""
    m = post_daily_metrics.sort_values(["post_id", "date"], kind="stable").copy()
    for c in COUNTERS:
        m[c] = pd.to_numeric(m[c], errors="coerce").astype("float64").clip(lower=0.0)
    m["followers"] = pd.to_numeric(m["followers"], errors="coerce").astype("float64").clip(lower=0.0)
    first = m.groupby("post_id")["date"].transform("min")
    m["day_index"] = (m["date"] - first).dt.days.astype("int64")
    return m


def frequency_estimate(impressions: pd.Series, reach: pd.Series, params: Mapping) -> dict:
    """Median and interquartile frequency (impressions / reach) of the posts reporting reach;
    conf `kpis.reach.default_frequency` when fewer than `min_posts_for_frequency` do."""
    ok = (reach > 0) & (impressions > 0)
    f = (impressions[ok] / reach[ok]).astype(float)
    lo_q, hi_q = params["frequency_quantiles"]
    if len(f) < int(params["min_posts_for_frequency"]):
        d = float(params["default_frequency"])
        return {"point": d, "low": d, "high": d, "n_posts": int(len(f))}
    return {"point": float(f.median()), "low": float(f.quantile(lo_q)),
            "high": float(f.quantile(hi_q)), "n_posts": int(len(f))}


def build_post_totals(posts: pd.DataFrame, daily: pd.DataFrame, creators: pd.DataFrame,
                      creator_platforms: pd.DataFrame, reach_params: Mapping) -> pd.DataFrame:
    """Canonical posts + cleaned daily metrics → one row per post with lifetime totals.

    Out: post_id, contract_id, creator_id, campaign_id, platform, format, published_at, tier,
    n_metric_days, counter_corrected_days, impressions, reach_reported, views, likes,
    comments, shares, saves, link_clicks, engagements, followers_at_publish, audience (the
    account's followers: at publication, else the roster), likes_day0, comments_day0,
    impressions_day0, reach / reach_low / reach_high (reported, or estimated from impressions),
    reach_is_estimated. A post with no metric rows keeps missing counters.
    """
    g = daily.groupby("post_id", sort=False)
    tot = g[COUNTERS].sum(min_count=1)
    tot["n_metric_days"] = g.size()
    tot["counter_corrected_days"] = g["counter_corrected"].sum().astype("int64")
    first = daily[daily["day_index"] == 0].drop_duplicates("post_id").set_index("post_id")
    tot["followers_at_publish"] = first["followers"]
    tot["likes_day0"] = first["likes"]
    tot["comments_day0"] = first["comments"]
    tot["impressions_day0"] = first["impressions"]
    tot = tot.rename(columns={"reach": "reach_reported"})
    out = posts[["post_id", "contract_id", "creator_id", "campaign_id", "platform", "format",
                 "published_at"]].merge(tot, left_on="post_id", right_index=True, how="left")
    out["tier"] = out["creator_id"].map(creators.set_index("creator_id")["tier"]).astype("string")
    out["n_metric_days"] = out["n_metric_days"].fillna(0).astype("int64")
    out["counter_corrected_days"] = out["counter_corrected_days"].fillna(0).astype("int64")
    out["engagements"] = engagements(out["likes"], out["comments"], out["shares"], out["saves"])
    out.loc[out["n_metric_days"] == 0, "engagements"] = np.nan
    roster = creator_platforms.set_index(["creator_id", "platform"])["followers"]
    roster_f = pd.Series([roster.get((c, p), np.nan) for c, p in
                          zip(out["creator_id"], out["platform"], strict=True)],
                         index=out.index, dtype="float64")
    out["audience"] = out["followers_at_publish"].where(out["followers_at_publish"] > 0, roster_f)

    freq = frequency_estimate(out["impressions"], out["reach_reported"], reach_params)
    missing = out["reach_reported"].isna() & (out["impressions"] > 0)
    out["reach_is_estimated"] = missing.astype(bool)
    out["reach"] = out["reach_reported"].where(~missing, out["impressions"] / freq["point"])
    out["reach_low"] = out["reach_reported"].where(~missing, out["impressions"] / freq["high"])
    out["reach_high"] = out["reach_reported"].where(~missing, out["impressions"] / freq["low"])
    out.attrs["frequency_estimate"] = freq
    return out.reset_index(drop=True)


def follower_observations(daily: pd.DataFrame) -> pd.DataFrame:
    """Daily follower counts per account (creator × platform) from the post exports."""
    f = daily.dropna(subset=["followers"])
    return (f.groupby(["creator_id", "platform", "date"], as_index=False)["followers"].median())
