"""Scores the budget allocation against the simulator's true response curves (section `budget`
of evaluation.json).

The true expected revenue of giving creator c a spend s in the next contract is

    R_c(s) = rpc_c · vmax_c · (1 + g_c)^K_c · hill(s; 1, ec50_c, n_c)

with vmax, ec50, n and the familiarity growth g from creator_truth.csv, K_c the creator's
contracts in the window (the next one is number K_c + 1), a conversion campaign (awareness
multiplier 1) and rpc_c the creator's true revenue per caused conversion (all its caused
conversions in the truth, shrunk toward the mean of every creator-caused conversion with
RPC_PRIOR_CONVERSIONS pseudo-conversions, so a creator with few conversions is not scored on
noise). Under the allocation's own bounds and total:

- capture = (R(recommended) − R(current)) / (R(true optimum) − R(current)), the true optimum
  found by the same allocator on the true curves (best of its starts);
- naive_capture: the same for the rule "shift spend to the best average ROI": every creator at
  its minimum, then the rest of the budget to creators in order of observed ROAS (attributed
  revenue / spend over their settled contracts; creators without history last), each up to its
  maximum;
- spearman_marginal: rank correlation between the fitted and the true marginal revenue at the
  current spend (does the model know where the next dollar works best?).

When the total differs from the current total (a scenario run), "current" is the current
allocation scaled to the total within the bounds.

The true optimum is found by `true_optimum`, an exact solver for this separable problem
(equal marginal revenue, Lagrangian bisection), not by the allocator's SLSQP: SLSQP's dense
subproblems cost O(n³) per iteration, minutes for the 546 creators of large, for the same optimum (its
value is never higher: docs/benchmarks.md, "Profiled and fixed").
"""

from __future__ import annotations

import json
import logging
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from roi_ml.budget.allocator import HillSet, check_bounds, project_to_budget
from roi_ml.budget.curves import hill_derivative
from roi_ml.ground_truth import GroundTruth
from roi_ml.pipelines.evaluation.nodes import _skip

log = logging.getLogger(__name__)

RPC_PRIOR_CONVERSIONS = 30.0
"""Pseudo-conversions pulling a creator's true revenue per conversion toward the overall mean."""


def true_revenue_curves(truth: GroundTruth, creator_ids: list[str]) -> HillSet:
    """The true next-contract revenue curves (module docstring) of `creator_ids`, in order."""
    ct = truth.read("creator_truth").copy()
    ct["creator_id"] = ct["creator_id"].astype("str")
    ct = ct.set_index("creator_id")
    contracts = truth.read("contract_truth")
    summary = truth.path / "simulation_summary.json"
    cs = contracts
    if summary.exists():
        window_end = pd.Timestamp(json.loads(summary.read_text())["window_end"])
        cs = contracts[pd.to_datetime(contracts["campaign_start"]) <= window_end]
    k = cs.groupby(cs["creator_id"].astype("str")).size()
    conv = truth.read("conversions_truth")
    caused = conv[(conv["cause"] == "creator") & conv["cause_creator_id"].notna()]
    by = caused["cause_creator_id"].astype("str")
    n = caused.groupby(by).size()
    r = caused.groupby(by)["revenue_usd"].sum()
    overall = float(caused["revenue_usd"].sum()) / max(len(caused), 1)
    rpc = (r.reindex(creator_ids).fillna(0.0) + RPC_PRIOR_CONVERSIONS * overall) / (
        n.reindex(creator_ids).fillna(0.0) + RPC_PRIOR_CONVERSIONS)
    t = ct.reindex(creator_ids)
    fam = (1.0 + t["familiarity_growth"].to_numpy()) ** k.reindex(creator_ids).fillna(0).to_numpy()
    return HillSet(t["hill_vmax"].to_numpy() * fam * rpc.to_numpy(), t["hill_ec50_usd"].to_numpy(),
                   t["hill_slope"].to_numpy())


def _peak_spend(curves: HillSet) -> np.ndarray:
    """Where each curve's marginal revenue peaks: ec50·((n−1)/(n+1))^(1/n) for slope n > 1
    (S-shaped curves), 0 for n ≤ 1 (concave curves)."""
    n = curves.slope
    with np.errstate(divide="ignore", invalid="ignore"):
        peak = curves.ec50 * np.power(np.maximum(n - 1.0, 0.0) / (n + 1.0), 1.0 / n)
    return np.where(n > 1.0, peak, 0.0)


