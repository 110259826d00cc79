"""Rolling-origin cross-validation and the grid search that picks Prophet's settings.

Fold i (i = 0 … n_folds − 1) trains on the first n − horizon − i · period_days days and
forecasts the next `horizon` days; each fold is scored by MASE (scaled by its own training
series' seasonal-naive error) and interval coverage. The spec with the lowest mean MASE wins.
The spend regressor over a fold's horizon is, by default in the pipeline, the spend as the brand
had planned it at the fold's origin (contracts signed and posts published by then, campaign
plans): the same information the final forecast has, so the CV sees what a plan misses (a
campaign ending, contracts not yet signed). Without `fold_spend` it is the spend that happened.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from roi_ml.forecasting.metrics import (
    coverage,
    interval_scale_needed,
    mase,
    seasonal_naive_forecast,
)
from roi_ml.forecasting.model import ProphetSpec, prophet_forecast, regressor_uncertainty_bounds

log = logging.getLogger(__name__)


def rolling_origin_cutoffs(n_days: int, horizon: int, n_folds: int, period_days: int,
                           min_train_days: int) -> list[int]:
    """Training lengths of the folds, oldest first; [] when the series is too short for
    n_folds folds that each train on at least min_train_days days."""
    if n_folds < 1 or horizon < 1 or period_days < 1:
        raise ValueError("cv needs n_folds, horizon_days and period_days >= 1 "
                         "(conf forecasting.cv)")
    cuts = [n_days - horizon - i * period_days for i in range(n_folds)]
    if min(cuts) < min_train_days:
        return []
    return sorted(cuts)


def min_days_for_cv(horizon: int, n_folds: int, period_days: int, min_train_days: int) -> int:
    """The shortest series rolling_origin_cutoffs accepts."""
    return min_train_days + horizon + (n_folds - 1) * period_days


@dataclass
class CVResult:
    spec: ProphetSpec
    mase: float
    coverage: float
    naive_mase: float
    folds: list[dict]
    interval_scale: float = 1.0   # median of the latest folds' interval-calibration factors
    full_coverage: float = float("nan")  # coverage of the interval with regressor uncertainty
    full_coverage_all_days: float = float("nan")  # the same against every day's actual


@dataclass
class FoldRegressorErrors:
    """Per fold (keyed by its training length): the creator regressor's projection error,
    level r and day-level dispersion φ (creator_response.projection_error; dispersions None:
    the level only), and the response of posts outside the origin's plan per horizon day
    (None: none left out), which the plan-conditional interval does not promise to cover."""

    ratios: dict[int, float]
    dispersions: dict[int, float] | None = None
    unplanned: dict[int, np.ndarray] | None = None

    def known_by(self, cut: int, horizon: int) -> tuple[np.ndarray, np.ndarray | None]:
        """(ratios, dispersions) of the folds whose horizon had ended by the origin of the fold
        that trains on `cut` days (k + horizon <= cut, finite ratio): what the forecast made
        on that origin could have drawn from, as the final forecast draws only from folds
        before it. Empty for the earliest folds."""
        keys = [k for k in self.ratios if k + horizon <= cut and np.isfinite(self.ratios[k])]
        if self.dispersions is not None:
            keys = [k for k in keys if np.isfinite(self.dispersions.get(k, np.nan))]
        r = np.array([self.ratios[k] for k in keys], dtype="float64")
        if self.dispersions is None:
            return r, None
        return r, np.array([self.dispersions[k] for k in keys], dtype="float64")


def cross_validate(dates: pd.DatetimeIndex, y: np.ndarray, spend: np.ndarray, spec: ProphetSpec,
                   horizon: int, cutoffs: list[int], holidays: pd.DataFrame | None,
                   min_days_yearly: int, interval_width: float, uncertainty_samples: int,
                   seed: int = 0, fold_spend: dict[int, np.ndarray] | None = None,
                   calibration_folds: int | None = None,
                   regressor_errors: FoldRegressorErrors | None = None) -> CVResult:
    """Score `spec` on each fold (MASE, coverage; the seasonal-naive forecast's MASE beside).
    `fold_spend[cut]` (history + horizon), when given, replaces the spend that happened with
    the spend as planned at the fold's origin. interval_scale: per fold, the factor its
    interval needed to hold `interval_width` of its days (quantile of interval_scale_needed);
    the median over the latest `calibration_folds` folds (None: all), the folds whose training
    length is closest to the final forecast's. With `regressor_errors` (creator_response
    regressor) also full_coverage: each fold's interval drawn as the final one is
    (regressor_uncertainty_bounds with the projection errors of the folds whose horizon had
    ended by its origin; nan for a fold without one), scored against the fold's days less the
    response of posts outside its origin's plan (full_coverage_all_days: against the days as
    they were)."""
    folds, needed = [], []
    for cut in cutoffs:
        train, actual = y[:cut], y[cut:cut + horizon]
        x = fold_spend[cut] if fold_spend is not None else spend[:cut + horizon]
        sf = prophet_forecast(dates[:cut], train, x, horizon, spec, holidays,
                              min_days_yearly, interval_width, uncertainty_samples, seed)
        f = sf.frame.iloc[cut:]
        needed.append(float(np.quantile(interval_scale_needed(
            actual, f["yhat"].to_numpy(), f["yhat_lower"].to_numpy(), f["yhat_upper"].to_numpy()),
            interval_width)))
        fold = {"train_days": cut, "interval_scale": needed[-1],
                "mase": mase(actual, f["yhat"].to_numpy(), train),
                "coverage": coverage(actual, f["yhat_lower"].to_numpy(),
                                     f["yhat_upper"].to_numpy()),
                "naive_mase": mase(actual, seasonal_naive_forecast(train, horizon), train),
                "full_coverage": float("nan")}
        fold["full_coverage_all_days"] = float("nan")
        r, phi = (regressor_errors.known_by(cut, horizon) if regressor_errors is not None
                  else (np.zeros(0), None))
        if sf.regressor is not None and r.size:
            lo, hi = regressor_uncertainty_bounds(sf, cut, r, spec, interval_width, seed, phi)
            left_out = (regressor_errors.unplanned or {}).get(cut)
            target = actual - (left_out if left_out is not None else 0.0)
            fold["full_coverage"] = coverage(target, lo, hi)
            fold["full_coverage_all_days"] = coverage(actual, lo, hi)
        folds.append(fold)
    recent = needed[-calibration_folds:] if calibration_folds else needed
    scale = float(np.median(recent)) if recent else 1.0
    full = [f["full_coverage"] for f in folds if np.isfinite(f["full_coverage"])]
    full_all = [f["full_coverage_all_days"] for f in folds
                if np.isfinite(f["full_coverage_all_days"])]
    return CVResult(spec, float(np.nanmean([f["mase"] for f in folds])),
                    float(np.nanmean([f["coverage"] for f in folds])),
                    float(np.nanmean([f["naive_mase"] for f in folds])), folds,
                    scale if np.isfinite(scale) else 1.0,
                    float(np.mean(full)) if full else float("nan"),
                    float(np.mean(full_all)) if full_all else float("nan"))


def spec_grid(base: ProphetSpec, grid: dict[str, list]) -> list[ProphetSpec]:
    """Every combination of the grid's values applied to `base` (conf forecasting.cv.grid)."""
    unknown = set(grid) - set(base.as_dict())
    if unknown:
        raise ValueError(f"forecasting.cv.grid has unknown settings {sorted(unknown)}; "
                         f"known: {sorted(base.as_dict())}")
    keys = list(grid)
    return [base.with_(**dict(zip(keys, values, strict=True)))
            for values in itertools.product(*(grid[k] for k in keys))] or [base]


