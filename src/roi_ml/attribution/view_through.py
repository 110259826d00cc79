"""View-through credit: conversions creators caused without a click or a code in the journey.

People see a post and later come by search or directly; their journey shows no creator touch.
No export says who viewed what, so this part is estimated from aggregate evidence: the days on
which a creator's audience was exposed (authentic impressions, adstocked) against the days'
conversions without any creator touch. Two functions, both pure (frames + a params dict in,
frames out):

* `view_through_inputs` builds, from observable tables only, the daily touchless conversions
  (with the baseline regressors) and each creator × platform's daily authentic impressions.
* `estimate_view_through` fits a Bayesian ridge media-mix regression and returns each
  creator's view-through conversions and revenue with an interval.

The model (docs/view_through_research.md has the measurements). For a creator × platform unit u with
visible (click-and-code) credit C_u from the other attribution model, adstocked authentic
impressions A_u(d) and adstocked creator-touched conversions T_u(d) (geometric adstock, weights
(1 − λ) λ^k, k = 0, 1, …; own λ each):

    x_u(d) = m_u · p_u(d),   m_u = r_u · I_u,   r_u = (C_u + n₀ · r_g) / (I_u + n₀)
    p_u(d) = (T_u(d) + k · A_u(d) / I_u) / (Σ_window T_u + k)

x_u is the unit's expected visible conversions on day d. m_u is its visible credit, shrunk
toward its tier × platform group's credit per impression r_g (itself shrunk toward the
platform's) with n₀ = `prior_impressions_share` × the group's median in-window impressions I_u,
so a creator with no clicks gets its group's rate (the default 0 keeps the visible credit as
it is: shrinking hurt on the simulated worlds, and a creator without visible credit gets no
view-through). p_u is its timing: when its clicks and codes
happened (they show when the audience was reached; view-through conversions of the same posts
follow them), with its impressions' timing as k = `impression_timing_weight` pseudo-touches, so
a unit with few touches takes the timing of its impressions. The touchless conversions of day
d are

    y(d) = baseline(d) + Σ_u θ_u · x_u(d) + ε(d),   θ_u = ρ₀ + a_platform + a_tier×platform + δ_u

so θ_u is the unit's view-through conversions per visible conversion: the visible credit is the
prior for the view-through size, the regression estimates the ratio pooled by platform and lets
groups and creators deviate only with evidence (Gaussian priors a ~ N(0, s²), s per level,
ρ₀ and the baseline nearly flat). The baseline is an intercept, a piecewise-linear trend,
weekday dummies, yearly harmonics and holiday windows a user knows (Black Friday to Cyber
Monday, the Christmas run-up, Valentine's, Mother's Day, Prime Day by default: `holiday_windows`
in conf, calendar rules read by `day_rule`; plus `extra_holidays`).
With `response: first` and a `touchless_first_conversions` column (person ids in the journeys),
y is the people's first conversions in the window (repeat purchases are baseline noise; most
view-through buyers are new) and θ is rescaled by ρ(all) / ρ(first) from two pooled fits, so
the pattern comes from the cleaner series and the level from all touchless conversions.
The noise variance comes from the residuals of the pooled fit, inflated for residual
autocorrelation. The posterior mean and covariance are one linear solve (deterministic).

Optionally (`add_uncredited_touched`) the creator-touched conversions the visible model did not
credit are added back to y (see `uncredited_touched`; off by default: it biased the ratio up on
the simulated worlds, docs/view_through_research.md).

A unit's view-through conversions are max(θ_u, 0) · m_u; a creator's are the sum over its
platforms. The interval's variance is m_u² (var θ_u + s²) + θ_u² m_u + VT_u: the posterior
variance of the ratio, the spread s (`ratio_spread`) of true ratios around the fitted one, the
Poisson noise of the visible count and of the view-through count; normal, clipped at 0.
Revenue = conversions × the creator's visible revenue per conversion, shrunk toward the
touchless conversions' average (`aov_prior_conversions` pseudo-conversions).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd
from scipy.stats import norm

log = logging.getLogger(__name__)

CREATOR_KINDS = ("post", "creator")
OUTPUT_COLUMNS = ["creator_id", "view_through_conversions", "view_through_revenue",
                  "view_through_ci_low", "view_through_ci_high"]
DAILY_COLUMNS = ["date", "touchless_conversions", "touchless_revenue"]
EXPOSURE_COLUMNS = ["date", "creator_id", "platform", "tier", "authentic_impressions"]
TOUCHED_COLUMNS = ["touched_conversions", "touched_revenue"]  # optional in estimate_view_through


DEFAULT_HOLIDAY_WINDOWS: dict[str, list[str]] = {
    "bfcm": ["4th thu nov +1", "4th thu nov +4"],       # Black Friday to Cyber Monday (US)
    "christmas": ["12-01", "12-24"],                   # the Christmas run-up
    "valentines": ["02-07", "02-14"],
    "mothers_day": ["2nd sun may -6", "2nd sun may"],  # the week up to Mother's Day (US)
    "prime_day": ["07-08", "07-17"],                   # Prime Day season
}
"""Retail peaks a brand knows from its calendar (conf: view_through.holiday_windows): name →
[first day, last day] of each year's window, each day a `day_rule`."""


