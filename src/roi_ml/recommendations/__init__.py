"""Recommendation tables and alerts, as plain functions over data frames (importable in a
notebook). One module per table; the Kedro nodes in roi_ml.pipelines.recommendations are thin
adapters. Formulas and rules: docs/metrics.md, "Recommendations" and "Alerts"."""

from roi_ml.recommendations.alerts import ALERT_COLUMNS, RULES, alert_id, build_alerts
from roi_ml.recommendations.budget_reallocation import budget_reallocation
from roi_ml.recommendations.budget_signals import budget_signals
from roi_ml.recommendations.common import RecommendationInputError, select_attribution
from roi_ml.recommendations.content_formats import content_formats
from roi_ml.recommendations.creator_suggestions import creator_suggestions
from roi_ml.recommendations.partnership_decisions import partnership_decisions
from roi_ml.recommendations.posting_windows import posting_windows

TABLES = ("budget_reallocation", "partnership_decisions", "posting_windows", "content_formats",
          "creator_suggestions", "budget_signals")

__all__ = ["ALERT_COLUMNS", "RULES", "TABLES", "RecommendationInputError", "alert_id",
           "budget_reallocation", "budget_signals", "build_alerts", "content_formats",
           "creator_suggestions", "partnership_decisions", "posting_windows",
           "select_attribution"]
