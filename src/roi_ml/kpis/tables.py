"""KPI tables at every level from one long frame of additive measures.

Every source contributes rows to one "measures" frame, each row dated and keyed by post,
creator, campaign and platform where it has them (docs/metrics.md, "How levels add up"):

| source | date of the row | measures |
|---|---|---|
| post_daily_metrics | metric day | impressions, reach, likes, comments, shares, saves, views, engagements (raw and authentic-adjusted), link clicks, EMV |
| posts | publication day | posts, followers at publication, disclosed posts |
| GA4 sessions from creator links | session day | link sessions, conversions in them |
| creator-attributed orders (click_or_code) | order day | orders, revenue, new customers, their first-order value |
| click-attributed leads | lead day | leads, qualified leads, sales-qualified leads |
| contracts | fee: publication day; product + overhead: launch day | cost |
| comments | comment day | exported, labelled, positive / neutral / negative, replied within 24 h |

A level (post, creator × campaign, creator, campaign, platform, day) is a group-by of that
frame followed by the same ratio formulas (`add_ratio_kpis`), so every level adds up and a
formula exists once. Level-specific KPIs (deduplicated reach, contract terms, pacing, share of
voice, brand lift, audience growth) are joined on top.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from roi_ml.kpis import formulas as f

MEASURES = [
    "n_posts", "impressions", "reach_reported", "reach", "reach_estimated", "views", "likes",
    "comments", "shares", "saves", "engagements", "engagements_authentic", "link_clicks",
    "followers_at_publish", "_eng_reached", "_eng_auth_reached", "_reach_pos", "_clicks_reached",
    "_eng_followed", "_eng_auth_followed", "_followers_pos", "_impressions_pos", "_eng_impressed",
    "link_sessions", "click_conversions",
    # EMV sits beside attributed revenue, never instead of it
    "orders", "attributed_revenue_usd", "emv_usd", "new_customers",
    "_new_customer_first_order_usd", "leads", "qualified_leads", "sales_qualified_leads",
    "cost_usd",
    "comments_exported", "comments_labelled", "comments_positive", "comments_neutral",
    "comments_negative", "comments_replied_24h", "disclosed_posts",
]
KEYS = ["date", "post_id", "creator_id", "campaign_id", "platform"]


def _rows(frame: pd.DataFrame, date: pd.Series, measures: Mapping[str, pd.Series]) -> pd.DataFrame:
    out = pd.DataFrame({k: frame[k] if k in frame else pd.Series(pd.NA, index=frame.index,
                                                                  dtype="string")
                        for k in KEYS[1:]})
    out.insert(0, "date", pd.to_datetime(date).astype("datetime64[us]").dt.normalize())
    for name, values in measures.items():
        out[name] = pd.to_numeric(values, errors="coerce").astype("float64")
    return out


def contract_spend(contracts: pd.DataFrame, posts: pd.DataFrame, as_of: pd.Timestamp
                   ) -> pd.DataFrame:
    """Spend recognised per contract to `as_of` (docs/data_contract.md: product cost and
    overhead on the launch date, the fee in equal parts per delivered deliverable).

    Out: contract_id, creator_id, campaign_id, fee_per_deliverable_usd (fee / committed, or
    fee / delivered when nothing is committed), fixed_cost_usd (product + overhead, 0 before
    launch), launch_date, n_tracked_posts, cost_usd (fee share of the tracked posts published
    by as_of + fixed cost).
    """
    c = contracts.copy()
    committed = c["deliverables_committed"].astype("Float64")
    delivered = c["deliverables_delivered"].astype("Float64")
    per = (c["fee_usd"].astype("Float64") / committed.where(committed > 0, delivered.where(delivered > 0)))
    c["fee_per_deliverable_usd"] = per.astype("float64").fillna(c["fee_usd"].fillna(0.0))
    launched = c["actual_launch_date"].notna() & (c["actual_launch_date"] <= as_of)
    fixed = c["product_cost_usd"].fillna(0.0) + c["management_overhead_usd"].fillna(0.0)
    c["fixed_cost_usd"] = fixed.where(launched, 0.0).astype("float64")
    c["launch_date"] = c["actual_launch_date"]
    pub = posts.assign(day=posts["published_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize())
    live = pub[pub["day"] <= as_of]
    n_posts = live.groupby("contract_id").size()
    c["n_tracked_posts"] = c["contract_id"].map(n_posts).fillna(0).astype("int64")
    # never more fee than the contract's fee, even if the tracker lists extra posts
    fee_paid = np.minimum(c["n_tracked_posts"] * c["fee_per_deliverable_usd"], c["fee_usd"].fillna(0.0))
    c["cost_usd"] = (fee_paid + c["fixed_cost_usd"]).astype("float64")
    return c[["contract_id", "creator_id", "campaign_id", "fee_per_deliverable_usd",
              "fixed_cost_usd", "launch_date", "n_tracked_posts", "cost_usd"]]


def build_measures(post_totals: pd.DataFrame, daily: pd.DataFrame, frequency: float,
                   comments: pd.DataFrame, disclosure: pd.DataFrame, orders: pd.DataFrame,
                   leads: pd.DataFrame, link_sessions: pd.DataFrame, spend: pd.DataFrame,
                   authentic_factor: pd.DataFrame, rate_card: Mapping, as_of: pd.Timestamp
                   ) -> pd.DataFrame:
    """All sources → the long measures frame (KEYS + MEASURES), one row per source row.

    In: `post_totals` (posts.build_post_totals), `daily` (posts.clean_daily_metrics),
    `frequency` (impressions per reached person, for daily reach of posts without reach),
    scored `comments` (post_id, created_at, sentiment_label, replied_within_24h),
    `disclosure` (post_id, has_disclosure), attributed `orders` and `leads`,
    `link_sessions` (post_id, date, link_sessions, click_conversions), contract `spend`,
    `authentic_factor` (creator_id, platform, engagement_authentic_factor), the EMV
    `rate_card` (conf) and `as_of` (rows after it are dropped).
    """
    pt = post_totals.set_index("post_id")
    ids = pt[["creator_id", "campaign_id", "platform"]]
    frames = []

    # platform metrics, per post and day
    d = daily.merge(ids, left_on="post_id", right_index=True, how="inner", suffixes=("_m", ""))
    reach_missing = d["post_id"].map(pt["reach_is_estimated"]).fillna(False).astype(bool)
    day_reach = d["reach"].where(~reach_missing, d["impressions"] / frequency)
    eng = f.engagements(d["likes"], d["comments"], d["shares"], d["saves"])
    factor = d[["creator_id", "platform"]].merge(authentic_factor, on=["creator_id", "platform"],
                                                  how="left")["engagement_authentic_factor"]
    factor = pd.Series(factor.fillna(1.0).to_numpy(), index=d.index)
    post_reach_pos = d["post_id"].map(pt["reach"] > 0).fillna(False).astype(bool)
    post_fol_pos = d["post_id"].map(pt["followers_at_publish"] > 0).fillna(False).astype(bool)
    post_imp_pos = d["post_id"].map(pt["impressions"] > 0).fillna(False).astype(bool)
    emv = _emv(d, rate_card)
    frames.append(_rows(d, d["date"], {
        "impressions": d["impressions"], "reach_reported": d["reach"].where(~reach_missing),
        "reach": day_reach, "reach_estimated": day_reach.where(reach_missing), "views": d["views"],
        "likes": d["likes"], "comments": d["comments"], "shares": d["shares"],
        "saves": d["saves"], "engagements": eng, "engagements_authentic": eng * factor,
        "link_clicks": d["link_clicks"],
        "_eng_reached": eng.where(post_reach_pos, 0.0),
        "_eng_auth_reached": (eng * factor).where(post_reach_pos, 0.0),
        "_reach_pos": day_reach.where(post_reach_pos, 0.0),
        "_clicks_reached": d["link_clicks"].where(post_reach_pos, 0.0),
        "_eng_followed": eng.where(post_fol_pos, 0.0),
        "_eng_auth_followed": (eng * factor).where(post_fol_pos, 0.0),
        "_eng_impressed": eng.where(post_imp_pos, 0.0),
        "_impressions_pos": d["impressions"].where(post_imp_pos, 0.0),
        "emv_usd": emv,
    }))

    # one row per post on its publication day
    posts = post_totals.copy()
    pub_day = posts["published_at"].dt.tz_convert("UTC").dt.tz_localize(None)
    disclosed = posts["post_id"].map(disclosure.set_index("post_id")["has_disclosure"])
    frames.append(_rows(posts, pub_day, {
        "n_posts": pd.Series(1.0, index=posts.index),
        "followers_at_publish": posts["followers_at_publish"].where(posts["followers_at_publish"] > 0, 0.0),
        "_followers_pos": posts["followers_at_publish"].where(posts["followers_at_publish"] > 0, 0.0),
        "disclosed_posts": disclosed.fillna(False).astype(float),
    }))

    # GA4 sessions that landed from a creator post's link
    if len(link_sessions):
        ls = link_sessions.merge(ids, left_on="post_id", right_index=True, how="inner")
        frames.append(_rows(ls, ls["date"], {"link_sessions": ls["link_sessions"],
                                             "click_conversions": ls["click_conversions"]}))

    # creator-attributed orders (code orders without a post keep creator only)
    if len(orders):
        o = orders.copy()
        o["platform"] = o["post_id"].map(pt["platform"]).astype("string")
        paid = (~o["is_refunded"]).astype(float)
        new = (o["is_new_customer"] & ~o["is_refunded"]).astype(float)
        frames.append(_rows(o, o["created_at"].dt.tz_convert("UTC").dt.tz_localize(None), {
            "orders": paid, "attributed_revenue_usd": o["revenue_usd"],
            "new_customers": new, "_new_customer_first_order_usd": o["revenue_usd"] * new}))

    if len(leads):
        ld = leads.copy()
        ld["platform"] = ld["post_id"].map(pt["platform"]).astype("string")
        frames.append(_rows(ld, ld["created_at"].dt.tz_convert("UTC").dt.tz_localize(None), {
            "leads": pd.Series(1.0, index=ld.index), "qualified_leads": ld["is_qualified"].astype(float),
            "sales_qualified_leads": ld["is_sales_qualified"].astype(float)}))

    # cost: each tracked post's fee share on its day, product + overhead on the launch day
    sp = spend.set_index("contract_id")
    fee_rows = posts[posts["contract_id"].isin(sp.index)].copy()
    fee_rows = fee_rows[pub_day.loc[fee_rows.index] <= as_of]
    fee_rows["fee"] = fee_rows["contract_id"].map(sp["fee_per_deliverable_usd"])
    # cap: a contract's fee rows never add up to more than its recognised fee
    fee_total = fee_rows.groupby("contract_id")["fee"].transform("sum")
    fee_cap = fee_rows["contract_id"].map(sp["cost_usd"] - sp["fixed_cost_usd"])
    fee_rows["fee"] = fee_rows["fee"] * (fee_cap / fee_total.where(fee_total > 0)).clip(upper=1.0).fillna(1.0)
    frames.append(_rows(fee_rows, pub_day.loc[fee_rows.index], {"cost_usd": fee_rows["fee"]}))
    fixed = spend[spend["fixed_cost_usd"] > 0].copy()
    first_post = posts.sort_values("published_at").drop_duplicates("contract_id").set_index("contract_id")
    fixed["post_id"] = fixed["contract_id"].map(first_post["post_id"]).astype("string")
    fixed["platform"] = fixed["contract_id"].map(first_post["platform"]).astype("string")
    frames.append(_rows(fixed, fixed["launch_date"], {"cost_usd": fixed["fixed_cost_usd"]}))

    # comments
    if len(comments):
        cm = comments.merge(ids, left_on="post_id", right_index=True, how="inner",
                            suffixes=("_c", ""))
        label = cm["sentiment_label"].astype("string")
        frames.append(_rows(cm, cm["created_at"].dt.tz_convert("UTC").dt.tz_localize(None), {
            "comments_exported": pd.Series(1.0, index=cm.index),
            "comments_labelled": label.notna().astype(float),
            "comments_positive": (label == "positive").fillna(False).astype(float),
            "comments_neutral": (label == "neutral").fillna(False).astype(float),
            "comments_negative": (label == "negative").fillna(False).astype(float),
            "comments_replied_24h": cm["replied_within_24h"].astype(float)}))

    long = pd.concat(frames, ignore_index=True)
    for m in MEASURES:
        if m not in long:
            long[m] = np.nan
    long = long[KEYS + MEASURES]
    long[MEASURES] = long[MEASURES].fillna(0.0)
    for k in KEYS[1:]:
        long[k] = long[k].astype("string")
    return long[long["date"].isna() | (long["date"] <= as_of)].reset_index(drop=True)


def _emv(d: pd.DataFrame, rate_card: Mapping) -> pd.Series:
    rates = rate_card["rates_usd"]
    out = pd.Series(0.0, index=d.index)
    for platform in d["platform"].dropna().unique():
        unit = {**rates.get("default", {}), **rates.get(str(platform), {})}
        m = d["platform"] == platform
        out[m] = f.earned_media_value({k: d.loc[m, k] for k in
                                       ("likes", "comments", "shares", "saves", "views",
                                        "link_clicks", "impressions") if k in d}, unit)
    return out


COUNT_MEASURES = [
    "n_posts", "impressions", "views", "likes", "comments", "shares", "saves",
    "link_clicks", "followers_at_publish", "link_sessions", "click_conversions", "orders",
    "new_customers", "leads", "qualified_leads", "sales_qualified_leads", "comments_exported",
    "comments_labelled", "comments_positive", "comments_neutral", "comments_negative",
    "comments_replied_24h", "disclosed_posts",
]


def aggregate(long: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum every measure over the rows of each group (rows missing a key are left out)."""
    return long.groupby(keys, dropna=True, sort=True)[MEASURES].sum().reset_index()


