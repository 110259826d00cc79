"""Creator-driven conversions per day, observed and projected: the forecast's creator regressor.

The adstocked spend tracks the creator-caused conversions of a day only loosely (creators differ
tenfold in conversions per dollar). What a brand does see is each post's own response: the
conversions (or revenue) of converting journeys whose last creator touch is the post, by
conversion day (`series.touched_by_post`). Summed per day that is the observed creator
response r_t of the history. Its future is projected post by post (the actuaries' claims
"development" of an open cohort):

    κ(a)       share of a post's response arriving a days after its publishing day
               (a = 0 … A−1), from posts published at least A days before the origin:
               κ(a) = Σ_p R_p(a) / Σ_p Σ_{a'<A} R_p(a')
    K(a)       = Σ_{a' ≤ a} κ(a')            developed share at age a
    ρ          response per dollar of the mature posts: Σ_p Σ_a R_p(a) / Σ_p spend_p
    f_o        the same per campaign objective o, relative to ρ, its posts' spend weighed by
               their creators' ρ_c / ρ (objective_factors): awareness campaigns bring fewer
               conversions per dollar, and fewer purchases among them
    ρ_c        the same per creator, spend counted as f_o · spend (creator_rates); f_o and ρ_c
               fitted together by alternating the two (creator_and_objective_rates)
    post p of creator c on a campaign with objective o, published at age a_p on the origin T,
    O_p its response so far:
      prior_p  = ρ_c · f_o · spend_p
      remaining_p = (1 − K(a_p)) · (O_p + (1 − K(a_p)) · prior_p)     (Benktander: credibility
                   K on its own development, the rest on the prior)
      r_{T+h} += remaining_p · κ(a_p + h) / (1 − K(a_p))
    planned spend x_d on a future day d (contracts signed, campaign plans), weighted
    ρ_c · f_o / ρ (the budget not contracted yet: f_o):
      r_{T+h} += ρ · x_d · κ(T + h − d)

How far the projection errs is measured on the cross-validation folds (`projection_error`):
with x_h the projection made on a fold's origin and R_h the response that followed (of the
posts the origin's plan covered, `series.planned_post_ids`, when the forecast is conditional on
the plan), the fold's level error and its day-level dispersion are

    r = Σ_h R_h / Σ_h x_h        φ = Σ_h (R_h − r·x_h)² / Σ_h x_h

(φ: variance per unit of projected response, as for an over-dispersed count; posts land on
other days than planned and responses arrive in bursts). The forecast interval draws a fold f
and adds (r_f − 1)·x_h + √(φ_f·x_h)·z_h, z_h standard normal (model.regressor_error_draws).

History days carry r_t as observed; the series (history + horizon) is Prophet's creator
regressor (`ProphetSpec.regressor = "creator_response"`). No truth is used: posts, spend and
the journeys' conversions are exports.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def response_kernel(post_daily: pd.DataFrame, published: pd.Series, origin: pd.Timestamp,
                    max_age_days: int, column: str = "conversions",
                    fallback_half_life_days: float = 3.0) -> np.ndarray:
    """κ(0 … A−1) (module docstring) from posts published at least A days before `origin`
    (their response by `origin` only). post_daily: post_id, date, <column>; published: post_id
    -> publishing day. Falls back to a geometric kernel with half-life
    `fallback_half_life_days` when no post is mature."""
    a_max = int(max_age_days)
    if a_max < 1:
        raise ValueError("max_age_days must be >= 1 (conf forecasting.creator_response.max_age_days)")
    w = np.zeros(a_max)
    if len(post_daily) and len(published):   # a programme with no post yet: the fallback
        pub = post_daily["post_id"].map(published)
        age = (post_daily["date"] - pub).dt.days
        mature = pub <= origin - pd.Timedelta(days=a_max)
        ok = mature & (age >= 0) & (age < a_max) & (post_daily["date"] <= origin)
        w = np.bincount(age[ok].to_numpy("int64"),
                        weights=post_daily.loc[ok, column].to_numpy("float64"),
                        minlength=a_max)[:a_max]
    if w.sum() <= 0:
        w = 0.5 ** (np.arange(a_max) / float(fallback_half_life_days))
    return w / w.sum()


def _ultimate(post_daily: pd.DataFrame, post_spend: pd.DataFrame, origin: pd.Timestamp,
              kappa: np.ndarray, min_developed: float, column: str) -> pd.DataFrame:
    """Posts published by `origin` with their ultimate response u = O_p / K(a_p) and spend s,
    both 0 for a post whose developed share is below `min_developed` (creator_rates)."""
    ps = post_spend[post_spend["date"] <= origin]
    a_max = len(kappa)
    cum = np.cumsum(kappa)
    age = (origin - ps["date"]).dt.days.to_numpy("int64")
    developed = cum[np.clip(age, 0, a_max - 1)]
    resp = post_daily[post_daily["date"] <= origin].groupby("post_id")[column].sum()
    observed = ps["post_id"].astype("str").map(resp).fillna(0.0).to_numpy("float64")
    ok = developed >= min_developed
    return ps.assign(u=np.where(ok, observed / np.maximum(developed, 1e-12), 0.0),
                     s=np.where(ok, ps["spend_usd"].to_numpy("float64"), 0.0))


def _pooled_rate(u: pd.DataFrame) -> float:
    """ρ = Σ u ÷ Σ s (0 without developed spend)."""
    total_s = float(u["s"].sum())
    return float(u["u"].sum()) / total_s if total_s > 0 else 0.0


def _factor_of(objectives: pd.Series, factors: pd.Series | None) -> np.ndarray:
    """f_o of each row's objective (1 without factors, an objective or a factor for it)."""
    if factors is None or factors.empty:
        return np.ones(len(objectives))
    return objectives.astype("str").map(factors).astype("float64").fillna(1.0).to_numpy()


