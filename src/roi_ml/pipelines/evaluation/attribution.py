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
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from roi_ml.attribution import MODELS, NONE_ENTITY, RULE_MODELS, encode_journeys
from roi_ml.attribution.api import credit_encoded
from roi_ml.ground_truth import GroundTruth
from roi_ml.pipelines.attribution.config import AttributionConfig
from roi_ml.pipelines.attribution.nodes import creator_of_entity, keep_last_touches, library_frames
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


def resample_counts(n: int, rng: np.random.Generator) -> np.ndarray:
    """How many times each of n converting journeys is drawn when n are drawn with replacement
    (multinomial counts; the draws `resample_converting` makes with the same generator)."""
    return np.bincount(rng.integers(0, n, n), minlength=n).astype("float64") if n else np.zeros(0)


def resample_converting(journeys: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Converting journeys drawn with replacement (as many as there are), as journey_count
    weights: a journey drawn k times has journey_count, conversions and revenue × k; never
    drawn, it is left out. Non-converting journeys are kept as they are.

    The materialised resample (a reference for tests); `bootstrap_tvds` applies the same counts
    as weights on journeys encoded once."""
    conv = journeys["converted"].to_numpy()
    k = resample_counts(int(conv.sum()), rng)
    c = journeys[conv].copy()
    for col in ("journey_count", "conversions", "value", "revenue_usd"):
        c[col] = c[col].to_numpy() * k
    return pd.concat([c[k > 0], journeys[~conv]], ignore_index=True)


def _creator_totals(entity_totals: pd.DataFrame, entities: pd.DataFrame) -> pd.Series:
    m = entities[entities["kind"].isin(["post", "creator"])][["entity", "creator_id"]]
    t = entity_totals.merge(m, on="entity", how="inner")
    return t.groupby("creator_id")["attributed_conversions"].sum()


class _EncodedModel:
    """One model's journeys encoded once, as `credit_entities` builds them, for reweighted refits.

    Resampling converting journeys with replacement only multiplies each journey's
    journey_count, conversions and revenue by its draw count k (k = 0: left out), so instead of
    materialising every resample (string filters and a new encoding per model and resample,
    the old hot spot), the resample is applied as weights on the encoded arrays. Rule models
    credit each journey on its own: their per-journey creator credit is computed once and a
    resample is a weighted sum. Markov and Shapley are refitted on the reweighted journeys (a
    journey with weight 0 adds nothing to the chain's counts or to any coalition, exactly as if
    it were left out).
    """

    def __init__(self, journeys: pd.DataFrame, touches: pd.DataFrame, entities: pd.DataFrame,
                 cfg: AttributionConfig, model: str, conv_ids: pd.Index, cache: dict):
        rule = model in RULE_MODELS
        grouped = model == "shapley" and cfg.level(model) == "creator"
        self.model, self.params = model, cfg.options(model)
        creator_of = creator_of_entity(entities)
        if model == "markov" and cfg.level(model) == "creator":
            self.params["group_map"] = creator_of
        if grouped:  # players are creators (and channels): a creator's credit stays its own
            creators = pd.unique(creator_of.to_numpy(dtype=object))
            creator_of = pd.Series(creators, index=creators, dtype=object)
        key = (rule, grouped)
        if key not in cache:  # the library's frames, as credit_entities builds them
            J, T = journeys, touches
            if rule:  # rule models see converting journeys only
                J = J[J["converted"].to_numpy()]
                T = T[conv_ids.get_indexer(T["journey_id"]) >= 0]
            lib_j, lib_t = library_frames(J, T)
            cap = cfg.max_path_length
            if grouped:
                lib_t = keep_last_touches(lib_t, cap)
                lib_t = lib_t.assign(entity=lib_t["entity"].map(creator_of_entity(entities))
                                     .fillna(lib_t["entity"]))
                cap = None
            cache[key] = encode_journeys(lib_t, lib_j, cap)
        self.enc = cache[key]
        self.creators = pd.Index(sorted(pd.unique(creator_of.to_numpy(dtype=object))), dtype="str")
        # credit entity code (+ "(none)" last) -> creator position, −1 for channels
        names = np.append(self.enc.entities, NONE_ENTITY)
        self._creator_code = self.creators.get_indexer(
            pd.Series(names, dtype=object).map(creator_of).fillna("\x00").astype("str"))
        self._entity_index = pd.Index(names, dtype="str")
        # converting journeys in the order resample counts are drawn; −1: not resampled (k = 1)
        self._conv_pos = conv_ids.get_indexer(self.enc.journey_ids)
        self._rule_credit = None
        if rule:
            credit, _, _ = credit_encoded(self.enc, model, self.params)
            self._rule_credit = (self.enc.journey_ids.get_indexer(credit["journey_id"]),
                                 self._codes(credit), credit["conversions"].to_numpy(float))

    def _codes(self, credit: pd.DataFrame) -> np.ndarray:
        return self._creator_code[self._entity_index.get_indexer(credit["entity"])]

    def _sum(self, codes: np.ndarray, conversions: np.ndarray) -> pd.Series:
        c = codes >= 0
        return pd.Series(np.bincount(codes[c], weights=conversions[c], minlength=len(self.creators)),
                         index=self.creators)

    def creator_conversions(self, k: np.ndarray) -> pd.Series:
        """Conversions credited per creator on the resample with draw counts k."""
        k_all = np.where(self._conv_pos >= 0, k[np.maximum(self._conv_pos, 0)], 1.0)
        if self._rule_credit is not None:
            journey, codes, conversions = self._rule_credit
            return self._sum(codes, conversions * k_all[journey])
        enc = replace(self.enc, weight=self.enc.weight * k_all,
                      conversions=self.enc.conversions * k_all, value=self.enc.value * k_all)
        credit, _, _ = credit_encoded(enc, self.model, self.params)
        return self._sum(self._codes(credit), credit["conversions"].to_numpy(float))


def bootstrap_tvds(attribution_journeys: pd.DataFrame, attribution_touches: pd.DataFrame,
                   attribution_entities: pd.DataFrame, cfg: AttributionConfig,
                   models: list[str], truth: pd.Series) -> dict[str, list[float]]:
    """tvd of each model on `cfg.bootstrap_resamples` resamples of the converting journeys
    (the draws of `resample_converting`, applied as weights: see `_EncodedModel`)."""
    rng = np.random.default_rng(cfg.random_state)
    conv = attribution_journeys["converted"].to_numpy()
    conv_ids = pd.Index(attribution_journeys["journey_id"][conv])
    draws = [resample_counts(len(conv_ids), rng) for _ in range(cfg.bootstrap_resamples)]
    out: dict[str, list[float]] = {m: [] for m in models}
    cache: dict = {}  # encodings shared by models that see the same journeys
    for m in models:
        encoded = _EncodedModel(attribution_journeys, attribution_touches, attribution_entities,
                                cfg, m, conv_ids, cache)
        for k in draws:
            out[m].append(total_variation_distance(encoded.creator_conversions(k), truth))
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
