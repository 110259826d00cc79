"""Which creator clicks and codes caused the conversion: creator-level pooled incrementality.

A converting journey that carries a creator's click or code is not necessarily a conversion the
creator caused: heavy buyers click links of creators they follow and buy later anyway, and deal
(coupon) accounts intercept buyers who were about to check out. One journey cannot tell them
apart; a creator's journeys pooled together can, from two observable regularities:

1. **Timing.** A conversion caused by a click follows it after a delay that decays (most within
   the click session, the rest over days); for a baseline buyer who happened to click, the
   click time is independent of the conversion. A journey holds the person's touches of the
   `lookback_days` before the conversion *after their previous conversion*, so its span is
   H = min(lookback, time since the previous conversion): a frequent buyer's clicks are close to
   their purchases whether or not they caused them. Each creator's click→conversion gaps
   (conversions after the click session) are a mixture: an exponential delay of scale τ
   (learned once from every creator's clicks) truncated to (session_hours, H], with weight w_c,
   and the baseline gap density u — the gap to the last of the journey's n bursts of the
   creator's clicks (clicks within `burst_gap_hours` of the previous one are one burst) when
   the n burst times are uniform over the span, n (1 − g/H)^(n−1) / H (flat for n = 1;
   `null_gap: flat` uses it for every n), mixed with the flat density with weight ε
   (`null_gap_flat_weight`, fitted by EM with "auto": bursts cluster too, and the last-of-n
   density alone is 0 at the span's start) — with weight 1 − w_c. w_c is fitted per
   creator by EM and pooled toward the all-creator weight with k pseudo-conversions, so a
   creator with few conversions gets the common rate; k is `prior_strength`, or with "auto"
   the strength that maximises the marginal likelihood of every creator's gaps under a
   Beta(k·w, k·(1 − w)) prior (empirical Bayes; a Gauss–Legendre quadrature dense near 0 and 1,
   the mixture likelihood having no closed form). A conversion within `session_hours` of the
   click is caused unless it is an intercept (below); one with a longer gap g is caused with
   the posterior P(caused | g, c) = w_c e(g) / (w_c e(g) + (1 − w_c) u(g)).
2. **Intercepts.** A buyer who filled a cart in a session without any creator touch shortly
   before (`intercept_cart_minutes`) and then clicked a creator link and bought within the
   session was already checking out: the click is an intercept, caused probability 0. A
   creator's codes are caused in the proportion of its session clicks that are not intercepts
   (π_c, pooled toward the all-creator share with k pseudo-clicks, k chosen like the delay
   weight's: the exact beta-binomial marginal likelihood; coupon accounts intercept almost always and
   other creators almost never, so k comes out small): a coupon account whose clicks are
   intercepts harvests its codes the same way.

Out of `caused_probability`: one row per converting journey × creator with the creator's touch,
with p_caused in [0, 1]. Features use only the exports (touch times, touch types, carts,
conversion times, the person's previous conversion), never the truth. Formulas in
docs/metrics.md ("Data-driven attribution" and "Caused clicks: journey spans, last-of-n baseline,
empirical-Bayes pooling").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class CausedClickConfig:
    session_hours: float = 0.5          # a conversion this soon after the click is "in session"
    lookback_days: float = 30.0         # the journeys' lookback: the longest span of a journey
    intercept_cart_minutes: float = 60.0  # a cart this soon before the creator touch → intercept
    prior_strength: float | str = "auto"  # pseudo-conversions pulling a creator toward all creators;
    # "auto": chosen per quantity (delay weight, intercept share) by marginal likelihood
    em_iterations: int = 200
    span_from_previous_conversion: bool = True  # a journey starts after the person's previous
    # conversion: the gaps' densities are truncated to that span (False: the whole lookback)
    null_gap: str = "last_of_n"         # baseline gap density: last_of_n (the last of the journey's
    # n clicks of the creator, independent of the conversion) or flat (as if n = 1)
    burst_gap_hours: float = 1.0        # a creator's clicks this close to the previous one count as one
    # burst: n of the last-of-n baseline is the number of bursts (clicks come in bursts, not alone)
    null_gap_flat_weight: float | str = "auto"  # share of the flat density in the baseline gap
    # density (repeated bursts are not independent of each other either); auto: fitted by EM
    prior_strength_range: tuple = (0.01, 1000.0)  # strengths searched by "auto" (log-spaced)
    prior_strength_steps: int = 61      # how many strengths "auto" compares over that range
    prior_grid_cells: int = 200         # cells of the delay weights' quadrature (even in asinh(logit v))
    prior_grid_nodes: int = 4           # Gauss–Legendre nodes per cell
    prior_grid_logit_max: float = 30.0  # the quadrature covers logit v in [−30, 30]; the Beta's
    # exact tail masses beyond sit at the cuts

    def __post_init__(self) -> None:
        k = self.prior_strength
        if not (k == "auto" or (isinstance(k, int | float) and not isinstance(k, bool) and k >= 0)):
            raise ValueError("attribution.data_driven.caused_clicks.prior_strength must be a number "
                             f">= 0 or 'auto', got {k!r} (conf/base/parameters_attribution.yml)")
        lo, hi = self.prior_strength_range
        if not 0 < lo < hi:
            raise ValueError("attribution.data_driven.caused_clicks.prior_strength_range must be "
                             f"[low, high] with 0 < low < high, got {list(self.prior_strength_range)}")
        self.prior_strength_range = (float(lo), float(hi))
        for key in ("prior_strength_steps", "prior_grid_cells", "prior_grid_nodes"):
            val = getattr(self, key)
            if isinstance(val, bool) or not isinstance(val, int) or val < 1:
                raise ValueError(f"attribution.data_driven.caused_clicks.{key} must be a whole number "
                                 f">= 1, got {val!r} (conf/base/parameters_attribution.yml)")
        if not self.prior_grid_logit_max > 0:
            raise ValueError("attribution.data_driven.caused_clicks.prior_grid_logit_max must be > 0, "
                             f"got {self.prior_grid_logit_max!r} (conf/base/parameters_attribution.yml)")
        fw = self.null_gap_flat_weight
        if not (fw == "auto" or (isinstance(fw, int | float) and not isinstance(fw, bool) and 0 <= fw <= 1)):
            raise ValueError("attribution.data_driven.caused_clicks.null_gap_flat_weight must be a number "
                             f"in [0, 1] or 'auto', got {fw!r} (conf/base/parameters_attribution.yml)")
        if isinstance(self.burst_gap_hours, bool) or not isinstance(self.burst_gap_hours, int | float) \
                or self.burst_gap_hours < 0:
            raise ValueError("attribution.data_driven.caused_clicks.burst_gap_hours must be a number >= 0, "
                             f"got {self.burst_gap_hours!r} (conf/base/parameters_attribution.yml)")
        if self.null_gap not in ("last_of_n", "flat"):
            raise ValueError("attribution.data_driven.caused_clicks.null_gap must be 'last_of_n' or "
                             f"'flat', got {self.null_gap!r} (conf/base/parameters_attribution.yml)")


def creator_pairs(touches: pd.DataFrame, journeys: pd.DataFrame, burst_gap_hours: float = 0.0) -> pd.DataFrame:
    """One row per converting journey × creator touched: journey_id, creator_id, gap_h (hours
    from the creator's last click to the conversion; NaN without a click), has_click, n_clicks
    (the creator's clicks in the journey), n_bursts (its bursts: a click more than
    `burst_gap_hours` after the creator's previous click in the journey starts a new one; 0 h:
    every click at a distinct time is a burst), has_code, first_click."""
    conv = journeys.loc[journeys["converted"], ["journey_id", "conversion_time"]]
    t = touches[touches["creator_id"].notna() & touches["journey_id"].isin(conv["journey_id"])]
    if t.empty:
        return pd.DataFrame({"journey_id": pd.Series([], dtype="str"),
                             "creator_id": pd.Series([], dtype="str"),
                             "gap_h": pd.Series([], dtype=float),
                             "has_click": pd.Series([], dtype=bool),
                             "n_clicks": pd.Series([], dtype="int64"),
                             "n_bursts": pd.Series([], dtype="int64"),
                             "has_code": pd.Series([], dtype=bool),
                             "first_click": pd.Series([], dtype="datetime64[us, UTC]")})
    is_click = (t["touch_type"] == "click").to_numpy()
    key = ["journey_id", "creator_id"]
    clicks = t[is_click].groupby(key).agg(last_click=("timestamp", "max"),
                                          first_click=("timestamp", "min"),
                                          n_clicks=("timestamp", "size"))
    pairs = (t.assign(_code=(t["touch_type"] == "code").to_numpy())
             .groupby(key).agg(has_code=("_code", "any")))
    pairs = pairs.join(clicks)
    c = t.loc[is_click, key + ["timestamp"]].sort_values(key + ["timestamp"])
    step_h = c.groupby(key)["timestamp"].diff().dt.total_seconds() / 3600
    new_burst = step_h.isna() | (step_h > burst_gap_hours)
    pairs = pairs.join(new_burst.groupby([c["journey_id"], c["creator_id"]]).sum().rename("n_bursts"))
    pairs = pairs.reset_index().merge(conv, on="journey_id")
    pairs["has_click"] = pairs["last_click"].notna()
    pairs["n_clicks"] = pairs["n_clicks"].fillna(0).astype("int64")
    pairs["n_bursts"] = pairs["n_bursts"].fillna(0).astype("int64")
    pairs["gap_h"] = (pairs["conversion_time"] - pairs["last_click"]).dt.total_seconds() / 3600
    return pairs[["journey_id", "creator_id", "gap_h", "has_click", "n_clicks", "n_bursts",
                  "has_code", "first_click"]]


def flag_intercepts(pairs: pd.DataFrame, touches: pd.DataFrame, cfg: CausedClickConfig) -> pd.Series:
    """True where a non-creator session with a cart lies within intercept_cart_minutes before
    the creator's first click of the journey and the conversion is in the click session."""
    carts = touches[touches["had_cart"].to_numpy(bool) & touches["creator_id"].isna().to_numpy()]
    x = pairs.reset_index()[["index", "journey_id", "first_click"]].merge(
        carts[["journey_id", "timestamp"]], on="journey_id")
    window = pd.Timedelta(minutes=cfg.intercept_cart_minutes)
    hit = x[(x["timestamp"] < x["first_click"]) & (x["timestamp"] >= x["first_click"] - window)]
    flag = pd.Series(False, index=pairs.index)
    flag[hit["index"].unique()] = True
    return flag & (pairs["gap_h"] <= cfg.session_hours).fillna(False)


def _densities(g: np.ndarray, tau: float, lo: float, hi) -> tuple[np.ndarray, np.ndarray | float]:
    """Exponential density of scale tau truncated to (lo, hi], and the flat density there
    (`hi` one number or one per gap)."""
    hi = np.asarray(hi, dtype=float)
    mass = np.exp(-lo / tau) - np.exp(-hi / tau)
    return np.exp(-g / tau) / tau / np.maximum(mass, 1e-12), 1.0 / (hi - lo)


def null_gap_density(g: np.ndarray, n: np.ndarray | None, lo: float, hi,
                     flat_weight: float = 0.0) -> np.ndarray | float:
    """Density on (lo, hi] of the gap from the last of n clicks to a conversion they did not
    cause (`hi` one number or one per gap: the journey's span).

    Under the baseline hypothesis the creator's clicks in the journey's span H = hi are
    independent of the conversion time, so given n of them they are n uniform times in the span
    and the gap g to the last one is H·(1 − max of n uniforms): density n (1 − g/H)^(n−1) / H,
    of which (1 − lo/H)^n lies above lo. n = 1 (and `n` None, the `null_gap: flat` setting)
    gives the flat density 1 / (H − lo); more clicks put the last one closer to the conversion.
    Real repeated clicks (bursts) are not independent, and the last-of-n density is 0 at g = H
    for n ≥ 2 (a caused probability of 1 there): `flat_weight` ε mixes in the flat density,
    (1 − ε) · last-of-n + ε / (H − lo), > 0 everywhere when ε > 0."""
    hi = np.asarray(hi, dtype=float)
    flat = 1.0 / (hi - lo)
    if n is None:
        return flat
    n = np.maximum(np.asarray(n, dtype=float), 1.0)
    x = np.clip(1.0 - np.asarray(g, dtype=float) / hi, 0.0, 1.0)
    last = n * x ** (n - 1.0) / hi / np.maximum((1.0 - lo / hi) ** n, 1e-300)
    return (1.0 - flat_weight) * last + flat_weight * flat


def journey_spans(pairs: pd.DataFrame, journeys: pd.DataFrame, cfg: CausedClickConfig) -> np.ndarray:
    """Per pair: the hours of history its journey can hold — the lookback, or less when the
    person converted before (a journey holds only the touches after the person's previous
    conversion, so a frequent buyer's click cannot lie further back than their last purchase).

    The previous conversion is the same user_pseudo_id's latest converting journey before
    (conversion_time, journey_id order, as the journeys are built); without a user id or a
    previous conversion the span is the lookback. At least `session_hours` + 1 second."""
    hi = cfg.lookback_days * 24.0
    out = np.full(len(pairs), hi)
    if not cfg.span_from_previous_conversion or "user_pseudo_id" not in journeys.columns:
        return out
    conv = journeys.loc[journeys["converted"].astype(bool) & journeys["user_pseudo_id"].notna(),
                        ["journey_id", "user_pseudo_id", "conversion_time"]]
    conv = conv.sort_values(["user_pseudo_id", "conversion_time", "journey_id"])
    prev = conv.groupby("user_pseudo_id")["conversion_time"].shift(1)
    since = (conv["conversion_time"] - prev).dt.total_seconds() / 3600
    span = pd.Series(np.minimum(since.fillna(hi).to_numpy(float), hi),
                     index=conv["journey_id"].to_numpy())
    out = pairs["journey_id"].map(span).fillna(hi).to_numpy(float)
    return np.maximum(out, cfg.session_hours + 1.0 / 3600)


def share_quadrature(cfg: CausedClickConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes on (0, 1) for integrating a creator's likelihood over its share v against a Beta
    prior: (v, s, ds_weight). The share is mapped to s with logit(v) = sinh(s), s in
    [−asinh(T), asinh(T)], T = `prior_grid_logit_max`, cut into `prior_grid_cells` even cells of s
    with `prior_grid_nodes` Gauss–Legendre nodes each; the two tails beyond logit ±T are two more
    nodes (v at the cut) whose weight is the Beta's exact tail mass. In v the cells are about
    0.25·Δs wide near v = 0.5 and shrink geometrically toward 0 and 1, where a Beta with a small
    strength puts most of its mass (midpoints of an even grid of v overstate the likelihood
    there)."""
    from numpy.polynomial.legendre import leggauss

    smax = float(np.arcsinh(cfg.prior_grid_logit_max))
    edges = np.linspace(-smax, smax, cfg.prior_grid_cells + 1)
    x, wts = leggauss(cfg.prior_grid_nodes)
    half = np.diff(edges)[:, None] / 2
    s = ((edges[:-1] + edges[1:])[:, None] / 2 + half * x[None, :]).ravel()
    ds = (half * wts[None, :]).ravel()
    t = np.sinh(s)
    v = 1.0 / (1.0 + np.exp(-t))
    return v, s, ds


def beta_quadrature_log_weights(mean: float, k: float, cfg: CausedClickConfig) -> tuple[np.ndarray, np.ndarray]:
    """(v, log weights) with Σ weights · f(v) ≈ E f(V), V ~ Beta(k·mean, k·(1 − mean)), for f
    continuous on [0, 1]: Gauss–Legendre in s (`share_quadrature`) of the Beta density times
    dv/ds = v (1 − v) cosh(s), plus the exact tail masses below and above logit ∓T (scipy's
    regularised incomplete beta) at the two cut points; the inner weights are rescaled so the
    total is exactly 1."""
    from scipy.special import betaln
    from scipy.stats import beta as beta_dist

    a, b = k * mean, k * (1.0 - mean)
    v, s, ds = share_quadrature(cfg)
    t = np.sinh(s)
    log_v, log_1v = -np.logaddexp(0.0, -t), -np.logaddexp(0.0, t)  # log v, log(1 − v), stable
    log_inner = (a * log_v + b * log_1v - betaln(a, b) + np.log(np.cosh(s)) + np.log(ds))
    v_lo = 1.0 / (1.0 + np.exp(cfg.prior_grid_logit_max))
    v_hi = 1.0 - v_lo
    tail_lo = float(beta_dist.cdf(v_lo, a, b))
    tail_hi = float(beta_dist.sf(v_hi, a, b))
    inner = max(1.0 - tail_lo - tail_hi, 1e-300)
    from scipy.special import logsumexp
    log_inner = log_inner - logsumexp(log_inner) + np.log(inner)
    nodes = np.r_[v_lo, v, v_hi]
    logw = np.r_[np.log(max(tail_lo, 1e-300)), log_inner, np.log(max(tail_hi, 1e-300))]
    return nodes, logw


def share_nodes(cfg: CausedClickConfig) -> np.ndarray:
    """The shares v at which `delay_prior_strength` evaluates each creator's likelihood: the
    lower cut, the Gauss–Legendre nodes of `share_quadrature`, the upper cut (the order of
    `beta_quadrature_log_weights`)."""
    v_lo = 1.0 / (1.0 + np.exp(cfg.prior_grid_logit_max))
    return np.r_[v_lo, share_quadrature(cfg)[0], 1.0 - v_lo]


def log_marginal_likelihood(loglik: np.ndarray, mean: float, k: float, cfg: CausedClickConfig) -> float:
    """Σ_c log ∫ L_c(v) Beta(v; k·mean, k·(1 − mean)) dv: the creators' marginal
    log-likelihood when each creator's share has that prior, by the quadrature of
    `beta_quadrature_log_weights`; `loglik[c, j]` is log L_c at `share_nodes(cfg)[j]`. Exact
    up to the quadrature (Gauss–Legendre on cells that shrink toward 0 and 1; it converges:
    twice the nodes pick the same strength), not a closed form — for binomial likelihoods use
    `beta_binomial_log_marginal`, which is."""
    from scipy.special import logsumexp

    _, logw = beta_quadrature_log_weights(mean, k, cfg)
    return float(logsumexp(loglik + logw[None, :], axis=1).sum())


def beta_binomial_log_marginal(x: np.ndarray, n: np.ndarray, mean: float, k: float) -> float:
    """Σ_c log ∫ v^x_c (1 − v)^(n_c − x_c) Beta(v; a, b) dv = Σ_c [B(x_c + a, n_c − x_c + b) −
    B(a, b)] (log beta functions, a = k·mean, b = k·(1 − mean)): the exact beta-binomial marginal
    likelihood without the binomial coefficients (they do not depend on k)."""
    from scipy.special import betaln

    a, b = k * mean, k * (1.0 - mean)
    x, n = np.asarray(x, float), np.asarray(n, float)
    return float((betaln(x + a, n - x + b) - betaln(a, b)).sum())


def prior_strength_candidates(cfg: CausedClickConfig) -> np.ndarray:
    """The strengths `auto` compares: `prior_strength_steps` log-spaced over `prior_strength_range`."""
    lo, hi = cfg.prior_strength_range
    return np.geomspace(lo, hi, cfg.prior_strength_steps)


def choose_prior_strength(total, mean: float, n_creators: int, cfg: CausedClickConfig) -> float:
    """Empirical Bayes: the Beta prior strength k (pseudo-observations at the all-creator share
    `mean`) with the largest marginal log-likelihood `total(k)`, among `prior_strength_candidates`
    (ties within 1e-9 go to the stronger pooling). Creators that truly differ (some accounts
    only intercept, most never do) make a small k win: little pooling. Creators that differ only
    by chance make a large k win. Without creators, or with a share of 0 or 1, the top of the
    range."""
    hi = cfg.prior_strength_range[1]
    if n_creators == 0 or not 0 < mean < 1:
        return float(hi)
    best_k, best = float(hi), -np.inf
    for k in prior_strength_candidates(cfg)[::-1]:
        val = total(float(k))
        if val > best + 1e-9:
            best_k, best = float(k), val
    return best_k


def delay_prior_strength(e: np.ndarray, u: np.ndarray | float, w: float, idx: np.ndarray, n_creators: int,
                         cfg: CausedClickConfig) -> float:
    """`prior_strength` of the creators' delay weights w_c: the configured number, or with
    "auto" the marginal-likelihood choice (`choose_prior_strength`) where creator c's
    likelihood at weight v is Π_i (v e_i + (1 − v) u_i) over its gaps (a mixture: no closed form,
    integrated by `log_marginal_likelihood`'s quadrature)."""
    if cfg.prior_strength != "auto":
        return float(cfg.prior_strength)
    mid = share_nodes(cfg)
    ll = np.zeros((n_creators, len(mid)))
    order = np.argsort(idx, kind="stable")  # gaps grouped by creator, summed in row chunks
    e_s = np.asarray(e, dtype=float)[order]
    u_s = np.broadcast_to(np.asarray(u, dtype=float), np.shape(e))[order]
    i_s = np.asarray(idx)[order]
    step = 4096
    with np.errstate(divide="ignore"):
        for a in range(0, len(i_s), step):
            ii = i_s[a:a + step]
            rows = np.log(mid[None, :] * e_s[a:a + step, None] + (1.0 - mid[None, :]) * u_s[a:a + step, None])
            starts = np.flatnonzero(np.r_[True, ii[1:] != ii[:-1]])
            ll[ii[starts]] += np.add.reduceat(rows, starts, axis=0)
    return choose_prior_strength(lambda k: log_marginal_likelihood(ll, w, k, cfg), w, n_creators, cfg)


def intercept_prior_strength(n_int: np.ndarray, n_sess: np.ndarray, pi_all: float,
                             cfg: CausedClickConfig) -> float:
    """`prior_strength` of the creators' intercept shares π_c: the configured number, or with
    "auto" the marginal-likelihood choice (`choose_prior_strength`) of the exact beta-binomial
    model (x_c intercepts among n_c session clicks; `beta_binomial_log_marginal`)."""
    if cfg.prior_strength != "auto":
        return float(cfg.prior_strength)
    x, n = np.asarray(n_int, float), np.asarray(n_sess, float)
    return choose_prior_strength(lambda k: beta_binomial_log_marginal(x, n, pi_all, k), pi_all,
                                 len(x), cfg)


def fit_delay_mixture(gaps: np.ndarray, creators: np.ndarray, cfg: CausedClickConfig,
                      n_clicks: np.ndarray | None = None, spans: np.ndarray | None = None
                      ) -> tuple[float, float, pd.Series]:
    """EM for gaps in (session_hours, span]: (τ, pooled w, w_c per creator).

    Pooled step: τ and w from every gap. Creator step: τ fixed, w_c by EM with a Beta-like
    pull (k pseudo-gaps at the pooled w, k from `delay_prior_strength`). Each gap's caused
    density is the exponential truncated to its journey's span (`spans`, default the lookback)
    and its baseline density `null_gap_density` of its journey's `n_clicks` (bursts) of the
    creator (flat when None or with `null_gap: flat`), with the flat share ε of
    `null_gap_flat_weight` — fitted in the pooled EM when "auto" (ε's MLE uses the gaps with
    n ≥ 2, the only ones whose likelihood depends on it), returned in `.attrs`."""
    lo = cfg.session_hours
    hi = np.full(len(gaps), cfg.lookback_days * 24.0) if spans is None else np.asarray(spans, float)
    g = np.clip(gaps, lo + 1e-9, hi)
    n_null = None if cfg.null_gap == "flat" else n_clicks
    u_last = null_gap_density(g, n_null, lo, hi)       # the last-of-n density alone (ε = 0)
    u_flat = null_gap_density(g, None, lo, hi)         # the flat one
    fit_eps = cfg.null_gap_flat_weight == "auto" and n_null is not None
    eps = 0.5 if fit_eps else (0.0 if cfg.null_gap_flat_weight == "auto" else float(cfg.null_gap_flat_weight))
    multi = np.asarray(n_null, float) >= 2 if n_null is not None else np.zeros(len(g), bool)
    tau, w = 48.0, 0.5
    if len(g) == 0:
        out = pd.Series(dtype=float)
        out.attrs["null_gap_flat_weight"] = eps
        return tau, w, out
    span = hi - lo
    for _ in range(cfg.em_iterations):
        e, _ = _densities(g, tau, lo, hi)
        u0 = (1 - eps) * u_last + eps * u_flat
        r = w * e / (w * e + (1 - w) * u0)
        w_new = float(r.mean())
        eps_new = eps
        if fit_eps and multi.any():
            # the flat share of the baseline, from the gaps whose two baseline densities differ
            # (n ≥ 2): its responsibility among the uncaused part
            rf = (1 - r[multi]) * eps * u_flat[multi] / np.maximum(u0[multi], 1e-300)
            eps_new = float(rf.sum() / max(float((1 - r[multi]).sum()), 1e-12))
        # weighted MLE of the scale of exponentials truncated to (0, span_i]: fixed point of
        # τ = mean excess + Σ r_i span_i / (e^{span_i/τ} − 1) / Σ r_i
        rs = max(float(r.sum()), 1e-12)
        m = float((r * (g - lo)).sum()) / rs
        tau_new = tau
        for _ in range(50):
            tau_new = m + float((r * span / np.expm1(np.minimum(span / tau_new, 700.0))).sum()) / rs
        if abs(w_new - w) < 1e-8 and abs(tau_new - tau) < 1e-6 and abs(eps_new - eps) < 1e-8:
            w, tau, eps = w_new, tau_new, eps_new
            break
        w, tau, eps = w_new, float(np.clip(tau_new, 1e-3, 1e6)), eps_new
    e, _ = _densities(g, tau, lo, hi)
    u = (1 - eps) * u_last + eps * u_flat
    names, idx = np.unique(creators.astype(str), return_inverse=True)
    n_c = np.bincount(idx, minlength=len(names)).astype(float)
    k = delay_prior_strength(e, u, w, idx, len(names), cfg)
    wc = np.full(len(names), w)
    for _ in range(cfg.em_iterations):  # every creator at once
        ww = wc[idx]
        r = ww * e / (ww * e + (1 - ww) * u)
        new = (np.bincount(idx, weights=r, minlength=len(names)) + k * w) / (n_c + k)
        done = np.max(np.abs(new - wc)) < 1e-9
        wc = new
        if done:
            break
    out = pd.Series(wc, index=names, dtype=float)
    out.attrs["prior_strength"] = k
    out.attrs["null_gap_flat_weight"] = eps
    return tau, w, out


def caused_probability(touches: pd.DataFrame, journeys: pd.DataFrame,
                       config: CausedClickConfig | None = None) -> tuple[pd.DataFrame, dict]:
    """Per converting journey × creator touched: p_caused (see the module docstring).

    Out: (pairs [journey_id, creator_id, gap_h, has_click, has_code, intercept, p_caused],
    info {tau_h, w_pooled, intercept_share_pooled, n_pairs, delay_prior_strength,
    intercept_prior_strength, null_gap_flat_weight})."""
    cfg = config or CausedClickConfig()
    pairs = creator_pairs(touches, journeys, cfg.burst_gap_hours)
    if pairs.empty:
        return pairs.assign(intercept=False, p_caused=0.0), {"n_pairs": 0}
    pairs["intercept"] = flag_intercepts(pairs, touches, cfg).to_numpy()
    in_session = (pairs["gap_h"] <= cfg.session_hours).fillna(False).to_numpy()
    delayed = pairs["has_click"].to_numpy() & ~in_session
    spans = journey_spans(pairs, journeys, cfg)
    tau, w, w_c = fit_delay_mixture(pairs.loc[delayed, "gap_h"].to_numpy(float),
                                    pairs.loc[delayed, "creator_id"].to_numpy(), cfg,
                                    pairs.loc[delayed, "n_bursts"].to_numpy(float), spans[delayed])
    lo = cfg.session_hours
    g_all = np.clip(pairs["gap_h"].fillna(pd.Series(spans, index=pairs.index)).to_numpy(float),
                    lo + 1e-9, spans)
    e, _ = _densities(g_all, tau, lo, spans)
    eps = float(w_c.attrs.get("null_gap_flat_weight", 0.0))
    u = null_gap_density(g_all, None if cfg.null_gap == "flat" else pairs["n_bursts"].to_numpy(float),
                         lo, spans, eps)
    wc = pairs["creator_id"].map(w_c).fillna(w).to_numpy(float)
    p_delay = wc * e / (wc * e + (1 - wc) * u)
    # intercept share of each creator's session clicks, pooled
    sess = pairs[in_session & pairs["has_click"].to_numpy()]
    pi_all = float(sess["intercept"].mean()) if len(sess) else 0.0
    n_sess = sess.groupby("creator_id").size()
    n_int = sess.groupby("creator_id")["intercept"].sum().reindex(n_sess.index)
    k = intercept_prior_strength(n_int.to_numpy(), n_sess.to_numpy(), pi_all, cfg)
    pi_c = ((n_int + k * pi_all) / (n_sess + k)).reindex(pairs["creator_id"].unique())
    pi = pairs["creator_id"].map(pi_c).fillna(pi_all).to_numpy(float)
    p_click = np.where(in_session, np.where(pairs["intercept"].to_numpy(), 0.0, 1.0), p_delay)
    p_code = 1.0 - pi
    has_click, has_code = pairs["has_click"].to_numpy(), pairs["has_code"].to_numpy()
    p = np.where(has_click & has_code, np.maximum(p_click, p_code),
                 np.where(has_click, p_click, np.where(has_code, p_code, 0.0)))
    pairs["p_caused"] = np.clip(p, 0.0, 1.0)
    info = {"tau_h": tau, "w_pooled": w, "intercept_share_pooled": pi_all, "n_pairs": len(pairs),
            "delay_prior_strength": float(w_c.attrs.get("prior_strength", np.nan)),
            "intercept_prior_strength": k, "null_gap_flat_weight": eps}
    return pairs.drop(columns="first_click"), info
