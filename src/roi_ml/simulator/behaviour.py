"""True timing and format lifts, and the engagement each post receives day by day."""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi_ml.simulator.config import PLATFORM_FORMATS, PLATFORMS, WorldParams

# Mean-1 hour-of-day shape of platform audiences (evening peak, dead night).
_HOUR_SHAPE = np.array([0.35, 0.25, 0.2, 0.2, 0.25, 0.35, 0.55, 0.75, 0.85, 0.9, 0.95, 1.0,
                        1.05, 1.0, 0.95, 0.95, 1.0, 1.1, 1.25, 1.4, 1.45, 1.35, 1.05, 0.65])


def make_timing_lift(rng: np.random.Generator) -> np.ndarray:
    """True lift of publishing at (platform, day of week, hour); mean 1 per platform."""
    lift = np.empty((len(PLATFORMS), 7, 24))
    for i in range(len(PLATFORMS)):
        dow = np.exp(rng.normal(0, 0.12, 7))
        hour = _HOUR_SHAPE * np.exp(rng.normal(0, 0.06, 24))
        grid = np.outer(dow, hour) ** 0.5  # sqrt keeps lifts in a realistic 0.5–1.4 range
        lift[i] = grid / grid.mean()
    return lift


def make_format_lift(rng: np.random.Generator) -> dict[tuple[str, str], float]:
    """True conversion lift of each format on each platform (mean 1 per platform)."""
    base = {"video": 1.1, "short": 1.15, "carousel": 0.95, "story": 0.7, "long_form": 1.35,
            "post": 0.8}
    out = {}
    for plat in PLATFORMS:
        fmts = PLATFORM_FORMATS[plat]
        vals = np.array([base[f] * np.exp(rng.normal(0, 0.1)) for f in fmts])
        vals = vals / vals.mean()
        out.update({(plat, f): float(v) for f, v in zip(fmts, vals, strict=True)})
    return out


def lifetime_days(fmt: str, p: WorldParams) -> int:
    if fmt == "story":
        return p.story_lifetime_days
    if fmt == "long_form":
        return p.long_form_lifetime_days
    return p.post_lifetime_days


def decay_shares(n_days: int, fmt: str) -> np.ndarray:
    """Share of a post's lifetime views that arrive on each day after publishing."""
    tau = {"story": 0.6, "long_form": 6.0}.get(fmt, 1.6)
    w = np.exp(-np.arange(n_days) / tau)
    return w / w.sum()


def post_engagement(rng: np.random.Generator, p: WorldParams, posts: pd.DataFrame,
                    creators: pd.DataFrame, plat: pd.DataFrame) -> pd.DataFrame:
    """Lifetime totals per post: reach, impressions, views, engagement, organic link clicks.

    Authentic engagement comes from the authentic audience; inauthentic creators get their fake
    part on top (bought likes, pod and bot comments) with no effect on conversions. A few honest
    posts go viral (and honest creators differ in style), so fakes are not trivially separable.
    """
    pf = plat.set_index(["creator_idx", "platform"])
    cr = creators.set_index("creator_idx")
    er_mult = dict(p.platform_er_multiplier)
    n = len(posts)
    ci = posts["creator_idx"].to_numpy()
    tier = cr.loc[ci, "tier_idx"].to_numpy()
    key = list(zip(ci, posts["platform"], strict=True))
    auth = pf.loc[key, "authentic_followers"].to_numpy().astype(float)
    reach_rate = np.asarray(p.reach_rate_by_tier)[tier] * rng.lognormal(0, 0.35, n)
    fmt = posts["format"].to_numpy()
    reach_rate = reach_rate * np.where(fmt == "story", p.story_reach_multiplier, 1.0)
    viral = rng.random(n) < p.viral_post_share
    reach_rate = reach_rate * np.where(viral, rng.uniform(*p.viral_reach_multiplier, n), 1.0)
    reach = np.maximum(1.0, auth * np.minimum(reach_rate, 2.5))
    freq = rng.uniform(1.15, 1.6, n)
    impressions = reach * freq
    quality = cr.loc[ci, "quality"].to_numpy()
    er = (np.asarray(p.er_by_tier)[tier] * np.array([er_mult[x] for x in posts["platform"]])
          * quality ** 0.25 * rng.lognormal(0, 0.25, n))
    engagements = reach * er
    # Like:comment style differs honestly by platform and creator.
    lc_ratio = np.array([{"instagram": 45, "tiktok": 70, "youtube": 28, "x": 12, "facebook": 20}[x]
                         for x in posts["platform"]]) * rng.lognormal(0, 0.3, n)
    comment_share = 1.0 / (1.0 + lc_ratio + 0.25 * lc_ratio)
    comments = engagements * comment_share
    likes = comments * lc_ratio
    shares = engagements * 0.08 * rng.lognormal(0, 0.3, n)
    saves = engagements * np.where(np.isin(fmt, ["carousel", "post"]), 0.12, 0.05)
    video = np.isin(fmt, ["video", "short", "long_form", "story"])
    views = np.where(video, impressions * rng.uniform(0.55, 0.9, n), 0.0)
    ctr = np.asarray(p.ctr_by_tier)[tier] * rng.lognormal(0, 0.4, n) * quality ** 0.3
    organic_clicks_expected = reach * ctr

    out = posts[["post_idx"]].copy()
    out["authentic_reach"] = np.round(reach)
    out["impressions"] = np.round(impressions)
    out["views"] = np.round(views)
    out["authentic_likes"] = np.round(likes)
    out["authentic_comments"] = np.round(comments)
    out["shares"] = np.round(shares)
    out["saves"] = np.round(saves)
    out["expected_organic_clicks"] = organic_clicks_expected
    out["viral"] = viral

    ftype = cr.loc[ci, "inauthentic_type"].to_numpy()
    fake_likes = np.where(ftype == "bought_likes", likes * rng.uniform(3, 8, n),
                          np.where(ftype == "engagement_pod", likes * rng.uniform(0.5, 1.0, n), 0.0))
    fake_comments = np.where(ftype == "engagement_pod", comments * rng.uniform(2.5, 5, n),
                             np.where(ftype == "bot_comments", comments * rng.uniform(2, 4, n), 0.0))
    out["fake_likes"] = np.round(fake_likes)
    out["fake_comments"] = np.round(fake_comments)
    return out
