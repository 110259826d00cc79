"""Daily series to forecast, built only from what a brand can see.

* `total` conversions (all types, as a brand would count them): Shopify orders (every order,
  refunded or not: a refund does not undo the conversion) + CRM leads + GA4 sign-ups and app
  installs scaled up by GA4's coverage (GA4 purchases / Shopify orders over the window: the share
  of buyers whose browser reports to GA4; blocked browsers' sign-ups never reach any export).
* `total` revenue: Shopify order totals (USD) of orders not refunded — net of refunds.
* `campaign:<id>` and `platform:<name>`: the daily conversions and revenue of converting
  journeys whose last creator touch (click or code) belongs to the campaign / platform, rescaled
  so that each series sums to the credit the chosen attribution model gives it over the window
  (the model says how much, the touches say when).
* creator spend per day (the regressor), per campaign and platform: each delivered post costs
  fee / deliverables committed + product cost / posts delivered, on its publishing day (UTC).
  The future is what the brand has planned: for a campaign still running or still to start, the
  signed contracts' remaining deliverables (committed − posted, at fee / committed each) spread
  evenly over the days left to the campaign's end — a contract not launched yet puts its first
  deliverable and the product on its planned launch date, the rest after it
  (`_contract_plan`) — plus the campaign's budget not contracted yet (`uncontracted_budget`),
  placed over its remaining days (over all its days while it has no contract) as the ended
  campaigns spent theirs over their run (`campaign_spend_profile`). Never
  what actually happened.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

SERIES_TOTAL = "total"


def _utc_day(ts: pd.Series) -> pd.Series:
    ts = pd.to_datetime(ts)
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_convert("UTC").dt.tz_localize(None)
    return ts.dt.normalize().astype("datetime64[ns]")


def last_day(ts: pd.Series) -> pd.Timestamp:
    """The last calendar day (UTC) of a timestamp or date column."""
    return _utc_day(ts).max()


def window_bounds(orders: pd.DataFrame, as_of: str | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(first day, last observed day) of the history: the Shopify export's first and last
    order days, or `as_of` (conf forecasting.as_of) as the last day when given."""
    if orders.empty:
        raise ValueError("orders is empty: the forecast needs the Shopify export "
                         "(data/02_intermediate/orders.parquet, column created_at)")
    days = _utc_day(orders["created_at"])
    end = pd.Timestamp(as_of) if as_of else days.max()
    return days.min(), end


def ga4_coverage(orders: pd.DataFrame, conversion_events: pd.DataFrame) -> float:
    """GA4 purchases / Shopify orders, clipped to (0, 1]: the share of conversions GA4 sees."""
    n_orders = len(orders)
    n_ga4 = int((conversion_events["conversion_type"] == "purchase").sum())
    if n_orders == 0 or n_ga4 == 0:
        return 1.0
    return float(min(1.0, n_ga4 / n_orders))


