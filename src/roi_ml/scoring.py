"""Accuracy measures used to score models against the ground truth (see docs/metrics.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def total_variation_distance(estimate: pd.Series, truth: pd.Series) -> float:
    """TVD between two allocations over the same entities: ½ Σ |p_i − q_i| on shares.

    Entities missing on one side count as zero there; negative credit is kept (a model that
    hands out negative credit is penalised for it).
    """
    idx = estimate.index.union(truth.index)
    e = estimate.reindex(idx, fill_value=0.0).astype(float)
    t = truth.reindex(idx, fill_value=0.0).astype(float)
    if e.sum() == 0 or t.sum() == 0:
        return float("nan")
    return float(0.5 * np.abs(e / e.sum() - t / t.sum()).sum())


def top_k_overlap(estimate: pd.Series, truth: pd.Series, k: int = 10) -> float:
    """Share of the true top-k entities that are also in the estimated top-k."""
    k = min(k, len(truth))
    if k == 0:
        return float("nan")
    top_e = set(estimate.sort_values(ascending=False).index[:k])
    top_t = set(truth.sort_values(ascending=False).index[:k])
    return len(top_e & top_t) / k


def relative_error(estimate: float, truth: float) -> float:
    """|estimate − truth| / truth."""
    return float(abs(estimate - truth) / truth) if truth else float("nan")
