"""KPI nodes: thin adapters from the canonical tables to roi_ml.kpis (formulas in
docs/metrics.md). Each node says what comes in and what goes out; parameters are
`kpis` of conf/base/parameters_kpis.yml.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from roi_ml.kpis import formulas as f
from roi_ml.kpis import tables as t
from roi_ml.kpis.authenticity import (
    AuthenticityScorer,
    account_signals,
    authentic_engagement_factor,
)
from roi_ml.kpis.compliance import contract_compliance, detect_disclosure
from roi_ml.kpis.observed_attribution import (
    ATTRIBUTION_BASIS,
    click_attributed_leads,
    creator_attributed_orders,
)
from roi_ml.kpis.posts import (
    build_post_totals,
    clean_daily_metrics,
    follower_observations,
    frequency_estimate,
)
from roi_ml.kpis.reach import ReachAssumptions, deduplicated_reach
from roi_ml.kpis.sentiment import MODEL_NAME, score_texts

log = logging.getLogger(__name__)


def _utc_day(ts: pd.Series) -> pd.Series:
    return ts.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize().astype("datetime64[us]")


# --- context ----------------------------------------------------------------------------------
def resolve_as_of(params: dict, post_daily_metrics: pd.DataFrame, campaigns: pd.DataFrame
                  ) -> pd.Timestamp:
    """The day KPIs are "to date" at: `kpis.as_of_date`, else the last day of the platform
    metrics, else the last campaign end date."""
    if params.get("as_of_date"):
        return pd.Timestamp(params["as_of_date"]).normalize()
    if len(post_daily_metrics):
        return pd.Timestamp(post_daily_metrics["date"].max()).normalize()
    return pd.Timestamp(campaigns["end_date"].max()).normalize()


# --- posts, comments, captions -----------------------------------------------------------------
def prepare_post_totals(posts: pd.DataFrame, post_daily_metrics: pd.DataFrame,
                        creators: pd.DataFrame, creator_platforms: pd.DataFrame, params: dict
                        ) -> pd.DataFrame:
    """posts + post_daily_metrics → one row per post: lifetime totals (negative counters
    clipped to 0), reach (X: estimated from impressions, flagged), followers at publication,
    day-0 values (see roi_ml.kpis.posts.build_post_totals)."""
    daily = clean_daily_metrics(post_daily_metrics)
    return build_post_totals(posts, daily, creators, creator_platforms, params["reach"])


def score_comment_sentiment(comments: pd.DataFrame, params: dict) -> pd.DataFrame:
    """comments → one row per comment: VADER compound score and label, and whether it was
    replied to within 24 h. Out: comment_id, post_id, platform, created_at,
    sentiment_compound, sentiment_label, sentiment_model, replied, replied_within_24h."""
    p = params["sentiment"]
    scored = score_texts(comments["text"], p.get("lexicon_updates"), p["positive_threshold"],
                         p["negative_threshold"])
    delay_h = (comments["reply_at"] - comments["created_at"]).dt.total_seconds() / 3600.0
    within = comments["replied"].astype(bool) & (delay_h >= 0) & (delay_h <= float(p["response_window_hours"]))
    out = comments[["comment_id", "post_id", "platform", "created_at"]].copy()
    out["sentiment_compound"] = scored["sentiment_compound"]
    out["sentiment_label"] = scored["sentiment_label"]
    out["sentiment_model"] = pd.array([MODEL_NAME] * len(out), dtype="string")
    out["replied"] = comments["replied"].astype(bool)
    out["replied_within_24h"] = within.fillna(False).astype(bool)
    return out.reset_index(drop=True)


def detect_post_disclosures(posts: pd.DataFrame, params: dict) -> pd.DataFrame:
    """posts → post_id, contract_id, has_disclosure, disclosure_marker (first matching
    pattern of `kpis.compliance.disclosure_patterns`)."""
    d = detect_disclosure(posts["caption"], params["compliance"]["disclosure_patterns"])
    return pd.concat([posts[["post_id", "contract_id"]], d], axis=1)


def list_non_compliant_posts(posts: pd.DataFrame, post_disclosure: pd.DataFrame) -> pd.DataFrame:
    """Posts without an FTC disclosure, for the compliance team: post_id, creator_id,
    campaign_id, platform, published_at, caption, reason."""
    m = posts.merge(post_disclosure[["post_id", "has_disclosure"]], on="post_id", how="left")
    bad = m[~m["has_disclosure"].fillna(False).astype(bool)].copy()
    reason = pd.Series("no disclosure found in the caption", index=bad.index, dtype="string")
    bad["reason"] = reason.mask(bad["caption"].isna() | (bad["caption"].astype("string").str.strip() == ""),
                                "no caption exported")
    return bad[["post_id", "creator_id", "campaign_id", "platform", "published_at", "caption",
                "reason"]].sort_values("published_at").reset_index(drop=True)


# --- authenticity -------------------------------------------------------------------------------
def score_creator_authenticity(kpi_post_totals: pd.DataFrame, post_daily_metrics: pd.DataFrame,
                               comments: pd.DataFrame, posts: pd.DataFrame, creators: pd.DataFrame,
                               creator_platforms: pd.DataFrame, kpi_as_of: pd.Timestamp,
                               params: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Signals per account → authenticity per creator (roi_ml.kpis.authenticity).

    Out: creator_authenticity (creator_id, authenticity_score 0–100, is_flagged, reasons,
    is_scored, rule_evidence_z, rule_suspicion, forest_anomaly, z_<signal> …) and
    account_authenticity (creator × platform: raw signals, peer norms, z-scores,
    engagement_authentic_factor used by the authentic-adjusted KPIs).
    """
    ap = dict(params["authenticity"])
    ap["_as_of"] = kpi_as_of
    daily = clean_daily_metrics(post_daily_metrics)
    com = comments.merge(posts[["post_id", "published_at"]], on="post_id", how="inner")
    acc = account_signals(kpi_post_totals, follower_observations(daily), creator_platforms, com,
                          creators, ap)
    scorer = AuthenticityScorer.from_params(ap)
    creator = scorer.score(acc, creators["creator_id"])
    accounts = scorer.account_z_.drop(columns=["step_days", "step_dlog", "step_from", "step_to"],
                                      errors="ignore")
    factor = authentic_engagement_factor(accounts, creator.set_index("creator_id")["is_flagged"])
    accounts = accounts.merge(factor, on=["creator_id", "platform"], how="left")
    for c in ("creator_id", "platform", "tier"):
        accounts[c] = accounts[c].astype("string")
    log.info("Authenticity: %d of %d scored creators flagged", int(creator["is_flagged"].sum()),
             int(creator["is_scored"].sum()))
    return creator, accounts.reset_index(drop=True)