def counts_as_integers(t: pd.DataFrame) -> pd.DataFrame:
    """Count measures as int64 (they are sums of whole numbers; money and reach stay float)."""
    t = t.copy()
    for c in COUNT_MEASURES:
        if c in t:
            t[c] = t[c].fillna(0.0).round().astype("int64")
    return t


def add_ratio_kpis(t: pd.DataFrame, site: Mapping[str, float]) -> pd.DataFrame:
    """Every ratio KPI of the glossary from the summed measures (same formulas at all levels).

    `site`: site_aov_usd, repeat_orders_per_customer_year, clv_horizon_years.
    """
    t = t.copy()
    t["engagement_rate_by_reach"] = f.engagement_rate_by_reach(t["_eng_reached"], t["_reach_pos"])
    t["engagement_rate_by_reach_authentic"] = f.engagement_rate_by_reach(t["_eng_auth_reached"],
                                                                        t["_reach_pos"])
    t["engagement_rate_by_followers"] = f.engagement_rate_by_followers(t["_eng_followed"],
                                                                      t["_followers_pos"])
    t["engagement_rate_by_followers_authentic"] = f.engagement_rate_by_followers(
        t["_eng_auth_followed"], t["_followers_pos"])
    t["engagement_rate_by_impressions"] = f.engagement_rate_by_impressions(t["_eng_impressed"],
                                                                          t["_impressions_pos"])
    t["avg_engagements_per_post"] = f.average_engagements_per_post(t["engagements"], t["n_posts"])
    t["avg_engagements_per_post_authentic"] = f.average_engagements_per_post(
        t["engagements_authentic"], t["n_posts"])
    t["click_through_rate"] = f.click_through_rate(t["_clicks_reached"], t["_reach_pos"])
    t["conversion_rate"] = f.conversion_rate(t["click_conversions"], t["link_sessions"])
    t["aov_usd"] = f.average_order_value(t["attributed_revenue_usd"], t["orders"])
    t["site_aov_usd"] = float(site["site_aov_usd"])
    t["aov_index"] = f.aov_index(t["aov_usd"], t["site_aov_usd"])
    t["cost_per_lead_usd"] = f.cost_per_lead(t["cost_usd"], t["qualified_leads"])
    t["sales_qualified_rate"] = f.sales_qualified_rate(t["sales_qualified_leads"], t["leads"])
    t["cost_per_acquisition_usd"] = f.cost_per_acquisition(t["cost_usd"], t["new_customers"])
    t["roas"] = f.roas(t["attributed_revenue_usd"], t["cost_usd"])
    t["roi"] = f.roi(t["attributed_revenue_usd"], t["cost_usd"])
    first_order = f.safe_ratio(t["_new_customer_first_order_usd"], t["new_customers"])
    t["clv_usd"] = f.customer_lifetime_value(first_order, site["repeat_orders_per_customer_year"],
                                             site["clv_horizon_years"])
    t["clv_to_cpa"] = f.clv_to_cpa(t["clv_usd"], t["cost_per_acquisition_usd"])
    t["cpm_usd"] = f.cpm(t["cost_usd"], t["impressions"])
    t["cpe_usd"] = f.cpe(t["cost_usd"], t["engagements"])
    t["cpe_authentic_usd"] = f.cpe(t["cost_usd"], t["engagements_authentic"])
    t["positive_comment_share"] = f.positive_comment_share(t["comments_positive"],
                                                           t["comments_labelled"])
    t["response_rate_24h"] = f.response_rate_24h(t["comments_replied_24h"], t["comments_exported"])
    t["ftc_compliance_rate"] = f.rate(t["disclosed_posts"], t["n_posts"])
    return t


