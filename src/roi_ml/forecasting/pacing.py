"""Budget pacing: each campaign's projected end-of-campaign spend against its planned budget.

A contract's cost is fixed costs (product + management overhead, incurred once it is signed)
plus its fee, earned per delivered deliverable (fee / deliverables committed each). As of the
day `as_of`, per campaign not yet ended, with S = Σ_signed (fixed + fee) what its signed
contracts commit and B its planned budget (`series.planned_budget`, as the forecast's plan: the
planned daily spend × its days where the budget is missing; 0 without either):

    spend_to_date = Σ_signed fixed + Σ fee · posted_by_as_of / committed
    final spend   = Σ_signed (fixed_j + max(fee to date_j, fee_j · ρ_j))      signed contracts
                  + max(c_k · B − S, 0) · d_k                                 budget not yet signed

learnt from the campaigns completed by `as_of`: ρ_j is a contract's delivery ratio (delivered ÷
committed), drawn from the completed campaigns' contracts that delivered at least what contract
j has already posted; (c_k, d_k) come from one completed campaign k drawn at random, c_k = S_k ÷
B_k (the share of its budget it contracted) and d_k = its final spend ÷ S_k (the share of what it
contracted that it spent). The draws are independent. Once a campaign is live (t days after its
start), c_k · B − S is capped at L_k(t) · B, L_k(t) the share of its budget campaign k signed
more than t days after its own start (a contract without a signing date counts as late): a
brand signs most contracts before launch, and a running campaign whose signed contracts fall
short of the usual share of its budget is not credited with contracts the history says come
too late to sign. A campaign not started is not capped: weeks ahead, how far its signing has
got varies too much between campaigns, and its budget is the better guide (on six simulated
worlds the cap made planned campaigns' projections worse, docs/accuracy.md). A contract with no
deliverables committed can earn no fee, in the history and in the projection.

projected_spend_usd is the exact expectation of that sum over the empirical distributions; the
interval is its (1 − w)/2 and (1 + w)/2 quantiles (w = interval_width) over `n_draws` Monte
Carlo draws (seeded per campaign, so one campaign's interval does not depend on the others),
widened to include the projection. Drawing each contract's delivery, rather than one delivery rate per campaign, keeps
a campaign whose spend sits on one large contract as uncertain as that contract is; the
unsigned term carries the brand's habit of contracting its budget, so a planned campaign with a
few contracts signed is not projected at those few contracts (the idea of the forecast's
`series.uncontracted_budget`, which pools the share over the ended campaigns and has no cap:
the forecast plans spend, pacing projects a campaign's total with its spread). A completed campaign's projection is its spend (no
interval). With fewer than `min_completed_campaigns` completed campaigns nothing is learnt:
everything committed is delivered and the whole budget contracted (projection S + max(B − S, 0)),
and the interval runs from the spend to date (nothing more delivered, nothing more signed) to
that projection.

Amounts are rounded to the cent. pacing_ratio = projected / planned budget (> 1.10 feeds the
pacing alert).
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from roi_ml.forecasting.series import _utc_day, planned_budget

log = logging.getLogger(__name__)

PACING_COLUMNS = ["campaign_id", "planned_budget_usd", "spend_to_date_usd", "projected_spend_usd",
                  "projected_spend_low_usd", "projected_spend_high_usd", "pacing_ratio",
                  "campaign_state"]


def campaign_state(start: pd.Timestamp, end: pd.Timestamp, as_of: pd.Timestamp) -> str:
    """planned (starts after as_of), completed (ended on or before as_of) or live."""
    if start > as_of:
        return "planned"
    if end <= as_of:
        return "completed"
    return "live"


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").astype("float64").fillna(0.0)


def contract_progress(contracts: pd.DataFrame, posts: pd.DataFrame,
                      as_of: pd.Timestamp) -> pd.DataFrame:
    """Per contract signed by as_of (or without a signed_date): fixed_usd, fee_usd (0 when no
    deliverable is committed: nothing can earn it), committed, delivered, signed_date, posted
    (by as_of, at most committed), fee_to_date_usd, delivered_share (min(delivered,
    committed) ÷ committed; 0 with nothing committed)."""
    k = contracts.copy()
    signed = (_utc_day(k["signed_date"]) if "signed_date" in k
              else pd.Series(pd.NaT, index=k.index, dtype="datetime64[ns]"))
    keep = signed.isna() | (signed <= as_of)
    k, signed = k[keep], signed[keep]
    published = _utc_day(posts["published_at"])
    done = posts[published.notna() & (published <= as_of)]
    posted = done.groupby("contract_id").size()
    committed = _num(k["deliverables_committed"])
    out = pd.DataFrame({
        "contract_id": k["contract_id"].to_numpy(),
        "campaign_id": k["campaign_id"].astype("str").to_numpy(),
        "fixed_usd": (_num(k["product_cost_usd"]) + _num(k["management_overhead_usd"])).to_numpy(),
        "fee_usd": _num(k["fee_usd"]).where(committed > 0, 0.0).to_numpy(),
        "committed": committed.to_numpy(),
        "delivered": _num(k["deliverables_delivered"]).to_numpy(),
        "signed_date": signed.astype("datetime64[ns]").to_numpy(),
    })
    out["posted"] = out["contract_id"].map(posted).fillna(0).astype("float64")
    out["posted"] = np.minimum(out["posted"], out["committed"])
    out["fee_to_date_usd"] = out["fee_usd"] * _ratio(out["posted"], out["committed"])
    out["delivered_share"] = _ratio(np.minimum(out["delivered"], out["committed"]), out["committed"])
    return out


def _ratio(a: pd.Series | np.ndarray, b: pd.Series | np.ndarray) -> np.ndarray:
    a, b = np.asarray(a, "float64"), np.asarray(b, "float64")
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)


@dataclass(frozen=True)
class PacingHistory:
    """What the completed campaigns teach: contracts' delivery ratios ρ, and per campaign k its
    contracted share of budget c, spent share of contracted cost d, and when its contracts were
    signed (days after its start, cost ÷ budget each: `late`). learnt = False: too few completed
    campaigns, nothing learnt."""
    rho: np.ndarray
    c: np.ndarray
    d: np.ndarray
    signed_day: list[np.ndarray]
    signed_share: list[np.ndarray]
    learnt: bool

    def late(self, day: float) -> np.ndarray:
        """Per completed campaign: the share of its budget it signed more than `day` days after
        its start (all it contracted where signing dates are unknown)."""
        return np.array([float(w[t > day].sum()) for t, w in zip(self.signed_day, self.signed_share,
                                                                   strict=True)])


def learn_history(camp: pd.DataFrame, prog: pd.DataFrame, min_completed_campaigns: int) -> PacingHistory:
    """PacingHistory from the completed campaigns with a positive budget and signed fees
    (camp: campaign_id, state, start, budget; prog: contract_progress)."""
    done = camp[(camp["state"] == "completed") & (camp["budget"] > 0)].set_index("campaign_id")
    k = prog[prog["campaign_id"].isin(done.index)]
    with_fees = k.groupby("campaign_id")["fee_usd"].sum()
    k = k[k["campaign_id"].isin(with_fees.index[with_fees > 0])]
    k = k.assign(cost=k["fixed_usd"] + k["fee_usd"],
                 spent=k["fixed_usd"] + k["fee_usd"] * k["delivered_share"])
    by = k.groupby("campaign_id")[["cost", "spent"]].sum()
    if len(by) < min_completed_campaigns:
        return PacingHistory(np.ones(1), np.ones(1), np.ones(1), [np.array([np.inf])],
                             [np.ones(1)], learnt=False)
    budget = done.loc[by.index, "budget"]
    rho = k.loc[k["committed"] > 0, "delivered_share"].to_numpy("float64")
    days = ((k["signed_date"] - k["campaign_id"].map(done["start"])).dt.days.astype("float64")
            .fillna(np.inf).to_numpy())
    share = (k["cost"] / k["campaign_id"].map(done["budget"])).to_numpy("float64")
    ids = k["campaign_id"].to_numpy()
    return PacingHistory(rho=np.sort(rho), c=(by["cost"] / budget).to_numpy("float64"),
                         d=(by["spent"] / by["cost"]).to_numpy("float64"),
                         signed_day=[days[ids == i] for i in by.index],
                         signed_share=[share[ids == i] for i in by.index], learnt=True)


def _campaign_draws(k: pd.DataFrame, budget: float, day: float, hist: PacingHistory, n_draws: int,
                    rng: np.random.Generator) -> tuple[float, np.ndarray]:
    """(expected final spend, n_draws Monte Carlo draws of it) of one campaign not yet ended,
    `day` days after its start (negative before it; k: its signed contracts from
    contract_progress)."""
    fixed = k["fixed_usd"].to_numpy("float64")
    fee = k["fee_usd"].to_numpy("float64")
    now = k["fee_to_date_usd"].to_numpy("float64")
    floor = _ratio(k["posted"], k["committed"])
    signed_total = float((fixed + fee).sum())
    mean = float(fixed.sum())
    draws = np.full(n_draws, mean)
    for j in range(len(k)):
        # the delivery ratios of contracts that delivered at least what j has posted (j's own
        # posted share when none did)
        pool = hist.rho[hist.rho >= floor[j] - 1e-12]
        if pool.size == 0:
            pool = np.array([floor[j]])
        outcome = np.maximum(now[j], fee[j] * pool)
        mean += float(outcome.mean())
        draws += outcome[rng.integers(0, pool.size, n_draws)]
    # before its start a campaign's budget is the guide to what is still to be signed; once it
    # runs, no more than the completed campaigns signed after the same day of their run
    gap = hist.c * budget - signed_total
    if day >= 0:
        gap = np.minimum(gap, hist.late(day) * budget)
    unsigned = np.clip(gap, 0.0, None) * hist.d
    mean += float(unsigned.mean())
    draws += unsigned[rng.integers(0, unsigned.size, n_draws)]
    return mean, draws


def pace_campaigns(campaigns: pd.DataFrame, contracts: pd.DataFrame, posts: pd.DataFrame,
                   as_of: pd.Timestamp, interval_width: float = 0.8,
                   min_completed_campaigns: int = 3, n_draws: int = 2000,
                   seed: int = 0) -> pd.DataFrame:
    """One row per campaign (PACING_COLUMNS); see the module docstring for the formulas."""
    if not 0 < interval_width < 1:
        raise ValueError(f"interval_width must be in (0, 1), got {interval_width} "
                         "(conf forecasting.pacing.interval_width)")
    if n_draws < 1:
        raise ValueError(f"n_draws must be at least 1, got {n_draws} (conf forecasting.pacing.n_draws)")
    prog = contract_progress(contracts, posts, as_of)
    camp = campaigns.copy()
    camp["campaign_id"] = camp["campaign_id"].astype("str")
    twice = camp["campaign_id"][camp["campaign_id"].duplicated()].unique().tolist()
    if twice:
        raise ValueError(f"Budget pacing: campaign_id {twice[:5]} appears more than once in the "
                         "campaigns table (data/02_intermediate/campaigns.parquet); one row per "
                         "campaign in the campaign plan export")
    camp["start"] = _utc_day(camp["start_date"])
    camp["state"] = [campaign_state(s, e, as_of) for s, e in
                     zip(camp["start"], _utc_day(camp["end_date"]), strict=True)]
    camp["plan"] = planned_budget(camp)
    camp["budget"] = camp["plan"].fillna(0.0)
    hist = learn_history(camp, prog, min_completed_campaigns)
    if not hist.learnt:
        log.info("Budget pacing: fewer than %d completed campaigns (conf forecasting.pacing."
                 "min_completed_campaigns): every committed deliverable assumed delivered and the "
                 "whole budget contracted; the interval runs down to the spend to date",
                 min_completed_campaigns)
    alpha = (1 - interval_width) / 2
    by = dict(tuple(prog.groupby("campaign_id")))
    empty = prog.iloc[:0]
    rows = []
    for c in camp.itertuples():
        k = by.get(c.campaign_id, empty)
        fixed = float(k["fixed_usd"].sum())
        if c.state == "completed":
            spent = fixed + float((k["fee_usd"] * k["delivered_share"]).sum())
            to_date, proj, lo, hi = spent, spent, spent, spent
        else:
            to_date = fixed + (float(k["fee_to_date_usd"].sum()) if c.state == "live" else 0.0)
            if hist.learnt:
                day = float((as_of - c.start).days)
                rng = np.random.default_rng([seed, zlib.crc32(c.campaign_id.encode())])
                proj, draws = _campaign_draws(k, c.budget, day, hist, n_draws, rng)
                lo, hi = np.quantile(draws, [alpha, 1 - alpha])
            else:
                signed = fixed + float(k["fee_usd"].sum())
                proj, hi = (signed + max(c.budget - signed, 0.0),) * 2
                lo = to_date
        rows.append({"campaign_id": c.campaign_id, "planned_budget_usd": float(c.plan),
                     "spend_to_date_usd": round(float(to_date), 2),
                     "projected_spend_usd": round(float(proj), 2),
                     "projected_spend_low_usd": round(float(min(lo, proj)), 2),
                     "projected_spend_high_usd": round(float(max(hi, proj)), 2),
                     "pacing_ratio": float(proj / c.budget) if c.budget > 0 else float("nan"),
                     "campaign_state": c.state})
    out = pd.DataFrame(rows, columns=PACING_COLUMNS)
    out["campaign_id"] = out["campaign_id"].astype("str")
    out["campaign_state"] = out["campaign_state"].astype("str")
    return out