# --- observable attribution -----------------------------------------------------------------------
def attribute_orders_click_or_code(orders: pd.DataFrame, creators: pd.DataFrame,
                                   posts: pd.DataFrame, params: dict) -> pd.DataFrame:
    """orders → creator_attributed_orders (code beats link; attribution_basis =
    "click_or_code"; see roi_ml.kpis.observed_attribution.creator_attributed_orders)."""
    a = params["attribution"]
    return creator_attributed_orders(orders, creators, posts, a["code_post_lookback_days"],
                                     tuple(a["refunded_statuses"]))


def summarise_link_sessions(sessions) -> tuple[pd.DataFrame, pd.DataFrame]:
    """GA4 sessions (Ibis table or pandas) → (per post and day: link_sessions,
    click_conversions = purchases + sign-ups + leads + installs; lead_id → post_id of the
    session that created the lead). Only sessions that landed from a creator post's link."""
    cols = ["creator_post_id", "session_date", "purchases", "sign_ups", "leads", "installs",
            "lead_id"]
    if hasattr(sessions, "execute"):
        s = sessions.filter(sessions.creator_post_id.notnull()).select(*cols).execute()
    else:
        s = sessions.loc[sessions["creator_post_id"].notna(), cols]
    s = s.rename(columns={"creator_post_id": "post_id", "session_date": "date"})
    s["conv"] = s[["purchases", "sign_ups", "leads", "installs"]].fillna(0).sum(axis=1)
    per_day = (s.groupby(["post_id", "date"]).agg(link_sessions=("conv", "size"),
                                                  click_conversions=("conv", "sum"))
               .reset_index())
    per_day["post_id"] = per_day["post_id"].astype("string")
    per_day["date"] = pd.to_datetime(per_day["date"]).astype("datetime64[us]")
    lead = s.dropna(subset=["lead_id"])[["lead_id", "post_id"]].astype("string").drop_duplicates("lead_id")
    return per_day, lead.reset_index(drop=True)