def _shrunk_sums(keys: pd.Series, u: np.ndarray, s: np.ndarray, shrinkage_usd: float,
                 rho: float) -> pd.Series:
    """key -> (U_k + m·ρ) ÷ (S_k + m) over the rows with a key."""
    by = pd.DataFrame({"k": keys.astype("str").to_numpy(), "u": u, "s": s})[keys.notna().to_numpy()]
    by = by.groupby("k")[["u", "s"]].sum()
    return (by["u"] + shrinkage_usd * rho) / (by["s"] + shrinkage_usd)


def _objective_step(u: pd.DataFrame, rho: float, shrinkage_usd: float,
                    rates: pd.Series | None) -> pd.Series:
    """f_o given creator rates (None: every creator at ρ), module docstring."""
    if "objective" not in u.columns or rho <= 0:
        return pd.Series(dtype="float64")
    rel = (np.ones(len(u)) if rates is None else
           u["creator_id"].astype("str").map(rates).astype("float64").fillna(rho).to_numpy() / rho)
    return _shrunk_sums(u["objective"], u["u"].to_numpy(), u["s"].to_numpy() * rel,
                        shrinkage_usd, rho) / rho


def _creator_step(u: pd.DataFrame, rho: float, shrinkage_usd: float,
                  factors: pd.Series | None) -> pd.Series:
    """ρ_c given objective factors (None: every objective at 1), module docstring."""
    f = _factor_of(u["objective"], factors) if "objective" in u.columns else np.ones(len(u))
    return _shrunk_sums(u["creator_id"], u["u"].to_numpy(), u["s"].to_numpy() * f,
                        shrinkage_usd, rho)


