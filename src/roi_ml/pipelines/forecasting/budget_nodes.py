"""Budget nodes: contracts + attributed credit → per-creator response curves → allocation.

Thin adapters over `roi_ml.budget` (curves.py, allocator.py). Flow:

1. `build_budget_contracts`: one row per contract with its spend (fees paid for delivered posts
   + product cost: what the brand pays the creator and controls; internal management overhead
   is left out), its attributed conversions and revenue (attribution model
   `budget.attribution.model`, falling back to `budget.attribution.fallback_model`), its rank in
   the creator's history and whether it is settled (its campaign ended at least
   `budget.settle_days` before the as-of date, so its conversions are in) and in the last period.
2. `fit_response_curves`: the pooled Hill fit on settled contracts → `response_curves`,
   `response_curve_points` and the fitted model (pickled, with bootstrap draws).
3. `allocate_budget`: bounds per creator, SLSQP allocation of the next period's total →
   `budget_allocation` and a summary (total expected revenue with its interval).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from roi_ml import inputs
from roi_ml.budget.allocator import HillSet, allocate, binding_constraints
from roi_ml.budget.curves import CurveSettings, PooledHillCurves, hill_curve, hill_derivative

log = logging.getLogger(__name__)

CONTRACT_COLUMNS = [
    "contract_id", "creator_id", "campaign_id", "campaign_start", "campaign_end", "objective",
    "campaign_seq", "fee_per_deliverable_usd", "product_cost_usd", "spend_usd",
    "contracted_spend_usd", "deliverables_committed", "deliverables_delivered",
    "attributed_conversions", "attributed_revenue", "model_used", "is_settled", "in_last_period",
]

ALLOCATION_COLUMNS = [
    "creator_id", "current_budget", "min_budget", "max_budget", "recommended_budget",
    "expected_revenue_current", "expected_revenue_recommended", "expected_revenue_low",
    "expected_revenue_high", "marginal_roi", "binding_constraint",
]

FALLBACK_SPEND_SCALE_USD = 100.0
"""Price scale of creators when no creator has a positive fee per deliverable (conf
budget.fallback_spend_scale_usd; the simulator's and most rate cards' fee floor)."""

POINT_COLUMNS = ["creator_id", "spend_usd", "expected_conversions", "expected_revenue",
                 "expected_revenue_low", "expected_revenue_high"]


# ------------------------------------------------------------------------------ inputs
def select_attribution(post_attribution: pd.DataFrame, model: str, fallback: str) -> tuple[pd.DataFrame, str]:
    """Rows of `model`; when it has none, rows of `fallback` (logged). Returns (rows, model used);
    neither stops the run naming the conf keys (roi_ml.inputs)."""
    return inputs.select_attribution_model(
        post_attribution, model, fallback, "post_attribution",
        ("budget.attribution.model", "budget.attribution.fallback_model"),
        "conf/base/parameters_budget.yml")


def _as_of(posts: pd.DataFrame, params: dict) -> pd.Timestamp:
    if params.get("as_of_date"):
        return pd.Timestamp(params["as_of_date"]).normalize()
    pub = pd.to_datetime(posts["published_at"])
    if getattr(pub.dt, "tz", None) is not None:
        pub = pub.dt.tz_convert("UTC").dt.tz_localize(None)
    if pub.notna().sum() == 0:
        raise ValueError("posts.published_at is empty: cannot tell the as-of date; set "
                         "`budget.as_of_date` in conf/base/parameters_budget.yml")
    return pub.max().normalize()


def build_budget_contracts(contracts: pd.DataFrame, campaigns: pd.DataFrame, posts: pd.DataFrame,
                           post_attribution: pd.DataFrame, params: dict) -> pd.DataFrame:
    """One row per contract: spend, attributed credit, history rank, settled / last-period flags.

    In: canonical `contracts`, `campaigns`, `posts` (for the as-of date), `post_attribution`;
    params = `budget`. Out: CONTRACT_COLUMNS (docs/metrics.md, "Response curves").
    """
    need = ["contract_id", "creator_id", "campaign_id", "fee_usd", "product_cost_usd",
            "deliverables_committed", "deliverables_delivered"]
    missing = [c for c in need if c not in contracts.columns]
    if missing:
        raise ValueError(f"contracts (data/02_intermediate/contracts.parquet) lacks {missing}")
    att, used = select_attribution(post_attribution, params["attribution"]["model"],
                                   params["attribution"]["fallback_model"])
    as_of = _as_of(posts, params)
    c = contracts.copy()
    committed = c["deliverables_committed"].astype("Float64")
    delivered = c["deliverables_delivered"].astype("Float64").fillna(0)
    fee = c["fee_usd"].astype("float64").fillna(0.0)
    product = c["product_cost_usd"].astype("float64").fillna(0.0)
    per = (fee / committed.where(committed > 0, delivered.where(delivered > 0))).astype("float64")
    c["fee_per_deliverable_usd"] = per.fillna(fee)
    share = (delivered / committed.where(committed > 0)).astype("float64").fillna(1.0).clip(0, 1)
    c["spend_usd"] = fee * share + product
    c["contracted_spend_usd"] = fee + product
    c["product_cost_usd"] = product
    camp = campaigns[["campaign_id", "start_date", "end_date", "objective"]].rename(
        columns={"start_date": "campaign_start", "end_date": "campaign_end"})
    c = c.merge(camp, on="campaign_id", how="left")
    no_campaign = c["campaign_start"].isna()
    if no_campaign.any():
        log.warning("Budget: %d contract(s) name a campaign missing from campaigns; they are "
                    "ranked by contract id and never count as settled.", int(no_campaign.sum()))
    c = c.sort_values(["creator_id", "campaign_start", "contract_id"], na_position="last")
    c["campaign_seq"] = c.groupby("creator_id").cumcount() + 1
    credit = (att.dropna(subset=["campaign_id"])
              .groupby(["creator_id", "campaign_id"])[["attributed_conversions", "attributed_revenue"]]
              .sum().reset_index())
    c = c.merge(credit, on=["creator_id", "campaign_id"], how="left")
    c[["attributed_conversions", "attributed_revenue"]] = c[
        ["attributed_conversions", "attributed_revenue"]].fillna(0.0)
    c["model_used"] = used
    settle = pd.Timedelta(days=int(params["settle_days"]))
    c["is_settled"] = ((c["campaign_end"] + settle <= as_of) & (c["spend_usd"] > 0)
                       & (delivered.to_numpy() > 0)).fillna(False).astype(bool)
    start = as_of - pd.Timedelta(days=int(params["period_days"]))
    c["in_last_period"] = ((c["campaign_start"] > start) & (c["campaign_start"] <= as_of)).fillna(False).astype(bool)
    for col in ("creator_id", "campaign_id", "contract_id", "objective", "model_used"):
        c[col] = c[col].astype("str")
    out = c[CONTRACT_COLUMNS].reset_index(drop=True)
    log.info("Budget: %d contracts, %d settled (used to fit curves), %d in the last %d days "
             "(as of %s); credit from '%s'.", len(out), int(out["is_settled"].sum()),
             int(out["in_last_period"].sum()), int(params["period_days"]), as_of.date(), used)
    return out


# ------------------------------------------------------------------------------ curves
EXPOSURE_COLUMNS = {"reach_per_post": "reach", "impressions_per_post": "impressions",
                    "clicks_per_post": "link_clicks", "engagements_per_post": "engagements_authentic"}
"""Observable scale per creator (kpi_creator column / n_posts), usable as level covariates."""


def creator_exposure(kpi_creator: pd.DataFrame | None) -> pd.DataFrame:
    """Per-post reach, impressions, link clicks and authentic engagements of each creator
    (kpi_creator totals / n_posts): what a planner sees of a creator's audience before spending.
    Creators without posts get nulls (the fit then uses the median: no information)."""
    cols = list(EXPOSURE_COLUMNS)
    if kpi_creator is None or kpi_creator.empty:
        return pd.DataFrame(columns=["creator_id", *cols]).astype({"creator_id": "str"})
    need = ["creator_id", "n_posts", *EXPOSURE_COLUMNS.values()]
    missing = [c for c in need if c not in kpi_creator.columns]
    if missing:
        raise ValueError(f"kpi_creator (data/07_model_output/kpi_creator.parquet) lacks {missing}; "
                         f"drop the exposure names from `budget.curves.level_covariates` to fit without it")
    k = kpi_creator
    n = pd.to_numeric(k["n_posts"], errors="coerce").astype("float64")
    out = pd.DataFrame({"creator_id": k["creator_id"].astype("str")})
    for name, col in EXPOSURE_COLUMNS.items():
        out[name] = (pd.to_numeric(k[col], errors="coerce").astype("float64") / n.where(n > 0)).to_numpy()
    return out.drop_duplicates("creator_id")


def curve_inputs(budget_contracts: pd.DataFrame, creators: pd.DataFrame,
                 kpi_creator: pd.DataFrame | None = None,
                 fallback_spend_scale_usd: float = FALLBACK_SPEND_SCALE_USD
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(observations, creators) frames for PooledHillCurves: settled contracts, and every
    creator with at least one contract (price scale = median fee per deliverable; a creator
    without a positive fee gets the median of the others', or `fallback_spend_scale_usd` when
    nobody has one; exposure per post from kpi_creator, see creator_exposure)."""
    bc = budget_contracts
    per_creator = bc.groupby("creator_id").agg(
        spend_scale_usd=("fee_per_deliverable_usd", "median"),
        contracts_to_date=("contract_id", "size"))
    roster = creators.set_index(creators["creator_id"].astype("str"))
    cr = per_creator.join(roster[["tier", "primary_platform", "max_followers"]], how="left")
    cr = cr.rename(columns={"primary_platform": "platform", "max_followers": "followers"})
    cr["tier"] = cr["tier"].astype("str").fillna("unknown")
    cr["platform"] = cr["platform"].astype("str").fillna("unknown")
    cr["followers"] = pd.to_numeric(cr["followers"], errors="coerce").astype("float64")
    scale_ok = cr["spend_scale_usd"] > 0
    if not scale_ok.all():
        fallback = (float(cr.loc[scale_ok, "spend_scale_usd"].median()) if scale_ok.any()
                    else float(fallback_spend_scale_usd))
        log.warning("Budget: %d creator(s) have no positive fee per deliverable; using the median "
                    "price scale %.2f USD for them.", int((~scale_ok).sum()), fallback)
        cr.loc[~scale_ok, "spend_scale_usd"] = fallback
    cr = cr.reset_index().rename(columns={"index": "creator_id"})
    cr["creator_id"] = cr["creator_id"].astype("str")
    cr = cr.merge(creator_exposure(kpi_creator), on="creator_id", how="left")
    s = bc[bc["is_settled"]]
    obs = pd.DataFrame({
        "creator_id": s["creator_id"].to_numpy(),
        "spend_usd": s["spend_usd"].to_numpy(dtype=float),
        "conversions": s["attributed_conversions"].to_numpy(dtype=float),
        "revenue": s["attributed_revenue"].to_numpy(dtype=float),
        "prior_contracts": (s["campaign_seq"] - 1).to_numpy(dtype=float),
        "is_awareness": (s["objective"] == "awareness").to_numpy(),
    })
    return obs, cr