def attribute_leads_by_click(leads: pd.DataFrame, lead_sessions: pd.DataFrame,
                             posts: pd.DataFrame, params: dict) -> pd.DataFrame:
    """leads → creator_attributed_leads: leads created in a session that landed from a
    creator link; is_qualified per `kpis.leads.qualified_stages`."""
    return click_attributed_leads(leads, lead_sessions, posts,
                                  tuple(params["leads"]["qualified_stages"]))


# --- measures and KPI tables -------------------------------------------------------------------
def build_kpi_measures(kpi_post_totals: pd.DataFrame, post_daily_metrics: pd.DataFrame,
                       comment_sentiment: pd.DataFrame, post_disclosure: pd.DataFrame,
                       creator_attributed_orders: pd.DataFrame,
                       creator_attributed_leads: pd.DataFrame, link_sessions: pd.DataFrame,
                       contracts: pd.DataFrame, posts: pd.DataFrame,
                       account_authenticity: pd.DataFrame, kpi_as_of: pd.Timestamp,
                       params: dict) -> pd.DataFrame:
    """Every source → the long frame of additive measures that every KPI level sums
    (roi_ml.kpis.tables.build_measures)."""
    daily = clean_daily_metrics(post_daily_metrics)
    freq = frequency_estimate(kpi_post_totals["impressions"], kpi_post_totals["reach_reported"],
                              params["reach"])
    spend = t.contract_spend(contracts, posts, kpi_as_of)
    return t.build_measures(kpi_post_totals, daily, freq["point"], comment_sentiment,
                            post_disclosure, creator_attributed_orders, creator_attributed_leads,
                            link_sessions, spend,
                            account_authenticity[["creator_id", "platform", "engagement_authentic_factor"]],
                            params["emv"], kpi_as_of)


def _site(orders: pd.DataFrame, as_of: pd.Timestamp, params: dict) -> dict[str, float]:
    return t.site_figures(orders, as_of, params["clv"]["horizon_years"],
                          tuple(params["attribution"]["refunded_statuses"]))


def _emv_columns(frame: pd.DataFrame, params: dict) -> pd.DataFrame:
    frame["emv_rate_card_version"] = pd.array([str(params["emv"]["rate_card_version"])] * len(frame),
                                              dtype="string")
    frame["attribution_basis"] = pd.array([ATTRIBUTION_BASIS] * len(frame), dtype="string")
    return frame


def _reach_frame(kpi_post_totals: pd.DataFrame, account_authenticity: pd.DataFrame) -> pd.DataFrame:
    """Posts with what reach deduplication needs, and the real-audience share of the account."""
    frame = kpi_post_totals[["post_id", "creator_id", "campaign_id", "platform", "reach",
                             "reach_low", "reach_high", "audience"]]
    factor = account_authenticity[["creator_id", "platform", "audience_authentic_factor"]]
    frame = frame.merge(factor, on=["creator_id", "platform"], how="left")
    return frame.rename(columns={"audience_authentic_factor": "audience_factor"})


def _assumptions(creators: pd.DataFrame, params: dict) -> ReachAssumptions:
    return ReachAssumptions.from_params(params["reach"], creators["known_audience_overlap"])


