"""Scores creator scoring against the simulator's truth (section `creator_scoring` of
evaluation.json).

- next-campaign ROI (the issue's bar): for each creator's held-out last finished campaign
  (`creator_roi_backtest.is_last`: predicted from a model trained and featurised only on what
  was known before that campaign started), Spearman of the model's predicted ROI, the naive
  baseline (the creator's previous attributed ROI, tier average without history) and the tier
  average against the campaign's true ROI (contract_truth.true_roi); also on the creators with
  history only, and on campaigns complete within the window only;
- performance score: Spearman of performance_score against the creator's true ROI over its
  scored campaigns (Σ true_revenue / Σ total_cost − 1);
- campaign ROI: Spearman of attributed and true ROI per creator × campaign, the ratio of
  attributed to true revenue, and how often the true revenue lies in the attributed revenue
  interval (the interval covers the noise of the attributed count, not the attribution
  model's bias: click-only models miss view-through, data_driven may over-credit).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from roi_ml.creators.predictive import spearman
from roi_ml.ground_truth import GroundTruth
from roi_ml.pipelines.evaluation.nodes import _skip

log = logging.getLogger(__name__)


def _keys(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in ("creator_id", "campaign_id"):
        out[col] = out[col].astype("str")
    return out


def _rank_figures(rows: pd.DataFrame) -> dict[str, float]:
    return {"n": int(len(rows)),
            "spearman_model": spearman(rows["predicted_roi"], rows["true_roi"]),
            "spearman_naive": spearman(rows["naive_roi"], rows["true_roi"]),
            "spearman_tier_average": spearman(rows["tier_avg_roi"], rows["true_roi"])}


def score_creator_scoring(truth: GroundTruth, creator_roi_backtest: pd.DataFrame,
                          creator_scores: pd.DataFrame, creator_campaign_roi: pd.DataFrame,
                          params: dict) -> dict[str, Any]:
    """Section `creator_scoring` (see the module docstring); a skip note without truth."""
    skipped = _skip(truth, "creator_scoring")
    if skipped:
        return skipped
    ct = _keys(truth.read("contract_truth"))
    bt = _keys(creator_roi_backtest)
    last = bt[bt["is_last"].astype(bool)].merge(
        ct[["creator_id", "campaign_id", "true_roi", "complete_in_window"]],
        on=["creator_id", "campaign_id"], how="inner")
    has_history = last["has_history"].astype(bool) if "has_history" in last \
        else last["naive_roi"].ne(last["tier_avg_roi"])
    out: dict[str, Any] = {
        "next_roi_last_campaign": _rank_figures(last),
        "next_roi_last_campaign_with_history": _rank_figures(last[has_history]),
        "next_roi_last_campaign_complete": _rank_figures(last[last["complete_in_window"].astype(bool)]),
        "next_roi_all_backtest_rows": _rank_figures(bt.merge(
            ct[["creator_id", "campaign_id", "true_roi"]], on=["creator_id", "campaign_id"])),
    }
    f = out["next_roi_last_campaign"]
    out["bar_met"] = bool(np.isfinite(f["spearman_model"]) and f["spearman_model"] >= 0.6
                          and f["spearman_model"] > f["spearman_naive"])

    cr = _keys(creator_campaign_roi)
    scored = ct.merge(cr[["creator_id", "campaign_id"]], on=["creator_id", "campaign_id"])
    per = scored.groupby("creator_id")[["true_revenue", "total_cost_usd"]].sum()
    true_creator_roi = per["true_revenue"] / per["total_cost_usd"].where(per["total_cost_usd"] > 0) - 1
    s = creator_scores.assign(creator_id=creator_scores["creator_id"].astype("str")).set_index("creator_id")
    t = true_creator_roi.reindex(s.index)
    out["performance_score"] = {
        "n": int(t.notna().sum()),
        "spearman_performance_score_vs_true_roi": spearman(s["performance_score"], t),
        "spearman_conversion_score_vs_true_roi": spearman(s["conversion_score"], t),
        "spearman_engagement_score_vs_true_roi": spearman(s["engagement_score"], t),
        "spearman_brand_fit_score_vs_true_roi": spearman(s["brand_fit_score"], t),
        "spearman_attributed_roi_vs_true_roi": spearman(s["roi"], t),
    }
    m = cr.merge(ct[["creator_id", "campaign_id", "true_roi", "true_revenue"]],
                 on=["creator_id", "campaign_id"])
    inside = (m["true_revenue"] >= m["attributed_revenue_low"]) & (m["true_revenue"] <= m["attributed_revenue_high"])
    out["campaign_roi"] = {
        "n": int(len(m)),
        "model_used": str(cr["model_used"].iloc[0]) if len(cr) else "",
        "spearman_attributed_vs_true_roi": spearman(m["roi"], m["true_roi"]),
        "attributed_to_true_revenue_ratio": float(m["attributed_revenue"].sum() / m["true_revenue"].sum())
        if m["true_revenue"].sum() > 0 else float("nan"),
        "true_revenue_in_interval_share": float(inside.mean()) if len(m) else float("nan"),
    }
    log.info("creator_scoring: held-out last campaign ROI Spearman vs truth (n=%d): model %.3f, "
             "naive %.3f, tier average %.3f; performance score vs true ROI %.3f",
             f["n"], f["spearman_model"], f["spearman_naive"], f["spearman_tier_average"],
             out["performance_score"]["spearman_performance_score_vs_true_roi"])
    return out