def curve_settings(params: dict) -> CurveSettings:
    cfg = dict(params.get("curves", {}))
    if "level_covariates" in cfg:
        cfg["level_covariates"] = tuple(cfg["level_covariates"] or ())
    cfg["next_is_awareness"] = params.get("next_period_objective", "conversion") == "awareness"
    return CurveSettings(**cfg)


def fit_response_curves(budget_contracts: pd.DataFrame, creators: pd.DataFrame,
                        kpi_creator: pd.DataFrame, params: dict) -> tuple[pd.DataFrame, pd.DataFrame, PooledHillCurves]:
    """Pooled Hill curves per creator → (response_curves, response_curve_points, model).

    response_curves: one row per creator with a contract; the curve of its next contract
    (docs/metrics.md). response_curve_points: the curve on a spend grid with its bootstrap
    interval for revenue.
    """
    obs, cr = curve_inputs(budget_contracts, creators, kpi_creator,
                           float(params.get("fallback_spend_scale_usd", FALLBACK_SPEND_SCALE_USD)))
    model = PooledHillCurves(curve_settings(params)).fit(obs, cr)
    curves = model.curves_.merge(cr[["creator_id", "tier", "platform", "spend_scale_usd",
                                     "contracts_to_date"]], on="creator_id")
    hist = obs.groupby("creator_id").agg(n_contracts_fitted=("spend_usd", "size"),
                                         observed_spend_usd=("spend_usd", "sum"),
                                         observed_conversions=("conversions", "sum"),
                                         observed_revenue=("revenue", "sum"))
    curves = curves.merge(hist, left_on="creator_id", right_index=True, how="left")
    curves[["observed_spend_usd", "observed_conversions", "observed_revenue"]] = curves[
        ["observed_spend_usd", "observed_conversions", "observed_revenue"]].fillna(0.0)
    curves["n_contracts_fitted"] = curves["n_contracts_fitted"].fillna(0).astype("int64")
    curves["observed_roas"] = (curves["observed_revenue"]
                               / curves["observed_spend_usd"].where(curves["observed_spend_usd"] > 0))
    curves["shrinkage_weight"] = model.shrinkage_weight_
    q = _quantiles(params)
    vrev = model.draws_["vmax_conversions"] * model.draws_["revenue_per_conversion_usd"]
    if len(vrev):
        curves["vmax_revenue_low"], curves["vmax_revenue_high"] = bootstrap_interval(
            curves["vmax_revenue_usd"].to_numpy(), vrev, q)
    else:
        curves["vmax_revenue_low"] = curves["vmax_revenue_high"] = curves["vmax_revenue_usd"]
    curves["model_used"] = str(budget_contracts["model_used"].iloc[0]) if len(budget_contracts) else ""
    curves = curves.rename(columns={"platform": "primary_platform"})
    for col in ("creator_id", "tier", "primary_platform", "curve_basis", "model_used"):
        curves[col] = curves[col].astype("str")
    points = curve_points(model, curves, budget_contracts, params)
    for k, v in model.globals_.items():
        log.info("Budget curves: %s = %s", k, f"{v:.4g}" if isinstance(v, float) else v)
    return curves, points, model


