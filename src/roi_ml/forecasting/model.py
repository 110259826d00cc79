"""Prophet models of a daily series with creator spend as a regressor, and the simpler models a
series falls back to when it is too short or flat.

`forecast_series(history, spend, horizon_days, spec, ...)` picks the model:

* `constant`       — a flat history (one value throughout): the forecast is that value, the
                     interval has zero width;
* `seasonal_naive` — fewer than `min_days_prophet` days: each weekday's mean over the history,
                     interval from the empirical quantiles of the history's deviations from it;
* `prophet`        — otherwise: Prophet with linear trend (`changepoint_prior_scale`), weekly
                     and (with at least `min_days_yearly` days) yearly Fourier seasonality,
                     the holiday calendar, and the adstocked + saturated spend as an additive
                     regressor (with `regressor = "creator_response"`: the series given,
                     observed + projected creator response, as is; creator_response.py). Forecasts and interval bounds are clipped at 0 (counts and
                     revenue cannot be negative).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd

from roi_ml.forecasting.transforms import spend_regressor

log = logging.getLogger(__name__)

REGRESSOR = "creator_spend"
REGRESSORS = ("spend", "creator_response")

# Variance-stabilising transforms of the target: (forward, inverse). Prophet fits the
# transformed series with Gaussian noise; forecasts and bounds are mapped back, so the
# forecast is the median of the back-transformed distribution (the MAE-optimal point) and the
# interval widens with the level (count noise grows with the count).
TRANSFORMS = {
    "none": (lambda y: y, lambda z: z),
    "sqrt": (lambda y: np.sqrt(np.clip(y, 0, None)), lambda z: np.clip(z, 0, None) ** 2),
    "log1p": (lambda y: np.log1p(np.clip(y, 0, None)), lambda z: np.expm1(z)),
}


@dataclass(frozen=True)
class ProphetSpec:
    """Settings of one Prophet model (the CV grid varies some of them)."""

    changepoint_prior_scale: float = 0.05
    seasonality_mode: str = "additive"
    seasonality_prior_scale: float = 10.0
    holidays_prior_scale: float = 10.0
    yearly_fourier_order: int = 3
    weekly_fourier_order: int = 3
    n_changepoints: int = 25
    adstock_decay: float = 0.7
    half_saturation_multiple: float = 1.0
    saturation_slope: float = 1.0
    transform: str = "none"
    regressor: str = "spend"       # spend (adstock + saturation of creator spend) |
                                   # creator_response (the series given is the regressor as is:
                                   # observed + projected creator response, creator_response.py)

    def __post_init__(self) -> None:
        if self.regressor not in REGRESSORS:
            raise ValueError(f"regressor must be one of {REGRESSORS}, got {self.regressor!r} "
                             f"(conf forecasting.prophet / cv.grid)")
        if self.transform not in TRANSFORMS:
            raise ValueError(f"transform must be one of {sorted(TRANSFORMS)}, got "
                             f"{self.transform!r} (conf forecasting.prophet / cv.grid)")
        if self.seasonality_mode not in ("additive", "multiplicative"):
            raise ValueError(f"seasonality_mode must be additive or multiplicative, got "
                             f"{self.seasonality_mode!r} (conf forecasting.prophet / cv.grid)")
        if self.changepoint_prior_scale <= 0:
            raise ValueError("changepoint_prior_scale must be > 0")

    def with_(self, **changes) -> ProphetSpec:
        return replace(self, **changes)

    def as_dict(self) -> dict:
        return asdict(self)


def quiet_prophet() -> None:
    """Silence cmdstanpy / prophet log noise (cmdstanpy resets its level on first use, so a
    NullHandler and no propagation, not setLevel alone). Idempotent; the project hook does the
    same for `kedro run`, this covers notebooks and tests."""
    from roi_ml.hooks import silence_noisy_loggers

    silence_noisy_loggers()


def holidays_frame(calendar: dict | None) -> pd.DataFrame | None:
    """conf forecasting.holidays ({name: {dates: [...], lower_window: -k, upper_window: k}})
    -> Prophet's holidays frame (holiday, ds, lower_window, upper_window); None when empty."""
    if not calendar:
        return None
    rows = []
    for name, entry in calendar.items():
        dates = entry.get("dates") or []
        if not dates:
            continue
        lower, upper = int(entry.get("lower_window", 0)), int(entry.get("upper_window", 0))
        if lower > 0 or upper < 0:
            raise ValueError(f"holiday {name}: lower_window must be <= 0 and upper_window >= 0 "
                             f"(conf forecasting.holidays.{name})")
        for d in dates:
            rows.append({"holiday": str(name), "ds": pd.Timestamp(d),
                         "lower_window": lower, "upper_window": upper})
    return pd.DataFrame(rows) if rows else None


