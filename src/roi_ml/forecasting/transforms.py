"""Spend transforms for the forecast regressor: geometric adstock, then Hill saturation.

Formulas (docs/metrics.md, "Forecasting"):

    adstock_t    = spend_t + decay · adstock_{t-1}          (adstock_{-1} = 0)
    saturated_t  = a_t^s / (a_t^s + k^s)                     (k > 0: half-saturation point)

`decay` in [0, 1): the share of a day's effect still felt the next day (0 = no carry-over).
"""

from __future__ import annotations

import numpy as np


def geometric_adstock(spend: np.ndarray, decay: float) -> np.ndarray:
    """Carry-over of spend: a_t = x_t + decay · a_{t-1}, starting from 0."""
    if not 0.0 <= decay < 1.0:
        raise ValueError(f"adstock decay must be in [0, 1), got {decay} "
                         "(conf key forecasting.regressor.adstock_decay)")
    x = np.nan_to_num(np.asarray(spend, dtype="float64"), nan=0.0)
    if np.any(x < 0):
        raise ValueError("spend must not be negative")
    out = np.empty_like(x)
    carry = 0.0
    for i, v in enumerate(x):
        carry = v + decay * carry
        out[i] = carry
    return out


def hill_saturation(x: np.ndarray, half_saturation: float, slope: float = 1.0) -> np.ndarray:
    """x^s / (x^s + k^s): 0 at 0, 0.5 at k, → 1 for large x."""
    if half_saturation <= 0 or slope <= 0:
        raise ValueError(f"Hill saturation needs half_saturation > 0 and slope > 0, "
                         f"got {half_saturation}, {slope}")
    x = np.clip(np.asarray(x, dtype="float64"), 0.0, None)
    xs = x ** slope
    return xs / (xs + half_saturation ** slope)


def spend_regressor(spend: np.ndarray, decay: float, half_saturation_multiple: float,
                    slope: float = 1.0, reference: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Adstock then saturate `spend`; k = half_saturation_multiple × mean positive adstock of
    `reference` (the history: the same k for the history and the future). Returns (values, k).
    A spend series that is zero throughout gives zeros (and k = 1)."""
    adstocked = geometric_adstock(spend, decay)
    ref = adstocked if reference is None else geometric_adstock(reference, decay)
    positive = ref[ref > 0]
    if positive.size == 0:
        return np.zeros_like(adstocked), 1.0
    k = float(half_saturation_multiple * positive.mean())
    return hill_saturation(adstocked, k, slope), k