def _quantiles(params: dict) -> tuple[float, float]:
    level = float(params["interval"])
    return (1 - level) / 2, 1 - (1 - level) / 2


def bootstrap_interval(point, draws, q: tuple[float, float], additive: bool = False):
    """(low, high) of a quantity from its bootstrap draws (axis 0), recentred on the point
    estimate: refits of data simulated around a shrunk fit shrink again, so the draws' median
    is moved onto the point (multiplicatively, or additively for a quantity that can be ≤ 0)
    and the interval always holds the estimate."""
    point = np.asarray(point, dtype=float)
    med = np.median(draws, axis=0)
    if additive:
        return point + np.quantile(draws, q[0], axis=0) - med, point + np.quantile(draws, q[1], axis=0) - med
    safe = np.where(med > 0, med, 1.0)
    low = np.where(med > 0, point * np.quantile(draws, q[0], axis=0) / safe, point)
    high = np.where(med > 0, point * np.quantile(draws, q[1], axis=0) / safe, point)
    return low, high


def curve_points(model: PooledHillCurves, curves: pd.DataFrame, budget_contracts: pd.DataFrame,
                 params: dict) -> pd.DataFrame:
    """Each creator's curve on `budget.points.n` spends from 0 to max_spend_multiple × the larger
    of its ec50 and its largest contracted spend."""
    cfg = params["points"]
    top = budget_contracts.groupby("creator_id")["contracted_spend_usd"].max()
    c = model.curves_
    reach = np.maximum(c["ec50_usd"].to_numpy(), top.reindex(c["creator_id"]).fillna(0.0).to_numpy())
    grid = np.linspace(0.0, 1.0, int(cfg["n"]))[None, :] * (float(cfg["max_spend_multiple"]) * reach)[:, None]
    vconv, ec50, n = (c[k].to_numpy()[:, None] for k in ("vmax_conversions", "ec50_usd", "hill_slope"))
    rpc = c["revenue_per_conversion_usd"].to_numpy()[:, None]
    conv = hill_curve(grid, vconv, ec50, n)
    q = _quantiles(params)
    dr = model.draws_
    if dr["vmax_conversions"].shape[0]:
        v = (dr["vmax_conversions"] * dr["revenue_per_conversion_usd"])[:, :, None]
        rev_draws = hill_curve(grid[None], v, dr["ec50_usd"][:, :, None], dr["hill_slope"][:, :, None])
        low, high = bootstrap_interval(conv * rpc, rev_draws, q)
    else:
        low = high = conv * rpc
    n_pts = grid.shape[1]
    return pd.DataFrame({
        "creator_id": np.repeat(c["creator_id"].to_numpy(), n_pts).astype("str"),
        "spend_usd": grid.ravel(),
        "expected_conversions": conv.ravel(),
        "expected_revenue": (conv * rpc).ravel(),
        "expected_revenue_low": low.ravel(),
        "expected_revenue_high": high.ravel(),
    }).astype({"creator_id": "str"})