def site_figures(orders: pd.DataFrame, as_of: pd.Timestamp, clv_horizon_years: float,
                 refunded_statuses: tuple[str, ...]) -> dict[str, float]:
    """Site-wide figures the KPIs compare against, from all orders up to as_of.

    site_aov_usd = revenue / orders (refunds excluded); repeat_orders_per_customer_year =
    Σ (orders − 1) over customers / Σ years from each customer's first order to as_of.
    """
    o = orders.copy()
    o = o[o["created_at"].dt.tz_convert("UTC").dt.tz_localize(None) <= as_of + pd.Timedelta(days=1)]
    status = o["financial_status"].astype("string").str.lower()
    paid = o[~status.isin([s.lower() for s in refunded_statuses]).fillna(False)]
    aov = f.average_order_value(float(paid["total_usd"].sum()), float(len(paid)))
    cust = paid.dropna(subset=["customer_id"]).groupby("customer_id")["created_at"].agg(["size", "min"])
    years = ((as_of - cust["min"].dt.tz_convert("UTC").dt.tz_localize(None)).dt.days.clip(lower=1)
             / 365.25)
    repeat = f.safe_ratio(float((cust["size"] - 1).sum()), float(years.sum())) if len(cust) else 0.0
    return {"site_aov_usd": aov, "repeat_orders_per_customer_year": 0.0 if pd.isna(repeat) else repeat,
            "clv_horizon_years": float(clv_horizon_years)}


