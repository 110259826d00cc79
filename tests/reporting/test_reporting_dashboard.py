"""The dashboard from synthetic inputs with the contract columns: every view, its charts, the
"no data" notes, escaping, self-containment and the structural error message."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from reporting_world import HOSTILE_CAPTION, kpi_targets, make_inputs, reporting_params

from roi_ml.reporting import DashboardInputs, render_dashboard
from roi_ml.reporting.tables import ReportingInputError
from roi_ml.reporting.views import REQUIRED

VIEW_IDS = ["executive-summary", "campaign-deep-dive", "creator-analytics", "attribution", "forecast-budget"]
JS_STUB = "/*plotly.js stub*/"


def _render(frames: dict, js: str | None = JS_STUB) -> str:
    return render_dashboard(DashboardInputs(**frames), reporting_params(), kpi_targets(), js=js)


def _section(page: str, view_id: str) -> str:
    m = re.search(rf'<section class="view" id="{view_id}".*?</section>', page, flags=re.S)
    assert m, f"view {view_id} missing"
    return m.group(0)


def _charts(fragment: str) -> int:
    return fragment.count("Plotly.newPlot(")


@pytest.fixture(scope="module")
def full_page() -> str:
    return _render(make_inputs())


def test_every_view_is_there_with_its_charts_and_no_gap(full_page):
    # charts per view with every input present (see roi_ml.reporting.views):
    # executive: budget vs actual, daily trend, top creators (scores) = 3
    # campaign: trends, creator breakdown, format x platform = 3
    # creator: history, authenticity, ROI with interval = 3
    # attribution: creator level, channel level, creators by model = 3
    # forecast & budget: forecast, pacing, allocation, response curves = 4
    expected = {"executive-summary": 3, "campaign-deep-dive": 3, "creator-analytics": 3,
                "attribution": 3, "forecast-budget": 4}
    for view_id, n in expected.items():
        sec = _section(full_page, view_id)
        assert _charts(sec) == n, view_id
        assert "no-data" not in sec, view_id
    assert [m for m in re.findall(r'<section class="view" id="([^"]+)"', full_page)] == VIEW_IDS


def test_views_show_the_spec_content(full_page):
    ex = _section(full_page, "executive-summary")
    for label in ("ROAS (all campaigns)", "Engagement rate by reach", "Positive comment share",
                  "Spend against plan to date", "Open alerts", "Top 15 campaigns by ROAS"):
        assert label in ex
    assert "3.25:1" in ex  # portfolio ROAS 5200 / 1600
    # the critical alert comes first
    assert ex.index("missing_disclosure") < ex.index("roas_below")
    cr = _section(full_page, "creator-analytics")
    assert "follower jump of 40 % in a day" in cr  # authenticity reasons in words
    assert "expand" in cr and "conclude" in cr  # partnership recommendations
    assert "audience converts most on tiktok video" in cr  # creator suggestions
    cd = _section(full_page, "campaign-deep-dive")
    assert "Formats ranked per platform" in cd and "Tuesday" in cd
    fb = _section(full_page, "forecast-budget")
    assert "max_budget" in fb and "binding_constraint" in fb
    assert "move $300 from CR4 to CR1" in fb and "review CR4&#x27;s fee" in fb


def test_absent_upstream_inputs_give_visible_no_data_notes():
    frames = make_inputs()
    for name in ("creator_scores", "creator_campaign_roi", "forecast_daily", "budget_pacing",
                 "response_curve_points", "budget_allocation", "alerts", "partnership_decisions",
                 "creator_suggestions", "budget_reallocation", "budget_signals", "content_formats",
                 "posting_windows"):
        frames.pop(name)
    page = _render(frames)
    fb = _section(page, "forecast-budget")
    assert _charts(fb) == 0
    for name in ("forecast_daily", "budget_pacing", "budget_allocation"):
        assert f"&#x27;{name}&#x27; is empty or was not produced" in fb
    assert "no-data" in _section(page, "executive-summary")  # alerts, creator scores
    cr = _section(page, "creator-analytics")
    assert "partnership_decisions" in cr and "creator_scores" in cr
    # the KPI-table fallbacks still draw: history, authenticity, ROI without interval
    assert _charts(cr) == 3


def test_empty_frames_are_no_data_too():
    frames = make_inputs()
    frames["forecast_daily"] = frames["forecast_daily"].iloc[0:0]
    frames["alerts"] = frames["alerts"].iloc[0:0]
    page = _render(frames)
    assert "&#x27;forecast_daily&#x27; is empty" in _section(page, "forecast-budget")
    assert "No open alerts." in _section(page, "executive-summary")


def test_fallback_attribution_model_is_named_on_the_chart():
    frames = make_inputs()
    frames["creator_attribution"] = frames["creator_attribution"].query("model != 'data_driven'")
    frames.pop("creator_scores")  # top creators then come from attribution
    page = _render(frames)
    assert "Top 15 creators by attributed revenue (time_decay)" in page


def test_hostile_text_is_escaped(full_page):
    assert "<script>alert(1)</script>" not in full_page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in full_page
    assert HOSTILE_CAPTION not in full_page


def test_self_contained_plotly_inlined_once_no_network():
    from roi_ml.reporting.html import plotly_js

    js = plotly_js()
    page = _render(make_inputs(), js=None)
    assert page.count(js) == 1  # the whole bundle, once
    assert page.count("* plotly.js v") == 1
    rest = page.replace(js, "")
    assert rest.count("<script") == rest.count("Plotly.newPlot(") + 1  # the bundle + one per chart
    # outside the bundle (whose code mentions URLs it never fetches here, e.g. map tiles):
    # nothing is loaded from anywhere
    assert re.search(r"<script[^>]+src=", rest) is None and "<link" not in rest
    assert "cdn.plot.ly" not in rest and "mathjax" not in rest.lower()
    assert re.search(r'(src|href)=["\']?https?://', rest) is None


@pytest.mark.parametrize("name", ["kpi_campaign", "budget_allocation", "alerts", "forecast_daily"])
def test_a_missing_contract_column_stops_with_one_clear_message(name):
    frames = make_inputs()
    col = REQUIRED[name][-1]
    frames[name] = frames[name].drop(columns=[col])
    with pytest.raises(ReportingInputError) as e:
        _render(frames)
    msg = str(e.value)
    assert name in msg and col in msg and "conf/base/catalog" in msg


def test_render_is_deterministic(full_page):
    assert _render(make_inputs()) == full_page  # no random div ids, no clock


def test_views_render_with_pandas_string_and_nullable_dtypes():
    frames = make_inputs()
    frames["kpi_creator"]["tier"] = frames["kpi_creator"]["tier"].astype("string")
    frames["creator_campaign_roi"]["campaign_seq"] = frames["creator_campaign_roi"]["campaign_seq"].astype("Int64")
    frames["budget_pacing"].loc[0, "projected_spend_low_usd"] = float("nan")
    page = _render(frames)
    assert _charts(_section(page, "forecast-budget")) == 4
    assert isinstance(pd.Timestamp("2026-03-10"), pd.Timestamp)
