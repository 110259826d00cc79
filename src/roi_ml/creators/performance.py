"""The 0–100 influencer performance score: empirical-Bayes shrinkage, then percentiles within
tier × platform, then a weighted composite.

Each metric is observed on units (posts or creator × campaign rows). For creator i with n_i
units of mean m_i in peer group g (tier × primary platform):

    shrunk_i = w_i · m_i + (1 − w_i) · μ_g,     w_i = τ² / (τ² + σ² / n_i)

μ_g  = mean of the group's creator means;
σ²   = pooled within-creator variance  Σ_i Σ_u (x_iu − m_i)² / Σ_i (n_i − 1);
τ²   = between-creator variance left after noise:
       max(Σ_i (m_i − μ_g(i))² / (K − G) − mean_i(σ² / n_i), 0)  (K creators with data, G groups).

A creator with no unit (no post with comments, say) gets μ_g: neither excluded nor rewarded.
Percentile within the group = (average rank − 0.5) / group size, so a creator alone in its
group sits at 0.5. A tier × platform cell with fewer than `min_group_size` creators is pooled
into its tier (and a tier that small into everyone).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ALL = "all"


def peer_groups(creators: pd.DataFrame, min_group_size: int) -> pd.Series:
    """Peer group per creator_id: "tier|platform", else "tier" when that cell holds fewer than
    `min_group_size` creators, else "all". In: creator_id, tier, primary_platform."""
    c = creators[["creator_id", "tier", "primary_platform"]].copy()
    c["creator_id"] = c["creator_id"].astype("str")
    tier = c["tier"].astype("str").fillna("unknown")
    cell = tier + "|" + c["primary_platform"].astype("str").fillna("unknown")
    cell_n = cell.map(cell.value_counts())
    tier_n = tier.map(tier.value_counts())
    group = np.where(cell_n >= min_group_size, cell, np.where(tier_n >= min_group_size, tier, ALL))
    return pd.Series(group, index=c["creator_id"].to_numpy(), name="peer_group").astype("str")


def eb_shrink(units: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Empirical-Bayes (normal–normal) shrinkage of each creator's mean toward its group mean.

    In: units (creator_id, value; non-finite values are dropped), groups (creator_id →
    group, every creator to score). Out: one row per creator in `groups`: n_units, raw_mean,
    weight (w_i), shrunk. See the module docstring for the formulas."""
    u = units[["creator_id", "value"]].copy()
    u["creator_id"] = u["creator_id"].astype("str")
    u["value"] = pd.to_numeric(u["value"], errors="coerce").astype("float64")
    u = u[np.isfinite(u["value"]) & u["creator_id"].isin(groups.index)]
    stats = u.groupby("creator_id")["value"].agg(["count", "mean"])
    stats["ss"] = u.groupby("creator_id")["value"].apply(lambda v: float(((v - v.mean()) ** 2).sum()))
    out = pd.DataFrame(index=pd.Index(groups.index, name="creator_id"))
    out["group"] = groups
    out["n_units"] = stats["count"].reindex(out.index).fillna(0).astype("int64")
    out["raw_mean"] = stats["mean"].reindex(out.index)
    has = out["n_units"] > 0
    if not has.any():
        out["weight"] = 0.0
        out["shrunk"] = np.nan
        return out
    dof = float((stats["count"] - 1).clip(lower=0).sum())
    sigma2 = float(stats["ss"].sum() / dof) if dof > 0 else 0.0
    d = out[has]
    mu_g = d.groupby("group")["raw_mean"].mean()
    global_mean = float(d["raw_mean"].mean())
    k, g = len(d), d["group"].nunique()
    dev = d["raw_mean"] - d["group"].map(mu_g)
    noise = float((sigma2 / d["n_units"]).mean())
    if k - g > 0:
        tau2 = max(float((dev ** 2).sum() / (k - g)) - noise, 0.0)
    else:  # one creator per group: no between-creator evidence, keep the raw means
        tau2 = np.inf
    n = out["n_units"].astype("float64")
    if np.isinf(tau2) or sigma2 == 0.0:
        w = np.where(n > 0, 1.0, 0.0)
    else:
        w = np.where(n > 0, tau2 / (tau2 + sigma2 / n.where(n > 0, 1.0)), 0.0)
    prior = out["group"].map(mu_g).fillna(global_mean)
    out["weight"] = w
    out["shrunk"] = w * out["raw_mean"].fillna(0.0) + (1.0 - w) * prior
    out.attrs.update(sigma2=sigma2, tau2=tau2)
    return out


def group_percentile(values: pd.Series, groups: pd.Series) -> pd.Series:
    """(average rank − 0.5) / group size within each group, in (0, 1); null values stay null."""
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    g = groups.reindex(v.index)
    rank = v.groupby(g).rank(method="average")
    size = v.notna().groupby(g).transform("sum")
    return (rank - 0.5) / size


def performance_scores(component_units: dict[str, pd.DataFrame], groups: pd.Series,
                       weights: dict[str, float], brand_fit_weights: dict[str, float]
                       ) -> pd.DataFrame:
    """engagement_score, conversion_score, brand_fit_score and performance_score (0–100).

    In: units per metric (`engagement`, `conversion`, and the brand-fit parts named in
    `brand_fit_weights`, e.g. sentiment, content_quality, compliance, delivery), each a frame
    of creator_id, value; peer groups; component weights (engagement, conversion, brand_fit).
    Each metric is shrunk (`eb_shrink`) and ranked within its group (`group_percentile`);
    brand_fit_score is the weighted mean of its parts' percentiles; performance_score the
    weighted mean of the three component scores. All × 100."""
    out = pd.DataFrame(index=pd.Index(groups.index, name="creator_id"))
    out["peer_group"] = groups

    def pct(metric: str) -> pd.Series:
        units = component_units.get(metric, pd.DataFrame(columns=["creator_id", "value"]))
        shrunk = eb_shrink(units, groups)
        out[f"{metric}_shrunk"] = shrunk["shrunk"]
        out[f"{metric}_units"] = shrunk["n_units"]
        p = group_percentile(shrunk["shrunk"], groups)
        return p.fillna(0.5)  # a metric nobody has: everyone at the middle

    out["engagement_score"] = 100.0 * pct("engagement")
    out["conversion_score"] = 100.0 * pct("conversion")
    bf_total = float(sum(brand_fit_weights.values()))
    out["brand_fit_score"] = 100.0 * sum(w * pct(part) for part, w in brand_fit_weights.items()) / bf_total
    total = float(sum(weights.values()))
    out["performance_score"] = sum(weights[c] * out[f"{c}_score"]
                                   for c in ("engagement", "conversion", "brand_fit")) / total
    return out
