"""Budget pacing: each campaign's projected end-of-campaign spend against its planned budget.

A contract's cost is fixed costs (product + management overhead, incurred once it is signed)
plus its fee, earned per delivered deliverable (fee / deliverables committed each). As of the
day `as_of`:

    spend_to_date  = Σ_signed (product + overhead) + Σ fee · posted_by_as_of / committed
    delivery rate r_c of a completed campaign c = Σ delivered / Σ committed (fee-weighted)
    projected      = Σ_signed (product + overhead) + max(fee to date, Σ fee · r)

with r the mean of the completed campaigns' rates (the projection) and their empirical
(1 − w)/2 and (1 + w)/2 quantiles (the interval, w = interval_width): a campaign can only end
up with the fees it has already earned or more, and past campaigns say how much of what is
committed gets delivered. A completed campaign's projection is its spend (no interval). A
planned campaign without contracts is projected at planned budget × the completed campaigns'
contracted share of plan (same quantiles for the interval). With fewer than
`min_completed_campaigns` completed campaigns the rate is 1 (everything committed is delivered)
and the interval spans [0, 1] of the outstanding fees.

pacing_ratio = projected / planned budget (> 1.10 feeds the pacing alert).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

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
    """Per contract: fixed_usd, fee_usd, committed, posted (by as_of), fee_to_date_usd."""
    k = contracts.copy()
    signed = pd.to_datetime(k["signed_date"]).dt.tz_localize(None) if "signed_date" in k else None
    if signed is not None:
        k = k[signed.isna() | (signed <= as_of)]
    published = pd.to_datetime(posts["published_at"])
    if getattr(published.dt, "tz", None) is not None:
        published = published.dt.tz_convert("UTC").dt.tz_localize(None)
    done = posts[published.notna() & (published.dt.normalize() <= as_of)]
    posted = done.groupby("contract_id").size()
    committed = _num(k["deliverables_committed"])
    out = pd.DataFrame({
        "contract_id": k["contract_id"].to_numpy(),
        "campaign_id": k["campaign_id"].to_numpy(),
        "fixed_usd": (_num(k["product_cost_usd"]) + _num(k["management_overhead_usd"])).to_numpy(),
        "fee_usd": _num(k["fee_usd"]).to_numpy(),
        "committed": committed.to_numpy(),
        "delivered": _num(k["deliverables_delivered"]).to_numpy(),
    })
    out["posted"] = out["contract_id"].map(posted).fillna(0).astype("float64")
    out["posted"] = np.minimum(out["posted"], out["committed"])
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(out["committed"] > 0, out["posted"] / out["committed"], 0.0)
    out["fee_to_date_usd"] = out["fee_usd"] * share
    return out


def pace_campaigns(campaigns: pd.DataFrame, contracts: pd.DataFrame, posts: pd.DataFrame,
                   as_of: pd.Timestamp, interval_width: float = 0.8,
                   min_completed_campaigns: int = 3) -> pd.DataFrame:
    """One row per campaign (PACING_COLUMNS); see the module docstring for the formulas."""
    if not 0 < interval_width < 1:
        raise ValueError(f"interval_width must be in (0, 1), got {interval_width} "
                         "(conf forecasting.pacing.interval_width)")
    prog = contract_progress(contracts, posts, as_of)
    camp = campaigns.copy()
    camp["start"] = pd.to_datetime(camp["start_date"])
    camp["end"] = pd.to_datetime(camp["end_date"])
    camp["state"] = [campaign_state(s, e, as_of)
                     for s, e in zip(camp["start"], camp["end"], strict=True)]
    by = prog.groupby("campaign_id")
    agg = pd.DataFrame({"fixed": by["fixed_usd"].sum(), "fee": by["fee_usd"].sum(),
                        "fee_to_date": by["fee_to_date_usd"].sum(),
                        "fee_delivered": by.apply(lambda g: float((g["fee_usd"] * np.where(
                            g["committed"] > 0, g["delivered"] / g["committed"].where(
                                g["committed"] > 0, 1), 0)).sum()), include_groups=False)})
    camp = camp.join(agg, on="campaign_id")
    for c in ("fixed", "fee", "fee_to_date", "fee_delivered"):
        camp[c] = camp[c].fillna(0.0)
    planned = _num(camp["planned_budget_usd"])

    done = camp[(camp["state"] == "completed") & (camp["fee"] > 0)]
    alpha = (1 - interval_width) / 2
    if len(done) >= min_completed_campaigns:
        rates = (done["fee_delivered"] / done["fee"]).clip(0, 1).to_numpy()
        r_mid, r_lo, r_hi = float(rates.mean()), *np.quantile(rates, [alpha, 1 - alpha])
        p_done = planned[done.index]
        use = ((done["fixed"] + done["fee_delivered"]) / p_done.where(p_done > 0)).dropna().to_numpy()
        u_mid, u_lo, u_hi = ((float(use.mean()), *np.quantile(use, [alpha, 1 - alpha]))
                             if use.size else (1.0, 1.0, 1.0))
    else:
        log.info("Budget pacing: %d completed campaigns (< %d, conf forecasting.pacing."
                 "min_completed_campaigns): outstanding deliverables assumed delivered, "
                 "interval 0-100 %% of them", len(done), min_completed_campaigns)
        r_mid, r_lo, r_hi = 1.0, 0.0, 1.0
        u_mid, u_lo, u_hi = 1.0, 1.0, 1.0

    rows = []
    for i, c in camp.iterrows():
        state, fixed, fee, fee_now = c["state"], c["fixed"], c["fee"], c["fee_to_date"]
        if state == "completed":
            spent = fixed + c["fee_delivered"]
            to_date, proj, lo, hi = spent, spent, spent, spent
        elif state == "planned" and fee == 0 and fixed == 0:
            to_date = 0.0
            proj, lo, hi = planned[i] * u_mid, planned[i] * u_lo, planned[i] * u_hi
        else:
            to_date = fixed + fee_now if state == "live" else fixed
            proj, lo, hi = (fixed + max(fee_now, fee * r) for r in (r_mid, r_lo, r_hi))
        rows.append({"campaign_id": c["campaign_id"], "planned_budget_usd": float(planned[i]),
                     "spend_to_date_usd": float(to_date), "projected_spend_usd": float(proj),
                     "projected_spend_low_usd": float(min(lo, proj)),
                     "projected_spend_high_usd": float(max(hi, proj)),
                     "pacing_ratio": float(proj / planned[i]) if planned[i] > 0 else float("nan"),
                     "campaign_state": state})
    out = pd.DataFrame(rows, columns=PACING_COLUMNS)
    out["campaign_id"] = out["campaign_id"].astype("str")
    out["campaign_state"] = out["campaign_state"].astype("str")
    return out