def _root(curves: HillSet, lam: float, start: np.ndarray, upper: np.ndarray,
          iterations: int = 100) -> np.ndarray:
    """Per creator, the spend in [start, upper] where f'(s) = λ (f' decreasing there; the
    nearer end when there is none), by bisection."""
    lo, hi = start.copy(), upper.copy()
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        above = curves.gradient(mid) > lam
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    return 0.5 * (lo + hi)


def _best_response(curves: HillSet, lower: np.ndarray, upper: np.ndarray, lam: float,
                   start: np.ndarray) -> np.ndarray:
    """Per creator, the spend in [lower, upper] maximising f(s) − λ·s: the lower bound, the
    upper bound, or the point where f'(s) = λ on the curve's concave part (from `start` =
    max(peak, lower) on)."""
    candidates = np.stack([lower, _root(curves, lam, start, upper), upper])
    gain = curves.value(candidates) - lam * candidates
    return candidates[np.argmax(gain, axis=0), np.arange(len(lower))]


def _bisect_price(spend_at, total: float, lam_hi: float, iterations: int = 200):
    """(allocation below, allocation above): spend_at(λ) for the two prices that bracket the
    price at which `total` is spent (spend_at falls as λ rises)."""
    lam_lo, s_lo, s_hi = 0.0, spend_at(0.0), spend_at(lam_hi)
    for _ in range(iterations):
        lam = 0.5 * (lam_lo + lam_hi)
        s = spend_at(lam)
        if s.sum() >= total:
            lam_lo, s_lo = lam, s
        else:
            lam_hi, s_hi = lam, s
        if lam_hi - lam_lo <= 1e-15 * max(lam_hi, 1e-300):
            break
    return s_lo, s_hi


def _mix(s_lo: np.ndarray, s_hi: np.ndarray, total: float) -> np.ndarray:
    """The point between two allocations that spends exactly `total`."""
    gap = s_lo.sum() - s_hi.sum()
    t = (total - s_hi.sum()) / gap if gap > 0 else 0.0
    return s_hi + np.clip(t, 0.0, 1.0) * (s_lo - s_hi)


def true_optimum(curves: HillSet, lower: np.ndarray, upper: np.ndarray, total: float,
                 max_switching: int = 10) -> np.ndarray:
    """The spend maximising Σ f_c(s_c) with Σ s_c = total and lower ≤ s ≤ upper (f_c Hill
    curves, increasing), for the evaluation's "true optimum".

    1. Lagrangian: for a price λ every creator takes its best response argmax f_c(s) − λ·s
       (`_best_response`); the total spent falls as λ rises, and λ is bisected until it
       brackets `total` (λ = 0: everyone at the upper bound; λ above every marginal revenue:
       everyone at the lower bound). For concave curves the bracketing allocations agree (to
       float rounding) and are the optimum.
    2. An S-shaped curve's creator may switch at that price between its lower bound ("out")
       and its concave part ("in"), where no price spends exactly `total` (the duality gap of
       a non-concave problem). For each in/out choice of the switching creators (all 2^k
       choices up to `max_switching` of them) the creators "in" share the budget at equal
       marginal revenue on their concave parts (a continuous bisection on λ), the others stay
       at their lower bound; the best of these, and of the mix of the two bracketing
       allocations, is returned.
    """
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    check_bounds(lower, upper, total, equality=True)
    if len(lower) == 0:
        return np.zeros(0)
    start = np.clip(np.maximum(_peak_spend(curves), lower), lower, upper)
    lam_hi = float(np.max(curves.gradient(np.maximum(start, 1e-12)))) * 2.0 + 1e-12
    s_lo, s_hi = _bisect_price(lambda lam: _best_response(curves, lower, upper, lam, start),
                               total, lam_hi)
    best = np.clip(_mix(s_lo, s_hi, total), lower, upper)
    best_value = float(curves.value(best).sum())
    can_leave = start > lower  # S-shaped above its lower bound: "out" differs from "in"
    inside = s_hi >= start
    switching = np.flatnonzero(can_leave & ((s_lo >= start) != inside))
    if 0 < len(switching) <= max_switching:
        for choice in range(2 ** len(switching)):
            ins = inside.copy()
            ins[switching] = [(choice >> i) & 1 == 1 for i in range(len(switching))]
            ins |= ~can_leave
            floor = np.where(ins, start, lower)
            if not floor.sum() <= total <= np.where(ins, upper, lower).sum():
                continue
            a, b = _bisect_price(lambda lam, ins=ins, floor=floor: np.where(
                ins, _root(curves, lam, floor, upper), lower), total, lam_hi)
            s = np.clip(_mix(a, b, total), lower, upper)
            value = float(curves.value(s).sum())
            if value > best_value:
                best, best_value = s, value
    elif len(switching) > max_switching:  # 2^k choices too many: the optimum may be understated
        log.warning("budget evaluation: %d creators switch in/out at the optimal price (more than "
                    "%d): the true optimum is the Lagrangian mix only and may be understated, "
                    "which would overstate `capture`", len(switching), max_switching)
    return best