def predict_quietly(model, frame: pd.DataFrame) -> pd.DataFrame:
    """model.predict(frame) without the pandas-3 deprecation warnings Prophet 1.5 raises from
    its own code (once per call otherwise)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"prophet\.")
        return model.predict(frame)


@dataclass
class SeriesForecast:
    """History + horizon for one series: frame (date, yhat, yhat_lower, yhat_upper), the
    model used and the fitted Prophet object (None for the simple models)."""

    frame: pd.DataFrame
    model_used: str
    model: object | None = None
    regressor_scale: float | None = None  # k of the Hill saturation (None: no regressor)
    regressor: np.ndarray | None = None   # the transformed spend, history + horizon


def _is_flat(y: np.ndarray) -> bool:
    return y.size > 0 and bool(np.all(y == y[0]))


def constant_forecast(dates: pd.DatetimeIndex, y: np.ndarray) -> pd.DataFrame:
    value = float(y[0]) if y.size else 0.0
    return pd.DataFrame({"date": dates, "yhat": value, "yhat_lower": value, "yhat_upper": value})


def weekday_mean_forecast(hist_dates: pd.DatetimeIndex, y: np.ndarray, dates: pd.DatetimeIndex,
                          interval_width: float) -> pd.DataFrame:
    """Each weekday's mean over the history (the overall mean for a weekday never seen);
    interval = mean + empirical quantiles of the history's deviations from its weekday mean."""
    s = pd.Series(y, index=hist_dates)
    by_dow = s.groupby(hist_dates.day_of_week).mean()
    fitted = hist_dates.day_of_week.map(by_dow).to_numpy("float64")
    resid = y - fitted
    alpha = (1 - interval_width) / 2
    lo, hi = (np.quantile(resid, [alpha, 1 - alpha]) if resid.size > 1 else (0.0, 0.0))
    yhat = pd.Series(dates.day_of_week).map(by_dow).fillna(float(np.mean(y))).to_numpy("float64")
    return pd.DataFrame({"date": dates, "yhat": yhat,
                         "yhat_lower": np.clip(yhat + lo, 0, None),
                         "yhat_upper": np.clip(yhat + hi, 0, None)})


def build_prophet(spec: ProphetSpec, holidays: pd.DataFrame | None, n_days: int,
                  min_days_yearly: int, interval_width: float, uncertainty_samples: int,
                  with_regressor: bool):
    """An unfitted Prophet for `spec` (yearly seasonality only with >= min_days_yearly days)."""
    quiet_prophet()
    from prophet import Prophet

    m = Prophet(growth="linear", changepoint_prior_scale=spec.changepoint_prior_scale,
                n_changepoints=spec.n_changepoints,
                seasonality_mode=spec.seasonality_mode,
                seasonality_prior_scale=spec.seasonality_prior_scale,
                holidays_prior_scale=spec.holidays_prior_scale, holidays=holidays,
                yearly_seasonality=False, weekly_seasonality=False, daily_seasonality=False,
                interval_width=interval_width, uncertainty_samples=uncertainty_samples)
    if n_days >= 14:
        m.add_seasonality("weekly", period=7, fourier_order=spec.weekly_fourier_order)
    if n_days >= min_days_yearly:
        m.add_seasonality("yearly", period=365.25, fourier_order=spec.yearly_fourier_order)
    if with_regressor:
        m.add_regressor(REGRESSOR, mode="additive", standardize=True)
    return m


