"""Reporting library: Plotly figures, the self-contained HTML dashboard and the daily summary.

Usable without Kedro, e.g. in a notebook:

    from roi_ml.reporting import DashboardInputs, render_dashboard
    html = render_dashboard(DashboardInputs(kpi_campaign=df, ...), params, targets)
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from roi_ml.reporting.html import render_page
from roi_ml.reporting.summary import daily_summary
from roi_ml.reporting.views import DashboardInputs, build_sections

__all__ = ["DashboardInputs", "daily_summary", "render_dashboard"]


def render_dashboard(inputs: DashboardInputs, params: Mapping, targets: Mapping,
                     js: str | None = None) -> str:
    """The whole dashboard as one HTML string (plotly.js inlined once unless `js` is given)."""
    sections = build_sections(inputs, params, targets)
    as_of = ""
    if inputs.kpi_daily is not None and len(inputs.kpi_daily):
        as_of = f"Data up to {pd.Timestamp(pd.to_datetime(inputs.kpi_daily['date']).max()):%Y-%m-%d}. "
    subtitle = (f"{as_of}Rebuilt by every `kedro run` (pipeline `reporting`); the daily summary is "
                "data/08_reporting/daily_summary.html.")
    return render_page(str(params["title"]), subtitle, sections, js=js)
