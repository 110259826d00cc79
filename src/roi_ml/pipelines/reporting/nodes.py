"""Reporting nodes: thin adapters over roi_ml.reporting (frames + params in, text out)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from roi_ml.reporting import DashboardInputs, daily_summary, render_dashboard


def build_dashboard(params: Mapping, targets: Mapping, **frames: pd.DataFrame) -> str:
    """Every view of the dashboard from whatever frames the run provides -> one HTML page.

    `frames` are DashboardInputs fields by name; a view whose frame is absent shows a
    "no data" note.
    """
    return render_dashboard(DashboardInputs(**frames), params, targets)


def build_daily_summary(kpi_daily: pd.DataFrame, kpi_campaign: pd.DataFrame,
                        alerts_seen_previous: pd.DataFrame, params: Mapping, targets: Mapping,
                        alerts: pd.DataFrame | None = None) -> tuple[str, str, pd.DataFrame]:
    """Key metrics against target and the alerts new since the previous run ->
    (Markdown, email-ready HTML, the ledger of alerts reported)."""
    return daily_summary(kpi_daily, kpi_campaign, alerts, alerts_seen_previous, targets, params["summary"])
