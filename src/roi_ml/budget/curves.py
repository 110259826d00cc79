"""Per-creator response curves: Hill saturation of conversions against spend, fitted with
partial pooling toward tier × platform priors (penalised quasi-likelihood, empirical Bayes for
the spread between creators), with bootstrap draws for uncertainty.

The formulas are in docs/metrics.md ("Response curves and budget allocation"). Plain numpy /
pandas / scipy: a notebook can use it without Kedro::

    from roi_ml.budget.curves import PooledHillCurves
    model = PooledHillCurves().fit(observations, creators)
    model.curves_              # one row per creator: vmax, ec50_usd, slope, revenue per conversion
    model.predict(creator_ids, spend_usd)

Model, one observation i per contract of creator c (spend s, attributed conversions y):

    E[y_i] = exp(a_c + k_i·(log φ + γ_c) + w_i·log ω) · hill(s_i; 1, ec50_c, n)
    ec50_c = u_c · exp(b_c)         u_c: the creator's fee per deliverable (its price scale)

k_i = contracts the creator had before (familiarity growth per contract: φ shared, times the
creator's own e^γ_c), w_i = 1 for awareness campaigns (multiplier ω, shared), n the shared Hill
slope. Priors (partial pooling):

    a_c ~ N(α0 + α_tier + α_platform + α_tier×platform + Σ_j β_j·z_cj, τ_a²)
                                                   τ_a estimated (empirical Bayes, Laplace EM)
    z_cj = log(x_cj) − median_c log(x_cj)          the level covariates (CurveSettings.level_covariates:
                                                   by default displayed followers and the fee per
                                                   deliverable; the pipeline can add observable
                                                   exposure: reach, impressions, link clicks per post)
    b_c ~ N(b0, τ_b²)                              τ_b from conf
    γ_c ~ N(0, τ_g²)                               τ_g estimated (empirical Bayes)

The group effects α carry ridge penalties (conf), so a tier × platform cell with few creators
borrows from its tier and platform, and a creator with one or two contracts from its cell.
The loss is the Poisson deviance scaled by an estimated dispersion ϕ (attributed conversions
are fractional and overdispersed), plus the priors; minimised with L-BFGS and an analytic
gradient.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit
from threadpoolctl import threadpool_limits

from roi_ml.simulator.curves import hill

log = logging.getLogger(__name__)

OBSERVATION_COLUMNS = ["creator_id", "spend_usd", "conversions", "revenue", "prior_contracts",
                       "is_awareness"]
CREATOR_COLUMNS = ["creator_id", "tier", "platform", "spend_scale_usd",
                   "contracts_to_date"]


# ------------------------------------------------------------------------------ formulas
def hill_curve(spend, vmax, ec50, slope) -> np.ndarray:
    """Hill saturation vmax · s^n / (s^n + ec50^n) (0 at zero spend, vmax/2 at ec50)."""
    return hill(spend, vmax, ec50, slope)


def hill_derivative(spend, vmax, ec50, slope) -> np.ndarray:
    """d/ds of hill_curve: vmax · n · s^(n−1) · ec50^n / (s^n + ec50^n)².

    Written as vmax · n / s · h(1 − h) with h = s^n / (s^n + ec50^n) (numerically stable);
    at s = 0 it is 0 for n > 1, vmax/ec50 for n = 1 and +inf for n < 1.
    """
    s = np.asarray(spend, dtype=float)
    vmax, ec50, slope = (np.asarray(x, dtype=float) for x in (vmax, ec50, slope))
    with np.errstate(divide="ignore", invalid="ignore"):
        h = hill_curve(s, 1.0, ec50, slope)
        d = vmax * slope * h * (1.0 - h) / s
        at_zero = np.where(slope > 1, 0.0, np.where(slope == 1, vmax / ec50, np.inf))
    return np.where(s > 0, d, at_zero)


# ------------------------------------------------------------------------------ settings
@dataclass
class CurveSettings:
    """Tunable numbers of the fit (conf: budget.curves)."""

    tau_b: float = 0.35            # prior sd of log(ec50 / price scale) between creators
    tau_a_init: float = 1.0        # starting sd of log vmax around its prior (EB re-estimates)
    tau_a_min: float = 0.05        # floor of the estimated sd (keeps the EB loop off zero)
    tau_g_init: float = 0.08       # starting sd of the creators' log familiarity growth (EB re-estimates)
    tau_g_min: float = 0.01        # floor of that estimated sd
    group_sd: float = 1.0          # ridge sd of the tier and platform effects
    cell_sd: float = 0.3           # ridge sd of the tier × platform interaction
    covariate_sd: float = 1.0          # ridge sd of the level covariates' slopes
    level_covariates: tuple[str, ...] = ("followers", "spend_scale_usd")  # creators columns, log scale
    b0_prior_mean: float = 0.7     # prior mean of log(ec50 / price scale): ec50 ≈ 2 deliverables
    b0_prior_sd: float = 1.0
    slope_prior_sd: float = 0.4    # prior sd of log n around 0 (n = 1)
    familiarity_prior_sd: float = 0.1   # prior sd of log φ around 0
    awareness_prior_sd: float = 0.5     # prior sd of log ω around 0
    revenue_prior_conversions: float = 10.0  # pseudo-conversions pulling revenue/conversion to its group
    eb_iterations: int = 8
    n_bootstrap: int = 50
    random_state: int = 0
    next_is_awareness: bool = False  # is the planned period an awareness campaign?


# ------------------------------------------------------------------------------ design
@dataclass
class _Design:
    """Index arrays of one fit (built once, reused by the bootstrap)."""

    creator_ids: np.ndarray
    obs_creator: np.ndarray          # creator index of each observation
    log_x: np.ndarray                # log(spend / price scale) per observation
    prior_k: np.ndarray              # contracts before this one
    aware: np.ndarray                # 1.0 for awareness campaigns
    tier: np.ndarray                 # tier index per creator
    plat: np.ndarray                 # platform index per creator
    cell: np.ndarray                 # tier × platform index per creator
    Z: np.ndarray                    # level covariates (n_creators × p), log scale, centred
    n_tier: int
    n_plat: int
    n_cell: int
    has_data: np.ndarray = field(default=None)

    @property
    def n_creators(self) -> int:
        return len(self.creator_ids)


class _Layout:
    """Positions of each parameter block in the flat vector."""

    def __init__(self, d: _Design) -> None:
        sizes = [("a", d.n_creators), ("b", d.n_creators), ("g", d.n_creators), ("alpha0", 1), ("tier", d.n_tier),
                 ("plat", d.n_plat), ("cell", d.n_cell), ("beta", d.Z.shape[1]),
                 ("b0", 1), ("eta", 1), ("log_phi", 1), ("log_omega", 1)]
        self.slices = {}
        start = 0
        for name, size in sizes:
            self.slices[name] = slice(start, start + size)
            start += size
        self.size = start

    def get(self, theta: np.ndarray, name: str) -> np.ndarray:
        return theta[self.slices[name]]


def _prior_mean_a(theta: np.ndarray, L: _Layout, d: _Design) -> np.ndarray:
    return (L.get(theta, "alpha0")[0] + L.get(theta, "tier")[d.tier] + L.get(theta, "plat")[d.plat]
            + L.get(theta, "cell")[d.cell] + d.Z @ L.get(theta, "beta"))


def _log_mu(theta: np.ndarray, L: _Layout, d: _Design) -> tuple[np.ndarray, np.ndarray]:
    """(log μ per observation, Hill fraction h per observation)."""
    a, b = L.get(theta, "a"), L.get(theta, "b")
    n = np.exp(L.get(theta, "eta")[0])
    z = n * (d.log_x - b[d.obs_creator])
    h = expit(z)
    log_h = -np.logaddexp(0.0, -z)
    growth = L.get(theta, "log_phi")[0] + L.get(theta, "g")[d.obs_creator]
    log_mu = (a[d.obs_creator] + d.prior_k * growth
              + d.aware * L.get(theta, "log_omega")[0] + log_h)
    return log_mu, h


def _loss_grad(theta: np.ndarray, L: _Layout, d: _Design, y: np.ndarray, dispersion: float,
               tau_a: float, tau_g: float, s: CurveSettings) -> tuple[float, np.ndarray]:
    """Penalised negative quasi-log-likelihood and its exact gradient."""
    grad = np.zeros_like(theta)
    log_mu, h = _log_mu(theta, L, d)
    log_mu = np.minimum(log_mu, 50.0)
    mu = np.exp(log_mu)
    loss = float(np.sum(mu - y * log_mu)) / dispersion
    r = (mu - y) / dispersion                       # d loss / d log μ
    c = d.obs_creator
    nc = d.n_creators
    n = np.exp(L.get(theta, "eta")[0])
    b = L.get(theta, "b")
    one_minus_h = 1.0 - h                           # d log h / d z
    grad[L.slices["a"]] += np.bincount(c, weights=r, minlength=nc)
    grad[L.slices["b"]] += np.bincount(c, weights=r * one_minus_h * (-n), minlength=nc)
    grad[L.slices["eta"]] += np.sum(r * one_minus_h * n * (d.log_x - b[c]))
    grad[L.slices["log_phi"]] += np.sum(r * d.prior_k)
    grad[L.slices["g"]] += np.bincount(c, weights=r * d.prior_k, minlength=nc)
    g = L.get(theta, "g")
    loss += 0.5 * float(np.sum(g**2)) / tau_g**2
    grad[L.slices["g"]] += g / tau_g**2
    grad[L.slices["log_omega"]] += np.sum(r * d.aware)

    # prior of a around its group mean
    a = L.get(theta, "a")
    dev = (a - _prior_mean_a(theta, L, d)) / tau_a**2
    loss += 0.5 * float(np.sum((a - _prior_mean_a(theta, L, d)) ** 2)) / tau_a**2
    grad[L.slices["a"]] += dev
    grad[L.slices["alpha0"]] -= np.sum(dev)
    grad[L.slices["tier"]] -= np.bincount(d.tier, weights=dev, minlength=d.n_tier)
    grad[L.slices["plat"]] -= np.bincount(d.plat, weights=dev, minlength=d.n_plat)
    grad[L.slices["cell"]] -= np.bincount(d.cell, weights=dev, minlength=d.n_cell)
    grad[L.slices["beta"]] -= d.Z.T @ dev

    # prior of b around b0
    b0 = L.get(theta, "b0")[0]
    devb = (b - b0) / s.tau_b**2
    loss += 0.5 * float(np.sum((b - b0) ** 2)) / s.tau_b**2
    grad[L.slices["b"]] += devb
    grad[L.slices["b0"]] -= np.sum(devb)

    # ridge penalties on the hyper-parameters: (block, centre, sd)
    for name, centre, sd in (("tier", 0.0, s.group_sd), ("plat", 0.0, s.group_sd),
                             ("cell", 0.0, s.cell_sd), ("beta", 0.0, s.covariate_sd),
                             ("b0", s.b0_prior_mean, s.b0_prior_sd),
                             ("eta", 0.0, s.slope_prior_sd),
                             ("log_phi", 0.0, s.familiarity_prior_sd),
                             ("log_omega", 0.0, s.awareness_prior_sd)):
        v = L.get(theta, name)
        loss += 0.5 * float(np.sum((v - centre) ** 2)) / sd**2
        grad[L.slices[name]] += (v - centre) / sd**2
    return loss, grad


def _minimise(theta0, L, d, y, dispersion, tau_a, tau_g, s, ftol: float = 1e-10) -> np.ndarray:
    res = minimize(_loss_grad, theta0, args=(L, d, y, dispersion, tau_a, tau_g, s), jac=True,
                   method="L-BFGS-B", options={"maxiter": 3000, "ftol": ftol, "gtol": 1e-6})
    return res.x


# ------------------------------------------------------------------------------ estimator
class PooledHillCurves:
    """Hill curves per creator with partial pooling (see the module docstring).

    fit(observations, creators):
      observations: one row per contract — creator_id, spend_usd (> 0), conversions, revenue
        (attributed), prior_contracts (contracts the creator had before this one),
        is_awareness (bool).
      creators: one row per creator to give a curve — creator_id, tier, platform, followers,
        spend_scale_usd (price scale: fee per deliverable), contracts_to_date (contracts so far:
        the planned period is contract number contracts_to_date + 1). Creators without
        observations get their prior curve.

    Results: curves_ (one row per creator, the curve of the next contract), draws_ (bootstrap
    draws of the same parameters: dict of arrays, shape (n_bootstrap, n_creators)),
    globals_ (slope, familiarity growth, awareness multiplier, τ_a, dispersion).
    """

    def __init__(self, settings: CurveSettings | None = None) -> None:
        self.settings = settings or CurveSettings()

    # ---------------------------------------------------------------- inputs
    @staticmethod
    def _check(frame: pd.DataFrame, columns: list[str], what: str) -> None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"{what} lacks column(s) {missing}; expected {columns}")

    @staticmethod
    def _log_covariate(creators: pd.DataFrame, col: str) -> np.ndarray:
        """log of a positive creator covariate, centred on its median; missing or non-positive
        values get the median (0 after centring: no information, the prior leans on the rest)."""
        if col not in creators.columns:
            raise ValueError(f"creators lacks the level covariate column '{col}' "
                             f"(conf budget.curves.level_covariates)")
        x = pd.to_numeric(creators[col], errors="coerce").astype("float64").to_numpy()
        ok = np.isfinite(x) & (x > 0)
        if not ok.any():
            return np.zeros(len(x))
        lx = np.log(np.where(ok, x, 1.0))
        lx = lx - np.median(lx[ok])
        return np.where(ok, lx, 0.0)

    def _design(self, obs: pd.DataFrame, creators: pd.DataFrame) -> _Design:
        ids = creators["creator_id"].astype("str").to_numpy()
        pos = pd.Series(np.arange(len(ids)), index=ids)
        unknown = ~obs["creator_id"].astype("str").isin(pos.index)
        if unknown.any():
            raise ValueError(f"observations name creators missing from the creators frame: "
                             f"{sorted(obs.loc[unknown, 'creator_id'].astype('str').unique())[:5]}")
        c = pos.loc[obs["creator_id"].astype("str")].to_numpy()
        scale = creators["spend_scale_usd"].to_numpy(dtype=float)
        if not np.all(np.isfinite(scale) & (scale > 0)):
            raise ValueError("creators.spend_scale_usd must be positive for every creator")
        tier = pd.Categorical(creators["tier"].astype("str"))
        plat = pd.Categorical(creators["platform"].astype("str"))
        cell = pd.Categorical(creators["tier"].astype("str") + "×" + creators["platform"].astype("str"))
        covs = list(self.settings.level_covariates)
        Z = (np.column_stack([self._log_covariate(creators, col) for col in covs]) if covs
             else np.zeros((len(ids), 0)))
        d = _Design(
            creator_ids=ids, obs_creator=c,
            log_x=np.log(obs["spend_usd"].to_numpy(dtype=float) / scale[c]),
            prior_k=obs["prior_contracts"].to_numpy(dtype=float),
            aware=obs["is_awareness"].astype(bool).to_numpy().astype(float),
            tier=tier.codes.astype(int), plat=plat.codes.astype(int), cell=cell.codes.astype(int),
            Z=Z,
            n_tier=len(tier.categories), n_plat=len(plat.categories), n_cell=len(cell.categories))
        d.has_data = np.bincount(c, minlength=len(ids)) > 0
        self._categories = (list(tier.categories), list(plat.categories))
        return d

    # ---------------------------------------------------------------- fit
    def fit(self, observations: pd.DataFrame, creators: pd.DataFrame) -> PooledHillCurves:
        # One BLAS thread: L-BFGS-B's small dense products are 20x slower when OpenBLAS
        # spreads them over threads on a busy machine.
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(observations, creators)

    def _fit(self, observations: pd.DataFrame, creators: pd.DataFrame) -> PooledHillCurves:
        s = self.settings
        self._check(observations, OBSERVATION_COLUMNS, "observations")
        self._check(creators, CREATOR_COLUMNS, "creators")
        if creators["creator_id"].duplicated().any():
            raise ValueError("creators has duplicated creator_id")
        obs = observations.reset_index(drop=True)
        if (obs["spend_usd"].to_numpy(dtype=float) <= 0).any():
            raise ValueError("observations.spend_usd must be > 0 (drop contracts with no spend)")
        self.creators_ = creators.reset_index(drop=True).copy()
        d = self._design(obs, self.creators_)
        L = _Layout(d)
        y = np.maximum(obs["conversions"].to_numpy(dtype=float), 0.0)
        rev = np.maximum(obs["revenue"].to_numpy(dtype=float), 0.0)
        self._d, self._L, self._y, self._rev = d, L, y, rev

        theta = np.zeros(L.size)
        theta[L.slices["b"]] = s.b0_prior_mean
        theta[L.slices["b0"]] = s.b0_prior_mean
        if y.sum() > 0:
            _, h = _log_mu(theta, L, d)
            level = np.log(y.sum() / h.sum())
        else:
            level = np.log(1e-6)
        theta[L.slices["a"]] = level
        theta[L.slices["alpha0"]] = level

        tau_a, tau_g, dispersion = s.tau_a_init, s.tau_g_init, 1.0
        if y.sum() > 0 and len(y):
            for _ in range(max(1, s.eb_iterations)):
                theta = _minimise(theta, L, d, y, dispersion, tau_a, tau_g, s)
                new_tau_a, new_tau_g, new_disp = self._eb_update(theta, y, tau_a, tau_g, dispersion)
                converged = (abs(new_tau_a - tau_a) < 1e-3 * tau_a and abs(new_tau_g - tau_g) < 1e-3 * tau_g
                             and abs(new_disp - dispersion) < 1e-3 * dispersion)
                tau_a, tau_g, dispersion = new_tau_a, new_tau_g, new_disp
                if converged:
                    break
            theta = _minimise(theta, L, d, y, dispersion, tau_a, tau_g, s)
        else:
            log.warning("Response curves: no attributed conversions in %d observations; every "
                        "curve is flat at zero.", len(y))
        self.theta_, self.tau_a_, self.tau_g_, self.dispersion_ = theta, tau_a, tau_g, dispersion
        log_mu, _ = _log_mu(theta, L, d)
        info = np.bincount(d.obs_creator, weights=np.exp(log_mu), minlength=d.n_creators) / dispersion
        self.shrinkage_weight_ = info * tau_a**2 / (1.0 + info * tau_a**2)
        self.revenue_per_conversion_ = self._revenue_per_conversion(y, rev)
        self.curves_ = self._curves(theta, self.revenue_per_conversion_)
        self.globals_ = {
            "hill_slope": float(np.exp(L.get(theta, "eta")[0])),
            "familiarity_growth": float(np.exp(L.get(theta, "log_phi")[0]) - 1.0),
            "awareness_multiplier": float(np.exp(L.get(theta, "log_omega")[0])),
            "ec50_to_price_scale": float(np.exp(L.get(theta, "b0")[0])),
            "tau_log_vmax": float(tau_a), "tau_log_growth": float(tau_g),
            "dispersion": float(dispersion),
            "n_observations": int(len(y)), "n_creators": int(d.n_creators),
            "n_creators_with_data": int(d.has_data.sum()),
        }
        self.draws_ = self._bootstrap(theta, mu_from=np.exp(log_mu))
        return self

    def _eb_update(self, theta, y, tau_a, tau_g, dispersion) -> tuple[float, float, float]:
        """One Laplace-EM step: the spreads τ_a, τ_g from the creators' estimates plus their
        approximate posterior variances; the dispersion ϕ from the Pearson statistic."""
        s, d, L = self.settings, self._d, self._L
        log_mu, _ = _log_mu(theta, L, d)
        mu = np.exp(log_mu)
        c, k = d.obs_creator, d.prior_k
        m0 = np.bincount(c, weights=mu, minlength=d.n_creators) / dispersion
        m1 = np.bincount(c, weights=mu * k, minlength=d.n_creators) / dispersion
        m2 = np.bincount(c, weights=mu * k * k, minlength=d.n_creators) / dispersion
        info_a = m0 + 1.0 / tau_a**2
        info_g = m2 + 1.0 / tau_g**2
        det = info_a * info_g - m1**2           # 2×2 posterior precision of (a_c, γ_c)
        var_a, var_g = info_g / det, info_a / det
        resid = L.get(theta, "a") - _prior_mean_a(theta, L, d)
        g = L.get(theta, "g")
        has = d.has_data
        repeat = np.bincount(c, minlength=d.n_creators) >= 2
        new_a = float(np.sqrt(np.mean(resid[has] ** 2 + var_a[has]))) if has.any() else tau_a
        new_g = float(np.sqrt(np.mean(g[repeat] ** 2 + var_g[repeat]))) if repeat.any() else tau_g
        weight = m0 * tau_a**2 / (1.0 + m0 * tau_a**2)
        dof = max(len(y) - float(weight.sum()) - 6.0, 0.25 * len(y), 1.0)
        pearson = float(np.sum((y - mu) ** 2 / np.maximum(mu, 1e-9)))
        return max(new_a, s.tau_a_min), max(new_g, s.tau_g_min), max(pearson / dof, 1.0)

    def _revenue_per_conversion(self, y: np.ndarray, rev: np.ndarray) -> np.ndarray:
        """Attributed revenue per attributed conversion, per creator, shrunk toward its
        tier × platform cell and the cell toward everyone (m pseudo-conversions each)."""
        d, m = self._d, self.settings.revenue_prior_conversions
        y_c = np.bincount(d.obs_creator, weights=y, minlength=d.n_creators)
        r_c = np.bincount(d.obs_creator, weights=rev, minlength=d.n_creators)
        overall = r_c.sum() / y_c.sum() if y_c.sum() > 0 else 0.0
        y_g = np.bincount(d.cell, weights=y_c, minlength=d.n_cell)
        r_g = np.bincount(d.cell, weights=r_c, minlength=d.n_cell)
        cell = (r_g + m * overall) / (y_g + m)
        return (r_c + m * cell[d.cell]) / (y_c + m)

    def _curves(self, theta: np.ndarray, rpc: np.ndarray) -> pd.DataFrame:
        d, L, s = self._d, self._L, self.settings
        k_next = self.creators_["contracts_to_date"].to_numpy(dtype=float)
        scale = self.creators_["spend_scale_usd"].to_numpy(dtype=float)
        growth = L.get(theta, "log_phi")[0] + L.get(theta, "g")
        log_level = (L.get(theta, "a") + k_next * growth
                     + float(s.next_is_awareness) * L.get(theta, "log_omega")[0])
        prior_level = (_prior_mean_a(theta, L, d) + k_next * L.get(theta, "log_phi")[0]
                       + float(s.next_is_awareness) * L.get(theta, "log_omega")[0])
        vmax = np.exp(log_level)
        out = pd.DataFrame({
            "creator_id": d.creator_ids,
            "vmax_conversions": vmax,
            "ec50_usd": scale * np.exp(L.get(theta, "b")),
            "hill_slope": np.exp(L.get(theta, "eta")[0]) * np.ones(d.n_creators),
            "revenue_per_conversion_usd": rpc,
            "prior_vmax_conversions": np.exp(prior_level),
            "familiarity_growth": np.exp(growth) - 1.0,
            "familiarity_factor": np.exp(k_next * growth),
        })
        out["vmax_revenue_usd"] = out["vmax_conversions"] * out["revenue_per_conversion_usd"]
        out["curve_basis"] = np.where(d.has_data, "fitted", "prior")
        return out

    def _bootstrap(self, theta: np.ndarray, mu_from: np.ndarray) -> dict[str, np.ndarray]:
        """Wild residual bootstrap: y* = max(0, μ + e*·√μ), e* drawn from the Pearson
        residuals; each draw refits (τ_a and ϕ held at the fit's values, warm start)."""
        s, d, L = self.settings, self._d, self._L
        rng = np.random.default_rng(s.random_state)
        y, rev = self._y, self._rev
        keys = ["vmax_conversions", "ec50_usd", "hill_slope", "revenue_per_conversion_usd"]
        draws = {k: np.empty((s.n_bootstrap, d.n_creators)) for k in keys}
        if s.n_bootstrap <= 0:
            return draws
        if y.sum() <= 0:
            for k in keys:
                draws[k][:] = self.curves_[k].to_numpy()
            return draws
        sd = np.sqrt(np.maximum(mu_from, 1e-12))
        resid = (y - mu_from) / sd
        rpc_obs = np.where(y > 0, rev / np.where(y > 0, y, 1.0),
                           self.revenue_per_conversion_[d.obs_creator])
        for bi in range(s.n_bootstrap):
            y_star = np.maximum(mu_from + rng.choice(resid, size=len(y), replace=True) * sd, 0.0)
            th = _minimise(theta, L, d, y_star, self.dispersion_, self.tau_a_, self.tau_g_, s, ftol=1e-8)
            rpc = self._revenue_per_conversion(y_star, y_star * rpc_obs)
            cur = self._curves(th, rpc)
            for k in keys:
                draws[k][bi] = cur[k].to_numpy()
        return draws

    # ---------------------------------------------------------------- use
    def predict(self, spend_usd, which: str = "conversions", draws: bool = False) -> np.ndarray:
        """Expected conversions (or revenue) of every creator at `spend_usd` (array of one
        spend per creator, in curves_ order). With draws=True: shape (n_bootstrap, n_creators)."""
        rev = which == "revenue"
        if draws:
            dr = self.draws_
            v = dr["vmax_conversions"] * (dr["revenue_per_conversion_usd"] if rev else 1.0)
            return hill_curve(np.asarray(spend_usd, dtype=float)[None, :], v, dr["ec50_usd"],
                              dr["hill_slope"])
        c = self.curves_
        v = c["vmax_revenue_usd"] if rev else c["vmax_conversions"]
        return hill_curve(spend_usd, v.to_numpy(), c["ec50_usd"].to_numpy(), c["hill_slope"].to_numpy())