def objective_factors(post_daily: pd.DataFrame, post_spend: pd.DataFrame,
                      origin: pd.Timestamp, kappa: np.ndarray, shrinkage_usd: float,
                      min_developed: float, column: str = "conversions",
                      rates: pd.Series | None = None) -> pd.Series:
    """objective -> f_o: the ultimate response per dollar of the posts of campaigns with that
    objective, relative to all posts', shrunk toward 1 (module docstring):

        f_o = ((U_o + m·ρ) / (S̃_o + m)) / ρ,   S̃_o = Σ_{p in o} (ρ_c(p) / ρ) · spend_p

    (awareness campaigns bring fewer conversions per dollar, and fewer of them purchases,
    than conversion campaigns). Without creator `rates` every creator counts at ρ (S̃_o is the
    objective's spend); with them, the objective's posts are weighed by how good their
    creators are, so an objective worked mostly by weak creators is not blamed for them.
    post_spend: post_id, creator_id, date, spend_usd, objective (posts without one are left
    out of the objectives' sums, not of ρ). Empty without an objective column or developed
    response."""
    if "objective" not in post_spend.columns:
        return pd.Series(dtype="float64")
    u = _ultimate(post_daily, post_spend, origin, kappa, min_developed, column)
    return _objective_step(u, _pooled_rate(u), shrinkage_usd, rates)


def creator_rates(post_daily: pd.DataFrame, post_spend: pd.DataFrame, origin: pd.Timestamp,
                  kappa: np.ndarray, shrinkage_usd: float, min_developed: float,
                  column: str = "conversions",
                  factors: pd.Series | None = None) -> tuple[float, pd.Series]:
    """(ρ, ρ_c): ultimate response per dollar of all posts, and per creator shrunk toward it.

    A post published by `origin` at age a with developed share K(a) ≥ min_developed counts
    with its ultimate response O_p / K(a) and its spend; younger posts are left out (too little
    seen). ρ_c = (U_c + m·ρ) / (S_c + m), m = shrinkage_usd: a creator with little spend seen
    stays near everyone's rate. With objective `factors` (objective_factors; post_spend then
    has an objective column) a post's spend counts as f_o · spend in S_c: ρ_c is the
    creator's rate with the objective's effect taken out (its response to spend x on a campaign
    with objective o is ρ_c · f_o · x). post_spend: post_id, creator_id, date, spend_usd."""
    u = _ultimate(post_daily, post_spend, origin, kappa, min_developed, column)
    if u.empty:
        return 0.0, pd.Series(dtype="float64")
    rho = _pooled_rate(u)
    return rho, _creator_step(u, rho, shrinkage_usd, factors)


def creator_and_objective_rates(post_daily: pd.DataFrame, post_spend: pd.DataFrame,
                                origin: pd.Timestamp, kappa: np.ndarray, shrinkage_usd: float,
                                min_developed: float, column: str = "conversions",
                                rounds: int = 1) -> tuple[float, pd.Series, pd.Series | None]:
    """(ρ, ρ_c, f_o) fitted together: the response per dollar of creator c on a campaign with
    objective o is ρ_c · f_o. Alternates `objective_factors` (given the creators' rates) and
    `creator_rates` (given the factors), starting from every creator at ρ, `rounds` times
    (iterative proportional fitting of the two margins; 1 round: the factors from the
    objectives' own spend). A creator's quality and the objectives they work on are then told
    apart as far as the creators work on more than one objective. f_o is None without an
    objective column."""
    u = _ultimate(post_daily, post_spend, origin, kappa, min_developed, column)
    if u.empty:
        return 0.0, pd.Series(dtype="float64"), None
    rho = _pooled_rate(u)
    if "objective" not in u.columns:
        return rho, _creator_step(u, rho, shrinkage_usd, None), None
    if int(rounds) < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds} "
                         "(conf forecasting.creator_response.objective_rounds)")
    rates = None
    for _ in range(int(rounds)):
        factors = _objective_step(u, rho, shrinkage_usd, rates)
        rates = _creator_step(u, rho, shrinkage_usd, factors)
    return rho, rates, factors


