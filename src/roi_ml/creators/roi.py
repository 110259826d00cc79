"""Creator ROI per campaign and overall, its interval, and the trend across campaigns.

investment_usd = fee + product cost + management overhead (the contract's full cost)
roi  = (attributed_revenue − investment) / investment
roas = attributed_revenue / investment
cpa_usd = investment / attributed_conversions
cost_per_engagement_usd = investment / engagements

Every ratio with a zero (or missing) denominator is null, never ±inf: a gifted-product contract
with no cost has no ROI, a creator with no attributed conversion has no CPA. Intervals: see
`revenue_interval`. Formulas with worked examples: docs/metrics.md, "Creator scoring".
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy.stats import chi2

from roi_ml import inputs
from roi_ml.creators.errors import CreatorScoringInputError, require_columns

log = logging.getLogger(__name__)

CAMPAIGN_ROI_COLUMNS = [
    "creator_id", "campaign_id", "campaign_seq", "campaign_start", "investment_usd",
    "attributed_conversions", "attributed_revenue", "attributed_revenue_low",
    "attributed_revenue_high", "roi", "roi_low", "roi_high", "roas", "cpa_usd",
    "cost_per_engagement_usd", "model_used",
]
TRENDS = ("improving", "stable", "declining", "single_campaign")


def ratio(num, den) -> np.ndarray:
    """num / den, null where den is zero, negative or missing (never ±inf)."""
    num = np.asarray(pd.to_numeric(pd.Series(num), errors="coerce").astype("float64"))
    den = np.asarray(pd.to_numeric(pd.Series(den), errors="coerce").astype("float64"))
    out = np.full(np.broadcast(num, den).shape, np.nan)
    ok = np.isfinite(den) & (den > 0) & np.isfinite(num)
    np.divide(num, den, out=out, where=ok)
    return out


def select_attribution_model(credit: pd.DataFrame, preferred: str, fallback: str,
                             name: str) -> tuple[pd.DataFrame, str]:
    """Rows of `credit` (post_attribution / creator_attribution) for the `preferred` model; when
    it has none, the `fallback` model's rows (logged). Returns (rows, model used)."""
    require_columns(credit, ["creator_id"], name, inputs.ATTRIBUTION_FIX)
    return inputs.select_attribution_model(
        credit, preferred, fallback, f"creator_scoring: input '{name}'",
        ("creator_scoring.attribution.model", "creator_scoring.attribution.fallback_model"),
        "conf/base/parameters_creator_scoring.yml", CreatorScoringInputError)


