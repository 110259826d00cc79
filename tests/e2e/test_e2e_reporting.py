"""Reporting in the default run on the tiny simulated world: the dashboard, the daily summary,
their MLflow artifacts, the dashboard drawn by headless Chromium, and the exploration notebook
executed against the run (so it never rots)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from roi_ml.reporting.browser import dump_dom, find_chromium

pytestmark = pytest.mark.e2e

VIEW_IDS = ["executive-summary", "campaign-deep-dive", "creator-analytics", "attribution", "forecast-budget"]
NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "explore_roi_ml.ipynb"


def _sections(page: str) -> dict[str, str]:
    found = re.findall(r'(<section class="view" id="([^"]+)".*?</section>)', page, flags=re.S)
    return {view_id: body for body, view_id in found}


@pytest.fixture(scope="module")
def dashboard(e2e_run: Path) -> str:
    path = e2e_run / "data" / "08_reporting" / "dashboard.html"
    assert path.exists(), "the default run wrote no dashboard"
    return path.read_text(encoding="utf-8")


def test_dashboard_has_every_view_each_with_charts_or_a_no_data_note(dashboard: str):
    sec = _sections(dashboard)
    assert list(sec) == VIEW_IDS
    for view_id, body in sec.items():
        assert "Plotly.newPlot(" in body or "no-data" in body, view_id
    # the views fed by the KPI and attribution pipelines always draw
    for view_id in ("executive-summary", "campaign-deep-dive", "creator-analytics", "attribution"):
        assert sec[view_id].count("Plotly.newPlot(") >= 3, view_id
    assert dashboard.count("* plotly.js v") == 1  # inlined once
    assert re.search(r"<script[^>]+src=", dashboard) is None


def test_daily_summary_and_alert_ledger_written(e2e_run: Path):
    rep = e2e_run / "data" / "08_reporting"
    md = (rep / "daily_summary.md").read_text(encoding="utf-8")
    assert md.startswith("# roi_ml daily summary — 20")
    for metric in ("engagement_rate_by_reach", "roas", "conversion_rate"):
        assert f"| {metric} |" in md
    assert "## New alerts since the previous run" in md
    page = (rep / "daily_summary.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<style" not in page
    assert (rep / "alerts_seen.csv").exists()


def test_dashboard_and_summary_logged_to_mlflow(e2e_run: Path):
    con = sqlite3.connect(e2e_run / "mlflow.db")
    (artifact_uri,) = con.execute("select artifact_uri from runs").fetchone()
    root = Path(artifact_uri.removeprefix("file://")) / "reporting"
    for name in ("dashboard.html", "daily_summary.md", "daily_summary.html"):
        assert (root / name).exists(), name
    local = (e2e_run / "data" / "08_reporting" / "dashboard.html").read_bytes()
    assert (root / "dashboard.html").read_bytes() == local


@pytest.mark.browser
def test_e2e_dashboard_draws_in_chromium(e2e_run: Path, dashboard: str):
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("headless Chromium not found (/usr/bin/chromium or $CHROMIUM): the dashboard's "
                    "rendering was NOT checked; install it with `apt-get install -y chromium`")
    dom, log = dump_dom(e2e_run / "data" / "08_reporting" / "dashboard.html", chromium)
    src, out = _sections(dashboard), _sections(dom)
    assert list(out) == VIEW_IDS
    for view_id in VIEW_IDS:
        wanted = src[view_id].count("Plotly.newPlot(")
        assert out[view_id].count('class="plot-container plotly"') == wanted, view_id
    assert "Uncaught" not in log, log[-3000:]


def test_exploration_notebook_runs_against_the_run(e2e_run: Path):
    import nbclient
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(e2e_run)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any failure
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                     for o in c.get("outputs", []) if o.get("output_type") == "stream")
    assert "model used downstream:" in text and "authenticity score" in text
    assert "dashboard.html exists" in text
