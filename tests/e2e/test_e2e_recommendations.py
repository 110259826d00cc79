"""The default run on the tiny world writes the six recommendation tables (CSV + one workbook),
the alerts and the recommendations evaluation section, with no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from roi_ml.pipelines.recommendations.pipeline import upstream_available
from roi_ml.recommendations import ALERT_COLUMNS, TABLES

pytestmark = pytest.mark.e2e


def reco(root: Path) -> Path:
    return root / "data" / "08_reporting" / "recommendations"


def test_every_table_and_the_workbook_are_written(e2e_run: Path):
    for t in TABLES:
        table = pd.read_csv(reco(e2e_run) / f"{t}.csv")
        assert "rank" in table.columns, t
        assert table["rank"].tolist() == list(range(1, len(table) + 1)), t
    wb = openpyxl.load_workbook(reco(e2e_run) / "recommendations.xlsx")
    assert wb.sheetnames == list(TABLES)
    assert not any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    formats = pd.read_csv(reco(e2e_run) / "content_formats.csv")
    assert len(formats) > 5 and set(formats["confidence"]) <= {"high", "medium", "low"}
    windows = pd.read_csv(reco(e2e_run) / "posting_windows.csv")
    assert len(windows) > 0 and (windows["lift_low"] <= windows["lift"]).all()
    assert (windows["lift"] <= windows["lift_high"]).all()


def test_partnership_decisions_and_budget_moves_come_from_the_models(e2e_run: Path):
    assert all(upstream_available(d) for d in ("creator_scores", "budget_allocation", "budget_pacing"))
    decisions = pd.read_csv(reco(e2e_run) / "partnership_decisions.csv")
    assert len(decisions) > 0 and set(decisions["decision"]) <= {"renew", "expand", "conclude", "watch"}
    assert decisions["reasons"].str.len().gt(10).all()
    moves = pd.read_csv(reco(e2e_run) / "budget_reallocation.csv")
    assert len(moves) > 0 and (moves["move_usd"] > 0).all()
    low, high = moves["expected_revenue_change_low"], moves["expected_revenue_change_high"]
    assert (low <= moves["expected_revenue_change"] + 1e-9).all() and (moves["expected_revenue_change"] <= high + 1e-9).all()
    alerts = pd.read_csv(e2e_run / "data" / "08_reporting" / "alerts.csv")
    assert "performance_score_low" in set(alerts["rule"])  # the creator_scores rule is wired


def test_alerts_have_the_contract_columns_and_stable_ids(e2e_run: Path):
    alerts = pd.read_csv(e2e_run / "data" / "08_reporting" / "alerts.csv")
    assert list(alerts.columns) == ALERT_COLUMNS
    assert len(alerts) > 0 and set(alerts["severity"]) <= {"critical", "warning", "success"}
    assert "compliance_violation" in set(alerts["rule"])  # the simulator leaves posts undisclosed
    expected = [hashlib.sha256(f"{r}|{t}|{e}".encode()).hexdigest()[:16]
                for r, t, e in zip(alerts["rule"], alerts["entity_type"], alerts["entity_id"], strict=True)]
    assert alerts["alert_id"].tolist() == expected and alerts["alert_id"].is_unique


def test_no_exported_cell_would_run_as_a_formula(e2e_run: Path):
    files = [*reco(e2e_run).glob("*.csv"), e2e_run / "data" / "08_reporting" / "alerts.csv"]
    assert len(files) == len(TABLES) + 1
    cells = 0
    for path in files:
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                for cell in row:
                    cells += 1
                    assert cell[:1] not in ("=", "+", "@", "\t", "\r"), (path.name, cell)
                    if cell.startswith("-"):
                        float(cell)  # only numbers may start with a minus
    assert cells > 100


def test_evaluation_scores_windows_and_formats_against_the_truth(e2e_run: Path):
    ev = json.loads((e2e_run / "data" / "08_reporting" / "evaluation.json").read_text())
    sec = ev["recommendations"]
    assert set(sec) == {"posting_windows", "content_formats", "budget_signals"}
    assert "format_spearman" in sec["content_formats"] or "skipped" in sec["content_formats"]
    assert sec["budget_signals"]["tested"] > 0 and 0 <= sec["budget_signals"]["base_rate"] <= 1


def test_recommendation_counts_are_logged_to_mlflow(e2e_run: Path):
    import sqlite3

    con = sqlite3.connect(e2e_run / "mlflow.db")
    keys = {k for (k,) in con.execute("select distinct key from metrics")}
    assert {"recommendations.alerts.critical", "recommendations.rows.content_formats"} <= keys
    alerts = pd.read_csv(e2e_run / "data" / "08_reporting" / "alerts.csv")
    (value,) = con.execute("select value from metrics where key = 'recommendations.alerts.critical'").fetchone()
    assert value == (alerts["severity"] == "critical").sum()