# --- statuses ---------------------------------------------------------------------------------
STATUS_KPIS = [
    "engagement_rate_by_reach", "avg_engagements_per_post", "positive_comment_share",
    "response_rate_24h", "click_through_rate", "conversion_rate", "aov_index",
    "cost_per_lead_usd", "sales_qualified_rate", "roas", "cost_per_acquisition_usd",
    "clv_to_cpa", "cpm_usd", "ftc_compliance_rate",
]


def add_statuses(t: pd.DataFrame, targets: Mapping, kpis: list[str]) -> pd.DataFrame:
    """<kpi>_status for each KPI with a target in conf; targets limited to some campaign
    objectives (`objectives`) or creator tiers (`tiers`) are not_applicable elsewhere."""
    t = t.copy()
    for k in kpis:
        if k not in t or k not in targets:
            continue
        tgt = targets[k]
        status = f.target_status(t[k], tgt)
        if tgt.get("objectives") is not None:
            if "objective" in t:
                ok = t["objective"].isin(list(tgt["objectives"])).fillna(False).astype(bool)
                status = status.where(ok, f.NOT_APPLICABLE)
        if tgt.get("tiers") is not None:
            if "tier" in t:
                ok = t["tier"].isin(list(tgt["tiers"])).fillna(False).astype(bool)
                status = status.where(ok, f.NOT_APPLICABLE)
            else:
                status = pd.Series(f.NOT_APPLICABLE, index=t.index, dtype="string")
        t[f"{k}_status"] = status.astype("string")
    return t