def total_outcomes(orders: pd.DataFrame, leads: pd.DataFrame, conversion_events: pd.DataFrame,
                   start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """date, conversions, revenue, purchases for every day in [start, end] (zeros filled)."""
    days = pd.date_range(start, end, freq="D")
    o_day = _utc_day(orders["created_at"])
    purchases = o_day.value_counts().reindex(days, fill_value=0)
    refunded = orders["financial_status"].astype("str").str.lower().eq("refunded").to_numpy()
    revenue = (orders.loc[~refunded, "total_usd"].groupby(o_day[~refunded]).sum()
               .reindex(days, fill_value=0.0))
    n_leads = _utc_day(leads["created_at"]).value_counts().reindex(days, fill_value=0)
    other = conversion_events[conversion_events["conversion_type"].isin(["sign_up", "install"])]
    n_other = _utc_day(other["event_timestamp"]).value_counts().reindex(days, fill_value=0)
    cov = ga4_coverage(orders, conversion_events)
    conversions = purchases + n_leads + n_other / cov
    return pd.DataFrame({"date": days, "conversions": conversions.to_numpy(dtype="float64"),
                         "revenue": revenue.to_numpy(dtype="float64"),
                         "purchases": purchases.to_numpy(dtype="float64")})


def select_attribution(credit: pd.DataFrame, model: str, fallback: str) -> tuple[pd.DataFrame, str]:
    """Rows of `credit` for `model`, or for `fallback` when `model` has none: (rows, model used)."""
    if credit is None or credit.empty or "model" not in credit.columns:
        return pd.DataFrame(), "none"
    rows = credit[credit["model"] == model]
    if len(rows):
        return rows, model
    rows = credit[credit["model"] == fallback]
    if len(rows):
        log.info("Attribution model %r has no rows: per-campaign/platform forecasts use %r "
                 "(conf forecasting.attribution_model / attribution_fallback_model)", model, fallback)
        return rows, fallback
    return pd.DataFrame(), "none"


def touched_by_post(journeys: pd.DataFrame, journey_touches: pd.DataFrame) -> pd.DataFrame:
    """post_id, date, conversions, revenue of converting journeys by their last creator touch."""
    conv = journeys[journeys["converted"].astype(bool)][["journey_id", "conversion_time",
                                                        "conversions", "revenue_usd"]]
    t = journey_touches[journey_touches["post_id"].notna()][["journey_id", "position", "post_id"]]
    t = t[t["journey_id"].isin(conv["journey_id"])]
    last = t.sort_values(["journey_id", "position"]).drop_duplicates("journey_id", keep="last")
    m = last.merge(conv, on="journey_id", how="inner")
    m["date"] = _utc_day(m["conversion_time"])
    out = (m.groupby(["post_id", "date"], as_index=False)
           .agg(conversions=("conversions", "sum"), revenue=("revenue_usd", "sum")))
    out["post_id"] = out["post_id"].astype("str")
    return out


def post_spend(posts: pd.DataFrame, contracts: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Posts published by `end` with their day and cost: fee / committed + product / posts."""
    p = posts.copy()
    published = _utc_day(p["published_at"])
    p["date"] = published.fillna(pd.to_datetime(p["due_date"]).astype("datetime64[ns]"))
    p = p[p["date"].notna() & (p["date"] <= end)]
    n_posts = p.groupby("contract_id").size()
    k = contracts.set_index("contract_id")
    committed = pd.to_numeric(k["deliverables_committed"], errors="coerce").astype("float64")
    committed = committed.where(committed > 0, np.nan)
    fee_per = (pd.to_numeric(k["fee_usd"]) / committed).fillna(0.0)
    product_per = (pd.to_numeric(k["product_cost_usd"]).fillna(0.0)
                   / n_posts.reindex(k.index).astype("float64")).fillna(0.0)
    p["spend_usd"] = (p["contract_id"].map(fee_per).astype("float64").fillna(0.0)
                      + p["contract_id"].map(product_per).astype("float64").fillna(0.0))
    return p


def touched_outcomes(journeys: pd.DataFrame, journey_touches: pd.DataFrame, posts: pd.DataFrame,
                     start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """date, campaign_id, platform, conversions, revenue of converting journeys by their last
    creator touch (click or code) within [start, end]."""
    conv = journeys[journeys["converted"].astype(bool)][["journey_id", "conversion_time",
                                                        "conversions", "revenue_usd"]]
    t = journey_touches[journey_touches["post_id"].notna()][["journey_id", "position", "post_id"]]
    t = t[t["journey_id"].isin(conv["journey_id"])]
    last = t.sort_values(["journey_id", "position"]).drop_duplicates("journey_id", keep="last")
    m = (last.merge(conv, on="journey_id", how="inner")
         .merge(posts[["post_id", "campaign_id", "platform"]], on="post_id", how="inner"))
    m["date"] = _utc_day(m["conversion_time"])
    m = m[(m["date"] >= start) & (m["date"] <= end)]
    return (m.groupby(["date", "campaign_id", "platform"], as_index=False)
            .agg(conversions=("conversions", "sum"), revenue=("revenue_usd", "sum")))


def _rescaled(daily: pd.DataFrame, key: str, credit: pd.DataFrame, days: pd.DatetimeIndex,
              prefix: str) -> list[pd.DataFrame]:
    """One frame per entity of `key`: the touched daily shape × (credited total / touched total)."""
    out = []
    by_credit = credit.set_index(key) if len(credit) else None
    for entity, g in daily.groupby(key, sort=True):
        per_day = g.groupby("date")[["conversions", "revenue"]].sum().reindex(days, fill_value=0.0)
        for col, credit_col in (("conversions", "attributed_conversions"),
                                ("revenue", "attributed_revenue")):
            touched = per_day[col].sum()
            if by_credit is not None and entity in by_credit.index and touched > 0:
                credited = float(pd.to_numeric(by_credit.loc[entity, credit_col]).sum())
                per_day[col] = per_day[col] * (credited / touched)
        out.append(pd.DataFrame({"series": f"{prefix}:{entity}", "date": days,
                                 "conversions": per_day["conversions"].to_numpy("float64"),
                                 "revenue": per_day["revenue"].to_numpy("float64")}))
    return out


def breakdown_outcomes(touched: pd.DataFrame, campaign_credit: pd.DataFrame,
                       platform_credit: pd.DataFrame, start: pd.Timestamp,
                       end: pd.Timestamp) -> pd.DataFrame:
    """series (campaign:<id> / platform:<name>), date, conversions, revenue."""
    days = pd.date_range(start, end, freq="D")
    frames = (_rescaled(touched, "campaign_id", campaign_credit, days, "campaign")
              + _rescaled(touched, "platform", platform_credit, days, "platform"))
    if not frames:
        return pd.DataFrame({"series": pd.Series(dtype="str"), "date": pd.Series(dtype="datetime64[ns]"),
                             "conversions": pd.Series(dtype="float64"),
                             "revenue": pd.Series(dtype="float64")})
    return pd.concat(frames, ignore_index=True)


def _platform_mix(posts: pd.DataFrame) -> dict[str, pd.Series]:
    """contract_id -> share of its posts per platform."""
    counts = posts.groupby(["contract_id", "platform"]).size()
    shares = counts / counts.groupby(level=0).transform("sum")
    return {c: s.droplevel(0) for c, s in shares.groupby(level=0)}


def _day_parts(n_days: int, n_parts: int) -> np.ndarray:
    """(n_days × n_parts): the share of day i's stretch [i/n_days, (i+1)/n_days) of a run that
    lies in part b, [b/n_parts, (b+1)/n_parts); each row sums to 1 (a day straddling two parts
    is split between them, and a run shorter than n_parts days spreads each day over several)."""
    lo_d = np.arange(n_days)[:, None] / n_days
    lo_p = np.arange(n_parts)[None, :] / n_parts
    overlap = np.clip(np.minimum(lo_d + 1 / n_days, lo_p + 1 / n_parts) - np.maximum(lo_d, lo_p),
                      0.0, None)
    return overlap * n_days


def campaign_spend_profile(post_costs: pd.DataFrame, campaigns: pd.DataFrame, as_of: pd.Timestamp,
                           n_bins: int) -> np.ndarray | None:
    """The share of a campaign's creator spend in each of `n_bins` equal parts of its run (start
    … end date), averaged over the campaigns ended by `as_of` that spent (each weighs the same);
    None with no such campaign or n_bins < 1. A post's spend goes to the part(s) its day of the
    run covers (`_day_parts`); a post before the start counts on the first day, one after the end
    on the last. post_costs: post_spend's frame (campaign_id, date, spend_usd)."""
    if n_bins < 1 or post_costs.empty:
        return None
    camp = campaigns.assign(campaign_id=campaigns["campaign_id"].astype("str"),
                            start=pd.to_datetime(campaigns["start_date"]).astype("datetime64[ns]"),
                            end=pd.to_datetime(campaigns["end_date"]).astype("datetime64[ns]"))
    camp = camp[camp["end"] <= as_of].set_index("campaign_id")
    p = post_costs[post_costs["campaign_id"].astype("str").isin(camp.index)]
    if p.empty:
        return None
    cid = p["campaign_id"].astype("str")
    start, stop = cid.map(camp["start"]), cid.map(camp["end"])
    n_days = ((stop - start).dt.days + 1).clip(lower=1)
    day = np.clip((p["date"] - start).dt.days, 0, n_days - 1)
    frame = pd.DataFrame({"c": cid.to_numpy(), "n": n_days.to_numpy("int64"),
                          "day": day.to_numpy("int64"), "spend": p["spend_usd"].to_numpy("float64")})
    shares = []
    for (_, n), g in frame.groupby(["c", "n"]):
        per_day = np.bincount(g["day"], weights=g["spend"], minlength=int(n))
        parts = per_day @ _day_parts(int(n), n_bins)
        if parts.sum() > 0:
            shares.append(parts / parts.sum())
    return np.mean(shares, axis=0) if shares else None


def _campaign_density(start: pd.Timestamp, stop: pd.Timestamp, profile: np.ndarray | None) -> pd.Series:
    """Share of a campaign's spend per day of start … stop: each part of `profile` spread evenly
    over the stretch of the run it covers (`_day_parts`; even over all days without a profile);
    sums to 1."""
    days = pd.date_range(start, stop, freq="D")
    if profile is None or len(days) == 0:
        return pd.Series(1.0 / max(len(days), 1), index=days)
    w = _day_parts(len(days), len(profile)) @ np.asarray(profile, dtype="float64") * len(profile) / len(days)
    return pd.Series(w / w.sum() if w.sum() > 0 else 1.0 / len(days), index=days)


def daily_spend(posts: pd.DataFrame, contracts: pd.DataFrame, campaigns: pd.DataFrame,
                end: pd.Timestamp, horizon_days: int,
                weights: pd.Series | None = None,
                later_deliverables_after_days: int = 2,
                uncontracted_profile_bins: int = 10,
                campaign_weights: pd.Series | None = None) -> pd.DataFrame:
    """date, campaign_id, platform, spend_usd, is_planned: history from delivered posts, the
    future (end, end + horizon] from the brand's plan (module docstring; a contract not
    launched yet: `_contract_plan` with `later_deliverables_after_days`; the budget not
    contracted yet over the campaign's days as the ended campaigns spent theirs, in
    `uncontracted_profile_bins` parts of their run (0: evenly)). With `weights`
    (contract_id -> weight, creator_response.contract_weights) also effective_spend_usd = spend ×
    weight (1 for a contract without one; the budget not contracted yet weighs its campaign's
    `campaign_weights`, 1 without; the column is there when either is given): the creator
    regressor's plan (creator_response.creator_regressor)."""
    p = post_spend(posts, contracts, end)
    n_posts = p.groupby("contract_id").size()
    k = contracts.set_index("contract_id")
    committed = pd.to_numeric(k["deliverables_committed"], errors="coerce").astype("float64")
    fee_per = (pd.to_numeric(k["fee_usd"]) / committed.where(committed > 0, np.nan)).fillna(0.0)
    w = weights if weights is not None else pd.Series(dtype="float64")
    cw = campaign_weights if campaign_weights is not None else pd.Series(dtype="float64")
    p["effective_spend_usd"] = p["spend_usd"] * p["contract_id"].map(w).astype("float64").fillna(1.0)
    hist = (p.groupby(["date", "campaign_id", "platform"], as_index=False)
            [["spend_usd", "effective_spend_usd"]].sum())
    hist["is_planned"] = False

    horizon_end = end + pd.Timedelta(days=horizon_days)
    # future rows as parallel lists of arrays, one frame built at the end (a frame per
    # contract × platform was the node's hot spot on large data)
    f_dates, f_camp, f_plat, f_spend, f_eff = [], [], [], [], []

    def add(days, cid, plat, spend, eff):
        f_dates.append(days.to_numpy())
        f_camp.append(np.full(len(days), cid, dtype=object))
        f_plat.append(np.full(len(days), plat, dtype=object))
        f_spend.append(np.broadcast_to(np.asarray(spend, dtype="float64"), len(days)))
        f_eff.append(np.broadcast_to(np.asarray(eff, dtype="float64"), len(days)))

    camp = campaigns.set_index("campaign_id")
    open_budget = uncontracted_budget(contracts, campaigns, end)
    profile = campaign_spend_profile(p, campaigns, end, uncontracted_profile_bins)
    live = camp.index[pd.to_datetime(camp["end_date"]) > end]
    # platform mix only of the contracts a future row can need (those of live campaigns)
    mix = _platform_mix(p[p["campaign_id"].isin(live)])
    overall_mix = p["platform"].value_counts(normalize=True)
    if overall_mix.empty:  # no post yet: the plan still counts in the total
        overall_mix = pd.Series({"unknown": 1.0})
    for cid, c in camp.iterrows():
        c_end = pd.Timestamp(c["end_date"])
        if c_end <= end:
            continue
        first = max(pd.Timestamp(c["start_date"]), end + pd.Timedelta(days=1))
        last = min(c_end, horizon_end)
        if last < first:
            continue
        days = pd.date_range(first, last, freq="D")
        signed = contracts[contracts["campaign_id"] == cid]
        # the budget not contracted yet (uncontracted_budget), over the campaign's days as the
        # ended campaigns spent theirs (`profile`; evenly without one): with contracts signed,
        # over its remaining days; without any, over all its days (the days gone took their
        # share with them)
        left_uncontracted = float(open_budget.get(str(cid), 0.0))
        if left_uncontracted > 0:
            density = _campaign_density(pd.Timestamp(c["start_date"]), c_end, profile)
            if float(density[density.index >= first].sum()) <= 0:
                # the profile gives the days left nothing: the budget (which planned_post_ids
                # counts as planned) would vanish; evenly over the campaign's days instead
                density = _campaign_density(pd.Timestamp(c["start_date"]), c_end, None)
            if len(signed):
                # over the remaining days
                density = density[density.index >= first]
                density = density / density.sum()
            per_day = left_uncontracted * density.reindex(days, fill_value=0.0).to_numpy()
            c_weight = float(cw.get(str(cid), 1.0))
            for plat, share in overall_mix.items():
                add(days, cid, plat, per_day * float(share), per_day * float(share) * c_weight)
        if len(signed):
            for _, ct in signed.iterrows():
                done = int(n_posts.get(ct["contract_id"], 0))
                left = max(float(ct["deliverables_committed"] or 0) - done, 0.0)
                fee = float(fee_per.get(ct["contract_id"], 0.0))
                product = float(ct["product_cost_usd"] or 0.0) if done == 0 else 0.0
                if left * fee + product <= 0:
                    continue
                per_day = _contract_plan(first, c_end, left, fee, product,
                                         ct.get("planned_launch_date") if done == 0 else None,
                                         later_deliverables_after_days)
                per_day = per_day.reindex(days, fill_value=0.0).to_numpy()
                weight = float(w.get(ct["contract_id"], 1.0))
                shares = mix.get(ct["contract_id"], overall_mix)
                for plat, share in shares.items():
                    add(days, cid, plat, per_day * float(share), per_day * float(share) * weight)
    future_rows = []
    if f_dates:
        future_rows = [pd.DataFrame({"date": np.concatenate(f_dates),
                                     "campaign_id": np.concatenate(f_camp),
                                     "platform": np.concatenate(f_plat),
                                     "spend_usd": np.concatenate(f_spend),
                                     "effective_spend_usd": np.concatenate(f_eff)})]
    if future_rows:
        fut = (pd.concat(future_rows, ignore_index=True)
               .groupby(["date", "campaign_id", "platform"], as_index=False)
               [["spend_usd", "effective_spend_usd"]].sum())
        fut["is_planned"] = True
        out = pd.concat([hist, fut], ignore_index=True)
    else:
        out = hist
    if weights is None and campaign_weights is None:
        out = out.drop(columns="effective_spend_usd")
    out["campaign_id"] = out["campaign_id"].astype("str")
    out["platform"] = out["platform"].astype("str")
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    return out.sort_values(["date", "campaign_id", "platform"]).reset_index(drop=True)


def _contract_plan(first: pd.Timestamp, c_end: pd.Timestamp, left: float, fee: float,
                   product: float, launch, later_after_days: int = 2) -> pd.Series:
    """A signed contract's planned spend per day on first … c_end (the campaign's days after
    the origin). Not launched, with a planned launch date: the first deliverable (its fee and
    the product) on that day — the next day if it is already due, the campaign's last day if
    it falls after the end — and the other deliverables spread over the days from
    `later_after_days` after it (conf forecasting.plan.later_deliverables_after_days) to the
    campaign's end. Otherwise (already posting, no date, or no deliverable
    left): everything spread evenly over the days."""
    days = pd.date_range(first, c_end, freq="D")
    launch = pd.Timestamp(launch) if launch is not None and pd.notna(launch) else None
    if launch is not None and getattr(launch, "tzinfo", None) is not None:
        launch = launch.tz_localize(None)  # a date: its wall date, whatever the zone
    if launch is None or left < 1:
        return pd.Series((left * fee + product) / len(days), index=days)
    day = min(max(launch.normalize(), first), c_end)
    out = pd.Series(0.0, index=days)
    out[day] = fee + product
    rest = days[days >= min(day + pd.Timedelta(days=int(later_after_days)), c_end)]
    out[rest] += (left - 1) * fee / len(rest)
    return out


def planned_budget(campaigns: pd.DataFrame) -> pd.Series:
    """A campaign's budget B (aligned with `campaigns`): planned_budget_usd, or
    planned_daily_spend_usd × its days (start … end) where that is missing or not positive;
    NaN without either."""
    n_days = ((pd.to_datetime(campaigns["end_date"]) - pd.to_datetime(campaigns["start_date"])).dt.days + 1
              if "start_date" in campaigns.columns else pd.Series(np.nan, index=campaigns.index))
    budget = pd.Series(np.nan, index=campaigns.index, dtype="float64")
    if "planned_budget_usd" in campaigns.columns:
        budget = pd.to_numeric(campaigns["planned_budget_usd"], errors="coerce").astype("float64")
    if "planned_daily_spend_usd" in campaigns.columns:
        daily = pd.to_numeric(campaigns["planned_daily_spend_usd"], errors="coerce").astype("float64") * n_days
        budget = budget.where(budget.notna() & (budget > 0), daily)
    return budget


def uncontracted_budget(contracts: pd.DataFrame, campaigns: pd.DataFrame,
                        as_of: pd.Timestamp | None = None) -> pd.Series:
    """campaign_id -> the creator spend (fees and product) its planned budget still holds beyond
    `contracts` (the contracts signed so far): max(c · B − Σ cost of its contracts, 0) · s.
    B is `planned_budget`; a
    contract's cost is fee + product + overhead; c the share of their budgets the campaigns
    ended by `as_of` contracted in the end (1 without any); s = Σ (fee + product) ÷ Σ cost over
    `contracts` (the overhead in a budget buys no reach, as in the spend regressor)."""
    camp = campaigns.assign(campaign_id=campaigns["campaign_id"].astype("str"))
    budget = planned_budget(camp)

    def column(name: str) -> pd.Series:
        if name not in contracts.columns:
            return pd.Series(0.0, index=contracts.index)
        return pd.to_numeric(contracts[name]).astype("float64").fillna(0.0)

    creator_spend = column("fee_usd") + column("product_cost_usd")
    cost = creator_spend + column("management_overhead_usd")
    committed = (cost.groupby(contracts["campaign_id"].astype("str")).sum()
                 if "campaign_id" in contracts.columns else pd.Series(dtype="float64"))
    spent = camp["campaign_id"].map(committed).fillna(0.0).to_numpy("float64")
    budget = budget.fillna(0.0).to_numpy("float64")
    rate = 1.0
    if as_of is not None:
        done = (pd.to_datetime(camp["end_date"]) <= pd.Timestamp(as_of)).to_numpy() & (budget > 0)
        if done.any():
            rate = float(spent[done].sum() / budget[done].sum())
    share = float(creator_spend.sum() / cost.sum()) if cost.sum() > 0 else 1.0
    return pd.Series(np.clip(budget * rate - spent, 0, None) * share,
                     index=camp["campaign_id"].to_numpy())


def _signed_by(contracts: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The contracts signed by `as_of` (all of them without a signed_date column; a contract
    without a signed date counts as signed)."""
    if "signed_date" not in contracts.columns:
        return contracts
    signed = pd.to_datetime(contracts["signed_date"])
    if getattr(signed.dt, "tz", None) is not None:
        signed = signed.dt.tz_convert("UTC").dt.tz_localize(None)
    return contracts[signed.isna() | (signed <= as_of)]


def spend_as_planned_on(posts: pd.DataFrame, contracts: pd.DataFrame, campaigns: pd.DataFrame,
                        as_of: pd.Timestamp, horizon_days: int,
                        weights: pd.Series | None = None,
                        later_deliverables_after_days: int = 2,
                        uncontracted_profile_bins: int = 10,
                        campaign_weights: pd.Series | None = None) -> pd.DataFrame:
    """daily_spend as the brand would have built it on `as_of`: only contracts signed by then
    and posts published by then (a cross-validation origin sees the plan, not what followed)."""
    k = _signed_by(contracts, as_of)
    day = _utc_day(posts["published_at"])
    p = posts[day.notna() & (day <= as_of)]
    return daily_spend(p, k, campaigns, as_of, horizon_days, weights,
                       later_deliverables_after_days, uncontracted_profile_bins, campaign_weights)


def planned_post_ids(posts: pd.DataFrame, contracts: pd.DataFrame, campaigns: pd.DataFrame,
                     as_of: pd.Timestamp) -> pd.Index:
    """post_ids the plan of `as_of` (spend_as_planned_on) stands for: posts published by then
    (their tails are projected), posts of contracts signed by then (a missing signed date
    counts as signed) of a campaign still running after then (daily_spend projects only those),
    and posts of a campaign still running after then with budget not yet contracted by then
    (`uncontracted_budget` > 0: daily_spend projects that budget, so the contracts signed later
    to spend it are in the plan). The posts of contracts signed later for a campaign whose
    budget the signed contracts had used up were not in the plan, nor posts of a campaign that
    had ended. (A contract's posts beyond its committed deliverables count as planned though
    the plan projects only the committed ones.)"""
    from roi_ml.inputs import require_columns

    fix = "(the canonical posts / contracts / campaigns tables; see docs/data_contract.md)"
    require_columns(posts, ["post_id", "contract_id", "campaign_id", "published_at"], "posts", fix)
    require_columns(contracts, ["contract_id", "campaign_id"], "contracts", fix)
    require_columns(campaigns, ["campaign_id", "end_date"], "campaigns", fix)
    as_of = pd.Timestamp(as_of)
    day = _utc_day(posts["published_at"])
    camp = campaigns.assign(campaign_id=campaigns["campaign_id"].astype("str"))
    live = set(camp.loc[(pd.to_datetime(camp["end_date"]) > as_of).to_numpy(), "campaign_id"])
    signed_k = _signed_by(contracts, as_of)
    # the open budget from the same contracts daily_spend uses (every signed one)
    open_budget = camp["campaign_id"].map(uncontracted_budget(signed_k, campaigns, as_of)).fillna(0.0)
    k = signed_k[signed_k["contract_id"].notna() & signed_k["campaign_id"].notna()]
    signed = set(k.loc[k["campaign_id"].astype("str").isin(live).to_numpy(), "contract_id"]
                 .astype("str"))
    budgeted = set(camp.loc[(camp["campaign_id"].isin(live) & (open_budget > 0)).to_numpy(),
                            "campaign_id"])
    has_contract = posts["contract_id"].notna().to_numpy()
    keep = ((day.notna() & (day <= as_of)).to_numpy()
            | (has_contract & posts["contract_id"].astype("str").isin(signed).to_numpy())
            | posts["campaign_id"].astype("str").isin(budgeted).to_numpy())
    return pd.Index(posts.loc[keep, "post_id"].astype("str").unique())


def spend_for_series(spend: pd.DataFrame, series: str, days: pd.DatetimeIndex,
                     column: str = "spend_usd") -> np.ndarray:
    """Daily spend (`column`: spend_usd or effective_spend_usd) over `days` for a series name
    (total, campaign:<id>, platform:<name>)."""
    s = spend
    if series.startswith("campaign:"):
        s = spend[spend["campaign_id"] == series.split(":", 1)[1]]
    elif series.startswith("platform:"):
        s = spend[spend["platform"] == series.split(":", 1)[1]]
    return s.groupby("date")[column].sum().reindex(days, fill_value=0.0).to_numpy("float64")
