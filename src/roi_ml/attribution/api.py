"""One entry point per input shape: `credit_journeys` (journey level) and `attribute_paths`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi_ml.attribution.journeys import EncodedJourneys, encode_journeys
from roi_ml.attribution.markov import MarkovAttribution
from roi_ml.attribution.paths import DEFAULT_SEP, paths_to_journeys
from roi_ml.attribution.rules import RULE_MODELS, RULE_PARAMS, rule_credit_encoded
from roi_ml.attribution.shapley import ShapleyAttribution

MODELS = (*RULE_MODELS, "markov", "shapley")
MODEL_PARAMS: dict[str, tuple[str, ...]] = {
    **RULE_PARAMS,
    "markov": ("order", "group_map", "solver"),
    "shapley": ("max_exact_entities", "n_permutations", "random_state", "baseline_rate",
                "prior_journeys"),
}
"""The keyword parameters each model takes (besides max_path_length)."""

SUMMARY_COLUMNS = ("entity", "model", "attributed_conversions", "attributed_value")
MARKOV_ALLOCATIONS = ("global", "journey")


def _check_model(model: str) -> None:
    if model not in MODELS:
        raise ValueError(f"unknown attribution model {model!r}; expected one of {MODELS}")


def credit_encoded(enc: EncodedJourneys, model: str, params: dict
                    ) -> tuple[pd.DataFrame, dict, object | None]:
    """(credit frame, info, fitted estimator or None) for one model on encoded journeys."""
    _check_model(model)
    unknown = sorted(set(params) - set(MODEL_PARAMS[model]))
    if unknown:
        raise TypeError(f"model {model!r} takes no parameter(s) {unknown}; its parameters are "
                        f"{list(MODEL_PARAMS[model]) or 'none'} (and max_path_length)")
    if model in RULE_MODELS:
        credit, info = rule_credit_encoded(enc, model, **params)
        return credit, info, None
    if model == "markov":
        est = MarkovAttribution(max_path_length=enc.max_path_length, **params)._fit(enc)
        return est._credit(enc), dict(est.info_), est
    est = ShapleyAttribution(max_path_length=enc.max_path_length, **params)._fit(enc)
    credit = est._credit(enc)
    return credit, dict(est.info_), est


def credit_journeys(touches: pd.DataFrame, journeys: pd.DataFrame, model: str, *,
                    max_path_length: int | None = None, return_info: bool = False, **params):
    """Credit per converting journey and entity under one attribution model.

    Input: ``touches`` [journey_id, position, entity, timestamp?] and ``journeys`` [journey_id,
    converted, conversions?, value?, conversion_time?, journey_count?] (see
    `roi_ml.attribution.journeys`); ``model`` one of `MODELS`; ``max_path_length`` keeps the
    last N touches of every journey (for every model alike); ``params`` the model's own
    parameters (`MODEL_PARAMS`): e.g. ``half_life_days`` for time_decay, ``order`` or
    ``group_map`` for markov, ``max_exact_entities`` for shapley.

    Output: DataFrame[journey_id, entity, conversions, value], one row per converting journey
    and credited entity, rows of a journey summing to its conversions and value; converting
    journeys without touches are credited to ``"(none)"``. Markov credit here is per journey
    (∝ removal effects of the journey's own entities). With ``return_info=True``:
    (frame, info) where info counts journeys, ``n_truncated_journeys`` and model diagnostics.
    """
    _check_model(model)
    enc = encode_journeys(touches, journeys, max_path_length)
    credit, info, _ = credit_encoded(enc, model, params)
    return (credit, info) if return_info else credit


def summarise_credit(credit: pd.DataFrame, entities=None) -> pd.DataFrame:
    """Total credit per entity: DataFrame[entity, attributed_conversions, attributed_value].

    Input: a per-journey credit frame (`credit_journeys` output) and optionally every entity to
    list (entities without credit then appear with 0). Output sorted by entity.
    """
    totals = credit.groupby("entity", sort=True)[["conversions", "value"]].sum()
    if entities is not None:
        idx = pd.Index(pd.array(list(entities), dtype="str")).union(totals.index)
        totals = totals.reindex(idx, fill_value=0.0)
    totals.index.name = "entity"
    out = totals.rename(columns={"conversions": "attributed_conversions",
                                 "value": "attributed_value"}).reset_index()
    out["entity"] = out["entity"].astype("str")
    return out


def attribute_paths(path_table: pd.DataFrame, models=MODELS, sep: str = DEFAULT_SEP, *,
                    max_path_length: int | None = None, markov_allocation: str = "global",
                    return_info: bool = False, **options):
    """Credit per entity for each model, from an aggregated path table.

    Input: ``path_table`` [path, conversions, value?, non_conversions?] (validated strictly,
    see `validate_path_table`); ``models`` any of `MODELS`; ``sep`` the entity separator in
    ``path``; ``max_path_length`` keeps the last N entities of each path; ``markov_allocation``
    "global" (total conversions × RE share, the textbook number) or "journey" (each path's
    conversions split among its entities ∝ RE); ``options`` the models' parameters
    (`MODEL_PARAMS`), each passed to the models that take it. Path tables have no timestamps,
    so time_decay weights by position (``half_life_touches``).

    Output: DataFrame[entity, model, attributed_conversions, attributed_value]: one row per
    model and entity found in the paths (0 where a model gives none), models in the order
    given, entities sorted; per model the column sums equal the table's total conversions and
    value. With ``return_info=True``: (frame, {model: info}).
    """
    if isinstance(models, str):
        models = (models,)
    models = tuple(models)
    if not models:
        raise ValueError(f"models is empty; choose from {MODELS}")
    for m in models:
        _check_model(m)
    if markov_allocation not in MARKOV_ALLOCATIONS:
        raise ValueError(f"markov_allocation must be one of {MARKOV_ALLOCATIONS}; "
                         f"found {markov_allocation!r}")
    allowed = {p for m in models for p in MODEL_PARAMS[m]}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise TypeError(f"unknown option(s) {unknown} for models {list(models)}; accepted: "
                        f"{sorted(allowed)} (and max_path_length, markov_allocation)")
    touches, journeys = paths_to_journeys(path_table, sep)
    enc = encode_journeys(touches, journeys, max_path_length)
    entities = list(enc.entities)
    frames, infos = [], {}
    for m in models:
        params = {k: v for k, v in options.items() if k in MODEL_PARAMS[m]}
        credit, info, est = credit_encoded(enc, m, params)
        if m == "markov" and markov_allocation == "global":
            total = est.total_credit_
            summary = summarise_credit(total, entities)
        else:
            summary = summarise_credit(credit, entities)
        summary.insert(1, "model", pd.array([m] * len(summary), dtype="str"))
        frames.append(summary)
        infos[m] = info
    out = pd.concat(frames, ignore_index=True)
    out["attributed_conversions"] = out["attributed_conversions"].astype(np.float64)
    out["attributed_value"] = out["attributed_value"].astype(np.float64)
    return (out, infos) if return_info else out
