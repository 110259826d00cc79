"""Recommendation and alert nodes: thin adapters over roi_ml.recommendations. Parameters are
`recommendations` (conf/base/parameters_recommendations.yml) and `alerts`
(conf/base/parameters_alerts.yml)."""

from __future__ import annotations

import logging

import pandas as pd

from roi_ml.recommendations import TABLES
from roi_ml.recommendations import alerts as al
from roi_ml.recommendations.budget_reallocation import OUTPUT_COLUMNS as BR_COLUMNS
from roi_ml.recommendations.budget_reallocation import budget_reallocation
from roi_ml.recommendations.budget_signals import budget_signals
from roi_ml.recommendations.common import select_attribution
from roi_ml.recommendations.content_formats import content_formats
from roi_ml.recommendations.creator_suggestions import creator_suggestions
from roi_ml.recommendations.partnership_decisions import OUTPUT_COLUMNS as PD_COLUMNS
from roi_ml.recommendations.partnership_decisions import partnership_decisions
from roi_ml.recommendations.posting_windows import posting_windows

log = logging.getLogger(__name__)


def _attr(params: dict) -> tuple[str, str]:
    a = params.get("attribution") or {}
    return a.get("model", "data_driven"), a.get("fallback_model", "time_decay")


def select_post_conversions(post_attribution: pd.DataFrame, params: dict) -> pd.DataFrame:
    """post_attribution → the rows of the configured model (or its fallback), with model_used."""
    model, fallback = _attr(params)
    return select_attribution(post_attribution, model, fallback, "post_attribution")


def select_creator_revenue(creator_attribution: pd.DataFrame, params: dict) -> pd.DataFrame:
    """creator_attribution → the rows of the configured model (or its fallback), with model_used."""
    model, fallback = _attr(params)
    return select_attribution(creator_attribution, model, fallback, "creator_attribution")


def build_budget_reallocation(budget_allocation: pd.DataFrame, params: dict) -> pd.DataFrame:
    """budget_allocation (forecasting) → budget_reallocation."""
    return budget_reallocation(budget_allocation, params.get("budget_reallocation") or {})


def empty_budget_reallocation(params: dict) -> pd.DataFrame:
    """budget_reallocation with no rows (the forecasting pipeline is absent)."""
    log.warning("recommendations: budget_reallocation is empty: the forecasting pipeline "
                "(budget_allocation) is not part of this project")
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in BR_COLUMNS})


def empty_partnership_decisions(params: dict) -> pd.DataFrame:
    """partnership_decisions with no rows (the creator_scoring pipeline is absent)."""
    log.warning("recommendations: partnership_decisions is empty: the creator_scoring pipeline "
                "(creator_scores) is not part of this project")
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in PD_COLUMNS})


def build_partnership_decisions(creator_scores: pd.DataFrame, creator_authenticity: pd.DataFrame,
                                params: dict) -> pd.DataFrame:
    """creator_scores (creator_scoring) + creator_authenticity → partnership_decisions."""
    return partnership_decisions(creator_scores, creator_authenticity,
                                 params["partnership_decisions"])


def build_posting_windows(kpi_post: pd.DataFrame, post_conversions: pd.DataFrame, params: dict
                          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """kpi_post + post conversions → (posting_windows, posting_window_norms)."""
    return posting_windows(kpi_post, post_conversions, params.get("posting_windows") or {})


def build_content_formats(kpi_post: pd.DataFrame, creators: pd.DataFrame, posts: pd.DataFrame,
                          post_conversions: pd.DataFrame, params: dict) -> pd.DataFrame:
    """kpi_post + creators (niche) + posts (captions) + post conversions → content_formats."""
    return content_formats(kpi_post, creators, posts, post_conversions,
                           params.get("content_formats") or {})


def build_creator_suggestions(kpi_post: pd.DataFrame, post_conversions: pd.DataFrame,
                              posting_windows_table: pd.DataFrame,
                              partnership_decisions_table: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Findings of the other tables → creator_suggestions."""
    return creator_suggestions(kpi_post, post_conversions, posting_windows_table,
                               partnership_decisions_table, params.get("creator_suggestions") or {})


def build_budget_signals(kpi_creator_campaign: pd.DataFrame, post_conversions: pd.DataFrame,
                         campaigns: pd.DataFrame, params: dict) -> pd.DataFrame:
    """kpi_creator_campaign (cost) + post conversions + campaigns (order) → budget_signals."""
    return budget_signals(kpi_creator_campaign, post_conversions, campaigns,
                          params.get("budget_signals") or {})


def assemble_workbook(budget_reallocation_table: pd.DataFrame,
                      partnership_decisions_table: pd.DataFrame,
                      posting_windows_table: pd.DataFrame, content_formats_table: pd.DataFrame,
                      creator_suggestions_table: pd.DataFrame,
                      budget_signals_table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The six tables → {sheet name: table} for recommendations.xlsx, in TABLES order."""
    frames = [budget_reallocation_table, partnership_decisions_table, posting_windows_table,
              content_formats_table, creator_suggestions_table, budget_signals_table]
    return dict(zip(TABLES, frames, strict=True))


def collect_source_dates(params: dict, **sources: pd.DataFrame) -> pd.DataFrame:
    """Canonical tables → their latest record date (alerts.rules.stale_data_source.sources)."""
    cfg = ((params.get("rules") or {}).get("stale_data_source") or {})
    columns = cfg.get("sources") or {}
    return al.latest_source_dates(sources, columns)


def build_alert_table(params: dict, **tables: pd.DataFrame) -> pd.DataFrame:
    """Every enabled rule of `alerts.rules` over its table → alerts. A rule whose input table is
    not wired (its pipeline is absent) is skipped with a warning naming it."""
    rules = dict(params.get("rules") or {})
    for name, (_, table) in al.RULES.items():
        if name in rules and table not in tables and (rules[name] or {}).get("enabled", True):
            log.warning("alerts: rule %s skipped: its input %s is not produced by this project's "
                        "pipelines", name, table)
            rules[name] = {**(rules[name] or {}), "enabled": False}
    return al.build_alerts(tables, {**params, "rules": rules})


def recommendation_metrics(alerts_table: pd.DataFrame, **tables: pd.DataFrame) -> dict:
    """Row counts per table and alerts per severity, for MLflow (recommendations.<name>)."""
    out = {f"rows.{name}": {"value": float(len(t)), "step": 0} for name, t in tables.items()}
    for sev in al.SEVERITIES:
        out[f"alerts.{sev}"] = {"value": float((alerts_table["severity"] == sev).sum()), "step": 0}
    return out