def tune(dates: pd.DatetimeIndex, y: np.ndarray, spend: np.ndarray, base: ProphetSpec,
         grid: dict[str, list], horizon: int, cutoffs: list[int], holidays: pd.DataFrame | None,
         min_days_yearly: int, interval_width: float, uncertainty_samples: int,
         seed: int = 0, fold_spend: dict[int, np.ndarray] | None = None, n_jobs: int = 1,
         calibration_folds: int | None = None,
         regressor_errors: FoldRegressorErrors | None = None) -> tuple[CVResult, pd.DataFrame]:
    """Cross-validate every spec of the grid: (best result, one row per spec); `n_jobs`
    processes share the specs (joblib; results do not depend on it)."""
    specs = spec_grid(base, grid)
    if n_jobs != 1 and len(specs) > 1:
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=n_jobs)(
            delayed(cross_validate)(dates, y, spend, spec, horizon, cutoffs, holidays,
                                    min_days_yearly, interval_width, uncertainty_samples, seed,
                                    fold_spend, calibration_folds, regressor_errors)
            for spec in specs)
    else:
        results = [cross_validate(dates, y, spend, spec, horizon, cutoffs, holidays,
                                  min_days_yearly, interval_width, uncertainty_samples, seed,
                                  fold_spend, calibration_folds, regressor_errors)
                   for spec in specs]
    table = pd.DataFrame([{**{k: r.spec.as_dict()[k] for k in grid}, "cv_mase": r.mase,
                           "cv_coverage": r.coverage, "cv_naive_mase": r.naive_mase,
                           "cv_interval_scale": r.interval_scale,
                           "cv_full_coverage": r.full_coverage,
                           "cv_full_coverage_all_days": r.full_coverage_all_days,
                           "cv_fold_interval_scales": ",".join(f"{f['interval_scale']:.4g}"
                                                               for f in r.folds),
                           # each fold's 56-day window on its own: how far one window's
                           # coverage strays from the mean (nan: no fold ended by its origin)
                           "cv_fold_full_coverages_all_days": ",".join(
                               f"{f['full_coverage_all_days']:.4g}" for f in r.folds)}
                          for r in results])
    best = min(results, key=lambda r: (np.inf if np.isnan(r.mase) else r.mase))
    return best, table