def prophet_forecast(hist_dates: pd.DatetimeIndex, y: np.ndarray, spend: np.ndarray,
                     horizon_days: int, spec: ProphetSpec, holidays: pd.DataFrame | None,
                     min_days_yearly: int, interval_width: float, uncertainty_samples: int,
                     seed: int) -> SeriesForecast:
    """Fit on the history, predict history + horizon. `spend` covers history + horizon."""
    n = len(hist_dates)
    dates = pd.date_range(hist_dates[0], periods=n + horizon_days, freq="D")
    if len(spend) != len(dates):
        raise ValueError(f"spend has {len(spend)} days, expected {len(dates)} (history + horizon)")
    if spec.regressor == "creator_response":
        x, k = np.nan_to_num(np.asarray(spend, dtype="float64")), 1.0
    else:
        x, k = spend_regressor(spend, spec.adstock_decay, spec.half_saturation_multiple,
                               spec.saturation_slope, reference=spend[:n])
    with_reg = bool(np.any(x[:n] > 0)) and float(np.std(x[:n])) > 0
    m = build_prophet(spec, holidays, n, min_days_yearly, interval_width, uncertainty_samples,
                      with_reg)
    forward, inverse = TRANSFORMS[spec.transform]
    train = pd.DataFrame({"ds": hist_dates, "y": forward(y)})
    future = pd.DataFrame({"ds": dates})
    if with_reg:
        train[REGRESSOR] = x[:n]
        future[REGRESSOR] = x
    with warnings.catch_warnings():
        # Prophet 1.5 calls pandas APIs that pandas 3 deprecates (inplace drop, ...): its
        # own code, not ours; the warnings would repeat once per fit
        warnings.filterwarnings("ignore", module=r"prophet\.")
        m.fit(train)
        np.random.seed(seed)  # noqa: NPY002 - Prophet's uncertainty draws use numpy's global generator
        pred = m.predict(future)
    frame = pd.DataFrame({"date": dates,
                          "yhat": np.clip(inverse(pred["yhat"].to_numpy()), 0, None),
                          "yhat_lower": np.clip(inverse(pred["yhat_lower"].to_numpy()), 0, None),
                          "yhat_upper": np.clip(inverse(pred["yhat_upper"].to_numpy()), 0, None)})
    return SeriesForecast(frame, "prophet", m, k if with_reg else None, x if with_reg else None)


def forecast_series(hist_dates: pd.DatetimeIndex, y: np.ndarray, spend: np.ndarray,
                    horizon_days: int, spec: ProphetSpec, holidays: pd.DataFrame | None,
                    min_days_prophet: int, min_days_yearly: int, interval_width: float,
                    uncertainty_samples: int, seed: int = 0) -> SeriesForecast:
    """History + horizon forecast of one series with the model its data allows (module doc)."""
    y = np.asarray(y, dtype="float64")
    if y.size == 0:
        raise ValueError("cannot forecast an empty series")
    dates = pd.date_range(hist_dates[0], periods=len(hist_dates) + horizon_days, freq="D")
    if _is_flat(y):
        return SeriesForecast(constant_forecast(dates, y), "constant")
    if y.size < min_days_prophet:
        return SeriesForecast(weekday_mean_forecast(hist_dates, y, dates, interval_width),
                              "seasonal_naive")
    return prophet_forecast(hist_dates, y, spend, horizon_days, spec, holidays, min_days_yearly,
                            interval_width, uncertainty_samples, seed)


