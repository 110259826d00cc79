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
"""

from __future__ import annotations

import json
import logging
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from roi_ml.budget.allocator import HillSet, allocate, project_to_budget
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
    opt = allocate(true, lower, upper, total, current=cur, objective="revenue").spend
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