def _roster(creator_platforms: pd.DataFrame) -> pd.Series:
    return pd.to_numeric(creator_platforms.set_index(["creator_id", "platform"])["followers"],
                         errors="coerce").astype("float64")


def _order(frame: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    rest = [c for c in frame.columns if c not in first]
    return frame[[*first, *rest]]


def _no_posts_no_reach(k: pd.DataFrame) -> pd.DataFrame:
    """A row without posts reached nobody: its deduplicated reach and interval are 0."""
    for c in ("reach_deduplicated", "reach_deduplicated_low", "reach_deduplicated_high"):
        k[c] = k[c].fillna(0.0)
    return k


def _with_partnership(k: pd.DataFrame, keys: list[str], contracts: pd.DataFrame,
                      post_disclosure: pd.DataFrame, campaigns: pd.DataFrame,
                      as_of: pd.Timestamp) -> pd.DataFrame:
    """Join the contract KPIs (delivery, compliance, launch, approval, quality) per group."""
    parts = t.contract_kpis(contracts, contract_compliance(contracts, post_disclosure),
                            campaigns, as_of)
    return k.merge(t.contract_rollup(parts, keys), on=keys, how="left")


def _with_growth(k: pd.DataFrame, keys: list[str], windows: pd.DataFrame,
                 post_daily_metrics: pd.DataFrame) -> pd.DataFrame:
    """Join the audience growth over each group's partnership windows."""
    observations = follower_observations(clean_daily_metrics(post_daily_metrics))
    return k.merge(t.audience_growth(observations, windows, keys), on=keys, how="left")


def build_kpi_post(kpi_measures: pd.DataFrame, kpi_post_totals: pd.DataFrame,
                   post_disclosure: pd.DataFrame, campaigns: pd.DataFrame, orders: pd.DataFrame,
                   kpi_as_of: pd.Timestamp, params: dict) -> pd.DataFrame:
    """Post-level KPIs: lifetime totals, every ratio KPI, engagement rate by reach with its
    basis (reported / estimated reach) and a reason when it is missing, statuses against the
    overall and the platform band."""
    agg = t.aggregate(kpi_measures, ["post_id"])
    pt = kpi_post_totals.set_index("post_id")
    k = t.add_ratio_kpis(agg, _site(orders, kpi_as_of, params))
    info = kpi_post_totals[["post_id", "contract_id", "creator_id", "campaign_id", "platform",
                            "format", "published_at", "tier", "n_metric_days",
                            "counter_corrected_days", "reach_is_estimated"]]
    k = info.merge(k, on="post_id", how="left")
    k = k.merge(post_disclosure[["post_id", "has_disclosure", "disclosure_marker"]], on="post_id", how="left")
    k["objective"] = k["campaign_id"].map(campaigns.set_index("campaign_id")["objective"]).astype("string")
    k["reach_reported"] = k["post_id"].map(pt["reach_reported"])  # missing for X, not 0
    k["reach_deduplicated"] = k["post_id"].map(pt["reach"])
    k["frequency"] = f.frequency(k["impressions"], k["reach"])
    reason = pd.Series(pd.NA, index=k.index, dtype="string")
    reach_lt = k["post_id"].map(pt["reach"])
    reason = reason.mask(reach_lt.fillna(0) <= 0, "zero_reach")
    reason = reason.mask(k["n_metric_days"] == 0, "no_metrics")
    k["engagement_rate_null_reason"] = reason
    k["engagement_rate_basis"] = pd.Series(
        np.where(k["reach_is_estimated"], "estimated_reach", "reported_reach"), dtype="string")
    k = t.add_statuses(k, params["targets"], t.STATUS_KPIS)
    k["engagement_rate_platform_status"] = t.platform_engagement_status(k, params["targets"])
    return _order(t.drop_helpers(_emv_columns(k, params)),
                  ["post_id", "creator_id", "campaign_id", "platform"])


def build_kpi_creator_campaign(kpi_measures: pd.DataFrame, kpi_post_totals: pd.DataFrame,
                               contracts: pd.DataFrame, post_disclosure: pd.DataFrame,
                               campaigns: pd.DataFrame, creators: pd.DataFrame,
                               creator_platforms: pd.DataFrame, post_daily_metrics: pd.DataFrame,
                               creator_authenticity: pd.DataFrame,
                               account_authenticity: pd.DataFrame, orders: pd.DataFrame,
                               kpi_as_of: pd.Timestamp, params: dict) -> pd.DataFrame:
    """Creator × campaign KPIs: every ratio KPI, reach deduplicated across the creator's
    platforms and posts (with interval), audience growth during the campaign, contract KPIs,
    authenticity flag, statuses. One row per contract's creator × campaign (also without posts).
    """
    keys = ["creator_id", "campaign_id"]
    base = contracts[keys].drop_duplicates()
    agg = t.aggregate(kpi_measures, keys)
    k = base.merge(agg, on=keys, how="left")
    k[t.MEASURES] = k[t.MEASURES].fillna(0.0)
    k = t.add_ratio_kpis(k, _site(orders, kpi_as_of, params))
    universe = campaigns.set_index("campaign_id")["target_audience_size"].astype("Float64").astype(float)
    uni = pd.Series({(c, cm): universe.get(cm, np.nan) for c, cm in zip(k["creator_id"], k["campaign_id"],
                                                                        strict=True)})
    reach = deduplicated_reach(_reach_frame(kpi_post_totals, account_authenticity), keys, uni,
                               creators, _assumptions(creators, params), _roster(creator_platforms))
    k = k.merge(reach.drop(columns=["universe", "reach_reported_sum"]), on=keys, how="left")
    k = _no_posts_no_reach(k)
    k["frequency"] = f.frequency(k["impressions"], k["reach_deduplicated"])
    cmp = campaigns.set_index("campaign_id")
    windows = k[keys].assign(start=k["campaign_id"].map(cmp["start_date"]),
                             end=k["campaign_id"].map(cmp["end_date"]) + pd.Timedelta(
                                 days=int(params["audience_growth"]["days_after_campaign"])))
    k = _with_growth(k, keys, windows, post_daily_metrics)
    k = _with_partnership(k, keys, contracts, post_disclosure, campaigns, kpi_as_of)
    k["objective"] = k["campaign_id"].map(cmp["objective"]).astype("string")
    k["tier"] = k["creator_id"].map(creators.set_index("creator_id")["tier"]).astype("string")
    k = _with_authenticity(k, creator_authenticity)
    k = t.add_statuses(k, params["targets"], [*t.STATUS_KPIS, "audience_growth_rate"])
    k = t.partnership_statuses(k, params["targets"])
    return _order(t.drop_helpers(_emv_columns(k, params)), keys)


def _with_authenticity(k: pd.DataFrame, creator_authenticity: pd.DataFrame) -> pd.DataFrame:
    a = creator_authenticity.set_index("creator_id")
    k["authenticity_score"] = k["creator_id"].map(a["authenticity_score"])
    k["is_flagged_inauthentic"] = k["creator_id"].map(a["is_flagged"]).fillna(False).astype(bool)
    return k


def build_kpi_creator(kpi_measures: pd.DataFrame, kpi_post_totals: pd.DataFrame,
                      contracts: pd.DataFrame, post_disclosure: pd.DataFrame,
                      campaigns: pd.DataFrame, creators: pd.DataFrame,
                      creator_platforms: pd.DataFrame, post_daily_metrics: pd.DataFrame,
                      creator_authenticity: pd.DataFrame, account_authenticity: pd.DataFrame,
                      orders: pd.DataFrame, kpi_as_of: pd.Timestamp, params: dict) -> pd.DataFrame:
    """Creator KPIs over all their campaigns (and code orders outside any campaign): every
    ratio KPI, reach deduplicated across all their posts (universe: their largest campaign's),
    audience growth over the partnership, contract KPIs, authenticity. One row per creator in
    the roster (creators with no activity have zeros and missing rates)."""
    keys = ["creator_id"]
    base = creators[["creator_id", "tier", "niche", "primary_platform"]]
    k = base.merge(t.aggregate(kpi_measures, keys), on=keys, how="left")
    k[t.MEASURES] = k[t.MEASURES].fillna(0.0)
    k = t.add_ratio_kpis(k, _site(orders, kpi_as_of, params))
    universe = campaigns.set_index("campaign_id")["target_audience_size"].astype("Float64").astype(float)
    pt = kpi_post_totals.assign(_u=kpi_post_totals["campaign_id"].map(universe))
    uni = pt.groupby("creator_id")["_u"].max()
    reach = deduplicated_reach(_reach_frame(kpi_post_totals, account_authenticity), keys, uni,
                               creators, _assumptions(creators, params), _roster(creator_platforms))
    k = k.merge(reach.drop(columns=["universe", "reach_reported_sum"]), on=keys, how="left")
    k = _no_posts_no_reach(k)
    k["frequency"] = f.frequency(k["impressions"], k["reach_deduplicated"])
    cmp = contracts.merge(campaigns[["campaign_id", "start_date", "end_date"]], on="campaign_id")
    lag = pd.Timedelta(days=int(params["audience_growth"]["days_after_campaign"]))
    windows = cmp.groupby("creator_id").agg(start=("start_date", "min"), end=("end_date", "max")).reset_index()
    windows["end"] = windows["end"] + lag
    k = _with_growth(k, keys, windows, post_daily_metrics)
    k = _with_partnership(k, keys, contracts, post_disclosure, campaigns, kpi_as_of)
    k["n_campaigns"] = k["creator_id"].map(contracts.groupby("creator_id")["campaign_id"].nunique()).fillna(0).astype("int64")
    k = _with_authenticity(k, creator_authenticity)
    k = t.add_statuses(k, params["targets"], [*t.STATUS_KPIS, "audience_growth_rate"])
    k = t.partnership_statuses(k, params["targets"])
    return _order(t.drop_helpers(_emv_columns(k, params)), keys)


def build_kpi_campaign(kpi_measures: pd.DataFrame, kpi_post_totals: pd.DataFrame,
                       contracts: pd.DataFrame, post_disclosure: pd.DataFrame,
                       campaigns: pd.DataFrame, creators: pd.DataFrame,
                       creator_platforms: pd.DataFrame, post_daily_metrics: pd.DataFrame,
                       mentions: pd.DataFrame, surveys: pd.DataFrame,
                       account_authenticity: pd.DataFrame, orders: pd.DataFrame,
                       kpi_as_of: pd.Timestamp, params: dict) -> pd.DataFrame:
    """Campaign KPIs: every ratio KPI, reach deduplicated across creators, platforms and posts
    with its interval (universe = target_audience_size), budget pacing, share of voice and of
    conversation over the campaign dates, brand recall lift and sentiment shift, audience
    growth, contract KPIs, impressions / reach targets for major campaigns. One row per
    campaign in the plan (a campaign with no posts has zeros and missing rates)."""
    keys = ["campaign_id"]
    base = campaigns[["campaign_id", "campaign_name", "objective", "start_date", "end_date",
                      "planned_budget_usd", "target_audience_size"]]
    k = base.merge(t.aggregate(kpi_measures, keys), on=keys, how="left")
    k[t.MEASURES] = k[t.MEASURES].fillna(0.0)
    k = t.add_ratio_kpis(k, _site(orders, kpi_as_of, params))
    universe = campaigns.set_index("campaign_id")["target_audience_size"].astype("Float64").astype(float)
    reach = deduplicated_reach(_reach_frame(kpi_post_totals, account_authenticity), keys,
                               universe, creators, _assumptions(creators, params),
                               _roster(creator_platforms))
    k = k.merge(reach.drop(columns=["universe", "reach_reported_sum"]), on=keys, how="left")
    k = _no_posts_no_reach(k)
    settle = pd.Timedelta(days=int(params["reach"]["settle_days"]))
    k["reach_is_final"] = (k["end_date"] + settle <= kpi_as_of).fillna(False).astype(bool)
    k["frequency"] = f.frequency(k["impressions"], k["reach_deduplicated"])
    k["n_creators"] = k["campaign_id"].map(contracts.groupby("campaign_id")["creator_id"].nunique()).fillna(0).astype("int64")
    k = k.merge(t.planned_spend_to_date(campaigns, kpi_as_of), on=keys, how="left")
    k["budget_pacing"] = f.budget_pacing(k["cost_usd"], k["planned_spend_to_date_usd"])
    windows = campaigns[["campaign_id", "start_date", "end_date"]].rename(
        columns={"start_date": "start", "end_date": "end"})
    windows["end"] = windows["end"].where(windows["end"] <= kpi_as_of, kpi_as_of)
    k = k.merge(t.mention_shares(mentions, windows, "campaign_id"), on=keys, how="left")
    k = k.merge(t.brand_lift(surveys), on=keys, how="left")
    k["brand_lift_missing_reason"] = k["brand_lift_missing_reason"].astype("string").mask(
        ~k["campaign_id"].isin(surveys["campaign_id"]), t.NO_SURVEY)
    lag = pd.Timedelta(days=int(params["audience_growth"]["days_after_campaign"]))
    gw = contracts[["creator_id", "campaign_id"]].drop_duplicates().merge(
        campaigns[["campaign_id", "start_date", "end_date"]], on="campaign_id")
    gw = gw.rename(columns={"start_date": "start", "end_date": "end"})
    gw["end"] = gw["end"] + lag
    k = _with_growth(k, keys, gw, post_daily_metrics)
    k = _with_partnership(k, keys, contracts, post_disclosure, campaigns, kpi_as_of)
    k["_all_campaigns_running"] = k["end_date"] > kpi_as_of
    targets = params["targets"]
    k = t.add_statuses(k, targets, [*t.STATUS_KPIS, "audience_growth_rate", "budget_pacing",
                                    "share_of_voice", "share_of_conversation", "brand_recall_lift",
                                    "brand_sentiment_shift", "impressions", "reach_deduplicated"])
    major = (k["planned_budget_usd"].fillna(0) >= float(params["major_campaign_min_budget_usd"]))
    planned = k["campaign_state"] == "planned"  # starts after the export: nothing to judge yet
    for c in ("impressions_status", "reach_deduplicated_status"):
        k[c] = k[c].where(major & ~planned, f.NOT_APPLICABLE)
    k["budget_pacing_status"] = k["budget_pacing_status"].mask(planned, f.NOT_APPLICABLE)
    k = t.partnership_statuses(k, targets)
    return _order(t.drop_helpers(_emv_columns(k, params)), keys)


def build_kpi_platform(kpi_measures: pd.DataFrame, kpi_post_totals: pd.DataFrame,
                       campaigns: pd.DataFrame, creators: pd.DataFrame,
                       creator_platforms: pd.DataFrame, account_authenticity: pd.DataFrame,
                       orders: pd.DataFrame, kpi_as_of: pd.Timestamp, params: dict
                       ) -> pd.DataFrame:
    """Platform KPIs: every ratio KPI, engagement rate against the platform's own band,
    reach deduplicated within each campaign and summed over campaigns."""
    keys = ["platform"]
    k = t.add_ratio_kpis(t.aggregate(kpi_measures, keys), _site(orders, kpi_as_of, params))
    universe = campaigns.set_index("campaign_id")["target_audience_size"].astype("Float64").astype(float)
    pc = _reach_frame(kpi_post_totals, account_authenticity)
    uni = pd.Series({(c, p): universe.get(c, np.nan) for c, p in
                     pc[["campaign_id", "platform"]].drop_duplicates().itertuples(index=False)},
                    dtype="float64")
    reach = deduplicated_reach(pc, ["campaign_id", "platform"], uni, creators,
                               _assumptions(creators, params), _roster(creator_platforms))
    reach = reach.groupby("platform")[["reach_deduplicated",
                                       "reach_deduplicated_low", "reach_deduplicated_high"]].sum().reset_index()
    k = k.merge(reach, on=keys, how="left")
    k["frequency"] = f.frequency(k["impressions"], k["reach_deduplicated"])
    k["n_creators"] = k["platform"].map(kpi_post_totals.groupby("platform")["creator_id"].nunique()).fillna(0).astype("int64")
    k = t.add_statuses(k, params["targets"], [s for s in t.STATUS_KPIS
                                              if s not in ("conversion_rate", "roas", "cpm_usd")])
    k["engagement_rate_platform_status"] = t.platform_engagement_status(k, params["targets"])
    return _order(t.drop_helpers(_emv_columns(k, params)), keys)


DAILY_CAMPAIGN_STATUS_KPIS = ["engagement_rate_by_reach", "click_through_rate",
                              "positive_comment_share"]


def build_kpi_daily(kpi_measures: pd.DataFrame, mentions: pd.DataFrame, orders: pd.DataFrame,
                    kpi_as_of: pd.Timestamp, params: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily KPI time series for trend charts: (brand-wide per day, per campaign and day).

    Reach per day is the sum of the platforms' "reached for the first time that day" counts
    (not deduplicated across posts). The brand-wide series also has share of voice and of
    conversation per day. Each series covers every day from the first to the last with data.
    """
    site = _site(orders, kpi_as_of, params)
    daily = t.aggregate(kpi_measures, ["date"])
    if len(daily):
        days = pd.DataFrame({"date": pd.date_range(daily["date"].min(), daily["date"].max(),
                                                   freq="D").astype("datetime64[us]")})
        daily = days.merge(daily, on="date", how="left")
        daily[t.MEASURES] = daily[t.MEASURES].fillna(0.0)
    daily = t.add_ratio_kpis(daily, site)
    daily = daily.merge(t.daily_mention_shares(mentions), on="date", how="left")
    daily = t.add_statuses(daily, params["targets"], [s for s in t.STATUS_KPIS
                                                      if s not in ("conversion_rate", "roas", "cpm_usd")]
                           + ["share_of_voice", "share_of_conversation"])
    by_campaign = t.add_ratio_kpis(t.aggregate(kpi_measures, ["campaign_id", "date"]), site)
    # the statuses that mean something for one day of one campaign
    by_campaign = t.add_statuses(by_campaign, params["targets"], DAILY_CAMPAIGN_STATUS_KPIS)
    return (t.drop_helpers(_emv_columns(daily, params)),
            _order(t.drop_helpers(_emv_columns(by_campaign, params)), ["campaign_id", "date"]))


def kpi_summary_metrics(kpi_campaign: pd.DataFrame, kpi_post: pd.DataFrame,
                        creator_authenticity: pd.DataFrame) -> dict[str, Any]:
    """A few headline figures for MLflow: {name: {value, step}} (kpis.<name>)."""
    vals = {
        "campaigns": float(len(kpi_campaign)),
        "posts": float(len(kpi_post)),
        "engagement_rate_by_reach": f.safe_ratio(float(kpi_post["engagements"].where(kpi_post["reach"] > 0).sum()),
                                                 float(kpi_post["reach"].where(kpi_post["reach"] > 0).sum())),
        "ftc_compliance_rate": f.rate(float(kpi_post["has_disclosure"].fillna(False).sum()),
                                      float(len(kpi_post))),
        "creators_flagged_inauthentic": float(creator_authenticity["is_flagged"].sum()),
        "reach_deduplicated_total": float(kpi_campaign["reach_deduplicated"].sum()),
    }
    return {k: {"value": float(v), "step": 0} for k, v in vals.items() if not pd.isna(v)}
