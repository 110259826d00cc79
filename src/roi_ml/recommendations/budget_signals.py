"""budget_signals: creators whose cost per conversion is above their campaign's benchmark,
decided by a test on the conversions their spend bought, with multiple-testing control.

Inputs: `kpi_creator_campaign` (cost_usd per creator × campaign) and the post-level attributed
conversions of the chosen model, summed per creator × campaign. For creator i in campaign c
(docs/metrics.md, "budget_signals"):
- benchmark CPA = the campaign's other creators' cost / their conversions (leave-one-out, so a
  big creator does not set its own benchmark);
- expected conversions at the benchmark λᵢ = costᵢ / benchmark CPA;
- observed xᵢ = attributed conversions rounded to a whole number;
- p-value = P(X ≤ xᵢ) with X ~ Poisson(λᵢ) (`test: poisson`, the default) or a negative
  binomial with mean λᵢ and variance φ_c·λᵢ (`test: negative_binomial`), φ_c the campaign's
  robust Pearson dispersion median((x − λ)²/λ) / 0.4549 (the median of χ²₁; a mean would be
  ruled by the few largest creators), at least 1, for data where creators legitimately differ
  more than the Poisson allows (on the simulator it was needlessly cautious: docs/accuracy.md);
- q-value: Benjamini–Hochberg over every tested creator × campaign; a signal when q ≤
  `fdr_alpha`; confidence high when q ≤ `high_q`, else medium;
- excess_cost_usd = costᵢ − xᵢ × benchmark CPA: the spend the benchmark would not have needed.
Rows tested: cost ≥ `min_spend_usd` and λᵢ ≥ `min_expected_conversions`. Only signals are
returned, ranked by excess cost; previous_cpa_usd (the creator's CPA in their previous campaign)
shows whether it has risen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2, nbinom, poisson

from roi_ml.recommendations.common import (
    PARAMS_FILE,
    RecommendationInputError,
    as_text,
    benjamini_hochberg,
    rank_by_impact,
    require_columns,
)

TESTS = ("poisson", "negative_binomial")
CHI2_1_MEDIAN = float(chi2.median(1))  # 0.4549: median of a squared standard normal
OUTPUT_COLUMNS = [
    "rank", "creator_id", "campaign_id", "cost_usd", "attributed_conversions",
    "cpa_usd", "benchmark_cpa_usd", "expected_conversions_at_benchmark", "dispersion",
    "p_value", "q_value", "excess_cost_usd", "previous_cpa_usd", "test", "confidence",
    "recommendation", "model_used",
]


def lower_tail_p(x: np.ndarray, lam: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """P(X ≤ x): Poisson(λ) where φ ≤ 1, else negative binomial with mean λ, variance φλ
    (size r = λ/(φ − 1), success probability 1/φ)."""
    x, lam, phi = (np.asarray(v, dtype="float64") for v in (x, lam, phi))
    p = poisson.cdf(x, lam)
    over = phi > 1 + 1e-9
    if over.any():
        r = lam[over] / (phi[over] - 1)
        p[over] = nbinom.cdf(x[over], r, 1.0 / phi[over])
    return p


def creator_campaign_conversions(kpi_creator_campaign: pd.DataFrame,
                                 post_conversions: pd.DataFrame) -> pd.DataFrame:
    """creator × campaign cost (kpis) with the attributed conversions of its posts."""
    require_columns(kpi_creator_campaign, ["creator_id", "campaign_id", "cost_usd"],
                    "kpi_creator_campaign", "kpis")
    require_columns(post_conversions, ["creator_id", "campaign_id", "attributed_conversions"],
                    "post_attribution", "attribution")
    conv = post_conversions.groupby(["creator_id", "campaign_id"])["attributed_conversions"].sum()
    t = kpi_creator_campaign[["creator_id", "campaign_id", "cost_usd"]].reset_index(drop=True).join(
        conv, on=["creator_id", "campaign_id"])
    t["attributed_conversions"] = t["attributed_conversions"].fillna(0.0).astype("float64")
    t["cost_usd"] = t["cost_usd"].fillna(0.0).astype("float64")
    return t


def score_cost_per_conversion(table: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Every creator × campaign row with its benchmark, expected conversions, dispersion,
    p-value, q-value and whether it was tested (`tested`) — the signals are a filter of this."""
    test = params.get("test", "poisson")
    if test not in TESTS:
        raise RecommendationInputError(f"recommendations.budget_signals.test: one of {list(TESTS)}; "
                                       f"found {test!r} ({PARAMS_FILE})")
    min_spend = float(params.get("min_spend_usd", 100.0))
    min_expected = float(params.get("min_expected_conversions", 1.0))
    t = table.copy()
    camp = t.groupby("campaign_id").agg(c_cost=("cost_usd", "sum"),
                                        c_conv=("attributed_conversions", "sum"))
    t = t.join(camp, on="campaign_id")
    rest_cost = t["c_cost"] - t["cost_usd"]
    rest_conv = t["c_conv"] - t["attributed_conversions"]
    t["benchmark_cpa_usd"] = (rest_cost / rest_conv.where(rest_conv > 0)).astype("float64")
    t["expected_conversions_at_benchmark"] = t["cost_usd"] / t["benchmark_cpa_usd"]
    t["cpa_usd"] = t["cost_usd"] / t["attributed_conversions"].where(t["attributed_conversions"] > 0)
    # campaign dispersion under the pooled benchmark (not leave-one-out)
    lam0 = t["cost_usd"] * t["c_conv"] / t["c_cost"].where(t["c_cost"] > 0)
    t["_pearson"] = ((t["attributed_conversions"] - lam0) ** 2 / lam0.where(lam0 > 0))
    disp = t.groupby("campaign_id").agg(med=("_pearson", "median"), m=("_pearson", "count"))
    disp["dispersion"] = (disp["med"] / CHI2_1_MEDIAN).where(disp["m"] > 1).fillna(1.0).clip(lower=1.0)
    t = t.join(disp["dispersion"], on="campaign_id")
    if test == "poisson":
        t["dispersion"] = 1.0
    lam = t["expected_conversions_at_benchmark"]
    t["tested"] = (t["cost_usd"] >= min_spend) & (lam >= min_expected) & lam.notna()
    x = np.round(t["attributed_conversions"].to_numpy())
    p = np.full(len(t), np.nan)
    m = t["tested"].to_numpy()
    if m.any():
        p[m] = lower_tail_p(x[m], lam.to_numpy()[m], t["dispersion"].to_numpy()[m])
    t["p_value"] = p
    t["q_value"] = benjamini_hochberg(p)
    t["excess_cost_usd"] = t["cost_usd"] - x * t["benchmark_cpa_usd"]
    t["test"] = test
    return t.drop(columns=["c_cost", "c_conv", "_pearson"])


