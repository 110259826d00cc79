"""Evaluation nodes: each scores one part of roi_ml against the ground truth and returns a
section of `evaluation.json`. When there is no truth (real data) each returns a skip note.

Later pipelines add their own scoring node and list its output in `assemble_evaluation`.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import pandas as pd

from roi_ml.ground_truth import GroundTruth
from roi_ml.scoring import relative_error

log = logging.getLogger(__name__)


def _skip(truth: GroundTruth, section: str) -> dict[str, Any] | None:
    if truth.available:
        return None
    log.info("No ground truth at %s: skipping the '%s' evaluation (expected with real data).",
             truth.path, section)
    return {"skipped": f"no ground truth at {truth.path}"}


def _to_pandas(table, columns: list[str]) -> pd.DataFrame:
    """Small column subsets of canonical tables, whether pandas or Ibis expressions."""
    if hasattr(table, "execute"):
        return table.select(*columns).execute()
    return table[columns]


def score_ingestion(truth: GroundTruth, orders: pd.DataFrame, posts: pd.DataFrame,
                    conversion_events) -> dict[str, Any]:
    """How much of the true world survives ingestion.

    In: the truth, canonical `orders`, `posts` and `conversion_events`.
    Out: capture rates of orders, revenue, GA4-tracked conversions and posts, and the share of
    creator-caused conversions with no creator touch in their journey (a property of the data
    that bounds what click-based attribution can see).
    """
    skipped = _skip(truth, "ingestion")
    if skipped:
        return skipped
    conv = truth.read("conversions_truth")
    window = conv[conv["in_window"]]
    true_orders = window[window["conversion_type"] == "purchase"]
    paid = orders[orders["financial_status"] == "paid"] if "financial_status" in orders else orders
    ev = _to_pandas(conversion_events, ["conversion_type"])
    caused = window[window["cause"] == "creator"]
    true_posts = truth.read("post_truth")
    n_true_posts = int(true_posts["in_window"].sum())
    return {
        "orders_captured_share": len(orders) / max(len(true_orders), 1),
        "revenue_relative_error": relative_error(float(paid["total_usd"].sum()),
                                                 float(true_orders["revenue_usd"].sum())),
        "ga4_conversions_captured_share": len(ev) / max(len(window[window["conversion_type"] != "none"]), 1),
        "ga4_purchases_captured_share": int((ev["conversion_type"] == "purchase").sum()) / max(len(true_orders), 1),
        "posts_captured_share": len(posts) / max(n_true_posts, 1),
        "creator_caused_conversions": len(caused),
        "creator_caused_without_visible_touch_share": float((~caused["creator_touch_visible"]).mean())
        if len(caused) else math.nan,
    }


def _flatten(prefix: str, obj: Any, out: dict[str, float]) -> None:
    if isinstance(obj, dict):
        for k, v in obj.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    elif isinstance(obj, bool):
        out[prefix] = float(obj)
    elif isinstance(obj, int | float) and math.isfinite(obj):
        out[prefix] = float(obj)


def json_safe(obj: Any) -> Any:
    """Strict-JSON copy of a section: NaN and ±inf (a figure that has no value, e.g. a Spearman
    of a constant ranking) become null, numpy scalars plain Python numbers, tuples lists.
    `json.dump` would otherwise write the bare token NaN, which JSON parsers outside Python
    reject."""
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def assemble_evaluation(**sections: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict]]:
    """All sections → (evaluation.json content, MLflow metrics {name: {value, step}}).
    Figures without a value (NaN, ±inf) are null in the JSON and left out of the metrics."""
    report = json_safe(dict(sorted(sections.items())))
    flat: dict[str, float] = {}
    _flatten("", report, flat)
    metrics = {k: {"value": v, "step": 0} for k, v in flat.items()}
    return report, metrics