def platform_engagement_status(t: pd.DataFrame, targets: Mapping) -> pd.Series:
    """Engagement rate by reach against the band of the row's platform (spec: by platform)."""
    bands = targets.get("engagement_rate_by_platform", {}) or {}
    out = pd.Series(f.NOT_APPLICABLE, index=t.index, dtype="string")
    for platform, band in bands.items():
        m = (t["platform"] == platform).fillna(False).astype(bool)
        if m.any():
            out[m] = f.target_status(t.loc[m, "engagement_rate_by_reach"], band)
    return out


def drop_helpers(t: pd.DataFrame) -> pd.DataFrame:
    """Drop the helper sums (names starting with _) and make counts integers."""
    return counts_as_integers(t.drop(columns=[c for c in t.columns if c.startswith("_")]))


# --- contract-based KPIs ------------------------------------------------------------------------
def contract_kpis(contracts: pd.DataFrame, compliance: pd.DataFrame, campaigns: pd.DataFrame,
                  as_of: pd.Timestamp) -> pd.DataFrame:
    """Per contract, the parts of the partnership KPIs (summed per level by `contract_rollup`).

    Delivery and contract compliance count only contracts whose campaign ended by as_of (a
    deliverable cannot be late before then); launches count once their planned date passed.
    """
    c = contracts.merge(compliance, on="contract_id", how="left").merge(
        campaigns[["campaign_id", "end_date"]], on="campaign_id", how="left")
    ended = (c["end_date"] <= as_of).fillna(False).astype(bool)
    out = c[["contract_id", "creator_id", "campaign_id"]].copy()
    out["_ended_committed"] = c["deliverables_committed"].astype("Float64").fillna(0).where(ended, 0).astype(float)
    out["_ended_on_time"] = c["deliverables_on_time"].astype("Float64").fillna(0).where(ended, 0).astype(float)
    out["_ended_contracts"] = ended.astype(float)
    out["_ended_compliant"] = (c["meets_all_terms"].fillna(False).astype(bool) & ended).astype(float)
    due = (c["planned_launch_date"] <= as_of).fillna(False).astype(bool)
    on_time = (c["actual_launch_date"].notna() & (c["actual_launch_date"] <= c["planned_launch_date"]))
    out["_launches_due"] = due.astype(float)
    out["_launches_on_time"] = (due & on_time.fillna(False).astype(bool)).astype(float)
    hours = (c["asset_approved_at"] - c["asset_submitted_at"]).dt.total_seconds() / 3600.0
    hours = hours.where(hours >= 0)
    out["_approval_hours_sum"] = hours.fillna(0.0)
    out["_approvals"] = hours.notna().astype(float)
    rating = c["content_quality_rating"].astype("Float64")
    out["_quality_sum"] = rating.fillna(0).astype(float)
    out["_quality_n"] = rating.notna().astype(float)
    out["_campaign_ended"] = ended.astype(float)
    return out