@dataclass
class ViewThroughConfig:
    """Settings of the view-through model (conf: attribution.data_driven.view_through)."""

    adstock_decay: float = 0.8          # λ of impressions: share of a day's exposure effect carried to the next day
    touch_adstock_decay: float = 0.5    # λ of creator-touched conversions (the timing of reach)
    touch_adstock_grid: list = field(default_factory=list)  # λ per platform chosen by fit ([] = fixed)
    impression_timing_weight: float = 2.0  # pseudo-touches: how much impressions shape a unit's timing
    authenticity_weight: float = 1.0    # authentic share = 1 − w · (1 − authenticity_score / 100)
    aggregation: str = "day"            # day | week: rows of the regression
    response: str = "first"             # first: regress first-time touchless conversions (less noise), level from all; all
    trend_knot_days: int = 91           # spacing of the piecewise-linear trend's knots (0 = straight)
    yearly_harmonics: int = 2           # sin/cos pairs of the yearly cycle
    holidays: bool = True               # holiday-window regressors (see holiday_windows)
    holiday_windows: dict = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_HOLIDAY_WINDOWS.items()})
    extra_holidays: list = field(default_factory=list)  # more peak dates "YYYY-MM-DD" (± 1 day)
    prior_impressions_share: float = 0.0  # n₀ = share × the group's median impressions
    global_prior_sd: float = 10.0       # sd of ρ₀ around 0 (nearly flat)
    platform_prior_sd: float = 0.5      # sd of a platform's ratio around ρ₀
    group_prior_sd: float = 0.05        # sd of a tier × platform ratio around its platform's
    creator_prior_sd: float = 0.05      # sd of a creator × platform ratio around its group's
    baseline_prior_sd: float = 1e4      # sd of baseline coefficients (nearly flat)
    ratio_spread: float = 0.3           # sd of true ratios around the fitted one, added to the interval
    autocorrelation_lags: int = 7       # lags in the residual autocorrelation variance inflation
    aov_prior_conversions: float = 5.0  # pseudo-conversions pulling a creator's AOV to the average
    interval: float = 0.9               # central interval of view_through_ci_low / _high
    add_uncredited_touched: bool = False  # add back touched conversions the visible model did not credit
    min_days: int = 28                  # fewer days with data: no estimate (zeros, logged)
    random_state: int = 0               # reserved for resampling variants; the fit is exact

    @classmethod
    def from_params(cls, params: dict | None) -> ViewThroughConfig:
        params = dict(params or {})
        known = {f.name for f in fields(cls)}
        unknown = set(params) - known
        if unknown:
            raise ValueError(f"unknown view-through settings {sorted(unknown)}; known: "
                             f"{sorted(known)} (conf/base/parameters_attribution.yml, "
                             "attribution.data_driven.view_through)")
        cfg = cls(**params)
        if not 0 <= cfg.adstock_decay < 1:
            raise ValueError(f"view_through.adstock_decay must be in [0, 1), got {cfg.adstock_decay}")
        if cfg.response not in ("first", "all"):
            raise ValueError(f"view_through.response must be 'first' or 'all', got {cfg.response!r}")
        if cfg.aggregation not in ("day", "week"):
            raise ValueError(f"view_through.aggregation must be 'day' or 'week', got {cfg.aggregation!r}")
        if not 0 < cfg.interval < 1:
            raise ValueError(f"view_through.interval must be in (0, 1), got {cfg.interval}")
        if not isinstance(cfg.holiday_windows, dict):
            raise ValueError("view_through.holiday_windows must map a name to [first day, last day], "
                             f"got {cfg.holiday_windows!r} (conf/base/parameters_attribution.yml)")
        cfg.holiday_windows = {str(k): list(v) if isinstance(v, list | tuple) else v
                               for k, v in cfg.holiday_windows.items()}
        validate_holiday_windows(cfg.holiday_windows)
        return cfg


def _require(df: pd.DataFrame, cols: list[str], name: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"view-through input `{name}` lacks column(s) {missing}; it has "
                         f"{list(df.columns)}")


def _utc_day(s: pd.Series) -> pd.Series:
    s = pd.to_datetime(s)
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    return s.dt.normalize().astype("datetime64[ns]")


# ---------------------------------------------------------------------------- inputs

def authentic_share(creator_authenticity: pd.DataFrame, weight: float) -> pd.Series:
    """Per creator: 1 − weight · (1 − authenticity_score / 100), clipped to [0, 1].

    A creator without a score (not scored, or missing) counts as fully authentic."""
    if creator_authenticity is None or creator_authenticity.empty:
        return pd.Series(dtype="float64")
    _require(creator_authenticity, ["creator_id", "authenticity_score"], "creator_authenticity")
    score = pd.to_numeric(creator_authenticity["authenticity_score"], errors="coerce").astype("float64")
    share = (1.0 - weight * (1.0 - score / 100.0)).clip(0.0, 1.0).fillna(1.0)
    return pd.Series(share.to_numpy(), index=creator_authenticity["creator_id"].astype("str"))


def first_conversion(conv: pd.DataFrame) -> pd.Series:
    """Per converting journey: True when it is the person's first conversion in the window.

    The person is the Shopify customer_id, else the GA4 user_pseudo_id (columns the journeys of
    data/03_primary carry); a conversion without either counts as a first one. Null for every
    row when the journeys carry neither column (the first-time series is then not built)."""
    cols = [c for c in ("customer_id", "user_pseudo_id") if c in conv.columns]
    if not cols:
        return pd.Series(pd.NA, index=conv.index, dtype="boolean")
    who = conv[cols[0]].astype("str")
    for c in cols[1:]:
        who = who.where(conv[cols[0]].notna(), conv[c].astype("str"))
    known = conv[cols].notna().any(axis=1)
    order = conv.assign(_who=who, _known=known).sort_values(["conversion_time", "journey_id"])
    prior = order[order["_known"]].groupby("_who").cumcount()
    first = pd.Series(True, index=conv.index, dtype="boolean")
    first.loc[prior.index] = (prior == 0).to_numpy()
    return first


