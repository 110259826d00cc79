"""The dashboard's views (docs/metrics.md "Dashboard views"): each builds a Section from the
frames it receives. An input that is absent (None: its pipeline is not in the run) or empty
gives a visible "no data" note in place of its chart, never a silently missing chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import pandas as pd

from roi_ml.reporting import figures as fg
from roi_ml.reporting import tables as tb
from roi_ml.reporting.html import Cards, Chart, Note, Section, Table

# Where each input comes from, for "no data" notes and error messages.
SOURCES = {
    "kpi_campaign": "kpis pipeline, data/07_model_output/kpi_campaign.parquet",
    "kpi_creator": "kpis pipeline, data/07_model_output/kpi_creator.parquet",
    "kpi_creator_campaign": "kpis pipeline, data/07_model_output/kpi_creator_campaign.parquet",
    "kpi_post": "kpis pipeline, data/07_model_output/kpi_post.parquet",
    "kpi_daily": "kpis pipeline, data/08_reporting/kpi_daily.parquet",
    "kpi_campaign_daily": "kpis pipeline, data/08_reporting/kpi_campaign_daily.parquet",
    "creator_authenticity": "kpis pipeline, data/07_model_output/creator_authenticity.parquet",
    "non_compliant_posts": "kpis pipeline, data/08_reporting/non_compliant_posts.parquet",
    "campaigns": "ingestion pipeline, data/02_intermediate/campaigns.parquet",
    "creator_attribution": "attribution pipeline, data/07_model_output/creator_attribution.parquet",
    "attribution_model_comparison": "attribution pipeline, data/08_reporting/attribution_model_comparison.parquet",
    "creator_scores": "creator_scoring pipeline, data/07_model_output/creator_scores.parquet",
    "creator_campaign_roi": "creator_scoring pipeline, data/07_model_output/creator_campaign_roi.parquet",
    "forecast_daily": "forecasting pipeline, data/07_model_output/forecast_daily.parquet",
    "budget_pacing": "forecasting pipeline, data/07_model_output/budget_pacing.parquet",
    "response_curve_points": "forecasting pipeline, data/07_model_output/response_curve_points.parquet",
    "budget_allocation": "forecasting pipeline, data/07_model_output/budget_allocation.parquet",
    "alerts": "recommendations pipeline, data/08_reporting/alerts.csv",
    "partnership_decisions": "recommendations pipeline, data/08_reporting/recommendations/partnership_decisions.csv",
    "creator_suggestions": "recommendations pipeline, data/08_reporting/recommendations/creator_suggestions.csv",
    "budget_reallocation": "recommendations pipeline, data/08_reporting/recommendations/budget_reallocation.csv",
    "budget_signals": "recommendations pipeline, data/08_reporting/recommendations/budget_signals.csv",
    "content_formats": "recommendations pipeline, data/08_reporting/recommendations/content_formats.csv",
    "posting_windows": "recommendations pipeline, data/08_reporting/recommendations/posting_windows.csv",
}

# Columns shown first for each recommendation table (the rest follow; tables are ranked).
RECOMMENDATION_COLUMNS = {
    "partnership_decisions": ["rank", "creator_id", "decision", "confidence", "reasons", "performance_score",
                              "roi", "roi_low", "roi_high", "roi_trend", "predicted_next_roi",
                              "expected_impact_usd", "is_flagged_inauthentic"],
    "creator_suggestions": ["rank", "creator_id", "suggestion", "figures_cited", "confidence"],
    "budget_reallocation": ["rank", "from_creator_id", "to_creator_id", "move_usd", "expected_revenue_change",
                            "expected_revenue_change_low", "expected_revenue_change_high", "from_marginal_roi",
                            "to_marginal_roi", "from_binding_constraint", "to_binding_constraint", "confidence",
                            "recommendation"],
    "budget_signals": ["rank", "creator_id", "campaign_id", "cpa_usd", "benchmark_cpa_usd", "q_value",
                       "excess_cost_usd", "confidence", "recommendation"],
    "content_formats": ["rank", "platform", "niche", "format", "n_posts", "conversion_lift", "conversion_lift_low",
                        "conversion_lift_high", "conversions_per_1k_reach", "authentic_engagement_rate",
                        "confidence"],
    "posting_windows": ["rank", "creator_id", "platform", "day_name", "hour_start", "hour_end", "timezone",
                        "lift", "lift_low", "lift_high", "n_posts_window", "confidence"],
}

# Columns each input must have (the data contracts in the BRIEF / docs).
REQUIRED = {
    "kpi_campaign": ["campaign_id", "planned_budget_usd", "cost_usd", "attributed_revenue_usd",
                     "engagements", "reach", "roas"],
    "kpi_creator": ["creator_id", "cost_usd", "attributed_revenue_usd", "roi"],
    "kpi_creator_campaign": ["creator_id", "campaign_id", "roi", "cost_usd", "attributed_revenue_usd"],
    "kpi_post": ["post_id", "creator_id", "platform", "format", "engagements", "reach",
                 "attributed_revenue_usd"],
    "kpi_daily": ["date", "attributed_revenue_usd", "cost_usd", "engagement_rate_by_reach"],
    "kpi_campaign_daily": ["campaign_id", "date", "attributed_revenue_usd", "cost_usd", "engagements"],
    "creator_authenticity": ["creator_id", "authenticity_score", "is_flagged", "reasons"],
    "non_compliant_posts": ["post_id", "creator_id", "campaign_id", "platform", "reason"],
    "campaigns": ["campaign_id", "start_date"],
    "creator_attribution": ["creator_id", "model", "attributed_conversions", "attributed_revenue"],
    "attribution_model_comparison": ["model", "level", "attributed_revenue", "share_of_revenue"],
    "creator_scores": ["creator_id", "performance_score", "investment_usd", "roi", "roi_low",
                       "roi_high", "roi_trend", "predicted_next_roi"],
    "creator_campaign_roi": ["creator_id", "campaign_id", "campaign_seq", "roi", "roi_low", "roi_high"],
    "forecast_daily": ["series", "metric", "date", "yhat", "yhat_lower", "yhat_upper", "actual",
                       "is_forecast"],
    "budget_pacing": ["campaign_id", "planned_budget_usd", "spend_to_date_usd", "projected_spend_usd",
                      "pacing_ratio"],
    "response_curve_points": ["creator_id", "spend_usd", "expected_revenue"],
    "budget_allocation": ["creator_id", "current_budget", "recommended_budget",
                          "expected_revenue_current", "expected_revenue_recommended"],
    "alerts": ["alert_id", "severity", "rule", "entity_type", "entity_id", "message"],
    "partnership_decisions": ["creator_id"],
    "creator_suggestions": ["creator_id"],
}


@dataclass
class DashboardInputs:
    """Every frame a view may use; None = not produced by this run (pipeline not merged/run)."""

    kpi_campaign: pd.DataFrame | None = None
    kpi_creator: pd.DataFrame | None = None
    kpi_creator_campaign: pd.DataFrame | None = None
    kpi_post: pd.DataFrame | None = None
    kpi_daily: pd.DataFrame | None = None
    kpi_campaign_daily: pd.DataFrame | None = None
    creator_authenticity: pd.DataFrame | None = None
    non_compliant_posts: pd.DataFrame | None = None
    campaigns: pd.DataFrame | None = None
    creator_attribution: pd.DataFrame | None = None
    attribution_model_comparison: pd.DataFrame | None = None
    creator_scores: pd.DataFrame | None = None
    creator_campaign_roi: pd.DataFrame | None = None
    forecast_daily: pd.DataFrame | None = None
    budget_pacing: pd.DataFrame | None = None
    response_curve_points: pd.DataFrame | None = None
    budget_allocation: pd.DataFrame | None = None
    alerts: pd.DataFrame | None = None
    partnership_decisions: pd.DataFrame | None = None
    creator_suggestions: pd.DataFrame | None = None
    budget_reallocation: pd.DataFrame | None = None
    budget_signals: pd.DataFrame | None = None
    content_formats: pd.DataFrame | None = None
    posting_windows: pd.DataFrame | None = None

    def validate(self) -> None:
        """Stop on the first input that lacks a contract column (one clear message)."""
        for fld in fields(self):
            tb.require_columns(getattr(self, fld.name), fld.name, REQUIRED.get(fld.name, []),
                               SOURCES.get(fld.name, ""))


def no_data(name: str, what: str) -> Note:
    """The visible note a view shows in place of a chart whose input is absent or empty."""
    return Note(f"No data for {what}: '{name}' is empty or was not produced by this run "
                f"({SOURCES.get(name, name)}).", kind="no-data")


def _pct(v: float) -> str:
    return "n/a" if pd.isna(v) else f"{v:.2%}"


def _num(v: float, unit: str = "") -> str:
    return "n/a" if pd.isna(v) else f"{unit}{v:,.0f}"


def _pick(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    return frame[[c for c in cols if c in frame.columns]]


def recommendation_table(inp: DashboardInputs, name: str, caption: str, params: Mapping) -> Table | Note:
    """A ranked recommendation table (its key columns first), or a no-data note."""
    frame = getattr(inp, name)
    if tb.is_empty(frame):
        return no_data(name, caption[0].lower() + caption[1:])
    first = [c for c in RECOMMENDATION_COLUMNS.get(name, []) if c in frame.columns]
    shown = frame[first] if first else frame
    return Table(shown, caption, max_rows=int(params["max_table_rows"]))


def _credit(inp: DashboardInputs, params: Mapping) -> pd.DataFrame | None:
    if tb.is_empty(inp.creator_attribution):
        return None
    return tb.select_attribution_model(inp.creator_attribution, params["attribution_model"],
                                       params["fallback_attribution_model"])


# --- Executive summary --------------------------------------------------------------------------
def executive_summary(inp: DashboardInputs, params: Mapping, targets: Mapping) -> Section:
    blocks: list = []
    top_n = int(params["top_n"])
    if tb.is_empty(inp.kpi_campaign):
        blocks.append(no_data("kpi_campaign", "the headline KPIs and budget against actual"))
    else:
        k = tb.portfolio_kpis(inp.kpi_campaign)
        blocks.append(Cards([
            ("ROAS (all campaigns)", "n/a" if pd.isna(k["roas"]) else f"{k['roas']:.2f}:1",
             tb.status_of(k["roas"], targets, "roas"), tb.target_text(targets, "roas", False)),
            ("Engagement rate by reach", _pct(k["engagement_rate_by_reach"]),
             tb.status_of(k["engagement_rate_by_reach"], targets, "engagement_rate_by_reach"),
             tb.target_text(targets, "engagement_rate_by_reach", True)),
            ("Positive comment share (sentiment)", _pct(k["positive_comment_share"]),
             tb.status_of(k["positive_comment_share"], targets, "positive_comment_share"),
             tb.target_text(targets, "positive_comment_share", True)),
            ("Brand sentiment shift (surveys)", _pct(k["brand_sentiment_shift"]),
             tb.status_of(k["brand_sentiment_shift"], targets, "brand_sentiment_shift"),
             tb.target_text(targets, "brand_sentiment_shift", True)),
            ("Spend against plan to date", _pct(k["budget_pacing"]),
             tb.status_of(k["budget_pacing"], targets, "budget_pacing"),
             f"{_num(k['cost_usd'], '$')} spent of {_num(k['planned_budget_usd'], '$')} budget"),
            ("Attributed revenue", _num(k["attributed_revenue_usd"], "$"), "",
             "orders credited by click or discount code"),
        ]))
        blocks.append(Chart(fg.budget_vs_actual(inp.kpi_campaign),
                            "Planned budget, planned spend to date and actual spend (fees, product, overhead)."))
    if tb.is_empty(inp.kpi_daily):
        blocks.append(no_data("kpi_daily", "the daily trend"))
    else:
        blocks.append(Chart(fg.daily_trend(inp.kpi_daily, int(params["rolling_days"]))))
    # top creators: scores when creator_scoring ran, else attributed revenue of the chosen model
    if not tb.is_empty(inp.creator_scores):
        top = inp.creator_scores.nlargest(top_n, "performance_score")
        blocks.append(Chart(fg.ranked_bars(top, "creator_id", "roi", f"Top {top_n} creators by performance score: ROI with interval",
                                           "ROI", "roi_low", "roi_high", hover="roi_trend", tickformat=".0%")))
    else:
        credit = _credit(inp, params)
        if credit is None or credit.empty:
            blocks.append(no_data("creator_attribution", "the top creators"))
        else:
            top = credit.nlargest(top_n, "attributed_revenue")
            model = str(top["model_used"].iloc[0]) if len(top) else ""
            blocks.append(Chart(fg.ranked_bars(top, "creator_id", "attributed_revenue",
                                               f"Top {top_n} creators by attributed revenue ({model})", "USD",
                                               "revenue_ci_low", "revenue_ci_high")))
            blocks.append(no_data("creator_scores", "performance scores of the top creators"))
    if not tb.is_empty(inp.kpi_campaign):
        camp = inp.kpi_campaign.sort_values("roas", ascending=False).head(top_n)
        blocks.append(Table(_pick(camp, ["campaign_id", "campaign_name", "objective", "campaign_state",
                                         "cost_usd", "attributed_revenue_usd", "roas", "roas_status",
                                         "engagement_rate_by_reach", "budget_pacing",
                                         "budget_pacing_status"]),
                            f"Top {top_n} campaigns by ROAS"))
    if inp.alerts is None:
        blocks.append(no_data("alerts", "open alerts"))
    elif inp.alerts.empty:
        blocks.append(Note("No open alerts."))
    else:
        a = tb.alerts_by_severity(inp.alerts)
        counts = a["severity"].astype("string").value_counts()
        blocks.append(Cards([(f"{sev} alerts", str(int(counts.get(sev, 0))), sev, "open now")
                             for sev in ("critical", "warning", "success")]))
        blocks.append(Table(_pick(a, ["severity", "rule", "entity_type", "entity_id", "metric", "value",
                                      "threshold", "message", "detected_at"]), "Open alerts",
                            max_rows=int(params["max_table_rows"])))
    return Section("executive-summary", "Executive summary", blocks,
                   "Headline KPIs against target, budget against actual, top creators and campaigns, open alerts.")


# --- Campaign deep dive -------------------------------------------------------------------------
def campaign_deep_dive(inp: DashboardInputs, params: Mapping, targets: Mapping) -> Section:
    blocks: list = []
    if tb.is_empty(inp.kpi_campaign):
        blocks.append(no_data("kpi_campaign", "campaign metrics"))
        order: list[str] = []
    else:
        c = inp.kpi_campaign.sort_values("start_date" if "start_date" in inp.kpi_campaign else "campaign_id",
                                         ascending=False)
        order = [str(x) for x in c["campaign_id"]][: int(params["max_campaigns"])]
        blocks.append(Table(_pick(c, [
            "campaign_id", "objective", "campaign_state", "n_creators", "n_posts", "impressions",
            "reach_deduplicated", "engagement_rate_by_reach", "engagement_rate_by_reach_status",
            "click_through_rate", "conversion_rate", "orders", "attributed_revenue_usd", "cost_usd",
            "roas", "roas_status", "cost_per_acquisition_usd", "budget_pacing", "budget_pacing_status",
            "ftc_compliance_rate"]), "Campaign metrics with their status against target",
            max_rows=int(params["max_table_rows"])))
    if tb.is_empty(inp.kpi_campaign_daily) or not order:
        blocks.append(no_data("kpi_campaign_daily", "campaign trends"))
    else:
        blocks.append(Chart(fg.campaign_daily_trends(inp.kpi_campaign_daily, order),
                            "Pick a campaign in the menu (top right)."))
    if not tb.is_empty(inp.creator_campaign_roi) and order:
        blocks.append(Chart(fg.creator_breakdown(inp.creator_campaign_roi, order, "roi", "roi_low", "roi_high",
                                                 "ROI (attributed revenue − cost) / cost"),
                            "Creator breakdown: ROI per creator in the campaign, with its interval."))
    elif not tb.is_empty(inp.kpi_creator_campaign) and order:
        blocks.append(Chart(fg.creator_breakdown(inp.kpi_creator_campaign, order, "roi", None, None,
                                                 "ROI (click-or-code attribution)"),
                            "Creator breakdown from the KPI tables (no interval: creator_campaign_roi absent)."))
    else:
        blocks.append(no_data("kpi_creator_campaign", "the creator breakdown"))
    if tb.is_empty(inp.kpi_post):
        blocks.append(no_data("kpi_post", "content performance by format and platform"))
    else:
        cells = tb.format_platform_cells(inp.kpi_post)
        blocks.append(Chart(fg.format_platform_heatmaps(cells)))
        top = inp.kpi_post.nlargest(int(params["top_n"]), "attributed_revenue_usd")
        blocks.append(Table(_pick(top, ["post_id", "creator_id", "campaign_id", "platform", "format",
                                        "impressions", "engagement_rate_by_reach", "click_through_rate",
                                        "saves", "shares", "orders", "attributed_revenue_usd"]),
                            "Top posts by attributed revenue"))
    blocks.append(recommendation_table(inp, "content_formats",
                                       "Formats ranked per platform and niche (conversion lift with interval)", params))
    blocks.append(recommendation_table(inp, "posting_windows", "Best posting windows per creator and platform",
                                       params))
    if inp.non_compliant_posts is not None and len(inp.non_compliant_posts):
        blocks.append(Table(_pick(inp.non_compliant_posts, ["post_id", "creator_id", "campaign_id",
                                                            "platform", "published_at", "reason"]),
                            f"{len(inp.non_compliant_posts)} posts without a disclosure",
                            max_rows=int(params["max_table_rows"])))
    return Section("campaign-deep-dive", "Campaign deep dive", blocks,
                   "Per campaign: metrics and daily trends, the creators' ROI, content by format and platform.")


# --- Creator analytics --------------------------------------------------------------------------
def creator_analytics(inp: DashboardInputs, params: Mapping, targets: Mapping) -> Section:
    blocks: list = []
    n_hist = int(params["history_creators"])
    top_n = int(params["top_n"])
    if not tb.is_empty(inp.creator_campaign_roi):
        h = inp.creator_campaign_roi
        keep = h.groupby("creator_id").size().sort_values(ascending=False).head(n_hist).index
        blocks.append(Chart(fg.performance_history(h[h["creator_id"].isin(keep)], "roi", "roi_low",
                                                   "roi_high", "ROI"),
                            f"The {n_hist} creators with most campaigns; interval from creator_campaign_roi."))
    elif not tb.is_empty(inp.kpi_creator_campaign) and not tb.is_empty(inp.campaigns):
        h = tb.campaign_history(inp.kpi_creator_campaign, inp.campaigns)
        keep = h.groupby("creator_id").size().sort_values(ascending=False).head(n_hist).index
        blocks.append(Chart(fg.performance_history(h[h["creator_id"].isin(keep)], "roi", None, None,
                                                   "ROI (click-or-code attribution)"),
                            "From the KPI tables: creator_campaign_roi (with intervals) was not produced."))
    else:
        blocks.append(no_data("creator_campaign_roi", "performance history"))
    if tb.is_empty(inp.creator_authenticity):
        blocks.append(no_data("creator_authenticity", "authenticity"))
    else:
        a = inp.creator_authenticity
        blocks.append(Chart(fg.authenticity_scatter(a), "Hover a point for the reasons in words."))
        flagged = a[a["is_flagged"].fillna(False).astype(bool)].sort_values("authenticity_score")
        if flagged.empty:
            blocks.append(Note("No creator is flagged for inauthentic engagement."))
        else:
            blocks.append(Table(_pick(flagged, ["creator_id", "authenticity_score", "reasons"]),
                                f"{len(flagged)} flagged creators and why", max_rows=int(params["max_table_rows"])))
    if tb.is_empty(inp.creator_scores):
        blocks.append(no_data("creator_scores", "ROI with interval and performance scores"))
        if not tb.is_empty(inp.kpi_creator):
            top = inp.kpi_creator.nlargest(top_n, "cost_usd")
            blocks.append(Chart(fg.ranked_bars(top, "creator_id", "roi",
                                               f"ROI of the {top_n} largest creators (click or code, no interval)",
                                               "ROI", tickformat=".0%")))
    else:
        top = inp.creator_scores.nlargest(top_n, "investment_usd")
        blocks.append(Chart(fg.ranked_bars(top, "creator_id", "roi",
                                           f"ROI with interval of the {top_n} largest investments", "ROI",
                                           "roi_low", "roi_high", hover="roi_trend", tickformat=".0%")))
    if not tb.is_empty(inp.partnership_decisions) and "decision" in inp.partnership_decisions:
        counts = inp.partnership_decisions["decision"].astype("string").value_counts()
        blocks.append(Cards([(str(d), str(int(n)), "", "creators") for d, n in counts.items()]))
    blocks.append(recommendation_table(inp, "partnership_decisions",
                                       "Partnership recommendations (renew, expand, conclude, watch)", params))
    blocks.append(recommendation_table(inp, "creator_suggestions", "Suggestions per creator, citing their figures",
                                       params))
    if not tb.is_empty(inp.kpi_creator):
        db = inp.kpi_creator
        if not tb.is_empty(inp.creator_authenticity):
            db = db.merge(inp.creator_authenticity[["creator_id", "authenticity_score"]], on="creator_id",
                          how="left", suffixes=("", "_auth"))
        if not tb.is_empty(inp.creator_scores):
            db = db.merge(_pick(inp.creator_scores, ["creator_id", "performance_score", "roi_trend",
                                                     "predicted_next_roi"]), on="creator_id", how="left")
        db = db.sort_values("attributed_revenue_usd", ascending=False)
        blocks.append(Table(_pick(db, ["creator_id", "tier", "niche", "primary_platform", "n_posts",
                                       "engagement_rate_by_reach", "click_through_rate", "orders",
                                       "attributed_revenue_usd", "cost_usd", "roas", "authenticity_score",
                                       "performance_score", "roi_trend", "predicted_next_roi"]),
                            "Creator database (by attributed revenue)", max_rows=int(params["max_table_rows"])))
    return Section("creator-analytics", "Creator analytics", blocks,
                   "Performance history, authenticity with reasons, ROI with interval, partnership recommendations.")


# --- Attribution ----------------------------------------------------------------------------------
def attribution_view(inp: DashboardInputs, params: Mapping, targets: Mapping) -> Section:
    blocks: list = []
    comp = inp.attribution_model_comparison
    if tb.is_empty(comp):
        blocks.append(no_data("attribution_model_comparison", "the attribution models side by side"))
    else:
        for level in params["attribution_levels"]:
            if (comp["level"] == level).any():
                blocks.append(Chart(fg.attribution_models(comp, level)))
        blocks.append(Table(_pick(comp.drop(columns=["top_entities"], errors="ignore"),
                                  ["model", "model_used", "level", "entities_credited", "attributed_conversions",
                                   "attributed_revenue", "share_of_revenue", "top_n_share", "tvd_to_reference",
                                   "reference_model"]), "attribution_model_comparison",
                            max_rows=int(params["max_table_rows"])))
    credit = _credit(inp, params)
    if credit is None or credit.empty:
        blocks.append(no_data("creator_attribution", "attributed revenue per creator and model"))
    else:
        top = credit.nlargest(int(params["top_n"]), "attributed_revenue")["creator_id"].tolist()
        blocks.append(Chart(fg.creator_attribution_by_model(inp.creator_attribution, top),
                            f"The {len(top)} creators with most revenue under {credit['model_used'].iloc[0]} "
                            "(the model used downstream); error bars where the model gives an interval."))
    return Section("attribution", "Attribution", blocks,
                   "The attribution models side by side: how much each credits and how far they disagree.")


# --- Forecast & budget -----------------------------------------------------------------------
def forecast_budget(inp: DashboardInputs, params: Mapping, targets: Mapping) -> Section:
    blocks: list = []
    fc = inp.forecast_daily
    if tb.is_empty(fc):
        blocks.append(no_data("forecast_daily", "the forecast"))
    else:
        keys = fc[["series", "metric"]].drop_duplicates().astype(str)
        keys["_total"] = keys["series"] != "total"
        keys = keys.sort_values(["_total", "series", "metric"])
        pairs = list(keys[["series", "metric"]].itertuples(index=False, name=None))[: int(params["max_forecast_series"])]
        blocks.append(Chart(fg.forecast_chart(fc, pairs), "Actuals (dots), forecast and its interval; pick a series."))
    if tb.is_empty(inp.budget_pacing):
        blocks.append(no_data("budget_pacing", "budget pacing"))
    else:
        blocks.append(Chart(fg.pacing_chart(inp.budget_pacing, float(params["pacing_warning_ratio"]))))
    alloc = inp.budget_allocation
    if tb.is_empty(alloc):
        blocks.append(no_data("budget_allocation", "the budget allocation"))
    else:
        at = tb.allocation_table(alloc)
        shown = at.head(int(params["allocation_creators"]))
        blocks.append(Chart(fg.allocation_bars(shown)))
        if tb.is_empty(inp.response_curve_points):
            blocks.append(no_data("response_curve_points", "the response curves"))
        else:
            have = set(inp.response_curve_points["creator_id"].astype(str))
            creators = [c for c in shown["creator_id"].astype(str) if c in have][: int(params["curve_creators"])]
            if creators:
                blocks.append(Chart(fg.response_curves_chart(inp.response_curve_points, alloc, creators),
                                    "Each creator's fitted curve with the current (grey) and recommended (star) "
                                    "budgets and the constraint that binds; pick a creator."))
            else:
                blocks.append(no_data("response_curve_points", "the response curves of the moved creators"))
        blocks.append(Table(at, "Allocation, largest moves first", max_rows=int(params["max_table_rows"])))
    blocks.append(recommendation_table(inp, "budget_reallocation", "Budget moves: from creator A to creator B", params))
    blocks.append(recommendation_table(inp, "budget_signals",
                                       "Budget signals: cost per conversion significantly above the campaign benchmark",
                                       params))
    return Section("forecast-budget", "Forecast & budget", blocks,
                   "Forecasts with intervals, budget pacing, and the allocation with its response curves.")


VIEWS = (executive_summary, campaign_deep_dive, creator_analytics, attribution_view, forecast_budget)


def build_sections(inp: DashboardInputs, params: Mapping, targets: Mapping) -> list[Section]:
    """Validate the inputs, then build every view in order."""
    inp.validate()
    return [view(inp, params, targets) for view in VIEWS]
