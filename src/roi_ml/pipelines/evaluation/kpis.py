"""Scores the kpis pipeline against the simulator's truth: deduplicated reach per campaign,
the authenticity flags, and comment sentiment (section `kpis` of evaluation.json)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from roi_ml.ground_truth import GroundTruth
from roi_ml.pipelines.evaluation.nodes import _skip


def _prf(flagged: pd.Series, truth: pd.Series) -> dict[str, float]:
    tp = int((flagged & truth).sum())
    fp = int((flagged & ~truth).sum())
    fn = int((~flagged & truth).sum())
    precision = tp / (tp + fp) if tp + fp else math.nan
    recall = tp / (tp + fn) if tp + fn else math.nan
    f1 = (2 * precision * recall / (precision + recall)
          if tp and not math.isnan(precision + recall) else (0.0 if tp + fp + fn else math.nan))
    return {"precision": precision, "recall": recall, "f1": f1, "true_positives": tp,
            "false_positives": fp, "false_negatives": fn}


def _reach_errors(m: pd.DataFrame) -> dict[str, Any]:
    if m.empty:
        return {"campaigns": 0}
    err = (m["reach_deduplicated"] - m["true_unique_reach"]).abs() / m["true_unique_reach"]
    naive = (m["reach"] - m["true_unique_reach"]).abs() / m["true_unique_reach"]
    inside = ((m["true_unique_reach"] >= m["reach_deduplicated_low"])
              & (m["true_unique_reach"] <= m["reach_deduplicated_high"]))
    return {"campaigns": int(len(m)),
            "relative_error_mean": float(err.mean()), "relative_error_max": float(err.max()),
            "signed_error_mean": float(((m["reach_deduplicated"] - m["true_unique_reach"])
                                        / m["true_unique_reach"]).mean()),
            "interval_coverage": float(inside.mean()),
            "naive_sum_relative_error_mean": float(naive.mean())}


OBSERVED_REACH_SHARE = 0.98  # a campaign is fully observed when its exports hold this much of
# the post reach the truth counts (posts rejected by ingestion, or reach after the export
# ends, are invisible to any reach model)


def score_reach(truth: GroundTruth, kpi_campaign: pd.DataFrame) -> dict[str, Any]:
    """Relative error of the deduplicated reach per campaign against the true unique reach.

    Headline: campaigns the exports observe (their post reach, X estimated, is at least
    OBSERVED_REACH_SHARE of the truth's `sum_reported_reach`, and `reach_is_final`).
    `all_campaigns` has the same figures over every campaign.
    """
    rt = truth.read("reach_truth")[["campaign_id", "true_unique_reach", "sum_reported_reach"]]
    cols = ["campaign_id", "reach", "reach_deduplicated", "reach_deduplicated_low",
            "reach_deduplicated_high", "reach_is_final"]
    m = kpi_campaign[[c for c in cols if c in kpi_campaign]].merge(rt, on="campaign_id", how="inner")
    m = m[m["true_unique_reach"] > 0]
    observed = m["reach"] >= OBSERVED_REACH_SHARE * m["sum_reported_reach"]
    if "reach_is_final" in m:
        observed &= m["reach_is_final"].astype(bool)
    out = _reach_errors(m[observed])
    out["campaigns_not_fully_observed"] = int((~observed).sum())
    out["all_campaigns"] = _reach_errors(m)
    return out


def score_authenticity(truth: GroundTruth, creator_authenticity: pd.DataFrame) -> dict[str, Any]:
    """Precision / recall / F1 of the flag on the injected inauthentic creators.

    Headline figures count the creators the scorer could score (those with posts in the
    data); `recall_all_injected` also counts injected creators with nothing to score.
    """
    ct = truth.read("creator_truth")[["creator_id", "is_inauthentic", "inauthentic_type"]]
    m = creator_authenticity[["creator_id", "is_flagged", "is_scored"]].merge(
        ct, on="creator_id", how="inner")
    m["is_inauthentic"] = m["is_inauthentic"].astype(bool)
    scored = m[m["is_scored"].astype(bool)]
    out: dict[str, Any] = {"creators_scored": int(len(scored)),
                           "inauthentic_scored": int(scored["is_inauthentic"].sum())}
    out.update(_prf(scored["is_flagged"].astype(bool), scored["is_inauthentic"]))
    everyone = _prf(m["is_flagged"].astype(bool), m["is_inauthentic"])
    out["recall_all_injected"] = everyone["recall"]
    types = scored[scored["is_inauthentic"]].groupby(
        scored["inauthentic_type"].fillna("").astype(str))["is_flagged"].mean()
    out["recall_by_type"] = {str(k): float(v) for k, v in types.items() if k}
    return out


def score_sentiment(truth: GroundTruth, comment_sentiment: pd.DataFrame) -> dict[str, Any]:
    """Accuracy of the comment labels against the simulator's true labels (and the
    always-positive baseline, the majority class)."""
    ctr = truth.read("comment_truth")[["comment_id", "true_sentiment"]]
    m = comment_sentiment[["comment_id", "sentiment_label"]].merge(ctr, on="comment_id", how="inner")
    m = m.dropna(subset=["sentiment_label"])
    if m.empty:
        return {"comments": 0}
    right = m["sentiment_label"].astype(str) == m["true_sentiment"].astype(str)
    per_class = right.groupby(m["true_sentiment"].astype(str)).mean()
    majority = m["true_sentiment"].astype(str).value_counts(normalize=True).iloc[0]
    return {"comments": int(len(m)), "accuracy": float(right.mean()),
            "majority_class_accuracy": float(majority),
            "recall_by_label": {str(k): float(v) for k, v in per_class.items()}}


def score_kpis(truth: GroundTruth, kpi_campaign: pd.DataFrame,
               creator_authenticity: pd.DataFrame, comment_sentiment: pd.DataFrame
               ) -> dict[str, Any]:
    """Section `kpis`: reach (campaign relative error mean / max, interval coverage),
    authenticity (precision, recall, F1) and sentiment (accuracy); a skip note without truth.

    Bars of issue 4 on medium: reach error ≤ 5 %; precision ≥ 0.9 and recall ≥ 0.85.
    """
    skipped = _skip(truth, "kpis")
    if skipped:
        return skipped
    return {"reach": score_reach(truth, kpi_campaign),
            "authenticity": score_authenticity(truth, creator_authenticity),
            "sentiment": score_sentiment(truth, comment_sentiment)}