def view_through_inputs(journeys: pd.DataFrame, touches: pd.DataFrame, entities: pd.DataFrame,
                        post_daily_metrics: pd.DataFrame, posts: pd.DataFrame,
                        creators: pd.DataFrame, creator_authenticity: pd.DataFrame,
                        params: dict | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Observable inputs of the view-through regression.

    Returns (daily, exposure):
    * daily — one row per UTC day from the first to the last conversion: date,
      touchless_conversions and touchless_revenue (converting journeys without any creator
      click or code: no touch whose entity is a post or a creator code), all_conversions, and
      touchless_first_conversions (the person's first conversion in the window; only when
      `journeys` carries customer_id or user_pseudo_id, as data/03_primary/journeys does).
    * exposure — date, creator_id, platform, tier, authentic_impressions (the post's reported
      impressions × the creator's authentic share from creator_authenticity; see
      `authentic_share`), summed over the creator's posts on that platform and day; plus
      touched_conversions and touched_revenue (converting journeys with a touch of the
      creator on that platform, split equally over the journey's creator touches; a code
      counts on the creator's primary platform).
    """
    cfg = ViewThroughConfig.from_params(params)
    _require(journeys, ["journey_id", "converted", "conversions", "revenue_usd", "conversion_time"], "journeys")
    _require(touches, ["journey_id", "entity"], "touches")
    _require(entities, ["entity", "kind"], "entities")
    _require(post_daily_metrics, ["post_id", "date", "impressions"], "post_daily_metrics")
    _require(posts, ["post_id", "creator_id", "platform"], "posts")
    _require(creators, ["creator_id", "tier"], "creators")

    creator_entities = entities.loc[entities["kind"].isin(CREATOR_KINDS), "entity"]
    touched = set(touches.loc[touches["entity"].isin(creator_entities), "journey_id"])
    conv = journeys[journeys["converted"].astype(bool)].copy()
    conv = conv[conv["conversion_time"].notna()]
    conv["date"] = _utc_day(conv["conversion_time"])
    conv["touchless"] = ~conv["journey_id"].isin(touched)
    conv["conversions"] = conv["conversions"].astype("float64").fillna(0.0)
    conv["revenue_usd"] = conv["revenue_usd"].astype("float64").fillna(0.0)
    if conv.empty:
        days = pd.DatetimeIndex([], name="date", dtype="datetime64[ns]")
    else:
        days = pd.date_range(conv["date"].min(), conv["date"].max(), freq="D", name="date")
    conv["first"] = first_conversion(conv)
    tl = conv[conv["touchless"]]
    daily = pd.DataFrame(index=days)
    daily["touchless_conversions"] = tl.groupby("date")["conversions"].sum().reindex(days, fill_value=0.0)
    daily["touchless_revenue"] = tl.groupby("date")["revenue_usd"].sum().reindex(days, fill_value=0.0)
    if conv["first"].notna().any():
        daily["touchless_first_conversions"] = (tl[tl["first"].fillna(True).astype(bool)].groupby("date")["conversions"]
                                                .sum().reindex(days, fill_value=0.0))
    daily["all_conversions"] = conv.groupby("date")["conversions"].sum().reindex(days, fill_value=0.0)
    daily = daily.reset_index()
    daily["date"] = daily["date"].astype("datetime64[ns]")

    # creator-touched conversions per creator × platform and day (each journey's conversions
    # split equally over its creator touches; a code counts on the creator's primary platform)
    ent = entities.loc[entities["kind"].isin(CREATOR_KINDS), ["entity", "creator_id"]
                       + (["platform"] if "platform" in entities.columns else [])].drop_duplicates("entity")
    if "platform" not in ent.columns:
        ent["platform"] = pd.NA
    ct = touches.loc[touches["journey_id"].isin(conv["journey_id"]), ["journey_id", "entity"]].merge(ent, on="entity")
    roster = creators.drop_duplicates("creator_id")
    roster = roster.set_index(roster["creator_id"].astype("str"))
    primary = roster["primary_platform"] if "primary_platform" in roster.columns else pd.Series(dtype="str")
    ct["creator_id"] = ct["creator_id"].astype("str")
    ct["platform"] = ct["platform"].astype("str").where(ct["platform"].notna(), ct["creator_id"].map(primary))
    ct = ct[ct["platform"].notna()]
    cj = conv.set_index("journey_id")
    ct["w"] = 1.0 / ct.groupby("journey_id")["entity"].transform("size")
    ct["date"] = ct["journey_id"].map(cj["date"]).to_numpy()
    ct["touched_conversions"] = ct["w"] * ct["journey_id"].map(cj["conversions"]).to_numpy()
    ct["touched_revenue"] = ct["w"] * ct["journey_id"].map(cj["revenue_usd"]).to_numpy()
    touched_units = ct.groupby(["date", "creator_id", "platform"], as_index=False)[
        ["touched_conversions", "touched_revenue"]].sum()

    m = post_daily_metrics[["post_id", "date", "impressions"]].copy()
    m["post_id"] = m["post_id"].astype("str")
    m["impressions"] = pd.to_numeric(m["impressions"], errors="coerce").astype("float64")
    bad = m["impressions"].isna() | (m["impressions"] < 0) | m["date"].isna()
    if bad.any():
        log.warning("view-through: %d post-day rows without a usable date or impressions count "
                    "(missing or negative) are left out of the exposure", int(bad.sum()))
    m = m[~bad]
    p = posts[["post_id", "creator_id", "platform"]].copy()
    p["post_id"] = p["post_id"].astype("str")
    m = m.merge(p.drop_duplicates("post_id"), on="post_id", how="inner")
    m["creator_id"] = m["creator_id"].astype("str")
    tiers = roster["tier"].astype("str")
    share = authentic_share(creator_authenticity, cfg.authenticity_weight)
    m["authentic_impressions"] = m["impressions"] * m["creator_id"].map(share).fillna(1.0).to_numpy()
    m["date"] = _utc_day(m["date"])
    exposure = (m.groupby(["date", "creator_id", "platform"], as_index=False)["authentic_impressions"].sum())
    exposure["platform"] = exposure["platform"].astype("str")
    exposure = exposure.merge(touched_units, on=["date", "creator_id", "platform"], how="outer")
    for c in ("authentic_impressions", "touched_conversions", "touched_revenue"):
        exposure[c] = exposure[c].astype("float64").fillna(0.0)
    exposure["tier"] = exposure["creator_id"].map(tiers).fillna("unknown").astype("str")
    exposure["platform"] = exposure["platform"].astype("str")
    exposure = exposure[EXPOSURE_COLUMNS + TOUCHED_COLUMNS].sort_values(["date", "creator_id", "platform"]).reset_index(drop=True)
    return daily, exposure


# ---------------------------------------------------------------------------- building blocks

def adstock(x: np.ndarray, decay: float) -> np.ndarray:
    """Geometric adstock along axis 0: out[t] = (1 − λ) Σ_k λ^k x[t − k] (weights sum to 1).

    `decay` is one λ, or one per column of a 2-D x."""
    x = np.asarray(x, dtype="float64")
    decay = np.asarray(decay, dtype="float64")  # a scalar, or one λ per column
    out = np.empty_like(x)
    acc = np.zeros(x.shape[1:]) if x.ndim > 1 else 0.0
    for i in range(x.shape[0]):
        acc = x[i] + decay * acc
        out[i] = acc
    return out * (1.0 - decay)


_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                           "sep", "oct", "nov", "dec"))}
_ORDINALS = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "last": -1}


def day_rule(rule: str, year: int) -> pd.Timestamp:
    """The day a calendar rule names in `year`.

    Rules: "MM-DD" (a fixed date), or "<ordinal> <weekday> <month>" (ordinal 1st … 5th or last,
    weekday mon … sun, month jan … dec: "4th thu nov" is US Thanksgiving), either followed by an
    optional offset in days ("+1", "-6"). A malformed rule stops with a message naming the conf
    key."""
    parts = str(rule).strip().lower().split()
    offset = 0
    if parts and parts[-1][:1] in "+-" and parts[-1][1:].isdigit():
        offset = int(parts.pop())
    try:
        if len(parts) == 1:
            month, day = (int(x) for x in parts[0].split("-"))
            if (month, day) == (2, 29):
                raise ValueError("02-29 exists only in leap years; use 02-28 or 03-01")
            base = pd.Timestamp(year=year, month=month, day=day)
        elif len(parts) == 3 and parts[0] in _ORDINALS and parts[1] in _WEEKDAYS and parts[2] in _MONTHS:
            nth, wd, month = _ORDINALS[parts[0]], _WEEKDAYS[parts[1]], _MONTHS[parts[2]]
            first = pd.Timestamp(year=year, month=month, day=1)
            if nth > 0:
                base = first + pd.Timedelta(days=(wd - first.day_of_week) % 7 + 7 * (nth - 1))
            else:
                last = first + pd.offsets.MonthEnd(0)
                base = last - pd.Timedelta(days=(last.day_of_week - wd) % 7)
            if base.month != month:
                raise ValueError("no such weekday in that month")
        else:
            raise ValueError("unrecognised rule")
    except ValueError as exc:
        raise ValueError(f"view_through.holiday_windows: cannot read the day rule {rule!r} ({exc}); "
                         "use 'MM-DD' or '<1st..5th|last> <mon..sun> <jan..dec>', optionally "
                         "followed by +N / -N days (conf/base/parameters_attribution.yml)") from None
    return base + pd.Timedelta(days=offset)


MAX_HOLIDAY_WINDOW_DAYS = 92
"""Longest holiday window accepted (a quarter): a longer one is almost surely a reversed pair
of days, read as a window wrapping the year end."""


def window_span(name: str, span, year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of holiday window `name` = [first rule, last rule] starting in `year`.
    A last day before the first (["12-26", "01-02"]) wraps into the next year: the last rule is
    read in year + 1. Stops with a message naming the conf key when the span is not a pair of
    rules or lasts more than MAX_HOLIDAY_WINDOW_DAYS."""
    if not isinstance(span, list | tuple) or len(span) != 2:
        raise ValueError(f"view_through.holiday_windows.{name} must be [first day, last day], "
                         f"got {span!r} (conf/base/parameters_attribution.yml)")
    a, b = day_rule(span[0], year), day_rule(span[1], year)
    if b < a:
        b = day_rule(span[1], year + 1)
    if (b - a).days + 1 > MAX_HOLIDAY_WINDOW_DAYS:
        raise ValueError(f"view_through.holiday_windows.{name} = {list(span)} lasts {(b - a).days + 1} days "
                         f"in {year} (at most {MAX_HOLIDAY_WINDOW_DAYS}); a last day before the first "
                         "wraps into the next year — swap them if that was not meant "
                         "(conf/base/parameters_attribution.yml)")
    return a, b


def validate_holiday_windows(windows: dict) -> None:
    """Read every window in each year of a full 28-year calendar cycle (2024–2051: every weekday
    of 1 January, leap and common years), so a rule that exists only in some years ("02-29",
    "5th sat feb") stops when the settings are read, not in the year it first fails."""
    for y in range(2024, 2052):
        for k, span in windows.items():
            window_span(k, span, y)


def holiday_windows(days: pd.DatetimeIndex, extra: list | None = None,
                    windows: dict | None = None) -> pd.DataFrame:
    """Indicator columns of the retail peaks a brand knows from its calendar.

    `windows` maps a name to [first day, last day] (`day_rule`s, evaluated in every year of
    `days` and the year before, a window wrapping the year end — last day before the first —
    ending in the next year: `window_span`; default DEFAULT_HOLIDAY_WINDOWS: Black Friday to Cyber Monday, 1–24 December, 7–14
    February, the 7 days up to the 2nd Sunday of May, 8–17 July); extra: ± 1 day around each
    date given. Columns without any day on are dropped."""
    days = pd.DatetimeIndex(days)
    windows = DEFAULT_HOLIDAY_WINDOWS if windows is None else windows
    out = pd.DataFrame(index=days)
    cols = {k: np.zeros(len(days)) for k in windows}
    years = sorted(set(days.year))
    for y in ([years[0] - 1] + years) if years else []:
        for k, span in windows.items():
            a, b = window_span(k, span, y)
            cols[k] = np.maximum(cols[k], ((days >= a) & (days <= b)).astype(float))
    for k, v in cols.items():
        out[k] = v
    if extra:
        e = np.zeros(len(days))
        for d in pd.to_datetime(list(extra)):
            e += (np.abs((days - d).days) <= 1).astype(float)
        out["extra"] = e
    return out.loc[:, out.std() > 0] if len(days) > 1 else out.iloc[:, :0]


def baseline_design(days: pd.DatetimeIndex, cfg: ViewThroughConfig) -> pd.DataFrame:
    """Intercept, piecewise-linear trend, weekday dummies, yearly harmonics, holiday windows."""
    days = pd.DatetimeIndex(days)
    n = len(days)
    t = (days - days[0]).days.to_numpy(dtype="float64") if n else np.zeros(0)
    span = max(t.max() if n else 1.0, 1.0)
    cols = {"intercept": np.ones(n), "trend": t / span}
    if cfg.trend_knot_days and n:
        for k in np.arange(cfg.trend_knot_days, span, cfg.trend_knot_days):
            cols[f"trend_after_{int(k)}"] = np.maximum(t - k, 0.0) / span
    for d in range(6):
        cols[f"weekday_{d}"] = (days.day_of_week == d).astype(float)
    doy = days.day_of_year.to_numpy(dtype="float64")
    for h in range(1, cfg.yearly_harmonics + 1):
        cols[f"yearly_sin{h}"] = np.sin(2 * np.pi * h * doy / 365.25)
        cols[f"yearly_cos{h}"] = np.cos(2 * np.pi * h * doy / 365.25)
    out = pd.DataFrame(cols, index=days)
    if cfg.holidays:
        out = out.join(holiday_windows(days, cfg.extra_holidays, cfg.holiday_windows))
    return out


def _autocorrelation_inflation(resid: np.ndarray, lags: int) -> float:
    """1 + 2 Σ_k max(r_k, 0): variance inflation of sums of autocorrelated residuals."""
    r = resid - resid.mean()
    denom = float(r @ r)
    if denom <= 0 or len(r) < 3:
        return 1.0
    acf = [float(r[:-k] @ r[k:]) / denom for k in range(1, min(lags, len(r) - 1) + 1)]
    return 1.0 + 2.0 * sum(max(a, 0.0) for a in acf)


def _gaussian_posterior(X: np.ndarray, y: np.ndarray, prior_mean: np.ndarray,
                        prior_sd: np.ndarray, sigma2: float) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and covariance of β in y = Xβ + ε, ε ~ N(0, σ²), β ~ N(m, diag(s²))."""
    prec = X.T @ X / sigma2 + np.diag(1.0 / prior_sd**2)
    rhs = X.T @ y / sigma2 + prior_mean / prior_sd**2
    cov = np.linalg.pinv(prec, hermitian=True)
    return cov @ rhs, cov


# ---------------------------------------------------------------------------- estimate

def _zeros(creators: pd.DataFrame) -> pd.DataFrame:
    ids = creators["creator_id"].astype("str").drop_duplicates().to_numpy() if len(creators) else []
    out = pd.DataFrame({"creator_id": pd.array(ids, dtype="str")})
    for c in OUTPUT_COLUMNS[1:]:
        out[c] = 0.0
    return out


def estimate_view_through(daily: pd.DataFrame, exposure: pd.DataFrame, creators: pd.DataFrame,
                          click_credit: pd.DataFrame, params: dict | None) -> pd.DataFrame:
    """Each roster creator's view-through conversions and revenue with an interval.

    daily: date, touchless_conversions, touchless_revenue (`view_through_inputs`).
    exposure: date, creator_id, platform, tier, authentic_impressions.
    creators: the roster (creator_id; every creator gets a row, 0 without exposure).
    click_credit: creator_id, platform, attributed_conversions, attributed_revenue — the visible
    (click-and-code) credit of another model; rows with a null platform (code credit) are spread
    over the creator's platforms by authentic impressions.
    Returns creator_id, view_through_conversions, view_through_revenue, view_through_ci_low,
    view_through_ci_high (conversions). Deterministic.
    """
    cfg = ViewThroughConfig.from_params(params)
    _require(daily, DAILY_COLUMNS, "daily")
    _require(exposure, EXPOSURE_COLUMNS, "exposure")
    _require(creators, ["creator_id"], "creators")
    _require(click_credit, ["creator_id", "platform", "attributed_conversions", "attributed_revenue"],
             "click_credit")
    out = _zeros(creators)
    fit = fit_view_through(daily, exposure, click_credit, cfg)
    if fit is None:
        return out
    units = fit["units"]
    by = units.groupby("creator_id")
    conv = by["vt"].sum()
    var = by["vt_var"].sum()  # units of a creator treated as independent (posterior cov ignored)
    z = norm.ppf(0.5 + cfg.interval / 2)
    # revenue per conversion: the creator's visible AOV shrunk toward the touchless average
    cc = click_credit.assign(creator_id=click_credit["creator_id"].astype("str"))
    cr = cc.groupby("creator_id")[["attributed_conversions", "attributed_revenue"]].sum()
    tl_conv = float(daily["touchless_conversions"].sum())
    aov0 = float(daily["touchless_revenue"].sum()) / tl_conv if tl_conv > 0 else 0.0
    k = cfg.aov_prior_conversions
    aov = ((cr["attributed_revenue"] + k * aov0) / (cr["attributed_conversions"] + k)).where(
        cr["attributed_conversions"] + k > 0, aov0)
    ids = out["creator_id"]
    c = ids.map(conv).fillna(0.0).astype("float64").to_numpy()
    sd = np.sqrt(ids.map(var).fillna(0.0).astype("float64").to_numpy())
    out["view_through_conversions"] = c
    out["view_through_revenue"] = c * ids.map(aov).fillna(aov0).astype("float64").to_numpy()
    out["view_through_ci_low"] = np.maximum(c - z * sd, 0.0)
    out["view_through_ci_high"] = c + z * sd
    extra = sorted(set(conv.index) - set(ids))
    if extra:
        log.warning("view-through: %d creator(s) with exposure are not in the roster and get no "
                    "row: %s", len(extra), extra[:10])
    return out


def unit_table(exposure: pd.DataFrame, click_credit: pd.DataFrame, days: pd.DatetimeIndex,
               cfg: ViewThroughConfig, touch_decay: dict | None = None
               ) -> tuple[pd.DataFrame, np.ndarray]:
    """Creator × platform units and their expected visible conversions per day.

    Returns (units, X) with X[d, u] = m_u · p_u(d): m_u the unit's expected visible conversions
    in the window (its visible credit, shrunk toward its tier × platform group's credit per
    impression), p_u its timing profile over the window's days — the adstocked touched
    conversions (clicks and codes show when the audience was reached) mixed with the adstocked
    authentic impressions with `impression_timing_weight` pseudo-conversions, so a unit with few
    touches takes its impressions' timing. Exposure before the window is carried in by the
    adstock. `touch_decay` maps a platform to its touches' λ (default `touch_adstock_decay`)."""
    prep = _prepare_units(exposure, click_credit, days, cfg)
    if prep is None:
        return pd.DataFrame(columns=["creator_id", "platform", "tier", "group", "expected_visible"]), np.zeros((len(days), 0))
    return _expected_visible_series(prep, cfg, touch_decay)


def _prepare_units(exposure: pd.DataFrame, click_credit: pd.DataFrame, days: pd.DatetimeIndex,
                   cfg: ViewThroughConfig) -> dict | None:
    """Units, their raw daily impressions and touches over the full range, and their levels."""
    e = exposure.copy()
    e["date"] = _utc_day(e["date"])
    e["creator_id"] = e["creator_id"].astype("str")
    e["platform"] = e["platform"].astype("str")
    e["authentic_impressions"] = e["authentic_impressions"].astype("float64").clip(lower=0).fillna(0.0)
    if "touched_conversions" not in e.columns:
        e["touched_conversions"] = 0.0
    e["touched_conversions"] = e["touched_conversions"].astype("float64").clip(lower=0).fillna(0.0)
    e = e[(e["date"] <= days[-1])]
    key = ["creator_id", "platform"]
    units = (e.groupby(key, as_index=False)
             .agg(tier=("tier", "first"), impressions=("authentic_impressions", "sum"),
                  touched=("touched_conversions", "sum")))
    units = units[(units["impressions"] > 0) | (units["touched"] > 0)].reset_index(drop=True)
    if units.empty:
        return None
    full = pd.date_range(min(e["date"].min(), days[0]), days[-1], freq="D")
    cols = pd.MultiIndex.from_frame(units[key])
    rows = np.searchsorted(full, days)

    def wide(col: str) -> np.ndarray:
        return (e.pivot_table(index="date", columns=key, values=col, aggfunc="sum")
                .reindex(full, fill_value=0.0).fillna(0.0).reindex(columns=cols, fill_value=0.0)).to_numpy()

    raw_touched = wide("touched_conversions")
    A = adstock(wide("authentic_impressions"), cfg.adstock_decay)[rows]
    units["window_exposure"] = A.sum(axis=0)
    # visible credit per unit; null-platform rows spread over the creator's units by exposure
    cc = click_credit.copy()
    cc["creator_id"] = cc["creator_id"].astype("str")
    cc["attributed_conversions"] = cc["attributed_conversions"].astype("float64").fillna(0.0)
    known = cc[cc["platform"].notna()].assign(platform=lambda d: d["platform"].astype("str"))
    credit = known.groupby(key)["attributed_conversions"].sum()
    units["credit"] = cols.map(credit).fillna(0.0).to_numpy(dtype="float64")
    nul = cc[cc["platform"].isna()].groupby("creator_id")["attributed_conversions"].sum()
    if len(nul):
        basis = units["touched"] + units["window_exposure"] / units["window_exposure"].sum()
        w = basis / basis.groupby(units["creator_id"]).transform("sum").replace(0, np.nan)
        units["credit"] += units["creator_id"].map(nul).fillna(0.0).to_numpy() * w.fillna(0.0).to_numpy()
    lost = set(cc.loc[cc["attributed_conversions"] > 0, "creator_id"]) - set(units["creator_id"])
    if lost:
        log.info("view-through: %d creator(s) with visible credit have no impressions or touches "
                 "in the window and get no view-through", len(lost))
    # expected visible conversions: credit per exposure shrunk toward the tier × platform group
    units["group"] = units["tier"].astype("str") + "|" + units["platform"]
    ex = units["window_exposure"]
    gp = units.groupby("platform")
    r_platform = gp["credit"].transform("sum") / gp["window_exposure"].transform("sum").clip(lower=1e-12)
    n0_p = cfg.prior_impressions_share * gp["window_exposure"].transform("median")
    gg = units.groupby("group")
    r_group = ((gg["credit"].transform("sum") + n0_p * r_platform)
               / (gg["window_exposure"].transform("sum") + n0_p)).fillna(0.0)
    n0 = cfg.prior_impressions_share * gg["window_exposure"].transform("median")
    rate = ((units["credit"] + n0 * r_group) / (ex + n0)).where(ex + n0 > 0, 0.0)
    units["expected_visible"] = np.where(ex > 0, rate * ex, units["credit"])
    a_share = A / np.where(ex.to_numpy() > 0, ex.to_numpy(), 1.0)[None, :]
    return {"units": units, "raw_touched": raw_touched, "rows": rows, "a_share": a_share}


def _expected_visible_series(prep: dict, cfg: ViewThroughConfig, touch_decay: dict | None
                             ) -> tuple[pd.DataFrame, np.ndarray]:
    """X[d, u] = m_u · p_u(d) for the given λ of touches per platform."""
    units = prep["units"].copy()
    lam = units["platform"].map(touch_decay or {}).fillna(cfg.touch_adstock_decay).to_numpy(dtype="float64")
    T = adstock(prep["raw_touched"], lam)[prep["rows"]]
    units["window_touched"] = T.sum(axis=0)
    units["touch_adstock_decay"] = lam
    # timing profile: touches with impressions as pseudo-touches
    k = cfg.impression_timing_weight
    has_ex = (units["window_exposure"].to_numpy() > 0).astype(float)
    prof = (T + k * prep["a_share"]) / np.maximum(units["window_touched"].to_numpy() + k * has_ex, 1e-12)[None, :]
    X = prof * units["expected_visible"].to_numpy()[None, :]
    return units, X


def uncredited_touched(exposure: pd.DataFrame, click_credit: pd.DataFrame,
                       days: pd.DatetimeIndex) -> np.ndarray:
    """Per day: creator-touched conversions the visible model did not credit to creators.

    A conversion whose journey touched a creator but which the visible model judged not caused
    by it (a baseline buyer who happened to click) left the touchless series because of the
    exposure: leaving it out would bias the ratio down. Per creator, the uncredited fraction
    f_c = clip(1 − C_c / T_c, 0, 1) of its touched conversions T_c in the window (C_c its visible
    credit) is added back on the days they happened: Σ_c f_c · T_c(d)."""
    if "touched_conversions" not in exposure.columns:
        return np.zeros(len(days))
    e = exposure[["date", "creator_id", "touched_conversions"]].copy()
    e["date"] = _utc_day(e["date"])
    e["creator_id"] = e["creator_id"].astype("str")
    e = e[e["date"].isin(days)]
    touched = e.groupby("creator_id")["touched_conversions"].sum()
    credit = (click_credit.assign(creator_id=click_credit["creator_id"].astype("str"))
              .groupby("creator_id")["attributed_conversions"].sum())
    f = (1.0 - credit.reindex(touched.index).fillna(0.0) / touched.where(touched > 0)).clip(0.0, 1.0).fillna(0.0)
    add = (e["touched_conversions"].astype("float64") * e["creator_id"].map(f).fillna(0.0)).groupby(e["date"]).sum()
    return add.reindex(days, fill_value=0.0).to_numpy(dtype="float64")


def _rows(days: pd.DatetimeIndex, cfg: ViewThroughConfig) -> np.ndarray | None:
    """Aggregation matrix from days to complete weeks (None for daily rows)."""
    if cfg.aggregation != "week":
        return None
    wk = np.arange(len(days)) // 7
    idx = np.flatnonzero(np.bincount(wk) == 7)
    M = np.zeros((len(idx), len(days)))
    for r, w in enumerate(idx):
        M[r, wk == w] = 1.0
    return M


def _pooled_fit(Bm: np.ndarray, x_all: np.ndarray, P: np.ndarray, y: np.ndarray,
                cfg: ViewThroughConfig) -> tuple[np.ndarray, float, np.ndarray]:
    """Baseline + ρ₀ + platform deviations: coefficients, σ², residuals (σ² re-estimated once)."""
    X1 = np.column_stack([Bm, x_all, P])
    s1 = np.r_[np.full(Bm.shape[1], cfg.baseline_prior_sd), cfg.global_prior_sd,
               np.full(P.shape[1], cfg.platform_prior_sd)]
    dof = max(len(y) - X1.shape[1], 1)
    sigma2 = float(np.var(y)) if np.var(y) > 0 else 1.0
    for _ in range(2):
        b1, _ = _gaussian_posterior(X1, y, np.zeros(X1.shape[1]), s1, sigma2)
        resid = y - X1 @ b1
        sigma2 = max(float(resid @ resid) / dof, 1e-9)
    return b1, sigma2, resid


def _design(units: pd.DataFrame, X_u: np.ndarray, M: np.ndarray | None):
    plat = pd.Categorical(units["platform"])
    grp = pd.Categorical(units["group"])
    P = np.column_stack([X_u[:, plat.codes == i].sum(axis=1) for i in range(len(plat.categories))])
    G = np.column_stack([X_u[:, grp.codes == i].sum(axis=1) for i in range(len(grp.categories))])
    x_all = X_u.sum(axis=1, keepdims=True)
    if M is not None:
        x_all, P, G, X_u = M @ x_all, M @ P, M @ G, M @ X_u
    return plat, grp, x_all, P, G, X_u


def select_touch_decay(prep: dict, Bm: np.ndarray, y: np.ndarray, M: np.ndarray | None,
                       cfg: ViewThroughConfig) -> dict:
    """λ of touches per platform from the data: coordinate search over `touch_adstock_grid`,
    each platform in turn (two passes), keeping the λ with the smallest residual sum of squares
    of the pooled fit. Empty grid: `touch_adstock_decay` everywhere."""
    platforms = sorted(prep["units"]["platform"].unique())
    chosen = {p: cfg.touch_adstock_decay for p in platforms}
    if not cfg.touch_adstock_grid:
        return chosen

    def sse(decays: dict) -> float:
        units, X_u = _expected_visible_series(prep, cfg, decays)
        _, _, x_all, P, _, _ = _design(units, X_u, M)
        _, _, resid = _pooled_fit(Bm, x_all, P, y, cfg)
        return float(resid @ resid)

    best = sse(chosen)
    for _ in range(2):
        for p in platforms:
            for lam in cfg.touch_adstock_grid:
                trial = {**chosen, p: float(lam)}
                v = sse(trial)
                if v < best - 1e-9:
                    best, chosen = v, trial
    return chosen


def fit_view_through(daily: pd.DataFrame, exposure: pd.DataFrame, click_credit: pd.DataFrame,
                     cfg: ViewThroughConfig) -> dict | None:
    """The regression; returns {"units": per-unit θ, vt, vt_var, …, "rho0", "platform", …}
    or None (logged) when there is nothing to estimate."""
    d = daily.copy()
    d["date"] = _utc_day(d["date"])
    use_first = cfg.response == "first" and "touchless_first_conversions" in d.columns
    ycols = ["touchless_conversions"] + (["touchless_first_conversions"] if use_first else [])
    d = d.groupby("date", as_index=True)[ycols].sum()
    if len(d) == 0:
        log.warning("view-through: no days of conversions; no view-through credit")
        return None
    days = pd.date_range(d.index.min(), d.index.max(), freq="D")
    y_all = d["touchless_conversions"].reindex(days, fill_value=0.0).to_numpy(dtype="float64")
    y = d[ycols[-1]].reindex(days, fill_value=0.0).to_numpy(dtype="float64")
    if len(days) < cfg.min_days:
        log.warning("view-through: %d day(s) of conversions, fewer than view_through.min_days = %d; "
                    "no view-through credit", len(days), cfg.min_days)
        return None
    if cfg.add_uncredited_touched:
        back = uncredited_touched(exposure, click_credit, days)
        y, y_all = y + back, y_all + back
    prep = _prepare_units(exposure, click_credit, days, cfg)
    if prep is None or prep["units"]["expected_visible"].sum() <= 0:
        log.warning("view-through: no creator has authentic impressions (or visible credit) in "
                    "the window; no view-through credit")
        return None
    B = baseline_design(days, cfg)
    M = _rows(days, cfg)
    if M is not None:
        B = pd.DataFrame(M @ B.to_numpy(), columns=B.columns)
        y, y_all = M @ y, M @ y_all
    B = B.loc[:, (B.std() > 1e-9) | (B.columns == "intercept")]
    Bm = B.to_numpy(dtype="float64")
    nb = Bm.shape[1]
    decays = select_touch_decay(prep, Bm, y, M, cfg)
    units, X_u = _expected_visible_series(prep, cfg, decays)
    plat, grp, x_all, P, G, X_u = _design(units, X_u, M)
    # 1) pooled fit (baseline + ρ₀ + platform deviations) for the noise variance
    _, sigma2, resid = _pooled_fit(Bm, x_all, P, y, cfg)
    infl = _autocorrelation_inflation(resid, cfg.autocorrelation_lags)
    # 2) full hierarchy: baseline, ρ₀, platform, tier × platform, creator × platform
    X = np.column_stack([Bm, x_all, P, G, X_u])
    s = np.r_[np.full(nb, cfg.baseline_prior_sd), cfg.global_prior_sd,
              np.full(P.shape[1], cfg.platform_prior_sd), np.full(G.shape[1], cfg.group_prior_sd),
              np.full(X_u.shape[1], cfg.creator_prior_sd)]
    beta, cov = _gaussian_posterior(X, y, np.zeros(X.shape[1]), s, sigma2)
    cov = cov * infl
    nP, nG, nU = P.shape[1], G.shape[1], X_u.shape[1]
    o = nb
    C = np.zeros((nU, X.shape[1]))   # θ_u = ρ₀ + a_p + a_g + δ_u as a linear map of β
    C[:, o] = 1.0
    C[np.arange(nU), o + 1 + plat.codes] = 1.0
    C[np.arange(nU), o + 1 + nP + grp.codes] = 1.0
    C[np.arange(nU), o + 1 + nP + nG + np.arange(nU)] = 1.0
    theta = C @ beta
    theta_var = ((C @ cov) * C).sum(axis=1)
    scale = 1.0
    if use_first:
        # first-time conversions carry the pattern with less noise; the level (all touchless
        # conversions per visible conversion) comes from the pooled fit of all touchless ones
        b_all, _, _ = _pooled_fit(Bm, x_all, P, y_all, cfg)
        b_first, _, _ = _pooled_fit(Bm, x_all, P, y, cfg)
        w = units["expected_visible"].to_numpy()
        r_all = float(np.average(b_all[nb] + b_all[nb + 1:][plat.codes], weights=w))
        r_first = float(np.average(b_first[nb] + b_first[nb + 1:][plat.codes], weights=w))
        scale = r_all / r_first if r_first > 0 and r_all > 0 else 1.0
        theta, theta_var = theta * scale, theta_var * scale**2
    ev = units["expected_visible"].to_numpy()
    vt = np.maximum(theta, 0.0) * ev
    units["theta"] = theta
    units["theta_sd"] = np.sqrt(theta_var)
    units["vt"] = vt
    th = np.maximum(theta, 0.0)
    # interval: the ratio's posterior, the spread of true ratios within a platform (formats,
    # audiences), the Poisson noise of the visible count the ratio multiplies and of the count itself
    units["vt_var"] = ev**2 * (theta_var + cfg.ratio_spread**2) + th**2 * ev + vt
    rho0 = float(beta[o]) * scale
    platform = pd.Series(rho0 + scale * beta[o + 1:o + 1 + nP], index=plat.categories, name="rho")
    log.info("view-through: ρ₀ %.2f; by platform %s; touch adstock %s; %.0f view-through "
             "conversions over %d creator × platform units (σ %.2f, autocorrelation inflation "
             "%.2f)", rho0, platform.round(2).to_dict(), decays, vt.sum(), nU, np.sqrt(sigma2), infl)
    return {"units": units, "rho0": rho0, "platform": platform, "sigma2": sigma2, "level_scale": scale,
            "inflation": infl, "touch_adstock_decay": decays,
            "baseline": pd.Series(beta[:nb], index=B.columns)}
