"""budget_reallocation: the allocator's recommendation as concrete moves, "move X from A to B".

Input: `budget_allocation` (forecasting; one row per creator with current and recommended
budget, expected revenue at both and its interval at the recommended budget, marginal ROI and
the binding constraint). Creators whose budget the allocator cuts are donors, those it raises
are receivers; donors are matched to receivers greedily, largest cut to largest raise, so the
moves add up exactly to each creator's change.

Per move of X dollars from A to B (formulas in docs/metrics.md, "budget_reallocation"):
- slopeᵢ = (expected_revenue_recommendedᵢ − expected_revenue_currentᵢ) / (recommendedᵢ − currentᵢ),
  the average revenue per dollar along the creator's curve between the two points;
- expected_revenue_change = X·slope_B − X·slope_A;
- interval: each creator's change scaled by its curve's interval at the recommended point
  (lowᵢ / expected_revenue_recommendedᵢ, highᵢ / …), taken at the unfavourable end for the low
  bound and the favourable end for the high bound (no correlation assumed: conservative).
- confidence: high when the low bound is above 0, medium when the central change is positive
  and the interval's width is at most `medium_max_relative_width` × the change, else low.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi_ml.recommendations.common import as_text, fmt_usd, rank_by_impact, require_columns

COLUMNS = ["creator_id", "current_budget", "min_budget", "max_budget", "recommended_budget",
           "expected_revenue_current", "expected_revenue_recommended", "expected_revenue_low",
           "expected_revenue_high", "marginal_roi", "binding_constraint"]
UNALLOCATED = "(unallocated)"

OUTPUT_COLUMNS = [
    "rank", "from_creator_id", "to_creator_id", "move_usd", "expected_revenue_change",
    "expected_revenue_change_low", "expected_revenue_change_high", "from_marginal_roi",
    "to_marginal_roi", "from_binding_constraint", "to_binding_constraint",
    "from_budget_current", "from_budget_recommended", "to_budget_current",
    "to_budget_recommended", "confidence", "recommendation",
]


def _creator_changes(alloc: pd.DataFrame) -> pd.DataFrame:
    a = alloc.copy()
    a["delta_budget"] = a["recommended_budget"] - a["current_budget"]
    a["delta_revenue"] = a["expected_revenue_recommended"] - a["expected_revenue_current"]
    a["slope"] = np.where(a["delta_budget"].abs() > 0,
                          a["delta_revenue"] / a["delta_budget"].where(a["delta_budget"] != 0), 0.0)
    base = a["expected_revenue_recommended"].where(a["expected_revenue_recommended"] > 0)
    a["ratio_low"] = (a["expected_revenue_low"] / base).fillna(1.0).clip(lower=0)
    a["ratio_high"] = (a["expected_revenue_high"] / base).fillna(1.0).clip(lower=0)
    return a


def _match(donors: list[list], receivers: list[list], min_move: float) -> list[tuple]:
    """Greedy pairing of [id, amount] lists (largest first); leftovers pair with UNALLOCATED."""
    moves = []
    i = j = 0
    while i < len(donors) and j < len(receivers):
        x = min(donors[i][1], receivers[j][1])
        if x >= min_move:
            moves.append((donors[i][0], receivers[j][0], x))
        donors[i][1] -= x
        receivers[j][1] -= x
        if donors[i][1] <= 1e-9:
            i += 1
        if receivers[j][1] <= 1e-9:
            j += 1
    moves += [(d, UNALLOCATED, amt) for d, amt in donors[i:] if amt >= min_move]
    moves += [(UNALLOCATED, r, amt) for r, amt in receivers[j:] if amt >= min_move]
    return moves


def budget_reallocation(budget_allocation: pd.DataFrame, params: dict) -> pd.DataFrame:
    """budget_allocation → one row per move of budget between two creators, ranked by expected
    revenue change. Params: min_move_usd, medium_max_relative_width."""
    require_columns(budget_allocation, COLUMNS, "budget_allocation", "forecasting")
    min_move = float(params.get("min_move_usd", 1.0))
    max_rel = float(params.get("medium_max_relative_width", 2.0))
    a = _creator_changes(budget_allocation).set_index("creator_id")
    donors = a[a["delta_budget"] < 0].sort_values(["delta_budget"], kind="stable")
    receivers = a[a["delta_budget"] > 0].sort_values(["delta_budget"], ascending=False, kind="stable")
    moves = _match([[c, -v] for c, v in donors["delta_budget"].items()],
                   [[c, v] for c, v in receivers["delta_budget"].items()], min_move)
    rows = []
    for src, dst, x in moves:
        gain = lo_gain = hi_gain = 0.0
        loss = lo_loss = hi_loss = 0.0
        if dst != UNALLOCATED:
            r = a.loc[dst]
            gain = x * r["slope"]
            lo_gain, hi_gain = sorted((gain * r["ratio_low"], gain * r["ratio_high"]))
        if src != UNALLOCATED:
            d = a.loc[src]
            loss = x * d["slope"]  # revenue given up by the donor (positive when its curve rises)
            lo_loss, hi_loss = sorted((loss * d["ratio_low"], loss * d["ratio_high"]))
        change = gain - loss
        low, high = lo_gain - hi_loss, hi_gain - lo_loss
        if low > 0:
            conf = "high"
        elif change > 0 and (high - low) <= max_rel * change:
            conf = "medium"
        else:
            conf = "low"
        src_row = a.loc[src] if src != UNALLOCATED else None
        dst_row = a.loc[dst] if dst != UNALLOCATED else None
        rows.append({
            "from_creator_id": src, "to_creator_id": dst, "move_usd": x,
            "expected_revenue_change": change, "expected_revenue_change_low": low,
            "expected_revenue_change_high": high,
            "from_marginal_roi": np.nan if src_row is None else src_row["marginal_roi"],
            "to_marginal_roi": np.nan if dst_row is None else dst_row["marginal_roi"],
            "from_binding_constraint": None if src_row is None else src_row["binding_constraint"],
            "to_binding_constraint": None if dst_row is None else dst_row["binding_constraint"],
            "from_budget_current": np.nan if src_row is None else src_row["current_budget"],
            "from_budget_recommended": np.nan if src_row is None else src_row["recommended_budget"],
            "to_budget_current": np.nan if dst_row is None else dst_row["current_budget"],
            "to_budget_recommended": np.nan if dst_row is None else dst_row["recommended_budget"],
            "confidence": conf,
            "recommendation": _sentence(src, dst, x, change, low, high),
        })
    out = pd.DataFrame(rows, columns=[c for c in OUTPUT_COLUMNS if c != "rank"])
    for c in out.columns:
        if c not in ("from_creator_id", "to_creator_id", "from_binding_constraint",
                     "to_binding_constraint", "confidence", "recommendation"):
            out[c] = out[c].astype("float64")
    out = rank_by_impact(out, "expected_revenue_change", ["from_creator_id", "to_creator_id"])
    return as_text(out, ["from_creator_id", "to_creator_id", "from_binding_constraint",
                         "to_binding_constraint", "confidence", "recommendation"])


def _sentence(src: str, dst: str, x: float, change: float, low: float, high: float) -> str:
    money = f"${x:,.0f}"
    where = (f"Move {money} from {src} to {dst}" if UNALLOCATED not in (src, dst)
             else f"Cut {money} from {src}" if dst == UNALLOCATED
             else f"Add {money} to {dst}")
    sign = "+" if change >= 0 else "-"
    return (f"{where}: expected revenue {sign}${abs(change):,.0f} "
            f"(interval {fmt_usd(low)} to {fmt_usd(high)}).")
