"""Forecast accuracy: MASE against the 7-day seasonal-naive forecast, interval coverage.

    MASE     = mean_h |y_h − ŷ_h| / mean_{t>m} |y_t − y_{t−m}|      (m = 7, denominator over
               the training series: the in-sample one-step seasonal-naive error)
    coverage = share of h with lower_h ≤ y_h ≤ upper_h
    interval scale needed at h: r_h = (y_h − ŷ_h) / (upper_h − ŷ_h) when y_h ≥ ŷ_h, else
               (ŷ_h − y_h) / (ŷ_h − lower_h): the factor by which the interval's half on the
               side of y_h must stretch to hold it (`interval_scale_needed`); the CV's quantile
               of r at the interval width calibrates the final interval (docs/metrics.md)

MASE < 1: the forecast beats what seasonal naive does in-sample; the anchor to beat is the
seasonal-naive forecast itself, scored the same way (`seasonal_naive_forecast`).
"""

from __future__ import annotations

import numpy as np


def seasonal_naive_scale(train: np.ndarray, season: int = 7) -> float:
    """mean |y_t − y_{t−season}| over the training series (nan when too short)."""
    y = np.asarray(train, dtype="float64")
    if y.size <= season:
        return float("nan")
    return float(np.mean(np.abs(y[season:] - y[:-season])))


def mase(actual: np.ndarray, forecast: np.ndarray, train: np.ndarray, season: int = 7) -> float:
    """Mean absolute scaled error; nan when the scale is 0 or undefined (a flat history)."""
    a = np.asarray(actual, dtype="float64")
    f = np.asarray(forecast, dtype="float64")
    if a.shape != f.shape:
        raise ValueError(f"actual and forecast lengths differ: {a.shape} vs {f.shape}")
    scale = seasonal_naive_scale(train, season)
    if not np.isfinite(scale) or scale == 0 or a.size == 0:
        return float("nan")
    return float(np.mean(np.abs(a - f)) / scale)


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actual values inside [lower, upper]."""
    a = np.asarray(actual, dtype="float64")
    if a.size == 0:
        return float("nan")
    return float(np.mean((a >= np.asarray(lower)) & (a <= np.asarray(upper))))


def seasonal_naive_forecast(train: np.ndarray, horizon: int, season: int = 7) -> np.ndarray:
    """Repeat the last `season` values of the training series over the horizon."""
    y = np.asarray(train, dtype="float64")
    if y.size < season:
        raise ValueError(f"seasonal naive needs at least {season} days, got {y.size}")
    last = y[-season:]
    return np.array([last[h % season] for h in range(horizon)])


def interval_scale_needed(actual: np.ndarray, forecast: np.ndarray, lower: np.ndarray,
                          upper: np.ndarray) -> np.ndarray:
    """r_h per day (module docstring): 0 when y_h = ŷ_h, inf when that side has zero width."""
    a, f, lo, hi = (np.asarray(x, dtype="float64") for x in (actual, forecast, lower, upper))
    above = a >= f
    dist = np.where(above, a - f, f - a)
    half = np.where(above, hi - f, f - lo)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(dist == 0, 0.0, np.where(half > 0, dist / half, np.inf))


def scale_interval(forecast: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                   scale: float) -> tuple[np.ndarray, np.ndarray]:
    """(ŷ − c·(ŷ − lower), ŷ + c·(upper − ŷ)), the lower bound clipped at 0."""
    f, lo, hi = (np.asarray(x, dtype="float64") for x in (forecast, lower, upper))
    return np.clip(f - scale * (f - lo), 0, None), f + scale * (hi - f)