def poisson_interval(count, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) two-sided interval for a Poisson mean after observing `count` events:
    low = χ²(α/2; 2n)/2 (0 when n = 0), high = χ²(1 − α/2; 2n + 2)/2, α = 1 − level.
    Works for fractional credit (n need not be an integer)."""
    n = np.clip(np.asarray(count, dtype="float64"), 0.0, None)
    alpha = 1.0 - level
    low = np.where(n > 0, chi2.ppf(alpha / 2, 2 * np.maximum(n, 1e-12)) / 2, 0.0)
    high = chi2.ppf(1 - alpha / 2, 2 * n + 2) / 2
    return low, high


def revenue_interval(conversions, revenue, level: float, fallback_revenue_per_conversion: float,
                     conv_low=None, conv_high=None) -> tuple[np.ndarray, np.ndarray]:
    """Interval of attributed revenue: conversion bounds × revenue per conversion.

    Conversion bounds are the attribution model's own (`conv_low`/`conv_high`, e.g. the
    data-driven model's) where both are given, else the Poisson interval of the attributed
    count (both ends from the same source).
    Revenue per conversion is the row's own; with no conversion, the fallback (the average
    over all rows), so a zero-credit creator still gets an honest upper bound."""
    conv = np.asarray(conversions, dtype="float64")
    rev = np.asarray(revenue, dtype="float64")
    p_low, p_high = poisson_interval(conv, level)
    if conv_low is not None and conv_high is not None:
        cl = np.asarray(pd.to_numeric(pd.Series(conv_low), errors="coerce"), dtype="float64")
        ch = np.asarray(pd.to_numeric(pd.Series(conv_high), errors="coerce"), dtype="float64")
        both = np.isfinite(cl) & np.isfinite(ch)   # one source per row: never half model, half Poisson
        p_low = np.where(both, cl, p_low)
        p_high = np.where(both, ch, p_high)
    rpc = np.where(conv > 0, ratio(rev, conv), fallback_revenue_per_conversion)
    rpc = np.where(np.isfinite(rpc), rpc, fallback_revenue_per_conversion)
    low = np.minimum(p_low * rpc, rev)
    high = np.maximum(p_high * rpc, rev)
    return low, high


def naive_dates(values) -> pd.Series:
    """Dates as timezone-naive datetime64 (UTC clock when they carried a zone)."""
    d = pd.to_datetime(pd.Series(values), errors="coerce")
    return d.dt.tz_convert("UTC").dt.tz_localize(None) if d.dt.tz is not None else d


def _sum_or_null(s: pd.Series) -> float:
    s = pd.to_numeric(s, errors="coerce")
    return float(s.sum()) if s.notna().all() and len(s) else float("nan")


def campaign_roi(contracts: pd.DataFrame, campaigns: pd.DataFrame, post_credit: pd.DataFrame,
                 engagements: pd.DataFrame, model_used: str, as_of: pd.Timestamp,
                 interval_level: float) -> pd.DataFrame:
    """One row per creator × campaign that started by `as_of` (columns CAMPAIGN_ROI_COLUMNS).

    In: canonical contracts and campaigns, one attribution model's post credit (creator_id,
    campaign_id, attributed_conversions, attributed_revenue, optional conversions_ci_low/high),
    engagements per creator × campaign (creator_id, campaign_id, engagements).
    A contract without credited posts has zero attributed revenue (roi −1); one with no cost
    has null roi/roas/cpa/cpe (logged)."""
    require_columns(contracts, ["creator_id", "campaign_id", "fee_usd", "product_cost_usd",
                                "management_overhead_usd"], "contracts",
                    "Map the contract export's columns in conf/base/parameters_ingestion.yml.")
    require_columns(campaigns, ["campaign_id", "start_date", "end_date"], "campaigns",
                    "Map the campaign plan's columns in conf/base/parameters_ingestion.yml.")
    require_columns(post_credit, ["creator_id", "campaign_id"], "post_attribution",
                    "It is written by the attribution pipeline.")
    c = contracts.copy()
    for col in ("creator_id", "campaign_id"):
        c[col] = c[col].astype("str")
    cost_parts = ["fee_usd", "product_cost_usd", "management_overhead_usd"]
    for col in cost_parts:
        c[col] = pd.to_numeric(c[col], errors="coerce").astype("float64")
    missing_cost = c[cost_parts].isna().any(axis=1)
    if missing_cost.any():
        log.warning("creator_scoring: %d contract(s) with a missing cost part count it as 0: %s",
                    int(missing_cost.sum()), c.loc[missing_cost, "creator_id"].tolist()[:10])
    c["investment_usd"] = c[cost_parts].fillna(0.0).sum(axis=1)
    c = c.groupby(["creator_id", "campaign_id"], as_index=False)["investment_usd"].sum()
    camp = campaigns[["campaign_id", "start_date"]].copy()
    camp["campaign_id"] = camp["campaign_id"].astype("str")
    camp["campaign_start"] = naive_dates(camp["start_date"])
    c = c.merge(camp[["campaign_id", "campaign_start"]], on="campaign_id", how="left")
    unknown = c["campaign_start"].isna()
    if unknown.any():
        raise CreatorScoringInputError(
            f"creator_scoring: contracts name campaign(s) {sorted(set(c.loc[unknown, 'campaign_id']))} "
            f"that are not in 'campaigns' (column campaign_id); add them to the campaign plan export.")
    future = c["campaign_start"] > pd.Timestamp(as_of)
    if future.any():
        log.info("creator_scoring: %d contract(s) in campaigns starting after %s have no ROI yet",
                 int(future.sum()), pd.Timestamp(as_of).date())
    c = c[~future]

    pc = post_credit.copy()
    for col in ("creator_id", "campaign_id"):
        pc[col] = pc[col].astype("str")
    agg = {"attributed_conversions": ("attributed_conversions", "sum"),
           "attributed_revenue": ("attributed_revenue", "sum")}
    has_ci = {"conversions_ci_low", "conversions_ci_high"} <= set(pc.columns)
    credit = pc.groupby(["creator_id", "campaign_id"], as_index=False).agg(**agg)
    if has_ci:
        ci = pc.groupby(["creator_id", "campaign_id"]).agg(
            conv_low=("conversions_ci_low", _sum_or_null),
            conv_high=("conversions_ci_high", _sum_or_null)).reset_index()
        credit = credit.merge(ci, on=["creator_id", "campaign_id"], how="left")
    out = c.merge(credit, on=["creator_id", "campaign_id"], how="left")
    for col in ("attributed_conversions", "attributed_revenue"):
        out[col] = out[col].fillna(0.0).astype("float64")
    eng = engagements[["creator_id", "campaign_id", "engagements"]].copy()
    for col in ("creator_id", "campaign_id"):
        eng[col] = eng[col].astype("str")
    eng = eng.groupby(["creator_id", "campaign_id"], as_index=False)["engagements"].sum()
    out = out.merge(eng, on=["creator_id", "campaign_id"], how="left")

    total_conv = out["attributed_conversions"].sum()
    fallback_rpc = float(out["attributed_revenue"].sum() / total_conv) if total_conv > 0 else 0.0
    out["attributed_revenue_low"], out["attributed_revenue_high"] = revenue_interval(
        out["attributed_conversions"], out["attributed_revenue"], interval_level, fallback_rpc,
        out.get("conv_low"), out.get("conv_high"))
    out = add_ratios(out)
    out["campaign_seq"] = (out.sort_values(["campaign_start", "campaign_id"])
                           .groupby("creator_id").cumcount() + 1).astype("int64")
    zero = ~(out["investment_usd"] > 0)
    if zero.any():
        log.warning("creator_scoring: %d creator × campaign row(s) with zero investment (gifted "
                    "product only?) have null roi, roas, cpa and cost per engagement: %s",
                    int(zero.sum()), out.loc[zero, ["creator_id", "campaign_id"]].values.tolist()[:10])
    out["model_used"] = pd.Series(model_used, index=out.index, dtype="str")
    return (out[CAMPAIGN_ROI_COLUMNS].sort_values(["creator_id", "campaign_seq"])
            .reset_index(drop=True))


def add_ratios(frame: pd.DataFrame) -> pd.DataFrame:
    """roi, roi_low, roi_high, roas, cpa_usd, cost_per_engagement_usd from investment_usd,
    attributed_revenue(_low/_high), attributed_conversions and (optional) engagements."""
    out = frame.copy()
    inv = out["investment_usd"]
    out["roas"] = ratio(out["attributed_revenue"], inv)
    out["roi"] = out["roas"] - 1.0
    out["roi_low"] = ratio(out["attributed_revenue_low"], inv) - 1.0
    out["roi_high"] = ratio(out["attributed_revenue_high"], inv) - 1.0
    out["cpa_usd"] = ratio(inv.where(inv > 0), out["attributed_conversions"])
    eng = out["engagements"] if "engagements" in out else pd.Series(np.nan, index=out.index)
    out["cost_per_engagement_usd"] = ratio(inv.where(inv > 0), eng)
    return out


def creator_roi(campaign_rows: pd.DataFrame, interval_level: float,
                revenue_ci: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per creator over all its campaigns: n_campaigns, investment_usd, attributed_conversions,
    attributed_revenue (sums), roi, roas, cpa_usd and the interval of the summed revenue:
    the attribution model's own creator-level interval where `revenue_ci` (creator_id,
    revenue_ci_low, revenue_ci_high) has one, else Poisson on the summed conversions."""
    g = campaign_rows.groupby("creator_id", as_index=False).agg(
        n_campaigns=("campaign_id", "nunique"), investment_usd=("investment_usd", "sum"),
        attributed_conversions=("attributed_conversions", "sum"),
        attributed_revenue=("attributed_revenue", "sum"))
    total_conv = g["attributed_conversions"].sum()
    fallback = float(g["attributed_revenue"].sum() / total_conv) if total_conv > 0 else 0.0
    g["attributed_revenue_low"], g["attributed_revenue_high"] = revenue_interval(
        g["attributed_conversions"], g["attributed_revenue"], interval_level, fallback)
    if revenue_ci is not None and {"revenue_ci_low", "revenue_ci_high"} <= set(revenue_ci.columns):
        ci = revenue_ci.assign(creator_id=revenue_ci["creator_id"].astype("str")) \
            .set_index("creator_id")[["revenue_ci_low", "revenue_ci_high"]]
        ci = ci[~ci.index.duplicated()].reindex(g["creator_id"])
        low = pd.to_numeric(ci["revenue_ci_low"], errors="coerce").astype("float64").to_numpy()
        high = pd.to_numeric(ci["revenue_ci_high"], errors="coerce").astype("float64").to_numpy()
        g["attributed_revenue_low"] = np.where(np.isfinite(low), low, g["attributed_revenue_low"])
        g["attributed_revenue_high"] = np.where(np.isfinite(high), high, g["attributed_revenue_high"])
    g = add_ratios(g)
    return g.drop(columns=["cost_per_engagement_usd"])