def contract_weights(contracts: pd.DataFrame, rates: pd.Series, rho: float,
                     by_campaign: pd.Series | None = None) -> pd.Series:
    """contract_id -> ρ_c · f_o / ρ of its creator and its campaign's objective (ρ_c = ρ for a
    creator without a rate; f_o from `by_campaign`, campaign_id -> f_o as `campaign_weights`
    gives it, 1 without): the weight that turns a contract's planned spend into
    `effective_spend_usd` (series.daily_spend)."""
    ids = contracts["contract_id"].astype("str")
    f = np.ones(len(contracts))
    if by_campaign is not None:
        f = by_campaign.reindex(contracts["campaign_id"].astype("str")).fillna(1.0) \
            .to_numpy("float64")
    if rho <= 0:
        return pd.Series(f, index=ids)
    r = contracts["creator_id"].astype("str").map(rates).astype("float64").fillna(rho)
    return pd.Series((r / rho).to_numpy() * f, index=ids)


def campaign_weights(campaigns: pd.DataFrame, factors: pd.Series | None) -> pd.Series:
    """campaign_id -> f_o of its objective (1 without one or without a factor for it): the
    weight of its budget not contracted yet (series.daily_spend)."""
    ids = campaigns["campaign_id"].astype("str")
    if "objective" not in campaigns.columns:
        return pd.Series(1.0, index=ids)
    return pd.Series(_factor_of(campaigns["objective"], factors), index=ids)