def _previous_cpa(t: pd.DataFrame, campaign_order: pd.Series) -> pd.Series:
    s = t.assign(_order=t["campaign_id"].map(campaign_order)).sort_values(["creator_id", "_order"])
    prev = s.groupby("creator_id")["cpa_usd"].shift(1)
    return prev.reindex(t.index)


def budget_signals(kpi_creator_campaign: pd.DataFrame, post_conversions: pd.DataFrame,
                   campaigns: pd.DataFrame, params: dict) -> pd.DataFrame:
    """→ the creator × campaign rows whose cost per conversion is significantly above the
    campaign benchmark (FDR-controlled), ranked by excess cost. Params: test, fdr_alpha,
    high_q, min_spend_usd, min_expected_conversions."""
    require_columns(campaigns, ["campaign_id", "start_date"], "campaigns", "ingestion")
    alpha = float(params.get("fdr_alpha", 0.05))
    high_q = float(params.get("high_q", 0.01))
    model_used = str(post_conversions["model_used"].iloc[0]) if len(post_conversions) else "none"
    t = score_cost_per_conversion(creator_campaign_conversions(kpi_creator_campaign,
                                                              post_conversions), params)
    order = campaigns.sort_values(["start_date", "campaign_id"]).reset_index(drop=True)
    t["previous_cpa_usd"] = _previous_cpa(t, pd.Series(order.index, index=order["campaign_id"]))
    sig = t[t["tested"] & (t["q_value"] <= alpha)].copy()
    sig["confidence"] = np.where(sig["q_value"] <= high_q, "high", "medium")
    sig["model_used"] = model_used
    sig["recommendation"] = [
        (f"{r.creator_id} in {r.campaign_id}: {r.attributed_conversions:.1f} conversions for "
         f"${r.cost_usd:,.0f} where the campaign benchmark (${r.benchmark_cpa_usd:,.2f} per "
         f"conversion) expects {r.expected_conversions_at_benchmark:.1f}; q = {r.q_value:.3g}. "
         f"Review the fee or shift budget.")
        for r in sig.itertuples()]
    out = rank_by_impact(sig[[c for c in OUTPUT_COLUMNS if c != "rank"]], "excess_cost_usd",
                         ["creator_id", "campaign_id"])
    return as_text(out, ["creator_id", "campaign_id", "test", "confidence", "recommendation",
                         "model_used"])