def regressor_error_draws(x: np.ndarray, ratios: np.ndarray, dispersions: np.ndarray | None,
                          n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """days × n_draws errors of a projected regressor x_h: each draw takes one CV fold f (its
    level error r_f and, when given, its day-level dispersion φ_f together) and is
    (r_f − 1)·x_h + √(φ_f·x_h)·z_h, z_h standard normal (creator_response.projection_error).
    Folds with a non-finite r (or φ) are left out; no fold left: zeros."""
    x = np.clip(np.asarray(x, dtype="float64"), 0, None)
    r = np.asarray(ratios, dtype="float64")
    phi = None if dispersions is None else np.asarray(dispersions, dtype="float64")
    if phi is not None and phi.shape != r.shape:
        raise ValueError(f"{r.size} ratios but {phi.size} dispersions: one of each per CV fold "
                         "(forecast_cv_results columns cv_regressor_ratios and "
                         "cv_regressor_dispersions; re-run tune_forecast_models)")
    ok = np.isfinite(r) if phi is None else np.isfinite(r) & np.isfinite(phi)
    if not ok.any():
        return np.zeros((x.size, n_draws))
    fold = rng.choice(np.flatnonzero(ok), size=n_draws, replace=True)
    dx = (r[fold][None, :] - 1.0) * x[:, None]
    if phi is not None:
        dx = dx + np.sqrt(np.clip(phi[fold], 0, None)[None, :] * x[:, None]) \
            * rng.standard_normal((x.size, n_draws))
    return dx


def regressor_uncertainty_bounds(fc: SeriesForecast, n_hist: int, ratios: np.ndarray,
                                 spec: ProphetSpec, interval_width: float,
                                 seed: int = 0, dispersions: np.ndarray | None = None
                                 ) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) over the horizon of a Prophet forecast whose regressor's future is itself
    uncertain: each of Prophet's predictive draws (trend and noise, on the transformed target)
    gets β·e_h added, β the regressor's effect per unit and e_h a draw of the projection's error
    (`regressor_error_draws`: a CV fold's realised ÷ projected ratio and, with `dispersions`,
    its day-level dispersion); back-transformed, the central `interval_width` quantiles
    (docs/metrics.md, "Creator response regressor")."""
    m, x = fc.model, fc.regressor
    ratios = np.asarray(ratios, dtype="float64")
    if m is None or x is None or not np.isfinite(ratios).any():
        f = fc.frame.iloc[n_hist:]
        return f["yhat_lower"].to_numpy(), f["yhat_upper"].to_numpy()
    dates = fc.frame["date"].iloc[n_hist:].to_numpy()
    future = pd.DataFrame({"ds": dates, REGRESSOR: x[n_hist:]})
    shifted = future.assign(**{REGRESSOR: future[REGRESSOR] + 1.0})
    samples_setting = m.uncertainty_samples
    try:
        m.uncertainty_samples = 0          # two deterministic predictions: the effect of +1
        beta = (predict_quietly(m, shifted)["yhat"].to_numpy()
                - predict_quietly(m, future)["yhat"].to_numpy())
    finally:
        m.uncertainty_samples = samples_setting
    np.random.seed(seed)  # noqa: NPY002 - Prophet's draws use numpy's global generator
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"prophet\.")
        draws = m.predictive_samples(future)["yhat"]           # days × draws, transformed
    rng = np.random.default_rng(seed)
    err = regressor_error_draws(future[REGRESSOR].to_numpy(), ratios, dispersions,
                                draws.shape[1], rng)
    adjusted = draws + beta[:, None] * err
    _, inverse = TRANSFORMS[spec.transform]
    back = np.clip(inverse(adjusted), 0, None)
    alpha = (1.0 - interval_width) / 2.0
    return np.quantile(back, alpha, axis=1), np.quantile(back, 1.0 - alpha, axis=1)