def creator_response_series(post_daily: pd.DataFrame, post_spend: pd.DataFrame,
                            days: pd.DatetimeIndex, origin: pd.Timestamp,
                            planned_spend: np.ndarray, kappa: np.ndarray, rho: float,
                            rates: pd.Series, column: str = "conversions",
                            factors: pd.Series | None = None) -> np.ndarray:
    """Observed creator response on `days` up to `origin`, projected after it (module docstring).

    post_daily: post_id, date, <column> (response by conversion day; dates after `origin` are
    ignored); post_spend: post_id, creator_id, date (publishing day), spend_usd (posts
    published after `origin` are ignored); planned_spend: spend per day of `days` weighted by
    its creators' rates and its campaigns' objectives (ρ_c · f_o / ρ; the budget not contracted
    yet f_o: effective_spend_usd; only the days after `origin` are used);
    kappa, rho, rates: response_kernel and creator_rates at `origin`; factors: their objective
    factors (an open post's prior is then ρ_c · f_o · spend; post_spend has an objective
    column). Aligned with `days`."""
    days = pd.DatetimeIndex(days)
    origin = pd.Timestamp(origin)
    a_max = len(kappa)
    cum = np.cumsum(kappa)
    pd_ = post_daily[post_daily["date"] <= origin]
    ps = post_spend[post_spend["date"] <= origin]
    out = pd_.groupby("date")[column].sum().reindex(days, fill_value=0.0).to_numpy("float64").copy()
    future = days > origin
    out[future] = 0.0
    if not future.any():
        return out
    h_idx = np.flatnonzero(future)
    h_off = (days[future] - origin).days.to_numpy()          # 1, 2, … days after the origin
    age = (origin - ps["date"]).dt.days.to_numpy("int64")
    open_ = age < a_max
    if open_.any():
        o = ps[open_]
        a = age[open_]
        resp = pd_.groupby("post_id")[column].sum()
        observed = o["post_id"].astype("str").map(resp).fillna(0.0).to_numpy("float64")
        rate = o["creator_id"].astype("str").map(rates).astype("float64").fillna(rho).to_numpy()
        f = _factor_of(o["objective"], factors) if "objective" in o.columns else 1.0
        prior = rate * f * o["spend_usd"].to_numpy("float64")
        left = 1.0 - cum[np.clip(a, 0, a_max - 1)]
        remaining = left * (observed + left * prior)
        ages = a[:, None] + h_off[None, :]                    # age on each future day
        share = np.where(ages < a_max, kappa[np.clip(ages, 0, a_max - 1)], 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            per = np.where(left[:, None] > 1e-12, remaining[:, None] * share / left[:, None], 0.0)
        out[h_idx] += per.sum(axis=0)
    plan = np.asarray(planned_spend, dtype="float64")
    if plan.shape[0] != len(days):
        raise ValueError(f"planned_spend has {plan.shape[0]} days, expected {len(days)}")
    for j, d in zip(h_idx, h_off, strict=True):
        if plan[j] <= 0:
            continue
        lag = h_off - d                                       # days after the spend day
        ok = (lag >= 0) & (lag < a_max)
        out[h_idx[ok]] += rho * plan[j] * kappa[lag[ok]]
    return out


def creator_regressor(post_response: pd.DataFrame, posts: pd.DataFrame, contracts: pd.DataFrame,
                      campaigns: pd.DataFrame, origin: pd.Timestamp, days: pd.DatetimeIndex,
                      horizon_days: int, metric: str, max_age_days: int, shrinkage_usd: float,
                      min_developed: float, fallback_half_life_days: float = 3.0,
                      later_deliverables_after_days: int = 2,
                      uncontracted_profile_bins: int = 10,
                      by_objective: bool = True, objective_rounds: int = 1) -> np.ndarray:
    """The total series' creator regressor on `days` as the brand would build it on `origin`:
    the response observed by then, the open posts' projected tails, and the plan (contracts
    signed and posts published by `origin`) at its creators' rates and, with `by_objective`,
    its campaigns' objective factors (fitted together in `objective_rounds` rounds:
    creator_and_objective_rates). post_response: post_id, date, conversions, revenue
    (series.touched_by_post)."""
    from roi_ml.forecasting import series as fs

    origin = pd.Timestamp(origin)
    ps = fs.post_spend(posts, contracts, origin)[["post_id", "creator_id", "campaign_id", "date",
                                                  "spend_usd"]]
    ps = ps.assign(post_id=ps["post_id"].astype("str"), creator_id=ps["creator_id"].astype("str"))
    if by_objective and "objective" in campaigns.columns:
        ps = ps.assign(objective=ps["campaign_id"].astype("str").map(
            campaigns.set_index(campaigns["campaign_id"].astype("str"))["objective"]))
    resp = post_response.assign(post_id=post_response["post_id"].astype("str"))
    published = ps.set_index("post_id")["date"]
    kappa = response_kernel(resp, published, origin, max_age_days, metric, fallback_half_life_days)
    rho, rates, factors = creator_and_objective_rates(resp, ps, origin, kappa, shrinkage_usd,
                                                      min_developed, metric, objective_rounds)
    by_campaign = campaign_weights(campaigns, factors)
    plan = fs.spend_as_planned_on(posts, contracts, campaigns, origin, horizon_days,
                                  contract_weights(contracts, rates, rho, by_campaign),
                                  later_deliverables_after_days, uncontracted_profile_bins,
                                  by_campaign)
    planned = fs.spend_for_series(plan, fs.SERIES_TOTAL, days, "effective_spend_usd")
    return creator_response_series(resp, ps, days, origin, planned, kappa, rho, rates, metric,
                                   factors)


def projection_error(projected: np.ndarray, realised: np.ndarray) -> tuple[float, float]:
    """(r, φ) of one fold (module docstring): the realised ÷ projected response over the
    horizon and the day-level dispersion around r·x; (nan, nan) when nothing was projected."""
    x = np.asarray(projected, dtype="float64")
    big_r = np.asarray(realised, dtype="float64")
    if x.shape != big_r.shape:
        raise ValueError(f"projected and realised lengths differ: {x.shape} vs {big_r.shape}")
    total = float(x.sum())
    if not total > 0:
        return float("nan"), float("nan")
    r = float(big_r.sum()) / total
    return r, float(((big_r - r * x) ** 2).sum()) / total


def realised_response(post_response: pd.DataFrame, post_ids: pd.Index | None,
                      days: pd.DatetimeIndex, column: str = "conversions") -> np.ndarray:
    """Observed response per day of `days` of the posts `post_ids` (None: every post)."""
    pr = post_response
    if post_ids is not None:
        pr = pr[pr["post_id"].astype("str").isin(set(post_ids))]
    return (pr.groupby("date")[column].sum().reindex(pd.DatetimeIndex(days), fill_value=0.0)
            .to_numpy("float64"))