# ------------------------------------------------------------------------------ allocation
def allocation_bounds(budget_contracts: pd.DataFrame, creator_ids, params: dict) -> pd.DataFrame:
    """Current budget and bounds of each creator in the allocation (docs/metrics.md).

    current = contracted spend (fee + product) of its latest contract in the last period;
    min = max(min_deliverables × fee per deliverable + product, current × (1 − max_decrease));
    max = min(max_deliverables × fee per deliverable + product, current × (1 + max_increase));
    creators in `budget.fixed_creators` have min = max = current.
    """
    b = params["bounds"]
    last = budget_contracts[budget_contracts["in_last_period"]]
    last = last.sort_values(["campaign_start", "contract_id"]).groupby("creator_id").tail(1)
    last = last.set_index("creator_id").reindex(list(creator_ids)).dropna(subset=["contract_id"])
    fee = budget_contracts.groupby("creator_id")["fee_per_deliverable_usd"].median().reindex(last.index)
    product = budget_contracts.groupby("creator_id")["product_cost_usd"].median().reindex(last.index)
    current = last["contracted_spend_usd"].astype("float64")
    contract_min = float(b["min_deliverables"]) * fee + product
    capacity = float(b["max_deliverables"]) * fee + product
    dec = current * (1.0 - float(b["max_decrease_share"]))
    inc = current * (1.0 + float(b["max_increase_share"]))
    lower = np.maximum(contract_min, dec)
    lower_reason = np.where(contract_min >= dec, "contract_minimum", "max_decrease")
    upper = np.minimum(capacity, inc)
    upper_reason = np.where(capacity <= inc, "capacity", "max_increase")
    upper = np.maximum(upper, lower)
    out = pd.DataFrame({"creator_id": last.index.astype("str"), "current_budget": current.to_numpy(),
                        "min_budget": lower.to_numpy(), "max_budget": upper.to_numpy(),
                        "lower_reason": lower_reason, "upper_reason": upper_reason})
    fixed = out["creator_id"].isin([str(x) for x in params.get("fixed_creators") or []])
    unknown = set(map(str, params.get("fixed_creators") or [])) - set(out["creator_id"])
    if unknown:
        log.warning("Budget: fixed creators not in the allocation (no contract in the last "
                    "period): %s", sorted(unknown))
    out.loc[fixed, "min_budget"] = out.loc[fixed, "current_budget"]
    out.loc[fixed, "max_budget"] = out.loc[fixed, "current_budget"]
    return out.reset_index(drop=True)