def roi_trend(campaign_rows: pd.DataFrame, threshold: float, roas_offset: float,
              min_campaigns: int) -> pd.Series:
    """ROI trend per creator across its successive (finished) campaigns.

    slope = least-squares slope of ln(roas + roas_offset) against the campaign's order
    (1, 2, 3, ...); improving if slope > ln(1 + threshold) (ROAS grows by more than
    `threshold` per campaign), declining if slope < −ln(1 + threshold), stable otherwise;
    `single_campaign` with fewer than `min_campaigns` campaigns with an ROI."""
    rows = campaign_rows[campaign_rows["roas"].notna()].sort_values(["creator_id", "campaign_seq"])
    cut = np.log1p(threshold)
    out = {}
    for creator, r in rows.groupby("creator_id"):
        if len(r) < max(min_campaigns, 2):
            out[creator] = "single_campaign"
            continue
        x = np.arange(1, len(r) + 1, dtype="float64")
        y = np.log(r["roas"].to_numpy(dtype="float64") + roas_offset)
        slope = float(np.polyfit(x, y, 1)[0])
        out[creator] = "improving" if slope > cut else "declining" if slope < -cut else "stable"
    all_creators = campaign_rows["creator_id"].astype("str").unique()
    return pd.Series(out, dtype="str").reindex(all_creators).fillna("single_campaign").astype("str")
