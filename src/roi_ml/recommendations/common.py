"""Shared pieces of the recommendation tables: input checks, the attribution model in use,
intervals and confidence levels. Formulas in docs/metrics.md ("Recommendations")."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm

from roi_ml import inputs
from roi_ml.inputs import InputError

log = logging.getLogger(__name__)

PARAMS_FILE = "conf/base/parameters_recommendations.yml"
ALERTS_FILE = "conf/base/parameters_alerts.yml"
CONFIDENCE_LEVELS = ("high", "medium", "low")


class RecommendationInputError(InputError):
    """An input table lacks a column the recommendations need: the run stops, naming it."""


def require_columns(frame: pd.DataFrame, columns: Iterable[str], table: str,
                    producer: str) -> None:
    """Stop with one clear message when `table` (written by the `producer` pipeline) lacks any
    of `columns`."""
    inputs.require_columns(frame, columns, table,
                           f"{table} is written by the {producer} pipeline; re-run it, or check its "
                           f"catalog entry points at that pipeline's output.", RecommendationInputError)


def select_attribution(frame: pd.DataFrame, model: str, fallback: str, table: str) -> pd.DataFrame:
    """The rows of an attribution table for `model`, else `fallback` (logged), with a
    `model_used` column naming the model whose credit it is."""
    rows, _ = inputs.select_attribution_model(
        frame, model, fallback, table,
        ("recommendations.attribution.model", "recommendations.attribution.fallback_model"),
        PARAMS_FILE, RecommendationInputError)
    return rows


def poisson_interval(count: np.ndarray | float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) interval of a Poisson mean given `count` events (fractional counts, e.g.
    attributed conversions, use the gamma form): low = χ²(α/2; 2x)/2, high = χ²(1−α/2; 2x+2)/2,
    low = 0 when x = 0."""
    x = np.asarray(count, dtype="float64")
    a = 1.0 - level
    with np.errstate(invalid="ignore"):
        low = np.where(x > 0, chi2.ppf(a / 2, 2 * np.maximum(x, 1e-12)) / 2, 0.0)
    high = chi2.ppf(1 - a / 2, 2 * x + 2) / 2
    return low, high


def z_value(level: float) -> float:
    """Two-sided normal quantile for a `level` interval (0.9 → 1.645)."""
    return float(norm.ppf(0.5 + level / 2))


def ratio_interval(num: pd.Series, den: pd.Series, groups: pd.Series | list, level: float
                   ) -> pd.DataFrame:
    """Ratio estimate Σnum/Σden per group with a delta-method (linearisation) interval over the
    units (posts) of the group: se = sqrt(n/(n−1) · Σ(numᵢ − R·denᵢ)²) / Σden, R ± z·se,
    clipped at 0. One unit: no spread, se = NaN (interval NaN)."""
    frame = pd.DataFrame({"num": np.asarray(num, "float64"), "den": np.asarray(den, "float64")})
    keys = groups if isinstance(groups, list) else [groups]
    for i, g in enumerate(keys):
        frame[f"_g{i}"] = np.asarray(g)
    gcols = [f"_g{i}" for i in range(len(keys))]
    agg = frame.groupby(gcols, sort=False).agg(num=("num", "sum"), den=("den", "sum"),
                                               n=("num", "size"))
    agg["ratio"] = agg["num"] / agg["den"].where(agg["den"] > 0)
    frame = frame.join(agg["ratio"], on=gcols)
    frame["sq"] = (frame["num"] - frame["ratio"] * frame["den"]) ** 2
    ss = frame.groupby(gcols, sort=False)["sq"].sum()
    n = agg["n"]
    se = np.sqrt(ss * n / (n - 1).where(n > 1)) / agg["den"].where(agg["den"] > 0)
    z = z_value(level)
    agg["low"] = (agg["ratio"] - z * se).clip(lower=0)
    agg["high"] = agg["ratio"] + z * se
    agg.index.names = [f"_g{i}" for i in range(len(keys))]
    return agg.reset_index()


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values): q₍ᵢ₎ = min over j ≥ i of p₍ⱼ₎·m/j,
    capped at 1; NaN p-values stay NaN and do not count in m."""
    p = np.asarray(p_values, dtype="float64")
    q = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return q
    order = np.argsort(p[ok])
    ranked = p[ok][order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
    out = np.empty(m)
    out[order] = ranked
    q[ok] = out
    return q


def rank_by_impact(frame: pd.DataFrame, impact: str, tie_breakers: list[str] | None = None
                   ) -> pd.DataFrame:
    """Rows sorted by `impact` (largest first, missing last) with `rank` 1..n as first column."""
    keys = [impact, *(tie_breakers or [])]
    asc = [False] + [True] * (len(keys) - 1)
    out = frame.sort_values(keys, ascending=asc, na_position="last", kind="stable")
    out = out.reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1, dtype="int64"))
    return out


def as_text(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Text columns as pandas' string dtype (the project's convention)."""
    for c in columns:
        if c in frame.columns:
            frame[c] = frame[c].astype("str")
    return frame


def fmt_usd(x: float) -> str:
    """$1,234 (no decimals) for sentences; a minus sign before the dollar."""
    if pd.isna(x):
        return "n/a"
    return f"-${abs(x):,.0f}" if x < 0 else f"${x:,.0f}"


def fmt_num(x: float, digits: int = 2) -> str:
    return "n/a" if pd.isna(x) else f"{x:,.{digits}f}"
