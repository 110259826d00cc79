"""Scores the posting-window and content-format recommendations against the simulator's truth
(section `recommendations` of evaluation.json).

The truth's timing_lift.csv (platform × local day of week × hour) and format_lift.csv
(platform × format) are the true multipliers of a post's expected conversions.
- posting windows: each window's true lift is the mean of the truth's hourly lifts over the
  window's hours. window_norm_spearman: per platform, rank correlation of the estimated window
  norms (attributed-conversion lift) and the true lifts, averaged over platforms;
  top_window_true_lift: mean true lift of the window ranked first per creator × platform;
  posted_true_lift: mean true lift of the windows posts were actually published in (what the
  creators did without advice); top_window_beats_posted_share: share of creator × platform pairs
  whose first window's true lift is above their platform's posted_true_lift.
- content formats: per platform, the formats' conversion_lift pooled over niches (weighted by
  n_posts_lift); format_spearman: rank correlation with the true format lift, averaged over
  platforms; top_format_true_lift: mean true lift of the format ranked first per platform ×
  niche; top_format_is_best_share: share of those groups whose first format is the truly best
  of the formats the group used.
- budget signals: from the truth's contract_truth.csv, each creator × campaign's true CPA
  (total cost / true caused conversions) against the campaign's true leave-one-out benchmark.
  signal_precision: share of the signals whose true CPA is above the true benchmark;
  signal_recall: share of the tested rows truly above it that are signals;
  raw_threshold_precision: the same for the raw rule "observed CPA above the observed benchmark"
  over every tested row (what the test replaces); base_rate: share of tested rows truly above.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from roi_ml.ground_truth import GroundTruth
from roi_ml.pipelines.evaluation.nodes import _skip
from roi_ml.recommendations.budget_signals import (
    creator_campaign_conversions,
    score_cost_per_conversion,
)
from roi_ml.recommendations.common import select_attribution

log = logging.getLogger(__name__)


def _spearman(a: pd.Series, b: pd.Series) -> float:
    if len(a) < 3 or a.nunique() < 2 or b.nunique() < 2:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(spearmanr(a.to_numpy(), b.to_numpy()).statistic)


def true_window_lift(timing: pd.DataFrame, windows: pd.DataFrame) -> pd.Series:
    """Mean hourly true lift over each window's hours (platform, day_of_week, hour_start,
    hour_end)."""
    t = timing.set_index(["platform", "day_of_week", "hour"])["lift"]
    out = []
    for r in windows.itertuples():
        hours = range(int(r.hour_start), int(r.hour_end))
        vals = [t.get((r.platform, int(r.day_of_week), h), np.nan) for h in hours]
        out.append(float(np.nanmean(vals)) if len(vals) else np.nan)
    return pd.Series(out, index=windows.index)


def _nanmean(x) -> float:
    x = np.asarray(x, dtype="float64")
    return float(np.nanmean(x)) if np.isfinite(x).any() else float("nan")


def score_posting_windows(timing: pd.DataFrame, posting_windows: pd.DataFrame,
                          norms: pd.DataFrame) -> dict[str, Any]:
    n = norms[norms["outcome"] == "attributed_conversions"].copy()
    n["true_lift"] = true_window_lift(timing, n)
    per_platform = {p: _spearman(g["lift"], g["true_lift"]) for p, g in n.groupby("platform")}
    n["w"] = n["true_lift"] * n["n_posts"]
    sums = n.groupby("platform")[["w", "n_posts"]].sum()
    posted = (sums["w"] / sums["n_posts"]).astype("float64")
    top = posting_windows.sort_values("lift", ascending=False).groupby(
        ["creator_id", "platform"]).head(1).copy()
    top["true_lift"] = true_window_lift(timing, top)
    beats = top["true_lift"] > top["platform"].map(posted)
    return {"window_norm_spearman": _nanmean(list(per_platform.values())),
            "window_norm_spearman_by_platform": per_platform,
            "top_window_true_lift": _nanmean(top["true_lift"]),
            "posted_true_lift": _nanmean(posted.to_numpy()),
            "top_window_beats_posted_share": float(beats.mean()) if len(top) else float("nan"),
            "creator_platform_pairs": int(len(top))}


def score_content_formats(formats_truth: pd.DataFrame, content_formats: pd.DataFrame) -> dict[str, Any]:
    truth = formats_truth.set_index(["platform", "format"])["lift"]
    cf = content_formats[content_formats["n_posts_lift"] > 0].copy()
    cf["w"] = cf["n_posts_lift"] * cf["conversion_lift"]
    pooled = cf.groupby(["platform", "format"]).agg(w=("w", "sum"), n=("n_posts_lift", "sum"))
    pooled["lift"] = pooled["w"] / pooled["n"]
    pooled["true_lift"] = [truth.get(k, np.nan) for k in pooled.index]
    per_platform = {p: _spearman(g["lift"], g["true_lift"])
                    for p, g in pooled.reset_index().groupby("platform")}
    first = cf[cf["rank_in_group"] == cf.groupby(["platform", "niche"])["rank_in_group"].transform("min")]
    first_true = pd.Series([truth.get((p, f), np.nan) for p, f in zip(first["platform"], first["format"], strict=True)])
    best = cf.assign(true_lift=[truth.get((p, f), np.nan) for p, f in zip(cf["platform"], cf["format"], strict=True)]) \
        .groupby(["platform", "niche"])["true_lift"].max()
    is_best = first_true.to_numpy() >= best.reindex(
        pd.MultiIndex.from_arrays([first["platform"], first["niche"]])).to_numpy() - 1e-12
    return {"format_spearman": _nanmean(list(per_platform.values())),
            "format_spearman_by_platform": per_platform,
            "top_format_true_lift": _nanmean(first_true),
            "top_format_is_best_share": float(np.mean(is_best)) if len(first) else float("nan"),
            "platform_niche_groups": int(len(first))}


def true_cpa_above_benchmark(contract_truth: pd.DataFrame) -> pd.Series:
    """(creator_id, campaign_id) → whether the true CPA is above the campaign's true
    leave-one-out CPA (no true conversion at a cost counts as above)."""
    t = contract_truth[["creator_id", "campaign_id", "total_cost_usd", "true_conversions"]].copy()
    g = t.groupby("campaign_id")[["total_cost_usd", "true_conversions"]].transform("sum")
    rest_cost, rest_conv = g["total_cost_usd"] - t["total_cost_usd"], g["true_conversions"] - t["true_conversions"]
    bench = rest_cost / rest_conv.where(rest_conv > 0)
    above = t["total_cost_usd"] > t["true_conversions"] * bench
    return pd.Series(above.to_numpy(), index=pd.MultiIndex.from_frame(t[["creator_id", "campaign_id"]]))


def score_budget_signals(contract_truth: pd.DataFrame, budget_signals: pd.DataFrame,
                         kpi_creator_campaign: pd.DataFrame, post_attribution: pd.DataFrame,
                         params: dict) -> dict[str, Any]:
    truly = true_cpa_above_benchmark(contract_truth)
    a = params.get("attribution") or {}
    conv = select_attribution(post_attribution, a.get("model", "data_driven"),
                              a.get("fallback_model", "time_decay"), "post_attribution")
    tested = score_cost_per_conversion(creator_campaign_conversions(kpi_creator_campaign, conv),
                                       params.get("budget_signals") or {})
    tested = tested[tested["tested"]]

    def lookup(frame: pd.DataFrame) -> np.ndarray:
        keys = pd.MultiIndex.from_frame(frame[["creator_id", "campaign_id"]].astype(str))
        return truly.reindex(keys).to_numpy(dtype="float64")

    sig, raw = lookup(budget_signals), lookup(tested[tested["cpa_usd"].isna() | (tested["cpa_usd"] > tested["benchmark_cpa_usd"])])
    truly_above = float(np.nansum(lookup(tested)))
    return {"signals": int(len(budget_signals)), "signal_precision": _nanmean(sig),
            "signal_recall": float(np.nansum(sig) / truly_above) if truly_above else float("nan"),
            "raw_threshold_flags": int(len(raw)), "raw_threshold_precision": _nanmean(raw),
            "tested": int(len(tested)), "base_rate": _nanmean(lookup(tested))}


def score_recommendations(truth: GroundTruth, posting_windows: pd.DataFrame,
                          posting_window_norms: pd.DataFrame, content_formats: pd.DataFrame,
                          budget_signals: pd.DataFrame, kpi_creator_campaign: pd.DataFrame,
                          post_attribution: pd.DataFrame, params: dict) -> dict[str, Any]:
    """Section `recommendations`: posting windows and content formats against the true timing
    and format lifts (see the module docstring); a skip note without truth."""
    skipped = _skip(truth, "recommendations")
    if skipped:
        return skipped
    timing = truth.read("timing_lift")
    formats = truth.read("format_lift")
    out: dict[str, Any] = {}
    if len(posting_windows) and len(posting_window_norms):
        out["posting_windows"] = score_posting_windows(timing, posting_windows, posting_window_norms)
    else:
        out["posting_windows"] = {"skipped": "no posting windows (too few posts per window)"}
    if len(content_formats) and (content_formats["n_posts_lift"] > 0).any():
        out["content_formats"] = score_content_formats(formats, content_formats)
    else:
        out["content_formats"] = {"skipped": "no content format with a conversion lift"}
    out["budget_signals"] = score_budget_signals(truth.read("contract_truth"), budget_signals,
                                                 kpi_creator_campaign, post_attribution, params)
    return out
