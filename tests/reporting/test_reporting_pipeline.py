"""The reporting pipeline (DataCatalog + SequentialRunner) on the synthetic inputs: it writes
the dashboard and the daily summary, and the second run reports only the alerts new since
the first."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from reporting_world import kpi_targets, make_inputs, reporting_params

from roi_ml.pipelines.reporting.pipeline import DASHBOARD_INPUTS, create_pipeline, dashboard_inputs
from roi_ml.reporting.datasets import AlertLedgerDataset

OUTPUTS = ("dashboard_html", "daily_summary_md", "daily_summary_html")


class Kept(MemoryDataset):  # the runner releases data it has written; the tests read it
    def _release(self) -> None:
        pass


def _run(tmp: Path, alerts: pd.DataFrame | None, summary_only: bool = False, **summary_params) -> dict:
    frames = make_inputs()
    ledger = str(tmp / "alerts_seen.csv")
    catalog = DataCatalog({name: Kept() for name in OUTPUTS}
                          | {"alerts_seen_previous": AlertLedgerDataset(ledger),
                             "alerts_seen": AlertLedgerDataset(ledger)})
    for name in set(dashboard_inputs()) - {"alerts"}:
        catalog[name] = frames[name]
    params = reporting_params()
    params["summary"]["window_days"] = 2
    params["summary"].update(summary_params)
    catalog["params:reporting"] = params
    catalog["params:kpis.targets"] = kpi_targets()
    pipe = create_pipeline()
    has_alerts = "alerts" in pipe.inputs()
    if has_alerts:  # the recommendations pipeline is in the project: the summary reads alerts
        catalog["alerts"] = alerts if alerts is not None else frames["alerts"].iloc[0:0]
    elif alerts is not None:  # wire the alerts table like the recommendations pipeline provides it
        catalog["alerts"] = alerts
        from kedro.pipeline import Node, Pipeline

        from roi_ml.pipelines.reporting import nodes
        pipe = Pipeline([n for n in pipe.nodes if n.name != "build_daily_summary"] + [
            Node(nodes.build_daily_summary,
                 {"kpi_daily": "kpi_daily", "kpi_campaign": "kpi_campaign", "alerts": "alerts",
                  "alerts_seen_previous": "alerts_seen_previous", "params": "params:reporting",
                  "targets": "params:kpis.targets"},
                 ["daily_summary_md", "daily_summary_html", "alerts_seen"], name="build_daily_summary")])
    if summary_only:  # the ledger tests need only the summary node (the dashboard takes seconds)
        pipe = pipe.only_nodes("build_daily_summary")
    SequentialRunner().run(pipe, catalog)
    return {name: catalog[name].load() for name in OUTPUTS if catalog[name].exists()} | {"ledger": pd.read_csv(ledger, dtype=str)}


def test_upstream_inputs_are_wired_only_when_their_pipeline_outputs_them():
    inputs = create_pipeline().inputs()
    assert set(DASHBOARD_INPUTS) <= inputs
    assert set(dashboard_inputs()) <= inputs
    # every dashboard input is a DashboardInputs field
    from roi_ml.reporting.views import DashboardInputs
    assert set(dashboard_inputs()) <= set(DashboardInputs.__dataclass_fields__)


def test_pipeline_writes_dashboard_and_summary(tmp_path):
    out = _run(tmp_path, None)
    assert out["dashboard_html"].startswith("<!DOCTYPE html>")
    assert 'id="forecast-budget"' in out["dashboard_html"]
    md = out["daily_summary_md"]
    assert md.startswith("# roi_ml daily summary — 2026-03-10")
    # ROAS over the last 2 days: (260 + 280) / (50 + 50) = 5.40:1
    assert "| roas | 5.60:1 | 5.40:1 | target ≥ 5 | on target |" in md
    # CMP2 runs: spend 700 against 600 planned to date = 117 %
    assert "| CMP2 | $700 | $600 | 117% | above target |" in md
    if "alerts" in create_pipeline().inputs():
        assert "No new alerts (0 open" in md
    else:
        assert "No alerts table in this run" in md
    assert out["ledger"].empty


def test_second_run_reports_only_new_alerts(tmp_path):
    alerts = make_inputs()["alerts"]
    first = _run(tmp_path, alerts, summary_only=True)
    assert "3 new of 3 open alerts." in first["daily_summary_md"]
    assert sorted(first["ledger"]["alert_id"]) == ["a1", "a2", "a3"]
    later = pd.concat([alerts, alerts.iloc[[0]].assign(alert_id="a9", entity_id="CMP1")], ignore_index=True)
    second = _run(tmp_path, later, summary_only=True)
    md = second["daily_summary_md"]
    assert "1 new of 4 open alerts." in md and "CMP1" in md.split("New alerts")[1]
    assert "roas_below · campaign CMP2" not in md  # a1 was reported by the first run
    assert sorted(second["ledger"]["alert_id"]) == ["a1", "a2", "a3", "a9"]
    third = _run(tmp_path, later, summary_only=True)
    assert "No new alerts (4 open, all reported before)." in third["daily_summary_md"]


def test_summary_html_is_email_ready(tmp_path):
    page = _run(tmp_path, make_inputs()["alerts"], summary_only=True)["daily_summary_html"]
    assert "<script" not in page and "<style" not in page and "<link" not in page
    assert 'style="' in page  # inline styles only
    assert "&lt;script&gt;" in page  # the hostile caption in an alert message is escaped


def test_summary_markdown_does_not_carry_raw_html(tmp_path):
    md = _run(tmp_path, make_inputs()["alerts"], summary_only=True)["daily_summary_md"]
    assert "<script>" not in md and "&lt;script&gt;alert(1)&lt;/script&gt;" in md


def test_summary_lists_at_most_the_configured_number_of_new_alerts(tmp_path):
    out = _run(tmp_path, make_inputs()["alerts"], summary_only=True, max_new_alerts_listed=1)
    md = out["daily_summary_md"]
    assert "3 new of 3 open alerts." in md
    assert md.count("- **") == 1 and "**critical** · missing_disclosure" in md  # critical first
    assert "… and 2 more new alerts in data/08_reporting/alerts.csv" in md
    assert "… and 2 more new alerts" in out["daily_summary_html"]
