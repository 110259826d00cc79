"""Rule-based attribution: last touch, first touch, linear, time decay and position based.

Each rule gives every touch of a converting journey a weight; weights are normalised within the
journey so that the journey's conversions and value are split exactly among its touches, and an
entity touched several times in a journey gets the sum of its touches' credit.

Formulas (touches of one journey numbered i = 0 … L−1, oldest first, after the path cap):

* last_touch: w_{L−1} = 1.        * first_touch: w_0 = 1.        * linear: w_i = 1/L.
* time_decay: w_i ∝ 2^(−(T − t_i)/half_life_days), T the conversion time. Only differences
  between touches matter after normalising (T cancels), so T is taken as the journey's last
  touch time, which also keeps the weights away from underflow. A journey with any touch
  lacking a timestamp (or touches without a ``timestamp`` column) falls back to positions:
  w_i ∝ 2^(−(L − 1 − i)/half_life_touches).
* position_based: first gets ``first_share``, last gets ``last_share``, the L − 2 middle
  touches share the rest equally; L = 1 → 100 % to the only touch; L = 2 → first and last split
  ``first_share : last_share`` renormalised (equal split if both are 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi_ml.attribution.journeys import EncodedJourneys, credit_frame, encode_journeys

RULE_MODELS = ("last_touch", "first_touch", "linear", "time_decay", "position_based")
RULE_PARAMS = {
    "last_touch": (),
    "first_touch": (),
    "linear": (),
    "time_decay": ("half_life_days", "half_life_touches"),
    "position_based": ("first_share", "last_share"),
}


def _check_positive(name: str, x: float) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.number)) or not np.isfinite(x) or x <= 0:
        raise ValueError(f"{name} must be a positive number; found {x!r}")
    return float(x)


def _check_shares(first_share: float, last_share: float) -> tuple[float, float]:
    for name, x in (("first_share", first_share), ("last_share", last_share)):
        if isinstance(x, bool) or not isinstance(x, (int, float, np.number)) or not 0 <= x <= 1:
            raise ValueError(f"{name} must be a number in [0, 1]; found {x!r}")
    if first_share + last_share > 1 + 1e-12:
        raise ValueError(f"first_share + last_share must be <= 1 (the middle touches get the rest); "
                         f"found {first_share} + {last_share}")
    return float(first_share), float(last_share)


def touch_weights(enc: EncodedJourneys, model: str, *, half_life_days: float = 7.0,
                  half_life_touches: float = 1.0, first_share: float = 0.4,
                  last_share: float = 0.4) -> tuple[np.ndarray, dict]:
    """Each touch's share of its journey's credit under a rule (shares sum to 1 per journey).

    Output: (array aligned with ``enc.touch_*``, info dict). For time decay the info dict has
    ``n_position_fallback_journeys``: journeys weighted by position for lack of timestamps.
    """
    if model not in RULE_MODELS:
        raise ValueError(f"unknown rule model {model!r}; expected one of {RULE_MODELS}")
    tj = enc.touch_journey
    rank = enc.touch_rank.astype("float64")
    length = enc.lengths[tj].astype("float64")
    info: dict = {}
    if model == "last_touch":
        w = (rank == length - 1).astype("float64")
    elif model == "first_touch":
        w = (rank == 0).astype("float64")
    elif model == "linear":
        w = 1.0 / length
    elif model == "position_based":
        f, last = _check_shares(first_share, last_share)
        pair = f + last
        first2, last2 = (f / pair, last / pair) if pair > 0 else (0.5, 0.5)
        middle = (1.0 - f - last) / np.maximum(length - 2, 1)
        w = np.where(rank == 0, f, np.where(rank == length - 1, last, middle))
        w = np.where(length == 2, np.where(rank == 0, first2, last2), w)
        w = np.where(length == 1, 1.0, w)
    else:  # time_decay
        hl_days = _check_positive("half_life_days", half_life_days)
        hl_touches = _check_positive("half_life_touches", half_life_touches)
        steps_back = (length - 1 - rank) / hl_touches
        n = enc.n_journeys
        if enc.touch_days is None:
            fallback = np.ones(n, dtype=bool)
        else:
            nat = np.isnan(enc.touch_days)
            fallback = np.bincount(tj, weights=nat, minlength=n) > 0
        age = steps_back.copy()
        timed = ~fallback[tj]
        if timed.any():
            days = enc.touch_days
            last_t = np.full(n, -np.inf)
            np.maximum.at(last_t, tj[timed], days[timed])
            age[timed] = (last_t[tj[timed]] - days[timed]) / hl_days
        w = np.exp2(-age)
        has_touch = enc.lengths > 0
        info["n_position_fallback_journeys"] = int((fallback & has_touch).sum())
    total = np.bincount(tj, weights=w, minlength=enc.n_journeys)
    return w / total[tj], info


def rule_credit_encoded(enc: EncodedJourneys, model: str, **params) -> tuple[pd.DataFrame, dict]:
    """`rule_credit` on already encoded journeys: (credit frame, info)."""
    w, info = touch_weights(enc, model, **params)
    m = enc.converted[enc.touch_journey]
    credit = credit_frame(enc, enc.touch_journey[m], enc.touch_entity[m], w[m])
    return credit, {**enc.info(), "model": model, **info}


def rule_credit(touches: pd.DataFrame, journeys: pd.DataFrame, model: str = "linear", *,
                max_path_length: int | None = None, half_life_days: float = 7.0,
                half_life_touches: float = 1.0, first_share: float = 0.4,
                last_share: float = 0.4, return_info: bool = False):
    """Credit of each converting journey split among its entities by a rule.

    Input: ``touches`` [journey_id, position, entity, timestamp?] and ``journeys`` [journey_id,
    converted, conversions?, value?, conversion_time?, journey_count?] (see
    `roi_ml.attribution.journeys`); ``model`` one of ``RULE_MODELS``; ``max_path_length`` keeps
    the last N touches; ``half_life_days`` (time decay), ``half_life_touches`` (time decay
    without timestamps), ``first_share``/``last_share`` (position based, middle = the rest).

    Output: DataFrame[journey_id, entity, conversions, value], one row per converting journey and
    entity; per journey the rows sum to its conversions and value. Converting journeys without
    touches are credited to ``"(none)"``. With ``return_info=True``: (frame, info dict) where the
    info dict counts journeys, touches and ``n_truncated_journeys``.
    """
    enc = encode_journeys(touches, journeys, max_path_length)
    credit, info = rule_credit_encoded(enc, model, half_life_days=half_life_days,
                                       half_life_touches=half_life_touches,
                                       first_share=first_share, last_share=last_share)
    return (credit, info) if return_info else credit