def contract_rollup(ck: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Contract parts summed per group → delivery, compliance, launch, approval, quality KPIs."""
    parts = [c for c in ck.columns if c.startswith("_")]
    s = ck.groupby(keys, dropna=True)[parts].sum()
    out = pd.DataFrame(index=s.index)
    out["n_contracts"] = ck.groupby(keys, dropna=True).size()
    out["campaign_delivery_rate"] = f.rate(s["_ended_on_time"], s["_ended_committed"])
    out["contract_compliance_rate"] = f.rate(s["_ended_compliant"], s["_ended_contracts"])
    out["on_time_launch_rate"] = f.rate(s["_launches_on_time"], s["_launches_due"])
    out["asset_approval_hours"] = f.safe_ratio(s["_approval_hours_sum"], s["_approvals"])
    out["content_quality_score"] = f.safe_ratio(s["_quality_sum"], s["_quality_n"])
    out["_all_campaigns_running"] = s["_campaign_ended"] == 0
    return out.reset_index()


def partnership_statuses(t: pd.DataFrame, targets: Mapping) -> pd.DataFrame:
    """Statuses of the contract KPIs; delivery / compliance of running campaigns: in_progress."""
    t = add_statuses(t, targets, ["campaign_delivery_rate", "contract_compliance_rate",
                                  "on_time_launch_rate", "asset_approval_hours",
                                  "content_quality_score"])
    running = t.get("_all_campaigns_running", pd.Series(False, index=t.index)).fillna(False).astype(bool)
    for k in ("campaign_delivery_rate", "contract_compliance_rate"):
        if f"{k}_status" in t:
            t[f"{k}_status"] = t[f"{k}_status"].mask(running, "in_progress")
    return t


# --- audience growth ---------------------------------------------------------------------------
def audience_growth(follower_obs: pd.DataFrame, windows: pd.DataFrame, keys: list[str]
                    ) -> pd.DataFrame:
    """Audience growth rate per group: Σ followers at the last observation in the window /
    Σ followers at the first − 1, over the accounts (creator × platform) in the group.

    In: `follower_obs` (creator_id, platform, date, followers); `windows` with creator_id, the
    group `keys`, start and end (dates, inclusive): one row per creator and group.
    Out: keys, followers_start, followers_end, audience_growth_rate.
    """
    m = follower_obs.merge(windows, on="creator_id", how="inner")
    m = m[(m["date"] >= m["start"]) & (m["date"] <= m["end"])]
    if m.empty:
        return pd.DataFrame(columns=[*keys, "followers_start", "followers_end", "audience_growth_rate"])
    m = m.sort_values("date")
    account = list(dict.fromkeys([*keys, "creator_id", "platform"]))
    acct = m.groupby(account, dropna=True)["followers"].agg(["first", "last"]).reset_index()
    s = acct.groupby(keys)[["first", "last"]].sum()
    out = pd.DataFrame({"followers_start": s["first"], "followers_end": s["last"]})
    out["audience_growth_rate"] = f.growth_rate(out["followers_start"], out["followers_end"])
    return out.reset_index()


# --- brand: mentions and surveys ------------------------------------------------------------------
def mention_shares(mentions: pd.DataFrame, windows: pd.DataFrame, key: str) -> pd.DataFrame:
    """Share of voice (creator-content mentions) and of conversation (all mentions) per group.

    In: canonical `mentions`; `windows` (key, start, end). Out: key, share_of_voice,
    share_of_conversation, own_brand_mentions.
    """
    rows = []
    for w in windows.itertuples(index=False):
        m = mentions[(mentions["date"] >= w.start) & (mentions["date"] <= w.end)]
        own = m[m["is_own_brand"]]
        rows.append({key: getattr(w, key),
                     "share_of_voice": f.share_of(float(own["creator_content_mentions"].sum()),
                                                  float(m["creator_content_mentions"].sum())),
                     "share_of_conversation": f.share_of(float(own["total_mentions"].sum()),
                                                         float(m["total_mentions"].sum())),
                     "own_brand_mentions": float(own["total_mentions"].sum())})
    return pd.DataFrame(rows, columns=[key, "share_of_voice", "share_of_conversation",
                                       "own_brand_mentions"])


def daily_mention_shares(mentions: pd.DataFrame) -> pd.DataFrame:
    """Share of voice and of conversation per day."""
    m = mentions.copy()
    m["own_ccm"] = m["creator_content_mentions"].astype("Float64").fillna(0).where(m["is_own_brand"], 0)
    m["own_tot"] = m["total_mentions"].astype("Float64").fillna(0).where(m["is_own_brand"], 0)
    g = m.groupby("date")[["own_ccm", "own_tot", "creator_content_mentions", "total_mentions"]].sum()
    return pd.DataFrame({
        "share_of_voice": f.share_of(g["own_ccm"].astype(float), g["creator_content_mentions"].astype(float)),
        "share_of_conversation": f.share_of(g["own_tot"].astype(float), g["total_mentions"].astype(float)),
        "own_brand_mentions": g["own_tot"].astype(float),
    }).reset_index()


NO_SURVEY = "no survey for this campaign"


def brand_lift(surveys: pd.DataFrame) -> pd.DataFrame:
    """Per campaign: aware and favorable shares of the pre and post waves, brand recall lift
    and brand sentiment shift (relative); missing with a reason when a wave is missing."""
    s = surveys.copy()
    s["aware_share"] = f.rate(s["aware"].astype(float), s["respondents"].astype(float))
    s["favorable_share"] = f.rate(s["favorable"].astype("Float64").astype(float), s["respondents"].astype(float))
    w = s.pivot_table(index="campaign_id", columns="wave", values=["aware_share", "favorable_share"],
                      aggfunc="first")
    w.columns = [f"{a}_{b}" for a, b in w.columns]
    for c in ("aware_share_pre", "aware_share_post", "favorable_share_pre", "favorable_share_post"):
        if c not in w:
            w[c] = np.nan
    w["brand_recall_lift"] = f.relative_lift(w["aware_share_pre"], w["aware_share_post"])
    w["brand_sentiment_shift"] = f.relative_lift(w["favorable_share_pre"], w["favorable_share_post"])
    reason = pd.Series(pd.NA, index=w.index, dtype="string")
    reason = reason.mask(w["aware_share_post"].isna(), "no post-campaign survey wave")
    reason = reason.mask(w["aware_share_pre"].isna(), "no pre-campaign survey wave")
    w["brand_lift_missing_reason"] = reason
    return w.reset_index()[["campaign_id", "aware_share_pre", "aware_share_post",
                            "favorable_share_pre", "favorable_share_post", "brand_recall_lift",
                            "brand_sentiment_shift", "brand_lift_missing_reason"]]


def planned_spend_to_date(campaigns: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per campaign: days elapsed (start..min(end, as_of), inclusive), planned spend to date
    (planned daily spend × days; planned budget / campaign days when daily is blank) and the
    campaign state (planned / running / ended)."""
    c = campaigns[["campaign_id", "start_date", "end_date", "planned_budget_usd",
                   "planned_daily_spend_usd"]].copy()
    days_total = (c["end_date"] - c["start_date"]).dt.days + 1
    daily = c["planned_daily_spend_usd"].fillna(c["planned_budget_usd"] / days_total)
    last = c["end_date"].where(c["end_date"] <= as_of, as_of)
    elapsed = ((last - c["start_date"]).dt.days + 1).clip(lower=0)
    c["days_elapsed"] = elapsed.astype("int64")
    c["planned_spend_to_date_usd"] = np.minimum(daily * elapsed, c["planned_budget_usd"].fillna(np.inf))
    state = pd.Series("running", index=c.index, dtype="string")
    state = state.mask(c["start_date"] > as_of, "planned").mask(c["end_date"] <= as_of, "ended")
    c["campaign_state"] = state
    return c[["campaign_id", "days_elapsed", "planned_spend_to_date_usd", "campaign_state"]]
