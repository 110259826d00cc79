"""The recommendations pipeline (DataCatalog + SequentialRunner) on a synthetic world with the
creator_scoring and forecasting contracts: every table, the workbook and the alerts are written
through the safe datasets."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from reco_world import HOSTILE_CAPTION, make_world

from roi_ml.exports import SafeCsvDataset, SafeExcelDataset
from roi_ml.pipelines.recommendations import pipeline as reco_pipeline
from roi_ml.recommendations import ALERT_COLUMNS, TABLES
from roi_ml.recommendations.common import RecommendationInputError

CONF = Path(__file__).parents[2] / "conf" / "base"
PARAMS = yaml.safe_load((CONF / "parameters_recommendations.yml").read_text())["recommendations"]
ALERTS = yaml.safe_load((CONF / "parameters_alerts.yml").read_text())["alerts"]


def run(tmp_path: Path, world: dict, upstream: bool, monkeypatch) -> dict:
    monkeypatch.setattr(reco_pipeline, "upstream_available", lambda dataset: upstream)
    pipe = reco_pipeline.create_pipeline()
    catalog = DataCatalog()
    for name, frame in world.items():
        if name in pipe.inputs():
            catalog[name] = frame
    catalog["params:recommendations"] = PARAMS
    catalog["params:alerts"] = ALERTS
    for t in (*TABLES, "alerts"):
        catalog[t] = SafeCsvDataset(filepath=str(tmp_path / f"{t}.csv"))
    catalog["recommendations_workbook"] = SafeExcelDataset(str(tmp_path / "recommendations.xlsx"))
    for name in pipe.all_outputs():
        if name not in catalog:
            catalog[name] = MemoryDataset(copy_mode="assign")
    SequentialRunner().run(pipe, catalog)
    return {name: catalog.load(name) for name in pipe.outputs()}


@pytest.fixture(scope="module")
def world():
    return make_world()


@pytest.fixture(scope="module")
def full_run(tmp_path_factory, world):
    """One run with every upstream present: (output folder, terminal outputs)."""
    folder = tmp_path_factory.mktemp("reco_full_run")
    with pytest.MonkeyPatch.context() as mp:
        out = run(folder, world, True, mp)
    return folder, out


def test_full_run_writes_every_table_ranked_with_confidence(full_run):
    tmp_path, out = full_run
    for t in TABLES:
        table = pd.read_csv(tmp_path / f"{t}.csv")
        assert len(table) > 0, t
        assert table["rank"].tolist() == list(range(1, len(table) + 1)), t
        assert set(table["confidence"]) <= {"high", "medium", "low"}, t
    decisions = pd.read_csv(tmp_path / "partnership_decisions.csv").set_index("creator_id")
    assert decisions.loc["CR06", "decision"] == "conclude"  # flagged, ROI interval below 0
    assert decisions.loc["CR01", "decision"] == "expand"
    moves = pd.read_csv(tmp_path / "budget_reallocation.csv")
    assert moves["move_usd"].sum() == pytest.approx(6000 + 2000 + 1000)  # CR06 -8000, CR05 -1000
    signals = pd.read_csv(tmp_path / "budget_signals.csv")
    assert "CR06" in set(signals["creator_id"])  # $20,000 for the same conversions as $1,600
    wb = openpyxl.load_workbook(tmp_path / "recommendations.xlsx")
    assert wb.sheetnames == list(TABLES)
    assert not any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    metrics = out["recommendation_metrics"]
    assert metrics["rows.posting_windows"]["value"] == len(pd.read_csv(tmp_path / "posting_windows.csv"))


def test_alerts_cover_the_spec_rules(full_run):
    tmp_path, _ = full_run
    alerts = pd.read_csv(tmp_path / "alerts.csv")
    assert list(alerts.columns) == ALERT_COLUMNS
    fired = set(zip(alerts["rule"], alerts["entity_id"], strict=True))
    assert {("engagement_rate_below_target", "CMP01"), ("conversion_rate_low", "CMP01"),
            ("compliance_violation", "P0002"), ("roas_low", "CMP01"), ("budget_pacing_high", "CMP01"),
            ("roas_above_target", "CMP02"), ("viral_post", "P0001"), ("partnership_revenue_high", "CR01"),
            ("authenticity_flag", "CR06"), ("stale_data_source", "leads")} <= fired
    assert {("performance_score_low", c) for c in ("CR03", "CR05", "CR06")} <= fired
    assert ("performance_score_low", "CR01") not in fired and ("budget_pacing_high", "CMP02") not in fired
    assert alerts["alert_id"].is_unique
    assert (alerts["detected_at"] == "2025-03-31").all()


def test_hostile_captions_are_neutralised_in_the_csv(full_run):
    tmp_path, _ = full_run
    with (tmp_path / "content_formats.csv").open(newline="", encoding="utf-8") as f:
        captions = [r["example_caption"] for r in csv.DictReader(f)]
    assert "'" + HOSTILE_CAPTION in captions
    for t in (*TABLES, "alerts"):
        with (tmp_path / f"{t}.csv").open(newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                for cell in row:
                    if cell[:1] in ("=", "+", "@", "\t", "\r"):
                        pytest.fail(f"{t}: cell {cell!r} would run as a formula")
                    if cell.startswith("-"):
                        float(cell)  # a leading minus only on numbers


def test_without_scoring_and_forecasting_the_run_still_completes(tmp_path, world, monkeypatch):
    absent = {k: v for k, v in world.items() if k not in ("creator_scores", "budget_allocation", "budget_pacing")}
    run(tmp_path, absent, False, monkeypatch)
    assert pd.read_csv(tmp_path / "budget_reallocation.csv").empty
    assert "decision" in pd.read_csv(tmp_path / "partnership_decisions.csv").columns
    alerts = pd.read_csv(tmp_path / "alerts.csv")
    assert not {"performance_score_low", "budget_pacing_high"} & set(alerts["rule"])
    assert len(pd.read_csv(tmp_path / "posting_windows.csv")) > 0


def test_a_missing_upstream_column_stops_the_run_naming_it(tmp_path, world, monkeypatch):
    bad = {**world, "kpi_post": world["kpi_post"].drop(columns="engagements_authentic")}
    with pytest.raises(RecommendationInputError, match=r"kpi_post: missing column\(s\) \['engagements_authentic'\]"):
        run(tmp_path, bad, True, monkeypatch)
