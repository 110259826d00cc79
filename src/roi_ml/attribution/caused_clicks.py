"""Which creator clicks and codes caused the conversion: creator-level pooled incrementality.

A converting journey that carries a creator's click or code is not necessarily a conversion the
creator caused: heavy buyers click links of creators they follow and buy later anyway, and deal
(coupon) accounts intercept buyers who were about to check out. One journey cannot tell them
apart; a creator's journeys pooled together can, from two observable regularities:

1. **Timing.** A conversion caused by a click follows it after a delay that decays (most within
   the click session, the rest over days); a baseline buyer who happened to click converts at
   any time of the lookback, so the gaps of a creator's *uncaused* conversions are spread flat
   over the lookback window. Each creator's click→conversion gaps (conversions after the click
   session) are a mixture: exponential delay (scale τ, learned once from every creator's
   clicks) with weight w_c, plus a flat baseline over the lookback with weight 1 − w_c. w_c is
   fitted per creator by EM and pooled toward the all-creator weight with `prior_strength`
   pseudo-conversions, so a creator with few conversions gets the common rate. A conversion
   within `session_hours` of the click is caused unless it is an intercept (below); one with a
   longer gap g is caused with the posterior
   P(caused | g, c) = w_c e(g) / (w_c e(g) + (1 − w_c) u), e the truncated exponential density
   and u the flat one.
2. **Intercepts.** A buyer who filled a cart in a session without any creator touch shortly
   before (`intercept_cart_minutes`) and then clicked a creator link and bought within the
   session was already checking out: the click is an intercept, caused probability 0. A
   creator's codes are caused in the proportion of its session clicks that are not intercepts
   (π_c, pooled toward the all-creator share with `prior_strength`): a coupon account whose
   clicks are intercepts harvests its codes the same way.

Out of `caused_probability`: one row per converting journey × creator with the creator's touch,
with p_caused in [0, 1]. Features use only the exports (touch times, touch types, carts,
conversion times), never the truth. Formulas in docs/metrics.md ("Data-driven attribution").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class CausedClickConfig:
    session_hours: float = 0.5          # a conversion this soon after the click is "in session"
    lookback_days: float = 30.0         # the journeys' lookback: the flat baseline's span
    intercept_cart_minutes: float = 60.0  # a cart this soon before the creator touch → intercept
    prior_strength: float = 20.0        # pseudo-conversions pulling a creator toward all creators
    em_iterations: int = 200


def creator_pairs(touches: pd.DataFrame, journeys: pd.DataFrame) -> pd.DataFrame:
    """One row per converting journey × creator touched: journey_id, creator_id, gap_h (hours
    from the creator's last click to the conversion; NaN without a click), has_click, has_code,
    intercept (cart in a non-creator session within intercept minutes before the creator's
    first click, conversion in session) — intercept and in_session filled later."""
    conv = journeys.loc[journeys["converted"], ["journey_id", "conversion_time"]]
    t = touches[touches["creator_id"].notna() & touches["journey_id"].isin(conv["journey_id"])]
    if t.empty:
        return pd.DataFrame({"journey_id": pd.Series([], dtype="str"),
                             "creator_id": pd.Series([], dtype="str"),
                             "gap_h": pd.Series([], dtype=float),
                             "has_click": pd.Series([], dtype=bool),
                             "has_code": pd.Series([], dtype=bool),
                             "first_click": pd.Series([], dtype="datetime64[us, UTC]")})
    is_click = (t["touch_type"] == "click").to_numpy()
    clicks = t[is_click].groupby(["journey_id", "creator_id"])["timestamp"].agg(["max", "min"])
    pairs = t.groupby(["journey_id", "creator_id"]).agg(
        has_code=("touch_type", lambda s: bool((s == "code").any())))
    pairs = pairs.join(clicks.rename(columns={"max": "last_click", "min": "first_click"}))
    pairs = pairs.reset_index().merge(conv, on="journey_id")
    pairs["has_click"] = pairs["last_click"].notna()
    pairs["gap_h"] = (pairs["conversion_time"] - pairs["last_click"]).dt.total_seconds() / 3600
    return pairs[["journey_id", "creator_id", "gap_h", "has_click", "has_code", "first_click"]]


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


def _densities(g: np.ndarray, tau: float, lo: float, hi: float) -> tuple[np.ndarray, float]:
    """Exponential density of scale tau truncated to (lo, hi], and the flat density there."""
    mass = np.exp(-lo / tau) - np.exp(-hi / tau)
    return np.exp(-g / tau) / tau / max(mass, 1e-12), 1.0 / (hi - lo)


def fit_delay_mixture(gaps: np.ndarray, creators: np.ndarray, cfg: CausedClickConfig
                      ) -> tuple[float, float, pd.Series]:
    """EM for gaps in (session_hours, lookback]: (τ, pooled w, w_c per creator).

    Pooled step: τ and w from every gap. Creator step: τ fixed, w_c by EM with a Beta-like
    pull (prior_strength pseudo-gaps at the pooled w)."""
    lo, hi = cfg.session_hours, cfg.lookback_days * 24.0
    g = np.clip(gaps, lo + 1e-9, hi)
    tau, w = 48.0, 0.5
    if len(g) == 0:
        return tau, w, pd.Series(dtype=float)
    for _ in range(cfg.em_iterations):
        e, u = _densities(g, tau, lo, hi)
        r = w * e / (w * e + (1 - w) * u)
        w_new = float(r.mean())
        # weighted MLE of a truncated exponential's scale: fixed-point on the mean excess
        m = float((r * (g - lo)).sum() / max(r.sum(), 1e-12))
        span = hi - lo
        tau_new = tau
        for _ in range(50):  # mean of Exp(τ) truncated to (0, span] is τ − span/(e^{span/τ} − 1)
            tau_new = m + span / np.expm1(min(span / tau_new, 700.0))
        if abs(w_new - w) < 1e-8 and abs(tau_new - tau) < 1e-6:
            w, tau = w_new, tau_new
            break
        w, tau = w_new, float(np.clip(tau_new, 1e-3, 1e6))
    e, u = _densities(g, tau, lo, hi)
    names, idx = np.unique(creators.astype(str), return_inverse=True)
    n_c = np.bincount(idx, minlength=len(names)).astype(float)
    k = cfg.prior_strength
    wc = np.full(len(names), w)
    for _ in range(cfg.em_iterations):  # every creator at once
        ww = wc[idx]
        r = ww * e / (ww * e + (1 - ww) * u)
        new = (np.bincount(idx, weights=r, minlength=len(names)) + k * w) / (n_c + k)
        done = np.max(np.abs(new - wc)) < 1e-9
        wc = new
        if done:
            break
    return tau, w, pd.Series(wc, index=names, dtype=float)


def caused_probability(touches: pd.DataFrame, journeys: pd.DataFrame,
                       config: CausedClickConfig | None = None) -> tuple[pd.DataFrame, dict]:
    """Per converting journey × creator touched: p_caused (see the module docstring).

    Out: (pairs [journey_id, creator_id, gap_h, has_click, has_code, intercept, p_caused],
    info {tau_h, w_pooled, intercept_share_pooled, n_pairs})."""
    cfg = config or CausedClickConfig()
    pairs = creator_pairs(touches, journeys)
    if pairs.empty:
        return pairs.assign(intercept=False, p_caused=0.0), {"n_pairs": 0}
    pairs["intercept"] = flag_intercepts(pairs, touches, cfg).to_numpy()
    in_session = (pairs["gap_h"] <= cfg.session_hours).fillna(False).to_numpy()
    delayed = pairs["has_click"].to_numpy() & ~in_session
    tau, w, w_c = fit_delay_mixture(pairs.loc[delayed, "gap_h"].to_numpy(float),
                                    pairs.loc[delayed, "creator_id"].to_numpy(), cfg)
    lo, hi = cfg.session_hours, cfg.lookback_days * 24.0
    e, u = _densities(np.clip(pairs["gap_h"].fillna(hi).to_numpy(float), lo + 1e-9, hi), tau, lo, hi)
    wc = pairs["creator_id"].map(w_c).fillna(w).to_numpy(float)
    p_delay = wc * e / (wc * e + (1 - wc) * u)
    # intercept share of each creator's session clicks, pooled
    sess = pairs[in_session & pairs["has_click"].to_numpy()]
    k = cfg.prior_strength
    pi_all = float(sess["intercept"].mean()) if len(sess) else 0.0
    n_sess = sess.groupby("creator_id").size()
    n_int = sess.groupby("creator_id")["intercept"].sum()
    pi_c = ((n_int + k * pi_all) / (n_sess + k)).reindex(pairs["creator_id"].unique())
    pi = pairs["creator_id"].map(pi_c).fillna(pi_all).to_numpy(float)
    p_click = np.where(in_session, np.where(pairs["intercept"].to_numpy(), 0.0, 1.0), p_delay)
    p_code = 1.0 - pi
    has_click, has_code = pairs["has_click"].to_numpy(), pairs["has_code"].to_numpy()
    p = np.where(has_click & has_code, np.maximum(p_click, p_code),
                 np.where(has_click, p_click, np.where(has_code, p_code, 0.0)))
    pairs["p_caused"] = np.clip(p, 0.0, 1.0)
    info = {"tau_h": tau, "w_pooled": w, "intercept_share_pooled": pi_all, "n_pairs": len(pairs)}
    return pairs.drop(columns="first_click"), info
