"""Budget allocator over per-creator Hill curves: SLSQP with analytic gradients.

    maximise   Σ_c f_c(s_c)                      f_c = hill(·; vmax_c, ec50_c, n_c)
    subject to Σ_c s_c = B                       (objective "revenue" or "conversions")
               lower_c ≤ s_c ≤ upper_c
or, for a target ROAS ρ (objective "target_roas"):
    maximise   Σ_c rev_c(s_c)
    subject to Σ_c rev_c(s_c) ≥ ρ · Σ_c s_c,  Σ_c s_c ≤ B,  lower_c ≤ s_c ≤ upper_c

Hill curves with slope > 1 are S-shaped, so the problem is not concave. SLSQP starts from two
points and the better end wins: the current allocation projected onto the constraints, and the
equal-marginal-return allocation of a Lagrangian grid search (for each price λ every creator
takes the spend on a fine grid that maximises f_c(s) − λ·s; λ is bisected until the spends add
up to B), which finds the global optimum of separable problems up to the grid step.

With many creators (more than `free_set_above`), SLSQP's dense quasi-Newton step (cubic in
the number of variables) dominates: SLSQP then starts only from the Lagrangian allocation and
moves only the creators whose spend is free there — strictly between its bounds, or at a bound
its grid choice leaves when the price λ moves by ±`price_band` — with the others held at their
bounds; afterwards every held creator is checked against the final price (its grid choice at λ
must still be its bound) and the check's failures are freed and solved again. On a separable
problem this is the same optimum (the KKT conditions of the held creators are verified), at a
fraction of the cost.

Plain numpy / scipy, no Kedro: `allocate(...)` returns an `Allocation`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from roi_ml.budget.curves import hill_curve, hill_derivative

log = logging.getLogger(__name__)

OBJECTIVES = ("revenue", "conversions", "target_roas")


class BudgetError(ValueError):
    """The budget question has no answer under the bounds (total too small or too large,
    target ROAS unattainable)."""


@dataclass
class HillSet:
    """Hill curves of n creators (arrays of length n)."""

    vmax: np.ndarray
    ec50: np.ndarray
    slope: np.ndarray

    def __post_init__(self) -> None:
        self.vmax = np.asarray(self.vmax, dtype=float)
        self.ec50 = np.asarray(self.ec50, dtype=float)
        self.slope = np.asarray(self.slope, dtype=float) * np.ones_like(self.vmax)

    def value(self, s: np.ndarray) -> np.ndarray:
        return hill_curve(s, self.vmax, self.ec50, self.slope)

    def gradient(self, s: np.ndarray) -> np.ndarray:
        return hill_derivative(s, self.vmax, self.ec50, self.slope)


@dataclass
class Allocation:
    spend: np.ndarray             # recommended spend per creator
    objective_value: float        # Σ f_c at the recommendation
    multiplier: float             # λ: marginal objective per extra dollar of total budget
    success: bool
    message: str


def project_to_budget(start: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                      total: float) -> np.ndarray:
    """The allocation clip(t · start, lower, upper) whose sum is `total` (t by bisection);
    with an all-zero start, lower + t · (upper − lower)."""
    start = np.asarray(start, dtype=float)
    if start.sum() <= 0:
        width = upper - lower
        t = (total - lower.sum()) / width.sum() if width.sum() > 0 else 0.0
        return lower + np.clip(t, 0.0, 1.0) * width
    lo, hi = 0.0, 1.0
    while np.clip(hi * start, lower, upper).sum() < total and hi < 1e12:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.clip(mid * start, lower, upper).sum() < total:
            lo = mid
        else:
            hi = mid
    return np.clip(hi * start, lower, upper)


def _grid_best(curves: HillSet, lower, upper, lam: float, grid: np.ndarray) -> np.ndarray:
    """Per creator, the spend on its grid maximising f(s) − λ·s (grid: shape (n, g))."""
    vals = hill_curve(grid, curves.vmax[:, None], curves.ec50[:, None], curves.slope[:, None]) - lam * grid
    return grid[np.arange(len(grid)), np.argmax(vals, axis=1)]


def equal_marginal_start(curves: HillSet, lower: np.ndarray, upper: np.ndarray, total: float,
                         grid_points: int = 400, return_price: bool = False):
    """Lagrangian grid allocation (see the module docstring), repaired to sum to `total`
    (with return_price: (allocation, λ))."""
    grid = lower[:, None] + (upper - lower)[:, None] * np.linspace(0.0, 1.0, grid_points)[None, :]
    g_max = float(np.max(curves.gradient(np.maximum(lower, 1e-9)))) if len(lower) else 0.0
    g_max = max(g_max, float(np.max(curves.vmax / np.maximum(curves.ec50, 1e-9), initial=0.0)), 1e-12)
    lo, hi = 0.0, 10.0 * g_max
    best, best_lam = None, hi
    for _ in range(100):
        lam = 0.5 * (lo + hi)
        s = _grid_best(curves, lower, upper, lam, grid)
        if s.sum() > total:
            lo = lam
        else:
            hi = lam
            best, best_lam = s, lam
    if best is None:
        best = lower.copy()
    # repair the remaining gap: give it to (or take it from) creators in proportion to room
    gap = total - best.sum()
    room = (upper - best) if gap > 0 else (best - lower)
    if room.sum() > 0:
        best = best + gap * room / room.sum()
    best = np.clip(best, lower, upper)
    return (best, best_lam) if return_price else best


def _held_at_bound(curves: HillSet, lower, upper, lam: float, price_band: float,
                   grid_points: int) -> tuple[np.ndarray, np.ndarray]:
    """(held, bound): creators whose grid choice (maximising f(s) − p·s) is the same bound for
    every price p in λ·[1 − price_band, 1 + price_band], and that bound."""
    tol = 1e-9 * np.maximum(upper, 1.0)
    grid = lower[:, None] + (upper - lower)[:, None] * np.linspace(0.0, 1.0, grid_points)[None, :]
    at_lo = np.ones(len(lower), dtype=bool)
    at_hi = np.ones(len(lower), dtype=bool)
    for p in (lam * (1.0 - price_band), lam, lam * (1.0 + price_band)):
        g = _grid_best(curves, lower, upper, p, grid)
        at_lo &= g <= lower + tol
        at_hi &= g >= upper - tol
    return at_lo | at_hi, np.where(at_hi, upper, lower)


def check_bounds(lower: np.ndarray, upper: np.ndarray, total: float, equality: bool,
                 total_key: str = "budget.total") -> None:
    """Raise BudgetError when no allocation can meet the total within the bounds."""
    if np.any(lower > upper + 1e-9):
        raise BudgetError("a creator's minimum budget exceeds its maximum")
    need = float(lower.sum())
    if total < need - 1e-6:
        raise BudgetError(
            f"total budget {total:,.2f} USD is below the sum of the creators' minimum budgets "
            f"{need:,.2f} USD (shortfall {need - total:,.2f} USD). Raise `{total_key}` or lower "
            f"the minimums (`budget.bounds.min_deliverables`, `budget.bounds.max_decrease_share`) "
            f"or hold fewer creators fixed (`budget.fixed_creators`).")
    cap = float(upper.sum())
    if equality and total > cap + 1e-6:
        raise BudgetError(
            f"total budget {total:,.2f} USD is above the sum of the creators' maximum budgets "
            f"{cap:,.2f} USD (excess {total - cap:,.2f} USD): it cannot all be spent. Lower "
            f"`{total_key}` or raise the maximums (`budget.bounds.max_increase_share`, "
            f"`budget.bounds.max_deliverables`).")


def allocate(objective_curves: HillSet, lower, upper, total: float, current=None,
             objective: str = "revenue", revenue_curves: HillSet | None = None,
             target_roas: float | None = None, grid_points: int = 400,
             free_set_above: int | None = None, price_band: float = 0.05,
             start: np.ndarray | None = None) -> Allocation:
    """Maximise Σ f_c(s_c) under the bounds and the budget (see the module docstring).

    objective_curves: the curves being maximised (revenue or conversions). For
    objective="target_roas", revenue_curves defaults to objective_curves and target_roas is
    required; the budget then is a ceiling, not an amount to spend in full. With more than
    `free_set_above` creators (None: never) a revenue / conversions allocation is solved on
    the free set of the Lagrangian start (module docstring). `start`, when given, is the only
    SLSQP start of a revenue / conversions allocation.
    """
    if objective not in OBJECTIVES:
        raise BudgetError(f"objective must be one of {OBJECTIVES}, got {objective!r} "
                          f"(conf key `budget.objective`)")
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    n = len(lower)
    roas_mode = objective == "target_roas"
    check_bounds(lower, upper, total, equality=not roas_mode)
    if roas_mode:
        if target_roas is None:
            raise BudgetError("objective 'target_roas' needs `budget.target_roas`")
        revenue_curves = revenue_curves or objective_curves
    current = np.asarray(current if current is not None else lower, dtype=float)
    if n == 0:
        return Allocation(np.zeros(0), 0.0, 0.0, True, "no creators")
    if not roas_mode and free_set_above is not None and n > free_set_above:
        return _allocate_free_set(objective_curves, lower, upper, total, grid_points, price_band)

    # scale variables to the width of each creator's range for SLSQP's conditioning
    scale = np.maximum(upper, 1.0)
    f0 = max(float(np.sum(objective_curves.value(np.maximum(current, lower)))), 1e-9)

    def fun(x):
        s = x * scale
        return -float(np.sum(objective_curves.value(s))) / f0

    def jac(x):
        s = np.maximum(x * scale, 1e-12)
        return -objective_curves.gradient(s) * scale / f0

    bounds = list(zip(lower / scale, upper / scale, strict=True))
    if roas_mode:
        def roas_gap(x):
            s = x * scale
            return (float(np.sum(revenue_curves.value(s))) - target_roas * float(s.sum())) / f0

        def roas_gap_jac(x):
            s = np.maximum(x * scale, 1e-12)
            return (revenue_curves.gradient(s) - target_roas) * scale / f0

        constraints = [{"type": "ineq", "fun": lambda x: (total - float((x * scale).sum())) / total,
                        "jac": lambda x: -scale / total},
                       {"type": "ineq", "fun": roas_gap, "jac": roas_gap_jac}]
        starts = [lower.copy(), np.clip(current, lower, upper)]
    else:
        constraints = [{"type": "eq", "fun": lambda x: (float((x * scale).sum()) - total) / total,
                        "jac": lambda x: scale / total}]
        starts = ([np.clip(np.asarray(start, dtype=float), lower, upper)] if start is not None else
                  [project_to_budget(np.maximum(current, 0.0), lower, upper, total),
                   equal_marginal_start(objective_curves, lower, upper, total, grid_points)])

    best, best_val, best_res = None, np.inf, None
    for s0 in starts:
        with threadpool_limits(limits=1, user_api="blas"):  # small dense algebra: one thread
            res = minimize(fun, s0 / scale, jac=jac, bounds=bounds, constraints=constraints,
                           method="SLSQP", options={"maxiter": 500, "ftol": 1e-12})
        x = np.clip(res.x, lower / scale, upper / scale)
        feasible = _feasible(x * scale, lower, upper, total, roas_mode, revenue_curves, target_roas)
        val = fun(x)
        if not feasible:
            # fall back on the start when it is feasible and the solver's end point is not
            if _feasible(s0, lower, upper, total, roas_mode, revenue_curves, target_roas):
                x, val = s0 / scale, fun(s0 / scale)
            else:
                continue
        if val < best_val:
            best, best_val, best_res = x, val, res
    if best is None:
        if roas_mode:
            s = lower
            achieved = float(np.sum(revenue_curves.value(s))) / max(float(s.sum()), 1e-9)
            raise BudgetError(
                f"target ROAS {target_roas:g} cannot be met within the bounds (ROAS at the minimum "
                f"budgets: {achieved:.2f}). Lower `budget.target_roas` or the minimums.")
        raise BudgetError("the allocator found no feasible allocation (check the bounds)")
    s = best * scale
    if not roas_mode:
        s = _fix_total(s, lower, upper, total)
    grad = objective_curves.gradient(np.maximum(s, 1e-12))
    free = (s > lower + 1e-6 * scale) & (s < upper - 1e-6 * scale)
    lam = float(np.median(grad[free])) if free.any() else float("nan")
    return Allocation(spend=s, objective_value=float(np.sum(objective_curves.value(s))),
                      multiplier=lam, success=bool(best_res.success), message=str(best_res.message))


def _subset(curves: HillSet, idx: np.ndarray) -> HillSet:
    return HillSet(curves.vmax[idx], curves.ec50[idx], curves.slope[idx])


def _allocate_free_set(curves: HillSet, lower, upper, total: float, grid_points: int,
                       price_band: float, max_rounds: int = 4) -> Allocation:
    """SLSQP from the Lagrangian start on its free creators only (module docstring)."""
    s, lam = equal_marginal_start(curves, lower, upper, total, grid_points, return_price=True)
    held, bound = _held_at_bound(curves, lower, upper, lam, price_band, grid_points)
    success, message = True, "all creators held at bounds"
    for _ in range(max_rounds):
        s = np.where(held, bound, s)
        free = np.flatnonzero(~held)
        if free.size:
            lo_f, up_f = lower[free], upper[free]
            budget = float(np.clip(total - float(s[held].sum()), lo_f.sum(), up_f.sum()))
            start = project_to_budget(s[free], lo_f, up_f, budget)
            res = allocate(_subset(curves, free), lo_f, up_f, budget, current=s[free],
                           objective="revenue", grid_points=grid_points, start=start)
            s = s.copy()
            s[free] = res.spend
            success, message, lam = res.success, res.message, res.multiplier
        if not np.isfinite(lam):
            break
        # KKT check of the held creators at the final price: their grid choice must still be
        # the bound they are held at
        still, still_bound = _held_at_bound(curves, lower, upper, lam, 0.0, grid_points)
        newly_free = held & ~(still & (still_bound == bound))
        log.debug("Allocator free set: %d free, %d freed by the KKT check", int((~held).sum()),
                  int(newly_free.sum()))
        if not newly_free.any():
            break
        held = held & ~newly_free
    s = _fix_total(s, lower, upper, total)
    grad = curves.gradient(np.maximum(s, 1e-12))
    scale = np.maximum(upper, 1.0)
    free = (s > lower + 1e-6 * scale) & (s < upper - 1e-6 * scale)
    lam = float(np.median(grad[free])) if free.any() else float("nan")
    return Allocation(spend=s, objective_value=float(np.sum(curves.value(s))), multiplier=lam,
                      success=success, message=f"{message} (free set: {int((~held).sum())} of {len(s)})")


def _feasible(s, lower, upper, total, roas_mode, revenue_curves, target_roas, tol=1e-6) -> bool:
    if np.any(s < lower - tol * np.maximum(upper, 1)) or np.any(s > upper + tol * np.maximum(upper, 1)):
        return False
    if roas_mode:
        rev = float(np.sum(revenue_curves.value(s)))
        return s.sum() <= total * (1 + tol) and rev >= target_roas * s.sum() * (1 - 1e-6)
    return abs(s.sum() - total) <= 1e-5 * max(total, 1.0)


def _fix_total(s, lower, upper, total) -> np.ndarray:
    """Remove SLSQP's last rounding gap from the sum, within the bounds."""
    gap = total - s.sum()
    room = (upper - s) if gap > 0 else (s - lower)
    if room.sum() > 0 and abs(gap) > 0:
        s = s + gap * room / room.sum()
    return np.clip(s, lower, upper)


def binding_constraints(spend, lower, upper, lower_reason, upper_reason, rel_tol: float = 1e-4) -> np.ndarray:
    """Which bound holds each creator: "fixed" (lower = upper), the lower bound's reason, the
    upper bound's reason, or "none" (interior: its marginal return equals the others')."""
    spend, lower, upper = (np.asarray(x, dtype=float) for x in (spend, lower, upper))
    tol = rel_tol * np.maximum(upper, 1.0)
    out = np.full(len(spend), "none", dtype=object)
    out[spend <= lower + tol] = np.asarray(lower_reason, dtype=object)[spend <= lower + tol]
    out[spend >= upper - tol] = np.asarray(upper_reason, dtype=object)[spend >= upper - tol]
    out[np.abs(upper - lower) <= tol] = "fixed"
    return out
