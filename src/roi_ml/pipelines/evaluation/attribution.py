"""Scores the attribution models against the simulator's truth (section `attribution` of
evaluation.json).

For each model, across the roster's creators:
- tvd: total variation distance between the model's creator shares of attributed conversions
  and the true shares: in-window conversions with cause "creator", counted by
  cause_creator_id, view-through included (a click-based model cannot see those: this is the
  figure the data-driven model has to bring down);
- tvd_visible: the same against the true conversions whose causing creator's click or code is
  visible (creator_touch_visible), what click-and-code models can see;
- spearman: rank correlation of attributed and true conversions per creator (all caused);
- top<k>_overlap: share of the true top-k creators in the model's top-k;
- bootstrap_tvd_std / _mean: spread of tvd over resamples of the converting journeys (drawn
  with replacement, the same draws for every model; markov and shapley refit on each).
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from roi_ml.attribution import MODELS
from roi_ml.ground_truth import GroundTruth
from roi_ml.pipelines.attribution.config import AttributionConfig
from roi_ml.pipelines.attribution.nodes import credit_entities
from roi_ml.pipelines.evaluation.nodes import _skip
from roi_ml.scoring import top_k_overlap, total_variation_distance

log = logging.getLogger(__name__)


def true_creator_conversions(truth: GroundTruth) -> tuple[pd.Series, pd.Series]:
    """(all caused, visible only): in-window creator-caused conversions per cause_creator_id."""
    conv = truth.read("conversions_truth")
    caused = conv[conv["in_window"].astype(bool) & (conv["cause"] == "creator")
                  & conv["cause_creator_id"].notna()]
    by = caused["cause_creator_id"].astype("str")
    everything = caused.groupby(by).size().astype("float64")
    visible = caused[caused["creator_touch_visible"].astype(bool)]
    seen = visible.groupby(by[visible.index]).size().astype("float64")
    return everything, seen


def _spearman(estimate: pd.Series, truth: pd.Series) -> float:
    idx = estimate.index.union(truth.index)
    a, b = estimate.reindex(idx, fill_value=0.0), truth.reindex(idx, fill_value=0.0)
    if len(idx) < 2 or a.nunique() < 2 or b.nunique() < 2:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(spearmanr(a.to_numpy(), b.to_numpy()).statistic)


def resample_converting(journeys: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Converting journeys drawn with replacement (as many as there are), as journey_count
    weights: a journey drawn k times has journey_count, conversions and revenue × k; never
    drawn, it is left out. Non-converting journeys are kept as they are."""
    conv = journeys["converted"].to_numpy()
    n = int(conv.sum())
    k = np.bincount(rng.integers(0, n, n), minlength=n).astype("float64") if n else np.zeros(0)
    c = journeys[conv].copy()
    for col in ("journey_count", "conversions", "value", "revenue_usd"):
        c[col] = c[col].to_numpy() * k
    return pd.concat([c[k > 0], journeys[~conv]], ignore_index=True)


def _creator_totals(entity_totals: pd.DataFrame, entities: pd.DataFrame) -> pd.Series:
    m = entities[entities["kind"].isin(["post", "creator"])][["entity", "creator_id"]]
    t = entity_totals.merge(m, on="entity", how="inner")
    return t.groupby("creator_id")["attributed_conversions"].sum()


def bootstrap_tvds(attribution_journeys: pd.DataFrame, attribution_touches: pd.DataFrame,
                   attribution_entities: pd.DataFrame, cfg: AttributionConfig,
                   models: list[str], truth: pd.Series) -> dict[str, list[float]]:
    """tvd of each model on `cfg.bootstrap_resamples` resamples of the converting journeys."""
    rng = np.random.default_rng(cfg.random_state)
    out: dict[str, list[float]] = {m: [] for m in models}
    for _ in range(cfg.bootstrap_resamples):
        sample = resample_converting(attribution_journeys, rng)
        touches = attribution_touches[attribution_touches["journey_id"].isin(sample["journey_id"])]
        for m in models:
            totals, _ = credit_entities(sample, touches, attribution_entities, cfg, m)
            out[m].append(total_variation_distance(_creator_totals(totals, attribution_entities), truth))
    return out


def score_attribution(truth: GroundTruth, creator_attribution: pd.DataFrame,
                      attribution_journeys: pd.DataFrame, attribution_touches: pd.DataFrame,
                      attribution_entities: pd.DataFrame, params: dict) -> dict[str, Any]:
    """Section `attribution`: per model tvd, tvd_visible, spearman, top-k overlap and bootstrap
    spread of tvd (see the module docstring); a skip note without truth."""
    skipped = _skip(truth, "attribution")
    if skipped:
        return skipped
    cfg = AttributionConfig.from_params(params)
    true_all, true_visible = true_creator_conversions(truth)
    out: dict[str, Any] = {"true_creator_conversions": float(true_all.sum()),
                           "true_visible_creator_conversions": float(true_visible.sum()),
                           "creators_with_true_conversions": int((true_all > 0).sum()),
                           "bootstrap_resamples": cfg.bootstrap_resamples}
    if true_all.sum() == 0:
        log.warning("The truth has no creator-caused conversions in the window: attribution "
                    "accuracy is undefined (reported as NaN)")
    models = list(dict.fromkeys(creator_attribution["model"].astype("str")))
    refit = [m for m in models if m in MODELS] if cfg.bootstrap_resamples else []
    spread = bootstrap_tvds(attribution_journeys, attribution_touches, attribution_entities,
                            cfg, refit, true_all) if refit and true_all.sum() > 0 else {}
    for m in models:
        rows = creator_attribution[creator_attribution["model"] == m]
        est = rows.groupby(rows["creator_id"].astype("str"))["attributed_conversions"].sum()
        tvds = np.array(spread.get(m, []), dtype="float64")
        tvds = tvds[np.isfinite(tvds)]  # a resample without any creator credit has no tvd
        out[m] = {
            "model_used": str(rows["model_used"].iloc[0]),
            "tvd": total_variation_distance(est, true_all),
            "tvd_visible": total_variation_distance(est, true_visible),
            "spearman": _spearman(est, true_all),
            f"top{cfg.top_k}_overlap": top_k_overlap(est, true_all, cfg.top_k),
            "bootstrap_tvd_std": float(tvds.std(ddof=1)) if len(tvds) > 1 else float("nan"),
            "bootstrap_tvd_mean": float(tvds.mean()) if len(tvds) else float("nan"),
            "bootstrap_resamples_scored": int(len(tvds)),
            "attributed_creator_conversions": float(est.sum()),
        }
        log.info("attribution %s: TVD %.3f (visible-only %.3f), Spearman %.3f, bootstrap std %.4f",
                 m, out[m]["tvd"], out[m]["tvd_visible"], out[m]["spearman"],
                 out[m]["bootstrap_tvd_std"])
    return out