def naive_roas_allocation(observed_roas: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                          total: float) -> np.ndarray:
    """Everyone at the minimum, then the rest to the best observed ROAS first, up to each max."""
    s = lower.astype(float).copy()
    left = total - s.sum()
    order = np.argsort(-np.nan_to_num(observed_roas, nan=-np.inf), kind="stable")
    for i in order:
        if left <= 0:
            break
        add = min(upper[i] - s[i], left)
        s[i] += add
        left -= add
    return s


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 3:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(spearmanr(a, b).statistic)


def score_budget(truth: GroundTruth, budget_allocation: pd.DataFrame,
                 response_curves: pd.DataFrame) -> dict[str, Any]:
    """Capture of the true-optimal revenue gain by the recommended and the naive allocations."""
    skipped = _skip(truth, "budget")
    if skipped:
        return skipped
    a = budget_allocation.reset_index(drop=True)
    ids = a["creator_id"].astype("str").tolist()
    lower, upper = a["min_budget"].to_numpy(float), a["max_budget"].to_numpy(float)
    rec, cur = a["recommended_budget"].to_numpy(float), a["current_budget"].to_numpy(float)
    total = float(rec.sum())
    if abs(cur.sum() - total) > 1e-6 * max(total, 1.0):
        cur = project_to_budget(cur, lower, upper, total)
    true = true_revenue_curves(truth, ids)
    opt = true_optimum(true, lower, upper, total)
    f_cur, f_rec, f_opt = (float(true.value(x).sum()) for x in (cur, rec, opt))
    rc = response_curves.set_index(response_curves["creator_id"].astype("str")).reindex(ids)
    naive = naive_roas_allocation(rc["observed_roas"].to_numpy(float), lower, upper, total)
    f_naive = float(true.value(naive).sum())
    gain = f_opt - f_cur
    fitted_marginal = hill_derivative(cur, rc["vmax_revenue_usd"].to_numpy(float),
                                      rc["ec50_usd"].to_numpy(float), rc["hill_slope"].to_numpy(float))
    true_marginal = true.gradient(cur)
    out = {
        "n_creators": len(ids),
        "total_budget_usd": total,
        "true_revenue_current": f_cur,
        "true_revenue_recommended": f_rec,
        "true_revenue_optimal": f_opt,
        "true_revenue_naive": f_naive,
        "true_optimal_gain": gain,
        "capture": (f_rec - f_cur) / gain if gain > 0 else float("nan"),
        "naive_capture": (f_naive - f_cur) / gain if gain > 0 else float("nan"),
        "spearman_marginal": _spearman(fitted_marginal, true_marginal),
        "spearman_vmax_revenue": _spearman(rc["vmax_revenue_usd"].to_numpy(float), true.vmax),
        "model_used": str(rc["model_used"].iloc[0]) if "model_used" in rc and len(rc) else "",
    }
    log.info("Budget evaluation: capture %.1f %% of the true-optimal gain (naive ROAS rule %.1f %%).",
             100 * out["capture"], 100 * out["naive_capture"])
    return out