def allocate_budget(model: PooledHillCurves, budget_contracts: pd.DataFrame,
                    params: dict) -> tuple[pd.DataFrame, dict[str, Any], dict[str, dict]]:
    """Next period's allocation → (budget_allocation, summary, MLflow metrics).

    Who is allocated: every creator with a contract whose campaign started in the last
    `budget.period_days` (the brand's current roster of active creators). Total =
    `budget.total`, or (null) the sum of their current budgets.
    """
    c = model.curves_.set_index("creator_id")
    bounds = allocation_bounds(budget_contracts, c.index, params)
    if bounds.empty:
        raise ValueError(f"no creator has a contract that started in the last "
                         f"{params['period_days']} days: nothing to allocate "
                         f"(conf `budget.period_days`, `budget.as_of_date`)")
    cur = c.loc[bounds["creator_id"]]
    rev = HillSet(cur["vmax_revenue_usd"].to_numpy(), cur["ec50_usd"].to_numpy(), cur["hill_slope"].to_numpy())
    conv = HillSet(cur["vmax_conversions"].to_numpy(), cur["ec50_usd"].to_numpy(), cur["hill_slope"].to_numpy())
    total = params.get("total")
    total = float(bounds["current_budget"].sum()) if total is None else float(total)
    objective = params["objective"]
    lower, upper = bounds["min_budget"].to_numpy(), bounds["max_budget"].to_numpy()
    current = bounds["current_budget"].to_numpy()
    unallocated = 0.0
    if objective != "target_roas" and total > upper.sum():
        # a scenario larger than the roster can absorb: spend what the bounds allow, say so
        unallocated = total - float(upper.sum())
        log.warning("Budget: total %.2f USD is above what the %d creators can take under their "
                    "maximum budgets (%.2f USD); %.2f USD stays unallocated. Raise "
                    "`budget.bounds.max_increase_share` / `max_deliverables` or widen "
                    "`budget.period_days` to allocate it.", total, len(upper), upper.sum(), unallocated)
        total = float(upper.sum())
    res = allocate(conv if objective == "conversions" else rev, lower, upper, total, current=current,
                   objective=objective, revenue_curves=rev, target_roas=params.get("target_roas"),
                   grid_points=int(params["grid_points"]),
                   free_set_above=params.get("solver", {}).get("free_set_above"),
                   price_band=float(params.get("solver", {}).get("price_band", 0.05)))
    s = res.spend
    pos = pd.Series(np.arange(len(model.curves_)), index=model.curves_["creator_id"]).loc[bounds["creator_id"]].to_numpy()
    dr = model.draws_
    q = _quantiles(params)
    out = bounds[["creator_id", "current_budget", "min_budget", "max_budget"]].copy()
    out["recommended_budget"] = s
    out["expected_revenue_current"] = rev.value(current)
    out["expected_revenue_recommended"] = rev.value(s)
    if dr["vmax_conversions"].shape[0]:
        vd = (dr["vmax_conversions"] * dr["revenue_per_conversion_usd"])[:, pos]
        rd = hill_curve(s[None, :], vd, dr["ec50_usd"][:, pos], dr["hill_slope"][:, pos])
        rd_cur = hill_curve(current[None, :], vd, dr["ec50_usd"][:, pos], dr["hill_slope"][:, pos])
        out["expected_revenue_low"], out["expected_revenue_high"] = bootstrap_interval(
            out["expected_revenue_recommended"].to_numpy(), rd, q)
        tot, tot_cur = rd.sum(axis=1), rd_cur.sum(axis=1)
        exp_rec_pt = float(out["expected_revenue_recommended"].sum())
        exp_cur_pt = float(out["expected_revenue_current"].sum())
        total_low, total_high = (float(x) for x in bootstrap_interval(exp_rec_pt, tot, q))
        gain_low, gain_high = (float(x) for x in bootstrap_interval(
            exp_rec_pt - exp_cur_pt, tot - tot_cur, q, additive=True))
    else:
        out["expected_revenue_low"] = out["expected_revenue_high"] = out["expected_revenue_recommended"]
        total_low = total_high = float(out["expected_revenue_recommended"].sum())
        gain_low = gain_high = float(out["expected_revenue_recommended"].sum() - out["expected_revenue_current"].sum())
    out["marginal_roi"] = hill_derivative(s, rev.vmax, rev.ec50, rev.slope) - 1.0
    out["binding_constraint"] = binding_constraints(s, lower, upper, bounds["lower_reason"],
                                                    bounds["upper_reason"])
    out["creator_id"] = out["creator_id"].astype("str")
    out["binding_constraint"] = out["binding_constraint"].astype("str")
    exp_cur, exp_rec = float(out["expected_revenue_current"].sum()), float(out["expected_revenue_recommended"].sum())
    summary = {
        "objective": objective, "total_budget_usd": total + unallocated,
        "unallocated_usd": unallocated,
        "current_total_usd": float(current.sum()), "recommended_total_usd": float(s.sum()),
        "n_creators": int(len(out)), "model_used": str(budget_contracts["model_used"].iloc[0]) if len(budget_contracts) else "",
        "expected_revenue_current": exp_cur, "expected_revenue_recommended": exp_rec,
        "expected_revenue_low": float(total_low), "expected_revenue_high": float(total_high),
        "expected_gain": exp_rec - exp_cur, "expected_gain_low": float(gain_low),
        "expected_gain_high": float(gain_high), "interval": float(params["interval"]),
        "marginal_roi_of_budget": float(res.multiplier - 1.0) if np.isfinite(res.multiplier) else None,
        "binding_constraints": out["binding_constraint"].value_counts().to_dict(),
        "solver_success": bool(res.success), "solver_message": res.message,
        "curves": model.globals_,
    }
    metrics = {k: {"value": float(v), "step": 0} for k, v in summary.items()
               if isinstance(v, int | float) and not isinstance(v, bool) and np.isfinite(v)}
    log.info("Budget: %d creators, total %.0f USD; expected revenue %.0f → %.0f USD (%.0f–%.0f).",
             len(out), total, exp_cur, exp_rec, total_low, total_high)
    return out[ALLOCATION_COLUMNS], summary, metrics
